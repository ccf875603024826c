//! Model export: the only producer of model artifacts.
//!
//! Encodes a [`Model`] in the core's artifact format (see `docs/artifact-format.md` and
//! [`radscore_core::model::artifact`]): header, postcard body, CRC-32 and, for
//! [`encode_signed`], an Ed25519 signature trailer. Every artifact is decoded again with the
//! core's own decoder before it is returned, so the encoder cannot emit a file the device rejects.
//!
//! Format: 3 when a feature has non-default extraction settings (the model's settings table is
//! not empty), otherwise 2 ([`Model::format_version`]). Format 2 is format 3 without the settings
//! index of each recipe and without the table, so a model without settings has the bytes it had
//! before format 3 and every deployed core (which reads 2) still loads it; only a model that needs
//! the settings requires a core that knows them.

use radscore_core::model::artifact::{
    self, Header, CRC_LEN, FLAG_SIGNED, HEADER_LEN, MAX_BODY_LEN, SIGNATURE_LEN, SIG_ALG_ED25519,
    TRAILER_LEN,
};
use radscore_core::model::{
    ClinicalPredictor, FeatureText, Metadata, Model, ShortName, MAX_CLINICAL,
};
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// Why a model could not be exported.
#[derive(Debug)]
pub enum ExportError {
    /// The model fails the core's validation (or its own round trip).
    Invalid(radscore_core::Error),
    /// postcard could not serialise the model.
    Encode(postcard::Error),
    /// The encoded body is longer than the core accepts.
    TooLarge {
        /// Encoded body length.
        len: usize,
        /// The core's limit.
        max: usize,
    },
    /// Writing the file failed.
    Io {
        /// The file being written.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Invalid(e) => write!(f, "model export: invalid model: {e}"),
            ExportError::Encode(e) => write!(f, "model export: postcard encoding failed: {e}"),
            ExportError::TooLarge { len, max } => write!(
                f,
                "model export: encoded body is {len} bytes, the core accepts at most {max}"
            ),
            ExportError::Io { path, source } => {
                write!(f, "model export: writing {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for ExportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExportError::Invalid(e) => Some(e),
            ExportError::Encode(e) => Some(e),
            ExportError::Io { source, .. } => Some(source),
            ExportError::TooLarge { .. } => None,
        }
    }
}

/// A recipe as format 2 writes it (format 3's without the settings index).
#[derive(Serialize)]
struct RecipeV2<'a> {
    sequence: &'a ShortName,
    name: &'a FeatureText,
    bin_width: f64,
    label: u32,
    mean: f64,
    sd: f64,
    coefficient: f64,
}

/// A model as format 2 writes it (format 3's without the settings table).
#[derive(Serialize)]
struct ModelV2<'a> {
    features: Vec<RecipeV2<'a>>,
    radscore_intercept: f64,
    combined_intercept: f64,
    radscore_coefficient: f64,
    radscore_axis: [f64; 2],
    clinical: &'a heapless::Vec<ClinicalPredictor, MAX_CLINICAL>,
    points_per_unit: f64,
    threshold: f64,
    meta: &'a Metadata,
}

/// The postcard body of `model` in its format ([`Model::format_version`]): format 3 is the
/// derived encoding of [`Model`]; format 2 leaves out the settings indices and table.
fn body(model: &Model) -> Result<Vec<u8>, postcard::Error> {
    if model.format_version() == 3 {
        return postcard::to_allocvec(model);
    }
    let v2 = ModelV2 {
        features: model
            .features
            .iter()
            .map(|f| RecipeV2 {
                sequence: &f.sequence,
                name: &f.name,
                bin_width: f.bin_width,
                label: f.label,
                mean: f.mean,
                sd: f.sd,
                coefficient: f.coefficient,
            })
            .collect(),
        radscore_intercept: model.radscore_intercept,
        combined_intercept: model.combined_intercept,
        radscore_coefficient: model.radscore_coefficient,
        radscore_axis: model.radscore_axis,
        clinical: &model.clinical,
        points_per_unit: model.points_per_unit,
        threshold: model.threshold,
        meta: &model.meta,
    };
    postcard::to_allocvec(&v2)
}

/// Header, body and CRC (everything a signature covers).
fn frame(model: &Model, flags: u16) -> Result<Vec<u8>, ExportError> {
    model.validate().map_err(ExportError::Invalid)?;
    let body = body(model).map_err(ExportError::Encode)?;
    if body.len() > MAX_BODY_LEN {
        return Err(ExportError::TooLarge {
            len: body.len(),
            max: MAX_BODY_LEN,
        });
    }
    let header = Header {
        version: model.format_version(),
        flags,
        // Both fit: heapless capacities are 32 and 16.
        n_features: u8::try_from(model.features.len()).unwrap_or(u8::MAX),
        n_clinical: u8::try_from(model.clinical.len()).unwrap_or(u8::MAX),
        body_len: u32::try_from(body.len()).unwrap_or(u32::MAX),
    };
    let mut out = Vec::with_capacity(HEADER_LEN + body.len() + CRC_LEN + TRAILER_LEN);
    out.extend_from_slice(&header.to_bytes());
    out.extend_from_slice(&body);
    let crc = artifact::crc32(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

fn check_round_trip(model: &Model, bytes: &[u8]) -> Result<(), ExportError> {
    let back = Model::decode(bytes).map_err(ExportError::Invalid)?;
    if &back != model {
        return Err(ExportError::Invalid(
            radscore_core::Error::InconsistentModel,
        ));
    }
    Ok(())
}

/// Encodes an unsigned artifact.
///
/// # Errors
/// [`ExportError::Invalid`] if the model fails [`Model::validate`], [`ExportError::TooLarge`] /
/// [`ExportError::Encode`] if it cannot be encoded.
pub fn encode(model: &Model) -> Result<Vec<u8>, ExportError> {
    let out = frame(model, 0)?;
    check_round_trip(model, &out)?;
    Ok(out)
}

fn key_pair(seed: &[u8; 32]) -> ed25519_compact::KeyPair {
    ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(*seed))
}

/// The Ed25519 public key belonging to a 32-byte signing-key seed (RFC 8032 secret key).
pub fn public_key(signing_key_seed: &[u8; 32]) -> [u8; 32] {
    *key_pair(signing_key_seed).pk
}

/// Encodes a signed artifact: the unsigned layout with the signed flag set, followed by the
/// signature trailer (algorithm 1 = Ed25519, length 64, deterministic RFC 8032 signature over
/// header, body and CRC).
///
/// # Errors
/// As [`encode`].
pub fn encode_signed(model: &Model, signing_key_seed: &[u8; 32]) -> Result<Vec<u8>, ExportError> {
    let mut out = frame(model, FLAG_SIGNED)?;
    let sig = key_pair(signing_key_seed).sk.sign(&out, None);
    out.extend_from_slice(&SIG_ALG_ED25519.to_le_bytes());
    out.extend_from_slice(&(SIGNATURE_LEN as u16).to_le_bytes());
    out.extend_from_slice(sig.as_ref());
    check_round_trip(model, &out)?;
    Ok(out)
}

/// Writes `bytes` to `path` as [`crate::outfile::write_bytes`] does: a regular file is replaced
/// atomically (on failure it is untouched and no temporary file remains), a device or FIFO is
/// written through, a symbolic link is followed.
///
/// # Errors
/// The I/O error of creating, writing, syncing or renaming.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::outfile::write_bytes(path, bytes)
}

/// Encodes an unsigned artifact and writes it atomically ([`write_atomic`]).
///
/// # Errors
/// As [`encode`], plus [`ExportError::Io`].
pub fn write_model(path: &Path, model: &Model) -> Result<(), ExportError> {
    let bytes = encode(model)?;
    write_atomic(path, &bytes).map_err(|source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Encodes a signed artifact and writes it atomically ([`write_atomic`]).
///
/// # Errors
/// As [`encode_signed`], plus [`ExportError::Io`].
pub fn write_model_signed(
    path: &Path,
    model: &Model,
    signing_key_seed: &[u8; 32],
) -> Result<(), ExportError> {
    let bytes = encode_signed(model, signing_key_seed)?;
    write_atomic(path, &bytes).map_err(|source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::example::illustrative_model;

    #[test]
    fn encodes_what_the_core_decodes() {
        let m = illustrative_model();
        let b = encode(&m).unwrap();
        assert_eq!(&b[..4], b"RSM1");
        assert_eq!(Model::decode(&b).unwrap(), m);
        let parts = artifact::split(&b).unwrap();
        assert_eq!(parts.header.n_features, 7);
        assert_eq!(parts.header.n_clinical, 2);
        assert!(parts.signature.is_none());
        // no settings: format 2, the bytes every core since format 2 reads
        assert_eq!(parts.header.version, 2);
        // sizes quoted in docs/artifact-format.md
        assert_eq!((b.len(), parts.body.len()), (761, 743));
        assert_eq!(encode_signed(&m, &[1; 32]).unwrap().len(), 829);
    }

    /// The format-1 artifact of the illustrative model (written by this encoder before format 2,
    /// committed in core/tests/data) decodes to the model the builder makes today.
    #[test]
    fn the_format1_illustrative_artifact_is_todays_illustrative_model() {
        let old = include_bytes!("../../core/tests/data/format1-illustrative.rsm");
        assert_eq!(artifact::split(old).unwrap().header.version, 1);
        assert_eq!(Model::decode(old).unwrap(), illustrative_model());
    }

    #[test]
    fn signs_deterministically_with_rfc8032() {
        // RFC 8032 §7.1 TEST 1: secret key → public key, and the signature of the empty message.
        let seed = hex32("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        let pk = public_key(&seed);
        assert_eq!(
            pk,
            hex32("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        );
        let sig = key_pair(&seed).sk.sign(b"", None);
        let want = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
        let got: String = sig.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(got, want);

        let m = illustrative_model();
        let a = encode_signed(&m, &seed).unwrap();
        assert_eq!(a, encode_signed(&m, &seed).unwrap());
        let unsigned = encode(&m).unwrap();
        assert_eq!(a.len(), unsigned.len() + TRAILER_LEN);
        let parts = artifact::split(&a).unwrap();
        assert!(parts.header.is_signed());
        let sig = ed25519_compact::Signature::new(*parts.signature.unwrap());
        ed25519_compact::PublicKey::new(pk)
            .verify(parts.signed_bytes, &sig)
            .unwrap();
    }

    fn hex32(s: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    #[test]
    fn refuses_invalid_models_and_writes_atomically() {
        let mut m = illustrative_model();
        m.features[0].sd = 0.0;
        assert!(matches!(
            encode(&m),
            Err(ExportError::Invalid(radscore_core::Error::NonPositiveSd))
        ));
        let dir = std::env::temp_dir().join(format!("radscore-export-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.rsm");
        // A failed export leaves neither the file nor a temporary behind.
        assert!(write_model(&path, &m).is_err());
        assert!(!path.exists());
        write_model(&path, &illustrative_model()).unwrap();
        let back = Model::decode(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(back, illustrative_model());
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
