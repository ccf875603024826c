//! `radscore_trainer::stats` against the breast-cancer oracle
//! (`tests/fixtures/reference/trainer/oracle_breast_cancer.json`, made by
//! `tests/oracles/trainer/oracle.py` + `stats_ref.py`, cross-checked there against R pROC 1.18,
//! rms 6.5, dcurves and scipy).
//!
//! The oracle stores model coefficients, not per-patient predictions, so the predictions are
//! rebuilt here exactly as the oracle made them: z = (x − train mean)/train sd (ddof 0),
//! radscore = LASSO intercept + Σ coef·z, p = 1/(1 + e^{−Xβ}) with the statsmodels coefficients.
//! The rebuilt AUCs equal the oracle's sklearn AUCs, which confirms the rebuild.
//!
//! Tolerances: statistics ≤ 1e-9 absolute, p-values ≤ 1e-6 relative.

mod common;
use common::{refdir, vf};
use radscore_trainer::stats::{calibration, dca, dist, hl, icc, nomogram, roc, tests};
use serde_json::Value;
use std::collections::BTreeMap;

const TOL: f64 = 1e-9;
const PTOL: f64 = 1e-6;

fn vs(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_str().expect("str").to_string())
        .collect()
}
fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Absolute-difference check; returns the difference for the running maximum.
fn close(what: &str, got: f64, want: f64, tol: f64) -> f64 {
    if want.is_infinite() || got.is_infinite() {
        assert_eq!(got, want, "{what}");
        return 0.0;
    }
    let d = (got - want).abs();
    assert!(
        d <= tol,
        "{what}: got {got:e}, oracle {want:e}, |diff| {d:e} > {tol:e}"
    );
    d
}

/// Relative check for p-values.
fn close_p(what: &str, got: f64, want: f64) -> f64 {
    let d = if want == 0.0 {
        got.abs()
    } else {
        ((got - want) / want).abs()
    };
    assert!(
        d <= PTOL,
        "{what}: got {got:e}, oracle {want:e}, rel diff {d:e} > {PTOL:e}"
    );
    d
}

pub struct Set {
    pub y: Vec<u8>,
    pub radscore: Vec<f64>,
    pub preds: BTreeMap<String, Vec<f64>>,
}

pub struct Data {
    pub oracle: Value,
    pub train: Set,
    pub test: Set,
}

fn load() -> Data {
    let oracle: Value = serde_json::from_str(
        &std::fs::read_to_string(refdir().join("oracle_breast_cancer.json")).expect("json"),
    )
    .expect("parse");
    let mut rdr = csv::Reader::from_path(refdir().join("breast_cancer.csv")).expect("csv");
    let headers: Vec<String> = rdr.headers().expect("h").iter().map(String::from).collect();
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut ys: Vec<u8> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("rec");
        rows.push(
            (1..headers.len() - 2)
                .map(|c| rec[c].parse::<f64>().expect("f64"))
                .collect(),
        );
        ys.push(rec[headers.len() - 1].parse::<u8>().expect("y"));
    }
    let names = vs(&oracle["zscore"]["feature_names"]);
    let mean = vf(&oracle["zscore"]["mean"]);
    let sd = vf(&oracle["zscore"]["std_ddof0"]);
    let col = |n: &str| {
        names
            .iter()
            .position(|x| x == n)
            .unwrap_or_else(|| panic!("no column {n}"))
    };
    let z = |r: usize, c: usize| (rows[r][c] - mean[c]) / sd[c];

    let lasso_names = vs(&oracle["lasso_cv"]["feature_names"]);
    let lasso_coef = vf(&oracle["lasso_cv"]["coef"]);
    let lasso_b0 = f(&oracle["lasso_cv"]["intercept"]);
    let radscore = |r: usize| {
        lasso_b0
            + lasso_names
                .iter()
                .zip(&lasso_coef)
                .map(|(n, b)| b * z(r, col(n)))
                .sum::<f64>()
    };

    let make = |key: &str| -> Set {
        let idx: Vec<usize> = oracle["split"][key]
            .as_array()
            .expect("rows")
            .iter()
            .map(|v| v.as_u64().expect("row") as usize)
            .collect();
        let y: Vec<u8> = idx.iter().map(|&r| ys[r]).collect();
        let rad: Vec<f64> = idx.iter().map(|&r| radscore(r)).collect();
        let mut preds = BTreeMap::new();
        for model in ["radiomics_lr", "radscore_lr", "clinical", "combined"] {
            let terms = vs(&oracle["models"][model]["terms"]);
            let coef = vf(&oracle["models"][model]["coef"]);
            let p: Vec<f64> = idx
                .iter()
                .zip(&rad)
                .map(|(&r, &rs)| {
                    let mut lp = coef[0];
                    for (t, b) in terms.iter().zip(&coef).skip(1) {
                        let x = if t == "radscore" { rs } else { z(r, col(t)) };
                        lp += b * x;
                    }
                    1.0 / (1.0 + (-lp).exp())
                })
                .collect();
            preds.insert(model.to_string(), p);
        }
        Set {
            y,
            radscore: rad,
            preds,
        }
    };
    let train = make("train_rows_in_order");
    let test = make("test_rows_in_order");
    Data {
        oracle,
        train,
        test,
    }
}

fn set<'a>(d: &'a Data, which: &str) -> &'a Set {
    if which == "train" {
        &d.train
    } else {
        &d.test
    }
}

#[test]
fn auc_and_delong_ci_match_proc() {
    let d = load();
    let mut max_v = 0.0f64;
    for model in ["radiomics_lr", "radscore_lr", "clinical", "combined"] {
        for which in ["train", "test"] {
            let o = &d.oracle["evaluation"][model][which];
            let s = set(&d, which);
            let p = &s.preds[model];
            let tag = format!("{model}/{which}");
            max_v = max_v.max(close(
                &format!("{tag} auc vs sklearn"),
                roc::auc(&s.y, p),
                f(&o["auc_sklearn"]),
                TOL,
            ));
            let dl = roc::delong(&s.y, p);
            let od = &o["auc_delong"];
            max_v = max_v.max(close(&format!("{tag} auc"), dl.auc, f(&od["auc"]), TOL));
            max_v = max_v.max(close(&format!("{tag} var"), dl.var, f(&od["var"]), TOL));
            max_v = max_v.max(close(&format!("{tag} se"), dl.se(), f(&od["se"]), TOL));
            max_v = max_v.max(close(
                &format!("{tag} ci lo"),
                dl.ci[0],
                f(&od["ci_low"]),
                TOL,
            ));
            max_v = max_v.max(close(
                &format!("{tag} ci hi"),
                dl.ci[1],
                f(&od["ci_high"]),
                TOL,
            ));
        }
    }
    // radscore itself (Mann–Whitney section of the oracle)
    for (which, key) in [("train", "auc_train_delong"), ("test", "auc_test_delong")] {
        let s = set(&d, which);
        let dl = roc::delong(&s.y, &s.radscore);
        let od = &d.oracle["radscore"][key];
        max_v = max_v.max(close(
            &format!("radscore {which} auc"),
            dl.auc,
            f(&od["auc"]),
            TOL,
        ));
        max_v = max_v.max(close(
            &format!("radscore {which} var"),
            dl.var,
            f(&od["var"]),
            TOL,
        ));
        max_v = max_v.max(close(
            &format!("radscore {which} lo"),
            dl.ci[0],
            f(&od["ci_low"]),
            TOL,
        ));
        max_v = max_v.max(close(
            &format!("radscore {which} hi"),
            dl.ci[1],
            f(&od["ci_high"]),
            TOL,
        ));
    }
    // pypi cross-check variances (rocauc_comparison) – same numbers through another implementation
    for model in ["radiomics_lr", "radscore_lr", "clinical", "combined"] {
        let o = &d.oracle["delong_crosscheck_pypi"][format!("{model}_test_var")];
        let dl = roc::delong(&d.test.y, &d.test.preds[model]);
        max_v = max_v.max(close(
            &format!("{model} pypi var"),
            dl.var,
            f(&o["rocauc_comparison"]),
            TOL,
        ));
    }
    eprintln!("AUC/DeLong CI: max |diff| {max_v:e}");
}

#[test]
fn paired_delong_tests_match_proc() {
    let d = load();
    let (mut max_v, mut max_p) = (0.0f64, 0.0f64);
    let tests = d.oracle["delong_tests"].as_object().expect("obj");
    assert_eq!(tests.len(), 4);
    for (key, v) in tests {
        let (a, b) = key.split_once("_vs_").expect("pair");
        for which in ["train", "test"] {
            let s = set(&d, which);
            let t = roc::delong_test(&s.y, &s.preds[a], &s.preds[b]);
            let o = &v[which];
            let tag = format!("{key}/{which}");
            max_v = max_v.max(close(&format!("{tag} auc1"), t.auc1, f(&o["auc1"]), TOL));
            max_v = max_v.max(close(&format!("{tag} auc2"), t.auc2, f(&o["auc2"]), TOL));
            // z is a ratio of small numbers: compare relatively as well
            let zrel = ((t.z - f(&o["z"])) / f(&o["z"])).abs();
            assert!(zrel <= 1e-9, "{tag} z {} vs {}", t.z, f(&o["z"]));
            max_v = max_v.max(close(&format!("{tag} z"), t.z, f(&o["z"]), TOL));
            max_p = max_p.max(close_p(&format!("{tag} p"), t.p, f(&o["p"])));
        }
    }
    eprintln!("DeLong tests: max |diff| {max_v:e}, max rel p diff {max_p:e}");
}

#[test]
fn youden_and_threshold_transfer_match() {
    let d = load();
    let mut max_v = 0.0f64;
    for model in ["radiomics_lr", "radscore_lr", "clinical", "combined"] {
        let ev = &d.oracle["evaluation"][model];
        let oy = &ev["train"]["youden"];
        assert_eq!(
            oy["n_tied_optima"].as_u64(),
            Some(1),
            "{model}: oracle has a single optimum"
        );
        let y = roc::youden(&d.train.y, &d.train.preds[model]);
        max_v = max_v.max(close(
            &format!("{model} threshold"),
            y.threshold,
            f(&oy["threshold_pROC_midpoint"]),
            1e-12,
        ));
        max_v = max_v.max(close(
            &format!("{model} sens"),
            y.sensitivity,
            f(&oy["sensitivity"]),
            TOL,
        ));
        max_v = max_v.max(close(
            &format!("{model} spec"),
            y.specificity,
            f(&oy["specificity"]),
            TOL,
        ));
        assert_eq!(roc::youden_all(&d.train.y, &d.train.preds[model]).len(), 1);
        // the training cut-off applied to the test set (raw-score and pROC-midpoint variants)
        for (key, thr) in [
            ("at_train_youden", f(&oy["threshold"])),
            ("at_train_youden_pROC_midpoint", y.threshold),
        ] {
            let o = &ev["test"][key];
            let (se, sp) = roc::sens_spec_at(&d.test.y, &d.test.preds[model], thr);
            max_v = max_v.max(close(
                &format!("{model} {key} sens"),
                se,
                f(&o["sensitivity"]),
                TOL,
            ));
            max_v = max_v.max(close(
                &format!("{model} {key} spec"),
                sp,
                f(&o["specificity"]),
                TOL,
            ));
            let c = roc::confusion(&d.test.y, &d.test.preds[model], thr);
            assert_eq!(c.tp as u64, o["tp"].as_u64().expect("tp"));
            assert_eq!(c.fp as u64, o["fp"].as_u64().expect("fp"));
            assert_eq!(c.tn as u64, o["tn"].as_u64().expect("tn"));
            assert_eq!(c.fn_ as u64, o["fn"].as_u64().expect("fn"));
            max_v = max_v.max(close(
                &format!("{model} {key} ppv"),
                c.ppv,
                f(&o["ppv"]),
                TOL,
            ));
            max_v = max_v.max(close(
                &format!("{model} {key} npv"),
                c.npv,
                f(&o["npv"]),
                TOL,
            ));
            max_v = max_v.max(close(
                &format!("{model} {key} acc"),
                c.accuracy,
                f(&o["accuracy"]),
                TOL,
            ));
        }
        let o = &ev["train"]["at_youden"];
        let c = roc::confusion(&d.train.y, &d.train.preds[model], y.threshold);
        assert_eq!(c.tp as u64, o["tp"].as_u64().expect("tp"));
        assert_eq!(c.fp as u64, o["fp"].as_u64().expect("fp"));
    }
    eprintln!("Youden: max |diff| {max_v:e}");
}

#[test]
fn roc_curve_is_consistent_with_auc() {
    let d = load();
    for model in ["clinical", "combined"] {
        let s = &d.test;
        let c = roc::roc_curve(&s.y, &s.preds[model]);
        // trapezoidal area under the step curve equals the Mann–Whitney AUC
        let area: f64 = c
            .windows(2)
            .map(|w| (w[1].fpr - w[0].fpr) * (w[1].tpr + w[0].tpr) / 2.0)
            .sum();
        close(
            &format!("{model} trapezoid"),
            area,
            f(&d.oracle["evaluation"][model]["test"]["auc_sklearn"]),
            1e-12,
        );
        for p in &c[1..c.len() - 1] {
            let (se, sp) = roc::sens_spec_at(&s.y, &s.preds[model], p.threshold);
            close("roc tpr", p.tpr, se, 1e-15);
            close("roc fpr", p.fpr, 1.0 - sp, 1e-15);
        }
    }
}

#[test]
fn normal_quantile_used_by_the_ci() {
    // pROC uses qnorm(0.975); the oracle's half-width / se gives it back
    let o = &load().oracle["evaluation"]["clinical"]["test"]["auc_delong"];
    let z = (f(&o["ci_high"]) - f(&o["auc"])) / f(&o["se"]);
    close("qnorm(0.975)", dist::norm_quantile(0.975), z, 1e-12);
}

#[test]
fn brier_recalibration_and_lowess_match_rms() {
    let d = load();
    let (mut max_v, mut max_curve, mut max_curve_r) = (0.0f64, 0.0f64, 0.0f64);
    for model in ["radiomics_lr", "radscore_lr", "clinical", "combined"] {
        for which in ["train", "test"] {
            let o = &d.oracle["evaluation"][model][which];
            let s = set(&d, which);
            let p = &s.preds[model];
            let tag = format!("{model}/{which}");
            max_v = max_v.max(close(
                &format!("{tag} brier"),
                calibration::brier(&s.y, p),
                f(&o["brier"]),
                TOL,
            ));
            let v = calibration::val_prob(&s.y, p);
            let r = &o["recalibration"];
            assert_eq!(
                v.n_dropped as u64,
                r["n_dropped_p_0_or_1"].as_u64().expect("n"),
                "{tag}"
            );
            max_v = max_v.max(close(
                &format!("{tag} intercept"),
                v.intercept,
                f(&r["intercept"]),
                TOL,
            ));
            max_v = max_v.max(close(&format!("{tag} slope"), v.slope, f(&r["slope"]), TOL));
            max_v = max_v.max(close(
                &format!("{tag} citl"),
                v.citl,
                f(&r["citl_intercept_offset"]),
                TOL,
            ));
            max_v = max_v.max(close(
                &format!("{tag} brier (val_prob)"),
                v.brier,
                f(&o["brier"]),
                TOL,
            ));
            if which == "test" {
                // The oracle's lowess is statsmodels', whose weights differ slightly from R's clowess
                // (no 0.001h / 0.999h cut-offs): the statsmodels flavour must match to 1e-9; R's
                // algorithm (what rms uses and what `val_prob` returns) stays within 1e-8.
                let l = &o["lowess_calibration"];
                let sm =
                    calibration::val_prob_with(&s.y, p, calibration::LowessFlavor::Statsmodels);
                for (flavour, vp, tol) in [("statsmodels", &sm, TOL), ("R", &v, 1e-8)] {
                    let mut m = 0.0f64;
                    m = m.max(close(
                        &format!("{tag} {flavour} Eavg"),
                        vp.eavg,
                        f(&l["Eavg"]),
                        tol,
                    ));
                    m = m.max(close(
                        &format!("{tag} {flavour} Emax"),
                        vp.emax,
                        f(&l["Emax"]),
                        tol,
                    ));
                    m = m.max(close(
                        &format!("{tag} {flavour} E90"),
                        vp.e90,
                        f(&l["E90"]),
                        tol,
                    ));
                    let cx = vf(&l["curve_x"]);
                    let cy = vf(&l["curve_y"]);
                    assert_eq!(vp.curve.len(), cx.len(), "{tag} curve length");
                    for (i, (&(x, y), (ox, oy))) in
                        vp.curve.iter().zip(cx.iter().zip(&cy)).enumerate()
                    {
                        close(&format!("{tag} curve x[{i}]"), x, *ox, 1e-12);
                        m = m.max(close(&format!("{tag} {flavour} curve y[{i}]"), y, *oy, tol));
                    }
                    if flavour == "R" {
                        max_curve_r = max_curve_r.max(m);
                    } else {
                        max_curve = max_curve.max(m);
                    }
                }
            }
        }
    }
    eprintln!("Brier/recalibration/E: max |diff| {max_v:e}; lowess E*/curve max |diff| statsmodels flavour {max_curve:e}, R flavour {max_curve_r:e}");
}

#[test]
fn binned_calibration_matches_sklearn() {
    let d = load();
    let mut max_v = 0.0f64;
    for model in ["radiomics_lr", "radscore_lr", "clinical", "combined"] {
        for (key, strategy) in [
            (
                "binned_calibration_uniform",
                calibration::BinStrategy::Uniform,
            ),
            (
                "binned_calibration_quantile",
                calibration::BinStrategy::Quantile,
            ),
        ] {
            let o = &d.oracle["evaluation"][model]["test"][key];
            let b = calibration::bins_with(&d.test.y, &d.test.preds[model], 10, strategy);
            let pt = vf(&o["prob_true"]);
            let pp = vf(&o["prob_pred"]);
            assert_eq!(b.len(), pt.len(), "{model} {key}");
            for (bin, (t, p)) in b.iter().zip(pt.iter().zip(&pp)) {
                max_v = max_v.max(close(&format!("{model} {key} true"), bin.frac_pos, *t, TOL));
                max_v = max_v.max(close(
                    &format!("{model} {key} pred"),
                    bin.mean_pred,
                    *p,
                    TOL,
                ));
            }
        }
    }
    eprintln!("binned calibration: max |diff| {max_v:e}");
}

#[test]
fn hosmer_lemeshow_matches_resourceselection() {
    let d = load();
    let (mut max_v, mut max_p) = (0.0f64, 0.0f64);
    for model in ["radiomics_lr", "radscore_lr", "clinical", "combined"] {
        for which in ["train", "test"] {
            let o = &d.oracle["evaluation"][model][which]["hosmer_lemeshow"];
            let s = set(&d, which);
            let h = hl::hosmer_lemeshow(&s.y, &s.preds[model], 10);
            let tag = format!("{model}/{which}");
            // the statistic can be large (E1 tiny in low-risk groups): compare relatively too
            let rel = ((h.chi2 - f(&o["chisq"])) / f(&o["chisq"])).abs();
            assert!(rel <= 1e-9, "{tag} chisq {} vs {}", h.chi2, f(&o["chisq"]));
            max_v = max_v.max(rel);
            assert_eq!(h.df, f(&o["df"]));
            max_p = max_p.max(close_p(&format!("{tag} p"), h.p, f(&o["p"])));
            let groups = o["groups"].as_array().expect("groups");
            assert_eq!(h.groups.len(), groups.len(), "{tag}");
            for (g, og) in h.groups.iter().zip(groups) {
                assert_eq!(g.n as u64, og["n"].as_u64().expect("n"), "{tag} group size");
                close(&format!("{tag} lo"), g.lo, f(&og["lo"]), 1e-12);
                close(&format!("{tag} hi"), g.hi, f(&og["hi"]), 1e-12);
                close(&format!("{tag} obs1"), g.obs1, f(&og["obs1"]), 0.0);
                close(&format!("{tag} exp1"), g.exp1, f(&og["exp1"]), TOL);
                close(&format!("{tag} exp0"), g.exp0, f(&og["exp0"]), TOL);
            }
        }
    }
    eprintln!("Hosmer-Lemeshow: max rel chi2 diff {max_v:e}, max rel p diff {max_p:e}");
}

#[test]
fn net_benefit_matches_dcurves() {
    let d = load();
    let mut max_v = 0.0f64;
    for model in ["radiomics_lr", "radscore_lr", "clinical", "combined"] {
        for which in ["train", "test"] {
            let o = d.oracle["evaluation"][model][which]["net_benefit"]
                .as_array()
                .expect("nb");
            let thr: Vec<f64> = o.iter().map(|r| f(&r["threshold"])).collect();
            let s = set(&d, which);
            let nb = dca::net_benefit(&s.y, &s.preds[model], &thr);
            for (pt, r) in nb.iter().zip(o) {
                let tag = format!("{model}/{which} pt {}", pt.threshold);
                assert_eq!(pt.tp as u64, r["tp"].as_u64().expect("tp"), "{tag}");
                assert_eq!(pt.fp as u64, r["fp"].as_u64().expect("fp"), "{tag}");
                max_v = max_v.max(close(
                    &format!("{tag} nb"),
                    pt.model,
                    f(&r["net_benefit"]),
                    TOL,
                ));
                max_v = max_v.max(close(
                    &format!("{tag} all"),
                    pt.treat_all,
                    f(&r["treat_all"]),
                    TOL,
                ));
            }
        }
    }
    // the oracle's grid is 0.05, 0.10, …, 0.95
    let grid = dca::threshold_grid(0.05, 0.95, 0.05);
    let o = d.oracle["evaluation"]["combined"]["test"]["net_benefit"]
        .as_array()
        .expect("nb");
    assert_eq!(
        grid,
        o.iter().map(|r| f(&r["threshold"])).collect::<Vec<_>>()
    );
    eprintln!("net benefit: max |diff| {max_v:e}");
}

#[test]
fn mann_whitney_matches_scipy() {
    let d = load();
    let mut max_p = 0.0f64;
    for (which, key, scipy_key) in [
        ("train", "mann_whitney_train", "scipy_mwu_train_p"),
        ("test", "mann_whitney_test", "scipy_mwu_test_p"),
    ] {
        let s = set(&d, which);
        let pos: Vec<f64> =
            s.y.iter()
                .zip(&s.radscore)
                .filter(|(&l, _)| l == 1)
                .map(|(_, &v)| v)
                .collect();
        let neg: Vec<f64> =
            s.y.iter()
                .zip(&s.radscore)
                .filter(|(&l, _)| l != 1)
                .map(|(_, &v)| v)
                .collect();
        let m = tests::mann_whitney_detail(&pos, &neg);
        let o = &d.oracle["radscore"][key];
        close(&format!("{which} U1"), m.u1, f(&o["U1"]), 0.0);
        close(&format!("{which} U2"), m.u2, f(&o["U2"]), 0.0);
        close(&format!("{which} tie"), m.tie_term, f(&o["tie_term"]), 0.0);
        assert!(((m.z - f(&o["z"])) / f(&o["z"])).abs() < 1e-12, "{which} z");
        max_p = max_p.max(close_p(&format!("{which} p"), m.p, f(&o["p"])));
        max_p = max_p.max(close_p(
            &format!("{which} scipy p"),
            tests::mann_whitney(&pos, &neg).p,
            f(&d.oracle["radscore"][scipy_key]),
        ));
    }
    eprintln!("Mann-Whitney: max rel p diff {max_p:e}");
}

#[test]
fn icc_matches_pingouin_wine() {
    let d = load();
    let w = &d.oracle["icc_wine"];
    let data: Vec<Vec<f64>> = w["data"].as_array().expect("data").iter().map(vf).collect();
    let t = icc::icc_table(&data).expect("complete table");
    let o = &w["ours"];
    let mut max_v = 0.0f64;
    for (name, got, key) in [
        ("MSR", t.msr, "MSR"),
        ("MSC", t.msc, "MSC"),
        ("MSE", t.mse, "MSE"),
        ("MSW", t.msw, "MSW"),
        ("ICC1", t.icc1, "ICC1_1"),
        ("ICC2", t.icc2.icc, "ICC2_1"),
        ("ICC3", t.icc3.icc, "ICC3_1"),
        ("F", t.f, "F"),
        ("v", t.v, "satterthwaite_v"),
    ] {
        max_v = max_v.max(close(name, got, f(&o[key]), TOL));
    }
    let ci2 = vf(&o["ICC2_1_CI95"]);
    let ci3 = vf(&o["ICC3_1_CI95"]);
    max_v = max_v.max(close("ICC2 lo", t.icc2.ci[0], ci2[0], TOL));
    max_v = max_v.max(close("ICC2 hi", t.icc2.ci[1], ci2[1], TOL));
    max_v = max_v.max(close("ICC3 lo", t.icc3.ci[0], ci3[0], TOL));
    max_v = max_v.max(close("ICC3 hi", t.icc3.ci[1], ci3[1], TOL));
    let pf = close_p("p_F", t.p, f(&o["p_F"]));
    // pingouin's own ICC values
    close(
        "pingouin ICC(A,1)",
        icc::icc_a1(&data).icc,
        f(&w["pingouin"]["ICC(A,1)"]["ICC"]),
        TOL,
    );
    close(
        "pingouin ICC(1,1)",
        t.icc1,
        f(&w["pingouin"]["ICC(1,1)"]["ICC"]),
        TOL,
    );
    close(
        "pingouin ICC(C,1)",
        t.icc3.icc,
        f(&w["pingouin"]["ICC(C,1)"]["ICC"]),
        TOL,
    );
    eprintln!("ICC: max |diff| {max_v:e}, p_F rel {pf:e}");
}

#[test]
fn nomogram_axes_and_points_match_rms() {
    let d = load();
    let nom = &d.oracle["nomogram_combined"];
    // the combined model's predictors on the training set: radscore, z(mean area), z(mean texture)
    let names = vs(&d.oracle["zscore"]["feature_names"]);
    let mean = vf(&d.oracle["zscore"]["mean"]);
    let sd = vf(&d.oracle["zscore"]["std_ddof0"]);
    let rows = load_rows();
    let train_rows: Vec<usize> = d.oracle["split"]["train_rows_in_order"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|v| v.as_u64().expect("row") as usize)
        .collect();
    let zcol = |n: &str| -> Vec<f64> {
        let c = names.iter().position(|x| x == n).expect("col");
        train_rows
            .iter()
            .map(|&r| (rows[r][c] - mean[c]) / sd[c])
            .collect()
    };
    let predictors: Vec<(&str, Vec<f64>)> = vec![
        ("radscore", d.train.radscore.clone()),
        ("mean area", zcol("mean area")),
        ("mean texture", zcol("mean texture")),
    ];
    let mut lows = Vec::new();
    let mut highs = Vec::new();
    for (name, x) in &predictors {
        let got = nomogram::axis(x);
        let want = vf(&nom["axes"][*name]);
        assert_eq!(got.len(), want.len(), "{name} axis {got:?} vs {want:?}");
        for (g, w) in got.iter().zip(&want) {
            close(&format!("{name} tick"), *g, *w, 1e-12);
        }
        lows.push(got[0]);
        highs.push(got[got.len() - 1]);
    }
    let coef = vf(&d.oracle["models"]["combined"]["coef"]);
    let scale = nomogram::PointsScale::new(coef[0], &coef[1..], &lows, &highs);
    close(
        "max_range_lp",
        scale.max_range_lp,
        f(&nom["max_range_lp"]),
        TOL,
    );
    close(
        "lp_at_zero_points",
        scale.lp_at_zero_points,
        f(&nom["lp_at_zero_points"]),
        TOL,
    );
    close(
        "lp_per_point",
        scale.lp_per_point,
        f(&nom["lp_per_point"]),
        TOL,
    );
    for (row, o) in scale
        .rows
        .iter()
        .zip(nom["predictors"].as_array().expect("p"))
    {
        close(
            "points_at_low",
            row.points_at_low,
            f(&o["points_at_low"]),
            TOL,
        );
        close(
            "points_at_high",
            row.points_at_high,
            f(&o["points_at_high"]),
            TOL,
        );
        close(
            "points_per_unit",
            row.points_per_unit,
            f(&o["points_per_unit"]),
            TOL,
        );
        close("range_lp", row.range_lp, f(&o["range_lp"]), TOL);
    }
    // total points of a patient → the model's probability
    let i = 7;
    let total: f64 = (0..3).map(|j| scale.points(j, predictors[j].1[i])).sum();
    close(
        "probability via points",
        scale.probability_from_total(total),
        d.train.preds["combined"][i],
        1e-12,
    );
}

fn load_rows() -> Vec<Vec<f64>> {
    let mut rdr = csv::Reader::from_path(refdir().join("breast_cancer.csv")).expect("csv");
    let width = rdr.headers().expect("h").len();
    rdr.records()
        .map(|rec| {
            let rec = rec.expect("rec");
            (1..width - 2)
                .map(|c| rec[c].parse::<f64>().expect("f64"))
                .collect()
        })
        .collect()
}
