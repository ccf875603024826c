//! Thin adapters over [`crate::stats`] in the shapes the figures and tables use, plus the few
//! drawing-only helpers (type-7 quantiles, Gaussian kernel density for the violins).

use crate::stats;

pub(crate) use stats::roc::delong;

/// Paired DeLong test (pROC `roc.test`): (z, p).
pub(crate) fn delong_test(y: &[u8], s1: &[f64], s2: &[f64]) -> (f64, f64) {
    let t = stats::roc::delong_test(y, s1, s2);
    (t.z, t.p)
}

/// ROC curve points (fpr, tpr) from (0, 0) to (1, 1).
pub(crate) fn roc_points(y: &[u8], s: &[f64]) -> Vec<(f64, f64)> {
    stats::roc::roc_curve(y, s)
        .iter()
        .map(|p| (p.fpr, p.tpr))
        .collect()
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
    if a.is_empty() || b.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let r = stats::tests::mann_whitney(a, b);
    (r.statistic, r.p)
}

/// Pearson chi-square test (Yates for 2×2, as R `chisq.test`): (statistic, p, smallest expected
/// count).
pub(crate) fn chi_square(table: &[Vec<f64>]) -> (f64, f64, f64) {
    let rows: Vec<f64> = table.iter().map(|r| r.iter().sum()).collect();
    let nc = table.first().map_or(0, Vec::len);
    let cols: Vec<f64> = (0..nc)
        .map(|j| table.iter().map(|r| r.get(j).copied().unwrap_or(0.0)).sum())
        .collect();
    let total: f64 = rows.iter().sum();
    let min_e = rows
        .iter()
        .flat_map(|r| cols.iter().map(move |c| r * c / total))
        .fold(f64::INFINITY, f64::min);
    let t = stats::tests::chi_square(table);
    (t.statistic, t.p, min_e)
}

pub(crate) use stats::tests::fisher_exact;

/// Net benefit of "treat if p ≥ pt" and of treating all: (pt, model, treat all).
pub(crate) fn net_benefit(y: &[u8], p: &[f64], thresholds: &[f64]) -> Vec<(f64, f64, f64)> {
    stats::dca::net_benefit(y, p, thresholds)
        .iter()
        .map(|r| (r.threshold, r.model, r.treat_all))
        .collect()
}

pub(crate) use stats::nomogram::pretty;

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
        lo = if sd > 0.0 {
            sd
        } else if s[0] != 0.0 {
            s[0].abs()
        } else {
            1.0
        };
    }
    let bw = 0.9 * lo * n.powf(-0.2);
    let c = 1.0 / (n * bw * (2.0 * std::f64::consts::PI).sqrt());
    grid.iter()
        .map(|&g| {
            c * s
                .iter()
                .map(|&x| (-0.5 * ((g - x) / bw).powi(2)).exp())
                .sum::<f64>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smallest_expected_count_is_reported() {
        let (_, p, e) = chi_square(&[vec![10.0, 30.0], vec![20.0, 40.0]]);
        assert_eq!(e, 12.0);
        assert!(p > 0.0 && p < 1.0);
    }

    #[test]
    fn kde_integrates_to_one() {
        let v: Vec<f64> = (0..40).map(|i| (i as f64 * 0.37).sin()).collect();
        let grid: Vec<f64> = (0..=400).map(|k| -3.0 + 6.0 * k as f64 / 400.0).collect();
        let d = kde(&v, &grid);
        let area: f64 = d.iter().sum::<f64>() * 6.0 / 400.0;
        assert!((area - 1.0).abs() < 1e-3, "{area}");
    }

    #[test]
    fn type7_quantiles() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.25), 1.75);
        assert_eq!(quantile_sorted(&v, 0.5), 2.5);
    }
}
