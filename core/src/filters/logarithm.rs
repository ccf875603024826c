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
//! [`Error::AllZeroImage`].

use super::exponential::nonzero_max_abs;
use super::map_roi;
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

/// The scale M / max |y| = M / ln(M + 1), M = [`nonzero_max_abs`].
///
/// Errors: [`Error::AllZeroImage`] when M = 0 (all-zero image; PyRadiomics: NaN image, failed extraction).
pub fn coefficient(image: &ImageView) -> Result<f64, Error> {
    let m = nonzero_max_abs(image)?;
    Ok(m / libm::log(m + 1.0))
}

/// `out[box index] = y(x) · (M / max |y|)` for every voxel of `roi` (x fastest).
/// Reproduces `getLogarithmImage` followed by the crop to the ROI bounding box.
pub fn filter(image: &ImageView, roi: &RoiBox, out: &mut [f64]) -> Result<(), Error> {
    let c = coefficient(image)?;
    map_roi(image, roi, out, |x| log_value(x) * c)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::image::Voxels;

    /// The definition, as numpy evaluates it: y over the whole image, then max |y| by a scan.
    fn by_definition(v: &[f64]) -> [f64; 24] {
        let m = v.iter().fold(0.0f64, |a, x| a.max(x.abs()));
        let y: [f64; 24] = core::array::from_fn(|i| log_value(v[i]));
        let my = y.iter().fold(0.0f64, |a, x| a.max(x.abs()));
        let c = m / my;
        y.map(|t| t * c)
    }

    #[test]
    fn max_of_log_is_log_of_max_bit_for_bit() {
        // max |x| from a negative voxel, from a positive one, with zeros and fractions
        for img in [
            [-7.5, 3.0, 0.0, 2.25, -1.0, 6.0, 0.125, -0.5],
            [1e6, -3.0, 0.0, 0.0, 12.0, -999_999.5, 0.3, 7.0],
        ] {
            let v: [f64; 24] = core::array::from_fn(|i| img[i % 8] * (1.0 + (i / 8) as f64 * 0.1));
            let iv = ImageView::new(Voxels::F64(&v), [4, 3, 2], [1.0; 3]).unwrap();
            let roi = RoiBox {
                lo: [0; 3],
                hi: [4, 3, 2],
            };
            let mut out = [0.0; 24];
            filter(&iv, &roi, &mut out).unwrap();
            assert_eq!(out, by_definition(&v));
            assert!(out
                .iter()
                .zip(&v)
                .all(|(f, x)| f.signum() == x.signum() || *x == 0.0));
        }
        let z = [0i16; 8];
        let iv = ImageView::new(Voxels::I16(&z), [2, 2, 2], [1.0; 3]).unwrap();
        assert_eq!(coefficient(&iv), Err(Error::AllZeroImage));
    }
}
