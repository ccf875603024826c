//! The host extraction API: params → one case (files or arrays) or a batch.

use crate::extract::{compute_units, load_pair_cropped_inspect, CoreFailure, Unit};
use crate::io::{Grid, MaskBox, ReadOptions, Volume, VolumeData};
use crate::params::{Params, ParamsError, ParamsErrorKind, Plan};
use radscore_core::image::{roi_box, ImageView, MaskView, MaskVoxels, Voxels};
use radscore_core::names::FeatureName;
use radscore_core::settings::Settings;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// What kind of failure a [`HostError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostErrorKind {
    /// The params are invalid (PyRadiomics would refuse them too).
    Params,
    /// Valid for PyRadiomics, not implemented by radscore (a setting value, LBP3D, …).
    Unsupported,
    /// An image or mask cannot be read (missing file, corrupt or unsupported format).
    Read,
    /// Image and mask do not share a geometry (PyRadiomics' checkMask).
    Geometry,
    /// The mask is unusable for this label (label absent, single voxel, too few dimensions,
    /// too small), as PyRadiomics' checkMask says.
    Mask,
    /// The core refused or failed the extraction (see [`HostError::core_code`]).
    Extraction,
    /// Bad in-memory input (buffer length vs sizes, …).
    Input,
}

/// An extraction failure, with a message naming the file(s), the setting or the image type and
/// what was expected and found.
#[derive(Debug, Clone, PartialEq)]
pub struct HostError {
    /// The kind of failure.
    pub kind: HostErrorKind,
    /// The whole message (also the Display text).
    pub message: String,
    /// The core's stable error code when the core refused (`radscore_core::Error::code`).
    pub core_code: Option<u32>,
}

impl HostError {
    fn new(kind: HostErrorKind, message: impl Into<String>) -> HostError {
        HostError {
            kind,
            message: message.into(),
            core_code: None,
        }
    }

    fn from_anyhow(kind: HostErrorKind, e: &anyhow::Error) -> HostError {
        let core = e
            .chain()
            .find_map(|c| c.downcast_ref::<CoreFailure>())
            .map(|c| c.0);
        let kind = match core.map(|c| c.code()) {
            Some(300..=306) => HostErrorKind::Mask,
            Some(407) => HostErrorKind::Unsupported,
            Some(_) => HostErrorKind::Extraction,
            None => kind,
        };
        HostError {
            kind,
            message: format!("{e:#}"),
            core_code: core.map(|c| c.code()),
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HostError {}

impl From<ParamsError> for HostError {
    fn from(e: ParamsError) -> HostError {
        HostError::new(
            match e.kind {
                ParamsErrorKind::Unsupported => HostErrorKind::Unsupported,
                _ => HostErrorKind::Params,
            },
            e.to_string(),
        )
    }
}

/// The features of one case.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CaseResult {
    /// `(PyRadiomics name, value)` in PyRadiomics' output order.
    pub features: Vec<(String, f64)>,
    /// `diagnostics_*` entries (PyRadiomics' names where radscore can state the same thing;
    /// empty when `additionalInfo` is false).
    pub diagnostics: Vec<(String, String)>,
    /// What PyRadiomics would log as a warning (e.g. a LoG sigma skipped on a small image).
    pub warnings: Vec<String>,
}

/// A borrowed voxel buffer of any numeric type.
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum ArrayData<'a> {
    I8(&'a [i8]),
    U8(&'a [u8]),
    I16(&'a [i16]),
    U16(&'a [u16]),
    I32(&'a [i32]),
    U32(&'a [u32]),
    I64(&'a [i64]),
    U64(&'a [u64]),
    F32(&'a [f32]),
    F64(&'a [f64]),
}

impl ArrayData<'_> {
    fn len(&self) -> usize {
        match self {
            ArrayData::I8(v) => v.len(),
            ArrayData::U8(v) => v.len(),
            ArrayData::I16(v) => v.len(),
            ArrayData::U16(v) => v.len(),
            ArrayData::I32(v) => v.len(),
            ArrayData::U32(v) => v.len(),
            ArrayData::I64(v) => v.len(),
            ArrayData::U64(v) => v.len(),
            ArrayData::F32(v) => v.len(),
            ArrayData::F64(v) => v.len(),
        }
    }

    fn to_volume_data(self) -> VolumeData {
        match self {
            ArrayData::I8(v) => VolumeData::I8(v.to_vec()),
            ArrayData::U8(v) => VolumeData::U8(v.to_vec()),
            ArrayData::I16(v) => VolumeData::I16(v.to_vec()),
            ArrayData::U16(v) => VolumeData::U16(v.to_vec()),
            ArrayData::I32(v) => VolumeData::I32(v.to_vec()),
            ArrayData::U32(v) => VolumeData::U32(v.to_vec()),
            ArrayData::I64(v) => VolumeData::I64(v.to_vec()),
            ArrayData::U64(v) => VolumeData::U64(v.to_vec()),
            ArrayData::F32(v) => VolumeData::F32(v.to_vec()),
            ArrayData::F64(v) => VolumeData::F64(v.to_vec()),
        }
    }
}

/// An in-memory image: voxels x fastest (a C-ordered numpy array of shape (z, y, x)), sizes
/// `[x, y, z]`, spacing in mm, origin and direction cosines in LPS (SimpleITK's `GetOrigin`,
/// `GetDirection` — `direction[axis]` is the unit vector of image axis `axis`).
#[derive(Debug, Clone, Copy)]
pub struct ArrayImage<'a> {
    /// The voxels. The type matters for PyRadiomics parity (float32 images are filtered in
    /// float32 where PyRadiomics does).
    pub data: ArrayData<'a>,
    /// Sizes along x, y, z.
    pub dims: [usize; 3],
    /// Spacing along x, y, z (mm).
    pub spacing: [f64; 3],
    /// Physical position of voxel (0, 0, 0).
    pub origin: [f64; 3],
    /// Direction cosines.
    pub direction: [[f64; 3]; 3],
}

/// An in-memory label mask, laid out as [`ArrayImage`]; values must be whole numbers ≥ 0.
pub type ArrayMask<'a> = ArrayImage<'a>;

/// One case of a batch.
#[derive(Debug, Clone, Default)]
pub struct BatchCase {
    /// The image file or DICOM folder.
    pub image: PathBuf,
    /// The mask file (or DICOM-SEG).
    pub mask: PathBuf,
    /// The label (`None`: the params' `label`, 1 by default).
    pub label: Option<u32>,
    /// Reader options (DICOM DCE phase, 4-D NIfTI volume, DICOM-SEG segment label).
    pub read: ReadOptions,
}

/// Progress of one case's extraction: an image type (or shape) finished.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// The image type just finished (`original`, `log-sigma-1-0-mm-3D`, `shape`, …).
    pub finished: &'a str,
    /// Units finished so far.
    pub done: usize,
    /// Units in all.
    pub total: usize,
}

/// One case from files, with PyRadiomics semantics for `params` (see the crate docs). `label`
/// overrides the params' `label`; `threads` spreads the image types over threads (the values do
/// not depend on it).
pub fn extract_files(
    image: &Path,
    mask: &Path,
    label: Option<u32>,
    params: &Params,
    threads: usize,
) -> Result<CaseResult, HostError> {
    let plan = params.plan()?;
    extract_plan_files(
        image,
        mask,
        label,
        &plan,
        params,
        threads,
        &ReadOptions::default(),
        &|_| {},
    )
}

/// [`extract_files`] with reader options and a progress callback (called from the computing
/// threads as each image type finishes).
pub fn extract_files_with(
    image: &Path,
    mask: &Path,
    label: Option<u32>,
    params: &Params,
    threads: usize,
    read: &ReadOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<CaseResult, HostError> {
    let plan = params.plan()?;
    extract_plan_files(image, mask, label, &plan, params, threads, read, progress)
}

/// [`extract_files_with`] with params already resolved ([`Params::plan`]) — for batches, which
/// resolve them once.
#[allow(clippy::too_many_arguments)]
pub fn extract_plan_files(
    image: &Path,
    mask: &Path,
    label: Option<u32>,
    plan: &Plan,
    params: &Params,
    threads: usize,
    read: &ReadOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<CaseResult, HostError> {
    let label = label.unwrap_or(plan.label);
    let opts = ReadOptions {
        segment_number: Some(label),
        ..read.clone()
    };
    let mut image_hash = None;
    let hash = plan.additional_info;
    let (img, msk) = load_pair_cropped_inspect(image, mask, &opts, &mut |v| {
        if hash {
            image_hash = Some(sha1_data(&v.data));
        }
    })
    .map_err(|e| HostError::from_anyhow(HostErrorKind::Read, &e))?;
    let hashes = Hashes {
        image: image_hash,
        mask: hash.then(|| sha1_mask_box(&msk)),
    };
    let names = || format!("image {} with mask {}", image.display(), mask.display());
    let msk = if check_geometry(&img.grid(), &msk.grid, plan, &names)? {
        correct_mask(&img.grid(), &msk, label).map_err(|e| HostError {
            message: format!("{}: {}", names(), e.message),
            ..e
        })?
    } else {
        msk
    };
    let iv = img
        .image_view()
        .map_err(|e| HostError::new(HostErrorKind::Read, format!("{}: image: {e}", names())))?;
    let mv = msk
        .mask_view(label)
        .map_err(|e| HostError::new(HostErrorKind::Mask, format!("{}: {e:#}", names())))?;
    let grid = img.grid();
    run_case(
        &iv, &mv, label, &grid, &msk.grid, plan, params, threads, progress, &hashes,
    )
    .map_err(|e| HostError {
        message: format!("{}: {}", names(), e.message),
        ..e
    })
}

/// One case from in-memory volumes (see [`ArrayImage`]); `label` overrides the params' label.
pub fn extract_arrays(
    image: ArrayImage<'_>,
    mask: ArrayMask<'_>,
    label: Option<u32>,
    params: &Params,
    threads: usize,
) -> Result<CaseResult, HostError> {
    let plan = params.plan()?;
    let label = label.unwrap_or(plan.label);
    for (what, a) in [("image", &image), ("mask", &mask)] {
        let n = a.dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
        if n != Some(a.data.len()) {
            return Err(HostError::new(
                HostErrorKind::Input,
                format!(
                    "{what}: {} voxels for sizes {:?} (expected their product)",
                    a.data.len(),
                    a.dims
                ),
            ));
        }
    }
    let grid = |a: &ArrayImage| Grid {
        dims: a.dims,
        spacing: a.spacing,
        origin: a.origin,
        direction: a.direction,
    };
    let (ig, mg) = (grid(&image), grid(&mask));
    let hashes = if plan.additional_info {
        Hashes {
            image: Some(sha1_array(&image.data)),
            mask: Some(sha1_mask_array(&mask.data)),
        }
    } else {
        Hashes::default()
    };
    let correct = check_geometry(&ig, &mg, &plan, &|| "image and mask arrays".to_string())?;
    let input = |e: String| HostError::new(HostErrorKind::Input, e);
    // The core borrows i16/u16/i32/f32/f64 images; other types are widened as the readers do.
    let owned_image;
    let iv = match image.data {
        ArrayData::I16(v) => ImageView::new(Voxels::I16(v), image.dims, image.spacing),
        ArrayData::U16(v) => ImageView::new(Voxels::U16(v), image.dims, image.spacing),
        ArrayData::I32(v) => ImageView::new(Voxels::I32(v), image.dims, image.spacing),
        ArrayData::F32(v) => ImageView::new(Voxels::F32(v), image.dims, image.spacing),
        ArrayData::F64(v) => ImageView::new(Voxels::F64(v), image.dims, image.spacing),
        other => {
            owned_image = Volume {
                dims: image.dims,
                spacing: image.spacing,
                origin: image.origin,
                direction: image.direction,
                data: other.to_volume_data(),
            }
            .into_image();
            owned_image.image_view()
        }
    }
    .map_err(|e| input(format!("image: {e}")))?;
    if correct {
        let m = Volume {
            dims: mask.dims,
            spacing: mask.spacing,
            origin: mask.origin,
            direction: mask.direction,
            data: mask.data.to_volume_data(),
        };
        let boxed = MaskBox::from_mask(m).map_err(|e| input(format!("mask: {e:#}")))?;
        let corrected = correct_mask(&ig, &boxed, label)?;
        let mv = corrected
            .mask_view(label)
            .map_err(|e| input(format!("mask: {e:#}")))?;
        let mg = corrected.grid;
        return run_case(
            &iv,
            &mv,
            label,
            &ig,
            &mg,
            &plan,
            params,
            threads,
            &|_| {},
            &hashes,
        );
    }
    let mv = match mask.data {
        ArrayData::U8(v) => MaskView::new(MaskVoxels::U8(v), mask.dims, label),
        ArrayData::U16(v) => MaskView::new(MaskVoxels::U16(v), mask.dims, label),
        ArrayData::U32(v) => MaskView::new(MaskVoxels::U32(v), mask.dims, label),
        other => {
            let owned_mask = Volume {
                dims: mask.dims,
                spacing: mask.spacing,
                origin: mask.origin,
                direction: mask.direction,
                data: other.to_volume_data(),
            }
            .into_mask()
            .map_err(|e| input(format!("mask: {e:#}")))?;
            let mv = owned_mask
                .mask_view(label)
                .map_err(|e| input(format!("mask: {e:#}")))?;
            return run_case(
                &iv,
                &mv,
                label,
                &ig,
                &mg,
                &plan,
                params,
                threads,
                &|_| {},
                &hashes,
            );
        }
    }
    .map_err(|e| input(format!("mask: {e}")))?;
    run_case(
        &iv,
        &mv,
        label,
        &ig,
        &mg,
        &plan,
        params,
        threads,
        &|_| {},
        &hashes,
    )
}

/// Many cases from files over up to `threads` threads (one case per thread at a time; each case
/// single-threaded). One result per case, in order: a failing case is reported in its slot and
/// the others go on. `progress(i, result)` is called as case `i` finishes (from the worker that
/// computed it).
pub fn extract_batch(
    cases: &[BatchCase],
    params: &Params,
    threads: usize,
    progress: &(dyn Fn(usize, &Result<CaseResult, HostError>) + Sync),
) -> Vec<Result<CaseResult, HostError>> {
    let plan = match params.plan() {
        Ok(p) => p,
        Err(e) => {
            let e = HostError::from(e);
            return cases.iter().map(|_| Err(e.clone())).collect();
        }
    };
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Result<CaseResult, HostError>>>> =
        cases.iter().map(|_| Mutex::new(None)).collect();
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(c) = cases.get(i) else {
            break;
        };
        let r = extract_plan_files(
            &c.image,
            &c.mask,
            c.label,
            &plan,
            params,
            1,
            &c.read,
            &|_| {},
        );
        progress(i, &r);
        if let Ok(mut slot) = results[i].lock() {
            *slot = Some(r);
        }
    };
    let threads = threads.clamp(1, cases.len().max(1));
    std::thread::scope(|s| {
        for _ in 1..threads {
            let _ = std::thread::Builder::new().spawn_scoped(s, work);
        }
        work();
    });
    results
        .into_iter()
        .map(|m| {
            m.into_inner().ok().flatten().unwrap_or_else(|| {
                Err(HostError::new(
                    HostErrorKind::Extraction,
                    "the case was not computed (a worker thread failed)",
                ))
            })
        })
        .collect()
}

/// PyRadiomics' checkMask geometry test (SimpleITK's `LabelStatisticsImageFilter` input check):
/// sizes equal; origin and spacing within `geometryTolerance` × the image's first spacing
/// (coordinate tolerance, 1e-6 by default); direction cosines within `geometryTolerance`
/// (1e-6 by default). `Ok(true)`: they differ and `correctMask` is on (the caller resamples the
/// mask onto the image grid, [`correct_mask`]).
fn check_geometry(
    image: &Grid,
    mask: &Grid,
    plan: &Plan,
    names: &dyn Fn() -> String,
) -> Result<bool, HostError> {
    let tol = plan.geometry_tolerance.unwrap_or(1e-6);
    let coord_tol = (tol * image.spacing[0]).abs();
    let mut what = None;
    if image.dims != mask.dims {
        what = Some(format!("sizes {:?} vs {:?}", image.dims, mask.dims));
    } else if (0..3).any(|a| differs(image.origin[a], mask.origin[a], coord_tol)) {
        what = Some(format!(
            "origin {:?} vs {:?} (tolerance {coord_tol:e} mm)",
            image.origin, mask.origin
        ));
    } else if (0..3).any(|a| differs(image.spacing[a], mask.spacing[a], coord_tol)) {
        what = Some(format!(
            "spacing {:?} vs {:?} (tolerance {coord_tol:e} mm)",
            image.spacing, mask.spacing
        ));
    } else if (0..3)
        .any(|a| (0..3).any(|b| differs(image.direction[a][b], mask.direction[a][b], tol)))
    {
        what = Some(format!(
            "direction {:?} vs {:?} (tolerance {tol:e})",
            image.direction, mask.direction
        ));
    }
    match what {
        None => Ok(false),
        Some(_) if plan.correct_mask => Ok(true),
        Some(w) => Err(HostError::new(
            HostErrorKind::Geometry,
            format!(
                "{}: Image/Mask geometry mismatch ({w}). Potential fix: increase the tolerance \
                 with the geometryTolerance setting, or enable correctMask",
                names()
            ),
        )),
    }
}

/// SHA-1 hashes of the image and mask buffers (PyRadiomics' `sitk.Hash`: the image in its stored
/// voxel type, the mask after its cast to UInt32), little-endian.
#[derive(Debug, Clone, Default)]
struct Hashes {
    image: Option<String>,
    mask: Option<String>,
}

macro_rules! sha1_slice {
    ($v:expr) => {{
        let mut h = sha1_smol::Sha1::new();
        let mut buf = Vec::with_capacity(1 << 16);
        for chunk in $v.chunks(1 << 13) {
            buf.clear();
            for x in chunk {
                buf.extend_from_slice(&x.to_le_bytes());
            }
            h.update(&buf);
        }
        h.digest().to_string()
    }};
}

fn sha1_data(d: &VolumeData) -> String {
    match d {
        VolumeData::I8(v) => sha1_slice!(v),
        VolumeData::U8(v) => sha1_slice!(v),
        VolumeData::I16(v) => sha1_slice!(v),
        VolumeData::U16(v) => sha1_slice!(v),
        VolumeData::I32(v) => sha1_slice!(v),
        VolumeData::U32(v) => sha1_slice!(v),
        VolumeData::I64(v) => sha1_slice!(v),
        VolumeData::U64(v) => sha1_slice!(v),
        VolumeData::F32(v) => sha1_slice!(v),
        VolumeData::F64(v) => sha1_slice!(v),
    }
}

fn sha1_array(d: &ArrayData) -> String {
    match d {
        ArrayData::I8(v) => sha1_slice!(v),
        ArrayData::U8(v) => sha1_slice!(v),
        ArrayData::I16(v) => sha1_slice!(v),
        ArrayData::U16(v) => sha1_slice!(v),
        ArrayData::I32(v) => sha1_slice!(v),
        ArrayData::U32(v) => sha1_slice!(v),
        ArrayData::I64(v) => sha1_slice!(v),
        ArrayData::U64(v) => sha1_slice!(v),
        ArrayData::F32(v) => sha1_slice!(v),
        ArrayData::F64(v) => sha1_slice!(v),
    }
}

/// The whole mask (zeros outside the box) as UInt32, row by row.
fn sha1_mask_box(m: &MaskBox) -> String {
    let d = m.grid.dims;
    let mut h = sha1_smol::Sha1::new();
    let mut row = vec![0u8; 4 * d[0]];
    let inside = |a: usize, p: usize| p >= m.lo[a] && p < m.lo[a] + m.size[a];
    for z in 0..d[2] {
        for y in 0..d[1] {
            row.iter_mut().for_each(|b| *b = 0);
            if inside(1, y) && inside(2, z) {
                let base = m.size[0] * ((y - m.lo[1]) + m.size[1] * (z - m.lo[2]));
                for bx in 0..m.size[0] {
                    let v = m.data.get_f64(base + bx).unwrap_or(0.0) as u32;
                    let x = m.lo[0] + bx;
                    if let Some(dst) = row.get_mut(4 * x..4 * x + 4) {
                        dst.copy_from_slice(&v.to_le_bytes());
                    }
                }
            }
            h.update(&row);
        }
    }
    h.digest().to_string()
}

/// A mask array cast to UInt32, as PyRadiomics' `getMask`.
fn sha1_mask_array(d: &ArrayData) -> String {
    let v: Vec<u32> = match d {
        ArrayData::I8(v) => v.iter().map(|&x| x as u32).collect(),
        ArrayData::U8(v) => v.iter().map(|&x| u32::from(x)).collect(),
        ArrayData::I16(v) => v.iter().map(|&x| x as u32).collect(),
        ArrayData::U16(v) => v.iter().map(|&x| u32::from(x)).collect(),
        ArrayData::I32(v) => v.iter().map(|&x| x as u32).collect(),
        ArrayData::U32(v) => return sha1_slice!(v),
        ArrayData::I64(v) => v.iter().map(|&x| x as u32).collect(),
        ArrayData::U64(v) => v.iter().map(|&x| x as u32).collect(),
        ArrayData::F32(v) => v.iter().map(|&x| x as u32).collect(),
        ArrayData::F64(v) => v.iter().map(|&x| x as u32).collect(),
    };
    sha1_slice!(v)
}

/// Columns `direction[j] · spacing[j]`: continuous index → physical offset.
fn index_matrix(g: &Grid) -> [[f64; 3]; 3] {
    let mut m = [[0.0; 3]; 3];
    for (r, row) in m.iter_mut().enumerate() {
        for (j, x) in row.iter_mut().enumerate() {
            *x = g.direction[j][r] * g.spacing[j];
        }
    }
    m
}

fn mat_vec(m: &[[f64; 3]; 3], v: [f64; 3]) -> [f64; 3] {
    [0, 1, 2].map(|r| m[r][0] * v[0] + m[r][1] * v[1] + m[r][2] * v[2])
}

fn inverse(m: &[[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let c = |r: usize, k: usize| {
        let (r1, r2) = ((r + 1) % 3, (r + 2) % 3);
        let (k1, k2) = ((k + 1) % 3, (k + 2) % 3);
        m[r1][k1] * m[r2][k2] - m[r1][k2] * m[r2][k1]
    };
    let det = m[0][0] * c(0, 0) + m[0][1] * c(0, 1) + m[0][2] * c(0, 2);
    if det == 0.0 || !det.is_finite() {
        return None;
    }
    let mut inv = [[0.0; 3]; 3];
    for (r, row) in inv.iter_mut().enumerate() {
        for (k, x) in row.iter_mut().enumerate() {
            *x = c(k, r) / det;
        }
    }
    Some(inv)
}

/// PyRadiomics' `correctMask` (`imageoperations._correctMask`): the label must be present and
/// its bounding box (voxel corners) must lie within the image's physical extent (tolerance 1e-3
/// voxel, `_checkROI`); the mask is then resampled onto the image grid with nearest-neighbour
/// interpolation, as SimpleITK's `ResampleImageFilter` does (continuous index rounded half up,
/// points outside the mask are 0).
fn correct_mask(image: &Grid, mask: &MaskBox, label: u32) -> Result<MaskBox, HostError> {
    let bad = |m: String| HostError::new(HostErrorKind::Geometry, m);
    // The label's bounding box in the mask's index space.
    let (mut lo, mut hi) = ([usize::MAX; 3], [0usize; 3]);
    let at = |x: usize, y: usize, z: usize| -> Option<f64> {
        let s = mask.size;
        let (bx, by, bz) = (
            x.checked_sub(mask.lo[0])?,
            y.checked_sub(mask.lo[1])?,
            z.checked_sub(mask.lo[2])?,
        );
        if bx >= s[0] || by >= s[1] || bz >= s[2] {
            return Some(0.0);
        }
        mask.data.get_f64(bx + s[0] * (by + s[1] * bz))
    };
    for z in mask.lo[2]..mask.lo[2] + mask.size[2] {
        for y in mask.lo[1]..mask.lo[1] + mask.size[1] {
            for x in mask.lo[0]..mask.lo[0] + mask.size[0] {
                if at(x, y, z) == Some(f64::from(label)) {
                    for (a, p) in [x, y, z].into_iter().enumerate() {
                        lo[a] = lo[a].min(p);
                        hi[a] = hi[a].max(p);
                    }
                }
            }
        }
    }
    if lo[0] == usize::MAX {
        return Err(HostError::new(
            HostErrorKind::Mask,
            format!("correctMask: label ({label}) not present in mask"),
        ));
    }
    let m_to_phys = index_matrix(&mask.grid);
    let i_to_index = inverse(&index_matrix(image))
        .ok_or_else(|| bad("correctMask: the image's direction × spacing is singular".into()))?;
    let to_image_index = |c: [f64; 3]| {
        let p = mat_vec(&m_to_phys, c);
        let d = [0, 1, 2].map(|a| p[a] + mask.grid.origin[a] - image.origin[a]);
        mat_vec(&i_to_index, d)
    };
    let corners = [
        to_image_index(lo.map(|v| v as f64 - 0.5)),
        to_image_index(hi.map(|v| v as f64 + 0.5)),
    ];
    let tol = 1e-3;
    for a in 0..3 {
        let (mn, mx) = (
            corners[0][a].min(corners[1][a]),
            corners[0][a].max(corners[1][a]),
        );
        if mn < -0.5 - tol || mx > image.dims[a] as f64 - 0.5 + tol {
            return Err(bad(format!(
                "correctMask: bounding box of ROI is larger than image space: ROI bounds (x, y, z \
                 image coordinate space) {:?} – {:?}, image size {:?}",
                corners[0], corners[1], image.dims
            )));
        }
    }
    // Nearest-neighbour resampling of the whole mask onto the image grid.
    let i_to_phys = index_matrix(image);
    let m_to_index = inverse(&m_to_phys)
        .ok_or_else(|| bad("correctMask: the mask's direction × spacing is singular".into()))?;
    let md = mask.grid.dims;
    let d = image.dims;
    let mut out: Vec<u32> = Vec::with_capacity(d[0] * d[1] * d[2]);
    for z in 0..d[2] {
        for y in 0..d[1] {
            for x in 0..d[0] {
                let p = mat_vec(&i_to_phys, [x as f64, y as f64, z as f64]);
                let off = [0, 1, 2].map(|a| p[a] + image.origin[a] - mask.grid.origin[a]);
                let c = mat_vec(&m_to_index, off);
                let inside = (0..3).all(|a| c[a] >= -0.5 && c[a] < md[a] as f64 - 0.5);
                let v = if inside {
                    let i = c.map(|v| (v + 0.5).floor().max(0.0) as usize);
                    at(i[0], i[1], i[2]).unwrap_or(0.0)
                } else {
                    0.0
                };
                out.push(v as u32);
            }
        }
    }
    let resampled = Volume {
        dims: image.dims,
        spacing: image.spacing,
        origin: image.origin,
        direction: image.direction,
        data: VolumeData::U32(out),
    };
    MaskBox::from_mask(resampled).map_err(|e| bad(format!("correctMask: {e:#}")))
}

/// `|a − b| > tol`, NaN counting as a difference (vnl's `is_equal`).
fn differs(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs().partial_cmp(&tol) != Some(std::cmp::Ordering::Less)
        && (a - b).abs().partial_cmp(&tol) != Some(std::cmp::Ordering::Equal)
}

/// Python's `repr` of a float (shortest round trip), for diagnostics.
fn py_float(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else if x == x.trunc() && x.abs() < 1e16 {
        format!("{x:.1}")
    } else {
        let s = format!("{x:?}");
        // Rust writes 1e-7 / 1e20, Python 1e-07 / 1e+20.
        match s.split_once('e') {
            Some((m, e)) => {
                let (sign, digits) = match e.strip_prefix('-') {
                    Some(d) => ("-", d),
                    None => ("+", e),
                };
                format!("{m}e{sign}{digits:0>2}")
            }
            None => s,
        }
    }
}

fn py_tuple(xs: &[String]) -> String {
    format!("({})", xs.join(", "))
}

fn py_value(v: &crate::Value) -> String {
    use crate::Value;
    match v {
        Value::Null => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Int(i) => i.to_string(),
        Value::Float(x) => py_float(*x),
        Value::Str(s) => format!("'{s}'"),
        Value::List(l) => format!(
            "[{}]",
            l.iter().map(py_value).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(m) => py_dict(m),
    }
}

fn py_dict(m: &[(String, crate::Value)]) -> String {
    format!(
        "{{{}}}",
        m.iter()
            .map(|(k, v)| format!("'{k}': {}", py_value(v)))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Computes one case on views (mask checks, names, units, threads, diagnostics).
#[allow(clippy::too_many_arguments)]
fn run_case(
    iv: &ImageView,
    mv: &MaskView,
    label: u32,
    image_grid: &Grid,
    mask_grid: &Grid,
    plan: &Plan,
    params: &Params,
    threads: usize,
    progress: &(dyn Fn(Progress) + Sync),
    hashes: &Hashes,
) -> Result<CaseResult, HostError> {
    let roi = roi_box(iv, mv).map_err(|e| HostError {
        kind: HostErrorKind::Mask,
        message: format!("label {label}: {e}"),
        core_code: Some(e.code()),
    })?;
    let mut warnings = Vec::new();
    let mut out_names: Vec<String> = Vec::new();
    let mut units: Vec<Unit> = Vec::new();
    let mut unit_labels: Vec<String> = Vec::new();
    let parse = |n: &str| {
        FeatureName::parse(n).map_err(|e| HostError {
            kind: HostErrorKind::Unsupported,
            message: format!("feature {n}: {e}"),
            core_code: Some(e.code()),
        })
    };
    let mut add_unit = |names: Vec<String>,
                        settings: Settings,
                        skippable: bool,
                        unit_label: String,
                        out_names: &mut Vec<String>|
     -> Result<(), HostError> {
        if names.is_empty() {
            return Ok(());
        }
        let parsed: Vec<FeatureName> = names.iter().map(|n| parse(n)).collect::<Result<_, _>>()?;
        let start = out_names.len();
        out_names.extend(names);
        units.push(Unit {
            image_type: parsed[0].image_type,
            settings,
            slots: (start..start + parsed.len()).collect(),
            names: parsed,
            skippable,
        });
        unit_labels.push(unit_label);
        Ok(())
    };

    // Shape (then shape2D), on the original image with the global settings.
    let mut shape_names = Vec::new();
    if let Some(features) = &plan.shape {
        shape_names.extend(features.iter().map(|f| format!("original_shape_{f}")));
    }
    if let Some(features) = &plan.shape2d {
        match plan.global.force_2d {
            None => warnings.push(
                "shape2D is enabled but force2D is false: shape2D features are not computed (as \
                 PyRadiomics)"
                    .to_string(),
            ),
            Some(d) => {
                // PyRadiomics 3.0.1 reads the bounding box in x, y, z order here.
                let extent = roi.hi.get(usize::from(d)).zip(roi.lo.get(usize::from(d)));
                if extent.is_some_and(|(h, l)| h - l > 1) {
                    shape_names.extend(features.iter().map(|f| format!("original_shape2D_{f}")));
                } else {
                    warnings.push(format!(
                        "shape2D: the ROI's size along dimension {d} is 1: shape2D features are \
                         not computed (as PyRadiomics)"
                    ));
                }
            }
        }
    }
    add_unit(
        shape_names,
        plan.global,
        false,
        "shape".into(),
        &mut out_names,
    )?;

    for tp in &plan.types {
        for derived in &tp.derived {
            let mut names = Vec::new();
            for (class, features) in &plan.classes {
                names.extend(features.iter().map(|f| format!("{derived}_{class}_{f}")));
            }
            let is_log = tp.image_type == "LoG";
            if is_log && tp.settings.resample.is_none() && !tp.settings.pre_crop {
                let t = parse(&format!("{derived}_firstorder_Mean"))?.image_type;
                if let Err(radscore_core::Error::ImageTooSmallForFilter) =
                    radscore_core::filters::check_applicable(iv.dims(), iv.spacing(), &t)
                {
                    warnings.push(format!(
                        "{derived}: the image ({:?} voxels, spacing {:?}) is too small for this \
                         sigma: skipped (as PyRadiomics)",
                        iv.dims(),
                        iv.spacing()
                    ));
                    continue;
                }
            }
            add_unit(names, tp.settings, is_log, derived.clone(), &mut out_names)?;
        }
    }

    let total = units.len();
    let done = AtomicUsize::new(0);
    let (values, skipped) = compute_units(
        iv,
        mv,
        label,
        &units,
        out_names.len(),
        &mut Vec::new(),
        threads,
        &|u: &Unit| {
            let k = done.fetch_add(1, Ordering::Relaxed) + 1;
            let i = units.iter().position(|x| std::ptr::eq(x, u)).unwrap_or(0);
            progress(Progress {
                finished: unit_labels.get(i).map_or("", |s| s.as_str()),
                done: k,
                total,
            });
        },
    )
    .map_err(|e| HostError::from_anyhow(HostErrorKind::Extraction, &e))?;
    let mut keep = vec![true; out_names.len()];
    for (u, s) in units.iter().zip(&skipped) {
        if *s {
            warnings.push(format!(
                "{}: the image is too small for this filter: skipped (as PyRadiomics)",
                u.image_type
            ));
            for &k in &u.slots {
                keep[k] = false;
            }
        }
    }
    let features = out_names
        .into_iter()
        .zip(values)
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(nv, _)| nv)
        .collect();
    let diagnostics = if plan.additional_info {
        diagnostics(iv, mv, image_grid, mask_grid, &roi, params, hashes)
    } else {
        Vec::new()
    };
    Ok(CaseResult {
        features,
        diagnostics,
        warnings,
    })
}

/// Number of 26-connected components of the ROI (PyRadiomics' `VolumeNum`: SimpleITK's
/// `ConnectedComponentImageFilter` with full connectivity).
fn volume_count(mv: &MaskView, roi: &radscore_core::image::RoiBox, dims: [usize; 3]) -> usize {
    let b = roi.dims();
    let n = b[0] * b[1] * b[2];
    let inside = |i: usize| {
        let (x, y, z) = (i % b[0], (i / b[0]) % b[1], i / (b[0] * b[1]));
        mv.is_roi(roi.lo[0] + x + dims[0] * (roi.lo[1] + y + dims[1] * (roi.lo[2] + z)))
    };
    let mut seen = vec![false; n];
    let mut stack = Vec::new();
    let mut components = 0;
    for start in 0..n {
        if seen[start] || !inside(start) {
            continue;
        }
        components += 1;
        seen[start] = true;
        stack.push(start);
        while let Some(i) = stack.pop() {
            let p = [i % b[0], (i / b[0]) % b[1], i / (b[0] * b[1])];
            for dz in -1i64..=1 {
                for dy in -1i64..=1 {
                    for dx in -1i64..=1 {
                        let q = [p[0] as i64 + dx, p[1] as i64 + dy, p[2] as i64 + dz];
                        if (0..3).any(|a| q[a] < 0 || q[a] >= b[a] as i64) {
                            continue;
                        }
                        let j = q[0] as usize + b[0] * (q[1] as usize + b[1] * q[2] as usize);
                        if !seen[j] && inside(j) {
                            seen[j] = true;
                            stack.push(j);
                        }
                    }
                }
            }
        }
    }
    components
}

/// The `diagnostics_*` entries radscore states (PyRadiomics' names, Python formatting).
fn diagnostics(
    iv: &ImageView,
    mv: &MaskView,
    ig: &Grid,
    mg: &Grid,
    roi: &radscore_core::image::RoiBox,
    params: &Params,
    hashes: &Hashes,
) -> Vec<(String, String)> {
    let mut d: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: String| d.push((format!("diagnostics_{k}"), v));
    put("Versions_radscore", env!("CARGO_PKG_VERSION").to_string());
    put("Versions_PyRadiomics_reproduced", "v3.0.1".to_string());
    put("Configuration_Settings", py_dict(params.settings()));
    put(
        "Configuration_EnabledImageTypes",
        format!(
            "{{{}}}",
            params
                .image_types()
                .iter()
                .map(|(t, c)| format!("'{t}': {}", py_dict(c)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    let f3 = |x: [f64; 3]| py_tuple(&x.map(py_float));
    let u3 = |x: [usize; 3]| py_tuple(&x.map(|v| v.to_string()));
    if let Some(h) = &hashes.image {
        put("Image-original_Hash", h.clone());
    }
    put("Image-original_Dimensionality", "3D".into());
    put("Image-original_Spacing", f3(ig.spacing));
    put("Image-original_Size", u3(ig.dims));
    let n = iv.len();
    let (mut sum, mut lo, mut hi) = (0.0f64, f64::INFINITY, f64::NEG_INFINITY);
    for i in 0..n {
        let x = iv.get_f64(i);
        sum += x;
        lo = lo.min(x);
        hi = hi.max(x);
    }
    put("Image-original_Mean", py_float(sum / n.max(1) as f64));
    put("Image-original_Minimum", py_float(lo));
    put("Image-original_Maximum", py_float(hi));
    if let Some(h) = &hashes.mask {
        put("Mask-original_Hash", h.clone());
    }
    put("Mask-original_Spacing", f3(mg.spacing));
    put("Mask-original_Size", u3(mg.dims));
    let dims = iv.dims();
    let (mut count, mut c) = (0usize, [0.0f64; 3]);
    for z in roi.lo[2]..roi.hi[2] {
        for y in roi.lo[1]..roi.hi[1] {
            for x in roi.lo[0]..roi.hi[0] {
                if mv.is_roi(x + dims[0] * (y + dims[1] * z)) {
                    count += 1;
                    c[0] += x as f64;
                    c[1] += y as f64;
                    c[2] += z as f64;
                }
            }
        }
    }
    let size = roi.dims();
    put(
        "Mask-original_BoundingBox",
        py_tuple(
            &[roi.lo[0], roi.lo[1], roi.lo[2], size[0], size[1], size[2]].map(|v| v.to_string()),
        ),
    );
    put("Mask-original_VoxelNum", count.to_string());
    put(
        "Mask-original_VolumeNum",
        volume_count(mv, roi, dims).to_string(),
    );
    let com = c.map(|s| s / count.max(1) as f64);
    put("Mask-original_CenterOfMassIndex", f3(com));
    let mut phys = mg.origin;
    for (a, p) in phys.iter_mut().enumerate() {
        for (b, &ci) in com.iter().enumerate() {
            *p += mg.direction[b][a] * mg.spacing[b] * ci;
        }
    }
    put("Mask-original_CenterOfMass", f3(phys));
    d
}
