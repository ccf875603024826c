//! NRRD reader: the PyRadiomics reference images read identically to SimpleITK (the reader
//! PyRadiomics uses; expected statistics in tests/fixtures/imaging/reference_nrrd_sitk.json,
//! made by tests/fixtures/imaging/sitk_stats.py), and the writer round-trips.

use radscore_cli::io::{self, Volume, VolumeData};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn reference_data() -> PathBuf {
    workspace().join("tests/fixtures/reference/pyradiomics/data")
}

/// Compares a volume with statistics computed by SimpleITK / pynrrd / nibabel / pydicom.
pub fn check_stats(name: &str, v: &Volume, e: &Value) {
    let arr = |k: &str| -> Vec<f64> {
        e[k].as_array()
            .unwrap_or_else(|| panic!("{name}: no {k}"))
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let dims: Vec<usize> = arr("dims").iter().map(|&x| x as usize).collect();
    assert_eq!(v.dims.to_vec(), dims, "{name}: dims");
    for (a, b) in v.spacing.iter().zip(arr("spacing")) {
        assert!(
            (a - b).abs() <= 1e-12 * b.abs(),
            "{name}: spacing {:?} vs {b}",
            v.spacing
        );
    }
    if e.get("origin").is_some() {
        for (a, b) in v.origin.iter().zip(arr("origin")) {
            assert!(
                (a - b).abs() <= 1e-9,
                "{name}: origin {:?} vs {b}",
                v.origin
            );
        }
    }
    if let Some(d) = e.get("direction").and_then(|d| d.as_array()) {
        for (k, row) in d.iter().enumerate() {
            for (j, x) in row.as_array().unwrap().iter().enumerate() {
                let x = x.as_f64().unwrap();
                assert!(
                    (v.direction[k][j] - x).abs() <= 1e-9,
                    "{name}: direction {:?} vs {d:?}",
                    v.direction
                );
            }
        }
    }
    if let Some(t) = e.get("dtype").and_then(|t| t.as_str()) {
        let ours = match &v.data {
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
        };
        assert_eq!(ours, t, "{name}: voxel type");
    }
    assert_eq!(
        v.data.len(),
        e["count"].as_u64().unwrap() as usize,
        "{name}: count"
    );
    let (mut sum, mut min, mut max, mut w) = (0.0f64, f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
    for (i, x) in v.data.iter_f64().enumerate() {
        sum += x;
        w += x * i as f64;
        min = min.min(x);
        max = max.max(x);
    }
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(
        close(sum, e["sum"].as_f64().unwrap()),
        "{name}: sum {sum} vs {}",
        e["sum"]
    );
    assert_eq!(min, e["min"].as_f64().unwrap(), "{name}: min");
    assert_eq!(max, e["max"].as_f64().unwrap(), "{name}: max");
    if let Some(ew) = e.get("weighted").and_then(|x| x.as_f64()) {
        assert!(close(w, ew), "{name}: index-weighted sum {w} vs {ew}");
    }
}

#[test]
fn reference_nrrd_files_match_simpleitk() {
    let exp: Value = serde_json::from_str(
        &std::fs::read_to_string(
            workspace().join("tests/fixtures/imaging/reference_nrrd_sitk.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let obj = exp.as_object().unwrap();
    assert_eq!(obj.len(), 12);
    for (name, e) in obj {
        let path = reference_data().join(format!("{name}.nrrd"));
        let v = io::read_volume(&path).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        check_stats(name, &v, e);
    }
}

#[test]
fn write_then_read_round_trips_every_type() {
    let dir = std::env::temp_dir().join(format!("radscore-io-nrrd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = io::read_volume(&reference_data().join("breast1_image.nrrd")).unwrap();
    let vals: Vec<f64> = base.data.iter_f64().collect();
    let datas = vec![
        VolumeData::I8(vals.iter().map(|&x| (x as i64 % 100) as i8).collect()),
        VolumeData::U8(vals.iter().map(|&x| (x as i64 % 200) as u8).collect()),
        VolumeData::I16(vals.iter().map(|&x| x as i16 - 300).collect()),
        VolumeData::U16(vals.iter().map(|&x| x as u16).collect()),
        VolumeData::I32(vals.iter().map(|&x| x as i32 * -70000).collect()),
        VolumeData::U32(vals.iter().map(|&x| x as u32 * 70000).collect()),
        VolumeData::I64(vals.iter().map(|&x| x as i64 * -(1 << 40)).collect()),
        VolumeData::U64(vals.iter().map(|&x| x as u64 * (1 << 40)).collect()),
        VolumeData::F32(vals.iter().map(|&x| x as f32 / 7.0).collect()),
        VolumeData::F64(vals.iter().map(|&x| x / 7.0 + 1e-300).collect()),
    ];
    for data in datas {
        let v = Volume {
            dims: base.dims,
            spacing: [0.1 + 0.2, 1.0 / 3.0, 2.1],
            origin: [-116.54304, 1e-7, 9.450_000_000_000_03],
            direction: [[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
            data,
        };
        let p = dir.join(format!("rt_{}.nrrd", v.data.type_name()));
        io::nrrd::write(&p, &v).unwrap();
        let back = io::read_volume(&p).unwrap();
        assert_eq!(back.dims, v.dims);
        assert_eq!(back.data, v.data, "{}", v.data.type_name());
        for a in 0..3 {
            assert!((back.spacing[a] - v.spacing[a]).abs() <= 1e-15 * v.spacing[a]);
            assert_eq!(back.origin[a], v.origin[a]);
        }
        assert_eq!(back.direction, v.direction);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn streamed_mask_box_equals_cropping_the_whole_mask() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/imaging/pynrrd");
    let mut n = 0;
    for name in [
        "BallBinary30x30x30.nrrd",
        "BallBinary30x30x30_gz.nrrd",
        "BallBinary30x30x30_bz2.nrrd",
        "BallBinary30x30x30.nhdr",
        "BallBinary30x30x30_gz_lineskip.nrrd",
        "BallBinary30x30x30_byteskip_minus_one.nhdr",
    ] {
        let p = dir.join(name);
        let whole = radscore_cli::io::MaskBox::from_mask(radscore_cli::io::nrrd::read(&p).unwrap())
            .unwrap();
        let streamed = radscore_cli::io::nrrd::read_mask(&p).unwrap();
        assert_eq!(streamed, whole, "{name}");
        assert!(whole.data.iter_f64().any(|v| v != 0.0), "{name}");
        n += 1;
    }
    assert_eq!(n, 6);
}

/// Writes a raw little-endian NRRD of `dims` with `bytes` as its data.
fn write_raw_nrrd(path: &Path, ty: &str, dims: [usize; 3], bytes: &[u8]) {
    let header = format!(
        "NRRD0004\ntype: {ty}\ndimension: 3\nsizes: {} {} {}\nendian: little\nencoding: raw\n\n",
        dims[0], dims[1], dims[2]
    );
    let mut out = header.into_bytes();
    out.extend_from_slice(bytes);
    std::fs::write(path, out).unwrap();
}

#[test]
fn streamed_mask_box_of_sparse_multi_label_masks() {
    let dir = std::env::temp_dir().join(format!("radscore-maskbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dims = [23, 17, 9];
    // Scattered labels (one above u8), empty slices and rows between them, spans touching every
    // face of the grid.
    let mut seed = 12345u64;
    let mut labels = vec![0i32; dims[0] * dims[1] * dims[2]];
    for (i, l) in labels.iter_mut().enumerate() {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let z = i / (dims[0] * dims[1]);
        if z != 3 && z != 4 && (seed >> 59) == 0 {
            *l = [1, 2, 7, 300][((seed >> 40) % 4) as usize];
        }
    }
    labels[0] = 1;
    let last = labels.len() - 1;
    labels[last] = 2;
    let p = dir.join("sparse.nrrd");
    let bytes: Vec<u8> = labels.iter().flat_map(|v| v.to_le_bytes()).collect();
    write_raw_nrrd(&p, "int32", dims, &bytes);
    let whole =
        radscore_cli::io::MaskBox::from_mask(radscore_cli::io::nrrd::read(&p).unwrap()).unwrap();
    let streamed = radscore_cli::io::nrrd::read_mask(&p).unwrap();
    assert_eq!(streamed, whole);
    assert!(matches!(streamed.data, VolumeData::U16(_)));

    // Only a few voxels in the middle: the box is their bounding box.
    let mut few = vec![0i32; labels.len()];
    for (x, y, z) in [(5, 6, 2), (9, 4, 2), (7, 11, 6)] {
        few[x + dims[0] * (y + dims[1] * z)] = 4;
    }
    let bytes: Vec<u8> = few.iter().flat_map(|v| v.to_le_bytes()).collect();
    write_raw_nrrd(&p, "int32", dims, &bytes);
    let streamed = radscore_cli::io::nrrd::read_mask(&p).unwrap();
    assert_eq!((streamed.lo, streamed.size), ([5, 4, 2], [5, 8, 5]));
    let whole =
        radscore_cli::io::MaskBox::from_mask(radscore_cli::io::nrrd::read(&p).unwrap()).unwrap();
    assert_eq!(streamed, whole);
    assert!(matches!(streamed.data, VolumeData::U8(_)));

    // A label above u16: the box is kept as u32.
    few[7 + dims[0] * (11 + dims[1] * 6)] = 70000;
    let bytes: Vec<u8> = few.iter().flat_map(|v| v.to_le_bytes()).collect();
    write_raw_nrrd(&p, "int32", dims, &bytes);
    let streamed = radscore_cli::io::nrrd::read_mask(&p).unwrap();
    let whole =
        radscore_cli::io::MaskBox::from_mask(radscore_cli::io::nrrd::read(&p).unwrap()).unwrap();
    assert_eq!(streamed, whole);
    assert!(matches!(streamed.data, VolumeData::U32(_)));

    // A value that is not a whole number is an error naming the voxel.
    let mut bad = vec![0f32; labels.len()];
    bad[40] = 1.0;
    bad[41] = 2.5;
    let bytes: Vec<u8> = bad.iter().flat_map(|v| v.to_le_bytes()).collect();
    write_raw_nrrd(&p, "float", dims, &bytes);
    let msg = format!("{:#}", radscore_cli::io::nrrd::read_mask(&p).unwrap_err());
    assert!(msg.contains("mask voxel 41 has value 2.5"), "{msg}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Hostile headers (issue 21, items 3 and 4): each is refused quickly with a message naming the
/// cause, before anything of the claimed size is allocated or any file name list is built.
#[test]
fn hostile_headers_are_refused_before_allocating() {
    let dir = std::env::temp_dir().join(format!("radscore-nrrd-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let gz = {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(&[0u8; 64]).unwrap();
        e.finish().unwrap()
    };
    let cases: Vec<(&str, String, Vec<u8>, &str)> = vec![
        (
            "range-count",
            "sizes: 2 2 2\nencoding: raw\ndata file: s%03d.raw 0 999999999 1\n".into(),
            vec![],
            "names 1000000000 files",
        ),
        (
            "range-wrap",
            "sizes: 2 2 2\nencoding: raw\ndata file: s%d.raw 9223372036854775806 9223372036854775807 1\n"
                .into(),
            vec![],
            "s9223372036854775806.raw",
        ),
        (
            "range-huge-step",
            "sizes: 2 2 3\nencoding: raw\ndata file: s%d.raw -9223372036854775808 9223372036854775807 9223372036854775807\n"
                .into(),
            vec![],
            "s-9223372036854775808.raw",
        ),
        (
            "too-many-voxels",
            "sizes: 4000 4000 1000\nencoding: raw\n\n".into(),
            vec![0u8; 16],
            "RADSCORE_MAX_VOXELS",
        ),
        (
            "overflow",
            "sizes: 100000 100000 100000 100000 100000\nencoding: raw\n\n".into(),
            vec![],
            "overflow",
        ),
        (
            "dev-zero",
            "sizes: 100 100 100\nencoding: raw\ndata file: /dev/zero\n".into(),
            vec![],
            "not a regular file",
        ),
        (
            "short-raw",
            "sizes: 1000 1000 1000\nencoding: raw\n\n".into(),
            vec![0u8; 100],
            "the file has",
        ),
        (
            "gzip-bomb-claim",
            "sizes: 1000 1000 1000\nencoding: gzip\n\n".into(),
            gz,
            "gzip data can hold",
        ),
    ];
    for (name, fields, data, expect) in cases {
        let p = dir.join(format!("{name}.nrrd"));
        let mut bytes = format!(
            "NRRD0004\ntype: int16\ndimension: {}\nendian: little\n{fields}",
            {
                fields
                    .lines()
                    .find_map(|l| l.strip_prefix("sizes: "))
                    .map_or(3, |s| s.split_whitespace().count())
            }
        )
        .into_bytes();
        if !fields.contains("data file") && !fields.ends_with("\n\n") {
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(&data);
        std::fs::write(&p, bytes).unwrap();
        let t0 = std::time::Instant::now();
        let e = match radscore_cli::io::nrrd::read(&p) {
            Ok(_) => panic!("{name}: accepted"),
            Err(e) => format!("{e:#}"),
        };
        assert!(e.contains(expect), "{name}: {e}");
        // A generous bound: the refusals take microseconds, the defects took minutes or aborted.
        assert!(
            t0.elapsed().as_secs() < 10,
            "{name} took {:?}",
            t0.elapsed()
        );
        if !name.starts_with("range") && name != "dev-zero" {
            let e = format!("{:#}", radscore_cli::io::nrrd::read_mask(&p).err().unwrap());
            assert!(e.contains(expect), "{name} (mask): {e}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `RADSCORE_MAX_VOXELS` lowers (or raises) the voxel limit.
#[test]
fn voxel_limit_is_overridable() {
    let data = reference_data();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_radscore"))
        .env("RADSCORE_MAX_VOXELS", "1000")
        .args(["extract", "--image"])
        .arg(data.join("breast1_image.nrrd"))
        .arg("--mask")
        .arg(data.join("breast1_label.nrrd"))
        .args(["--features", "seven", "--out", "-"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("breast1")
            && err.contains("limit of 1000")
            && err.contains("RADSCORE_MAX_VOXELS"),
        "{err}"
    );
}
