//! `radscore train --split-column split` on a cohort whose radscore separates the training set
//! completely and whose clinical candidates include a constant and a perfectly separating
//! column: training completes, the combined model falls back to scikit-learn's default L2
//! logistic regression (C = 1), and both summary.json and stderr say so.

use radscore_core::model::Model;
use serde_json::Value;
use std::process::Command;

/// 40 patients (28 train / 12 test): `t2_…_Mean` separates the outcome completely; clinical
/// `const` is constant, `marker` equals the label, `age` is deterministic noise.
fn separated_csv() -> String {
    let mut state: u64 = 11;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut s = String::from(
        "patient_id,label,split,const,marker,age,t2_original_firstorder_Mean,t2_original_firstorder_Median,dwi_original_firstorder_Energy\n",
    );
    for i in 0..40 {
        let y = u8::from(i % 2 == 0);
        let split = if i % 10 < 7 { "train" } else { "test" };
        let mean = 3.0 * f64::from(y) + next();
        let (median, energy, age) = (next(), 10.0 + next(), 40.0 + 20.0 * next());
        s.push_str(&format!(
            "p{i},{y},{split},2.5,{y},{age},{mean},{median},{energy}\n"
        ));
    }
    s
}

#[test]
fn separated_cohort_trains_with_the_l2_fallback_and_notes() {
    let dir = std::env::temp_dir().join(format!("radscore-cli-train-sep-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tmp");
    let input = dir.join("cohort.csv");
    std::fs::write(&input, separated_csv()).expect("write csv");
    let out = dir.join("model.rsm");
    let o = Command::new(env!("CARGO_BIN_EXE_radscore"))
        .args(["train", "--input"])
        .arg(&input)
        .args([
            "--label-column",
            "label",
            "--split-column",
            "split",
            "--clinical-columns",
            "const,marker,age",
            "--out",
        ])
        .arg(&out)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run radscore");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("combined model")
            && stderr.contains("separation")
            && stderr.contains("C = 1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("clinical variable 'const' skipped")
            && stderr.contains("clinical variable 'marker' skipped"),
        "{stderr}"
    );
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary"))
            .expect("json");
    assert_eq!(summary["combined"]["fit"], "l2_c1_separation");
    assert!(summary["clinical"]["skipped"]["const"]
        .as_str()
        .expect("reason")
        .contains("constant"));
    assert!(summary["clinical"]["skipped"]["marker"]
        .as_str()
        .expect("reason")
        .contains("infinite"));
    let model = Model::decode(&std::fs::read(&out).expect("model")).expect("decode");
    assert!(model.radscore_coefficient.is_finite() && model.radscore_coefficient > 0.0);
    let _ = std::fs::remove_dir_all(&dir);
}
