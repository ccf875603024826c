//! Decision-curve analysis (Vickers & Elkin 2006; R/Python `dcurves::dca`).

/// Net benefit of the model and of treating everybody at one threshold probability.
/// Treating nobody has net benefit 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NbPoint {
    pub threshold: f64,
    pub model: f64,
    pub treat_all: f64,
    /// True and false positives of the model at this threshold (positive iff p ≥ threshold).
    pub tp: usize,
    pub fp: usize,
}

/// Net benefit at each threshold `pt` (dcurves `dca` convention, positive iff `p ≥ pt`):
/// `NB = TP/N − FP/N · pt/(1 − pt)`; treat-all `NB = π − (1 − π)·pt/(1 − pt)` with prevalence π.
/// `pt = 1` gives NaN/−∞ like dcurves; `pt` must lie in [0, 1).
pub fn net_benefit(y: &[u8], p: &[f64], thresholds: &[f64]) -> Vec<NbPoint> {
    let n = y.len().min(p.len());
    let nf = n as f64;
    let prev = y.iter().filter(|&&l| l == 1).count() as f64 / nf;
    thresholds
        .iter()
        .map(|&pt| {
            let (mut tp, mut fp) = (0usize, 0usize);
            for (&l, &v) in y.iter().zip(p) {
                if v >= pt {
                    if l == 1 {
                        tp += 1;
                    } else {
                        fp += 1;
                    }
                }
            }
            let w = pt / (1.0 - pt);
            NbPoint {
                threshold: pt,
                model: tp as f64 / nf - fp as f64 / nf * w,
                treat_all: prev - (1.0 - prev) * w,
                tp,
                fp,
            }
        })
        .collect()
}

/// The threshold grid dcurves uses by default and the study plots: 0.01, 0.02, …, 0.99
/// (`step` = 0.01) — `k·step` rounded to 10 decimals so the values print cleanly.
pub fn threshold_grid(from: f64, to: f64, step: f64) -> Vec<f64> {
    let mut out = Vec::new();
    if step <= 0.0 || from.is_nan() || to.is_nan() {
        return out;
    }
    let k0 = (from / step).round() as i64;
    let k1 = (to / step).round() as i64;
    for k in k0..=k1 {
        out.push(((k as f64 * step) * 1e10).round() / 1e10);
    }
    out
}
