//! The extraction the bindings call, in the shape of the host extraction API (`radscore-host`:
//! `Params`, `CaseResult`, `extract_files`, `extract_arrays`).
//!
//! Interim version over `radscore_cli`'s readers and scheduler until the host crate lands: it
//! computes PyRadiomics' default extraction (shape and every class on the original image, in
//! PyRadiomics' order) with `binWidth` as the only setting, and refuses any other params.
use anyhow::{anyhow, bail, Context};
use radscore_cli::cmd::extract::{compute_cropped, load_pair_cropped};
use radscore_cli::io::{self, MaskBox, ReadOptions, Volume, VolumeData};
use radscore_core::names::{Feature, FeatureName, ImageType, ShapeFeature};
use std::path::Path;

/// Parsed params (interim: the bin width only).
#[derive(Debug, Clone)]
pub struct Params {
    bin_width: f64,
}

/// Features (PyRadiomics names and order) and diagnostics of one case.
#[derive(Debug, Clone, Default)]
pub struct CaseResult {
    pub features: Vec<(String, f64)>,
    pub diagnostics: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

/// Parses a params document given as JSON text (`source` names it in errors).
pub fn params_from_json(text: &str, source: &str) -> Result<Params, String> {
    Params::from_json_str(text, source).map_err(|e| format!("{e:#}"))
}

impl Params {
    /// Parses a params document given as JSON text (`source` names it in errors).
    pub fn from_json_str(text: &str, source: &str) -> anyhow::Result<Params> {
        let v: serde_json::Value =
            serde_json::from_str(text).with_context(|| format!("{source}: not valid JSON"))?;
        let mut bin_width = 25.0;
        if let Some(s) = v.get("setting").and_then(|s| s.as_object()) {
            for (k, val) in s {
                match k.as_str() {
                    "binWidth" => {
                        bin_width = val
                            .as_f64()
                            .ok_or_else(|| anyhow!("{source}: binWidth: expected a number"))?
                    }
                    "label"
                    | "additionalInfo"
                    | "minimumROIDimensions"
                    | "padDistance"
                    | "interpolator"
                    | "normalizeScale"
                    | "force2Ddimension" => {}
                    _ if val.is_null() || val == &serde_json::json!(false) => {}
                    "distances" if val == &serde_json::json!([1]) => {}
                    _ => bail!("{source}: setting {k} = {val} is not implemented yet"),
                }
            }
        }
        Ok(Params { bin_width })
    }

    fn names(&self) -> Vec<FeatureName> {
        let shape = ShapeFeature::ALL.iter().map(|&f| FeatureName {
            image_type: ImageType::Original,
            feature: Feature::Shape(f),
        });
        let mut classes: Vec<FeatureName> = Feature::all()
            .map(|f| FeatureName {
                image_type: ImageType::Original,
                feature: f,
            })
            .collect();
        // PyRadiomics' default class order is alphabetical (getFeatureClasses).
        classes.sort_by_key(|n| {
            let s = n.to_string();
            let class = s.split('_').nth(1).unwrap_or("").to_string();
            ["firstorder", "glcm", "gldm", "glrlm", "glszm", "ngtdm"]
                .iter()
                .position(|c| *c == class)
                .unwrap_or(99)
        });
        shape.chain(classes).collect()
    }
}

fn run(
    img: &Volume,
    msk: &MaskBox,
    label: u32,
    params: &Params,
    threads: usize,
) -> anyhow::Result<CaseResult> {
    let names = params.names();
    let values = compute_cropped(
        img,
        msk,
        label,
        &names,
        params.bin_width,
        &mut Vec::new(),
        threads,
    )?;
    Ok(CaseResult {
        features: names.iter().map(|n| n.to_string()).zip(values).collect(),
        diagnostics: Vec::new(),
        warnings: Vec::new(),
    })
}

/// Extracts one case from files.
pub fn extract_files(
    image: &Path,
    mask: &Path,
    label: Option<u32>,
    params: &Params,
    threads: usize,
) -> anyhow::Result<CaseResult> {
    let label = label.unwrap_or(1);
    let opts = ReadOptions {
        segment_number: Some(label),
        ..ReadOptions::default()
    };
    let (img, msk) = load_pair_cropped(image, mask, &opts)
        .with_context(|| format!("image {} with mask {}", image.display(), mask.display()))?;
    run(&img, &msk, label, params, threads)
        .with_context(|| format!("image {} with mask {}", image.display(), mask.display()))
}

/// A volume handed over from memory: raw little-endian voxels (x fastest) and geometry.
pub struct ArrayVolume<'a> {
    pub data: &'a [u8],
    pub dtype: &'a str,
    pub dims: [usize; 3],
    pub spacing: [f64; 3],
    pub origin: [f64; 3],
    pub direction: [[f64; 3]; 3],
}

fn to_volume(a: &ArrayVolume<'_>, what: &str) -> anyhow::Result<Volume> {
    macro_rules! conv {
        ($t:ty, $var:ident) => {{
            let n = std::mem::size_of::<$t>();
            VolumeData::$var(
                a.data
                    .chunks_exact(n)
                    .map(|c| {
                        let mut b = [0u8; std::mem::size_of::<$t>()];
                        b.copy_from_slice(c);
                        <$t>::from_le_bytes(b)
                    })
                    .collect(),
            )
        }};
    }
    let data = match a.dtype {
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
        t => bail!("{what}: voxel type {t} is not supported (expected an integer or float type)"),
    };
    let v = Volume {
        dims: a.dims,
        spacing: a.spacing,
        origin: a.origin,
        direction: a.direction,
        data,
    };
    if v.data.len() != v.voxel_count() {
        bail!("{what}: {} voxels for dims {:?}", v.data.len(), a.dims);
    }
    Ok(v)
}

/// Extracts one case from in-memory volumes.
pub fn extract_arrays(
    image: ArrayVolume<'_>,
    mask: ArrayVolume<'_>,
    label: Option<u32>,
    params: &Params,
    threads: usize,
) -> anyhow::Result<CaseResult> {
    let label = label.unwrap_or(1);
    let img = to_volume(&image, "image")?.into_image();
    let m = to_volume(&mask, "mask")?;
    io::check_grids(
        &img.grid(),
        &m.grid(),
        Path::new("<image array>"),
        Path::new("<mask array>"),
    )?;
    let msk = MaskBox::from_mask(m)?;
    run(&img, &msk, label, params, threads)
}
