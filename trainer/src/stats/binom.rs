//! Exact (Clopper–Pearson) binomial confidence interval, as R `binom.test(x, n)$conf.int`.

use super::dist::inv_reg_inc_beta;

/// A proportion `x / n` with its exact two-sided confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Proportion {
    /// Successes.
    pub x: usize,
    /// Trials.
    pub n: usize,
    /// `x / n` (NaN when `n = 0`).
    pub estimate: f64,
    /// Lower limit: `qbeta(α/2, x, n − x + 1)`, 0 when `x = 0`.
    pub low: f64,
    /// Upper limit: `qbeta(1 − α/2, x + 1, n − x)`, 1 when `x = n`.
    pub high: f64,
}

/// Clopper–Pearson interval at level `conf` (0.95 for 95 %): the limits are the Beta quantiles
/// R's `binom.test` uses (`p.L = qbeta(α/2, x, n − x + 1)`, `p.U = qbeta(1 − α/2, x + 1, n − x)`,
/// α = 1 − conf). NaN limits when `n = 0`.
pub fn clopper_pearson(x: usize, n: usize, conf: f64) -> Proportion {
    if n == 0 || x > n {
        return Proportion {
            x,
            n,
            estimate: f64::NAN,
            low: f64::NAN,
            high: f64::NAN,
        };
    }
    let alpha = 1.0 - conf;
    let (xf, nf) = (x as f64, n as f64);
    let low = if x == 0 {
        0.0
    } else {
        inv_reg_inc_beta(alpha / 2.0, xf, nf - xf + 1.0)
    };
    let high = if x == n {
        1.0
    } else {
        inv_reg_inc_beta(1.0 - alpha / 2.0, xf + 1.0, nf - xf)
    };
    Proportion {
        x,
        n,
        estimate: xf / nf,
        low,
        high,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_the_beta_tail_solutions() {
        // P(X ≥ x | p_L) = α/2 and P(X ≤ x | p_U) = α/2 define the interval; check via the
        // binomial sums directly for a small n.
        let (x, n) = (3usize, 10usize);
        let ci = clopper_pearson(x, n, 0.95);
        let pmf = |k: usize, p: f64| {
            let mut c = 1.0;
            for i in 0..k {
                c *= (n - i) as f64 / (i + 1) as f64;
            }
            c * p.powi(k as i32) * (1.0 - p).powi((n - k) as i32)
        };
        let upper_tail: f64 = (x..=n).map(|k| pmf(k, ci.low)).sum();
        let lower_tail: f64 = (0..=x).map(|k| pmf(k, ci.high)).sum();
        assert!((upper_tail - 0.025).abs() < 1e-12, "{upper_tail}");
        assert!((lower_tail - 0.025).abs() < 1e-12, "{lower_tail}");
    }

    #[test]
    fn extremes_are_closed() {
        let z = clopper_pearson(0, 7, 0.95);
        assert_eq!(z.low, 0.0);
        // (α/2)^(1/n) rule at x = 0
        assert!((z.high - (1.0 - 0.025f64.powf(1.0 / 7.0))).abs() < 1e-12);
        let f = clopper_pearson(7, 7, 0.95);
        assert_eq!(f.high, 1.0);
        assert!(clopper_pearson(0, 0, 0.95).low.is_nan());
    }
}
