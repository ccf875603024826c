//! Bootstrap internal validation of a logistic model (Harrell's optimism bootstrap, rms
//! `validate.lrm` and `calibrate(method = "boot")`).
//!
//! Each of `B` replicates draws `n` patients with replacement, refits the logistic model on them
//! (unpenalised MLE, [`crate::logistic::fit_logistic`]), evaluates it on the replicate itself
//! ("training", apparent) and on the original patients ("test"); the optimism of an index is the
//! mean of training − test over the replicates whose fit succeeded, and the corrected index is the
//! apparent one minus the optimism. Replicates whose fit fails (separation, non-convergence) are
//! skipped and counted, as rms does.
//!
//! The resampling uses the Mersenne Twister ([`crate::split::Mt19937`]) seeded with `seed`, one
//! thread, replicates in order: the result depends only on the data, `B` and the seed.

use super::calibration::{brier, logistic_1d, lowess};
use super::roc::auc;
use crate::logistic::fit_logistic;
use crate::preprocess::Matrix;
use crate::split::Mt19937;

/// Number of calibration grid points (rms `calibrate`: 50).
pub const CAL_POINTS: usize = 50;

/// One validated index.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ValidatedIndex {
    /// Value of the model fitted on all patients, evaluated on them.
    pub apparent: f64,
    /// Mean of (replicate fit on the replicate) − (replicate fit on the original patients).
    pub optimism: f64,
    /// Monte-Carlo standard error of `optimism`: SD of the per-replicate differences / √B_used.
    pub optimism_se: f64,
    /// `apparent − optimism`.
    pub corrected: f64,
}

/// rms-style calibration curve: apparent and bias-corrected observed probability on a grid.
#[derive(Clone, Debug, PartialEq)]
pub struct CalibrationCurve {
    /// Predicted probabilities (rms `predy`: 50 equally spaced values from the 5th smallest to the
    /// 5th largest apparent prediction).
    pub predicted: Vec<f64>,
    /// `lowess(p, y, iter = 0)` of the full-data fit, interpolated at `predicted` (rms
    /// `calibrated.orig`).
    pub apparent: Vec<f64>,
    /// `apparent − optimism` of the calibration error at each grid point (rms
    /// `calibrated.corrected`), where a replicate's error is `lowess − predicted` on the replicate
    /// minus the same on the original patients; replicates whose smooth does not reach a grid
    /// point (approx(rule = 1) gives NA) do not count at that point.
    pub corrected: Vec<f64>,
    /// Replicates used at each grid point.
    pub n_used: Vec<usize>,
    /// Mean |corrected − predicted| over the grid (rms "Mean absolute error").
    pub mean_abs_error: f64,
    /// 0.9 quantile (type 7) of |corrected − predicted| over the grid.
    pub q90_abs_error: f64,
}

/// The result of [`validate`].
#[derive(Clone, Debug, PartialEq)]
pub struct Validation {
    /// Replicates requested.
    pub b: usize,
    /// Replicates whose refit succeeded.
    pub b_used: usize,
    /// Seed of the resampling.
    pub seed: u32,
    /// C-statistic (AUC); rms reports Somers' Dxy = 2(AUC − ½).
    pub auc: ValidatedIndex,
    /// Brier score (rms "B").
    pub brier: ValidatedIndex,
    /// Calibration intercept of `y ~ lp` (apparent 0).
    pub intercept: ValidatedIndex,
    /// Calibration slope of `y ~ lp` (apparent 1; corrected = the shrinkage factor).
    pub slope: ValidatedIndex,
    /// Calibration curve.
    pub calibration: CalibrationCurve,
    /// Predicted probabilities of the model fitted on all patients (patient order).
    pub fitted: Vec<f64>,
}

fn sigmoid(x: f64) -> f64 {
    crate::logistic::sigmoid(x)
}

/// R `approx(x, y, xout, rule = 1)` over a lowess fit (x ascending, tied x share one fit): NaN
/// outside `[x_1, x_n]`.
fn approx(fit: &[(f64, f64)], xout: f64) -> f64 {
    let n = fit.len();
    if n == 0 || xout < fit[0].0 || xout > fit[n - 1].0 || xout.is_nan() {
        return f64::NAN;
    }
    // first index with x > xout
    let j = fit.partition_point(|c| c.0 <= xout);
    if j == 0 {
        return fit[0].1;
    }
    let (x0, y0) = fit[j - 1];
    if x0 == xout || j == n {
        return y0;
    }
    let (x1, y1) = fit[j];
    y0 + (y1 - y0) * (xout - x0) / (x1 - x0)
}

/// `lowess(p, y, iter = 0)` interpolated at `grid`, minus `grid` (rms `cal.error`).
fn cal_error(p: &[f64], y: &[u8], grid: &[f64]) -> Vec<f64> {
    let yf: Vec<f64> = y.iter().map(|&l| f64::from(u8::from(l == 1))).collect();
    let fit = lowess(p, &yf, 2.0 / 3.0, 0);
    grid.iter().map(|&g| approx(&fit, g) - g).collect()
}

/// rms `calibrated.orig` for predictions `p`: `lowess(p, y, iter = 0)` interpolated at `grid`
/// (`approx(rule = 1)`: NaN outside the range of p).
pub fn apparent_on_grid(p: &[f64], y: &[u8], grid: &[f64]) -> Vec<f64> {
    cal_error(p, y, grid)
        .iter()
        .zip(grid)
        .map(|(e, g)| e + g)
        .collect()
}

/// The four indexes of one evaluation: (AUC, Brier, intercept, slope) of linear predictor `lp`.
/// With `apparent`, the recalibration is (0, 1) by construction (as rms sets it).
fn indexes(y: &[u8], lp: &[f64], apparent: bool) -> [f64; 4] {
    let p: Vec<f64> = lp.iter().map(|&v| sigmoid(v)).collect();
    let (a, b) = if apparent {
        (0.0, 1.0)
    } else {
        let yf: Vec<f64> = y.iter().map(|&l| f64::from(u8::from(l == 1))).collect();
        logistic_1d(&yf, lp, None)
    };
    [auc(y, &p), brier(y, &p), a, b]
}

fn lp_of(fit: &crate::logistic::LogisticFit, x: &Matrix) -> Vec<f64> {
    (0..x.n_rows())
        .map(|i| fit.linear_predictor(&x.row(i)))
        .collect()
}

/// Bootstrap validation of `glm(y ~ x, binomial)` with `b` replicates and `seed`. Errors when the
/// model cannot be fitted on all patients or fewer than 11 patients are given (rms needs n > 10
/// for its calibration grid).
pub fn validate(x: &Matrix, y: &[u8], b: usize, seed: u32) -> anyhow::Result<Validation> {
    let n = y.len();
    anyhow::ensure!(
        x.n_rows() == n,
        "bootstrap validation: {} rows, {n} labels",
        x.n_rows()
    );
    anyhow::ensure!(
        n > 10,
        "bootstrap validation needs more than 10 patients (has {n})"
    );
    let full = fit_logistic(x, y)?;
    let lp = lp_of(&full, x);
    let p: Vec<f64> = lp.iter().map(|&v| sigmoid(v)).collect();
    let app = indexes(y, &lp, true);
    // rms: p <- sort(predicted); predy <- seq(p[5], p[n-4], length = 50)
    let mut sorted = p.clone();
    sorted.sort_by(f64::total_cmp);
    let (g0, g1) = (sorted[4], sorted[n - 5]);
    let grid: Vec<f64> = (0..CAL_POINTS)
        .map(|k| {
            if k == CAL_POINTS - 1 {
                g1
            } else {
                g0 + k as f64 * (g1 - g0) / (CAL_POINTS - 1) as f64
            }
        })
        .collect();
    let app_err = cal_error(&p, y, &grid);

    let mut rng = Mt19937::new(seed);
    let mut diffs: [Vec<f64>; 4] = Default::default();
    let mut cal_sum = vec![0.0; CAL_POINTS];
    let mut cal_n = vec![0usize; CAL_POINTS];
    let mut rows = vec![0usize; n];
    for _ in 0..b {
        for r in rows.iter_mut() {
            *r = rng.random_interval(n as u64 - 1) as usize;
        }
        let xb = x.select_rows(&rows);
        let yb: Vec<u8> = rows.iter().map(|&i| y[i]).collect();
        let Ok(fb) = fit_logistic(&xb, &yb) else {
            continue;
        };
        let lp_b = lp_of(&fb, &xb);
        let lp_o = lp_of(&fb, x);
        let tr = indexes(&yb, &lp_b, true);
        let te = indexes(y, &lp_o, false);
        if tr.iter().chain(&te).any(|v| !v.is_finite()) {
            continue;
        }
        for k in 0..4 {
            diffs[k].push(tr[k] - te[k]);
        }
        let pb: Vec<f64> = lp_b.iter().map(|&v| sigmoid(v)).collect();
        let po: Vec<f64> = lp_o.iter().map(|&v| sigmoid(v)).collect();
        let etr = cal_error(&pb, &yb, &grid);
        let ete = cal_error(&po, y, &grid);
        for k in 0..CAL_POINTS {
            let d = etr[k] - ete[k];
            if d.is_finite() {
                cal_sum[k] += d;
                cal_n[k] += 1;
            }
        }
    }
    let b_used = diffs[0].len();
    let index = |k: usize| {
        let d = &diffs[k];
        let m = d.len() as f64;
        let opt = d.iter().sum::<f64>() / m;
        let sd = (d.iter().map(|v| (v - opt).powi(2)).sum::<f64>() / (m - 1.0)).sqrt();
        ValidatedIndex {
            apparent: app[k],
            optimism: opt,
            optimism_se: sd / m.sqrt(),
            corrected: app[k] - opt,
        }
    };
    let apparent: Vec<f64> = grid.iter().zip(&app_err).map(|(g, e)| g + e).collect();
    let corrected: Vec<f64> = (0..CAL_POINTS)
        .map(|k| apparent[k] - cal_sum[k] / cal_n[k] as f64)
        .collect();
    let mut abs_err: Vec<f64> = corrected
        .iter()
        .zip(&grid)
        .map(|(c, g)| (c - g).abs())
        .filter(|v| v.is_finite())
        .collect();
    let mean_abs_error = abs_err.iter().sum::<f64>() / abs_err.len() as f64;
    abs_err.sort_by(f64::total_cmp);
    Ok(Validation {
        b,
        b_used,
        seed,
        auc: index(0),
        brier: index(1),
        intercept: index(2),
        slope: index(3),
        calibration: CalibrationCurve {
            predicted: grid,
            apparent,
            corrected,
            n_used: cal_n,
            mean_abs_error,
            q90_abs_error: super::quantile_sorted(&abs_err, 0.9),
        },
        fitted: p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize) -> (Matrix, Vec<u8>) {
        let mut rng = Mt19937::new(7);
        let mut unif = || f64::from(rng.next_u32()) / 4_294_967_296.0;
        // one real predictor and five noise columns: refitting is clearly optimistic
        let mut cols = vec![Vec::new(); 6];
        let mut y = Vec::new();
        for _ in 0..n {
            for c in cols.iter_mut() {
                c.push(unif() * 4.0 - 2.0);
            }
            let u = unif();
            y.push(u8::from(u < sigmoid(0.3 + 0.8 * cols[0].last().unwrap())));
        }
        (Matrix::from_columns(&cols), y)
    }

    #[test]
    fn seeded_and_optimistic() {
        let (x, y) = data(80);
        let v1 = validate(&x, &y, 200, 11).unwrap();
        let v2 = validate(&x, &y, 200, 11).unwrap();
        assert_eq!(v1, v2, "same seed, same result");
        let v3 = validate(&x, &y, 200, 12).unwrap();
        assert_ne!(v1.auc.optimism, v3.auc.optimism, "the seed is used");
        // refitting on the data used to evaluate is optimistic on average: AUC and slope
        assert!(v1.auc.optimism > 0.0 && v1.slope.optimism > 0.0, "{v1:?}");
        assert!(v1.slope.corrected < 1.0);
        assert_eq!(v1.intercept.apparent, 0.0);
        // a few replicates may separate and are skipped, as in rms
        assert!(v1.b_used > 150 && v1.b_used <= 200, "{}", v1.b_used);
        let c = &v1.calibration;
        assert_eq!(c.predicted.len(), CAL_POINTS);
        assert!(c.predicted.windows(2).all(|w| w[0] < w[1]));
        assert!(c.corrected.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn approx_is_rule_1() {
        let f = [(0.0, 0.0), (1.0, 2.0), (1.0, 2.0), (2.0, 2.0)];
        assert_eq!(approx(&f, 0.5), 1.0);
        assert_eq!(approx(&f, 1.0), 2.0);
        assert_eq!(approx(&f, 2.0), 2.0);
        assert!(approx(&f, 2.1).is_nan() && approx(&f, -0.1).is_nan());
    }
}
