//! NIfTI-1/2 `vox_offset` (issue 21, item 2): the data start where the header says, in a single
//! file and in a `.hdr`/`.img` pair, and invalid offsets (negative, NaN, huge, inside the header,
//! past the file) are refused naming the field. Files are built here byte by byte.

use radscore_cli::io::{self, VolumeData};
use std::path::{Path, PathBuf};

const DIMS: [usize; 3] = [4, 3, 2];

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("radscore-io-nifti-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn voxels() -> Vec<i16> {
    (0..24).map(|i| (i * 37 % 101) as i16 - 40).collect()
}

/// A little-endian NIfTI-1 header (348 bytes + the 4-byte extension flag, all zero) for a
/// 4×3×2 int16 image with 0.5×0.6×2.0 mm voxels.
fn nifti1_header(vox_offset: f32, magic: &[u8; 4]) -> Vec<u8> {
    let mut h = vec![0u8; 352];
    h[0..4].copy_from_slice(&348i32.to_le_bytes());
    let dim: [i16; 8] = [
        3,
        DIMS[0] as i16,
        DIMS[1] as i16,
        DIMS[2] as i16,
        1,
        1,
        1,
        1,
    ];
    for (k, d) in dim.iter().enumerate() {
        h[40 + 2 * k..42 + 2 * k].copy_from_slice(&d.to_le_bytes());
    }
    h[70..72].copy_from_slice(&4i16.to_le_bytes()); // datatype: int16
    h[72..74].copy_from_slice(&16i16.to_le_bytes()); // bitpix
    let pixdim: [f32; 8] = [1.0, 0.5, 0.6, 2.0, 0.0, 0.0, 0.0, 0.0];
    for (k, p) in pixdim.iter().enumerate() {
        h[76 + 4 * k..80 + 4 * k].copy_from_slice(&p.to_le_bytes());
    }
    h[108..112].copy_from_slice(&vox_offset.to_le_bytes());
    h[344..348].copy_from_slice(magic);
    h
}

fn data_bytes() -> Vec<u8> {
    voxels().iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A single-file NIfTI-1 with the data at `offset` (zero padding before it).
fn write_single(path: &Path, vox_offset: f32, data_at: usize) {
    let mut b = nifti1_header(vox_offset, b"n+1\0");
    b.resize(data_at, 0);
    b.extend(data_bytes());
    std::fs::write(path, b).unwrap();
}

fn read_i16(path: &Path) -> Vec<i16> {
    let v = io::read_volume(path).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
    assert_eq!(v.dims, DIMS);
    assert_eq!(v.spacing, [0.5, 0.6000000238418579, 2.0]);
    match v.data {
        VolumeData::I16(x) => x,
        _ => panic!("not int16"),
    }
}

#[test]
fn data_are_read_at_vox_offset() {
    let d = tmpdir("offset");
    let want = voxels();
    for off in [352usize, 368, 2048] {
        let p = d.join(format!("at{off}.nii"));
        write_single(&p, off as f32, off);
        assert_eq!(read_i16(&p), want, "data at byte {off}");
    }
    // A header/image pair: the data at vox_offset of the .img file.
    std::fs::write(d.join("pair.hdr"), nifti1_header(16.0, b"ni1\0")).unwrap();
    let mut img = vec![0xAAu8; 16];
    img.extend(data_bytes());
    std::fs::write(d.join("pair.img"), img).unwrap();
    assert_eq!(read_i16(&d.join("pair.hdr")), want);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn invalid_vox_offsets_are_refused() {
    let d = tmpdir("invalid");
    for (tag, off) in [
        ("negative", -100.0f32),
        ("nan", f32::NAN),
        ("huge", 1e30),
        ("inside-header", 10.0),
        ("fraction", 352.5),
        ("past-the-end", 4096.0),
    ] {
        let p = d.join(format!("{tag}.nii"));
        write_single(&p, off, 352);
        let e = match io::read_volume(&p) {
            Ok(_) => panic!("{tag}: vox_offset {off} accepted"),
            Err(e) => format!("{e:#}"),
        };
        assert!(
            e.contains("vox_offset") && e.contains(&format!("{tag}.nii")),
            "{tag}: {e}"
        );
    }
    // Sizes that need more data than the file has are an error, not a panic or an allocation.
    let mut b = nifti1_header(352.0, b"n+1\0");
    for k in 1..=3 {
        b[40 + 2 * k..42 + 2 * k].copy_from_slice(&32767i16.to_le_bytes());
    }
    b.extend(data_bytes());
    let p = d.join("sizes.nii");
    std::fs::write(&p, b).unwrap();
    let e = format!("{:#}", io::read_volume(&p).expect_err("accepted"));
    assert!(e.contains("voxel data"), "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}
