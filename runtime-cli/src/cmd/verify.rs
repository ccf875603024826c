//! `radscore verify`: checks a model file's integrity (framing, CRC-32, body, validation) and,
//! with `--public-key`, its Ed25519 signature.

use anyhow::{bail, Context};
use radscore_core::model::{artifact, Model};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `radscore verify`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Model file (`.rsm`).
    pub model: PathBuf,
    /// Require a valid Ed25519 signature by this public key: 64 hex digits, or a file holding
    /// them or the 32 raw bytes.
    #[arg(long)]
    pub public_key: Option<String>,
}

fn hex32(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Reads a public key given as 64 hex digits, or as a file holding 64 hex digits or 32 raw bytes.
pub fn read_public_key(arg: &str) -> anyhow::Result<[u8; 32]> {
    if let Some(k) = hex32(arg) {
        return Ok(k);
    }
    let bytes = read_bounded(Path::new(arg), MAX_KEY_FILE_LEN).with_context(|| {
        format!("--public-key: `{arg}` is neither 64 hex digits nor a readable key file")
    })?;
    if let Ok(k) = <[u8; 32]>::try_from(bytes.as_slice()) {
        return Ok(k);
    }
    if let Some(k) = std::str::from_utf8(&bytes).ok().and_then(hex32) {
        return Ok(k);
    }
    bail!(
        "--public-key {arg}: expected 64 hex digits or 32 raw bytes, found {} bytes",
        bytes.len()
    )
}

/// The largest valid model file: header, the longest body the core accepts, CRC and signature.
pub const MAX_MODEL_FILE_LEN: usize =
    artifact::HEADER_LEN + artifact::MAX_BODY_LEN + artifact::CRC_LEN + artifact::TRAILER_LEN;

/// The largest key file read: 64 hex digits with generous room for whitespace and line ends.
const MAX_KEY_FILE_LEN: usize = 1024;

/// Reads at most `max` bytes of `path`; a longer file (or endless input such as `/dev/zero`) is
/// an error after `max + 1` bytes, never a read of the whole thing.
pub fn read_bounded(path: &Path, max: usize) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    f.take(max as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > max {
        bail!("larger than {max} bytes, the most a valid file of this kind holds");
    }
    Ok(bytes)
}

/// Reads a model file, at most [`MAX_MODEL_FILE_LEN`] bytes.
pub fn read_model_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    read_bounded(path, MAX_MODEL_FILE_LEN)
        .with_context(|| format!("{}: cannot read the model file", path.display()))
}

/// Decodes the bytes of the model file `path`; with a key, a valid signature is required.
fn decode_model(path: &Path, bytes: &[u8], public_key: Option<&[u8; 32]>) -> anyhow::Result<Model> {
    let decoded = match public_key {
        Some(k) => Model::decode_verified(bytes, k),
        None => Model::decode(bytes),
    };
    decoded.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Reads and decodes a model file; with a key, a valid signature is required.
pub fn load_model(path: &Path, public_key: Option<&[u8; 32]>) -> anyhow::Result<Model> {
    decode_model(path, &read_model_file(path)?, public_key)
}

/// Runs `radscore verify`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let key = args
        .public_key
        .as_deref()
        .map(read_public_key)
        .transpose()?;
    // One read: the framing printed below describes the very bytes that were decoded.
    let bytes = read_model_file(&args.model)?;
    let model = decode_model(&args.model, &bytes, key.as_ref())?;
    let parts = artifact::split(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    let signature = match (parts.signature.is_some(), key.is_some()) {
        (true, true) => "signed, signature verified",
        (true, false) => "signed, signature NOT checked (pass --public-key to verify it)",
        (false, _) => "unsigned",
    };
    println!(
        "OK {}: format v{}, {} bytes, CRC-32 {:08x}, {}; model `{}`: {} feature(s), {} clinical \
         predictor(s)",
        args.model.display(),
        parts.header.version,
        bytes.len(),
        parts.crc,
        signature,
        model.meta.model_id,
        model.features.len(),
        model.clinical.len()
    );
    Ok(ExitCode::SUCCESS)
}
