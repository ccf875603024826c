//! One input of each fuzz target, shared by the cargo-fuzz targets (`fuzz/fuzz_targets/`, nightly)
//! and by the replay test on stable Rust (`runtime-cli/tests/fuzz_replay.rs`), so both run the
//! same code. Every function takes arbitrary bytes and must return — never panic, never take
//! unbounded memory or time; `Err` is the ordinary answer to a bad input.
//!
//! The readers take paths (as the CLI does), so the bytes are written to a file of the right
//! extension in a per-thread scratch folder first. The voxel limit is lowered to 2^22 for fuzzing
//! ([`crate::io::set_max_voxels`]), so a header can claim no more than ~32 MB.

use crate::cmd::extract::{all_names, compute};
use crate::io::{self, ReadOptions, Volume, VolumeData, IDENTITY};
use radscore_core::model::Model;
use std::path::PathBuf;

/// The voxel limit while fuzzing.
pub const FUZZ_MAX_VOXELS: usize = 1 << 22;

/// A scratch file named `name` in this thread's fuzzing folder, holding `data`.
fn scratch_file(name: &str, data: &[u8]) -> std::io::Result<PathBuf> {
    io::set_max_voxels(FUZZ_MAX_VOXELS);
    let dir = std::env::temp_dir().join(format!(
        "radscore-fuzz-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir)?;
    let p = dir.join(name);
    std::fs::write(&p, data)?;
    Ok(p)
}

/// NRRD reader (header, attached and detached data, every encoding) and the streaming mask reader.
pub fn nrrd(data: &[u8]) -> anyhow::Result<()> {
    let p = scratch_file("fuzz.nrrd", data)?;
    let whole = io::nrrd::read(&p);
    let mask = io::nrrd::read_mask(&p);
    // The streamed mask box is the whole volume's box whenever both succeed and it is a mask.
    if let (Ok(v), Ok(m)) = (whole, mask) {
        if let Ok(b) = io::MaskBox::from_mask(v) {
            assert_eq!(b, m, "streamed mask box differs from the whole volume's");
        }
    }
    Ok(())
}

/// NIfTI-1 and NIfTI-2 reader (single files; the magic decides the version).
pub fn nifti(data: &[u8]) -> anyhow::Result<()> {
    let p = scratch_file("fuzz.nii", data)?;
    io::read_volume_with(&p, &ReadOptions::default())?;
    Ok(())
}

/// DICOM reader: one file as an image, and as a DICOM-SEG on a small image grid when it is one.
pub fn dicom(data: &[u8]) -> anyhow::Result<()> {
    let p = scratch_file("fuzz.dcm", data)?;
    let image = io::read_volume_with(&p, &ReadOptions::default());
    if io::dicom::is_seg(&p) {
        let grid = match image {
            Ok(v) => v,
            Err(_) => Volume {
                dims: [4, 4, 2],
                spacing: [1.0, 1.0, 1.0],
                origin: [0.0; 3],
                direction: IDENTITY,
                data: VolumeData::I16(vec![0; 32]),
            },
        };
        io::read_mask_with(&p, &ReadOptions::default(), &grid)?;
    }
    Ok(())
}

/// `radscore score`'s table reader and scorer, with the illustrative model.
pub fn score_csv(data: &[u8]) -> anyhow::Result<()> {
    let model: Model = radscore_trainer::example::illustrative_model();
    let mut out = std::io::sink();
    crate::cmd::score::score_stream(&model, std::path::Path::new("fuzz.csv"), data, &mut out)?;
    Ok(())
}

/// `radscore train`'s cohort reader (label, split, id and two clinical columns).
pub fn cohort_csv(data: &[u8]) -> anyhow::Result<()> {
    let mut spec = radscore_trainer::cohort::CohortSpec::new("label");
    spec.split_column = Some("split".into());
    spec.clinical_columns = vec!["age".into(), "t2_signal".into()];
    radscore_trainer::cohort::Cohort::from_reader(data, &spec)?;
    Ok(())
}

/// `radscore cohort`'s join (`cmd::cohort::run`): the input is up to five CSV files separated by
/// the byte `0xFF` (never in UTF-8 text) — the clinical table (id column `ID`), then features
/// tables given as `t2=FILE`, `t2=FILE` (pooled with the first), `dwi=FILE` and a plain `FILE`
/// (columns already prefixed). Whatever the tables, the join must end in `Ok` or an `Err`.
pub fn cohort_join(data: &[u8]) -> anyhow::Result<()> {
    let mut parts = data.split(|&b| b == 0xFF);
    let clinical = scratch_file("clinical.csv", parts.next().unwrap_or(&[]))?;
    let mut features = Vec::new();
    for (k, (prefix, part)) in ["t2=", "t2=", "dwi=", ""].iter().zip(parts).enumerate() {
        let p = scratch_file(&format!("features{k}.csv"), part)?;
        features.push(format!("{prefix}{}", p.display()));
    }
    if features.is_empty() {
        return Err(anyhow::anyhow!("no features table in the input"));
    }
    let out = clinical.with_file_name("cohort.csv");
    crate::cmd::cohort::run(crate::cmd::cohort::Args {
        id_column: "ID".into(),
        clinical,
        features,
        out,
        quiet: true,
    })?;
    Ok(())
}

/// Extraction of every implemented feature on a small fuzzed volume: byte 0–2 are the sizes
/// (1–8 each), byte 3 the bin width (1–64), then per voxel an int16 value (2 bytes) and a mask bit
/// (the low bit of one more byte); missing bytes are 0. Checked against itself: no panic, and the
/// same values on a second run (no state leaks between cases through the scratch).
pub fn extract(data: &[u8]) -> anyhow::Result<()> {
    let byte = |i: usize| data.get(i).copied().unwrap_or(0);
    let dims = [
        1 + usize::from(byte(0) % 8),
        1 + usize::from(byte(1) % 8),
        1 + usize::from(byte(2) % 8),
    ];
    let bin_width = f64::from(1 + byte(3) % 64);
    let n = dims[0] * dims[1] * dims[2];
    let mut voxels = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let o = 4 + 3 * i;
        voxels.push(i16::from_le_bytes([byte(o), byte(o + 1)]));
        labels.push(byte(o + 2) & 1);
    }
    let geometry = |data| Volume {
        dims,
        spacing: [0.7, 0.8, 2.5],
        origin: [0.0; 3],
        direction: IDENTITY,
        data,
    };
    let image = geometry(VolumeData::I16(voxels));
    let mask = geometry(VolumeData::U8(labels));
    let names = all_names(&[1.0], false)?;
    let mut scratch = Vec::new();
    let first = compute(&image, &mask, 1, &names, bin_width, &mut scratch);
    let second = compute(&image, &mask, 1, &names, bin_width, &mut scratch);
    match (first, second) {
        (Ok(a), Ok(b)) => {
            let same = a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same, "two runs on the same input differ");
            Ok(())
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.to_string(), b.to_string(), "two runs fail differently");
            Err(a)
        }
        _ => panic!("one run succeeded and the other failed"),
    }
}

/// The PyRadiomics params reader: the bytes as a `.yaml` and as a `.json` params file
/// (`Params::from_path`: read, parse, validate against PyRadiomics' schema), then, for what is
/// accepted, the mapping to core settings and feature names (`Params::plan`), as `radscore
/// extract --param` does. Checked: every error names the file; every accepted plan's settings
/// pass the core's check and every feature name it lists parses.
pub fn params(data: &[u8]) -> anyhow::Result<()> {
    let mut result = Ok(());
    for name in ["fuzz.yaml", "fuzz.json"] {
        let p = scratch_file(name, data)?;
        let planned = radscore_host::Params::from_path(&p).and_then(|params| params.plan());
        match planned {
            Ok(plan) => {
                for t in &plan.types {
                    assert_eq!(
                        t.settings.check(),
                        Ok(()),
                        "{name}: a planned setting fails"
                    );
                }
                for f in plan.feature_names() {
                    assert!(
                        radscore_core::names::FeatureName::parse(&f).is_ok(),
                        "{name}: planned feature {f} does not parse"
                    );
                }
            }
            Err(e) => {
                assert!(!e.problems.is_empty(), "{name}: an error without a problem");
                let shown = e.to_string();
                assert!(
                    shown.contains(name),
                    "{name}: the error does not name the file: {shown}"
                );
                result = Err(e.into());
            }
        }
    }
    result
}

/// One fuzz input's run.
pub type Target = fn(&[u8]) -> anyhow::Result<()>;

/// The targets by name (the fuzz target's file name and the corpus folder's).
pub const TARGETS: &[(&str, Target)] = &[
    ("nrrd", nrrd),
    ("nifti", nifti),
    ("dicom", dicom),
    ("score_csv", score_csv),
    ("cohort_csv", cohort_csv),
    ("cohort_join", cohort_join),
    ("extract", extract),
    ("params", params),
];
