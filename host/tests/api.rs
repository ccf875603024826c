//! The host extraction API against PyRadiomics' reference values: files, in-memory arrays and
//! batches give the same values; params errors and per-case failures are reported.

use radscore_host::io::{self, VolumeData};
use radscore_host::{
    extract_arrays, extract_batch, extract_files, ArrayData, ArrayImage, BatchCase, HostErrorKind,
    Params, ParamsErrorKind, Value,
};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/reference")
}

fn data(f: &str) -> PathBuf {
    fixtures().join("pyradiomics/data").join(f)
}

fn close(a: f64, b: f64) -> bool {
    let d = (a - b).abs();
    d <= 1e-12 || d <= 1e-9 * a.abs().max(b.abs())
}

/// The `default` variant's values of a case (PyRadiomics' RadiomicsFeatureExtractor() output).
fn default_reference(case: &str) -> Vec<(String, f64)> {
    let p = fixtures().join(format!("pyradiomics-variants/default/{case}.csv"));
    let mut rdr = csv::Reader::from_path(&p).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].parse().unwrap())
        })
        .collect()
}

/// The `default` variant's params file (classes in params_all.yaml's order): names, order and
/// values as PyRadiomics wrote them; diagnostics with PyRadiomics' keys.
#[test]
fn files_match_the_default_variant() {
    let params =
        Params::from_path(&fixtures().join("pyradiomics-variants/default/params.yaml")).unwrap();
    for case in ["brain1", "breast1", "brain2", "syn1", "syn2", "syn3"] {
        let r = extract_files(
            &data(&format!("{case}_image.nrrd")),
            &data(&format!("{case}_label.nrrd")),
            None,
            &params,
            2,
        )
        .unwrap();
        let want = default_reference(case);
        assert_eq!(r.features.len(), want.len(), "{case}");
        for ((n1, v1), (n2, v2)) in r.features.iter().zip(&want) {
            assert_eq!(n1, n2, "{case}");
            assert!(close(*v1, *v2), "{case} {n1}: {v1} vs {v2}");
        }
        let diag = |k: &str| {
            r.diagnostics
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        assert_eq!(diag("diagnostics_Image-original_Dimensionality"), "3D");
        assert!(diag("diagnostics_Configuration_Settings").contains("'binWidth': 25"));
        // Every diagnostics entry PyRadiomics also writes is the same text (hashes, geometry,
        // ROI size and connected volumes, settings); only its software versions are not stated.
        let p = fixtures().join(format!(
            "pyradiomics-variants/default/{case}_diagnostics.csv"
        ));
        let mut rdr = csv::Reader::from_path(&p).unwrap();
        let mut missing = Vec::new();
        for rec in rdr.records() {
            let rec = rec.unwrap();
            match r.diagnostics.iter().find(|(n, _)| n == &rec[0]) {
                Some((_, v)) => assert_eq!(v, &rec[1], "{case} {}", &rec[0]),
                None => missing.push(rec[0].to_string()),
            }
        }
        assert!(
            missing
                .iter()
                .all(|k| k.starts_with("diagnostics_Versions_")),
            "{case}: {missing:?}"
        );
    }
}

/// `RadiomicsFeatureExtractor()` without params orders the classes as `getFeatureClasses()`
/// (firstorder, glcm, gldm, glrlm, glszm, ngtdm; shape first in the output).
#[test]
fn pyradiomics_default_params_order() {
    let r = extract_files(
        &data("breast1_image.nrrd"),
        &data("breast1_label.nrrd"),
        Some(1),
        &Params::pyradiomics_default(),
        1,
    )
    .unwrap();
    let classes: Vec<&str> = r
        .features
        .iter()
        .map(|(n, _)| n.split('_').nth(1).unwrap())
        .fold(Vec::new(), |mut v, c| {
            if v.last() != Some(&c) {
                v.push(c);
            }
            v
        });
    assert_eq!(
        classes,
        [
            "shape",
            "firstorder",
            "glcm",
            "gldm",
            "glrlm",
            "glszm",
            "ngtdm"
        ]
    );
    let want = default_reference("breast1");
    for (n, v) in &r.features {
        let w = want.iter().find(|(m, _)| m == n).unwrap().1;
        assert!(close(*v, w), "{n}");
    }
}

fn arr(v: &io::Volume) -> ArrayImage<'_> {
    ArrayImage {
        data: array_data(&v.data),
        dims: v.dims,
        spacing: v.spacing,
        origin: v.origin,
        direction: v.direction,
    }
}

fn array_data(d: &VolumeData) -> ArrayData<'_> {
    match d {
        VolumeData::I8(v) => ArrayData::I8(v),
        VolumeData::U8(v) => ArrayData::U8(v),
        VolumeData::I16(v) => ArrayData::I16(v),
        VolumeData::U16(v) => ArrayData::U16(v),
        VolumeData::I32(v) => ArrayData::I32(v),
        VolumeData::U32(v) => ArrayData::U32(v),
        VolumeData::I64(v) => ArrayData::I64(v),
        VolumeData::U64(v) => ArrayData::U64(v),
        VolumeData::F32(v) => ArrayData::F32(v),
        VolumeData::F64(v) => ArrayData::F64(v),
    }
}

#[test]
fn arrays_give_the_values_of_files() {
    let mut params = Params::pyradiomics_default();
    params
        .enable_image_type(
            "LoG",
            true,
            Value::Map(vec![("sigma".into(), vec![1.0, 3.0].into())]),
        )
        .unwrap();
    params
        .enable_image_type("Exponential", true, Value::Null)
        .unwrap();
    let image = io::read_volume(&data("syn2_image.nrrd")).unwrap();
    let mask = io::read_volume(&data("syn2_label.nrrd")).unwrap();
    let files = extract_files(
        &data("syn2_image.nrrd"),
        &data("syn2_label.nrrd"),
        None,
        &params,
        2,
    )
    .unwrap();
    let arrays = extract_arrays(arr(&image), arr(&mask), None, &params, 1).unwrap();
    assert_eq!(files.features.len(), 14 + 4 * 93);
    assert_eq!(files.features, arrays.features);
    // A float64 mask (as numpy often gives) is read as labels.
    let mask_f64: Vec<f64> = mask.data.iter_f64().collect();
    let mut m = arr(&mask);
    m.data = ArrayData::F64(&mask_f64);
    let again = extract_arrays(arr(&image), m, None, &params, 1).unwrap();
    assert_eq!(files.features, again.features);
    // Geometry mismatch is PyRadiomics' checkMask error; a larger tolerance accepts it.
    let mut shifted = arr(&mask);
    shifted.origin[0] += 1e-3;
    let e = extract_arrays(arr(&image), shifted, None, &params, 1).unwrap_err();
    assert_eq!(e.kind, HostErrorKind::Geometry, "{e}");
    assert!(e.message.contains("geometryTolerance"), "{e}");
    params
        .set_setting("geometryTolerance", Value::Float(1e-2))
        .unwrap();
    let tolerant = extract_arrays(arr(&image), shifted, None, &params, 1).unwrap();
    assert_eq!(files.features, tolerant.features);
    // A buffer that does not fit its sizes.
    let mut short = arr(&image);
    short.dims[2] += 1;
    let e = extract_arrays(short, arr(&mask), None, &params, 1).unwrap_err();
    assert_eq!(e.kind, HostErrorKind::Input, "{e}");
}

#[test]
fn batch_goes_on_past_a_failing_case() {
    let params = Params::from_yaml_str(
        "imageType: {Original: {}}\nfeatureClass: {firstorder: [Mean], shape: [VoxelVolume]}\n",
        "inline",
    )
    .unwrap();
    let case = |img: &str, msk: &str, label| BatchCase {
        image: data(img),
        mask: data(msk),
        label,
        ..Default::default()
    };
    let cases = [
        case("breast1_image.nrrd", "breast1_label.nrrd", None),
        case("breast1_image.nrrd", "nonexistent_label.nrrd", None),
        case("breast1_image.nrrd", "breast1_label.nrrd", Some(7)),
        case("syn1_image.nrrd", "syn1_label.nrrd", None),
    ];
    let seen = std::sync::Mutex::new(Vec::new());
    let r = extract_batch(&cases, &params, 2, &|i, _| seen.lock().unwrap().push(i));
    assert_eq!(r.len(), 4);
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    assert_eq!(seen, [0, 1, 2, 3]);
    assert_eq!(r[0].as_ref().unwrap().features.len(), 2);
    let e = r[1].as_ref().unwrap_err();
    assert_eq!(e.kind, HostErrorKind::Read);
    assert!(e.message.contains("nonexistent_label.nrrd"), "{e}");
    let e = r[2].as_ref().unwrap_err();
    assert_eq!(e.kind, HostErrorKind::Mask, "{e}");
    assert!(e.message.contains("label 7"), "{e}");
    assert!(r[3].is_ok());
}

#[test]
fn params_parsing_and_errors() {
    // YAML and JSON twins.
    let y = Params::from_yaml_str(
        "imageType:\n  LoG: {sigma: [1.0, 2.5]}\n  Original: {}\nfeatureClass:\n  glcm: [Contrast]\nsetting:\n  binWidth: 5\n",
        "y",
    )
    .unwrap();
    let j = Params::from_json_str(
        r#"{"imageType": {"LoG": {"sigma": [1.0, 2.5]}, "Original": {}},
            "featureClass": {"glcm": ["Contrast"]}, "setting": {"binWidth": 5}}"#,
        "j",
    )
    .unwrap();
    assert_eq!(y.plan().unwrap(), j.plan().unwrap());
    assert_eq!(
        y.plan().unwrap().feature_names(),
        [
            "log-sigma-1-0-mm-3D_glcm_Contrast",
            "log-sigma-2-5-mm-3D_glcm_Contrast",
            "original_glcm_Contrast"
        ]
    );
    // Wavelet levels are named as PyRadiomics' getWaveletImage names them (the core decides
    // whether it computes them).
    let w = Params::from_yaml_str("imageType:\n  Wavelet: {}\n", "w").unwrap();
    let names = w.plan().unwrap().types[0].derived.clone();
    assert_eq!(names.len(), 8);
    assert_eq!(names[0], "wavelet-LLH");
    assert_eq!(names[7], "wavelet-LLL");
    // Errors.
    let e = Params::from_yaml_str("setting: {binCount: 0}", "f.yaml").unwrap_err();
    assert_eq!(e.kind, ParamsErrorKind::Invalid);
    assert!(
        e.to_string().contains("f.yaml") && e.to_string().contains("binCount"),
        "{e}"
    );
    let e = Params::from_yaml_str("setting: {resegmentMode: median}", "f").unwrap_err();
    assert!(e.to_string().contains("absolute, relative, sigma"), "{e}");
    let e = Params::from_yaml_str("setting: {wavelet: db99}", "f").unwrap_err();
    assert!(e.to_string().contains("db99"), "{e}");
    let e = Params::from_yaml_str("featureClass:", "f").unwrap_err();
    assert!(e.to_string().contains("featureClass"), "{e}");
    let mut p = Params::pyradiomics_default();
    let e = p.set_setting("binWidht", Value::Int(5)).unwrap_err();
    assert!(e.to_string().contains("binWidth"), "{e}");
    p.set_setting("gldm_a", Value::Int(1)).unwrap();
    p.plan().unwrap();
    // Every interpolator PyRadiomics accepts is implemented; one it refuses is invalid.
    Params::from_yaml_str(
        "setting:\n  resampledPixelSpacing: [1, 1, 1]\n  interpolator: sitkGaussian\n",
        "f",
    )
    .unwrap()
    .plan()
    .unwrap();
    let e = Params::from_yaml_str(
        "setting:\n  resampledPixelSpacing: [1, 1, 1]\n  interpolator: sitkBSpline3\n",
        "f",
    )
    .and_then(|p| p.plan())
    .unwrap_err();
    assert_eq!(e.kind, ParamsErrorKind::Invalid);
    assert!(e.to_string().contains("sitkBSpline3"), "{e}");
    // Numbers are SimpleITK's: 4 is sitkGaussian; 3 is none since SimpleITK 2.2 (PyRadiomics fails).
    let plan = |i: i64| {
        Params::from_yaml_str(
            &format!("setting:\n  resampledPixelSpacing: [1, 1, 1]\n  interpolator: {i}\n"),
            "f",
        )
        .and_then(|p| p.plan())
    };
    plan(4).unwrap();
    let e = plan(3).unwrap_err();
    assert!(
        e.to_string().contains("interpolator 3") && e.to_string().contains("sitkBSpline"),
        "{e}"
    );
    let e = Params::from_yaml_str("imageType: {LBP2D: {}}", "f")
        .unwrap()
        .plan()
        .unwrap_err();
    assert!(e.to_string().contains("LBP2D is not implemented"), "{e}");
    // LBP3D with PyRadiomics' defaults (written out or not) gives its three image types; any
    // other value of its settings is refused, naming the setting.
    for yaml in [
        "imageType: {LBP3D: {}}",
        "imageType: {LBP3D: {lbp3DLevels: 2, lbp3DIcosphereRadius: 1.0}}\nsetting: {lbp3DIcosphereSubdivision: 1}",
    ] {
        let plan = Params::from_yaml_str(yaml, "f").unwrap().plan().unwrap();
        assert_eq!(plan.types.len(), 1);
        assert_eq!(plan.types[0].derived, ["lbp-3D-m1", "lbp-3D-m2", "lbp-3D-k"]);
    }
    for (yaml, key) in [
        ("imageType: {LBP3D: {lbp3DLevels: 3}}", "lbp3DLevels 3"),
        (
            "imageType: {LBP3D: {lbp3DIcosphereRadius: 1.5}}",
            "lbp3DIcosphereRadius 1.5",
        ),
        (
            "imageType: {LBP3D: {}}\nsetting: {lbp3DIcosphereSubdivision: 0}",
            "lbp3DIcosphereSubdivision 0",
        ),
    ] {
        let e = Params::from_yaml_str(yaml, "f")
            .unwrap()
            .plan()
            .unwrap_err();
        assert_eq!(e.kind, ParamsErrorKind::Unsupported);
        assert!(
            e.to_string()
                .contains(&format!("LBP3D with {key} is not implemented")),
            "{e}"
        );
    }
    // Explicit deprecated features are refused, with the reason.
    let e = Params::from_yaml_str("featureClass: {glcm: [SumVariance]}", "f")
        .unwrap()
        .plan()
        .unwrap_err();
    assert!(e.to_string().contains("deprecated"), "{e}");
}

/// `correctMask`: a mask on another grid (here: cropped around the ROI, its origin moved with
/// it) is resampled onto the image grid and gives the values of the original mask; without it
/// the geometry check refuses the pair, naming what differs.
#[test]
fn correct_mask_resamples_a_cropped_mask() {
    let image = io::read_volume(&data("syn2_image.nrrd")).unwrap();
    let mask = io::read_volume(&data("syn2_label.nrrd")).unwrap();
    let labels: Vec<u8> = mask.data.iter_f64().map(|v| v as u8).collect();
    let d = mask.dims;
    let (mut lo, mut hi) = ([usize::MAX; 3], [0usize; 3]);
    for z in 0..d[2] {
        for y in 0..d[1] {
            for x in 0..d[0] {
                if labels[x + d[0] * (y + d[1] * z)] != 0 {
                    for (a, p) in [x, y, z].into_iter().enumerate() {
                        lo[a] = lo[a].min(p);
                        hi[a] = hi[a].max(p);
                    }
                }
            }
        }
    }
    let lo = lo.map(|v| v.saturating_sub(1));
    let hi = [0, 1, 2].map(|a| (hi[a] + 1).min(d[a] - 1));
    let cd = [0, 1, 2].map(|a| hi[a] - lo[a] + 1);
    let mut cropped = Vec::new();
    for z in lo[2]..=hi[2] {
        for y in lo[1]..=hi[1] {
            for x in lo[0]..=hi[0] {
                cropped.push(labels[x + d[0] * (y + d[1] * z)]);
            }
        }
    }
    let mut origin = mask.origin;
    for (a, o) in origin.iter_mut().enumerate() {
        for (j, &l) in lo.iter().enumerate() {
            *o += mask.direction[j][a] * mask.spacing[j] * l as f64;
        }
    }
    let small = ArrayImage {
        data: ArrayData::U8(&cropped),
        dims: cd,
        spacing: mask.spacing,
        origin,
        direction: mask.direction,
    };
    let mut params = Params::pyradiomics_default();
    let e = extract_arrays(arr(&image), small, None, &params, 1).unwrap_err();
    assert_eq!(e.kind, HostErrorKind::Geometry, "{e}");
    assert!(
        e.message.contains("sizes") && e.message.contains("correctMask"),
        "{e}"
    );
    params
        .set_setting("correctMask", Value::Bool(true))
        .unwrap();
    let corrected = extract_arrays(arr(&image), small, None, &params, 1).unwrap();
    let direct = extract_arrays(arr(&image), arr(&mask), None, &params, 1).unwrap();
    assert_eq!(corrected.features, direct.features);
    // A ROI outside the image's physical extent is refused.
    let mut far = small;
    far.origin[0] += 1000.0;
    let e = extract_arrays(arr(&image), far, None, &params, 1).unwrap_err();
    assert!(e.message.contains("larger than image space"), "{e}");
}

/// With one thread the LoG sigmas are filtered together (groups of up to four on one reading of
/// the image); with two each sigma is its own unit. Both give the same names, bits and
/// warnings: with five sigmas (a group of four and one alone), and after resampling, where one
/// sigma is too large for the resampled image and PyRadiomics skips it (its group then falls
/// back to one sigma at a time).
#[test]
fn log_sigmas_together_or_apart_give_the_same_bits() {
    let plain = "imageType: {LoG: {sigma: [1.0, 2.0, 3.0, 4.0, 5.0]}}\n\
                 featureClass: {firstorder: [Mean, Entropy], glcm: [Contrast]}\n";
    let resampled = "imageType: {LoG: {sigma: [1.0, 2.0, 20.0, 3.0, 4.0, 5.0]}}\n\
                     featureClass: {firstorder: [Mean], glrlm: [RunEntropy]}\n\
                     setting: {resampledPixelSpacing: [1, 1, 1]}\n";
    for (text, skipped, n) in [
        (plain, None, 5 * 3),
        (resampled, Some("log-sigma-20-0-mm-3D"), 5 * 2),
    ] {
        let params = Params::from_yaml_str(text, "inline").unwrap();
        let run = |threads| {
            extract_files(
                &data("syn1_image.nrrd"),
                &data("syn1_label.nrrd"),
                None,
                &params,
                threads,
            )
            .unwrap()
        };
        let (one, two) = (run(1), run(2));
        assert_eq!(one.features.len(), n);
        assert_eq!(one.features.len(), two.features.len());
        for ((n1, v1), (n2, v2)) in one.features.iter().zip(&two.features) {
            assert_eq!(n1, n2);
            assert_eq!(v1.to_bits(), v2.to_bits(), "{n1}: {v1} vs {v2}");
        }
        assert_eq!(one.warnings, two.warnings);
        match skipped {
            Some(t) => {
                assert!(
                    one.warnings.iter().any(|w| w.contains(t)),
                    "{:?}",
                    one.warnings
                );
                assert!(!one.features.iter().any(|(n, _)| n.contains(t)));
            }
            None => assert!(one.warnings.is_empty(), "{:?}", one.warnings),
        }
    }
}
