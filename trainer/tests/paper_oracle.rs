//! The selection modules on a paper-shaped cohort (190 × 2 971, p ≫ n, correlated blocks,
//! constant / train-only-constant columns, duplicates, ties, heavy tails) against scikit-learn:
//! `tests/oracle/paper_cohort.csv.gz` and `tests/oracle/paper_oracle.json`, both written by
//! `tests/oracle/make_paper_oracle.py` (scikit-learn 1.9.1, scipy 1.17.1).
//!
//! Chain: split → constant columns → ZScore → spearman_filter (greedy) → f_classif /
//! select_k_best(n_kept / 2) → lasso_cv → radscore → AUC. Every stage must keep exactly the
//! columns scikit-learn keeps; LassoCV must pick the same alpha index with coefficients ≤ 1e-6;
//! the AUCs must agree to 1e-9.

mod common;
use common::vf;
use flate2::read::GzDecoder;
use radscore_trainer::cohort::{Cohort, CohortSpec};
use radscore_trainer::fclassif::{f_classif, select_k_best};
use radscore_trainer::lasso::{lasso_cv, LassoCvOptions};
use radscore_trainer::pipeline::{train, TrainOptions};
use radscore_trainer::preprocess::{constant_columns, Matrix, ZScore};
use radscore_trainer::spearman::{spearman_filter, SpearmanRule};
use radscore_trainer::split::stratified_split;
use radscore_trainer::stats::roc::auc;
use serde_json::Value;
use std::io::Read;
use std::path::PathBuf;

/// The committed fixture, or `PAPER_ORACLE_DIR` (other seeds / signal strengths written by
/// `PAPER_ORACLE_OUT=… PAPER_ORACLE_SEED=… PAPER_ORACLE_SIGNAL=… make_paper_oracle.py`).
fn dir() -> PathBuf {
    match std::env::var_os("PAPER_ORACLE_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle"),
    }
}

struct Paper {
    text: String,
    names: Vec<String>,
    labels: Vec<u8>,
    split_col: Vec<String>,
    x: Matrix,
    oracle: Value,
}

fn load() -> Paper {
    let mut text = String::new();
    GzDecoder::new(std::fs::File::open(dir().join("paper_cohort.csv.gz")).expect("open csv.gz"))
        .read_to_string(&mut text)
        .expect("gunzip");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(
        &headers[..5],
        &["patient_id", "label", "split", "texture", "volume"]
    );
    let mut labels = Vec::new();
    let mut split_col = Vec::new();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("record");
        labels.push(rec[1].parse::<u8>().expect("label"));
        split_col.push(rec[2].to_string());
        rows.push(
            (5..headers.len())
                .map(|c| rec[c].parse::<f64>().expect("f64"))
                .collect::<Vec<_>>(),
        );
    }
    drop(rdr);
    let oracle: Value = serde_json::from_str(
        &std::fs::read_to_string(dir().join("paper_oracle.json")).expect("json"),
    )
    .expect("parse json");
    Paper {
        names: headers[5..].to_vec(),
        labels,
        split_col,
        x: Matrix::from_rows(&rows),
        oracle,
        text,
    }
}

fn vu(v: &Value) -> Vec<usize> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_u64().expect("u64") as usize)
        .collect()
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn max_rel_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs().max(1e-300))
        .fold(0.0, f64::max)
}

/// One stage mismatch report: which indices are only on one side.
fn diff_sets(ours: &[usize], theirs: &[usize]) -> String {
    let only_ours: Vec<usize> = ours
        .iter()
        .copied()
        .filter(|i| !theirs.contains(i))
        .collect();
    let only_theirs: Vec<usize> = theirs
        .iter()
        .copied()
        .filter(|i| !ours.contains(i))
        .collect();
    format!("only ours {only_ours:?}, only scikit-learn {only_theirs:?}")
}

/// Oracle values of one run of the chain (the seed-split order or the file order).
struct Expected<'a> {
    constant: Vec<usize>,
    kept: Vec<usize>,
    selected: Vec<usize>,
    lasso: &'a Value,
    auc: &'a Value,
}

/// Runs constant columns → ZScore → Spearman → F / SelectKBest → LassoCV → radscore → AUC on the
/// given training / test rows and asserts every stage against `e`.
fn check_chain(d: &Paper, train: &[usize], test: &[usize], e: &Expected, zscore: Option<&Value>) {
    let xtr = d.x.select_rows(train);
    let ytr: Vec<u8> = train.iter().map(|&i| d.labels[i]).collect();

    // constant columns (zero training variance, including columns constant on train only)
    let constant = constant_columns(&xtr);
    assert_eq!(
        constant,
        e.constant,
        "constant: {}",
        diff_sets(&constant, &e.constant)
    );
    let nonconst: Vec<usize> = (0..d.x.n_cols())
        .filter(|j| !constant.contains(j))
        .collect();

    // z-score: StandardScaler's mean_ / scale_
    let xnc = xtr.select_cols(&nonconst);
    let z = ZScore::fit(&xnc);
    if let Some(zo) = zscore {
        assert_eq!(nonconst, vu(&zo["columns"]));
        // the mean relative to the column's spread: it enters z = (x − mean) / sd, and a mean
        // that nearly cancels (|mean| ≪ sd) has no meaningful relative error of its own
        let (zm, zs) = (vf(&zo["mean"]), vf(&zo["scale"]));
        let dm = z
            .mean
            .iter()
            .zip(&zm)
            .zip(&zs)
            .map(|((a, b), s)| (a - b).abs() / (b.abs() + s.abs()).max(1e-300))
            .fold(0.0, f64::max);
        let ds = max_rel_diff(&z.sd, &zs);
        eprintln!("z-score: mean diff / (|mean| + sd) {dm:e}, sd rel diff {ds:e}");
        assert!(dm < 1e-12 && ds < 1e-12);
    }
    let ztr = z.apply(&xnc);

    // Spearman greedy keep-first
    let kept_local = spearman_filter(&ztr, 0.9, SpearmanRule::Greedy);
    let kept: Vec<usize> = kept_local.iter().map(|&j| nonconst[j]).collect();
    assert_eq!(kept, e.kept, "spearman: {}", diff_sets(&kept, &e.kept));

    // ANOVA F, top 50 % (k = n_kept // 2)
    let zk = ztr.select_cols(&kept_local);
    let (f, _p) = f_classif(&zk, &ytr);
    let sel_local = select_k_best(&f, kept.len() / 2);
    let sel: Vec<usize> = sel_local.iter().map(|&j| kept[j]).collect();
    assert_eq!(
        sel,
        e.selected,
        "SelectKBest: {}",
        diff_sets(&sel, &e.selected)
    );

    // LassoCV
    let xs = zk.select_cols(&sel_local);
    let yf: Vec<f64> = ytr.iter().map(|&v| f64::from(v)).collect();
    let r = lasso_cv(&xs, &yf, &LassoCvOptions::default());
    let lo = e.lasso;
    let da = max_rel_diff(&r.alphas, &vf(&lo["alphas"]));
    assert!(da < 1e-13, "alphas rel diff {da:e}");
    let mse_o: Vec<f64> = lo["mse_path"]
        .as_array()
        .expect("mse")
        .iter()
        .flat_map(vf)
        .collect();
    let mse: Vec<f64> = r.mse_path.iter().flatten().copied().collect();
    let dmse = max_abs_diff(&mse, &mse_o);
    let dc = max_abs_diff(&r.coef, &vf(&lo["coef"]));
    let di = (r.intercept - lo["intercept"].as_f64().expect("intercept")).abs();
    eprintln!(
        "lasso: alpha index {} (scikit-learn {}), mse_path max diff {dmse:e}, coef max diff {dc:e}, \
         intercept diff {di:e}",
        r.alpha_index, lo["alpha_index"]
    );
    assert_eq!(
        r.alpha_index,
        lo["alpha_index"].as_u64().expect("idx") as usize
    );
    assert!(dmse < 1e-9);
    assert!(dc <= 1e-6);
    assert!(di <= 1e-6);
    let nz: Vec<usize> = (0..sel.len())
        .filter(|&j| r.coef[j] != 0.0)
        .map(|j| sel[j])
        .collect();
    assert_eq!(nz, vu(&lo["nonzero"]));

    // radscore and AUC on train and test (test rows z-scored with the training statistics)
    let xte = d.x.select_rows(test).select_cols(&nonconst);
    let zte = z
        .apply(&xte)
        .select_cols(&kept_local)
        .select_cols(&sel_local);
    let yte: Vec<u8> = test.iter().map(|&i| d.labels[i]).collect();
    let radscore = |m: &Matrix| -> Vec<f64> {
        (0..m.n_rows())
            .map(|i| {
                r.intercept
                    + (0..m.n_cols())
                        .map(|j| m.get(i, j) * r.coef[j])
                        .sum::<f64>()
            })
            .collect()
    };
    let auc_tr = auc(&ytr, &radscore(&xs));
    let auc_te = auc(&yte, &radscore(&zte));
    let (ao_tr, ao_te) = (
        e.auc["train"].as_f64().expect("auc"),
        e.auc["test"].as_f64().expect("auc"),
    );
    eprintln!("AUC train {auc_tr} ({ao_tr}), test {auc_te} ({ao_te})");
    assert!((auc_tr - ao_tr).abs() <= 1e-9);
    assert!((auc_te - ao_te).abs() <= 1e-9);
}

#[test]
fn paper_cohort_matches_scikit_learn_at_every_stage() {
    let d = load();
    let o = &d.oracle;
    assert_eq!(d.x.n_rows(), 190);
    assert_eq!(d.x.n_cols(), 2971);
    assert_eq!(d.labels.iter().filter(|&&l| l == 1).count(), 108);

    // split: same seed → same patients, in scikit-learn's (permuted) order
    let seed = o["split"]["seed"].as_u64().expect("seed") as u32;
    let s = stratified_split(&d.labels, 0.3, seed);
    assert_eq!(s.train, vu(&o["split"]["train"]));
    assert_eq!(s.test, vu(&o["split"]["test"]));
    for &i in &s.train {
        assert_eq!(d.split_col[i], "train");
    }
    // F scores themselves (F near 0 comes from a cancellation: compare relative to max(F, 1))
    let e = Expected {
        constant: vu(&o["constant_dropped"]),
        kept: vu(&o["spearman"]["kept"]),
        selected: vu(&o["anova"]["selected"]),
        lasso: &o["lasso"],
        auc: &o["auc"],
    };
    check_chain(&d, &s.train, &s.test, &e, Some(&o["zscore"]));
    let kept = vu(&o["anova"]["columns"]);
    let xtr = d.x.select_rows(&s.train).select_cols(&kept);
    let z = ZScore::fit(&xtr).apply(&xtr);
    let ytr: Vec<u8> = s.train.iter().map(|&i| d.labels[i]).collect();
    let (f, _) = f_classif(&z, &ytr);
    let fo = vf(&o["anova"]["F"]);
    let df = f
        .iter()
        .zip(&fo)
        .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
        .fold(0.0, f64::max);
    eprintln!("F max diff {df:e}");
    assert!(df < 1e-9);
}

/// With a split column the training rows come in file order; KFold (no shuffle) then sees other
/// folds, so LassoCV has its own oracle run.
#[test]
fn paper_cohort_file_order_matches_scikit_learn() {
    let d = load();
    let fo = &d.oracle["file_order"];
    let train: Vec<usize> = (0..d.labels.len())
        .filter(|&i| d.split_col[i] == "train")
        .collect();
    let test: Vec<usize> = (0..d.labels.len())
        .filter(|&i| d.split_col[i] == "test")
        .collect();
    assert_eq!(train, vu(&fo["train"]));
    let e = Expected {
        constant: vu(&fo["constant_dropped"]),
        kept: vu(&fo["spearman_kept"]),
        selected: vu(&fo["selected"]),
        lasso: &fo["lasso"],
        auc: &fo["auc"],
    };
    check_chain(&d, &train, &test, &e, None);
}

/// `pipeline::train` (what `radscore train --seed` runs) reports the same multimodal selection
/// in its summary.
#[test]
fn paper_cohort_train_pipeline_summary_matches() {
    let d = load();
    let o = &d.oracle;
    let mut spec = CohortSpec::new("label");
    spec.clinical_columns = vec!["texture".into(), "volume".into()];
    // trained with the seed, not the split column: every unnamed column is a candidate
    spec.ignore_columns = vec!["split".into()];
    let cohort = Cohort::from_reader(d.text.as_bytes(), &spec).expect("cohort");
    let opts = TrainOptions {
        seed: o["split"]["seed"].as_u64().expect("seed") as u32,
        ..TrainOptions::default()
    };
    let r = train(cohort, &opts, &|_| {}).expect("train");
    let sm = &r.summary;
    let names = |v: &Value| -> Vec<String> { vu(v).iter().map(|&j| d.names[j].clone()).collect() };
    let strs = |v: &Value| -> Vec<String> {
        v.as_array()
            .expect("array")
            .iter()
            .map(|x| x.as_str().expect("str").to_string())
            .collect()
    };
    assert_eq!(strs(&sm["constant_dropped"]), names(&o["constant_dropped"]));
    assert_eq!(strs(&sm["spearman_kept"]), names(&o["spearman"]["kept"]));
    // schema 2 names the ANOVA-F survivors anova_f_kept (schema 1: fclassif_kept)
    let anova = if sm["anova_f_kept"].is_null() {
        &sm["fclassif_kept"]
    } else {
        &sm["anova_f_kept"]
    };
    assert_eq!(strs(anova), names(&o["anova"]["selected"]));
    assert_eq!(
        r.lasso.alpha_index,
        o["lasso"]["alpha_index"].as_u64().expect("idx") as usize
    );
    let coef_o = vf(&o["lasso"]["coef"]);
    let sel = names(&o["lasso"]["columns"]);
    let coefs = sm["lasso"]["coefficients"]
        .as_object()
        .expect("coefficients");
    let nonzero: Vec<&String> = sel
        .iter()
        .zip(&coef_o)
        .filter(|(_, c)| **c != 0.0)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(coefs.len(), nonzero.len());
    for (n, c) in sel.iter().zip(&coef_o) {
        if *c != 0.0 {
            let v = coefs[n.as_str()].as_f64().expect("coef");
            assert!((v - c).abs() <= 1e-6, "{n}: {v} vs {c}");
        }
    }
    let di = (sm["lasso"]["intercept"].as_f64().expect("intercept")
        - o["lasso"]["intercept"].as_f64().expect("i"))
    .abs();
    assert!(di <= 1e-6);
    let auc_tr = sm["multimodal"]["train"]["auc"].as_f64().expect("auc");
    let auc_te = sm["multimodal"]["test"]["auc"].as_f64().expect("auc");
    eprintln!("pipeline multimodal AUC train {auc_tr}, test {auc_te}");
    assert!((auc_tr - o["auc"]["train"].as_f64().expect("auc")).abs() <= 1e-9);
    assert!((auc_te - o["auc"]["test"].as_f64().expect("auc")).abs() <= 1e-9);
}
