//! Parity with the scikit-learn / statsmodels oracle on the breast-cancer data
//! (`tests/fixtures/reference/trainer/oracle_breast_cancer.json`, made by `tests/oracles/trainer/oracle.py`).

use radscore_trainer::fclassif::{f_classif, select_k_best};
use radscore_trainer::lasso::{lasso_cv, lasso_cv_with_folds, LassoCvOptions};
use radscore_trainer::preprocess::{Matrix, ZScore};
use radscore_trainer::spearman::{spearman_filter, spearman_matrix, SpearmanRule};
use radscore_trainer::split::stratified_split;
use serde_json::Value;

mod common;

use common::vf;

struct Bc {
    names: Vec<String>,
    x: Matrix,
    y: Vec<u8>,
    oracle: Value,
}

fn load() -> Bc {
    let d = common::load();
    Bc {
        names: d.names,
        x: Matrix::from_rows(&d.rows),
        y: d.y,
        oracle: d.oracle,
    }
}

fn vu(v: &Value) -> Vec<usize> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_u64().expect("u64") as usize)
        .collect()
}
fn vs(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_str().expect("str").to_string())
        .collect()
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn split_matches_sklearn_train_test_split() {
    let bc = load();
    let s = stratified_split(&bc.y, 0.3, 42);
    assert_eq!(s.train, vu(&bc.oracle["split"]["train_rows_in_order"]));
    assert_eq!(s.test, vu(&bc.oracle["split"]["test_rows_in_order"]));
}

/// Runs the selection chain on the oracle's split; returns (z_train, y_train, spearman kept,
/// kbest kept (indices into all features)).
fn chain(bc: &Bc) -> (Matrix, Vec<f64>, Vec<usize>, Vec<usize>) {
    let train = vu(&bc.oracle["split"]["train_rows_in_order"]);
    let xtr = bc.x.select_rows(&train);
    let ytr: Vec<u8> = train.iter().map(|&i| bc.y[i]).collect();
    let z = ZScore::fit(&xtr);
    assert!(max_abs_diff(&z.mean, &vf(&bc.oracle["zscore"]["mean"])) < 1e-12);
    let sd_o = vf(&bc.oracle["zscore"]["std_ddof0"]);
    for (a, b) in z.sd.iter().zip(&sd_o) {
        assert!(((a - b) / b).abs() < 1e-13);
    }
    let ztr = z.apply(&xtr);
    let kept = spearman_filter(&ztr, 0.9, SpearmanRule::Greedy);
    let zk = ztr.select_cols(&kept);
    let (f, _p) = f_classif(&zk, &ytr);
    let sel = select_k_best(&f, kept.len() / 2);
    let sel_all: Vec<usize> = sel.iter().map(|&i| kept[i]).collect();
    (
        ztr,
        ytr.iter().map(|&v| f64::from(v)).collect(),
        kept,
        sel_all,
    )
}

#[test]
fn spearman_and_anova_match() {
    let bc = load();
    let (ztr, ytr, kept, sel) = chain(&bc);
    assert_eq!(kept, vu(&bc.oracle["spearman"]["kept_idx"]));
    // rho matrix
    let rho = spearman_matrix(&ztr);
    let rho_o: Vec<f64> = bc.oracle["spearman"]["rho_train"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(vf)
        .collect();
    assert!(max_abs_diff(&rho, &rho_o) < 1e-12);
    // upper-triangle variant
    let up = spearman_filter(&ztr, 0.9, SpearmanRule::UpperTriangle);
    let up_names: Vec<String> = up.iter().map(|&i| bc.names[i].clone()).collect();
    assert_eq!(
        up_names,
        vs(&bc.oracle["spearman"]["variant_upper_triangle_kept_names"])
    );
    // F values
    let yu: Vec<u8> = ytr.iter().map(|&v| v as u8).collect();
    let (f, p) = f_classif(&ztr.select_cols(&kept), &yu);
    let fo = vf(&bc.oracle["anova"]["F"]);
    for (a, b) in f.iter().zip(&fo) {
        assert!(((a - b) / b).abs() < 1e-10, "F {a} vs {b}");
    }
    let po = vf(&bc.oracle["anova"]["p"]);
    for (a, b) in p.iter().zip(&po) {
        assert!(((a - b) / b).abs() < 1e-8, "p {a} vs {b}");
    }
    assert_eq!(sel, vu(&bc.oracle["anova"]["selected_idx"]));
}

#[test]
fn lasso_cv_matches() {
    let bc = load();
    let (ztr, ytr, _kept, sel) = chain(&bc);
    let xs = ztr.select_cols(&sel);
    let o = &bc.oracle["lasso_cv"];
    let r = lasso_cv(&xs, &ytr, &LassoCvOptions::default());
    let alphas_o = vf(&o["alphas"]);
    for (a, b) in r.alphas.iter().zip(&alphas_o) {
        assert!(((a - b) / b).abs() < 1e-14, "alpha {a} vs {b}");
    }
    let mse_o: Vec<f64> = o["mse_path"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(vf)
        .collect();
    let mse: Vec<f64> = r.mse_path.iter().flatten().copied().collect();
    let d = max_abs_diff(&mse, &mse_o);
    eprintln!("mse_path max diff {d:e}");
    assert!(d < 1e-9);
    assert_eq!(r.alpha_index, o["alpha_index"].as_u64().unwrap() as usize);
    let dc = max_abs_diff(&r.coef, &vf(&o["coef"]));
    eprintln!(
        "coef max diff {dc:e}, n_iter {} vs {}",
        r.n_iter, o["n_iter"]
    );
    assert!(dc < 1e-6);
    assert!((r.intercept - o["intercept"].as_f64().unwrap()).abs() < 1e-6);
    assert_eq!(
        r.one_se_index,
        o["one_se_rule"]["alpha_index"].as_u64().unwrap() as usize
    );
    // explicit folds from folds.csv give the same
    let mut rdr = csv::Reader::from_path(common::refdir().join("folds.csv")).unwrap();
    let folds: Vec<usize> = rdr
        .records()
        .map(|r| r.unwrap()[2].parse().unwrap())
        .collect();
    let r2 = lasso_cv_with_folds(&xs, &ytr, &folds, &LassoCvOptions::default());
    assert_eq!(r2.coef, r.coef);
}
