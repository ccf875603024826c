//! Feature extraction: image + mask + feature names → values, exactly as PyRadiomics 3.0.1 with
//! default settings (bin width as given, 25 by default; no resampling; 3-D), with a
//! caller-supplied scratch buffer and no allocation.
//!
//! Pipeline per image type (the names are grouped by image type, so each filter runs once):
//!
//! 1. [`roi_box`]: PyRadiomics' mask checks and the ROI bounding box (once for all names);
//! 2. the filter computes the image type over the ROI box only (`B = roi.len()` values);
//! 3. the ROI values are gathered in numpy scan order (z, y, x; x fastest) and discretised with
//!    fixed bin width ([`Bins`]);
//! 4. first order on the ROI values; GLRLM and GLSZM on the discretised box; shape (original
//!    only) on the mask;
//! 5. GLCM, GLDM, NGTDM: the present gray levels are listed once (ascending bin numbers, in the
//!    ROI-values buffer), the box's bin numbers become level indices, GLCM counts its matrices from
//!    that box, and one 26-neighbourhood scan fills both the GLDM and the NGTDM.
//!
//! ## Scratch size (f64 elements)
//!
//! For every distinct image type `t` among the names, with `B = roi.len()` (box voxels),
//! `D = max(box dims)` and `F(t)` = the filter's own scratch (`filters::filter_scratch_len`):
//!
//! ```text
//! need(t) = B                                   (filtered box, then its bin numbers)
//!         + max( F(t),                          (filter scratch, only while filtering)
//!                B                              (ROI values in scan order)
//!                + max( B        if first order (sorted copy),
//!                       3B + 1   if GLSZM       (stack, zone keys, zones per size),
//!                       B + D + 1 if GLRLM      (run keys, runs per length),
//!                       shape::scratch_len if shape (vertex-line ends),
//!                       G² + 2G + max(min(G², 2N), G² + 4G if MCC) + 8  if GLCM
//!                                (matrix, marginals, k-distributions, MCC matrix + eigenvalues),
//!                       29N      if GLDM or NGTDM (N × 27 dependence counts, n_i, s_i) ) )
//! scratch_len = max over t of need(t)
//! ```
//!
//! with `N` = number of ROI voxels ([`scratch_len`]; `B` for [`scratch_len_for`]) and
//! `G = min(N, glcm::MAX_LEVELS_RESERVED)` (4 096) the gray levels GLCM is reserved for: an ROI with
//! more distinct bins needs a larger scratch (`glcm::scratch_for_levels`).
//!
//! Memory therefore scales with the ROI bounding box (plus what the filter's halo needs), never
//! with the whole image. [`scratch_len_for`] uses `B` as the bound for the number of ROI voxels
//! so that the size depends on geometry only; [`scratch_len`] (and [`extract`]'s check) count
//! them.
//!
//! ## Stack
//!
//! No recursion except numpy's pairwise summation, whose depth is bounded by 7 (8192-element
//! chunks split down to 128). The largest frames: the GLRLM per-angle feature table
//! (13 × 16 × 8 B = 1.7 KiB), the first-order level buffer (1 KiB), and the filters' own
//! (< 2 KiB, see `filters`). High-water mark of `extract` itself: about 4 KiB; with the filters
//! under 8 KiB.

use crate::discretize::Bins;
use crate::features::{firstorder, glcm, gldm, glrlm, glszm, neighbourhood, ngtdm, shape};
use crate::filters;
use crate::image::{roi_box, ImageView, MaskView, RoiBox};
use crate::names::{Feature, FeatureName, GlcmFeature, GlrlmFeature, ImageType};
use crate::settings::{Binning, Settings};
use crate::Error;

/// Which classes one image type needs.
#[derive(Clone, Copy, Default)]
struct Classes {
    first_order: bool,
    glszm: bool,
    glrlm: bool,
    shape: bool,
    glcm: bool,
    mcc: bool,
    gldm: bool,
    ngtdm: bool,
}

impl Classes {
    /// A class that needs the present-level list and the level-index box.
    fn level_based(&self) -> bool {
        self.glcm || self.gldm || self.ngtdm
    }
}

fn classes_for(names: &[FeatureName], t: &ImageType) -> Classes {
    let mut c = Classes::default();
    for n in names.iter().filter(|n| n.image_type == *t) {
        match n.feature {
            Feature::FirstOrder(_) => c.first_order = true,
            Feature::Glszm(_) => c.glszm = true,
            Feature::Glrlm(_) => c.glrlm = true,
            Feature::Shape(_) => c.shape = true,
            Feature::Glcm(f) => {
                c.glcm = true;
                c.mcc |= f == GlcmFeature::MCC;
            }
            Feature::Gldm(_) => c.gldm = true,
            Feature::Ngtdm(_) => c.ngtdm = true,
        }
    }
    c
}

/// `true` if `names[i]` is the first name with its image type.
fn first_of_type(names: &[FeatureName], i: usize) -> bool {
    match names.get(i) {
        Some(n) => !names.iter().take(i).any(|m| m.image_type == n.image_type),
        None => false,
    }
}

// ---- filter dispatch (core::filters, owned by the filters engineer) ----

fn filter_scratch(dims: [usize; 3], roi: &RoiBox, t: &ImageType) -> Result<usize, Error> {
    filters::filter_scratch_len(dims, roi, t)
}

fn check_filter(dims: [usize; 3], spacing: [f64; 3], t: &ImageType) -> Result<(), Error> {
    filters::check_applicable(dims, spacing, t)
}

fn run_filter(
    image: &ImageView,
    roi: &RoiBox,
    t: &ImageType,
    out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    filters::filter_roi(image, roi, t, out, scratch)
}

/// Scratch (f64 elements) needed to compute `names` on this image/mask (max over image types).
/// Runs the mask checks ([`roi_box`]) and fails as [`extract`] would.
pub fn scratch_len(
    image: &ImageView,
    mask: &MaskView,
    names: &[FeatureName],
) -> Result<usize, Error> {
    let roi = roi_box(image, mask)?;
    need_for(
        image.dims(),
        &roi,
        roi_voxels(image.dims(), mask, &roi),
        names,
    )
}

/// Number of ROI voxels (inside `roi`).
fn roi_voxels(dims: [usize; 3], mask: &MaskView, roi: &RoiBox) -> usize {
    let mut n = 0usize;
    for z in roi.lo[2]..roi.hi[2] {
        for y in roi.lo[1]..roi.hi[1] {
            let row = dims[0] * (y + dims[1] * z);
            for x in roi.lo[0]..roi.hi[0] {
                if mask.is_roi(row + x) {
                    n += 1;
                }
            }
        }
    }
    n
}

/// Same as [`scratch_len`], from geometry only (for sizing static buffers): image dims + ROI box.
/// See the module documentation for the formula.
pub fn scratch_len_for(
    dims: [usize; 3],
    roi: &RoiBox,
    names: &[FeatureName],
) -> Result<usize, Error> {
    need_for(dims, roi, roi.len(), names)
}

/// The scratch formula with `n_roi` (≥ the number of ROI voxels, ≤ `B`) bounding the number of
/// gray levels of GLCM, GLDM and NGTDM.
fn need_for(
    dims: [usize; 3],
    roi: &RoiBox,
    n_roi: usize,
    names: &[FeatureName],
) -> Result<usize, Error> {
    if !roi.fits(dims) {
        return Err(Error::BadDimensions);
    }
    let b = roi.len();
    let bd = roi.dims();
    let mut need = 0usize;
    for (i, n) in names.iter().enumerate() {
        if !first_of_type(names, i) {
            continue;
        }
        let c = classes_for(names, &n.image_type);
        let f = filter_scratch(dims, roi, &n.image_type)?;
        let mut work = 0usize;
        if c.first_order {
            work = work.max(b);
        }
        if c.glszm {
            work = work.max(glszm::scratch_len(b)?);
        }
        if c.glrlm {
            work = work.max(glrlm::scratch_len(b, bd)?);
        }
        if c.shape {
            work = work.max(shape::scratch_len(bd)?);
        }
        if c.glcm {
            work = work.max(glcm::scratch_len(n_roi, c.mcc)?);
        }
        if c.gldm || c.ngtdm {
            let n = gldm::scratch_for_levels(n_roi)?
                .checked_add(ngtdm::scratch_for_levels(n_roi)?)
                .ok_or(Error::SizeOverflow)?;
            work = work.max(n);
        }
        let after = b.checked_add(work).ok_or(Error::SizeOverflow)?;
        let total = b.checked_add(f.max(after)).ok_or(Error::SizeOverflow)?;
        need = need.max(total);
    }
    Ok(need)
}

/// Computes every feature in `names` (PyRadiomics 3.0.1 defaults; `bin_width` 25.0 by default):
/// `out[i]` = value of `names[i]`. Groups names by image type so each filter runs once.
///
/// Values PyRadiomics reports as NaN are NaN here too (GLRLM when no angle has a line with more
/// than one ROI voxel). Errors: the mask checks of [`roi_box`]; [`Error::BadBinWidth`];
/// [`Error::OutputTooSmall`]; [`Error::ScratchTooSmall`] (see [`scratch_len`]);
/// [`Error::ImageTooSmallForFilter`] where PyRadiomics would skip the image type (LoG);
/// [`Error::NonFiniteVoxel`] if a filtered ROI value is not finite; [`Error::AllZeroImage`] for
/// the exponential, square or logarithm of an all-zero image (PyRadiomics' extraction fails
/// there); [`Error::TooManyBins`] when the bin width is so small against the ROI's range that the
/// bins cannot be counted exactly; [`Error::UnsupportedFeature`] for image types the filters do
/// not provide.
pub fn extract(
    image: &ImageView,
    mask: &MaskView,
    names: &[FeatureName],
    bin_width: f64,
    out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    extract_with(
        image,
        mask,
        names,
        &Settings::with_bin_width(bin_width),
        out,
        scratch,
    )
}

/// [`extract`] with every value-changing PyRadiomics setting ([`Settings`], one image type's
/// settings: a params file with per-image-type overrides calls this once per distinct settings).
/// Settings this core does not implement are [`Error::UnsupportedSetting`]
/// ([`Settings::check`]), before anything is computed.
pub fn extract_with(
    image: &ImageView,
    mask: &MaskView,
    names: &[FeatureName],
    settings: &Settings,
    out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    if out.len() < names.len() {
        return Err(Error::OutputTooSmall);
    }
    settings.check()?;
    let bin_width = match settings.binning {
        Binning::Width(w) => w,
        Binning::Count(_) => return Err(Error::UnsupportedSetting),
    };
    let roi = roi_box(image, mask)?;
    let dims = image.dims();
    let need = need_for(dims, &roi, roi_voxels(dims, mask, &roi), names)?;
    if scratch.len() < need {
        return Err(Error::ScratchTooSmall);
    }
    for n in names {
        check_filter(dims, image.spacing(), &n.image_type)?;
        // PyRadiomics computes shape on the original image's mask only.
        if matches!(n.feature, Feature::Shape(_)) && n.image_type != ImageType::Original {
            return Err(Error::UnsupportedFeature);
        }
    }
    for i in 0..names.len() {
        if !first_of_type(names, i) {
            continue;
        }
        let Some(t) = names.get(i).map(|n| n.image_type) else {
            continue;
        };
        one_image_type(image, mask, &roi, names, &t, bin_width, out, scratch)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn one_image_type(
    image: &ImageView,
    mask: &MaskView,
    roi: &RoiBox,
    names: &[FeatureName],
    t: &ImageType,
    bin_width: f64,
    out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    let c = classes_for(names, t);
    let b = roi.len();
    let bd = roi.dims();
    let dims = image.dims();
    if scratch.len() < b {
        return Err(Error::ScratchTooSmall);
    }
    let (boxbuf, rest) = scratch.split_at_mut(b);
    run_filter(image, roi, t, boxbuf, rest)?;
    if rest.len() < b {
        return Err(Error::ScratchTooSmall);
    }
    let (vals_buf, work) = rest.split_at_mut(b);
    let vals = &mut *vals_buf;

    if c.shape {
        let s = shape::Shape::new(mask, roi, image.spacing(), work)?;
        for (n, o) in names.iter().zip(out.iter_mut()) {
            if n.image_type == *t {
                if let Feature::Shape(f) = n.feature {
                    *o = shape::compute(f, &s);
                }
            }
        }
    }

    // ROI values in numpy scan order; min/max for the bin edges.
    let mut np = 0usize;
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    let mut k = 0usize;
    for z in roi.lo[2]..roi.hi[2] {
        for y in roi.lo[1]..roi.hi[1] {
            let row = dims[0] * (y + dims[1] * z);
            for x in roi.lo[0]..roi.hi[0] {
                if mask.is_roi(row + x) {
                    let v = boxbuf.get(k).copied().unwrap_or(f64::NAN);
                    if !v.is_finite() {
                        return Err(Error::NonFiniteVoxel);
                    }
                    if let Some(s) = vals.get_mut(np) {
                        *s = v;
                    }
                    np += 1;
                    lo = lo.min(v);
                    hi = hi.max(v);
                } else if let Some(s) = boxbuf.get_mut(k) {
                    *s = 0.0; // outside the ROI: never used; marks "not ROI" after binning
                }
                k += 1;
            }
        }
    }
    if np == 0 {
        return Err(Error::LabelNotPresent);
    }
    let bins = Bins::new(lo, hi, bin_width)?;

    if c.first_order {
        let vals = vals_buf.get(..np).ok_or(Error::ScratchTooSmall)?;
        let fo = firstorder::FirstOrder::new(vals, work, bins, image.spacing())?;
        for (n, o) in names.iter().zip(out.iter_mut()) {
            if n.image_type == *t {
                if let Feature::FirstOrder(f) = n.feature {
                    *o = firstorder::compute(f, &fo);
                }
            }
        }
    }
    if !(c.glszm || c.glrlm || c.level_based()) {
        return Ok(());
    }
    // Discretise the box in place: bin number for ROI voxels, 0 outside.
    let mut k = 0usize;
    for z in roi.lo[2]..roi.hi[2] {
        for y in roi.lo[1]..roi.hi[1] {
            let row = dims[0] * (y + dims[1] * z);
            for x in roi.lo[0]..roi.hi[0] {
                if let Some(s) = boxbuf.get_mut(k) {
                    *s = if mask.is_roi(row + x) {
                        bins.bin(*s) as f64
                    } else {
                        0.0
                    };
                }
                k += 1;
            }
        }
    }
    if c.glrlm {
        let r = glrlm::features(boxbuf, bd, work)?;
        for (n, o) in names.iter().zip(out.iter_mut()) {
            if n.image_type == *t {
                if let Feature::Glrlm(f) = n.feature {
                    let pos = GlrlmFeature::ALL.iter().position(|g| *g == f);
                    *o = pos.and_then(|p| r.get(p)).copied().unwrap_or(f64::NAN);
                }
            }
        }
    }
    if c.glszm {
        let m = glszm::zones(boxbuf, bd, work)?;
        for (n, o) in names.iter().zip(out.iter_mut()) {
            if n.image_type == *t {
                if let Feature::Glszm(f) = n.feature {
                    *o = glszm::compute(f, &m);
                }
            }
        }
    }
    if c.level_based() {
        level_classes(boxbuf, bd, vals_buf, work, c, names, t, out)?;
    }
    Ok(())
}

/// GLCM, GLDM and NGTDM of one image type from the discretised box (bin numbers, 0 outside).
/// The present levels go to `lv_buf` (≥ number of ROI voxels); the box becomes level indices + 1.
#[allow(clippy::too_many_arguments)]
fn level_classes(
    boxbuf: &mut [f64],
    bd: [usize; 3],
    lv_buf: &mut [f64],
    work: &mut [f64],
    c: Classes,
    names: &[FeatureName],
    t: &ImageType,
    out: &mut [f64],
) -> Result<(), Error> {
    // Present levels, ascending.
    let mut np = 0usize;
    for &v in boxbuf.iter() {
        if v > 0.0 {
            let s = lv_buf.get_mut(np).ok_or(Error::ScratchTooSmall)?;
            *s = v;
            np += 1;
        }
    }
    let all = lv_buf.get_mut(..np).ok_or(Error::ScratchTooSmall)?;
    crate::features::sort(all);
    let mut g = 0usize;
    for k in 0..np {
        let v = all.get(k).copied().unwrap_or(0.0);
        if g == 0 || all.get(g - 1).copied() != Some(v) {
            if let Some(s) = all.get_mut(g) {
                *s = v;
            }
            g += 1;
        }
    }
    let levels = lv_buf.get(..g).ok_or(Error::ScratchTooSmall)?;
    for v in boxbuf.iter_mut() {
        if *v > 0.0 {
            let k = levels
                .binary_search_by(|l| l.total_cmp(v))
                .map_err(|_| Error::ScratchTooSmall)?;
            *v = (k + 1) as f64;
        }
    }
    let ng = levels.last().copied().unwrap_or(0.0);
    let mine = |n: &FeatureName| n.image_type == *t;
    if c.glcm {
        let r = glcm::features(
            boxbuf,
            bd,
            levels,
            ng,
            glcm::Settings::default(),
            c.mcc,
            work,
        )?;
        for (n, o) in names.iter().zip(out.iter_mut()) {
            if let (true, Feature::Glcm(f)) = (mine(n), n.feature) {
                *o = glcm::pick(f, &r);
            }
        }
    }
    if c.gldm || c.ngtdm {
        let (wd, wn) = work.split_at_mut(gldm::scratch_for_levels(g)?.min(work.len()));
        let mut dm = gldm::Matrix::new(levels, wd)?;
        let mut tm = ngtdm::Matrix::new(levels, wn)?;
        let alpha = gldm::Settings::default().alpha;
        neighbourhood::scan(boxbuf, bd, levels, alpha, |v| {
            dm.add(&v);
            tm.add(&v);
        })?;
        dm.finish();
        tm.finish();
        for (n, o) in names.iter().zip(out.iter_mut()) {
            match (mine(n), n.feature) {
                (true, Feature::Gldm(f)) => *o = gldm::compute(f, &dm),
                (true, Feature::Ngtdm(f)) => *o = ngtdm::compute(f, &tm),
                _ => {}
            }
        }
    }
    Ok(())
}
