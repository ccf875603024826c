//! One-way ANOVA F per feature (`sklearn.feature_selection.f_classif`) and `SelectKBest`.

use crate::preprocess::Matrix;

/// F statistic and its p-value for every column of `x` against the 0/1 `labels`, with
/// scikit-learn's `f_oneway` operation order:
/// SS_tot = Σx² − (Σx)²/n; SS_between = Σ_k (Σ_{i∈k} x)²/n_k − (Σx)²/n; SS_within = SS_tot − SS_b;
/// F = [SS_b/(K−1)] / [SS_w/(n−K)]; p = F-distribution survival (`scipy.special.fdtrc`).
/// A constant feature gives F = NaN (0/0) or ±inf, as in scikit-learn.
pub fn f_classif(x: &Matrix, labels: &[u8]) -> (Vec<f64>, Vec<f64>) {
    let n = x.n_rows();
    let n1 = labels.iter().filter(|&&l| l == 1).count();
    let n0 = n - n1;
    let k = (n0 > 0) as usize + (n1 > 0) as usize;
    let dfbn = (k as f64) - 1.0;
    let dfwn = n as f64 - k as f64;
    let mut f = Vec::with_capacity(x.n_cols());
    let mut p = Vec::with_capacity(x.n_cols());
    for j in 0..x.n_cols() {
        let c = x.col(j);
        let (mut ss0, mut ss1, mut s0, mut s1) = (0.0, 0.0, 0.0, 0.0);
        // args = [X[y==0], X[y==1]]; each class summed row by row
        for (v, &l) in c.iter().zip(labels) {
            if l == 0 {
                ss0 += v * v;
                s0 += v;
            } else {
                ss1 += v * v;
                s1 += v;
            }
        }
        let ss_all = 0.0 + ss0 + ss1;
        let sq_sum_all = (0.0 + s0 + s1) * (0.0 + s0 + s1);
        let sstot = ss_all - sq_sum_all / n as f64;
        let mut ssbn = 0.0;
        if n0 > 0 {
            ssbn += s0 * s0 / n0 as f64;
        }
        if n1 > 0 {
            ssbn += s1 * s1 / n1 as f64;
        }
        ssbn -= sq_sum_all / n as f64;
        let sswn = sstot - ssbn;
        let msb = ssbn / dfbn;
        let msw = sswn / dfwn;
        let fj = msb / msw;
        f.push(fj);
        p.push(f_sf(fj, dfbn, dfwn));
    }
    (f, p)
}

/// Indices (ascending) of the `k` best scores, as `SelectKBest`: NaN scores are replaced by the
/// most negative finite value, then a stable ascending sort keeps its last `k` entries (so among
/// equal scores the LATER columns win). −0.0 and +0.0 are equal, as in numpy's sort.
pub fn select_k_best(scores: &[f64], k: usize) -> Vec<usize> {
    let clean: Vec<f64> = scores
        .iter()
        .map(|&s| {
            if s.is_nan() {
                f64::MIN
            } else if s == 0.0 {
                0.0
            } else {
                s
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..scores.len()).collect();
    // stable sort on (score) keeps equal scores in column order
    order.sort_by(|&a, &b| clean[a].total_cmp(&clean[b]));
    let k = k.min(order.len());
    let mut kept: Vec<usize> = order[order.len() - k..].to_vec();
    kept.sort_unstable();
    kept
}

/// Survival function of the F(d1, d2) distribution at `f`: I_{d2/(d2+d1 f)}(d2/2, d1/2).
pub fn f_sf(f: f64, d1: f64, d2: f64) -> f64 {
    if f.is_nan() || d1 <= 0.0 || d2 <= 0.0 {
        return f64::NAN;
    }
    if f <= 0.0 {
        return 1.0;
    }
    if f.is_infinite() {
        return 0.0;
    }
    let xx = d2 / (d2 + d1 * f);
    reg_inc_beta(d2 / 2.0, d1 / 2.0, xx)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error ~1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // reflection
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularised incomplete beta I_x(a, b) by the continued fraction (Lentz), with the usual
/// symmetry switch for convergence.
pub fn reg_inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_cf(a, b, x) / a
    } else {
        1.0 - ln_front.exp() * beta_cf(b, a, 1.0 - x) / b
    }
}

fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kbest_ties_prefer_later_columns() {
        assert_eq!(
            select_k_best(&[1.0, 3.0, 3.0, f64::NAN, 2.0], 2),
            vec![1, 2]
        );
        assert_eq!(select_k_best(&[3.0, 3.0, 3.0], 2), vec![1, 2]);
        // numpy: -0.0 == 0.0, so the later column wins the tie whatever the signs
        assert_eq!(select_k_best(&[0.0, -0.0, -1.0], 1), vec![1]);
        assert_eq!(select_k_best(&[-0.0, 0.0, -1.0], 1), vec![1]);
    }

    #[test]
    fn f_sf_known_value() {
        // scipy.stats.f.sf(3.0, 1, 10) = 0.1139374121519203
        let p = f_sf(3.0, 1.0, 10.0);
        assert!((p - 0.113_937_412_151_920_3).abs() < 1e-12, "{p}");
    }
}
