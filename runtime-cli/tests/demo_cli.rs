//! `radscore demo` end to end on a small synthetic cohort (40 patients, coarse grids): every
//! artifact exists and is readable, the model file decodes and validates, and the test set scored
//! through the core from the model file equals the trainer's probabilities (≤ 1e-12).

use radscore_core::model::Model;
use std::path::{Path, PathBuf};
use std::process::Command;

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("radscore-demo-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn demo(out: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_radscore"))
        .args([
            "demo",
            "--patients",
            "40",
            "--small",
            "--seed",
            "7",
            "--jobs",
            "2",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .output()
        .expect("run radscore demo")
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(String::from)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn small_demo_end_to_end() {
    let out = tmpdir("e2e");
    let o = demo(&out, &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "demo failed:\n{stderr}");

    // Inputs written for the user: manifest, clinical table, volumes and masks.
    let (mh, manifest) = csv_rows(&out.join("manifest.csv"));
    assert_eq!(mh[0], "patient_id");
    assert_eq!(manifest.len(), 40);
    for row in manifest.iter().take(3) {
        for pair in row[1..].chunks(2) {
            let img = radscore_cli::io::read_volume(&out.join(&pair[0])).unwrap();
            let msk = radscore_cli::io::read_volume(&out.join(&pair[1])).unwrap();
            assert_eq!(img.dims, msk.dims, "{}", pair[0]);
            let roi = msk.data.iter_f64().filter(|&v| v == 1.0).count();
            assert!(roi >= 4, "{}: {roi} lesion voxels", pair[1]);
        }
    }
    let (ch, clinical) = csv_rows(&out.join("clinical.csv"));
    assert_eq!(clinical.len(), 40);
    let label = ch.iter().position(|c| c == "her2_low").unwrap();
    let positives = clinical.iter().filter(|r| r[label] == "1").count();
    assert_eq!(positives, 23, "40 patients at the study's ratio 108/190");
    let (fh, features) = csv_rows(&out.join("features.csv"));
    assert_eq!(features.len(), 40);
    assert_eq!(fh.len(), 1 + 3 * 600, "600 features per sequence");

    // The model file decodes and validates.
    let bytes = std::fs::read(out.join("model.rsm")).unwrap();
    let model = Model::decode(&bytes).unwrap();
    model.validate().unwrap();
    assert!(!model.features.is_empty());

    // Core scores from the model file = trainer probabilities, for every test patient.
    let (sh, scores) = csv_rows(&out.join("test_scores.csv"));
    let col = |n: &str| sh.iter().position(|c| c == n).unwrap();
    let (t, c) = (col("trainer_probability"), col("core_probability"));
    assert_eq!(scores.len() as u32, model.meta.n_test);
    for r in &scores {
        let a: f64 = r[t].parse().unwrap();
        let b: f64 = r[c].parse().unwrap();
        assert!((0.0..=1.0).contains(&a));
        assert!((a - b).abs() <= 1e-12, "{}: trainer {a} vs core {b}", r[0]);
    }
    assert!(out.join("summary.json").is_file());
    let index = std::fs::read_to_string(out.join("report/index.html")).unwrap();
    assert!(index.contains("<svg") || index.contains(".svg"));

    // A second run into the same folder is refused without --force.
    let again = demo(&out, &[]);
    assert!(!again.status.success());
    let msg = String::from_utf8_lossy(&again.stderr);
    assert!(
        msg.contains("not empty") && msg.contains("--force"),
        "{msg}"
    );
    let _ = std::fs::remove_dir_all(&out);
}
