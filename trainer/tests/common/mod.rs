//! The breast-cancer oracle (`tests/fixtures/reference/trainer`, made by `tests/oracles/trainer/`), loaded
//! once here for every oracle test of the trainer.
#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;

/// `tests/fixtures/reference/trainer` in the workspace.
pub fn refdir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/reference/trainer")
}

/// The WDBC table (30 feature columns between the id and the last two columns; label last) and
/// the oracle JSON.
pub struct BreastCancer {
    pub names: Vec<String>,
    pub rows: Vec<Vec<f64>>,
    pub y: Vec<u8>,
    pub oracle: Value,
}

pub fn load() -> BreastCancer {
    let mut rdr = csv::Reader::from_path(refdir().join("breast_cancer.csv")).expect("csv");
    let headers: Vec<String> = rdr.headers().expect("h").iter().map(String::from).collect();
    let feat_cols: Vec<usize> = (1..headers.len() - 2).collect();
    let mut rows = Vec::new();
    let mut y = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("rec");
        rows.push(
            feat_cols
                .iter()
                .map(|&c| rec[c].parse::<f64>().expect("f64"))
                .collect::<Vec<_>>(),
        );
        y.push(rec[headers.len() - 1].parse::<u8>().expect("y"));
    }
    let names = feat_cols.iter().map(|&c| headers[c].clone()).collect();
    let text = std::fs::read_to_string(refdir().join("oracle_breast_cancer.json")).expect("json");
    let oracle: Value = serde_json::from_str(&text).expect("parse");
    BreastCancer {
        names,
        rows,
        y,
        oracle,
    }
}

/// A JSON array of numbers.
pub fn vf(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("f64"))
        .collect()
}
