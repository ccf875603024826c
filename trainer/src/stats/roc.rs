//! ROC analysis as R's pROC computes it (direction `"<"`: controls score lower than cases).
//!
//! Labels are `&[u8]` with 1 = case (positive) and anything else = control; scores are "higher
//! means more likely positive". NaN scores are not meaningful (they sort last).

use super::dist::{norm_quantile, norm_sf};
use super::midranks;

/// AUC with its DeLong variance and 95 % confidence interval (pROC `ci.auc(method = "delong")`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Delong {
    pub auc: f64,
    /// DeLong variance `S10/m + S01/n`.
    pub var: f64,
    /// `auc ± qnorm(0.975)·√var`, clipped to [0, 1] like pROC.
    pub ci: [f64; 2],
}

impl Delong {
    /// Standard error `√var`.
    pub fn se(&self) -> f64 {
        self.var.sqrt()
    }
}

/// Paired DeLong comparison of two AUCs on the same patients (pROC `roc.test(method = "delong",
/// paired = TRUE)`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DelongTest {
    pub auc1: f64,
    pub auc2: f64,
    pub z: f64,
    /// Two-sided `2·Φ(−|z|)`.
    pub p: f64,
}

/// One point of the empirical ROC curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RocPoint {
    /// pROC threshold: midpoint between consecutive distinct scores (±∞ at the ends).
    pub threshold: f64,
    pub fpr: f64,
    pub tpr: f64,
}

/// Youden-optimal cut-off (pROC `coords(roc, x = "best", best.method = "youden")`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Youden {
    /// pROC threshold (midpoint between two consecutive distinct scores).
    pub threshold: f64,
    pub sensitivity: f64,
    pub specificity: f64,
}

fn counts(y: &[u8]) -> (usize, usize) {
    let m = y.iter().filter(|&&v| v == 1).count();
    (m, y.len() - m)
}

/// Area under the ROC curve, Mann–Whitney form with ties counted ½:
/// `AUC = (Σ_{cases} rank − m(m+1)/2)/(m·n)` with pooled mid-ranks, m cases, n controls
/// (pROC `auc`, sklearn `roc_auc_score`). NaN if a class is empty.
pub fn auc(y: &[u8], s: &[f64]) -> f64 {
    let (m, n) = counts(y);
    if m == 0 || n == 0 || y.len() != s.len() {
        return f64::NAN;
    }
    let r = midranks(s);
    let rsum: f64 = y
        .iter()
        .zip(&r)
        .filter(|(&l, _)| l == 1)
        .map(|(_, &rk)| rk)
        .sum();
    let (m, n) = (m as f64, n as f64);
    (rsum - m * (m + 1.0) / 2.0) / (m * n)
}

/// DeLong placement values of one score vector: (auc, V10 over cases, V01 over controls).
///
/// Fast algorithm of Sun & Xu (2014): with mid-ranks `T_z` (pooled), `T_x` (within cases),
/// `T_y` (within controls): `V10_i = (T_z,i − T_x,i)/n`, `V01_j = 1 − (T_z,j − T_y,j)/m`,
/// `AUC = mean(V10) = mean(V01)`.
fn placements(y: &[u8], s: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let cases: Vec<f64> = y
        .iter()
        .zip(s)
        .filter(|(&l, _)| l == 1)
        .map(|(_, &v)| v)
        .collect();
    let controls: Vec<f64> = y
        .iter()
        .zip(s)
        .filter(|(&l, _)| l != 1)
        .map(|(_, &v)| v)
        .collect();
    let (m, n) = (cases.len(), controls.len());
    let pooled: Vec<f64> = cases.iter().chain(&controls).copied().collect();
    let tz = midranks(&pooled);
    let tx = midranks(&cases);
    let ty = midranks(&controls);
    let (mf, nf) = (m as f64, n as f64);
    let v10: Vec<f64> = (0..m).map(|i| (tz[i] - tx[i]) / nf).collect();
    let v01: Vec<f64> = (0..n).map(|j| 1.0 - (tz[m + j] - ty[j]) / mf).collect();
    let sum_case_ranks: f64 = tz[..m].iter().sum();
    let a = (sum_case_ranks - mf * (mf + 1.0) / 2.0) / (mf * nf);
    (a, v10, v01)
}

/// Sample covariance (denominator len − 1) of two equally long vectors.
fn cov(a: &[f64], b: &[f64]) -> f64 {
    let k = a.len();
    if k < 2 {
        return f64::NAN;
    }
    let ma = a.iter().sum::<f64>() / k as f64;
    let mb = b.iter().sum::<f64>() / k as f64;
    a.iter()
        .zip(b)
        .map(|(x, z)| (x - ma) * (z - mb))
        .sum::<f64>()
        / (k as f64 - 1.0)
}

/// AUC with DeLong variance and 95 % CI, reproducing pROC `ci.auc(roc, method = "delong")`:
/// `var = S10/m + S01/n` (sample variances of the placement values V10 over the m cases and V01
/// over the n controls), `CI = AUC ± qnorm(0.975)·√var`, clipped to [0, 1].
/// NaN fields if a class has fewer than 2 members.
pub fn delong(y: &[u8], s: &[f64]) -> Delong {
    let (m, n) = counts(y);
    if m == 0 || n == 0 || y.len() != s.len() {
        return Delong {
            auc: f64::NAN,
            var: f64::NAN,
            ci: [f64::NAN; 2],
        };
    }
    let (a, v10, v01) = placements(y, s);
    let var = cov(&v10, &v10) / m as f64 + cov(&v01, &v01) / n as f64;
    let half = norm_quantile(0.975) * var.sqrt();
    Delong {
        auc: a,
        var,
        ci: [(a - half).max(0.0), (a + half).min(1.0)],
    }
}

/// Paired DeLong test of two score vectors on the same patients (pROC `roc.test(r1, r2,
/// method = "delong", paired = TRUE)`): `z = (A1 − A2)/√(V1 + V2 − 2·C12)` where `C12 =
/// cov(V10¹, V10²)/m + cov(V01¹, V01²)/n`; `p = 2·Φ(−|z|)`. Identical AUCs with zero variance give
/// `z = 0, p = 1`.
pub fn delong_test(y: &[u8], s1: &[f64], s2: &[f64]) -> DelongTest {
    let (m, n) = counts(y);
    if m == 0 || n == 0 || y.len() != s1.len() || y.len() != s2.len() {
        return DelongTest {
            auc1: f64::NAN,
            auc2: f64::NAN,
            z: f64::NAN,
            p: f64::NAN,
        };
    }
    let (a1, v10a, v01a) = placements(y, s1);
    let (a2, v10b, v01b) = placements(y, s2);
    let (mf, nf) = (m as f64, n as f64);
    let var1 = cov(&v10a, &v10a) / mf + cov(&v01a, &v01a) / nf;
    let var2 = cov(&v10b, &v10b) / mf + cov(&v01b, &v01b) / nf;
    let c12 = cov(&v10a, &v10b) / mf + cov(&v01a, &v01b) / nf;
    let var = var1 + var2 - 2.0 * c12;
    let d = a1 - a2;
    let z = if d == 0.0 && var == 0.0 {
        0.0
    } else {
        d / var.sqrt()
    };
    DelongTest {
        auc1: a1,
        auc2: a2,
        z,
        p: 2.0 * norm_sf(z.abs()),
    }
}

/// Distinct scores in ascending order, with the number of cases and controls at each.
fn distinct(y: &[u8], s: &[f64]) -> Vec<(f64, usize, usize)> {
    let mut idx: Vec<usize> = (0..s.len()).collect();
    idx.sort_by(|&a, &b| s[a].total_cmp(&s[b]));
    let mut out: Vec<(f64, usize, usize)> = Vec::new();
    for i in idx {
        let pos = usize::from(y[i] == 1);
        match out.last_mut() {
            Some(last) if last.0 == s[i] => {
                last.1 += pos;
                last.2 += 1 - pos;
            }
            _ => out.push((s[i], pos, 1 - pos)),
        }
    }
    out
}

/// pROC's threshold between consecutive distinct scores `a < b` (`roc.utils.thresholds`,
/// direction `"<"`): `(a + b)/2`, or `a/2 + b/2` when that exceeds 1e100 in magnitude (overflow);
/// if rounding makes the midpoint equal `a` (b is the next double after a) it becomes `b`, so the
/// rule "positive iff score ≥ threshold" still separates the two values.
fn midpoint(a: f64, b: f64) -> f64 {
    let mut t = (a + b) / 2.0;
    if t.abs() > 1e100 || !t.is_finite() {
        t = a / 2.0 + b / 2.0;
    }
    if t == a {
        b
    } else {
        t
    }
}

/// Empirical ROC curve with pROC's thresholds: `−∞`, the midpoints `(u_k + u_{k+1})/2` between
/// consecutive distinct scores, `+∞`; a patient is positive iff `score ≥ threshold`
/// (equivalently `>`: thresholds never coincide with scores). Returned in decreasing threshold
/// order, i.e. from (fpr, tpr) = (0, 0) to (1, 1), as `pROC::roc` thresholds read backwards.
pub fn roc_curve(y: &[u8], s: &[f64]) -> Vec<RocPoint> {
    let (m, n) = counts(y);
    if y.len() != s.len() || s.is_empty() {
        return Vec::new();
    }
    let u = distinct(y, s);
    let (mf, nf) = (m as f64, n as f64);
    let mut out = Vec::with_capacity(u.len() + 1);
    // walk from the top: threshold above everything first
    let (mut tp, mut fp) = (0usize, 0usize);
    out.push(RocPoint {
        threshold: f64::INFINITY,
        fpr: 0.0,
        tpr: 0.0,
    });
    for k in (0..u.len()).rev() {
        tp += u[k].1;
        fp += u[k].2;
        let threshold = if k == 0 {
            f64::NEG_INFINITY
        } else {
            midpoint(u[k - 1].0, u[k].0)
        };
        out.push(RocPoint {
            threshold,
            fpr: fp as f64 / nf,
            tpr: tp as f64 / mf,
        });
    }
    out
}

/// All Youden-optimal cut-offs in increasing threshold order (the rows pROC `coords(x = "best",
/// best.method = "youden")` returns when several thresholds tie for the maximum of
/// `J = sensitivity + specificity − 1`). Exact ties only (J values compared as computed).
pub fn youden_all(y: &[u8], s: &[f64]) -> Vec<Youden> {
    let (m, n) = counts(y);
    if y.len() != s.len() || m == 0 || n == 0 {
        return Vec::new();
    }
    let u = distinct(y, s);
    let (mf, nf) = (m as f64, n as f64);
    let mut best = f64::NEG_INFINITY;
    let mut all: Vec<Youden> = Vec::new();
    // increasing thresholds: −∞, midpoints, +∞; below threshold k (0-based) lie u[..k]
    let (mut fnn, mut tn) = (0usize, 0usize);
    for k in 0..=u.len() {
        if k > 0 {
            fnn += u[k - 1].1;
            tn += u[k - 1].2;
        }
        let threshold = if k == 0 {
            f64::NEG_INFINITY
        } else if k == u.len() {
            f64::INFINITY
        } else {
            midpoint(u[k - 1].0, u[k].0)
        };
        // as pROC: se = tp/ncases, sp = tn/ncontrols, J + 1 = se + sp
        let sens = (m - fnn) as f64 / mf;
        let spec = tn as f64 / nf;
        let j = sens + spec;
        if j > best {
            best = j;
            all.clear();
        }
        if j == best {
            all.push(Youden {
                threshold,
                sensitivity: sens,
                specificity: spec,
            });
        }
    }
    all
}

/// The Youden-optimal cut-off radscore reports (the model thresholds in `summary.json` and the
/// report's radscore cut-off): among the cut-offs that tie for the maximal Youden index, the
/// highest — the first arg-max in scikit-learn's descending `roc_curve` order, as in the reference
/// pipeline. `None` if [`youden_all`] has no row.
pub fn youden_highest(y: &[u8], s: &[f64]) -> Option<Youden> {
    youden_all(y, s).last().copied()
}

/// Youden-optimal cut-off, pROC `coords(roc, x = "best", best.method = "youden")`: maximise
/// `J = sensitivity + specificity − 1` over pROC's thresholds (midpoints between consecutive
/// distinct scores, ±∞ at the ends). When several thresholds tie, pROC returns all of them in
/// increasing threshold order; this returns the first row (the lowest such threshold, i.e. the
/// highest sensitivity) — [`youden_all`] gives every row. NaN fields if a class is empty.
pub fn youden(y: &[u8], s: &[f64]) -> Youden {
    let (m, n) = counts(y);
    if m == 0 || n == 0 {
        return Youden {
            threshold: f64::NAN,
            sensitivity: f64::NAN,
            specificity: f64::NAN,
        };
    }
    youden_all(y, s).first().copied().unwrap_or(Youden {
        threshold: f64::NAN,
        sensitivity: f64::NAN,
        specificity: f64::NAN,
    })
}

/// Sensitivity and specificity when a patient is called positive iff `score ≥ threshold`
/// (used to apply the training cut-off to the test set). NaN for an empty class.
pub fn sens_spec_at(y: &[u8], s: &[f64], threshold: f64) -> (f64, f64) {
    let (mut tp, mut fnn, mut tn, mut fp) = (0usize, 0usize, 0usize, 0usize);
    for (&l, &v) in y.iter().zip(s) {
        let pred = v >= threshold;
        match (l == 1, pred) {
            (true, true) => tp += 1,
            (true, false) => fnn += 1,
            (false, false) => tn += 1,
            (false, true) => fp += 1,
        }
    }
    let ratio = |a: usize, b: usize| {
        if b == 0 {
            f64::NAN
        } else {
            a as f64 / b as f64
        }
    };
    (ratio(tp, tp + fnn), ratio(tn, tn + fp))
}

/// Confusion-matrix counts and derived rates at a threshold (positive iff `score ≥ threshold`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Confusion {
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    pub fn_: usize,
    pub sensitivity: f64,
    pub specificity: f64,
    pub ppv: f64,
    pub npv: f64,
    pub accuracy: f64,
}

/// Confusion matrix at `threshold` (positive iff `score ≥ threshold`); rates are NaN when their
/// denominator is 0.
pub fn confusion(y: &[u8], s: &[f64], threshold: f64) -> Confusion {
    let (mut tp, mut fnn, mut tn, mut fp) = (0usize, 0usize, 0usize, 0usize);
    for (&l, &v) in y.iter().zip(s) {
        match (l == 1, v >= threshold) {
            (true, true) => tp += 1,
            (true, false) => fnn += 1,
            (false, false) => tn += 1,
            (false, true) => fp += 1,
        }
    }
    let ratio = |a: usize, b: usize| {
        if b == 0 {
            f64::NAN
        } else {
            a as f64 / b as f64
        }
    };
    Confusion {
        tp,
        fp,
        tn,
        fn_: fnn,
        sensitivity: ratio(tp, tp + fnn),
        specificity: ratio(tn, tn + fp),
        ppv: ratio(tp, tp + fp),
        npv: ratio(tn, tn + fnn),
        accuracy: ratio(tp + tn, tp + tn + fp + fnn),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_half() {
        // pairs (case, control): 0.8>0.1, 0.8>0.5, 0.5=0.5 (½), 0.5>0.1 → 3.5 of 4
        let y = [1, 1, 0, 0];
        let s = [0.8, 0.5, 0.5, 0.1];
        assert!((auc(&y, &s) - 0.875).abs() < 1e-15);
    }

    #[test]
    fn youden_uses_midpoints_and_lowest_tie() {
        // scores 1..6; cases {3, 5, 6}. Thresholds 2.5 (sens 1, spec 2/3) and 4.5 (sens 2/3, spec 1)
        // tie at J = 2/3 → pROC lists 2.5 then 4.5; we return the first.
        let y = [0, 0, 1, 0, 1, 1];
        let s = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let all = youden_all(&y, &s);
        assert_eq!(all.len(), 2);
        let best = youden(&y, &s);
        assert_eq!(best.threshold, 2.5);
        assert_eq!(best.sensitivity, 1.0);
        assert!((best.specificity - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(all[1].threshold, 4.5);
        let (se, sp) = sens_spec_at(&y, &s, best.threshold);
        assert_eq!((se, sp), (best.sensitivity, best.specificity));
    }

    #[test]
    fn near_tie_midpoint_keeps_the_upper_value() {
        let a = 0.3_f64;
        let b = f64::from_bits(a.to_bits() + 1);
        assert_eq!(midpoint(a, b), b);
        // the cut-off still separates the two scores
        let y = [0, 1];
        let yd = youden(&y, &[a, b]);
        assert_eq!((yd.sensitivity, yd.specificity), (1.0, 1.0));
        assert_eq!(sens_spec_at(&y, &[a, b], yd.threshold), (1.0, 1.0));
        assert_eq!(midpoint(1e300, 1.5e300), 1.25e300);
    }

    #[test]
    fn roc_curve_ends() {
        let y = [0, 1, 0, 1];
        let s = [0.1, 0.4, 0.35, 0.8];
        let c = roc_curve(&y, &s);
        assert_eq!(c.len(), 5);
        assert_eq!((c[0].fpr, c[0].tpr), (0.0, 0.0));
        assert_eq!((c[4].fpr, c[4].tpr), (1.0, 1.0));
        assert_eq!(c[1].threshold, (0.4 + 0.8) / 2.0);
        assert_eq!(c[4].threshold, f64::NEG_INFINITY);
    }
}
