//! Feature extraction: image + mask + feature names → values, exactly as PyRadiomics 3.0.1, with a
//! caller-supplied scratch buffer and no allocation. [`extract`] uses the default settings (bin
//! width as given); [`extract_with`] takes [`Settings`] (binWidth/binCount, voxelArrayShift,
//! normalize, resegmentRange, minimumROIDimensions/Size; see its order of operations).
//!
//! Pipeline per image type (the names are grouped by image type, so each filter runs once):
//!
//! 1. [`roi_box`]: PyRadiomics' mask checks and the ROI bounding box (once for all names);
//! 2. the filter computes the image type over the ROI box only (`B = roi.len()` values);
//! 3. the ROI values are gathered in numpy scan order (z, y, x; x fastest) and discretised with
//!    fixed bin width ([`Bins`]);
//! 4. first order on the ROI values; GLRLM and GLSZM on the discretised box; shape and shape2D
//!    (original only) on the mask;
//! 5. GLCM, GLDM, NGTDM: the present gray levels are listed once (ascending bin numbers, in the
//!    ROI-values buffer), the box's bin numbers become level indices, GLCM counts its matrices from
//!    that box, and one neighbourhood scan (the 26-neighbourhood by default; the bidirectional
//!    angles of `distances` and `force2D` otherwise) fills both the GLDM and the NGTDM.
//!
//! Texture settings ([`Settings`]): `distances` → GLCM, GLDM, NGTDM angles; `force2D` /
//! `force2Ddimension` → in-plane angles of GLCM, GLRLM, GLSZM, GLDM, NGTDM (first order and 3-D
//! shape unchanged) and the shape2D class; `weightingNorm` → GLCM and GLRLM (one weighted matrix
//! instead of per-angle averaging); `symmetricalGLCM` → GLCM; `gldm_a` → GLDM.
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
//!                       W·B + D + 1 if GLRLM    (run keys, runs per length),
//!                       shape::scratch_len if shape (vertex-line ends),
//!                       4(R + 1)(C + 1) if shape2D (vertex list),
//!                       G² + 2G + 26·A + max(c, G² + 11G if MCC) + 8  if GLCM
//!                                (matrix, marginals, per-angle values, k-distributions,
//!                                 MCC matrix + eigenvalues),
//!                       N·K + 2K + 2N if GLDM or NGTDM (dependence counts, their column
//!                                sums and list, n_i, s_i) ) )
//! scratch_len = max over t of need(t)
//!             (with k ≥ 2 distinct LoG sigmas: k'·B + max(that, log::scratch_len_many(k')),
//!              k' = min(k, log::MAX_SIGMAS))
//! ```
//!
//! Two or more LoG sigmas are filtered together, up to `log::MAX_SIGMAS` at a time, on one reading
//! of the image (`filters::log::filter_many`: the same bits as one sigma at a time); their k'
//! filtered boxes are held at the front of the scratch while each sigma's features are computed.
//!
//! with `N` = number of ROI voxels ([`scratch_len`]; `B` for [`scratch_len_for`]),
//! `G = min(N, glcm::MAX_LEVELS_RESERVED)` (4 096) the gray levels GLCM is reserved for (an ROI with
//! more distinct bins needs a larger scratch, `glcm::scratch_for_levels`), and the settings'
//! terms:
//!
//! * `N_a` = GLCM's angles ([`neighbourhood::angle_count`], mono-directional, for the ROI box,
//!   `distances` and `force2D`: 13 by default), `N_b` = the bidirectional count (26 by default);
//! * without `weightingNorm`: `A = N_a`, `c = min(G², 2N)`, `W = 1`; with it (one weighted matrix):
//!   `A = 1`, `c = 2·min(G², 2N·N_a)`, `W = 13` (GLRLM keeps the runs of every angle);
//! * `K = N_b + 1` GLDM dependence values (27 by default);
//! * `R × C` = the ROI box's in-plane extents across `force2Ddimension`.
//!
//! With the defaults `A = 13` and `K = 27` (GLCM's per-angle values live in scratch, not on the
//! stack, since `distances` can make thousands of angles).
//!
//! With `resegmentRange` in sigma mode the N ROI values are first gathered into `scratch[..N]`
//! (N ≤ B, inside the formula); the formula is evaluated on the box BEFORE resegmentation
//! ([`scratch_len_with`]), an upper bound for the resegmented box. Normalisation needs no scratch.
//!
//! With `resampledPixelSpacing` or `preCrop` ([`extract_with`]), the resampled (cropped) image
//! and mask come first in the scratch and this formula applies to them
//! ([`scratch_len_with`]; `crate::resample` and `docs/resampling.md` give the total).
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

use crate::discretize::{Bins, EdgeType};
use crate::features::{firstorder, glcm, gldm, glrlm, glszm, neighbourhood, ngtdm, shape, shape2d};
use crate::filters;
use crate::image::{roi_box_checked, ImageView, MaskView, RoiBox, Voxels};
use crate::names::{Feature, FeatureName, GlcmFeature, GlrlmFeature, ImageType};
use crate::resample::{self, Plan};
use crate::settings::{Binning, Settings, WeightingNorm};
use crate::Error;
use crate::{normalize, resegment};

/// Which classes one image type needs.
#[derive(Clone, Copy, Default)]
struct Classes {
    first_order: bool,
    glszm: bool,
    glrlm: bool,
    shape: bool,
    shape2d: bool,
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
            Feature::Shape2D(_) => c.shape2d = true,
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

fn filter_scratch(
    dims: [usize; 3],
    roi: &RoiBox,
    t: &ImageType,
    settings: &Settings,
) -> Result<usize, Error> {
    filters::filter_scratch_len_with(dims, roi, t, settings)
}

fn check_filter(dims: [usize; 3], spacing: [f64; 3], t: &ImageType) -> Result<(), Error> {
    filters::check_applicable(dims, spacing, t)
}

fn run_filter(
    image: &ImageView,
    roi: &RoiBox,
    t: &ImageType,
    settings: &Settings,
    out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    filters::filter_roi_with(image, roi, t, settings, out, scratch)
}

/// Scratch (f64 elements) needed to compute `names` on this image/mask (max over image types)
/// with the default settings. Runs the mask checks ([`roi_box`]) and fails as [`extract`] would.
pub fn scratch_len(
    image: &ImageView,
    mask: &MaskView,
    names: &[FeatureName],
) -> Result<usize, Error> {
    scratch_len_with(image, mask, names, &Settings::DEFAULT)
}

/// Same as [`scratch_len`], from geometry only (for sizing static buffers): image dims + ROI box.
/// See the module documentation for the formula.
pub fn scratch_len_for(
    dims: [usize; 3],
    roi: &RoiBox,
    names: &[FeatureName],
) -> Result<usize, Error> {
    scratch_len_for_with(dims, roi, names, &Settings::DEFAULT)
}

/// [`scratch_len_for`] for [`extract_with`]'s `settings`.
pub fn scratch_len_for_with(
    dims: [usize; 3],
    roi: &RoiBox,
    names: &[FeatureName],
    settings: &Settings,
) -> Result<usize, Error> {
    need_for(dims, roi, roi.len(), names, settings)
}

/// The scratch formula with `n_roi` (≥ the number of ROI voxels, ≤ `B`) bounding the number of
/// gray levels of GLCM, GLDM and NGTDM.
fn need_for(
    dims: [usize; 3],
    roi: &RoiBox,
    n_roi: usize,
    names: &[FeatureName],
    settings: &Settings,
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
        let f = filter_scratch(dims, roi, &n.image_type, settings)?;
        let mut work = 0usize;
        if c.first_order {
            work = work.max(b);
        }
        if c.glszm {
            work = work.max(glszm::scratch_len(b)?);
        }
        let weighted = settings.weighting_norm != WeightingNorm::None;
        if c.glrlm {
            work = work.max(glrlm::scratch_len(b, bd, weighted)?);
        }
        if c.shape {
            work = work.max(shape::scratch_len(bd)?);
        }
        if c.shape2d {
            work = work.max(shape2d::scratch_len(bd, settings.force_2d.unwrap_or(0))?);
        }
        if c.glcm {
            let na = glcm_settings(settings, [1.0; 3]).n_angles(bd);
            work = work.max(glcm::scratch_len(
                n_roi,
                c.mcc,
                na,
                weighted,
                bd[1] * bd[2],
            )?);
        }
        if c.gldm || c.ngtdm {
            let n = gldm::scratch_for_levels(n_roi, gldm_columns(bd, settings))?
                .checked_add(ngtdm::scratch_for_levels(n_roi)?)
                .ok_or(Error::SizeOverflow)?;
            work = work.max(n);
        }
        let after = b.checked_add(work).ok_or(Error::SizeOverflow)?;
        let total = b.checked_add(f.max(after)).ok_or(Error::SizeOverflow)?;
        need = need.max(total);
    }
    // several LoG sigmas: each group's boxes are held in front of everything else, and the
    // group is filtered in the rest ([`log_groups`])
    let k = log_group_len(names);
    if k >= 2 {
        let many = filters::log::scratch_len_many(dims, bd, k).ok_or(Error::SizeOverflow)?;
        need = b
            .checked_mul(k)
            .and_then(|held| held.checked_add(need.max(many)))
            .ok_or(Error::SizeOverflow)?;
    }
    Ok(need)
}

/// Number of distinct LoG image types among `names`.
fn log_type_count(names: &[FeatureName]) -> usize {
    (0..names.len())
        .filter(|&i| first_of_type(names, i))
        .filter(|&i| {
            matches!(
                names.get(i).map(|n| n.image_type),
                Some(ImageType::Log { .. })
            )
        })
        .count()
}

/// The size of the largest group of LoG sigmas [`extract_prepared`] filters together: the
/// distinct LoG image types, in first-appearance order, in groups of
/// [`filters::log::MAX_SIGMAS`]; 0 or 1 means no grouping.
fn log_group_len(names: &[FeatureName]) -> usize {
    log_type_count(names).min(filters::log::MAX_SIGMAS)
}

/// The sigmas of LoG group `g` (the LoG types of `names` in first-appearance order, from
/// `g·MAX_SIGMAS`) into `buf`; returns how many.
fn log_group(names: &[FeatureName], g: usize, buf: &mut [f64; filters::log::MAX_SIGMAS]) -> usize {
    let mut k = 0;
    let sigmas = (0..names.len())
        .filter(|&i| first_of_type(names, i))
        .filter_map(|i| match names.get(i).map(|n| n.image_type) {
            Some(ImageType::Log { sigma_mm }) => Some(sigma_mm),
            _ => None,
        })
        .skip(g * filters::log::MAX_SIGMAS);
    for (slot, sigma) in buf.iter_mut().zip(sigmas) {
        *slot = sigma;
        k += 1;
    }
    k
}

/// GLCM's settings from the extraction settings.
fn glcm_settings(s: &Settings, spacing: [f64; 3]) -> glcm::Settings<'_> {
    glcm::Settings {
        symmetrical: s.symmetrical_glcm,
        distances: s.distances(),
        force_2d: s.force_2d,
        weighting: s.weighting_norm,
        spacing,
    }
}

/// GLDM's dependence columns: 1 + the number of neighbours a voxel can have.
fn gldm_columns(bd: [usize; 3], s: &Settings) -> usize {
    neighbourhood::max_neighbours(bd, s.distances(), s.force_2d).saturating_add(1)
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

/// [`scratch_len`] for [`extract_with`] with `settings`: the ROI checks use `settings`'
/// `minimumROIDimensions`/`minimumROISize`, and the size is that of the ROI box BEFORE
/// resegmentation (an upper bound: resegmentation only shrinks the box and the voxel count).
pub fn scratch_len_with(
    image: &ImageView,
    mask: &MaskView,
    names: &[FeatureName],
    settings: &Settings,
) -> Result<usize, Error> {
    settings.check()?;
    let Some(plan) = Plan::new(image, mask, settings)? else {
        return scratch_len_prepared(image, mask, names, settings);
    };
    // Resampling or preCrop: the resampled image and mask buffers, then the larger of the
    // interpolator's and the pipeline's scratch on the resampled grid (`crate::resample`).
    let (roi, n_roi) = plan.roi(mask)?;
    let pipeline = need_for(plan.dims, &roi, n_roi, names, settings)?;
    let work = pipeline.max(plan.interpolator_scratch_len(image.dims())?);
    let buffers = if settings.normalize.is_some() {
        resample::buffers_len_f64(&plan)?
    } else {
        resample::buffers_len(image, &plan)?
    };
    buffers.checked_add(work).ok_or(Error::SizeOverflow)
}

/// [`extract`] with every value-changing PyRadiomics setting ([`Settings`], one image type's
/// settings: a params file with per-image-type overrides calls this once per distinct settings).
/// Settings this core does not implement are [`Error::UnsupportedSetting`]
/// ([`Settings::check`]), before anything is computed.
///
/// Order of operations (PyRadiomics `featureextractor.execute`):
///
/// 1. `normalize`: the whole image is seen through its normalisation ([`crate::normalize`]);
/// 2. `checkMask` with `minimumROIDimensions` / `minimumROISize` ([`roi_box_checked`]);
/// 3. `resegmentRange`: the mask is restricted to the intensity window ([`crate::resegment`]),
///    then checked again (bounding box, dimensions, size of the resegmented ROI);
/// 4. shape on the resegmented mask if `resegmentShape`, else on the original mask cropped to the
///    resegmented mask's bounding box;
/// 5. per image type: the filter over that bounding box, first order (with `voxelArrayShift`)
///    and texture on the resegmented ROI, discretised with `binWidth` or `binCount`.
///
/// Scratch: [`scratch_len_with`] (the module formula on the ROI box before resegmentation).
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
    with_loaded(image, mask, settings, scratch, |im, m, rest| {
        extract_prepared(im, m, names, settings, out, rest)
    })
}

/// Scratch (f64 elements) of [`with_loaded`] itself: the resampled image and mask buffers and
/// the interpolator's scratch with resampling or preCrop ([`crate::resample`]'s `B'` buffers
/// plus `W`), 0 without. What `f` needs comes on top ([`scratch_len_prepared`] on the loaded
/// image and mask).
pub fn loaded_len(image: &ImageView, mask: &MaskView, settings: &Settings) -> Result<usize, Error> {
    settings.check()?;
    let Some(plan) = Plan::new(image, mask, settings)? else {
        return Ok(0);
    };
    let buffers = if settings.normalize.is_some() {
        resample::buffers_len_f64(&plan)?
    } else {
        resample::buffers_len(image, &plan)?
    };
    buffers
        .checked_add(plan.interpolator_scratch_len(image.dims())?)
        .ok_or(Error::SizeOverflow)
}

/// The part of `settings` that [`with_loaded`] reads (normalisation, resampling, preCrop and
/// its padding), the other fields at their defaults: image types whose settings give equal
/// keys can share one loading.
pub fn loading_key(settings: &Settings) -> Settings {
    let mut k = Settings::DEFAULT;
    k.normalize = settings.normalize;
    k.resample = settings.resample;
    k.pre_crop = settings.pre_crop;
    k.pad_distance = settings.pad_distance;
    k
}

/// Step 1 of [`extract_with`] and its resampling, done once for any number of image types:
/// calls `f(image, mask, rest of scratch)` with the image and mask PyRadiomics' `loadImage`
/// returns under `settings`' `normalize`, `resampledPixelSpacing` and `preCrop` (the fields of
/// [`loading_key`]; the others are not read). [`extract_prepared`] on them, with any image
/// type's settings of the same [`loading_key`], gives exactly [`extract_with`]'s values: `extract_with` is this function
/// followed by `extract_prepared`. A host that extracts many image types of one case (each
/// perhaps on its own thread, with its own scratch) resamples once instead of once per type.
/// Scratch: [`loaded_len`], then what `f` uses of the rest.
pub fn with_loaded<R>(
    image: &ImageView,
    mask: &MaskView,
    settings: &Settings,
    scratch: &mut [f64],
    f: impl FnOnce(&ImageView, &MaskView, &mut [f64]) -> Result<R, Error>,
) -> Result<R, Error> {
    let image = normalize::normalized(image, settings.normalize.as_ref())?;
    // resampledPixelSpacing / preCrop: the pipeline runs on the resampled (cropped) image.
    // PyRadiomics normalises the whole image first (into float64), then resamples it.
    let Some(plan) = Plan::new(&image, mask, settings)? else {
        return f(&image, mask, scratch);
    };
    match image.map() {
        None => resample::with_prepared(&image, mask, &plan, scratch, f),
        Some(pm) => {
            let raw = image.with_map(None);
            resample::with_prepared_mapped(&raw, mask, &plan, &|x| pm.apply(x), scratch, f)
        }
    }
}

/// Scratch (f64 elements) of [`extract_prepared`] on an image and mask that are already loaded
/// ([`with_loaded`]): the module formula on the ROI box before resegmentation, after the mask
/// checks with `settings`' `minimumROIDimensions`/`minimumROISize`.
pub fn scratch_len_prepared(
    image: &ImageView,
    mask: &MaskView,
    names: &[FeatureName],
    settings: &Settings,
) -> Result<usize, Error> {
    settings.check()?;
    let c = roi_box_checked(
        image,
        mask,
        settings.minimum_roi_dimensions,
        settings.minimum_roi_size,
    )?;
    need_for(image.dims(), &c.roi, c.voxels, names, settings)
}

/// Steps 2–5 of [`extract_with`] on an image that is already normalised and resampled: `image`
/// and `mask` are what PyRadiomics' `loadImage` (and its resampling) returns.
pub fn extract_prepared(
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
    let (min_dims, min_size) = (settings.minimum_roi_dimensions, settings.minimum_roi_size);
    let first = roi_box_checked(image, mask, min_dims, min_size)?;
    let dims = image.dims();
    let (roi_mask, check) = match &settings.resegment {
        None => (*mask, first),
        Some(r) => {
            let (w, _) = resegment::window(image, mask, &first.roi, r, scratch)?;
            let m = mask.restricted(Some(w))?;
            (m, roi_box_checked(image, &m, min_dims, min_size)?)
        }
    };
    let shape_mask = match &settings.resegment {
        Some(r) if r.shape => roi_mask,
        _ => *mask,
    };
    let roi = check.roi;
    let need = need_for(dims, &roi, check.voxels, names, settings)?;
    if scratch.len() < need {
        return Err(Error::ScratchTooSmall);
    }
    for n in names {
        check_filter(dims, image.spacing(), &n.image_type)?;
        // PyRadiomics computes shape on the original image's mask only.
        if matches!(n.feature, Feature::Shape(_) | Feature::Shape2D(_))
            && n.image_type != ImageType::Original
        {
            return Err(Error::UnsupportedFeature);
        }
        // shape2D: PyRadiomics' conditions (its computeShape runs before any other class).
        if matches!(n.feature, Feature::Shape2D(_)) {
            shape2d::check(roi.dims(), settings.force_2d)?;
        }
    }
    let ctx = Ctx {
        image,
        mask: &roi_mask,
        shape_mask: &shape_mask,
        roi: &roi,
        settings,
    };
    // Two or more LoG sigmas: each group of up to MAX_SIGMAS is filtered on one reading of the
    // image (`log::filter_many`, the same bits as one sigma at a time) into boxes held at the
    // front of the scratch, when the group's first member comes up; its members then start
    // from their box.
    let k = log_group_len(names);
    let b = roi.len();
    let (held, scratch) = scratch
        .split_at_mut_checked(if k >= 2 { k * b } else { 0 })
        .ok_or(Error::ScratchTooSmall)?;
    let mut log_ordinal = 0usize;
    for i in 0..names.len() {
        if !first_of_type(names, i) {
            continue;
        }
        let Some(t) = names.get(i).map(|n| n.image_type) else {
            continue;
        };
        let mut pre = None;
        if let (ImageType::Log { .. }, true) = (t, k >= 2) {
            let (g, m) = (log_ordinal / k, log_ordinal % k);
            log_ordinal += 1;
            if m == 0 {
                let mut sigmas = [0.0; filters::log::MAX_SIGMAS];
                let n = log_group(names, g, &mut sigmas);
                let sigmas = sigmas.get(..n).ok_or(Error::BadSetting)?;
                filters::log::filter_many(image, &roi, sigmas, held, scratch)?;
            }
            pre = Some(held.get(m * b..(m + 1) * b).ok_or(Error::ScratchTooSmall)?);
        }
        one_image_type(&ctx, names, &t, out, scratch, pre)?;
    }
    Ok(())
}

/// What every image type of one extraction shares.
struct Ctx<'c, 'a> {
    image: &'c ImageView<'a>,
    /// The ROI (resegmented if resegmentation is on).
    mask: &'c MaskView<'a>,
    /// The mask shape features use (see [`extract_with`], step 4).
    shape_mask: &'c MaskView<'a>,
    /// Bounding box of `mask`.
    roi: &'c RoiBox,
    settings: &'c Settings,
}

/// The numpy type of the ROI array PyRadiomics discretises for image type `t` (matters for
/// `binCount` edges): LoG and gradient are float32 images; original and wavelet keep float32 for
/// a float32 input; original of an int16/uint16 image is integer; everything else is float64.
fn edge_type(image: &ImageView, t: &ImageType) -> EdgeType {
    match t {
        ImageType::Log { .. } | ImageType::Gradient => EdgeType::F32,
        ImageType::Original | ImageType::Wavelet(_) if image.is_f32() => EdgeType::F32,
        ImageType::Original
            if image.map().is_none()
                && matches!(image.voxels(), Voxels::I16(_) | Voxels::U16(_)) =>
        {
            EdgeType::F32IfFlat
        }
        _ => EdgeType::F64,
    }
}

/// Features of image type `t`; `pre` is its filtered box when it was computed beforehand (a
/// LoG group), otherwise the filter runs here.
fn one_image_type(
    ctx: &Ctx,
    names: &[FeatureName],
    t: &ImageType,
    out: &mut [f64],
    scratch: &mut [f64],
    pre: Option<&[f64]>,
) -> Result<(), Error> {
    let (image, mask, roi, settings) = (ctx.image, ctx.mask, ctx.roi, ctx.settings);
    let c = classes_for(names, t);
    let b = roi.len();
    let bd = roi.dims();
    if scratch.len() < b {
        return Err(Error::ScratchTooSmall);
    }
    let (boxbuf, rest) = scratch.split_at_mut(b);
    match pre {
        Some(p) => boxbuf.copy_from_slice(p.get(..b).ok_or(Error::ScratchTooSmall)?),
        None => run_filter(image, roi, t, settings, boxbuf, rest)?,
    }
    if rest.len() < b {
        return Err(Error::ScratchTooSmall);
    }
    let (vals_buf, work) = rest.split_at_mut(b);
    let vals = &mut *vals_buf;

    if c.shape {
        let s = shape::Shape::new(ctx.shape_mask, roi, image.spacing(), work)?;
        for (n, o) in names.iter().zip(out.iter_mut()) {
            if n.image_type == *t {
                if let Feature::Shape(f) = n.feature {
                    *o = shape::compute(f, &s);
                }
            }
        }
    }

    if c.shape2d {
        let d = settings.force_2d.ok_or(Error::Shape2dNotApplicable)?;
        let s = shape2d::Shape2D::new(ctx.shape_mask, roi, image.spacing(), d, work)?;
        for (n, o) in names.iter().zip(out.iter_mut()) {
            if n.image_type == *t {
                if let Feature::Shape2D(f) = n.feature {
                    *o = shape2d::compute(f, &s);
                }
            }
        }
    }

    // ROI values in numpy scan order; min/max for the bin edges.
    let mut np = 0usize;
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    let mut k = 0usize;
    let mut finite = true;
    for z in roi.lo[2]..roi.hi[2] {
        for y in roi.lo[1]..roi.hi[1] {
            mask.for_row(y, z, roi.lo[0], roi.hi[0], |hit| {
                if hit {
                    let v = boxbuf.get(k).copied().unwrap_or(f64::NAN);
                    finite &= v.is_finite();
                    if let Some(s) = vals.get_mut(np) {
                        *s = v;
                    }
                    np += 1;
                    lo = lo.min(v);
                    hi = hi.max(v);
                } else if let Some(s) = boxbuf.get_mut(k) {
                    // outside the ROI: NaN marks it for the discretisation below (ROI values
                    // are finite), which writes 0 there
                    *s = f64::NAN;
                }
                k += 1;
            });
        }
    }
    if !finite {
        return Err(Error::NonFiniteVoxel);
    }
    if np == 0 {
        return Err(Error::LabelNotPresent);
    }
    let bins = match ctx.settings.binning {
        Binning::Width(w) => Bins::new(lo, hi, w)?,
        Binning::Count(n) => Bins::count(lo, hi, n, edge_type(image, t))?,
    };

    if c.first_order {
        let vals = vals_buf.get(..np).ok_or(Error::ScratchTooSmall)?;
        let fo = firstorder::FirstOrder::new(vals, work, bins, image.spacing())?
            .with_shift(ctx.settings.voxel_array_shift);
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
    // Discretise the box in place: bin number for ROI voxels, 0 outside (NaN, above).
    for s in boxbuf.iter_mut().take(roi.len()) {
        *s = if s.is_nan() { 0.0 } else { bins.bin(*s) as f64 };
    }
    if c.glrlm {
        let gs = glrlm::Settings {
            force_2d: settings.force_2d,
            weighting: settings.weighting_norm,
            spacing: image.spacing(),
        };
        let r = glrlm::features(boxbuf, bd, gs, work)?;
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
        let m = glszm::zones(boxbuf, bd, settings.force_2d, work)?;
        for (n, o) in names.iter().zip(out.iter_mut()) {
            if n.image_type == *t {
                if let Feature::Glszm(f) = n.feature {
                    *o = glszm::compute(f, &m);
                }
            }
        }
    }
    if c.level_based() {
        level_classes(
            boxbuf,
            bd,
            vals_buf,
            work,
            c,
            names,
            t,
            out,
            settings,
            image.spacing(),
        )?;
    }
    Ok(())
}

/// GLCM, GLDM and NGTDM of one image type from the discretised box (bin numbers, 0 outside).
/// The present levels go to `lv_buf` (≥ number of ROI voxels); with GLCM the box becomes level
/// indices + 1 (after GLDM and NGTDM, which read the levels).
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
    settings: &Settings,
    spacing: [f64; 3],
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
    let mine = |n: &FeatureName| n.image_type == *t;
    // GLDM and NGTDM read the box as gray levels (bin numbers); GLCM then reads it as indices
    // into `levels` + 1
    if c.gldm || c.ngtdm {
        let columns = gldm_columns(bd, settings);
        let (wd, wn) = work.split_at_mut(gldm::scratch_for_levels(g, columns)?.min(work.len()));
        let mut dm = gldm::Matrix::new(levels, columns, wd)?;
        let mut tm = ngtdm::Matrix::new(levels, wn)?;
        let alpha = settings.gldm_a;
        neighbourhood::scan(
            boxbuf,
            bd,
            levels,
            alpha,
            settings.distances(),
            settings.force_2d,
            |v| {
                dm.add(&v);
                tm.add(&v);
            },
        )?;
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
    if c.glcm {
        for v in boxbuf.iter_mut() {
            if *v > 0.0 {
                *v = (crate::features::level_index(levels, *v)? + 1) as f64;
            }
        }
        let ng = levels.last().copied().unwrap_or(0.0);
        let r = glcm::features(
            boxbuf,
            bd,
            levels,
            ng,
            glcm_settings(settings, spacing),
            c.mcc,
            work,
        )?;
        for (n, o) in names.iter().zip(out.iter_mut()) {
            if let (true, Feature::Glcm(f)) = (mine(n), n.feature) {
                *o = glcm::pick(f, &r);
            }
        }
    }
    Ok(())
}
