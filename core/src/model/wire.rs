//! Reader of the artifact body — the postcard 1.x wire format of [`Model`]
//! (`docs/artifact-format.md`, section "Body") — that writes every field straight into caller
//! memory.
//!
//! Why not `postcard::take_from_bytes::<Model>`: serde's derived `Deserialize` builds the model
//! by value and returns it through the visitor, the `Result`s and `Option`s around it; on a
//! Cortex-M4F that came to about eight copies of the 14 KB model, 114 KB of stack for one decode.
//! This reader fills `&mut Model` field by field (one feature recipe at a time is the largest
//! temporary) and needs a few hundred bytes of stack. The host still *writes* the body with
//! postcard (`radscore_trainer::export`); the property tests in `core/tests/model.rs` check that
//! this reader accepts exactly the bodies postcard accepts and yields the same model.
//!
//! Postcard 1.x rules reproduced here: unsigned integers are LEB128 varints of at most
//! `ceil(bits / 7)` bytes whose last byte may not carry bits beyond the type (non-canonical
//! encodings such as `80 00` for 0 are accepted, as postcard does); lengths are `usize` varints;
//! `f64` is 8 little-endian bytes; strings are a length and UTF-8 bytes; sequences a length and
//! the items; enums a `u32` varint variant index and the payload; structs and arrays their fields
//! in order without prefix.
#![deny(clippy::indexing_slicing)]

use super::{ClinicalPredictor, FeatureRecipe, Model, PredictorKind};
use crate::error::Error;
#[cfg(feature = "format1")]
use crate::names::{FirstOrderFeature, GlrlmFeature, GlszmFeature, ImageType, WaveletBand};

/// A cursor over the body bytes. Every failure is [`Error::MalformedBody`].
struct Reader<'a> {
    rest: &'a [u8],
}

const BAD: Error = Error::MalformedBody;

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if n > self.rest.len() {
            return Err(BAD);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, Error> {
        let (&b, tail) = self.rest.split_first().ok_or(BAD)?;
        self.rest = tail;
        Ok(b)
    }

    /// A varint of a `bits`-bit unsigned integer: at most `ceil(bits / 7)` bytes, and the last
    /// possible byte may only hold the `bits % 7` remaining bits.
    fn varint(&mut self, bits: u32) -> Result<u64, Error> {
        let max_bytes = bits.div_ceil(7);
        let last_max = (1u8 << (bits % 7)) - 1;
        let mut value = 0u64;
        for i in 0..max_bytes {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if i == max_bytes - 1 && b > last_max {
                    return Err(BAD);
                }
                return Ok(value);
            }
        }
        Err(BAD)
    }

    fn u32(&mut self) -> Result<u32, Error> {
        u32::try_from(self.varint(32)?).map_err(|_| BAD)
    }

    fn u64(&mut self) -> Result<u64, Error> {
        self.varint(64)
    }

    /// A length prefix (postcard writes `usize`, so its width is the target's pointer width).
    fn len(&mut self) -> Result<usize, Error> {
        usize::try_from(self.varint(usize::BITS)?).map_err(|_| BAD)
    }

    /// An enum's variant index.
    fn variant(&mut self) -> Result<u32, Error> {
        self.u32()
    }

    fn f64(&mut self) -> Result<f64, Error> {
        let b = self.take(8)?;
        let a: [u8; 8] = b.try_into().map_err(|_| BAD)?;
        Ok(f64::from_le_bytes(a))
    }

    /// A string into a fixed-capacity string (too long → malformed, as heapless' `Deserialize`).
    fn string<const N: usize>(&mut self, out: &mut heapless::String<N>) -> Result<(), Error> {
        let n = self.len()?;
        let s = core::str::from_utf8(self.take(n)?).map_err(|_| BAD)?;
        out.clear();
        out.push_str(s).map_err(|_| BAD)
    }

    /// A format-1 image type. Format 1 was written only before format 2 (names as text) existed,
    /// when the core knew original, exponential, gradient, LoG and wavelet: later image types
    /// never occur in it, and accepting them would put their names into the scoring-only
    /// firmware's flash for nothing.
    #[cfg(feature = "format1")]
    fn image_type(&mut self) -> Result<ImageType, Error> {
        Ok(match self.variant()? {
            0 => ImageType::Original,
            1 => ImageType::Exponential,
            2 => ImageType::Gradient,
            3 => ImageType::Log {
                sigma_mm: self.f64()?,
            },
            4 => ImageType::Wavelet(match self.variant()? {
                0 => WaveletBand::LLL,
                1 => WaveletBand::LLH,
                2 => WaveletBand::LHL,
                3 => WaveletBand::LHH,
                4 => WaveletBand::HLL,
                5 => WaveletBand::HLH,
                6 => WaveletBand::HHL,
                7 => WaveletBand::HHH,
                _ => return Err(BAD),
            }),
            _ => return Err(BAD),
        })
    }

    /// A feature: class index, then the index of the feature in its enum's declaration order
    /// (`ALL` lists the variants in that order), as `(class name, feature name)`. Format 1 knew
    /// first order, GLSZM and GLRLM only (see [`Reader::image_type`]); only their name tables are
    /// referenced here, so the scoring-only firmware does not carry the other classes' names.
    #[cfg(feature = "format1")]
    fn feature(&mut self) -> Result<(&'static str, &'static str), Error> {
        fn pick<T: Copy>(all: &[T], i: u32) -> Result<T, Error> {
            usize::try_from(i)
                .ok()
                .and_then(|i| all.get(i))
                .copied()
                .ok_or(BAD)
        }
        Ok(match self.variant()? {
            0 => (
                "firstorder",
                pick(FirstOrderFeature::ALL, self.variant()?)?.pyradiomics_name(),
            ),
            1 => ("glszm", pick(GlszmFeature::ALL, self.variant()?)?.name()),
            2 => ("glrlm", pick(GlrlmFeature::ALL, self.variant()?)?.name()),
            _ => return Err(BAD),
        })
    }

    /// A feature recipe of format 2: the name is a string.
    fn recipe(&mut self) -> Result<FeatureRecipe, Error> {
        let mut sequence = heapless::String::new();
        self.string(&mut sequence)?;
        let mut name = heapless::String::new();
        self.string(&mut name)?;
        self.recipe_rest(sequence, name)
    }

    /// A feature recipe of format 1: the name is the typed `FeatureName` (image type enum +
    /// feature enum), converted to its PyRadiomics text. A name whose text does not fit
    /// [`super::MAX_FEATURE_NAME`] (only a LoG sigma with dozens of digits) is
    /// [`Error::CapacityExceeded`].
    #[cfg(feature = "format1")]
    fn recipe_v1(&mut self) -> Result<FeatureRecipe, Error> {
        let mut sequence = heapless::String::new();
        self.string(&mut sequence)?;
        let image_type = self.image_type()?;
        let (class, feature) = self.feature()?;
        let mut name = heapless::String::new();
        (|| {
            use core::fmt::Write;
            image_type.write_to(&mut name)?;
            name.write_str("_")?;
            name.write_str(class)?;
            name.write_str("_")?;
            name.write_str(feature)
        })()
        .map_err(|_| Error::CapacityExceeded)?;
        self.recipe_rest(sequence, name)
    }

    fn recipe_rest(
        &mut self,
        sequence: super::ShortName,
        name: super::FeatureText,
    ) -> Result<FeatureRecipe, Error> {
        Ok(FeatureRecipe {
            sequence,
            name,
            bin_width: self.f64()?,
            label: self.u32()?,
            mean: self.f64()?,
            sd: self.f64()?,
            coefficient: self.f64()?,
        })
    }

    fn clinical(&mut self) -> Result<ClinicalPredictor, Error> {
        let mut name = heapless::String::new();
        self.string(&mut name)?;
        let kind = match self.variant()? {
            0 => PredictorKind::Continuous,
            1 => PredictorKind::Binary,
            _ => return Err(BAD),
        };
        let mut unit = heapless::String::new();
        self.string(&mut unit)?;
        Ok(ClinicalPredictor {
            name,
            kind,
            unit,
            coefficient: self.f64()?,
            axis_min: self.f64()?,
            axis_max: self.f64()?,
        })
    }

    /// A sequence into a fixed-capacity vector, one item at a time (more items than the capacity
    /// → malformed, as heapless' `Deserialize`).
    fn seq<T, const N: usize>(
        &mut self,
        out: &mut heapless::Vec<T, N>,
        item: fn(&mut Self) -> Result<T, Error>,
    ) -> Result<(), Error> {
        let n = self.len()?;
        out.clear();
        for _ in 0..n {
            let x = item(self)?;
            out.push(x).map_err(|_| BAD)?;
        }
        Ok(())
    }

    fn model(&mut self, m: &mut Model, version: u16) -> Result<(), Error> {
        match version {
            #[cfg(feature = "format1")]
            1 => self.seq(&mut m.features, Self::recipe_v1)?,
            2 => self.seq(&mut m.features, Self::recipe)?,
            _ => return Err(Error::UnsupportedVersion),
        }
        m.radscore_intercept = self.f64()?;
        m.combined_intercept = self.f64()?;
        m.radscore_coefficient = self.f64()?;
        m.radscore_axis = [self.f64()?, self.f64()?];
        self.seq(&mut m.clinical, Self::clinical)?;
        m.points_per_unit = self.f64()?;
        m.threshold = self.f64()?;
        let meta = &mut m.meta;
        self.string(&mut meta.model_id)?;
        meta.created_unix = self.u64()?;
        self.string(&mut meta.trainer_version)?;
        meta.n_train = self.u32()?;
        meta.n_test = self.u32()?;
        meta.n_positive_train = self.u32()?;
        meta.n_positive_test = self.u32()?;
        meta.auc_train = self.f64()?;
        meta.auc_test = self.f64()?;
        Ok(())
    }
}

/// Reads one postcard-encoded [`Model`] of the current format
/// ([`super::artifact::FORMAT_VERSION`]) from the start of `body` into `out`; see
/// [`read_model_version`].
///
/// # Errors
/// As [`read_model_version`].
pub fn read_model(body: &[u8], out: &mut Model) -> Result<usize, Error> {
    read_model_version(body, super::artifact::FORMAT_VERSION, out)
}

/// Reads one postcard-encoded model body of format `version` (1: feature names as typed enums;
/// 2: feature names as strings) from the start of `body` into `out` and returns the number of
/// bytes it used (the caller decides whether anything may follow). The model is not validated.
/// On error `out` holds no features and no clinical predictors (so it cannot pass
/// [`Model::validate`]); its other fields are unspecified.
///
/// # Errors
/// [`Error::MalformedBody`] for anything postcard would reject for a `Model` of that format:
/// truncation, a varint too long or out of range, a string that is not UTF-8 or over its
/// capacity, a sequence over its capacity, an unknown enum variant;
/// [`Error::UnsupportedVersion`] for a version other than 1 and 2; [`Error::CapacityExceeded`]
/// for a format-1 name whose text exceeds [`super::MAX_FEATURE_NAME`].
pub fn read_model_version(body: &[u8], version: u16, out: &mut Model) -> Result<usize, Error> {
    let mut r = Reader { rest: body };
    match r.model(out, version) {
        Ok(()) => Ok(body.len() - r.rest.len()),
        Err(e) => {
            out.invalidate();
            Err(e)
        }
    }
}
