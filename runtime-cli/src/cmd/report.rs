//! `radscore report`: the validation report of a model on a cohort.
//!
//! `radscore report --model M.rsm --input cohort.csv --out DIR` scores every patient of the
//! cohort through the core model and writes `DIR/index.html` (self-contained), the CSV tables and
//! the SVG figures: ROC curves of the combined model and the radscore, calibration and decision
//! curves of the combined model, the nomogram, the radscore waterfall and violins, the baseline
//! table of the cohort's clinical columns and the model's features. The split column (`split` by
//! default, values `train`/`test`/external cohorts) is used when present; without one, the split
//! saved at training time in `summary.json` (`--summary`, or `summary.json` next to the model when
//! its model id is the model's) gives each patient's set; without either, patients are shown as
//! "All patients (set unknown)", never as a test set. Class names, text labels and factor
//! columns default to what the summary recorded. Re-running on the same input writes
//! byte-identical files.

use super::verify::{load_model, read_public_key};
use anyhow::{bail, Context};
use radscore_trainer::cohort::{
    is_pyradiomics_name, is_skipped_column, radiomics_column, Cohort, CohortSpec,
};
use radscore_trainer::report::{write_report, ReportInput};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `radscore report`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Model file (`.rsm`).
    #[arg(long)]
    pub model: PathBuf,
    /// Cohort table (CSV): patient id, 0/1 label, optional split, clinical and `<seq>_<feature>`
    /// columns.
    #[arg(long)]
    pub input: PathBuf,
    /// Report directory (created if needed).
    #[arg(long)]
    pub out: PathBuf,
    /// Outcome column (0/1).
    #[arg(long, default_value = "label")]
    pub label_column: String,
    /// Patient identifier column.
    #[arg(long, default_value = "patient_id")]
    pub id_column: String,
    /// Column holding `train`/`test` (default: `split` if the table has it).
    #[arg(long)]
    pub split_column: Option<String>,
    /// Clinical columns for the baseline table, comma-separated (default: every numeric column
    /// that is not the id, label, split or a radiomics column).
    #[arg(long, value_delimiter = ',')]
    pub clinical: Option<Vec<String>>,
    /// Names of class 0 and class 1, comma-separated (e.g. `HER-2-zero,HER-2-low`); default: the
    /// summary's.
    #[arg(long, value_delimiter = ',', num_args = 1)]
    pub class_names: Option<Vec<String>>,
    /// The positive class of a text label column (default: the summary's).
    #[arg(long)]
    pub positive_class: Option<String>,
    /// Comma-separated categorical clinical columns (default: the summary's).
    #[arg(long, value_delimiter = ',')]
    pub factor_columns: Option<Vec<String>>,
    /// Reference level of a factor, `COLUMN=LEVEL`; repeatable (default: the summary's).
    #[arg(long)]
    pub reference_level: Vec<String>,
    /// `summary.json` of the training run: its saved split (patient → set), class names, text
    /// labels and factor columns. Default: `summary.json` next to the model, if its model id is
    /// the model's.
    #[arg(long)]
    pub summary: Option<PathBuf>,
    /// Page title.
    #[arg(long)]
    pub title: Option<String>,
    /// Require a valid Ed25519 signature by this public key (64 hex digits, or a file).
    #[arg(long)]
    pub public_key: Option<String>,
}

/// Header and whether each column is numeric in every row.
fn sniff(path: &Path) -> anyhow::Result<(Vec<String>, Vec<bool>)> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .with_context(|| format!("cannot open cohort table {}", path.display()))?;
    let header: Vec<String> = rdr
        .headers()
        .with_context(|| format!("{}: cannot read the header row", path.display()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut numeric = vec![true; header.len()];
    for (r, rec) in rdr.records().enumerate() {
        let rec = rec.with_context(|| {
            format!(
                "{}: data row {}: malformed CSV record",
                path.display(),
                r + 1
            )
        })?;
        for (j, ok) in numeric.iter_mut().enumerate() {
            if *ok {
                let cell = rec.get(j).unwrap_or("").trim();
                *ok = cell.parse::<f64>().is_ok_and(f64::is_finite);
            }
        }
    }
    Ok((header, numeric))
}

/// Whether a header names a radiomics feature (`<sequence>_<PyRadiomics name>`); clinical columns
/// such as `t2_signal` share the prefix but are not feature names.
fn is_feature_column(h: &str) -> bool {
    let (seq, f) = radiomics_column(h);
    !seq.is_empty() && is_pyradiomics_name(f)
}

/// The cohort spec for a report: explicit options, else defaults read off the header.
pub fn cohort_spec(args: &Args, header: &[String], numeric: &[bool]) -> anyhow::Result<CohortSpec> {
    let split_column = match &args.split_column {
        Some(s) => Some(s.clone()),
        None => header
            .iter()
            .any(|h| h == "split")
            .then(|| "split".to_string()),
    };
    let clinical_columns: Vec<String> = match &args.clinical {
        Some(list) => list
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        None => header
            .iter()
            .zip(numeric)
            .filter(|(h, &num)| {
                (num || args.factor_columns.as_ref().is_some_and(|f| f.contains(*h)))
                    && **h != args.id_column
                    && **h != args.label_column
                    && Some(*h) != split_column.as_ref()
                    && !is_feature_column(h)
            })
            .map(|(h, _)| h.clone())
            .collect(),
    };
    // the report only reads the table: text columns that play no role (notes, PyRadiomics
    // bookkeeping) are passed over instead of being refused as non-numeric radiomics columns
    let ignore_columns = header
        .iter()
        .zip(numeric)
        .filter(|(h, &num)| {
            !num && **h != args.id_column
                && **h != args.label_column
                && Some(*h) != split_column.as_ref()
                && !clinical_columns.contains(*h)
                && !is_skipped_column(h)
        })
        .map(|(h, _)| h.clone())
        .collect();
    Ok(CohortSpec {
        label_column: args.label_column.clone(),
        split_column,
        id_column: args.id_column.clone(),
        clinical_columns,
        ignore_columns,
        positive_class: args.positive_class.clone(),
        factor_columns: args.factor_columns.clone().unwrap_or_default(),
        reference_levels: super::train::reference_levels(&args.reference_level)?,
    })
}

/// The training summary for a model: `--summary` (its model id must be the model's), else
/// `summary.json` next to the model when its model id matches; `None` otherwise.
fn load_summary(args: &Args, model_id: &str) -> anyhow::Result<Option<serde_json::Value>> {
    let (path, explicit) = match &args.summary {
        Some(p) => (p.clone(), true),
        None => match args.model.parent() {
            Some(d) => (d.join("summary.json"), false),
            None => return Ok(None),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(_) if !explicit => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let v: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(_) if !explicit => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("{}: not JSON", path.display())),
    };
    let id = v.get("model_id").and_then(|i| i.as_str());
    if id != Some(model_id) {
        if explicit {
            bail!(
                "{}: model id {} is not the model's ({model_id}); the summary belongs to another training run",
                path.display(),
                id.unwrap_or("absent (schema version 1)")
            );
        }
        return Ok(None);
    }
    Ok(Some(v))
}

/// Runs `radscore report`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let key = args
        .public_key
        .as_deref()
        .map(read_public_key)
        .transpose()?;
    let model = load_model(&args.model, key.as_ref())?;
    let summary = load_summary(&args, model.meta.model_id.as_str())?;
    let mut args = args;
    if let Some(cols) = summary
        .as_ref()
        .and_then(|s| s.get("input"))
        .and_then(|i| i.get("columns"))
        .and_then(|c| serde_json::from_value::<CohortSpec>(c.clone()).ok())
    {
        // what the training run was told about the table, unless given here
        if args.positive_class.is_none() && cols.label_column == args.label_column {
            args.positive_class = cols.positive_class;
        }
        if args.factor_columns.is_none() && !cols.factor_columns.is_empty() {
            args.factor_columns = Some(cols.factor_columns);
        }
        if args.reference_level.is_empty() {
            args.reference_level = cols
                .reference_levels
                .iter()
                .map(|(c, l)| format!("{c}={l}"))
                .collect();
        }
    }
    let (header, numeric) = sniff(&args.input)?;
    let spec = cohort_spec(&args, &header, &numeric)?;
    let cohort = Cohort::from_csv(&args.input, &spec)?;
    if cohort.is_empty() {
        bail!("{}: the cohort has no patients", args.input.display());
    }
    let saved = match &summary {
        Some(s) if cohort.split.is_none() => Some(radscore_trainer::summary::assignment(s)?),
        _ => None,
    };
    let mut input = ReportInput::from_model_with(&model, &cohort, saved.as_deref())
        .with_context(|| format!("{}", args.input.display()))?;
    if let Some(names) = super::train::class_names(args.class_names.as_deref())? {
        input.class_names = names;
    } else if let Some(names) = cohort.class_names.clone() {
        input.class_names = names;
    } else if let Some(names) = summary
        .as_ref()
        .and_then(radscore_trainer::summary::class_names)
    {
        input.class_names = names;
    }
    if let Some(t) = &args.title {
        input.title = t.clone();
    }
    input.notes.push(format!(
        "Cohort: {} ({} patients); clinical columns: {}.",
        args.input
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        cohort.len(),
        if spec.clinical_columns.is_empty() {
            "none".to_string()
        } else {
            spec.clinical_columns.join(", ")
        }
    ));
    let files = write_report(&args.out, &input)?;
    println!(
        "report: {} ({} files)",
        files.index.display(),
        files.files.len()
    );
    Ok(ExitCode::SUCCESS)
}
