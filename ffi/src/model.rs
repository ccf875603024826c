//! The model handle: loading an artifact into caller storage, counts, names and scoring.

use crate::status::RadscoreStatus;
use crate::util::{self, boundary, Res};
use core::ffi::{c_char, c_void};
use radscore_core::model::{
    artifact, Model, PredictorKind, MAX_CLINICAL, MAX_FEATURES, MAX_PREDICTORS,
};

/// Most features a model can have.
pub const RADSCORE_MAX_FEATURES: usize = 128;
/// Most clinical predictors a model can have.
pub const RADSCORE_MAX_CLINICAL: usize = 16;
/// Most nomogram predictors (the radscore plus the clinical predictors).
pub const RADSCORE_MAX_PREDICTORS: usize = 17;
const _: () = assert!(RADSCORE_MAX_FEATURES == MAX_FEATURES);
const _: () = assert!(RADSCORE_MAX_CLINICAL == MAX_CLINICAL);
const _: () = assert!(RADSCORE_MAX_PREDICTORS == MAX_PREDICTORS);

/// Length in bytes of an Ed25519 public key.
pub const RADSCORE_PUBLIC_KEY_LEN: usize = 32;

/// Predictor kind: the radscore (predictor 0).
pub const RADSCORE_PREDICTOR_RADSCORE: u32 = 0;
/// Predictor kind: a continuous clinical value (any finite number, in the predictor's unit).
pub const RADSCORE_PREDICTOR_CONTINUOUS: u32 = 1;
/// Predictor kind: a binary clinical value (exactly 0 or 1).
pub const RADSCORE_PREDICTOR_BINARY: u32 = 2;

/// Marks storage that holds a successfully loaded model.
const LOADED: u64 = u64::from_le_bytes(*b"rsmodel1");

/// A loaded model. Opaque: it lives in storage the caller provides (`radscore_model_size()`
/// bytes aligned to `radscore_model_align()`), owns no other memory and needs no destructor:
/// free or reuse the storage when done.
pub struct RadscoreModel {
    tag: u64,
    model: Model,
    /// What the artifact's framing said (for the audit getters).
    pub(crate) artifact: ArtifactInfo,
}

/// The artifact a model was loaded from: its framing, which the decoded [`Model`] does not keep.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ArtifactInfo {
    /// Format version from the header.
    pub(crate) version: u16,
    /// Whether it carries a signature trailer.
    pub(crate) signed: bool,
    /// Length in bytes of the whole artifact.
    pub(crate) len: usize,
    /// The CRC-32 stored in (and checked against) the artifact.
    pub(crate) crc32: u32,
}

impl ArtifactInfo {
    const NONE: ArtifactInfo = ArtifactInfo {
        version: 0,
        signed: false,
        len: 0,
        crc32: 0,
    };
}

/// The result of `radscore_score`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct RadscoreScore {
    /// The radiomics score: intercept + sum of coefficient * z-score.
    pub radscore: f64,
    /// Linear predictor of the combined logistic model.
    pub linear_predictor: f64,
    /// Predicted probability of the positive class, in [0, 1].
    pub probability: f64,
    /// Nomogram total points (sum of `points[0..n_points]`).
    pub total_points: f64,
    /// Nomogram points per predictor: `points[0]` for the radscore, then the clinical
    /// predictors in model order. Entries from `n_points` on are 0.
    pub points: [f64; RADSCORE_MAX_PREDICTORS],
    /// Number of valid entries in `points` (= `radscore_model_predictor_count`).
    pub n_points: usize,
    /// 1 if `probability >= threshold` of the model, else 0.
    pub predicted_class: u32,
}

/// Borrows the model behind a handle.
///
/// # Safety
/// `p` must be NULL or point to storage previously passed to a `radscore_model_load*` function.
pub(crate) unsafe fn model<'a>(p: *const RadscoreModel) -> Res<&'a Model> {
    // SAFETY: forwarded contract.
    Ok(&unsafe { handle(p)? }.model)
}

/// Borrows a loaded handle (model and artifact information).
///
/// # Safety
/// As [`model`].
pub(crate) unsafe fn handle<'a>(p: *const RadscoreModel) -> Res<&'a RadscoreModel> {
    // SAFETY: forwarded contract.
    let m = unsafe { util::as_ref(p)? };
    if m.tag != LOADED {
        return Err(RadscoreStatus::ModelNotLoaded);
    }
    Ok(m)
}

impl RadscoreModel {
    /// The decoded model.
    pub(crate) fn model(&self) -> &Model {
        &self.model
    }
}

/// Size in bytes of the storage a model needs (a compile-time constant of the library).
#[unsafe(no_mangle)]
pub extern "C" fn radscore_model_size() -> usize {
    core::mem::size_of::<RadscoreModel>()
}

/// Alignment in bytes the model storage needs (`malloc` and `_Alignas(max_align_t)` storage
/// satisfy it).
#[unsafe(no_mangle)]
pub extern "C" fn radscore_model_align() -> usize {
    core::mem::align_of::<RadscoreModel>()
}

/// # Safety
/// See `radscore_model_load`.
unsafe fn load(
    storage: *mut c_void,
    storage_len: usize,
    bytes: *const u8,
    len: usize,
    decode: impl FnOnce(&mut Model, &[u8]) -> Result<(), radscore_core::Error>,
    out: *mut *const RadscoreModel,
) -> Res<()> {
    let dst = storage.cast::<RadscoreModel>();
    util::check_ptr(dst)?;
    util::check_ptr(out)?;
    if storage_len < core::mem::size_of::<RadscoreModel>() {
        return Err(RadscoreStatus::OutputTooSmall);
    }
    // Invalidate first (if anything below fails, a stale handle to this storage is rejected) by
    // writing an empty model with tag 0; the decoder then fills it in place, field by field, so
    // the model is never built on the stack and copied (that cost ~114 KB of stack on a
    // Cortex-M4F).
    // SAFETY: dst is non-NULL, aligned and (caller's contract) valid for storage_len >= size
    // bytes of writes; `write` does not drop the previous contents (a Model owns no memory), and
    // after it the storage holds a valid `RadscoreModel`, so the `&mut` below is sound.
    let slot = unsafe {
        dst.write(RadscoreModel {
            tag: 0,
            model: Model::empty(),
            artifact: ArtifactInfo::NONE,
        });
        &mut *dst
    };
    // SAFETY: caller's contract for bytes[..len].
    let bytes = unsafe { util::slice(bytes, len)? };
    // The decoders validate the model before they return Ok.
    decode(&mut slot.model, bytes)?;
    // The decoder split these bytes successfully just now; split again for the framing.
    let parts = artifact::split(bytes)?;
    slot.artifact = ArtifactInfo {
        version: parts.header.version,
        signed: parts.header.is_signed(),
        len: bytes.len(),
        crc32: parts.crc,
    };
    slot.tag = LOADED;
    // SAFETY: out checked above; caller's contract for one write.
    unsafe { out.write(dst.cast_const()) };
    Ok(())
}

/// Decodes and validates a model artifact (`.rsm` bytes) into caller storage: magic, format
/// version, flags, CRC-32, body, trailing bytes and every parameter are checked. A signed
/// artifact is accepted without checking its signature (use `radscore_model_load_verified`
/// to require one). On success `*model_out` = `storage` as a model handle; on failure nothing
/// is written to `*model_out` and the storage no longer holds a model (`MODEL_NOT_LOADED`).
///
/// `bytes` is only read during the call; the model keeps no pointer to it.
///
/// # Safety
/// `storage` valid for writes of `storage_len` bytes, `bytes` valid for reads of `len` bytes,
/// `model_out` valid for one write (each checked for NULL and alignment).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_load(
    storage: *mut c_void,
    storage_len: usize,
    bytes: *const u8,
    len: usize,
    model_out: *mut *const RadscoreModel,
) -> RadscoreStatus {
    // SAFETY: forwarded contract.
    boundary(|| unsafe {
        load(
            storage,
            storage_len,
            bytes,
            len,
            Model::decode_from,
            model_out,
        )
    })
}

/// Like `radscore_model_load`, but the artifact must carry a valid Ed25519 signature by the
/// holder of `public_key` (`RADSCORE_PUBLIC_KEY_LEN` = 32 bytes): an unsigned artifact is
/// `SIGNATURE_MISSING`, a wrong or damaged signature `BAD_SIGNATURE`.
///
/// # Safety
/// As `radscore_model_load`; `public_key` valid for reads of 32 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_load_verified(
    storage: *mut c_void,
    storage_len: usize,
    bytes: *const u8,
    len: usize,
    public_key: *const u8,
    model_out: *mut *const RadscoreModel,
) -> RadscoreStatus {
    boundary(|| {
        // SAFETY: caller's contract for 32 bytes at public_key.
        let key = unsafe { util::slice(public_key, RADSCORE_PUBLIC_KEY_LEN)? };
        let k = <[u8; RADSCORE_PUBLIC_KEY_LEN]>::try_from(key)
            .map_err(|_| RadscoreStatus::BadArgument)?;
        let verify = |m: &mut Model, b: &[u8]| m.decode_verified_from(b, &k);
        // SAFETY: forwarded contract.
        unsafe { load(storage, storage_len, bytes, len, verify, model_out) }
    })
}

/// Writes `value` to `*out` after checking the model handle.
///
/// # Safety
/// `model` as in [`model`], `out` valid for one write.
unsafe fn count(
    model_p: *const RadscoreModel,
    out: *mut usize,
    f: impl FnOnce(&Model) -> usize,
) -> RadscoreStatus {
    boundary(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { model(model_p)? };
        // SAFETY: forwarded contract.
        unsafe { util::write(out, f(m)) }
    })
}

/// Number of radiomics features of the model (the length of the feature array that
/// `radscore_extract` fills and `radscore_score` reads).
///
/// # Safety
/// `model` a handle from a load function; `count_out` valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_feature_count(
    model: *const RadscoreModel,
    count_out: *mut usize,
) -> RadscoreStatus {
    // SAFETY: forwarded contract.
    unsafe { count(model, count_out, |m| m.features.len()) }
}

/// Number of clinical predictors (the length of the clinical array `radscore_score` reads).
///
/// # Safety
/// As `radscore_model_feature_count`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_clinical_count(
    model: *const RadscoreModel,
    count_out: *mut usize,
) -> RadscoreStatus {
    // SAFETY: forwarded contract.
    unsafe { count(model, count_out, |m| m.clinical.len()) }
}

/// Number of nomogram predictors: 1 (the radscore) + the clinical predictors.
///
/// # Safety
/// As `radscore_model_feature_count`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_predictor_count(
    model: *const RadscoreModel,
    count_out: *mut usize,
) -> RadscoreStatus {
    // SAFETY: forwarded contract.
    unsafe { count(model, count_out, |m| m.clinical.len().saturating_add(1)) }
}

/// Distinct sequence names of the model's features, in order of first appearance.
pub(crate) fn sequences(m: &Model) -> impl Iterator<Item = &str> {
    m.features
        .iter()
        .enumerate()
        .filter(|(i, f)| {
            !m.features
                .iter()
                .take(*i)
                .any(|g| g.sequence.as_str() == f.sequence.as_str())
        })
        .map(|(_, f)| f.sequence.as_str())
}

/// Number of distinct sequences (images) the model's features come from; each needs one
/// `radscore_extract` call.
///
/// # Safety
/// As `radscore_model_feature_count`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_sequence_count(
    model: *const RadscoreModel,
    count_out: *mut usize,
) -> RadscoreStatus {
    // SAFETY: forwarded contract.
    unsafe { count(model, count_out, |m| sequences(m).count()) }
}

/// Shared body of the name queries.
///
/// # Safety
/// `model` a handle; `buf` valid for `buf_len` byte writes (or NULL with `buf_len` 0);
/// `len_out` valid for one write.
unsafe fn name_query<'a, D: core::fmt::Display>(
    model_p: *const RadscoreModel,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
    pick: impl FnOnce(&'a Model, usize) -> Option<D>,
) -> RadscoreStatus {
    boundary(|| {
        // SAFETY: forwarded contract.
        let m: &'a Model = unsafe { model(model_p)? };
        let what = pick(m, index).ok_or(RadscoreStatus::IndexOutOfRange)?;
        // SAFETY: forwarded contract.
        unsafe { util::write_name(what, buf, buf_len, len_out) }
    })
}

/// Name of sequence `index` (0-based, < `radscore_model_sequence_count`), e.g. `"t2"`: the
/// value to pass as `sequence` to the extraction functions.
///
/// Names are written NUL-terminated into `buf[0..buf_len]`; `*len_out` receives the length
/// without the NUL, also when the status is `OUTPUT_TOO_SMALL` (call with `buf = NULL,
/// buf_len = 0` to size the buffer).
///
/// # Safety
/// `model` a handle; `buf` valid for `buf_len` byte writes (or NULL with `buf_len` 0);
/// `len_out` valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_sequence_name(
    model: *const RadscoreModel,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> RadscoreStatus {
    // SAFETY: forwarded contract.
    unsafe {
        name_query(model, index, buf, buf_len, len_out, |m, i| {
            sequences(m).nth(i)
        })
    }
}

/// Column name of feature `index` (< `radscore_model_feature_count`):
/// `<sequence>_<PyRadiomics feature name>`, e.g. `"dwi_wavelet-LHL_glrlm_RunVariance"`.
/// Buffer conventions as `radscore_model_sequence_name`.
///
/// # Safety
/// As `radscore_model_sequence_name`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_feature_name(
    model: *const RadscoreModel,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> RadscoreStatus {
    // SAFETY: forwarded contract.
    unsafe {
        name_query(model, index, buf, buf_len, len_out, |m, i| {
            m.features
                .get(i)
                .map(radscore_core::model::FeatureRecipe::column)
        })
    }
}

/// Sequence of feature `index` (e.g. `"t2"`). Buffer conventions as
/// `radscore_model_sequence_name`.
///
/// # Safety
/// As `radscore_model_sequence_name`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_feature_sequence(
    model: *const RadscoreModel,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> RadscoreStatus {
    // SAFETY: forwarded contract.
    unsafe {
        name_query(model, index, buf, buf_len, len_out, |m, i| {
            m.features.get(i).map(|f| f.sequence.as_str())
        })
    }
}

/// Name of nomogram predictor `index` (< `radscore_model_predictor_count`): `"radscore"` for 0,
/// then the clinical predictors' names in model order (the order of the clinical array of
/// `radscore_score`: clinical value `j` is predictor `j + 1`). Buffer conventions as
/// `radscore_model_sequence_name`.
///
/// # Safety
/// As `radscore_model_sequence_name`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_predictor_name(
    model: *const RadscoreModel,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> RadscoreStatus {
    // SAFETY: forwarded contract.
    unsafe {
        name_query(model, index, buf, buf_len, len_out, |m, i| match i {
            0 => Some("radscore"),
            _ => m.clinical.get(i.checked_sub(1)?).map(|c| c.name.as_str()),
        })
    }
}

/// Unit of nomogram predictor `index` as stored in the model (`""` for the radscore and for
/// unitless predictors; e.g. `"mm3"`). Buffer conventions as `radscore_model_sequence_name`.
///
/// # Safety
/// As `radscore_model_sequence_name`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_predictor_unit(
    model: *const RadscoreModel,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> RadscoreStatus {
    // SAFETY: forwarded contract.
    unsafe {
        name_query(model, index, buf, buf_len, len_out, |m, i| match i {
            0 => Some(""),
            _ => m.clinical.get(i.checked_sub(1)?).map(|c| c.unit.as_str()),
        })
    }
}

/// Whether the core can compute feature `index` (< `radscore_model_feature_count`) from images:
/// writes 1 if it can (its PyRadiomics name is one this library's extraction knows), 0 if the
/// feature can only be scored from a features table (e.g. a GLCM feature). Decided from the
/// feature's name when asked, so a newer library computes features an older one could not,
/// without retraining. A model with any 0 here is refused by `radscore_scratch_len`,
/// `radscore_scratch_len_bound` and `radscore_extract` with `FEATURE_NOT_COMPUTABLE`;
/// `radscore_score` scores it from feature values the caller supplies.
/// `INDEX_OUT_OF_RANGE` for an index ≥ the feature count.
///
/// # Safety
/// `model` a handle; `computable_out` valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_feature_computable(
    model: *const RadscoreModel,
    index: usize,
    computable_out: *mut u32,
) -> RadscoreStatus {
    boundary(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { self::model(model)? };
        if index >= m.features.len() {
            return Err(RadscoreStatus::IndexOutOfRange);
        }
        // SAFETY: forwarded contract.
        unsafe { util::write(computable_out, u32::from(m.is_computable(index))) }
    })
}

/// Kind of nomogram predictor `index`: `RADSCORE_PREDICTOR_RADSCORE` (index 0),
/// `RADSCORE_PREDICTOR_CONTINUOUS` or `RADSCORE_PREDICTOR_BINARY` (value must be 0 or 1).
///
/// # Safety
/// `model` a handle; `kind_out` valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_predictor_kind(
    model: *const RadscoreModel,
    index: usize,
    kind_out: *mut u32,
) -> RadscoreStatus {
    boundary(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { self::model(model)? };
        let kind = match index {
            0 => RADSCORE_PREDICTOR_RADSCORE,
            _ => match index
                .checked_sub(1)
                .and_then(|j| m.clinical.get(j))
                .map(|c| c.kind)
            {
                Some(PredictorKind::Continuous) => RADSCORE_PREDICTOR_CONTINUOUS,
                Some(PredictorKind::Binary) => RADSCORE_PREDICTOR_BINARY,
                None => return Err(RadscoreStatus::IndexOutOfRange),
            },
        };
        // SAFETY: forwarded contract.
        unsafe { util::write(kind_out, kind) }
    })
}

/// Scores the nomogram: `features[0..n_features]` are the raw feature values in model order
/// (as filled by `radscore_extract`), `clinical[0..n_clinical]` the
/// raw clinical values in model order (`clinical` may be NULL when `n_clinical` is 0). Counts
/// must equal the model's (`FEATURE_COUNT_MISMATCH`, `CLINICAL_COUNT_MISMATCH`); every value
/// must be finite (`NON_FINITE_INPUT`) and binary predictors 0 or 1 (`NON_BINARY_INPUT`).
/// Writes `*score_out` on success only.
///
/// # Safety
/// `model` a handle; the arrays valid for reads of their lengths; `score_out` valid for one
/// write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_score(
    model: *const RadscoreModel,
    features: *const f64,
    n_features: usize,
    clinical: *const f64,
    n_clinical: usize,
    score_out: *mut RadscoreScore,
) -> RadscoreStatus {
    boundary(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { self::model(model)? };
        util::check_ptr(score_out)?;
        // SAFETY: forwarded contract.
        let f = unsafe { util::slice(features, n_features)? };
        // SAFETY: forwarded contract.
        let c = unsafe { util::slice_or_empty(clinical, n_clinical)? };
        let s = m.score(f, c)?;
        let mut points = [0.0; RADSCORE_MAX_PREDICTORS];
        for (d, p) in points.iter_mut().zip(s.points()) {
            *d = *p;
        }
        let out = RadscoreScore {
            radscore: s.radscore,
            linear_predictor: s.linear_predictor,
            probability: s.probability,
            total_points: s.total_points,
            points,
            n_points: s.points().len(),
            predicted_class: u32::from(s.predicted_class),
        };
        // SAFETY: forwarded contract.
        unsafe { util::write(score_out, out) }
    })
}
