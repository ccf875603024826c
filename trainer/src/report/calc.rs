//! Small numeric helpers the report needs for drawing (quantiles, kernel density, ROC points,
//! calibration bins, lowess, net benefit, axis ticks) and for its tables (DeLong, Youden,
//! Mann–Whitney, chi-square, Fisher). Formulas follow `docs/trainer-notes.md` §4.

use crate::stats;

pub(crate) use stats::dist::chi2_sf;
pub(crate) use stats::midranks;
pub(crate) use stats::roc::{delong, sens_spec_at};

/// Two-sided normal p-value.
pub(crate) fn two_sided_p(z: f64) -> f64 {
    (2.0 * stats::dist::norm_sf(z.abs())).min(1.0)
}

/// Paired DeLong test (pROC `roc.test`): (z, p).
pub(crate) fn delong_test(y: &[u8], s1: &[f64], s2: &[f64]) -> (f64, f64) {
    let t = stats::roc::delong_test(y, s1, s2);
    (t.z, t.p)
}

/// ROC curve points (fpr, tpr) from (0, 0) to (1, 1).
pub(crate) fn roc_points(y: &[u8], s: &[f64]) -> Vec<(f64, f64)> {
    stats::roc::roc_curve(y, s).iter().map(|p| (p.fpr, p.tpr)).collect()
}

/// R `quantile(type = 7)` of sorted data.
pub(crate) fn quantile_sorted(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let h = (v.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// Finite values of `v`, sorted.
pub(crate) fn sorted_finite(v: &[f64]) -> Vec<f64> {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    s.sort_by(f64::total_cmp);
    s
}

/// Mann–Whitney U (two-sided, normal approximation with tie and continuity correction): (U1, p).
pub(crate) fn mann_whitney(a: &[f64], b: &[f64]) -> (f64, f64) {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    if a.is_empty() || b.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mut all = a.to_vec();
    all.extend_from_slice(b);
    let r = midranks(&all);
    let r1: f64 = r[..a.len()].iter().sum();
    let u1 = r1 - n1 * (n1 + 1.0) / 2.0;
    let nn = n1 + n2;
    let sorted = sorted_finite(&all);
    let mut tie = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1] == sorted[i] {
            j += 1;
        }
        let t = (j - i + 1) as f64;
        tie += t * t * t - t;
        i = j + 1;
    }
    let mu = n1 * n2 / 2.0;
    let sigma = (n1 * n2 / 12.0 * ((nn + 1.0) - tie / (nn * (nn - 1.0)))).sqrt();
    if sigma <= 0.0 {
        return (u1, 1.0);
    }
    let d = u1 - mu;
    let z = (d - 0.5 * d.signum()) / sigma;
    (u1, two_sided_p(z))
}

/// Pearson chi-square test of independence (Yates correction for 2×2, as R `chisq.test`):
/// (statistic, p, smallest expected count).
pub(crate) fn chi_square(table: &[Vec<f64>]) -> (f64, f64, f64) {
    let rows: Vec<f64> = table.iter().map(|r| r.iter().sum()).collect();
    let nc = table.first().map_or(0, Vec::len);
    let cols: Vec<f64> = (0..nc).map(|j| table.iter().map(|r| r[j]).sum()).collect();
    let total: f64 = rows.iter().sum();
    let yates = table.len() == 2 && nc == 2;
    let mut stat = 0.0;
    let mut min_e = f64::INFINITY;
    for (i, r) in table.iter().enumerate() {
        for (j, &o) in r.iter().enumerate() {
            let e = rows[i] * cols[j] / total;
            min_e = min_e.min(e);
            if e > 0.0 {
                let d = (o - e).abs();
                let d = if yates { (d - 0.5).max(0.0).min(d) } else { d };
                stat += d * d / e;
            }
        }
    }
    let df = (table.len().saturating_sub(1) * nc.saturating_sub(1)) as f64;
    let p = if df > 0.0 { chi2_sf(stat, df) } else { f64::NAN };
    (stat, p, min_e)
}

/// Two-sided Fisher exact test of a 2×2 table (R `fisher.test`).
pub(crate) fn fisher_exact(t: [[u64; 2]; 2]) -> f64 {
    let r1 = t[0][0] + t[0][1];
    let c1 = t[0][0] + t[1][0];
    let n = r1 + t[1][0] + t[1][1];
    let c2 = n - c1;
    let ln_choose = |a: u64, b: u64| -> f64 {
        let lg = |x: u64| crate::fclassif::ln_gamma(x as f64 + 1.0);
        lg(a) - lg(b) - lg(a - b)
    };
    let lo = r1.saturating_sub(c2);
    let hi = r1.min(c1);
    let lp = |x: u64| ln_choose(c1, x) + ln_choose(c2, r1 - x) - ln_choose(n, r1);
    let obs = lp(t[0][0]);
    let mut p = 0.0;
    for x in lo..=hi {
        let l = lp(x);
        if l <= obs + 1e-7_f64.ln_1p() {
            p += l.exp();
        }
    }
    p.min(1.0)
}

/// Binned calibration curve (uniform bins on [0,1]): (mean predicted, observed fraction, n).
pub(crate) fn calibration_bins(y: &[u8], p: &[f64], n_bins: usize) -> Vec<(f64, f64, usize)> {
    let mut sp = vec![0.0; n_bins];
    let mut sy = vec![0.0; n_bins];
    let mut cnt = vec![0usize; n_bins];
    for (&l, &v) in y.iter().zip(p) {
        let b = ((v * n_bins as f64).floor().max(0.0) as usize).min(n_bins - 1);
        sp[b] += v;
        sy[b] += f64::from(l);
        cnt[b] += 1;
    }
    (0..n_bins)
        .filter(|&b| cnt[b] > 0)
        .map(|b| (sp[b] / cnt[b] as f64, sy[b] / cnt[b] as f64, cnt[b]))
        .collect()
}

/// R `lowess(x, y, f, iter = 0)` with delta = 0.01·range: fitted (x, ŷ) at the sorted x.
pub(crate) fn lowess(x: &[f64], y: &[f64], f: f64) -> Vec<(f64, f64)> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let xs: Vec<f64> = idx.iter().map(|&i| x[i]).collect();
    let ys: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
    let n = xs.len();
    if n < 2 {
        return xs.into_iter().zip(ys).collect();
    }
    let ns = ((f * n as f64 + 1e-7) as usize).clamp(2, n);
    let delta = 0.01 * (xs[n - 1] - xs[0]);
    let mut ys_out = vec![0.0; n];
    let fit_at = |i: usize, nleft: usize, nright: usize| -> Option<f64> {
        let xi = xs[i];
        let h = (xi - xs[nleft]).max(xs[nright] - xi);
        let h9 = 0.999 * h;
        let h1 = 0.001 * h;
        let mut w = vec![0.0; n];
        let mut a = 0.0;
        let mut j = nleft;
        while j < n {
            let r = (xs[j] - xi).abs();
            if r <= h9 {
                w[j] = if r <= h1 { 1.0 } else { (1.0 - (r / h).powi(3)).powi(3) };
                a += w[j];
            } else if xs[j] > xi {
                break;
            }
            j += 1;
        }
        let nrt = j - 1;
        if a <= 0.0 {
            return None;
        }
        for wj in w.iter_mut().take(nrt + 1).skip(nleft) {
            *wj /= a;
        }
        if h > 0.0 {
            let xbar: f64 = (nleft..=nrt).map(|j| w[j] * xs[j]).sum();
            let c: f64 = (nleft..=nrt).map(|j| w[j] * (xs[j] - xbar).powi(2)).sum();
            let range = xs[n - 1] - xs[0];
            if c.sqrt() > 0.001 * range {
                let b = (xi - xbar) / c;
                for j in nleft..=nrt {
                    w[j] *= b * (xs[j] - xbar) + 1.0;
                }
            }
        }
        Some((nleft..=nrt).map(|j| w[j] * ys[j]).sum())
    };
    let (mut nleft, mut nright) = (0usize, ns - 1);
    let mut last: isize = -1;
    let mut i = 0usize;
    loop {
        if nright < n - 1 {
            let d1 = xs[i] - xs[nleft];
            let d2 = xs[nright + 1] - xs[i];
            if d1 > d2 {
                nleft += 1;
                nright += 1;
                continue;
            }
        }
        ys_out[i] = fit_at(i, nleft, nright).unwrap_or(ys[i]);
        if (last + 1) < i as isize {
            let l = last as usize;
            let denom = xs[i] - xs[l];
            for j in (l + 1)..i {
                let alpha = (xs[j] - xs[l]) / denom;
                ys_out[j] = alpha * ys_out[i] + (1.0 - alpha) * ys_out[l];
            }
        }
        last = i as isize;
        let cut = xs[i] + delta;
        i = (last + 1) as usize;
        while i < n {
            if xs[i] > cut {
                break;
            }
            if xs[i] == xs[last as usize] {
                ys_out[i] = ys_out[last as usize];
                last = i as isize;
            }
            i += 1;
        }
        i = ((last + 1) as usize).max(i.saturating_sub(1));
        if last as usize >= n - 1 {
            break;
        }
    }
    xs.into_iter().zip(ys_out).collect()
}

/// Net benefit of "treat if p ≥ pt" and of treating all, at each threshold.
pub(crate) fn net_benefit(y: &[u8], p: &[f64], thresholds: &[f64]) -> Vec<(f64, f64, f64)> {
    let n = y.len() as f64;
    let prev = y.iter().filter(|&&l| l == 1).count() as f64 / n;
    thresholds
        .iter()
        .map(|&pt| {
            let (mut tp, mut fp) = (0.0, 0.0);
            for (&l, &v) in y.iter().zip(p) {
                if v >= pt {
                    if l == 1 {
                        tp += 1.0;
                    } else {
                        fp += 1.0;
                    }
                }
            }
            let odds = pt / (1.0 - pt);
            (pt, tp / n - fp / n * odds, prev - (1.0 - prev) * odds)
        })
        .collect()
}

/// R `pretty(c(lo, hi), n)` (min.n = n %/% 3, high.u.bias = 1.5, u5.bias = 2.75).
pub(crate) fn pretty(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if !lo.is_finite() || !hi.is_finite() {
        return Vec::new();
    }
    let h = 1.5;
    let h5 = 0.5 + 1.5 * h;
    let min_n = n / 3;
    let dx = hi - lo;
    let mut cell;
    let small;
    if dx == 0.0 && hi == 0.0 {
        cell = 1.0;
        small = true;
    } else {
        cell = lo.abs().max(hi.abs());
        let u = 1.0 + if h5 >= 1.5 * h + 0.5 { 1.0 / (1.0 + h) } else { 1.5 / (1.0 + h5) };
        let u = u * (n.max(1) as f64) * f64::EPSILON;
        small = dx < cell * u * 3.0;
    }
    if small {
        if cell > 10.0 {
            cell = 9.0 + cell / 10.0;
        }
        cell *= 0.75;
        if min_n > 1 {
            cell /= min_n as f64;
        }
    } else {
        cell = dx;
        if n > 1 {
            cell /= n as f64;
        }
    }
    let base = 10f64.powf(cell.log10().floor());
    let mut unit = base;
    if 2.0 * base - cell < h * (cell - unit) {
        unit = 2.0 * base;
        if 5.0 * base - cell < h5 * (cell - unit) {
            unit = 5.0 * base;
            if 10.0 * base - cell < h * (cell - unit) {
                unit = 10.0 * base;
            }
        }
    }
    let eps = 1e-10;
    let mut ns = (lo / unit + eps).floor();
    let mut nu = (hi / unit - eps).ceil();
    while ns * unit > lo + eps * unit {
        ns -= 1.0;
    }
    while nu * unit < hi - eps * unit {
        nu += 1.0;
    }
    let k = (0.5 + nu - ns).floor() as usize;
    if k < min_n {
        let k = (min_n - k) as f64;
        if ns >= 0.0 {
            nu += (k / 2.0).floor();
            ns -= (k / 2.0).floor() + k % 2.0;
        } else {
            ns -= (k / 2.0).floor();
            nu += (k / 2.0).floor() + k % 2.0;
        }
    }
    let count = (nu - ns).round() as i64;
    (0..=count)
        .map(|i| {
            // Clean representation errors such as 0.6000000000000001 (12 significant digits).
            let v = (ns + i as f64) * unit;
            format!("{v:.11e}").parse::<f64>().unwrap_or(v)
        })
        .collect()
}

/// Gaussian kernel density on a grid (Silverman's rule-of-thumb bandwidth, as R `bw.nrd0`).
pub(crate) fn kde(v: &[f64], grid: &[f64]) -> Vec<f64> {
    let s = sorted_finite(v);
    let n = s.len() as f64;
    if s.len() < 2 {
        return vec![0.0; grid.len()];
    }
    let mean = s.iter().sum::<f64>() / n;
    let sd = (s.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let iqr = quantile_sorted(&s, 0.75) - quantile_sorted(&s, 0.25);
    let mut lo = sd.min(iqr / 1.34);
    if lo <= 0.0 {
        lo = if sd > 0.0 { sd } else if s[0] != 0.0 { s[0].abs() } else { 1.0 };
    }
    let bw = 0.9 * lo * n.powf(-0.2);
    let c = 1.0 / (n * bw * (2.0 * std::f64::consts::PI).sqrt());
    grid.iter()
        .map(|&g| c * s.iter().map(|&x| (-0.5 * ((g - x) / bw).powi(2)).exp()).sum::<f64>())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_matches_r_examples() {
        // R: pretty(c(0, 1)) -> 0 0.2 ... 1 ; pretty(c(1, 17), 10) -> 0 2 4 ... 18
        assert_eq!(pretty(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(pretty(1.0, 17.0, 10), (0..=9).map(|i| 2.0 * i as f64).collect::<Vec<_>>());
        assert_eq!(pretty(0.0, 100.0, 10), (0..=10).map(|i| 10.0 * i as f64).collect::<Vec<_>>());
    }

    #[test]
    fn fisher_and_chi_square_known_tables() {
        // R: fisher.test(matrix(c(3,1,1,3),2))$p.value = 0.4857143
        assert!((fisher_exact([[3, 1], [1, 3]]) - 0.4857142857142857).abs() < 1e-9);
        // scipy chi2_contingency([[10,30],[20,40]]) (Yates): 0.4464285714285714, p 0.5040358664525046
        let (x2, p, e) = chi_square(&[vec![10.0, 30.0], vec![20.0, 40.0]]);
        assert!((x2 - 0.4464285714285714).abs() < 1e-12);
        assert!((p - 0.5040358664525046).abs() < 1e-9, "{p}");
        assert_eq!(e, 12.0);
    }

    #[test]
    fn lowess_of_a_line_is_the_line() {
        let x: Vec<f64> = (0..50).map(|i| i as f64 / 49.0).collect();
        let y: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
        for (a, b) in lowess(&x, &y, 2.0 / 3.0) {
            assert!((b - (2.0 * a + 1.0)).abs() < 1e-9);
        }
    }
}
