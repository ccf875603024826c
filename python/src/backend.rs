//! The extraction the bindings call: the host extraction API (`radscore-host`), plus the
//! conversion of raw numpy buffers into its typed in-memory volumes.
use radscore_host::{ArrayData, ArrayImage, HostError};
pub use radscore_host::{CaseResult, Params};
use std::path::Path;

/// Parses a params document given as JSON text (`source` names it in errors).
pub fn params_from_json(text: &str, source: &str) -> Result<Params, String> {
    Params::from_json_str(text, source).map_err(|e| e.to_string())
}

/// Resolves the params ([`Params::plan`]): fails on anything radscore does not implement.
pub fn check(params: &Params) -> Result<(), String> {
    params.plan().map(|_| ()).map_err(|e| e.to_string())
}

/// The names an extraction computes, in PyRadiomics' order ([`radscore_host::Plan::feature_names`]).
pub fn feature_names(params: &Params) -> Result<Vec<String>, String> {
    params
        .plan()
        .map(|p| p.feature_names())
        .map_err(|e| e.to_string())
}

/// One case from files ([`radscore_host::extract_files`]).
pub fn extract_files(
    image: &Path,
    mask: &Path,
    label: Option<u32>,
    params: &Params,
    threads: usize,
) -> Result<CaseResult, HostError> {
    radscore_host::extract_files(image, mask, label, params, threads)
}

/// A volume handed over from Python: raw little-endian voxels (x fastest: a C-ordered numpy
/// array indexed [z, y, x]), the numpy dtype name and the geometry.
pub struct ArrayVolume<'a> {
    pub data: &'a [u8],
    pub dtype: &'a str,
    pub dims: [usize; 3],
    pub spacing: [f64; 3],
    pub origin: [f64; 3],
    pub direction: [[f64; 3]; 3],
}

/// The voxels decoded into a typed buffer (Python's bytes carry no alignment guarantee, so they
/// are copied rather than cast).
enum Owned {
    I8(Vec<i8>),
    U8(Vec<u8>),
    I16(Vec<i16>),
    U16(Vec<u16>),
    I32(Vec<i32>),
    U32(Vec<u32>),
    I64(Vec<i64>),
    U64(Vec<u64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

fn decode(data: &[u8], dtype: &str, what: &str) -> Result<Owned, String> {
    macro_rules! conv {
        ($t:ty, $var:ident) => {{
            const N: usize = std::mem::size_of::<$t>();
            if !data.chunks_exact(N).remainder().is_empty() {
                return Err(format!(
                    "{what}: {} bytes is not a whole number of {dtype} voxels",
                    data.len()
                ));
            }
            Owned::$var(
                data.chunks_exact(N)
                    .map(|c| {
                        let mut b = [0u8; N];
                        b.copy_from_slice(c);
                        <$t>::from_le_bytes(b)
                    })
                    .collect(),
            )
        }};
    }
    Ok(match dtype {
        "int8" => conv!(i8, I8),
        "uint8" => conv!(u8, U8),
        "int16" => conv!(i16, I16),
        "uint16" => conv!(u16, U16),
        "int32" => conv!(i32, I32),
        "uint32" => conv!(u32, U32),
        "int64" => conv!(i64, I64),
        "uint64" => conv!(u64, U64),
        "float32" => conv!(f32, F32),
        "float64" => conv!(f64, F64),
        t => {
            return Err(format!(
            "{what}: voxel type {t} is not supported (expected int8 to uint64, float32 or float64)"
        ))
        }
    })
}

fn view<'a>(o: &'a Owned, a: &ArrayVolume<'_>) -> ArrayImage<'a> {
    let data = match o {
        Owned::I8(v) => ArrayData::I8(v),
        Owned::U8(v) => ArrayData::U8(v),
        Owned::I16(v) => ArrayData::I16(v),
        Owned::U16(v) => ArrayData::U16(v),
        Owned::I32(v) => ArrayData::I32(v),
        Owned::U32(v) => ArrayData::U32(v),
        Owned::I64(v) => ArrayData::I64(v),
        Owned::U64(v) => ArrayData::U64(v),
        Owned::F32(v) => ArrayData::F32(v),
        Owned::F64(v) => ArrayData::F64(v),
    };
    ArrayImage {
        data,
        dims: a.dims,
        spacing: a.spacing,
        origin: a.origin,
        direction: a.direction,
    }
}

/// One case from in-memory volumes ([`radscore_host::extract_arrays`]).
pub fn extract_arrays(
    image: ArrayVolume<'_>,
    mask: ArrayVolume<'_>,
    label: Option<u32>,
    params: &Params,
    threads: usize,
) -> Result<CaseResult, String> {
    let io = decode(image.data, image.dtype, "image")?;
    let mo = decode(mask.data, mask.dtype, "mask")?;
    radscore_host::extract_arrays(view(&io, &image), view(&mo, &mask), label, params, threads)
        .map_err(|e| e.to_string())
}
