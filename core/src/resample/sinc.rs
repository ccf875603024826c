//! The windowed-sinc interpolators (`sitkHammingWindowedSinc`, `sitkCosineWindowedSinc`,
//! `sitkWelchWindowedSinc`, `sitkLanczosWindowedSinc`, `sitkBlackmanWindowedSinc`): ITK 5.4
//! `WindowedSincInterpolateImageFunction<image, 5, window, ZeroFluxNeumannBoundaryCondition>`,
//! as SimpleITK 2.5's `CreateInterpolator` builds it (radius 5 for every window).
//!
//! Per axis `d`: `b = Floor(c_d)` (ITK's SSE2 `Math::Floor`), `δ = c_d − b`; the ten samples
//! `b − 4 … b + 5` take the weights `w_i = window(x_i)·sinc(x_i)` with `x_0 = δ + 5 − 1`,
//! `x_{i+1} = x_i − 1` (repeated subtraction, as ITK), `sinc(x) = sin(πx)/(πx)` (1 at 0), or
//! the delta `w_4 = 1`, others 0, when `δ = 0`. Indices outside the image are clamped to its
//! border (zero-flux Neumann). The value is `Σ ((v·w^x)·w^y)·w^z` over the 10³ samples, z
//! outermost and x innermost, accumulated from 0 — ITK's neighbourhood order.
//!
//! `sin`/`cos` are [`crate::filters::ddmath`]'s (correctly rounded but for near-midpoint
//! cases). SimpleITK calls the C library's, which on glibc 2.36 is not correctly rounded in
//! about 0.1 % of these arguments; such a weight then differs by one ulp and the voxel in its
//! last bits (`docs/resampling.md`).

use super::{itk_floor, AxisWeights, Source, TAPS};
use crate::filters::ddmath;

/// ITK's radius of the windows SimpleITK uses.
pub const RADIUS: usize = 5;

/// The window function of a windowed sinc (ITK `itk::Function::*WindowFunction<5>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// `0.54 + 0.46·cos(x·π/5)`.
    Hamming,
    /// `cos(x·π/10)`.
    Cosine,
    /// `1 − (x·(1/25))·x`.
    Welch,
    /// `sin(x·π/5)/(x·π/5)` (1 at 0).
    Lanczos,
    /// `(0.42 + 0.5·cos(x·π/5)) + 0.08·cos(x·2π/5)`.
    Blackman,
}

const PI: f64 = core::f64::consts::PI;

impl Window {
    /// The window at `x`, with ITK's constants (`π/(2·5)`, `π/5`, `1/(5·5)`, `2π/5`, each one
    /// rounded double) and operation order.
    pub fn at(self, x: f64) -> f64 {
        let r = RADIUS as f64;
        match self {
            Window::Hamming => 0.54 + 0.46 * ddmath::cos(x * (PI / r)),
            Window::Cosine => ddmath::cos(x * (PI / (2.0 * r))),
            Window::Welch => 1.0 - x * (1.0 / (r * r)) * x,
            Window::Lanczos => {
                if x == 0.0 {
                    1.0
                } else {
                    let z = (PI / r) * x;
                    ddmath::sin(z) / z
                }
            }
            Window::Blackman => {
                0.42 + 0.5 * ddmath::cos(x * (PI / r)) + 0.08 * ddmath::cos(x * (2.0 * PI / r))
            }
        }
    }
}

/// ITK's `Sinc`: `sin(πx)/(πx)`, 1 at 0.
fn sinc(x: f64) -> f64 {
    let px = PI * x;
    if x == 0.0 {
        1.0
    } else {
        ddmath::sin(px) / px
    }
}

/// The ten weights and first sample index of one axis at continuous index `c`
/// (ITK `EvaluateAtContinuousIndex`'s `xWeight[dim]`, formula in the module docs).
pub fn axis_weights(window: Window, c: f64) -> AxisWeights {
    let b = itk_floor(c);
    let distance = c - b as f64;
    let mut w = [0.0f64; TAPS];
    let n = 2 * RADIUS;
    if distance == 0.0 {
        if let Some(v) = w.get_mut(RADIUS - 1) {
            *v = 1.0;
        }
    } else {
        let mut x = distance + RADIUS as f64;
        for wi in w.iter_mut().take(n) {
            x -= 1.0;
            *wi = window.at(x) * sinc(x);
        }
    }
    AxisWeights {
        first: b - (RADIUS as i64 - 1),
        n,
        w,
    }
}

/// ITK's zero-flux Neumann boundary: the index clamped to `[0, n − 1]`.
#[inline]
fn clamp(k: i64, n: usize) -> usize {
    if k <= 0 {
        0
    } else {
        (k as usize).min(n.saturating_sub(1))
    }
}

/// The interpolated value from the three axes' weights: `Σ ((v·w^x)·w^y)·w^z`, z outermost,
/// x innermost, from 0 (ITK `WindowedSincInterpolateImageFunction::EvaluateAtContinuousIndex`;
/// reproduces PyRadiomics' `resampleImage` with `interpolator: sitk*WindowedSinc`).
pub fn evaluate(image: &Source, w: &[AxisWeights; 3]) -> f64 {
    let dims = image.dims();
    let [wx, wy, wz] = w;
    let mut xs = [0usize; TAPS];
    for (i, x) in xs.iter_mut().enumerate().take(wx.n) {
        *x = clamp(wx.first + i as i64, dims[0]);
    }
    let mut sum = 0.0;
    for (k, &fz) in wz.w.iter().enumerate().take(wz.n) {
        let z = clamp(wz.first + k as i64, dims[2]);
        for (j, &fy) in wy.w.iter().enumerate().take(wy.n) {
            let y = clamp(wy.first + j as i64, dims[1]);
            let row = dims[0] * (y + dims[1] * z);
            for (&x, &fx) in xs.iter().zip(wx.w.iter()).take(wx.n) {
                let mut v = image.get(row + x);
                v *= fx;
                v *= fy;
                v *= fz;
                sum += v;
            }
        }
    }
    sum
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn weights_on_the_grid_are_a_delta() {
        let a = axis_weights(Window::Hamming, 3.0);
        assert_eq!(a.first, -1);
        assert_eq!(a.n, 10);
        assert_eq!(a.w[4], 1.0);
        assert_eq!(a.w.iter().filter(|&&v| v != 0.0).count(), 1);
    }

    #[test]
    fn weights_off_the_grid_follow_the_sinc() {
        // Half-way: the two nearest samples (offsets 0 and 1, weights 4 and 5) are equal and
        // largest; the window makes each weight smaller than the bare sinc.
        for win in [
            Window::Hamming,
            Window::Cosine,
            Window::Welch,
            Window::Lanczos,
            Window::Blackman,
        ] {
            let a = axis_weights(win, 2.5);
            assert_eq!(a.first, -2);
            assert!((a.w[4] - a.w[5]).abs() < 1e-15, "{win:?}");
            assert!(a.w[4] > 0.5 && a.w[4] < 2.0 / PI, "{win:?} {}", a.w[4]);
            assert!(a.w[3] < 0.0 && a.w[6] < 0.0, "{win:?}");
        }
    }
}
