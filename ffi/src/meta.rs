//! Audit getters: what `radscore inspect` shows about a model, for a console to log with each
//! result (model id, artifact CRC-32 and format, creation date, training and test cohorts and
//! AUCs, threshold, and every feature's recipe as text). Numbers come in versioned structs,
//! text through the name-buffer convention (`*len_out` also on `OUTPUT_TOO_SMALL`).

use crate::model::{handle, sequences, RadscoreModel};
use crate::status::RadscoreStatus;
use crate::util::{self, boundary, Res};
use core::ffi::c_char;
use core::fmt;
use radscore_core::model::{FeatureRecipe, Model, PredictorKind};

/// Numbers describing a loaded model and the artifact it came from (`radscore_model_info`).
/// Versioned: set `struct_size = sizeof(RadscoreModelInfo)` before the call; later versions
/// only append fields.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct RadscoreModelInfo {
    /// `sizeof(RadscoreModelInfo)`, set by the caller.
    pub struct_size: usize,
    /// Artifact format version (from its header).
    pub format_version: u32,
    /// 1 if the artifact carries an Ed25519 signature (verified only by
    /// `radscore_model_load_verified`), else 0.
    pub signed_artifact: u32,
    /// CRC-32 (IEEE) stored in the artifact and checked at load, as `radscore inspect`
    /// prints it (`%08x`): identifies the exact file.
    pub crc32: u32,
    /// Length of the artifact in bytes.
    pub artifact_bytes: usize,
    /// Creation time, seconds since 1970-01-01T00:00:00Z (`radscore_model_created` formats it).
    pub created_unix: u64,
    /// Training-set size.
    pub n_train: u32,
    /// Positives in the training set.
    pub n_positive_train: u32,
    /// Test-set size.
    pub n_test: u32,
    /// Positives in the test set.
    pub n_positive_test: u32,
    /// AUC of the combined model on the training set, in [0, 1], or -1 if unknown.
    pub auc_train: f64,
    /// AUC of the combined model on the test set, in [0, 1], or -1 if unknown.
    pub auc_test: f64,
    /// Decision threshold: class 1 iff probability >= threshold.
    pub threshold: f64,
    /// Number of radiomics features.
    pub n_features: usize,
    /// Number of clinical predictors.
    pub n_clinical: usize,
    /// Number of distinct sequences (one extraction call each).
    pub n_sequences: usize,
    /// Number of features the library can compute from images (the others are scored from a
    /// features table only).
    pub n_computable: usize,
    /// Intercept of the radscore.
    pub radscore_intercept: f64,
    /// Intercept of the combined logistic model.
    pub combined_intercept: f64,
    /// Combined-logistic coefficient on the radscore.
    pub radscore_coefficient: f64,
    /// Nomogram points per unit of linear predictor.
    pub points_per_unit: f64,
}

/// Numbers of one feature's recipe (`radscore_model_feature_info`). Versioned as
/// [`RadscoreModelInfo`].
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct RadscoreFeatureInfo {
    /// `sizeof(RadscoreFeatureInfo)`, set by the caller.
    pub struct_size: usize,
    /// Fixed bin width of the discretisation (PyRadiomics `binWidth`).
    pub bin_width: f64,
    /// Mask label of the lesion the feature was trained on (PyRadiomics `label`).
    pub label: u32,
    /// 1 if this library computes the feature from images, 0 if it can only be scored.
    pub computable: u32,
    /// z-score mean over the training rows.
    pub mean: f64,
    /// z-score standard deviation over the training rows.
    pub sd: f64,
    /// LASSO coefficient on the z-score.
    pub coefficient: f64,
}

/// Checks `p->struct_size` (read before anything is written) and writes `v`.
///
/// # Safety
/// `p` valid for reads and writes of one `T` whose first field is a `size_t` struct size.
unsafe fn write_sized<T>(p: *mut T, v: T) -> Res<()> {
    util::check_ptr(p)?;
    // SAFETY: non-NULL and aligned (checked); every versioned struct starts with `size_t
    // struct_size` (repr(C)), which the caller set.
    let size = unsafe { p.cast::<usize>().read() };
    if size != core::mem::size_of::<T>() {
        return Err(RadscoreStatus::BadArgument);
    }
    // SAFETY: forwarded contract.
    unsafe { util::write(p, v) }
}

/// Fills `*info_out` with the model's numbers: artifact format, signature flag, CRC-32 and
/// length, creation time, cohort sizes, AUCs, threshold, counts, intercepts and nomogram scale.
/// `info_out->struct_size` must be `sizeof(RadscoreModelInfo)` (`BAD_ARGUMENT` otherwise,
/// nothing written).
///
/// # Safety
/// `model` a handle; `info_out` valid for reads and writes of one `RadscoreModelInfo`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_info(
    model: *const RadscoreModel,
    info_out: *mut RadscoreModelInfo,
) -> RadscoreStatus {
    boundary(|| {
        // SAFETY: forwarded contract.
        let h = unsafe { handle(model)? };
        let (m, a) = (h.model(), h.artifact);
        let info = RadscoreModelInfo {
            struct_size: core::mem::size_of::<RadscoreModelInfo>(),
            format_version: u32::from(a.version),
            signed_artifact: u32::from(a.signed),
            crc32: a.crc32,
            artifact_bytes: a.len,
            created_unix: m.meta.created_unix,
            n_train: m.meta.n_train,
            n_positive_train: m.meta.n_positive_train,
            n_test: m.meta.n_test,
            n_positive_test: m.meta.n_positive_test,
            auc_train: m.meta.auc_train,
            auc_test: m.meta.auc_test,
            threshold: m.threshold,
            n_features: m.features.len(),
            n_clinical: m.clinical.len(),
            n_sequences: sequences(m).count(),
            n_computable: (0..m.features.len())
                .filter(|&i| m.is_computable(i))
                .count(),
            radscore_intercept: m.radscore_intercept,
            combined_intercept: m.combined_intercept,
            radscore_coefficient: m.radscore_coefficient,
            points_per_unit: m.points_per_unit,
        };
        // SAFETY: forwarded contract.
        unsafe { write_sized(info_out, info) }
    })
}

/// Fills `*info_out` with the numbers of feature `index` (< feature count, else
/// `INDEX_OUT_OF_RANGE`): bin width, label, computability, z-score mean and sd, coefficient.
/// `info_out->struct_size` must be `sizeof(RadscoreFeatureInfo)` (`BAD_ARGUMENT`).
///
/// # Safety
/// `model` a handle; `info_out` valid for reads and writes of one `RadscoreFeatureInfo`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_feature_info(
    model: *const RadscoreModel,
    index: usize,
    info_out: *mut RadscoreFeatureInfo,
) -> RadscoreStatus {
    boundary(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { handle(model)? }.model();
        let f = m
            .features
            .get(index)
            .ok_or(RadscoreStatus::IndexOutOfRange)?;
        let info = RadscoreFeatureInfo {
            struct_size: core::mem::size_of::<RadscoreFeatureInfo>(),
            bin_width: f.bin_width,
            label: f.label,
            computable: u32::from(m.is_computable(index)),
            mean: f.mean,
            sd: f.sd,
            coefficient: f.coefficient,
        };
        // SAFETY: forwarded contract.
        unsafe { write_sized(info_out, info) }
    })
}

/// Shared body of the model-level text getters.
///
/// # Safety
/// As [`util::write_name`]; `model` a handle.
unsafe fn text_query<'a, D: fmt::Display>(
    model: *const RadscoreModel,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
    pick: impl FnOnce(&'a RadscoreModel) -> D,
) -> RadscoreStatus {
    boundary(|| {
        // SAFETY: forwarded contract.
        let h: &'a RadscoreModel = unsafe { handle(model)? };
        // SAFETY: forwarded contract.
        unsafe { util::write_name(pick(h), buf, buf_len, len_out) }
    })
}

/// The model identifier stored by the trainer (free text, at most 64 bytes), e.g.
/// `"her2-low-nomogram-2026-12"`. Buffer convention as `radscore_model_sequence_name`
/// (`*len_out` is the length without the NUL, also on `OUTPUT_TOO_SMALL`).
///
/// # Safety
/// `model` a handle; `buf` valid for `buf_len` byte writes (or NULL with `buf_len` 0);
/// `len_out` valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_id(
    model: *const RadscoreModel,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> RadscoreStatus {
    // SAFETY: forwarded contract.
    unsafe {
        text_query(model, buf, buf_len, len_out, |h| {
            h.model().meta.model_id.as_str()
        })
    }
}

/// The version of the trainer that produced the model, e.g. `"0.1.0"`. Buffer convention as
/// `radscore_model_id`.
///
/// # Safety
/// As `radscore_model_id`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_trainer_version(
    model: *const RadscoreModel,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> RadscoreStatus {
    // SAFETY: forwarded contract.
    unsafe {
        text_query(model, buf, buf_len, len_out, |h| {
            h.model().meta.trainer_version.as_str()
        })
    }
}

/// A Unix time as ISO 8601 UTC, `YYYY-MM-DDThh:mm:ssZ` (proleptic Gregorian calendar; years past
/// 9999 get more digits).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Iso8601(pub(crate) u64);

impl fmt::Display for Iso8601 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0 % 86_400;
        // Days since 0000-03-01 (a year starting in March puts the leap day last); the 400-year
        // era has 146 097 days. No step can overflow: days < 2^64 / 86 400.
        let z = self.0 / 86_400 + 719_468;
        let era = z / 146_097;
        let doe = z % 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = era * 400 + yoe + u64::from(month <= 2);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            secs / 3_600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// The model's creation time as ISO 8601 UTC, e.g. `"2026-12-04T18:14:22Z"` (from
/// `RadscoreModelInfo::created_unix`). Buffer convention as `radscore_model_id`.
///
/// # Safety
/// As `radscore_model_id`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_created(
    model: *const RadscoreModel,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> RadscoreStatus {
    // SAFETY: forwarded contract.
    unsafe {
        text_query(model, buf, buf_len, len_out, |h| {
            Iso8601(h.model().meta.created_unix)
        })
    }
}

/// One feature's recipe as text ([`radscore_model_feature_recipe`]).
/// The flag is [`radscore_core::model::Model::is_computable`] (which needs the model: shape2D
/// depends on the feature's settings).
pub(crate) struct Recipe<'a>(pub(crate) &'a FeatureRecipe, pub(crate) bool);

impl fmt::Display for Recipe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.0;
        write!(
            f,
            "sequence={} feature={} binWidth={} label={} source={}",
            r.sequence,
            r.name,
            r.bin_width,
            r.label,
            if self.1 { "images" } else { "features-table" }
        )
    }
}

/// Feature `index`'s recipe as one line of text: what is computed from which image and with
/// which PyRadiomics settings, e.g.
/// `"sequence=t2 feature=wavelet-LHL_glrlm_RunVariance binWidth=25 label=1 source=images"`.
/// `sequence` is what to pass to the extraction (empty for a column without a sequence),
/// `feature` the PyRadiomics 3.0.1 name (image type, class, feature), `binWidth` and `label`
/// the PyRadiomics settings stored with it (every other setting is PyRadiomics' default), and
/// `source` `images` (this library computes it) or `features-table` (scored from values
/// computed elsewhere). Numbers are printed in the shortest form that reads back to the same
/// double. `INDEX_OUT_OF_RANGE` for an index ≥ the feature count; buffer convention as
/// `radscore_model_id`.
///
/// # Safety
/// As `radscore_model_id`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_feature_recipe(
    model: *const RadscoreModel,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> RadscoreStatus {
    boundary(|| {
        // SAFETY: forwarded contract.
        let m = unsafe { handle(model)? }.model();
        let f = m
            .features
            .get(index)
            .ok_or(RadscoreStatus::IndexOutOfRange)?;
        // SAFETY: forwarded contract.
        unsafe { util::write_name(Recipe(f, m.is_computable(index)), buf, buf_len, len_out) }
    })
}

/// An AUC, or `unknown` for the trainer's -1.
struct Auc(f64);

impl fmt::Display for Auc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 0.0 {
            f.write_str("unknown")
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// The whole audit text of a model ([`radscore_model_describe`]).
struct Describe<'a>(&'a RadscoreModel);

impl fmt::Display for Describe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (m, a): (&Model, _) = (self.0.model(), self.0.artifact);
        let meta = &m.meta;
        writeln!(f, "model_id={}", meta.model_id)?;
        writeln!(
            f,
            "artifact format={} bytes={} crc32={:08x} signed={}",
            a.version,
            a.len,
            a.crc32,
            if a.signed { "yes" } else { "no" }
        )?;
        writeln!(
            f,
            "created={} trainer={}",
            Iso8601(meta.created_unix),
            meta.trainer_version
        )?;
        writeln!(
            f,
            "cohort train={} train_positive={} test={} test_positive={} auc_train={} auc_test={}",
            meta.n_train,
            meta.n_positive_train,
            meta.n_test,
            meta.n_positive_test,
            Auc(meta.auc_train),
            Auc(meta.auc_test)
        )?;
        writeln!(
            f,
            "radscore intercept={} features={}",
            m.radscore_intercept,
            m.features.len()
        )?;
        for (i, r) in m.features.iter().enumerate() {
            writeln!(
                f,
                "feature {i} {} mean={} sd={} coefficient={}",
                Recipe(r, m.is_computable(i)),
                r.mean,
                r.sd,
                r.coefficient
            )?;
        }
        writeln!(
            f,
            "combined intercept={} radscore_coefficient={} threshold={} points_per_unit={}",
            m.combined_intercept, m.radscore_coefficient, m.threshold, m.points_per_unit
        )?;
        for c in &m.clinical {
            writeln!(
                f,
                "clinical {} kind={} unit={} coefficient={} axis={},{}",
                c.name,
                match c.kind {
                    PredictorKind::Continuous => "continuous",
                    PredictorKind::Binary => "binary",
                },
                c.unit,
                c.coefficient,
                c.axis_min,
                c.axis_max
            )?;
        }
        Ok(())
    }
}

/// Everything above as one text for an audit log, one `key=value` record per line (each line
/// ends with `\n`):
///
/// ```text
/// model_id=<id>
/// artifact format=<n> bytes=<n> crc32=<8 hex digits> signed=<yes|no>
/// created=<ISO 8601 UTC> trainer=<version>
/// cohort train=<n> train_positive=<n> test=<n> test_positive=<n> auc_train=<x|unknown> auc_test=<x|unknown>
/// radscore intercept=<x> features=<n>
/// feature <i> <recipe as radscore_model_feature_recipe> mean=<x> sd=<x> coefficient=<x>   (one per feature)
/// combined intercept=<x> radscore_coefficient=<x> threshold=<x> points_per_unit=<x>
/// clinical <name> kind=<continuous|binary> unit=<unit> coefficient=<x> axis=<lo>,<hi>    (one per predictor)
/// ```
///
/// Numbers are the shortest decimals that read back to the same doubles. The text grows with
/// the model (about 200 bytes per feature): size the buffer with a first call (`buf = NULL,
/// buf_len = 0`), as for the names.
///
/// # Safety
/// As `radscore_model_id`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_model_describe(
    model: *const RadscoreModel,
    buf: *mut c_char,
    buf_len: usize,
    len_out: *mut usize,
) -> RadscoreStatus {
    // SAFETY: forwarded contract.
    unsafe { text_query(model, buf, buf_len, len_out, Describe) }
}

#[cfg(test)]
mod tests {
    use super::*;

    extern crate std;
    use std::string::ToString;

    /// Reference strings from GNU `date -u -d @N +%Y-%m-%dT%H:%M:%SZ`.
    #[test]
    fn unix_times_format_as_gnu_date_does() {
        for (t, want) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_764_872_062, "2025-12-04T18:14:22Z"),
            (4_102_444_799, "2099-12-31T23:59:59Z"),
            (253_402_300_799, "9999-12-31T23:59:59Z"),
        ] {
            assert_eq!(Iso8601(t).to_string(), want);
        }
        // The largest value formats without overflow.
        assert!(Iso8601(u64::MAX).to_string().ends_with('Z'));
    }
}
