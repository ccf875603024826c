//! `radscore demo`: the whole workflow on a synthetic breast-MRI cohort.
//!
//! Stages (each a function, each with a progress bar):
//! 1. [`generate`]: the synthetic cohort (`radscore_trainer::synth`, `docs/synthetic-cohort.md`)
//!    written as gzip NRRD volumes and masks under `images/`, plus `manifest.csv` (the
//!    `radscore extract --manifest` format) and `clinical.csv`;
//! 2. [`extract_features`]: every implemented image type and feature class for each sequence
//!    (LoG with σ = 3 mm), read back from the files, written to `features.csv`, and joined with the
//!    clinical table into `cohort.csv`;
//! 3. training, model export, scoring of the held-out test set through the core, and the report,
//!    as far as those stages are available in this build.

use crate::cmd::extract::{all_names, compute, format_value, load_pair};
use crate::io::{self, ReadOptions, Volume, VolumeData, IDENTITY};
use anyhow::{anyhow, bail, Context};
use radscore_core::names::FeatureName;
use radscore_trainer::synth::{self, SynthOptions, SynthPatient, CLINICAL_COLUMNS};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Arguments of `radscore demo`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Output folder (must be empty or absent unless --force).
    #[arg(long, default_value = "radscore-demo")]
    pub out: PathBuf,
    /// Seed of the synthetic cohort and of the train/test split.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Number of patients (the study's class ratio 108/190 is kept).
    #[arg(long, default_value_t = 190)]
    pub patients: usize,
    /// Write into a non-empty folder (files of a previous demo are overwritten).
    #[arg(long)]
    pub force: bool,
    /// Worker threads (default: the number of CPUs).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Coarser grids (in-plane ×2, DCE slices ×2): a fast demo for tests.
    #[arg(long)]
    pub small: bool,
}

/// Name of the label column of `clinical.csv` and `cohort.csv` (1 = HER-2-low).
pub const LABEL_COLUMN: &str = "her2_low";
/// The sequences, in column order.
pub const SEQUENCES: [&str; 3] = ["t2", "dwi", "dce"];
/// LoG sigma (mm) of the demo's feature set.
pub const LOG_SIGMA_MM: f64 = 3.0;
/// Bin width of the demo's feature extraction.
pub const BIN_WIDTH: f64 = 25.0;

/// One patient as written to disk.
#[derive(Clone, Debug)]
pub struct PatientFiles {
    /// Identifier.
    pub id: String,
    /// 1 = HER-2-low.
    pub label: u8,
    /// Clinical values in [`CLINICAL_COLUMNS`] order.
    pub clinical: Vec<f64>,
    /// `(image, mask)` paths relative to the output folder, in [`SEQUENCES`] order.
    pub files: Vec<(String, String)>,
}

fn bar(len: usize, what: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let b = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{what:<10} {{bar:40}} {{pos}}/{{len}}  {{elapsed_precise}} (eta {{eta}})"
    )) {
        b.set_style(style);
    }
    b
}

/// Runs `f(i)` for `i` in `0..n` on `jobs` threads; results in index order. The first error (by
/// index) is returned after all work stopped.
fn parallel<T: Send>(
    n: usize,
    jobs: usize,
    pb: &indicatif::ProgressBar,
    f: impl Fn(usize) -> anyhow::Result<T> + Sync,
) -> anyhow::Result<Vec<T>> {
    let next = AtomicUsize::new(0);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let slots: Mutex<Vec<Option<anyhow::Result<T>>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, n.max(1)) {
            s.spawn(|| loop {
                if failed.load(Ordering::Relaxed) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let r = f(i);
                if r.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                if let Ok(mut g) = slots.lock() {
                    if let Some(slot) = g.get_mut(i) {
                        *slot = Some(r);
                    }
                }
                pb.inc(1);
            });
        }
    });
    pb.finish_and_clear();
    let slots = slots
        .into_inner()
        .map_err(|_| anyhow!("a worker thread panicked"))?;
    let mut out = Vec::with_capacity(n);
    for (i, s) in slots.into_iter().enumerate() {
        match s {
            Some(Ok(v)) => out.push(v),
            Some(Err(e)) => return Err(e),
            None => bail!("patient {i} was not processed (an earlier patient failed)"),
        }
    }
    Ok(out)
}

/// Checks the output folder: absent or empty, or `force`.
pub fn prepare_out_dir(dir: &Path, force: bool) -> anyhow::Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
            bail!("--out {}: exists and is not a folder", dir.display());
        }
        let non_empty = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list {}", dir.display()))?
            .next()
            .is_some();
        if non_empty && !force {
            bail!(
                "--out {}: the folder is not empty; choose another folder or pass --force to overwrite",
                dir.display()
            );
        }
    }
    std::fs::create_dir_all(dir.join("images"))
        .with_context(|| format!("cannot create {}", dir.join("images").display()))?;
    Ok(())
}

fn to_volume(im: &synth::SynthImage, mask: bool) -> Volume {
    Volume {
        dims: im.dims,
        spacing: im.spacing,
        origin: im.origin,
        direction: IDENTITY,
        data: if mask {
            VolumeData::U8(im.mask.clone())
        } else {
            VolumeData::I16(im.voxels.clone())
        },
    }
}

fn write_patient(dir: &Path, p: &SynthPatient) -> anyhow::Result<PatientFiles> {
    let mut files = Vec::new();
    for seq in SEQUENCES {
        let im = p
            .images
            .iter()
            .find(|i| i.sequence == seq)
            .ok_or_else(|| anyhow!("patient {}: no {seq} image generated", p.id))?;
        let image = format!("images/{}_{seq}.nrrd", p.id);
        let mask = format!("images/{}_{seq}_mask.nrrd", p.id);
        io::nrrd::write(&dir.join(&image), &to_volume(im, false))?;
        io::nrrd::write(&dir.join(&mask), &to_volume(im, true))?;
        files.push((image, mask));
    }
    Ok(PatientFiles {
        id: p.id.clone(),
        label: p.label,
        clinical: p.clinical.iter().map(|(_, v)| *v).collect(),
        files,
    })
}

/// Stage 1: generates the cohort in parallel, writes the volumes, `manifest.csv` and
/// `clinical.csv`.
pub fn generate(dir: &Path, opts: &SynthOptions, jobs: usize) -> anyhow::Result<Vec<PatientFiles>> {
    let pb = bar(opts.patients, "generate");
    let patients = parallel(opts.patients, jobs, &pb, |i| {
        let p = synth::generate_patient(opts, i);
        write_patient(dir, &p)
    })?;
    io::write_atomic(&dir.join("manifest.csv"), |w| {
        write!(w, "patient_id")?;
        for s in SEQUENCES {
            write!(w, ",{s}_image,{s}_mask")?;
        }
        writeln!(w)?;
        for p in &patients {
            write!(w, "{}", p.id)?;
            for (i, m) in &p.files {
                write!(w, ",{i},{m}")?;
            }
            writeln!(w)?;
        }
        Ok(())
    })?;
    io::write_atomic(&dir.join("clinical.csv"), |w| {
        write!(w, "patient_id,{LABEL_COLUMN}")?;
        for (c, _) in CLINICAL_COLUMNS {
            write!(w, ",{c}")?;
        }
        writeln!(w)?;
        for p in &patients {
            write!(w, "{},{}", p.id, p.label)?;
            for v in &p.clinical {
                write!(w, ",{}", format_value(*v))?;
            }
            writeln!(w)?;
        }
        Ok(())
    })?;
    Ok(patients)
}

/// The extracted feature table: column names (`<seq>_<feature>`) and one row per patient.
#[derive(Clone, Debug)]
pub struct Features {
    /// `<seq>_<pyradiomics name>`.
    pub names: Vec<String>,
    /// Rows in patient order.
    pub rows: Vec<Vec<f64>>,
}

/// The demo's feature set for one sequence: every image type and feature the core computes.
pub fn feature_set() -> anyhow::Result<Vec<FeatureName>> {
    all_names(&[LOG_SIGMA_MM])
}

/// Stage 2: reads every volume back and extracts the features; writes `features.csv` and
/// `cohort.csv` (id, label, clinical columns, features).
pub fn extract_features(
    dir: &Path,
    patients: &[PatientFiles],
    names: &[FeatureName],
    jobs: usize,
) -> anyhow::Result<Features> {
    let pb = bar(patients.len(), "extract");
    let opts = ReadOptions::default();
    let rows = parallel(patients.len(), jobs, &pb, |i| {
        let p = &patients[i];
        let mut scratch = Vec::new();
        let mut row = Vec::with_capacity(names.len() * SEQUENCES.len());
        for (seq, (image, mask)) in SEQUENCES.iter().zip(&p.files) {
            let (img, msk) = load_pair(&dir.join(image), &dir.join(mask), &opts)?;
            let v = compute(&img, &msk, 1, names, BIN_WIDTH, &mut scratch)
                .with_context(|| format!("patient {} sequence {seq}", p.id))?;
            row.extend(v);
        }
        Ok(row)
    })?;
    let names: Vec<String> = SEQUENCES
        .iter()
        .flat_map(|s| names.iter().map(move |n| format!("{s}_{n}")))
        .collect();
    io::write_atomic(&dir.join("features.csv"), |w| {
        write!(w, "patient_id")?;
        for n in &names {
            write!(w, ",{n}")?;
        }
        writeln!(w)?;
        for (p, r) in patients.iter().zip(&rows) {
            write!(w, "{}", p.id)?;
            for v in r {
                write!(w, ",{}", format_value(*v))?;
            }
            writeln!(w)?;
        }
        Ok(())
    })?;
    io::write_atomic(&dir.join("cohort.csv"), |w| {
        write!(w, "patient_id,{LABEL_COLUMN}")?;
        for (c, _) in CLINICAL_COLUMNS {
            write!(w, ",{c}")?;
        }
        for n in &names {
            write!(w, ",{n}")?;
        }
        writeln!(w)?;
        for (p, r) in patients.iter().zip(&rows) {
            write!(w, "{},{}", p.id, p.label)?;
            for v in p.clinical.iter().chain(r) {
                write!(w, ",{}", format_value(*v))?;
            }
            writeln!(w)?;
        }
        Ok(())
    })?;
    Ok(Features { names, rows })
}

/// CPU seconds used by this process so far (Linux `/proc/self/stat`; `None` elsewhere).
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn timing(t: Instant, cpu0: Option<f64>) -> String {
    match (cpu0, cpu_seconds()) {
        (Some(a), Some(b)) => format!("{:.1} s (CPU {:.1} s)", t.elapsed().as_secs_f64(), b - a),
        _ => format!("{:.1} s", t.elapsed().as_secs_f64()),
    }
}

/// Runs `radscore demo`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.patients < 10 {
        bail!("--patients: expected at least 10, found {}", args.patients);
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let dir = args.out.clone();
    prepare_out_dir(&dir, args.force)?;
    let opts = SynthOptions::with_patients(args.seed, args.patients, args.small);
    let (t0, c0) = (Instant::now(), cpu_seconds());
    eprintln!(
        "radscore demo: {} synthetic patients ({} HER-2-low), seed {}, {} thread(s) → {}",
        opts.patients,
        opts.positives,
        opts.seed,
        jobs,
        dir.display()
    );
    let patients = generate(&dir, &opts, jobs)?;
    eprintln!(
        "  generated and wrote {} patients in {}",
        patients.len(),
        timing(t0, c0)
    );
    let names = feature_set()?;
    let (t1, c1) = (Instant::now(), cpu_seconds());
    let feats = extract_features(&dir, &patients, &names, jobs)?;
    eprintln!(
        "  extracted {} features per patient in {}",
        feats.names.len(),
        timing(t1, c1)
    );
    eprintln!(
        "radscore demo: stopped after feature extraction: the training pipeline \
         (radscore_trainer::pipeline::train), model export and report are not in this build yet.\n\
         Files so far: {}/manifest.csv, clinical.csv, features.csv, cohort.csv, images/",
        dir.display()
    );
    Ok(ExitCode::FAILURE)
}
