//! Hosmer–Lemeshow goodness-of-fit test (R `ResourceSelection::hoslem.test(y, p, g)`).

use super::dist::chi2_sf;
use super::quantile_sorted;

/// One risk group of the Hosmer–Lemeshow table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HlGroup {
    /// Interval `(lo, hi]` of p (the first group is closed: `[lo, hi]`).
    pub lo: f64,
    pub hi: f64,
    pub n: usize,
    pub obs1: f64,
    pub exp1: f64,
    pub obs0: f64,
    pub exp0: f64,
}

/// Hosmer–Lemeshow statistic, degrees of freedom, p-value and the group table.
#[derive(Clone, Debug, PartialEq)]
pub struct Hl {
    pub chi2: f64,
    pub df: f64,
    pub p: f64,
    pub groups: Vec<HlGroup>,
}

/// `ResourceSelection::hoslem.test(x = y, y = p, g)`:
/// breaks = `unique(quantile(p, seq(0, 1, 1/g)))` (type 7), groups = `cut(p, breaks,
/// include.lowest = TRUE)` (right-closed intervals, the first closed);
/// `χ² = Σ_groups Σ_{outcome∈{0,1}} (O − E)²/E` with `E1 = Σp`, `E0 = Σ(1 − p)`;
/// `df = g − 2` (even when tied quantiles merge groups, as the package does);
/// `p = P(χ²_df > χ²)`.
pub fn hosmer_lemeshow(y: &[u8], p: &[f64], g: usize) -> Hl {
    if p.is_empty() || y.len() != p.len() || g < 3 {
        return Hl {
            chi2: f64::NAN,
            df: f64::NAN,
            p: f64::NAN,
            groups: Vec::new(),
        };
    }
    let mut s = p.to_vec();
    s.sort_by(f64::total_cmp);
    // R seq(0, 1, 1/g) = 0 + (0:g)·(1/g)
    let by = 1.0 / g as f64;
    let mut breaks: Vec<f64> = (0..=g)
        .map(|i| quantile_sorted(&s, i as f64 * by))
        .collect();
    breaks.dedup();
    let ng = breaks.len().saturating_sub(1).max(1);
    let mut groups: Vec<HlGroup> = (0..ng)
        .map(|b| HlGroup {
            lo: breaks[b],
            hi: *breaks.get(b + 1).unwrap_or(&breaks[b]),
            n: 0,
            obs1: 0.0,
            exp1: 0.0,
            obs0: 0.0,
            exp0: 0.0,
        })
        .collect();
    for (&l, &v) in y.iter().zip(p) {
        // index of the first break >= v, minus one; values equal to the minimum go to group 0
        let b = breaks
            .partition_point(|&e| e < v)
            .saturating_sub(1)
            .min(ng - 1);
        let gr = &mut groups[b];
        gr.n += 1;
        let yi = f64::from(u8::from(l == 1));
        gr.obs1 += yi;
        gr.obs0 += 1.0 - yi;
        gr.exp1 += v;
        gr.exp0 += 1.0 - v;
    }
    let chi2: f64 = groups
        .iter()
        .map(|gr| (gr.obs1 - gr.exp1).powi(2) / gr.exp1 + (gr.obs0 - gr.exp0).powi(2) / gr.exp0)
        .sum();
    let df = g as f64 - 2.0;
    Hl {
        chi2,
        df,
        p: chi2_sf(chi2, df),
        groups,
    }
}
