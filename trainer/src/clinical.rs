//! Clinical predictor screening, as in the study: a univariate logistic regression per candidate
//! variable (training rows), the variables with Wald p < `p_max` enter a multivariate logistic
//! regression, the variables still significant there (p < `p_max`) are retained and the model is
//! refitted on them — that refit is the clinical model.

use crate::logistic::{fit_logistic, LogisticFit};
use crate::preprocess::Matrix;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// One odds-ratio table row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrRow {
    /// Variable name.
    pub name: String,
    /// Odds ratio per unit.
    pub or: f64,
    /// Lower 95 % limit.
    pub ci_low: f64,
    /// Upper 95 % limit.
    pub ci_high: f64,
    /// Wald p-value.
    pub p: f64,
}

/// Outcome of the screening.
#[derive(Clone, Debug, PartialEq)]
pub struct ClinicalScreen {
    /// Univariate OR of every candidate (candidate order).
    pub univariate: Vec<OrRow>,
    /// Multivariate OR of the univariately significant variables (empty if none).
    pub multivariate: Vec<OrRow>,
    /// Column indices (into the candidate matrix) of the retained variables.
    pub retained: Vec<usize>,
    /// The refit on the retained variables (`None` if nothing was retained).
    pub model: Option<LogisticFit>,
}

/// OR row of term `k` (0-based predictor index, i.e. term k + 1) of a fit.
pub fn or_row(name: &str, fit: &LogisticFit, k: usize) -> OrRow {
    OrRow { name: name.to_string(), or: fit.or[k + 1], ci_low: fit.ci[k + 1][0], ci_high: fit.ci[k + 1][1], p: fit.p[k + 1] }
}

/// Runs the screening on training rows `x` (columns = candidates named `names`) and labels `y`.
pub fn screen(x: &Matrix, names: &[String], y: &[u8], p_max: f64) -> Result<ClinicalScreen> {
    let mut univariate = Vec::with_capacity(names.len());
    let mut kept = Vec::new();
    for (j, name) in names.iter().enumerate() {
        let fit = fit_logistic(&x.select_cols(&[j]), y)
            .with_context(|| format!("univariate logistic regression of clinical variable '{name}'"))?;
        let row = or_row(name, &fit, 0);
        if row.p < p_max {
            kept.push(j);
        }
        univariate.push(row);
    }
    if kept.is_empty() {
        return Ok(ClinicalScreen { univariate, multivariate: Vec::new(), retained: Vec::new(), model: None });
    }
    let list = |cols: &[usize]| cols.iter().map(|&j| names[j].as_str()).collect::<Vec<_>>().join(", ");
    let multi = fit_logistic(&x.select_cols(&kept), y)
        .with_context(|| format!("multivariate logistic regression of clinical variables {}", list(&kept)))?;
    let multivariate: Vec<OrRow> = kept.iter().enumerate().map(|(k, &j)| or_row(&names[j], &multi, k)).collect();
    let retained: Vec<usize> =
        kept.iter().zip(&multivariate).filter(|(_, r)| r.p < p_max).map(|(&j, _)| j).collect();
    let model = if retained.is_empty() {
        None
    } else if retained == kept {
        Some(multi)
    } else {
        Some(
            fit_logistic(&x.select_cols(&retained), y)
                .with_context(|| format!("clinical model refit on {}", list(&retained)))?,
        )
    };
    Ok(ClinicalScreen { univariate, multivariate, retained, model })
}
