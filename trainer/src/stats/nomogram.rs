//! rms-style nomogram scales: R `pretty()` axis ticks and the 0–100 points scale of
//! `rms::nomogram`.

/// R `pretty(c(lo, hi), n)` with R's defaults (`min.n = n %/% 3`, `shrink.sml = 0.75`,
/// `high.u.bias = 1.5`, `u5.bias = 0.5 + 1.5·high.u.bias`, `eps.correct = 0`, `bounds = TRUE`).
/// See [`pretty_with`].
pub fn pretty(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    pretty_with(lo, hi, n, n / 3, 0.75, 1.5, 0.5 + 1.5 * 1.5)
}

/// R's `pretty.default` / C `R_pretty` (R ≥ 4.2). With `dx = hi − lo`, `cell = max(|lo|, |hi|)`:
/// * "small" range when `dx < 3·cell·U`, `U = (1 + (h5 ≥ 1.5h + ½ ? 1/(1+h) : 1.5/(1+h5)))·max(1,n)·ε`
///   (or lo = hi = 0); then `cell` is shrunk (`9 + cell/10` if > 10, `·shrink`, `/min_n`);
///   otherwise `cell = dx/n`;
/// * `base = 10^⌊log10 cell⌋`; unit = base, promoted to 2·base if `2b − cell < h(cell − unit)`, then
///   to 5·base if `5b − cell < h5(cell − unit)`, then 10·base if `10b − cell < h(cell − unit)`;
/// * `ns = ⌊lo/unit + 1e-10⌋`, `nu = ⌈hi/unit − 1e-10⌉`, widened while `ns·unit > lo + 1e-10·unit` /
///   `nu·unit < hi − 1e-10·unit`; at least `min_n` intervals (extra added around);
/// * ticks = `seq.int(l, u, length.out = k + 1)` with `l = min(lo, ns·unit)`, `u = max(hi, nu·unit)`
///   (R's symmetric seq: from the start in the first half, from the end in the second), and
///   values with `|s| < 1e-14·(u − l)/k` set to 0.
///
/// This is R 4.2's `R_pretty`. Later R versions add one refinement for the rare case
/// `k < min_n` with a bound exactly 0 (`lo = 0, ns = 0`: all extra intervals go up; `hi = 0,
/// nu = 0`: all go down); it is not applied here.
///
/// Returns an empty vector for non-finite input.
pub fn pretty_with(
    lo: f64,
    hi: f64,
    n: usize,
    min_n: usize,
    shrink: f64,
    h: f64,
    h5: f64,
) -> Vec<f64> {
    if !lo.is_finite() || !hi.is_finite() {
        return Vec::new();
    }
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    const EPS: f64 = 1e-10;
    let dx = hi - lo;
    let (mut cell, i_small);
    if dx == 0.0 && hi == 0.0 {
        cell = 1.0;
        i_small = true;
    } else {
        cell = lo.abs().max(hi.abs());
        let mut u = 1.0
            + if h5 >= 1.5 * h + 0.5 {
                1.0 / (1.0 + h)
            } else {
                1.5 / (1.0 + h5)
            };
        u *= n.max(1) as f64 * f64::EPSILON;
        i_small = dx < cell * u * 3.0;
    }
    if i_small {
        if cell > 10.0 {
            cell = 9.0 + cell / 10.0;
        }
        cell *= shrink;
        if min_n > 1 {
            cell /= min_n as f64;
        }
    } else {
        cell = dx;
        if n > 1 {
            cell /= n as f64;
        }
    }
    let subsmall = 2f64.powi(-20) * f64::MIN_POSITIVE;
    if cell < subsmall {
        cell = subsmall;
    } else if cell > f64::MAX / 1.25 {
        cell = f64::MAX / 1.25;
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
    let mut ns = (lo / unit + EPS).floor();
    let mut nu = (hi / unit - EPS).ceil();
    while ns * unit > lo + EPS * unit {
        ns -= 1.0;
    }
    while nu * unit < hi - EPS * unit {
        nu += 1.0;
    }
    let mut k = (0.5 + nu - ns) as i64;
    let min_n = min_n as i64;
    if k < min_n {
        let extra = min_n - k;
        if ns >= 0.0 {
            nu += (extra / 2) as f64;
            ns -= (extra / 2 + extra % 2) as f64;
        } else {
            ns -= (extra / 2) as f64;
            nu += (extra / 2 + extra % 2) as f64;
        }
        k = min_n;
    }
    let l = if ns * unit < lo { ns * unit } else { lo };
    let u = if nu * unit > hi { nu * unit } else { hi };
    let k = k.max(0) as usize;
    let lout = k + 1;
    let mut s = vec![0.0; lout];
    s[0] = l;
    if lout > 1 {
        s[lout - 1] = u;
    }
    if lout > 2 {
        let by = (u - l) / (lout - 1) as f64;
        for (i, v) in s.iter_mut().enumerate().take(lout - 1).skip(1) {
            *v = if i < lout / 2 {
                l + i as f64 * by
            } else {
                u - (lout - 1 - i) as f64 * by
            };
        }
    }
    if k > 0 {
        let delta = (u - l) / k as f64;
        for v in &mut s {
            if v.abs() < 1e-14 * delta {
                *v = 0.0;
            }
        }
    }
    s
}

/// Axis of a continuous predictor in `rms::nomogram`: `pretty(range(x), n = 10)` over the full
/// training range.
pub fn axis(x: &[f64]) -> Vec<f64> {
    let (min, max) = x
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    pretty(min, max, 10)
}

/// One predictor's row of the nomogram.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PointsRow {
    pub coef: f64,
    pub low: f64,
    pub high: f64,
    pub points_at_low: f64,
    pub points_at_high: f64,
    /// Points per unit of the predictor (signed).
    pub points_per_unit: f64,
    /// `|b|·(high − low)`.
    pub range_lp: f64,
}

/// The rms point scale of a logistic model `LP = b0 + Σ b_j x_j`.
#[derive(Clone, Debug, PartialEq)]
pub struct PointsScale {
    pub rows: Vec<PointsRow>,
    /// `max_k R_k`, the largest linear-predictor range over the predictors.
    pub max_range_lp: f64,
    /// `b0 + Σ_j min(b_j·low_j, b_j·high_j)`: the LP at 0 total points.
    pub lp_at_zero_points: f64,
    /// `max_range_lp / 100`.
    pub lp_per_point: f64,
}

impl PointsScale {
    /// `rms::nomogram` point assignment (maxscale 100): `R_j = |b_j|(high_j − low_j)`,
    /// `points_j(x) = 100·(b_j x − min(b_j low_j, b_j high_j))/max_k R_k`.
    pub fn new(intercept: f64, coefs: &[f64], lows: &[f64], highs: &[f64]) -> PointsScale {
        let ranges: Vec<f64> = coefs
            .iter()
            .zip(lows.iter().zip(highs))
            .map(|(b, (l, h))| b.abs() * (h - l))
            .collect();
        let rmax = ranges.iter().fold(0.0f64, |a, &b| a.max(b));
        let mins: Vec<f64> = coefs
            .iter()
            .zip(lows.iter().zip(highs))
            .map(|(b, (l, h))| (b * l).min(b * h))
            .collect();
        let rows = coefs
            .iter()
            .zip(lows.iter().zip(highs))
            .zip(mins.iter().zip(&ranges))
            .map(|((&b, (&l, &h)), (&mn, &r))| PointsRow {
                coef: b,
                low: l,
                high: h,
                points_at_low: 100.0 * (b * l - mn) / rmax,
                points_at_high: 100.0 * (b * h - mn) / rmax,
                points_per_unit: 100.0 * b / rmax,
                range_lp: r,
            })
            .collect();
        PointsScale {
            rows,
            max_range_lp: rmax,
            lp_at_zero_points: intercept + mins.iter().sum::<f64>(),
            lp_per_point: rmax / 100.0,
        }
    }

    /// Points of predictor `j` at value `x`.
    pub fn points(&self, j: usize, x: f64) -> f64 {
        self.rows.get(j).map_or(f64::NAN, |r| {
            let mn = (r.coef * r.low).min(r.coef * r.high);
            100.0 * (r.coef * x - mn) / self.max_range_lp
        })
    }

    /// Largest reachable total: `Σ_j max(points_at_low_j, points_at_high_j)` (the end of the
    /// total-points axis).
    pub fn max_total(&self) -> f64 {
        self.rows
            .iter()
            .map(|r| r.points_at_low.max(r.points_at_high))
            .sum()
    }

    /// Linear predictor for a total number of points.
    pub fn lp_from_total(&self, total: f64) -> f64 {
        self.lp_at_zero_points + total * self.lp_per_point
    }

    /// Risk `1/(1 + e^{−LP})` for a total number of points.
    pub fn probability_from_total(&self, total: f64) -> f64 {
        let lp = self.lp_from_total(total);
        if lp >= 0.0 {
            1.0 / (1.0 + (-lp).exp())
        } else {
            let e = lp.exp();
            e / (1.0 + e)
        }
    }

    /// Total points giving probability `p` (for the probability axis ticks).
    pub fn total_for_probability(&self, p: f64) -> f64 {
        let lp = p.ln() - (-p).ln_1p();
        (lp - self.lp_at_zero_points) / self.lp_per_point
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected vectors follow R's documented algorithm, worked by hand:
    // pretty(c(0, 1)) -> cell = 0.2, base 0.1, 2b − cell = 0 < 1.5·0.1 → unit 0.2; 5b − cell = 0.3 ≥
    // 2.75·0 → stays 0.2: 0, 0.2, …, 1.
    #[test]
    fn pretty_known_cases() {
        let t = pretty(0.0, 1.0, 5);
        assert_eq!(t.len(), 6);
        assert!((t[3] - 0.6).abs() < 1e-15);
        // pretty(c(1, 99)): cell 19.6, base 10, 20 − 19.6 < 1.5·9.6 → 20; 50 − 19.6 ≥ 2.75·(−0.4) →
        // unit 20: 0, 20, …, 100
        assert_eq!(
            pretty(1.0, 99.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        // pretty(c(-0.37, 1.53), n = 10): cell 0.19, base 0.1, 0.2 − 0.19 < 1.5·0.09 → 0.2;
        // 0.5 − 0.19 ≥ 2.75·(−0.01) → 0.2: −0.4 … 1.6 (11 ticks)
        let t = pretty(-0.37, 1.53, 10);
        assert_eq!(t.len(), 11);
        assert_eq!(t[0], -0.4);
        assert_eq!(t[10], 1.6);
        assert_eq!(t[2], 0.0);
        // degenerate range: pretty(5) with n = 5 → min.n = 1, cell = 5·0.75 = 3.75, base 1,
        // 2 − 3.75 < 1.5·2.75 → 2; 5 − 3.75 = 1.25 < 2.75·1.75 → 5; 10 − 3.75 ≥ 1.5·(−1.25) → 5:
        // ns = 1, nu = 1 → k = 0 < 1 → ns = 0: 0, 5
        assert_eq!(pretty(5.0, 5.0, 5), vec![0.0, 5.0]);
    }

    #[test]
    fn points_scale_endpoints() {
        let s = PointsScale::new(-1.0, &[2.0, -1.0], &[0.0, 0.0], &[1.0, 4.0]);
        assert_eq!(s.max_range_lp, 4.0);
        assert_eq!(s.points(1, 0.0), 100.0);
        assert_eq!(s.points(0, 1.0), 50.0);
        assert!((s.lp_from_total(150.0) - (-1.0 - 4.0 + 6.0)).abs() < 1e-12);
        assert_eq!(s.max_total(), 150.0);
        let t = s.total_for_probability(0.3);
        assert!((s.probability_from_total(t) - 0.3).abs() < 1e-12);
    }
}
