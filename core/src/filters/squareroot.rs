//! The `squareroot` image type (PyRadiomics `imageoperations.getSquareRootImage`).
//!
//! With x the voxel values as float64 and M = max over the WHOLE image of |x|:
//! f(x) = sqrt(x · M) for x > 0, f(x) = −sqrt(−x · M) for x < 0, f(0) = 0 (float64).
//! The sign of x is kept. sqrt and the product are correctly rounded, so the values are
//! bit-identical to numpy's. An all-zero image gives an all-zero result, as in PyRadiomics.

use super::exponential::max_abs;
use super::map_roi;
use crate::image::{ImageView, RoiBox};
use crate::Error;

/// f(x) for the image-wide M = max |x| (`getSquareRootImage`'s `coeff`).
#[inline]
pub fn value(x: f64, m: f64) -> f64 {
    if x > 0.0 {
        libm::sqrt(x * m)
    } else if x < 0.0 {
        -libm::sqrt(-x * m)
    } else {
        x
    }
}

/// `out[box index] = f(x)` for every voxel of `roi` (x fastest), with M = [`max_abs`].
/// Reproduces `getSquareRootImage` followed by the crop to the ROI bounding box.
pub fn filter(image: &ImageView, roi: &RoiBox, out: &mut [f64]) -> Result<(), Error> {
    let m = max_abs(image);
    map_roi(image, roi, out, |v| value(v, m))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::image::Voxels;

    #[test]
    fn squareroot_keeps_the_sign_and_maps_zero_images_to_zero() {
        let v = [-16.0f32, 4.0, 0.0, 1.0, -0.25, 9.0, 2.0, -1.0];
        let iv = ImageView::new(Voxels::F32(&v), [2, 2, 2], [1.0; 3]).unwrap();
        let roi = RoiBox {
            lo: [0; 3],
            hi: [2, 2, 2],
        };
        let mut out = [0.0; 8];
        filter(&iv, &roi, &mut out).unwrap();
        assert_eq!(
            out,
            [-16.0, 8.0, 0.0, 4.0, -2.0, 12.0, libm::sqrt(32.0), -4.0]
        );
        let z = [0u16; 8];
        let iv = ImageView::new(Voxels::U16(&z), [2, 2, 2], [1.0; 3]).unwrap();
        filter(&iv, &roi, &mut out).unwrap();
        assert_eq!(out, [0.0; 8]);
    }
}
