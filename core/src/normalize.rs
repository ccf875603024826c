//! Intensity normalisation (`normalize`, `normalizeScale`, `removeOutliers`): PyRadiomics 3.0.1
//! `imageoperations.normalizeImage`, applied by `featureextractor.loadImage` to the WHOLE image
//! before resampling, resegmentation and filters.
//!
//! PyRadiomics calls SimpleITK's `Normalize` (ITK `NormalizeImageFilter`: `StatisticsImageFilter`
//! then `ShiftScaleImageFilter`, float64 output whatever the input type), clips the outliers in
//! numpy, then multiplies by the scale (SimpleITK `*=`). With `x` every voxel of the image widened
//! to float64 and `N` the number of voxels:
//!
//! ```text
//! S  = Σ x,  S2 = Σ x·x            (ITK's Kahan sums over work-unit pieces, see image_stats)
//! mean  = S / N
//! sigma = sqrt((S2 − S·S / N) / (N − 1))          (ITK's unbiased variance)
//! f(x)  = clip((x + (−mean)) · (1 / sigma), −o, +o) · scale
//! ```
//!
//! with `o` = `removeOutliers` (no clipping when absent; values `> o` become `o`, then values
//! `< −o` become `−o`, numpy's two masked assignments) and `scale` = `normalizeScale`. Checked
//! bit for bit against SimpleITK 2.5.7 (2 work units) on integer images (exact sums) and on
//! float32 / float64 images (`tests/fixtures/pyradiomics-settings`).
//!
//! The core never copies the image: [`point_map`] computes the constants once (one pass over the
//! image, no scratch) and the result is an [`ImageView`] with a [`PointMap`] that applies `f` to
//! every voxel as it is read, so filters, resampling and resegmentation all see the normalised
//! image (a normalised image counts as float64 everywhere, as in PyRadiomics).

use crate::image::{ImageView, PointMap};
use crate::settings::Normalize;
use crate::Error;

/// Number of pieces `itk::StatisticsImageFilter` splits the image into (SimpleITK's default
/// number of work units = the machine's cores; the PyRadiomics references were made with 2).
/// Only float images depend on it, in the last bit of sigma (integer sums are exact).
pub const ITK_WORK_UNITS: usize = 2;

/// ITK's `CompensatedSummation` (Kahan): `GetSum()` is the running sum without its compensation.
#[derive(Clone, Copy, Default)]
struct Kahan {
    sum: f64,
    c: f64,
}

impl Kahan {
    #[inline]
    fn add(&mut self, x: f64) {
        let y = x - self.c;
        let t = self.sum + y;
        self.c = (t - self.sum) - y;
        self.sum = t;
    }
}

/// `(mean, sigma)` of every voxel of `image` (stored values, any [`PointMap`] ignored), as
/// `itk::StatisticsImageFilter` computes them: the image is cut along its slowest axis of extent
/// above 1 into [`ITK_WORK_UNITS`] pieces (`ImageRegionSplitterSlowDimension`: ⌈n / P⌉ slices each),
/// each piece summed in memory order with Kahan summation (Σ x and Σ x·x), the piece sums added
/// with Kahan summation in piece order; then
/// `mean = S / N`, `sigma = sqrt((S2 − S·S / N) / (N − 1))`.
pub fn image_stats(image: &ImageView) -> (f64, f64) {
    let v = image.voxels();
    let n = v.len();
    let dims = image.dims();
    // slowest axis with extent > 1, and the voxels per slice along it
    let axis = (0..3).rev().find(|&d| dims[d] > 1).unwrap_or(0);
    let extent = dims[axis];
    let stride: usize = dims.iter().take(axis).product();
    let per = extent.div_ceil(ITK_WORK_UNITS.max(1)).max(1);
    let mut s = Kahan::default();
    let mut s2 = Kahan::default();
    let mut first = 0usize;
    while first < extent {
        let last = (first + per).min(extent);
        let mut ps = Kahan::default();
        let mut ps2 = Kahan::default();
        for i in first * stride..last * stride {
            let x = v.get(i).unwrap_or(f64::NAN);
            ps.add(x);
            ps2.add(x * x);
        }
        s.add(ps.sum);
        s2.add(ps2.sum);
        first = last;
    }
    let (s, s2) = (s.sum, s2.sum);
    let nf = n as f64;
    let mean = s / nf;
    let variance = (s2 - (s * s / nf)) / (nf - 1.0);
    (mean, libm::sqrt(variance))
}

/// The normalisation of `image` with settings `n` (see the module documentation).
///
/// Errors: [`Error::BadSetting`] if `normalizeScale` or `removeOutliers` is not finite;
/// [`Error::NonFiniteVoxel`] if the image's standard deviation is 0 or undefined (a constant or
/// one-voxel image: PyRadiomics would divide by zero and produce a NaN image).
pub fn point_map(image: &ImageView, n: &Normalize) -> Result<PointMap, Error> {
    if !n.scale.is_finite() || n.remove_outliers.is_some_and(|o| !o.is_finite()) {
        return Err(Error::BadSetting);
    }
    let (mean, sigma) = image_stats(image);
    if !(mean.is_finite() && sigma.is_finite() && sigma > 0.0) {
        return Err(Error::NonFiniteVoxel);
    }
    Ok(PointMap {
        shift: -mean,
        inv_sigma: 1.0 / sigma,
        clip: n.remove_outliers,
        scale: n.scale,
    })
}

/// `image` seen through its normalisation (`n = None`: unchanged).
pub fn normalized<'a>(
    image: &ImageView<'a>,
    n: Option<&Normalize>,
) -> Result<ImageView<'a>, Error> {
    match n {
        None => Ok(*image),
        Some(n) => Ok(image.with_map(Some(point_map(image, n)?))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::image::Voxels;

    #[test]
    fn z_score_clip_and_scale() {
        let v = [0i16, 2, 4, 6, 8, 10, 12, 100];
        let im = ImageView::new(Voxels::I16(&v), [2, 2, 2], [1.0; 3]).unwrap();
        let (mean, sigma) = image_stats(&im);
        assert_eq!(mean, 142.0 / 8.0);
        let var = (10364.0 - 142.0 * 142.0 / 8.0) / 7.0;
        assert_eq!(sigma, libm::sqrt(var));
        let m = point_map(
            &im,
            &Normalize {
                scale: 100.0,
                remove_outliers: Some(2.0),
            },
        )
        .unwrap();
        let nv = normalized(
            &im,
            Some(&Normalize {
                scale: 100.0,
                remove_outliers: Some(2.0),
            }),
        )
        .unwrap();
        assert_eq!(nv.get_f64(0), ((0.0 - mean) * (1.0 / sigma)) * 100.0);
        assert_eq!(nv.get_f64(7), 200.0); // 100 is > mean + 2 sd: clipped
        assert_eq!(m.apply(-1e9), -200.0);
        assert!(!nv.is_f32());
    }

    #[test]
    fn constant_image_is_refused() {
        let v = [5.0f32; 8];
        let im = ImageView::new(Voxels::F32(&v), [2, 2, 2], [1.0; 3]).unwrap();
        let n = Normalize {
            scale: 1.0,
            remove_outliers: None,
        };
        assert_eq!(point_map(&im, &n), Err(Error::NonFiniteVoxel));
        let n = Normalize {
            scale: f64::NAN,
            remove_outliers: None,
        };
        assert_eq!(point_map(&im, &n), Err(Error::BadSetting));
    }
}
