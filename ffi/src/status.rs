//! Status codes of the C ABI and their static messages.

use radscore_core::Error;

/// Status of every entry point. 0 is success; other values mirror `radscore_core::Error` codes
/// (100–599) or are FFI-only (900–999).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum RadscoreStatus {
    /// Success.
    Ok = 0,
    /// Artifact: bad magic bytes.
    BadMagic = 100,
    /// Artifact: format version not supported.
    UnsupportedVersion = 101,
    /// Artifact: truncated.
    Truncated = 102,
    /// Artifact: CRC-32 mismatch.
    BadCrc = 103,
    /// Artifact: trailing bytes after the body.
    TrailingBytes = 104,
    /// Artifact: malformed body.
    MalformedBody = 105,
    /// Artifact: a count exceeds the core's capacity.
    CapacityExceeded = 106,
    /// Artifact: a parameter is NaN or infinite.
    NonFiniteParameter = 107,
    /// Artifact: a z-score sd is not > 0.
    NonPositiveSd = 108,
    /// Artifact: inconsistent model.
    InconsistentModel = 109,
    /// Artifact: signature malformed or not valid for the given public key.
    BadSignature = 110,
    /// Artifact: encoder output buffer too small.
    BufferTooSmall = 111,
    /// Artifact: header flags this core does not understand.
    UnsupportedFlags = 112,
    /// Artifact: a signature is required but the artifact is unsigned.
    SignatureMissing = 113,
    /// Artifact: signature verification is not built into this library.
    SignatureUnsupported = 114,
    /// Input: a feature or clinical value is NaN or infinite.
    NonFiniteInput = 200,
    /// Input: feature count differs from the model's.
    FeatureCountMismatch = 201,
    /// Input: clinical count differs from the model's.
    ClinicalCountMismatch = 202,
    /// Input: index out of range.
    IndexOutOfRange = 203,
    /// Input: a binary clinical value is neither 0 nor 1.
    NonBinaryInput = 204,
    /// Score: the radscore or linear predictor is not finite (inputs far outside the model's range).
    NonFiniteScore = 205,
    /// Image: a dimension is zero or the voxel count overflows.
    BadDimensions = 300,
    /// Image: spacing not finite and > 0.
    BadSpacing = 301,
    /// Image: buffer length differs from the dims product.
    ImageLengthMismatch = 302,
    /// Mask: size differs from the image's.
    MaskSizeMismatch = 303,
    /// Mask: label not present.
    LabelNotPresent = 304,
    /// Mask: ROI spans > 1 voxel in fewer than 2 dimensions.
    RoiTooFewDimensions = 305,
    /// Mask: ROI is a single voxel.
    RoiSingleVoxel = 306,
    /// Image: too small for the requested filter.
    ImageTooSmallForFilter = 307,
    /// Image: a voxel is NaN or infinite.
    NonFiniteVoxel = 308,
    /// Filter: invalid parameter.
    BadFilterParameter = 309,
    /// Mask: same dims as the image but another spacing, origin or direction (beyond 1e-6).
    GeometryMismatch = 310,
    /// Image: every voxel is 0, so the exponential, square and logarithm image types are
    /// undefined (PyRadiomics fails on such an image too).
    AllZeroImage = 311,
    /// Mask: the ROI has no more voxels than minimumROISize.
    RoiTooSmall = 313,
    /// Mask: resegmentation left fewer than 2 ROI voxels.
    ResegmentedTooFew = 314,
    /// Mask: shape2D where PyRadiomics does not compute it (force2D off, or an ROI more than one
    /// slice thick along force2Ddimension).
    Shape2dNotApplicable = 315,
    /// Name: not a PyRadiomics feature name.
    UnknownFeatureName = 400,
    /// Name: feature not supported by this core.
    UnsupportedFeature = 401,
    /// Recipe: bin width not finite and > 0.
    BadBinWidth = 402,
    /// Name: empty, too long, or not valid UTF-8 (a sequence name from C, say).
    BadName = 403,
    /// Model: a feature cannot be computed from images by this core (it can only be scored
    /// from a features table); extraction refuses the model before reading the images.
    FeatureNotComputable = 404,
    /// Binning: more bins or gray levels than the core counts exactly (a bin width far below
    /// the ROI's intensity range, or an extreme voxel value).
    TooManyBins = 405,
    /// Settings: a setting's value is outside its valid range.
    BadSetting = 406,
    /// Settings: a setting value this core does not implement.
    UnsupportedSetting = 407,
    /// Memory: scratch buffer too small.
    ScratchTooSmall = 500,
    /// Memory: output buffer too small.
    OutputTooSmall = 501,
    /// Memory: size computation overflowed.
    SizeOverflow = 502,
    /// FFI: a required pointer argument is NULL.
    NullPointer = 900,
    /// FFI: caller storage is not aligned as required.
    Misaligned = 901,
    /// FFI: a type tag or other argument has an unknown or invalid value.
    BadArgument = 902,
    /// FFI: the sequence name matches none of the model's features.
    UnknownSequence = 903,
    /// FFI: the model handle does not point to a loaded model (storage never loaded, or its
    /// last load failed).
    ModelNotLoaded = 904,
    /// FFI: an internal panic was caught (a bug; please report).
    Panic = 999,
}

impl RadscoreStatus {
    /// Every status, in code order.
    pub const ALL: &'static [RadscoreStatus] = &[
        RadscoreStatus::Ok,
        RadscoreStatus::BadMagic,
        RadscoreStatus::UnsupportedVersion,
        RadscoreStatus::Truncated,
        RadscoreStatus::BadCrc,
        RadscoreStatus::TrailingBytes,
        RadscoreStatus::MalformedBody,
        RadscoreStatus::CapacityExceeded,
        RadscoreStatus::NonFiniteParameter,
        RadscoreStatus::NonPositiveSd,
        RadscoreStatus::InconsistentModel,
        RadscoreStatus::BadSignature,
        RadscoreStatus::BufferTooSmall,
        RadscoreStatus::UnsupportedFlags,
        RadscoreStatus::SignatureMissing,
        RadscoreStatus::SignatureUnsupported,
        RadscoreStatus::NonFiniteInput,
        RadscoreStatus::FeatureCountMismatch,
        RadscoreStatus::ClinicalCountMismatch,
        RadscoreStatus::IndexOutOfRange,
        RadscoreStatus::NonBinaryInput,
        RadscoreStatus::NonFiniteScore,
        RadscoreStatus::BadDimensions,
        RadscoreStatus::BadSpacing,
        RadscoreStatus::ImageLengthMismatch,
        RadscoreStatus::MaskSizeMismatch,
        RadscoreStatus::LabelNotPresent,
        RadscoreStatus::RoiTooFewDimensions,
        RadscoreStatus::RoiSingleVoxel,
        RadscoreStatus::ImageTooSmallForFilter,
        RadscoreStatus::NonFiniteVoxel,
        RadscoreStatus::BadFilterParameter,
        RadscoreStatus::GeometryMismatch,
        RadscoreStatus::AllZeroImage,
        RadscoreStatus::RoiTooSmall,
        RadscoreStatus::ResegmentedTooFew,
        RadscoreStatus::Shape2dNotApplicable,
        RadscoreStatus::UnknownFeatureName,
        RadscoreStatus::UnsupportedFeature,
        RadscoreStatus::BadBinWidth,
        RadscoreStatus::BadName,
        RadscoreStatus::FeatureNotComputable,
        RadscoreStatus::TooManyBins,
        RadscoreStatus::BadSetting,
        RadscoreStatus::UnsupportedSetting,
        RadscoreStatus::ScratchTooSmall,
        RadscoreStatus::OutputTooSmall,
        RadscoreStatus::SizeOverflow,
        RadscoreStatus::NullPointer,
        RadscoreStatus::Misaligned,
        RadscoreStatus::BadArgument,
        RadscoreStatus::UnknownSequence,
        RadscoreStatus::ModelNotLoaded,
        RadscoreStatus::Panic,
    ];

    /// The status for a core error (same numeric code). A core code without a status here
    /// (a newer core) maps to `BadArgument` rather than to an invalid enum value.
    pub fn from_error(e: Error) -> RadscoreStatus {
        RadscoreStatus::from_code(e.code()).unwrap_or(RadscoreStatus::BadArgument)
    }

    /// The status with this numeric code, if any.
    pub fn from_code(code: u32) -> Option<RadscoreStatus> {
        RadscoreStatus::ALL
            .iter()
            .copied()
            .find(|s| *s as u32 == code)
    }

    /// Static NUL-terminated message: what was expected and what was found.
    pub fn message(self) -> &'static core::ffi::CStr {
        match self {
            RadscoreStatus::Ok => c"ok",
            RadscoreStatus::NullPointer => c"ffi: a required pointer argument is NULL",
            RadscoreStatus::Misaligned => {
                c"ffi: a pointer is not aligned for its type (model storage: radscore_model_align())"
            }
            RadscoreStatus::BadArgument => {
                c"ffi: a type tag or other argument has an unknown or invalid value"
            }
            RadscoreStatus::UnknownSequence => {
                c"ffi: the sequence name matches none of the model's features"
            }
            RadscoreStatus::ModelNotLoaded => {
                c"ffi: the model handle does not point to a successfully loaded model"
            }
            RadscoreStatus::Panic => c"ffi: internal panic caught at the C boundary (a bug)",
            other => core_message(other as u32),
        }
    }
}

impl From<Error> for RadscoreStatus {
    fn from(e: Error) -> Self {
        RadscoreStatus::from_error(e)
    }
}

/// NUL-terminated copies of the core's messages, looked up by code.
fn core_message(code: u32) -> &'static core::ffi::CStr {
    match Error::from_code(code) {
        Some(e) => cstr_msg(e),
        None => c"unknown status code",
    }
}

/// The core's `&'static str` message as a static C string: each message is copied at compile
/// time into a NUL-terminated array of exactly its length + 1.
fn cstr_msg(e: Error) -> &'static core::ffi::CStr {
    // Only ever evaluated at compile time (static initialisers): an out-of-range index would be
    // a compile error, never a run-time panic.
    #[allow(clippy::indexing_slicing)]
    const fn build<const N: usize>(s: &str) -> [u8; N] {
        let b = s.as_bytes();
        let mut out = [0u8; N];
        let mut i = 0;
        while i < b.len() && i + 1 < N {
            out[i] = b[i];
            i += 1;
        }
        out
    }
    macro_rules! table {
        ($($v:ident),* $(,)?) => {
            match e {
                $(Error::$v => {
                    const M: &str = Error::$v.message();
                    const N: usize = M.len() + 1;
                    static B: [u8; N] = build::<N>(M);
                    match core::ffi::CStr::from_bytes_until_nul(&B) {
                        Ok(c) => c,
                        Err(_) => c"unknown status code",
                    }
                })*
                _ => c"unknown status code",
            }
        };
    }
    table!(
        BadMagic,
        UnsupportedVersion,
        Truncated,
        BadCrc,
        TrailingBytes,
        MalformedBody,
        CapacityExceeded,
        NonFiniteParameter,
        NonPositiveSd,
        InconsistentModel,
        BadSignature,
        BufferTooSmall,
        UnsupportedFlags,
        SignatureMissing,
        SignatureUnsupported,
        NonFiniteInput,
        FeatureCountMismatch,
        ClinicalCountMismatch,
        IndexOutOfRange,
        NonBinaryInput,
        NonFiniteScore,
        BadDimensions,
        BadSpacing,
        ImageLengthMismatch,
        MaskSizeMismatch,
        LabelNotPresent,
        RoiTooFewDimensions,
        RoiSingleVoxel,
        ImageTooSmallForFilter,
        NonFiniteVoxel,
        BadFilterParameter,
        GeometryMismatch,
        AllZeroImage,
        RoiTooSmall,
        ResegmentedTooFew,
        Shape2dNotApplicable,
        UnknownFeatureName,
        UnsupportedFeature,
        BadBinWidth,
        BadName,
        FeatureNotComputable,
        TooManyBins,
        BadSetting,
        UnsupportedSetting,
        ScratchTooSmall,
        OutputTooSmall,
        SizeOverflow,
    )
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn every_core_error_has_a_status_with_the_same_code_and_message() {
        for e in Error::ALL {
            let s = RadscoreStatus::from_error(*e);
            assert_eq!(s as u32, e.code(), "{e:?}");
            assert_eq!(s.message().to_str().ok(), Some(e.message()), "{e:?}");
        }
        assert_eq!(RadscoreStatus::ALL.len(), Error::ALL.len() + 7);
        for w in RadscoreStatus::ALL.windows(2) {
            assert!((w[0] as u32) < (w[1] as u32));
        }
        for s in RadscoreStatus::ALL {
            assert_ne!(s.message().to_bytes(), b"unknown status code", "{s:?}");
        }
    }
}
