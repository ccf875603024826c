//! DICOM images (dicom-object + dicom-pixeldata, pure-Rust codecs: native, RLE, JPEG baseline /
//! extended / lossless, deflate) and DICOM-SEG masks.
//!
//! Read as SimpleITK reads them (PyRadiomics' reader), so features match PyRadiomics run on
//! SimpleITK-converted data:
//! * **series** (a folder of single-frame files): sorted along the slice normal
//!   (`ImagePositionPatient · (row × column)`), ascending, as GDCM's series helper; x = columns,
//!   y = rows; spacing x/y = PixelSpacing[1]/[0], z = |IPP_last − IPP_first| / (n − 1) and the
//!   z axis direction = (IPP_last − IPP_first) normalised (ITK's ImageSeriesReader); origin = IPP
//!   of the first slice. A single file: z spacing = SpacingBetweenSlices, else 1.
//! * **values**: stored values × RescaleSlope + RescaleIntercept, in the type GDCM picks: the
//!   stored type when there is no rescale; float64 when slope or intercept is not an integer;
//!   otherwise the smallest integer type holding the rescaled range of BitsStored.
//! * **enhanced multi-frame** files: frames placed by the per-frame PlanePositionSequence (same
//!   sorting), orientation and spacing from the functional groups; without functional groups the
//!   frames are taken in file order with spacing 1 (as SimpleITK).
//! * **DCE**: several phases in one series (or one enhanced file) are split by
//!   TemporalPositionIdentifier / TemporalPositionIndex, AcquisitionTime, ContentTime,
//!   TriggerTime or AcquisitionNumber, whichever splits them into complete volumes;
//!   [`ReadOptions::dce_phase`] picks one (0 = first, the pre-contrast phase; default 1, the
//!   first post-contrast phase).
//! * errors for gantry tilt / sheared stacks, missing slices (non-uniform spacing), duplicate
//!   positions, mixed sizes or orientations, several series in one folder.

mod prescan;
mod seg;

use super::{ReadOptions, Volume, VolumeData};
use anyhow::{anyhow, bail, Context};
use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::{InMemDicomObject, OpenFileOptions};
use dicom_pixeldata::{ConvertOptions, ModalityLutOption, PixelDecoder};
use std::path::{Path, PathBuf};

pub use prescan::check_lengths;
pub use seg::{read_seg, read_seg_on_grid};

type Obj = InMemDicomObject;

const SEG_SOP_CLASS: &str = "1.2.840.10008.5.1.4.1.1.66.4";

pub(crate) fn get_str(o: &Obj, t: Tag) -> Option<String> {
    o.get(t)
        .and_then(|e| e.to_str().ok())
        .map(|s| {
            s.trim_matches(|c: char| c.is_whitespace() || c == '\0')
                .to_string()
        })
        .filter(|s| !s.is_empty())
}

pub(crate) fn get_f64(o: &Obj, t: Tag) -> Option<f64> {
    o.get(t).and_then(|e| e.to_float64().ok())
}

pub(crate) fn get_f64s(o: &Obj, t: Tag) -> Option<Vec<f64>> {
    o.get(t).and_then(|e| e.to_multi_float64().ok())
}

pub(crate) fn get_int(o: &Obj, t: Tag) -> Option<i64> {
    o.get(t).and_then(|e| e.to_int::<i64>().ok())
}

pub(crate) fn get_seq(o: &Obj, t: Tag) -> Option<&[Obj]> {
    o.get(t).and_then(|e| e.items())
}

/// First item of sequence `seq` in the per-frame item, else in the shared item.
pub(crate) fn fg_item<'a>(
    per_frame: Option<&'a Obj>,
    shared: Option<&'a Obj>,
    seq: Tag,
) -> Option<&'a Obj> {
    per_frame
        .and_then(|p| get_seq(p, seq))
        .and_then(|s| s.first())
        .or_else(|| shared.and_then(|s| get_seq(s, seq)).and_then(|s| s.first()))
}

pub(crate) fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

pub(crate) fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

pub(crate) fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

pub(crate) fn norm(a: [f64; 3]) -> f64 {
    dot(a, a).sqrt()
}

pub(crate) fn vec3(v: &[f64], what: &str, file: &Path) -> anyhow::Result<[f64; 3]> {
    match v {
        [a, b, c, ..] => Ok([*a, *b, *c]),
        _ => bail!(
            "{}: {what} has {} values, expected 3",
            file.display(),
            v.len()
        ),
    }
}

pub(crate) fn orientation(v: &[f64], file: &Path) -> anyhow::Result<([f64; 3], [f64; 3])> {
    if v.len() != 6 {
        bail!(
            "{}: ImageOrientationPatient has {} values, expected 6",
            file.display(),
            v.len()
        );
    }
    Ok(([v[0], v[1], v[2]], [v[3], v[4], v[5]]))
}

/// `true` if the file is a DICOM Segmentation (reads the header only).
pub fn is_seg(path: &Path) -> bool {
    if path.is_dir() || check_lengths(path).is_err() {
        return false;
    }
    match OpenFileOptions::new()
        .read_until(tags::PIXEL_DATA)
        .open_file(path)
    {
        Ok(o) => {
            get_str(&o, tags::SOP_CLASS_UID).as_deref() == Some(SEG_SOP_CLASS)
                || get_str(&o, tags::MODALITY).as_deref() == Some("SEG")
        }
        Err(_) => false,
    }
}

/// Reads a DICOM image: a folder (one series) or one file (single- or multi-frame). A DICOM-SEG
/// file is read on its own frame grid (see [`read_seg`]).
pub fn read(path: &Path, opts: &ReadOptions) -> anyhow::Result<Volume> {
    if path.is_dir() {
        return read_series_dir(path, opts);
    }
    if is_seg(path) {
        return read_seg(path, opts);
    }
    check_lengths(path)?;
    let obj = dicom_object::open_file(path)
        .map_err(|e| anyhow!("{}: not a readable DICOM file: {e}", path.display()))?;
    let frames = get_int(&obj, tags::NUMBER_OF_FRAMES).unwrap_or(1);
    if frames > 1 {
        read_multiframe(path, &obj, opts)
    } else {
        read_series_files(&[path.to_path_buf()], opts)
    }
}

/// Header fields of one single-frame file.
#[derive(Debug, Clone)]
struct SliceInfo {
    path: PathBuf,
    series: String,
    rows: usize,
    cols: usize,
    ipp: Option<[f64; 3]>,
    iop: Option<([f64; 3], [f64; 3])>,
    pixel_spacing: Option<[f64; 2]>,
    spacing_between: Option<f64>,
    tilt: f64,
    /// phase keys, in order of preference
    keys: [Option<f64>; 5],
    instance: i64,
}

const KEY_NAMES: [&str; 5] = [
    "TemporalPositionIdentifier",
    "AcquisitionTime",
    "ContentTime",
    "TriggerTime",
    "AcquisitionNumber",
];

/// DICOM TM (HHMMSS.frac) → seconds.
fn tm_seconds(s: &str) -> Option<f64> {
    let s = s.trim();
    let (hms, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits: String = hms.chars().filter(|c| c.is_ascii_digit()).collect();
    let h: f64 = digits.get(0..2)?.parse().ok()?;
    let m: f64 = digits.get(2..4).unwrap_or("0").parse().ok()?;
    let sec: f64 = digits.get(4..6).unwrap_or("0").parse().ok()?;
    let f: f64 = if frac.is_empty() {
        0.0
    } else {
        format!("0.{frac}").parse().ok()?
    };
    Some(h * 3600.0 + m * 60.0 + sec + f)
}

fn slice_info(path: &Path) -> anyhow::Result<Option<SliceInfo>> {
    check_lengths(path)?;
    let o = match OpenFileOptions::new()
        .read_until(tags::PIXEL_DATA)
        .open_file(path)
    {
        Ok(o) => o,
        Err(_) => return Ok(None), // not DICOM: ignored in a folder
    };
    if get_str(&o, tags::SOP_CLASS_UID).as_deref() == Some(SEG_SOP_CLASS)
        || get_str(&o, tags::MODALITY).as_deref() == Some("SEG")
        || o.get(tags::ROWS).is_none()
    {
        return Ok(None); // segmentations, DICOMDIR, reports
    }
    let rows = get_int(&o, tags::ROWS).unwrap_or(0) as usize;
    let cols = get_int(&o, tags::COLUMNS).unwrap_or(0) as usize;
    let ipp = match get_f64s(&o, tags::IMAGE_POSITION_PATIENT) {
        Some(v) => Some(vec3(&v, "ImagePositionPatient", path)?),
        None => None,
    };
    let iop = match get_f64s(&o, tags::IMAGE_ORIENTATION_PATIENT) {
        Some(v) => Some(orientation(&v, path)?),
        None => None,
    };
    let pixel_spacing = get_f64s(&o, tags::PIXEL_SPACING).and_then(|v| match v[..] {
        [a, b, ..] => Some([a, b]),
        _ => None,
    });
    let time = |t: Tag| get_str(&o, t).and_then(|s| tm_seconds(&s));
    Ok(Some(SliceInfo {
        path: path.to_path_buf(),
        series: get_str(&o, tags::SERIES_INSTANCE_UID).unwrap_or_default(),
        rows,
        cols,
        ipp,
        iop,
        pixel_spacing,
        spacing_between: get_f64(&o, tags::SPACING_BETWEEN_SLICES),
        tilt: get_f64(&o, tags::GANTRY_DETECTOR_TILT).unwrap_or(0.0),
        keys: [
            get_f64(&o, tags::TEMPORAL_POSITION_IDENTIFIER),
            time(tags::ACQUISITION_TIME),
            time(tags::CONTENT_TIME),
            get_f64(&o, tags::TRIGGER_TIME),
            get_f64(&o, tags::ACQUISITION_NUMBER),
        ],
        instance: get_int(&o, tags::INSTANCE_NUMBER).unwrap_or(0),
    }))
}

fn read_series_dir(dir: &Path, opts: &ReadOptions) -> anyhow::Result<Volume> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("{}: the folder holds no files", dir.display());
    }
    read_series_files(&files, opts)
}

/// Quantised position key for grouping equal slice positions.
fn pos_key(d: f64) -> i64 {
    (d * 1000.0).round() as i64
}

fn read_series_files(files: &[PathBuf], opts: &ReadOptions) -> anyhow::Result<Volume> {
    let mut infos = Vec::new();
    for f in files {
        if let Some(i) = slice_info(f)? {
            infos.push(i);
        }
    }
    let where_ = || {
        if files.len() == 1 {
            files[0].display().to_string()
        } else {
            files[0]
                .parent()
                .map_or(String::new(), |p| p.display().to_string())
        }
    };
    if infos.is_empty() {
        bail!("{}: no DICOM image files found", where_());
    }
    let mut series: Vec<&str> = infos.iter().map(|i| i.series.as_str()).collect();
    series.sort();
    series.dedup();
    if series.len() > 1 {
        bail!(
            "{}: the folder holds {} series ({}); point to a folder with one series",
            where_(),
            series.len(),
            series.join(", ")
        );
    }
    // sizes and orientation must agree
    let first = infos[0].clone();
    for i in &infos {
        if (i.rows, i.cols) != (first.rows, first.cols) {
            bail!(
                "mixed image sizes in the series: {} is {}x{} but {} is {}x{} (columns x rows)",
                first.path.display(),
                first.cols,
                first.rows,
                i.path.display(),
                i.cols,
                i.rows
            );
        }
    }
    if infos.len() == 1 {
        return load_slices(&infos, opts);
    }
    let (row, col) = first.iop.ok_or_else(|| {
        anyhow!(
            "{}: no ImageOrientationPatient; cannot order the slices",
            first.path.display()
        )
    })?;
    for i in &infos {
        let (r, c) = i.iop.ok_or_else(|| {
            anyhow!(
                "{}: no ImageOrientationPatient; cannot order the slices",
                i.path.display()
            )
        })?;
        if norm(sub(r, row)) > 1e-4 || norm(sub(c, col)) > 1e-4 {
            bail!(
                "mixed slice orientations in the series: {} and {}",
                first.path.display(),
                i.path.display()
            );
        }
        if i.ipp.is_none() {
            bail!(
                "{}: no ImagePositionPatient; cannot order the slices",
                i.path.display()
            );
        }
        if i.tilt.abs() > 1e-6 {
            bail!(
                "{}: gantry/detector tilt of {} degrees; tilted stacks are not supported (resample first)",
                i.path.display(),
                i.tilt
            );
        }
    }
    let normal = cross(row, col);
    let dist = |i: &SliceInfo| dot(normal, i.ipp.unwrap_or([0.0; 3]));
    let mut positions: Vec<i64> = infos.iter().map(|i| pos_key(dist(i))).collect();
    positions.sort();
    positions.dedup();
    let n_pos = positions.len();

    let phases: Vec<Vec<SliceInfo>> = if n_pos == infos.len() {
        vec![infos]
    } else {
        split_phases(infos, n_pos, &dist)?
    };
    let phase = choose_phase(phases.len(), opts, &where_())?;
    let mut chosen = phases.into_iter().nth(phase).unwrap_or_default();
    chosen.sort_by(|a, b| dist(a).total_cmp(&dist(b)));
    check_stack(&chosen, normal)?;
    load_slices(&chosen, opts)
}

fn choose_phase(n: usize, opts: &ReadOptions, what: &str) -> anyhow::Result<usize> {
    match opts.dce_phase {
        Some(p) if p < n => Ok(p),
        Some(p) => bail!("{what}: phase {p} requested (0-based), the series has {n} phase(s)"),
        None if n == 1 => Ok(0),
        None => Ok(1),
    }
}

/// Splits a series whose positions repeat into phases (complete volumes).
fn split_phases(
    infos: Vec<SliceInfo>,
    n_pos: usize,
    dist: &dyn Fn(&SliceInfo) -> f64,
) -> anyhow::Result<Vec<Vec<SliceInfo>>> {
    let n = infos.len();
    let complete = |g: &[SliceInfo]| {
        let mut p: Vec<i64> = g.iter().map(|i| pos_key(dist(i))).collect();
        p.sort();
        p.dedup();
        p.len() == n_pos && g.len() == n_pos
    };
    for k in 0..KEY_NAMES.len() {
        if infos.iter().any(|i| i.keys[k].is_none()) {
            continue;
        }
        let mut vals: Vec<f64> = infos.iter().filter_map(|i| i.keys[k]).collect();
        vals.sort_by(f64::total_cmp);
        vals.dedup();
        if vals.len() * n_pos != n {
            continue;
        }
        let groups: Vec<Vec<SliceInfo>> = vals
            .iter()
            .map(|v| {
                infos
                    .iter()
                    .filter(|i| i.keys[k] == Some(*v))
                    .cloned()
                    .collect()
            })
            .collect();
        if groups.iter().all(|g| complete(g)) {
            return Ok(groups);
        }
    }
    // Fallback: every position holds the same number of slices, one per phase; the k-th slice
    // of each position in time order (TemporalPositionIdentifier, AcquisitionTime, ContentTime,
    // TriggerTime, AcquisitionNumber, then InstanceNumber) belongs to phase k. This copes with
    // times that differ from slice to slice within a phase.
    if n % n_pos == 0 {
        let m = n / n_pos;
        let mut by_pos: std::collections::BTreeMap<i64, Vec<SliceInfo>> = Default::default();
        for i in &infos {
            by_pos.entry(pos_key(dist(i))).or_default().push(i.clone());
        }
        if by_pos.values().all(|g| g.len() == m) {
            let mut groups: Vec<Vec<SliceInfo>> = vec![Vec::with_capacity(n_pos); m];
            for g in by_pos.values_mut() {
                g.sort_by(|a, b| {
                    let mut o = std::cmp::Ordering::Equal;
                    for k in 0..KEY_NAMES.len() {
                        o = o.then(match (a.keys[k], b.keys[k]) {
                            (Some(x), Some(y)) => x.total_cmp(&y),
                            _ => std::cmp::Ordering::Equal,
                        });
                    }
                    o.then(a.instance.cmp(&b.instance))
                });
                for (k, s) in g.iter().enumerate() {
                    groups[k].push(s.clone());
                }
            }
            return Ok(groups);
        }
    }
    let dup = infos
        .iter()
        .enumerate()
        .find_map(|(a, x)| {
            infos
                .iter()
                .skip(a + 1)
                .find(|y| pos_key(dist(y)) == pos_key(dist(x)))
                .map(|y| (x.path.clone(), y.path.clone()))
        })
        .unwrap_or_default();
    bail!(
        "{} files but only {n_pos} distinct slice positions (e.g. {} and {} share a position), and no \
         phase key ({}) splits them into complete volumes",
        n,
        dup.0.display(),
        dup.1.display(),
        KEY_NAMES.join(", ")
    )
}

/// Checks a sorted stack: slices move along the normal (no tilt/shear) with uniform spacing.
fn check_stack(s: &[SliceInfo], normal: [f64; 3]) -> anyhow::Result<()> {
    if s.len() < 2 {
        return Ok(());
    }
    let p = |i: usize| s[i].ipp.unwrap_or([0.0; 3]);
    let total = sub(p(s.len() - 1), p(0));
    let len = norm(total);
    if len == 0.0 {
        bail!("all slices share one position");
    }
    let sin = norm(cross(total, normal)) / len;
    if sin > 1e-3 {
        bail!(
            "the slices of {} .. {} do not move along the slice normal (gantry tilt or sheared \
             stack, angle {:.3} degrees); not supported",
            s[0].path.display(),
            s[s.len() - 1].path.display(),
            sin.asin().to_degrees()
        );
    }
    // The usual spacing is the median step: one gap then stands out as the pair to report.
    let mut steps: Vec<f64> = (1..s.len()).map(|i| norm(sub(p(i), p(i - 1)))).collect();
    steps.sort_by(f64::total_cmp);
    let expected = steps[steps.len() / 2];
    for i in 1..s.len() {
        let d = norm(sub(p(i), p(i - 1)));
        if d < 1e-6 * expected.max(1e-12) {
            bail!(
                "duplicate slice position: {} and {}",
                s[i - 1].path.display(),
                s[i].path.display()
            );
        }
        if (d - expected).abs() > 0.01 * expected {
            let what = if d > expected {
                format!(
                    "missing slices: about {:.0} slice(s) missing between",
                    d / expected - 1.0
                )
            } else {
                "non-uniform slice spacing between".to_string()
            };
            bail!(
                "{what} {} and {} ({d} mm apart, the other slices {expected} mm)",
                s[i - 1].path.display(),
                s[i].path.display()
            );
        }
    }
    Ok(())
}

/// Voxel type SimpleITK (GDCM) uses for stored values with this rescale.
#[derive(Clone, Copy, Debug, PartialEq)]
enum OutType {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    F64,
}

fn out_type(bits_alloc: u16, bits_stored: u16, signed: bool, slope: f64, inter: f64) -> OutType {
    if slope == 1.0 && inter == 0.0 {
        return match (bits_alloc, signed) {
            (8, false) => OutType::U8,
            (8, true) => OutType::I8,
            (16, false) => OutType::U16,
            (16, true) => OutType::I16,
            (_, false) => OutType::U32,
            (_, true) => OutType::I32,
        };
    }
    if slope.fract() != 0.0 || inter.fract() != 0.0 {
        return OutType::F64;
    }
    let bs = i32::from(bits_stored.clamp(1, 32));
    let (pmin, pmax) = if signed {
        (-(2f64.powi(bs - 1)), 2f64.powi(bs - 1) - 1.0)
    } else {
        (0.0, 2f64.powi(bs) - 1.0)
    };
    let (a, b) = (slope * pmin + inter, slope * pmax + inter);
    let (min, max) = (a.min(b), a.max(b));
    if min >= 0.0 {
        if max <= 255.0 {
            OutType::U8
        } else if max <= 65535.0 {
            OutType::U16
        } else if max <= 4294967295.0 {
            OutType::U32
        } else {
            OutType::F64
        }
    } else if min >= -128.0 && max <= 127.0 {
        OutType::I8
    } else if min >= -32768.0 && max <= 32767.0 {
        OutType::I16
    } else if min >= -2147483648.0 && max <= 2147483647.0 {
        OutType::I32
    } else {
        OutType::F64
    }
}

fn to_data(t: OutType, v: Vec<f64>) -> VolumeData {
    match t {
        OutType::I8 => VolumeData::I8(v.into_iter().map(|x| x as i8).collect()),
        OutType::U8 => VolumeData::U8(v.into_iter().map(|x| x as u8).collect()),
        OutType::I16 => VolumeData::I16(v.into_iter().map(|x| x as i16).collect()),
        OutType::U16 => VolumeData::U16(v.into_iter().map(|x| x as u16).collect()),
        OutType::I32 => VolumeData::I32(v.into_iter().map(|x| x as i32).collect()),
        OutType::U32 => VolumeData::U32(v.into_iter().map(|x| x as u32).collect()),
        OutType::F64 => VolumeData::F64(v),
    }
}

/// Stored values of all frames (no rescale), as f64.
fn stored_values(obj: &dicom_object::DefaultDicomObject, path: &Path) -> anyhow::Result<Vec<f64>> {
    let samples = get_int(obj, tags::SAMPLES_PER_PIXEL).unwrap_or(1);
    if samples != 1 {
        bail!(
            "{}: {samples} samples per pixel (colour image); expected a grey-scale image",
            path.display()
        );
    }
    check_pixel_claim(obj, path)?;
    check_rle_headers(obj, path)?;
    guarded(path, || {
        let d = obj
            .decode_pixel_data()
            .map_err(|e| anyhow!("{}: cannot decode the pixel data: {e}", path.display()))?;
        d.to_vec_with_options::<f64>(
            &ConvertOptions::new().with_modality_lut(ModalityLutOption::None),
        )
        .map_err(|e| anyhow!("{}: cannot convert the pixel data: {e}", path.display()))
    })
}

/// Refuses a header whose Rows × Columns × Number of Frames exceeds the voxel limit
/// ([`crate::io::max_voxels`]) before dicom-rs decodes (and allocates) it: fuzzing found a 7 KB
/// file that made the decoder ask for 4 GB.
pub(crate) fn check_pixel_claim(obj: &Obj, path: &Path) -> anyhow::Result<()> {
    let dim = |t| get_int(obj, t).unwrap_or(1).clamp(0, i64::from(u32::MAX)) as u64;
    let n = dim(tags::ROWS)
        .saturating_mul(dim(tags::COLUMNS))
        .saturating_mul(dim(tags::NUMBER_OF_FRAMES).max(1));
    let max = crate::io::max_voxels() as u64;
    if n > max {
        bail!(
            "{}: Rows × Columns × Number of Frames is {n} pixels, more than the limit of {max} \
             (set RADSCORE_MAX_VOXELS to raise it)",
            path.display()
        );
    }
    Ok(())
}

/// RLE Lossless (1.2.840.10008.1.2.5): every frame's fragment must start with an RLE header of 64
/// bytes whose segment count is at most 15 (DICOM PS3.5 G.5), checked before dicom-rs decodes
/// it: dicom-transfer-syntax-registry 0.10.1 allocates one u32 per claimed segment without a
/// check, and fuzzing found a 7.8 KB file whose count made it ask for 2.2 GB.
pub(crate) fn check_rle_headers(
    obj: &dicom_object::DefaultDicomObject,
    path: &Path,
) -> anyhow::Result<()> {
    if obj.meta().transfer_syntax().trim_end_matches('\0') != "1.2.840.10008.1.2.5" {
        return Ok(());
    }
    let Some(fragments) = obj
        .get(tags::PIXEL_DATA)
        .and_then(|e| e.value().fragments())
    else {
        return Ok(());
    };
    for (i, f) in fragments.iter().enumerate() {
        let count = f
            .get(..4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        match count {
            Some(n) if n <= 15 && f.len() >= 64 => {}
            Some(n) => bail!(
                "{}: RLE fragment {} ({} bytes) claims {n} segments; expected a 64-byte RLE \
                 header with at most 15 segments",
                path.display(),
                i + 1,
                f.len()
            ),
            None => bail!(
                "{}: RLE fragment {} has {} bytes, fewer than its 64-byte header",
                path.display(),
                i + 1,
                f.len()
            ),
        }
    }
    Ok(())
}

/// Runs a pixel decoder of the dicom-rs crates, turning a panic into an error naming the file.
/// Fuzzing found one (dicom-transfer-syntax-registry 0.10.1's RLE Lossless decoder indexes past
/// its buffer on a malformed segment): a hostile file must give an error, never a crash.
pub(crate) fn guarded<T>(path: &Path, f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(anyhow!(
            "{}: the pixel data cannot be decoded (malformed compressed data; the decoder failed)",
            path.display()
        ))
    })
}

fn pixel_format(obj: &Obj) -> (u16, u16, bool) {
    let ba = get_int(obj, tags::BITS_ALLOCATED).unwrap_or(16) as u16;
    let bs = get_int(obj, tags::BITS_STORED).unwrap_or(i64::from(ba)) as u16;
    let signed = get_int(obj, tags::PIXEL_REPRESENTATION).unwrap_or(0) == 1;
    (ba, bs, signed)
}

fn load_slices(s: &[SliceInfo], _opts: &ReadOptions) -> anyhow::Result<Volume> {
    let first = &s[0];
    let (cols, rows) = (first.cols, first.rows);
    let mut values: Vec<f64> = Vec::with_capacity(cols * rows * s.len());
    let mut ty = None;
    let mut rescales = Vec::new();
    for info in s {
        check_lengths(&info.path)?;
        let obj = dicom_object::open_file(&info.path)
            .map_err(|e| anyhow!("{}: not a readable DICOM file: {e}", info.path.display()))?;
        let slope = get_f64(&obj, tags::RESCALE_SLOPE).unwrap_or(1.0);
        let inter = get_f64(&obj, tags::RESCALE_INTERCEPT).unwrap_or(0.0);
        let (ba, bs, signed) = pixel_format(&obj);
        if ty.is_none() {
            ty = Some(out_type(ba, bs, signed, slope, inter));
        }
        rescales.push((slope, inter));
        let v = stored_values(&obj, &info.path)?;
        if v.len() != rows * cols {
            bail!(
                "{}: {} pixel values, expected {} ({}x{})",
                info.path.display(),
                v.len(),
                rows * cols,
                cols,
                rows
            );
        }
        values.extend(v.into_iter().map(|x| x * slope + inter));
    }
    let mut ty = ty.unwrap_or(OutType::F64);
    if rescales.iter().any(|r| *r != rescales[0]) && ty != OutType::F64 {
        ty = OutType::F64; // per-slice rescale: keep exact values
    }
    let ps = first.pixel_spacing.unwrap_or([1.0, 1.0]);
    let (row_dir, col_dir) = first.iop.unwrap_or(([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]));
    let origin = first.ipp.unwrap_or([0.0; 3]);
    let (z, zdir) = if s.len() > 1 {
        let d = sub(s[s.len() - 1].ipp.unwrap_or([0.0; 3]), origin);
        let l = norm(d);
        (l / (s.len() - 1) as f64, [d[0] / l, d[1] / l, d[2] / l])
    } else {
        (
            first.spacing_between.filter(|x| *x > 0.0).unwrap_or(1.0),
            cross(row_dir, col_dir),
        )
    };
    Ok(Volume {
        dims: [cols, rows, s.len()],
        spacing: [ps[1], ps[0], z],
        origin,
        direction: [row_dir, col_dir, zdir],
        data: to_data(ty, values),
    })
}

/// Enhanced (multi-frame) image: frames placed by their functional groups.
fn read_multiframe(
    path: &Path,
    obj: &dicom_object::DefaultDicomObject,
    opts: &ReadOptions,
) -> anyhow::Result<Volume> {
    let rows = get_int(obj, tags::ROWS).unwrap_or(0) as usize;
    let cols = get_int(obj, tags::COLUMNS).unwrap_or(0) as usize;
    let nf = get_int(obj, tags::NUMBER_OF_FRAMES).unwrap_or(1).max(1) as usize;
    let shared = get_seq(obj, tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE).and_then(|s| s.first());
    let per_frame = get_seq(obj, tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE).unwrap_or(&[]);
    let (ba, bs, signed) = pixel_format(obj);
    let stored = stored_values(obj, path)?;
    let fsize = rows * cols;
    if stored.len() < fsize * nf {
        bail!(
            "{}: {} pixel values, expected {} ({nf} frames of {cols}x{rows})",
            path.display(),
            stored.len(),
            fsize * nf
        );
    }
    struct Frame {
        index: usize,
        pos: Option<[f64; 3]>,
        iop: Option<([f64; 3], [f64; 3])>,
        spacing: Option<[f64; 2]>,
        between: Option<f64>,
        slope: f64,
        inter: f64,
        temporal: Option<f64>,
    }
    let top_slope = get_f64(obj, tags::RESCALE_SLOPE).unwrap_or(1.0);
    let top_inter = get_f64(obj, tags::RESCALE_INTERCEPT).unwrap_or(0.0);
    let mut frames = Vec::with_capacity(nf);
    for i in 0..nf {
        let pf = per_frame.get(i);
        let pos = match fg_item(pf, shared, tags::PLANE_POSITION_SEQUENCE)
            .and_then(|o| get_f64s(o, tags::IMAGE_POSITION_PATIENT))
        {
            Some(v) => Some(vec3(&v, "ImagePositionPatient", path)?),
            None => None,
        };
        let iop = match fg_item(pf, shared, tags::PLANE_ORIENTATION_SEQUENCE)
            .and_then(|o| get_f64s(o, tags::IMAGE_ORIENTATION_PATIENT))
        {
            Some(v) => Some(orientation(&v, path)?),
            None => None,
        };
        let pm = fg_item(pf, shared, tags::PIXEL_MEASURES_SEQUENCE);
        let spacing = pm
            .and_then(|o| get_f64s(o, tags::PIXEL_SPACING))
            .and_then(|v| match v[..] {
                [a, b, ..] => Some([a, b]),
                _ => None,
            });
        let between = pm.and_then(|o| get_f64(o, tags::SPACING_BETWEEN_SLICES));
        let pvt = fg_item(pf, shared, tags::PIXEL_VALUE_TRANSFORMATION_SEQUENCE);
        let slope = pvt
            .and_then(|o| get_f64(o, tags::RESCALE_SLOPE))
            .unwrap_or(top_slope);
        let inter = pvt
            .and_then(|o| get_f64(o, tags::RESCALE_INTERCEPT))
            .unwrap_or(top_inter);
        let temporal = fg_item(pf, shared, tags::FRAME_CONTENT_SEQUENCE)
            .and_then(|o| get_f64(o, tags::TEMPORAL_POSITION_INDEX));
        frames.push(Frame {
            index: i,
            pos,
            iop,
            spacing,
            between,
            slope,
            inter,
            temporal,
        });
    }
    let have_geometry = frames.iter().all(|f| f.pos.is_some() && f.iop.is_some());
    let mut chosen: Vec<&Frame> = frames.iter().collect();
    // phases by TemporalPositionIndex
    let mut temporals: Vec<f64> = frames.iter().filter_map(|f| f.temporal).collect();
    temporals.sort_by(f64::total_cmp);
    temporals.dedup();
    if temporals.len() > 1 && frames.iter().all(|f| f.temporal.is_some()) {
        let p = choose_phase(temporals.len(), opts, &path.display().to_string())?;
        chosen.retain(|f| f.temporal == Some(temporals[p]));
    } else if opts.dce_phase.unwrap_or(0) > 0 {
        bail!(
            "{}: phase {} requested, but the file has a single phase",
            path.display(),
            opts.dce_phase.unwrap_or(0)
        );
    }
    let f0 = chosen[0];
    let (row_dir, col_dir) = f0.iop.unwrap_or(([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]));
    let normal = cross(row_dir, col_dir);
    let (origin, z, zdir) = if have_geometry {
        for f in &chosen {
            let (r, c) = f.iop.unwrap_or((row_dir, col_dir));
            if norm(sub(r, row_dir)) > 1e-4 || norm(sub(c, col_dir)) > 1e-4 {
                bail!(
                    "{}: frames {} and {} have different orientations",
                    path.display(),
                    f0.index + 1,
                    f.index + 1
                );
            }
        }
        chosen.sort_by(|a, b| {
            dot(normal, a.pos.unwrap_or([0.0; 3]))
                .total_cmp(&dot(normal, b.pos.unwrap_or([0.0; 3])))
        });
        let infos: Vec<SliceInfo> = chosen
            .iter()
            .map(|f| SliceInfo {
                path: PathBuf::from(format!("{} frame {}", path.display(), f.index + 1)),
                series: String::new(),
                rows,
                cols,
                ipp: f.pos,
                iop: f.iop,
                pixel_spacing: f.spacing,
                spacing_between: f.between,
                tilt: 0.0,
                keys: [None; 5],
                instance: 0,
            })
            .collect();
        check_stack(&infos, normal)?;
        let o = chosen[0].pos.unwrap_or([0.0; 3]);
        if chosen.len() > 1 {
            let d = sub(chosen[chosen.len() - 1].pos.unwrap_or([0.0; 3]), o);
            let l = norm(d);
            (
                o,
                l / (chosen.len() - 1) as f64,
                [d[0] / l, d[1] / l, d[2] / l],
            )
        } else {
            (o, f0.between.filter(|x| *x > 0.0).unwrap_or(1.0), normal)
        }
    } else {
        ([0.0; 3], 1.0, normal)
    };
    let ps = f0.spacing.unwrap_or([1.0, 1.0]);
    let mut ty = out_type(ba, bs, signed, f0.slope, f0.inter);
    if chosen
        .iter()
        .any(|f| (f.slope, f.inter) != (f0.slope, f0.inter))
    {
        ty = OutType::F64;
    }
    let mut values = Vec::with_capacity(fsize * chosen.len());
    for f in &chosen {
        let src = &stored[f.index * fsize..(f.index + 1) * fsize];
        values.extend(src.iter().map(|x| x * f.slope + f.inter));
    }
    Ok(Volume {
        dims: [cols, rows, chosen.len()],
        spacing: [ps[1], ps[0], z],
        origin,
        direction: [row_dir, col_dir, zdir],
        data: to_data(ty, values),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(z: f64, acq: f64, instance: i64) -> SliceInfo {
        SliceInfo {
            path: PathBuf::from(format!("s{instance}")),
            series: String::new(),
            rows: 2,
            cols: 2,
            ipp: Some([0.0, 0.0, z]),
            iop: Some(([1.0, 0.0, 0.0], [0.0, 1.0, 0.0])),
            pixel_spacing: None,
            spacing_between: None,
            tilt: 0.0,
            keys: [None, Some(acq), Some(acq), None, None],
            instance,
        }
    }

    #[test]
    fn phases_with_per_slice_times_are_split_by_time_order_at_each_position() {
        // 3 phases x 4 slices; every slice has its own acquisition time (no exact grouping).
        let mut v = Vec::new();
        for p in 0..3 {
            for k in 0..4 {
                let t = 100.0 * p as f64 + 7.0 * k as f64;
                v.push(info(2.0 * k as f64, t, 10 * p + k));
            }
        }
        v.reverse();
        let dist = |i: &SliceInfo| i.ipp.map_or(0.0, |p| p[2]);
        let g = split_phases(v, 4, &dist).unwrap();
        assert_eq!(g.len(), 3);
        for (p, phase) in g.iter().enumerate() {
            let mut inst: Vec<i64> = phase.iter().map(|s| s.instance).collect();
            inst.sort();
            let want: Vec<i64> = (0..4).map(|k| 10 * p as i64 + k).collect();
            assert_eq!(inst, want);
        }
    }

    #[test]
    fn tm_parses_dicom_times() {
        assert_eq!(tm_seconds("130200"), Some(13.0 * 3600.0 + 120.0));
        assert_eq!(tm_seconds("1302"), Some(13.0 * 3600.0 + 120.0));
        assert_eq!(tm_seconds("130200.5"), Some(13.0 * 3600.0 + 120.5));
        assert_eq!(tm_seconds("x"), None);
    }
}

#[cfg(test)]
mod claim_tests {
    use super::*;
    use dicom_core::{DataElement, PrimitiveValue, VR};

    fn header(rows: u16, cols: u16, frames: &str) -> Obj {
        let mut o = Obj::new_empty();
        o.put(DataElement::new(
            tags::ROWS,
            VR::US,
            PrimitiveValue::from(rows),
        ));
        o.put(DataElement::new(
            tags::COLUMNS,
            VR::US,
            PrimitiveValue::from(cols),
        ));
        o.put(DataElement::new(
            tags::NUMBER_OF_FRAMES,
            VR::IS,
            PrimitiveValue::from(frames),
        ));
        o
    }

    /// A header claiming more pixels than the voxel limit is refused before any decoding.
    #[test]
    fn pixel_claims_beyond_the_voxel_limit_are_refused() {
        let p = Path::new("x.dcm");
        assert!(check_pixel_claim(&header(512, 512, "100"), p).is_ok());
        let e = check_pixel_claim(&header(65535, 65535, "1000"), p).unwrap_err();
        assert!(e.to_string().contains("RADSCORE_MAX_VOXELS"), "{e}");
    }
}
