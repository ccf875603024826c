//! The `logarithm` image type (PyRadiomics `imageoperations.getLogarithmImage`).
//!
//! With x the voxel values as float64 and M = max over the WHOLE image of |x|:
//!
//! ```text
//! y(x) = ln(x + 1)       for x > 0
//! y(x) = −ln(−(x − 1))   for x < 0      (= −ln(1 − x))
//! y(0) = 0
//! f(x) = y(x) · (M / max |y|)            (the ratio first, then one product per voxel)
//! ```
//!
//! |y(x)| = ln(|x| + 1) grows with |x|, and `x + 1` and `−(x − 1)` round |x| + 1 identically,
//! so max |y| = ln(M + 1): one pass over the image for M, none for max |y|.
//!
//! # Deviations
//!
//! `ln` is libm's; numpy 1.26 may evaluate `log` with SIMD (SVML) kernels that are not correctly
//! rounded, so values can differ from PyRadiomics' by about one ulp (as for the exponential
//! filter). For an all-zero image PyRadiomics computes 0/0 and a NaN image; here that is
//! [`Error::BadFilterParameter`].

use super::exponential::max_abs;
use super::{box_index, image_index};
use crate::image::{ImageView, RoiBox};
use crate::Error;

/// y(x) of the module docs (before scaling).
#[inline]
pub fn log_value(x: f64) -> f64 {
    if x > 0.0 {
        libm::log(x + 1.0)
    } else if x < 0.0 {
        -libm::log(-(x - 1.0))
    } else {
        x
    }
}

/// The scale M / max |y| = M / ln(M + 1), M = [`max_abs`].
///
/// Errors: [`Error::BadFilterParameter`] when M = 0 (all-zero image; PyRadiomics: NaN image).
pub fn coefficient(image: &ImageView) -> Result<f64, Error> {
    let m = max_abs(image);
    if m <= 0.0 || !m.is_finite() {
        return Err(Error::BadFilterParameter);
    }
    Ok(m / libm::log(m + 1.0))
}

/// `out[box index] = y(x) · (M / max |y|)` for every voxel of `roi` (x fastest).
/// Reproduces `getLogarithmImage` followed by the crop to the ROI bounding box.
pub fn filter(image: &ImageView, roi: &RoiBox, out: &mut [f64]) -> Result<(), Error> {
    let c = coefficient(image)?;
    let dims = image.dims();
    for z in roi.lo[2]..roi.hi[2] {
        for y in roi.lo[1]..roi.hi[1] {
            for x in roi.lo[0]..roi.hi[0] {
                let v = log_value(image.get_f64(image_index(dims, x, y, z)));
                let o = out
                    .get_mut(box_index(roi, x, y, z))
                    .ok_or(Error::OutputTooSmall)?;
                *o = v * c;
            }
        }
    }
    Ok(())
}
