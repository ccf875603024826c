//! The `square` image type (PyRadiomics `imageoperations.getSquareImage`).
//!
//! With x the voxel values as float64 and M = max over the WHOLE image of |x|:
//! c = 1 / sqrt(M) and f(x) = (c · x)² (float64, evaluated as (c·x)·(c·x)).
//!
//! # Deviations
//!
//! None in value. PyRadiomics' docstring says negative intensities are made negative again; the
//! 3.0.1 code does not do that (f ≥ 0), and neither does this filter. For an all-zero image
//! PyRadiomics computes c = inf and a NaN image; here that is [`Error::AllZeroImage`].
//! Every operation is correctly rounded (sqrt, division, multiplication), so the values are
//! bit-identical to numpy's.

use super::exponential::nonzero_max_abs;
use super::map_roi;
use crate::image::{ImageView, RoiBox};
use crate::Error;

/// The scale c = 1 / sqrt(M), M = [`nonzero_max_abs`] (`coeff` in `getSquareImage`).
///
/// Errors: [`Error::AllZeroImage`] when M = 0 (all-zero image; PyRadiomics: NaN image, failed extraction).
pub fn coefficient(image: &ImageView) -> Result<f64, Error> {
    let m = nonzero_max_abs(image)?;
    Ok(1.0 / libm::sqrt(m))
}

/// `out[box index] = (c · x)²` for every voxel of `roi` (x fastest), c from [`coefficient`].
/// Reproduces `getSquareImage` followed by the crop to the ROI bounding box.
pub fn filter(image: &ImageView, roi: &RoiBox, out: &mut [f64]) -> Result<(), Error> {
    let c = coefficient(image)?;
    map_roi(image, roi, out, |x| {
        let v = c * x;
        v * v
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::image::Voxels;

    #[test]
    fn square_keeps_no_sign_and_refuses_a_zero_image() {
        let v = [-40i32, 10, 0, 25, -3, 7, 1, -1];
        let iv = ImageView::new(Voxels::I32(&v), [2, 2, 2], [1.0; 3]).unwrap();
        let roi = RoiBox {
            lo: [0; 3],
            hi: [2, 2, 2],
        };
        let mut out = [0.0; 8];
        filter(&iv, &roi, &mut out).unwrap();
        let c = 1.0 / libm::sqrt(40.0);
        for (o, x) in out.iter().zip(v) {
            assert_eq!(*o, (c * f64::from(x)) * (c * f64::from(x)));
            assert!(*o >= 0.0);
        }
        let z = [0.0f32; 8];
        let iv = ImageView::new(Voxels::F32(&z), [2, 2, 2], [1.0; 3]).unwrap();
        assert_eq!(filter(&iv, &roi, &mut out), Err(Error::AllZeroImage));
    }
}
