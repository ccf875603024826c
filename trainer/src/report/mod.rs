//! The validation report: tables (CSV), figures (SVG) and a self-contained `index.html`.
//!
//! [`ReportInput`] holds plain data (predictions per model and set, the radscore per patient, the
//! clinical columns for the baseline table, odds ratios, the LASSO trace and the nomogram scales).
//! It is built from a training run ([`ReportInput::from_train`]) or from a model and a cohort
//! ([`ReportInput::from_model`]); [`write_report`] turns it into files. Output is deterministic:
//! the same input gives byte-identical files (no timestamps, fixed float formatting, sorted
//! iteration), and every file is written atomically (temporary file + rename).
//!
//! One file per figure or table family: [`roc`], [`calibration`], [`dca`], [`nomogram`],
//! [`radscore`] (waterfall and violin), [`lasso`] (coefficient path and CV curve), [`tables`]
//! (baseline, odds ratios, performance, DeLong, features) and [`html`] (the page).

pub(crate) mod calc;
pub mod calibration;
pub mod dca;
pub(crate) mod fmt;
pub mod html;
pub mod input;
pub mod internal;
pub mod lasso;
pub mod nomogram;
pub(crate) mod plot;
pub mod radscore;
pub mod roc;
pub mod tables;

use std::path::{Path, PathBuf};

use anyhow::Context;

/// Which part of the cohort a patient belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// Training set.
    Train,
    /// Internal test (validation) set.
    Test,
    /// External validation cohort `k` ([`ReportInput::external_names`]).
    External(u8),
    /// Patients whose set is not known (a cohort without split column or saved split): they
    /// may include training patients, so nothing about them is called validation.
    All,
}

impl Part {
    /// Training and internal test set.
    pub const ALL: [Part; 2] = [Part::Train, Part::Test];
}

impl ReportInput {
    /// Every part that has patients (a model output or a radscore), in report order: training,
    /// test, the external cohorts, then patients of unknown set.
    pub fn parts(&self) -> Vec<Part> {
        let mut all = vec![Part::Train, Part::Test];
        all.extend((0..self.external_names.len()).map(|k| Part::External(k as u8)));
        all.push(Part::All);
        all.into_iter()
            .filter(|&p| {
                self.models.iter().any(|m| !m.part(p).is_empty())
                    || self.radscore.iter().any(|c| c.part == p)
                    || self.baseline.as_ref().is_some_and(|b| b.parts.contains(&p))
            })
            .collect()
    }

    /// File-name and CSV key of a part: `train`, `test`, `external` (one external cohort) or
    /// `external-<k>` (k = 1, 2, … in order), `all`.
    pub fn part_key(&self, p: Part) -> String {
        match p {
            Part::Train => "train".into(),
            Part::Test => "test".into(),
            Part::External(k) if self.external_names.len() <= 1 && k == 0 => "external".into(),
            Part::External(k) => format!("external-{}", u32::from(k) + 1),
            Part::All => "all".into(),
        }
    }

    /// Title of a part: "Training set", "Test set", "External validation (<name>)",
    /// "All patients (set unknown)".
    pub fn part_title(&self, p: Part) -> String {
        match p {
            Part::Train => "Training set".into(),
            Part::Test => "Test set".into(),
            Part::External(k) => match self.external_names.get(usize::from(k)) {
                Some(n) if n.eq_ignore_ascii_case("external") => "External validation set".into(),
                Some(n) => format!("External validation ({n})"),
                None => format!("External validation set {}", u32::from(k) + 1),
            },
            Part::All => "All patients (set unknown)".into(),
        }
    }

    /// [`ReportInput::part_title`] inside a sentence (first letter lower case; names unchanged).
    pub fn part_phrase(&self, p: Part) -> String {
        let t = self.part_title(p);
        let mut c = t.chars();
        match c.next() {
            Some(f) => f.to_lowercase().chain(c).collect(),
            None => t,
        }
    }
}

/// One patient's outcome and a model's output (probability, or radscore).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Obs {
    /// 1 = positive class.
    pub label: u8,
    /// Model output.
    pub value: f64,
}

/// A model's outputs on the training and test sets.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelCurves {
    /// Display name ("clinical", "t2", …, "combined").
    pub name: String,
    /// Decision threshold (Youden on the training set); class 1 iff value ≥ threshold.
    pub threshold: f64,
    /// Whether `value` is a probability (calibration and decision curves need one).
    pub probability: bool,
    /// Training-set outputs.
    pub train: Vec<Obs>,
    /// Test-set outputs (may be empty).
    pub test: Vec<Obs>,
    /// Outputs of the other parts (external cohorts, patients of unknown set).
    pub other: Vec<(Part, Vec<Obs>)>,
}

impl ModelCurves {
    /// The outputs of one part.
    pub fn part(&self, p: Part) -> &[Obs] {
        match p {
            Part::Train => &self.train,
            Part::Test => &self.test,
            _ => self
                .other
                .iter()
                .find(|(q, _)| *q == p)
                .map_or(&[], |(_, v)| v.as_slice()),
        }
    }

    /// Adds one output to its part.
    pub fn push(&mut self, p: Part, o: Obs) {
        match p {
            Part::Train => self.train.push(o),
            Part::Test => self.test.push(o),
            _ => match self.other.iter_mut().find(|(q, _)| *q == p) {
                Some((_, v)) => v.push(o),
                None => self.other.push((p, vec![o])),
            },
        }
    }
}

/// One patient's radscore.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredCase {
    /// Patient id.
    pub id: String,
    /// 1 = positive class.
    pub label: u8,
    /// Training or test set.
    pub part: Part,
    /// The radscore.
    pub value: f64,
}

/// How a baseline variable is summarised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    /// median (Q1, Q3), Mann–Whitney U.
    Continuous,
    /// n (%) per level, chi-square (Fisher exact for 2×2 tables with an expected count < 5).
    Categorical,
}

/// One clinical column for the baseline table.
#[derive(Clone, Debug, PartialEq)]
pub struct BaselineVar {
    /// Column name.
    pub name: String,
    /// Summary type.
    pub kind: VarKind,
    /// One value per patient (NaN = missing); a factor's level index.
    pub values: Vec<f64>,
    /// Level names of a factor by index (empty: levels are shown as their numbers).
    pub levels: Vec<String>,
}

impl BaselineVar {
    /// Categorical if every value is an integer and there are at most 5 distinct ones.
    pub fn infer_kind(values: &[f64]) -> VarKind {
        let v = calc::sorted_finite(values);
        let mut d = v.clone();
        d.dedup();
        if !v.is_empty() && d.len() <= 5 && v.iter().all(|x| x.fract() == 0.0) {
            VarKind::Categorical
        } else {
            VarKind::Continuous
        }
    }
}

/// Baseline characteristics input: labels, parts and clinical columns, one entry per patient.
#[derive(Clone, Debug, PartialEq)]
pub struct Baseline {
    /// Outcome of each patient.
    pub labels: Vec<u8>,
    /// Part of each patient.
    pub parts: Vec<Part>,
    /// Clinical columns.
    pub vars: Vec<BaselineVar>,
}

/// An odds-ratio row (logistic regression, Wald CI).
#[derive(Clone, Debug, PartialEq)]
pub struct OddsRow {
    /// Predictor.
    pub name: String,
    /// Odds ratio.
    pub or: f64,
    /// Lower 95 % limit.
    pub ci_low: f64,
    /// Upper 95 % limit.
    pub ci_high: f64,
    /// Wald p-value (a factor's variable row: likelihood-ratio p of the factor).
    pub p: f64,
    /// Level of a factor (`None`: a numeric variable, or a factor's variable row).
    pub level: Option<String>,
    /// Reference level of a factor (`None`: a numeric variable).
    pub reference: Option<String>,
}

/// A named coefficient.
#[derive(Clone, Debug, PartialEq)]
pub struct Coefficient {
    /// Name (features: `<sequence>_<PyRadiomics name>`).
    pub name: String,
    /// Value.
    pub value: f64,
}

/// The LASSO cross-validation trace.
#[derive(Clone, Debug, PartialEq)]
pub struct LassoTrace {
    /// Alpha grid.
    pub alphas: Vec<f64>,
    /// Mean held-out MSE per alpha.
    pub mean_mse: Vec<f64>,
    /// Standard deviation of the held-out MSE over folds per alpha.
    pub sd_mse: Vec<f64>,
    /// Index of the chosen alpha.
    pub chosen: usize,
    /// Index of the alpha with the smallest mean MSE (glmnet `lambda.min`).
    pub min_index: usize,
    /// Index of the largest alpha within one standard error of the minimum (glmnet `lambda.1se`).
    pub one_se_index: usize,
    /// Number of CV folds (the error bars are ± SD/√folds, glmnet's `cvsd`).
    pub n_folds: usize,
    /// Columns entering the LASSO.
    pub features: Vec<String>,
    /// Coefficient path, `path[alpha][feature]` (may be empty: the path figure is then left out).
    pub path: Vec<Vec<f64>>,
}

/// One nomogram axis (a predictor of the combined model).
#[derive(Clone, Debug, PartialEq)]
pub struct NomogramAxis {
    /// Predictor name.
    pub name: String,
    /// Unit or level hint ("mm3", "0=soft,1=stiff"); may be empty.
    pub unit: String,
    /// Logistic coefficient per raw unit.
    pub beta: f64,
    /// Axis range in raw units.
    pub lo: f64,
    /// Axis range in raw units.
    pub hi: f64,
    /// Binary predictor (ticks at 0 and 1 only).
    pub binary: bool,
    /// A factor (one axis for all its levels, as rms draws it): (level, coefficient) of every
    /// level, reference first with coefficient 0. Empty for other predictors. For a factor,
    /// `beta`, `lo` and `hi` are unused.
    pub levels: Vec<(String, f64)>,
}

/// The nomogram scales of the combined model (rms conventions, `docs/trainer-notes.md` §4).
#[derive(Clone, Debug, PartialEq)]
pub struct NomogramSpec {
    /// Combined-model intercept.
    pub intercept: f64,
    /// Points per unit of linear predictor.
    pub points_per_unit: f64,
    /// Axes in nomogram order (radscore first).
    pub axes: Vec<NomogramAxis>,
}

/// The training data of the reference (combined) model, for the bootstrap internal validation
/// (the model is refitted on bootstrap samples of these patients).
#[derive(Clone, Debug, PartialEq)]
pub struct RefitDesign {
    /// Predictor names (radscore first), one per column.
    pub names: Vec<String>,
    /// Predictor columns, training patients only (`columns[j][i]`).
    pub columns: Vec<Vec<f64>>,
    /// Outcome of each training patient.
    pub labels: Vec<u8>,
}

/// Settings of the bootstrap internal validation (rms `validate`/`calibrate`, `B` and a seed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootstrapSettings {
    /// Replicates (rms `B`).
    pub b: usize,
    /// Seed of the Mersenne Twister that draws the replicates.
    pub seed: u32,
}

impl Default for BootstrapSettings {
    /// B = 1000 (as published nomogram papers use with rms `calibrate`), seed 20260.
    fn default() -> Self {
        BootstrapSettings {
            b: 1000,
            seed: 20260,
        }
    }
}

/// Everything the report shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportInput {
    /// Page title.
    pub title: String,
    /// Class names (label 0, label 1).
    pub class_names: [String; 2],
    /// Names of the external validation cohorts ([`Part::External`] indices).
    pub external_names: Vec<String>,
    /// Models in display order.
    pub models: Vec<ModelCurves>,
    /// Index into `models` of the reference (combined) model: calibration plot and DeLong tests.
    pub reference: Option<usize>,
    /// Radscore per patient (waterfall, violin).
    pub radscore: Vec<ScoredCase>,
    /// Radscore cut-off drawn on the waterfall (Youden on the training set).
    pub radscore_cutoff: Option<f64>,
    /// Baseline characteristics input.
    pub baseline: Option<Baseline>,
    /// Univariate logistic regressions.
    pub univariate: Vec<OddsRow>,
    /// Multivariate logistic regression.
    pub multivariate: Vec<OddsRow>,
    /// Selected radiomics features and their coefficients.
    pub features: Vec<Coefficient>,
    /// Radscore intercept.
    pub radscore_intercept: Option<f64>,
    /// LASSO trace.
    pub lasso: Option<LassoTrace>,
    /// Nomogram scales.
    pub nomogram: Option<NomogramSpec>,
    /// Free-text notes shown under the title (e.g. which input the report came from).
    pub notes: Vec<String>,
    /// Training data of the reference model (bootstrap validation); None leaves the
    /// bias-corrected calibration curve and the internal-validation table out.
    pub refit: Option<RefitDesign>,
    /// Bootstrap replicates and seed.
    pub bootstrap: BootstrapSettings,
}

/// What [`write_report`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportFiles {
    /// The report directory.
    pub dir: PathBuf,
    /// `index.html`.
    pub index: PathBuf,
    /// Every file written (index, CSVs, SVGs), sorted by name.
    pub files: Vec<PathBuf>,
}

/// A rendered file: name and bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// File name inside the report directory.
    pub name: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// A figure: file stem, caption and SVG text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figure {
    /// File name (`roc_train.svg`).
    pub file: String,
    /// Section the figure belongs to.
    pub section: &'static str,
    /// Caption under the figure.
    pub caption: String,
    /// SVG document.
    pub svg: String,
}

/// A table: file name, caption, header, rows, footnote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// File name (`performance.csv`).
    pub file: String,
    /// Section title.
    pub title: String,
    /// Column names shown in the page.
    pub header: Vec<String>,
    /// Rows shown in the page (rounded display strings).
    pub rows: Vec<Vec<String>>,
    /// Column names of the CSV file.
    pub csv_header: Vec<String>,
    /// Rows of the CSV file (full precision).
    pub csv_rows: Vec<Vec<String>>,
    /// Note under the table (tests used, abbreviations).
    pub note: String,
}

/// Renders every figure of the report (in page order).
pub fn figures(input: &ReportInput) -> anyhow::Result<Vec<Figure>> {
    figures_with(input, internal::validation(input).as_ref())
}

/// [`figures`] with the bootstrap validation already computed.
fn figures_with(
    input: &ReportInput,
    v: Option<&crate::stats::bootstrap::Validation>,
) -> anyhow::Result<Vec<Figure>> {
    let mut out = Vec::new();
    out.extend(roc::figures(input)?);
    out.extend(calibration::figures_with(input, v)?);
    out.extend(dca::figures(input)?);
    out.extend(nomogram::figures(input)?);
    out.extend(radscore::figures(input)?);
    out.extend(lasso::figures(input)?);
    Ok(out)
}

/// Renders every file of the report in memory, sorted by name.
pub fn render(input: &ReportInput) -> anyhow::Result<Vec<Rendered>> {
    // the bootstrap is run once and shared by the calibration figure and the validation table
    let v = internal::validation(input);
    let figs = figures_with(input, v.as_ref())?;
    let tabs = tables::tables_with(input, v.as_ref());
    let mut out = Vec::new();
    for f in &figs {
        out.push(Rendered {
            name: f.file.clone(),
            bytes: f.svg.clone().into_bytes(),
        });
    }
    for t in &tabs {
        out.push(Rendered {
            name: t.file.clone(),
            bytes: fmt::csv(&t.csv_header, &t.csv_rows).into_bytes(),
        });
    }
    out.push(Rendered {
        name: "index.html".into(),
        bytes: html::page(input, &figs, &tabs).into_bytes(),
    });
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Writes `dir/index.html`, the CSV tables and the SVG figures (creating `dir` if needed).
pub fn write_report(dir: &Path, input: &ReportInput) -> anyhow::Result<ReportFiles> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create report directory {}", dir.display()))?;
    let rendered = render(input)?;
    let mut files = Vec::with_capacity(rendered.len());
    for r in &rendered {
        let path = dir.join(&r.name);
        fmt::write_atomic(&path, &r.bytes)?;
        files.push(path);
    }
    Ok(ReportFiles {
        dir: dir.to_path_buf(),
        index: dir.join("index.html"),
        files,
    })
}
