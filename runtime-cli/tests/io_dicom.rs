//! DICOM series, DCE phases and DICOM-SEG on synthetic data written by pydicom/highdicom
//! (tests/fixtures/imaging/synthetic_dicom/make_fixtures.sh): geometry, voxel type and voxel
//! statistics must equal SimpleITK's reading of the same series (expected_dicom.json), SEG masks
//! must equal the generator's masks, the broken series must fail with clear errors, and
//! `radscore extract` on series + SEG must equal PyRadiomics on the SimpleITK-converted data.

use radscore_cli::io::{self, ReadOptions, Volume};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/imaging/synthetic_dicom")
}

fn expected() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(dir().join("expected_dicom.json")).unwrap();
    match serde_json::from_str(&text).unwrap() {
        Value::Object(m) => m,
        _ => panic!("expected_dicom.json: not an object"),
    }
}

fn opts_of(e: &Value) -> ReadOptions {
    let o = e.get("options");
    let get = |k: &str| o.and_then(|o| o.get(k));
    ReadOptions {
        dce_phase: get("dce_phase").map(|v| v.as_u64().unwrap() as usize),
        segment_label: get("segment_label").map(|v| v.as_str().unwrap().to_string()),
        segment_number: get("segment_number").map(|v| v.as_u64().unwrap() as u32),
        volume: None,
    }
}

fn arr(e: &Value, k: &str) -> Vec<f64> {
    e[k].as_array()
        .unwrap_or_else(|| panic!("no {k}"))
        .iter()
        .flat_map(|x| match x.as_array() {
            Some(a) => a.iter().map(|y| y.as_f64().unwrap()).collect(),
            None => vec![x.as_f64().unwrap()],
        })
        .collect()
}

fn check_image(name: &str, v: &Volume, e: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    let dims: Vec<usize> = arr(e, "dims").iter().map(|&x| x as usize).collect();
    if v.dims.to_vec() != dims {
        errs.push(format!("{name}: dims {:?}, SimpleITK {dims:?}", v.dims));
        return errs;
    }
    let close = |a: &[f64], b: &[f64], t: f64| a.iter().zip(b).all(|(x, y)| (x - y).abs() <= t);
    if !close(&v.spacing, &arr(e, "spacing"), 1e-9) {
        errs.push(format!(
            "{name}: spacing {:?}, SimpleITK {:?}",
            v.spacing,
            arr(e, "spacing")
        ));
    }
    if !close(&v.origin, &arr(e, "origin"), 1e-6) {
        errs.push(format!(
            "{name}: origin {:?}, SimpleITK {:?}",
            v.origin,
            arr(e, "origin")
        ));
    }
    let dir: Vec<f64> = v.direction.iter().flatten().copied().collect();
    if !close(&dir, &arr(e, "direction"), 1e-6) {
        errs.push(format!(
            "{name}: direction {dir:?}, SimpleITK {:?}",
            arr(e, "direction")
        ));
    }
    let want_type = match e["dtype"].as_str().unwrap() {
        "float64" => "double",
        "float32" => "float",
        t => t,
    };
    if v.data.type_name() != want_type {
        errs.push(format!(
            "{name}: voxel type {}, SimpleITK {want_type}",
            v.data.type_name()
        ));
    }
    let (mut sum, mut w, mut min, mut max) = (0.0, 0.0, f64::INFINITY, f64::NEG_INFINITY);
    for (i, x) in v.data.iter_f64().enumerate() {
        sum += x;
        w += x * i as f64;
        min = min.min(x);
        max = max.max(x);
    }
    for (what, ours) in [("sum", sum), ("weighted", w), ("min", min), ("max", max)] {
        let theirs = e[what].as_f64().unwrap();
        if (ours - theirs).abs() > 1e-12 * theirs.abs().max(1.0) {
            errs.push(format!("{name}: {what} {ours}, SimpleITK {theirs}"));
        }
    }
    errs
}

#[test]
fn series_and_dce_phases_match_simpleitk() {
    let mut errs = Vec::new();
    let mut n = 0;
    for (name, e) in expected() {
        if e.get("dims").is_none() {
            continue;
        }
        n += 1;
        let path = dir().join(e["path"].as_str().unwrap());
        match io::read_volume_with(&path, &opts_of(&e)) {
            Ok(v) => errs.extend(check_image(&name, &v, &e)),
            Err(err) => errs.push(format!("{name}: {err:#}")),
        }
    }
    assert!(errs.is_empty(), "{}", errs.join("\n"));
    assert_eq!(n, 8);
}

#[test]
fn seg_masks_match_the_generator() {
    let exp = expected();
    let mut n = 0;
    for (name, e) in &exp {
        if e.get("nonzero").is_none() {
            continue;
        }
        n += 1;
        let opts = opts_of(e);
        let image = io::read_volume(&dir().join(e["options"]["image"].as_str().unwrap())).unwrap();
        let seg = dir().join(e["path"].as_str().unwrap());
        let m = io::read_mask_with(&seg, &opts, &image).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        image
            .check_same_geometry(&m, Path::new("image"), &seg)
            .unwrap();
        let label = opts.segment_number.unwrap_or(1) as f64;
        let (mut count, mut w) = (0u64, 0.0);
        for (i, x) in m.data.iter_f64().enumerate() {
            assert!(x == 0.0 || x == label, "{name}: voxel {i} = {x}");
            if x != 0.0 {
                count += 1;
                w += i as f64;
            }
        }
        assert_eq!(count, e["nonzero"].as_u64().unwrap(), "{name}: ROI voxels");
        assert_eq!(
            w,
            e["weighted"].as_f64().unwrap(),
            "{name}: ROI voxel positions"
        );
    }
    assert_eq!(n, 3);
}

#[test]
fn seg_on_its_own_grid_holds_the_same_voxels() {
    // Read without an image: the SEG's frames stacked along the normal. Same ROI size.
    let m = io::read_volume(&dir().join("ct_shuffled_seg.dcm")).unwrap();
    let on_grid = {
        let image = io::read_volume(&dir().join("ct_shuffled")).unwrap();
        io::read_mask_with(
            &dir().join("ct_shuffled_seg.dcm"),
            &ReadOptions::default(),
            &image,
        )
        .unwrap()
    };
    let count = |v: &Volume| v.data.iter_f64().filter(|&x| x != 0.0).count();
    assert_eq!(count(&m), count(&on_grid));
    assert!(m.dims[2] <= on_grid.dims[2]);
}

#[test]
fn unknown_segment_is_an_error_listing_the_segments() {
    let image = io::read_volume(&dir().join("ct_shuffled")).unwrap();
    let seg = dir().join("ct_shuffled_seg.dcm");
    for opts in [
        ReadOptions {
            segment_label: Some("liver".into()),
            ..Default::default()
        },
        ReadOptions {
            segment_number: Some(3),
            ..Default::default()
        },
    ] {
        let msg = format!("{:#}", io::read_mask_with(&seg, &opts, &image).unwrap_err());
        assert!(
            msg.contains("\"lesion\"") && msg.contains("\"rim\""),
            "{msg}"
        );
    }
}

#[test]
fn seg_on_the_wrong_phase_grid_still_maps_and_other_series_fail() {
    // The DCE phases share one grid, so the SEG maps onto any phase...
    let p0 = io::read_volume_with(
        &dir().join("mr_dce"),
        &ReadOptions {
            dce_phase: Some(0),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        io::read_mask_with(&dir().join("mr_dce_seg.dcm"), &ReadOptions::default(), &p0).is_ok()
    );
    // ...but not onto another series: the error names the SEG file.
    let ct = io::read_volume(&dir().join("ct_shuffled")).unwrap();
    let msg = format!(
        "{:#}",
        io::read_mask_with(&dir().join("mr_dce_seg.dcm"), &ReadOptions::default(), &ct)
            .unwrap_err()
    );
    assert!(msg.contains("mr_dce_seg.dcm"), "{msg}");
}

#[test]
fn phase_out_of_range_is_an_error() {
    let msg = format!(
        "{:#}",
        io::read_volume_with(
            &dir().join("mr_dce"),
            &ReadOptions {
                dce_phase: Some(3),
                ..Default::default()
            }
        )
        .unwrap_err()
    );
    assert!(msg.contains("3 phase"), "{msg}");
}

#[test]
fn broken_series_fail_with_clear_errors() {
    for (folder, words) in [
        ("tilted", &["tilt"][..]),
        (
            "missing_slice",
            &["missing slices", "m02.dcm", "m04.dcm"][..],
        ),
        ("mixed_sizes", &["mixed image sizes", "x03.dcm"][..]),
    ] {
        let msg = format!("{:#}", io::read_volume(&dir().join(folder)).unwrap_err());
        for w in words {
            assert!(msg.contains(w), "{folder}: {w:?} not in {msg}");
        }
    }
}

fn read_csv(path: &Path) -> BTreeMap<String, f64> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let (k, v) = l.split_once(',').unwrap();
            (k.to_string(), v.parse::<f64>().unwrap())
        })
        .collect()
}

fn extract_matches_pyradiomics(case: &str, image: &str, seg: &str, extra: &[&str]) {
    let out = std::env::temp_dir().join(format!(
        "radscore-io-dicom-{case}-{}.csv",
        std::process::id()
    ));
    let st = Command::new(env!("CARGO_BIN_EXE_radscore"))
        .args(["extract", "--features", "all", "--image"])
        .arg(dir().join(image))
        .arg("--mask")
        .arg(dir().join(seg))
        .args(extra)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let ours = read_csv(&out);
    let _ = std::fs::remove_file(&out);
    let theirs = read_csv(&dir().join(format!("pyradiomics_{case}.csv")));
    assert_eq!(theirs.len(), 600);
    let mut bad = Vec::new();
    for (k, b) in &theirs {
        let a = *ours
            .get(k)
            .unwrap_or_else(|| panic!("{case}: {k} not computed"));
        let ok =
            (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * b.abs() || (a - b).abs() <= 1e-12;
        if !ok {
            bad.push(format!("{k}: radscore {a}, PyRadiomics {b}"));
        }
    }
    assert!(
        bad.is_empty(),
        "{case}: {} of 600 differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn extract_on_series_and_binary_seg_matches_pyradiomics() {
    extract_matches_pyradiomics("ct_lesion", "ct_shuffled", "ct_shuffled_seg.dcm", &[]);
}

#[test]
fn extract_on_second_segment_by_label_matches_pyradiomics() {
    extract_matches_pyradiomics(
        "ct_rim",
        "ct_shuffled",
        "ct_shuffled_seg.dcm",
        &["--segment", "rim"],
    );
}

#[test]
fn extract_on_default_dce_phase_and_fractional_seg_matches_pyradiomics() {
    extract_matches_pyradiomics("dce_phase1", "mr_dce", "mr_dce_seg.dcm", &[]);
}

/// The committed fuzz seed `name`: reading it as an image fails within 5 s (no large allocation)
/// with a message holding every one of `words`, and so does reading a folder holding it as a
/// series member (the message then names that member); the intact RLE seed still reads.
fn hostile_seed_is_refused(name: &str, words: &[&str]) {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/dicom");
    let bad = seeds.join(name);
    let started = std::time::Instant::now();
    let msg = format!("{:#}", io::read_volume(&bad).unwrap_err());
    for w in std::iter::once(&name).chain(words) {
        assert!(msg.contains(w), "{w:?} not in {msg}");
    }
    let folder = std::env::temp_dir().join(format!(
        "radscore-hostile-series-{}-{}",
        name.replace('.', "-"),
        std::process::id()
    ));
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(&bad, folder.join("a.dcm")).unwrap();
    let msg = format!("{:#}", io::read_volume(&folder).unwrap_err());
    let _ = std::fs::remove_dir_all(&folder);
    assert!(msg.contains("a.dcm") && msg.contains(words[0]), "{msg}");
    io::read_volume(&seeds.join("MR_small_RLE.dcm")).expect("the intact seed reads");
    assert!(
        started.elapsed().as_secs() < 5,
        "took {:?}",
        started.elapsed()
    );
}

/// Issue 21: a 7.8 KB file whose Pixel Data element claims 4 GB (`fuzz/seeds/dicom/
/// oom-pixel-data-length.dcm`, the RLE seed with that one length changed) made dicom-object
/// allocate and zero 4.2 GB for 27 s before failing. The pre-scan refuses it at once, naming the
/// file and the element, as image, as series member and as mask.
#[test]
fn an_element_longer_than_the_file_is_refused_before_parsing() {
    hostile_seed_is_refused(
        "oom-pixel-data-length.dcm",
        &["(7FE0,0010)", "claims 4294967280 bytes"],
    );
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/dicom");
    let bad = seeds.join("oom-pixel-data-length.dcm");
    assert!(!io::dicom::is_seg(&bad));
    let grid = io::read_volume(&seeds.join("MR_small_RLE.dcm")).expect("the intact seed reads");
    let msg = format!(
        "{:#}",
        io::read_mask_with(&bad, &ReadOptions::default(), &grid).unwrap_err()
    );
    assert!(msg.contains("(7FE0,0010)"), "{msg}");
}

/// Found by the 10-minute fuzzing run of 2026-12-05: an RLE Lossless file of 7.8 KB whose RLE
/// header claims 0x20000000+ segments made dicom-transfer-syntax-registry allocate 2.2 GB for the
/// segment offsets. The header is checked first (at most 15 segments, PS3.5 G.5).
#[test]
fn an_rle_header_with_too_many_segments_is_refused_before_decoding() {
    hostile_seed_is_refused(
        "oom-rle-segment-count.dcm",
        &["RLE fragment 1", "at most 15 segments"],
    );
}

/// Found by the second 10-minute fuzzing run of 2026-12-05: a 9.4 KB SEG whose data set holds
/// items (FFFE,E000) outside any sequence. dicom-parser reads such an item as an ordinary element
/// and skips its 452 bytes; the pre-scan used to descend into it, came out one byte off, and
/// accepted the file, on which dicom-parser then read (6200,0B00) with a 4 GB length and filled
/// 4 GB with zeros. The pre-scan now keeps dicom-parser's sequence state and refuses the file at
/// the element dicom-parser would read.
#[test]
fn an_item_outside_a_sequence_is_walked_as_dicom_parser_reads_it() {
    hostile_seed_is_refused("oom-top-level-item.dcm", &["(6200,0B00) at byte 1864"]);
}

/// Issue 21, found by fuzzing after the pre-scan above: a 15.6 KB explicit VR big endian file
/// (`fuzz/seeds/dicom/oom-unknown-vr-after-pixel-data.dcm`) whose Pixel Data is followed by an
/// element (5C01,4901) with the bytes `52 01` where its VR should be. The pre-scan stopped
/// quietly there; dicom-object reads an unknown VR as UN (2 reserved bytes, then a 4-byte
/// length) and asked for 0x84011F01 = 2 214 665 985 bytes. The pre-scan now refuses a file it
/// cannot follow, naming the element and its offset, before dicom-object sees it.
#[test]
fn an_element_without_a_valid_vr_is_refused_before_parsing() {
    let bad = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/seeds/dicom/oom-unknown-vr-after-pixel-data.dcm");
    let started = std::time::Instant::now();
    let expected = [
        "oom-unknown-vr-after-pixel-data.dcm",
        "(5C01,4901)",
        "at byte 9708",
        "no valid value representation (bytes 52 01",
    ];
    let msg = format!("{:#}", io::dicom::check_lengths(&bad).unwrap_err());
    for w in expected {
        assert!(msg.contains(w), "{w:?} not in {msg}");
    }
    let msg = format!("{:#}", io::read_volume(&bad).unwrap_err());
    for w in expected {
        assert!(msg.contains(w), "{w:?} not in {msg}");
    }
    assert!(!io::dicom::is_seg(&bad));
    assert!(
        started.elapsed().as_secs() < 5,
        "took {:?}",
        started.elapsed()
    );
}

/// Issue 21, found by the 10-minute dicom run of 2026-12-05 after the fix above: a 16 KB
/// DICOM-SEG (`fuzz/seeds/dicom/oom-fd-length-not-multiple-of-8.dcm`) whose Patient ID
/// (0010,0020) at byte 3548 has the VR FD and a length of 6. dicom-parser reads 6 / 8 = 0 whole
/// values, then takes those 6 bytes for the next element's header and reserves 0x41440030 =
/// 1 094 975 536 bytes (12 s and 1.4 GB under the fuzzer). The pre-scan had skipped the 6 bytes
/// and accepted the file; it now refuses a binary value whose length is not a multiple of its
/// value size.
#[test]
fn a_binary_value_of_a_partial_length_is_refused_before_parsing() {
    let bad = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/seeds/dicom/oom-fd-length-not-multiple-of-8.dcm");
    let started = std::time::Instant::now();
    let expected = [
        "oom-fd-length-not-multiple-of-8.dcm",
        "(0010,0020) at byte 3548",
        "VR FD and a length of 6 bytes, not a multiple of 8",
    ];
    let msg = format!("{:#}", io::dicom::check_lengths(&bad).unwrap_err());
    for w in expected {
        assert!(msg.contains(w), "{w:?} not in {msg}");
    }
    assert!(!io::dicom::is_seg(&bad));
    let grid = Volume {
        dims: [4, 4, 2],
        spacing: [1.0; 3],
        origin: [0.0; 3],
        direction: io::IDENTITY,
        data: io::VolumeData::I16(vec![0; 32]),
    };
    for msg in [
        format!("{:#}", io::read_volume(&bad).unwrap_err()),
        format!(
            "{:#}",
            io::read_mask_with(&bad, &ReadOptions::default(), &grid).unwrap_err()
        ),
    ] {
        for w in expected {
            assert!(msg.contains(w), "{w:?} not in {msg}");
        }
    }
    assert!(
        started.elapsed().as_secs() < 5,
        "took {:?}",
        started.elapsed()
    );
}
