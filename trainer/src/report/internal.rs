//! Bootstrap internal validation of the reference (combined) model: Harrell's optimism bootstrap
//! ([`crate::stats::bootstrap`], rms `validate.lrm`) as a table, and the bias-corrected
//! calibration curve the calibration figure draws.

use super::{fmt, ReportInput, Table};
use crate::preprocess::Matrix;
use crate::stats::bootstrap::{self, Validation};

/// The bootstrap validation of the reference model on its training patients; None without a
/// refit design, or when the model cannot be refitted on all of them.
pub fn validation(input: &ReportInput) -> Option<Validation> {
    let d = input.refit.as_ref()?;
    if d.columns.is_empty() || d.labels.is_empty() {
        return None;
    }
    let x = Matrix::from_columns(&d.columns);
    bootstrap::validate(&x, &d.labels, input.bootstrap.b, input.bootstrap.seed).ok()
}

/// Whether the refitted model reproduces the reference model's training predictions (to 1e-6):
/// false when the model was fitted otherwise (e.g. the L2 fit after separation).
pub fn reproduces_model(input: &ReportInput, v: &Validation) -> bool {
    let Some(m) = input.reference.and_then(|i| input.models.get(i)) else {
        return false;
    };
    // the model's outputs are in split order, the design in cohort order: compare sorted
    let mut a: Vec<f64> = m.train.iter().map(|o| o.value).collect();
    let mut b = v.fitted.clone();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| (x - y).abs() <= 1e-6)
}

/// The internal-validation table (apparent, optimism with its Monte-Carlo SE, corrected).
pub fn table(input: &ReportInput, v: &Validation) -> Table {
    let name = input
        .reference
        .and_then(|i| input.models.get(i))
        .map_or("combined", |m| m.name.as_str());
    let predictors = input
        .refit
        .as_ref()
        .map(|d| d.names.join(", "))
        .unwrap_or_default();
    let idx = [
        ("AUC (C-statistic)", "auc", v.auc),
        ("Brier score", "brier", v.brier),
        ("Calibration intercept", "intercept", v.intercept),
        ("Calibration slope", "slope", v.slope),
    ];
    let mut rows = Vec::new();
    let mut csv_rows = Vec::new();
    for (label, key, i) in idx {
        rows.push(vec![
            label.to_string(),
            fmt::fixed(i.apparent, 3),
            fmt::fixed(i.optimism, 3),
            fmt::fixed(i.optimism_se, 4),
            fmt::fixed(i.corrected, 3),
        ]);
        csv_rows.push(vec![
            name.to_string(),
            key.to_string(),
            fmt::exact(i.apparent),
            fmt::exact(i.optimism),
            fmt::exact(i.optimism_se),
            fmt::exact(i.corrected),
            v.b.to_string(),
            v.b_used.to_string(),
            v.seed.to_string(),
        ]);
    }
    Table {
        file: "internal_validation.csv".into(),
        title: "Bootstrap internal validation".into(),
        header: vec![
            "Index".into(),
            "Apparent".into(),
            "Optimism".into(),
            "MC SE".into(),
            "Optimism-corrected".into(),
        ],
        rows,
        csv_header: ["model", "index", "apparent", "optimism", "optimism_mc_se", "corrected", "b", "b_used", "seed"]
            .map(String::from)
            .to_vec(),
        csv_rows,
        note: format!(
            "Harrell's bootstrap (rms validate): the {name} logistic model ({predictors}) refitted on B = {} bootstrap samples of the {} training patients (Mersenne Twister, seed {}; {} fits succeeded); optimism = mean over samples of (index on the sample − index of the sample's fit on the original patients); corrected = apparent − optimism. MC SE: Monte-Carlo standard error of the optimism. Calibration intercept and slope: logistic recalibration y ~ a + b·linear predictor (apparent 0 and 1 by construction). The radscore's feature selection and LASSO are not repeated in each sample, so the optimism of the selection is not included.",
            v.b,
            input.refit.as_ref().map_or(0, |d| d.labels.len()),
            v.seed,
            v.b_used
        ) + if reproduces_model(input, v) {
            ""
        } else {
            " Note: the maximum-likelihood refit does not reproduce the reported model's training predictions (the model was fitted otherwise, e.g. penalised after separation), so these apparent values differ from the performance table."
        },
    }
}
