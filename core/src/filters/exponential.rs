//! The `exponential` image type (PyRadiomics `imageoperations.getExponentialImage`).
//!
//! With x the voxel values as float64 and M = max over the WHOLE image of |x|:
//! c = ln(M) / M and f(x) = exp(c · x) (float64). Only the image-wide maximum is needed, so the
//! filter costs one pass over the image and no scratch; values are computed for the ROI box only.

use super::map_roi;
use crate::image::{ImageView, RoiBox, Voxels};
use crate::Error;

/// max |x| over the whole image (PyRadiomics: `numpy.max(numpy.abs(im))`). Integer images take
/// the maximum in the integer domain (exact, and the same value once widened to f64).
pub fn max_abs(image: &ImageView) -> f64 {
    fn int_max<T: Copy>(v: &[T], abs: impl Fn(T) -> u32) -> f64 {
        f64::from(v.iter().fold(0u32, |m, &x| m.max(abs(x))))
    }
    fn float_max<T: Copy>(v: &[T], wide: impl Fn(T) -> f64) -> f64 {
        v.iter().fold(0.0f64, |m, &x| {
            let a = libm::fabs(wide(x));
            if a > m {
                a
            } else {
                m
            }
        })
    }
    if image.map().is_some() {
        // normalised image: the maximum of the mapped values
        return (0..image.len()).fold(0.0f64, |m, i| {
            let a = libm::fabs(image.get_f64(i));
            if a > m {
                a
            } else {
                m
            }
        });
    }
    match image.voxels() {
        Voxels::I16(v) => {
            // min and max in i16 (vectorises on every x86-64; |·| widened to u32 does not
            // without SSE4.1), then the larger magnitude
            let (lo, hi) = v
                .iter()
                .fold((0i16, 0i16), |(lo, hi), &x| (lo.min(x), hi.max(x)));
            f64::from(lo.unsigned_abs().max(hi.unsigned_abs()))
        }
        Voxels::U16(v) => f64::from(v.iter().copied().max().unwrap_or(0)),
        Voxels::I32(v) => int_max(v, |x| x.unsigned_abs()),
        Voxels::F32(v) => float_max(v, f64::from),
        Voxels::F64(v) => float_max(v, |x| x),
    }
}

/// [`max_abs`] for the filters that scale by it (exponential, square, logarithm).
///
/// Errors: [`Error::AllZeroImage`] when M = 0. PyRadiomics 3.0.1 divides by zero there and gets
/// a NaN image, on which every feature class but shape fails (`ValueError` from
/// `getBinEdges`: "arange: cannot compute length", or numpy's histogram with `binCount`), so its
/// whole extraction fails; the core refuses the image type with this distinct error.
/// [`Error::NonFiniteVoxel`] when M is infinite (PyRadiomics: a NaN image again).
pub fn nonzero_max_abs(image: &ImageView) -> Result<f64, Error> {
    let m = max_abs(image);
    if !m.is_finite() {
        return Err(Error::NonFiniteVoxel);
    }
    if m <= 0.0 {
        return Err(Error::AllZeroImage);
    }
    Ok(m)
}

/// The exponent coefficient c = ln(M) / M for M = [`max_abs`].
///
/// Errors: those of [`nonzero_max_abs`] ([`Error::AllZeroImage`] for an all-zero image).
pub fn coefficient(image: &ImageView) -> Result<f64, Error> {
    let m = nonzero_max_abs(image)?;
    Ok(libm::log(m) / m)
}

/// `out[box index] = exp(c · x)` for every voxel of `roi` (x fastest), c from [`coefficient`].
/// Reproduces `getExponentialImage` followed by the crop to the ROI bounding box.
pub fn filter(image: &ImageView, roi: &RoiBox, out: &mut [f64]) -> Result<(), Error> {
    let c = coefficient(image)?;
    map_roi(image, roi, out, |v| libm::exp(c * v))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// max |x| of integer images against the plain definition, extremes and signs included.
    #[test]
    fn max_abs_integers() {
        let cases: [&[i16]; 5] = [
            &[3, -7, 5, 0, 2, 1, 1, 1],
            &[i16::MIN, 5, 9, 0, 0, 0, 0, 0],
            &[i16::MAX, -3, -4, 0, 1, 2, 3, 4],
            &[0; 8],
            &[-1, -2, -3, -4, -5, -6, -7, -8],
        ];
        for v in cases {
            let im = ImageView::new(Voxels::I16(v), [2, 2, 2], [1.0; 3]).unwrap();
            let want = v.iter().map(|x| f64::from(*x).abs()).fold(0.0, f64::max);
            assert_eq!(max_abs(&im), want, "{v:?}");
        }
        let u: [u16; 8] = [4, 65535, 0, 9, 1, 2, 3, 7];
        let im = ImageView::new(Voxels::U16(&u), [2, 2, 2], [1.0; 3]).unwrap();
        assert_eq!(max_abs(&im), 65535.0);
    }
}
