//! The model artifact (`.rsm`): a fixed header, a postcard body, a CRC-32 and an optional Ed25519
//! signature trailer. The full byte layout is in `docs/artifact-format.md`; in short (all integers
//! little-endian):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | magic `RSM1` |
//! | 4 | 2 | format version (`u16`, currently 2; 1 is still read) |
//! | 6 | 2 | flags (`u16`; bit 0 = signed; other bits must be 0) |
//! | 8 | 1 | number of features (≤ [`MAX_FEATURES`](super::MAX_FEATURES)) |
//! | 9 | 1 | number of clinical predictors (≤ [`MAX_CLINICAL`](super::MAX_CLINICAL)) |
//! | 10 | 4 | body length `N` (`u32`) |
//! | 14 | `N` | postcard encoding of [`Model`] |
//! | 14+N | 4 | CRC-32 ([`crc32`]) of bytes `0..14+N` |
//! | 18+N | 68 | signed only: algorithm `u16` (1 = Ed25519), signature length `u16` (64), signature over bytes `0..18+N` |
//!
//! Nothing may follow: an artifact is exactly `18 + N` bytes, or `86 + N` if signed.
//!
//! This module only reads. The encoder lives on the host (`radscore_trainer::export`), built on
//! [`Header::to_bytes`] and the constants here.
#![deny(clippy::indexing_slicing)]

use super::{Model, MAX_CLINICAL, MAX_FEATURES};
use crate::error::Error;

pub use super::crc::crc32;

/// The first four bytes of every artifact.
pub const MAGIC: [u8; 4] = *b"RSM1";
/// The newest format version (3: format 2 with each feature's extraction settings, a settings
/// table referenced by index). The host writes 3 only for a model with non-default settings and
/// 2 otherwise ([`super::Model::format_version`]), so models that do not need settings stay
/// readable by cores that predate format 3.
pub const FORMAT_VERSION: u16 = 3;
/// Every format version this core reads (1: feature names as typed enums, converted to text on
/// reading, with the `format1` feature (on by default); 2: feature names as text; 3: with
/// extraction settings).
#[cfg(all(feature = "format1", feature = "format3"))]
pub const READ_VERSIONS: &[u16] = &[1, 2, 3];
/// Every format version this core reads (format 3 needs the `format3` feature).
#[cfg(all(feature = "format1", not(feature = "format3")))]
pub const READ_VERSIONS: &[u16] = &[1, 2];
/// Every format version this core reads (format 1 needs the `format1` feature).
#[cfg(all(not(feature = "format1"), not(feature = "format3")))]
pub const READ_VERSIONS: &[u16] = &[2];
/// Every format version this core reads (2: feature names as text; 3: with extraction
/// settings; format 1 needs the `format1` feature).
#[cfg(all(not(feature = "format1"), feature = "format3"))]
pub const READ_VERSIONS: &[u16] = &[2, 3];
/// Header flag: the artifact ends with a signature trailer.
pub const FLAG_SIGNED: u16 = 1;
/// Every flag this core understands.
pub const KNOWN_FLAGS: u16 = FLAG_SIGNED;
/// Size of the fixed header.
pub const HEADER_LEN: usize = 14;
/// Size of the CRC-32 that follows the body.
pub const CRC_LEN: usize = 4;
/// Signature algorithm id of Ed25519 (RFC 8032, pure Ed25519 over the signed bytes).
pub const SIG_ALG_ED25519: u16 = 1;
/// Length of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;
/// Size of the signature trailer: algorithm, length, signature.
pub const TRAILER_LEN: usize = 4 + SIGNATURE_LEN;
/// Upper bound of the body length a valid model can have (all capacities full, all strings at
/// their maximum length); longer bodies are rejected as [`Error::CapacityExceeded`].
pub const MAX_BODY_LEN: usize = 32 * 1024;

/// The fixed header of an artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Format version.
    pub version: u16,
    /// Flags ([`FLAG_SIGNED`]).
    pub flags: u16,
    /// Number of feature recipes in the body.
    pub n_features: u8,
    /// Number of clinical predictors in the body.
    pub n_clinical: u8,
    /// Length of the postcard body in bytes.
    pub body_len: u32,
}

impl Header {
    /// The header's bytes.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        let v = self.version.to_le_bytes();
        let f = self.flags.to_le_bytes();
        let n = self.body_len.to_le_bytes();
        let parts: [&[u8]; 6] = [
            &MAGIC,
            &v,
            &f,
            core::slice::from_ref(&self.n_features),
            core::slice::from_ref(&self.n_clinical),
            &n,
        ];
        let mut at = 0;
        for p in parts {
            for (o, b) in out.iter_mut().skip(at).zip(p) {
                *o = *b;
            }
            at += p.len();
        }
        out
    }

    /// Whether [`FLAG_SIGNED`] is set.
    pub fn is_signed(&self) -> bool {
        self.flags & FLAG_SIGNED != 0
    }
}

/// An artifact split into its parts; the framing, the CRC and the capacities are checked, the body
/// is not decoded yet.
#[derive(Clone, Copy, Debug)]
pub struct Parts<'a> {
    /// The header.
    pub header: Header,
    /// The postcard body.
    pub body: &'a [u8],
    /// The CRC-32 stored after the body (equal to the computed one).
    pub crc: u32,
    /// The bytes a signature covers: header, body and CRC.
    pub signed_bytes: &'a [u8],
    /// The Ed25519 signature, if the artifact is signed.
    pub signature: Option<&'a [u8; SIGNATURE_LEN]>,
}

fn le_u16(bytes: &[u8], at: usize) -> Result<u16, Error> {
    let b = bytes.get(at..at + 2).ok_or(Error::Truncated)?;
    let a: [u8; 2] = b.try_into().map_err(|_| Error::Truncated)?;
    Ok(u16::from_le_bytes(a))
}

fn le_u32(bytes: &[u8], at: usize) -> Result<u32, Error> {
    let b = bytes.get(at..at + 4).ok_or(Error::Truncated)?;
    let a: [u8; 4] = b.try_into().map_err(|_| Error::Truncated)?;
    Ok(u32::from_le_bytes(a))
}

/// Checks the framing of an artifact and splits it, in this order:
///
/// 1. magic → [`Error::BadMagic`] (a prefix of the magic that ends early → [`Error::Truncated`]);
/// 2. header complete → [`Error::Truncated`];
/// 3. version → [`Error::UnsupportedVersion`]; flags → [`Error::UnsupportedFlags`];
/// 4. total length against header, body, CRC and trailer → [`Error::Truncated`] if shorter,
///    [`Error::TrailingBytes`] if longer (a body longer than [`MAX_BODY_LEN`] →
///    [`Error::CapacityExceeded`]);
/// 5. CRC-32 → [`Error::BadCrc`] (not checked in cargo-fuzz builds, `cfg(fuzzing)`);
/// 6. declared counts against [`MAX_FEATURES`] / [`MAX_CLINICAL`] → [`Error::CapacityExceeded`];
/// 7. signature trailer framing (algorithm and length) → [`Error::BadSignature`].
///
/// The signature itself is not verified here (see [`Model::decode_verified`]).
pub fn split(bytes: &[u8]) -> Result<Parts<'_>, Error> {
    let magic_len = bytes.len().min(MAGIC.len());
    if bytes.get(..magic_len) != MAGIC.get(..magic_len) {
        return Err(Error::BadMagic);
    }
    if bytes.len() < HEADER_LEN {
        return Err(Error::Truncated);
    }
    let header = Header {
        version: le_u16(bytes, 4)?,
        flags: le_u16(bytes, 6)?,
        n_features: *bytes.get(8).ok_or(Error::Truncated)?,
        n_clinical: *bytes.get(9).ok_or(Error::Truncated)?,
        body_len: le_u32(bytes, 10)?,
    };
    if !READ_VERSIONS.contains(&header.version) {
        return Err(Error::UnsupportedVersion);
    }
    if header.flags & !KNOWN_FLAGS != 0 {
        return Err(Error::UnsupportedFlags);
    }
    let body_len = header.body_len as usize;
    if body_len > MAX_BODY_LEN {
        return Err(Error::CapacityExceeded);
    }
    let body_end = HEADER_LEN + body_len;
    let crc_end = body_end + CRC_LEN;
    let total = if header.is_signed() {
        crc_end + TRAILER_LEN
    } else {
        crc_end
    };
    if bytes.len() < total {
        return Err(Error::Truncated);
    }
    if bytes.len() > total {
        return Err(Error::TrailingBytes);
    }
    let covered = bytes.get(..body_end).ok_or(Error::Truncated)?;
    let crc = le_u32(bytes, body_end)?;
    // Under cargo-fuzz (`cfg(fuzzing)`) a wrong CRC is accepted, so mutated bodies reach the
    // body reader and the validation instead of stopping here (as smoltcp does with its
    // checksums). Never set outside fuzzing builds.
    if crc32(covered) != crc && !cfg!(fuzzing) {
        return Err(Error::BadCrc);
    }
    if usize::from(header.n_features) > MAX_FEATURES
        || usize::from(header.n_clinical) > MAX_CLINICAL
    {
        return Err(Error::CapacityExceeded);
    }
    let signature = if header.is_signed() {
        if le_u16(bytes, crc_end)? != SIG_ALG_ED25519
            || usize::from(le_u16(bytes, crc_end + 2)?) != SIGNATURE_LEN
        {
            return Err(Error::BadSignature);
        }
        let sig = bytes
            .get(crc_end + 4..crc_end + 4 + SIGNATURE_LEN)
            .ok_or(Error::Truncated)?;
        Some(<&[u8; SIGNATURE_LEN]>::try_from(sig).map_err(|_| Error::Truncated)?)
    } else {
        None
    };
    Ok(Parts {
        header,
        body: bytes.get(HEADER_LEN..body_end).ok_or(Error::Truncated)?,
        crc,
        signed_bytes: bytes.get(..crc_end).ok_or(Error::Truncated)?,
        signature,
    })
}

/// Decodes the postcard body of checked [`Parts`] into `out` (in place, see [`super::wire`]) and
/// validates the model.
///
/// The body must be consumed exactly ([`Error::TrailingBytes`] otherwise), must be valid postcard
/// for a [`Model`] ([`Error::MalformedBody`]), must hold the counts the header declares
/// ([`Error::InconsistentModel`]) and must pass [`Model::validate`]. On error `out` holds no
/// features and no clinical predictors, so it can never be mistaken for a valid model.
pub fn decode_body_into(parts: &Parts<'_>, out: &mut Model) -> Result<(), Error> {
    let used = super::wire::read_model_version(parts.body, parts.header.version, out)?;
    let checked = if used != parts.body.len() {
        Err(Error::TrailingBytes)
    } else if out.features.len() != usize::from(parts.header.n_features)
        || out.clinical.len() != usize::from(parts.header.n_clinical)
    {
        Err(Error::InconsistentModel)
    } else {
        out.validate()
    };
    if checked.is_err() {
        out.invalidate();
    }
    checked
}

/// [`decode_body_into`] returning the model by value (convenient on a host; on a small device
/// prefer the in-place form, which never holds a second copy of the model on the stack).
///
/// # Errors
/// As [`decode_body_into`].
pub fn decode_body(parts: &Parts<'_>) -> Result<Model, Error> {
    let mut model = Model::empty();
    decode_body_into(parts, &mut model)?;
    Ok(model)
}

#[cfg(feature = "signature")]
fn verify_signature(parts: &Parts<'_>, public_key: &[u8; 32]) -> Result<(), Error> {
    let sig = parts.signature.ok_or(Error::SignatureMissing)?;
    let pk = ed25519_compact::PublicKey::new(*public_key);
    let sig = ed25519_compact::Signature::new(*sig);
    pk.verify(parts.signed_bytes, &sig)
        .map_err(|_| Error::BadSignature)
}

#[cfg(not(feature = "signature"))]
fn verify_signature(parts: &Parts<'_>, _public_key: &[u8; 32]) -> Result<(), Error> {
    parts.signature.ok_or(Error::SignatureMissing)?;
    Err(Error::SignatureUnsupported)
}

impl Model {
    /// Decodes and validates an artifact, signed or not. A signature trailer is checked for its
    /// framing only; use [`Model::decode_verified`] to require a valid signature.
    ///
    /// Returns the model by value; [`Model::decode_into`] writes it into caller memory instead.
    ///
    /// # Errors
    /// Every framing error of [`split`], every body error of [`decode_body`] and every error of
    /// [`Model::validate`]; each corruption has its own [`Error`] code.
    pub fn decode(bytes: &[u8]) -> Result<Model, Error> {
        let mut model = Model::empty();
        model.decode_from(bytes)?;
        Ok(model)
    }

    /// Decodes an artifact that must carry a valid Ed25519 signature by `public_key`.
    ///
    /// # Errors
    /// As [`Model::decode`], plus [`Error::SignatureMissing`] for an unsigned artifact,
    /// [`Error::BadSignature`] when the signature does not verify, and
    /// [`Error::SignatureUnsupported`] when the core was built without the `signature` feature.
    pub fn decode_verified(bytes: &[u8], public_key: &[u8; 32]) -> Result<Model, Error> {
        let mut model = Model::empty();
        model.decode_verified_from(bytes, public_key)?;
        Ok(model)
    }

    /// [`Model::decode`] into `self`, overwriting it in place: no second model is ever built, so
    /// the stack stays small (a few hundred bytes on a Cortex-M4F instead of several copies of
    /// the model). `self` can be any model, e.g. [`Model::empty`] in a `static` or in storage the
    /// caller owns. On error `self` holds no features and no clinical predictors (it fails
    /// [`Model::validate`]; do not score it).
    ///
    /// # Errors
    /// As [`Model::decode`].
    pub fn decode_from(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let r = split(bytes).and_then(|parts| decode_body_into(&parts, self));
        if r.is_err() {
            self.invalidate();
        }
        r
    }

    /// [`Model::decode_verified`] into `self`, in place as [`Model::decode_from`].
    ///
    /// # Errors
    /// As [`Model::decode_verified`].
    pub fn decode_verified_from(
        &mut self,
        bytes: &[u8],
        public_key: &[u8; 32],
    ) -> Result<(), Error> {
        let r = split(bytes).and_then(|parts| {
            verify_signature(&parts, public_key)?;
            decode_body_into(&parts, self)
        });
        if r.is_err() {
            self.invalidate();
        }
        r
    }
}
