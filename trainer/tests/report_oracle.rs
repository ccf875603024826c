//! The validation report's statistics against R (`trainer/tests/oracle/report_oracle.json`, made
//! by `trainer/tests/oracle/make_report_oracle.R` with R 4.2 / rms 6.5): rms `val.prob`
//! intercept and slope, calibration-in-the-large, Hosmer–Lemeshow, `binom.test` (Clopper–Pearson)
//! intervals and rms `calibrate`'s grid and apparent curve within 1e-9; the bootstrap optimism of
//! rms `validate` and the bias-corrected curve of `calibrate` within their Monte-Carlo error.

mod common;

use radscore_trainer::logistic::fit_logistic;
use radscore_trainer::preprocess::Matrix;
use radscore_trainer::stats::binom::clopper_pearson;
use radscore_trainer::stats::bootstrap::validate;
use radscore_trainer::stats::calibration::val_prob;
use radscore_trainer::stats::hl::hosmer_lemeshow;
use radscore_trainer::stats::roc::confusion;
use serde_json::Value;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol * want.abs().max(1.0),
        "{what}: got {got:.15e}, R {want:.15e} (diff {:.3e})",
        (got - want).abs()
    );
}

struct Data {
    oracle: Value,
    x_train: Matrix,
    y_train: Vec<u8>,
    x_test: Matrix,
    y_test: Vec<u8>,
}

fn load() -> Data {
    let bc = common::load();
    let oracle: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/oracle/report_oracle.json"),
        )
        .expect("report_oracle.json"),
    )
    .expect("json");
    let cols: Vec<usize> = oracle["meta"]["predictors"]
        .as_array()
        .expect("predictors")
        .iter()
        .map(|n| {
            bc.names
                .iter()
                .position(|c| c == n.as_str().expect("name"))
                .expect("column")
        })
        .collect();
    let mut rdr = csv::Reader::from_path(common::refdir().join("split.csv")).expect("split");
    let (mut tr, mut te) = (Vec::new(), Vec::new());
    for rec in rdr.records() {
        let rec = rec.expect("rec");
        let row: usize = rec[0].parse().expect("row");
        match &rec[1] {
            "train" => tr.push(row),
            "test" => te.push(row),
            s => panic!("set {s}"),
        }
    }
    let design = |rows: &[usize]| {
        Matrix::from_columns(
            &cols
                .iter()
                .map(|&c| rows.iter().map(|&i| bc.rows[i][c]).collect())
                .collect::<Vec<Vec<f64>>>(),
        )
    };
    Data {
        x_train: design(&tr),
        y_train: tr.iter().map(|&i| bc.y[i]).collect(),
        x_test: design(&te),
        y_test: te.iter().map(|&i| bc.y[i]).collect(),
        oracle,
    }
}

#[test]
fn deterministic_statistics_match_r() {
    let d = load();
    let o = &d.oracle;
    let fit = fit_logistic(&d.x_train, &d.y_train).expect("fit");
    let coef: Vec<f64> = std::iter::once(fit.intercept)
        .chain(fit.coef.iter().copied())
        .collect();
    for (k, c) in o["coef"].as_array().expect("coef").iter().enumerate() {
        close(&format!("coef {k}"), coef[k], f(c), 1e-9);
    }
    let p_tr = fit.predict(&d.x_train);
    let p_te = fit.predict(&d.x_test);

    let v = val_prob(&d.y_test, &p_te);
    close(
        "val.prob Intercept",
        v.intercept,
        f(&o["val_prob"]["intercept"]),
        1e-9,
    );
    close("val.prob Slope", v.slope, f(&o["val_prob"]["slope"]), 1e-9);
    close(
        "calibration-in-the-large",
        v.citl,
        f(&o["val_prob"]["citl"]),
        1e-9,
    );
    close("Brier", v.brier, f(&o["val_prob"]["brier"]), 1e-9);

    let hl = hosmer_lemeshow(&d.y_test, &p_te, 10);
    close("HL chi2", hl.chi2, f(&o["hosmer_lemeshow"]["chi2"]), 1e-9);
    assert_eq!(hl.df, f(&o["hosmer_lemeshow"]["df"]));
    close("HL p", hl.p, f(&o["hosmer_lemeshow"]["p"]), 1e-9);

    let thr = f(&o["meta"]["threshold"]);
    for (set, y, p) in [("train", &d.y_train, &p_tr), ("test", &d.y_test, &p_te)] {
        let c = confusion(y, p, thr);
        let ours = [
            ("sensitivity", c.tp, c.tp + c.fn_),
            ("specificity", c.tn, c.tn + c.fp),
            ("ppv", c.tp, c.tp + c.fp),
            ("npv", c.tn, c.tn + c.fn_),
            ("accuracy", c.tp + c.tn, y.len()),
        ];
        for (name, x, n) in ours {
            let r = &o["proportions"][set][name];
            assert_eq!(
                (x as f64, n as f64),
                (f(&r["x"]), f(&r["n"])),
                "{set} {name} counts"
            );
            let ci = clopper_pearson(x, n, 0.95);
            close(&format!("{set} {name} low"), ci.low, f(&r["low"]), 1e-9);
            close(&format!("{set} {name} high"), ci.high, f(&r["high"]), 1e-9);
        }
    }

    // rms calibrate: the grid and the apparent curve do not depend on the resampling
    let val = validate(&d.x_train, &d.y_train, 10, 1).expect("validate");
    let c = &val.calibration;
    for (k, (g, a)) in c.predicted.iter().zip(&c.apparent).enumerate() {
        close(
            &format!("predy[{k}]"),
            *g,
            f(&o["calibrate"]["predy"][k]),
            1e-9,
        );
        close(
            &format!("calibrated.orig[{k}]"),
            *a,
            f(&o["calibrate"]["calibrated_orig"][k]),
            1e-9,
        );
    }
    let io = &o["validate"]["index_orig"];
    close("Dxy", 2.0 * val.auc.apparent - 1.0, f(&io["Dxy"]), 1e-9);
    close("B", val.brier.apparent, f(&io["B"]), 1e-9);
}

#[test]
fn bootstrap_optimism_matches_rms_within_monte_carlo_error() {
    let d = load();
    let o = &d.oracle;
    let b = 4000;
    let v = validate(&d.x_train, &d.y_train, b, 20260).expect("validate");
    assert_eq!(v.b_used, b, "no replicate should fail on this model");
    // ours: B = 4000 (SE from the per-replicate spread); R: 10 runs of B = 1000 (SE over runs)
    let check = |name: &str, ours: f64, se: f64, key: &str| {
        let r = f(&o["validate"]["optimism_mean"][key]);
        let rse = f(&o["validate"]["optimism_se"][key]);
        let tol = 4.0 * (se * se + rse * rse).sqrt();
        assert!(
            (ours - r).abs() <= tol,
            "{name} optimism: ours {ours:.6} ± {se:.6}, rms {r:.6} ± {rse:.6} (4 SE = {tol:.6})"
        );
        println!("{name} optimism: ours {ours:.6} ± {se:.6}, rms {r:.6} ± {rse:.6}");
    };
    check("Dxy", 2.0 * v.auc.optimism, 2.0 * v.auc.optimism_se, "Dxy");
    check("Brier", v.brier.optimism, v.brier.optimism_se, "B");
    check(
        "Intercept",
        v.intercept.optimism,
        v.intercept.optimism_se,
        "Intercept",
    );
    check("Slope", v.slope.optimism, v.slope.optimism_se, "Slope");
    // the bias-corrected curve: mean absolute difference from rms's (10 × 1000 replicates) small
    // against the size of the correction itself
    let rc: Vec<f64> = common::vf(&o["calibrate"]["corrected_mean"]);
    let ro: Vec<f64> = common::vf(&o["calibrate"]["calibrated_orig"]);
    let c = &v.calibration;
    let diff: f64 = c
        .corrected
        .iter()
        .zip(&rc)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / rc.len() as f64;
    let corr: f64 = rc.iter().zip(&ro).map(|(a, b)| (a - b).abs()).sum::<f64>() / rc.len() as f64;
    println!("calibrate: mean |ours − rms| corrected {diff:.5}, mean |rms correction| {corr:.5}");
    assert!(
        diff < 0.003,
        "corrected curve differs from rms by {diff} on average"
    );
}
