//! The report of a real training run (breast-cancer reference data shaped as a radiomics cohort)
//! and of the exported model applied back to the cohort: every figure and table is produced, the
//! page links them, the numbers in the tables are those of the run, and the model-only report
//! (scored through the core) gives the same combined-model AUCs as the run.

use std::path::{Path, PathBuf};

use radscore_trainer::cohort::{Cohort, CohortSpec};
use radscore_trainer::pipeline::{train, TrainOptions, TrainResult};
use radscore_trainer::report::{write_report, ReportInput};

/// The breast-cancer oracle (`tests/fixtures/reference/trainer`).
fn refdir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/reference/trainer")
}

const FIRSTORDER: [&str; 10] = [
    "10Percentile",
    "90Percentile",
    "Energy",
    "Entropy",
    "InterquartileRange",
    "Kurtosis",
    "Maximum",
    "MeanAbsoluteDeviation",
    "Mean",
    "Median",
];

/// Cohort CSV: 30 reference columns as `<seq>_original_firstorder_*`, clinical `area` (raw, per
/// 100 units), `stiff` (0/1 from texture) and `age` (an unrelated integer column).
fn cohort_csv() -> String {
    let mut rdr = csv::Reader::from_path(refdir().join("breast_cancer.csv")).expect("csv");
    let headers: Vec<String> = rdr.headers().expect("h").iter().map(String::from).collect();
    let area = headers.iter().position(|h| h == "mean area").expect("area");
    let texture = headers
        .iter()
        .position(|h| h == "mean texture")
        .expect("texture");
    let mut out = String::from("patient_id,label,split,area,stiff,age");
    for j in 0..30 {
        out.push_str(&format!(
            ",{}_original_firstorder_{}",
            ["t2", "dwi", "dce"][j / 10],
            FIRSTORDER[j % 10]
        ));
    }
    out.push('\n');
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.expect("rec");
        let y: u8 = rec[headers.len() - 1].parse().expect("y");
        let a: f64 = rec[area].parse().expect("a");
        let t: f64 = rec[texture].parse().expect("t");
        let split = if i % 10 < 7 { "train" } else { "test" };
        out.push_str(&format!(
            "P{i:04},{y},{split},{},{},{}",
            a / 100.0,
            u8::from(t > 19.0),
            30 + (i * 7919) % 50
        ));
        for j in 1..31 {
            out.push_str(&format!(",{}", &rec[j]));
        }
        out.push('\n');
    }
    out
}

fn run() -> TrainResult {
    let spec = CohortSpec {
        label_column: "label".into(),
        split_column: Some("split".into()),
        id_column: "patient_id".into(),
        clinical_columns: vec!["area".into(), "stiff".into(), "age".into()],
        ignore_columns: Vec::new(),
        ..CohortSpec::new("label")
    };
    let cohort = Cohort::from_reader(cohort_csv().as_bytes(), &spec).expect("cohort");
    train(cohort, &TrainOptions::default(), &|_| {}).expect("train")
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "radscore-report-train-{tag}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).expect("csv");
    r.records()
        .map(|x| x.expect("rec").iter().map(String::from).collect())
        .collect()
}

fn auc_of(rows: &[Vec<String>], model: &str, set: &str) -> f64 {
    rows.iter()
        .find(|r| r[0] == model && r[1] == set)
        .unwrap_or_else(|| panic!("no {model}/{set} row"))[4]
        .parse()
        .expect("auc")
}

#[test]
fn training_run_and_model_reports() {
    let r = run();
    let input = ReportInput::from_train(&r);
    let dir = tmpdir("train");
    let files = write_report(&dir, &input).expect("report");
    if let Some(out) = std::env::var_os("RADSCORE_REPORT_OUT") {
        write_report(&Path::new(&out).join("train"), &input).expect("copy");
    }
    let names: Vec<String> = files
        .files
        .iter()
        .map(|p| p.file_name().expect("n").to_string_lossy().into_owned())
        .collect();
    for want in [
        "index.html",
        "baseline.csv",
        "odds_ratios.csv",
        "performance.csv",
        "features.csv",
        "roc_train.svg",
        "roc_test.svg",
        "calibration_train.svg",
        "calibration_test.svg",
        "dca_train.svg",
        "dca_test.svg",
        "nomogram.svg",
        "radscore_waterfall.svg",
        "radscore_violin.svg",
        "lasso_cv.svg",
        "lasso_path.svg",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
    // Performance rows are the run's models, with the AUCs the stats module gives.
    let perf = csv_rows(&dir.join("performance.csv"));
    for m in &r.models {
        for (set, preds) in [("train", &m.train), ("test", &m.test)] {
            let y: Vec<u8> = preds.iter().map(|p| p.label).collect();
            let s: Vec<f64> = preds.iter().map(|p| p.value).collect();
            let want = radscore_trainer::stats::roc::auc(&y, &s);
            assert!(
                (auc_of(&perf, &m.name, set) - want).abs() < 1e-12,
                "{} {set}",
                m.name
            );
        }
    }
    // Features table: one row per model feature plus the intercept.
    let feats = csv_rows(&dir.join("features.csv"));
    assert_eq!(feats.len(), r.model.features.len() + 1);
    // Nomogram names every predictor of the combined model.
    let nomo = std::fs::read_to_string(dir.join("nomogram.svg")).expect("svg");
    roxmltree::Document::parse(&nomo).expect("xml");
    for c in &r.model.clinical {
        assert!(
            nomo.contains(c.name.as_str()),
            "nomogram lacks {}",
            c.name.as_str()
        );
    }

    // The exported model applied back to the cohort.
    let input2 = ReportInput::from_model(&r.model, &r.cohort).expect("from_model");
    let dir2 = tmpdir("model");
    write_report(&dir2, &input2).expect("report 2");
    if let Some(out) = std::env::var_os("RADSCORE_REPORT_OUT") {
        write_report(&Path::new(&out).join("model"), &input2).expect("copy");
    }
    let perf2 = csv_rows(&dir2.join("performance.csv"));
    for set in ["train", "test"] {
        let a = auc_of(&perf, "combined", set);
        let b = auc_of(&perf2, "combined", set);
        assert!(
            (a - b).abs() < 1e-12,
            "combined {set}: run {a} vs core-scored {b}"
        );
    }
    assert!(perf2.iter().any(|row| row[0] == "radscore"));
    let html = std::fs::read_to_string(dir2.join("index.html")).expect("html");
    assert!(html.contains("href=\"nomogram.svg\"") && html.contains("href=\"baseline.csv\""));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&dir2);
}
