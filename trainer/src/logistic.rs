//! Logistic regression for a 0/1 outcome.
//!
//! * [`fit_logistic`]: unpenalised maximum likelihood by Newton–Raphson (= IRLS for the canonical
//!   logit link), as `statsmodels.Logit(...).fit(method="newton")` and R's `glm(binomial)`:
//!   Var(β̂) = (XᵀWX)⁻¹ with W = diag(p(1−p)) at the optimum; Wald z = β/SE; p = 2Φ(−|z|);
//!   OR = e^β with the 95 % CI e^{β ± z₀.₉₇₅·SE}. Complete or quasi-complete separation (the
//!   likelihood has no finite maximum) and collinear predictors are reported as errors instead of
//!   returning meaningless estimates.
//! * [`fit_logistic_l2`]: scikit-learn's default `LogisticRegression()` (L2, C = 1, intercept not
//!   penalised): the minimiser of ½‖w‖² + C·Σ log-loss, solved exactly by Newton (lbfgs stops near
//!   the same optimum). No Wald inference exists for a penalised fit: SE/z/p/CI are NaN.
//! * [`l1_logistic_cv`]: an L1-penalised logistic LASSO with a warm-started regularisation path and
//!   cross-validated binomial deviance, in the spirit of `cv.glmnet(family = "binomial")`.
//!
//! Probabilities use the same formula as the core model's scorer
//! (`1/(1+e^{−η})` for η ≥ 0, `e^{η}/(1+e^{η})` otherwise, `libm::exp`), so a probability computed
//! here and one computed by the exported model agree to the last few bits.

use crate::preprocess::Matrix;
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

/// z₀.₉₇₅, the two-sided 95 % normal quantile.
pub const Z_975: f64 = 1.959_963_984_540_054;

/// Maximum Newton iterations (statsmodels' default `maxiter` for `newton`).
const MAX_NEWTON: usize = 100;

/// Why an unpenalised fit has no usable maximum-likelihood estimate. Errors of [`fit_logistic`]
/// carry this value (`err.downcast_ref::<NoMle>()`, or [`no_mle`]) so callers can skip a variable
/// or fall back to a penalised fit instead of failing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoMle {
    /// The design matrix is rank-deficient (a constant predictor or collinear predictors): the
    /// information matrix is singular already at the starting point.
    Collinear,
    /// The predictors classify every training patient perfectly (log-likelihood → 0).
    CompleteSeparation,
    /// The likelihood keeps increasing along a direction (coefficients diverge, fitted
    /// probabilities reach 0 or 1, the information matrix degenerates during the iterations).
    QuasiCompleteSeparation,
}

impl NoMle {
    /// True for complete or quasi-complete separation (the estimate diverges).
    pub fn is_separation(&self) -> bool {
        matches!(
            self,
            NoMle::CompleteSeparation | NoMle::QuasiCompleteSeparation
        )
    }
}

impl std::fmt::Display for NoMle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NoMle::Collinear => "the information matrix is singular (constant or collinear predictors)",
            NoMle::CompleteSeparation => {
                "complete separation: the predictors classify every training patient perfectly, so the \
                 maximum-likelihood estimate does not exist"
            }
            NoMle::QuasiCompleteSeparation => {
                "quasi-complete separation of the outcome by the predictors: the coefficients diverge \
                 and the maximum-likelihood estimate does not exist"
            }
        })
    }
}

impl std::error::Error for NoMle {}

/// The [`NoMle`] reason of a fit error, if that is why the fit failed.
pub fn no_mle(e: &anyhow::Error) -> Option<&NoMle> {
    e.chain().find_map(|c| c.downcast_ref::<NoMle>())
}

/// Logistic function with the core scorer's branch structure.
#[inline]
pub fn sigmoid(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + libm::exp(-eta))
    } else {
        let e = libm::exp(eta);
        e / (1.0 + e)
    }
}

/// Two-sided normal p-value 2Φ(−|z|) = erfc(|z|/√2).
pub fn two_sided_p(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// A fitted logistic model. Vectors indexed by term carry the intercept first
/// (`[intercept, x_1, …, x_k]`), as statsmodels' `params`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogisticFit {
    /// β₀.
    pub intercept: f64,
    /// β₁…β_k, one per column of X.
    pub coef: Vec<f64>,
    /// Standard errors (intercept first); NaN for penalised fits.
    pub se: Vec<f64>,
    /// Wald z (intercept first).
    pub z: Vec<f64>,
    /// Two-sided Wald p-values (intercept first).
    pub p: Vec<f64>,
    /// Odds ratios e^β (intercept first).
    pub or: Vec<f64>,
    /// 95 % CI of the odds ratios (intercept first).
    pub ci: Vec<[f64; 2]>,
    /// Log-likelihood at the estimate.
    pub loglik: f64,
    /// Log-likelihood of the intercept-only model.
    pub loglik_null: f64,
    /// Newton iterations used.
    pub n_iter: usize,
}

impl LogisticFit {
    /// Linear predictor for one row of raw predictor values.
    pub fn linear_predictor(&self, row: &[f64]) -> f64 {
        let mut eta = self.intercept;
        for (b, x) in self.coef.iter().zip(row) {
            eta += b * x;
        }
        eta
    }

    /// Probability of class 1 for one row.
    pub fn probability(&self, row: &[f64]) -> f64 {
        sigmoid(self.linear_predictor(row))
    }

    /// Probabilities for every row of `x`.
    pub fn predict(&self, x: &Matrix) -> Vec<f64> {
        (0..x.n_rows())
            .map(|i| self.probability(&x.row(i)))
            .collect()
    }
}

/// log(1 + e^η) without overflow.
#[inline]
fn softplus(eta: f64) -> f64 {
    if eta > 0.0 {
        eta + libm::log1p(libm::exp(-eta))
    } else {
        libm::log1p(libm::exp(eta))
    }
}

fn check_inputs(x: &Matrix, y: &[u8]) -> Result<()> {
    if x.n_rows() != y.len() {
        bail!(
            "logistic regression: {} rows of predictors but {} labels",
            x.n_rows(),
            y.len()
        );
    }
    if let Some(i) = y.iter().position(|&v| v > 1) {
        bail!(
            "logistic regression: label of row {} is {}, expected 0 or 1",
            i + 1,
            y[i]
        );
    }
    let n1 = y.iter().filter(|&&v| v == 1).count();
    if n1 == 0 || n1 == y.len() {
        bail!(
            "logistic regression: the outcome has a single class ({} rows, {} positive)",
            y.len(),
            n1
        );
    }
    for j in 0..x.n_cols() {
        if let Some(i) = x.col(j).iter().position(|v| !v.is_finite()) {
            bail!(
                "logistic regression: predictor {} of row {} is not finite",
                j + 1,
                i + 1
            );
        }
    }
    Ok(())
}

/// Cholesky factorisation of a symmetric positive-definite `m × m` matrix (row-major) in place
/// (lower triangle). `None` if it is not numerically positive definite.
fn cholesky(a: &mut [f64], m: usize) -> Option<()> {
    let scale = (0..m)
        .map(|i| a[i * m + i].abs())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    for j in 0..m {
        let mut d = a[j * m + j];
        for k in 0..j {
            d -= a[j * m + k] * a[j * m + k];
        }
        if d.is_nan() || d <= 1e-13 * scale {
            return None;
        }
        let d = d.sqrt();
        a[j * m + j] = d;
        for i in j + 1..m {
            let mut s = a[i * m + j];
            for k in 0..j {
                s -= a[i * m + k] * a[j * m + k];
            }
            a[i * m + j] = s / d;
        }
    }
    Some(())
}

/// Solves L Lᵀ x = b with the factor from [`cholesky`].
fn chol_solve(l: &[f64], m: usize, b: &[f64]) -> Vec<f64> {
    let mut x = b.to_vec();
    for i in 0..m {
        let mut s = x[i];
        for k in 0..i {
            s -= l[i * m + k] * x[k];
        }
        x[i] = s / l[i * m + i];
    }
    for i in (0..m).rev() {
        let mut s = x[i];
        for k in i + 1..m {
            s -= l[k * m + i] * x[k];
        }
        x[i] = s / l[i * m + i];
    }
    x
}

/// Inverse of the matrix factorised by [`cholesky`] (row-major, symmetric).
fn chol_inverse(l: &[f64], m: usize) -> Vec<f64> {
    let mut inv = vec![0.0; m * m];
    let mut e = vec![0.0; m];
    for c in 0..m {
        e.iter_mut().for_each(|v| *v = 0.0);
        e[c] = 1.0;
        let col = chol_solve(l, m, &e);
        for r in 0..m {
            inv[r * m + c] = col[r];
        }
    }
    inv
}

/// Design matrix with a leading column of ones (columns borrowed from X).
struct Design<'a> {
    ones: Vec<f64>,
    x: &'a Matrix,
}

impl<'a> Design<'a> {
    fn new(x: &'a Matrix) -> Self {
        Design {
            ones: vec![1.0; x.n_rows()],
            x,
        }
    }
    fn m(&self) -> usize {
        self.x.n_cols() + 1
    }
    fn col(&self, j: usize) -> &[f64] {
        if j == 0 {
            &self.ones
        } else {
            self.x.col(j - 1)
        }
    }
    fn eta(&self, b: &[f64]) -> Vec<f64> {
        let mut eta = vec![b[0]; self.x.n_rows()];
        for (j, bj) in b.iter().enumerate().skip(1) {
            for (e, v) in eta.iter_mut().zip(self.col(j)) {
                *e += bj * v;
            }
        }
        eta
    }
    /// Gradient Xᵀ(y − p) and Hessian XᵀWX (row-major) at `b`, plus the log-likelihood.
    fn derivatives(&self, b: &[f64], y: &[u8]) -> (Vec<f64>, Vec<f64>, f64) {
        let m = self.m();
        let eta = self.eta(b);
        let mut resid = Vec::with_capacity(eta.len());
        let mut w = Vec::with_capacity(eta.len());
        let mut ll = 0.0;
        for (&e, &yi) in eta.iter().zip(y) {
            let p = sigmoid(e);
            resid.push(f64::from(yi) - p);
            w.push(p * (1.0 - p));
            ll += f64::from(yi) * e - softplus(e);
        }
        let mut g = vec![0.0; m];
        let mut h = vec![0.0; m * m];
        for j in 0..m {
            let cj = self.col(j);
            g[j] = cj.iter().zip(&resid).map(|(a, r)| a * r).sum();
            let wj: Vec<f64> = cj.iter().zip(&w).map(|(a, wi)| a * wi).collect();
            for k in j..m {
                let s: f64 = wj.iter().zip(self.col(k)).map(|(a, c)| a * c).sum();
                h[j * m + k] = s;
                h[k * m + j] = s;
            }
        }
        (g, h, ll)
    }
    fn loglik(&self, b: &[f64], y: &[u8]) -> f64 {
        self.eta(b)
            .iter()
            .zip(y)
            .map(|(&e, &yi)| f64::from(yi) * e - softplus(e))
            .sum()
    }
}

fn loglik_null(y: &[u8]) -> f64 {
    let n = y.len() as f64;
    let n1 = y.iter().filter(|&&v| v == 1).count() as f64;
    let p = n1 / n;
    n1 * p.ln() + (n - n1) * (1.0 - p).ln()
}

/// Newton iterations for the (optionally L2-penalised) log-likelihood. `penalty` is 1/C applied to
/// the slopes only (`None` = unpenalised). Returns (β, final Hessian of the negative objective,
/// log-likelihood, iterations).
fn newton(x: &Matrix, y: &[u8], penalty: Option<f64>) -> Result<(Vec<f64>, Vec<f64>, f64, usize)> {
    let d = Design::new(x);
    let m = d.m();
    let objective = |b: &[f64]| -> f64 {
        let ll = d.loglik(b, y);
        match penalty {
            Some(l) => ll - 0.5 * l * b[1..].iter().map(|v| v * v).sum::<f64>(),
            None => ll,
        }
    };
    let mut b = vec![0.0; m];
    // start the intercept at the logit of the prevalence (statsmodels starts at 0; the optimum is
    // the same and this saves an iteration)
    let n1 = y.iter().filter(|&&v| v == 1).count() as f64;
    b[0] = (n1 / (y.len() as f64 - n1)).ln();
    let mut obj = objective(&b);
    for it in 1..=MAX_NEWTON {
        let (mut g, mut h, _) = d.derivatives(&b, y);
        if let Some(l) = penalty {
            for j in 1..m {
                g[j] -= l * b[j];
                h[j * m + j] += l;
            }
        }
        if cholesky(&mut h, m).is_none() {
            // At the start (slopes 0) every weight is p̄(1 − p̄) > 0, so a singular Hessian there
            // means a rank-deficient design. Later it means the weights collapsed: fitted
            // probabilities reached 0/1 along a diverging direction.
            return Err(if it == 1 || penalty.is_some() {
                NoMle::Collinear
            } else {
                NoMle::QuasiCompleteSeparation
            }
            .into());
        }
        let step = chol_solve(&h, m, &g);
        // step halving keeps the objective from decreasing far from the optimum
        let mut t = 1.0;
        let mut cand: Vec<f64>;
        let mut cand_obj;
        let mut halvings = 0;
        loop {
            cand = b.iter().zip(&step).map(|(bi, si)| bi + t * si).collect();
            cand_obj = objective(&cand);
            if cand_obj >= obj - 1e-12 * obj.abs().max(1.0) || halvings >= 30 {
                break;
            }
            t *= 0.5;
            halvings += 1;
        }
        let dmax = cand
            .iter()
            .zip(&b)
            .map(|(a, c)| (a - c).abs())
            .fold(0.0, f64::max);
        let bmax = cand.iter().map(|v| v.abs()).fold(0.0, f64::max);
        b = cand;
        obj = cand_obj;
        if penalty.is_none() && obj > -1e-9 {
            return Err(NoMle::CompleteSeparation.into());
        }
        if dmax <= 1e-11 * bmax.max(1.0) {
            // one more Hessian at the converged point for the covariance
            let (_, mut h, ll) = d.derivatives(&b, y);
            if let Some(l) = penalty {
                for j in 1..m {
                    h[j * m + j] += l;
                }
            }
            if penalty.is_none() && bmax > 1e4 {
                return Err(NoMle::QuasiCompleteSeparation.into());
            }
            return Ok((b, h, ll, it));
        }
    }
    if penalty.is_none() && (saturated(&d, &b) || b.iter().any(|v| v.abs() > 30.0)) {
        return Err(NoMle::QuasiCompleteSeparation.into());
    }
    bail!("logistic regression: Newton iterations did not converge in {MAX_NEWTON} steps")
}

/// True if some fitted probability is 0 or 1 to working precision (|η| > 36: p(1 − p) < 2e-16).
/// Only used when Newton does not converge, where it marks a diverging (separated) fit; a
/// converged MLE may legitimately have such extreme patients.
fn saturated(d: &Design<'_>, b: &[f64]) -> bool {
    d.eta(b).iter().any(|e| e.abs() > 36.0)
}

/// Unpenalised logistic regression of `y` on the columns of `x` (an intercept is added), with
/// Wald inference. Errors on separation, non-convergence, collinearity or bad input.
pub fn fit_logistic(x: &Matrix, y: &[u8]) -> Result<LogisticFit> {
    check_inputs(x, y)?;
    let (b, mut h, ll, n_iter) = newton(x, y, None)?;
    let m = b.len();
    if cholesky(&mut h, m).is_none() {
        bail!("logistic regression: the information matrix at the estimate is singular");
    }
    let cov = chol_inverse(&h, m);
    let se: Vec<f64> = (0..m).map(|j| cov[j * m + j].sqrt()).collect();
    let z: Vec<f64> = b.iter().zip(&se).map(|(bi, s)| bi / s).collect();
    let p: Vec<f64> = z.iter().map(|&v| two_sided_p(v)).collect();
    let or: Vec<f64> = b.iter().map(|v| v.exp()).collect();
    let ci: Vec<[f64; 2]> = b
        .iter()
        .zip(&se)
        .map(|(bi, s)| [(bi - Z_975 * s).exp(), (bi + Z_975 * s).exp()])
        .collect();
    Ok(LogisticFit {
        intercept: b[0],
        coef: b[1..].to_vec(),
        se,
        z,
        p,
        or,
        ci,
        loglik: ll,
        loglik_null: loglik_null(y),
        n_iter,
    })
}

/// scikit-learn `LogisticRegression(C=c)` (L2 on the slopes, intercept free): the exact minimiser
/// of ½‖w‖² + C·Σ log-loss. Standard errors, z, p and CIs are NaN (no Wald inference for a
/// penalised fit); odds ratios are e^β.
pub fn fit_logistic_l2(x: &Matrix, y: &[u8], c: f64) -> Result<LogisticFit> {
    check_inputs(x, y)?;
    if !(c.is_finite() && c > 0.0) {
        bail!("L2 logistic regression: C must be a positive finite number (got {c})");
    }
    let (b, _, ll, n_iter) = newton(x, y, Some(1.0 / c))?;
    let m = b.len();
    Ok(LogisticFit {
        intercept: b[0],
        coef: b[1..].to_vec(),
        se: vec![f64::NAN; m],
        z: vec![f64::NAN; m],
        p: vec![f64::NAN; m],
        or: b.iter().map(|v| v.exp()).collect(),
        ci: vec![[f64::NAN, f64::NAN]; m],
        loglik: ll,
        loglik_null: loglik_null(y),
        n_iter,
    })
}

/// λ grid of the L1 logistic path: λ_max = max_j |x_jᵀ(y − ȳ)|/n (the smallest λ with all slopes
/// zero), then `n_lambda` log-spaced values down to λ_max·ratio, ratio = 1e-2 if n < p else 1e-4
/// (glmnet's `lambda.min.ratio`).
pub fn l1_lambda_grid(x: &Matrix, y: &[u8], n_lambda: usize) -> Vec<f64> {
    let n = x.n_rows();
    let ym = y.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
    let mut lmax = 0.0f64;
    for j in 0..x.n_cols() {
        let g: f64 = x
            .col(j)
            .iter()
            .zip(y)
            .map(|(v, &yi)| v * (f64::from(yi) - ym))
            .sum();
        lmax = lmax.max(g.abs() / n as f64);
    }
    let ratio = if n < x.n_cols() { 1e-2 } else { 1e-4 };
    if lmax <= 0.0 {
        return vec![1e-12; n_lambda.max(1)];
    }
    crate::lasso::geomspace(lmax, lmax * ratio, n_lambda.max(1))
}

/// Warm-started L1 logistic path: for each λ, the minimiser of
/// −(1/n)·loglik(β₀, β) + λ‖β‖₁ by proximal Newton (IRLS outer loop, weighted cyclic coordinate
/// descent inner loop). Returns `(intercept, coefficients)` per λ.
fn l1_path(x: &Matrix, y: &[u8], lambdas: &[f64]) -> Vec<(f64, Vec<f64>)> {
    let n = x.n_rows();
    let p = x.n_cols();
    let nf = n as f64;
    let yf: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
    let ym = yf.iter().sum::<f64>() / nf;
    let mut b0 = (ym / (1.0 - ym)).ln();
    let mut b = vec![0.0; p];
    let mut eta = vec![b0; n];
    let mut out = Vec::with_capacity(lambdas.len());
    let mut w = vec![0.0; n];
    let mut z = vec![0.0; n];
    let mut r = vec![0.0; n];
    let mut xwx = vec![0.0; p];
    for &lam in lambdas {
        for _outer in 0..100 {
            for i in 0..n {
                let pi = sigmoid(eta[i]);
                w[i] = (pi * (1.0 - pi)).max(1e-5);
                z[i] = eta[i] + (yf[i] - pi) / w[i];
                r[i] = z[i] - eta[i];
            }
            for (j, v) in xwx.iter_mut().enumerate() {
                *v = x
                    .col(j)
                    .iter()
                    .zip(&w)
                    .map(|(xi, wi)| wi * xi * xi)
                    .sum::<f64>()
                    / nf;
            }
            let sw: f64 = w.iter().sum();
            let old_b0 = b0;
            let old_b = b.clone();
            for _inner in 0..1000 {
                let mut dmax = 0.0f64;
                // intercept
                let d0 = r.iter().zip(&w).map(|(ri, wi)| wi * ri).sum::<f64>() / sw;
                if d0 != 0.0 {
                    b0 += d0;
                    r.iter_mut().for_each(|ri| *ri -= d0);
                    dmax = dmax.max(d0.abs());
                }
                for j in 0..p {
                    if xwx[j] <= 0.0 {
                        continue;
                    }
                    let xj = x.col(j);
                    let g = xj
                        .iter()
                        .zip(&r)
                        .zip(&w)
                        .map(|((xi, ri), wi)| wi * xi * ri)
                        .sum::<f64>()
                        / nf;
                    let u = g + xwx[j] * b[j];
                    let nb = if u > lam {
                        (u - lam) / xwx[j]
                    } else if u < -lam {
                        (u + lam) / xwx[j]
                    } else {
                        0.0
                    };
                    let d = nb - b[j];
                    if d != 0.0 {
                        for (ri, xi) in r.iter_mut().zip(xj) {
                            *ri -= d * xi;
                        }
                        b[j] = nb;
                        dmax = dmax.max(d.abs() * xwx[j].sqrt());
                    }
                }
                if dmax < 1e-9 {
                    break;
                }
            }
            // new linear predictor
            for i in 0..n {
                eta[i] = z[i] - r[i];
            }
            let change = (b0 - old_b0).abs().max(
                b.iter()
                    .zip(&old_b)
                    .map(|(a, c)| (a - c).abs())
                    .fold(0.0, f64::max),
            );
            if change < 1e-8 {
                break;
            }
        }
        out.push((b0, b.clone()));
    }
    out
}

/// Coefficients (`[λ][feature]`) of the warm-started L1 logistic path on all rows (for figures).
pub fn l1_logistic_path(x: &Matrix, y: &[u8], lambdas: &[f64]) -> Vec<Vec<f64>> {
    l1_path(x, y, lambdas).into_iter().map(|(_, b)| b).collect()
}

/// Mean binomial deviance −2·mean(y ln p + (1−y) ln(1−p)), p clipped to [1e-5, 1 − 1e-5] as glmnet.
fn deviance(eta: &[f64], y: &[u8]) -> f64 {
    let mut s = 0.0;
    for (&e, &yi) in eta.iter().zip(y) {
        let p = sigmoid(e).clamp(1e-5, 1.0 - 1e-5);
        s += if yi == 1 { p.ln() } else { (1.0 - p).ln() };
    }
    -2.0 * s / eta.len() as f64
}

/// L1-penalised logistic LASSO with K-fold CV on the binomial deviance (glmnet-like:
/// `cv.glmnet(family="binomial", type.measure="deviance")` on already z-scored columns; folds
/// are contiguous like `KFold` without shuffling so results are reproducible). The result reuses
/// [`crate::lasso::LassoCvResult`]: `alphas` = λ grid, `mse_path`/`mean_mse` = held-out deviance
/// per fold / fold-size-weighted mean; `min_index` = arg-min, `one_se_index` = largest λ with
/// mean deviance ≤ min + its SE. The coefficients are those of the full-data path at the chosen λ;
/// the radscore is then the linear predictor on the logit scale.
pub fn l1_logistic_cv(
    x: &Matrix,
    y: &[u8],
    o: &crate::lasso::LassoCvOptions,
) -> Result<crate::lasso::LassoCvResult> {
    check_inputs(x, y)?;
    let n = x.n_rows();
    let lambdas = l1_lambda_grid(x, y, o.n_alphas);
    let folds = crate::split::kfold_ids(n, o.n_folds);
    let k = o.n_folds;
    let mut per_fold: Vec<Vec<f64>> = Vec::with_capacity(k);
    let mut sizes = Vec::with_capacity(k);
    for f in 0..k {
        let tr: Vec<usize> = (0..n).filter(|&i| folds[i] != f).collect();
        let te: Vec<usize> = (0..n).filter(|&i| folds[i] == f).collect();
        let ytr: Vec<u8> = tr.iter().map(|&i| y[i]).collect();
        let yte: Vec<u8> = te.iter().map(|&i| y[i]).collect();
        if !(ytr.contains(&0) && ytr.contains(&1)) {
            bail!(
                "L1 logistic CV: fold {} leaves a single class in its training part",
                f + 1
            );
        }
        let xtr = x.select_rows(&tr);
        let xte = x.select_rows(&te);
        let path = l1_path(&xtr, &ytr, &lambdas);
        per_fold.push(
            path.iter()
                .map(|(b0, b)| {
                    let eta: Vec<f64> = (0..te.len())
                        .map(|i| {
                            b0 + b
                                .iter()
                                .enumerate()
                                .map(|(j, bj)| bj * xte.get(i, j))
                                .sum::<f64>()
                        })
                        .collect();
                    deviance(&eta, &yte)
                })
                .collect(),
        );
        sizes.push(te.len() as f64);
    }
    let total: f64 = sizes.iter().sum();
    let mse_path: Vec<Vec<f64>> = (0..lambdas.len())
        .map(|a| per_fold.iter().map(|d| d[a]).collect())
        .collect();
    let mean_mse: Vec<f64> = mse_path
        .iter()
        .map(|row| row.iter().zip(&sizes).map(|(d, s)| d * s).sum::<f64>() / total)
        .collect();
    let cvsd: Vec<f64> = mse_path
        .iter()
        .zip(&mean_mse)
        .map(|(row, m)| {
            let v = row
                .iter()
                .zip(&sizes)
                .map(|(d, s)| s * (d - m) * (d - m))
                .sum::<f64>()
                / total;
            (v / (k as f64 - 1.0)).sqrt()
        })
        .collect();
    let mut min_index = 0;
    for (i, m) in mean_mse.iter().enumerate() {
        if *m < mean_mse[min_index] {
            min_index = i;
        }
    }
    let bound = mean_mse[min_index] + cvsd[min_index];
    let one_se_index = mean_mse
        .iter()
        .position(|m| *m <= bound)
        .unwrap_or(min_index);
    let alpha_index = match o.rule {
        crate::lasso::AlphaRule::Min => min_index,
        crate::lasso::AlphaRule::OneSe => one_se_index,
    };
    let full = l1_path(x, y, &lambdas[..=alpha_index]);
    let (intercept, coef) = full.last().cloned().unwrap_or((0.0, vec![0.0; x.n_cols()]));
    Ok(crate::lasso::LassoCvResult {
        alphas: lambdas.clone(),
        mse_path,
        mean_mse,
        folds,
        min_index,
        one_se_index,
        alpha_index,
        alpha: lambdas[alpha_index],
        coef,
        intercept,
        n_iter: 0,
        dual_gap: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_branches_agree() {
        for &e in &[-40.0f64, -3.0, -1e-9, 0.0, 1e-9, 2.5, 40.0] {
            let direct = 1.0 / (1.0 + (-e).exp());
            assert!((sigmoid(e) - direct).abs() < 1e-15, "{e}");
        }
    }

    #[test]
    fn separation_is_an_error() {
        let x = Matrix::from_columns(&[vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]);
        let y = [0, 0, 0, 1, 1, 1];
        let e = fit_logistic(&x, &y).unwrap_err().to_string();
        assert!(e.contains("separation"), "{e}");
    }

    #[test]
    fn separation_is_detected_and_typed() {
        // complete: x < 3.5 ⇔ y = 0
        let x = Matrix::from_columns(&[vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]);
        let e = fit_logistic(&x, &[0, 0, 0, 1, 1, 1]).unwrap_err();
        assert_eq!(no_mle(&e), Some(&NoMle::CompleteSeparation), "{e:#}");
        // quasi-complete: x ≤ 3 ⇔ y = 0 except for a tie of both classes at x = 3
        let x = Matrix::from_columns(&[vec![1.0, 2.0, 3.0, 3.0, 4.0, 5.0, 6.0]]);
        let e = fit_logistic(&x, &[0, 0, 0, 1, 1, 1, 1]).unwrap_err();
        assert_eq!(no_mle(&e), Some(&NoMle::QuasiCompleteSeparation), "{e:#}");
        // two columns that separate only jointly (x1 + x2 > 0 ⇔ y = 1)
        let x = Matrix::from_columns(&[
            vec![1.0, -2.0, 0.5, 2.0, -1.0, 3.0],
            vec![-2.0, 1.0, 0.2, -1.0, 2.0, -1.5],
        ]);
        let e = fit_logistic(&x, &[0, 0, 1, 1, 1, 1]).unwrap_err();
        assert!(no_mle(&e).is_some_and(NoMle::is_separation), "{e:#}");
        // a constant column is collinear with the intercept, not separation
        let x = Matrix::from_columns(&[vec![2.0; 6]]);
        let e = fit_logistic(&x, &[0, 1, 0, 1, 1, 0]).unwrap_err();
        assert_eq!(no_mle(&e), Some(&NoMle::Collinear), "{e:#}");
        // the L2 fit exists and is finite on the separated data
        let x = Matrix::from_columns(&[vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]);
        let r = fit_logistic_l2(&x, &[0, 0, 0, 1, 1, 1], 1.0).expect("l2");
        assert!(r.coef[0].is_finite() && r.coef[0] > 0.0);
    }

    #[test]
    fn gradient_is_zero_at_the_mle() {
        let x = Matrix::from_columns(&[vec![0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]]);
        let y = [0, 0, 1, 0, 1, 0, 1, 1];
        let f = fit_logistic(&x, &y).expect("fit");
        let (mut g0, mut g1) = (0.0, 0.0);
        for (i, &yi) in y.iter().enumerate() {
            let r = f64::from(yi) - f.probability(&[x.get(i, 0)]);
            g0 += r;
            g1 += r * x.get(i, 0);
        }
        assert!(g0.abs() < 1e-10 && g1.abs() < 1e-10, "{g0} {g1}");
        assert!(f.p[1] > 0.0 && f.p[1] < 1.0);
        assert!(f.ci[1][0] < f.or[1] && f.or[1] < f.ci[1][1]);
    }

    #[test]
    fn l2_shrinks_towards_zero() {
        let x = Matrix::from_columns(&[vec![0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]]);
        let y = [0, 0, 1, 0, 1, 0, 1, 1];
        let f = fit_logistic(&x, &y).expect("fit");
        let r = fit_logistic_l2(&x, &y, 1.0).expect("fit");
        assert!(r.coef[0].abs() < f.coef[0].abs());
        // stationarity of ½w² + C·logloss: w = C·Σ x (y − p)
        let g1: f64 = (0..8)
            .map(|i| x.get(i, 0) * (f64::from(y[i]) - r.probability(&[x.get(i, 0)])))
            .sum();
        assert!((r.coef[0] - g1).abs() < 1e-10);
    }
}

#[cfg(test)]
mod l1_tests {
    use super::*;

    #[test]
    fn l1_path_satisfies_kkt() {
        // 40 rows, 3 columns; column 0 informative
        let n = 40;
        let c0: Vec<f64> = (0..n).map(|i| ((i * 7) % 13) as f64 / 6.0 - 1.0).collect();
        let c1: Vec<f64> = (0..n).map(|i| ((i * 5) % 11) as f64 / 5.0 - 1.0).collect();
        let c2: Vec<f64> = (0..n).map(|i| ((i * 3) % 7) as f64 / 3.0 - 1.0).collect();
        let y: Vec<u8> = (0..n)
            .map(|i| u8::from(c0[i] + 0.3 * c1[i] + if i % 4 == 0 { 1.5 } else { -0.2 } > 0.0))
            .collect();
        let x = Matrix::from_columns(&[c0, c1, c2]);
        let lams = l1_lambda_grid(&x, &y, 20);
        let path = l1_path(&x, &y, &lams);
        assert!(path[0].1.iter().all(|b| *b == 0.0));
        let (b0, b) = &path[10];
        let nf = n as f64;
        let mut g0 = 0.0;
        for j in 0..3 {
            let g: f64 = (0..n)
                .map(|i| {
                    let eta = b0 + (0..3).map(|k| b[k] * x.get(i, k)).sum::<f64>();
                    x.get(i, j) * (f64::from(y[i]) - sigmoid(eta))
                })
                .sum::<f64>()
                / nf;
            if b[j] != 0.0 {
                assert!((g - lams[10] * b[j].signum()).abs() < 1e-6, "{j} {g}");
            } else {
                assert!(g.abs() <= lams[10] + 1e-6);
            }
            g0 += g;
        }
        let _ = g0;
    }
}
