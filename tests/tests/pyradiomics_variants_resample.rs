//! PyRadiomics 3.0.1 parity with resampling: the `resample` (1 × 1 × 1 mm, sitkBSpline,
//! padDistance 5) and `resample-aniso` (0.8 × 0.8 × 2.0 mm, sitkLinear, preCrop — which
//! PyRadiomics ignores when resampling) variants of
//! `tests/fixtures/reference/pyradiomics-variants/`, 107 values (shape, first order, GLCM, GLRLM,
//! GLSZM, GLDM, NGTDM) per case on brain1, breast1, syn1, syn2 and syn3, through
//! `extract_with` with [`Settings`] built by hand (the params files' values). Every value must be
//! within 1e-9 relative (1e-12 absolute near zero).

use radscore_core::extract::{extract_with, scratch_len_with};
use radscore_core::image::{ImageView, MaskView, MaskVoxels, Voxels};
use radscore_core::names::FeatureName;
use radscore_core::settings::{Interpolator, Resample, Settings};
use radscore_tests::nrrd::{self, Data};
use radscore_tests::read_reference_csv;
use std::path::PathBuf;

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

/// Runs every case of `variant` (from its `cases.csv`); returns (values matched, failures).
fn run_variant(variant: &str, settings: &Settings) -> (usize, Vec<String>) {
    let dir = variants_dir().join(variant);
    let mut rdr = csv::Reader::from_path(dir.join("cases.csv")).expect("cases.csv");
    let (mut matched, mut failures) = (0usize, Vec::new());
    for rec in rdr.records() {
        let rec = rec.expect("cases.csv row");
        let case = rec.get(0).expect("case").to_string();
        let label: u32 = rec.get(3).expect("label").parse().expect("label");
        assert_eq!(rec.get(4), Some("ok"), "{variant}/{case}: PyRadiomics refused it");
        let image = nrrd::read(&variants_dir().join(rec.get(1).expect("image")));
        let labels = nrrd::read(&variants_dir().join(rec.get(2).expect("mask"))).labels_u32();
        let reference = read_reference_csv(&dir.join(format!("{case}.csv")));
        let names: Vec<FeatureName> = reference
            .iter()
            .map(|(n, _)| FeatureName::parse(n).unwrap_or_else(|e| panic!("{n}: {e}")))
            .collect();
        let vox = match &image.data {
            Data::I16(v) => Voxels::I16(v),
            Data::U16(v) => Voxels::U16(v),
            Data::I32(v) => Voxels::I32(v),
            Data::F32(v) => Voxels::F32(v),
            Data::F64(v) => Voxels::F64(v),
            _ => panic!("{case}: unsupported voxel type"),
        };
        let iv = ImageView::new(vox, image.dims, image.spacing)
            .and_then(|v| v.with_geometry(image.origin, image.direction))
            .expect("image view");
        let mv = MaskView::new(MaskVoxels::U32(&labels), image.dims, label).expect("mask view");
        let need = scratch_len_with(&iv, &mv, &names, settings)
            .unwrap_or_else(|e| panic!("{variant}/{case}: scratch_len_with: {e:?}"));
        let mut scratch = vec![0.0f64; need];
        let mut vals = vec![f64::NAN; names.len()];
        extract_with(&iv, &mv, &names, settings, &mut vals, &mut scratch)
            .unwrap_or_else(|e| panic!("{variant}/{case}: extract_with: {e:?}"));
        let mut ok = 0usize;
        for ((name, want), got) in reference.iter().zip(&vals) {
            if close(*got, *want) {
                ok += 1;
            } else {
                failures.push(format!(
                    "{variant}/{case} {name}: PyRadiomics {want:?}, core {got:?} (rel {:.2e})",
                    (got - want).abs() / want.abs().max(f64::MIN_POSITIVE)
                ));
            }
        }
        // A smaller scratch is refused, never overrun.
        let mut short = vec![0.0f64; need - 1];
        assert!(
            extract_with(&iv, &mv, &names, settings, &mut vals, &mut short).is_err(),
            "{variant}/{case}: scratch_len_with - 1 accepted"
        );
        println!("{variant}/{case}: {ok}/{} values match", reference.len());
        matched += ok;
    }
    (matched, failures)
}

#[test]
fn resample_bspline_1mm() {
    let mut s = Settings::DEFAULT;
    s.resample = Some(Resample {
        spacing: [1.0, 1.0, 1.0],
        interpolator: Interpolator::BSpline,
        pad_distance: 5,
    });
    let (matched, failures) = run_variant("resample", &s);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(matched, 5 * 107);
}

#[test]
fn resample_aniso_linear_precrop() {
    let mut s = Settings::DEFAULT;
    s.pre_crop = true;
    s.resample = Some(Resample {
        spacing: [0.8, 0.8, 2.0],
        interpolator: Interpolator::Linear,
        pad_distance: 5,
    });
    let (matched, failures) = run_variant("resample-aniso", &s);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(matched, 5 * 107);
}
