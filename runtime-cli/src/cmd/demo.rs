//! `radscore demo`: the whole workflow on a synthetic breast-MRI cohort.
//!
//! Stages (each a function, each with a progress bar):
//! 1. [`generate`]: the synthetic cohort (`radscore_trainer::synth`, `docs/synthetic-cohort.md`)
//!    written as gzip NRRD volumes and masks under `images/`, plus `manifest.csv` (the
//!    `radscore extract --manifest` format) and `clinical.csv`;
//! 2. [`extract_features`]: every implemented image type and feature class for each sequence
//!    (LoG with σ = 3 mm), read back from the files, written to `features.csv`, and joined with the
//!    clinical table into `cohort.csv`;
//! 3. [`train_model`]: the study's pipeline (`radscore_trainer::pipeline::train`) on `cohort.csv`
//!    with every clinical column as a candidate; `summary.json`;
//! 4. [`export_model`]: the combined model as `model.rsm`;
//! 5. [`score_test_set`]: the model file decoded by the core, the selected features recomputed
//!    from the test patients' images by their recipes, scored with `Model::score`, compared with
//!    the trainer's probabilities (they must agree to 1e-12) and written to `test_scores.csv`;
//! 6. the report (`report/index.html`) and a short summary on stdout.

use crate::cmd::extract::{all_names, compute, format_value, load_pair};
use crate::io::{self, ReadOptions, Volume, VolumeData, IDENTITY};
use anyhow::{anyhow, bail, Context};
use radscore_core::model::Model;
use radscore_core::names::{FeatureName, ImageType};
use radscore_trainer::cohort::{Cohort, CohortSpec};
use radscore_trainer::pipeline::{train, TrainOptions, TrainResult};
use radscore_trainer::report::{write_report, ReportInput};
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
    pub seed: u32,
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

/// The demo's feature set for one sequence: firstorder, GLSZM and GLRLM on the study's image
/// types (original, exponential, gradient, LoG, wavelet; 600 names), in the order the demo has
/// always used, so its cohort and model stay what they were (shape, the other classes and the
/// square / squareroot / logarithm image types are left out).
pub fn feature_set() -> anyhow::Result<Vec<FeatureName>> {
    use radscore_core::names::FeatureClass;
    let names = all_names(&[LOG_SIGMA_MM], false)?;
    let type_rank = |t: &ImageType| match t {
        ImageType::Original => 0,
        ImageType::Exponential => 1,
        ImageType::Gradient => 2,
        ImageType::Log { .. } => 3,
        ImageType::Wavelet(_) => 4,
        // not in the demo's set (filtered out below)
        _ => 5,
    };
    let class_rank = |c: FeatureClass| match c {
        FeatureClass::FirstOrder => Some(0),
        FeatureClass::Glszm => Some(1),
        FeatureClass::Glrlm => Some(2),
        _ => None,
    };
    let mut kept: Vec<FeatureName> = names
        .into_iter()
        .filter(|n| class_rank(n.feature.class()).is_some() && type_rank(&n.image_type) < 5)
        .collect();
    // stable sort: within a (type, class) group the features keep their order
    kept.sort_by_key(|n| (type_rank(&n.image_type), class_rank(n.feature.class())));
    Ok(kept)
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

fn spinner(what: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let s = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{what:<10} {{spinner}} {{elapsed_precise}} {{msg}}"
    )) {
        s.set_style(style);
    }
    s.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(s)
}

/// Clinical candidates of the screen: every column of the study; below 100 patients only the
/// continuous variables, texture and TIC type (rare binary levels would separate the outcome
/// perfectly in a few dozen training patients, and the univariate fit would not exist).
pub fn clinical_candidates(patients: usize) -> Vec<&'static str> {
    if patients >= 100 {
        CLINICAL_COLUMNS.iter().map(|(c, _)| *c).collect()
    } else {
        vec!["age", "texture", "tic", "volume", "adc"]
    }
}

/// Class names of label 0 and 1.
pub const CLASS_NAMES: [&str; 2] = ["HER-2-zero", "HER-2-low"];

/// Clinical columns that are categorical with more than two levels (factors).
pub const FACTOR_COLUMNS: [&str; 2] = ["tic", "t2w_signal"];

/// Stage 3: the study's pipeline on `cohort.csv` (`patients` rows); writes `summary.json`.
pub fn train_model(dir: &Path, seed: u32, patients: usize) -> anyhow::Result<TrainResult> {
    let spec = CohortSpec {
        label_column: LABEL_COLUMN.to_string(),
        split_column: None,
        id_column: "patient_id".to_string(),
        clinical_columns: clinical_candidates(patients)
            .iter()
            .map(|c| c.to_string())
            .collect(),
        // clinical variables that are not screened are not radiomics candidates either
        ignore_columns: CLINICAL_COLUMNS
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| !clinical_candidates(patients).contains(c))
            .map(str::to_string)
            .collect(),
        // TIC type and T2 signal are categories (I/II/III, hypo/iso/hyper), not scores
        factor_columns: FACTOR_COLUMNS
            .iter()
            .filter(|c| clinical_candidates(patients).contains(c))
            .map(|c| c.to_string())
            .collect(),
        ..CohortSpec::new(LABEL_COLUMN)
    };
    let opts = TrainOptions {
        seed,
        class_names: Some(CLASS_NAMES.map(String::from)),
        created_unix: radscore_trainer::summary::creation_time()?,
        bin_width: BIN_WIDTH,
        mask_label: 1,
        ..TrainOptions::default()
    };
    let sp = spinner("train");
    let progress = |msg: &str| {
        // notes (e.g. the L2 fit after separation, skipped clinical variables) stay visible
        let note = msg.starts_with("note:");
        match &sp {
            Some(s) => {
                if note {
                    s.println(msg);
                }
                s.set_message(msg.to_string());
            }
            None if note => eprintln!("{msg}"),
            None => {}
        }
    };
    let cohort = Cohort::from_csv(&dir.join("cohort.csv"), &spec)?;
    // Small cohorts can be separated perfectly by a radscore; the pipeline then fits that model
    // with scikit-learn's default L2 logistic regression (C = 1) and records it in the summary
    // (`<model>.fit`).
    let result = train(cohort, &opts, &progress);
    if let Some(s) = &sp {
        s.finish_and_clear();
    }
    let result = result?;
    let mut text =
        serde_json::to_string_pretty(&result.summary).context("cannot serialise the summary")?;
    text.push('\n');
    io::write_atomic(&dir.join("summary.json"), |w| w.write_all(text.as_bytes()))?;
    Ok(result)
}

/// Stage 4: writes the combined model to `model.rsm`.
pub fn export_model(dir: &Path, result: &TrainResult) -> anyhow::Result<PathBuf> {
    let path = dir.join("model.rsm");
    // the synthetic cohort documents its columns' units and codings: record them in the model
    // (radscore inspect shows them; a factor level keeps its `ref=` unit)
    let mut model = result.model.clone();
    for c in model.clinical.iter_mut().filter(|c| c.unit.is_empty()) {
        if let Some((_, unit)) = radscore_trainer::synth::CLINICAL_COLUMNS
            .iter()
            .find(|(n, _)| *n == c.name.as_str())
        {
            c.unit.clear();
            c.unit
                .push_str(unit)
                .map_err(|_| anyhow!("unit '{unit}' is longer than a model unit"))?;
        }
    }
    radscore_trainer::export::write_model(&path, &model)
        .map_err(|e| anyhow!("cannot write the model {}: {e}", path.display()))?;
    Ok(path)
}

/// One test patient scored both ways.
#[derive(Clone, Debug)]
pub struct TestScore {
    /// Patient id.
    pub id: String,
    /// 1 = HER-2-low.
    pub label: u8,
    /// The trainer's combined-model probability.
    pub trainer: f64,
    /// The core's probability from the model file and the recomputed features.
    pub core: f64,
    /// Nomogram total points (core).
    pub total_points: f64,
    /// Predicted class at the model's threshold (core).
    pub predicted: u8,
}

/// Stage 5: decodes `model.rsm` with the core, recomputes each test patient's selected features
/// from the images by their recipes, scores them and compares with the trainer. Writes
/// `test_scores.csv`; fails if any probability differs by more than 1e-12.
pub fn score_test_set(
    dir: &Path,
    model_path: &Path,
    patients: &[PatientFiles],
    result: &TrainResult,
) -> anyhow::Result<Vec<TestScore>> {
    let bytes = std::fs::read(model_path)
        .with_context(|| format!("cannot read {}", model_path.display()))?;
    let model =
        Model::decode(&bytes).map_err(|e| anyhow!("{}: {}", model_path.display(), e.message()))?;
    let combined = result
        .models
        .iter()
        .find(|m| m.name == "combined")
        .ok_or_else(|| anyhow!("the training result has no combined model"))?;
    // scoring from images: refuse a model with a feature the core cannot compute before
    // reading any image
    let recipes: Vec<_> = model
        .features
        .iter()
        .enumerate()
        .map(|(i, r)| {
            // the demo recomputes with PyRadiomics' defaults and the recipe's bin width: a
            // feature with other settings is refused rather than computed differently
            if r.settings != radscore_core::model::DEFAULT_SETTINGS {
                return Err(anyhow!(
                    "feature {}: the demo scores only features with default settings",
                    r.column()
                ));
            }
            model
                .recipe_of(i)
                .map_err(|e| anyhow!("feature {}: {}", r.column(), e.message()))
        })
        .collect::<anyhow::Result<_>>()?;
    let pb = bar(combined.test.len(), "score");
    let opts = ReadOptions::default();
    let mut scratch = Vec::new();
    let mut out = Vec::with_capacity(combined.test.len());
    for pred in &combined.test {
        let p = patients
            .iter()
            .find(|p| p.id == pred.patient_id)
            .ok_or_else(|| anyhow!("test patient {} is not in the cohort", pred.patient_id))?;
        let mut features = Vec::with_capacity(model.features.len());
        let mut loaded: Vec<(usize, Volume, Volume)> = Vec::new();
        for (r, name) in model.features.iter().zip(&recipes) {
            let si = SEQUENCES
                .iter()
                .position(|s| *s == r.sequence.as_str())
                .ok_or_else(|| anyhow!("model feature on unknown sequence {:?}", r.sequence))?;
            if !loaded.iter().any(|(i, _, _)| *i == si) {
                let (image, mask) = &p.files[si];
                let (img, msk) = load_pair(&dir.join(image), &dir.join(mask), &opts)?;
                loaded.push((si, img, msk));
            }
            let (_, img, msk) = loaded
                .iter()
                .find(|(i, _, _)| *i == si)
                .ok_or_else(|| anyhow!("internal: sequence not loaded"))?;
            let v = compute(img, msk, r.label, &[*name], r.bin_width, &mut scratch)
                .with_context(|| format!("patient {} feature {}", p.id, r.column()))?;
            features.extend(v);
        }
        let mut clinical = Vec::with_capacity(model.clinical.len());
        for c in &model.clinical {
            // a factor level enters as its indicator: `tic=2` is 1 for TIC type 2
            let (name, level) = match c.name.as_str().split_once('=') {
                Some((n, l)) => (n, Some(l)),
                None => (c.name.as_str(), None),
            };
            let j = CLINICAL_COLUMNS
                .iter()
                .position(|(n, _)| *n == name)
                .ok_or_else(|| anyhow!("model predictor {:?} is not a clinical column", c.name))?;
            clinical.push(match level {
                Some(l) => f64::from(u8::from(l.parse::<f64>().ok() == Some(p.clinical[j]))),
                None => p.clinical[j],
            });
        }
        let s = model
            .score(&features, &clinical)
            .map_err(|e| anyhow!("patient {}: scoring failed: {}", p.id, e.message()))?;
        out.push(TestScore {
            id: p.id.clone(),
            label: p.label,
            trainer: pred.value,
            core: s.probability,
            total_points: s.total_points,
            predicted: s.predicted_class,
        });
        pb.inc(1);
    }
    pb.finish_and_clear();
    io::write_atomic(&dir.join("test_scores.csv"), |w| {
        writeln!(
            w,
            "patient_id,{LABEL_COLUMN},trainer_probability,core_probability,total_points,predicted_class"
        )?;
        for s in &out {
            writeln!(
                w,
                "{},{},{},{},{},{}",
                s.id,
                s.label,
                format_value(s.trainer),
                format_value(s.core),
                format_value(s.total_points),
                s.predicted
            )?;
        }
        Ok(())
    })?;
    let diffs = || out.iter().map(|s| (s.trainer - s.core).abs());
    let worst = diffs().fold(0.0f64, f64::max);
    if diffs().any(|d| d.is_nan() || d > 1e-12) {
        bail!(
            "core and trainer disagree on the test set: largest probability difference {worst:e} (> 1e-12); see {}",
            dir.join("test_scores.csv").display()
        );
    }
    Ok(out)
}

fn auc_line(summary: &serde_json::Value, name: &str) -> Option<String> {
    let m = summary.get(name)?;
    let one = |set: &str| -> Option<String> {
        let s = m.get(set)?;
        let auc = s.get("auc")?.as_f64()?;
        let ci = s.get("auc_ci")?.as_array()?;
        let lo = ci.first()?.as_f64()?;
        let hi = ci.get(1)?.as_f64()?;
        Some(format!("{auc:.3} ({lo:.3}–{hi:.3})"))
    };
    Some(format!(
        "  {name:<12} {:<22} {}",
        one("train").unwrap_or_else(|| "n/a".into()),
        one("test").unwrap_or_else(|| "n/a".into())
    ))
}

/// Prints the summary of a finished demo on stdout.
fn print_summary(dir: &Path, result: &TrainResult, scores: &[TestScore]) {
    let m = &result.model;
    println!();
    println!(
        "Selected radiomics features (multimodal radscore, LASSO coefficient on the z-score):"
    );
    for r in &m.features {
        println!("  {:>+9.4}  {}_{}", r.coefficient, r.sequence, r.name);
    }
    let clin: Vec<&str> = m.clinical.iter().map(|c| c.name.as_str()).collect();
    println!(
        "Combined model (nomogram): radscore + {}",
        if clin.is_empty() {
            "no clinical variable".to_string()
        } else {
            clin.join(" + ")
        }
    );
    println!();
    println!("AUC (95 % CI, DeLong)   training               test");
    for name in ["clinical", "t2", "dwi", "dce", "multimodal", "combined"] {
        if let Some(l) = auc_line(&result.summary, name) {
            println!("{l}");
        }
    }
    let worst = scores
        .iter()
        .map(|s| (s.trainer - s.core).abs())
        .fold(0.0f64, f64::max);
    println!();
    println!(
        "Test set re-scored through the core from model.rsm: {} patients, largest difference from the trainer {worst:.1e}",
        scores.len()
    );
    println!("Files in {}:", dir.display());
    println!("  report/index.html   the validation report (open it in a browser)");
    println!("  model.rsm           the exported model (radscore inspect / verify / score)");
    println!("  summary.json, test_scores.csv, cohort.csv, features.csv, clinical.csv, manifest.csv, images/");
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
    let opts = SynthOptions::with_patients(u64::from(args.seed), args.patients, args.small);
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
    let (t2, c2) = (Instant::now(), cpu_seconds());
    let result = train_model(&dir, args.seed, patients.len())?;
    eprintln!("  trained the pipeline in {}", timing(t2, c2));
    let model_path = export_model(&dir, &result)?;
    let (t3, c3) = (Instant::now(), cpu_seconds());
    let scores = score_test_set(&dir, &model_path, &patients, &result)?;
    eprintln!(
        "  scored {} test patients through the core in {}",
        scores.len(),
        timing(t3, c3)
    );
    let (t4, c4) = (Instant::now(), cpu_seconds());
    let mut input = ReportInput::from_train(&result);
    // The synthetic cohort documents its columns' units and codings: show them on the nomogram.
    if let Some(spec) = input.nomogram.as_mut() {
        for axis in spec.axes.iter_mut().filter(|a| a.unit.is_empty()) {
            if let Some((_, unit)) = radscore_trainer::synth::CLINICAL_COLUMNS
                .iter()
                .find(|(n, _)| *n == axis.name)
            {
                axis.unit = unit.to_string();
            }
        }
    }
    // ... and the names of the factors' levels (tic 1 -> I, t2w_signal 1 -> hypo) in the tables
    let coding = |var: &str, level: &str| -> Option<String> {
        let (_, hint) = radscore_trainer::synth::CLINICAL_COLUMNS
            .iter()
            .find(|(n, _)| *n == var)?;
        hint.split(',')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == level)
            .map(|(_, v)| v.to_string())
    };
    if let Some(b) = input.baseline.as_mut() {
        for v in &mut b.vars {
            for l in &mut v.levels {
                if let Some(name) = coding(&v.name, l) {
                    *l = name;
                }
            }
        }
    }
    for r in input
        .univariate
        .iter_mut()
        .chain(input.multivariate.iter_mut())
    {
        for l in [&mut r.level, &mut r.reference].into_iter().flatten() {
            if let Some(name) = coding(&r.name, l) {
                *l = name;
            }
        }
    }
    let files = write_report(&dir.join("report"), &input)?;
    eprintln!(
        "  wrote the report ({} files) in {}",
        files.files.len(),
        timing(t4, c4)
    );
    eprintln!("radscore demo: done in {}", timing(t0, c0));
    print_summary(&dir, &result, &scores);
    Ok(ExitCode::SUCCESS)
}
