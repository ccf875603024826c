//! Validation statistics (pROC, rms, ResourceSelection, dcurves, scipy semantics).
//!
//! Every public function documents its formula and the R / Python function it reproduces.
//! Labels are `&[u8]` (1 = positive / case), scores and probabilities `&[f64]`.

pub mod binom;
pub mod bootstrap;
pub mod calibration;
pub mod dca;
pub mod dist;
pub mod hl;
pub mod icc;
pub mod nomogram;
pub mod roc;
pub mod tests;

/// Mid-ranks (1-based; tied values get the mean of the ranks they span), as R `rank(ties =
/// "average")` / scipy `rankdata`. NaN sorts last (`f64::total_cmp`).
pub fn midranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut out = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j < order.len() && x[order[j]] == x[order[i]] {
            j += 1;
        }
        if j == i {
            // NaN never equals itself: rank it alone
            j = i + 1;
        }
        // ranks i+1 ..= j, mean (i + 1 + j)/2
        let r = (i + 1 + j) as f64 / 2.0;
        for &k in &order[i..j] {
            out[k] = r;
        }
        i = j;
    }
    out
}

/// Type-7 quantile of already sorted data (R `quantile(type = 7)`, numpy `quantile(method =
/// "linear")`): virtual index `h = (n − 1)·q`, value `a + (b − a)·t` with `t = h − ⌊h⌋`, evaluated
/// as numpy's `_lerp` does (`b − (b − a)(1 − t)` when `t ≥ ½`). NaN for empty input.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 || q.is_nan() {
        return f64::NAN;
    }
    let h = (n as f64 - 1.0) * q.clamp(0.0, 1.0);
    let lo = h.floor();
    let i = lo as usize;
    if i + 1 >= n {
        return sorted[n - 1];
    }
    let t = h - lo;
    let (a, b) = (sorted[i], sorted[i + 1]);
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

/// Type-7 quantile of unsorted data (sorts a copy; NaN sorts last).
pub fn quantile(x: &[f64], q: f64) -> f64 {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    quantile_sorted(&s, q)
}

/// Median and quartiles `(median, Q1, Q3)` with type-7 quantiles (R `quantile(x, c(.5, .25,
/// .75))`, numpy default) for "median (Q1, Q3)" cells of a baseline table. NaN for empty input.
pub fn median_iqr(x: &[f64]) -> (f64, f64, f64) {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    (
        quantile_sorted(&s, 0.5),
        quantile_sorted(&s, 0.25),
        quantile_sorted(&s, 0.75),
    )
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn midranks_average_ties() {
        assert_eq!(midranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn type7_quantiles() {
        // R: quantile(c(1, 2, 3, 4, 10), c(.5, .25, .75)) = 3, 2, 4; quantile(1:4, .1) = 1.3
        assert_eq!(median_iqr(&[10.0, 1.0, 3.0, 2.0, 4.0]), (3.0, 2.0, 4.0));
        assert!((quantile(&[1.0, 2.0, 3.0, 4.0], 0.1) - 1.3).abs() < 1e-15);
        assert!(quantile(&[], 0.5).is_nan());
    }
}
