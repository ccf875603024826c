//! The whole pipeline (`pipeline::train`) on a cohort built from the breast-cancer oracle data,
//! against scikit-learn / statsmodels / pROC (`tests/fixtures/reference/trainer/oracle_breast_cancer.json`):
//! same kept features at every stage, same alpha index, coefficients ≤ 1e-6, AUCs ≤ 1e-9, DeLong
//! CIs ≤ 1e-6; the exported model scored by the core reproduces the trainer's probabilities.
//!
//! The 30 WDBC columns become radiomics columns `t2_…` (0–9), `dwi_…` (10–19), `dce_…` (20–29)
//! with PyRadiomics first-order names, in the same order, so the multimodal model sees exactly the
//! oracle's feature matrix. Clinical columns are the oracle's z-scored `mean area` and
//! `mean texture` (the oracle's combined model uses those z-scores).

use radscore_trainer::cohort::{Cohort, CohortSpec};
use radscore_trainer::pipeline::{train, ModelEval, TrainOptions, TrainResult};
use radscore_trainer::preprocess::{Matrix, ZScore};
use radscore_trainer::split::stratified_split;
use serde_json::Value;
use std::path::PathBuf;

mod common;

use common::vf;

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
    let seq = ["t2", "dwi", "dce"][j / 10];
    format!("{seq}_original_firstorder_{}", FIRSTORDER[j % 10])
}

struct Data {
    wdbc_names: Vec<String>,
    rows: Vec<Vec<f64>>,
    y: Vec<u8>,
    oracle: Value,
}

fn load() -> Data {
    let d = common::load();
    Data {
        wdbc_names: d.names,
        rows: d.rows,
        y: d.y,
        oracle: d.oracle,
    }
}

/// Writes the cohort CSV; returns its path.
fn write_cohort(d: &Data, tag: &str, with_split: bool) -> PathBuf {
    let x = Matrix::from_rows(&d.rows);
    let s = stratified_split(&d.y, 0.3, 42);
    let zs = ZScore::fit(&x.select_rows(&s.train));
    let area = d
        .wdbc_names
        .iter()
        .position(|n| n == "mean area")
        .expect("area");
    let texture = d
        .wdbc_names
        .iter()
        .position(|n| n == "mean texture")
        .expect("texture");
    let z = |i: usize, j: usize| (d.rows[i][j] - zs.mean[j]) / zs.sd[j];
    let mut out = String::from("patient_id,label");
    if with_split {
        out.push_str(",split");
    }
    out.push_str(",area_z,texture_z,notes");
    for j in 0..30 {
        out.push(',');
        out.push_str(&column_name(j));
    }
    out.push('\n');
    // with a split column, rows are written in the oracle's train order then test order so that
    // the training rows (and thus the CV folds) come in scikit-learn's order
    let order: Vec<usize> = if with_split {
        s.train.iter().chain(&s.test).copied().collect()
    } else {
        (0..d.y.len()).collect()
    };
    for &i in &order {
        out.push_str(&format!("P{i:04},{}", d.y[i]));
        if with_split {
            out.push_str(if s.train.contains(&i) {
                ",train"
            } else {
                ",test"
            });
        }
        out.push_str(&format!(",{},{},free text", z(i, area), z(i, texture)));
        for v in &d.rows[i] {
            out.push_str(&format!(",{v}"));
        }
        out.push('\n');
    }
    let dir = std::env::temp_dir().join(format!(
        "radscore-pipeline-oracle-{}-{tag}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let p = dir.join("cohort.csv");
    std::fs::write(&p, out).expect("write");
    p
}

fn spec(with_split: bool) -> CohortSpec {
    CohortSpec {
        label_column: "label".into(),
        split_column: with_split.then(|| "split".to_string()),
        id_column: "patient_id".into(),
        clinical_columns: vec!["area_z".into(), "texture_z".into()],
        // a free-text column: every unnamed column is a radiomics candidate
        ignore_columns: vec!["notes".into()],
        ..CohortSpec::new("label")
    }
}

fn run(d: &Data, tag: &str, with_split: bool) -> TrainResult {
    let path = write_cohort(d, tag, with_split);
    let cohort = Cohort::from_csv(&path, &spec(with_split)).expect("cohort");
    let r = train(cohort, &TrainOptions::default(), &|_| {}).expect("train");
    let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
    r
}

fn wdbc_to_columns(d: &Data, names: &Value) -> Vec<String> {
    names
        .as_array()
        .expect("names")
        .iter()
        .map(|n| {
            column_name(
                d.wdbc_names
                    .iter()
                    .position(|m| m == n.as_str().expect("s"))
                    .expect("known"),
            )
        })
        .collect()
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn model<'a>(r: &'a TrainResult, name: &str) -> &'a ModelEval {
    r.models
        .iter()
        .find(|m| m.name == name)
        .expect("model present")
}

/// AUC / CI / Youden of one model vs the oracle's evaluation block.
fn check_eval(r: &TrainResult, name: &str, o: &Value) {
    let s = &r.summary[name];
    for set in ["train", "test"] {
        let a = &o[set]["auc_delong"];
        let got = &s[set];
        let auc = got["auc"].as_f64().expect("auc");
        assert!(
            (auc - a["auc"].as_f64().expect("a")).abs() <= 1e-9,
            "{name} {set} auc {auc}"
        );
        let ci = vf(&got["auc_ci"]);
        assert!(
            (ci[0] - a["ci_low"].as_f64().expect("l")).abs() <= 1e-6,
            "{name} {set} ci low"
        );
        assert!(
            (ci[1] - a["ci_high"].as_f64().expect("h")).abs() <= 1e-6,
            "{name} {set} ci high"
        );
    }
    let yd = &o["train"]["youden"];
    let t = s["train"]["threshold"].as_f64().expect("t");
    assert!(
        (t - yd["threshold_pROC_midpoint"].as_f64().expect("t")).abs() <= 1e-9,
        "{name} threshold {t}"
    );
    let eq = |a: &Value, b: &Value, what: &str| {
        let (a, b) = (a.as_f64().expect("a"), b.as_f64().expect("b"));
        assert!((a - b).abs() <= 1e-12, "{name} {what}: {a} vs {b}");
    };
    eq(&s["train"]["sensitivity"], &yd["sensitivity"], "train sens");
    eq(&s["train"]["specificity"], &yd["specificity"], "train spec");
    let at = &o["test"]["at_train_youden_pROC_midpoint"];
    eq(&s["test"]["sensitivity"], &at["sensitivity"], "test sens");
    eq(&s["test"]["specificity"], &at["specificity"], "test spec");
    assert_eq!(s["test"]["threshold"].as_f64(), Some(t));
    assert_eq!(model(r, name).threshold, t);
}

fn check_coefs(r: &TrainResult, name: &str, o: &Value, terms: &[&str]) {
    let want = vf(&o["coef"]);
    let c = &r.summary[name]["coefficients"];
    for (k, t) in terms.iter().enumerate() {
        let got = c[*t].as_f64().unwrap_or(f64::NAN);
        assert!(
            (got - want[k]).abs() <= 1e-6 * want[k].abs().max(1.0),
            "{name} {t}: {got} vs {}",
            want[k]
        );
    }
    assert_eq!(
        c.as_object().expect("obj").len(),
        terms.len(),
        "{name}: extra coefficients"
    );
}

#[test]
fn pipeline_matches_oracle_and_core_scoring() {
    let d = load();
    let r = run(&d, "seed", false);
    let o = &d.oracle;
    // split
    assert_eq!(r.model.meta.n_train, 398);
    assert_eq!(r.model.meta.n_test, 171);
    assert!(r.constant_dropped.is_empty());
    // selection stages
    assert_eq!(
        r.spearman_kept,
        wdbc_to_columns(&d, &o["spearman"]["kept_names"])
    );
    assert_eq!(
        r.fclassif_kept,
        wdbc_to_columns(&d, &o["anova"]["selected_names"])
    );
    assert_eq!(r.lasso_features, r.fclassif_kept);
    let l = &o["lasso_cv"];
    assert_eq!(
        r.lasso.alpha_index as u64,
        l["alpha_index"].as_u64().expect("i")
    );
    assert!(max_abs_diff(&r.lasso.alphas, &vf(&l["alphas"])) <= 1e-12);
    assert!((r.lasso.alpha - l["alpha"].as_f64().expect("a")).abs() <= 1e-15);
    assert!(
        max_abs_diff(&r.lasso.coef, &vf(&l["coef"])) <= 1e-6,
        "lasso coef"
    );
    assert!((r.lasso.intercept - l["intercept"].as_f64().expect("b")).abs() <= 1e-6);
    let want_mse: Vec<Vec<f64>> = l["mse_path"]
        .as_array()
        .expect("m")
        .iter()
        .map(vf)
        .collect();
    for (a, row) in want_mse.iter().enumerate() {
        assert!(
            max_abs_diff(&r.lasso.mse_path[a], row) <= 1e-6,
            "mse path row {a}"
        );
    }
    // summary LASSO coefficients: the non-zero ones by column name
    let sc = r.summary["lasso"]["coefficients"].as_object().expect("obj");
    let sel = wdbc_to_columns(&d, &l["selected_names"]);
    assert_eq!(
        sc.keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        sel.iter().cloned().collect()
    );
    assert_eq!(r.model.features.len(), sel.len());
    // path for the figure = scikit-learn's lasso_path on centred data
    let want_path: Vec<Vec<f64>> = l["path_coefs_centered_warmstart"]
        .as_array()
        .expect("p")
        .iter()
        .map(vf)
        .collect();
    assert_eq!(r.lasso_coef_path.len(), want_path.len());
    for (a, row) in want_path.iter().enumerate() {
        assert!(
            max_abs_diff(&r.lasso_coef_path[a], row) <= 1e-6,
            "path row {a}"
        );
    }
    // clinical screen: univariate ORs are the oracle's
    for (col, wdbc) in [("area_z", "mean area"), ("texture_z", "mean texture")] {
        let u = &o["models"]["clinical"]["univariate"][wdbc];
        let s = &r.summary["clinical"]["univariate"][col];
        for (key, okey) in [
            ("or", "OR"),
            ("ci_low", "OR_ci_low"),
            ("ci_high", "OR_ci_high"),
        ] {
            let (g, w) = (s[key].as_f64().expect("g"), vf(&u[okey])[1]);
            assert!(
                (g - w).abs() <= 1e-6 * w.abs().max(1.0),
                "{col} {key}: {g} vs {w}"
            );
        }
        let (g, w) = (s["p"].as_f64().expect("p"), vf(&u["p"])[1]);
        assert!(
            (g - w).abs() <= 1e-6 * w.abs().max(1e-300),
            "{col} p: {g} vs {w}"
        );
    }
    // multimodal model = logistic on the radscore; combined = radscore + area + texture
    check_coefs(
        &r,
        "multimodal",
        &o["models"]["radscore_lr"],
        &["(Intercept)", "radscore"],
    );
    check_eval(&r, "multimodal", &o["evaluation"]["radscore_lr"]);
    check_coefs(
        &r,
        "combined",
        &o["models"]["combined"],
        &["(Intercept)", "radscore", "area_z", "texture_z"],
    );
    check_eval(&r, "combined", &o["evaluation"]["combined"]);
    // exported model: nomogram scale and threshold
    let m = &r.model;
    assert_eq!(m.threshold, model(&r, "combined").threshold);
    assert!(
        (m.meta.auc_train - r.summary["combined"]["train"]["auc"].as_f64().expect("a")).abs()
            == 0.0
    );
    let b = [
        m.radscore_coefficient,
        m.clinical[0].coefficient,
        m.clinical[1].coefficient,
    ];
    let ranges = [
        b[0].abs() * (m.radscore_axis[1] - m.radscore_axis[0]),
        b[1].abs() * (m.clinical[0].axis_max - m.clinical[0].axis_min),
        b[2].abs() * (m.clinical[1].axis_max - m.clinical[1].axis_min),
    ];
    assert!((m.points_per_unit - 100.0 / ranges.iter().copied().fold(0.0, f64::max)).abs() < 1e-15);
    // axes = R pretty(range, 10) of the training values, as rms::nomogram (oracle)
    let axes = &o["nomogram_combined"]["axes"];
    let ends = |k: &str| {
        let a = vf(&axes[k]);
        [a[0], a[a.len() - 1]]
    };
    let close2 =
        |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9;
    assert!(
        close2(m.radscore_axis, ends("radscore")),
        "{:?}",
        m.radscore_axis
    );
    assert!(close2(
        [m.clinical[0].axis_min, m.clinical[0].axis_max],
        ends("mean area")
    ));
    assert!(close2(
        [m.clinical[1].axis_min, m.clinical[1].axis_max],
        ends("mean texture")
    ));
    let lp_per_point = o["nomogram_combined"]["lp_per_point"].as_f64().expect("lp");
    assert!((1.0 / m.points_per_unit - lp_per_point).abs() <= 1e-6 * lp_per_point);
    // the core scores every patient exactly like the trainer
    let col_of: Vec<usize> = m
        .features
        .iter()
        .map(|f| {
            let name = format!("{}_{}", f.sequence, f.name);
            (0..30).find(|&j| column_name(j) == name).expect("column")
        })
        .collect();
    let comb = model(&r, "combined");
    let mut n_checked = 0;
    for p in comb.train.iter().chain(&comb.test) {
        let i: usize = p.patient_id[1..].parse().expect("id");
        let feats: Vec<f64> = col_of.iter().map(|&j| d.rows[i][j]).collect();
        let ci = r
            .cohort
            .ids
            .iter()
            .position(|x| *x == p.patient_id)
            .expect("patient");
        let clin = [r.cohort.clinical.get(ci, 0), r.cohort.clinical.get(ci, 1)];
        let s = m.score(&feats, &clin).expect("score");
        assert!(
            (s.probability - p.value).abs() <= 1e-12,
            "{}: core {} trainer {}",
            p.patient_id,
            s.probability,
            p.value
        );
        let rs = r
            .radscore
            .iter()
            .find(|q| q.patient_id == p.patient_id)
            .expect("radscore")
            .value;
        assert!((s.radscore - rs).abs() <= 1e-12);
        n_checked += 1;
    }
    assert_eq!(n_checked, 569);
}

#[test]
fn split_column_gives_the_same_result_and_is_deterministic() {
    let d = load();
    let a = run(&d, "a", false);
    let b = run(&d, "b", false);
    assert_eq!(
        serde_json::to_string(&a.summary).expect("s"),
        serde_json::to_string(&b.summary).expect("s")
    );
    assert_eq!(a.model, b.model);
    let c = run(&d, "split", true);
    assert_eq!(c.summary["lasso"], a.summary["lasso"]);
    assert_eq!(c.summary["combined"], a.summary["combined"]);
    assert_eq!(c.model.features, a.model.features);
}

#[test]
fn summary_has_exactly_the_documented_keys() {
    let d = load();
    let r = run(&d, "keys", false);
    let top: Vec<&str> = r
        .summary
        .as_object()
        .expect("obj")
        .keys()
        .map(String::as_str)
        .collect();
    // docs/summary-json.md, schema version 2
    let mut want = vec![
        "anova_f_kept",
        "class_names",
        "clinical",
        "combined",
        "constant_dropped",
        "created",
        "dce",
        "dwi",
        "input",
        "lasso",
        "model_id",
        "multimodal",
        "schema_version",
        "settings",
        "spearman_kept",
        "split",
        "t2",
        "trainer_version",
    ];
    want.sort_unstable();
    let mut top = top;
    top.sort_unstable();
    assert_eq!(top, want);
    let mut lk: Vec<&str> = r.summary["lasso"]
        .as_object()
        .expect("o")
        .keys()
        .map(String::as_str)
        .collect();
    lk.sort_unstable();
    assert_eq!(
        lk,
        [
            "alpha",
            "alpha_index",
            "alphas",
            "coefficients",
            "cv_mean_mse",
            "cv_mse",
            "cv_mse_layout",
            "intercept"
        ]
    );
    for m in ["clinical", "t2", "dwi", "dce", "multimodal", "combined"] {
        let s = &r.summary[m];
        if s.is_null() {
            continue;
        }
        assert!(s["coefficients"].is_object(), "{m}");
        for set in ["train", "test"] {
            for k in ["auc", "sensitivity", "specificity", "threshold"] {
                assert!(s[set][k].is_f64(), "{m} {set} {k}");
            }
            assert_eq!(
                s[set]["auc_ci"].as_array().map(Vec::len),
                Some(2),
                "{m} {set}"
            );
        }
    }
    for k in ["univariate", "multivariate"] {
        assert!(r.summary["clinical"][k].is_object());
    }
    assert_eq!(r.summary["schema_version"], 2);
    assert_eq!(r.summary["model_id"], r.model.meta.model_id.as_str());
    // the saved split: every patient once, with the sets the result used
    let a = radscore_trainer::summary::assignment(&r.summary).expect("assignment");
    assert_eq!(a.len(), r.cohort.len());
    for (i, id) in r.cohort.ids.iter().enumerate() {
        let set = a.iter().find(|(p, _)| p == id).map(|(_, s)| s.as_str());
        assert_eq!(set, Some(r.sets[i].as_str()), "{id}");
    }
    // the model id does not depend on the creation date
    let path = write_cohort(&d, "keys-dated", false);
    let dated = train(
        Cohort::from_csv(&path, &spec(false)).expect("cohort"),
        &TrainOptions {
            created_unix: 1_796_466_845,
            ..TrainOptions::default()
        },
        &|_| {},
    )
    .expect("train");
    let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
    assert_eq!(dated.model.meta.model_id, r.model.meta.model_id);
    assert_eq!(dated.summary["created"], "2026-12-05T10:34:05Z");
    assert!(r.summary["created"].is_null());
    assert_eq!(
        r.summary["split"]["counts"]["train"]["patients"],
        r.sets
            .iter()
            .filter(|s| **s == radscore_trainer::cohort::Set::Train)
            .count()
    );
}

#[test]
fn l1_logistic_and_sklearn_l2_options_run_and_score_through_the_core() {
    use radscore_trainer::pipeline::Selection;
    let d = load();
    let path = write_cohort(&d, "options", false);
    let cohort = Cohort::from_csv(&path, &spec(false)).expect("cohort");
    let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
    let opts = TrainOptions {
        selection: Selection::L1Logistic,
        logistic_l2: Some(1.0),
        ..TrainOptions::default()
    };
    let r = train(cohort, &opts, &|_| {}).expect("train");
    // the L1 path: CV deviance minimum, non-zero coefficients only for the chosen lambda
    assert_eq!(r.lasso.alpha_index, r.lasso.min_index);
    assert!(r.lasso.alphas.windows(2).all(|w| w[0] > w[1]));
    assert!(!r.model.features.is_empty());
    let comb = model(&r, "combined");
    let m = &r.model;
    for p in comb.train.iter().chain(&comb.test) {
        let i: usize = p.patient_id[1..].parse().expect("id");
        let feats: Vec<f64> = m
            .features
            .iter()
            .map(|f| {
                d.rows[i][(0..30)
                    .find(|&j| column_name(j) == format!("{}_{}", f.sequence, f.name))
                    .expect("c")]
            })
            .collect();
        let ci = r
            .cohort
            .ids
            .iter()
            .position(|x| *x == p.patient_id)
            .expect("patient");
        let clin: Vec<f64> = (0..m.clinical.len())
            .map(|k| r.cohort.clinical.get(ci, k))
            .collect();
        let s = m.score(&feats, &clin).expect("score");
        assert!((s.probability - p.value).abs() <= 1e-12);
    }
    // L2 (C = 1) shrinks the combined radscore coefficient relative to the unpenalised fit
    let path2 = write_cohort(&d, "options2", false);
    let cohort = Cohort::from_csv(&path2, &spec(false)).expect("cohort");
    let _ = std::fs::remove_dir_all(path2.parent().expect("dir"));
    let opts2 = TrainOptions {
        selection: Selection::L1Logistic,
        ..TrainOptions::default()
    };
    let r2 = train(cohort, &opts2, &|_| {}).expect("train");
    assert!(r.model.radscore_coefficient.abs() < r2.model.radscore_coefficient.abs());
}
