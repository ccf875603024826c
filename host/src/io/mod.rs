//! Image readers and writers: NRRD, NIfTI, DICOM (series, enhanced multi-frame, DICOM-SEG).
//!
//! Every reader returns a [`Volume`]: voxels x fastest, then y, then z (ITK order), spacing,
//! origin and direction cosines in LPS patient coordinates (as SimpleITK reports them), and the
//! voxel buffer in the type stored in the file (the type matters for PyRadiomics parity).
//!
//! [`read_volume`] dispatches on the path: a folder is a DICOM series, otherwise the extension
//! decides (`.nrrd`/`.nhdr`, `.nii`/`.nii.gz`, `.dcm` or anything else is tried as DICOM).

use anyhow::{anyhow, bail, Context};
use radscore_core::image::{ImageView, MaskView, MaskVoxels, Voxels};
use radscore_core::Error;
use std::path::Path;

pub mod dicom;
pub mod nifti;
pub mod nrrd;

/// A voxel buffer in its stored type.
#[derive(Debug, Clone, PartialEq)]
pub enum VolumeData {
    /// Signed 8-bit.
    I8(Vec<i8>),
    /// Unsigned 8-bit.
    U8(Vec<u8>),
    /// Signed 16-bit.
    I16(Vec<i16>),
    /// Unsigned 16-bit.
    U16(Vec<u16>),
    /// Signed 32-bit.
    I32(Vec<i32>),
    /// Unsigned 32-bit.
    U32(Vec<u32>),
    /// Signed 64-bit.
    I64(Vec<i64>),
    /// Unsigned 64-bit.
    U64(Vec<u64>),
    /// 32-bit float.
    F32(Vec<f32>),
    /// 64-bit float.
    F64(Vec<f64>),
}

macro_rules! each_data {
    ($d:expr, $v:ident => $e:expr) => {
        match $d {
            VolumeData::I8($v) => $e,
            VolumeData::U8($v) => $e,
            VolumeData::I16($v) => $e,
            VolumeData::U16($v) => $e,
            VolumeData::I32($v) => $e,
            VolumeData::U32($v) => $e,
            VolumeData::I64($v) => $e,
            VolumeData::U64($v) => $e,
            VolumeData::F32($v) => $e,
            VolumeData::F64($v) => $e,
        }
    };
}

impl VolumeData {
    /// Number of voxels.
    pub fn len(&self) -> usize {
        each_data!(self, v => v.len())
    }

    /// `true` if there is no voxel.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The type's name (NRRD spelling: `int16`, `float`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            VolumeData::I8(_) => "int8",
            VolumeData::U8(_) => "uint8",
            VolumeData::I16(_) => "int16",
            VolumeData::U16(_) => "uint16",
            VolumeData::I32(_) => "int32",
            VolumeData::U32(_) => "uint32",
            VolumeData::I64(_) => "int64",
            VolumeData::U64(_) => "uint64",
            VolumeData::F32(_) => "float",
            VolumeData::F64(_) => "double",
        }
    }

    /// Voxel `i` as f64 (exact except for 64-bit integers beyond 2^53), `None` if out of range.
    pub fn get_f64(&self, i: usize) -> Option<f64> {
        match self {
            VolumeData::I8(v) => v.get(i).map(|&x| f64::from(x)),
            VolumeData::U8(v) => v.get(i).map(|&x| f64::from(x)),
            VolumeData::I16(v) => v.get(i).map(|&x| f64::from(x)),
            VolumeData::U16(v) => v.get(i).map(|&x| f64::from(x)),
            VolumeData::I32(v) => v.get(i).map(|&x| f64::from(x)),
            VolumeData::U32(v) => v.get(i).map(|&x| f64::from(x)),
            VolumeData::I64(v) => v.get(i).map(|&x| x as f64),
            VolumeData::U64(v) => v.get(i).map(|&x| x as f64),
            VolumeData::F32(v) => v.get(i).map(|&x| f64::from(x)),
            VolumeData::F64(v) => v.get(i).copied(),
        }
    }

    /// Iterator over all voxels as f64.
    pub fn iter_f64(&self) -> Box<dyn Iterator<Item = f64> + '_> {
        match self {
            VolumeData::I8(v) => Box::new(v.iter().map(|&x| f64::from(x))),
            VolumeData::U8(v) => Box::new(v.iter().map(|&x| f64::from(x))),
            VolumeData::I16(v) => Box::new(v.iter().map(|&x| f64::from(x))),
            VolumeData::U16(v) => Box::new(v.iter().map(|&x| f64::from(x))),
            VolumeData::I32(v) => Box::new(v.iter().map(|&x| f64::from(x))),
            VolumeData::U32(v) => Box::new(v.iter().map(|&x| f64::from(x))),
            VolumeData::I64(v) => Box::new(v.iter().map(|&x| x as f64)),
            VolumeData::U64(v) => Box::new(v.iter().map(|&x| x as f64)),
            VolumeData::F32(v) => Box::new(v.iter().map(|&x| f64::from(x))),
            VolumeData::F64(v) => Box::new(v.iter().copied()),
        }
    }

    /// Size in bytes of one voxel.
    pub fn bytes_per_voxel(&self) -> usize {
        match self {
            VolumeData::I8(_) | VolumeData::U8(_) => 1,
            VolumeData::I16(_) | VolumeData::U16(_) => 2,
            VolumeData::I32(_) | VolumeData::U32(_) | VolumeData::F32(_) => 4,
            VolumeData::I64(_) | VolumeData::U64(_) | VolumeData::F64(_) => 8,
        }
    }

    /// Little-endian bytes of all voxels.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len() * self.bytes_per_voxel());
        each_data!(self, v => for x in v { out.extend_from_slice(&x.to_le_bytes()) });
        out
    }
}

/// A 3-D volume: voxels x fastest, geometry in LPS (SimpleITK's convention).
#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    /// Sizes along x, y, z.
    pub dims: [usize; 3],
    /// Voxel spacing in mm along x, y, z.
    pub spacing: [f64; 3],
    /// Physical position (LPS, mm) of the centre of voxel (0, 0, 0).
    pub origin: [f64; 3],
    /// Direction cosines: `direction[axis]` is the unit vector (LPS) of image axis `axis`.
    pub direction: [[f64; 3]; 3],
    /// The voxels.
    pub data: VolumeData,
}

/// The identity direction matrix.
pub const IDENTITY: [[f64; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

/// A mask voxel's value as a label: a whole number from 0 to 2^32 − 1 (float masks, common in
/// NIfTI, must hold whole numbers); anything else is an error naming the voxel (`index`, x
/// fastest).
pub(crate) fn mask_label(index: usize, x: f64) -> anyhow::Result<u32> {
    if x >= 0.0 && x.fract() == 0.0 && x <= f64::from(u32::MAX) {
        Ok(x as u32)
    } else {
        bail!(
            "mask voxel {index} has value {x}: expected whole numbers from 0 to {}",
            u32::MAX
        )
    }
}

impl Volume {
    /// Number of voxels `dims[0]·dims[1]·dims[2]`.
    pub fn voxel_count(&self) -> usize {
        self.dims.iter().product()
    }

    /// The image as the core sees it. Types the core takes directly (i16, u16, i32, f32, f64) are
    /// borrowed; other types fail with [`Error::UnsupportedFeature`]: call
    /// [`Volume::into_image`] first (it widens them losslessly, as PyRadiomics' arithmetic would).
    pub fn image_view(&self) -> Result<ImageView<'_>, Error> {
        let v = match &self.data {
            VolumeData::I16(v) => Voxels::I16(v),
            VolumeData::U16(v) => Voxels::U16(v),
            VolumeData::I32(v) => Voxels::I32(v),
            VolumeData::F32(v) => Voxels::F32(v),
            VolumeData::F64(v) => Voxels::F64(v),
            _ => return Err(Error::UnsupportedFeature),
        };
        ImageView::new(v, self.dims, self.spacing)
    }

    /// Converts the voxels to a type the core takes: i8/u8 → i16 (exact), u32/i64/u64 → f64
    /// (exact up to 2^53; PyRadiomics computes with float64 on these types too).
    pub fn into_image(self) -> Volume {
        let data = match self.data {
            VolumeData::I8(v) => VolumeData::I16(v.into_iter().map(i16::from).collect()),
            VolumeData::U8(v) => VolumeData::I16(v.into_iter().map(i16::from).collect()),
            VolumeData::U32(v) => VolumeData::F64(v.into_iter().map(f64::from).collect()),
            VolumeData::I64(v) => VolumeData::F64(v.into_iter().map(|x| x as f64).collect()),
            VolumeData::U64(v) => VolumeData::F64(v.into_iter().map(|x| x as f64).collect()),
            d => d,
        };
        Volume { data, ..self }
    }

    /// The mask as the core sees it, selecting `label`. u8/u16/u32 are borrowed; i8/i16/i32
    /// buffers are viewed as their unsigned counterparts (a negative value never equals a label
    /// ≤ 2^(bits−1)−1). Other types: call [`Volume::into_mask`] first.
    pub fn mask_view(&self, label: u32) -> anyhow::Result<MaskView<'_>> {
        let v = match &self.data {
            VolumeData::U8(v) => MaskVoxels::U8(v),
            VolumeData::U16(v) => MaskVoxels::U16(v),
            VolumeData::U32(v) => MaskVoxels::U32(v),
            VolumeData::I8(v) => MaskVoxels::U8(bytemuck::cast_slice(v)),
            VolumeData::I16(v) => MaskVoxels::U16(bytemuck::cast_slice(v)),
            VolumeData::I32(v) => MaskVoxels::U32(bytemuck::cast_slice(v)),
            d => bail!(
                "mask voxels of type {} cannot be viewed directly; convert with Volume::into_mask",
                d.type_name()
            ),
        };
        MaskView::new(v, self.dims, label).map_err(|e| anyhow!("mask: {e}"))
    }

    /// Converts a mask to unsigned integers (u8, u16 or u32, the smallest that holds every value).
    /// Float masks must hold whole numbers ≥ 0 (NIfTI masks are often stored as float); anything
    /// else is an error naming the first offending voxel.
    pub fn into_mask(self) -> anyhow::Result<Volume> {
        if matches!(
            self.data,
            VolumeData::U8(_) | VolumeData::U16(_) | VolumeData::U32(_)
        ) {
            return Ok(self);
        }
        let mut max = 0u64;
        for (i, x) in self.data.iter_f64().enumerate() {
            max = max.max(u64::from(mask_label(i, x)?));
        }
        let data = if max <= u64::from(u8::MAX) {
            VolumeData::U8(self.data.iter_f64().map(|x| x as u8).collect())
        } else if max <= u64::from(u16::MAX) {
            VolumeData::U16(self.data.iter_f64().map(|x| x as u16).collect())
        } else {
            VolumeData::U32(self.data.iter_f64().map(|x| x as u32).collect())
        };
        Ok(Volume { data, ..self })
    }

    /// Checks that `mask` lies on the same grid as `self` (dims exactly; spacing, origin and
    /// direction within ITK's default tolerance: 1e-6 relative to the spacing / 1e-6 absolute for
    /// direction cosines). The error names both files and what differs.
    pub fn check_same_geometry(
        &self,
        mask: &Volume,
        image_path: &Path,
        mask_path: &Path,
    ) -> anyhow::Result<()> {
        check_grids(&self.grid(), &mask.grid(), image_path, mask_path)
    }

    /// The grid (geometry without the voxels).
    pub fn grid(&self) -> Grid {
        Grid {
            dims: self.dims,
            spacing: self.spacing,
            origin: self.origin,
            direction: self.direction,
        }
    }
}

/// The geometry of a volume: sizes, spacing, origin and direction (LPS), as in [`Volume`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    /// Sizes along x, y, z.
    pub dims: [usize; 3],
    /// Voxel spacing in mm along x, y, z.
    pub spacing: [f64; 3],
    /// Physical position (LPS, mm) of the centre of voxel (0, 0, 0).
    pub origin: [f64; 3],
    /// Direction cosines: `direction[axis]` is the unit vector (LPS) of image axis `axis`.
    pub direction: [[f64; 3]; 3],
}

/// Checks that two grids agree: dims exactly; spacing, origin and direction within ITK's default
/// tolerance (1e-6 relative to the spacing / 1e-6 absolute for direction cosines). The error
/// names both files and what differs.
pub fn check_grids(
    this: &Grid,
    mask: &Grid,
    image_path: &Path,
    mask_path: &Path,
) -> anyhow::Result<()> {
    let names = || {
        format!(
            "image {} and mask {}",
            image_path.display(),
            mask_path.display()
        )
    };
    if this.dims != mask.dims {
        bail!(
            "geometry mismatch between {}: sizes {:?} vs {:?}",
            names(),
            this.dims,
            mask.dims
        );
    }
    let tol = 1e-6;
    for a in 0..3 {
        let s = this.spacing[a];
        if (s - mask.spacing[a]).abs() > tol * s.abs().max(1e-12) {
            bail!(
                "geometry mismatch between {}: spacing {:?} vs {:?}",
                names(),
                this.spacing,
                mask.spacing
            );
        }
    }
    let min_sp = this.spacing.iter().cloned().fold(f64::INFINITY, f64::min);
    for a in 0..3 {
        if (this.origin[a] - mask.origin[a]).abs() > tol * min_sp.max(1e-12) {
            bail!(
                "geometry mismatch between {}: origin {:?} vs {:?}",
                names(),
                this.origin,
                mask.origin
            );
        }
        for b in 0..3 {
            if (this.direction[a][b] - mask.direction[a][b]).abs() > tol {
                bail!(
                    "geometry mismatch between {}: direction {:?} vs {:?}",
                    names(),
                    this.direction,
                    mask.direction
                );
            }
        }
    }
    Ok(())
}

/// A label mask kept only over the bounding box of its non-zero voxels: the rest of the grid is
/// 0. Extraction then needs the image plus a mask the size of the ROI box, never a second
/// whole-image buffer.
#[derive(Debug, Clone, PartialEq)]
pub struct MaskBox {
    /// The mask's whole grid.
    pub grid: Grid,
    /// First grid index of the box, per axis.
    pub lo: [usize; 3],
    /// Extent of the box (at least 1 on every axis; a mask without any non-zero voxel keeps a
    /// single 0 voxel).
    pub size: [usize; 3],
    /// The box's voxels (x fastest): u8, u16 or u32.
    pub data: VolumeData,
}

impl MaskBox {
    /// Crops a mask ([`Volume::into_mask`] types) to the bounding box of its non-zero voxels.
    pub fn from_mask(mask: Volume) -> anyhow::Result<MaskBox> {
        let mask = mask.into_mask()?;
        let d = mask.dims;
        let (mut lo, mut hi) = ([usize::MAX; 3], [0usize; 3]);
        let mut i = 0usize;
        for z in 0..d[2] {
            for y in 0..d[1] {
                for x in 0..d[0] {
                    if mask.data.get_f64(i).is_some_and(|v| v != 0.0) {
                        for (a, p) in [x, y, z].into_iter().enumerate() {
                            lo[a] = lo[a].min(p);
                            hi[a] = hi[a].max(p + 1);
                        }
                    }
                    i += 1;
                }
            }
        }
        if lo[0] == usize::MAX {
            lo = [0; 3];
            hi = [1; 3];
        }
        let size = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
        macro_rules! crop {
            ($v:expr, $var:ident) => {{
                let mut out = Vec::with_capacity(size.iter().product());
                for z in lo[2]..hi[2] {
                    for y in lo[1]..hi[1] {
                        let row = d[0] * (y + d[1] * z);
                        out.extend_from_slice(&$v[row + lo[0]..row + hi[0]]);
                    }
                }
                VolumeData::$var(out)
            }};
        }
        let data = match &mask.data {
            VolumeData::U8(v) if v.is_empty() => VolumeData::U8(vec![0]),
            VolumeData::U8(v) => crop!(v, U8),
            VolumeData::U16(v) => crop!(v, U16),
            VolumeData::U32(v) => crop!(v, U32),
            other => bail!("mask voxels of type {} after conversion", other.type_name()),
        };
        Ok(MaskBox {
            grid: mask.grid(),
            lo,
            size,
            data,
        })
    }

    /// The mask as the core sees it, selecting `label`.
    pub fn mask_view(&self, label: u32) -> anyhow::Result<MaskView<'_>> {
        let v = match &self.data {
            VolumeData::U8(v) => MaskVoxels::U8(v),
            VolumeData::U16(v) => MaskVoxels::U16(v),
            VolumeData::U32(v) => MaskVoxels::U32(v),
            d => bail!("mask voxels of type {} cannot be viewed", d.type_name()),
        };
        MaskView::window(v, self.grid.dims, self.lo, self.size, label)
            .map_err(|e| anyhow!("mask: {e}"))
    }

    /// Number of voxels equal to `label` (0 is not counted).
    pub fn count(&self, label: u32) -> usize {
        if label == 0 {
            return 0;
        }
        self.data
            .iter_f64()
            .filter(|&v| v == f64::from(label))
            .count()
    }
}

/// Options for readers that need more than a path (DICOM DCE phases, DICOM-SEG segments).
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// DCE series with several phases: which one (0 = first/pre-contrast). `None`: phase 1 (the
    /// first post-contrast phase) when the series has several phases.
    pub dce_phase: Option<usize>,
    /// DICOM-SEG: select the segment with this SegmentLabel.
    pub segment_label: Option<String>,
    /// DICOM-SEG: select the segment with this SegmentNumber (default 1). The returned mask holds
    /// this number inside the segment, so `mask_view(number)` selects it.
    pub segment_number: Option<u32>,
    /// 4-D NIfTI: which volume (0-based); required when the file has several.
    pub volume: Option<usize>,
}

/// What a path holds, judged from its name (and, for folders, that it is a folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.nrrd` / `.nhdr`.
    Nrrd,
    /// `.nii` / `.nii.gz` / `.hdr` (NIfTI-1 or NIfTI-2).
    Nifti,
    /// A folder (a DICOM series) or any other file (tried as DICOM).
    Dicom,
}

/// Guesses the format of `path` from its name.
pub fn format_of(path: &Path) -> Format {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if path.is_dir() {
        Format::Dicom
    } else if name.ends_with(".nrrd") || name.ends_with(".nhdr") {
        Format::Nrrd
    } else if name.ends_with(".nii") || name.ends_with(".nii.gz") || name.ends_with(".hdr") {
        Format::Nifti
    } else {
        Format::Dicom
    }
}

/// The voxel limit set by [`set_max_voxels`] (0: not set).
static MAX_VOXELS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Sets the voxel limit of [`max_voxels`] for this process (over `RADSCORE_MAX_VOXELS`), e.g. for
/// fuzzing or an embedding application with its own memory budget.
pub fn set_max_voxels(n: usize) {
    MAX_VOXELS.store(n, std::sync::atomic::Ordering::Relaxed);
}

/// The largest volume the readers accept, in voxels: 2^31 (a 1024 × 1024 × 2048 volume; 4 GiB as
/// int16), or `RADSCORE_MAX_VOXELS` when set to a positive integer. A header claiming more is
/// refused before anything is allocated, so a corrupt or hostile size cannot exhaust memory.
pub fn max_voxels() -> usize {
    let set = MAX_VOXELS.load(std::sync::atomic::Ordering::Relaxed);
    if set > 0 {
        return set;
    }
    std::env::var("RADSCORE_MAX_VOXELS")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(1 << 31)
}

/// Reads an image or mask from any supported format; a folder is read as a DICOM series.
pub fn read_volume(path: &Path) -> anyhow::Result<Volume> {
    read_volume_with(path, &ReadOptions::default())
}

/// [`read_volume`] with options (DCE phase for DICOM series).
pub fn read_volume_with(path: &Path, opts: &ReadOptions) -> anyhow::Result<Volume> {
    let r = match format_of(path) {
        Format::Nrrd => nrrd::read(path),
        Format::Nifti => nifti::read(path, opts),
        Format::Dicom => dicom::read(path, opts),
    };
    r.with_context(|| format!("reading {}", path.display()))
}

/// Reads a mask and converts it to unsigned labels ([`Volume::into_mask`]). A DICOM-SEG file is
/// mapped onto `image`'s grid (segment chosen by `opts`).
pub fn read_mask_with(path: &Path, opts: &ReadOptions, image: &Volume) -> anyhow::Result<Volume> {
    if format_of(path) == Format::Dicom && dicom::is_seg(path) {
        return dicom::read_seg_on_grid(path, opts, image)
            .with_context(|| format!("reading {}", path.display()));
    }
    read_volume_with(path, opts)?.into_mask()
}

/// Parses the decimal integers of a whitespace-separated list, naming `what` in errors.
pub(crate) fn parse_usizes(s: &str, what: &str) -> anyhow::Result<Vec<usize>> {
    s.split_whitespace()
        .map(|t| {
            t.parse::<usize>()
                .map_err(|_| anyhow!("{what}: expected a non-negative integer, found {t:?}"))
        })
        .collect()
}
