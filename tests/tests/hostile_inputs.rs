//! Hostile inputs to extraction (issue 21, item 9): what PyRadiomics 3.0.1 does is reproduced,
//! and what it cannot do is a precise error.
//!
//! * An all-zero image (`tests/fixtures/hostile/`, made by `make_all_zero.py` there):
//!   PyRadiomics computes the original and squareroot image types (every value must match), and
//!   fails on exponential, square and logarithm (its NaN image breaks the binning); the core
//!   refuses exactly those with [`Error::AllZeroImage`] (before: `BadFilterParameter`, "invalid
//!   parameter (e.g. LoG sigma …)").
//! * A bin count or gray-level count derived from the data that cannot be counted exactly (a
//!   voxel of 3e38, a bin width of 1e-300, levels × sizes beyond 2^53, more distinct levels than
//!   GLCM's scratch reserves) is [`Error::TooManyBins`] (before: `SizeOverflow`, "size
//!   computation overflowed", or `ScratchTooSmall`).

use radscore_core::extract::{extract, scratch_len};
use radscore_core::image::{ImageView, MaskView, MaskVoxels, Voxels};
use radscore_core::names::FeatureName;
use radscore_core::Error;
use radscore_tests::nrrd::{self, Data};
use radscore_tests::read_reference_csv;
use std::path::PathBuf;

fn hostile_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/hostile"))
}

fn names(list: &[&str]) -> Vec<FeatureName> {
    list.iter()
        .map(|n| FeatureName::parse(n).unwrap_or_else(|e| panic!("{n}: {e}")))
        .collect()
}

/// Extracts `names` with the scratch `scratch_len` asks for.
fn run(
    iv: &ImageView,
    mv: &MaskView,
    names: &[FeatureName],
    bin_width: f64,
) -> Result<Vec<f64>, Error> {
    let need = scratch_len(iv, mv, names)?;
    let mut scratch = vec![0.0; need];
    let mut out = vec![f64::NAN; names.len()];
    extract(iv, mv, names, bin_width, &mut out, &mut scratch)?;
    Ok(out)
}

fn close(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    let d = (a - b).abs();
    d <= 1e-12 || d <= 1e-9 * a.abs().max(b.abs())
}

#[test]
fn all_zero_image_matches_pyradiomics() {
    let dir = hostile_dir();
    let img = nrrd::read(&dir.join("all_zero_image.nrrd"));
    let msk = nrrd::read(&dir.join("all_zero_mask.nrrd"));
    let Data::I16(v) = &img.data else {
        panic!("all_zero_image.nrrd: expected int16")
    };
    assert!(
        v.iter().all(|&x| x == 0),
        "the fixture image must be all zero"
    );
    let Data::U8(m) = &msk.data else {
        panic!("all_zero_mask.nrrd: expected uint8")
    };
    let iv = ImageView::new(Voxels::I16(v), img.dims, img.spacing).unwrap();
    let mv = MaskView::new(MaskVoxels::U8(m), msk.dims, 1).unwrap();

    // Image types PyRadiomics computes: every value matches.
    let reference = read_reference_csv(&dir.join("all_zero.csv"));
    let all: Vec<FeatureName> = names(
        &reference
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>(),
    );
    let mut outcomes = csv::Reader::from_path(dir.join("all_zero_outcomes.csv")).unwrap();
    let mut matched = 0;
    let mut refused = 0;
    for rec in outcomes.records() {
        let rec = rec.unwrap();
        let (t, outcome) = (&rec[0], &rec[1]);
        let idx: Vec<usize> = (0..all.len())
            .filter(|&i| all[i].image_type.to_string() == t)
            .collect();
        match outcome {
            "ok" => {
                assert!(
                    !idx.is_empty(),
                    "{t}: PyRadiomics computed it, no values in all_zero.csv"
                );
                let sub: Vec<FeatureName> = idx.iter().map(|&i| all[i]).collect();
                let got = run(&iv, &mv, &sub, 25.0).unwrap_or_else(|e| panic!("{t}: {e}"));
                for (k, &i) in idx.iter().enumerate() {
                    let (name, want) = &reference[i];
                    assert!(
                        close(got[k], *want),
                        "{name}: PyRadiomics {want:?}, core {:?}",
                        got[k]
                    );
                    matched += 1;
                }
            }
            "error" => {
                // PyRadiomics' extraction fails on this image type (every class but shape needs
                // the binning of its NaN image): the core refuses it, naming the cause.
                for class in ["firstorder_Mean", "glcm_Contrast", "glszm_ZoneEntropy"] {
                    let n = names(&[&format!("{t}_{class}")]);
                    assert_eq!(
                        run(&iv, &mv, &n, 25.0),
                        Err(Error::AllZeroImage),
                        "{t}_{class}"
                    );
                }
                refused += 1;
            }
            other => panic!("all_zero_outcomes.csv: unknown outcome {other:?} for {t}"),
        }
    }
    println!("all-zero image: {matched} values match PyRadiomics, {refused} image types refused as PyRadiomics fails");
    assert_eq!(
        refused, 3,
        "exponential, square and logarithm fail in PyRadiomics"
    );
    assert!(matched >= 180);
}

/// A small f32 or f64 volume: 6 × 5 × 4 with a 4 × 3 × 2 ROI box (label 1).
struct Case {
    mask: Vec<u8>,
}

const DIMS: [usize; 3] = [6, 5, 4];

impl Case {
    fn new() -> Case {
        let mut mask = vec![0u8; DIMS.iter().product()];
        for z in 1..3 {
            for y in 1..4 {
                for x in 1..5 {
                    mask[x + DIMS[0] * (y + DIMS[1] * z)] = 1;
                }
            }
        }
        Case { mask }
    }
    fn roi_index(&self, k: usize) -> usize {
        self.mask
            .iter()
            .enumerate()
            .filter(|(_, &m)| m == 1)
            .nth(k)
            .map(|(i, _)| i)
            .unwrap()
    }
}

#[test]
fn huge_voxel_or_tiny_bin_width_is_too_many_bins() {
    let c = Case::new();
    let mv = MaskView::new(MaskVoxels::U8(&c.mask), DIMS, 1).unwrap();
    let fo = names(&["original_firstorder_Entropy", "original_glszm_ZoneEntropy"]);

    // One voxel of 3e38 in a float32 image (bin width 25: 1.2e37 bins).
    let mut v = vec![10.0f32; c.mask.len()];
    v[c.roi_index(3)] = 3e38;
    let iv = ImageView::new(Voxels::F32(&v), DIMS, [1.0; 3]).unwrap();
    assert_eq!(run(&iv, &mv, &fo, 25.0), Err(Error::TooManyBins));

    // Bin width 1e-300 on an ordinary range.
    let v: Vec<f32> = (0..c.mask.len()).map(|i| i as f32).collect();
    let iv = ImageView::new(Voxels::F32(&v), DIMS, [1.0; 3]).unwrap();
    assert_eq!(run(&iv, &mv, &fo, 1e-300), Err(Error::TooManyBins));
    // The same image with an ordinary bin width computes.
    assert!(run(&iv, &mv, &fo, 25.0).is_ok());

    // 2^51 bins are counted, but gray level × zone size keys would pass 2^53: GLSZM, GLRLM and
    // GLCM refuse them as too many bins (firstorder, which needs no keys, computes).
    let mut v = vec![0.0f64; c.mask.len()];
    v[c.roi_index(0)] = 2f64.powi(51);
    let iv = ImageView::new(Voxels::F64(&v), DIMS, [1.0; 3]).unwrap();
    assert!(run(&iv, &mv, &names(&["original_firstorder_Entropy"]), 1.0).is_ok());
    for n in [
        "original_glszm_ZoneEntropy",
        "original_glrlm_RunEntropy",
        "original_glcm_SumEntropy",
    ] {
        assert_eq!(
            run(&iv, &mv, &names(&[n]), 1.0),
            Err(Error::TooManyBins),
            "{n}"
        );
    }
}

#[test]
fn glcm_with_more_levels_than_reserved_is_too_many_bins() {
    // 24 × 24 × 9 ROI of distinct values, bin width 1: 5 184 gray levels, more than the 4 096
    // GLCM's scratch is reserved for by `scratch_len`.
    let dims = [24, 24, 9];
    let n: usize = dims.iter().product();
    let v: Vec<i32> = (0..n as i32).collect();
    let mask = vec![1u8; n];
    let iv = ImageView::new(Voxels::I32(&v), dims, [1.0; 3]).unwrap();
    let mv = MaskView::new(MaskVoxels::U8(&mask), dims, 1).unwrap();
    assert_eq!(
        run(&iv, &mv, &names(&["original_glcm_Contrast"]), 1.0),
        Err(Error::TooManyBins)
    );
    // Bin width 2: 2 592 levels fit.
    assert!(run(&iv, &mv, &names(&["original_glcm_Contrast"]), 2.0).is_ok());
}
