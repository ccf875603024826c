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

/// One case: name, image, mask, label, reference CSV.
struct Case {
    name: String,
    image: PathBuf,
    mask: PathBuf,
    label: u32,
    reference: PathBuf,
}

/// The cases of a PyRadiomics variant directory (its `cases.csv`).
fn variant_cases(variant: &str) -> Vec<Case> {
    let dir = variants_dir().join(variant);
    let mut rdr = csv::Reader::from_path(dir.join("cases.csv")).expect("cases.csv");
    rdr.records()
        .map(|rec| {
            let rec = rec.expect("cases.csv row");
            let name = rec.get(0).expect("case").to_string();
            assert_eq!(
                rec.get(4),
                Some("ok"),
                "{variant}/{name}: PyRadiomics refused it"
            );
            Case {
                image: variants_dir().join(rec.get(1).expect("image")),
                mask: variants_dir().join(rec.get(2).expect("mask")),
                label: rec.get(3).expect("label").parse().expect("label"),
                reference: dir.join(format!("{name}.csv")),
                name,
            }
        })
        .collect()
}

/// The cases of one of our own variants (`tests/fixtures/resample/variants/<variant>`, made by
/// `tests/oracles/resample/extract_variants.py`): every `<case>.csv` there.
fn own_cases(variant: &str) -> Vec<Case> {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"));
    let dir = root.join("resample/variants").join(variant);
    let mut cases = Vec::new();
    for name in ["breast1", "syn1", "syn3", "synth_f32", "synth_i16"] {
        let data = if name.starts_with("synth_") {
            root.join("resample")
        } else {
            root.join("reference/pyradiomics/data")
        };
        cases.push(Case {
            image: data.join(format!("{name}_image.nrrd")),
            mask: data.join(format!("{name}_label.nrrd")),
            label: 1,
            reference: dir.join(format!("{name}.csv")),
            name: name.to_string(),
        });
    }
    cases
}

/// Runs every case; returns (values matched, values compared, failures).
fn run_cases(variant: &str, cases: &[Case], settings: &Settings) -> (usize, usize, Vec<String>) {
    let (mut matched, mut total, mut failures) = (0usize, 0usize, Vec::new());
    for c in cases {
        let case = &c.name;
        let image = nrrd::read(&c.image);
        let labels = nrrd::read(&c.mask).labels_u32();
        let reference = read_reference_csv(&c.reference);
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
        let mv = MaskView::new(MaskVoxels::U32(&labels), image.dims, c.label).expect("mask view");
        let need = scratch_len_with(&iv, &mv, &names, settings)
            .unwrap_or_else(|e| panic!("{variant}/{case}: scratch_len_with: {e:?}"));
        let mut scratch = vec![0.0f64; need];
        let mut vals = vec![f64::NAN; names.len()];
        let t0 = std::time::Instant::now();
        extract_with(&iv, &mv, &names, settings, &mut vals, &mut scratch)
            .unwrap_or_else(|e| panic!("{variant}/{case}: extract_with: {e:?}"));
        let secs = t0.elapsed().as_secs_f64();
        let mut ok = 0usize;
        let mut worst = 0.0f64;
        for ((name, want), got) in reference.iter().zip(&vals) {
            if want.is_finite() && *want != 0.0 {
                worst = worst.max((got - want).abs() / want.abs());
            }
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
        println!(
            "{variant}/{case}: {ok}/{} values match, worst relative difference {worst:.1e} ({:.1} ms, scratch {:.0} KiB)",
            reference.len(),
            secs * 1e3,
            need as f64 * 8.0 / 1024.0
        );
        matched += ok;
        total += reference.len();
    }
    (matched, total, failures)
}

fn run_variant(variant: &str, settings: &Settings) -> (usize, Vec<String>) {
    let (m, _, f) = run_cases(variant, &variant_cases(variant), settings);
    (m, f)
}

fn run_own(variant: &str, settings: &Settings) {
    let (m, n, f) = run_cases(variant, &own_cases(variant), settings);
    assert!(f.is_empty(), "{} of {n} differ:\n{}", f.len(), f.join("\n"));
    assert_eq!(m, n);
    assert!(n > 1000, "{variant}: only {n} values");
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
    assert_eq!(matched, 6 * 107);
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
    assert_eq!(matched, 6 * 107);
}

/// preCrop alone (padDistance 2): filters run on the cropped image (LoG σ 1, coif1 wavelet,
/// exponential, gradient; first order).
#[test]
fn own_precrop_filters() {
    let mut s = Settings::DEFAULT;
    s.pre_crop = true;
    s.pad_distance = 2;
    run_own("precrop-filters", &s);
}

/// Nearest-neighbour in-plane upsampling (0.5 × 0.5 mm, z kept), padDistance 3; LoG σ 2 and
/// wavelet on the resampled image; shape, first order, GLCM.
#[test]
fn own_resample_nn_filters() {
    let mut s = Settings::DEFAULT;
    s.resample = Some(Resample {
        spacing: [0.5, 0.5, 0.0],
        interpolator: Interpolator::NearestNeighbor,
        pad_distance: 3,
    });
    run_own("resample-nn-filters", &s);
}

/// B-spline downsampling (2 × 2 × 3 mm), padDistance 5; LoG σ 3, wavelet, gradient; shape,
/// first order, GLSZM.
#[test]
fn own_resample_bspline_down() {
    let mut s = Settings::DEFAULT;
    s.resample = Some(Resample {
        spacing: [2.0, 2.0, 3.0],
        interpolator: Interpolator::BSpline,
        pad_distance: 5,
    });
    run_own("resample-bspline-down", &s);
}

fn own_resampled(variant: &str, spacing: [f64; 3], interpolator: Interpolator, pad: u32) {
    let mut s = Settings::DEFAULT;
    s.resample = Some(Resample {
        spacing,
        interpolator,
        pad_distance: pad,
    });
    let (m, n, f) = run_cases(variant, &own_cases(variant), &s);
    assert!(f.is_empty(), "{} of {n} differ:\n{}", f.len(), f.join("\n"));
    assert_eq!(m, n);
    // 5 cases × 72 values (shape 14, first order 18, GLCM 24, GLSZM 16).
    assert!(n >= 5 * 72, "{variant}: only {n} values");
}

/// `sitkGaussian` (σ = 0.8 × spacing, α = 4) to 1 mm; shape, first order, GLCM, GLSZM.
#[test]
fn own_resample_gaussian() {
    own_resampled("resample-gaussian", [1.0; 3], Interpolator::Gaussian, 5);
}

/// `sitkLabelGaussian` (σ = spacing, α = 1) to 0.8 × 0.8 × 2 mm.
#[test]
fn own_resample_label_gaussian() {
    own_resampled(
        "resample-labelgaussian",
        [0.8, 0.8, 2.0],
        Interpolator::LabelGaussian,
        5,
    );
}

/// Hamming-windowed sinc, downsampling to 2 × 2 × 3 mm.
#[test]
fn own_resample_hamming() {
    own_resampled(
        "resample-hamming",
        [2.0, 2.0, 3.0],
        Interpolator::HammingWindowedSinc,
        5,
    );
}

/// Cosine-windowed sinc, in-plane upsampling to 0.5 × 0.5 mm (z kept).
#[test]
fn own_resample_cosine() {
    own_resampled(
        "resample-cosine",
        [0.5, 0.5, 0.0],
        Interpolator::CosineWindowedSinc,
        5,
    );
}

/// Welch-windowed sinc to 1.7 × 0.45 × 1.1 mm.
#[test]
fn own_resample_welch() {
    own_resampled(
        "resample-welch",
        [1.7, 0.45, 1.1],
        Interpolator::WelchWindowedSinc,
        5,
    );
}

/// Lanczos-windowed sinc to 1 mm.
#[test]
fn own_resample_lanczos() {
    own_resampled(
        "resample-lanczos",
        [1.0; 3],
        Interpolator::LanczosWindowedSinc,
        5,
    );
}

/// Blackman-windowed sinc to 0.8 × 0.8 × 2 mm, padDistance 2.
#[test]
fn own_resample_blackman() {
    own_resampled(
        "resample-blackman",
        [0.8, 0.8, 2.0],
        Interpolator::BlackmanWindowedSinc,
        2,
    );
}
