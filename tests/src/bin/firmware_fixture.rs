//! Host side of the bare-metal proof (`scripts/qemu-check.sh`, `tests/firmware/`).
//!
//! 1. Reads a reference volume and its mask (`<data>/<case>_image.nrrd`, `<case>_label.nrrd`;
//!    default `breast1` from `tests/fixtures/reference/pyradiomics/data`) and builds the illustrative
//!    model (`radscore_trainer::example::illustrative_model`), encoded as an artifact.
//! 2. Writes the firmware fixture into `--out DIR`: `image.raw` (i16 LE), `mask.raw` (u8),
//!    `model.rsm`, `fixture.txt` (geometry, clinical values, the host's feature values as bits,
//!    scratch size), each atomically.
//! 3. Runs the very same computation the firmware runs (`tests/firmware/src/check.rs`, included
//!    below) and prints it in the firmware's format on stdout: the script diffs the two.
//!
//! Clinical values: binary predictors 1; a continuous predictor with unit `mm3` / `cm3` gets the
//! lesion volume of the mask (voxels with the first feature's label × voxel volume); any other
//! continuous predictor the middle of its nomogram axis.
//!
//! Usage: `firmware_fixture --out DIR [--case breast1] [--data DIR] [--only I,J,...] [--coverage]`;
//! `--only` keeps only those features of the model (cost of single image types); `--coverage`
//! replaces the seven features by [`COVERAGE`] (one shape, two GLCM — MCC included —, one GLDM and
//! one NGTDM feature; placeholder z-score parameters and coefficients), so that the firmware check
//! also covers the classes the seven do not use. Exit status 0 iff the check passed on the host.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use radscore_cli::io::{self, VolumeData};
use radscore_core::model::{Model, PredictorKind};

#[allow(dead_code)]
#[path = "../../firmware/src/check.rs"]
mod check;

/// The host prints everything (decimal values, names, messages) besides the bits.
const TEXT: bool = true;

/// `--coverage` features: (sequence, PyRadiomics name, placeholder coefficient, mean, sd).
const COVERAGE: [(&str, &str, f64, f64, f64); 5] = [
    ("dce", "original_shape_Sphericity", 0.25, 0.6, 0.1),
    ("dce", "original_glcm_Idmn", -0.2, 0.9, 0.05),
    ("dwi", "original_glcm_MCC", 0.3, 0.5, 0.2),
    (
        "dwi",
        "original_gldm_DependenceNonUniformityNormalized",
        0.15,
        0.1,
        0.05,
    ),
    ("t2", "original_ngtdm_Coarseness", -0.1, 0.01, 0.01),
];

fn coverage_recipes(label: u32) -> Result<Vec<radscore_core::model::FeatureRecipe>, String> {
    COVERAGE
        .iter()
        .map(|&(sequence, name, coefficient, mean, sd)| {
            Ok(radscore_core::model::FeatureRecipe {
                sequence: heapless::String::try_from(sequence)
                    .map_err(|_| format!("{sequence}: too long"))?,
                name: heapless::String::try_from(name).map_err(|_| format!("{name}: too long"))?,
                bin_width: 25.0,
                label,
                mean,
                sd,
                coefficient,
                settings: radscore_core::model::DEFAULT_SETTINGS,
            })
        })
        .collect()
}

struct Stdout;

impl fmt::Write for Stdout {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        print!("{s}");
        Ok(())
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

fn clinical_values(model: &Model, mask: &[u8], spacing: [f64; 3]) -> Vec<f64> {
    let label = model.features.first().map_or(1, |r| r.label);
    let voxels = mask.iter().filter(|&&m| u32::from(m) == label).count() as f64;
    let mm3 = voxels * spacing[0] * spacing[1] * spacing[2];
    model
        .clinical
        .iter()
        .map(|c| match (c.kind, c.unit.as_str()) {
            (PredictorKind::Binary, _) => 1.0,
            (PredictorKind::Continuous, "mm3") => mm3,
            (PredictorKind::Continuous, "cm3") => mm3 / 1000.0,
            (PredictorKind::Continuous, _) => 0.5 * (c.axis_min + c.axis_max),
        })
        .collect()
}

fn run() -> Result<bool, String> {
    let mut out_dir: Option<PathBuf> = None;
    let mut case = String::from("breast1");
    let mut data = radscore_tests::pyradiomics_reference_dir().join("data");
    let mut only: Option<Vec<usize>> = None;
    let mut coverage = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--out" => out_dir = Some(PathBuf::from(val()?)),
            "--case" => case = val()?,
            "--coverage" => coverage = true,
            "--data" => data = PathBuf::from(val()?),
            "--only" => {
                let list = val()?;
                let idx = list
                    .split(',')
                    .map(|t| {
                        t.trim()
                            .parse::<usize>()
                            .map_err(|e| format!("--only {list:?}: {e}"))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                only = Some(idx);
            }
            _ => {
                return Err(format!(
                "unknown argument {a:?} (usage: --out DIR [--case NAME] [--data DIR] [--only I,J] [--coverage])"
            ))
            }
        }
    }
    let out_dir = out_dir.ok_or("--out DIR is required")?;
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;

    let image_path = data.join(format!("{case}_image.nrrd"));
    let mask_path = data.join(format!("{case}_label.nrrd"));
    let image =
        io::read_volume(&image_path).map_err(|e| format!("{}: {e:#}", image_path.display()))?;
    let mask =
        io::read_volume(&mask_path).map_err(|e| format!("{}: {e:#}", mask_path.display()))?;
    let VolumeData::I16(voxels) = &image.data else {
        return Err(format!(
            "{}: the firmware embeds int16 images, this one is {}",
            image_path.display(),
            image.data.type_name()
        ));
    };
    if mask.dims != image.dims {
        return Err(format!(
            "{}: dims differ from the image's",
            mask_path.display()
        ));
    }
    let labels: Vec<u8> = (0..mask.voxel_count())
        .map(|i| match mask.data.get_f64(i) {
            Some(v) if (0.0..=255.0).contains(&v) && v.fract() == 0.0 => Ok(v as u8),
            v => Err(format!(
                "{}: voxel {i}: label {v:?} does not fit u8",
                mask_path.display()
            )),
        })
        .collect::<Result<_, _>>()?;

    let mut model = radscore_trainer::example::illustrative_model();
    if coverage {
        let label = model.features.first().map_or(1, |r| r.label);
        model.features.clear();
        for r in coverage_recipes(label)? {
            model
                .features
                .push(r)
                .map_err(|_| "--coverage: too many features".to_string())?;
        }
    }
    if let Some(keep) = &only {
        // A sub-model (for the cost of single image types); everything else stays as it is.
        let all = model.features.clone();
        model.features.clear();
        for &i in keep {
            let r = all.get(i).ok_or(format!(
                "--only: no feature {i} (the model has {})",
                all.len()
            ))?;
            model
                .features
                .push(r.clone())
                .map_err(|_| "--only: too many features".to_string())?;
        }
    }
    let artifact = radscore_trainer::export::encode(&model).map_err(|e| format!("encode: {e}"))?;
    let clinical = clinical_values(&model, &labels, image.spacing);

    let fx = check::Fixture {
        image: voxels,
        mask: &labels,
        dims: image.dims,
        spacing: image.spacing,
        clinical: &clinical,
        model: &artifact,
    };
    // The fixture's sizes and the host's feature values come from the decoded artifact, like on
    // the device.
    let mut decoded = Box::new(Model::empty());
    check::decode(&fx, &mut decoded).map_err(|e| format!("{e:?}"))?;
    let need = check::scratch_needed(&fx, &decoded).map_err(|e| format!("{e:?}"))?;
    let mut scratch = vec![0f64; need];
    let mut features = vec![0f64; decoded.features.len()];
    check::extract_features(&fx, &decoded, &mut scratch, &mut features)
        .map_err(|e| format!("{e:?}"))?;

    let hex = |v: &[f64]| -> String {
        v.iter()
            .map(|x| format!(" 0x{:016x}", x.to_bits()))
            .collect()
    };
    let text = format!(
        "dims {} {} {}\nspacing {:?} {:?} {:?}\nclinical{}\nfeatures{}\nscratch {need}\n",
        image.dims[0],
        image.dims[1],
        image.dims[2],
        image.spacing[0],
        image.spacing[1],
        image.spacing[2],
        hex(&clinical),
        hex(&features),
    );
    let image_bytes: Vec<u8> = voxels.iter().flat_map(|v| v.to_le_bytes()).collect();
    write_atomic(&out_dir.join("image.raw"), &image_bytes)?;
    write_atomic(&out_dir.join("mask.raw"), &labels)?;
    write_atomic(&out_dir.join("model.rsm"), &artifact)?;
    write_atomic(&out_dir.join("fixture.txt"), text.as_bytes())?;

    // The same computation as the firmware, printed the same way.
    let mut out = Stdout;
    println!("# radscore host build of the firmware check ({case}); every sequence's features are computed on the one bundled volume");
    let mut copy = vec![0u8; artifact.len() + 1];
    let mut extract = |o: &mut dyn fmt::Write, m: &Model, v: &mut [f64]| {
        check::extract_step(o, &fx, m, &mut scratch, v, 0)
    };
    let mut slot = Box::new(Model::empty());
    let r = check::run(
        &mut out,
        &fx,
        &mut slot,
        &mut copy,
        check::Repeat::default(),
        &mut extract,
    );
    check::print_result(&mut out, &r).map_err(|e| e.to_string())?;
    Ok(r.is_ok())
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("firmware_fixture: {e}");
            ExitCode::from(2)
        }
    }
}
