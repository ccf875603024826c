//! `radscore report`: the validation report of a model on a cohort.
//!
//! `radscore report --model M.rsm --input cohort.csv --out DIR` scores every patient of the
//! cohort through the core model and writes `DIR/index.html` (self-contained), the CSV tables and
//! the SVG figures: ROC curves of the combined model and the radscore, calibration and decision
//! curves of the combined model, the nomogram, the radscore waterfall and violins, the baseline
//! table of the cohort's clinical columns and the model's features. The split column (`split` by
//! default, values `train`/`test`) is used when present; without one every patient counts as test
//! set. Re-running on the same input writes byte-identical files.

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
    /// Names of class 0 and class 1, comma-separated (e.g. `HER-2-zero,HER-2-low`).
    #[arg(long, value_delimiter = ',', num_args = 1)]
    pub class_names: Option<Vec<String>>,
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
                num && **h != args.id_column
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
    })
}

/// Runs `radscore report`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let key = args
        .public_key
        .as_deref()
        .map(read_public_key)
        .transpose()?;
    let model = load_model(&args.model, key.as_ref())?;
    let (header, numeric) = sniff(&args.input)?;
    let spec = cohort_spec(&args, &header, &numeric)?;
    let cohort = Cohort::from_csv(&args.input, &spec)?;
    if cohort.is_empty() {
        bail!("{}: the cohort has no patients", args.input.display());
    }
    let mut input = ReportInput::from_model(&model, &cohort)
        .with_context(|| format!("{}", args.input.display()))?;
    if let Some(names) = &args.class_names {
        match names.as_slice() {
            [a, b] => input.class_names = [a.trim().to_string(), b.trim().to_string()],
            _ => bail!(
                "--class-names needs exactly two names, e.g. --class-names HER-2-zero,HER-2-low"
            ),
        }
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
