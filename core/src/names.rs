//! PyRadiomics feature names: parse and print.
//!
//! A name is `<image type>_<class>_<feature>`, e.g. `original_firstorder_Kurtosis`,
//! `log-sigma-3-0-mm-3D_glszm_SmallAreaEmphasis`, `wavelet-LHL_glrlm_RunLengthNonUniformityNormalized`.
//! Wavelet letters are in x, y, z order (PyRadiomics/pywt `swtn` naming on an ITK image).
//!
//! Names that PyRadiomics knows but this core does not compute (other classes such as `shape2D`,
//! other image types such as `lbp-2D`, deprecated features such as `glcm_Dissimilarity`) are
//! [`Error::UnsupportedFeature`]; anything else is
//! [`Error::UnknownFeatureName`]. Nothing is ever silently skipped.

use crate::Error;
use core::fmt;
use serde::{Deserialize, Serialize};

/// One of the eight level-1 wavelet sub-bands; letters are the filters along x, y, z.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WaveletBand {
    LLL,
    LLH,
    LHL,
    LHH,
    HLL,
    HLH,
    HHL,
    HHH,
}

impl WaveletBand {
    /// All bands in PyRadiomics' output order.
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

    /// The three letters, x first.
    pub const fn letters(self) -> &'static str {
        match self {
            WaveletBand::LLL => "LLL",
            WaveletBand::LLH => "LLH",
            WaveletBand::LHL => "LHL",
            WaveletBand::LHH => "LHH",
            WaveletBand::HLL => "HLL",
            WaveletBand::HLH => "HLH",
            WaveletBand::HHL => "HHL",
            WaveletBand::HHH => "HHH",
        }
    }

    /// `true` where the band is high-pass along axis `axis` (0 = x, 1 = y, 2 = z).
    pub fn high_pass(self, axis: usize) -> bool {
        self.letters().as_bytes().get(axis) == Some(&b'H')
    }

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
    /// One level-1 coif1 stationary-wavelet sub-band.
    Wavelet(WaveletBand),
    /// `(x / sqrt(max|x|))²` over the whole image (PyRadiomics `square`).
    Square,
    /// `sign(x) · sqrt(|x| · max|x|)` over the whole image (PyRadiomics `squareroot`).
    SquareRoot,
    /// `sign(x) · ln(|x| + 1) · max|x| / ln(max|x| + 1)` over the whole image (`logarithm`).
    Logarithm,
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

const OTHER_CLASSES: &[&str] = &["shape2D"];
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
        _ => {}
    }
    if let Some(band) = s.strip_prefix("wavelet-") {
        return WaveletBand::parse(band)
            .map(ImageType::Wavelet)
            .ok_or(Error::UnknownFeatureName);
    }
    // wavelet2-… (level 2) and other wavelet families: PyRadiomics names, not computed here.
    if s.starts_with("wavelet") {
        return Err(Error::UnsupportedFeature);
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
            c if OTHER_CLASSES.contains(&c) => return Err(Error::UnsupportedFeature),
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

impl fmt::Display for ImageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageType::Original => f.write_str("original"),
            ImageType::Exponential => f.write_str("exponential"),
            ImageType::Gradient => f.write_str("gradient"),
            ImageType::Square => f.write_str("square"),
            ImageType::SquareRoot => f.write_str("squareroot"),
            ImageType::Logarithm => f.write_str("logarithm"),
            ImageType::Wavelet(b) => write!(f, "wavelet-{}", b.letters()),
            ImageType::Log { sigma_mm } => {
                f.write_str("log-sigma-")?;
                // Python's str(float): shortest round-trip digits, always with a '.'.
                let mut w = DashWriter {
                    f,
                    wrote_dot: false,
                };
                fmt::write(&mut w, format_args!("{}", sigma_mm))?;
                if !w.wrote_dot {
                    w.f.write_str("-0")?;
                }
                f.write_str("-mm-3D")
            }
        }
    }
}

/// Writes a number with '.' replaced by '-' (PyRadiomics' LoG image-type naming).
struct DashWriter<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    wrote_dot: bool,
}

impl fmt::Write for DashWriter<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for part in s.split_inclusive('.') {
            if let Some(p) = part.strip_suffix('.') {
                self.f.write_str(p)?;
                self.f.write_str("-")?;
                self.wrote_dot = true;
            } else {
                self.f.write_str(part)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for FeatureName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}_{}_{}",
            self.image_type,
            self.feature.class().name(),
            self.feature.name()
        )
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
            "square_firstorder_Mean",
            "squareroot_glszm_ZoneEntropy",
            "logarithm_glrlm_RunVariance",
        ] {
            let p = FeatureName::parse(n).unwrap();
            assert_eq!(p.to_string(), n);
            // The image type alone prints as PyRadiomics names it (the name's first part).
            let t = p.image_type.to_string();
            assert!(n.starts_with(&std::format!("{t}_")), "{t} / {n}");
        }
    }

    #[test]
    fn errors_are_distinct() {
        assert!(FeatureName::parse("original_shape_MeshVolume").is_ok());
        assert_eq!(
            FeatureName::parse("original_shape2D_Perimeter"),
            Err(Error::UnsupportedFeature)
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
        assert_eq!(
            FeatureName::parse("wavelet2-LLH_glszm_ZoneEntropy"),
            Err(Error::UnsupportedFeature)
        );
    }

    #[test]
    fn feature_count() {
        assert_eq!(Feature::all().count(), 93);
    }
}
