//! NIfTI-1 (header parsed by the `nifti` crate, data read here at `vox_offset`: `.nii`, `.nii.gz`, `.hdr`/`.img` pairs, either endianness)
//! and NIfTI-2 (parsed here: the `nifti` crate reads only NIfTI-1).
//!
//! Reads as SimpleITK does, so that features match PyRadiomics on SimpleITK-read images:
//! * spacing = |pixdim[1..=3]|;
//! * orientation and origin from the sform when `sform_code > 0`, else from the qform when
//!   `qform_code > 0`, else identity at 0 (nibabel's choice; converted from RAS to LPS);
//! * `scl_slope`/`scl_inter` applied when the slope is finite and non-zero and the pair is not
//!   the identity: voxels become `f32(raw·slope + inter)` computed in f64 (what SimpleITK returns,
//!   bit for bit), or f64 for double data. nibabel applies the same formula in f64.
//! * 4-D files: `ReadOptions::volume` selects the volume; a 4-D file with several volumes and no
//!   selection is an error.

use super::{ReadOptions, Volume, VolumeData, IDENTITY};
use anyhow::{anyhow, bail, Context};
use std::io::Read;
use std::path::Path;

/// The header fields that matter, in f64/i64 for both NIfTI versions.
struct Hdr {
    dim: [i64; 8],
    datatype: i16,
    pixdim: [f64; 8],
    scl_slope: f64,
    scl_inter: f64,
    qform_code: i32,
    sform_code: i32,
    quatern: [f64; 3],
    qoffset: [f64; 3],
    srow: [[f64; 4]; 3],
    little: bool,
}

fn gunzip_if(path: &Path, bytes: Vec<u8>) -> anyhow::Result<Vec<u8>> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .with_context(|| format!("{}: gzip data cannot be decompressed", path.display()))?;
        Ok(out)
    } else {
        Ok(bytes)
    }
}

/// Reads the first four bytes (after gunzip) to tell NIfTI-1 (348) from NIfTI-2 (540).
fn header_size(path: &Path) -> anyhow::Result<(i32, bool)> {
    let f = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut head = [0u8; 4];
    let mut r: Box<dyn Read> = Box::new(std::io::BufReader::new(f));
    let mut magic = [0u8; 2];
    r.read_exact(&mut magic)
        .with_context(|| format!("{}: file too short for a NIfTI header", path.display()))?;
    let chained = std::io::Cursor::new(magic.to_vec()).chain(r);
    let mut r: Box<dyn Read> = if magic == [0x1f, 0x8b] {
        Box::new(flate2::read::MultiGzDecoder::new(chained))
    } else {
        Box::new(chained)
    };
    r.read_exact(&mut head)
        .with_context(|| format!("{}: file too short for a NIfTI header", path.display()))?;
    let le = i32::from_le_bytes(head);
    let be = i32::from_be_bytes(head);
    match (le, be) {
        (348, _) | (540, _) => Ok((le, true)),
        (_, 348) | (_, 540) => Ok((be, false)),
        _ => bail!(
            "{}: not a NIfTI file (sizeof_hdr is {le}, expected 348 or 540)",
            path.display()
        ),
    }
}

/// Reads a NIfTI-1 or NIfTI-2 file.
pub fn read(path: &Path, opts: &ReadOptions) -> anyhow::Result<Volume> {
    let (size, _) = header_size(path)?;
    let (h, raw) = if size == 540 {
        read_nifti2(path)?
    } else {
        read_nifti1(path)?
    };
    to_volume(path, &h, &raw, opts)
}

/// The voxel data of a NIfTI file: from byte `vox_offset` of the single file (`n+1`, `n+2`) or
/// of the `.img` file of a `.hdr`/`.img` pair (`ni1`, `ni2`). `vox_offset` must be a whole number,
/// at least the header's end (352 / 544 bytes) in a single file, and within the file.
fn voxel_data(
    path: &Path,
    bytes: Vec<u8>,
    pair: bool,
    vox_offset: f64,
    min: usize,
) -> anyhow::Result<Vec<u8>> {
    let p = path.display();
    let min = if pair { 0 } else { min };
    if !(vox_offset.is_finite() && vox_offset.fract() == 0.0 && vox_offset >= min as f64) {
        bail!("{p}: vox_offset {vox_offset} is invalid: expected a whole number of bytes >= {min}");
    }
    let mut data = if pair { read_img(path)? } else { bytes };
    if vox_offset > data.len() as f64 {
        bail!(
            "{p}: vox_offset {vox_offset} is beyond the end of the {}data ({} bytes)",
            if pair { ".img file's " } else { "file's " },
            data.len()
        );
    }
    data.drain(..vox_offset as usize);
    Ok(data)
}

/// The `.img` (or `.img.gz`) file beside a `.hdr` (or `.hdr.gz`) header, decompressed.
fn read_img(hdr: &Path) -> anyhow::Result<Vec<u8>> {
    let name = hdr.to_string_lossy();
    let stem = name
        .strip_suffix(".gz")
        .unwrap_or(&name)
        .strip_suffix(".hdr")
        .ok_or_else(|| anyhow!("{name}: a header-only NIfTI file must be named .hdr or .hdr.gz"))?;
    let candidates = [format!("{stem}.img"), format!("{stem}.img.gz")];
    let img = candidates
        .iter()
        .map(Path::new)
        .find(|p| p.exists())
        .ok_or_else(|| anyhow!("{name}: its image file {} is missing", candidates[0]))?;
    gunzip_if(
        img,
        std::fs::read(img).with_context(|| format!("cannot read {}", img.display()))?,
    )
}

fn read_nifti1(path: &Path) -> anyhow::Result<(Hdr, Vec<u8>)> {
    let bytes = gunzip_if(
        path,
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
    )?;
    // The `nifti` crate parses the header only: its reader takes the data right after the
    // extensions and so ignores a vox_offset beyond them (a file whose data starts at byte 2048
    // with no extensions was read from byte 352).
    let h = nifti::NiftiHeader::from_reader(bytes.as_slice())
        .map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let mut dim = [0i64; 8];
    for (d, s) in dim.iter_mut().zip(h.dim.iter()) {
        *d = i64::from(*s);
    }
    let f = |x: f32| f64::from(x);
    let hdr = Hdr {
        dim,
        datatype: h.datatype,
        pixdim: h.pixdim.map(f),
        scl_slope: f(h.scl_slope),
        scl_inter: f(h.scl_inter),
        qform_code: i32::from(h.qform_code),
        sform_code: i32::from(h.sform_code),
        quatern: [f(h.quatern_b), f(h.quatern_c), f(h.quatern_d)],
        qoffset: [f(h.quatern_x), f(h.quatern_y), f(h.quatern_z)],
        srow: [h.srow_x.map(f), h.srow_y.map(f), h.srow_z.map(f)],
        little: h.endianness == nifti::Endianness::Little,
    };
    let pair = &h.magic == b"ni1\0";
    let raw = voxel_data(path, bytes, pair, f(h.vox_offset), 352)?;
    Ok((hdr, raw))
}

fn read_nifti2(path: &Path) -> anyhow::Result<(Hdr, Vec<u8>)> {
    let bytes = gunzip_if(
        path,
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
    )?;
    if bytes.len() < 540 {
        bail!(
            "{}: NIfTI-2 header needs 540 bytes, found {}",
            path.display(),
            bytes.len()
        );
    }
    let little = i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) == 540;
    let b8 = |o: usize| -> [u8; 8] {
        let mut a = [0u8; 8];
        a.copy_from_slice(&bytes[o..o + 8]);
        a
    };
    let i16_at = |o: usize| {
        let a = [bytes[o], bytes[o + 1]];
        if little {
            i16::from_le_bytes(a)
        } else {
            i16::from_be_bytes(a)
        }
    };
    let i32_at = |o: usize| {
        let a = [bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]];
        if little {
            i32::from_le_bytes(a)
        } else {
            i32::from_be_bytes(a)
        }
    };
    let i64_at = |o: usize| {
        if little {
            i64::from_le_bytes(b8(o))
        } else {
            i64::from_be_bytes(b8(o))
        }
    };
    let f64_at = |o: usize| {
        if little {
            f64::from_le_bytes(b8(o))
        } else {
            f64::from_be_bytes(b8(o))
        }
    };
    if &bytes[4..8] != b"n+2\0" && &bytes[4..8] != b"ni2\0" {
        bail!(
            "{}: NIfTI-2 magic is {:?}, expected \"n+2\" or \"ni2\"",
            path.display(),
            &bytes[4..8]
        );
    }
    let mut dim = [0i64; 8];
    let mut pixdim = [0f64; 8];
    for k in 0..8 {
        dim[k] = i64_at(16 + 8 * k);
        pixdim[k] = f64_at(104 + 8 * k);
    }
    let mut srow = [[0f64; 4]; 3];
    for (r, row) in srow.iter_mut().enumerate() {
        for (c, x) in row.iter_mut().enumerate() {
            *x = f64_at(400 + 32 * r + 8 * c);
        }
    }
    let hdr = Hdr {
        dim,
        datatype: i16_at(12),
        pixdim,
        scl_slope: f64_at(176),
        scl_inter: f64_at(184),
        qform_code: i32_at(344),
        sform_code: i32_at(348),
        quatern: [f64_at(352), f64_at(360), f64_at(368)],
        qoffset: [f64_at(376), f64_at(384), f64_at(392)],
        srow,
        little,
    };
    let pair = &bytes[4..8] == b"ni2\0";
    let vox_offset = i64_at(168) as f64;
    let raw = voxel_data(path, bytes, pair, vox_offset, 544)?;
    Ok((hdr, raw))
}

fn to_volume(path: &Path, h: &Hdr, raw: &[u8], opts: &ReadOptions) -> anyhow::Result<Volume> {
    let p = path.display();
    let ndim = h.dim[0];
    if !(1..=7).contains(&ndim) {
        bail!("{p}: dim[0] is {ndim}, expected 1 to 7");
    }
    let mut sizes = [1usize; 7];
    for (k, size) in sizes.iter_mut().enumerate().take(ndim as usize) {
        *size = usize::try_from(h.dim[k + 1])
            .ok()
            .filter(|&s| s > 0)
            .ok_or_else(|| anyhow!("{p}: dim[{}] is {}, expected > 0", k + 1, h.dim[k + 1]))?;
    }
    if sizes[4..].iter().any(|&s| s != 1) {
        bail!(
            "{p}: dimensions beyond the 4th ({:?}) are not supported",
            &sizes[4..]
        );
    }
    let nvol = sizes[3];
    let vol = match opts.volume {
        Some(v) if v < nvol => v,
        Some(v) => bail!("{p}: volume {v} requested, the file has {nvol} (0-based)"),
        None if nvol == 1 => 0,
        None => bail!("{p}: 4-D file with {nvol} volumes; choose one with --volume (0-based)"),
    };
    let (bpv, kind) = match h.datatype {
        2 => (1, "u8"),
        256 => (1, "i8"),
        4 => (2, "i16"),
        512 => (2, "u16"),
        8 => (4, "i32"),
        768 => (4, "u32"),
        1024 => (8, "i64"),
        1280 => (8, "u64"),
        16 => (4, "f32"),
        64 => (8, "f64"),
        other => bail!(
            "{p}: NIfTI datatype {other} is not supported (expected a scalar integer or float type)"
        ),
    };
    let total = sizes[..4]
        .iter()
        .try_fold(bpv, |a: usize, &s| a.checked_mul(s))
        .filter(|&t| t <= raw.len())
        .ok_or_else(|| {
            anyhow!(
                "{p}: the header's sizes {:?} × {bpv} bytes need more voxel data than the file's {} bytes",
                &sizes[..4],
                raw.len()
            )
        })?;
    let n = sizes[0] * sizes[1] * sizes[2];
    let start = vol * n * bpv;
    let end = start + n * bpv;
    debug_assert!(end <= total);
    let b = &raw[start..end];
    macro_rules! conv {
        ($t:ty, $n:expr) => {
            b.chunks_exact($n)
                .map(|c| {
                    let mut a = [0u8; $n];
                    a.copy_from_slice(c);
                    if h.little {
                        <$t>::from_le_bytes(a)
                    } else {
                        <$t>::from_be_bytes(a)
                    }
                })
                .collect::<Vec<$t>>()
        };
    }
    let data = match kind {
        "u8" => VolumeData::U8(b.to_vec()),
        "i8" => VolumeData::I8(b.iter().map(|&x| x as i8).collect()),
        "i16" => VolumeData::I16(conv!(i16, 2)),
        "u16" => VolumeData::U16(conv!(u16, 2)),
        "i32" => VolumeData::I32(conv!(i32, 4)),
        "u32" => VolumeData::U32(conv!(u32, 4)),
        "i64" => VolumeData::I64(conv!(i64, 8)),
        "u64" => VolumeData::U64(conv!(u64, 8)),
        "f32" => VolumeData::F32(conv!(f32, 4)),
        _ => VolumeData::F64(conv!(f64, 8)),
    };
    let (slope, inter) = (h.scl_slope, h.scl_inter);
    let inter = if inter.is_finite() { inter } else { 0.0 };
    let data = if slope.is_finite() && slope != 0.0 && !(slope == 1.0 && inter == 0.0) {
        match data {
            VolumeData::F64(v) => {
                VolumeData::F64(v.into_iter().map(|x| x * slope + inter).collect())
            }
            d => VolumeData::F32(d.iter_f64().map(|x| (x * slope + inter) as f32).collect()),
        }
    } else {
        data
    };

    let mut spacing = [1.0f64; 3];
    for (k, s) in spacing.iter_mut().enumerate() {
        if k < ndim as usize {
            let d = h.pixdim[k + 1].abs();
            *s = if d.is_finite() && d > 0.0 { d } else { 1.0 };
        }
    }
    let (direction, origin) = geometry(h, &spacing);
    Ok(Volume {
        dims: [sizes[0], sizes[1], sizes[2]],
        spacing,
        origin,
        direction,
        data,
    })
}

/// Direction (rows = axes, LPS) and origin (LPS) from the sform or qform.
fn geometry(h: &Hdr, spacing: &[f64; 3]) -> ([[f64; 3]; 3], [f64; 3]) {
    let ras_to_lps = |v: [f64; 3]| [-v[0], -v[1], v[2]];
    if h.sform_code > 0 {
        let mut dir = IDENTITY;
        for (a, d) in dir.iter_mut().enumerate() {
            let col = [h.srow[0][a], h.srow[1][a], h.srow[2][a]];
            let norm = col.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm > 0.0 {
                *d = ras_to_lps([col[0] / norm, col[1] / norm, col[2] / norm]);
            }
        }
        let o = [h.srow[0][3], h.srow[1][3], h.srow[2][3]];
        return (dir, ras_to_lps(o));
    }
    if h.qform_code > 0 {
        let [b, c, d] = h.quatern;
        let a2 = 1.0 - (b * b + c * c + d * d);
        let a = if a2 < 1e-7 { 0.0 } else { a2.sqrt() };
        let (b, c, d, a) = if a2 < 1e-7 {
            let s = (b * b + c * c + d * d).sqrt();
            (b / s, c / s, d / s, 0.0)
        } else {
            (b, c, d, a)
        };
        let qfac = if h.pixdim[0] < 0.0 { -1.0 } else { 1.0 };
        // rotation matrix R (columns = axes in RAS)
        let r = [
            [
                a * a + b * b - c * c - d * d,
                2.0 * (b * c - a * d),
                2.0 * (b * d + a * c),
            ],
            [
                2.0 * (b * c + a * d),
                a * a + c * c - b * b - d * d,
                2.0 * (c * d - a * b),
            ],
            [
                2.0 * (b * d - a * c),
                2.0 * (c * d + a * b),
                a * a + d * d - c * c - b * b,
            ],
        ];
        let mut dir = IDENTITY;
        for (ax, dd) in dir.iter_mut().enumerate() {
            let s = if ax == 2 { qfac } else { 1.0 };
            *dd = ras_to_lps([r[0][ax] * s, r[1][ax] * s, r[2][ax] * s]);
        }
        let _ = spacing;
        return (dir, ras_to_lps(h.qoffset));
    }
    // Analyze-style: identity in RAS → LPS flips x and y.
    let dir = [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]];
    (dir, [0.0; 3])
}
