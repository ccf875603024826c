//! C ABI over radscore-core.
//!
//! Conventions (see `docs/c-api.md`): every fallible entry point returns a [`RadscoreStatus`]
//! (0 = OK); outputs go through out-pointers and are written only on success; every pointer is
//! checked for NULL and every size product for overflow; nothing allocates.
//!
//! Panics: the core is written never to panic. On hosts (feature `std`, the default) every entry
//! point additionally runs inside `catch_unwind`, so a panic becomes
//! [`RadscoreStatus::RADSCORE_STATUS_PANIC`] instead of crossing the C boundary. Without `std`
//! (bare metal), the firmware's panic handler is used (or, with feature `panic-handler`, one that
//! spins).
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![deny(unsafe_op_in_unsafe_fn)]

use radscore_core::Error;

/// Packed ABI version: major << 16 | minor. Same value as `RADSCORE_ABI_VERSION` in the header.
pub const RADSCORE_ABI_VERSION: u32 = (RADSCORE_ABI_MAJOR << 16) | RADSCORE_ABI_MINOR;
/// ABI major version: incremented on incompatible changes.
pub const RADSCORE_ABI_MAJOR: u32 = 0;
/// ABI minor version: incremented on compatible additions.
pub const RADSCORE_ABI_MINOR: u32 = 1;

/// Status of every entry point. 0 is success; other values mirror `radscore_core::Error` codes
/// (100–599) or are FFI-only (900–999).
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum RadscoreStatus {
    /// Success.
    RADSCORE_STATUS_OK = 0,
    /// Artifact: bad magic bytes.
    RADSCORE_STATUS_BAD_MAGIC = 100,
    /// Artifact: format version not supported.
    RADSCORE_STATUS_UNSUPPORTED_VERSION = 101,
    /// Artifact: truncated.
    RADSCORE_STATUS_TRUNCATED = 102,
    /// Artifact: CRC-32 mismatch.
    RADSCORE_STATUS_BAD_CRC = 103,
    /// Artifact: trailing bytes after the body.
    RADSCORE_STATUS_TRAILING_BYTES = 104,
    /// Artifact: malformed body.
    RADSCORE_STATUS_MALFORMED_BODY = 105,
    /// Artifact: a count exceeds the core's capacity.
    RADSCORE_STATUS_CAPACITY_EXCEEDED = 106,
    /// Artifact: a parameter is NaN or infinite.
    RADSCORE_STATUS_NON_FINITE_PARAMETER = 107,
    /// Artifact: a z-score sd is not > 0.
    RADSCORE_STATUS_NON_POSITIVE_SD = 108,
    /// Artifact: inconsistent model.
    RADSCORE_STATUS_INCONSISTENT_MODEL = 109,
    /// Artifact: signature required but missing or invalid.
    RADSCORE_STATUS_BAD_SIGNATURE = 110,
    /// Artifact: encoder output buffer too small.
    RADSCORE_STATUS_BUFFER_TOO_SMALL = 111,
    /// Artifact: header flags not understood.
    RADSCORE_STATUS_UNSUPPORTED_FLAGS = 112,
    /// Artifact: signature required but the artifact is unsigned.
    RADSCORE_STATUS_SIGNATURE_MISSING = 113,
    /// Artifact: signature verification not built in.
    RADSCORE_STATUS_SIGNATURE_UNSUPPORTED = 114,
    /// Input: a feature or clinical value is NaN or infinite.
    RADSCORE_STATUS_NON_FINITE_INPUT = 200,
    /// Input: feature count differs from the model's.
    RADSCORE_STATUS_FEATURE_COUNT_MISMATCH = 201,
    /// Input: clinical count differs from the model's.
    RADSCORE_STATUS_CLINICAL_COUNT_MISMATCH = 202,
    /// Input: index out of range.
    RADSCORE_STATUS_INDEX_OUT_OF_RANGE = 203,
    /// Input: a binary clinical value is neither 0 nor 1.
    RADSCORE_STATUS_NON_BINARY_INPUT = 204,
    /// Image: a dimension is zero or the voxel count overflows.
    RADSCORE_STATUS_BAD_DIMENSIONS = 300,
    /// Image: spacing not finite and > 0.
    RADSCORE_STATUS_BAD_SPACING = 301,
    /// Image: buffer length differs from the dims product.
    RADSCORE_STATUS_IMAGE_LENGTH_MISMATCH = 302,
    /// Mask: size differs from the image's.
    RADSCORE_STATUS_MASK_SIZE_MISMATCH = 303,
    /// Mask: label not present.
    RADSCORE_STATUS_LABEL_NOT_PRESENT = 304,
    /// Mask: ROI spans > 1 voxel in fewer than 2 dimensions.
    RADSCORE_STATUS_ROI_TOO_FEW_DIMENSIONS = 305,
    /// Mask: ROI is a single voxel.
    RADSCORE_STATUS_ROI_SINGLE_VOXEL = 306,
    /// Image: too small for the requested filter.
    RADSCORE_STATUS_IMAGE_TOO_SMALL_FOR_FILTER = 307,
    /// Image: a voxel is NaN or infinite.
    RADSCORE_STATUS_NON_FINITE_VOXEL = 308,
    /// Filter: invalid parameter.
    RADSCORE_STATUS_BAD_FILTER_PARAMETER = 309,
    /// Name: not a PyRadiomics feature name.
    RADSCORE_STATUS_UNKNOWN_FEATURE_NAME = 400,
    /// Name: feature not supported by this core.
    RADSCORE_STATUS_UNSUPPORTED_FEATURE = 401,
    /// Recipe: bin width not finite and > 0.
    RADSCORE_STATUS_BAD_BIN_WIDTH = 402,
    /// Name: empty or too long.
    RADSCORE_STATUS_BAD_NAME = 403,
    /// Memory: scratch buffer too small.
    RADSCORE_STATUS_SCRATCH_TOO_SMALL = 500,
    /// Memory: output buffer too small.
    RADSCORE_STATUS_OUTPUT_TOO_SMALL = 501,
    /// Memory: size computation overflowed.
    RADSCORE_STATUS_SIZE_OVERFLOW = 502,
    /// FFI: a required pointer argument is NULL.
    RADSCORE_STATUS_NULL_POINTER = 900,
    /// FFI: caller storage is not aligned as required.
    RADSCORE_STATUS_MISALIGNED = 901,
    /// FFI: an enum/type-tag argument has an unknown value.
    RADSCORE_STATUS_BAD_ARGUMENT = 902,
    /// FFI: an internal panic was caught (a bug; please report).
    RADSCORE_STATUS_PANIC = 999,
}

impl RadscoreStatus {
    /// Every status, in code order.
    pub const ALL: &'static [RadscoreStatus] = {
        use RadscoreStatus::*;
        &[
            RADSCORE_STATUS_OK,
            RADSCORE_STATUS_BAD_MAGIC,
            RADSCORE_STATUS_UNSUPPORTED_VERSION,
            RADSCORE_STATUS_TRUNCATED,
            RADSCORE_STATUS_BAD_CRC,
            RADSCORE_STATUS_TRAILING_BYTES,
            RADSCORE_STATUS_MALFORMED_BODY,
            RADSCORE_STATUS_CAPACITY_EXCEEDED,
            RADSCORE_STATUS_NON_FINITE_PARAMETER,
            RADSCORE_STATUS_NON_POSITIVE_SD,
            RADSCORE_STATUS_INCONSISTENT_MODEL,
            RADSCORE_STATUS_BAD_SIGNATURE,
            RADSCORE_STATUS_BUFFER_TOO_SMALL,
            RADSCORE_STATUS_UNSUPPORTED_FLAGS,
            RADSCORE_STATUS_SIGNATURE_MISSING,
            RADSCORE_STATUS_SIGNATURE_UNSUPPORTED,
            RADSCORE_STATUS_NON_FINITE_INPUT,
            RADSCORE_STATUS_FEATURE_COUNT_MISMATCH,
            RADSCORE_STATUS_CLINICAL_COUNT_MISMATCH,
            RADSCORE_STATUS_INDEX_OUT_OF_RANGE,
            RADSCORE_STATUS_NON_BINARY_INPUT,
            RADSCORE_STATUS_BAD_DIMENSIONS,
            RADSCORE_STATUS_BAD_SPACING,
            RADSCORE_STATUS_IMAGE_LENGTH_MISMATCH,
            RADSCORE_STATUS_MASK_SIZE_MISMATCH,
            RADSCORE_STATUS_LABEL_NOT_PRESENT,
            RADSCORE_STATUS_ROI_TOO_FEW_DIMENSIONS,
            RADSCORE_STATUS_ROI_SINGLE_VOXEL,
            RADSCORE_STATUS_IMAGE_TOO_SMALL_FOR_FILTER,
            RADSCORE_STATUS_NON_FINITE_VOXEL,
            RADSCORE_STATUS_BAD_FILTER_PARAMETER,
            RADSCORE_STATUS_UNKNOWN_FEATURE_NAME,
            RADSCORE_STATUS_UNSUPPORTED_FEATURE,
            RADSCORE_STATUS_BAD_BIN_WIDTH,
            RADSCORE_STATUS_BAD_NAME,
            RADSCORE_STATUS_SCRATCH_TOO_SMALL,
            RADSCORE_STATUS_OUTPUT_TOO_SMALL,
            RADSCORE_STATUS_SIZE_OVERFLOW,
            RADSCORE_STATUS_NULL_POINTER,
            RADSCORE_STATUS_MISALIGNED,
            RADSCORE_STATUS_BAD_ARGUMENT,
            RADSCORE_STATUS_PANIC,
        ]
    };

    /// The status for a core error (same numeric code). Unknown future core codes map to
    /// `BAD_ARGUMENT` rather than an invalid enum value.
    pub fn from_error(e: Error) -> RadscoreStatus {
        let code = e.code();
        RadscoreStatus::ALL
            .iter()
            .copied()
            .find(|s| *s as u32 == code)
            .unwrap_or(RadscoreStatus::RADSCORE_STATUS_BAD_ARGUMENT)
    }

    /// Static NUL-terminated message.
    pub fn message(self) -> &'static core::ffi::CStr {
        use RadscoreStatus::*;
        match self {
            RADSCORE_STATUS_OK => c"ok",
            RADSCORE_STATUS_NULL_POINTER => c"ffi: a required pointer argument is NULL",
            RADSCORE_STATUS_MISALIGNED => {
                c"ffi: caller storage is not aligned as required (see radscore_model_align)"
            }
            RADSCORE_STATUS_BAD_ARGUMENT => c"ffi: an argument has an unknown or invalid value",
            RADSCORE_STATUS_PANIC => c"ffi: internal panic caught at the C boundary (a bug)",
            other => core_message(other as u32),
        }
    }
}

/// NUL-terminated copies of the core's messages, looked up by code.
fn core_message(code: u32) -> &'static core::ffi::CStr {
    match Error::from_code(code) {
        Some(e) => cstr_msg(e),
        None => c"unknown status code",
    }
}

/// Converts the core's `&'static str` message into a static C string: each message is copied
/// once at compile time into a NUL-terminated array.
fn cstr_msg(e: Error) -> &'static core::ffi::CStr {
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
                    static B: [u8; 160] = build::<160>(M);
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
        UnknownFeatureName,
        UnsupportedFeature,
        BadBinWidth,
        BadName,
        ScratchTooSmall,
        OutputTooSmall,
        SizeOverflow,
    )
}

/// Runs `f`, turning a panic into `RADSCORE_STATUS_PANIC` on hosts.
#[inline]
fn boundary<F: FnOnce() -> RadscoreStatus>(f: F) -> RadscoreStatus {
    #[cfg(feature = "std")]
    {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
            Ok(s) => s,
            Err(_) => RadscoreStatus::RADSCORE_STATUS_PANIC,
        }
    }
    #[cfg(not(feature = "std"))]
    {
        f()
    }
}

/// Returns the packed ABI version (`major << 16 | minor`) of the linked library. Compare its
/// major half with `RADSCORE_ABI_VERSION >> 16` from the header you compiled against.
#[unsafe(no_mangle)]
pub extern "C" fn radscore_abi_version() -> u32 {
    RADSCORE_ABI_VERSION
}

/// Returns a static, NUL-terminated message for `status` (never NULL; unknown codes give
/// "unknown status code"). The string lives for the whole program; do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn radscore_status_message(status: u32) -> *const core::ffi::c_char {
    let s = RadscoreStatus::ALL
        .iter()
        .copied()
        .find(|s| *s as u32 == status);
    match s {
        Some(s) => s.message().as_ptr(),
        None => c"unknown status code".as_ptr(),
    }
}

/// Writes the library's semantic version (major, minor, patch) to the out-pointers.
///
/// # Safety
/// Each pointer must be NULL-checked by the library (it is) and, if non-NULL, valid for a write
/// of one `uint32_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn radscore_library_version(
    major: *mut u32,
    minor: *mut u32,
    patch: *mut u32,
) -> RadscoreStatus {
    boundary(|| {
        if major.is_null() || minor.is_null() || patch.is_null() {
            return RadscoreStatus::RADSCORE_STATUS_NULL_POINTER;
        }
        let p = |s: &str| s.parse::<u32>().unwrap_or(0);
        // SAFETY: non-NULL checked above; the caller guarantees validity for one write.
        unsafe {
            *major = p(env!("CARGO_PKG_VERSION_MAJOR"));
            *minor = p(env!("CARGO_PKG_VERSION_MINOR"));
            *patch = p(env!("CARGO_PKG_VERSION_PATCH"));
        }
        RadscoreStatus::RADSCORE_STATUS_OK
    })
}

#[cfg(all(not(feature = "std"), feature = "panic-handler"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_error_has_a_status_with_the_same_code_and_message() {
        for e in Error::ALL {
            let s = RadscoreStatus::from_error(*e);
            assert_eq!(s as u32, e.code(), "{e:?}");
            assert_eq!(s.message().to_str().ok(), Some(e.message()), "{e:?}");
        }
        assert_eq!(RadscoreStatus::ALL.len(), Error::ALL.len() + 5);
    }
}
