//! `radscore extract --param` end to end: PyRadiomics params files on the reference cases
//! (values ≤ 1e-9 relative, names and order as PyRadiomics writes them) and the params errors.

mod common;
use common::{close, radscore, tmpdir};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/reference")
}

fn data() -> PathBuf {
    fixtures().join("pyradiomics/data")
}

/// `feature,value` rows (a `key,value` header is accepted too), `diagnostics_*` rows left out.
fn read_values(path: &Path) -> Vec<(String, f64)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    rdr.records()
        .map(|r| r.unwrap())
        .filter(|r| !r[0].starts_with("diagnostics_"))
        .map(|r| {
            let v: f64 = r[1]
                .parse()
                .unwrap_or_else(|_| panic!("{}: {:?}", path.display(), r));
            (r[0].to_string(), v)
        })
        .collect()
}

/// Compares names (in order) and values; returns the number of values matched.
fn compare(what: &str, ours: &[(String, f64)], theirs: &[(String, f64)]) -> usize {
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{what}: {} values, PyRadiomics has {}",
        ours.len(),
        theirs.len()
    );
    let mut bad = Vec::new();
    for ((n1, v1), (n2, v2)) in ours.iter().zip(theirs) {
        assert_eq!(n1, n2, "{what}: feature order");
        if !close(*v1, *v2) {
            bad.push(format!("{n1}: radscore {v1:e}, PyRadiomics {v2:e}"));
        }
    }
    assert!(
        bad.is_empty(),
        "{what}: {} values differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
    ours.len()
}

/// Runs `--param` on one case and returns (success, stderr, output path).
fn run_param(
    params: &Path,
    image: &Path,
    mask: &Path,
    label: Option<u32>,
    out: &Path,
) -> (bool, String) {
    let mut args = vec![
        "extract".to_string(),
        "--image".into(),
        image.display().to_string(),
        "--mask".into(),
        mask.display().to_string(),
        "--param".into(),
        params.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    if let Some(l) = label {
        args.push("--label".into());
        args.push(l.to_string());
    }
    let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    let o = radscore(&a);
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// `params_all.yaml` (the full references' params file) with its LBP3D line removed.
fn params_all_without_lbp3d(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/oracles/pyradiomics/params_all.yaml"),
    )
    .unwrap();
    assert!(
        text.contains("  LBP3D: {}"),
        "params_all.yaml enables LBP3D"
    );
    let kept: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("LBP3D:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let p = dir.join("params_all_no_lbp3d.yaml");
    std::fs::write(&p, kept).unwrap();
    p
}

/// Every full-reference case through `--param params_all.yaml` without LBP3D: the 1 595 values
/// of PyRadiomics' full extraction, in its order.
#[test]
fn full_reference_cases_through_params_file() {
    let d = tmpdir("cli-params", "all");
    let params = params_all_without_lbp3d(&d);
    let cases: [(&str, &str, &str, Option<u32>); 8] = [
        ("brain1", "brain1_image.nrrd", "brain1_label.nrrd", None),
        ("breast1", "breast1_image.nrrd", "breast1_label.nrrd", None),
        ("brain2", "brain2_image.nrrd", "brain2_label.nrrd", None),
        (
            "prostate_phantom",
            "prostate_phantom_subvolume.nrrd",
            "prostate_phantom_subvolume-label.nrrd",
            None,
        ),
        (
            "prostate_phantom_L8",
            "prostate_phantom_subvolume.nrrd",
            "prostate_phantom_subvolume-label.nrrd",
            Some(8),
        ),
        ("syn1", "syn1_image.nrrd", "syn1_label.nrrd", None),
        ("syn2", "syn2_image.nrrd", "syn2_label.nrrd", None),
        ("syn3", "syn3_image.nrrd", "syn3_label.nrrd", None),
    ];
    let mut matched = 0;
    for (case, image, mask, label) in cases {
        let out = d.join(format!("{case}.csv"));
        let (ok, err) = run_param(
            &params,
            &data().join(image),
            &data().join(mask),
            label,
            &out,
        );
        assert!(ok, "{case}: {err}");
        let theirs: Vec<(String, f64)> =
            read_values(&fixtures().join(format!("pyradiomics-all/{case}.csv")))
                .into_iter()
                .filter(|(n, _)| !n.starts_with("lbp-3D"))
                .collect();
        assert_eq!(theirs.len(), 1595, "{case}");
        matched += compare(case, &read_values(&out), &theirs);
    }
    assert_eq!(matched, 8 * 1595);
}

/// `params_all.yaml` as PyRadiomics ran it, LBP3D included, on two cases: all 1 874 values in
/// PyRadiomics' order (the core's parity test covers all eight cases).
#[test]
fn full_params_file_with_lbp3d() {
    let d = tmpdir("cli-params", "lbp3d");
    let params =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/oracles/pyradiomics/params_all.yaml");
    let mut matched = 0;
    for (case, image, mask) in [
        ("breast1", "breast1_image.nrrd", "breast1_label.nrrd"),
        ("syn3", "syn3_image.nrrd", "syn3_label.nrrd"),
    ] {
        let out = d.join(format!("{case}.csv"));
        let (ok, err) = run_param(&params, &data().join(image), &data().join(mask), None, &out);
        assert!(ok, "{case}: {err}");
        let theirs = read_values(&fixtures().join(format!("pyradiomics-all/{case}.csv")));
        assert_eq!(theirs.len(), 1874, "{case}");
        matched += compare(case, &read_values(&out), &theirs);
    }
    assert_eq!(matched, 2 * 1874);
}

/// Variants whose settings radscore implements (`pyradiomics-variants/implemented.txt`, shared
/// with the Python tests): every value must match, or the case must fail where PyRadiomics
/// failed (`<case>.error.txt`).
fn implemented_variants(root: &Path) -> Vec<String> {
    std::fs::read_to_string(root.join("implemented.txt"))
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

/// Every variant folder of `tests/fixtures/reference/pyradiomics-variants/` through `--param`.
/// Variants not listed in [`implemented_variants`] are run and reported, not required.
#[test]
fn variants() {
    let root = fixtures().join("pyradiomics-variants");
    let d = tmpdir("cli-params", "variants");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("params.yaml").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    let implemented = implemented_variants(&root);
    assert!(!implemented.is_empty());
    for name in &implemented {
        assert!(
            dirs.iter().any(|p| p.ends_with(name)),
            "variant {name} listed but not in {}",
            root.display()
        );
    }
    let mut failures = Vec::new();
    for dir in dirs {
        let variant = dir.file_name().unwrap().to_string_lossy().into_owned();
        let required = implemented.contains(&variant);
        let mut rdr = csv::Reader::from_path(dir.join("cases.csv")).unwrap();
        let mut n_values = 0;
        let mut n_cases = 0;
        for rec in rdr.records() {
            let rec = rec.unwrap();
            let (case, image, mask) = (&rec[0], root.join(&rec[1]), root.join(&rec[2]));
            let label: u32 = rec[3].parse().unwrap();
            let out = d.join(format!("{variant}-{case}.csv"));
            let (ok, err) = run_param(&dir.join("params.yaml"), &image, &mask, Some(label), &out);
            let error_file = dir.join(format!("{case}.error.txt"));
            let outcome = if error_file.exists() {
                if ok {
                    Err(format!(
                        "{variant}/{case}: PyRadiomics failed ({}) but radscore succeeded",
                        std::fs::read_to_string(&error_file).unwrap().trim()
                    ))
                } else if err.trim().is_empty() {
                    Err(format!("{variant}/{case}: failed without a message"))
                } else {
                    Ok(0)
                }
            } else if !ok {
                Err(format!("{variant}/{case}: {}", err.trim()))
            } else {
                let theirs = read_values(&dir.join(format!("{case}.csv")));
                let ours = read_values(&out);
                std::panic::catch_unwind(|| compare(&format!("{variant}/{case}"), &ours, &theirs))
                    .map_err(|e| {
                        e.downcast_ref::<String>()
                            .cloned()
                            .unwrap_or_else(|| format!("{variant}/{case}: mismatch"))
                    })
            };
            match outcome {
                Ok(n) => {
                    n_values += n;
                    n_cases += 1;
                }
                Err(e) if required => failures.push(e),
                Err(e) => {
                    println!("variant {variant} (not required yet): {e}");
                    break;
                }
            }
        }
        println!("variant {variant}: {n_cases} cases, {n_values} values matched");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs `--param` with a params text on breast1; returns stderr (the run must fail).
fn param_error(dir: &Path, name: &str, text: &str) -> String {
    let p = write(dir, name, text);
    let (ok, err) = run_param(
        &p,
        &data().join("breast1_image.nrrd"),
        &data().join("breast1_label.nrrd"),
        None,
        &dir.join("out.csv"),
    );
    assert!(!ok, "{name} was accepted");
    assert!(
        !dir.join("out.csv").exists(),
        "{name}: an output was written"
    );
    err
}

#[test]
fn params_errors_name_the_key_and_what_was_expected() {
    let d = tmpdir("cli-params", "errors");
    // An unknown setting lists the known ones.
    let e = param_error(&d, "unknown.yaml", "setting:\n  binWidht: 5\n");
    assert!(
        e.contains("binWidht") && e.contains("binWidth, binCount"),
        "{e}"
    );
    assert!(e.contains("unknown.yaml"), "{e}");
    // An unknown top-level key lists the four sections.
    let e = param_error(&d, "top.yaml", "settings:\n  binWidth: 5\n");
    assert!(
        e.contains("settings") && e.contains("featureClass, imageType"),
        "{e}"
    );
    // Wrong types name the key.
    let e = param_error(
        &d,
        "type.yaml",
        "setting:\n  voxelArrayShift: 2.5\n  force2D: 3\n",
    );
    assert!(
        e.contains("voxelArrayShift") && e.contains("expected an int"),
        "{e}"
    );
    assert!(
        e.contains("force2D") && e.contains("expected a bool"),
        "{e}"
    );
    // Out of range.
    let e = param_error(&d, "range.yaml", "setting:\n  binWidth: 0\n");
    assert!(e.contains("binWidth") && e.contains("> 0"), "{e}");
    // Unknown image type, feature class and feature.
    let e = param_error(&d, "imtype.yaml", "imageType:\n  Fourier: {}\n");
    assert!(
        e.contains("Fourier") && e.contains("LoG") && e.contains("Wavelet"),
        "{e}"
    );
    let e = param_error(&d, "class.yaml", "featureClass:\n  glcmm: []\n");
    assert!(e.contains("glcmm") && e.contains("ngtdm"), "{e}");
    let e = param_error(&d, "feature.yaml", "featureClass:\n  glcm: [Contrastt]\n");
    assert!(
        e.contains("Contrastt") && e.contains("Autocorrelation"),
        "{e}"
    );
    // An interpolator PyRadiomics does not accept (SimpleITK has it, PyRadiomics' schema not)
    // is named with its value.
    let e = param_error(
        &d,
        "bspline3.yaml",
        "setting:\n  resampledPixelSpacing: [1, 1, 1]\n  interpolator: sitkBSpline3\n",
    );
    assert!(e.contains("sitkBSpline3") && e.contains("not valid"), "{e}");
    // LBP2D is refused clearly, and LBP3D with a setting other than PyRadiomics' default.
    let e = param_error(&d, "lbp.yaml", "imageType:\n  Original: {}\n  LBP2D: {}\n");
    assert!(e.contains("LBP2D is not implemented by radscore"), "{e}");
    let e = param_error(
        &d,
        "lbp3d.yaml",
        "imageType:\n  LBP3D: {lbp3DIcosphereSubdivision: 2}\n",
    );
    assert!(
        e.contains("LBP3D with lbp3DIcosphereSubdivision 2 is not implemented by radscore"),
        "{e}"
    );
    // A setting PyRadiomics reads from `setting:` only is refused under an image type.
    let e = param_error(
        &d,
        "pertype.yaml",
        "imageType:\n  LoG: {sigma: [1.0], normalize: true}\n",
    );
    assert!(e.contains("normalize") && e.contains("setting:"), "{e}");
    // Not YAML.
    let e = param_error(&d, "syntax.yaml", "setting: [\n");
    assert!(e.contains("not valid YAML"), "{e}");
}

#[test]
fn param_conflicts_with_features() {
    let d = tmpdir("cli-params", "conflict");
    let p = write(&d, "p.yaml", "imageType:\n  Original: {}\n");
    let image = data().join("breast1_image.nrrd");
    let mask = data().join("breast1_label.nrrd");
    let o = radscore(&[
        "extract",
        "--image",
        image.to_str().unwrap(),
        "--mask",
        mask.to_str().unwrap(),
        "--param",
        p.to_str().unwrap(),
        "--features",
        "all",
        "--out",
        d.join("o.csv").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("--param") && e.contains("--features"), "{e}");
}

/// A JSON params file is read like its YAML twin; explicit feature lists keep their order;
/// per-image-type settings apply to that type only; `--diagnostics` writes PyRadiomics' keys.
#[test]
fn json_params_feature_lists_and_diagnostics() {
    let d = tmpdir("cli-params", "json");
    let json = write(
        &d,
        "p.json",
        r#"{"imageType": {"LoG": {"sigma": [3.0]}, "Original": {"binWidth": 10}},
            "featureClass": {"glszm": ["ZoneEntropy", "SmallAreaEmphasis"], "firstorder": null},
            "setting": {"binWidth": 25, "label": 1}}"#,
    );
    let out = d.join("o.csv");
    let image = data().join("breast1_image.nrrd");
    let mask = data().join("breast1_label.nrrd");
    let o = radscore(&[
        "extract",
        "--image",
        image.to_str().unwrap(),
        "--mask",
        mask.to_str().unwrap(),
        "--param",
        json.to_str().unwrap(),
        "--diagnostics",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("diagnostics_Mask-original_VoxelNum,143"),
        "{text}"
    );
    let ours = read_values(&out);
    let names: Vec<&str> = ours.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), 2 * (2 + 18));
    assert_eq!(names[0], "log-sigma-3-0-mm-3D_glszm_ZoneEntropy");
    assert_eq!(names[1], "log-sigma-3-0-mm-3D_glszm_SmallAreaEmphasis");
    assert_eq!(names[2], "log-sigma-3-0-mm-3D_firstorder_10Percentile");
    assert_eq!(names[20], "original_glszm_ZoneEntropy");
    // LoG with the global binWidth 25 equals the full reference; original with binWidth 10
    // differs from it in the binned features only.
    let all = read_values(&fixtures().join("pyradiomics-all/breast1.csv"));
    let reference = |n: &str| all.iter().find(|(m, _)| m == n).map(|(_, v)| *v).unwrap();
    for (n, v) in &ours[..20] {
        assert!(close(*v, reference(n)), "{n}");
    }
    let get = |n: &str| ours.iter().find(|(m, _)| m == n).map(|(_, v)| *v).unwrap();
    assert!(close(
        get("original_firstorder_Mean"),
        reference("original_firstorder_Mean")
    ));
    assert!(!close(
        get("original_firstorder_Entropy"),
        reference("original_firstorder_Entropy")
    ));
}

/// `--manifest --param`: one row per patient, `<seq>_<feature>` columns in PyRadiomics' order;
/// a failing patient does not stop the others (`--keep-going`).
#[test]
fn manifest_with_params_file() {
    let d = tmpdir("cli-params", "manifest");
    let p = write(
        &d,
        "p.yaml",
        "imageType:\n  Original: {}\n  Exponential: {}\nfeatureClass:\n  shape: [VoxelVolume]\n  firstorder: [Mean, Kurtosis]\n",
    );
    let rel = |f: &str| data().join(f).display().to_string();
    let manifest = write(
        &d,
        "m.csv",
        &format!(
            "patient_id,t2_image,t2_mask\nA,{},{}\nB,{},missing_label.nrrd\nC,{},{}\n",
            rel("breast1_image.nrrd"),
            rel("breast1_label.nrrd"),
            rel("syn1_image.nrrd"),
            rel("syn3_image.nrrd"),
            rel("syn3_label.nrrd"),
        ),
    );
    let out = d.join("features.csv");
    let o = radscore(&[
        "extract",
        "--manifest",
        manifest.to_str().unwrap(),
        "--param",
        p.to_str().unwrap(),
        "--keep-going",
        "--jobs",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success(), "patient B must fail");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("patient B") && err.contains("missing_label.nrrd"),
        "{err}"
    );
    let mut rdr = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "patient_id",
            "t2_original_shape_VoxelVolume",
            "t2_original_firstorder_Mean",
            "t2_original_firstorder_Kurtosis",
            "t2_exponential_firstorder_Mean",
            "t2_exponential_firstorder_Kurtosis",
        ]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    for (row, case) in rows.iter().zip(["breast1", "syn3"]) {
        let all = read_values(&fixtures().join(format!("pyradiomics-all/{case}.csv")));
        for (i, h) in header.iter().enumerate().skip(1) {
            let name = h.strip_prefix("t2_").unwrap();
            let want = all.iter().find(|(n, _)| n == name).unwrap().1;
            assert!(close(row[i].parse().unwrap(), want), "{case} {name}");
        }
    }
}
