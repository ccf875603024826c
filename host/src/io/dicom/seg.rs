//! DICOM Segmentation (SEG) masks, written here on dicom-object (no permissive SEG crate exists;
//! dicom-pixeldata cannot convert 1-bit data).
//!
//! * BINARY (1 bit, packed LSB first and read **continuously across frame boundaries**: frame f
//!   pixel p is bit `f·rows·cols + p` of the pixel data), FRACTIONAL (8 bit; a voxel is in the ROI
//!   when value / MaximumFractionalValue ≥ 0.5) and LABELMAP (value = segment number).
//! * the segment is chosen by number ([`ReadOptions::segment_number`], default 1) or by
//!   SegmentLabel ([`ReadOptions::segment_label`]); the returned mask holds the requested number
//!   (default 1) inside the segment and 0 elsewhere.
//! * frames are placed by their Per-frame (or Shared) Functional Groups: PlanePositionSequence,
//!   PlaneOrientationSequence, PixelMeasuresSequence, SegmentIdentificationSequence — either on
//!   the referenced image's grid ([`read_seg_on_grid`]) or on the SEG's own grid ([`read_seg`]).

use super::{
    cross, dot, fg_item, get_f64, get_f64s, get_int, get_seq, get_str, norm, orientation, sub,
    vec3, Obj,
};
use crate::io::{ReadOptions, Volume, VolumeData};
use anyhow::{anyhow, bail};
use dicom_dictionary_std::tags;
use dicom_pixeldata::PixelDecoder;
use std::path::Path;

struct SegFrame {
    index: usize,
    segment: u32,
    pos: [f64; 3],
}

struct Seg {
    rows: usize,
    cols: usize,
    row_dir: [f64; 3],
    col_dir: [f64; 3],
    spacing: [f64; 2],
    between: Option<f64>,
    thickness: Option<f64>,
    kind: String,
    max_fractional: f64,
    bits: u16,
    pixels: Vec<u8>,
    frames: Vec<SegFrame>,
    segments: Vec<(u32, String)>,
}

impl Seg {
    fn in_roi(&self, frame: usize, p: usize, segment: u32) -> bool {
        let idx = frame * self.rows * self.cols + p;
        match (self.kind.as_str(), self.bits) {
            (_, 1) => self
                .pixels
                .get(idx / 8)
                .is_some_and(|b| (b >> (idx % 8)) & 1 == 1),
            ("LABELMAP", 8) => self
                .pixels
                .get(idx)
                .is_some_and(|&v| u32::from(v) == segment),
            ("LABELMAP", 16) => self
                .pixels
                .get(2 * idx..2 * idx + 2)
                .is_some_and(|b| u32::from(u16::from_le_bytes([b[0], b[1]])) == segment),
            ("FRACTIONAL", _) => self
                .pixels
                .get(idx)
                .is_some_and(|&v| f64::from(v) / self.max_fractional >= 0.5),
            _ => self.pixels.get(idx).is_some_and(|&v| v != 0),
        }
    }
}

fn parse(path: &Path) -> anyhow::Result<Seg> {
    let p = path.display();
    super::check_lengths(path)?;
    let obj = dicom_object::open_file(path)
        .map_err(|e| anyhow!("{p}: not a readable DICOM file: {e}"))?;
    let kind = get_str(&obj, tags::SEGMENTATION_TYPE).unwrap_or_else(|| "BINARY".into());
    let rows = get_int(&obj, tags::ROWS).unwrap_or(0) as usize;
    let cols = get_int(&obj, tags::COLUMNS).unwrap_or(0) as usize;
    let nf = get_int(&obj, tags::NUMBER_OF_FRAMES).unwrap_or(1).max(1) as usize;
    let bits = get_int(&obj, tags::BITS_ALLOCATED).unwrap_or(1) as u16;
    if !matches!(bits, 1 | 8 | 16) {
        bail!("{p}: SEG with {bits} bits allocated; expected 1, 8 or 16");
    }
    let max_fractional = get_f64(&obj, tags::MAXIMUM_FRACTIONAL_VALUE).unwrap_or(255.0);
    if kind == "FRACTIONAL" && (max_fractional.is_nan() || max_fractional <= 0.0) {
        bail!("{p}: MaximumFractionalValue must be > 0, found {max_fractional}");
    }
    let segments: Vec<(u32, String)> = get_seq(&obj, tags::SEGMENT_SEQUENCE)
        .unwrap_or(&[])
        .iter()
        .map(|s| {
            (
                get_int(s, tags::SEGMENT_NUMBER).unwrap_or(0) as u32,
                get_str(s, tags::SEGMENT_LABEL).unwrap_or_default(),
            )
        })
        .collect();
    let ts = obj
        .meta()
        .transfer_syntax()
        .trim_end_matches('\0')
        .to_string();
    let native = matches!(
        ts.as_str(),
        "1.2.840.10008.1.2" | "1.2.840.10008.1.2.1" | "1.2.840.10008.1.2.1.99"
    );
    let pixels: Vec<u8> = if native {
        obj.get(tags::PIXEL_DATA)
            .ok_or_else(|| anyhow!("{p}: no pixel data"))?
            .to_bytes()
            .map_err(|e| anyhow!("{p}: cannot read the pixel data: {e}"))?
            .into_owned()
    } else if bits == 1 {
        bail!("{p}: 1-bit SEG in transfer syntax {ts} is not supported (expected uncompressed)");
    } else {
        super::check_pixel_claim(&obj, path)?;
        super::check_rle_headers(&obj, path)?;
        super::guarded(path, || {
            Ok(obj
                .decode_pixel_data()
                .map_err(|e| anyhow!("{p}: cannot decode the pixel data: {e}"))?
                .data()
                .to_vec())
        })?
    };
    let need_bits = rows * cols * nf * usize::from(bits);
    if pixels.len() * 8 < need_bits {
        bail!(
            "{p}: pixel data has {} bytes, expected {} ({nf} frames of {cols}x{rows}, {bits} bit)",
            pixels.len(),
            need_bits.div_ceil(8)
        );
    }
    let shared = get_seq(&obj, tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE).and_then(|s| s.first());
    let per_frame: &[Obj] =
        get_seq(&obj, tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE).unwrap_or(&[]);
    let first = per_frame.first();
    let iop = fg_item(first, shared, tags::PLANE_ORIENTATION_SEQUENCE)
        .and_then(|o| get_f64s(o, tags::IMAGE_ORIENTATION_PATIENT))
        .ok_or_else(|| anyhow!("{p}: no PlaneOrientationSequence in the functional groups"))?;
    let (row_dir, col_dir) = orientation(&iop, path)?;
    let pm = fg_item(first, shared, tags::PIXEL_MEASURES_SEQUENCE);
    let spacing = pm
        .and_then(|o| get_f64s(o, tags::PIXEL_SPACING))
        .and_then(|v| match v[..] {
            [a, b, ..] => Some([a, b]),
            _ => None,
        })
        .unwrap_or([1.0, 1.0]);
    let between = pm.and_then(|o| get_f64(o, tags::SPACING_BETWEEN_SLICES));
    let thickness = pm.and_then(|o| get_f64(o, tags::SLICE_THICKNESS));
    let mut frames = Vec::with_capacity(nf);
    for i in 0..nf {
        let pf = per_frame.get(i);
        let segment = fg_item(pf, shared, tags::SEGMENT_IDENTIFICATION_SEQUENCE)
            .and_then(|o| get_int(o, tags::REFERENCED_SEGMENT_NUMBER))
            .unwrap_or(if kind == "LABELMAP" { 0 } else { 1 }) as u32;
        let pos = fg_item(pf, shared, tags::PLANE_POSITION_SEQUENCE)
            .and_then(|o| get_f64s(o, tags::IMAGE_POSITION_PATIENT))
            .ok_or_else(|| anyhow!("{p}: frame {} has no PlanePositionSequence", i + 1))?;
        let fo = fg_item(pf, shared, tags::PLANE_ORIENTATION_SEQUENCE)
            .and_then(|o| get_f64s(o, tags::IMAGE_ORIENTATION_PATIENT));
        if let Some(fo) = fo {
            let (r, c) = orientation(&fo, path)?;
            if norm(sub(r, row_dir)) > 1e-4 || norm(sub(c, col_dir)) > 1e-4 {
                bail!(
                    "{p}: frame {} has a different orientation from frame 1",
                    i + 1
                );
            }
        }
        frames.push(SegFrame {
            index: i,
            segment,
            pos: vec3(&pos, "ImagePositionPatient", path)?,
        });
    }
    Ok(Seg {
        rows,
        cols,
        row_dir,
        col_dir,
        spacing,
        between,
        thickness,
        kind,
        max_fractional,
        bits,
        pixels,
        frames,
        segments,
    })
}

/// Segment number selected by `opts`, checked against the Segment Sequence.
fn select(seg: &Seg, opts: &ReadOptions, path: &Path) -> anyhow::Result<u32> {
    let list = || {
        seg.segments
            .iter()
            .map(|(n, l)| format!("{n} {l:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(label) = &opts.segment_label {
        return seg
            .segments
            .iter()
            .find(|(_, l)| l == label)
            .map(|(n, _)| *n)
            .ok_or_else(|| {
                anyhow!(
                    "{}: no segment labelled {label:?}; segments: {}",
                    path.display(),
                    list()
                )
            });
    }
    let n = opts.segment_number.unwrap_or(1);
    if seg.kind != "LABELMAP" && !seg.segments.iter().any(|(s, _)| *s == n) {
        bail!(
            "{}: no segment number {n}; segments: {}",
            path.display(),
            list()
        );
    }
    Ok(n)
}

fn mask_data(values: Vec<bool>, label: u32) -> VolumeData {
    if label <= u32::from(u8::MAX) {
        VolumeData::U8(
            values
                .into_iter()
                .map(|b| if b { label as u8 } else { 0 })
                .collect(),
        )
    } else if label <= u32::from(u16::MAX) {
        VolumeData::U16(
            values
                .into_iter()
                .map(|b| if b { label as u16 } else { 0 })
                .collect(),
        )
    } else {
        VolumeData::U32(
            values
                .into_iter()
                .map(|b| if b { label } else { 0 })
                .collect(),
        )
    }
}

fn frames_of(seg: &Seg, segment: u32) -> Vec<&SegFrame> {
    seg.frames
        .iter()
        .filter(|f| seg.kind == "LABELMAP" || f.segment == segment)
        .collect()
}

/// Reads a DICOM-SEG on its own grid: the frames of the selected segment stacked along the slice
/// normal from the lowest to the highest frame position (gaps are empty slices; z spacing from
/// SpacingBetweenSlices, else the smallest frame distance, else SliceThickness, else 1).
pub fn read_seg(path: &Path, opts: &ReadOptions) -> anyhow::Result<Volume> {
    let seg = parse(path)?;
    let segment = select(&seg, opts, path)?;
    let label = opts.segment_number.unwrap_or(1);
    let frames = frames_of(&seg, segment);
    if frames.is_empty() {
        bail!("{}: segment {segment} has no frames", path.display());
    }
    let normal = cross(seg.row_dir, seg.col_dir);
    let mut d: Vec<f64> = frames.iter().map(|f| dot(normal, f.pos)).collect();
    d.sort_by(f64::total_cmp);
    let min_gap = d
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|g| *g > 1e-6)
        .fold(f64::INFINITY, f64::min);
    let z = seg
        .between
        .filter(|x| *x > 0.0)
        .or(if min_gap.is_finite() {
            Some(min_gap)
        } else {
            None
        })
        .or(seg.thickness.filter(|x| *x > 0.0))
        .unwrap_or(1.0);
    let (dmin, dmax) = (d[0], d[d.len() - 1]);
    let nz = ((dmax - dmin) / z).round() as usize + 1;
    let origin_frame = frames
        .iter()
        .min_by(|a, b| dot(normal, a.pos).total_cmp(&dot(normal, b.pos)))
        .map(|f| f.pos)
        .unwrap_or([0.0; 3]);
    let plane = seg.rows * seg.cols;
    let mut vals = vec![false; plane * nz];
    for f in &frames {
        let t = (dot(normal, f.pos) - dmin) / z;
        let k = t.round();
        if (t - k).abs() > 0.1 {
            bail!(
                "{}: frame {} lies between slices of the SEG grid (spacing {z} mm)",
                path.display(),
                f.index + 1
            );
        }
        let k = k as usize;
        for p in 0..plane {
            if seg.in_roi(f.index, p, segment) {
                vals[k * plane + p] = true;
            }
        }
    }
    Ok(Volume {
        dims: [seg.cols, seg.rows, nz],
        spacing: [seg.spacing[1], seg.spacing[0], z],
        origin: origin_frame,
        direction: [seg.row_dir, seg.col_dir, normal],
        data: mask_data(vals, label),
    })
}

/// Reads a DICOM-SEG onto `image`'s grid: every frame of the selected segment must lie on one of
/// the image's slices (same rows/columns and orientation; position within 0.05 voxel).
pub fn read_seg_on_grid(path: &Path, opts: &ReadOptions, image: &Volume) -> anyhow::Result<Volume> {
    let p = path.display();
    let seg = parse(path)?;
    let segment = select(&seg, opts, path)?;
    let label = opts.segment_number.unwrap_or(1);
    if [seg.cols, seg.rows] != [image.dims[0], image.dims[1]] {
        bail!(
            "{p}: SEG frames are {}x{} but the image slices are {}x{} (columns x rows)",
            seg.cols,
            seg.rows,
            image.dims[0],
            image.dims[1]
        );
    }
    if norm(sub(seg.row_dir, image.direction[0])) > 1e-3
        || norm(sub(seg.col_dir, image.direction[1])) > 1e-3
    {
        bail!(
            "{p}: SEG orientation {:?}/{:?} differs from the image's {:?}/{:?}",
            seg.row_dir,
            seg.col_dir,
            image.direction[0],
            image.direction[1]
        );
    }
    let frames = frames_of(&seg, segment);
    if frames.is_empty() {
        bail!("{p}: segment {segment} has no frames");
    }
    // Solve pos = origin + i·sx·d0 + j·sy·d1 + k·sz·d2 (directions may be non-orthogonal).
    let m = [
        [
            image.direction[0][0] * image.spacing[0],
            image.direction[1][0] * image.spacing[1],
            image.direction[2][0] * image.spacing[2],
        ],
        [
            image.direction[0][1] * image.spacing[0],
            image.direction[1][1] * image.spacing[1],
            image.direction[2][1] * image.spacing[2],
        ],
        [
            image.direction[0][2] * image.spacing[0],
            image.direction[1][2] * image.spacing[1],
            image.direction[2][2] * image.spacing[2],
        ],
    ];
    let inv = invert3(m).ok_or_else(|| anyhow!("image direction matrix is singular"))?;
    let plane = seg.rows * seg.cols;
    let nz = image.dims[2];
    let mut vals = vec![false; plane * nz];
    for f in &frames {
        let v = sub(f.pos, image.origin);
        let ijk = [dot(inv[0], v), dot(inv[1], v), dot(inv[2], v)];
        let k = ijk[2].round();
        if ijk[0].abs() > 0.05 || ijk[1].abs() > 0.05 || (ijk[2] - k).abs() > 0.05 {
            bail!(
                "{p}: frame {} at {:?} is not on the image grid (voxel coordinates {:?})",
                f.index + 1,
                f.pos,
                ijk
            );
        }
        if k < 0.0 || k as usize >= nz {
            bail!(
                "{p}: frame {} at {:?} lies outside the image (slice {k} of {nz})",
                f.index + 1,
                f.pos
            );
        }
        let k = k as usize;
        for q in 0..plane {
            if seg.in_roi(f.index, q, segment) {
                vals[k * plane + q] = true;
            }
        }
    }
    Ok(Volume {
        dims: image.dims,
        spacing: image.spacing,
        origin: image.origin,
        direction: image.direction,
        data: mask_data(vals, label),
    })
}

fn invert3(m: [[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let c0 = cross(m[1], m[2]);
    let det = dot(m[0], c0);
    if det.abs() < 1e-12 {
        return None;
    }
    let c1 = cross(m[2], m[0]);
    let c2 = cross(m[0], m[1]);
    // inverse = transpose of cofactor matrix / det; rows of the inverse are columns of [c0 c1 c2]
    Some([
        [c0[0] / det, c1[0] / det, c2[0] / det],
        [c0[1] / det, c1[1] / det, c2[1] / det],
        [c0[2] / det, c1[2] / det, c2[2] / det],
    ])
}
