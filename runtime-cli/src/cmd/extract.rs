//! `radscore extract`: PyRadiomics features from an image and a mask, or from a cohort manifest.
//! Reading, params files and the extraction itself are in the host crate (`radscore_host`); this
//! module parses the arguments, drives the progress bars and writes the CSVs.
//!
//! * `--param params.yaml` (YAML or JSON): a PyRadiomics params file (`docs/params.md`), run
//!   through [`radscore_host::extract_plan_files`]; names and order as PyRadiomics writes them;
//!   `--diagnostics` adds the `diagnostics_*` rows (single case). Conflicts with `--features`.
//! * Single image: `radscore extract --image I --mask M [--label N] [--features ...]
//!   [--sequence S] [--jobs N] --out F.csv` writes `feature,value` rows (names prefixed `S_`
//!   with `--sequence`); the image types are computed on up to N threads (default: the CPUs).
//! * Manifest: `radscore extract --manifest cohort.csv --out features.csv [--features ...]
//!   [--jobs N]`. The manifest has `patient_id` and, per sequence, `<seq>_image` and `<seq>_mask`
//!   (paths relative to the manifest; a folder is a DICOM series) and optionally `<seq>_label`.
//!   The output has one row per patient that succeeded, with `<seq>_<feature>` columns. A failing
//!   patient is reported on stderr with its error, the run goes on, and the exit code is 1 at the
//!   end if any patient failed.
//!
//! `--features`: `seven` (the study's seven features; with a sequence `t2`/`t2wi`, `dwi` or `dce`
//! only that sequence's share of them), `all` (every image type × class × feature the core
//! computes, in the order of PyRadiomics' full extraction (`params_all.yaml`): the 14 shape
//! features (original only), then original, LoG for each `--log-sigma`, wavelet LLH … LLL,
//! square, squareroot, logarithm, exponential, gradient, LBP3D (`lbp-3D-m1`, `-m2`, `-k`,
//! PyRadiomics' default LBP3D settings); per image type firstorder, glcm, glrlm, glszm, gldm,
//! ngtdm; 14 + 19 × 93 = 1 781 names for one sigma, 1 874 for sigmas 1, 3, 5 as
//! `params_all.yaml`), or a comma-separated list of
//! PyRadiomics names (in
//! manifest mode a name may carry a `<seq>_` prefix to restrict it to that sequence).
//!
//! Values are written with Rust's shortest round-trip representation (reading them back gives
//! the same f64 bits; at least as exact as 17 significant digits). Outputs are written
//! atomically.

use crate::io::{self, ReadOptions};
use anyhow::{anyhow, bail, Context};
use radscore_core::names::FeatureName;
use radscore_host::params::{Params, Plan};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

// The extraction helpers live in the host crate; re-exported for the CLI's other commands and
// its tests.
pub use radscore_host::extract::{
    all_names, compute, compute_cropped, compute_cropped_with_progress, format_value, image_types,
    load_pair, load_pair_cropped,
};

/// Arguments of `radscore extract`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Image file (.nrrd, .nhdr, .nii, .nii.gz, DICOM file) or DICOM series folder.
    #[arg(long, conflicts_with = "manifest", requires = "mask")]
    pub image: Option<PathBuf>,
    /// Mask file (same formats, or DICOM-SEG) on the image's grid.
    #[arg(long, conflicts_with = "manifest", requires = "image")]
    pub mask: Option<PathBuf>,
    /// Cohort manifest CSV: patient_id, <seq>_image, <seq>_mask[, <seq>_label].
    #[arg(long, required_unless_present = "image")]
    pub manifest: Option<PathBuf>,
    /// Label value of the ROI in the mask (DICOM-SEG: the segment number). Default: the params
    /// file's `label` with `--param`, otherwise 1.
    #[arg(long)]
    pub label: Option<u32>,
    /// DICOM-SEG: select the segment by its label instead of its number.
    #[arg(long)]
    pub segment: Option<String>,
    /// `seven`, `all`, or comma-separated PyRadiomics feature names.
    #[arg(long, default_value = "seven")]
    pub features: String,
    /// A PyRadiomics params file (YAML, or JSON when named `.json`): image types, feature
    /// classes and settings as PyRadiomics reads them (`docs/params.md`). Replaces `--features`,
    /// `--log-sigma` and `--bin-width`.
    #[arg(long, conflicts_with_all = ["features", "log_sigma", "bin_width"])]
    pub param: Option<PathBuf>,
    /// With `--param`, single case: also write PyRadiomics' `diagnostics_*` entries radscore
    /// states (rows before the features). Without it the diagnostics (image and mask hashes
    /// among them) are not computed.
    #[arg(long, requires = "param", conflicts_with = "manifest")]
    pub diagnostics: bool,
    /// Sequence name (t2, dwi, dce): prefixes the feature names with `S_`.
    #[arg(long, conflicts_with = "manifest")]
    pub sequence: Option<String>,
    /// LoG sigmas in mm for `--features all` (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "3.0")]
    pub log_sigma: Vec<f64>,
    /// Bin width of the discretisation (PyRadiomics' binWidth).
    #[arg(long, default_value_t = 25.0)]
    pub bin_width: f64,
    /// DICOM DCE series: which phase (0 = pre-contrast; default: 1, the first post-contrast).
    #[arg(long)]
    pub dce_phase: Option<usize>,
    /// 4-D NIfTI: which volume to use (0-based).
    #[arg(long)]
    pub volume: Option<usize>,
    /// Worker threads (default: the number of CPUs): patients in parallel for a manifest, image
    /// types in parallel for one image (the values do not depend on it).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Output CSV.
    #[arg(long)]
    pub out: PathBuf,
    /// Manifest: when some patients fail, still write the others to `--out` (the exit status
    /// stays 1, as `make -k`'s). Without it a failure writes nothing and an existing `--out` is
    /// kept as it was.
    #[arg(long)]
    pub keep_going: bool,
}

/// The sequence each of the study's seven features belongs to (`docs/study.md`).
pub const SEVEN: [(&str, &str); 7] = [
    ("dce", "exponential_firstorder_Kurtosis"),
    ("dce", "exponential_firstorder_Minimum"),
    ("dce", "gradient_firstorder_Variance"),
    ("dwi", "log-sigma-3-0-mm-3D_glszm_SmallAreaEmphasis"),
    ("t2", "wavelet-LHH_glszm_HighGrayLevelZoneEmphasis"),
    ("t2", "wavelet-LHL_glrlm_RunLengthNonUniformityNormalized"),
    ("t2", "wavelet-LLH_glrlm_ShortRunHighGrayLevelEmphasis"),
];

fn canonical_sequence(s: &str) -> String {
    match s.to_ascii_lowercase().as_str() {
        "t2wi" | "t2w" | "t2" => "t2".into(),
        "dce" | "dce-mri" | "dcemri" => "dce".into(),
        "dwi" | "adc" => "dwi".into(),
        other => other.into(),
    }
}

fn parse_name(n: &str) -> anyhow::Result<FeatureName> {
    FeatureName::parse(n).map_err(|e| anyhow!("feature {n:?}: {e}"))
}

/// Resolves `--features` for one sequence (`None`: no sequence given).
pub fn resolve_features(
    spec: &str,
    sequence: Option<&str>,
    log_sigmas: &[f64],
    known_sequences: &[String],
) -> anyhow::Result<Vec<FeatureName>> {
    let seq = sequence.map(canonical_sequence);
    match spec.trim() {
        "all" => all_names(log_sigmas, true),
        "seven" => {
            let subset: Vec<&str> = match seq.as_deref() {
                Some(s) if SEVEN.iter().any(|(q, _)| *q == s) => SEVEN
                    .iter()
                    .filter(|(q, _)| *q == s)
                    .map(|(_, n)| *n)
                    .collect(),
                _ => SEVEN.iter().map(|(_, n)| *n).collect(),
            };
            subset.into_iter().map(parse_name).collect()
        }
        list => {
            let mut out = Vec::new();
            for raw in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                // `<seq>_name` restricts a name to one sequence of the manifest.
                let mut restricted = None;
                for k in known_sequences {
                    if let Some(rest) = raw.strip_prefix(&format!("{k}_")) {
                        restricted = Some((k.as_str(), rest));
                    }
                }
                match restricted {
                    Some((k, rest)) => {
                        if sequence == Some(k) {
                            out.push(parse_name(rest)?);
                        } else {
                            parse_name(rest)?;
                        }
                    }
                    None => out.push(parse_name(raw)?),
                }
            }
            if out.is_empty() && known_sequences.is_empty() {
                bail!("--features: no feature names given");
            }
            Ok(out)
        }
    }
}

/// A progress bar of `len` `unit`s on a terminal; hidden otherwise, so logs and pipes get only
/// the results.
fn progress_bar(len: usize, unit: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let b = indicatif::ProgressBar::new(len as u64);
    let template =
        format!("{{bar:40}} {{pos}}/{{len}} {unit}  {{elapsed_precise}} (eta {{eta}})  {{msg}}");
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        b.set_style(style);
    }
    b
}

/// `--jobs`, or the number of CPUs.
fn jobs(args: &Args) -> usize {
    args.jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

/// Runs `radscore extract`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !(args.bin_width.is_finite() && args.bin_width > 0.0) {
        bail!(
            "--bin-width: expected a number > 0, found {}",
            args.bin_width
        );
    }
    let opts = ReadOptions {
        dce_phase: args.dce_phase,
        segment_label: args.segment.clone(),
        segment_number: None,
        volume: args.volume,
    };
    match (&args.image, &args.mask, &args.manifest) {
        (Some(image), Some(mask), None) if args.param.is_some() => {
            run_single_params(&args, image, mask, &opts)
        }
        (Some(image), Some(mask), None) => run_single(&args, image, mask, &opts),
        (None, None, Some(manifest)) => run_manifest(&args, manifest, &opts),
        _ => bail!("give either --image and --mask, or --manifest"),
    }
}

fn run_single(
    args: &Args,
    image: &Path,
    mask: &Path,
    opts: &ReadOptions,
) -> anyhow::Result<ExitCode> {
    let names = resolve_features(
        &args.features,
        args.sequence.as_deref(),
        &args.log_sigma,
        &[],
    )?;
    let label = args.label.unwrap_or(1);
    let opts = ReadOptions {
        segment_number: Some(label),
        ..opts.clone()
    };
    let (img, msk) = load_pair_cropped(image, mask, &opts)?;
    // On a terminal, a bar advanced per image type (a large ROI with many types runs for
    // minutes); hidden otherwise, so logs and pipes get only the result.
    let bar = progress_bar(image_types(&names).len(), "image types");
    let values = compute_cropped_with_progress(
        &img,
        &msk,
        label,
        &names,
        args.bin_width,
        &mut Vec::new(),
        jobs(args),
        &|t| {
            bar.set_message(t.to_string());
            bar.inc(1);
        },
    )
    .with_context(|| format!("image {} with mask {}", image.display(), mask.display()));
    bar.finish_and_clear();
    let values = values?;
    let prefix = args
        .sequence
        .as_ref()
        .map(|s| format!("{s}_"))
        .unwrap_or_default();
    io::write_atomic(&args.out, |w| {
        writeln!(w, "feature,value")?;
        for (n, v) in names.iter().zip(&values) {
            writeln!(w, "{prefix}{n},{}", format_value(*v))?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Reads `--param` and resolves it (every unsupported setting is an error here, before any
/// image is read). `diagnostics`: whether the `diagnostics_*` entries are written; when they are
/// not, the plan does not compute them (PyRadiomics' `additionalInfo` hashes the whole image and
/// mask: a fifth of a full extraction's time on a DCE-sized volume).
fn load_params(path: &Path, diagnostics: bool) -> anyhow::Result<(Params, Plan)> {
    let params = Params::from_path(path)?;
    let mut plan = params.plan()?;
    plan.additional_info &= diagnostics;
    Ok((params, plan))
}

/// `--image/--mask --param`: one case through the host API.
fn run_single_params(
    args: &Args,
    image: &Path,
    mask: &Path,
    opts: &ReadOptions,
) -> anyhow::Result<ExitCode> {
    let (params, plan) = load_params(
        args.param.as_deref().unwrap_or(Path::new("")),
        args.diagnostics,
    )?;
    let bar = progress_bar(0, "image types");
    let result = radscore_host::extract_plan_files(
        image,
        mask,
        args.label,
        &plan,
        &params,
        jobs(args),
        opts,
        &|p| {
            bar.set_length(p.total as u64);
            bar.set_message(p.finished.to_string());
            bar.inc(1);
        },
    );
    bar.finish_and_clear();
    let result = result?;
    for w in &result.warnings {
        eprintln!("warning: {w}");
    }
    let prefix = args
        .sequence
        .as_ref()
        .map(|s| format!("{s}_"))
        .unwrap_or_default();
    io::write_atomic(&args.out, |w| {
        writeln!(w, "feature,value")?;
        if args.diagnostics {
            for (k, v) in &result.diagnostics {
                writeln!(w, "{prefix}{k},{}", csv_cell(v))?;
            }
        }
        for (n, v) in &result.features {
            writeln!(w, "{prefix}{n},{}", format_value(*v))?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// What a manifest sequence computes: `--features` names, or a params file.
enum SeqWork {
    Names(Vec<FeatureName>),
    Params,
}

/// One sequence column group of the manifest.
struct SeqCols {
    name: String,
    image: usize,
    mask: usize,
    label: Option<usize>,
    work: SeqWork,
    /// Output column names (without the `<seq>_` prefix).
    columns: Vec<String>,
}

fn run_manifest(args: &Args, manifest: &Path, opts: &ReadOptions) -> anyhow::Result<ExitCode> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(manifest)
        .with_context(|| format!("cannot read manifest {}", manifest.display()))?;
    let headers: Vec<String> = rdr
        .headers()
        .with_context(|| {
            format!(
                "manifest {}: cannot read the header row",
                manifest.display()
            )
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let pid = col("patient_id").ok_or_else(|| {
        anyhow!(
            "manifest {}: expected a \"patient_id\" column, found {:?}",
            manifest.display(),
            headers
        )
    })?;
    let mut seq_names: Vec<String> = Vec::new();
    for h in &headers {
        if let Some(s) = h.strip_suffix("_image") {
            if !seq_names.iter().any(|x| x == s) {
                seq_names.push(s.to_string());
            }
        }
    }
    if seq_names.is_empty() {
        bail!(
            "manifest {}: expected <seq>_image and <seq>_mask columns, found {:?}",
            manifest.display(),
            headers
        );
    }
    let loaded = match &args.param {
        Some(p) => Some(load_params(p, false)?),
        None => None,
    };
    let mut seqs = Vec::new();
    for s in &seq_names {
        let mask = col(&format!("{s}_mask")).ok_or_else(|| {
            anyhow!(
                "manifest {}: column {s}_image has no matching {s}_mask column",
                manifest.display()
            )
        })?;
        let (work, columns) = match &loaded {
            Some((_, plan)) => (SeqWork::Params, plan.feature_names()),
            None => {
                let f = resolve_features(&args.features, Some(s), &args.log_sigma, &seq_names)?;
                let columns = f.iter().map(|n| n.to_string()).collect();
                (SeqWork::Names(f), columns)
            }
        };
        seqs.push(SeqCols {
            name: s.clone(),
            image: col(&format!("{s}_image")).unwrap_or(0),
            mask,
            label: col(&format!("{s}_label")),
            work,
            columns,
        });
    }
    if seqs.iter().all(|s| s.columns.is_empty()) {
        bail!("--features: no feature applies to the manifest's sequences {seq_names:?}");
    }
    let base = manifest.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.with_context(|| {
            format!(
                "manifest {}: row {} is malformed",
                manifest.display(),
                i + 2
            )
        })?;
        rows.push((i + 2, rec.iter().map(|s| s.trim().to_string()).collect()));
    }
    if rows.is_empty() {
        bail!("manifest {}: no patient rows", manifest.display());
    }

    let jobs = jobs(args).clamp(1, rows.len());
    let bar = progress_bar(rows.len(), "patients");
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<anyhow::Result<Vec<String>>>>> =
        Mutex::new((0..rows.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                let mut scratch: Vec<f64> = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((line, row)) = rows.get(i) else {
                        break;
                    };
                    let r = patient(
                        args,
                        &base,
                        &seqs,
                        loaded.as_ref(),
                        row,
                        *line,
                        opts,
                        &mut scratch,
                    );
                    if let Err(e) = &r {
                        bar.suspend(|| {
                            eprintln!(
                                "patient {} (manifest row {line}) failed: {e:#}",
                                row.get(pid).map_or("?", |s| s.as_str())
                            )
                        });
                    }
                    if let Ok(mut g) = results.lock() {
                        if let Some(slot) = g.get_mut(i) {
                            *slot = Some(r);
                        }
                    }
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish_and_clear();
    let results = results
        .into_inner()
        .map_err(|_| anyhow!("a worker thread panicked"))?;

    let mut failed = 0usize;
    let mut lines = Vec::new();
    for ((_, row), r) in rows.iter().zip(results) {
        match r {
            Some(Ok(values)) => {
                let mut cells = vec![csv_cell(row.get(pid).map_or("", |s| s.as_str()))];
                cells.extend(values);
                lines.push(cells.join(","));
            }
            _ => failed += 1,
        }
    }
    if failed > 0 && !args.keep_going {
        bail!(
            "{failed} of {} patients failed (see above); nothing was written to {} (pass \
             --keep-going to write the {} that succeeded)",
            rows.len(),
            args.out.display(),
            lines.len()
        );
    }
    let mut header = vec!["patient_id".to_string()];
    for s in &seqs {
        for n in &s.columns {
            header.push(format!("{}_{n}", s.name));
        }
    }
    io::write_atomic(&args.out, |w| {
        writeln!(w, "{}", header.join(","))?;
        for l in &lines {
            writeln!(w, "{l}")?;
        }
        Ok(())
    })?;
    eprintln!(
        "radscore extract: {} of {} patients written to {}{}",
        lines.len(),
        rows.len(),
        args.out.display(),
        if failed > 0 {
            format!("; {failed} failed (see above) and are missing from it (--keep-going)")
        } else {
            String::new()
        }
    );
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One manifest row: every sequence's cells (formatted values; with `--param`, an empty cell
/// where PyRadiomics gives no value for this case, e.g. a LoG sigma too large for the image).
#[allow(clippy::too_many_arguments)]
fn patient(
    args: &Args,
    base: &Path,
    seqs: &[SeqCols],
    loaded: Option<&(Params, Plan)>,
    row: &[String],
    line: usize,
    opts: &ReadOptions,
    scratch: &mut Vec<f64>,
) -> anyhow::Result<Vec<String>> {
    let mut values = Vec::new();
    for s in seqs {
        if s.columns.is_empty() {
            continue;
        }
        let cell = |c: usize, what: &str| -> anyhow::Result<PathBuf> {
            let v = row.get(c).map_or("", |s| s.as_str());
            if v.is_empty() {
                bail!("row {line}: column {}_{what} is empty", s.name);
            }
            Ok(base.join(v))
        };
        let image = cell(s.image, "image")?;
        let mask = cell(s.mask, "mask")?;
        let label = match s.label.and_then(|c| row.get(c)).filter(|v| !v.is_empty()) {
            Some(v) => Some(v.parse::<u32>().map_err(|_| {
                anyhow!(
                    "row {line}: column {}_label: expected a label number, found {v:?}",
                    s.name
                )
            })?),
            None => args.label,
        };
        match (&s.work, loaded) {
            (SeqWork::Params, Some((params, plan))) => {
                // one thread per patient: the patients already run in parallel (`--jobs`)
                let r = radscore_host::extract_plan_files(
                    &image,
                    &mask,
                    label,
                    plan,
                    params,
                    1,
                    opts,
                    &|_| {},
                )
                .with_context(|| format!("sequence {}", s.name))?;
                let got: std::collections::HashMap<&str, f64> =
                    r.features.iter().map(|(n, v)| (n.as_str(), *v)).collect();
                values.extend(s.columns.iter().map(|c| {
                    got.get(c.as_str())
                        .map(|v| format_value(*v))
                        .unwrap_or_default()
                }));
            }
            (SeqWork::Names(features), _) => {
                let label = label.unwrap_or(1);
                let o = ReadOptions {
                    segment_number: Some(label),
                    ..opts.clone()
                };
                let (img, msk) = load_pair_cropped(&image, &mask, &o)
                    .with_context(|| format!("sequence {}", s.name))?;
                // one thread per patient: the patients already run in parallel (`--jobs`)
                let v = compute_cropped(&img, &msk, label, features, args.bin_width, scratch, 1)
                    .with_context(|| {
                        format!(
                            "sequence {}: image {} with mask {}",
                            s.name,
                            image.display(),
                            mask.display()
                        )
                    })?;
                values.extend(v.into_iter().map(format_value));
            }
            (SeqWork::Params, None) => bail!("internal: params not loaded"),
        }
    }
    Ok(values)
}
