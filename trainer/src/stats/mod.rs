//! Validation statistics (pROC, rms, ResourceSelection, dcurves, scipy semantics).
//!
//! Every public function documents its formula and the R / Python function it reproduces.
//! Labels are `&[u8]` (1 = positive / case), scores and probabilities `&[f64]`.

pub mod dist;
pub mod roc;

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
