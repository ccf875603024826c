//! Resegmentation (`resegmentRange`, `resegmentMode`): PyRadiomics 3.0.1
//! `imageoperations.resegmentMask`, called by `featureextractor.execute` after the first
//! `checkMask`, on the loaded (normalised, possibly resampled) image and before any filter.
//!
//! With `X` the ROI values (numpy scan order, the image's numpy type) and `t ≤ u` the sorted
//! thresholds (`u = +∞` when `resegmentRange` has one value):
//!
//! | mode | bounds |
//! |---|---|
//! | absolute | `[t, u]` |
//! | relative | `[max X · t, max X · u]` (float64 products) |
//! | sigma | `[mean X + sd X · t, mean X + sd X · u]` (`numpy.mean`, `numpy.std`, ddof 0) |
//!
//! A voxel stays in the ROI iff `lower <= x <= upper`. numpy compares a float32 array with a
//! float64 bound in float32, so the bounds are rounded to float32 for float32 images; integer and
//! float64 images compare exactly. `numpy.mean`/`numpy.std` of an integer or float64 array are
//! float64 pairwise sums ([`crate::features::np_sum`]); of a float32 array, float32 pairwise sums,
//! `mean = f32(S / N)` (float64 quotient) and `sd = sqrt_f32(f32(Σ (x − m)² / N))` with
//! `m = S ⊘ N` in float32 (numpy `_var`).
//!
//! Fewer than 2 voxels left is [`Error::ResegmentedTooFew`] ("Resegmentation excluded too many
//! voxels"). The result is a [`Window`]: the mask is never copied, [`MaskView::restricted`] tests
//! it where voxels are read. `featureextractor.execute` then re-runs `checkMask` on the
//! resegmented mask (bounding box, `minimumROIDimensions`, `minimumROISize`); with
//! `resegmentShape` false shape still uses the original mask, cropped to the RESEGMENTED mask's
//! bounding box (a PyRadiomics quirk, reproduced by [`crate::extract`]).

use crate::features::np_sum;
use crate::image::{ImageView, MaskView, RoiBox, Window};
use crate::settings::{Resegment, ResegmentMode};
use crate::Error;

/// `(numpy.mean(X), numpy.std(X))` as float64 values, `X` in numpy's type (see the module docs).
fn mean_sd(vals: &[f64], f32_array: bool) -> (f64, f64) {
    let n = vals.len();
    let at = |i: usize| vals.get(i).copied().unwrap_or(0.0);
    if f32_array {
        let at32 = |i: usize| at(i) as f32;
        let s = np_sum(n, at32);
        let mean = (f64::from(s) / n as f64) as f32;
        let m = s / (n as f32);
        let q = np_sum(n, |i| {
            let d = at32(i) - m;
            d * d
        });
        let var = (f64::from(q) / n as f64) as f32;
        (f64::from(mean), f64::from(libm::sqrtf(var)))
    } else {
        let mean = np_sum(n, at) / n as f64;
        let q = np_sum(n, |i| {
            let d = at(i) - mean;
            d * d
        });
        (mean, libm::sqrt(q / n as f64))
    }
}

/// The resegmentation window of `mask` (ROI inside `roi`) on `image`, and the number of voxels it
/// keeps. `scratch` needs as many elements as the ROI has voxels (sigma mode only; ≤ `roi.len()`).
///
/// Errors: [`Error::BadSetting`] for a NaN or −∞ lower threshold or a NaN upper one;
/// [`Error::ResegmentedTooFew`] if fewer than 2 voxels remain; [`Error::ScratchTooSmall`].
pub fn window<'a>(
    image: &ImageView<'a>,
    mask: &MaskView,
    roi: &RoiBox,
    r: &Resegment,
    scratch: &mut [f64],
) -> Result<(Window<'a>, usize), Error> {
    if r.lo.is_nan() || r.hi.is_nan() || r.lo == f64::NEG_INFINITY {
        return Err(Error::BadSetting);
    }
    let (t, u) = if r.hi < r.lo {
        (r.hi, r.lo)
    } else {
        (r.lo, r.hi)
    };
    let upper = u != f64::INFINITY;
    let dims = image.dims();
    let f32_array = image.is_f32();
    // ROI values in scan order (z, y, x; x fastest): what `im_arr[ma_arr]` holds.
    let mut n = 0usize;
    let mut max = f64::NEG_INFINITY;
    for z in roi.lo[2]..roi.hi[2] {
        for y in roi.lo[1]..roi.hi[1] {
            let row = dims[0] * (y + dims[1] * z);
            for x in roi.lo[0]..roi.hi[0] {
                if mask.is_roi(row + x) {
                    let v = image.get_f64(row + x);
                    if r.mode == ResegmentMode::Sigma {
                        *scratch.get_mut(n).ok_or(Error::ScratchTooSmall)? = v;
                    }
                    if v > max {
                        max = v;
                    }
                    n += 1;
                }
            }
        }
    }
    if n == 0 {
        return Err(Error::LabelNotPresent);
    }
    let (lo, hi) = match r.mode {
        ResegmentMode::Absolute => (t, u),
        ResegmentMode::Relative => (max * t, max * u),
        ResegmentMode::Sigma => {
            let vals = scratch.get(..n).ok_or(Error::ScratchTooSmall)?;
            let (mean, sd) = mean_sd(vals, f32_array);
            (mean + sd * t, mean + sd * u)
        }
    };
    let round = |b: f64| if f32_array { f64::from(b as f32) } else { b };
    let w = Window {
        image: *image,
        lo: round(lo),
        hi: if upper { round(hi) } else { f64::INFINITY },
    };
    // count what is kept
    let mut kept = 0usize;
    for z in roi.lo[2]..roi.hi[2] {
        for y in roi.lo[1]..roi.hi[1] {
            let row = dims[0] * (y + dims[1] * z);
            for x in roi.lo[0]..roi.hi[0] {
                if mask.is_roi(row + x) {
                    let v = image.get_f64(row + x);
                    if v >= w.lo && v <= w.hi {
                        kept += 1;
                    }
                }
            }
        }
    }
    if kept <= 1 {
        return Err(Error::ResegmentedTooFew);
    }
    Ok((w, kept))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::image::{roi_box, MaskVoxels, Voxels};

    fn setup<'a>(v: &'a [i16], m: &'a [u8]) -> (ImageView<'a>, MaskView<'a>) {
        let im = ImageView::new(Voxels::I16(v), [4, 2, 1], [1.0; 3]).unwrap();
        let mv = MaskView::new(MaskVoxels::U8(m), [4, 2, 1], 1).unwrap();
        (im, mv)
    }

    #[test]
    fn modes() {
        let v = [10i16, 20, 30, 40, 50, 60, 70, 999];
        let m = [1u8, 1, 1, 1, 1, 1, 1, 0];
        let (im, mv) = setup(&v, &m);
        let roi = roi_box(&im, &mv).unwrap();
        let mut s = [0.0; 8];
        let r = |lo, hi, mode| Resegment {
            lo,
            hi,
            mode,
            shape: false,
        };
        let (w, k) = window(
            &im,
            &mv,
            &roi,
            &r(25.0, 55.0, ResegmentMode::Absolute),
            &mut s,
        )
        .unwrap();
        assert_eq!((w.lo, w.hi, k), (25.0, 55.0, 3));
        let (w, k) = window(
            &im,
            &mv,
            &roi,
            &r(0.5, f64::INFINITY, ResegmentMode::Relative),
            &mut s,
        )
        .unwrap();
        assert_eq!((w.lo, w.hi, k), (35.0, f64::INFINITY, 4));
        // mean 40, sd 20: [20, 60]
        let (w, k) = window(&im, &mv, &roi, &r(1.0, -1.0, ResegmentMode::Sigma), &mut s).unwrap();
        assert_eq!((w.lo, w.hi, k), (20.0, 60.0, 5));
        let restricted = mv.restricted(Some(w)).unwrap();
        assert!(!restricted.is_roi(0) && restricted.is_roi(1) && !restricted.is_roi(7));
        assert_eq!(
            window(
                &im,
                &mv,
                &roi,
                &r(65.0, 100.0, ResegmentMode::Absolute),
                &mut s
            )
            .err(),
            Some(Error::ResegmentedTooFew)
        );
    }

    #[test]
    fn f32_sums() {
        let v: [f32; 9] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
        let s = np_sum(9, |i| v[i]);
        let mut acc = [0.0f32; 8];
        acc.copy_from_slice(&v[..8]);
        let want = ((acc[0] + acc[1]) + (acc[2] + acc[3]))
            + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
            + v[8];
        assert_eq!(s, want);
    }
}
