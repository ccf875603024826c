//! Shared helpers for the cross-crate tests (reference data locations, CSV loading).
//!
//! `nrrd` is a minimal test-only NRRD reader (raw/gzip, little endian, 3-D). It exists because
//! the CLI's `io::read_volume` was not available when the parity tests were written; once the
//! CLI reader lands, the tests should switch to it and this module can go (dedup note).

use std::path::{Path, PathBuf};

/// `tests/fixtures/reference/pyradiomics`: the PyRadiomics 3.0.1 reference values and volumes.
pub fn pyradiomics_reference_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/reference/pyradiomics"
    ))
}

/// `tests/fixtures/reference/pyradiomics-all`: the full PyRadiomics 3.0.1 extraction (1 874 values
/// a case; images in [`pyradiomics_reference_dir`]`/data`).
pub fn pyradiomics_all_reference_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/reference/pyradiomics-all"
    ))
}

/// `tests/fixtures/pyradiomics`: extra PyRadiomics cases made by `make_more.py`.
pub fn fixtures_pyradiomics_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pyradiomics"))
}

/// Reads a `feature,value` CSV (PyRadiomics reference format). Values `nan` parse as NaN.
pub fn read_reference_csv(path: &Path) -> Vec<(String, f64)> {
    let mut rdr = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("{}: cannot open: {e}", path.display()));
    let mut out = Vec::new();
    for (row, rec) in rdr.records().enumerate() {
        let rec = rec.unwrap_or_else(|e| panic!("{}: row {}: {e}", path.display(), row + 2));
        let name = rec.get(0).unwrap_or_default().to_string();
        let v = rec.get(1).unwrap_or_default().trim();
        let value = if v.eq_ignore_ascii_case("nan") {
            f64::NAN
        } else {
            v.parse::<f64>().unwrap_or_else(|e| {
                panic!(
                    "{}: row {}, column value: expected a number, found {v:?}: {e}",
                    path.display(),
                    row + 2
                )
            })
        };
        out.push((name, value));
    }
    out
}

/// Minimal NRRD reader for the reference volumes (test-only).
pub mod nrrd {
    use std::io::Read;
    use std::path::Path;

    /// Voxel data in the file's own type.
    #[derive(Debug, Clone)]
    pub enum Data {
        /// int8
        I8(Vec<i8>),
        /// uint8
        U8(Vec<u8>),
        /// int16
        I16(Vec<i16>),
        /// uint16
        U16(Vec<u16>),
        /// int32
        I32(Vec<i32>),
        /// uint32
        U32(Vec<u32>),
        /// float
        F32(Vec<f32>),
        /// double
        F64(Vec<f64>),
    }

    /// A 3-D NRRD volume.
    #[derive(Debug, Clone)]
    pub struct Volume {
        /// Sizes, x fastest.
        pub dims: [usize; 3],
        /// Norms of the space directions (mm).
        pub spacing: [f64; 3],
        /// `space origin` (0 if absent).
        pub origin: [f64; 3],
        /// `direction[axis]` = the space direction of `axis` divided by its norm (identity if
        /// absent), as ITK's NRRD reader sets the direction matrix's columns.
        pub direction: [[f64; 3]; 3],
        /// Voxels.
        pub data: Data,
    }

    impl Volume {
        /// The voxels as u32 labels (panics on negative labels).
        pub fn labels_u32(&self) -> Vec<u32> {
            let conv = |v: i64| u32::try_from(v).expect("negative label in mask");
            match &self.data {
                Data::I8(v) => v.iter().map(|&x| conv(x.into())).collect(),
                Data::U8(v) => v.iter().map(|&x| x.into()).collect(),
                Data::I16(v) => v.iter().map(|&x| conv(x.into())).collect(),
                Data::U16(v) => v.iter().map(|&x| x.into()).collect(),
                Data::I32(v) => v.iter().map(|&x| conv(x.into())).collect(),
                Data::U32(v) => v.clone(),
                Data::F32(_) | Data::F64(_) => panic!("float mask"),
            }
        }
    }

    fn parse_vec(s: &str) -> Vec<f64> {
        s.trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .split(',')
            .map(|t| t.trim().parse::<f64>().expect("space direction component"))
            .collect()
    }

    /// Reads a 3-D NRRD (attached header, raw or gzip encoding, little endian).
    pub fn read(path: &Path) -> Volume {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut pos = 0usize;
        let mut ty = String::new();
        let mut dims = [0usize; 3];
        let mut spacing = [1.0f64; 3];
        let mut origin = [0.0f64; 3];
        let mut direction = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        let mut encoding = String::from("raw");
        loop {
            let end = bytes[pos..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|e| pos + e)
                .unwrap_or_else(|| panic!("{}: header not terminated", path.display()));
            let line = std::str::from_utf8(&bytes[pos..end]).expect("header utf-8");
            let line = line.trim_end_matches('\r');
            pos = end + 1;
            if line.is_empty() {
                break;
            }
            if line.starts_with('#') || line.starts_with("NRRD") {
                continue;
            }
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let v = v.trim_start_matches('=').trim();
            match k.trim() {
                "type" => ty = v.to_string(),
                "sizes" => {
                    let s: Vec<usize> = v.split_whitespace().map(|t| t.parse().unwrap()).collect();
                    assert_eq!(s.len(), 3, "{}: expected 3 sizes", path.display());
                    dims = [s[0], s[1], s[2]];
                }
                "space directions" => {
                    let parts: Vec<&str> = v.split_whitespace().collect();
                    for (d, p) in parts.iter().enumerate().take(3) {
                        let c = parse_vec(p);
                        spacing[d] = c.iter().map(|x| x * x).sum::<f64>().sqrt();
                        for (k, v) in c.iter().enumerate().take(3) {
                            direction[d][k] = v / spacing[d];
                        }
                    }
                }
                "space origin" => {
                    let c = parse_vec(v);
                    for (k, v) in c.iter().enumerate().take(3) {
                        origin[k] = *v;
                    }
                }
                "spacings" => {
                    for (d, t) in v.split_whitespace().enumerate().take(3) {
                        spacing[d] = t.parse::<f64>().unwrap().abs();
                    }
                }
                "encoding" => encoding = v.to_string(),
                "endian" => assert_eq!(v, "little", "{}: big endian", path.display()),
                _ => {}
            }
        }
        let raw = match encoding.as_str() {
            "raw" => bytes[pos..].to_vec(),
            "gzip" | "gz" => {
                let mut d = flate2::read::GzDecoder::new(&bytes[pos..]);
                let mut v = Vec::new();
                d.read_to_end(&mut v).expect("gzip");
                v
            }
            e => panic!("{}: unsupported encoding {e}", path.display()),
        };
        let n = dims[0] * dims[1] * dims[2];
        macro_rules! conv {
            ($t:ty, $w:expr) => {{
                assert!(raw.len() >= n * $w, "{}: short data", path.display());
                raw[..n * $w]
                    .chunks_exact($w)
                    .map(|c| <$t>::from_le_bytes(c.try_into().unwrap()))
                    .collect::<Vec<$t>>()
            }};
        }
        let data = match ty.as_str() {
            "signed char" | "int8" | "int8_t" | "char" => Data::I8(conv!(i8, 1)),
            "uchar" | "unsigned char" | "uint8" | "uint8_t" => Data::U8(conv!(u8, 1)),
            "short" | "short int" | "signed short" | "int16" | "int16_t" => {
                Data::I16(conv!(i16, 2))
            }
            "ushort" | "unsigned short" | "uint16" | "uint16_t" => Data::U16(conv!(u16, 2)),
            "int" | "signed int" | "int32" | "int32_t" => Data::I32(conv!(i32, 4)),
            "uint" | "unsigned int" | "uint32" | "uint32_t" => Data::U32(conv!(u32, 4)),
            "float" => Data::F32(conv!(f32, 4)),
            "double" => Data::F64(conv!(f64, 8)),
            t => panic!("{}: unsupported type {t}", path.display()),
        };
        Volume {
            dims,
            spacing,
            origin,
            direction,
            data,
        }
    }
}

/// A mask volume's labels, in a type [`radscore_core::image::MaskView`] borrows.
pub enum MaskStore {
    /// 8-bit labels.
    U8(Vec<u8>),
    /// 16-bit labels.
    U16(Vec<u16>),
    /// Any other label type, widened.
    U32(Vec<u32>),
}

impl MaskStore {
    /// The labels of `v`.
    pub fn of(v: &nrrd::Volume) -> MaskStore {
        match &v.data {
            nrrd::Data::U8(x) => MaskStore::U8(x.clone()),
            nrrd::Data::U16(x) => MaskStore::U16(x.clone()),
            _ => MaskStore::U32(v.labels_u32()),
        }
    }
}

/// Calls `f` with core views of `image` and of `mask` (ROI = `label`), on the image's grid
/// (spacing only: origin 0, identity directions).
pub fn with_views<R>(
    image: &nrrd::Volume,
    mask: &MaskStore,
    label: u32,
    f: impl FnOnce(&radscore_core::image::ImageView, &radscore_core::image::MaskView) -> R,
) -> R {
    use nrrd::Data;
    use radscore_core::image::{ImageView, MaskView, MaskVoxels, Voxels};
    let vox = match &image.data {
        Data::I16(v) => Voxels::I16(v),
        Data::U16(v) => Voxels::U16(v),
        Data::I32(v) => Voxels::I32(v),
        Data::F32(v) => Voxels::F32(v),
        Data::F64(v) => Voxels::F64(v),
        other => panic!("unsupported image type {:?}", std::mem::discriminant(other)),
    };
    let iv = ImageView::new(vox, image.dims, image.spacing).expect("image view");
    let mv = match mask {
        MaskStore::U8(v) => MaskView::new(MaskVoxels::U8(v), image.dims, label),
        MaskStore::U16(v) => MaskView::new(MaskVoxels::U16(v), image.dims, label),
        MaskStore::U32(v) => MaskView::new(MaskVoxels::U32(v), image.dims, label),
    }
    .expect("mask view");
    f(&iv, &mv)
}

/// `extract_with` on the NRRD files `image` and `mask` (ROI = `label`), with a scratch of
/// `scratch_len_with` elements.
pub fn extract_nrrd_with(
    image: &Path,
    mask: &Path,
    label: u32,
    names: &[radscore_core::names::FeatureName],
    settings: &radscore_core::settings::Settings,
) -> Result<Vec<f64>, radscore_core::Error> {
    use radscore_core::extract::{extract_with, scratch_len_with};
    let img = nrrd::read(image);
    let store = MaskStore::of(&nrrd::read(mask));
    with_views(&img, &store, label, |iv, mv| {
        let need = scratch_len_with(iv, mv, names, settings)?;
        let mut scratch = vec![0.0f64; need];
        let mut out = vec![f64::NAN; names.len()];
        extract_with(iv, mv, names, settings, &mut out, &mut scratch)?;
        Ok(out)
    })
}
