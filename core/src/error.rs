//! The one error type of the core, with stable numeric codes shared with the C ABI.
//!
//! Codes are grouped by origin and never reused:
//!
//! | range | origin |
//! |---|---|
//! | 100–199 | model artifact decoding and validation |
//! | 200–299 | scoring inputs |
//! | 300–399 | images, masks and the ROI |
//! | 400–499 | feature names and recipes |
//! | 500–599 | caller-supplied memory (scratch, output buffers) |

use core::fmt;

/// Every failure of the core. `#[repr(u32)]`: the discriminant is the stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
#[non_exhaustive]
pub enum Error {
    // ---- 100–199: artifact ----
    /// The artifact does not start with the magic bytes `RSM1`.
    BadMagic = 100,
    /// The artifact's format version is not one this core reads.
    UnsupportedVersion = 101,
    /// The artifact ends before its header, body or CRC is complete.
    Truncated = 102,
    /// The CRC-32 stored in the artifact does not match its contents.
    BadCrc = 103,
    /// Bytes follow the end of the artifact body.
    TrailingBytes = 104,
    /// The body could not be decoded (malformed postcard data).
    MalformedBody = 105,
    /// A count in the artifact exceeds the core's fixed capacities.
    CapacityExceeded = 106,
    /// A model parameter is NaN or infinite.
    NonFiniteParameter = 107,
    /// A z-score standard deviation is zero or negative.
    NonPositiveSd = 108,
    /// The model is internally inconsistent (e.g. nomogram scale count differs from predictors).
    InconsistentModel = 109,
    /// The signature trailer is malformed, or the signature does not verify.
    BadSignature = 110,
    /// The encoder's output buffer is too small.
    BufferTooSmall = 111,
    /// The artifact's header sets flag bits this core does not know.
    UnsupportedFlags = 112,
    /// A signature was required but the artifact is unsigned.
    SignatureMissing = 113,
    /// Signature verification was requested but the core was built without the `signature` feature.
    SignatureUnsupported = 114,

    // ---- 200–299: scoring inputs ----
    /// A feature or clinical input is NaN or infinite.
    NonFiniteInput = 200,
    /// The number of feature values differs from the model's feature count.
    FeatureCountMismatch = 201,
    /// The number of clinical values differs from the model's clinical predictor count.
    ClinicalCountMismatch = 202,
    /// An index (feature or predictor) is out of range.
    IndexOutOfRange = 203,
    /// A binary clinical predictor's value is neither 0 nor 1.
    NonBinaryInput = 204,
    /// The radscore or the linear predictor is NaN or infinite although every input is finite
    /// (features so far outside the training range that the sums overflow).
    NonFiniteScore = 205,

    // ---- 300–399: images, masks, ROI ----
    /// A dimension is zero, or the product of the dimensions overflows.
    BadDimensions = 300,
    /// A spacing is zero, negative, NaN or infinite.
    BadSpacing = 301,
    /// The voxel buffer length differs from the product of the dimensions.
    ImageLengthMismatch = 302,
    /// The mask's size differs from the image's.
    MaskSizeMismatch = 303,
    /// The label value does not occur in the mask.
    LabelNotPresent = 304,
    /// The ROI bounding box has extent > 1 in fewer than `minimumROIDimensions` (default 2)
    /// dimensions.
    RoiTooFewDimensions = 305,
    /// The ROI is a single voxel.
    RoiSingleVoxel = 306,
    /// The image is too small for the requested filter (e.g. LoG size checks).
    ImageTooSmallForFilter = 307,
    /// A voxel of the image is NaN or infinite.
    NonFiniteVoxel = 308,
    /// The filter parameter is invalid (e.g. LoG sigma not positive).
    BadFilterParameter = 309,
    /// The mask lies on another grid than the image: same dimensions, but spacing, origin or
    /// direction differ beyond the tolerance of [`crate::geometry::check_same_grid`] (ITK's and
    /// PyRadiomics' default `geometryTolerance` semantics).
    GeometryMismatch = 310,
    /// Every voxel of the image is 0: the exponential, square and logarithm image types scale by
    /// the image's max |x| and are undefined (PyRadiomics 3.0.1 computes a NaN image and its
    /// extraction fails with a `ValueError` in the binning).
    AllZeroImage = 311,
    /// The ROI has no more voxels than `minimumROISize` (PyRadiomics: "Size of the ROI is too
    /// small").
    RoiTooSmall = 313,
    /// Resegmentation (`resegmentRange`) left fewer than 2 ROI voxels (PyRadiomics:
    /// "Resegmentation excluded too many voxels").
    ResegmentedTooFew = 314,
    /// shape2D was requested where PyRadiomics 3.0.1 does not compute it: `force2D` off, an ROI
    /// more than one slice thick along `force2Ddimension` (PyRadiomics: "Size of the mask in
    /// dimension %i is more than 1, cannot compute 2D shape"), or its inverted pre-check (ROI
    /// extent 1 along image axis `force2Ddimension`, x for 0) skipping the class.
    Shape2dNotApplicable = 315,

    // ---- 400–499: names and recipes ----
    /// A feature name could not be parsed as a PyRadiomics name.
    UnknownFeatureName = 400,
    /// The name parses, but the core cannot compute it (image type or class not implemented).
    UnsupportedFeature = 401,
    /// A bin width is zero, negative or non-finite.
    BadBinWidth = 402,
    /// A sequence or predictor name is empty or too long.
    BadName = 403,
    /// The model has a feature this core cannot compute from images (its name is not one the
    /// core's PyRadiomics parser knows, e.g. a GLCM feature, or it has no sequence): the model
    /// can only score a features table. Device extraction refuses it before touching images.
    FeatureNotComputable = 404,
    /// Discretisation gives more bins or gray levels than the core counts exactly: (ROI max −
    /// ROI min) / bin width of 2^52 or more, gray level × zone/run size keys of 2^53 or more, or
    /// GLCM on more distinct gray levels than the scratch was sized for. A bin width far below the
    /// ROI's intensity range (e.g. 1e-300) or an extreme voxel (e.g. 3e38) causes it.
    TooManyBins = 405,
    /// A setting's value is out of its range (e.g. `binCount` 0, a distance of 0, `force2Ddimension`
    /// 3, a negative `gldm_a`).
    BadSetting = 406,
    /// A setting PyRadiomics accepts but this core does not implement (yet) for this value.
    UnsupportedSetting = 407,

    // ---- 500–599: caller memory ----
    /// The scratch buffer is smaller than `scratch_bytes` says it must be.
    ScratchTooSmall = 500,
    /// An output buffer is too small.
    OutputTooSmall = 501,
    /// A size computation overflowed.
    SizeOverflow = 502,
}

impl Error {
    /// The stable numeric code (also the C ABI status value).
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// A static, human-readable message: what was expected and what was found.
    pub const fn message(self) -> &'static str {
        match self {
            Error::BadMagic => {
                "artifact: expected magic bytes \"RSM1\" at offset 0, found something else"
            }
            Error::UnsupportedVersion => "artifact: format version is not supported by this core",
            Error::Truncated => "artifact: ends before the header, body or CRC is complete",
            Error::BadCrc => "artifact: CRC-32 mismatch; the file is corrupted",
            Error::TrailingBytes => "artifact: unexpected bytes after the end of the body",
            Error::MalformedBody => "artifact: the body is not valid postcard data for a model",
            Error::CapacityExceeded => "artifact: a count exceeds the core's capacity",
            Error::NonFiniteParameter => "artifact: a model parameter is NaN or infinite",
            Error::NonPositiveSd => "artifact: a z-score standard deviation is not > 0",
            Error::InconsistentModel => "artifact: the model's parts are inconsistent",
            Error::BadSignature => {
                "artifact: signature malformed or not valid for the given public key"
            }
            Error::BufferTooSmall => {
                "artifact: the output buffer is too small for the encoded model"
            }
            Error::UnsupportedFlags => "artifact: header flags this core does not understand",
            Error::SignatureMissing => {
                "artifact: a signature is required but the artifact is unsigned"
            }
            Error::SignatureUnsupported => {
                "artifact: this build cannot verify signatures (core feature `signature` is off)"
            }
            Error::NonBinaryInput => "input: a binary clinical value is neither 0 nor 1",
            Error::NonFiniteScore => {
                "score: the radscore or linear predictor is not finite (inputs far outside the model's range)"
            }
            Error::NonFiniteInput => "input: a feature or clinical value is NaN or infinite",
            Error::FeatureCountMismatch => {
                "input: number of feature values differs from the model's"
            }
            Error::ClinicalCountMismatch => {
                "input: number of clinical values differs from the model's"
            }
            Error::IndexOutOfRange => "input: index out of range",
            Error::BadDimensions => "image: a dimension is zero or the voxel count overflows",
            Error::BadSpacing => "image: spacing must be finite and > 0",
            Error::ImageLengthMismatch => {
                "image: buffer length differs from dims[0]*dims[1]*dims[2]"
            }
            Error::MaskSizeMismatch => "mask: size differs from the image's",
            Error::LabelNotPresent => "mask: the label value does not occur in the mask",
            Error::RoiTooFewDimensions => {
                "mask: expected an ROI bounding box spanning > 1 voxel in at least minimumROIDimensions (default 2) dimensions, found fewer"
            }
            Error::RoiSingleVoxel => "mask: ROI is a single voxel",
            Error::ImageTooSmallForFilter => "image: too small for the requested filter",
            Error::NonFiniteVoxel => "image: a voxel is NaN or infinite",
            Error::BadFilterParameter => "filter: invalid parameter (e.g. LoG sigma must be > 0)",
            Error::GeometryMismatch => {
                "mask: expected the image's grid (spacing within 1e-6 relative, origin within 1e-6 of the smallest spacing, direction cosines within 1e-6), found another spacing, origin or direction"
            }
            Error::AllZeroImage => {
                "image: expected a non-zero voxel for the exponential, square and logarithm image types (they scale by max |x|), found an all-zero image (PyRadiomics 3.0.1 fails on it too)"
            }
            Error::RoiTooSmall => {
                "mask: expected more ROI voxels than minimumROISize, found as many or fewer"
            }
            Error::ResegmentedTooFew => {
                "mask: expected at least 2 ROI voxels inside resegmentRange, found 0 or 1 (resegmentation excluded too many voxels)"
            }
            Error::Shape2dNotApplicable => {
                "mask: shape2D needs force2D and an ROI one slice thick along force2Ddimension (numpy axis: 0 = z, 1 = y, 2 = x) and more than one voxel wide along image axis force2Ddimension (0 = x, 1 = y, 2 = z), as PyRadiomics 3.0.1 checks; found force2D off or another ROI extent (PyRadiomics: 'Size of the mask in dimension %i is more than 1, cannot compute 2D shape', or shape2D skipped)"
            }
            Error::UnknownFeatureName => "name: not a PyRadiomics feature name",
            Error::UnsupportedFeature => {
                "name: feature, class or image type not supported by this core"
            }
            Error::BadBinWidth => "recipe: bin width must be finite and > 0",
            Error::BadName => {
                "name: empty, too long, not valid UTF-8, or with characters a name cannot hold"
            }
            Error::FeatureNotComputable => {
                "model: a feature cannot be computed from images by this core (score it from a features table)"
            }
            Error::TooManyBins => {
                "binning: expected (max - min) / bin width below 2^52 bins (gray level x zone/run size below 2^53; GLCM: at most the gray levels its scratch was sized for, 4096 by scratch_len), found more: bin width far below the ROI's intensity range, or an extreme voxel value"
            }
            Error::BadSetting => "settings: a setting's value is outside its valid range",
            Error::UnsupportedSetting => {
                "settings: a setting value this core does not implement"
            }
            Error::ScratchTooSmall => {
                "memory: scratch buffer smaller than scratch_bytes() requires"
            }
            Error::OutputTooSmall => "memory: output buffer too small",
            Error::SizeOverflow => "memory: size computation overflowed",
        }
    }

    /// Every error, in code order (for the C ABI's message table and exhaustive tests).
    pub const ALL: &'static [Error] = &[
        Error::BadMagic,
        Error::UnsupportedVersion,
        Error::Truncated,
        Error::BadCrc,
        Error::TrailingBytes,
        Error::MalformedBody,
        Error::CapacityExceeded,
        Error::NonFiniteParameter,
        Error::NonPositiveSd,
        Error::InconsistentModel,
        Error::BadSignature,
        Error::BufferTooSmall,
        Error::UnsupportedFlags,
        Error::SignatureMissing,
        Error::SignatureUnsupported,
        Error::NonFiniteInput,
        Error::FeatureCountMismatch,
        Error::ClinicalCountMismatch,
        Error::IndexOutOfRange,
        Error::NonBinaryInput,
        Error::NonFiniteScore,
        Error::BadDimensions,
        Error::BadSpacing,
        Error::ImageLengthMismatch,
        Error::MaskSizeMismatch,
        Error::LabelNotPresent,
        Error::RoiTooFewDimensions,
        Error::RoiSingleVoxel,
        Error::ImageTooSmallForFilter,
        Error::NonFiniteVoxel,
        Error::BadFilterParameter,
        Error::GeometryMismatch,
        Error::AllZeroImage,
        Error::RoiTooSmall,
        Error::ResegmentedTooFew,
        Error::Shape2dNotApplicable,
        Error::UnknownFeatureName,
        Error::UnsupportedFeature,
        Error::BadBinWidth,
        Error::BadName,
        Error::FeatureNotComputable,
        Error::TooManyBins,
        Error::BadSetting,
        Error::UnsupportedSetting,
        Error::ScratchTooSmall,
        Error::OutputTooSmall,
        Error::SizeOverflow,
    ];

    /// The error with this code, if any.
    pub fn from_code(code: u32) -> Option<Error> {
        Error::ALL.iter().copied().find(|e| e.code() == code)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (code {})", self.message(), self.code())
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        for (i, a) in Error::ALL.iter().enumerate() {
            assert_eq!(Error::from_code(a.code()), Some(*a));
            for b in &Error::ALL[i + 1..] {
                assert_ne!(a.code(), b.code());
            }
            assert!(!a.message().is_empty());
        }
        assert_eq!(Error::from_code(0), None);
    }
}
