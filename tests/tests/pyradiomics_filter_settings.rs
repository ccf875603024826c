//! PyRadiomics 3.0.1 parity of the filter settings through `radscore_core::extract::extract_with`,
//! with `Settings` built by hand (no params-file reader involved): every value ≤ 1e-9 relative
//! (≤ 1e-12 absolute near zero), NaN where PyRadiomics gives NaN.
//!
//! * `tests/fixtures/reference/pyradiomics-variants/filters/`: the `filters` variant (Original, LoG
//!   σ [1.0, 2.5], Wavelet db2 start_level 0 level 2; firstorder + glcm; 756 values per case, five
//!   cases).
//! * `tests/fixtures/reference/pyradiomics-filter-options/<variant>/` (made by
//!   `tests/oracles/pyradiomics/extract_filter_options.py`): wavelet haar, db1, db4, sym4, coif2,
//!   start_level 1, level 3, and gradientUseSpacing false, on breast1 and syn2.

use radscore_core::extract::{extract_with, scratch_len_with};
use radscore_core::image::{ImageView, MaskView, MaskVoxels, Voxels};
use radscore_core::names::{FeatureName, ImageType};
use radscore_core::settings::{Settings, WaveletFamily};
use radscore_tests::nrrd::{self, Data};
use radscore_tests::{pyradiomics_reference_dir, read_reference_csv};
use std::path::{Path, PathBuf};

const REL: f64 = 1e-9;
const ABS: f64 = 1e-12;

fn close(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    let d = (a - b).abs();
    d <= ABS || d <= REL * a.abs().max(b.abs())
}

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/reference"))
}

/// Extracts every name of `csv` on `case` (image types one at a time) with `settings`; returns
/// (values compared, failures).
fn check_case(csv: &Path, case: &str, settings: &Settings) -> (usize, Vec<String>) {
    let reference = read_reference_csv(csv);
    let data = pyradiomics_reference_dir().join("data");
    let img = nrrd::read(&data.join(format!("{case}_image.nrrd")));
    let msk = nrrd::read(&data.join(format!("{case}_label.nrrd")));
    let vox = match &img.data {
        Data::I16(v) => Voxels::I16(v),
        Data::U16(v) => Voxels::U16(v),
        Data::I32(v) => Voxels::I32(v),
        Data::F32(v) => Voxels::F32(v),
        Data::F64(v) => Voxels::F64(v),
        _ => panic!("{case}: unsupported image type"),
    };
    let labels = msk.labels_u32();
    let iv = ImageView::new(vox, img.dims, img.spacing).expect("image view");
    let mv = MaskView::new(MaskVoxels::U32(&labels), img.dims, 1).expect("mask view");
    let names: Vec<FeatureName> = reference
        .iter()
        .map(|(n, _)| FeatureName::parse(n).unwrap_or_else(|e| panic!("{n}: {e}")))
        .collect();
    let mut types: Vec<ImageType> = Vec::new();
    for n in &names {
        if !types.contains(&n.image_type) {
            types.push(n.image_type);
        }
    }
    let mut failures = Vec::new();
    let mut compared = 0;
    for t in &types {
        let idx: Vec<usize> = (0..names.len())
            .filter(|&i| names[i].image_type == *t)
            .collect();
        let sub: Vec<FeatureName> = idx.iter().map(|&i| names[i]).collect();
        let need = scratch_len_with(&iv, &mv, &sub, settings).expect("scratch_len_with");
        let mut scratch = vec![f64::NAN; need];
        let mut vals = vec![f64::NAN; sub.len()];
        if let Err(e) = extract_with(&iv, &mv, &sub, settings, &mut vals, &mut scratch) {
            failures.push(format!("{case} {t}: error {e}"));
            continue;
        }
        for (k, &i) in idx.iter().enumerate() {
            let (name, want) = &reference[i];
            compared += 1;
            if !close(vals[k], *want) {
                failures.push(format!(
                    "{case} {name}: ours {:e}, PyRadiomics {want:e}",
                    vals[k]
                ));
            }
        }
    }
    (compared, failures)
}

#[test]
fn filters_variant_matches_pyradiomics() {
    let dir = fixtures().join("pyradiomics-variants/filters");
    let mut settings = Settings::with_bin_width(25.0);
    settings.wavelet = WaveletFamily::Db(2);
    settings.wavelet_start_level = 0;
    settings.wavelet_level = 2;
    let mut total = 0;
    let mut failures = Vec::new();
    let cases = ["brain1", "breast1", "brain2", "syn1", "syn2", "syn3"];
    for case in cases {
        let csv = dir.join(format!("{case}.csv"));
        let (n, f) = check_case(&csv, case, &settings);
        assert_eq!(n, 756, "{case}: values compared");
        total += n;
        failures.extend(f);
    }
    eprintln!(
        "filters variant: {}/{total} values within 1e-9 on {} cases",
        total - failures.len(),
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn filter_options_match_pyradiomics() {
    let dir = fixtures().join("pyradiomics-filter-options");
    let wavelet = |family: WaveletFamily, start: u8, level: u8| {
        let mut s = Settings::with_bin_width(25.0);
        s.wavelet = family;
        s.wavelet_start_level = start;
        s.wavelet_level = level;
        s
    };
    let mut no_spacing = Settings::with_bin_width(25.0);
    no_spacing.gradient_use_spacing = false;
    let variants = [
        ("wavelet-haar", wavelet(WaveletFamily::Haar, 0, 1), 336),
        ("wavelet-db1", wavelet(WaveletFamily::Db(1), 0, 1), 336),
        ("wavelet-db4", wavelet(WaveletFamily::Db(4), 0, 1), 336),
        ("wavelet-sym4", wavelet(WaveletFamily::Sym(4), 0, 1), 336),
        ("wavelet-coif2", wavelet(WaveletFamily::Coif(2), 0, 1), 336),
        ("wavelet-start1", wavelet(WaveletFamily::Coif(1), 1, 1), 336),
        ("wavelet-level3", wavelet(WaveletFamily::Coif(1), 0, 3), 924),
        ("gradient-nospacing", no_spacing, 42),
    ];
    let mut total = 0;
    let mut failures = Vec::new();
    for (variant, settings, per_case) in &variants {
        for case in ["breast1", "syn2"] {
            let csv = dir.join(variant).join(format!("{case}.csv"));
            let (n, f) = check_case(&csv, case, settings);
            assert_eq!(n, *per_case, "{variant} {case}: values compared");
            total += n;
            failures.extend(f.into_iter().map(|m| format!("{variant}: {m}")));
        }
    }
    eprintln!(
        "filter options: {}/{total} values within 1e-9 ({} variants × 2 cases)",
        total - failures.len(),
        variants.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The default settings are not the variant's: the same names with coif1 must NOT reproduce the
/// db2 references (the settings really reach the filter).
#[test]
fn wavelet_family_changes_the_values() {
    let dir = fixtures().join("pyradiomics-variants/filters");
    let (_, failures) = check_case(
        &dir.join("breast1.csv"),
        "breast1",
        &Settings::with_bin_width(25.0),
    );
    assert!(
        failures.iter().any(|f| f.contains("wavelet2-")),
        "coif1 reproduced db2's level-2 values"
    );
    assert!(failures.iter().all(|f| f.contains("wavelet")));
}
