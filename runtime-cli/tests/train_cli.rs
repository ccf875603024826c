//! `radscore train` end to end on a cohort CSV built from the breast-cancer oracle data
//! (`tests/fixtures/reference/trainer`): the summary matches scikit-learn/statsmodels/pROC, the model
//! file decodes in the core and scores the patients with the summary's AUC, runs are
//! byte-identical, and bad cells are reported by row and column.

use radscore_core::model::Model;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The breast-cancer oracle (`tests/fixtures/reference/trainer`).
fn refdir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/reference/trainer")
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("radscore-cli-train-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("tmp");
    d
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

fn column_name(j: usize) -> String {
    format!(
        "{}_original_firstorder_{}",
        ["t2", "dwi", "dce"][j / 10],
        FIRSTORDER[j % 10]
    )
}

struct Data {
    names: Vec<String>,
    rows: Vec<Vec<f64>>,
    y: Vec<u8>,
    oracle: Value,
}

fn load() -> Data {
    let mut rdr = csv::Reader::from_path(refdir().join("breast_cancer.csv")).expect("csv");
    let headers: Vec<String> = rdr.headers().expect("h").iter().map(String::from).collect();
    let cols: Vec<usize> = (1..headers.len() - 2).collect();
    let (mut rows, mut y) = (Vec::new(), Vec::new());
    for rec in rdr.records() {
        let rec = rec.expect("rec");
        rows.push(
            cols.iter()
                .map(|&c| rec[c].parse::<f64>().expect("f64"))
                .collect::<Vec<_>>(),
        );
        y.push(rec[headers.len() - 1].parse::<u8>().expect("y"));
    }
    let oracle = serde_json::from_str(
        &std::fs::read_to_string(refdir().join("oracle_breast_cancer.json")).expect("j"),
    )
    .expect("json");
    Data {
        names: cols.iter().map(|&c| headers[c].clone()).collect(),
        rows,
        y,
        oracle,
    }
}

/// Cohort CSV: clinical columns are the oracle's z-scored `mean area` / `mean texture`
/// (train mean and population SD from the oracle), radiomics = the 30 raw columns.
fn write_cohort(d: &Data, path: &Path, break_cell: bool) {
    let zm = |name: &str, i: usize| {
        let j = d.names.iter().position(|n| n == name).expect("name");
        let mean = d.oracle["zscore"]["mean"][j].as_f64().expect("m");
        let sd = d.oracle["zscore"]["std_ddof0"][j].as_f64().expect("s");
        (d.rows[i][j] - mean) / sd
    };
    let mut s = String::from("patient_id,label,area_z,texture_z");
    for j in 0..30 {
        s.push(',');
        s.push_str(&column_name(j));
    }
    s.push('\n');
    for i in 0..d.y.len() {
        s.push_str(&format!(
            "P{i:04},{},{},{}",
            d.y[i],
            zm("mean area", i),
            zm("mean texture", i)
        ));
        for (j, v) in d.rows[i].iter().enumerate() {
            if break_cell && i == 6 && j == 4 {
                s.push_str(",n/a");
            } else {
                s.push_str(&format!(",{v}"));
            }
        }
        s.push('\n');
    }
    std::fs::write(path, s).expect("write cohort");
}

fn train(input: &Path, out: &Path, report: Option<&Path>) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_radscore"));
    c.args(["train", "--input"]).arg(input).args([
        "--label-column",
        "label",
        "--seed",
        "42",
        "--clinical-columns",
        "area_z,texture_z",
        "--out",
    ]);
    c.arg(out);
    if let Some(r) = report {
        c.arg("--report-dir").arg(r);
    }
    // a fixed creation time: the same input gives the same bytes (reproducible builds)
    c.env("SOURCE_DATE_EPOCH", "1796466845")
        .output()
        .expect("run radscore")
}

fn vf(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("f64"))
        .collect()
}

#[test]
fn train_end_to_end_matches_the_oracle() {
    let d = load();
    let dir = tmpdir("e2e");
    let input = dir.join("cohort.csv");
    write_cohort(&d, &input, false);
    let out = dir.join("model.rsm");
    let rep = dir.join("report");
    let o = train(&input, &out, Some(&rep));
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("combined"), "progress on stderr: {stderr}");
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(rep.join("summary.json")).expect("summary"))
            .expect("json");
    assert!(
        rep.join("index.html").exists(),
        "report written with --report-dir"
    );
    let l = &d.oracle["lasso_cv"];
    assert!(
        (summary["lasso"]["alpha"].as_f64().expect("a") - l["alpha"].as_f64().expect("a")).abs()
            <= 1e-15
    );
    // non-zero LASSO coefficients by column name
    let fnames: Vec<String> = l["feature_names"]
        .as_array()
        .expect("f")
        .iter()
        .map(|v| v.as_str().expect("s").to_string())
        .collect();
    let coef = vf(&l["coef"]);
    let got = summary["lasso"]["coefficients"].as_object().expect("obj");
    let mut n_nz = 0;
    for (f, c) in fnames.iter().zip(&coef) {
        let col = column_name(d.names.iter().position(|n| n == f).expect("name"));
        if *c != 0.0 {
            n_nz += 1;
            assert!((got[&col].as_f64().expect("c") - c).abs() <= 1e-6, "{col}");
        } else {
            assert!(!got.contains_key(&col), "{col} should be zero");
        }
    }
    assert_eq!(got.len(), n_nz);
    let ev = &d.oracle["evaluation"]["combined"];
    for set in ["train", "test"] {
        let auc = summary["combined"][set]["auc"].as_f64().expect("auc");
        assert!(
            (auc - ev[set]["auc_delong"]["auc"].as_f64().expect("a")).abs() <= 1e-9,
            "{set}"
        );
    }
    // the model file decodes in the core and reproduces the combined model's test AUC
    let bytes = std::fs::read(&out).expect("model file");
    let model = Model::decode(&bytes).expect("decode");
    assert_eq!(model.features.len(), n_nz);
    let s = radscore_trainer::split::stratified_split(&d.y, 0.3, 42);
    let probs: Vec<f64> = s
        .test
        .iter()
        .map(|&i| {
            let feats: Vec<f64> = model
                .features
                .iter()
                .map(|f| {
                    let name = format!("{}_{}", f.sequence, f.name);
                    d.rows[i][(0..30).find(|&j| column_name(j) == name).expect("col")]
                })
                .collect();
            let cohort_line = |name: &str| {
                let j = d.names.iter().position(|n| n == name).expect("n");
                (d.rows[i][j] - d.oracle["zscore"]["mean"][j].as_f64().expect("m"))
                    / d.oracle["zscore"]["std_ddof0"][j].as_f64().expect("s")
            };
            let clin = [cohort_line("mean area"), cohort_line("mean texture")];
            model.score(&feats, &clin).expect("score").probability
        })
        .collect();
    let y_te: Vec<u8> = s.test.iter().map(|&i| d.y[i]).collect();
    let auc = radscore_trainer::stats::roc::auc(&y_te, &probs);
    assert!((auc - summary["combined"]["test"]["auc"].as_f64().expect("a")).abs() <= 1e-12);
    assert!(
        (model.threshold
            - summary["combined"]["train"]["threshold"]
                .as_f64()
                .expect("t"))
        .abs()
            == 0.0
    );

    assert_eq!(summary["created"], "2026-12-05T10:34:05Z");
    assert_eq!(summary["schema_version"], 2);
    assert_eq!(summary["input"]["file"], "cohort.csv");
    // second run, summary next to the model: byte-identical outputs
    let out2 = dir.join("second").join("model.rsm");
    std::fs::create_dir_all(out2.parent().expect("p")).expect("mkdir");
    let o2 = train(&input, &out2, None);
    assert!(
        o2.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o2.stderr)
    );
    assert_eq!(
        std::fs::read(&out2).expect("m2"),
        bytes,
        "model bytes differ between runs"
    );
    assert_eq!(
        std::fs::read(dir.join("second/summary.json")).expect("s2"),
        std::fs::read(rep.join("summary.json")).expect("s1"),
        "summary bytes differ between runs"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("ls")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_cell_is_reported_by_row_patient_and_column() {
    let d = load();
    let dir = tmpdir("bad");
    let input = dir.join("cohort.csv");
    write_cohort(&d, &input, true);
    let out = dir.join("model.rsm");
    let o = train(&input, &out, None);
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("data row 7") && e.contains("P0006") && e.contains(&column_name(4)),
        "{e}"
    );
    assert!(!out.exists(), "no model on failure");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Compares `got` with `want` (the scikit-learn reference) recursively: same keys and nulls,
/// equal strings, numbers within tolerance (AUC 1e-9, sensitivity/specificity 1e-12, everything
/// else — coefficients, alphas, MSE path, ORs, CIs, p-values, thresholds — 1e-6, relative above 1).
fn compare(path: &str, got: &Value, want: &Value, worst: &mut Vec<(String, f64)>) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for (k, wv) in w {
                if path == ".lasso" && k == "alpha_index" {
                    continue;
                }
                let gv = g
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k} missing from summary.json"));
                compare(&format!("{path}.{k}"), gv, wv, worst);
            }
            let extra: Vec<&String> = g.keys().filter(|k| !w.contains_key(*k)).collect();
            assert!(
                extra.is_empty(),
                "{path}: keys not in the reference: {extra:?}"
            );
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{path}: length");
            for (i, (a, b)) in g.iter().zip(w).enumerate() {
                compare(&format!("{path}[{i}]"), a, b, worst);
            }
        }
        (Value::Number(_), Value::Number(_)) => {
            let (a, b) = (got.as_f64().expect("f"), want.as_f64().expect("f"));
            let tol = if path.ends_with(".auc") {
                1e-9
            } else if path.ends_with(".sensitivity") || path.ends_with(".specificity") {
                1e-12
            } else {
                1e-6 * b.abs().max(1.0)
            };
            let d = (a - b).abs();
            assert!(
                d <= tol,
                "{path}: {a} vs scikit-learn {b} (|diff| {d:e} > {tol:e})"
            );
            let key = path
                .rsplit('.')
                .next()
                .unwrap_or(path)
                .split('[')
                .next()
                .unwrap_or("")
                .to_string();
            match worst.iter_mut().find(|(k, _)| *k == key) {
                Some(e) => e.1 = e.1.max(d),
                None => worst.push((key, d)),
            }
        }
        _ => assert_eq!(got, want, "{path}"),
    }
}

/// The paper-shaped fixture (190 × 450 radiomics columns with correlated blocks and constant
/// columns; scikit-learn/statsmodels reference made by bench/train/make_fixture.py).
#[test]
fn paper_shaped_fixture_matches_scikit_learn() {
    use std::io::Read;
    let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/train/fixture");
    let mut csv = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(fx.join("cohort.csv.gz")).expect("fixture"))
        .read_to_end(&mut csv)
        .expect("gunzip");
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(fx.join("expected.json")).expect("expected"))
            .expect("json");
    let dir = tmpdir("fixture");
    let input = dir.join("cohort.csv");
    std::fs::write(&input, csv).expect("write");
    let out = dir.join("model.rsm");
    let o = Command::new(env!("CARGO_BIN_EXE_radscore"))
        .args(["train", "--input"])
        .arg(&input)
        .args([
            "--seed",
            "42",
            "--clinical-columns",
            "texture,volume,age,ki67,density",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("run");
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let got: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary"))
            .expect("json");
    // alpha index
    let idx = want["lasso"]["alpha_index"].as_u64().expect("idx") as usize;
    assert_eq!(
        got["lasso"]["alpha"], got["lasso"]["alphas"][idx],
        "alpha index"
    );
    assert!(!want["constant_dropped"].as_array().expect("c").is_empty());
    let mut worst = Vec::new();
    // the reference has the schema-1 layout
    compare(
        "",
        &radscore_trainer::summary::to_schema_1(&got),
        &want,
        &mut worst,
    );
    eprintln!("max |diff| by key: {worst:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// What a user does with PyRadiomics output: three PyRadiomics-style batch tables (rows shuffled,
/// `ID`/`Image`/`Mask`/`diagnostics_*` columns, features of every class and image type without a
/// sequence prefix) and a clinical table with a `t2_signal` column are joined with
/// `radscore cohort` and trained with `--id-column ID --split-column split`; every stage
/// (Spearman / ANOVA-F / LASSO counts and coefficients, alpha index, AUCs of every model) must
/// equal scikit-learn's (`tests/fixtures/pyradiomics-batch`, made by its make_fixture.py).
#[test]
fn pyradiomics_batch_tables_joined_and_trained_match_scikit_learn() {
    use std::io::Read;
    let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pyradiomics-batch");
    let dir = tmpdir("batch");
    for seq in ["t2", "dwi", "dce"] {
        let mut csv = Vec::new();
        flate2::read::GzDecoder::new(
            std::fs::File::open(fx.join(format!("{seq}.csv.gz"))).expect("fixture"),
        )
        .read_to_end(&mut csv)
        .expect("gunzip");
        std::fs::write(dir.join(format!("{seq}.csv")), csv).expect("write");
    }
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(fx.join("expected.json")).expect("expected"))
            .expect("json");
    let cohort = dir.join("cohort.csv");
    let o = Command::new(env!("CARGO_BIN_EXE_radscore"))
        .args(["cohort", "--id-column", "ID", "--clinical"])
        .arg(fx.join("clinical.csv"))
        .arg("--features")
        .arg(format!("t2={}", dir.join("t2.csv").display()))
        .arg("--features")
        .arg(format!("dwi={}", dir.join("dwi.csv").display()))
        .arg("--features")
        .arg(format!("dce={}", dir.join("dce.csv").display()))
        .arg("--out")
        .arg(&cohort)
        .output()
        .expect("run cohort");
    assert!(
        o.status.success(),
        "cohort stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let header = std::fs::read_to_string(&cohort).expect("cohort");
    let header: Vec<&str> = header.lines().next().expect("header").split(',').collect();
    assert_eq!(
        &header[..8],
        [
            "ID",
            "label",
            "split",
            "t2_signal",
            "volume",
            "age",
            "ki67",
            "density"
        ]
    );
    assert_eq!(header.len(), 8 + 450, "diagnostics and bookkeeping dropped");
    for class in [
        "shape",
        "firstorder",
        "glcm",
        "glrlm",
        "glszm",
        "gldm",
        "ngtdm",
    ] {
        assert!(
            header.iter().any(|h| h.contains(&format!("_{class}_"))),
            "{class}"
        );
    }
    let model = dir.join("model.rsm");
    let o = Command::new(env!("CARGO_BIN_EXE_radscore"))
        .args(["train", "--input"])
        .arg(&cohort)
        .args([
            "--id-column",
            "ID",
            "--split-column",
            "split",
            "--clinical-columns",
            "t2_signal,volume,age,ki67,density",
            "--out",
        ])
        .arg(&model)
        .output()
        .expect("run train");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "train stderr: {stderr}");
    assert!(
        stderr.contains("450 radiomics columns, 5 clinical candidates"),
        "{stderr}"
    );
    let got: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary"))
            .expect("json");
    let idx = want["lasso"]["alpha_index"].as_u64().expect("idx") as usize;
    assert_eq!(
        got["lasso"]["alpha"], got["lasso"]["alphas"][idx],
        "alpha index"
    );
    let mut worst = Vec::new();
    // the reference has the schema-1 layout
    compare(
        "",
        &radscore_trainer::summary::to_schema_1(&got),
        &want,
        &mut worst,
    );
    eprintln!("max |diff| by key: {worst:?}");

    // The model keeps every selected name; recomputability follows from the name.
    let m = Model::decode(&std::fs::read(&model).expect("model")).expect("decode");
    let selected = want["lasso"]["coefficients"]
        .as_object()
        .expect("coefficients");
    assert_eq!(m.features.len(), selected.len());
    let mut n_table_only = 0;
    for f in &m.features {
        let col = f.column().to_string();
        assert!(selected.contains_key(&col), "{col}");
        // The core computes every class and image type of these names (LBP3D included; LBP2D
        // and shape2D without force2D would be table-only, and the table has neither).
        let core_image = !f.name.starts_with("lbp-2D") && !f.name.contains("_shape2D_");
        assert_eq!(f.is_computable(), core_image, "{col}");
        n_table_only += usize::from(!f.is_computable());
    }
    // Since LBP3D is in the core, every selected name of this fixture is recomputable.
    assert_eq!(n_table_only, 0, "the core computes every selected feature");
    let o = Command::new(env!("CARGO_BIN_EXE_radscore"))
        .arg("inspect")
        .arg(&model)
        .arg("--json")
        .output()
        .expect("inspect");
    let v: Value = serde_json::from_slice(&o.stdout).expect("inspect json");
    let flags: Vec<bool> = v["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["recomputable"].as_bool().expect("flag"))
        .collect();
    assert_eq!(
        flags,
        m.features
            .iter()
            .map(|f| f.is_computable())
            .collect::<Vec<_>>()
    );
    // scoring the joined table works for this model (features table, not images); `radscore
    // score` reads the id from `patient_id`
    let scores = dir.join("scores.csv");
    let text = std::fs::read_to_string(&cohort)
        .expect("cohort")
        .replacen("ID,", "patient_id,", 1);
    std::fs::write(&cohort, text).expect("rewrite");
    let o = Command::new(env!("CARGO_BIN_EXE_radscore"))
        .args(["score", "--model"])
        .arg(&model)
        .arg("--input")
        .arg(&cohort)
        .arg("--out")
        .arg(&scores)
        .output()
        .expect("score");
    assert!(
        o.status.success(),
        "score: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&scores)
            .expect("scores")
            .lines()
            .count(),
        191
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `train --param`: every radiomics feature of the model records the params file's settings
/// (here a bin count, resampling and a mask label), so a device extracts it as the table was
/// extracted; a params file that does not extract a selected feature is refused, naming the
/// feature and the file, and no model is written.
#[test]
fn train_with_params_records_the_extraction_settings() {
    let d = load();
    let dir = tmpdir("param");
    let input = dir.join("cohort.csv");
    write_cohort(&d, &input, false);
    let params = dir.join("params.yaml");
    std::fs::write(
        &params,
        "imageType:\n  Original: {}\nfeatureClass:\n  firstorder: []\nsetting:\n  label: 2\n  binCount: 32\n  resampledPixelSpacing: [1, 1, 1]\n  interpolator: sitkLinear\n",
    )
    .expect("params");
    let run = |params: &Path, out: &Path| {
        Command::new(env!("CARGO_BIN_EXE_radscore"))
            .args(["train", "--input"])
            .arg(&input)
            .args(["--seed", "42", "--clinical-columns", "area_z,texture_z"])
            .arg("--param")
            .arg(params)
            .arg("--out")
            .arg(out)
            .output()
            .expect("run radscore")
    };
    let out = dir.join("model.rsm");
    let o = run(&params, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = Model::decode(&std::fs::read(&out).expect("model")).expect("decode");
    let plan = radscore_host::params::Params::from_path(&params)
        .expect("params")
        .plan()
        .expect("plan");
    assert!(!m.features.is_empty());
    for (i, f) in m.features.iter().enumerate() {
        let want = plan.settings_of(&f.name).expect("planned");
        assert_eq!(m.settings_of(i).as_ref(), Some(want), "{}", f.name);
        assert_eq!(
            want.binning,
            radscore_core::settings::Binning::Count(32),
            "the params' binning"
        );
        assert!(want.resample.is_some(), "the params' resampling");
        assert_eq!(f.label, 2, "the params' label");
    }
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary"))
            .expect("json");
    assert_eq!(summary["input"]["params"], "params.yaml");

    // the same features, but the params file extracts only LoG images
    let log_only = dir.join("log_only.yaml");
    std::fs::write(
        &log_only,
        "imageType:\n  LoG: {sigma: [3.0]}\nfeatureClass:\n  firstorder: []\n",
    )
    .expect("params");
    let refused = dir.join("refused.rsm");
    let o = run(&log_only, &refused);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        stderr.contains("log_only.yaml") && stderr.contains("_original_firstorder_"),
        "{stderr}"
    );
    assert!(!refused.exists(), "no model written");

    // a params file that does not validate is refused before the cohort is even read
    let broken = dir.join("broken.yaml");
    std::fs::write(&broken, "setting:\n  binWidht: 25\n").expect("params");
    let o = run(&broken, &dir.join("broken.rsm"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(stderr.contains("binWidht"), "{stderr}");
    assert!(
        !stderr.contains("reading"),
        "trained before refusing: {stderr}"
    );

    // --param replaces --bin-width
    let o = Command::new(env!("CARGO_BIN_EXE_radscore"))
        .args(["train", "--input"])
        .arg(&input)
        .args(["--bin-width", "10", "--param"])
        .arg(&params)
        .arg("--out")
        .arg(dir.join("x.rsm"))
        .output()
        .expect("run radscore");
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--bin-width"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
