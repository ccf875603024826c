//! Two-group tests for the baseline table: Mann–Whitney U, Pearson chi-square, Fisher exact.

use super::dist::{chi2_sf, norm_sf, t_sf};
use super::midranks;

/// Test statistic and two-sided p-value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TestResult {
    pub statistic: f64,
    pub p: f64,
}

/// Details of the normal-approximation Mann–Whitney test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MannWhitney {
    /// `U1 = R1 − n1(n1+1)/2` (R1 = rank sum of the first sample in pooled mid-ranks); this is R's
    /// `W` and scipy's `statistic`.
    pub u1: f64,
    pub u2: f64,
    pub z: f64,
    pub p: f64,
    /// Tie term `Σ(t³ − t)` over groups of tied values.
    pub tie_term: f64,
}

/// Mann–Whitney U, two-sided, normal approximation with tie and continuity correction
/// (R `wilcox.test(a, b, exact = FALSE, correct = TRUE)`, scipy `mannwhitneyu(a, b,
/// method = "asymptotic")`): `μ = n1n2/2`, `σ² = n1n2/12·[(N + 1) − Σ(t³ − t)/(N(N − 1))]`,
/// `z = (U1 − μ − ½·sgn(U1 − μ))/σ`, `p = 2·Φ(−|z|)`. Returns `statistic = U1`.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> TestResult {
    let d = mann_whitney_detail(a, b);
    TestResult {
        statistic: d.u1,
        p: d.p,
    }
}

/// [`mann_whitney`] with U2, z and the tie term.
pub fn mann_whitney_detail(a: &[f64], b: &[f64]) -> MannWhitney {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    if a.is_empty() || b.is_empty() {
        return MannWhitney {
            u1: f64::NAN,
            u2: f64::NAN,
            z: f64::NAN,
            p: f64::NAN,
            tie_term: f64::NAN,
        };
    }
    let pooled: Vec<f64> = a.iter().chain(b).copied().collect();
    let r = midranks(&pooled);
    let r1: f64 = r[..a.len()].iter().sum();
    let u1 = r1 - n1 * (n1 + 1.0) / 2.0;
    let mut s = pooled.clone();
    s.sort_by(f64::total_cmp);
    let mut tie = 0.0;
    let mut i = 0;
    while i < s.len() {
        let mut j = i + 1;
        while j < s.len() && s[j] == s[i] {
            j += 1;
        }
        let t = (j - i) as f64;
        tie += t * t * t - t;
        i = j;
    }
    let nn = n1 + n2;
    let mu = n1 * n2 / 2.0;
    let sigma = (n1 * n2 / 12.0 * ((nn + 1.0) - tie / (nn * (nn - 1.0)))).sqrt();
    let d = u1 - mu;
    let d = if d > 0.0 {
        d - 0.5
    } else if d < 0.0 {
        d + 0.5
    } else {
        0.0
    };
    let z = d / sigma;
    MannWhitney {
        u1,
        u2: n1 * n2 - u1,
        z,
        p: (2.0 * norm_sf(z.abs())).min(1.0),
        tie_term: tie,
    }
}

/// Exact two-sided Mann–Whitney test for samples without ties (R `wilcox.test(a, b, exact = TRUE)`,
/// scipy `mannwhitneyu(a, b, method = "exact")`): the null distribution of U is the coefficient list
/// of the Gaussian binomial `Π_{i=1}^{n1} (1 − q^{n2+i})/(1 − q^i)` divided by `C(n1+n2, n1)`;
/// `p = min(1, 2·P(U ≥ max(U1, U2)))`. Returns `statistic = U1`. With ties the exact distribution
/// does not apply and this falls back to [`mann_whitney`] (as R does, with a warning there).
/// Practical for n1·n2 up to ~10⁶.
pub fn mann_whitney_exact(a: &[f64], b: &[f64]) -> TestResult {
    let d = mann_whitney_detail(a, b);
    if d.u1.is_nan() || d.tie_term != 0.0 {
        return TestResult {
            statistic: d.u1,
            p: d.p,
        };
    }
    let (n1, n2) = (a.len(), b.len());
    let dist = u_distribution(n1, n2);
    let total: f64 = dist.iter().sum();
    let umax = d.u1.max(d.u2).round() as usize;
    let tail: f64 = dist.iter().skip(umax).sum::<f64>() / total;
    TestResult {
        statistic: d.u1,
        p: (2.0 * tail).min(1.0),
    }
}

/// Counts of U = 0..=n1·n2 under H0 (coefficients of the Gaussian binomial coefficient).
fn u_distribution(n1: usize, n2: usize) -> Vec<f64> {
    let m = n1 * n2;
    let mut c = vec![0.0; m + 1];
    c[0] = 1.0;
    let mut deg = 0usize;
    for i in 1..=n1 {
        // multiply by (1 − q^{n2+i})
        let s = n2 + i;
        let new_deg = deg + s;
        for k in (s..=new_deg.min(m)).rev() {
            c[k] -= c[k - s];
        }
        // divide by (1 − q^i): running sum with stride i
        deg = new_deg - i;
        for k in i..=deg.min(m) {
            c[k] += c[k - i];
        }
        for v in c.iter_mut().skip(deg + 1) {
            *v = 0.0;
        }
    }
    c
}

/// Welch two-sample t-test, two-sided (R `t.test(a, b)` default, scipy `ttest_ind(a, b,
/// equal_var = False)`): `t = (ā − b̄)/√(s²_a/n_a + s²_b/n_b)`, Welch–Satterthwaite
/// `df = (v_a + v_b)²/(v_a²/(n_a − 1) + v_b²/(n_b − 1))` with `v = s²/n`, `p = 2·P(T_df > |t|)`.
/// Returns `statistic = t`.
pub fn welch_t(a: &[f64], b: &[f64]) -> TestResult {
    if a.len() < 2 || b.len() < 2 {
        return TestResult {
            statistic: f64::NAN,
            p: f64::NAN,
        };
    }
    let mv = |x: &[f64]| {
        let n = x.len() as f64;
        let m = x.iter().sum::<f64>() / n;
        let v = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0);
        (m, v / n, n)
    };
    let (ma, va, na) = mv(a);
    let (mb, vb, nb) = mv(b);
    let t = (ma - mb) / (va + vb).sqrt();
    let df = (va + vb).powi(2) / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
    TestResult {
        statistic: t,
        p: (2.0 * t_sf(t.abs(), df)).min(1.0),
    }
}

/// Pearson chi-square test of independence on an r×c table of counts (rows = groups), as R
/// `chisq.test(table)` / scipy `chi2_contingency(table)`: expected `E = row·col/N`;
/// `χ² = Σ (|O − E| − c)²/E` with Yates's correction `c = min(½, |O − E|)` for 2×2 tables only,
/// `df = (r − 1)(c − 1)`, `p = P(χ²_df > χ²)`. NaN if a row or column sums to zero.
pub fn chi_square(table: &[Vec<f64>]) -> TestResult {
    let r = table.len();
    let c = table.first().map_or(0, Vec::len);
    if r < 2 || c < 2 || table.iter().any(|row| row.len() != c) {
        return TestResult {
            statistic: f64::NAN,
            p: f64::NAN,
        };
    }
    let rows: Vec<f64> = table.iter().map(|row| row.iter().sum()).collect();
    let cols: Vec<f64> = (0..c)
        .map(|j| table.iter().map(|row| row[j]).sum())
        .collect();
    let n: f64 = rows.iter().sum();
    if rows.iter().chain(&cols).any(|&v| v <= 0.0) {
        return TestResult {
            statistic: f64::NAN,
            p: f64::NAN,
        };
    }
    let yates = r == 2 && c == 2;
    let mut stat = 0.0;
    for (i, row) in table.iter().enumerate() {
        for (j, &o) in row.iter().enumerate() {
            let e = rows[i] * cols[j] / n;
            let mut d = (o - e).abs();
            if yates {
                d -= d.min(0.5);
            }
            stat += d * d / e;
        }
    }
    let df = ((r - 1) * (c - 1)) as f64;
    TestResult {
        statistic: stat,
        p: chi2_sf(stat, df),
    }
}

/// Smallest expected count `row·col/N` of a contingency table (R's `chisq.test` warns "Chi-squared
/// approximation may be incorrect" when it is below 5; the usual cue to report Fisher's test).
/// NaN for an empty or ragged table.
pub fn min_expected(table: &[Vec<f64>]) -> f64 {
    let c = table.first().map_or(0, Vec::len);
    if table.is_empty() || c == 0 || table.iter().any(|row| row.len() != c) {
        return f64::NAN;
    }
    let rows: Vec<f64> = table.iter().map(|row| row.iter().sum()).collect();
    let cols: Vec<f64> = (0..c)
        .map(|j| table.iter().map(|row| row[j]).sum())
        .collect();
    let n: f64 = rows.iter().sum();
    rows.iter()
        .flat_map(|r| cols.iter().map(move |k| r * k / n))
        .fold(f64::INFINITY, f64::min)
}

/// Fisher's exact test for a 2×2 table `[[a, b], [c, d]]`, two-sided as R `fisher.test` (and scipy
/// `fisher_exact`): with margins fixed, `x = a` is hypergeometric; `p = Σ P(x')` over all `x'` with
/// `P(x') ≤ P(a)·(1 + 1e-7)`. Probabilities are built by the ratio recursion from the mode and
/// normalised, so no factorial overflows.
pub fn fisher_exact(table: [[u64; 2]; 2]) -> f64 {
    let [[a, b], [c, d]] = table;
    let row1 = a + b; // draws
    let col1 = a + c; // successes in the population
    let n = a + b + c + d;
    if n == 0 {
        return 1.0;
    }
    let lo = row1.saturating_sub(n - col1);
    let hi = row1.min(col1);
    // unnormalised pmf f(x), f(x+1)/f(x) = (col1 − x)(row1 − x)/((x + 1)(n − col1 − row1 + x + 1))
    let len = (hi - lo + 1) as usize;
    let ratio = |x: u64| -> f64 {
        ((col1 - x) as f64 * (row1 - x) as f64)
            / ((x + 1) as f64 * (n as f64 - col1 as f64 - row1 as f64 + x as f64 + 1.0))
    };
    // mode of the hypergeometric
    let mode = (((row1 + 1) as f64 * (col1 + 1) as f64) / (n + 2) as f64).floor() as u64;
    let mode = mode.clamp(lo, hi);
    let mut f = vec![0.0; len];
    f[(mode - lo) as usize] = 1.0;
    for x in mode..hi {
        let i = (x - lo) as usize;
        f[i + 1] = f[i] * ratio(x);
    }
    for x in (lo..mode).rev() {
        let i = (x - lo) as usize;
        // f(x) = f(x+1) / ratio(x)
        f[i] = f[i + 1] / ratio(x);
    }
    let total: f64 = f.iter().sum();
    let obs = f[(a - lo) as usize];
    let cut = obs * (1.0 + 1e-7);
    let p: f64 = f.iter().filter(|&&v| v <= cut).sum::<f64>() / total;
    p.min(1.0)
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn fisher_tea_tasting() {
        // R: fisher.test(matrix(c(3, 1, 1, 3), 2))$p.value = 0.4857142857142857 (= 34/70)
        assert!((fisher_exact([[3, 1], [1, 3]]) - 34.0 / 70.0).abs() < 1e-15);
        // one-point support: margins force the table
        assert_eq!(fisher_exact([[5, 0], [0, 0]]), 1.0);
        // margins where n − row1 − col1 < 0 (scipy.stats.fisher_exact([[9, 1], [2, 0]]) = 1.0)
        assert!((fisher_exact([[9, 1], [2, 0]]) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn expected_counts() {
        // rows 10, 30; cols 20, 20; N = 40 → smallest 10·20/40 = 5
        assert_eq!(min_expected(&[vec![4.0, 6.0], vec![16.0, 14.0]]), 5.0);
    }

    #[test]
    fn chi_square_symmetric_table_is_one() {
        let t = chi_square(&[vec![10.0, 10.0], vec![10.0, 10.0]]);
        assert_eq!(t.statistic, 0.0);
        assert!((t.p - 1.0).abs() < 1e-15);
    }

    #[test]
    fn exact_u_distribution_small() {
        // n1 = 2, n2 = 2: U ∈ {0,1,2,2,3,4} over the C(4,2) = 6 arrangements → counts 1,1,2,1,1
        assert_eq!(u_distribution(2, 2), vec![1.0, 1.0, 2.0, 1.0, 1.0]);
        // complete separation of 3 vs 3: p = 2/20
        let r = mann_whitney_exact(&[4.0, 5.0, 6.0], &[1.0, 2.0, 3.0]);
        assert_eq!(r.statistic, 9.0);
        assert!((r.p - 0.1).abs() < 1e-15);
    }

    #[test]
    fn mann_whitney_u_sum() {
        let a = [1.0, 2.0, 2.0, 5.0];
        let b = [2.0, 3.0, 4.0];
        let d = mann_whitney_detail(&a, &b);
        assert_eq!(d.u1 + d.u2, 12.0);
        // ties: three 2.0 → 3³ − 3 = 24
        assert_eq!(d.tie_term, 24.0);
    }
}
