//! The model: feature recipes, z-score and LASSO parameters, the combined logistic model and the
//! nomogram scales; artifact decoding ([`artifact`]) and scoring ([`Model::score`]).
//!
//! A [`Model`] is plain data with fixed capacities ([`MAX_FEATURES`], [`MAX_CLINICAL`]); it never
//! allocates. It is produced on the host by the trainer's encoder and read on the device with
//! [`Model::decode`] (or [`Model::decode_verified`] when the artifact must carry a valid Ed25519
//! signature). Every decoded model has passed [`Model::validate`], so scoring can only fail on its
//! inputs.
//!
//! Let, for the `i`-th feature, `x_i` be its raw value, `mean_i`/`sd_i` its z-score parameters and
//! `β_i` its LASSO coefficient; for the `j`-th clinical predictor `c_j` its raw value and `γ_j` its
//! combined-logistic coefficient. Then
//!
//! | quantity | formula |
//! |---|---|
//! | z-score | `z_i = (x_i − mean_i) / sd_i` |
//! | radscore | `radscore_intercept + Σ β_i·z_i` |
//! | linear predictor | `lp = combined_intercept + radscore_coefficient·radscore + Σ γ_j·c_j` |
//! | probability | `1/(1+e^{−lp})` for `lp ≥ 0`, else `e^{lp}/(1+e^{lp})` (never overflows) |
//! | class | `1` iff `probability ≥ threshold` |
//! | points of predictor `k` (beta `b`, axis `[lo, hi]`) | `(b·x − min(b·lo, b·hi)) · points_per_unit` |
//!
//! All arithmetic is f64 and `exp` is `libm::exp` (≤ 1 ulp), so host and device agree bit for bit.

pub mod artifact;
mod crc;
mod score;
pub mod wire;

use crate::error::Error;
use crate::names::FeatureName;
use serde::{Deserialize, Serialize};

pub use score::Score;

/// Maximum number of radiomics features in one model.
pub const MAX_FEATURES: usize = 128;
/// Maximum number of clinical predictors in one model.
pub const MAX_CLINICAL: usize = 16;
/// Maximum number of nomogram predictors: the radscore plus the clinical predictors.
pub const MAX_PREDICTORS: usize = MAX_CLINICAL + 1;

/// A short name (sequence, predictor, unit): at most 32 bytes of UTF-8.
pub type ShortName = heapless::String<32>;

/// Capacity of a stored feature name in bytes (the longest PyRadiomics 3.0.1 name with a
/// LoG sigma of up to three digits, `log-sigma-10-0-mm-3D_gldm_LargeDependenceHighGrayLevelEmphasis`,
/// has 61).
pub const MAX_FEATURE_NAME: usize = 64;

/// A feature name as stored in the model (format 2): the PyRadiomics name as text, at most
/// [`MAX_FEATURE_NAME`] bytes.
pub type FeatureText = heapless::String<MAX_FEATURE_NAME>;

/// How to compute one radiomics feature and how it enters the radscore.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureRecipe {
    /// The MR sequence the feature is computed on (`t2`, `dwi`, `dce`, or any `[a-z0-9]+`),
    /// or empty for a feature column without a sequence prefix. The CSV column of the feature
    /// is `<sequence>_<name>` (just `<name>` when the sequence is empty).
    pub sequence: ShortName,
    /// The PyRadiomics name (image type + feature class + feature), stored as text, e.g.
    /// `log-sigma-3-0-mm-3D_glszm_SmallAreaEmphasis` or `original_glcm_Contrast`. Whether the
    /// core can recompute it from images is decided when asked ([`FeatureRecipe::recipe`]), from
    /// the name, so a core that learns a class computes that class's features of models trained
    /// before it did.
    pub name: FeatureText,
    /// Fixed bin width of the discretisation (> 0; PyRadiomics' default is 25).
    pub bin_width: f64,
    /// Mask label of the lesion (≥ 1; 1 by default).
    pub label: u32,
    /// z-score mean over the training rows.
    pub mean: f64,
    /// z-score population standard deviation over the training rows (> 0).
    pub sd: f64,
    /// LASSO coefficient on the z-score.
    pub coefficient: f64,
}

impl FeatureRecipe {
    /// The parsed PyRadiomics name, if this core can compute the feature from images.
    ///
    /// # Errors
    /// [`Error::FeatureNotComputable`] if the sequence is empty or the name is not one the core's
    /// parser accepts ([`FeatureName::parse`] fails: another class such as `glcm`, another image
    /// type such as `square`, or not a PyRadiomics name at all). Such a feature can still be
    /// scored from a features table. shape2D is table-only too: the core computes it only with
    /// `force2D` (`extract_with`), which a model recipe does not carry (yet).
    pub fn recipe(&self) -> Result<FeatureName, Error> {
        if self.sequence.is_empty() {
            return Err(Error::FeatureNotComputable);
        }
        match FeatureName::parse(&self.name) {
            Ok(n) if matches!(n.feature, crate::names::Feature::Shape2D(_)) => {
                Err(Error::FeatureNotComputable)
            }
            Ok(n) => Ok(n),
            Err(_) => Err(Error::FeatureNotComputable),
        }
    }

    /// Whether the core can recompute this feature from images ([`FeatureRecipe::recipe`]).
    pub fn is_computable(&self) -> bool {
        self.recipe().is_ok()
    }

    /// The feature's column in a features table: `<sequence>_<name>`, or `<name>` without a
    /// sequence.
    pub fn column(&self) -> Column<'_> {
        Column(self)
    }
}

/// Displays a feature's column name ([`FeatureRecipe::column`]).
#[derive(Clone, Copy, Debug)]
pub struct Column<'a>(&'a FeatureRecipe);

impl core::fmt::Display for Column<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.0.sequence.is_empty() {
            f.write_str(&self.0.name)
        } else {
            write!(f, "{}_{}", self.0.sequence, self.0.name)
        }
    }
}

/// The scale of a clinical predictor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PredictorKind {
    /// Any finite value in raw units.
    Continuous,
    /// `0` or `1`.
    Binary,
}

/// One clinical predictor of the combined logistic model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClinicalPredictor {
    /// The cohort column name (e.g. `texture`, `volume`); also the CSV column when scoring.
    pub name: ShortName,
    /// Continuous or binary.
    pub kind: PredictorKind,
    /// Unit or coding hint (`mm3`, `0=soft,1=stiff`); empty if none.
    pub unit: ShortName,
    /// Combined-logistic coefficient per raw unit.
    pub coefficient: f64,
    /// Lower end of the nomogram axis, in raw units.
    pub axis_min: f64,
    /// Upper end of the nomogram axis, in raw units (> `axis_min`).
    pub axis_max: f64,
}

/// Provenance and training metadata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// Free-form model identifier.
    pub model_id: heapless::String<64>,
    /// Creation time, seconds since the Unix epoch.
    pub created_unix: u64,
    /// Version of the trainer that produced the model.
    pub trainer_version: ShortName,
    /// Training-set size.
    pub n_train: u32,
    /// Test-set size.
    pub n_test: u32,
    /// Positives in the training set.
    pub n_positive_train: u32,
    /// Positives in the test set.
    pub n_positive_test: u32,
    /// AUC of the combined model on the training set, in `[0, 1]`, or `-1.0` if unknown.
    pub auc_train: f64,
    /// AUC of the combined model on the test set, in `[0, 1]`, or `-1.0` if unknown.
    pub auc_test: f64,
}

/// A complete scoring model: radscore, combined logistic model, nomogram and decision threshold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// The radscore's features (at least one).
    pub features: heapless::Vec<FeatureRecipe, MAX_FEATURES>,
    /// Intercept of the radscore.
    pub radscore_intercept: f64,
    /// Intercept of the combined logistic model.
    pub combined_intercept: f64,
    /// Combined-logistic coefficient on the radscore.
    pub radscore_coefficient: f64,
    /// Nomogram axis range of the radscore, `[lo, hi]` with `lo < hi`.
    pub radscore_axis: [f64; 2],
    /// Clinical predictors, in nomogram order after the radscore.
    pub clinical: heapless::Vec<ClinicalPredictor, MAX_CLINICAL>,
    /// Nomogram points per unit of linear predictor (> 0).
    pub points_per_unit: f64,
    /// Decision threshold on the probability, in `(0, 1)`.
    pub threshold: f64,
    /// Provenance and training metadata.
    pub meta: Metadata,
}

fn finite(x: f64) -> Result<(), Error> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(Error::NonFiniteParameter)
    }
}

/// `[a-z0-9]*` (empty: a feature column without a sequence prefix).
fn valid_sequence(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Non-empty printable ASCII without `,` and `"` (so it is a plain CSV header cell).
fn valid_column_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b',' && b != b'"')
}

fn valid_axis(lo: f64, hi: f64) -> Result<(), Error> {
    finite(lo)?;
    finite(hi)?;
    if lo < hi {
        Ok(())
    } else {
        Err(Error::InconsistentModel)
    }
}

fn valid_auc(a: f64) -> Result<(), Error> {
    finite(a)?;
    if a == -1.0 || (0.0..=1.0).contains(&a) {
        Ok(())
    } else {
        Err(Error::InconsistentModel)
    }
}

impl Model {
    /// A model with no features and no clinical predictors and all numbers zero: the starting
    /// point for [`Model::decode_from`]. It is not a valid model ([`Model::validate`] rejects it).
    /// `const`, so it can initialise a `static` or caller-owned storage without a copy on the
    /// stack.
    pub const fn empty() -> Model {
        Model {
            features: heapless::Vec::new(),
            radscore_intercept: 0.0,
            combined_intercept: 0.0,
            radscore_coefficient: 0.0,
            radscore_axis: [0.0; 2],
            clinical: heapless::Vec::new(),
            points_per_unit: 0.0,
            threshold: 0.0,
            meta: Metadata {
                model_id: heapless::String::new(),
                created_unix: 0,
                trainer_version: heapless::String::new(),
                n_train: 0,
                n_test: 0,
                n_positive_train: 0,
                n_positive_test: 0,
                auc_train: 0.0,
                auc_test: 0.0,
            },
        }
    }

    /// Drops the features and clinical predictors, so the model can no longer pass
    /// [`Model::validate`] (used when a decode into existing storage fails half-way).
    fn invalidate(&mut self) {
        self.features.clear();
        self.clinical.clear();
    }

    /// Checks every invariant the scorer relies on.
    ///
    /// # Errors
    /// * [`Error::NonFiniteParameter`] — any parameter is NaN or infinite;
    /// * [`Error::NonPositiveSd`] — a z-score sd is `≤ 0`;
    /// * [`Error::BadBinWidth`] — a bin width is `≤ 0`;
    /// * [`Error::BadName`] — a sequence is not `[a-z0-9]*`, a feature name or a clinical
    ///   name/unit is not a
    ///   plain CSV header cell (non-empty printable ASCII without `,` or `"`), or a unit holds a
    ///   control character (units may be empty and hold any other text, e.g. `0=soft,1=stiff`);
    /// * [`Error::InconsistentModel`] — no features, duplicate feature columns or predictor names,
    ///   label 0, an axis with `lo ≥ hi`, `points_per_unit ≤ 0`, threshold outside `(0, 1)`,
    ///   an AUC outside `[0, 1]` (other than `-1`), or more positives than rows.
    pub fn validate(&self) -> Result<(), Error> {
        if self.features.is_empty() {
            return Err(Error::InconsistentModel);
        }
        for (i, f) in self.features.iter().enumerate() {
            if !valid_sequence(&f.sequence) || !valid_column_name(&f.name) {
                return Err(Error::BadName);
            }
            finite(f.bin_width)?;
            if f.bin_width <= 0.0 {
                return Err(Error::BadBinWidth);
            }
            if f.label == 0 {
                return Err(Error::InconsistentModel);
            }
            finite(f.mean)?;
            finite(f.sd)?;
            finite(f.coefficient)?;
            if f.sd <= 0.0 {
                return Err(Error::NonPositiveSd);
            }
            let earlier = self.features.get(..i).unwrap_or(&[]);
            if earlier
                .iter()
                .any(|g| g.sequence == f.sequence && g.name == f.name)
            {
                return Err(Error::InconsistentModel);
            }
        }
        finite(self.radscore_intercept)?;
        finite(self.combined_intercept)?;
        finite(self.radscore_coefficient)?;
        valid_axis(self.radscore_axis[0], self.radscore_axis[1])?;
        for (j, c) in self.clinical.iter().enumerate() {
            if !valid_column_name(&c.name) || c.unit.chars().any(char::is_control) {
                return Err(Error::BadName);
            }
            finite(c.coefficient)?;
            valid_axis(c.axis_min, c.axis_max)?;
            let earlier = self.clinical.get(..j).unwrap_or(&[]);
            if c.name.as_str() == "patient_id" || earlier.iter().any(|d| d.name == c.name) {
                return Err(Error::InconsistentModel);
            }
        }
        finite(self.points_per_unit)?;
        if self.points_per_unit <= 0.0 {
            return Err(Error::InconsistentModel);
        }
        finite(self.threshold)?;
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return Err(Error::InconsistentModel);
        }
        let m = &self.meta;
        valid_auc(m.auc_train)?;
        valid_auc(m.auc_test)?;
        if m.n_positive_train > m.n_train || m.n_positive_test > m.n_test {
            return Err(Error::InconsistentModel);
        }
        Ok(())
    }

    /// The parsed PyRadiomics name of the `i`-th feature, if there is one and the core can
    /// compute it ([`FeatureRecipe::recipe`]).
    pub fn feature_name(&self, i: usize) -> Option<FeatureName> {
        self.features.get(i).and_then(|f| f.recipe().ok())
    }

    /// Whether the core can compute every feature of the model from images.
    ///
    /// # Errors
    /// [`Error::FeatureNotComputable`] naming nothing: use [`Model::first_not_computable`] for
    /// the index of the first such feature.
    pub fn check_computable(&self) -> Result<(), Error> {
        match self.first_not_computable() {
            Some(_) => Err(Error::FeatureNotComputable),
            None => Ok(()),
        }
    }

    /// Index of the first feature the core cannot compute from images, if any.
    pub fn first_not_computable(&self) -> Option<usize> {
        self.features.iter().position(|f| !f.is_computable())
    }

    /// Number of nomogram predictors: the radscore plus the clinical predictors.
    pub fn n_predictors(&self) -> usize {
        1 + self.clinical.len()
    }
}
