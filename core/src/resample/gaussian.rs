//! `sitkGaussian`: ITK 5.4 `GaussianInterpolateImageFunction` as SimpleITK 2.5's
//! `CreateInterpolator` builds it — `σ_d = 0.8·spacing_d`, `α = 4` (SimpleITK 2.5 sets it;
//! older SimpleITK releases left ITK's default 1) — and the error-function weights it shares
//! with `sitkLabelGaussian` ([`super::label_gaussian`]).
//!
//! Per axis `d` (input spacing `s`): `scale = 1/((√2·σ)/s)`, `cutoff = (σ·α)/s`; the region is
//! `begin = max(0, ⌊c + 0.5 − cutoff⌋)`, `end = min(N, ⌈c + 0.5 + cutoff⌉)`; with
//! `t_0 = ((−0.5 − c) + begin)·scale` and `t_{i+1} = t_i + scale` (repeated addition), the weight
//! of sample `begin + i` is `erf(t_{i+1}) − erf(t_i)`, erf being vnl's `vnl_erf` (an incomplete
//! gamma function: series below `x² < 1.5`, Lentz continued fraction above, relative tolerance
//! 3e-7 — an approximation of erf good to ~1e-7, which ITK uses as is). The value is
//! `Σ V·w / Σ w` with `w = (w^x·w^y)·w^z`, both sums from 0, x fastest.
//!
//! `exp`/`log` inside `vnl_erf` are [`crate::filters::ddmath`]'s (correctly rounded but for
//! near-midpoint cases); ITK calls glibc's, which is not correctly rounded for about 0.1 % of
//! arguments, and a one-ulp difference there moves the value in its last bits.

use super::{AxisWeights, Source, TAPS};
use crate::filters::ddmath;
use crate::Error;

/// `itk::Math::sqrt2`.
const SQRT2: f64 = core::f64::consts::SQRT_2;

/// vnl's iteration limit and tolerances (`vnl_gamma.cxx`).
const MAX_ITS: i32 = 100;
const MAX_REL_ERROR: f64 = 3.0e-7;
const VERY_SMALL: f64 = 1.0e-30;

/// `vnl_log_gamma(x)`: 6-term Lanczos approximation (Toth), `ln(zp) + (x − 0.5)·ln(x + 4.65)
/// − (x + 4.65)` with `zp` the coefficients' partial-fraction sum in vnl's order.
fn log_gamma(x: f64) -> f64 {
    let mut zp = 2.506_628_275_634_795;
    zp += 225.525_584_619_175_22 / x;
    zp -= 268.295_973_841_304_94 / (x + 1.0);
    zp += 80.903_080_693_462_26 / (x + 2.0);
    zp -= 5.007_578_639_705_176 / (x + 3.0);
    zp += 0.011_468_489_543_478_146 / (x + 4.0);
    let x1 = x + 4.65;
    ddmath::log(zp) + (x - 0.5) * ddmath::log(x1) - x1
}

/// `exp(−x + a·ln x − lnΓ(a))`, the common factor of both branches.
fn prefactor(a: f64, x: f64) -> f64 {
    ddmath::exp(-x + a * ddmath::log(x) - log_gamma(a))
}

/// `vnl_gamma_series`: `Σ_i x^i / (a(a+1)…(a+i))` until a term is below 3e-7 of the sum (at
/// most 100 terms), times [`prefactor`]; 0 for `x ≤ 0`.
fn gamma_series(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let mut a_i = a;
    let mut term = 1.0 / a;
    let mut sum = term;
    for _ in 1..=MAX_ITS {
        a_i += 1.0;
        term *= x / a_i;
        sum += term;
        if libm::fabs(term) < libm::fabs(sum) * MAX_REL_ERROR {
            break;
        }
    }
    sum * prefactor(a, x)
}

/// `vnl_gamma_cont_frac`: Lentz's evaluation of the continued fraction of Q(a, x)
/// (`a_i = i·(a − i)`, `b_i = x + 1 − a + 2i`), stopping when `|δ − 1| < 3e-7` (at most 100
/// steps), times [`prefactor`].
fn gamma_cont_frac(a: f64, x: f64) -> f64 {
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / VERY_SMALL;
    let mut d = 1.0 / b;
    let mut cf = d;
    for i in 1..=MAX_ITS {
        let fi = f64::from(i);
        let a_i = fi * (a - fi);
        b += 2.0;
        d = a_i * d + b;
        if libm::fabs(d) < VERY_SMALL {
            d = VERY_SMALL;
        }
        c = b + a_i / c;
        if libm::fabs(c) < VERY_SMALL {
            c = VERY_SMALL;
        }
        d = 1.0 / d;
        let delta = d * c;
        cf *= delta;
        if libm::fabs(delta - 1.0) < MAX_REL_ERROR {
            break;
        }
    }
    prefactor(a, x) * cf
}

/// `vnl_erf(x) = ±P(½, x²)` (sign of x), `P` the regularised lower incomplete gamma function:
/// the series when `x² < 1.5`, else `1 − ` the continued fraction.
pub fn vnl_erf(x: f64) -> f64 {
    let x2 = x * x;
    let p = if x2 < 0.5 + 1.0 {
        gamma_series(0.5, x2)
    } else {
        1.0 - gamma_cont_frac(0.5, x2)
    };
    if x < 0.0 {
        -p
    } else {
        p
    }
}

/// The per-axis constants of `GaussianInterpolateImageFunction::ComputeBoundingBox`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Axis {
    /// `1 / ((√2·σ)/s)`.
    pub scale: f64,
    /// `(σ·α)/s`.
    pub cutoff: f64,
}

impl Axis {
    /// Constants for `σ`, `α` on an axis of spacing `s`.
    pub fn new(sigma: f64, alpha: f64, spacing: f64) -> Axis {
        Axis {
            scale: 1.0 / (SQRT2 * sigma / spacing),
            cutoff: sigma * alpha / spacing,
        }
    }

    /// SimpleITK's `sitkGaussian` on an axis of spacing `s`: `σ = 0.8·s`, `α = 4`.
    pub fn gaussian(spacing: f64) -> Axis {
        Axis::new(0.8 * spacing, 4.0, spacing)
    }

    /// SimpleITK's `sitkLabelGaussian`: `σ = s`, `α = 1`.
    pub fn label_gaussian(spacing: f64) -> Axis {
        Axis::new(spacing, 1.0, spacing)
    }

    /// Region and weights at continuous index `c` on an axis of `n` voxels
    /// (`ComputeInterpolationRegion` + `ComputeErrorFunctionArray`, formula in the module
    /// docs). [`Error::BadSetting`] if the region has more than [`TAPS`] samples (at most
    /// `⌈2·cutoff⌉ + 1`: 8 for `sitkGaussian`'s cutoff 3.2, 3 for `sitkLabelGaussian`'s 1).
    pub fn weights(&self, c: f64, n: usize) -> Result<AxisWeights, Error> {
        let c_begin = c + 0.5 - self.cutoff;
        let begin = (libm::floor(c_begin) as i64).max(0);
        let c_end = c + 0.5 + self.cutoff;
        let end = (libm::ceil(c_end) as i64).min(n as i64);
        let size = (end - begin).max(0);
        if size > TAPS as i64 {
            return Err(Error::BadSetting);
        }
        let mut w = [0.0; TAPS];
        let mut t = (-0.5 - c + begin as f64) * self.scale;
        let mut e_last = vnl_erf(t);
        for wi in w.iter_mut().take(size as usize) {
            t += self.scale;
            let e_now = vnl_erf(t);
            *wi = e_now - e_last;
            e_last = e_now;
        }
        Ok(AxisWeights {
            first: begin,
            n: size as usize,
            w,
        })
    }
}

/// ITK `GaussianInterpolateImageFunction::EvaluateAtContinuousIndex` from the three axes'
/// regions and weights: `Σ V·w / Σ w`, `w = (w^x·w^y)·w^z`, x fastest, sums from 0
/// (reproduces PyRadiomics' `resampleImage` with `interpolator: sitkGaussian`).
pub fn evaluate(image: &Source, w: &[AxisWeights; 3]) -> f64 {
    let mut sum_me = 0.0;
    let mut sum_m = 0.0;
    let _ = for_each_sample(image, w, |v, wt| {
        sum_me += v * wt;
        sum_m += wt;
        Some(())
    });
    sum_me / sum_m
}

/// Calls `f(V, w)` for every sample of the region, x fastest, with ITK's weight
/// `w = (w^x·w^y)·w^z` (the Gaussian and the label-Gaussian interpolators share this walk);
/// stops at the first `None` from `f` and returns it.
pub(super) fn for_each_sample(
    image: &Source,
    w: &[AxisWeights; 3],
    mut f: impl FnMut(f64, f64) -> Option<()>,
) -> Option<()> {
    let dims = image.dims();
    let [wx, wy, wz] = w;
    for (k, &fz) in wz.w.iter().enumerate().take(wz.n) {
        let z = (wz.first + k as i64) as usize;
        for (j, &fy) in wy.w.iter().enumerate().take(wy.n) {
            let y = (wy.first + j as i64) as usize;
            let row = (wx.first as usize) + dims[0] * (y + dims[1] * z);
            for (i, &fx) in wx.w.iter().enumerate().take(wx.n) {
                let mut wt = fx;
                wt *= fy;
                wt *= fz;
                f(image.get(row + i), wt)?;
            }
        }
    }
    Some(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn vnl_erf_approximates_erf() {
        // vnl's tolerance is 3e-7 relative on the series / continued fraction.
        for x in [0.1, 0.5, 1.0, 1.2, 1.5, 2.5, 4.0] {
            let e = libm::erf(x);
            assert!((vnl_erf(x) - e).abs() < 1e-6 * e, "{x}: {}", vnl_erf(x));
            assert_eq!(vnl_erf(-x), -vnl_erf(x));
        }
        assert_eq!(vnl_erf(0.0), 0.0);
    }

    #[test]
    fn regions_and_weights() {
        let a = Axis::gaussian(1.3);
        // c = 4.2, cutoff 3.2: [floor(1.5), ceil(7.9)) = [1, 8).
        let w = a.weights(4.2, 10).unwrap();
        assert_eq!((w.first, w.n), (1, 7));
        // Weights ≈ the Gaussian's mass on each voxel: the nearest voxel (4) carries the most.
        assert!(w.w[3] > w.w[2] && w.w[3] > w.w[4]);
        // Clipped at the border: [0, ceil(3.3)).
        let w = a.weights(-0.4, 10).unwrap();
        assert_eq!((w.first, w.n), (0, 4));
        // Label Gaussian, cutoff 1: [floor(3.7), ceil(5.7)) = [3, 6).
        let w = Axis::label_gaussian(0.7).weights(4.2, 10).unwrap();
        assert_eq!((w.first, w.n), (3, 3));
    }
}
