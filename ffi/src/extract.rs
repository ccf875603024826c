//! Feature extraction for one sequence of a model: scratch-size query and extraction.
//!
//! The core's `extract_with` takes one set of extraction settings and one ROI label per call, so
//! the sequence's features are computed in groups of equal (label, settings), in model order,
//! each with its recipes' settings (`Model::settings_of`: PyRadiomics' defaults with the bin width
//! for format-1/2 models, the settings table's entry in format 3); the values are exactly the
//! core's (`radscore_core::extract::extract_with` on the same names). Settings the core does not
//! implement are `RADSCORE_STATUS_UNSUPPORTED_SETTING` before any value is computed.

use crate::image::{
    RadscoreImage, RadscoreImage2, RadscoreMask, RadscoreMask2, RADSCORE_LABEL_FROM_MODEL,
};
use crate::model::{model, RadscoreModel};
use crate::status::RadscoreStatus;
use crate::util::{self, boundary, Res};
use core::ffi::c_char;
use heapless::Vec;
use radscore_core::extract;
use radscore_core::geometry::check_same_grid;
use radscore_core::image::{voxel_count, ImageView, MaskView, RoiBox};
use radscore_core::model::{Model, MAX_FEATURES};
use radscore_core::names::FeatureName;
use radscore_core::settings::Settings;

/// One group of a sequence's features that the core extracts in one call.
struct Group {
    label: u32,
    settings: Settings,
    names: Vec<FeatureName, MAX_FEATURES>,
    /// Model index of each name.
    index: Vec<usize, MAX_FEATURES>,
}

/// Calls `f` for every (label, settings) group of `sequence`'s features, in model order.
/// `label` overrides the model's labels unless it is `RADSCORE_LABEL_FROM_MODEL`.
/// `UnknownSequence` if no feature belongs to `sequence`.
fn for_each_group(
    m: &Model,
    sequence: &str,
    label: u32,
    mut f: impl FnMut(&Group) -> Res<()>,
) -> Res<()> {
    // Equal settings have one table index (the table holds distinct entries), and default
    // settings are equal when their bin widths are.
    let key = |i: usize| -> Option<(u32, u8, u64)> {
        let r = m.features.get(i)?;
        if r.sequence.as_str() != sequence {
            return None;
        }
        let l = if label == RADSCORE_LABEL_FROM_MODEL {
            r.label
        } else {
            label
        };
        Some((l, r.settings, r.bin_width.to_bits()))
    };
    let mut any = false;
    for i in 0..m.features.len() {
        let Some(k) = key(i) else { continue };
        if (0..i).any(|j| key(j) == Some(k)) {
            continue; // group already done
        }
        any = true;
        let mut g = Group {
            label: k.0,
            settings: m.settings_of(i).ok_or(RadscoreStatus::InconsistentModel)?,
            names: Vec::new(),
            index: Vec::new(),
        };
        for j in i..m.features.len() {
            if key(j) == Some(k) {
                g.names
                    .push(m.recipe_of(j)?)
                    .map_err(|_| RadscoreStatus::CapacityExceeded)?;
                g.index
                    .push(j)
                    .map_err(|_| RadscoreStatus::CapacityExceeded)?;
            }
        }
        // Settings this core does not implement (or out of range): refused before any image is
        // read, by every extraction entry point.
        g.settings.check()?;
        f(&g)?;
    }
    if any {
        Ok(())
    } else {
        Err(RadscoreStatus::UnknownSequence)
    }
}

/// A mask whose ROI label is chosen per group (`label`: the caller's, or
/// `RADSCORE_LABEL_FROM_MODEL`).
#[derive(Clone, Copy)]
struct MaskSrc<'a> {
    view: MaskView<'a>,
    label: u32,
}

impl<'a> MaskSrc<'a> {
    /// The mask selecting ROI label `label`.
    fn with_label(&self, label: u32) -> Res<MaskView<'a>> {
        MaskView::new(*self.view.voxels(), self.view.dims(), label).map_err(RadscoreStatus::from)
    }
}

/// Borrowed arguments shared by the entry points.
struct Args<'a> {
    model: &'a Model,
    sequence: &'a str,
    image: ImageView<'a>,
    mask: MaskSrc<'a>,
}

/// The model, sequence and views, checked in this order: model handle, computability,
/// sequence name, then `views` (the image and mask checks).
///
/// # Safety
/// `model_p` and `sequence` as documented on the entry points.
unsafe fn args<'a>(
    model_p: *const RadscoreModel,
    sequence: *const c_char,
    views: impl FnOnce() -> Res<(ImageView<'a>, MaskSrc<'a>)>,
) -> Res<Args<'a>> {
    // SAFETY: forwarded contracts.
    let model = unsafe { model(model_p)? };
    // A model with a feature the core cannot compute is refused before the images are read.
    model.check_computable()?;
    // SAFETY: forwarded contract.
    let sequence = unsafe { util::c_name(sequence)? };
    let (image, mask) = views()?;
    Ok(Args {
        model,
        sequence,
        image,
        mask,
    })
}

/// Views of version-1 descriptors.
///
/// # Safety
/// `image` and `mask` valid descriptors whose buffers are readable as described.
unsafe fn views_v1<'a>(
    image: *const RadscoreImage,
    mask: *const RadscoreMask,
) -> Res<(ImageView<'a>, MaskSrc<'a>)> {
    // SAFETY: forwarded contracts.
    unsafe {
        let image = util::as_ref(image)?;
        let mask = util::as_ref(mask)?;
        // Mask checks (tag, pointer, dims) before the image scan, so cheap errors come first.
        let mv = mask.view(RADSCORE_LABEL_FROM_MODEL)?;
        let image = image.view()?;
        Ok((
            image,
            MaskSrc {
                view: mv,
                label: mask.label,
            },
        ))
    }
}

/// Views of version-2 descriptors, with the geometry check (when the dims agree; different
/// dims are `MASK_SIZE_MISMATCH` from the extraction).
///
/// # Safety
/// `image` and `mask` valid descriptors whose buffers hold the lengths they state.
unsafe fn views_v2<'a>(
    image: *const RadscoreImage2,
    mask: *const RadscoreMask2,
) -> Res<(ImageView<'a>, MaskSrc<'a>)> {
    // SAFETY: forwarded contracts.
    unsafe {
        let image = util::as_ref(image)?;
        let mask = util::as_ref(mask)?;
        let mv = mask.view(RADSCORE_LABEL_FROM_MODEL)?;
        let iv = image.view()?;
        if iv.dims() == mv.dims() {
            check_same_grid(&image.grid(), &mask.grid())?;
        }
        Ok((
            iv,
            MaskSrc {
                view: mv,
                label: mask.label,
            },
        ))
    }
}

/// Shared body of the scratch queries.
fn scratch_of(a: &Args<'_>) -> Res<usize> {
    let mut need = 0usize;
    for_each_group(a.model, a.sequence, a.mask.label, |g| {
        let mv = a.mask.with_label(g.label)?;
        need = need.max(extract::scratch_len_with(
            &a.image,
            &mv,
            &g.names,
            &g.settings,
        )?);
        Ok(())
    })?;
    Ok(need)
}

/// Shared body of the extractions: every group into a staging array, then published.
fn extract_into(a: &Args<'_>, scratch: &mut [f64], features: &mut [f64]) -> Res<()> {
    if features.len() < a.model.features.len() {
        return Err(RadscoreStatus::OutputTooSmall);
    }
    let mut staged = [0.0f64; MAX_FEATURES];
    for_each_group(a.model, a.sequence, a.mask.label, |g| {
        let mv = a.mask.with_label(g.label)?;
        let mut out = [0.0f64; MAX_FEATURES];
        extract::extract_with(&a.image, &mv, &g.names, &g.settings, &mut out, scratch)?;
        for (i, v) in g.index.iter().zip(out.iter()) {
            if let Some(s) = staged.get_mut(*i) {
                *s = *v;
            }
        }
        Ok(())
    })?;
    // Every group succeeded: publish.
    for (i, r) in a.model.features.iter().enumerate() {
        if r.sequence.as_str() == a.sequence {
            if let (Some(d), Some(s)) = (features.get_mut(i), staged.get(i)) {
                *d = *s;
            }
        }
    }
    Ok(())
}

/// Scratch (in `double` elements) that `radscore_extract` needs for the features of
/// `sequence` on this image and mask: the maximum over the sequence's (label, bin width)
/// groups of the core's `extract::scratch_len` (formula in `docs/c-api.md`; it scales with the
/// ROI bounding box, not the image). Runs the same image and mask checks as the extraction and
/// fails as it would (e.g. `LABEL_NOT_PRESENT`, `MASK_SIZE_MISMATCH`). A model with a feature
/// the library cannot compute from images (`radscore_model_feature_computable` = 0, in any
/// sequence) is refused with `FEATURE_NOT_COMPUTABLE` before the image and mask are looked at.
///
/// # Safety
/// `model` a handle; `sequence` a NUL-terminated string; `image` and `mask` valid descriptors
/// whose buffers are readable as described; `doubles_out` valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_scratch_len(
    model: *const RadscoreModel,
    sequence: *const c_char,
    image: *const RadscoreImage,
    mask: *const RadscoreMask,
    doubles_out: *mut usize,
) -> RadscoreStatus {
    boundary(|| {
        util::check_ptr(doubles_out)?;
        // SAFETY: forwarded contract.
        let a = unsafe { args(model, sequence, || views_v1(image, mask))? };
        let need = scratch_of(&a)?;
        // SAFETY: forwarded contract.
        unsafe { util::write(doubles_out, need) }
    })
}

/// `radscore_scratch_len` for version-2 descriptors ([`RadscoreImage2`], [`RadscoreMask2`]):
/// the buffer lengths are checked against the dims (`IMAGE_LENGTH_MISMATCH`; nothing past a
/// stated length is read), `struct_size` against the struct this library knows
/// (`BAD_ARGUMENT`), and the mask's spacing, origin and direction against the image's
/// (`GEOMETRY_MISMATCH`, tolerance as `radscore_extract2`). Otherwise the same checks and
/// result as `radscore_scratch_len`.
///
/// # Safety
/// As `radscore_scratch_len`; each buffer valid for reads of the length its descriptor states.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_scratch_len2(
    model: *const RadscoreModel,
    sequence: *const c_char,
    image: *const RadscoreImage2,
    mask: *const RadscoreMask2,
    doubles_out: *mut usize,
) -> RadscoreStatus {
    boundary(|| {
        util::check_ptr(doubles_out)?;
        // SAFETY: forwarded contract.
        let a = unsafe { args(model, sequence, || views_v2(image, mask))? };
        let need = scratch_of(&a)?;
        // SAFETY: forwarded contract.
        unsafe { util::write(doubles_out, need) }
    })
}

/// Upper bound of `radscore_scratch_len` for every image of dimensions `dims[0..3]` and every
/// mask whose ROI bounding box spans at most `box_dims[0..3]` voxels (pass `box_dims = dims`
/// for any mask at all): for sizing a static scratch buffer when no heap is available. The
/// scratch depends only on the box extents (not on its position) and grows with them, so the
/// bound is the scratch of a box of exactly `box_dims`.
///
/// `BAD_DIMENSIONS` if a dimension is 0, the voxel count overflows, or `box_dims` exceeds
/// `dims`; `FEATURE_NOT_COMPUTABLE`, `UNKNOWN_SEQUENCE`, `BAD_NAME`, `NULL_POINTER`,
/// `MISALIGNED` as elsewhere.
///
/// # Safety
/// `model` a handle; `sequence` a NUL-terminated string; `dims` and `box_dims` valid for
/// reads of 3 `size_t`; `doubles_out` valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_scratch_len_bound(
    model: *const RadscoreModel,
    sequence: *const c_char,
    dims: *const usize,
    box_dims: *const usize,
    doubles_out: *mut usize,
) -> RadscoreStatus {
    boundary(|| {
        // SAFETY: forwarded contracts.
        let (m, seq, d, b) = unsafe {
            (
                self::model(model).and_then(|m| {
                    m.check_computable()?;
                    Ok(m)
                })?,
                util::c_name(sequence)?,
                util::slice(dims, 3)?,
                util::slice(box_dims, 3)?,
            )
        };
        util::check_ptr(doubles_out)?;
        let dims = [0, 1, 2].map(|k| d.get(k).copied().unwrap_or(0));
        let ext = [0, 1, 2].map(|k| b.get(k).copied().unwrap_or(0));
        voxel_count(dims)?;
        if ext.iter().zip(dims).any(|(e, n)| *e == 0 || *e > n) {
            return Err(RadscoreStatus::BadDimensions);
        }
        let roi = RoiBox {
            lo: [0; 3],
            hi: ext,
        };
        let mut need = 0usize;
        for_each_group(m, seq, RADSCORE_LABEL_FROM_MODEL, |g| {
            need = need.max(extract::scratch_len_for_with(
                dims,
                &roi,
                &g.names,
                &g.settings,
            )?);
            Ok(())
        })?;
        // SAFETY: forwarded contract.
        unsafe { util::write(doubles_out, need) }
    })
}

/// Computes the model's features of `sequence` from this image and mask (PyRadiomics 3.0.1
/// defaults, each feature with the bin width stored in the model) and writes them into
/// `features[i]` at their model indices `i`; the other entries of `features` are left as they
/// are, so one array filled by one call per sequence is ready for `radscore_score`.
///
/// `features` must hold `radscore_model_feature_count` doubles (`features_len` at least that,
/// else `OUTPUT_TOO_SMALL`). `scratch` must hold `scratch_len` doubles, at least what
/// `radscore_scratch_len` reports (else `SCRATCH_TOO_SMALL`); its contents on entry do not
/// matter and on return are unspecified. Nothing is written to `features` unless the status
/// is `OK`. A feature that PyRadiomics reports as NaN is NaN here too (scoring then fails
/// with `NON_FINITE_INPUT`). A model with a feature the library cannot compute from images is
/// refused with `FEATURE_NOT_COMPUTABLE` before the image and mask are looked at (score such a
/// model from feature values computed elsewhere, e.g. by PyRadiomics).
///
/// # Safety
/// As `radscore_scratch_len`; `scratch` valid for reads and writes of `scratch_len` doubles
/// and `features` of `features_len` doubles, neither overlapping the other or the inputs.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn radscore_extract(
    model: *const RadscoreModel,
    sequence: *const c_char,
    image: *const RadscoreImage,
    mask: *const RadscoreMask,
    scratch: *mut f64,
    scratch_len: usize,
    features: *mut f64,
    features_len: usize,
) -> RadscoreStatus {
    boundary(|| {
        // SAFETY: forwarded contract.
        let a = unsafe { args(model, sequence, || views_v1(image, mask))? };
        // SAFETY: forwarded contract.
        let scratch = unsafe { util::slice_mut(scratch, scratch_len)? };
        // SAFETY: forwarded contract.
        let features = unsafe { util::slice_mut(features, features_len)? };
        extract_into(&a, scratch, features)
    })
}

/// `radscore_extract` for version-2 descriptors ([`RadscoreImage2`], [`RadscoreMask2`]): the
/// same features, bit for bit, after three more checks: `struct_size` of each descriptor
/// (`BAD_ARGUMENT` unless it is the `sizeof` this library knows), each buffer length against
/// the dims (`IMAGE_LENGTH_MISMATCH`: a buffer shorter or longer than the dims imply is refused
/// and nothing past its stated length is read), and the mask's grid against the image's
/// (`GEOMETRY_MISMATCH`): with `t` = 1e-6, each spacing within `t·|image spacing|`, each origin
/// coordinate within `t·(smallest image spacing)` and each direction cosine within `t` (the
/// CLI's check of image and mask files; ITK's default tolerance, which PyRadiomics relies on).
/// A NaN or infinite origin or direction never matches. Different dims remain
/// `MASK_SIZE_MISMATCH`.
///
/// # Safety
/// As `radscore_extract`; each image/mask buffer valid for reads of the length its descriptor
/// states.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn radscore_extract2(
    model: *const RadscoreModel,
    sequence: *const c_char,
    image: *const RadscoreImage2,
    mask: *const RadscoreMask2,
    scratch: *mut f64,
    scratch_len: usize,
    features: *mut f64,
    features_len: usize,
) -> RadscoreStatus {
    boundary(|| {
        // SAFETY: forwarded contract.
        let a = unsafe { args(model, sequence, || views_v2(image, mask))? };
        // SAFETY: forwarded contract.
        let scratch = unsafe { util::slice_mut(scratch, scratch_len)? };
        // SAFETY: forwarded contract.
        let features = unsafe { util::slice_mut(features, features_len)? };
        extract_into(&a, scratch, features)
    })
}
