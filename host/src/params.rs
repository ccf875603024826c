//! PyRadiomics 3.0.1 params files (`RadiomicsFeatureExtractor(params)`): YAML or JSON with
//! `imageType`, `featureClass`, `setting` (and `voxelSetting`).
//!
//! * Validation reproduces PyRadiomics' schema (`radiomics/schemas/paramSchema.yaml` and its
//!   checks in `schemaFuncs.py`): an unknown key is an error listing the known ones; a value of the
//!   wrong type or out of range is an error naming the key; an unknown image type, feature class
//!   or feature name is an error listing the known ones.
//! * Every value-changing setting is mapped to [`radscore_core::settings::Settings`] (one per image
//!   type: `setting:`, then that image type's overrides) and [`Settings::check`] decides what the
//!   core implements: a setting it does not implement yet is an error naming the setting and its
//!   value, never ignored.
//! * Host settings: `label` (overridden by the `label` argument of an extraction),
//!   `geometryTolerance`, `correctMask` (both in `crate::api`'s mask checks), `additionalInfo`
//!   (diagnostics), `label_channel` (masks are
//!   scalar in every format radscore reads: only 0 is accepted); `voxelSetting` only applies to
//!   PyRadiomics' voxel-based extraction, which radscore does not do (validated, no effect, as in a
//!   segment-based PyRadiomics run). `enableCExtensions` is not a params-file setting in 3.0.1.
//! * LBP2D is refused (radscore does not implement it); LBP3D only with its default settings
//!   (`lbp3DLevels` 2, `lbp3DIcosphereRadius` 1, `lbp3DIcosphereSubdivision` 1).
//!
//! The output order is PyRadiomics': shape (then shape2D) first, then per enabled image type (file
//! order; LoG per sigma, wavelet per level and band) the enabled classes in file order, each with
//! its features in the listed order or, for a class given as `[]`/`null`, all its non-deprecated
//! features in PyRadiomics' (alphabetical) order.

use crate::value::Value;
use radscore_core::names::{FeatureName, WaveletBand};
use radscore_core::settings::{
    Binning, Interpolator, Normalize, Resample, Resegment, ResegmentMode, Settings, WaveletFamily,
    WeightingNorm, MAX_DISTANCES,
};
use radscore_core::Error as CoreError;
use std::fmt;
use std::path::Path;

/// The largest params file [`Params::from_path`] reads (PyRadiomics' example files are 1–4 KB).
pub const MAX_PARAMS_BYTES: u64 = 1 << 20;

/// The deepest nesting of lists and maps in a YAML params document (PyRadiomics' schema nests
/// three deep). Deeper documents are refused before they are built: building and converting
/// them recurses once per level.
pub const MAX_YAML_DEPTH: usize = 64;

/// The most values (scalars, lists, maps) a YAML params document may expand to, an alias counted
/// at every use with everything its anchor holds. yaml-rust2 copies an anchored value for every
/// alias, so ten lines of nested aliases ("a billion laughs") would otherwise build 10^9 values.
pub const MAX_YAML_VALUES: u64 = 100_000;

/// Walks the YAML events of `text` without building anything and refuses a document nested
/// deeper than [`MAX_YAML_DEPTH`] or expanding to more than [`MAX_YAML_VALUES`] values. A syntax
/// error is left to the loader, which reports it.
fn check_yaml_shape(text: &str) -> Result<(), String> {
    use yaml_rust2::parser::{Event, Parser};
    // Values each anchor stands for, and the open lists/maps: (anchor, values so far).
    let mut anchored: std::collections::HashMap<usize, u64> = std::collections::HashMap::new();
    let mut open: Vec<(usize, u64)> = Vec::new();
    let mut total: u64 = 0;
    let mut parser = Parser::new_from_str(text);
    loop {
        let Ok((event, mark)) = parser.next_token() else {
            return Ok(());
        };
        let values = match event {
            Event::StreamEnd => return Ok(()),
            Event::Scalar(_, _, anchor, _) => {
                if anchor > 0 {
                    anchored.insert(anchor, 1);
                }
                1
            }
            Event::Alias(id) => anchored.get(&id).copied().unwrap_or(1),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if open.len() >= MAX_YAML_DEPTH {
                    return Err(format!(
                        "line {}: lists and maps nested more than {MAX_YAML_DEPTH} deep; a params \
                         file nests three deep",
                        mark.line()
                    ));
                }
                open.push((anchor, 1));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some((anchor, n)) = open.pop() else {
                    continue;
                };
                if anchor > 0 {
                    anchored.insert(anchor, n);
                }
                n
            }
            _ => continue,
        };
        let count = match open.last_mut() {
            Some((_, n)) => n,
            None => &mut total,
        };
        *count = count.saturating_add(values);
        if *count > MAX_YAML_VALUES {
            return Err(format!(
                "line {}: the document expands to more than {MAX_YAML_VALUES} values (its \
                 aliases repeat what their anchors hold); a params file has a few hundred",
                mark.line()
            ));
        }
    }
}

/// What kind of problem a [`ParamsError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamsErrorKind {
    /// The file cannot be read or parsed (I/O, YAML/JSON syntax).
    Read,
    /// PyRadiomics would refuse it too: unknown key, wrong type, out-of-range value, unknown image
    /// type, feature class or feature.
    Invalid,
    /// Valid for PyRadiomics, but radscore does not implement it (a setting value, LBP2D/LBP3D,
    /// a feature class or wavelet family the core does not compute yet).
    Unsupported,
}

/// A params file that cannot be used: every problem found, each naming the file, the key and
/// what was expected and found.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamsError {
    /// The kind of the first problem.
    pub kind: ParamsErrorKind,
    /// The file (or other source) the params came from.
    pub source: String,
    /// One message per problem.
    pub problems: Vec<String>,
}

impl ParamsError {
    fn new(kind: ParamsErrorKind, source: &str, problem: String) -> ParamsError {
        ParamsError {
            kind,
            source: source.to_string(),
            problems: vec![problem],
        }
    }
}

impl fmt::Display for ParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "params {}: {one}", self.source),
            many => {
                write!(f, "params {}: {} problems:", self.source, many.len())?;
                for p in many {
                    write!(f, "\n  - {p}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ParamsError {}

/// PyRadiomics' image types (`radiomics.getImageTypes()`).
pub const IMAGE_TYPES: [&str; 10] = [
    "Exponential",
    "Gradient",
    "LBP2D",
    "LBP3D",
    "LoG",
    "Logarithm",
    "Original",
    "Square",
    "SquareRoot",
    "Wavelet",
];

/// PyRadiomics 3.0.1's feature classes in `getFeatureClasses()` order, each with every feature
/// name `getFeatureNames()` gives (alphabetical, as Python's `dir`) and whether it is deprecated
/// (not enabled by `[]`/`null`; PyRadiomics computes no value for it).
pub const FEATURE_CLASSES: [(&str, &[(&str, bool)]); 8] = [
    (
        "firstorder",
        &[
            ("10Percentile", false),
            ("90Percentile", false),
            ("Energy", false),
            ("Entropy", false),
            ("InterquartileRange", false),
            ("Kurtosis", false),
            ("Maximum", false),
            ("MeanAbsoluteDeviation", false),
            ("Mean", false),
            ("Median", false),
            ("Minimum", false),
            ("Range", false),
            ("RobustMeanAbsoluteDeviation", false),
            ("RootMeanSquared", false),
            ("Skewness", false),
            ("StandardDeviation", true),
            ("TotalEnergy", false),
            ("Uniformity", false),
            ("Variance", false),
        ],
    ),
    (
        "glcm",
        &[
            ("Autocorrelation", false),
            ("ClusterProminence", false),
            ("ClusterShade", false),
            ("ClusterTendency", false),
            ("Contrast", false),
            ("Correlation", false),
            ("DifferenceAverage", false),
            ("DifferenceEntropy", false),
            ("DifferenceVariance", false),
            ("Dissimilarity", true),
            ("Homogeneity1", true),
            ("Homogeneity2", true),
            ("Id", false),
            ("Idm", false),
            ("Idmn", false),
            ("Idn", false),
            ("Imc1", false),
            ("Imc2", false),
            ("InverseVariance", false),
            ("JointAverage", false),
            ("JointEnergy", false),
            ("JointEntropy", false),
            ("MCC", false),
            ("MaximumProbability", false),
            ("SumAverage", false),
            ("SumEntropy", false),
            ("SumSquares", false),
            ("SumVariance", true),
        ],
    ),
    (
        "gldm",
        &[
            ("DependenceEntropy", false),
            ("DependenceNonUniformity", false),
            ("DependenceNonUniformityNormalized", false),
            ("DependencePercentage", true),
            ("DependenceVariance", false),
            ("GrayLevelNonUniformity", false),
            ("GrayLevelNonUniformityNormalized", true),
            ("GrayLevelVariance", false),
            ("HighGrayLevelEmphasis", false),
            ("LargeDependenceEmphasis", false),
            ("LargeDependenceHighGrayLevelEmphasis", false),
            ("LargeDependenceLowGrayLevelEmphasis", false),
            ("LowGrayLevelEmphasis", false),
            ("SmallDependenceEmphasis", false),
            ("SmallDependenceHighGrayLevelEmphasis", false),
            ("SmallDependenceLowGrayLevelEmphasis", false),
        ],
    ),
    (
        "glrlm",
        &[
            ("GrayLevelNonUniformity", false),
            ("GrayLevelNonUniformityNormalized", false),
            ("GrayLevelVariance", false),
            ("HighGrayLevelRunEmphasis", false),
            ("LongRunEmphasis", false),
            ("LongRunHighGrayLevelEmphasis", false),
            ("LongRunLowGrayLevelEmphasis", false),
            ("LowGrayLevelRunEmphasis", false),
            ("RunEntropy", false),
            ("RunLengthNonUniformity", false),
            ("RunLengthNonUniformityNormalized", false),
            ("RunPercentage", false),
            ("RunVariance", false),
            ("ShortRunEmphasis", false),
            ("ShortRunHighGrayLevelEmphasis", false),
            ("ShortRunLowGrayLevelEmphasis", false),
        ],
    ),
    (
        "glszm",
        &[
            ("GrayLevelNonUniformity", false),
            ("GrayLevelNonUniformityNormalized", false),
            ("GrayLevelVariance", false),
            ("HighGrayLevelZoneEmphasis", false),
            ("LargeAreaEmphasis", false),
            ("LargeAreaHighGrayLevelEmphasis", false),
            ("LargeAreaLowGrayLevelEmphasis", false),
            ("LowGrayLevelZoneEmphasis", false),
            ("SizeZoneNonUniformity", false),
            ("SizeZoneNonUniformityNormalized", false),
            ("SmallAreaEmphasis", false),
            ("SmallAreaHighGrayLevelEmphasis", false),
            ("SmallAreaLowGrayLevelEmphasis", false),
            ("ZoneEntropy", false),
            ("ZonePercentage", false),
            ("ZoneVariance", false),
        ],
    ),
    (
        "ngtdm",
        &[
            ("Busyness", false),
            ("Coarseness", false),
            ("Complexity", false),
            ("Contrast", false),
            ("Strength", false),
        ],
    ),
    (
        "shape",
        &[
            ("Compactness1", true),
            ("Compactness2", true),
            ("Elongation", false),
            ("Flatness", false),
            ("LeastAxisLength", false),
            ("MajorAxisLength", false),
            ("Maximum2DDiameterColumn", false),
            ("Maximum2DDiameterRow", false),
            ("Maximum2DDiameterSlice", false),
            ("Maximum3DDiameter", false),
            ("MeshVolume", false),
            ("MinorAxisLength", false),
            ("SphericalDisproportion", true),
            ("Sphericity", false),
            ("SurfaceArea", false),
            ("SurfaceVolumeRatio", false),
            ("VoxelVolume", false),
        ],
    ),
    (
        "shape2D",
        &[
            ("Elongation", false),
            ("MajorAxisLength", false),
            ("MaximumDiameter", false),
            ("MeshSurface", false),
            ("MinorAxisLength", false),
            ("Perimeter", false),
            ("PerimeterSurfaceRatio", false),
            ("PixelSurface", false),
            ("SphericalDisproportion", true),
            ("Sphericity", false),
        ],
    ),
];

/// The discrete and continuous wavelets of PyWavelets 1.x (`pywt.wavelist()`), which PyRadiomics'
/// schema accepts for `wavelet`.
fn pywt_wavelet_known(name: &str) -> bool {
    let family_n = |prefix: &str, lo: u32, hi: u32| {
        name.strip_prefix(prefix)
            .and_then(|n| (!n.starts_with('0')).then_some(n))
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| (lo..=hi).contains(&n))
    };
    const BIOR: [&str; 15] = [
        "1.1", "1.3", "1.5", "2.2", "2.4", "2.6", "2.8", "3.1", "3.3", "3.5", "3.7", "3.9", "4.4",
        "5.5", "6.8",
    ];
    matches!(
        name,
        "haar" | "dmey" | "mexh" | "morl" | "cmor" | "fbsp" | "shan"
    ) || family_n("db", 1, 38)
        || family_n("sym", 2, 20)
        || family_n("coif", 1, 17)
        || family_n("gaus", 1, 8)
        || family_n("cgau", 1, 8)
        || name
            .strip_prefix("bior")
            .or_else(|| name.strip_prefix("rbio"))
            .is_some_and(|v| BIOR.contains(&v))
}

#[derive(Clone, Copy, PartialEq)]
enum Ty {
    Int,
    Float,
    Bool,
    Str,
    /// `interpolator`: a SimpleITK interpolator name or its number 1–10.
    Interpolator,
    /// `weightingNorm`: one of PyRadiomics' norms.
    Weighting,
    /// `wavelet`: a PyWavelets name.
    Wavelet,
}

/// One rule of PyRadiomics' `setting` schema.
struct Rule {
    key: &'static str,
    ty: Ty,
    seq: bool,
    /// (bound, exclusive)
    min: Option<(f64, bool)>,
    max: Option<f64>,
    choices: &'static [&'static str],
}

const fn r(key: &'static str, ty: Ty) -> Rule {
    Rule {
        key,
        ty,
        seq: false,
        min: None,
        max: None,
        choices: &[],
    }
}
const fn min(mut rule: Rule, m: f64) -> Rule {
    rule.min = Some((m, false));
    rule
}
const fn min_ex(mut rule: Rule, m: f64) -> Rule {
    rule.min = Some((m, true));
    rule
}
const fn max(mut rule: Rule, m: f64) -> Rule {
    rule.max = Some(m);
    rule
}
const fn seq(mut rule: Rule) -> Rule {
    rule.seq = true;
    rule
}
const fn choices(mut rule: Rule, c: &'static [&'static str]) -> Rule {
    rule.choices = c;
    rule
}

/// PyRadiomics 3.0.1's `setting` schema, in its order.
const SETTINGS: [Rule; 41] = [
    max(min(r("minimumROIDimensions", Ty::Int), 1.0), 3.0),
    min_ex(r("minimumROISize", Ty::Int), 0.0),
    min_ex(r("geometryTolerance", Ty::Float), 0.0),
    r("correctMask", Ty::Bool),
    r("additionalInfo", Ty::Bool),
    min_ex(r("label", Ty::Int), 0.0),
    min(r("label_channel", Ty::Int), 0.0),
    min_ex(r("binWidth", Ty::Float), 0.0),
    min_ex(r("binCount", Ty::Int), 0.0),
    r("normalize", Ty::Bool),
    min_ex(r("normalizeScale", Ty::Float), 0.0),
    min_ex(r("removeOutliers", Ty::Float), 0.0),
    seq(min(r("resampledPixelSpacing", Ty::Float), 0.0)),
    r("interpolator", Ty::Interpolator),
    min(r("padDistance", Ty::Int), 0.0),
    seq(min_ex(r("distances", Ty::Int), 0.0)),
    r("force2D", Ty::Bool),
    max(min(r("force2Ddimension", Ty::Int), 0.0), 2.0),
    seq(r("resegmentRange", Ty::Float)),
    choices(
        r("resegmentMode", Ty::Str),
        &["absolute", "relative", "sigma"],
    ),
    r("resegmentShape", Ty::Bool),
    r("preCrop", Ty::Bool),
    seq(min_ex(r("sigma", Ty::Float), 0.0)),
    min(r("start_level", Ty::Int), 0.0),
    min_ex(r("level", Ty::Int), 0.0),
    r("wavelet", Ty::Wavelet),
    r("gradientUseSpacing", Ty::Bool),
    min_ex(r("lbp2DRadius", Ty::Float), 0.0),
    min(r("lbp2DSamples", Ty::Int), 1.0),
    choices(
        r("lbp2DMethod", Ty::Str),
        &["default", "ror", "uniform", "var"],
    ),
    min(r("lbp3DLevels", Ty::Int), 1.0),
    min_ex(r("lbp3DIcosphereRadius", Ty::Float), 0.0),
    min(r("lbp3DIcosphereSubdivision", Ty::Int), 0.0),
    r("voxelArrayShift", Ty::Int),
    r("symmetricalGLCM", Ty::Bool),
    r("weightingNorm", Ty::Weighting),
    min(r("gldm_a", Ty::Int), 0.0),
    // voxelSetting (validated like PyRadiomics; they act on voxel-based extraction only)
    min_ex(r("kernelRadius", Ty::Int), 0.0),
    r("maskedKernel", Ty::Bool),
    r("initValue", Ty::Float),
    // not in the schema: kept out of `setting:` by the section check below
    r("voxelBatch", Ty::Int),
];

/// Keys of the `setting` section (and of each image type's custom settings).
fn setting_keys() -> impl Iterator<Item = &'static str> {
    SETTINGS.iter().take(37).map(|r| r.key)
}
/// Keys of the `voxelSetting` section.
const VOXEL_KEYS: [&str; 3] = ["kernelRadius", "maskedKernel", "initValue"];

/// Settings PyRadiomics reads from `setting:` only (image loading, mask checks, resampling,
/// normalisation, resegmentation, diagnostics): under an image type they have no effect there,
/// so radscore refuses them rather than ignore them.
const GLOBAL_ONLY: [&str; 17] = [
    "minimumROIDimensions",
    "minimumROISize",
    "geometryTolerance",
    "correctMask",
    "additionalInfo",
    "label",
    "label_channel",
    "normalize",
    "normalizeScale",
    "removeOutliers",
    "resampledPixelSpacing",
    "interpolator",
    "padDistance",
    "preCrop",
    "resegmentRange",
    "resegmentMode",
    "resegmentShape",
];

const TOP_KEYS: [&str; 4] = ["setting", "voxelSetting", "featureClass", "imageType"];
const SITK_INTERPOLATORS: [&str; 10] = [
    "sitkNearestNeighbor",
    "sitkLinear",
    "sitkBSpline",
    "sitkGaussian",
    "sitkLabelGaussian",
    "sitkHammingWindowedSinc",
    "sitkCosineWindowedSinc",
    "sitkWelchWindowedSinc",
    "sitkLanczosWindowedSinc",
    "sitkBlackmanWindowedSinc",
];
const WEIGHTINGS: [&str; 4] = ["euclidean", "manhattan", "infinity", "no_weighting"];

fn rule(key: &str) -> Option<&'static Rule> {
    SETTINGS.iter().find(|r| r.key == key)
}

/// Checks one scalar against a rule; returns the value normalised (a float given as an int or a
/// numeric string becomes a float, as PyRadiomics' validator accepts them).
fn check_scalar(rule: &Rule, v: &Value) -> Result<Value, String> {
    let found = || format!("{v} ({})", v.type_name());
    let number = match (rule.ty, v) {
        (_, Value::Null) => return Ok(Value::Null),
        (Ty::Int, Value::Int(i)) => *i as f64,
        (Ty::Int, _) => return Err(format!("expected an int, found {}", found())),
        (Ty::Float, Value::Int(i)) => *i as f64,
        (Ty::Float, Value::Float(x)) => *x,
        (Ty::Float, Value::Str(s)) => s
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("expected a float, found {}", found()))?,
        (Ty::Float, _) => return Err(format!("expected a float, found {}", found())),
        (Ty::Bool, Value::Bool(_)) => return Ok(v.clone()),
        (Ty::Bool, _) => return Err(format!("expected a bool, found {}", found())),
        (Ty::Str, Value::Str(s)) => {
            if !rule.choices.is_empty() && !rule.choices.contains(&s.as_str()) {
                return Err(format!(
                    "expected one of {}, found {s:?}",
                    rule.choices.join(", ")
                ));
            }
            return Ok(v.clone());
        }
        (Ty::Str, _) => return Err(format!("expected a str, found {}", found())),
        (Ty::Interpolator, Value::Str(s)) if SITK_INTERPOLATORS.contains(&s.as_str()) => {
            return Ok(v.clone())
        }
        (Ty::Interpolator, Value::Str(s)) => {
            return Err(format!(
                "interpolator {s:?} is not valid; possible values: {}",
                SITK_INTERPOLATORS.join(", ")
            ))
        }
        (Ty::Interpolator, Value::Int(i)) if (1..=10).contains(i) => return Ok(v.clone()),
        (Ty::Interpolator, Value::Int(i)) => {
            return Err(format!("interpolator {i}: must be in the range 1–10"))
        }
        (Ty::Interpolator, _) => {
            return Err(format!(
                "expected an interpolator (str or int), found {}",
                found()
            ))
        }
        (Ty::Weighting, Value::Str(s)) if WEIGHTINGS.contains(&s.as_str()) => return Ok(v.clone()),
        (Ty::Weighting, Value::Str(s)) => {
            return Err(format!(
                "weightingNorm {s:?} is not valid; possible values: {}",
                WEIGHTINGS.join(", ")
            ))
        }
        (Ty::Weighting, _) => return Err(format!("expected a str or null, found {}", found())),
        (Ty::Wavelet, Value::Str(s)) if pywt_wavelet_known(s) => return Ok(v.clone()),
        (Ty::Wavelet, Value::Str(s)) => {
            return Err(format!(
                "wavelet {s:?} is not available in PyWavelets (e.g. haar, db1–db38, sym2–sym20, \
                 coif1–coif17, bior1.1 …, rbio1.1 …, dmey)"
            ))
        }
        (Ty::Wavelet, _) => return Err(format!("expected a str, found {}", found())),
    };
    if !number.is_finite() && rule.ty == Ty::Float && (rule.min.is_some() || rule.max.is_some()) {
        return Err(format!("expected a finite number, found {}", found()));
    }
    if let Some((m, exclusive)) = rule.min {
        if (exclusive && number <= m) || (!exclusive && number < m) {
            return Err(format!(
                "expected a value {} {m}, found {}",
                if exclusive { ">" } else { "≥" },
                found()
            ));
        }
    }
    if let Some(m) = rule.max {
        if number > m {
            return Err(format!("expected a value ≤ {m}, found {}", found()));
        }
    }
    // A float given as a numeric string becomes that float; ints stay ints (as PyRadiomics
    // keeps them, e.g. in its diagnostics).
    Ok(if rule.ty == Ty::Float && matches!(v, Value::Str(_)) {
        Value::Float(number)
    } else {
        v.clone()
    })
}

/// Checks a setting's value against the schema (`key` must be known).
fn check_value(rule: &Rule, v: &Value) -> Result<Value, String> {
    if rule.seq {
        match v {
            Value::Null => Ok(Value::Null),
            Value::List(items) => Ok(Value::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| check_scalar(rule, x).map_err(|e| format!("item {i}: {e}")))
                    .collect::<Result<_, _>>()?,
            )),
            other => Err(format!(
                "expected a list, found {other} ({})",
                other.type_name()
            )),
        }
    } else {
        check_scalar(rule, v)
    }
}

/// A parsed, validated PyRadiomics params file (or PyRadiomics' defaults): enabled image types
/// with their custom settings, enabled feature classes, settings. Build one with
/// [`Params::pyradiomics_default`], [`Params::from_path`], [`Params::from_yaml_str`] or
/// [`Params::from_json_str`]; change it with [`Params::set_setting`],
/// [`Params::enable_image_type`], [`Params::enable_feature_class`]. Extraction
/// ([`crate::extract_files`], …) resolves it to core settings and feature names.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    source: String,
    /// Enabled image types (PyRadiomics names) with their custom settings, in order.
    image_types: Vec<(String, Vec<(String, Value)>)>,
    /// Enabled feature classes with `None` (all non-deprecated features) or a feature list.
    feature_classes: Vec<(String, Option<Vec<String>>)>,
    /// `setting:` over PyRadiomics' defaults (`_getDefaultSettings`), in order.
    settings: Vec<(String, Value)>,
    /// `voxelSetting:`.
    voxel_settings: Vec<(String, Value)>,
}

/// `RadiomicsFeatureExtractor._getDefaultSettings()`.
fn default_settings() -> Vec<(String, Value)> {
    vec![
        ("minimumROIDimensions".into(), Value::Int(2)),
        ("minimumROISize".into(), Value::Null),
        ("normalize".into(), Value::Bool(false)),
        ("normalizeScale".into(), Value::Int(1)),
        ("removeOutliers".into(), Value::Null),
        ("resampledPixelSpacing".into(), Value::Null),
        ("interpolator".into(), Value::Str("sitkBSpline".into())),
        ("preCrop".into(), Value::Bool(false)),
        ("padDistance".into(), Value::Int(5)),
        ("distances".into(), Value::List(vec![Value::Int(1)])),
        ("force2D".into(), Value::Bool(false)),
        ("force2Ddimension".into(), Value::Int(0)),
        ("resegmentRange".into(), Value::Null),
        ("label".into(), Value::Int(1)),
        ("additionalInfo".into(), Value::Bool(true)),
    ]
}

fn all_classes(include_shape2d: bool) -> Vec<(String, Option<Vec<String>>)> {
    FEATURE_CLASSES
        .iter()
        .filter(|(c, _)| include_shape2d || *c != "shape2D")
        .map(|(c, _)| (c.to_string(), None))
        .collect()
}

impl Default for Params {
    fn default() -> Params {
        Params::pyradiomics_default()
    }
}

impl Params {
    /// `RadiomicsFeatureExtractor()` without params: the Original image only, all feature classes
    /// but shape2D (PyRadiomics enables shape2D only when asked), PyRadiomics' default settings.
    pub fn pyradiomics_default() -> Params {
        Params {
            source: "PyRadiomics defaults".into(),
            image_types: vec![("Original".into(), Vec::new())],
            feature_classes: all_classes(false),
            settings: default_settings(),
            voxel_settings: Vec::new(),
        }
    }

    /// Parses and validates a YAML params file's text; `source` names it in errors. A document
    /// nested deeper than [`MAX_YAML_DEPTH`] or whose aliases expand it to more than
    /// [`MAX_YAML_VALUES`] values is refused before it is built.
    pub fn from_yaml_str(text: &str, source: &str) -> Result<Params, ParamsError> {
        check_yaml_shape(text).map_err(|e| ParamsError::new(ParamsErrorKind::Read, source, e))?;
        let docs = yaml_rust2::YamlLoader::load_from_str(text).map_err(|e| {
            ParamsError::new(
                ParamsErrorKind::Read,
                source,
                format!("not valid YAML: {e}"),
            )
        })?;
        let value = match docs.first() {
            None => Value::Null,
            Some(d) => Value::from_yaml(d)
                .map_err(|e| ParamsError::new(ParamsErrorKind::Read, source, e))?,
        };
        if docs.len() > 1 {
            return Err(ParamsError::new(
                ParamsErrorKind::Read,
                source,
                format!("expected one YAML document, found {}", docs.len()),
            ));
        }
        Params::from_value(value, source)
    }

    /// Parses and validates a JSON params text (PyRadiomics' `loadJSONParams`).
    pub fn from_json_str(text: &str, source: &str) -> Result<Params, ParamsError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            ParamsError::new(
                ParamsErrorKind::Read,
                source,
                format!("not valid JSON: {e}"),
            )
        })?;
        Params::from_value(value, source)
    }

    /// Reads a params file: `.json` is JSON, anything else YAML (JSON is also valid YAML 1.2).
    /// At most [`MAX_PARAMS_BYTES`] are read: a larger file (or `/dev/zero`) is refused.
    pub fn from_path(path: &Path) -> Result<Params, ParamsError> {
        use std::io::Read;
        let source = path.display().to_string();
        let cannot = |e: std::io::Error| {
            ParamsError::new(ParamsErrorKind::Read, &source, format!("cannot read: {e}"))
        };
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_PARAMS_BYTES + 1).read_to_end(&mut bytes))
            .map_err(cannot)?;
        if bytes.len() as u64 > MAX_PARAMS_BYTES {
            return Err(ParamsError::new(
                ParamsErrorKind::Read,
                &source,
                format!("larger than {MAX_PARAMS_BYTES} bytes; a params file is a few kilobytes"),
            ));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            ParamsError::new(
                ParamsErrorKind::Read,
                &source,
                format!("cannot read: not UTF-8 text ({e})"),
            )
        })?;
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if json {
            Params::from_json_str(&text, &source)
        } else {
            Params::from_yaml_str(&text, &source)
        }
    }

    /// Validates a parsed params document (a map with `setting`, `voxelSetting`, `featureClass`,
    /// `imageType`; an empty document is PyRadiomics' defaults with every class but… see
    /// [`Params`]) and applies it as PyRadiomics' `_applyParams` does.
    pub fn from_value(doc: Value, source: &str) -> Result<Params, ParamsError> {
        let mut problems: Vec<(ParamsErrorKind, String)> = Vec::new();
        let mut bad = |k: ParamsErrorKind, m: String| problems.push((k, m));
        let top = match doc {
            Value::Null => Vec::new(),
            Value::Map(m) => m,
            other => {
                return Err(ParamsError::new(
                    ParamsErrorKind::Invalid,
                    source,
                    format!(
                        "expected a map with keys {}, found {other} ({})",
                        TOP_KEYS.join(", "),
                        other.type_name()
                    ),
                ))
            }
        };
        let mut params = Params {
            source: source.to_string(),
            image_types: Vec::new(),
            feature_classes: Vec::new(),
            settings: default_settings(),
            voxel_settings: Vec::new(),
        };
        for (key, value) in top {
            match key.as_str() {
                "setting" => match value {
                    Value::Null => {}
                    Value::Map(entries) => {
                        for (k, v) in entries {
                            match check_setting(&k, &v, "setting", setting_keys()) {
                                Ok(v) => Value::map_insert(&mut params.settings, &k, v),
                                Err(e) => bad(ParamsErrorKind::Invalid, e),
                            }
                        }
                    }
                    other => bad(
                        ParamsErrorKind::Invalid,
                        format!("`setting`: expected a map, found {other}"),
                    ),
                },
                "voxelSetting" => match value {
                    Value::Null => {}
                    Value::Map(entries) => {
                        for (k, v) in entries {
                            match check_setting(&k, &v, "voxelSetting", VOXEL_KEYS.into_iter()) {
                                Ok(v) => Value::map_insert(&mut params.voxel_settings, &k, v),
                                Err(e) => bad(ParamsErrorKind::Invalid, e),
                            }
                        }
                    }
                    other => bad(
                        ParamsErrorKind::Invalid,
                        format!("`voxelSetting`: expected a map, found {other}"),
                    ),
                },
                "featureClass" => match value {
                    Value::Map(entries) => {
                        for (class, features) in entries {
                            match check_feature_class(&class, &features) {
                                Ok(list) => {
                                    match params.feature_classes.iter_mut().find(|(c, _)| *c == class)
                                    {
                                        Some(slot) => slot.1 = list,
                                        None => params.feature_classes.push((class, list)),
                                    }
                                }
                                Err(e) => bad(ParamsErrorKind::Invalid, e),
                            }
                        }
                    }
                    other => bad(
                        ParamsErrorKind::Invalid,
                        format!(
                            "`featureClass`: expected a map of feature classes, found {other} ({})",
                            other.type_name()
                        ),
                    ),
                },
                "imageType" => match value {
                    Value::Map(entries) => {
                        for (t, custom) in entries {
                            match check_image_type(&t, custom) {
                                Ok(c) => match params.image_types.iter_mut().find(|(n, _)| *n == t) {
                                    Some(slot) => slot.1 = c,
                                    None => params.image_types.push((t, c)),
                                },
                                Err((k, e)) => bad(k, e),
                            }
                        }
                    }
                    other => bad(
                        ParamsErrorKind::Invalid,
                        format!(
                            "`imageType`: expected a map of image types, found {other} ({})",
                            other.type_name()
                        ),
                    ),
                },
                other => bad(
                    ParamsErrorKind::Invalid,
                    format!(
                        "key `{other}` is not known to PyRadiomics; the known top-level keys are {}",
                        TOP_KEYS.join(", ")
                    ),
                ),
            }
        }
        if !problems.is_empty() {
            let kind = if problems.iter().any(|(k, _)| *k == ParamsErrorKind::Invalid) {
                ParamsErrorKind::Invalid
            } else {
                problems[0].0
            };
            return Err(ParamsError {
                kind,
                source: source.to_string(),
                problems: problems.into_iter().map(|(_, m)| m).collect(),
            });
        }
        // PyRadiomics: no image type → Original; no class → every class (shape2D included).
        if params.image_types.is_empty() {
            params.image_types.push(("Original".into(), Vec::new()));
        }
        if params.feature_classes.is_empty() {
            params.feature_classes = all_classes(true);
        }
        Ok(params)
    }

    /// Where these params came from (file name, or "PyRadiomics defaults").
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Sets one setting, as `RadiomicsFeatureExtractor(params, **settings)` or a `setting:` entry
    /// does (validated the same way; `Value::Null` is PyRadiomics' `None`).
    pub fn set_setting(&mut self, key: &str, value: Value) -> Result<(), ParamsError> {
        let v = check_setting(key, &value, "setting", setting_keys())
            .or_else(|e| {
                // `**settings` may also carry voxel settings (PyRadiomics merges them).
                if VOXEL_KEYS.contains(&key) {
                    check_setting(key, &value, "voxelSetting", VOXEL_KEYS.into_iter())
                } else {
                    Err(e)
                }
            })
            .map_err(|e| ParamsError::new(ParamsErrorKind::Invalid, &self.source, e))?;
        if VOXEL_KEYS.contains(&key) {
            Value::map_insert(&mut self.voxel_settings, key, v);
        } else {
            Value::map_insert(&mut self.settings, key, v);
        }
        Ok(())
    }

    /// Enables (with custom settings, a map or `Value::Null`) or disables an image type, as
    /// `enableImageTypeByName`.
    pub fn enable_image_type(
        &mut self,
        image_type: &str,
        enabled: bool,
        custom: Value,
    ) -> Result<(), ParamsError> {
        if !enabled {
            self.image_types.retain(|(t, _)| t != image_type);
            return Ok(());
        }
        let c = check_image_type(image_type, custom)
            .map_err(|(k, e)| ParamsError::new(k, &self.source, e))?;
        match self.image_types.iter_mut().find(|(t, _)| t == image_type) {
            Some(slot) => slot.1 = c,
            None => self.image_types.push((image_type.to_string(), c)),
        }
        Ok(())
    }

    /// Disables every image type (`disableAllImageTypes`).
    pub fn disable_all_image_types(&mut self) {
        self.image_types.clear();
    }

    /// Enables a feature class with all its non-deprecated features (`features` = `None`) or the
    /// listed ones, or disables it (`enabled` false), as `enableFeatureClassByName` /
    /// `enableFeaturesByName`.
    pub fn enable_feature_class(
        &mut self,
        class: &str,
        enabled: bool,
        features: Option<&[&str]>,
    ) -> Result<(), ParamsError> {
        if !enabled {
            self.feature_classes.retain(|(c, _)| c != class);
            return Ok(());
        }
        let v = match features {
            None => Value::Null,
            Some(list) => Value::List(list.iter().map(|&s| Value::from(s)).collect()),
        };
        let list = check_feature_class(class, &v)
            .map_err(|e| ParamsError::new(ParamsErrorKind::Invalid, &self.source, e))?;
        match self.feature_classes.iter_mut().find(|(c, _)| c == class) {
            Some(slot) => slot.1 = list,
            None => self.feature_classes.push((class.to_string(), list)),
        }
        Ok(())
    }

    /// Disables every feature class (`disableAllFeatures`).
    pub fn disable_all_features(&mut self) {
        self.feature_classes.clear();
    }

    /// The settings (PyRadiomics' defaults overridden by the file and [`Params::set_setting`]),
    /// in order.
    pub fn settings(&self) -> &[(String, Value)] {
        &self.settings
    }

    /// The enabled image types with their custom settings, in order.
    pub fn image_types(&self) -> &[(String, Vec<(String, Value)>)] {
        &self.image_types
    }

    /// The enabled feature classes (`None`: all non-deprecated features), in order.
    pub fn feature_classes(&self) -> &[(String, Option<Vec<String>>)] {
        &self.feature_classes
    }

    /// A global setting (`None` when absent or null).
    pub fn setting(&self, key: &str) -> Option<&Value> {
        lookup(&self.settings, key)
    }

    /// Resolves the params to what an extraction computes (settings per image type, feature
    /// lists): fails on anything radscore does not implement, before any image is read.
    pub fn plan(&self) -> Result<Plan, ParamsError> {
        let err = |kind, m: String| ParamsError::new(kind, &self.source, m);
        let unsupported = |m: String| err(ParamsErrorKind::Unsupported, m);
        let global =
            map_settings(&self.settings, &[], "setting", None).map_err(|(k, m)| err(k, m))?;
        let label = match self.setting("label") {
            Some(Value::Int(i)) => u32::try_from(*i)
                .map_err(|_| err(ParamsErrorKind::Invalid, format!("label {i} is too large")))?,
            _ => 1,
        };
        if let Some(Value::Int(c)) = self.setting("label_channel") {
            if *c != 0 {
                return Err(unsupported(format!(
                    "setting `label_channel: {c}`: radscore reads scalar masks only (one \
                     channel, index 0)"
                )));
            }
        }
        let geometry_tolerance = match self.setting("geometryTolerance") {
            Some(Value::Float(x)) => Some(*x),
            Some(Value::Int(i)) => Some(*i as f64),
            _ => None,
        };
        let correct_mask = matches!(self.setting("correctMask"), Some(Value::Bool(true)));
        let additional_info = !matches!(self.setting("additionalInfo"), Some(Value::Bool(false)));

        // Classes: shape and shape2D are computed once (original image, global settings).
        let mut shape = None;
        let mut shape2d = None;
        let mut classes = Vec::new();
        for (class, list) in &self.feature_classes {
            let features: Vec<String> = match list {
                Some(l) => {
                    let mut out: Vec<String> = Vec::new();
                    for f in l {
                        if !out.contains(f) {
                            out.push(f.clone());
                        }
                    }
                    out
                }
                None => FEATURE_CLASSES
                    .iter()
                    .find(|(c, _)| c == class)
                    .map(|(_, fs)| {
                        fs.iter()
                            .filter(|(_, deprecated)| !deprecated)
                            .map(|(f, _)| f.to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            match class.as_str() {
                "shape" => shape = Some(features),
                "shape2D" => shape2d = Some(features),
                _ => classes.push((class.clone(), features)),
            }
        }
        let check_names = |prefix: &str, class: &str, features: &[String]| {
            for f in features {
                let name = format!("{prefix}_{class}_{f}");
                match FeatureName::parse(&name) {
                    Ok(_) => {}
                    Err(CoreError::UnsupportedFeature) => {
                        let deprecated = FEATURE_CLASSES
                            .iter()
                            .any(|(c, fs)| *c == class && fs.iter().any(|(n, d)| n == f && *d));
                        return Err(unsupported(if deprecated {
                            format!(
                                "feature `{class}: {f}` is deprecated in PyRadiomics 3.0.1 (it \
                                 computes no value for it) and radscore does not compute it"
                            )
                        } else {
                            format!("feature `{name}` is not implemented by radscore yet")
                        }));
                    }
                    Err(e) => {
                        return Err(unsupported(format!(
                            "feature `{name}`: {e} (radscore cannot name it)"
                        )))
                    }
                }
            }
            Ok(())
        };
        if let Some(s) = &shape {
            check_names("original", "shape", s)?;
        }
        // shape2D is computed only with force2D (PyRadiomics skips it with a warning otherwise).
        if let (Some(s), Some(_)) = (&shape2d, global.force_2d) {
            check_names("original", "shape2D", s)?;
        }

        let mut types = Vec::new();
        for (t, custom) in &self.image_types {
            if t == "LBP2D" {
                return Err(unsupported(format!(
                    "image type {t} is not implemented by radscore (remove it from `imageType`)"
                )));
            }
            let settings =
                map_settings(&self.settings, custom, &format!("imageType: {t}"), Some(t))
                    .map_err(|(k, m)| err(k, m))?;
            let effective = |key: &str| lookup(custom, key).or_else(|| lookup(&self.settings, key));
            let derived: Vec<String> = match t.as_str() {
                "Original" => vec!["original".into()],
                "Square" => vec!["square".into()],
                "SquareRoot" => vec!["squareroot".into()],
                "Logarithm" => vec!["logarithm".into()],
                "Exponential" => vec!["exponential".into()],
                "Gradient" => vec!["gradient".into()],
                "LBP3D" => {
                    // Only PyRadiomics' defaults are reproduced (core/src/filters/lbp3d.rs).
                    for (key, default) in [
                        ("lbp3DLevels", 2.0),
                        ("lbp3DIcosphereRadius", 1.0),
                        ("lbp3DIcosphereSubdivision", 1.0),
                    ] {
                        let v = match effective(key) {
                            Some(Value::Int(i)) => Some(*i as f64),
                            Some(Value::Float(x)) => Some(*x),
                            _ => None,
                        };
                        if let Some(v) = v.filter(|v| *v != default) {
                            return Err(unsupported(format!(
                                "image type LBP3D with {key} {v} is not implemented by radscore \
                                 (only the default {default}: remove the setting, or LBP3D from \
                                 `imageType`)"
                            )));
                        }
                    }
                    vec!["lbp-3D-m1".into(), "lbp-3D-m2".into(), "lbp-3D-k".into()]
                }
                "LoG" => {
                    let sigmas = match effective("sigma") {
                        Some(Value::List(l)) => l
                            .iter()
                            .filter_map(|v| match v {
                                Value::Float(x) => Some(*x),
                                Value::Int(i) => Some(*i as f64),
                                _ => None,
                            })
                            .collect(),
                        _ => Vec::new(),
                    };
                    let mut names = Vec::with_capacity(sigmas.len());
                    for s in sigmas {
                        let t = crate::extract::log_image_type(s)
                            .map_err(|e| unsupported(format!("`imageType: LoG: sigma`: {e}")))?;
                        names.push(t.to_string());
                    }
                    names
                }
                "Wavelet" => {
                    let level = usize::from(settings.wavelet_level.max(1));
                    let mut out = Vec::new();
                    for idx in 1..=level {
                        for b in WaveletBand::ALL.iter().filter(|b| **b != WaveletBand::LLL) {
                            out.push(if idx == 1 {
                                format!("wavelet-{}", b.letters())
                            } else {
                                format!("wavelet{idx}-{}", b.letters())
                            });
                        }
                    }
                    out.push(if level == 1 {
                        "wavelet-LLL".into()
                    } else {
                        format!("wavelet{level}-LLL")
                    });
                    out
                }
                other => {
                    return Err(err(
                        ParamsErrorKind::Invalid,
                        format!("image type {other} is not recognized"),
                    ))
                }
            };
            for d in &derived {
                for (class, features) in &classes {
                    check_names(d, class, features).map_err(|e| {
                        if t == "Wavelet" && e.problems[0].contains("not implemented") {
                            unsupported(format!(
                                "image type `{d}` (Wavelet with wavelet {}, start_level {}, \
                                 level {}) is not implemented by radscore yet",
                                wavelet_name(settings.wavelet),
                                settings.wavelet_start_level,
                                settings.wavelet_level
                            ))
                        } else {
                            e
                        }
                    })?;
                }
            }
            types.push(TypePlan {
                image_type: t.clone(),
                derived,
                settings,
            });
        }
        Ok(Plan {
            label,
            geometry_tolerance,
            correct_mask,
            additional_info,
            global,
            shape,
            shape2d,
            classes,
            types,
        })
    }
}

fn lookup<'a>(map: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
    map.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .filter(|v| **v != Value::Null)
}

/// Validates one setting of `section` against the schema; an unknown key lists `known`.
fn check_setting(
    key: &str,
    value: &Value,
    section: &str,
    known: impl Iterator<Item = &'static str>,
) -> Result<Value, String> {
    let known: Vec<&str> = known.collect();
    if !known.contains(&key) {
        return Err(format!(
            "`{key}` under `{section}` is not a PyRadiomics setting; the known ones are {}",
            known.join(", ")
        ));
    }
    let rule = rule(key).ok_or_else(|| format!("`{key}`: no schema rule"))?;
    check_value(rule, value).map_err(|e| format!("`{section}: {key}`: {e}"))
}

fn check_feature_class(class: &str, features: &Value) -> Result<Option<Vec<String>>, String> {
    let Some((_, known)) = FEATURE_CLASSES.iter().find(|(c, _)| *c == class) else {
        return Err(format!(
            "feature class `{class}` is not recognized; the available feature classes are {}",
            FEATURE_CLASSES
                .iter()
                .map(|(c, _)| *c)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    match features {
        Value::Null => Ok(None),
        Value::List(l) if l.is_empty() => Ok(None),
        Value::List(l) => {
            let mut out = Vec::new();
            let mut unknown = Vec::new();
            for f in l {
                match f {
                    Value::Str(s) if known.iter().any(|(n, _)| n == s) => out.push(s.clone()),
                    other => unknown.push(other.to_string()),
                }
            }
            if !unknown.is_empty() {
                return Err(format!(
                    "feature class `{class}` contains unrecognized features: {}; its features are {}",
                    unknown.join(", "),
                    known.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                ));
            }
            Ok(Some(out))
        }
        other => Err(format!(
            "feature class `{class}`: expected a list of feature names, [] or null, found {other} \
             ({})",
            other.type_name()
        )),
    }
}

fn check_image_type(
    t: &str,
    custom: Value,
) -> Result<Vec<(String, Value)>, (ParamsErrorKind, String)> {
    let invalid = |m: String| (ParamsErrorKind::Invalid, m);
    if !IMAGE_TYPES.contains(&t) {
        return Err(invalid(format!(
            "image type `{t}` is not recognized; the available image types are {}",
            IMAGE_TYPES.join(", ")
        )));
    }
    let entries = match custom {
        Value::Null => Vec::new(),
        Value::Map(m) => m,
        other => {
            return Err(invalid(format!(
                "`imageType: {t}`: expected a map of settings ({{}} for none), found {other} ({})",
                other.type_name()
            )))
        }
    };
    let mut out = Vec::new();
    for (k, v) in entries {
        let v =
            check_setting(&k, &v, &format!("imageType: {t}"), setting_keys()).map_err(invalid)?;
        if GLOBAL_ONLY.contains(&k.as_str()) {
            return Err((
                ParamsErrorKind::Unsupported,
                format!(
                    "`imageType: {t}: {k}`: PyRadiomics reads `{k}` from `setting:` only (under an \
                     image type it has no effect); radscore refuses it rather than ignore it — \
                     move it to `setting:`"
                ),
            ));
        }
        Value::map_insert(&mut out, &k, v);
    }
    Ok(out)
}

fn wavelet_name(w: WaveletFamily) -> String {
    match w {
        WaveletFamily::Haar => "haar".into(),
        WaveletFamily::Db(n) => format!("db{n}"),
        WaveletFamily::Sym(n) => format!("sym{n}"),
        WaveletFamily::Coif(n) => format!("coif{n}"),
    }
}

/// What one enabled image type of a [`Plan`] computes.
#[derive(Debug, Clone, PartialEq)]
pub struct TypePlan {
    /// The PyRadiomics image type (`Original`, `LoG`, `Wavelet`, …).
    pub image_type: String,
    /// The derived image names, in PyRadiomics' order (`log-sigma-1-0-mm-3D`, `wavelet-LLH`, …).
    pub derived: Vec<String>,
    /// The core settings of this image type (global settings, then its overrides).
    pub settings: Settings,
}

/// Params resolved for extraction ([`Params::plan`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// `label` (1 by default).
    pub label: u32,
    /// `geometryTolerance` (`None`: SimpleITK's default, 1e-6).
    pub geometry_tolerance: Option<f64>,
    /// `correctMask`.
    pub correct_mask: bool,
    /// `additionalInfo`: diagnostics are produced.
    pub additional_info: bool,
    /// Core settings of `setting:` alone (shape, mask checks).
    pub global: Settings,
    /// `shape` features when enabled.
    pub shape: Option<Vec<String>>,
    /// `shape2D` features when enabled.
    pub shape2d: Option<Vec<String>>,
    /// The other enabled classes with their features, in order.
    pub classes: Vec<(String, Vec<String>)>,
    /// The enabled image types, in order.
    pub types: Vec<TypePlan>,
}

impl Plan {
    /// Every feature name these params can give, in output order: shape, shape2D (with force2D),
    /// then each image type's derived images × classes × features. A case gives these or fewer
    /// (PyRadiomics skips a LoG sigma too large for the image, shape2D on a ROI one voxel wide).
    pub fn feature_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(s) = &self.shape {
            out.extend(s.iter().map(|f| format!("original_shape_{f}")));
        }
        if let (Some(s), Some(_)) = (&self.shape2d, self.global.force_2d) {
            out.extend(s.iter().map(|f| format!("original_shape2D_{f}")));
        }
        for t in &self.types {
            for d in &t.derived {
                for (class, features) in &self.classes {
                    out.extend(features.iter().map(|f| format!("{d}_{class}_{f}")));
                }
            }
        }
        out
    }

    /// The core settings PyRadiomics extracts feature `name` (`<image>_<class>_<feature>`, e.g.
    /// `log-sigma-3-0-mm-3D_glcm_Contrast`) with under this plan: the global settings for
    /// `original_shape*` (computed once per case), otherwise those of the image type whose
    /// derived images include `<image>` and whose class list has `<class>`. `None` when the
    /// plan does not extract the feature (its image type or class is not enabled).
    pub fn settings_of(&self, name: &str) -> Option<&Settings> {
        let mut parts = name.splitn(3, '_');
        let (image, class, feature) = (parts.next()?, parts.next()?, parts.next()?);
        if image == "original" && (class == "shape" || class == "shape2D") {
            let list = if class == "shape" {
                self.shape.as_ref()
            } else {
                self.shape2d
                    .as_ref()
                    .filter(|_| self.global.force_2d.is_some())
            };
            return list
                .filter(|l| l.iter().any(|f| f == feature))
                .map(|_| &self.global);
        }
        let enabled = self
            .classes
            .iter()
            .any(|(c, fs)| c == class && fs.iter().any(|f| f == feature));
        if !enabled {
            return None;
        }
        self.types
            .iter()
            .find(|t| t.derived.iter().any(|d| d == image))
            .map(|t| &t.settings)
    }
}

/// The fields of [`Settings`] a params file sets, to name the setting the core refuses.
#[derive(Clone, Copy)]
enum Field {
    Binning,
    Shift,
    Normalize,
    Resample,
    PreCrop,
    Resegment,
    Force2d,
    Distances,
    Symmetrical,
    Weighting,
    GldmA,
    MinDims,
    MinSize,
    Wavelet,
    StartLevel,
    Level,
    GradientSpacing,
}

/// `DEFAULT` with only `field` taken from `s`.
fn isolate(field: Field, s: &Settings) -> Settings {
    let mut d = Settings::DEFAULT;
    match field {
        Field::Binning => d.binning = s.binning,
        Field::Shift => d.voxel_array_shift = s.voxel_array_shift,
        Field::Normalize => d.normalize = s.normalize,
        Field::Resample => d.resample = s.resample,
        Field::PreCrop => d.pre_crop = s.pre_crop,
        Field::Resegment => d.resegment = s.resegment,
        Field::Force2d => d.force_2d = s.force_2d,
        Field::Distances => {
            d.distances = s.distances;
            d.n_distances = s.n_distances;
        }
        Field::Symmetrical => d.symmetrical_glcm = s.symmetrical_glcm,
        Field::Weighting => d.weighting_norm = s.weighting_norm,
        Field::GldmA => d.gldm_a = s.gldm_a,
        Field::MinDims => d.minimum_roi_dimensions = s.minimum_roi_dimensions,
        Field::MinSize => d.minimum_roi_size = s.minimum_roi_size,
        Field::Wavelet => d.wavelet = s.wavelet,
        Field::StartLevel => d.wavelet_start_level = s.wavelet_start_level,
        Field::Level => d.wavelet_level = s.wavelet_level,
        Field::GradientSpacing => d.gradient_use_spacing = s.gradient_use_spacing,
    }
    d
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(x) => Some(*x),
        _ => None,
    }
}

/// Maps the value-changing settings (`custom` over `global`) to core [`Settings`] and lets
/// [`Settings::check`] decide what is implemented. `section` names where `custom` came from.
fn map_settings(
    global: &[(String, Value)],
    custom: &[(String, Value)],
    section: &str,
    image_type: Option<&str>,
) -> Result<Settings, (ParamsErrorKind, String)> {
    // Filter settings act on their own image type only (wavelet, start_level, level: Wavelet;
    // gradientUseSpacing: Gradient); elsewhere they have no effect and keep the defaults.
    let filter_key = |k: &str| match k {
        "wavelet" | "start_level" | "level" => image_type == Some("Wavelet"),
        "gradientUseSpacing" => image_type == Some("Gradient"),
        _ => true,
    };
    let get = |k: &str| {
        if filter_key(k) {
            lookup(custom, k).or_else(|| lookup(global, k))
        } else {
            None
        }
    };
    let spell = |keys: &[&str]| -> String {
        keys.iter()
            .filter_map(|k| get(k).map(|v| format!("{k}: {v}")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let bad = |m: String| (ParamsErrorKind::Invalid, format!("`{section}`: {m}"));
    let int = |k: &str| match get(k) {
        Some(Value::Int(i)) => Some(*i),
        _ => None,
    };
    let flag = |k: &str, default: bool| match get(k) {
        Some(Value::Bool(b)) => *b,
        _ => default,
    };
    let mut s = Settings::DEFAULT;
    let mut set: Vec<(Field, String)> = Vec::new();

    if let Some(c) = int("binCount") {
        s.binning = Binning::Count(
            u32::try_from(c).map_err(|_| bad(format!("binCount {c} is too large")))?,
        );
        set.push((Field::Binning, spell(&["binCount"])));
    } else if let Some(w) = get("binWidth").and_then(num) {
        s.binning = Binning::Width(w);
        set.push((Field::Binning, spell(&["binWidth"])));
    }
    if let Some(x) = int("voxelArrayShift") {
        s.voxel_array_shift = x as f64;
        set.push((Field::Shift, spell(&["voxelArrayShift"])));
    }
    if flag("normalize", false) {
        s.normalize = Some(Normalize {
            scale: get("normalizeScale").and_then(num).unwrap_or(1.0),
            remove_outliers: get("removeOutliers").and_then(num),
        });
        set.push((
            Field::Normalize,
            spell(&["normalize", "normalizeScale", "removeOutliers"]),
        ));
    }
    if let (Some(Value::List(sp)), Some(interp)) =
        (get("resampledPixelSpacing"), get("interpolator"))
    {
        let spacing: Vec<f64> = sp.iter().filter_map(num).collect();
        let spacing: [f64; 3] = spacing.try_into().map_err(|v: Vec<f64>| {
            bad(format!(
                "resampledPixelSpacing: expected 3 values (x, y, z), found {}",
                v.len()
            ))
        })?;
        if let Value::Int(3) = interp {
            // PyRadiomics hands the number to SimpleITK, where 3 names no interpolator since
            // SimpleITK 2.2 (sitkBSpline is 23): ResampleImageFilter fails with "Interpolator
            // not set" (SimpleITK 2.5.7). 1, 2 and 4-10 keep their meaning.
            return Err(bad(
                "interpolator 3: SimpleITK (2.2 and later) has no interpolator 3, so PyRadiomics \
                 fails to resample (\"Interpolator not set\"); write the name, sitkBSpline"
                    .into(),
            ));
        }
        let interpolator = match interp {
            Value::Str(name) => SITK_INTERPOLATORS.iter().position(|n| n == name),
            Value::Int(i) => usize::try_from(*i - 1).ok(),
            _ => None,
        }
        .and_then(|i| Interpolator::ALL.get(i).copied())
        .ok_or_else(|| bad(format!("interpolator {interp} is not valid")))?;
        let pad = int("padDistance").unwrap_or(5);
        s.resample = Some(Resample {
            spacing,
            interpolator,
            pad_distance: u32::try_from(pad)
                .map_err(|_| bad(format!("padDistance {pad} is out of range")))?,
        });
        set.push((
            Field::Resample,
            spell(&["resampledPixelSpacing", "interpolator", "padDistance"]),
        ));
    }
    // PyRadiomics pre-crops only when it does not resample (featureextractor.loadImage).
    if flag("preCrop", false) && s.resample.is_none() {
        s.pre_crop = true;
        set.push((Field::PreCrop, spell(&["preCrop", "padDistance"])));
    }
    if let Some(Value::List(range)) = get("resegmentRange") {
        let mut t: Vec<f64> = range.iter().filter_map(num).collect();
        t.sort_by(f64::total_cmp);
        let (lo, hi) = match t.as_slice() {
            [lo] => (*lo, f64::INFINITY),
            [lo, hi, ..] => (*lo, *hi),
            [] => {
                return Err(bad(
                    "resegmentRange: expected 1 or 2 thresholds, found none".into(),
                ))
            }
        };
        let mode = match get("resegmentMode") {
            Some(Value::Str(m)) if m == "relative" => ResegmentMode::Relative,
            Some(Value::Str(m)) if m == "sigma" => ResegmentMode::Sigma,
            _ => ResegmentMode::Absolute,
        };
        s.resegment = Some(Resegment {
            lo,
            hi,
            mode,
            shape: flag("resegmentShape", false),
        });
        set.push((
            Field::Resegment,
            spell(&["resegmentRange", "resegmentMode", "resegmentShape"]),
        ));
    }
    if flag("force2D", false) {
        let d = int("force2Ddimension").unwrap_or(0);
        s.force_2d = Some(u8::try_from(d).map_err(|_| bad(format!("force2Ddimension {d}")))?);
        set.push((Field::Force2d, spell(&["force2D", "force2Ddimension"])));
    }
    if let Some(Value::List(d)) = get("distances") {
        let d: Vec<u32> = d
            .iter()
            .filter_map(|v| match v {
                Value::Int(i) => u32::try_from(*i).ok(),
                _ => None,
            })
            .collect();
        if d.is_empty() || d.len() > MAX_DISTANCES {
            return Err(bad(format!(
                "distances: expected 1 to {MAX_DISTANCES} distances, found {}",
                d.len()
            )));
        }
        s.distances = [0; MAX_DISTANCES];
        s.distances[..d.len()].copy_from_slice(&d);
        s.n_distances = d.len() as u8;
        set.push((Field::Distances, spell(&["distances"])));
    }
    if let Some(Value::Bool(b)) = get("symmetricalGLCM") {
        s.symmetrical_glcm = *b;
        set.push((Field::Symmetrical, spell(&["symmetricalGLCM"])));
    }
    if let Some(Value::Str(w)) = get("weightingNorm") {
        s.weighting_norm = match w.as_str() {
            "manhattan" => WeightingNorm::Manhattan,
            "euclidean" => WeightingNorm::Euclidean,
            "infinity" => WeightingNorm::Infinity,
            _ => WeightingNorm::NoWeighting,
        };
        set.push((Field::Weighting, spell(&["weightingNorm"])));
    }
    if let Some(a) = int("gldm_a") {
        s.gldm_a = a as f64;
        set.push((Field::GldmA, spell(&["gldm_a"])));
    }
    if let Some(d) = int("minimumROIDimensions") {
        s.minimum_roi_dimensions = d.clamp(0, 255) as u8;
        set.push((Field::MinDims, spell(&["minimumROIDimensions"])));
    }
    if let Some(n) = int("minimumROISize") {
        s.minimum_roi_size =
            Some(u32::try_from(n).map_err(|_| bad(format!("minimumROISize {n}")))?);
        set.push((Field::MinSize, spell(&["minimumROISize"])));
    }
    if let Some(Value::Str(w)) = get("wavelet") {
        let family = |p: &str| w.strip_prefix(p).and_then(|n| n.parse::<u8>().ok());
        s.wavelet = if w == "haar" {
            WaveletFamily::Haar
        } else if let Some(n) = family("db") {
            WaveletFamily::Db(n)
        } else if let Some(n) = family("sym") {
            WaveletFamily::Sym(n)
        } else if let Some(n) = family("coif") {
            WaveletFamily::Coif(n)
        } else {
            return Err((
                ParamsErrorKind::Unsupported,
                format!(
                    "`{section}`: setting `wavelet: {w}` is not implemented by radscore (wavelets: \
                     haar, dbN, symN, coifN)"
                ),
            ));
        };
        set.push((Field::Wavelet, spell(&["wavelet"])));
    }
    if let Some(l) = int("start_level") {
        s.wavelet_start_level = u8::try_from(l).map_err(|_| bad(format!("start_level {l}")))?;
        set.push((Field::StartLevel, spell(&["start_level"])));
    }
    if let Some(l) = int("level") {
        s.wavelet_level = u8::try_from(l).map_err(|_| bad(format!("level {l}")))?;
        set.push((Field::Level, spell(&["level"])));
    }
    if let Some(Value::Bool(b)) = get("gradientUseSpacing") {
        s.gradient_use_spacing = *b;
        set.push((Field::GradientSpacing, spell(&["gradientUseSpacing"])));
    }

    // Name the setting the core refuses: each one alone on the defaults, then all together.
    for (field, text) in &set {
        match isolate(*field, &s).check() {
            Ok(()) => {}
            Err(CoreError::UnsupportedSetting) => {
                return Err((
                    ParamsErrorKind::Unsupported,
                    format!("`{section}`: setting `{text}` is not implemented by radscore yet"),
                ))
            }
            Err(e) => {
                return Err((
                    ParamsErrorKind::Invalid,
                    format!("`{section}`: setting `{text}`: {e}"),
                ))
            }
        }
    }
    match s.check() {
        Ok(()) => Ok(s),
        Err(CoreError::UnsupportedSetting) => Err((
            ParamsErrorKind::Unsupported,
            format!(
                "`{section}`: the combination of settings `{}` is not implemented by radscore yet",
                set.iter()
                    .map(|(_, t)| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        Err(e) => Err((
            ParamsErrorKind::Invalid,
            format!("`{section}`: settings: {e}"),
        )),
    }
}
