//! `radscore extract` end to end on the PyRadiomics reference cases
//! (`tests/fixtures/reference/pyradiomics`): values must match PyRadiomics 3.0.1 to ≤ 1e-9 relative.

mod common;
use common::{close, radscore, tmpdir};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/reference/pyradiomics")
}

fn reference_all() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/reference/pyradiomics-all")
}

fn read_pairs(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("feature,value"), "{}", path.display());
    lines
        .map(|l| {
            let (a, b) = l.split_once(',').unwrap();
            (a.to_string(), b.to_string())
        })
        .collect()
}

#[test]
fn breast1_all_matches_pyradiomics_in_order() {
    let d = tmpdir("cli-extract", "all");
    let out = d.join("breast1.csv");
    let data = reference().join("data");
    let o = radscore(&[
        "extract",
        "--image",
        data.join("breast1_image.nrrd").to_str().unwrap(),
        "--mask",
        data.join("breast1_label.nrrd").to_str().unwrap(),
        "--features",
        "all",
        "--log-sigma",
        "1,3,5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ours = read_pairs(&out);
    // The full PyRadiomics extraction (params_all.yaml), LBP3D included: 14 shape + 20 image
    // types × 93 = 1 874 values, in PyRadiomics' order.
    let theirs: Vec<(String, String)> =
        read_pairs(&reference().join("../pyradiomics-all").join("breast1.csv"));
    assert_eq!(ours.len(), 14 + 20 * 93);
    assert_eq!(theirs.len(), 14 + 20 * 93);
    for ((n1, v1), (n2, v2)) in ours.iter().zip(&theirs) {
        assert_eq!(n1, n2, "feature order");
        let (a, b): (f64, f64) = (v1.parse().unwrap(), v2.parse().unwrap());
        assert!(close(a, b), "{n1}: ours {a} PyRadiomics {b}");
    }
    // ... shape comes first, and every value matches the full references.
    let all: HashMap<String, String> = read_pairs(&reference_all().join("breast1.csv"))
        .into_iter()
        .collect();
    let shape: Vec<&str> = ours.iter().take(14).map(|(n, _)| n.as_str()).collect();
    assert!(
        shape.iter().all(|n| n.starts_with("original_shape_")),
        "{shape:?}"
    );
    assert!(
        shape.windows(2).all(|w| w[0] < w[1]),
        "shape in PyRadiomics' (alphabetical) order"
    );
    for (n, v) in &ours {
        let want = all
            .get(n)
            .unwrap_or_else(|| panic!("{n} not in the full references"));
        let (a, b): (f64, f64) = (v.parse().unwrap(), want.parse().unwrap());
        assert!(close(a, b), "{n}: ours {a} PyRadiomics {b}");
    }
    std::fs::remove_dir_all(&d).unwrap();
}

fn seven_reference() -> HashMap<String, Vec<(String, f64)>> {
    let text = std::fs::read_to_string(reference().join("seven_features.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let vals = header[1..]
                .iter()
                .zip(&cells[1..])
                .map(|(h, c)| (h.clone(), c.parse().unwrap()))
                .collect();
            (cells[0].to_string(), vals)
        })
        .collect()
}

fn case_files(case: &str) -> (PathBuf, PathBuf, u32) {
    let data = reference().join("data");
    match case {
        "prostate_phantom" | "prostate_phantom_L8" => (
            data.join("prostate_phantom_subvolume.nrrd"),
            data.join("prostate_phantom_subvolume-label.nrrd"),
            if case.ends_with("L8") { 8 } else { 1 },
        ),
        c => (
            data.join(format!("{c}_image.nrrd")),
            data.join(format!("{c}_label.nrrd")),
            1,
        ),
    }
}

#[test]
fn seven_with_sequence_prefix_matches_pyradiomics() {
    let d = tmpdir("cli-extract", "seven");
    for (case, expected) in seven_reference() {
        let (img, msk, label) = case_files(&case);
        let out = d.join(format!("{case}.csv"));
        let o = radscore(&[
            "extract",
            "--image",
            img.to_str().unwrap(),
            "--mask",
            msk.to_str().unwrap(),
            "--label",
            &label.to_string(),
            "--sequence",
            "x",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(
            o.status.success(),
            "{case}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let ours = read_pairs(&out);
        assert_eq!(ours.len(), 7, "{case}");
        for ((n, v), (en, ev)) in ours.iter().zip(&expected) {
            assert_eq!(n, &format!("x_{en}"));
            let v: f64 = v.parse().unwrap();
            assert!(close(v, *ev), "{case} {n}: ours {v} PyRadiomics {ev}");
        }
    }
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn manifest_reports_failing_patient_and_continues() {
    let d = tmpdir("cli-extract", "manifest");
    let data = reference().join("data");
    let rel = |p: &str| data.join(p).to_str().unwrap().to_string();
    // p2: the mask lies on another grid (geometry mismatch); p4: missing file.
    let manifest = format!(
        "patient_id,dce_image,dce_mask,t2_image,t2_mask,t2_label\n\
         p1,{b},{bl},{s},{sl},\n\
         p2,{b},{brl},{s},{sl},\n\
         p3,{s},{sl},{p},{pl},8\n\
         p4,{b},{bl},missing.nrrd,{sl},\n",
        b = rel("breast1_image.nrrd"),
        bl = rel("breast1_label.nrrd"),
        brl = rel("brain1_label.nrrd"),
        s = rel("syn1_image.nrrd"),
        sl = rel("syn1_label.nrrd"),
        p = rel("prostate_phantom_subvolume.nrrd"),
        pl = rel("prostate_phantom_subvolume-label.nrrd"),
    );
    std::fs::write(d.join("cohort.csv"), manifest).unwrap();
    let out = d.join("features.csv");
    let args = |keep_going: bool| {
        let mut a = vec![
            "extract".to_string(),
            "--manifest".into(),
            d.join("cohort.csv").to_str().unwrap().into(),
            "--jobs".into(),
            "2".into(),
            "--out".into(),
            out.to_str().unwrap().into(),
        ];
        if keep_going {
            a.push("--keep-going".into());
        }
        a
    };
    // Without --keep-going a failure writes nothing: an earlier output stays as it was.
    std::fs::write(&out, "an earlier run's table\n").unwrap();
    let a = args(false);
    let o = radscore(&a.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "failures must give a non-zero exit");
    assert!(
        err.contains("2 of 4 patients failed") && err.contains("--keep-going"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "an earlier run's table\n"
    );
    // With it, the patients that succeeded are written and the exit status still says failure.
    let a = args(true);
    let o = radscore(&a.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "failures must give a non-zero exit");
    assert!(err.contains("2 failed"), "{err}");
    assert!(err.contains("patient p2"), "{err}");
    assert!(
        err.contains("breast1_image.nrrd") && err.contains("brain1_label.nrrd"),
        "{err}"
    );
    assert!(
        err.contains("patient p4") && err.contains("missing.nrrd"),
        "{err}"
    );
    assert!(
        !err.contains("patient p1") && !err.contains("patient p3"),
        "{err}"
    );

    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(header.len(), 1 + 3 + 3);
    assert_eq!(header[1], "dce_exponential_firstorder_Kurtosis");
    assert_eq!(header[4], "t2_wavelet-LHH_glszm_HighGrayLevelZoneEmphasis");
    let seven = seven_reference();
    let expect = [
        ("p1", "breast1", "syn1"),
        ("p3", "syn1", "prostate_phantom_L8"),
    ];
    for (row, (pid, dce_case, t2_case)) in rows.iter().zip(expect) {
        assert_eq!(row[0], pid);
        for (h, cell) in header[1..].iter().zip(&row[1..]) {
            let (seq, name) = h.split_once('_').unwrap();
            let case = if seq == "dce" { dce_case } else { t2_case };
            let ev = seven[case].iter().find(|(n, _)| n == name).unwrap().1;
            let v: f64 = cell.parse().unwrap();
            assert!(close(v, ev), "{pid} {h}: ours {v} PyRadiomics {ev}");
        }
    }
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn bad_feature_name_is_reported() {
    let d = tmpdir("cli-extract", "badname");
    let data = reference().join("data");
    let o = radscore(&[
        "extract",
        "--image",
        data.join("syn1_image.nrrd").to_str().unwrap(),
        "--mask",
        data.join("syn1_label.nrrd").to_str().unwrap(),
        "--features",
        "original_firstorder_Mean,original_glcm_Dissimilarity",
        "--out",
        d.join("x.csv").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("original_glcm_Dissimilarity"), "{err}");
    assert!(!d.join("x.csv").exists());
    std::fs::remove_dir_all(&d).unwrap();
}

/// One case on several threads (`--jobs`, image types spread over the threads) gives the same
/// bytes as one thread, and a failing image type the same error.
#[test]
fn single_case_threads_give_the_one_thread_output() {
    let d = tmpdir("cli-extract", "threads");
    let data = reference().join("data");
    let (image, mask) = (
        data.join("breast1_image.nrrd"),
        data.join("breast1_label.nrrd"),
    );
    let run = |jobs: &str, extra: &[&str], out: &Path| {
        let mut args = vec![
            "extract",
            "--image",
            image.to_str().unwrap(),
            "--mask",
            mask.to_str().unwrap(),
            "--features",
            "all",
            "--jobs",
            jobs,
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        radscore(&args)
    };
    // two LoG sigmas, so that the LoG types land on different threads
    let sigmas = ["--log-sigma", "1.0,3.0"];
    let one = d.join("one.csv");
    let o = run("1", &sigmas, &one);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let reference = std::fs::read(&one).unwrap();
    assert_eq!(
        read_pairs(&one).len(),
        14 + 19 * 93,
        "14 shape + 93 × 19 image types (LBP3D's three included)"
    );
    for jobs in ["2", "3", "16"] {
        let out = d.join(format!("jobs{jobs}.csv"));
        let o = run(jobs, &sigmas, &out);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(std::fs::read(&out).unwrap(), reference, "--jobs {jobs}");
    }
    // a LoG the image is too small for: the same error whatever the threads, no output file
    let failed: Vec<String> = ["1", "2"]
        .iter()
        .map(|jobs| {
            let out = d.join(format!("bad{jobs}.csv"));
            let o = run(jobs, &["--log-sigma", "3.0,500.0"], &out);
            assert!(!o.status.success());
            assert!(!out.exists());
            String::from_utf8_lossy(&o.stderr).into_owned()
        })
        .collect();
    // The failing image type is named (it used to say only "too small for the requested filter").
    assert!(
        failed[0].contains("image type log-sigma-500-0-mm-3D") && failed[0].contains("small"),
        "{}",
        failed[0]
    );
    assert_eq!(failed[0], failed[1]);
    std::fs::remove_dir_all(&d).unwrap();
}
