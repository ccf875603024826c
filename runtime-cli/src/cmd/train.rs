//! `radscore train`: cohort table → selection pipeline → model file + `summary.json` (+ report).
//!
//! ```text
//! radscore train --input cohort.csv --label-column label [--split-column split | --seed N]
//!                --clinical-columns texture,volume --out model.rsm [--report-dir DIR]
//!                [--param params.yaml]
//! ```
//! With `--param`, the PyRadiomics params file the features were extracted with, every
//! radiomics feature's recipe records its image type's settings and the file's `label`
//! ([`apply_plan`]), so devices extract it the same way.
//! The model is written through the core's artifact format; `summary.json` (every intermediate of
//! the pipeline) goes into the report folder, or next to the model without `--report-dir`; with
//! `--report-dir` the validation report (index.html, tables, figures) is written there too. All
//! files are written atomically. Progress goes to stderr. The model's creation time (model
//! metadata, `summary.json`'s `created`) is the time of the run, or `SOURCE_DATE_EPOCH` when set
//! (reproducible builds: the same input and `SOURCE_DATE_EPOCH` give the same bytes).

use anyhow::{bail, Context, Result};
use clap::ValueEnum;
use radscore_core::model::Model;
use radscore_core::names::FeatureName;
use radscore_host::params::{Params, Plan};
use radscore_trainer::cohort::{Cohort, CohortSpec};
use radscore_trainer::lasso::AlphaRule;
use radscore_trainer::pipeline::{train, Selection, TrainOptions};
use radscore_trainer::spearman::SpearmanRule;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Spearman redundancy rule.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SpearmanArg {
    /// Keep a column iff it is not redundant with any column kept before it.
    Greedy,
    /// pandas upper-triangle recipe: drop a column redundant with ANY earlier column.
    UpperTriangle,
}

/// LASSO alpha rule.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LassoRuleArg {
    /// First minimum of the CV error (scikit-learn `LassoCV`).
    Min,
    /// One-standard-error rule (sparser).
    #[value(name = "1se")]
    OneSe,
}

/// Final radiomics selection.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SelectionArg {
    /// LassoCV on the 0/1 label (the study).
    Lasso,
    /// L1-penalised logistic regression, CV on deviance.
    L1Logistic,
}

/// Arguments of `radscore train`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Cohort table (CSV): id, label, optional split, clinical columns; every other column is a
    /// radiomics candidate (`<seq>_<PyRadiomics name>`, any class or image type), except
    /// PyRadiomics' `diagnostics_*` and batch bookkeeping columns, which are skipped.
    #[arg(long)]
    pub input: PathBuf,
    /// Outcome column (1 = positive class, or text labels with --positive-class).
    #[arg(long, default_value = "label")]
    pub label_column: String,
    /// The positive class of a text label column (e.g. `HER2-low`); the one other label is the
    /// negative class. Class names then default to the two labels.
    #[arg(long)]
    pub positive_class: Option<String>,
    /// Names of class 0 and class 1, comma-separated (e.g. `HER-2-zero,HER-2-low`), shown in the
    /// report and recorded in summary.json.
    #[arg(long, value_delimiter = ',', num_args = 1)]
    pub class_names: Option<Vec<String>>,
    /// Comma-separated clinical columns that are categorical (factors, R's treatment contrasts:
    /// one OR per level against the reference level).
    #[arg(long, value_delimiter = ',')]
    pub factor_columns: Vec<String>,
    /// Reference level of a factor, `COLUMN=LEVEL` (default: the first level in R's sort order);
    /// repeatable.
    #[arg(long)]
    pub reference_level: Vec<String>,
    /// Patient id column.
    #[arg(long, default_value = "patient_id")]
    pub id_column: String,
    /// Column holding `train`, `test` or an external validation cohort (`external`,
    /// `external-<name>`, `external:<name>`); without it a stratified split is drawn with --seed.
    #[arg(long, conflicts_with = "seed")]
    pub split_column: Option<String>,
    /// Seed of the stratified split (scikit-learn `train_test_split(random_state=seed)`).
    #[arg(long)]
    pub seed: Option<u32>,
    /// Test fraction of the stratified split.
    #[arg(long, default_value_t = 0.3)]
    pub test_size: f64,
    /// Comma-separated clinical candidate columns (univariate → multivariate screen).
    #[arg(long, value_delimiter = ',')]
    pub clinical_columns: Vec<String>,
    /// Comma-separated columns that are neither clinical candidates nor radiomics candidates
    /// (e.g. clinical variables not to screen, free-text notes).
    #[arg(long, value_delimiter = ',')]
    pub ignore_columns: Vec<String>,
    /// Model file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Folder for summary.json and the validation report.
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    /// Spearman |rho| threshold.
    #[arg(long, default_value_t = 0.9)]
    pub spearman_threshold: f64,
    /// Spearman redundancy rule.
    #[arg(long, value_enum, default_value = "greedy")]
    pub spearman_rule: SpearmanArg,
    /// Fraction of the Spearman survivors kept by ANOVA F.
    #[arg(long, default_value_t = 0.5)]
    pub k_fraction: f64,
    /// LASSO alpha rule.
    #[arg(long, value_enum, default_value = "min")]
    pub lasso_rule: LassoRuleArg,
    /// Cross-validation folds of the LASSO.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Final radiomics selection method.
    #[arg(long, value_enum, default_value = "lasso")]
    pub selection: SelectionArg,
    /// Fit the logistic models like scikit-learn's default LogisticRegression() (L2, C = 1)
    /// instead of the unpenalised maximum likelihood.
    #[arg(long)]
    pub sklearn_l2: bool,
    /// C of --sklearn-l2.
    #[arg(long, default_value_t = 1.0, requires = "sklearn_l2")]
    pub l2_c: f64,
    /// Clinical screening significance level.
    #[arg(long, default_value_t = 0.05)]
    pub clinical_p: f64,
    /// Bin width recorded in the feature recipes.
    #[arg(long, default_value_t = 25.0)]
    pub bin_width: f64,
    /// Mask label recorded in the feature recipes.
    #[arg(long, default_value_t = 1)]
    pub mask_label: u32,
    /// The PyRadiomics params file (YAML or JSON) the features were extracted with: every
    /// radiomics feature of the model records the settings of its image type (resampling,
    /// normalisation, binning, texture options, …) and the params file's `label`, so that
    /// `radscore score` from images, the C library and the firmware extract it the same way.
    /// Replaces `--bin-width` and `--mask-label`.
    #[arg(long, conflicts_with_all = ["bin_width", "mask_label"])]
    pub param: Option<PathBuf>,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

fn options(args: &Args) -> Result<TrainOptions> {
    let mut o = TrainOptions::default();
    if let Some(s) = args.seed {
        o.seed = s;
    }
    if !(args.test_size > 0.0 && args.test_size < 1.0) {
        bail!("--test-size must be in (0, 1), got {}", args.test_size);
    }
    if !(args.spearman_threshold > 0.0 && args.spearman_threshold <= 1.0) {
        bail!(
            "--spearman-threshold must be in (0, 1], got {}",
            args.spearman_threshold
        );
    }
    if !(args.k_fraction > 0.0 && args.k_fraction <= 1.0) {
        bail!("--k-fraction must be in (0, 1], got {}", args.k_fraction);
    }
    if args.folds < 2 {
        bail!("--folds must be at least 2");
    }
    if !(args.clinical_p > 0.0 && args.clinical_p < 1.0) {
        bail!("--clinical-p must be in (0, 1), got {}", args.clinical_p);
    }
    if !(args.bin_width.is_finite() && args.bin_width > 0.0) {
        bail!("--bin-width must be positive, got {}", args.bin_width);
    }
    if args.mask_label == 0 {
        bail!("--mask-label must be at least 1");
    }
    o.test_size = args.test_size;
    o.spearman_threshold = args.spearman_threshold;
    o.spearman_rule = match args.spearman_rule {
        SpearmanArg::Greedy => SpearmanRule::Greedy,
        SpearmanArg::UpperTriangle => SpearmanRule::UpperTriangle,
    };
    o.k_fraction = args.k_fraction;
    o.lasso.rule = match args.lasso_rule {
        LassoRuleArg::Min => AlphaRule::Min,
        LassoRuleArg::OneSe => AlphaRule::OneSe,
    };
    o.lasso.n_folds = args.folds;
    o.selection = match args.selection {
        SelectionArg::Lasso => Selection::Lasso,
        SelectionArg::L1Logistic => Selection::L1Logistic,
    };
    if args.sklearn_l2 {
        if !(args.l2_c.is_finite() && args.l2_c > 0.0) {
            bail!("--l2-c must be positive, got {}", args.l2_c);
        }
        o.logistic_l2 = Some(args.l2_c);
    }
    o.clinical_p = args.clinical_p;
    o.bin_width = args.bin_width;
    o.mask_label = args.mask_label;
    o.created_unix = radscore_trainer::summary::creation_time()?;
    o.class_names = class_names(args.class_names.as_deref())?;
    Ok(o)
}

/// `--class-names A,B` as two trimmed, non-empty names.
pub fn class_names(names: Option<&[String]>) -> Result<Option<[String; 2]>> {
    match names {
        None => Ok(None),
        Some([a, b]) if !a.trim().is_empty() && !b.trim().is_empty() => {
            Ok(Some([a.trim().to_string(), b.trim().to_string()]))
        }
        Some(_) => bail!(
            "--class-names needs exactly two non-empty names (class 0, class 1), e.g. --class-names HER-2-zero,HER-2-low"
        ),
    }
}

/// `--reference-level COLUMN=LEVEL` pairs.
pub fn reference_levels(list: &[String]) -> Result<Vec<(String, String)>> {
    list.iter()
        .map(|r| match r.split_once('=') {
            Some((c, l)) if !c.trim().is_empty() && !l.trim().is_empty() => {
                Ok((c.trim().to_string(), l.trim().to_string()))
            }
            _ => bail!("--reference-level '{r}' is not COLUMN=LEVEL"),
        })
        .collect()
}

/// Records in `model` the extraction settings `plan` gives each radiomics feature, and the
/// plan's mask label. A feature whose name is not a PyRadiomics name (a table-only column such
/// as a lesion volume) keeps the defaults; one the params file does not extract is an error:
/// the model would be scored from images with settings it was not trained on.
pub fn apply_plan(model: &mut Model, plan: &Plan, path: &Path) -> Result<()> {
    for i in 0..model.features.len() {
        let f = &model.features[i];
        if FeatureName::parse(&f.name).is_err() {
            continue;
        }
        let name = f.name.to_string();
        let Some(s) = plan.settings_of(&name) else {
            bail!(
                "{}: the model's feature '{}' is not one these params extract (its image type or feature class is not enabled); train on features extracted with this params file",
                path.display(),
                f.column()
            );
        };
        model.set_settings(i, s).map_err(|e| {
            anyhow::anyhow!(
                "{}: cannot record the settings of feature '{name}': {e}",
                path.display()
            )
        })?;
        if let Some(f) = model.features.get_mut(i) {
            f.label = plan.label;
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::io::write_atomic(path, |w| w.write_all(bytes))
}

/// Runs `radscore train`.
pub fn run(args: Args) -> Result<ExitCode> {
    let opts = options(&args)?;
    // the params file is read and validated before the (long) training, not after it
    let plan = match &args.param {
        Some(path) => Some((path, Params::from_path(path)?.plan()?)),
        None => None,
    };
    let spec = CohortSpec {
        label_column: args.label_column.clone(),
        split_column: args.split_column.clone(),
        id_column: args.id_column.clone(),
        clinical_columns: args
            .clinical_columns
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        ignore_columns: args
            .ignore_columns
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        positive_class: args.positive_class.clone(),
        factor_columns: args
            .factor_columns
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        reference_levels: reference_levels(&args.reference_level)?,
    };
    let spinner = if !args.quiet && std::io::stderr().is_terminal() {
        let s = indicatif::ProgressBar::new_spinner();
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
        {
            s.set_style(style);
        }
        s.enable_steady_tick(std::time::Duration::from_millis(120));
        Some(s)
    } else {
        None
    };
    let progress = |msg: &str| {
        if args.quiet {
            return;
        }
        match &spinner {
            Some(s) if !s.is_finished() => {
                s.println(format!("radscore train: {msg}"));
                s.set_message(msg.to_string());
            }
            _ => eprintln!("radscore train: {msg}"),
        }
    };
    progress(&format!("reading {}", args.input.display()));
    let cohort = Cohort::from_csv(&args.input, &spec)?;
    if !cohort.skipped.is_empty() {
        progress(&format!(
            "skipped {} PyRadiomics diagnostics/bookkeeping columns (diagnostics_*, Image, Mask, Label, Label_channel, Reader)",
            cohort.skipped.len()
        ));
    }
    progress(&format!(
        "{} patients, {} radiomics columns, {} clinical candidates",
        cohort.len(),
        cohort.feature_names.len(),
        cohort.clinical_names.len()
    ));
    let result = train(cohort, &opts, &progress);
    if let Some(s) = &spinner {
        s.finish_and_clear();
    }
    let mut result = result?;
    if let Some((path, plan)) = &plan {
        apply_plan(&mut result.model, plan, path)?;
        result.summary["input"]["params"] =
            serde_json::json!(path.file_name().map(|n| n.to_string_lossy().into_owned()));
    }

    radscore_trainer::export::write_model(&args.out, &result.model)
        .map_err(|e| anyhow::anyhow!("cannot write the model {}: {e}", args.out.display()))?;
    let summary_dir = match &args.report_dir {
        Some(d) => {
            std::fs::create_dir_all(d)
                .with_context(|| format!("cannot create report folder {}", d.display()))?;
            d.clone()
        }
        None => match args.out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    };
    let summary_path = summary_dir.join("summary.json");
    let mut summary = result.summary.clone();
    summary["input"]["file"] = serde_json::json!(args
        .input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned()));
    summary["input"]["columns"] = serde_json::to_value(&spec)?;
    let mut text =
        serde_json::to_string_pretty(&summary).context("cannot serialise the summary")?;
    text.push('\n');
    write_atomic(&summary_path, text.as_bytes())?;
    if let Some(dir) = &args.report_dir {
        progress("writing the report");
        let input = radscore_trainer::report::ReportInput::from_train(&result);
        let files = radscore_trainer::report::write_report(dir, &input)
            .context("cannot write the report")?;
        progress(&format!(
            "report {} ({} files)",
            files.index.display(),
            files.files.len()
        ));
    }
    if !args.quiet {
        let auc = |set: &str| {
            result.summary["combined"][set]["auc"]
                .as_f64()
                .map_or("n/a".to_string(), |a| format!("{a:.3}"))
        };
        eprintln!(
            "radscore train: model {} ({} features, {} clinical{}), combined AUC train {} test {}; summary {}",
            args.out.display(),
            result.model.features.len(),
            result.model.clinical.len(),
            if result.summary["combined"]["fit"] == radscore_trainer::pipeline::FIT_L2_SEPARATION {
                "; L2 (C = 1) fit, the outcome is separated"
            } else {
                ""
            },
            auc("train"),
            auc("test"),
            summary_path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
