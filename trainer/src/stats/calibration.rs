//! Calibration: Brier score, rms `val.prob` logistic recalibration and lowess errors, binned
//! reliability curve (sklearn `calibration_curve`), and R's `lowess` smoother.

use super::quantile_sorted;

/// Brier score `mean((p − y)²)` (rms `val.prob` "Brier", sklearn `brier_score_loss`).
pub fn brier(y: &[u8], p: &[f64]) -> f64 {
    if y.is_empty() || y.len() != p.len() {
        return f64::NAN;
    }
    let s: f64 = y
        .iter()
        .zip(p)
        .map(|(&l, &q)| (q - f64::from(u8::from(l == 1))).powi(2))
        .sum();
    s / y.len() as f64
}

/// Result of [`val_prob`] (the calibration part of rms `val.prob(p, y)`).
#[derive(Clone, Debug, PartialEq)]
pub struct ValProb {
    /// Patients used in the logistic recalibration (those with 0 < p < 1).
    pub n: usize,
    /// Patients dropped because p is exactly 0 or 1 (rms: "observations deleted from logistic
    /// calibration").
    pub n_dropped: usize,
    /// Calibration intercept and slope: `lrm(y ~ logit(p))` (rms "Intercept", "Slope").
    pub intercept: f64,
    pub slope: f64,
    /// Calibration-in-the-large: intercept of `glm(y ~ 1, offset = logit(p), binomial)`.
    pub citl: f64,
    /// Brier score over all patients.
    pub brier: f64,
    /// Mean, maximum and 90th percentile of |p − lowess(p, y, iter = 0)(p)| (rms "Eavg", "Emax",
    /// "E90"; the smooth interpolated at each p with `approx(ties = mean)`).
    pub eavg: f64,
    pub emax: f64,
    pub e90: f64,
    /// The lowess calibration curve: distinct p (ascending) and the smoothed observed rate there.
    pub curve: Vec<(f64, f64)>,
}

fn logit(p: f64) -> f64 {
    p.ln() - (-p).ln_1p()
}

fn expit(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Logistic regression `y ~ a + b·x` by Newton–Raphson (MLE, as `lrm`/`glm`); `fixed_slope =
/// Some(1)` fits only the intercept with `x` as offset. Returns (a, b) or NaN if it diverges.
pub(crate) fn logistic_1d(y: &[f64], x: &[f64], fixed_slope: Option<f64>) -> (f64, f64) {
    let loglik = |a: f64, b: f64| -> f64 {
        y.iter()
            .zip(x)
            .map(|(&yi, &xi)| {
                let eta = a + b * xi;
                // log(1 + e^eta) computed stably
                let log1pexp = if eta > 0.0 {
                    eta + (-eta).exp().ln_1p()
                } else {
                    eta.exp().ln_1p()
                };
                yi * eta - log1pexp
            })
            .sum()
    };
    let (mut a, mut b) = (0.0, fixed_slope.unwrap_or(1.0));
    let mut ll = loglik(a, b);
    for _ in 0..200 {
        let (mut g0, mut g1, mut h00, mut h01, mut h11) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (&yi, &xi) in y.iter().zip(x) {
            let p = expit(a + b * xi);
            let w = p * (1.0 - p);
            let r = yi - p;
            g0 += r;
            g1 += r * xi;
            h00 += w;
            h01 += w * xi;
            h11 += w * xi * xi;
        }
        let (da, db) = if fixed_slope.is_some() {
            (g0 / h00, 0.0)
        } else {
            let det = h00 * h11 - h01 * h01;
            ((h11 * g0 - h01 * g1) / det, (h00 * g1 - h01 * g0) / det)
        };
        if !da.is_finite() || !db.is_finite() {
            return (f64::NAN, f64::NAN);
        }
        // Step-halving (as lrm.fit / glm.fit): a full Newton step from a poor start can overshoot
        // and diverge; halve it until the log-likelihood does not decrease.
        let mut step = 1.0;
        let (mut na, mut nb) = (a + da, b + db);
        let mut nll = loglik(na, nb);
        let mut halvings = 0;
        while (nll.is_nan() || nll < ll - 1e-12 * ll.abs()) && halvings < 40 {
            step *= 0.5;
            na = a + step * da;
            nb = b + step * db;
            nll = loglik(na, nb);
            halvings += 1;
        }
        let (sa, sb) = (na - a, nb - b);
        a = na;
        b = nb;
        ll = nll;
        if sa.abs() <= 1e-14 * (1.0 + a.abs()) && sb.abs() <= 1e-14 * (1.0 + b.abs()) {
            break;
        }
    }
    (a, b)
}

/// Validation of predicted probabilities as rms `val.prob(p, y)` reports calibration:
/// * intercept/slope of `lrm(y ~ logit(p))` over patients with 0 < p < 1,
/// * calibration-in-the-large `glm(y ~ 1 + offset(logit(p)))`,
/// * Brier score,
/// * Eavg/Emax/E90 = mean/max/90th percentile (type 7) of `|p − s(p)|`, where `s` is
///   `lowess(p, y, f = 2/3, iter = 0, delta = 0.01·range(p))` ([`lowess`]) linearly interpolated
///   over the distinct p with tied fits averaged (`approx(ties = mean)`).
pub fn val_prob(y: &[u8], p: &[f64]) -> ValProb {
    val_prob_with(y, p, LowessFlavor::R)
}

/// [`val_prob`] with the lowess implementation chosen (R's for rms parity, statsmodels' to compare
/// with Python-made references).
pub fn val_prob_with(y: &[u8], p: &[f64], flavor: LowessFlavor) -> ValProb {
    if p.is_empty() || y.len() != p.len() {
        let nan = f64::NAN;
        return ValProb {
            n: 0,
            n_dropped: p.len(),
            intercept: nan,
            slope: nan,
            citl: nan,
            brier: nan,
            eavg: nan,
            emax: nan,
            e90: nan,
            curve: Vec::new(),
        };
    }
    let keep: Vec<usize> = (0..p.len()).filter(|&i| p[i] > 0.0 && p[i] < 1.0).collect();
    let yk: Vec<f64> = keep
        .iter()
        .map(|&i| f64::from(u8::from(y[i] == 1)))
        .collect();
    let xk: Vec<f64> = keep.iter().map(|&i| logit(p[i])).collect();
    let (intercept, slope) = logistic_1d(&yk, &xk, None);
    let (citl, _) = logistic_1d(&yk, &xk, Some(1.0));
    let yf: Vec<f64> = y.iter().map(|&l| f64::from(u8::from(l == 1))).collect();
    let (min, max) = p
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let fit = lowess_flavor(p, &yf, 2.0 / 3.0, 0, 0.01 * (max - min), flavor);
    // approx(ties = mean) over the distinct x
    let mut curve: Vec<(f64, f64)> = Vec::new();
    let mut count = 0usize;
    for &(xv, yv) in &fit {
        match curve.last_mut() {
            Some(last) if last.0 == xv => {
                last.1 += yv;
                count += 1;
            }
            _ => {
                if let Some(last) = curve.last_mut() {
                    last.1 /= count as f64;
                }
                curve.push((xv, yv));
                count = 1;
            }
        }
    }
    if let Some(last) = curve.last_mut() {
        last.1 /= count as f64;
    }
    let mut err: Vec<f64> = p.iter().map(|&v| (v - interp(&curve, v)).abs()).collect();
    let eavg = err.iter().sum::<f64>() / err.len() as f64;
    let emax = err.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    err.sort_by(f64::total_cmp);
    let e90 = quantile_sorted(&err, 0.9);
    ValProb {
        n: keep.len(),
        n_dropped: p.len() - keep.len(),
        intercept,
        slope,
        citl,
        brier: brier(y, p),
        eavg,
        emax,
        e90,
        curve,
    }
}

/// Linear interpolation in a curve with strictly increasing x (constant beyond the ends).
fn interp(curve: &[(f64, f64)], x: f64) -> f64 {
    let n = curve.len();
    if n == 0 {
        return f64::NAN;
    }
    if x <= curve[0].0 {
        return curve[0].1;
    }
    if x >= curve[n - 1].0 {
        return curve[n - 1].1;
    }
    let j = curve.partition_point(|c| c.0 <= x);
    let (x0, y0) = curve[j - 1];
    let (x1, y1) = curve[j];
    if x == x0 {
        return y0;
    }
    let slope = (y1 - y0) / (x1 - x0);
    slope * (x - x0) + y0
}

/// How [`bins`] places the bin edges (sklearn `calibration_curve(strategy = …)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinStrategy {
    /// `n` equal-width bins on [0, 1].
    Uniform,
    /// Edges at the type-7 quantiles of p.
    Quantile,
}

/// One non-empty bin of the reliability curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CalBin {
    /// Bin edges.
    pub lo: f64,
    pub hi: f64,
    pub n: usize,
    /// Mean predicted probability (sklearn `prob_pred`).
    pub mean_pred: f64,
    /// Observed fraction of positives (sklearn `prob_true`).
    pub frac_pos: f64,
}

/// Reliability curve with `n` uniform bins (sklearn `calibration_curve(y, p, n_bins = n)`).
pub fn bins(y: &[u8], p: &[f64], n: usize) -> Vec<CalBin> {
    bins_with(y, p, n, BinStrategy::Uniform)
}

/// Reliability curve as sklearn `calibration_curve(y, p, n_bins, strategy)`: edges `e_0..e_n`
/// (uniform on \[0, 1\] or quantiles of p), bin of p = number of inner edges `< p` (right-closed
/// bins, `searchsorted(edges[1:-1], p)`); empty bins are omitted.
pub fn bins_with(y: &[u8], p: &[f64], n: usize, strategy: BinStrategy) -> Vec<CalBin> {
    if n == 0 || p.is_empty() {
        return Vec::new();
    }
    let edges: Vec<f64> = match strategy {
        BinStrategy::Uniform => {
            let step = 1.0 / n as f64;
            (0..=n)
                .map(|i| if i == n { 1.0 } else { i as f64 * step })
                .collect()
        }
        BinStrategy::Quantile => {
            let mut s = p.to_vec();
            s.sort_by(f64::total_cmp);
            let step = 1.0 / n as f64;
            // numpy: percentile(p, linspace(0, 1, n + 1) * 100) → q = (i·step·100)/100
            (0..=n)
                .map(|i| {
                    let q = if i == n { 1.0 } else { i as f64 * step };
                    quantile_sorted(&s, q * 100.0 / 100.0)
                })
                .collect()
        }
    };
    let inner = &edges[1..n];
    let mut sum_p = vec![0.0; n];
    let mut sum_y = vec![0.0; n];
    let mut count = vec![0usize; n];
    for (&l, &v) in y.iter().zip(p) {
        let b = inner.partition_point(|&e| e < v);
        sum_p[b] += v;
        sum_y[b] += f64::from(u8::from(l == 1));
        count[b] += 1;
    }
    (0..n)
        .filter(|&b| count[b] > 0)
        .map(|b| CalBin {
            lo: edges[b],
            hi: edges[b + 1],
            n: count[b],
            mean_pred: sum_p[b] / count[b] as f64,
            frac_pos: sum_y[b] / count[b] as f64,
        })
        .collect()
}

/// R `lowess(x, y, f, iter)` with R's default `delta = 0.01·diff(range(x))`.
/// Returns the fitted points sorted by x (ties kept, stable order), as R's `list(x, y)`.
pub fn lowess(x: &[f64], y: &[f64], f: f64, iter: usize) -> Vec<(f64, f64)> {
    let (min, max) = x
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    lowess_delta(x, y, f, iter, 0.01 * (max - min))
}

/// R `lowess(x, y, f, iter, delta)` — Cleveland's (1979) LOWESS as R's C `clowess`:
/// neighbourhood of `ns = max(2, min(n, ⌊f·n + 1e-7⌋))` points, tricube weights
/// `(1 − (r/h)³)³` with weight 1 for `r ≤ 0.001h` and 0 for `r > 0.999h` (points beyond the
/// neighbourhood but within `0.999h`, i.e. ties, are included), local linear fit only when the
/// weighted spread of x exceeds `0.001·range(x)`, fits skipped within `delta` and linearly
/// interpolated, `iter` robustness steps with bisquare weights on `6·median|residual|`.
pub fn lowess_delta(x: &[f64], y: &[f64], f: f64, iter: usize, delta: f64) -> Vec<(f64, f64)> {
    let n = x.len().min(y.len());
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let xs: Vec<f64> = order.iter().map(|&i| x[i]).collect();
    let ys: Vec<f64> = order.iter().map(|&i| y[i]).collect();
    let fit = clowess(&xs, &ys, f, iter, delta);
    xs.into_iter().zip(fit).collect()
}

/// Which LOWESS implementation [`lowess_flavor`] follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LowessFlavor {
    /// R `stats::lowess` (C `clowess`), used by rms `val.prob` — the default everywhere here.
    R,
    /// Python statsmodels `nonparametric.lowess`: same neighbourhoods and delta skipping, but
    /// plain tricube weights on the `ns` nearest points only (no 0.001h/0.999h cut-offs, no tie
    /// extension), the local slope always fitted (weighted spread floored at 1e-12), robustness
    /// weights bisquare(|r|/(6·median|r|)). Differs from R by ~1e-9 on typical data; provided to
    /// compare with Python-made references.
    Statsmodels,
}

/// [`lowess_delta`] with a choice of implementation.
pub fn lowess_flavor(
    x: &[f64],
    y: &[f64],
    f: f64,
    iter: usize,
    delta: f64,
    flavor: LowessFlavor,
) -> Vec<(f64, f64)> {
    match flavor {
        LowessFlavor::R => lowess_delta(x, y, f, iter, delta),
        LowessFlavor::Statsmodels => {
            let n = x.len().min(y.len());
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
            let xs: Vec<f64> = order.iter().map(|&i| x[i]).collect();
            let ys: Vec<f64> = order.iter().map(|&i| y[i]).collect();
            let fit = sm_lowess(&xs, &ys, f, iter, delta);
            xs.into_iter().zip(fit).collect()
        }
    }
}

fn sm_lowess(x: &[f64], y: &[f64], f: f64, iterations: usize, delta: f64) -> Vec<f64> {
    let n = x.len();
    let mut fit = vec![0.0; n];
    if n == 0 {
        return fit;
    }
    let k = ((f * n as f64 + 1e-10) as usize).max(2).min(n);
    let mut rw = vec![1.0; n];
    let mut w = vec![0.0; n];
    for _ in 0..=iterations {
        let (mut left, mut right) = (0usize, k); // [left, right)
        let mut i = 0usize;
        let mut last: isize = -1;
        fit.iter_mut().for_each(|v| *v = 0.0);
        loop {
            let xv = x[i];
            while right < n && xv > (x[left] + x[right]) / 2.0 {
                left += 1;
                right += 1;
            }
            let radius = (xv - x[left]).max(x[right - 1] - xv);
            let mut sum = 0.0;
            let mut nonzero = 0;
            for j in left..right {
                let dd = (x[j] - xv).abs() / radius;
                let t = 1.0 - dd * dd * dd;
                w[j] = t * t * t * rw[j];
                sum += w[j];
                if w[j] > 1e-12 {
                    nonzero += 1;
                }
            }
            if nonzero < 2 {
                fit[i] = y[i];
            } else {
                for wj in &mut w[left..right] {
                    *wj /= sum;
                }
                let mut mx = 0.0;
                for j in left..right {
                    mx += w[j] * x[j];
                }
                let mut var = 0.0;
                for j in left..right {
                    var += w[j] * (x[j] - mx) * (x[j] - mx);
                }
                let var = var.max(1e-12);
                let mut acc = 0.0;
                for j in left..right {
                    acc += w[j] * (1.0 + (xv - mx) * (x[j] - mx) / var) * y[j];
                }
                fit[i] = acc;
            }
            if last < i as isize - 1 {
                let l = last.max(0) as usize;
                let denom = x[i] - x[l];
                for j in l + 1..i {
                    let a = (x[j] - x[l]) / denom;
                    fit[j] = a * fit[i] + (1.0 - a) * fit[l];
                }
            }
            let mut lst = i;
            let cut = x[lst] + delta;
            let mut kk = lst + 1;
            while kk < n {
                if x[kk] > cut {
                    break;
                }
                if x[kk] == x[lst] {
                    fit[kk] = fit[lst];
                    lst = kk;
                }
                kk += 1;
            }
            last = lst as isize;
            i = (kk - 1).max(lst + 1);
            if lst >= n - 1 {
                break;
            }
        }
        let mut r: Vec<f64> = (0..n).map(|j| (y[j] - fit[j]).abs()).collect();
        let mut sorted = r.clone();
        sorted.sort_by(f64::total_cmp);
        let med = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
        };
        for v in &mut r {
            *v = if med == 0.0 {
                f64::from(u8::from(*v > 0.0))
            } else {
                (*v / (6.0 * med)).min(1.0)
            };
        }
        for (j, v) in r.iter().enumerate() {
            let t = 1.0 - v * v;
            rw[j] = t * t;
        }
    }
    fit
}

/// Local weighted linear fit at `xs` over `x[nleft..]` (0-based, inclusive `nleft..=nright` as a
/// starting window). Returns None when all weights vanish.
#[allow(clippy::too_many_arguments)]
fn lowest(
    x: &[f64],
    y: &[f64],
    xs: f64,
    nleft: usize,
    nright: usize,
    w: &mut [f64],
    rw: Option<&[f64]>,
) -> Option<f64> {
    let n = x.len();
    let range = x[n - 1] - x[0];
    let h = (xs - x[nleft]).max(x[nright] - xs);
    let h9 = 0.999 * h;
    let h1 = 0.001 * h;
    let mut a = 0.0;
    let mut j = nleft;
    while j < n {
        w[j] = 0.0;
        let r = (x[j] - xs).abs();
        if r <= h9 {
            w[j] = if r <= h1 {
                1.0
            } else {
                let q = r / h;
                let t = 1.0 - q * q * q;
                t * t * t
            };
            if let Some(rw) = rw {
                w[j] *= rw[j];
            }
            a += w[j];
        } else if x[j] > xs {
            break;
        }
        j += 1;
    }
    let nrt = j - 1;
    if a <= 0.0 {
        return None;
    }
    for wj in &mut w[nleft..=nrt] {
        *wj /= a;
    }
    if h > 0.0 {
        let mut a = 0.0;
        for j in nleft..=nrt {
            a += w[j] * x[j];
        }
        let mut b = xs - a;
        let mut c = 0.0;
        for j in nleft..=nrt {
            c += w[j] * (x[j] - a) * (x[j] - a);
        }
        if c.sqrt() > 0.001 * range {
            b /= c;
            for j in nleft..=nrt {
                w[j] *= b * (x[j] - a) + 1.0;
            }
        }
    }
    let mut ys = 0.0;
    for j in nleft..=nrt {
        ys += w[j] * y[j];
    }
    Some(ys)
}

fn clowess(x: &[f64], y: &[f64], f: f64, iterations: usize, delta: f64) -> Vec<f64> {
    let n = x.len();
    let mut ys = vec![0.0; n];
    if n == 0 {
        return ys;
    }
    if n < 2 {
        ys[0] = y[0];
        return ys;
    }
    let ns = ((f * n as f64 + 1e-7) as usize).min(n).max(2);
    let mut w = vec![0.0; n];
    let mut rw = vec![1.0; n];
    let mut res = vec![0.0; n];
    let mut iter = 1;
    while iter <= iterations + 1 {
        let (mut nleft, mut nright) = (0usize, ns - 1);
        let mut last: isize = -1;
        let mut i = 0usize;
        loop {
            if nright < n - 1 {
                let d1 = x[i] - x[nleft];
                let d2 = x[nright + 1] - x[i];
                if d1 > d2 {
                    nleft += 1;
                    nright += 1;
                    continue;
                }
            }
            let robust = if iter > 1 { Some(rw.as_slice()) } else { None };
            ys[i] = lowest(x, y, x[i], nleft, nright, &mut w, robust).unwrap_or(y[i]);
            if last < i as isize - 1 {
                // interpolate the skipped points (last ≥ 0 here: the first fit is at i = 0)
                let l = last.max(0) as usize;
                let denom = x[i] - x[l];
                for j in l + 1..i {
                    let alpha = (x[j] - x[l]) / denom;
                    ys[j] = alpha * ys[i] + (1.0 - alpha) * ys[l];
                }
            }
            last = i as isize;
            let lu = i;
            let cut = x[lu] + delta;
            let mut k = lu + 1;
            let mut lst = lu;
            while k < n {
                if x[k] > cut {
                    break;
                }
                if x[k] == x[lst] {
                    ys[k] = ys[lst];
                    lst = k;
                }
                k += 1;
            }
            last = last.max(lst as isize);
            i = (lst + 1).max(k - 1);
            if lst >= n - 1 {
                break;
            }
        }
        for k in 0..n {
            res[k] = y[k] - ys[k];
        }
        let sc = res.iter().map(|r| r.abs()).sum::<f64>() / n as f64;
        if iter > iterations {
            break;
        }
        let mut ar: Vec<f64> = res.iter().map(|r| r.abs()).collect();
        ar.sort_by(f64::total_cmp);
        let m1 = n / 2;
        let cmad = if n.is_multiple_of(2) {
            3.0 * (ar[m1] + ar[n - m1 - 1])
        } else {
            6.0 * ar[m1]
        };
        if cmad < 1e-7 * sc {
            break;
        }
        let c9 = 0.999 * cmad;
        let c1 = 0.001 * cmad;
        for k in 0..n {
            let r = res[k].abs();
            rw[k] = if r <= c1 {
                1.0
            } else if r <= c9 {
                let t = r / cmad;
                (1.0 - t * t) * (1.0 - t * t)
            } else {
                0.0
            };
        }
        iter += 1;
    }
    ys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brier_simple() {
        assert!((brier(&[1, 0], &[0.8, 0.4]) - (0.04 + 0.16) / 2.0).abs() < 1e-15);
    }

    #[test]
    fn val_prob_of_nothing_is_nan() {
        let v = val_prob(&[], &[]);
        assert!(v.intercept.is_nan() && v.emax.is_nan() && v.curve.is_empty());
    }

    #[test]
    fn lowess_reproduces_a_line() {
        // local linear fits reproduce a straight line exactly (any f, iter)
        let x: Vec<f64> = (0..30)
            .map(|i| (i as f64 * 0.37).sin() * 5.0 + i as f64)
            .collect();
        let y: Vec<f64> = x.iter().map(|v| 2.0 * v - 1.0).collect();
        for (xv, yv) in lowess(&x, &y, 2.0 / 3.0, 3) {
            assert!((yv - (2.0 * xv - 1.0)).abs() < 1e-10, "{xv} {yv}");
        }
    }

    #[test]
    fn recalibration_converges_from_a_far_start() {
        // Badly calibrated predictions (true slope ~0.25 on the logit scale, extreme p): plain
        // Newton from (0, 1) overshoots; with step-halving the score equations are solved.
        let lp: Vec<f64> = (0..60).map(|i| -9.0 + 0.3 * i as f64).collect();
        let p: Vec<f64> = lp.iter().map(|&v| expit(v)).collect();
        let y: Vec<u8> = lp
            .iter()
            .enumerate()
            .map(|(i, &v)| u8::from(expit(0.6 + 0.25 * v) > ((i * 37) % 60) as f64 / 60.0))
            .collect();
        let v = val_prob(&y, &p);
        assert!(v.slope.is_finite() && v.intercept.is_finite(), "{v:?}");
        let (mut g0, mut g1) = (0.0, 0.0);
        for (&l, &q) in y.iter().zip(&p) {
            let lq = logit(q);
            let r = f64::from(l) - expit(v.intercept + v.slope * lq);
            g0 += r;
            g1 += r * lq;
        }
        assert!(g0.abs() < 1e-9 && g1.abs() < 1e-9, "{g0} {g1}");
    }

    #[test]
    fn perfect_calibration_has_unit_slope() {
        // y drawn so that logit-recalibration is (0, 1) only in expectation: use the fact that the
        // MLE score equations hold at (a, b) — check they are solved
        let p = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.35];
        let y = [0, 0, 1, 0, 1, 0, 1, 1, 1, 0];
        let v = val_prob(&y, &p);
        let (mut g0, mut g1) = (0.0, 0.0);
        for (&l, &q) in y.iter().zip(&p) {
            let lp = logit(q);
            let r = f64::from(l) - expit(v.intercept + v.slope * lp);
            g0 += r;
            g1 += r * lp;
        }
        assert!(g0.abs() < 1e-12 && g1.abs() < 1e-12, "{g0} {g1}");
    }
}
