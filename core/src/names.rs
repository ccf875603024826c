//! PyRadiomics feature names: parse and print.
//!
//! A name is `<image type>_<class>_<feature>`, e.g. `original_firstorder_Kurtosis`,
//! `log-sigma-3-0-mm-3D_glszm_SmallAreaEmphasis`, `wavelet-LHL_glrlm_RunLengthNonUniformityNormalized`.
//! Wavelet letters are in x, y, z order (PyRadiomics/pywt `swtn` naming on an ITK image).
//!
//! Names that PyRadiomics knows but this core does not compute (other image types such as `lbp-2D`, deprecated features such as `glcm_Dissimilarity`) are
//! [`Error::UnsupportedFeature`]; anything else is
//! [`Error::UnknownFeatureName`]. Nothing is ever silently skipped.

use crate::filters::lbp3d::Lbp3dImage;
use crate::Error;
use core::fmt;
use serde::{Deserialize, Serialize};

/// A stationary-wavelet sub-band: three letters (the filters along x, y, z) and the level as
/// PyRadiomics numbers it in the name (`wavelet-LLH` is level 1, `wavelet2-LLH` level 2, …: the
/// k-th transform after `start_level`; see [`crate::filters::wavelet`]).
///
/// The constants [`WaveletBand::LLL`] … [`WaveletBand::HHH`] are the level-1 bands;
/// [`WaveletBand::at_level`] gives the same letters at another level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WaveletBand {
    /// Bit 2: high-pass along x, bit 1: along y, bit 0: along z.
    highs: u8,
    /// PyRadiomics' level in the name (≥ 1).
    level: u8,
}

const BAND_LETTERS: [&str; 8] = ["LLL", "LLH", "LHL", "LHH", "HLL", "HLH", "HHL", "HHH"];

#[allow(missing_docs)]
impl WaveletBand {
    pub const LLL: WaveletBand = WaveletBand::level1(0);
    pub const LLH: WaveletBand = WaveletBand::level1(1);
    pub const LHL: WaveletBand = WaveletBand::level1(2);
    pub const LHH: WaveletBand = WaveletBand::level1(3);
    pub const HLL: WaveletBand = WaveletBand::level1(4);
    pub const HLH: WaveletBand = WaveletBand::level1(5);
    pub const HHL: WaveletBand = WaveletBand::level1(6);
    pub const HHH: WaveletBand = WaveletBand::level1(7);

    const fn level1(highs: u8) -> WaveletBand {
        WaveletBand { highs, level: 1 }
    }

    /// The level-1 bands in PyRadiomics' output order (the seven details, then the
    /// approximation `LLL`, which PyRadiomics yields for the last level only).
    pub const ALL: [WaveletBand; 8] = [
        WaveletBand::LLH,
        WaveletBand::LHL,
        WaveletBand::LHH,
        WaveletBand::HLL,
        WaveletBand::HLH,
        WaveletBand::HHL,
        WaveletBand::HHH,
        WaveletBand::LLL,
    ];

    /// The same letters at PyRadiomics level `level` (≥ 1; 0 is taken as 1).
    pub const fn at_level(self, level: u8) -> WaveletBand {
        WaveletBand {
            highs: self.highs,
            level: if level == 0 { 1 } else { level },
        }
    }

    /// PyRadiomics' level in the name (1 for `wavelet-`, k for `wavelet{k}-`).
    pub const fn level(self) -> u8 {
        self.level
    }

    /// Every band PyRadiomics yields for `level` levels, in its order: the seven details of
    /// level 1, …, of level `level`, then `wavelet{level}-LLL`.
    pub fn pyradiomics_order(level: u8) -> impl Iterator<Item = WaveletBand> {
        (1..=level)
            .flat_map(|k| WaveletBand::ALL.iter().take(7).map(move |b| b.at_level(k)))
            .chain(core::iter::once(WaveletBand::LLL.at_level(level)))
    }

    /// The three letters, x first.
    pub const fn letters(self) -> &'static str {
        BAND_LETTERS[(self.highs & 7) as usize]
    }

    /// `true` where the band is high-pass along axis `axis` (0 = x, 1 = y, 2 = z).
    pub fn high_pass(self, axis: usize) -> bool {
        axis < 3 && self.highs & (4 >> axis) != 0
    }

    /// Letters at level 1.
    fn parse(s: &str) -> Option<WaveletBand> {
        WaveletBand::ALL.iter().copied().find(|b| b.letters() == s)
    }
}

/// The image a feature is computed on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum ImageType {
    /// The image as acquired.
    Original,
    /// `exp(x · ln(max|x|) / max|x|)` over the whole image.
    Exponential,
    /// Gradient magnitude (SimpleITK, image spacing, float32 output).
    Gradient,
    /// Laplacian of Gaussian with this sigma in mm (3-D).
    Log {
        /// Gaussian sigma in millimetres.
        sigma_mm: f64,
    },
    /// One stationary-wavelet sub-band (its level is part of the band; the family and
    /// `start_level` are settings, [`crate::settings::Settings`]).
    Wavelet(WaveletBand),
    /// `(x / sqrt(max|x|))²` over the whole image (PyRadiomics `square`).
    Square,
    /// `sign(x) · sqrt(|x| · max|x|)` over the whole image (PyRadiomics `squareroot`).
    SquareRoot,
    /// `sign(x) · ln(|x| + 1) · max|x| / ln(max|x| + 1)` over the whole image (`logarithm`).
    Logarithm,
    /// LBP3D (`lbp-3D-m1`, `lbp-3D-m2`, `lbp-3D-k`) with PyRadiomics' default settings
    /// ([`crate::filters::lbp3d`]).
    Lbp3d(crate::filters::lbp3d::Lbp3dImage),
}

/// A feature class.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FeatureClass {
    FirstOrder,
    Glszm,
    Glrlm,
    Glcm,
    Gldm,
    Ngtdm,
    /// Shape (3-D), computed on the mask of the original image only.
    Shape,
    /// Shape of a single-slice ROI (`shape2D`, with `force2D`), original image only.
    Shape2D,
}

impl FeatureClass {
    /// PyRadiomics' class name (`firstorder`, `glszm`, `glrlm`, `glcm`, `gldm`, `ngtdm`).
    pub const fn name(self) -> &'static str {
        match self {
            FeatureClass::FirstOrder => "firstorder",
            FeatureClass::Glszm => "glszm",
            FeatureClass::Glrlm => "glrlm",
            FeatureClass::Glcm => "glcm",
            FeatureClass::Gldm => "gldm",
            FeatureClass::Ngtdm => "ngtdm",
            FeatureClass::Shape => "shape",
            FeatureClass::Shape2D => "shape2D",
        }
    }
}

macro_rules! feature_enum {
    ($(#[$m:meta])* $name:ident { $($v:ident),* $(,)? }) => {
        $(#[$m])*
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($v),* }
        impl $name {
            /// Every feature of the class, in PyRadiomics' alphabetical output order.
            pub const ALL: &'static [$name] = &[$($name::$v),*];
            /// The PyRadiomics feature name (without image type and class).
            pub const fn name(self) -> &'static str {
                match self { $($name::$v => { let s = stringify!($v); s }),* }
            }
            #[allow(dead_code)]
            fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|f| f.name() == s)
            }
        }
    };
}

feature_enum!(
    /// The 18 first-order features of PyRadiomics 3.0.1 (`radiomics/firstorder.py`).
    /// `10Percentile` and `90Percentile` are spelled `P10`/`P90` in Rust; [`FirstOrderFeature::name`]
    /// returns the PyRadiomics spelling through [`FirstOrderFeature::pyradiomics_name`].
    FirstOrderFeature {
        P10, P90, Energy, Entropy, InterquartileRange, Kurtosis, Maximum, MeanAbsoluteDeviation,
        Mean, Median, Minimum, Range, RobustMeanAbsoluteDeviation, RootMeanSquared, Skewness,
        TotalEnergy, Uniformity, Variance,
    }
);

impl FirstOrderFeature {
    /// The PyRadiomics spelling (`10Percentile`, `90Percentile`, otherwise the variant name).
    pub const fn pyradiomics_name(self) -> &'static str {
        match self {
            FirstOrderFeature::P10 => "10Percentile",
            FirstOrderFeature::P90 => "90Percentile",
            other => other.name(),
        }
    }

    fn parse_py(s: &str) -> Option<FirstOrderFeature> {
        FirstOrderFeature::ALL
            .iter()
            .copied()
            .find(|f| f.pyradiomics_name() == s)
    }
}

feature_enum!(
    /// The 16 GLSZM features of PyRadiomics 3.0.1 (`radiomics/glszm.py`).
    GlszmFeature {
        GrayLevelNonUniformity, GrayLevelNonUniformityNormalized, GrayLevelVariance,
        HighGrayLevelZoneEmphasis, LargeAreaEmphasis, LargeAreaHighGrayLevelEmphasis,
        LargeAreaLowGrayLevelEmphasis, LowGrayLevelZoneEmphasis, SizeZoneNonUniformity,
        SizeZoneNonUniformityNormalized, SmallAreaEmphasis, SmallAreaHighGrayLevelEmphasis,
        SmallAreaLowGrayLevelEmphasis, ZoneEntropy, ZonePercentage, ZoneVariance,
    }
);

feature_enum!(
    /// The 16 GLRLM features of PyRadiomics 3.0.1 (`radiomics/glrlm.py`).
    GlrlmFeature {
        GrayLevelNonUniformity, GrayLevelNonUniformityNormalized, GrayLevelVariance,
        HighGrayLevelRunEmphasis, LongRunEmphasis, LongRunHighGrayLevelEmphasis,
        LongRunLowGrayLevelEmphasis, LowGrayLevelRunEmphasis, RunEntropy, RunLengthNonUniformity,
        RunLengthNonUniformityNormalized, RunPercentage, RunVariance, ShortRunEmphasis,
        ShortRunHighGrayLevelEmphasis, ShortRunLowGrayLevelEmphasis,
    }
);

feature_enum!(
    /// The 14 non-deprecated 3-D shape features of PyRadiomics 3.0.1 (`radiomics/shape.py`).
    /// Only `original_shape_*` exists: PyRadiomics computes shape once, on the mask.
    ShapeFeature {
        Elongation, Flatness, LeastAxisLength, MajorAxisLength, Maximum2DDiameterColumn,
        Maximum2DDiameterRow, Maximum2DDiameterSlice, Maximum3DDiameter, MeshVolume,
        MinorAxisLength, Sphericity, SurfaceArea, SurfaceVolumeRatio, VoxelVolume,
    }
);

feature_enum!(
    /// The 24 default GLCM features of PyRadiomics 3.0.1 (`radiomics/glcm.py`; the deprecated
    /// Dissimilarity, Homogeneity1, Homogeneity2 and SumVariance produce no value there).
    GlcmFeature {
        Autocorrelation, ClusterProminence, ClusterShade, ClusterTendency, Contrast, Correlation,
        DifferenceAverage, DifferenceEntropy, DifferenceVariance, Id, Idm, Idmn, Idn, Imc1, Imc2,
        InverseVariance, JointAverage, JointEnergy, JointEntropy, MCC, MaximumProbability,
        SumAverage, SumEntropy, SumSquares,
    }
);

feature_enum!(
    /// The 14 default GLDM features of PyRadiomics 3.0.1 (`radiomics/gldm.py`; the deprecated
    /// GrayLevelNonUniformityNormalized and DependencePercentage produce no value there).
    GldmFeature {
        DependenceEntropy, DependenceNonUniformity, DependenceNonUniformityNormalized,
        DependenceVariance, GrayLevelNonUniformity, GrayLevelVariance, HighGrayLevelEmphasis,
        LargeDependenceEmphasis, LargeDependenceHighGrayLevelEmphasis,
        LargeDependenceLowGrayLevelEmphasis, LowGrayLevelEmphasis, SmallDependenceEmphasis,
        SmallDependenceHighGrayLevelEmphasis, SmallDependenceLowGrayLevelEmphasis,
    }
);

feature_enum!(
    /// The 9 non-deprecated 2-D shape features of PyRadiomics 3.0.1 (`radiomics/shape2D.py`).
    /// Only `original_shape2D_*` exists, with `force2D` and a single-slice ROI.
    Shape2DFeature {
        Elongation, MajorAxisLength, MaximumDiameter, MeshSurface, MinorAxisLength, Perimeter,
        PerimeterSurfaceRatio, PixelSurface, Sphericity,
    }
);

feature_enum!(
    /// The 5 NGTDM features of PyRadiomics 3.0.1 (`radiomics/ngtdm.py`).
    NgtdmFeature {
        Busyness, Coarseness, Complexity, Contrast, Strength,
    }
);

/// A feature within its class.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Feature {
    FirstOrder(FirstOrderFeature),
    Glszm(GlszmFeature),
    Glrlm(GlrlmFeature),
    Glcm(GlcmFeature),
    Gldm(GldmFeature),
    Ngtdm(NgtdmFeature),
    Shape(ShapeFeature),
    Shape2D(Shape2DFeature),
}

impl Feature {
    /// The class of the feature.
    pub const fn class(self) -> FeatureClass {
        match self {
            Feature::FirstOrder(_) => FeatureClass::FirstOrder,
            Feature::Glszm(_) => FeatureClass::Glszm,
            Feature::Glrlm(_) => FeatureClass::Glrlm,
            Feature::Glcm(_) => FeatureClass::Glcm,
            Feature::Gldm(_) => FeatureClass::Gldm,
            Feature::Ngtdm(_) => FeatureClass::Ngtdm,
            Feature::Shape(_) => FeatureClass::Shape,
            Feature::Shape2D(_) => FeatureClass::Shape2D,
        }
    }

    /// The PyRadiomics feature name within its class.
    pub const fn name(self) -> &'static str {
        match self {
            Feature::FirstOrder(f) => f.pyradiomics_name(),
            Feature::Glszm(f) => f.name(),
            Feature::Glrlm(f) => f.name(),
            Feature::Glcm(f) => f.name(),
            Feature::Gldm(f) => f.name(),
            Feature::Ngtdm(f) => f.name(),
            Feature::Shape(f) => f.name(),
            Feature::Shape2D(f) => f.name(),
        }
    }

    /// Every feature the core computes on every image type (93), class by class in
    /// PyRadiomics' output order (firstorder, glcm, glrlm, glszm, gldm, ngtdm), each class
    /// alphabetical. Shape features exist for the original image only: see [`ShapeFeature::ALL`].
    pub fn all() -> impl Iterator<Item = Feature> {
        FirstOrderFeature::ALL
            .iter()
            .map(|f| Feature::FirstOrder(*f))
            .chain(GlcmFeature::ALL.iter().map(|f| Feature::Glcm(*f)))
            .chain(GlrlmFeature::ALL.iter().map(|f| Feature::Glrlm(*f)))
            .chain(GlszmFeature::ALL.iter().map(|f| Feature::Glszm(*f)))
            .chain(GldmFeature::ALL.iter().map(|f| Feature::Gldm(*f)))
            .chain(NgtdmFeature::ALL.iter().map(|f| Feature::Ngtdm(*f)))
    }
}

/// A full PyRadiomics feature name: image type + feature.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FeatureName {
    /// The image the feature is computed on.
    pub image_type: ImageType,
    /// The feature (which implies its class).
    pub feature: Feature,
}

/// Deprecated PyRadiomics 3.0.1 features: known names that PyRadiomics never outputs.
const DEPRECATED: &[(&str, &str)] = &[
    ("firstorder", "StandardDeviation"),
    ("glcm", "Dissimilarity"),
    ("glcm", "Homogeneity1"),
    ("glcm", "Homogeneity2"),
    ("glcm", "SumVariance"),
    ("gldm", "GrayLevelNonUniformityNormalized"),
    ("gldm", "DependencePercentage"),
    // PyRadiomics computes these shape features only when named.
    ("shape", "Compactness1"),
    ("shape", "Compactness2"),
    ("shape", "SphericalDisproportion"),
    ("shape2D", "SphericalDisproportion"),
];
const OTHER_IMAGE_TYPES: &[&str] = &["lbp-2D"];

fn parse_image_type(s: &str) -> Result<ImageType, Error> {
    match s {
        "original" => return Ok(ImageType::Original),
        "exponential" => return Ok(ImageType::Exponential),
        "gradient" => return Ok(ImageType::Gradient),
        "square" => return Ok(ImageType::Square),
        "squareroot" => return Ok(ImageType::SquareRoot),
        "logarithm" => return Ok(ImageType::Logarithm),
        "lbp-3D-m1" => return Ok(ImageType::Lbp3d(Lbp3dImage::M1)),
        "lbp-3D-m2" => return Ok(ImageType::Lbp3d(Lbp3dImage::M2)),
        "lbp-3D-k" => return Ok(ImageType::Lbp3d(Lbp3dImage::Kurtosis)),
        _ => {}
    }
    if let Some(rest) = s.strip_prefix("wavelet") {
        // `wavelet-XYZ` (level 1) or `wavelet{k}-XYZ`, k ≥ 2 written without leading zeros.
        let (digits, letters) = rest.split_once('-').ok_or(Error::UnknownFeatureName)?;
        let level = if digits.is_empty() {
            1
        } else if digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::UnknownFeatureName);
        } else {
            match digits.parse::<u8>() {
                Ok(k) if k >= 2 => k,
                Ok(_) => return Err(Error::UnknownFeatureName),
                // A level beyond 255: a PyRadiomics name, not computed here.
                Err(_) => return Err(Error::UnsupportedFeature),
            }
        };
        return WaveletBand::parse(letters)
            .map(|b| ImageType::Wavelet(b.at_level(level)))
            .ok_or(Error::UnknownFeatureName);
    }
    if let Some(rest) = s.strip_prefix("log-sigma-") {
        if rest.ends_with("-mm-2D") {
            return Err(Error::UnsupportedFeature);
        }
        let num = rest
            .strip_suffix("-mm-3D")
            .ok_or(Error::UnknownFeatureName)?;
        let sigma = parse_sigma(num).ok_or(Error::UnknownFeatureName)?;
        if !(sigma.is_finite() && sigma > 0.0) {
            return Err(Error::BadFilterParameter);
        }
        return Ok(ImageType::Log { sigma_mm: sigma });
    }
    if OTHER_IMAGE_TYPES.contains(&s) || s.starts_with("lbp-3D") {
        return Err(Error::UnsupportedFeature);
    }
    Err(Error::UnknownFeatureName)
}

/// `3-0` → 3.0, `0-25` → 0.25 (PyRadiomics writes `str(sigma).replace('.', '-')`).
fn parse_sigma(s: &str) -> Option<f64> {
    let mut buf = [0u8; 32];
    let bytes = s.as_bytes();
    if bytes.is_empty() || bytes.len() > buf.len() {
        return None;
    }
    let mut dashes = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let c = if b == b'-' {
            dashes += 1;
            b'.'
        } else if b.is_ascii_digit() {
            b
        } else {
            return None;
        };
        *buf.get_mut(i)? = c;
    }
    if dashes != 1 {
        return None;
    }
    core::str::from_utf8(buf.get(..bytes.len())?)
        .ok()?
        .parse::<f64>()
        .ok()
}

impl FeatureName {
    /// Parse a PyRadiomics name such as `wavelet-LHL_glrlm_RunLengthNonUniformityNormalized`.
    pub fn parse(name: &str) -> Result<FeatureName, Error> {
        // Image types never contain '_'; class names never contain '_'.
        let (image, rest) = name.split_once('_').ok_or(Error::UnknownFeatureName)?;
        let (class, feat) = rest.split_once('_').ok_or(Error::UnknownFeatureName)?;
        let image_type = parse_image_type(image)?;
        let feature = match class {
            "firstorder" => FirstOrderFeature::parse_py(feat).map(Feature::FirstOrder),
            "glszm" => GlszmFeature::parse(feat).map(Feature::Glszm),
            "glrlm" => GlrlmFeature::parse(feat).map(Feature::Glrlm),
            "glcm" => GlcmFeature::parse(feat).map(Feature::Glcm),
            "gldm" => GldmFeature::parse(feat).map(Feature::Gldm),
            "ngtdm" => NgtdmFeature::parse(feat).map(Feature::Ngtdm),
            // PyRadiomics computes shape on the original image's mask only.
            "shape" if image_type != ImageType::Original => return Err(Error::UnknownFeatureName),
            "shape" => ShapeFeature::parse(feat).map(Feature::Shape),
            "shape2D" if image_type != ImageType::Original => {
                return Err(Error::UnknownFeatureName)
            }
            "shape2D" => Shape2DFeature::parse(feat).map(Feature::Shape2D),
            _ => return Err(Error::UnknownFeatureName),
        };
        let feature = match feature {
            Some(f) => f,
            // StandardDeviation and other deprecated/disabled first-order names.
            None if DEPRECATED.contains(&(class, feat)) => return Err(Error::UnsupportedFeature),
            None => return Err(Error::UnknownFeatureName),
        };
        Ok(FeatureName {
            image_type,
            feature,
        })
    }
}

impl ImageType {
    /// Writes the PyRadiomics name (`original`, `log-sigma-3-0-mm-3D`, `wavelet-LHL`, …) with
    /// plain `write_str` calls through `dyn Write` (not inlined per writer): no `core::fmt`
    /// formatting machinery, which the scoring-only firmware would otherwise carry to name a
    /// format-1 recipe.
    pub fn write_to(&self, w: &mut dyn fmt::Write) -> fmt::Result {
        match self {
            ImageType::Original => w.write_str("original"),
            ImageType::Exponential => w.write_str("exponential"),
            ImageType::Gradient => w.write_str("gradient"),
            ImageType::Square => w.write_str("square"),
            ImageType::SquareRoot => w.write_str("squareroot"),
            ImageType::Logarithm => w.write_str("logarithm"),
            ImageType::Lbp3d(i) => w.write_str(i.name()),
            ImageType::Wavelet(b) => {
                w.write_str("wavelet")?;
                if b.level() > 1 {
                    let l = b.level();
                    let digits = [b'0' + l / 100, b'0' + (l / 10) % 10, b'0' + l % 10];
                    let skip = if l >= 100 {
                        0
                    } else if l >= 10 {
                        1
                    } else {
                        2
                    };
                    for d in digits.iter().skip(skip) {
                        w.write_char(char::from(*d))?;
                    }
                }
                w.write_str("-")?;
                w.write_str(b.letters())
            }
            ImageType::Log { sigma_mm } => {
                w.write_str("log-sigma-")?;
                write_sigma(w, *sigma_mm)?;
                w.write_str("-mm-3D")
            }
        }
    }
}

impl fmt::Display for ImageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// Writes a LoG sigma as PyRadiomics names it: Python's `str(float)` with `.` replaced by `-`
/// (`3.0` → `3-0`, `0.25` → `0-25`): the fewest fraction digits `k` (at least one) for which
/// `m / 10^k`, `m` an integer, reads back as the same f64. `m` and `10^k` (k ≤ 22) are exact
/// doubles, so their quotient is the correctly rounded value of the decimal, as Python's parser
/// gives it. The digits are written by hand: `core::fmt`'s float formatting is ~10 KB of flash,
/// which the scoring-only firmware would carry just to name a format-1 recipe.
/// Sigmas with more than 15–16 significant digits or beyond 2^53 are not names PyRadiomics users
/// write; they are an error.
fn write_sigma(f: &mut dyn fmt::Write, sigma: f64) -> fmt::Result {
    const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53
    if !(sigma.is_finite() && sigma > 0.0) {
        return Err(fmt::Error);
    }
    let mut scale = 1.0f64;
    for k in 0..=22usize {
        let m = libm::round(sigma * scale);
        if m >= LIMIT {
            break;
        }
        if m / scale == sigma {
            // m < 2^53 has at most 16 digits: two u32 halves of 8 digits (u32 division is one
            // instruction on Cortex-M4; u64 division would pull in ~0.9 KB of runtime).
            let hi = libm::floor(m / 1e8);
            let lo = m - hi * 1e8; // exact: both below 2^53
            let (mut hi, mut lo) = if lo < 0.0 {
                (hi as u32 - 1, (lo + 1e8) as u32)
            } else if lo >= 1e8 {
                (hi as u32 + 1, (lo - 1e8) as u32)
            } else {
                (hi as u32, lo as u32)
            };
            let mut digits = [b'0'; 24];
            let mut len = 0;
            while hi > 0 || lo > 0 || len <= k {
                if let Some(d) = digits.get_mut(len) {
                    *d = b'0' + (lo % 10) as u8;
                }
                lo /= 10;
                len += 1;
                if len == 8 {
                    lo = hi;
                    hi = 0;
                }
            }
            for i in (0..len).rev() {
                if i + 1 == k {
                    f.write_str("-")?;
                }
                let d = digits.get(i).copied().unwrap_or(b'0');
                f.write_char(char::from(d))?;
            }
            if k == 0 {
                f.write_str("-0")?;
            }
            return Ok(());
        }
        scale *= 10.0;
    }
    Err(fmt::Error)
}

impl FeatureName {
    /// Writes `<image type>_<class>_<feature>` with plain `write_str` calls (see
    /// [`ImageType::write_to`]).
    pub fn write_to(&self, w: &mut dyn fmt::Write) -> fmt::Result {
        self.image_type.write_to(w)?;
        w.write_str("_")?;
        w.write_str(self.feature.class().name())?;
        w.write_str("_")?;
        w.write_str(self.feature.name())
    }
}

impl fmt::Display for FeatureName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    #[test]
    fn round_trips_the_seven() {
        for n in [
            "exponential_firstorder_Kurtosis",
            "exponential_firstorder_Minimum",
            "gradient_firstorder_Variance",
            "log-sigma-3-0-mm-3D_glszm_SmallAreaEmphasis",
            "wavelet-LHH_glszm_HighGrayLevelZoneEmphasis",
            "wavelet-LHL_glrlm_RunLengthNonUniformityNormalized",
            "wavelet-LLH_glrlm_ShortRunHighGrayLevelEmphasis",
            "original_firstorder_10Percentile",
            "log-sigma-0-25-mm-3D_firstorder_Mean",
            "log-sigma-1-5-mm-3D_glrlm_RunVariance",
            "original_shape_Maximum2DDiameterSlice",
            "original_shape2D_PixelSurface",
            "square_firstorder_Mean",
            "squareroot_glszm_ZoneEntropy",
            "logarithm_glrlm_RunVariance",
            "wavelet2-LLH_glcm_MCC",
            "wavelet2-LLL_firstorder_Mean",
            "wavelet10-HHL_firstorder_Mean",
            "wavelet255-HHH_firstorder_Mean",
        ] {
            let p = FeatureName::parse(n).unwrap();
            assert_eq!(p.to_string(), n);
            // The image type alone prints as PyRadiomics names it (the name's first part).
            let t = p.image_type.to_string();
            assert!(n.starts_with(&std::format!("{t}_")), "{t} / {n}");
        }
    }

    /// LoG sigmas are named as Python's `str(float)` (with '-' for '.'), written without
    /// core::fmt's float formatting.
    #[test]
    fn log_sigma_names_are_pythons() {
        for (sigma, name) in [
            (3.0, "log-sigma-3-0-mm-3D"),
            (0.25, "log-sigma-0-25-mm-3D"),
            (1.5, "log-sigma-1-5-mm-3D"),
            (12.5, "log-sigma-12-5-mm-3D"),
            (0.1, "log-sigma-0-1-mm-3D"),
            (0.3, "log-sigma-0-3-mm-3D"),
            (100.0, "log-sigma-100-0-mm-3D"),
            (2.0 / 3.0, "log-sigma-0-6666666666666666-mm-3D"),
            (0.00025, "log-sigma-0-00025-mm-3D"),
        ] {
            assert_eq!(ImageType::Log { sigma_mm: sigma }.to_string(), name);
            assert_eq!(
                FeatureName::parse(&std::format!("{name}_firstorder_Mean")).map(|n| n.image_type),
                Ok(ImageType::Log { sigma_mm: sigma }),
                "{name}"
            );
        }
    }

    #[test]
    fn errors_are_distinct() {
        assert!(FeatureName::parse("original_shape_MeshVolume").is_ok());
        assert!(FeatureName::parse("original_shape2D_Perimeter").is_ok());
        assert_eq!(
            FeatureName::parse("original_shape2D_SphericalDisproportion"),
            Err(Error::UnsupportedFeature)
        );
        assert_eq!(
            FeatureName::parse("square_shape2D_Perimeter"),
            Err(Error::UnknownFeatureName)
        );
        assert_eq!(
            FeatureName::parse("lbp-2D_firstorder_Mean"),
            Err(Error::UnsupportedFeature)
        );
        assert_eq!(
            FeatureName::parse("original_shape_Compactness1"),
            Err(Error::UnsupportedFeature)
        );
        assert_eq!(
            FeatureName::parse("square_shape_MeshVolume"),
            Err(Error::UnknownFeatureName)
        );
        assert_eq!(
            FeatureName::parse("original_shape_Volume"),
            Err(Error::UnknownFeatureName)
        );
        assert_eq!(
            FeatureName::parse("original_firstorder_Nope"),
            Err(Error::UnknownFeatureName)
        );
        assert_eq!(FeatureName::parse("banana"), Err(Error::UnknownFeatureName));
        assert_eq!(
            FeatureName::parse("log-sigma-x-mm-3D_glszm_ZoneEntropy"),
            Err(Error::UnknownFeatureName)
        );
        assert_eq!(
            FeatureName::parse("wavelet-LLX_glszm_ZoneEntropy"),
            Err(Error::UnknownFeatureName)
        );
        for bad in [
            "wavelet1-LLH",
            "wavelet02-LLH",
            "wavelet0-LLH",
            "waveletx-LLH",
            "wavelet",
        ] {
            assert_eq!(
                FeatureName::parse(&std::format!("{bad}_glszm_ZoneEntropy")),
                Err(Error::UnknownFeatureName),
                "{bad}"
            );
        }
        assert_eq!(
            FeatureName::parse("wavelet256-LLH_glszm_ZoneEntropy"),
            Err(Error::UnsupportedFeature)
        );
    }

    #[test]
    fn wavelet_levels() {
        let b = FeatureName::parse("wavelet2-LHL_firstorder_Mean").unwrap();
        assert_eq!(
            b.image_type,
            ImageType::Wavelet(WaveletBand::LHL.at_level(2))
        );
        assert_eq!(WaveletBand::LHL.level(), 1);
        assert!(WaveletBand::LHL.high_pass(1) && !WaveletBand::LHL.high_pass(0));
        assert!(!WaveletBand::LHL.high_pass(2) && !WaveletBand::LHL.high_pass(3));
        let names: std::vec::Vec<std::string::String> = WaveletBand::pyradiomics_order(2)
            .map(|b| ImageType::Wavelet(b).to_string())
            .collect();
        assert_eq!(names.len(), 15);
        assert_eq!(names[0], "wavelet-LLH");
        assert_eq!(names[7], "wavelet2-LLH");
        assert_eq!(names[14], "wavelet2-LLL");
    }

    #[test]
    fn feature_count() {
        assert_eq!(Feature::all().count(), 93);
    }
}
