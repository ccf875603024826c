//! PyRadiomics 3.0.1 parity for the intensity and ROI settings (issue 18, items 1, 2, 4 and the
//! core part of 7): `binCount`, `voxelArrayShift`, `normalize` / `normalizeScale` /
//! `removeOutliers`, `resegmentRange` / `resegmentMode` / `resegmentShape`,
//! `minimumROIDimensions`, `minimumROISize`.
//!
//! Each variant of `tests/fixtures/reference/pyradiomics-variants/<variant>/` (PyRadiomics run on
//! the public cases with `params.yaml`) gets its [`Settings`] built by hand here; every value of
//! every `<case>.csv` must be reproduced by `radscore_core::extract::extract_with` to ≤ 1e-9
//! relative (≤ 1e-12 absolute near zero), and every `<case>.error.txt` (PyRadiomics refused the
//! case) must be the matching core error. The extra edge cases of
//! `tests/fixtures/pyradiomics-settings/` (made by `tests/oracles/pyradiomics/make_settings_cases.py`)
//! are checked the same way (`edge_cases`).

use radscore_core::names::FeatureName;
use radscore_core::settings::{Binning, Normalize, Resegment, ResegmentMode, Settings};
use radscore_core::Error;
use radscore_tests::{extract_nrrd_with, read_reference_csv};
use std::path::{Path, PathBuf};

const REL: f64 = 1e-9;
const ABS: f64 = 1e-12;

fn variants_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/reference/pyradiomics-variants"
    ))
}

fn close(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    let d = (a - b).abs();
    d <= ABS || d <= REL * a.abs().max(b.abs())
}

/// Same rule as `pyradiomics_parity.rs`: PCA axis features whose eigenvalue is mathematically 0
/// (coplanar ROI) are LAPACK rounding residue in PyRadiomics; both values below the residue
/// bound are accepted.
fn eigen_residue(name: &str, a: f64, b: f64, major_axis: Option<f64>) -> bool {
    const REL_EIG: f64 = 1.4210854715202004e-14; // 2^-46
    let bound = match name.strip_prefix("original_shape_") {
        Some("MinorAxisLength" | "LeastAxisLength") => match major_axis {
            Some(m) => 4.0 * (REL_EIG * (m / 4.0) * (m / 4.0)).sqrt(),
            None => return false,
        },
        Some("Elongation" | "Flatness") => REL_EIG.sqrt(),
        _ => return false,
    };
    a.abs() <= bound && b.abs() <= bound
}

/// Settings of a variant, written out from its `params.yaml` (everything else default).
fn settings_for(variant: &str) -> Settings {
    let mut s = Settings::DEFAULT;
    let reseg = |lo: f64, hi: f64, mode, shape| {
        Some(Resegment {
            lo,
            hi,
            mode,
            shape,
        })
    };
    match variant {
        "bincount" => s.binning = Binning::Count(32),
        "shift" => {
            s.voxel_array_shift = 300.0;
            s.binning = Binning::Width(10.0);
        }
        "normalize" => {
            s.normalize = Some(Normalize {
                scale: 100.0,
                remove_outliers: Some(3.0),
            })
        }
        "resegment" => s.resegment = reseg(-3.0, 3.0, ResegmentMode::Sigma, false),
        "resegment-tight" => s.resegment = reseg(-1.5, 2.0, ResegmentMode::Sigma, false),
        "resegment-shape" => s.resegment = reseg(-1.5, 2.0, ResegmentMode::Sigma, true),
        "resegment-relative" => {
            s.resegment = reseg(0.6, f64::INFINITY, ResegmentMode::Relative, false)
        }
        "resegment-abs" => s.resegment = reseg(0.0, 1200.0, ResegmentMode::Absolute, false),
        "geometry" => {
            s.minimum_roi_dimensions = 1;
            s.minimum_roi_size = Some(5);
        }
        "geometry-strict" => {
            s.minimum_roi_dimensions = 3;
            s.minimum_roi_size = Some(150);
        }
        // tests/fixtures/pyradiomics-settings (make_settings_cases.py)
        "bincount7" => s.binning = Binning::Count(7),
        "normalize-clip" => {
            s.normalize = Some(Normalize {
                scale: 1.0,
                remove_outliers: Some(1.5),
            });
            s.binning = Binning::Width(0.25);
        }
        "normalize-scale" => {
            s.normalize = Some(Normalize {
                scale: 500.0,
                remove_outliers: None,
            });
            s.binning = Binning::Count(16);
        }
        "reseg-sigma" => {
            s.resegment = reseg(-1.0, 1.0, ResegmentMode::Sigma, false);
            s.binning = Binning::Count(8);
        }
        "reseg-bright" => {
            s.resegment = reseg(1000.0, f64::INFINITY, ResegmentMode::Absolute, false)
        }
        "reseg-relative" => {
            s.resegment = reseg(0.5, 0.9, ResegmentMode::Relative, false);
            s.binning = Binning::Count(8);
        }
        "reseg-shape-bbox" => {
            s.resegment = reseg(0.5, f64::INFINITY, ResegmentMode::Relative, false)
        }
        "reseg-shape-true" => {
            s.resegment = reseg(0.5, f64::INFINITY, ResegmentMode::Relative, true)
        }
        "reseg-norm-size" => {
            s.normalize = Some(Normalize {
                scale: 1.0,
                remove_outliers: None,
            });
            s.resegment = reseg(-0.5, 2.0, ResegmentMode::Absolute, false);
            s.minimum_roi_size = Some(40);
            s.minimum_roi_dimensions = 3;
            s.binning = Binning::Width(0.2);
        }
        other => panic!("no settings written for variant {other}"),
    }
    s
}

/// The core error standing for PyRadiomics' exception message (first line of `.error.txt`).
fn expected_error(msg: &str) -> Error {
    if msg.contains("Size of the ROI is too small") {
        Error::RoiTooSmall
    } else if msg.contains("mask has too few dimensions") {
        Error::RoiTooFewDimensions
    } else if msg.contains("Resegmentation excluded too many voxels") {
        Error::ResegmentedTooFew
    } else if msg.contains("mask only contains 1 segmented voxel") {
        Error::RoiSingleVoxel
    } else if msg.contains("not present in mask") {
        Error::LabelNotPresent
    } else {
        panic!("no core error mapped for PyRadiomics' {msg:?}")
    }
}

#[derive(Default)]
struct Tally {
    values: usize,
    errors: usize,
    failures: Vec<String>,
}

/// Checks every case of `dir/cases.csv` (`case,image,mask,label,status,...`; image and mask paths
/// relative to `base`) with `settings`.
fn check_dir(dir: &Path, base: &Path, settings: &Settings, tally: &mut Tally) {
    let mut rdr = csv::Reader::from_path(dir.join("cases.csv"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("cases.csv").display()));
    let mut n = 0;
    for rec in rdr.records() {
        let rec = rec.expect("cases.csv row");
        n += 1;
        let case = &rec[0];
        let image = base.join(&rec[1]);
        let mask = base.join(&rec[2]);
        let label: u32 = rec[3].parse().expect("label");
        let tag = format!("{}/{case}", dir.file_name().unwrap().to_string_lossy());
        match &rec[4] {
            "ok" => {
                let reference = read_reference_csv(&dir.join(format!("{case}.csv")));
                let names: Vec<FeatureName> = reference
                    .iter()
                    .map(|(n, _)| FeatureName::parse(n).unwrap_or_else(|e| panic!("{n}: {e}")))
                    .collect();
                let major = reference
                    .iter()
                    .find(|(n, _)| n == "original_shape_MajorAxisLength")
                    .map(|(_, v)| *v);
                match extract_nrrd_with(&image, &mask, label, &names, settings) {
                    Err(e) => tally.failures.push(format!("{tag}: core refused: {e:?}")),
                    Ok(got) => {
                        let mut bad = 0;
                        for ((name, want), got) in reference.iter().zip(&got) {
                            if close(*got, *want) || eigen_residue(name, *got, *want, major) {
                                tally.values += 1;
                            } else {
                                bad += 1;
                                tally.failures.push(format!(
                                    "{tag}: {name}: PyRadiomics {want:?}, core {got:?}"
                                ));
                            }
                        }
                        println!(
                            "{tag}: {}/{} values match",
                            reference.len() - bad,
                            reference.len()
                        );
                    }
                }
            }
            "error" => {
                let text = std::fs::read_to_string(dir.join(format!("{case}.error.txt")))
                    .expect("error.txt");
                let want = expected_error(text.lines().next().unwrap_or(""));
                let names = [
                    FeatureName::parse("original_firstorder_Mean").unwrap(),
                    FeatureName::parse("original_shape_VoxelVolume").unwrap(),
                ];
                let got = extract_nrrd_with(&image, &mask, label, &names, settings);
                println!(
                    "{tag}: PyRadiomics refused ({want:?}); core: {:?}",
                    got.as_ref().err()
                );
                if got.as_ref().err() == Some(&want) {
                    tally.errors += 1;
                } else {
                    tally.failures.push(format!(
                        "{tag}: expected {want:?}, core gave {:?}",
                        got.err()
                    ));
                }
            }
            other => panic!("{tag}: unknown status {other}"),
        }
    }
    assert!(n > 0, "{}: no case", dir.display());
}

fn check_variants(variants: &[&str]) {
    let mut tally = Tally::default();
    for v in variants {
        check_dir(
            &variants_dir().join(v),
            &variants_dir(),
            &settings_for(v),
            &mut tally,
        );
    }
    finish(tally);
}

fn finish(tally: Tally) {
    println!(
        "{} values matched, {} refusals matched",
        tally.values, tally.errors
    );
    for f in tally.failures.iter().take(40) {
        println!("  FAIL {f}");
    }
    assert!(
        tally.failures.is_empty(),
        "{} failures (see output)",
        tally.failures.len()
    );
    assert!(tally.values > 0);
}

#[test]
fn bin_count_and_shift() {
    check_variants(&["bincount", "shift"]);
}

#[test]
fn normalize() {
    check_variants(&["normalize"]);
}

#[test]
fn resegment() {
    check_variants(&[
        "resegment",
        "resegment-tight",
        "resegment-shape",
        "resegment-relative",
        "resegment-abs",
    ]);
}

/// The groups of `tests/fixtures/pyradiomics-settings/` (edge cases the public cases miss).
#[test]
fn edge_cases() {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/pyradiomics-settings"
    ));
    let mut groups: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures/pyradiomics-settings")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("cases.csv").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    groups.sort();
    assert_eq!(groups.len(), 9, "groups: {groups:?}");
    let mut tally = Tally::default();
    for g in &groups {
        check_dir(&dir.join(g), &dir, &settings_for(g), &mut tally);
    }
    finish(tally);
}

#[test]
fn roi_checks() {
    check_variants(&["geometry", "geometry-strict"]);
}
