//! Readers on real sample files shipped by pynrrd, nibabel and pydicom (MIT/BSD; see
//! tests/fixtures/imaging/fetch_samples.sh): voxel statistics, dims and spacing must equal what
//! those libraries read (expected_samples.json), and geometry + voxel type what SimpleITK reads
//! (expected_sitk.json, the reader PyRadiomics uses).

use radscore_cli::io::{self, ReadOptions, Volume, VolumeData};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/imaging")
}

fn load(name: &str) -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(fixtures().join(name)).unwrap();
    match serde_json::from_str(&text).unwrap() {
        Value::Object(m) => m,
        _ => panic!("{name}: not an object"),
    }
}

fn dtype(v: &Volume) -> &'static str {
    match &v.data {
        VolumeData::I8(_) => "int8",
        VolumeData::U8(_) => "uint8",
        VolumeData::I16(_) => "int16",
        VolumeData::U16(_) => "uint16",
        VolumeData::I32(_) => "int32",
        VolumeData::U32(_) => "uint32",
        VolumeData::I64(_) => "int64",
        VolumeData::U64(_) => "uint64",
        VolumeData::F32(_) => "float32",
        VolumeData::F64(_) => "float64",
    }
}

fn f(e: &Value, k: &str) -> f64 {
    e[k].as_f64().unwrap_or_else(|| panic!("no {k}"))
}

fn check(name: &str, v: &Volume, e: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    let arr = |k: &str| -> Option<Vec<f64>> {
        e.get(k)
            .and_then(|a| a.as_array())
            .map(|a| a.iter().map(|x| x.as_f64().unwrap()).collect())
    };
    let dims: Vec<usize> = arr("dims").unwrap().iter().map(|&x| x as usize).collect();
    if v.dims.to_vec() != dims {
        errs.push(format!("{name}: dims {:?} expected {dims:?}", v.dims));
    }
    if let Some(sp) = arr("spacing") {
        for (k, b) in sp.iter().enumerate() {
            if (v.spacing[k] - b).abs() > 1e-9 * b.abs() {
                errs.push(format!("{name}: spacing {:?} expected {sp:?}", v.spacing));
            }
        }
    }
    if let Some(o) = arr("origin") {
        for (k, b) in o.iter().enumerate() {
            if (v.origin[k] - b).abs() > 1e-6 {
                errs.push(format!("{name}: origin {:?} expected {o:?}", v.origin));
            }
        }
    }
    if let Some(d) = e.get("direction").and_then(|d| d.as_array()) {
        for (k, row) in d.iter().enumerate() {
            for (j, x) in row.as_array().unwrap().iter().enumerate() {
                if (v.direction[k][j] - x.as_f64().unwrap()).abs() > 1e-6 {
                    errs.push(format!(
                        "{name}: direction {:?} expected {d:?}",
                        v.direction
                    ));
                }
            }
        }
    }
    if let Some(t) = e.get("dtype").and_then(|t| t.as_str()) {
        if dtype(v) != t {
            errs.push(format!("{name}: voxel type {} expected {t}", dtype(v)));
        }
    }
    let count = e["count"].as_u64().unwrap() as usize;
    if v.data.len() != count {
        errs.push(format!("{name}: {} voxels expected {count}", v.data.len()));
        return errs;
    }
    let tol = e.get("tol").and_then(|t| t.as_f64()).unwrap_or(0.0);
    let (mut sum, mut min, mut max, mut w) = (0.0f64, f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
    for (i, x) in v.data.iter_f64().enumerate() {
        sum += x;
        w += x * i as f64;
        min = min.min(x);
        max = max.max(x);
    }
    let close = |a: f64, b: f64, t: f64| (a - b).abs() <= t * b.abs().max(1.0);
    for (what, ours, theirs, t) in [
        ("sum", sum, f(e, "sum"), tol.max(1e-12)),
        ("weighted", w, f(e, "weighted"), tol.max(1e-12)),
        ("min", min, f(e, "min"), tol),
        ("max", max, f(e, "max"), tol),
    ] {
        if !close(ours, theirs, t) {
            errs.push(format!("{name}: {what} {ours} expected {theirs}"));
        }
    }
    errs
}

fn read_entry(e: &Value) -> anyhow::Result<Volume> {
    let path = fixtures().join(e["path"].as_str().unwrap());
    let mut opts = ReadOptions::default();
    if let Some(v) = e.get("options").and_then(|o| o.get("volume")) {
        opts.volume = Some(v.as_u64().unwrap() as usize);
    }
    io::read_volume_with(&path, &opts)
}

fn run(file: &str, filter: &str) -> usize {
    let mut errs = Vec::new();
    let mut n = 0;
    for (name, e) in load(file) {
        if !name.contains(filter) {
            continue;
        }
        n += 1;
        match (read_entry(&e), e.get("error")) {
            (Ok(_), Some(msg)) => {
                errs.push(format!("{name}: read, but the reference fails: {msg}"))
            }
            (Err(_), Some(_)) => {}
            (Err(err), None) => errs.push(format!("{name}: {err:#}")),
            (Ok(v), None) => errs.extend(check(&name, &v, &e)),
        }
    }
    assert!(errs.is_empty(), "{}", errs.join("\n"));
    n
}

#[test]
fn pynrrd_samples_match_pynrrd() {
    assert_eq!(run("expected_samples.json", "pynrrd/"), 14);
}

#[test]
fn nibabel_samples_match_nibabel() {
    assert_eq!(run("expected_samples.json", "nibabel/"), 25);
}

#[test]
fn nifti_and_nrrd_match_simpleitk() {
    assert_eq!(run("expected_sitk.json", "sitk/nibabel"), 3);
    assert_eq!(run("expected_sitk.json", "sitk/pynrrd"), 1);
}

#[test]
fn four_d_nifti_needs_a_volume() {
    let err = io::read_volume(&fixtures().join("nibabel/functional.nii")).unwrap_err();
    assert!(format!("{err:#}").contains("20 volumes"), "{err:#}");
}

#[test]
fn dicom_samples_match_pydicom() {
    assert_eq!(run("expected_samples.json", "pydicom/"), 12);
}

#[test]
fn dicom_matches_simpleitk_geometry_and_types() {
    assert_eq!(run("expected_sitk.json", "sitk/pydicom"), 6);
}

#[test]
fn dicom_series_with_a_gap_is_an_error() {
    let err = io::read_volume(&fixtures().join("pydicom/series_gap")).unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("missing slices"), "{msg}");
}

#[test]
fn truncated_dicom_is_an_error_not_a_panic() {
    assert!(io::read_volume(&fixtures().join("pydicom/MR_truncated.dcm")).is_err());
}
