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

use super::{ClinicalPredictor, FeatureRecipe, Model, PredictorKind, DEFAULT_SETTINGS};
use crate::error::Error;
#[cfg(feature = "format1")]
use crate::names::{FirstOrderFeature, GlrlmFeature, GlszmFeature, ImageType, WaveletBand};
#[cfg(feature = "format3")]
use crate::settings::{
    Binning, Interpolator, Normalize, Resample, Resegment, ResegmentMode, Settings, WaveletFamily,
    WeightingNorm, MAX_DISTANCES,
};

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

    /// A `u8`: postcard writes it as one raw byte.
    #[cfg(feature = "format3")]
    fn u8(&mut self) -> Result<u8, Error> {
        self.byte()
    }

    /// A `bool`: one byte, 0 or 1.
    #[cfg(feature = "format3")]
    fn bool(&mut self) -> Result<bool, Error> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(BAD),
        }
    }

    /// An `Option`'s tag: one byte, 0 (`None`) or 1 (`Some`, the value follows).
    #[cfg(feature = "format3")]
    fn some(&mut self) -> Result<bool, Error> {
        self.bool()
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
            settings: DEFAULT_SETTINGS,
        })
    }

    /// A feature recipe of format 3: format 2's, then the settings index (`u8`).
    #[cfg(feature = "format3")]
    fn recipe_v3(&mut self) -> Result<FeatureRecipe, Error> {
        let mut r = self.recipe()?;
        r.settings = self.u8()?;
        Ok(r)
    }

    /// One settings-table entry (`radscore_core::settings::Settings`, its fields in declaration
    /// order; `docs/artifact-format.md`, "Format 3").
    #[cfg(feature = "format3")]
    fn settings(&mut self) -> Result<Settings, Error> {
        let binning = match self.variant()? {
            0 => Binning::Width(self.f64()?),
            1 => Binning::Count(self.u32()?),
            _ => return Err(BAD),
        };
        let voxel_array_shift = self.f64()?;
        let normalize = if self.some()? {
            Some(Normalize {
                scale: self.f64()?,
                remove_outliers: if self.some()? {
                    Some(self.f64()?)
                } else {
                    None
                },
            })
        } else {
            None
        };
        let resample = if self.some()? {
            Some(Resample {
                spacing: [self.f64()?, self.f64()?, self.f64()?],
                interpolator: match self.variant()? {
                    0 => Interpolator::NearestNeighbor,
                    1 => Interpolator::Linear,
                    2 => Interpolator::BSpline,
                    3 => Interpolator::Gaussian,
                    4 => Interpolator::LabelGaussian,
                    5 => Interpolator::HammingWindowedSinc,
                    6 => Interpolator::CosineWindowedSinc,
                    7 => Interpolator::WelchWindowedSinc,
                    8 => Interpolator::LanczosWindowedSinc,
                    9 => Interpolator::BlackmanWindowedSinc,
                    _ => return Err(BAD),
                },
                pad_distance: self.u32()?,
            })
        } else {
            None
        };
        let pre_crop = self.bool()?;
        let resegment = if self.some()? {
            Some(Resegment {
                lo: self.f64()?,
                hi: self.f64()?,
                mode: match self.variant()? {
                    0 => ResegmentMode::Absolute,
                    1 => ResegmentMode::Relative,
                    2 => ResegmentMode::Sigma,
                    _ => return Err(BAD),
                },
                shape: self.bool()?,
            })
        } else {
            None
        };
        let force_2d = if self.some()? { Some(self.u8()?) } else { None };
        let mut distances = [0u32; MAX_DISTANCES];
        for d in distances.iter_mut() {
            *d = self.u32()?;
        }
        let n_distances = self.u8()?;
        let symmetrical_glcm = self.bool()?;
        let weighting_norm = match self.variant()? {
            0 => WeightingNorm::None,
            1 => WeightingNorm::Manhattan,
            2 => WeightingNorm::Euclidean,
            3 => WeightingNorm::Infinity,
            4 => WeightingNorm::NoWeighting,
            _ => return Err(BAD),
        };
        let gldm_a = self.f64()?;
        let minimum_roi_dimensions = self.u8()?;
        let minimum_roi_size = if self.some()? {
            Some(self.u32()?)
        } else {
            None
        };
        let wavelet = match self.variant()? {
            0 => WaveletFamily::Haar,
            1 => WaveletFamily::Db(self.u8()?),
            2 => WaveletFamily::Sym(self.u8()?),
            3 => WaveletFamily::Coif(self.u8()?),
            _ => return Err(BAD),
        };
        Ok(Settings {
            binning,
            voxel_array_shift,
            normalize,
            resample,
            pre_crop,
            resegment,
            force_2d,
            distances,
            n_distances,
            symmetrical_glcm,
            weighting_norm,
            gldm_a,
            minimum_roi_dimensions,
            minimum_roi_size,
            wavelet,
            wavelet_start_level: self.u8()?,
            wavelet_level: self.u8()?,
            gradient_use_spacing: self.bool()?,
            pad_distance: self.u32()?,
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
            #[cfg(feature = "format3")]
            3 => self.seq(&mut m.features, Self::recipe_v3)?,
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
        m.settings.clear();
        #[cfg(feature = "format3")]
        if version >= 3 {
            self.seq(&mut m.settings, Self::settings)?;
        }
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
/// 2: feature names as strings; 3: format 2 with a settings index per recipe and the settings
/// table at the end) from the start of `body` into `out` and returns the number of
/// bytes it used (the caller decides whether anything may follow). The model is not validated.
/// On error `out` holds no features and no clinical predictors (so it cannot pass
/// [`Model::validate`]); its other fields are unspecified.
///
/// # Errors
/// [`Error::MalformedBody`] for anything postcard would reject for a `Model` of that format:
/// truncation, a varint too long or out of range, a string that is not UTF-8 or over its
/// capacity, a sequence over its capacity, an unknown enum variant;
/// [`Error::UnsupportedVersion`] for a version other than 1, 2 and 3; [`Error::CapacityExceeded`]
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
