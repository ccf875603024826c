//! `sitkLabelGaussian`: ITK 5.4 `LabelImageGaussianInterpolateImageFunction` as SimpleITK 2.5's
//! `CreateInterpolator` builds it (`σ_d = spacing_d`, `α = 1`). PyRadiomics applies it to the
//! image (the mask is always nearest-neighbour), so each output voxel takes the input value
//! with the largest summed Gaussian weight in the region.
//!
//! Region and weights are [`super::gaussian`]'s with `σ = s` (cutoff `(s·1)/s = 1`: at most
//! 3 × 3 × 3 samples). Scanning the region x fastest, each sample's weight `(w^x·w^y)·w^z` is
//! added to its value's running total (`std::map` keyed by the value as a double, `std::less`:
//! values that compare equal share a total); whenever a running total exceeds (strictly) the
//! largest seen so far, the current sample's value becomes the answer. Start: answer 0, largest 0.

use super::{AxisWeights, Source, TAPS};

/// Distinct values a region can hold (`TAPS³`).
const MAX_VALUES: usize = TAPS * TAPS * TAPS;

/// ITK `LabelImageGaussianInterpolateImageFunction::EvaluateAtContinuousIndex` from the three
/// axes' regions and weights (formula in the module docs; reproduces PyRadiomics'
/// `resampleImage` with `interpolator: sitkLabelGaussian`). `None` if a region holds more than
/// [`MAX_VALUES`] samples (impossible with SimpleITK's σ and α, whose regions are ≤ 3 wide).
pub fn evaluate(image: &Source, w: &[AxisWeights; 3]) -> Option<f64> {
    let [wx, wy, wz] = w;
    if wx.n.checked_mul(wy.n)?.checked_mul(wz.n)? > MAX_VALUES {
        return None;
    }
    let mut keys = [0.0f64; MAX_VALUES];
    let mut totals = [0.0f64; MAX_VALUES];
    let mut len = 0usize;
    let mut wmax = 0.0;
    let mut vmax = 0.0;
    super::gaussian::for_each_sample(image, w, |v, wt| {
        let found = keys.iter().take(len).position(|&key| !(key < v || v < key));
        let wtest = match found {
            Some(p) => {
                let t = totals.get_mut(p)?;
                *t += wt;
                *t
            }
            None => {
                *keys.get_mut(len)? = v;
                *totals.get_mut(len)? = wt;
                len += 1;
                wt
            }
        };
        if wtest > wmax {
            wmax = wtest;
            vmax = v;
        }
        Some(())
    })?;
    Some(vmax)
}
