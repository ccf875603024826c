//! The computation the firmware proves, shared verbatim by the Cortex-M firmware (`main.rs`) and
//! the host build (`tests/src/bin/firmware_fixture.rs`, which includes this file with `#[path]`).
//! Only `core` and `radscore_core` are used, so both builds run exactly the same source; every
//! value is printed with its IEEE-754 bit pattern and `scripts/qemu-check.sh` diffs the two
//! outputs.
//!
//! Output format (one fact per line, identical on both sides): `key = 0x<16 hex bits> (<value>)`
//! for f64 values, `key = <integer>` otherwise. Lines starting with `#` are informational and
//! differ between targets (stack use, target name); the script does not compare them.
//!
//! The including crate defines `const TEXT: bool`. With `false` (the scoring-only firmware, whose
//! flash is measured) nothing but bits and codes is printed: no decimal floats, feature names or
//! error messages, whose formatting code would otherwise dominate the image. The script compares
//! such output with the host's after dropping names and the parenthesised text.
//!
//! Steps:
//! 1. decode the embedded model artifact ([`Model::decode`]);
//! 2. compute the model's features on the embedded volume and mask (one `extract` call per
//!    sequence / bin width / label group, static scratch buffer). The fixture bundles ONE volume:
//!    every sequence's features (t2, dwi, dce) are computed on that same volume;
//! 3. score them with the clinical values of the fixture ([`Model::score`]);
//! 4. corrupt copies of the artifact (bit flips in header, body and CRC; truncation; an extra
//!    byte) and require every one to be rejected.

use core::fmt::{self, Write};

use radscore_core::extract;
use radscore_core::image::{ImageView, MaskView, MaskVoxels, Voxels};
use radscore_core::model::{Model, Score, MAX_FEATURES};
use radscore_core::names::FeatureName;
use radscore_core::settings::Settings;
use radscore_core::Error;

/// The embedded inputs.
#[derive(Clone, Copy)]
pub struct Fixture<'a> {
    /// Image voxels (x fastest), int16 as in the source NRRD.
    pub image: &'a [i16],
    /// Mask voxels, same geometry.
    pub mask: &'a [u8],
    /// Sizes x, y, z.
    pub dims: [usize; 3],
    /// Spacing in mm, x, y, z.
    pub spacing: [f64; 3],
    /// Clinical predictor values in model order (raw units).
    pub clinical: &'a [f64],
    /// The model artifact bytes.
    pub model: &'a [u8],
}

/// Why the check failed (printed as `result = FAIL ...`).
#[derive(Debug, Clone, Copy)]
pub enum Failure {
    /// A core call returned an error: (step, error).
    Core(&'static str, Error),
    /// A corrupted artifact was accepted: (which corruption).
    CorruptAccepted(&'static str),
    /// The fixture does not fit the buffers.
    Capacity(&'static str),
    /// Writing the output failed.
    Output,
}

impl From<fmt::Error> for Failure {
    fn from(_: fmt::Error) -> Self {
        Failure::Output
    }
}

// ---- output without `core::fmt` machinery (only `write_str`), so that the scoring-only image
// carries no formatting code; decimal text is added with `write!` only when `TEXT` is set ----

/// Writes the pieces.
fn put(out: &mut dyn Write, parts: &[&str]) -> fmt::Result {
    parts.iter().try_for_each(|p| out.write_str(p))
}

/// Writes `v` in decimal.
pub fn put_u32(out: &mut dyn Write, v: u32) -> fmt::Result {
    let mut digits = [0u8; 10];
    let mut n = 0usize;
    let mut v = v;
    loop {
        if let Some(d) = digits.get_mut(n) {
            *d = (v % 10) as u8;
        }
        n += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    digits
        .iter()
        .take(n)
        .rev()
        .try_for_each(|d| out.write_char(char::from(b'0' + d)))
}

/// Writes `key = <u32>` and a newline.
fn put_line_u32(out: &mut dyn Write, key: &str, v: u32) -> fmt::Result {
    put(out, &[key, " = "])?;
    put_u32(out, v)?;
    out.write_char('\n')
}

/// Writes ` = 0x<16 hex digits of the bits>`, with `TEXT` ` (<shortest round-trip decimal>)`,
/// and a newline.
pub fn put_f64_value(out: &mut dyn Write, v: f64) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.write_str(" = 0x")?;
    let bits = v.to_bits();
    for k in (0..16).rev() {
        let nibble = ((bits >> (4 * k)) & 0xf) as usize;
        out.write_char(char::from(HEX.get(nibble).copied().unwrap_or(b'?')))?;
    }
    if super::TEXT {
        write!(out, " ({v:?})")?;
    }
    out.write_char('\n')
}

/// Writes `key = 0x<bits> ...` (see [`put_f64_value`]).
pub fn put_f64(out: &mut dyn Write, key: &str, v: f64) -> fmt::Result {
    out.write_str(key)?;
    put_f64_value(out, v)
}

/// Writes `key[i] = 0x<bits> ...`.
fn put_f64_at(out: &mut dyn Write, key: &str, i: usize, v: f64) -> fmt::Result {
    out.write_str(key)?;
    out.write_char('[')?;
    put_u32(out, u32::try_from(i).unwrap_or(u32::MAX))?;
    out.write_char(']')?;
    put_f64_value(out, v)
}

/// Groups the model's recipes by (sequence, bin width, label): one `extract` call per group, so a
/// filter shared by several features of the same sequence runs once. `visit` receives the group's
/// indices into `model.features` and its names.
fn for_each_group(
    model: &Model,
    mut visit: impl FnMut(&[usize], &[FeatureName], &Settings, u32) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let recipes = &model.features;
    let mut done = [false; MAX_FEATURES];
    for (i, r0) in recipes.iter().enumerate() {
        if done.get(i).copied().unwrap_or(true) {
            continue;
        }
        let mut idx = [0usize; MAX_FEATURES];
        let first = r0.recipe().map_err(|e| Failure::Core("recipe", e))?;
        let mut names = [first; MAX_FEATURES];
        let mut k = 0usize;
        for (j, r) in recipes.iter().enumerate().skip(i) {
            // equal settings: one table index, or defaults with the same bin width
            let same = r.sequence == r0.sequence
                && r.settings == r0.settings
                && r.bin_width.to_bits() == r0.bin_width.to_bits()
                && r.label == r0.label;
            if same {
                if let (Some(d), Some(x), Some(n)) =
                    (done.get_mut(j), idx.get_mut(k), names.get_mut(k))
                {
                    *d = true;
                    *x = j;
                    *n = r.recipe().map_err(|e| Failure::Core("recipe", e))?;
                    k += 1;
                }
            }
        }
        let settings = model
            .settings_of(i)
            .ok_or(Failure::Core("settings", Error::InconsistentModel))?;
        visit(&idx[..k], &names[..k], &settings, r0.label)?;
    }
    Ok(())
}

fn views<'a>(fx: &Fixture<'a>, label: u32) -> Result<(ImageView<'a>, MaskView<'a>), Failure> {
    let image = ImageView::new(Voxels::I16(fx.image), fx.dims, fx.spacing)
        .map_err(|e| Failure::Core("image", e))?;
    let mask = MaskView::new(MaskVoxels::U8(fx.mask), fx.dims, label)
        .map_err(|e| Failure::Core("mask", e))?;
    Ok((image, mask))
}

/// Scratch (f64 elements) the extraction of `model`'s features on the fixture needs (the maximum
/// over the groups; see `radscore_core::extract` for the formula).
pub fn scratch_needed(fx: &Fixture<'_>, model: &Model) -> Result<usize, Failure> {
    let mut need = 0usize;
    for_each_group(model, |_, names, _, label| {
        let (image, mask) = views(fx, label)?;
        let n = extract::scratch_len(&image, &mask, names)
            .map_err(|e| Failure::Core("scratch_len", e))?;
        need = need.max(n);
        Ok(())
    })?;
    Ok(need)
}

/// Computes the model's features on the fixture into `values[..model.features.len()]`.
pub fn extract_features(
    fx: &Fixture<'_>,
    model: &Model,
    scratch: &mut [f64],
    values: &mut [f64],
) -> Result<(), Failure> {
    for_each_group(model, |idx, names, settings, label| {
        let (image, mask) = views(fx, label)?;
        let mut vals = [0f64; MAX_FEATURES];
        let out = vals
            .get_mut(..names.len())
            .ok_or(Failure::Capacity("features"))?;
        extract::extract_with(&image, &mask, names, settings, out, scratch)
            .map_err(|e| Failure::Core("extract", e))?;
        for (&i, &v) in idx.iter().zip(out.iter()) {
            if let Some(slot) = values.get_mut(i) {
                *slot = v;
            }
        }
        Ok(())
    })
}

/// Decodes the artifact in place into `model` (caller storage: a `static` in the firmware). Never
/// inlined, so that the firmware's size report can attribute the decoder's code (symbol
/// `check::decode`) to the scoring path.
#[inline(never)]
pub fn decode(fx: &Fixture<'_>, model: &mut Model) -> Result<(), Failure> {
    model
        .decode_from(fx.model)
        .map_err(|e| Failure::Core("decode", e))
}

/// Scores `features` (model order) with the fixture's clinical values. Never inlined (see
/// [`decode`]).
#[inline(never)]
pub fn score(fx: &Fixture<'_>, model: &Model, features: &[f64]) -> Result<Score, Failure> {
    model
        .score(features, fx.clinical)
        .map_err(|e| Failure::Core("score", e))
}

/// Repetition counts of the measured steps (0 in the normal check; the firmware's bench builds
/// raise them to get per-call instruction counts by difference).
#[derive(Clone, Copy, Default)]
pub struct Repeat {
    /// Extra `Model::decode_from` calls.
    pub decode: u32,
    /// Extra `Model::score` calls.
    pub score: u32,
    /// Extra full feature extractions.
    pub extract: u32,
}

/// The extraction step: prints the scratch size, checks the buffer, extracts (plus `repeat`
/// extra times).
pub fn extract_step(
    out: &mut dyn Write,
    fx: &Fixture<'_>,
    model: &Model,
    scratch: &mut [f64],
    values: &mut [f64],
    repeat: u32,
) -> Result<(), Failure> {
    let need = scratch_needed(fx, model)?;
    put_line_u32(out, "scratch_len", u32::try_from(need).unwrap_or(u32::MAX))?;
    if need > scratch.len() {
        return Err(Failure::Capacity("scratch buffer"));
    }
    extract_features(fx, model, scratch, values)?;
    for _ in 0..repeat {
        extract_features(fx, model, scratch, core::hint::black_box(&mut *values))?;
    }
    Ok(())
}

/// How the features are obtained: `(output, decoded model, values in model order)`.
pub type FeatureStep<'a> =
    dyn FnMut(&mut dyn Write, &Model, &mut [f64]) -> Result<(), Failure> + 'a;

/// The whole check: decode into `model` (caller storage), features (by `features`: extraction,
/// or the host's values in the scoring-only firmware), score, corruptions (decoded into the same
/// storage, after scoring). Prints every value.
pub fn run(
    out: &mut dyn Write,
    fx: &Fixture<'_>,
    model: &mut Model,
    artifact: &mut [u8],
    repeat: Repeat,
    features: &mut FeatureStep<'_>,
) -> Result<(), Failure> {
    decode(fx, model)?;
    for _ in 0..repeat.decode {
        core::hint::black_box(&mut *model)
            .decode_from(core::hint::black_box(fx.model))
            .map_err(|e| Failure::Core("decode", e))?;
    }
    {
        let model = &*model;
        let n = model.features.len();
        let mut buf = [0f64; MAX_FEATURES];
        let values = buf.get_mut(..n).ok_or(Failure::Capacity("features"))?;
        features(out, model, values)?;
        print_features(out, model, values)?;
        let s = score(fx, model, values)?;
        for _ in 0..repeat.score {
            core::hint::black_box(model.score(
                core::hint::black_box(&*values),
                core::hint::black_box(fx.clinical),
            ))
            .map_err(|e| Failure::Core("score", e))?;
        }
        print_score(out, &s)?;
    }
    corruptions(out, fx, artifact, model)
}

/// Prints the decoded model's shape and the features.
pub fn print_features(out: &mut dyn Write, model: &Model, features: &[f64]) -> Result<(), Failure> {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    put_line_u32(out, "model.features", count(model.features.len()))?;
    put_line_u32(out, "model.clinical", count(model.clinical.len()))?;
    for (i, (r, v)) in model.features.iter().zip(features.iter()).enumerate() {
        if super::TEXT {
            write!(out, "feature[{i}] {}_{}", r.sequence.as_str(), r.name)?;
            put_f64_value(out, *v)?;
        } else {
            put_f64_at(out, "feature", i, *v)?;
        }
    }
    Ok(())
}

/// Prints every output of the nomogram.
pub fn print_score(out: &mut dyn Write, s: &Score) -> Result<(), Failure> {
    put_f64(out, "radscore", s.radscore)?;
    put_f64(out, "linear_predictor", s.linear_predictor)?;
    put_f64(out, "probability", s.probability)?;
    put_line_u32(out, "predicted_class", u32::from(s.predicted_class))?;
    put_f64(out, "total_points", s.total_points)?;
    for (i, p) in s.points().iter().enumerate() {
        put_f64_at(out, "points", i, *p)?;
    }
    Ok(())
}

/// Corrupts copies of the artifact in `buf` (at least `fx.model.len() + 1` bytes) and requires
/// every one to be rejected by [`Model::decode_from`] into `model`; prints the error code of each.
pub fn corruptions(
    out: &mut dyn Write,
    fx: &Fixture<'_>,
    buf: &mut [u8],
    model: &mut Model,
) -> Result<(), Failure> {
    let n = fx.model.len();
    if n < 8 || buf.len() < n + 1 {
        return Err(Failure::Capacity("artifact copy"));
    }
    // (name, byte position, bit): magic, version, a byte of the body, the last byte (CRC).
    let flips: [(&'static str, usize, u8); 4] = [
        ("flip magic", 0, 0),
        ("flip version", 4, 3), // 2 -> 10: unknown to every core (bit 0 would give 3, which only cores with format3 read)
        ("flip body", n / 2, 5),
        ("flip crc", n - 1, 7),
    ];
    for (name, pos, bit) in flips {
        let copy = buf.get_mut(..n).ok_or(Failure::Capacity("artifact copy"))?;
        copy.copy_from_slice(fx.model);
        if let Some(b) = copy.get_mut(pos) {
            *b ^= 1 << bit;
        }
        reject(out, name, model.decode_from(copy))?;
    }
    let copy = buf.get_mut(..n).ok_or(Failure::Capacity("artifact copy"))?;
    copy.copy_from_slice(fx.model);
    reject(
        out,
        "truncate",
        model.decode_from(copy.get(..n - 1).unwrap_or(&[])),
    )?;
    let copy = buf
        .get_mut(..n + 1)
        .ok_or(Failure::Capacity("artifact copy"))?;
    if let Some((last, head)) = copy.split_last_mut() {
        head.copy_from_slice(fx.model);
        *last = 0;
    }
    reject(out, "append", model.decode_from(copy))?;
    Ok(())
}

fn reject(out: &mut dyn Write, name: &'static str, r: Result<(), Error>) -> Result<(), Failure> {
    match r {
        Ok(()) => {
            put(out, &["corrupt ", name, " = ACCEPTED\n"])?;
            Err(Failure::CorruptAccepted(name))
        }
        Err(e) => {
            put(out, &["corrupt ", name, " = rejected code "])?;
            put_u32(out, e.code())?;
            if super::TEXT {
                put(out, &[" (", e.message(), ")"])?;
            }
            out.write_char('\n')?;
            Ok(())
        }
    }
}

/// Prints the final line from the outcome.
pub fn print_result(out: &mut dyn Write, r: &Result<(), Failure>) -> fmt::Result {
    match r {
        Ok(()) => out.write_str("result = ok\n"),
        Err(Failure::Core(step, e)) => {
            put(out, &["result = FAIL ", step, ": code "])?;
            put_u32(out, e.code())?;
            if super::TEXT {
                put(out, &[" (", e.message(), ")"])?;
            }
            out.write_char('\n')
        }
        Err(Failure::CorruptAccepted(name)) => put(
            out,
            &["result = FAIL corrupted artifact accepted: ", name, "\n"],
        ),
        Err(Failure::Capacity(what)) => put(out, &["result = FAIL capacity: ", what, "\n"]),
        Err(Failure::Output) => out.write_str("result = FAIL output\n"),
    }
}
