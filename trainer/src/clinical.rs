//! Clinical predictor screening, as in the study: a univariate logistic regression per candidate
//! variable (training rows), the variables with Wald p < `p_max` enter a multivariate logistic
//! regression, the variables still significant there (p < `p_max`) are retained and the model is
//! refitted on them — that refit is the clinical model.
//!
//! A candidate whose univariate maximum-likelihood estimate does not exist is skipped with a
//! note instead of failing the screen: a column constant on the training rows, or one that
//! separates the outcome completely or quasi-completely (its odds ratio is infinite). If the
//! multivariate fit or the refit has no estimate (the variables separate the outcome jointly),
//! the variables of that fit are skipped with a note and no clinical predictor is retained.
//!
//! A categorical variable (a factor, [`ClinVar::levels`]) enters every fit as R's `glm` codes a
//! factor with treatment contrasts: one 0/1 column per non-reference level (`<name>=<level>`),
//! one odds ratio per level against the reference. Its p-value as a variable (screen and
//! retention) is the likelihood-ratio test of all its levels together (R `anova(fit, test =
//! "Chisq")` univariately, `drop1(fit, test = "LRT")` in the multivariate model), with
//! levels − 1 degrees of freedom; a numeric variable keeps its Wald p-value.

use crate::logistic::{fit_logistic, no_mle, LogisticFit};
use crate::preprocess::Matrix;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// One odds-ratio table row. A factor gives a row for the variable (`level` None, `or` NaN,
/// `p` = likelihood-ratio p of the variable) followed by one row per non-reference level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrRow {
    /// Variable name.
    pub name: String,
    /// Odds ratio per unit (per level against the reference for a factor level).
    pub or: f64,
    /// Lower 95 % limit.
    pub ci_low: f64,
    /// Upper 95 % limit.
    pub ci_high: f64,
    /// Wald p-value (likelihood-ratio p of the whole factor on its variable row).
    pub p: f64,
    /// Level of a factor (`None` for a numeric variable and a factor's variable row).
    #[serde(default)]
    pub level: Option<String>,
    /// Reference level of a factor (`None` for a numeric variable).
    #[serde(default)]
    pub reference: Option<String>,
}

/// A clinical candidate: a numeric column, or a factor's indicator columns.
#[derive(Clone, Debug, PartialEq)]
pub struct ClinVar {
    /// Variable name.
    pub name: String,
    /// All levels, reference first (empty for a numeric variable).
    pub levels: Vec<String>,
    /// Design columns on the fitting rows: the values, or one 0/1 column per non-reference level.
    pub columns: Vec<Vec<f64>>,
}

impl ClinVar {
    /// A numeric variable.
    pub fn numeric(name: &str, values: Vec<f64>) -> ClinVar {
        ClinVar {
            name: name.to_string(),
            levels: Vec::new(),
            columns: vec![values],
        }
    }

    /// A factor from level indices (0 = reference) and level names.
    pub fn factor(name: &str, codes: &[f64], levels: &[String]) -> ClinVar {
        let columns = (1..levels.len())
            .map(|k| {
                codes
                    .iter()
                    .map(|&c| f64::from(u8::from(c == k as f64)))
                    .collect()
            })
            .collect();
        ClinVar {
            name: name.to_string(),
            levels: levels.to_vec(),
            columns,
        }
    }

    /// Whether the variable is a factor.
    pub fn is_factor(&self) -> bool {
        !self.levels.is_empty()
    }

    /// Model term names: the variable, or `<name>=<level>` per non-reference level.
    pub fn terms(&self) -> Vec<String> {
        if self.is_factor() {
            self.levels[1..]
                .iter()
                .map(|l| format!("{}={l}", self.name))
                .collect()
        } else {
            vec![self.name.clone()]
        }
    }
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
    /// Variables left out because a fit had no maximum-likelihood estimate: (name, reason).
    pub skipped: Vec<(String, String)>,
}

/// Why a single column has no univariate estimate, judged on the data directly: constant, or
/// the classes' value ranges do not overlap (complete) or touch in one value (quasi-complete).
fn univariate_reason(x: &[f64], y: &[u8]) -> Option<String> {
    let range = |cls: u8| {
        x.iter()
            .zip(y)
            .filter(|(_, &v)| v == cls)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (&v, _)| {
                (lo.min(v), hi.max(v))
            })
    };
    let (lo0, hi0) = range(0);
    let (lo1, hi1) = range(1);
    if lo0.min(lo1) == hi0.max(hi1) {
        return Some("constant on the training rows".to_string());
    }
    let (sep, dir) = if hi0 < lo1 {
        ("completely", "higher values")
    } else if hi1 < lo0 {
        ("completely", "lower values")
    } else if hi0 == lo1 {
        ("quasi-completely", "higher values")
    } else if hi1 == lo0 {
        ("quasi-completely", "lower values")
    } else {
        return None;
    };
    Some(format!(
        "separates the outcome {sep} on the training rows ({dir} are all positive): the odds ratio is \
         infinite and the maximum-likelihood estimate does not exist"
    ))
}

/// OR row of term `k` (0-based predictor index, i.e. term k + 1) of a fit.
pub fn or_row(name: &str, fit: &LogisticFit, k: usize) -> OrRow {
    OrRow {
        name: name.to_string(),
        or: fit.or[k + 1],
        ci_low: fit.ci[k + 1][0],
        ci_high: fit.ci[k + 1][1],
        p: fit.p[k + 1],
        level: None,
        reference: None,
    }
}

/// The OR rows of variable `v` whose first term is term `k0` of `fit`; `p_var` is the factor's
/// likelihood-ratio p (ignored for a numeric variable).
fn var_rows(v: &ClinVar, fit: &LogisticFit, k0: usize, p_var: f64) -> Vec<OrRow> {
    if !v.is_factor() {
        return vec![or_row(&v.name, fit, k0)];
    }
    let reference = Some(v.levels[0].clone());
    let mut rows = vec![OrRow {
        name: v.name.clone(),
        or: f64::NAN,
        ci_low: f64::NAN,
        ci_high: f64::NAN,
        p: p_var,
        level: None,
        reference: reference.clone(),
    }];
    for (i, l) in v.levels[1..].iter().enumerate() {
        let mut r = or_row(&v.name, fit, k0 + i);
        r.level = Some(l.clone());
        r.reference = reference.clone();
        rows.push(r);
    }
    rows
}

/// Likelihood-ratio p-value of dropping `df` columns: 2 (ll_full − ll_reduced) ~ χ²(df).
pub fn lr_p(ll_full: f64, ll_reduced: f64, df: usize) -> f64 {
    crate::stats::dist::chi2_sf((2.0 * (ll_full - ll_reduced)).max(0.0), df as f64)
}

/// The design of variables `vars` (their columns side by side).
pub fn design(vars: &[&ClinVar]) -> Matrix {
    let cols: Vec<Vec<f64>> = vars.iter().flat_map(|v| v.columns.clone()).collect();
    Matrix::from_columns(&cols)
}

/// Runs the screening on training rows `x` (columns = numeric candidates named `names`) and
/// labels `y` (see [`screen_vars`]).
pub fn screen(x: &Matrix, names: &[String], y: &[u8], p_max: f64) -> Result<ClinicalScreen> {
    let vars: Vec<ClinVar> = names
        .iter()
        .enumerate()
        .map(|(j, n)| ClinVar::numeric(n, x.col(j).to_vec()))
        .collect();
    screen_vars(&vars, y, p_max)
}

/// Runs the screening on candidate variables (training rows) and labels `y`; `retained` indexes
/// `vars`, and the model's terms are the retained variables' [`ClinVar::terms`] in order.
pub fn screen_vars(vars: &[ClinVar], y: &[u8], p_max: f64) -> Result<ClinicalScreen> {
    let names: Vec<String> = vars.iter().map(|v| v.name.clone()).collect();
    let mut univariate = Vec::with_capacity(names.len());
    let mut kept = Vec::new();
    let mut skipped = Vec::new();
    for (j, name) in names.iter().enumerate() {
        let v = &vars[j];
        if v.is_factor() {
            if let Some(k) = v.columns.iter().position(|c| !c.contains(&1.0)) {
                skipped.push((
                    name.clone(),
                    format!(
                        "level '{}' does not occur on the training rows",
                        v.levels[k + 1]
                    ),
                ));
                continue;
            }
        } else if let Some(reason) = univariate_reason(&v.columns[0], y) {
            skipped.push((name.clone(), reason));
            continue;
        }
        let fit = match fit_logistic(&design(&[v]), y) {
            Ok(f) => f,
            Err(e) if no_mle(&e).is_some() => {
                skipped.push((name.clone(), format!("univariate fit: {e}")));
                continue;
            }
            Err(e) => {
                return Err(e).with_context(|| {
                    format!("univariate logistic regression of clinical variable '{name}'")
                })
            }
        };
        let p_var = lr_p(fit.loglik, fit.loglik_null, v.columns.len());
        let rows = var_rows(v, &fit, 0, p_var);
        if rows[0].p < p_max {
            kept.push(j);
        }
        univariate.extend(rows);
    }
    let none = |univariate, multivariate, skipped| ClinicalScreen {
        univariate,
        multivariate,
        retained: Vec::new(),
        model: None,
        skipped,
    };
    if kept.is_empty() {
        return Ok(none(univariate, Vec::new(), skipped));
    }
    let list = |cols: &[usize]| {
        cols.iter()
            .map(|&j| names[j].as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let skip_all =
        |skipped: &mut Vec<(String, String)>, cols: &[usize], stage: &str, e: &anyhow::Error| {
            for &j in cols {
                skipped.push((
                    names[j].clone(),
                    format!("{stage} fit on {} has no estimate: {e}", list(cols)),
                ));
            }
        };
    let of = |cols: &[usize]| cols.iter().map(|&j| &vars[j]).collect::<Vec<_>>();
    let multi = match fit_logistic(&design(&of(&kept)), y) {
        Ok(f) => f,
        Err(e) if no_mle(&e).is_some() => {
            skip_all(&mut skipped, &kept, "multivariate", &e);
            return Ok(none(univariate, Vec::new(), skipped));
        }
        Err(e) => {
            return Err(e).with_context(|| {
                format!(
                    "multivariate logistic regression of clinical variables {}",
                    list(&kept)
                )
            })
        }
    };
    let mut multivariate: Vec<OrRow> = Vec::new();
    let mut var_p = Vec::with_capacity(kept.len());
    let mut k0 = 0;
    for &j in &kept {
        let v = &vars[j];
        let p_var = if v.is_factor() {
            // drop1(fit, test = "LRT"): refit without the factor's columns
            let rest: Vec<usize> = kept.iter().copied().filter(|&i| i != j).collect();
            let ll_reduced = if rest.is_empty() {
                Ok(multi.loglik_null)
            } else {
                fit_logistic(&design(&of(&rest)), y).map(|f| f.loglik)
            };
            ll_reduced.map_or(f64::NAN, |ll| lr_p(multi.loglik, ll, v.columns.len()))
        } else {
            f64::NAN
        };
        let rows = var_rows(v, &multi, k0, p_var);
        var_p.push(rows[0].p);
        multivariate.extend(rows);
        k0 += v.columns.len();
    }
    let retained: Vec<usize> = kept
        .iter()
        .zip(&var_p)
        .filter(|(_, p)| **p < p_max)
        .map(|(&j, _)| j)
        .collect();
    let model = if retained.is_empty() {
        None
    } else if retained == kept {
        Some(multi)
    } else {
        match fit_logistic(&design(&of(&retained)), y) {
            Ok(f) => Some(f),
            Err(e) if no_mle(&e).is_some() => {
                skip_all(&mut skipped, &retained, "refit", &e);
                return Ok(none(univariate, multivariate, skipped));
            }
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("clinical model refit on {}", list(&retained)))
            }
        }
    };
    Ok(ClinicalScreen {
        univariate,
        multivariate,
        retained,
        model,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_and_separating_columns_are_skipped_with_notes() {
        let y: Vec<u8> = vec![0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
        let constant = vec![3.0; 12];
        let separating: Vec<f64> = (0..12).map(|i| i as f64).collect();
        // ties at 5.0 between both classes: quasi-complete
        let quasi = vec![1.0, 2.0, 1.0, 5.0, 2.0, 5.0, 5.0, 6.0, 7.0, 5.0, 9.0, 8.0];
        let useful = vec![1.0, 3.0, 2.0, 5.0, 4.0, 6.0, 3.5, 7.0, 6.5, 2.5, 8.0, 7.5];
        let x = Matrix::from_columns(&[constant, separating, quasi, useful]);
        let names: Vec<String> = ["age_const", "sep", "quasi", "size"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let s = screen(&x, &names, &y, 0.05).expect("screen completes");
        let reason = |n: &str| {
            s.skipped
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, r)| r.clone())
        };
        assert!(reason("age_const")
            .expect("constant skipped")
            .contains("constant"));
        let r = reason("sep").expect("separating skipped");
        assert!(
            r.contains("completely") && !r.contains("quasi") && r.contains("infinite"),
            "{r}"
        );
        assert!(reason("quasi")
            .expect("quasi skipped")
            .contains("quasi-completely"));
        assert!(reason("size").is_none());
        assert_eq!(
            s.univariate
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>(),
            ["size"]
        );
        assert!(s.univariate[0].or.is_finite() && s.univariate[0].p > 0.0);
    }

    #[test]
    fn joint_separation_in_the_multivariate_fit_is_a_note() {
        // each column alone overlaps between the classes, a + b > 2 ⇔ positive
        let a = vec![
            0.0, 3.0, -2.0, 1.0, 2.0, -1.0, 4.0, 0.0, 5.0, -1.0, 3.0, 2.0,
        ];
        let b = vec![
            0.0, -2.0, 3.0, 1.0, -1.0, 2.0, 0.0, 4.0, -1.0, 5.0, 3.0, 2.0,
        ];
        let y: Vec<u8> = a
            .iter()
            .zip(&b)
            .map(|(u, v)| u8::from(u + v > 2.0))
            .collect();
        let x = Matrix::from_columns(&[a, b]);
        let names = vec!["a".to_string(), "b".to_string()];
        let s = screen(&x, &names, &y, 1.0).expect("screen completes");
        assert_eq!(s.univariate.len(), 2);
        assert!(s.model.is_none() && s.retained.is_empty());
        assert_eq!(s.skipped.len(), 2, "{:?}", s.skipped);
        assert!(s
            .skipped
            .iter()
            .all(|(_, r)| r.contains("multivariate") && r.contains("separation")));
    }
}
