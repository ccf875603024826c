//! The `square` image type (PyRadiomics `imageoperations.getSquareImage`).
//!
//! With x the voxel values as float64 and M = max over the WHOLE image of |x|:
//! c = 1 / sqrt(M) and f(x) = (c · x)² (float64, evaluated as (c·x)·(c·x)).
//!
//! # Deviations
//!
//! None in value. PyRadiomics' docstring says negative intensities are made negative again; the
//! 3.0.1 code does not do that (f ≥ 0), and neither does this filter. For an all-zero image
//! PyRadiomics computes c = inf and a NaN image; here that is [`Error::BadFilterParameter`].
//! Every operation is correctly rounded (sqrt, division, multiplication), so the values are
//! bit-identical to numpy's.

use super::exponential::max_abs;
use super::{box_index, image_index};
use crate::image::{ImageView, RoiBox};
use crate::Error;

/// The scale c = 1 / sqrt(M), M = [`max_abs`] (`coeff` in `getSquareImage`).
///
/// Errors: [`Error::BadFilterParameter`] when M = 0 (all-zero image; PyRadiomics: NaN image).
pub fn coefficient(image: &ImageView) -> Result<f64, Error> {
    let m = max_abs(image);
    if m <= 0.0 || !m.is_finite() {
        return Err(Error::BadFilterParameter);
    }
    Ok(1.0 / libm::sqrt(m))
}

/// `out[box index] = (c · x)²` for every voxel of `roi` (x fastest), c from [`coefficient`].
/// Reproduces `getSquareImage` followed by the crop to the ROI bounding box.
pub fn filter(image: &ImageView, roi: &RoiBox, out: &mut [f64]) -> Result<(), Error> {
    let c = coefficient(image)?;
    let dims = image.dims();
    for z in roi.lo[2]..roi.hi[2] {
        for y in roi.lo[1]..roi.hi[1] {
            for x in roi.lo[0]..roi.hi[0] {
                let v = c * image.get_f64(image_index(dims, x, y, z));
                let o = out
                    .get_mut(box_index(roi, x, y, z))
                    .ok_or(Error::OutputTooSmall)?;
                *o = v * v;
            }
        }
    }
    Ok(())
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
        assert_eq!(filter(&iv, &roi, &mut out), Err(Error::BadFilterParameter));
    }
}
