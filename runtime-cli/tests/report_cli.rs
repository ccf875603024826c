//! `radscore report` end to end: a model trained on the breast-cancer reference data (shaped as a
//! radiomics cohort) and exported to a file, then reported on its cohort through the binary. Every
//! figure and table is written and linked, the combined-model AUCs are those of the training run,
//! a second run is byte-identical, and a cohort lacking a model column is refused by name.

use std::path::{Path, PathBuf};
use std::process::Command;

use radscore_trainer::cohort::{Cohort, CohortSpec};
use radscore_trainer::pipeline::{train, TrainOptions};

/// The breast-cancer oracle (`tests/fixtures/reference/trainer`).
fn refdir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/reference/trainer")
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

fn cohort_csv(drop_column: Option<usize>) -> String {
    let mut rdr = csv::Reader::from_path(refdir().join("breast_cancer.csv")).expect("csv");
    let headers: Vec<String> = rdr.headers().expect("h").iter().map(String::from).collect();
    let area = headers.iter().position(|h| h == "mean area").expect("area");
    let texture = headers
        .iter()
        .position(|h| h == "mean texture")
        .expect("texture");
    let keep = |j: usize| Some(j) != drop_column;
    let mut out = String::from("patient_id,label,split,area,stiff,site,t2_signal");
    for j in (0..30).filter(|&j| keep(j)) {
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
        // `site` is text: not a clinical column.
        out.push_str(&format!(
            "P{i:04},{y},{split},{},{},site-{},{}",
            a / 100.0,
            u8::from(t > 19.0),
            i % 3,
            1 + i % 3
        ));
        for j in (0..30).filter(|&j| keep(j)) {
            out.push_str(&format!(",{}", &rec[j + 1]));
        }
        out.push('\n');
    }
    out
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("radscore-cli-report-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("tmp");
    d
}

fn radscore(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_radscore"))
        .args(args)
        .output()
        .expect("run radscore")
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).expect("csv");
    r.records()
        .map(|x| x.expect("rec").iter().map(String::from).collect())
        .collect()
}

#[test]
fn report_from_model_file() {
    let dir = tmpdir("main");
    let cohort_path = dir.join("cohort.csv");
    std::fs::write(&cohort_path, cohort_csv(None)).expect("write cohort");
    let spec = CohortSpec {
        label_column: "label".into(),
        split_column: Some("split".into()),
        id_column: "patient_id".into(),
        clinical_columns: vec!["area".into(), "stiff".into(), "t2_signal".into()],
        // a text column: every column not named is a radiomics candidate
        ignore_columns: vec!["site".into()],
        ..CohortSpec::new("label")
    };
    let r = train(
        Cohort::from_csv(&cohort_path, &spec).expect("cohort"),
        &TrainOptions::default(),
        &|_| {},
    )
    .expect("train");
    let model_path = dir.join("m.rsm");
    radscore_trainer::export::write_model(&model_path, &r.model).expect("model");

    let (out1, out2) = (dir.join("r1"), dir.join("r2"));
    for out in [&out1, &out2] {
        let o = radscore(&[
            "report",
            "--model",
            model_path.to_str().expect("p"),
            "--input",
            cohort_path.to_str().expect("p"),
            "--out",
            out.to_str().expect("p"),
            "--class-names",
            "benign,malignant",
        ]);
        assert!(
            o.status.success(),
            "radscore report failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let mut names: Vec<String> = std::fs::read_dir(&out1)
        .expect("dir")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for want in [
        "index.html",
        "baseline.csv",
        "performance.csv",
        "delong.csv",
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
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
    // Byte-identical second run.
    for n in &names {
        assert_eq!(
            std::fs::read(out1.join(n)).expect("a"),
            std::fs::read(out2.join(n)).expect("b"),
            "{n} differs"
        );
    }
    // Combined AUCs equal the training run's (the model scores the patients as the trainer did).
    let perf = csv_rows(&out1.join("performance.csv"));
    let combined = r
        .models
        .iter()
        .find(|m| m.name == "combined")
        .expect("combined");
    for (set, preds) in [("train", &combined.train), ("test", &combined.test)] {
        let y: Vec<u8> = preds.iter().map(|p| p.label).collect();
        let s: Vec<f64> = preds.iter().map(|p| p.value).collect();
        let want = radscore_trainer::stats::roc::auc(&y, &s);
        let row = perf
            .iter()
            .find(|row| row[0] == "combined" && row[1] == set)
            .expect("row");
        let got: f64 = row[4].parse().expect("auc");
        assert!((got - want).abs() < 1e-12, "{set}: {got} vs {want}");
    }
    // Baseline: numeric clinical columns only (the text column `site` is left out; `t2_signal` is
    // clinical although it starts like a T2 feature column), class names used.
    let base = std::fs::read_to_string(out1.join("baseline.csv")).expect("baseline");
    assert!(
        base.lines().any(|l| l.starts_with("area,"))
            && base.lines().any(|l| l.starts_with("stiff,"))
    );
    assert!(!base.contains("site"));
    assert!(base.lines().any(|l| l.starts_with("t2_signal,")), "{base}");
    let html = std::fs::read_to_string(out1.join("index.html")).expect("html");
    assert!(html.contains("malignant"));
    for n in names.iter().filter(|n| *n != "index.html") {
        assert!(
            html.contains(&format!("href=\"{n}\"")),
            "index.html does not link {n}"
        );
    }

    // A cohort without one of the model's feature columns is refused, naming the column.
    let missing = r.model.features[0].clone();
    let col = format!("{}_{}", missing.sequence.as_str(), missing.name);
    let j = (0..30)
        .find(|&j| {
            format!(
                "{}_original_firstorder_{}",
                ["t2", "dwi", "dce"][j / 10],
                FIRSTORDER[j % 10]
            ) == col
        })
        .expect("model feature among the columns");
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, cohort_csv(Some(j))).expect("write");
    let o = radscore(&[
        "report",
        "--model",
        model_path.to_str().expect("p"),
        "--input",
        bad.to_str().expect("p"),
        "--out",
        dir.join("r3").to_str().expect("p"),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&col), "error does not name {col}: {err}");
    assert!(!dir.join("r3").join("index.html").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The cohort with text labels, a text factor, two external cohorts and no split column variant.
fn multicentre_csv(with_split: bool) -> String {
    let base = cohort_csv(None);
    let mut out = String::new();
    for (i, line) in base.lines().enumerate() {
        let mut cells: Vec<String> = line.split(',').map(String::from).collect();
        if i > 0 {
            let k = i - 1;
            let y = cells[1] == "1";
            cells[1] = if y { "malignant" } else { "benign" }.into();
            cells[2] = match k % 10 {
                0..=5 => "train".into(),
                6 | 7 => "test".into(),
                8 => "external-A".into(),
                _ => "external:Centre B".into(),
            };
            // t2_signal: hyper mostly in malignant lesions, hypo/iso otherwise
            cells[6] = if y == (k % 5 != 0) {
                "hyper".into()
            } else {
                ["hypo", "iso"][k % 2].into()
            };
        }
        if !with_split {
            cells.remove(2);
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

#[test]
fn multicentre_training_factors_class_names_and_saved_split() {
    let dir = tmpdir("multi");
    let cohort = dir.join("cohort.csv");
    std::fs::write(&cohort, multicentre_csv(true)).expect("write");
    let (model, rep) = (dir.join("m.rsm"), dir.join("rep"));
    let o = Command::new(env!("CARGO_BIN_EXE_radscore"))
        .args(["train", "--quiet", "--input"])
        .arg(&cohort)
        .args([
            "--split-column",
            "split",
            "--positive-class",
            "malignant",
            "--clinical-columns",
            "area,stiff,t2_signal",
            "--factor-columns",
            "t2_signal",
            "--reference-level",
            "t2_signal=iso",
            "--ignore-columns",
            "site",
            "--out",
        ])
        .arg(&model)
        .arg("--report-dir")
        .arg(&rep)
        .env("SOURCE_DATE_EPOCH", "1796466845")
        .output()
        .expect("train");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(rep.join("summary.json")).expect("s"))
            .expect("json");
    assert_eq!(
        summary["class_names"],
        serde_json::json!(["benign", "malignant"])
    );
    assert_eq!(
        summary["input"]["factor_levels"]["t2_signal"],
        serde_json::json!(["iso", "hyper", "hypo"])
    );
    for name in ["external-A", "Centre B"] {
        assert!(
            summary["combined"]["external"][name]["auc"].is_f64(),
            "{name}"
        );
        assert!(summary["split"]["counts"]["external"][name]["patients"].as_u64() > Some(0));
    }
    let uni = &summary["clinical"]["univariate"]["t2_signal"];
    assert_eq!(uni["reference"], "iso");
    assert!(uni["levels"]["hyper"]["or"].as_f64() > Some(1.0), "{uni}");
    // the report: one set of figures per external cohort, names instead of class numbers
    for f in [
        "roc_external-1.svg",
        "roc_external-2.svg",
        "calibration_external-2.svg",
        "dca_external-1.svg",
    ] {
        assert!(rep.join(f).exists(), "{f}");
    }
    let html = std::fs::read_to_string(rep.join("index.html")).expect("html");
    assert!(
        html.contains("External validation (Centre B)")
            && html.contains("External validation (external-A)")
    );
    assert!(
        html.contains("malignant") && !html.contains("class 1"),
        "class names"
    );
    assert!(
        html.contains("1 (reference)") && html.contains("likelihood-ratio test"),
        "factor rows"
    );
    let perf = csv_rows(&rep.join("performance.csv"));
    assert!(perf
        .iter()
        .any(|r| r[0] == "combined" && r[1] == "external-2"));
    // the model: one binary predictor per non-reference level; inspect shows the ISO date
    let ins = radscore(&["inspect", model.to_str().expect("p")]);
    let text = String::from_utf8_lossy(&ins.stdout);
    assert!(text.contains("created 2026-12-05T10:34:05Z"), "{text}");

    // `radscore score` reads the factor's levels from its text column: the same probabilities
    // as the training run's report (combined model, training patients)
    let scores = dir.join("scores.csv");
    let o = radscore(&[
        "score",
        "--model",
        model.to_str().expect("p"),
        "--input",
        cohort.to_str().expect("p"),
        "--out",
        scores.to_str().expect("p"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = csv_rows(&scores);
    let text = std::fs::read_to_string(&cohort).expect("cohort");
    let signal: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(6).expect("signal"))
        .collect();
    let hdr = std::fs::read_to_string(&scores).expect("s");
    let hdr: Vec<&str> = hdr.lines().next().expect("header").split(',').collect();
    let k_hyper = hdr
        .iter()
        .position(|h| *h == "points_t2_signal=hyper")
        .expect("points column");
    // the indicator of level hyper: one points value for every hyper patient, another for the rest
    let pts = |hyper: bool| -> Vec<String> {
        let mut v: Vec<String> = rows
            .iter()
            .zip(&signal)
            .filter(|(_, s)| (**s == "hyper") == hyper)
            .map(|(r, _)| r[k_hyper].clone())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let (yes, no) = (pts(true), pts(false));
    assert!(
        yes.len() == 1 && no.len() == 1 && yes != no,
        "{yes:?} {no:?}"
    );

    // Regenerating the report from a table without split column: the saved split is used.
    let nosplit = dir.join("nosplit.csv");
    std::fs::write(&nosplit, multicentre_csv(false)).expect("write");
    let args = |out: &Path, summary: Option<&Path>| {
        let mut v = vec![
            "report".to_string(),
            "--model".into(),
            model.to_string_lossy().into_owned(),
            "--input".into(),
            nosplit.to_string_lossy().into_owned(),
            "--out".into(),
            out.to_string_lossy().into_owned(),
        ];
        if let Some(s) = summary {
            v.extend(["--summary".into(), s.to_string_lossy().into_owned()]);
        }
        v
    };
    let r1 = dir.join("r-saved");
    let o = radscore(
        &args(&r1, Some(&rep.join("summary.json")))
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let perf_saved = csv_rows(&r1.join("performance.csv"));
    let combined_train = |p: &[Vec<String>]| {
        p.iter()
            .find(|r| r[0] == "combined" && r[1] == "train")
            .cloned()
    };
    // the same training AUC as the training run's report: the same patients
    assert_eq!(
        combined_train(&perf_saved).map(|r| r[4].clone()),
        combined_train(&perf).map(|r| r[4].clone())
    );
    let html = std::fs::read_to_string(r1.join("index.html")).expect("html");
    assert!(html.contains("malignant") && !html.contains("set unknown"));
    // Without the summary: nobody is called a test set.
    let r2 = dir.join("r-unknown");
    let o = radscore(
        &args(&r2, None)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .into_iter()
            .chain([
                "--positive-class",
                "malignant",
                "--factor-columns",
                "t2_signal",
            ])
            .collect::<Vec<_>>(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(r2.join("index.html")).expect("html");
    assert!(html.contains("All patients (set unknown)"));
    assert!(
        !html.contains("Test set"),
        "patients of unknown set shown as a test set"
    );
    let perf = csv_rows(&r2.join("performance.csv"));
    assert!(perf.iter().all(|r| r[1] == "all"), "{perf:?}");
    // A summary of another run is refused.
    let other = dir.join("other.json");
    std::fs::write(
        &other,
        r#"{"schema_version": 2, "model_id": "radscore-0000000000000000"}"#,
    )
    .expect("w");
    let o = radscore(
        &args(&dir.join("r3"), Some(&other))
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("another training run"));
    let _ = std::fs::remove_dir_all(&dir);
}
