//! The `gradient` image type (PyRadiomics `imageoperations.getGradientImage` → SimpleITK
//! `GradientMagnitudeImageFilter` with `UseImageSpacing = gradientUseSpacing`, default true; ITK
//! `GradientMagnitudeImageFilter::DynamicThreadedGenerateData` with `DerivativeOperator` order 1).
//!
//! Per voxel p and ITK axis d = x, y, z, with c_d = 0.5 · (1 / spacing_d) (the derivative
//! operator's coefficients scaled by the inverse spacing) or c_d = 0.5 when `gradientUseSpacing`
//! is false (unscaled), and edge replication at the image border
//! (`ZeroFluxNeumannBoundaryCondition`):
//!
//! `g_d = ((0 + c_d · I[p − e_d]) + 0 · I[p]) + (−c_d) · I[p + e_d]`
//!
//! |∇I|(p) = (float32) sqrt(((0 + g_x²) + g_y²) + g_z²), all in double, rounded once to f32.
//!
//! Each output voxel needs only its 6 face neighbours, so the ROI box is computed directly from
//! the image with no scratch.

use super::{box_index, image_index};
use crate::image::{ImageView, RoiBox};
use crate::Error;

/// One output voxel (x, y, z), as f32 (see the module docs for the exact arithmetic);
/// `use_spacing` is PyRadiomics' `gradientUseSpacing`.
pub fn magnitude_at(image: &ImageView, use_spacing: bool, x: usize, y: usize, z: usize) -> f32 {
    let dims = image.dims();
    let spacing = image.spacing();
    let p = [x, y, z];
    let mut a = 0.0f64;
    for d in 0..3 {
        let c = if use_spacing {
            0.5 * (1.0 / spacing[d])
        } else {
            0.5
        };
        let mut lo = p;
        lo[d] = p[d].saturating_sub(1);
        let mut hi = p;
        hi[d] = if p[d] + 1 < dims[d] { p[d] + 1 } else { p[d] };
        let im = image.get_f64(image_index(dims, lo[0], lo[1], lo[2]));
        let ic = image.get_f64(image_index(dims, x, y, z));
        let ip = image.get_f64(image_index(dims, hi[0], hi[1], hi[2]));
        let mut g = 0.0f64;
        g += c * im;
        g += 0.0 * ic;
        g += -c * ip;
        a += g * g;
    }
    libm::sqrt(a) as f32
}

/// `out[box index] = |∇I|` (f32 widened to f64) for every voxel of `roi`, x fastest.
pub fn filter(
    image: &ImageView,
    roi: &RoiBox,
    use_spacing: bool,
    out: &mut [f64],
) -> Result<(), Error> {
    for z in roi.lo[2]..roi.hi[2] {
        for y in roi.lo[1]..roi.hi[1] {
            for x in roi.lo[0]..roi.hi[0] {
                let v = magnitude_at(image, use_spacing, x, y, z);
                let o = out
                    .get_mut(box_index(roi, x, y, z))
                    .ok_or(Error::OutputTooSmall)?;
                *o = f64::from(v);
            }
        }
    }
    Ok(())
}
