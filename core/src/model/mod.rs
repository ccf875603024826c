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
use crate::settings::{Binning, Settings};
use serde::{Deserialize, Serialize};

pub use score::Score;

/// Maximum number of radiomics features in one model.
pub const MAX_FEATURES: usize = 128;
/// Maximum number of clinical predictors in one model.
pub const MAX_CLINICAL: usize = 16;
/// Maximum number of nomogram predictors: the radscore plus the clinical predictors.
pub const MAX_PREDICTORS: usize = MAX_CLINICAL + 1;

/// Maximum number of distinct extraction settings in one model (format 3's settings table; most
/// models have none or one: every feature of one params file shares its settings, and an image
/// type override adds one).
pub const MAX_SETTINGS: usize = 16;

/// [`FeatureRecipe::settings`] of a feature extracted with PyRadiomics' defaults and its
/// `bin_width` (every feature of a format-1 or format-2 model): no settings-table entry.
pub const DEFAULT_SETTINGS: u8 = u8::MAX;

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
    /// Fixed bin width of the discretisation (> 0; PyRadiomics' default is 25). With a
    /// settings-table entry ([`FeatureRecipe::settings`]) it repeats that entry's `binWidth`, or is
    /// 0 when the entry bins by count (`binCount`).
    pub bin_width: f64,
    /// Mask label of the lesion (≥ 1; 1 by default).
    pub label: u32,
    /// z-score mean over the training rows.
    pub mean: f64,
    /// z-score population standard deviation over the training rows (> 0).
    pub sd: f64,
    /// LASSO coefficient on the z-score.
    pub coefficient: f64,
    /// The extraction settings: [`DEFAULT_SETTINGS`] for PyRadiomics' defaults with
    /// [`FeatureRecipe::bin_width`], otherwise an index into [`Model::settings`]. Read it with
    /// [`Model::settings_of`], set it with [`Model::set_settings`].
    pub settings: u8,
}

impl FeatureRecipe {
    /// The parsed PyRadiomics name, if this core can compute the feature from images whatever
    /// its settings.
    ///
    /// # Errors
    /// [`Error::FeatureNotComputable`] if the sequence is empty or the name is not one the core's
    /// parser accepts ([`FeatureName::parse`] fails: another class such as `glcm`, another image
    /// type such as `square`, or not a PyRadiomics name at all). Such a feature can still be
    /// scored from a features table. A shape2D feature is refused here too: the core computes
    /// it only with `force2D`, which lives in the model's settings table — ask the model
    /// ([`Model::recipe_of`], [`Model::is_computable`]), which accepts it when its settings
    /// entry has `force2D`.
    pub fn recipe(&self) -> Result<FeatureName, Error> {
        match self.parsed() {
            Ok(n) if matches!(n.feature, crate::names::Feature::Shape2D(_)) => {
                Err(Error::FeatureNotComputable)
            }
            r => r,
        }
    }

    /// The parsed name if the sequence is set and the core's parser accepts it (shape2D
    /// included).
    fn parsed(&self) -> Result<FeatureName, Error> {
        if self.sequence.is_empty() {
            return Err(Error::FeatureNotComputable);
        }
        FeatureName::parse(&self.name).map_err(|_| Error::FeatureNotComputable)
    }

    /// Whether the core can recompute this feature from images whatever its settings
    /// ([`FeatureRecipe::recipe`]; for a model's feature prefer [`Model::is_computable`]).
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
    /// The distinct non-default extraction settings of the features (format 3), referenced by
    /// [`FeatureRecipe::settings`]; empty when every feature uses PyRadiomics' defaults with its
    /// bin width (formats 1 and 2). Every entry is referenced and no two are equal
    /// ([`Model::validate`]).
    pub settings: heapless::Vec<Settings, MAX_SETTINGS>,
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

/// A settings-table entry: its numbers are not NaN (only `resegmentRange`'s upper end may be
/// +∞, PyRadiomics' one-sided range) and its values are in range ([`Settings::check`]'s
/// [`Error::BadBinWidth`] / [`Error::BadSetting`]). A setting this core does not implement
/// (yet) is valid in a model: extraction refuses it ([`Error::UnsupportedSetting`]), scoring
/// from a features table does not need it.
fn valid_settings(s: &Settings) -> Result<(), Error> {
    if let Binning::Width(w) = s.binning {
        finite(w)?;
    }
    finite(s.voxel_array_shift)?;
    finite(s.gldm_a)?;
    if let Some(n) = s.normalize {
        finite(n.scale)?;
        if let Some(r) = n.remove_outliers {
            finite(r)?;
        }
    }
    if let Some(r) = s.resample {
        for x in r.spacing {
            finite(x)?;
        }
    }
    if let Some(r) = s.resegment {
        finite(r.lo)?;
        if r.hi.is_nan() || r.hi == f64::NEG_INFINITY {
            return Err(Error::NonFiniteParameter);
        }
    }
    match s.check() {
        Ok(()) | Err(Error::UnsupportedSetting) => Ok(()),
        Err(e) => Err(e),
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
            settings: heapless::Vec::new(),
        }
    }

    /// Drops the features and clinical predictors, so the model can no longer pass
    /// [`Model::validate`] (used when a decode into existing storage fails half-way).
    fn invalidate(&mut self) {
        self.features.clear();
        self.clinical.clear();
        self.settings.clear();
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
    ///   an AUC outside `[0, 1]` (other than `-1`), or more positives than rows; a recipe's
    ///   settings index past the table, or its `bin_width` differing from its entry's (0 for
    ///   `binCount`); a settings entry no recipe uses, or equal to another;
    /// * for a settings entry: [`Error::NonFiniteParameter`] (a NaN or infinite number),
    ///   [`Error::BadBinWidth`] / [`Error::BadSetting`] (out of range, [`Settings::check`]).
    pub fn validate(&self) -> Result<(), Error> {
        if self.features.is_empty() {
            return Err(Error::InconsistentModel);
        }
        for (i, f) in self.features.iter().enumerate() {
            if !valid_sequence(&f.sequence) || !valid_column_name(&f.name) {
                return Err(Error::BadName);
            }
            finite(f.bin_width)?;
            if f.settings == DEFAULT_SETTINGS {
                if f.bin_width <= 0.0 {
                    return Err(Error::BadBinWidth);
                }
            } else {
                let s = self
                    .settings
                    .get(usize::from(f.settings))
                    .ok_or(Error::InconsistentModel)?;
                let width = match s.binning {
                    Binning::Width(w) => w,
                    Binning::Count(_) => 0.0,
                };
                if f.bin_width != width {
                    return Err(Error::InconsistentModel);
                }
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
        for (k, s) in self.settings.iter().enumerate() {
            valid_settings(s)?;
            let used = self.features.iter().any(|f| usize::from(f.settings) == k);
            let earlier = self.settings.get(..k).unwrap_or(&[]);
            if !used || earlier.contains(s) {
                return Err(Error::InconsistentModel);
            }
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
    /// compute it with its settings ([`Model::recipe_of`]).
    pub fn feature_name(&self, i: usize) -> Option<FeatureName> {
        self.recipe_of(i).ok()
    }

    /// The parsed PyRadiomics name of the `i`-th feature if the core can compute it from images
    /// with its settings ([`Model::settings_of`]): [`FeatureRecipe::recipe`]'s rules, except that
    /// a shape2D feature is computable when its settings have `force2D` (PyRadiomics computes
    /// shape2D only then; `force2Ddimension` comes with it).
    ///
    /// # Errors
    /// [`Error::FeatureNotComputable`] (also for an index past the features).
    pub fn recipe_of(&self, i: usize) -> Result<FeatureName, Error> {
        let f = self.features.get(i).ok_or(Error::FeatureNotComputable)?;
        let n = f.parsed()?;
        if matches!(n.feature, crate::names::Feature::Shape2D(_))
            && self.settings_of(i).is_none_or(|s| s.force_2d.is_none())
        {
            return Err(Error::FeatureNotComputable);
        }
        Ok(n)
    }

    /// Whether the core can recompute the `i`-th feature from images ([`Model::recipe_of`]).
    pub fn is_computable(&self, i: usize) -> bool {
        self.recipe_of(i).is_ok()
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
        (0..self.features.len()).position(|i| !self.is_computable(i))
    }

    /// The extraction settings of the `i`-th feature: its settings-table entry, or PyRadiomics'
    /// defaults with its bin width ([`DEFAULT_SETTINGS`]). `None` for an index past the features
    /// (or, in a model that did not validate, past the table).
    pub fn settings_of(&self, i: usize) -> Option<Settings> {
        let f = self.features.get(i)?;
        if f.settings == DEFAULT_SETTINGS {
            Some(Settings::with_bin_width(f.bin_width))
        } else {
            self.settings.get(usize::from(f.settings)).copied()
        }
    }

    /// Sets the extraction settings of the `i`-th feature (a host building a model from a
    /// params file). Defaults with a bin width are stored as [`DEFAULT_SETTINGS`] and that bin
    /// width; other settings as a settings-table entry, shared with the features that have the
    /// same settings. Entries no feature uses any more are removed, so the table stays minimal
    /// and the model stays in format 2 when every feature has default settings.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an index past the features; [`Error::CapacityExceeded`]
    /// when the table already holds [`MAX_SETTINGS`] other settings (the model is unchanged).
    pub fn set_settings(&mut self, i: usize, s: &Settings) -> Result<(), Error> {
        if i >= self.features.len() {
            return Err(Error::IndexOutOfRange);
        }
        let (index, bin_width) = match s.binning {
            Binning::Width(w) if *s == Settings::with_bin_width(w) => (DEFAULT_SETTINGS, w),
            b => {
                let width = match b {
                    Binning::Width(w) => w,
                    Binning::Count(_) => 0.0,
                };
                let k = match self.settings.iter().position(|t| t == s) {
                    Some(k) => k,
                    None => {
                        // a full table may still free the entry only this feature used
                        let own = self.features.get(i).map(|f| f.settings);
                        let sole = own.filter(|&o| {
                            o != DEFAULT_SETTINGS
                                && self
                                    .features
                                    .iter()
                                    .enumerate()
                                    .all(|(j, f)| j == i || f.settings != o)
                        });
                        match sole {
                            Some(o) if self.settings.is_full() => {
                                if let Some(slot) = self.settings.get_mut(usize::from(o)) {
                                    *slot = *s;
                                }
                                usize::from(o)
                            }
                            _ => {
                                self.settings
                                    .push(*s)
                                    .map_err(|_| Error::CapacityExceeded)?;
                                self.settings.len() - 1
                            }
                        }
                    }
                };
                (u8::try_from(k).map_err(|_| Error::CapacityExceeded)?, width)
            }
        };
        if let Some(f) = self.features.get_mut(i) {
            f.settings = index;
            f.bin_width = bin_width;
        }
        self.prune_settings();
        Ok(())
    }

    /// Removes the settings entries no feature uses, renumbering the features' indices.
    fn prune_settings(&mut self) {
        let mut k = 0;
        while k < self.settings.len() {
            let used = self.features.iter().any(|f| usize::from(f.settings) == k);
            if used {
                k += 1;
                continue;
            }
            self.settings.remove(k);
            for f in self.features.iter_mut() {
                if f.settings != DEFAULT_SETTINGS && usize::from(f.settings) > k {
                    f.settings -= 1;
                }
            }
        }
    }

    /// The format version this model is written in: 3 when a feature has non-default settings
    /// (a settings table), else 2 (readable by every core since format 2).
    pub fn format_version(&self) -> u16 {
        if self.settings.is_empty() {
            2
        } else {
            3
        }
    }

    /// Number of nomogram predictors: the radscore plus the clinical predictors.
    pub fn n_predictors(&self) -> usize {
        1 + self.clinical.len()
    }
}
