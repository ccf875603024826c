//! Resampling and pre-cropping (PyRadiomics 3.0.1 `imageoperations.resampleImage` with SimpleITK
//! 2.5.7 / ITK 5.4.7 `ResampleImageFilter`, and `cropToTumorMask` for `preCrop`), into caller
//! scratch. The specification, with every formula and rounding step, is `docs/resampling.md`.
//!
//! [`Plan::new`] computes PyRadiomics' output grid from the image geometry, the ROI's bounding box
//! and the [`Settings`]; [`with_prepared`] materialises the resampled (or cropped) image, in the
//! input's own voxel type, and the resampled mask (bytes 0/1) at the start of the scratch and
//! hands views over them, with the rest of the scratch, to the feature pipeline. Everything after
//! that (filters, mask checks, bounding box, discretisation, every feature class) runs on the
//! resampled image as if it had been read from a file, exactly as in PyRadiomics.
//!
//! ## Scratch (f64 elements)
//!
//! With `B'` = the voxels of the resampled, padded box (`Plan::dims`), `t` the size in bytes of
//! the input voxel type, `N` the input dims and `R` the input region the B-spline needs
//! ([`bspline::Region`], at most the box's extent in input voxels + 4 per side, clipped to `N`):
//!
//! ```text
//! scratch = ⌈B'·t / 8⌉ + ⌈B' / 8⌉ + max( W, pipeline(B' grid) )
//! W = R_x·R_y·N_z + R_x·N_y + 8·N_x      (sitkBSpline: coefficients of the region, one plane, 8 x lines)
//! W = 12·size'_x (x extent of Plan::dims)  (Gaussian, label Gaussian, windowed sincs: one line of x weights)
//! W = 0                                    (nearest neighbour, linear, preCrop)
//! ```
//!
//! where `pipeline(B' grid)` is [`crate::extract`]'s formula on the resampled image.

pub mod bspline;
pub mod gaussian;
pub mod label_gaussian;
pub mod linear;
pub mod nearest;
pub mod sinc;

use crate::image::{roi_box, ImageView, MaskView, MaskVoxels, RoiBox, Voxels};
use crate::settings::{Interpolator, Settings};
use crate::Error;

/// `true` for the interpolators this core implements (every one PyRadiomics accepts).
pub const fn implemented(i: Interpolator) -> bool {
    matches!(
        i,
        Interpolator::NearestNeighbor
            | Interpolator::Linear
            | Interpolator::BSpline
            | Interpolator::Gaussian
            | Interpolator::LabelGaussian
            | Interpolator::HammingWindowedSinc
            | Interpolator::CosineWindowedSinc
            | Interpolator::WelchWindowedSinc
            | Interpolator::LanczosWindowedSinc
            | Interpolator::BlackmanWindowedSinc
    )
}

/// Most samples per axis of a separable interpolator (the windowed sincs' `2·5`).
pub const TAPS: usize = 2 * sinc::RADIUS;

/// One axis of a separable interpolator (windowed sinc, Gaussian, label Gaussian) at one
/// continuous index: samples `first … first + n − 1` with weights `w[0 … n − 1]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AxisWeights {
    /// Input index of the first sample (may be negative for the sincs, which clamp it).
    pub first: i64,
    /// Number of samples (≤ [`TAPS`]).
    pub n: usize,
    /// Their weights.
    pub w: [f64; TAPS],
}

/// f64 elements per output x position of the separable interpolators' line cache
/// (`first`, `n`, [`TAPS`] weights).
pub const LINE_STRIDE: usize = 2 + TAPS;

impl AxisWeights {
    fn store(&self, out: &mut [f64]) {
        if let Some((head, tail)) = out.split_first_chunk_mut::<2>() {
            *head = [self.first as f64, self.n as f64];
            for (o, w) in tail.iter_mut().zip(self.w.iter()) {
                *o = *w;
            }
        }
    }

    fn load(src: &[f64]) -> AxisWeights {
        let mut w = [0.0; TAPS];
        for (o, v) in w.iter_mut().zip(src.iter().skip(2)) {
            *o = *v;
        }
        AxisWeights {
            first: src.first().map_or(0, |&f| f as i64),
            n: src.get(1).map_or(0, |&n| (n as usize).min(TAPS)),
            w,
        }
    }
}

/// A separable interpolator's per-axis weights and evaluation.
#[derive(Clone, Copy)]
enum Separable {
    Sinc(sinc::Window),
    Gaussian([gaussian::Axis; 3]),
    LabelGaussian([gaussian::Axis; 3]),
}

impl Separable {
    fn new(i: Interpolator, spacing: [f64; 3]) -> Option<Separable> {
        let g = |f: fn(f64) -> gaussian::Axis| [f(spacing[0]), f(spacing[1]), f(spacing[2])];
        Some(match i {
            Interpolator::HammingWindowedSinc => Separable::Sinc(sinc::Window::Hamming),
            Interpolator::CosineWindowedSinc => Separable::Sinc(sinc::Window::Cosine),
            Interpolator::WelchWindowedSinc => Separable::Sinc(sinc::Window::Welch),
            Interpolator::LanczosWindowedSinc => Separable::Sinc(sinc::Window::Lanczos),
            Interpolator::BlackmanWindowedSinc => Separable::Sinc(sinc::Window::Blackman),
            Interpolator::Gaussian => Separable::Gaussian(g(gaussian::Axis::gaussian)),
            Interpolator::LabelGaussian => {
                Separable::LabelGaussian(g(gaussian::Axis::label_gaussian))
            }
            _ => return None,
        })
    }

    fn axis(&self, d: usize, c: f64, n: usize) -> Result<AxisWeights, Error> {
        match self {
            Separable::Sinc(w) => Ok(sinc::axis_weights(*w, c)),
            Separable::Gaussian(a) | Separable::LabelGaussian(a) => {
                a.get(d).ok_or(Error::BadSetting)?.weights(c, n)
            }
        }
    }

    fn evaluate(&self, image: &Source, w: &[AxisWeights; 3]) -> Result<f64, Error> {
        match self {
            Separable::Sinc(_) => Ok(sinc::evaluate(image, w)),
            Separable::Gaussian(_) => Ok(gaussian::evaluate(image, w)),
            Separable::LabelGaussian(_) => {
                label_gaussian::evaluate(image, w).ok_or(Error::BadSetting)
            }
        }
    }
}

/// `f(k, v[start + k])` widened exactly to f64 (NaN past the end), k < n.
#[inline]
fn widen_row<T: Copy + Into<f64>>(v: &[T], start: usize, n: usize, mut f: impl FnMut(usize, f64)) {
    match v.get(start..start.saturating_add(n)) {
        Some(row) => row.iter().enumerate().for_each(|(k, &x)| f(k, x.into())),
        None => (0..n).for_each(|k| f(k, v.get(start + k).map_or(f64::NAN, |&x| x.into()))),
    }
}

/// The values the resampler reads: the image's voxels, optionally mapped voxel by voxel before
/// interpolation (PyRadiomics normalises — and clips outliers of — the WHOLE image before it
/// resamples, and `sitk.Normalize` returns float64: see [`with_prepared_mapped`]).
#[derive(Clone, Copy)]
pub struct Source<'a, 'b> {
    image: &'b ImageView<'a>,
    map: Option<&'b dyn Fn(f64) -> f64>,
}

impl<'a, 'b> Source<'a, 'b> {
    /// The image's own values.
    pub fn new(image: &'b ImageView<'a>) -> Self {
        Source { image, map: None }
    }

    /// The image's values through `map`.
    pub fn mapped(image: &'b ImageView<'a>, map: &'b dyn Fn(f64) -> f64) -> Self {
        Source {
            image,
            map: Some(map),
        }
    }

    /// Value of voxel `i` (NaN out of range).
    #[inline]
    pub fn get(&self, i: usize) -> f64 {
        let v = self.image.get_f64(i);
        match self.map {
            Some(f) => f(v),
            None => v,
        }
    }

    /// Calls `f(k, value)` for voxels `start + k`, k < n, in order ([`Source::get`] of each;
    /// the voxel type resolved once, not per voxel, when nothing maps the values).
    #[inline]
    pub fn for_row(&self, start: usize, n: usize, mut f: impl FnMut(usize, f64)) {
        if self.map.is_none() && self.image.map().is_none() {
            match self.image.voxels() {
                Voxels::I16(v) => widen_row(v, start, n, f),
                Voxels::U16(v) => widen_row(v, start, n, f),
                Voxels::I32(v) => widen_row(v, start, n, f),
                Voxels::F32(v) => widen_row(v, start, n, f),
                Voxels::F64(v) => widen_row(v, start, n, f),
            }
            return;
        }
        for k in 0..n {
            f(k, self.get(start + k));
        }
    }

    /// The image's dimensions.
    pub fn dims(&self) -> [usize; 3] {
        self.image.dims()
    }

    /// The image's spacing.
    pub fn spacing(&self) -> [f64; 3] {
        self.image.spacing()
    }
}

/// How the output grid is obtained from the input.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// A sub-box of the input grid (preCrop, or a target spacing equal to the input's): output
    /// voxel `(x, y, z)` is input voxel `lo + (x, y, z)`.
    Crop {
        /// First input index of the box.
        lo: [usize; 3],
    },
    /// A new grid mapped through physical space.
    Resample {
        /// Image interpolator.
        interpolator: Interpolator,
        /// Output → input continuous-index mapping.
        map: Mapping,
    },
}

/// The output grid of the pre-processing step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plan {
    /// What to do.
    pub kind: Kind,
    /// Output dimensions `[x, y, z]` (the padded box).
    pub dims: [usize; 3],
    /// Output spacing (mm).
    pub spacing: [f64; 3],
}

/// ITK's index ↔ physical point arithmetic for one output grid over one input grid
/// (`ResampleImageFilter::LinearThreadedGenerateData` with the identity transform).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mapping {
    /// Output origin.
    out_origin: [f64; 3],
    /// Output index → physical: `D · diag(spacing')`, `[row][col]`.
    out_matrix: [[f64; 3]; 3],
    /// Input origin.
    in_origin: [f64; 3],
    /// Physical → input index: the inverse of `D · diag(spacing)`, `[row][col]`.
    in_inverse: [[f64; 3]; 3],
    /// Output size along x (the scan-line length).
    nx: usize,
}

/// ITK's direction matrix `D(row, col)` from `direction[axis]` (columns).
fn itk_direction(direction: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let mut d = [[0.0; 3]; 3];
    for (r, row) in d.iter_mut().enumerate() {
        for (c, v) in row.iter_mut().enumerate() {
            *v = direction[c][r];
        }
    }
    d
}

/// `D · diag(s)` (vnl: exact, the zero products add nothing).
fn index_to_physical(d: &[[f64; 3]; 3], s: [f64; 3]) -> [[f64; 3]; 3] {
    let mut m = [[0.0; 3]; 3];
    for r in 0..3 {
        for c in 0..3 {
            m[r][c] = d[r][c] * s[c];
        }
    }
    m
}

/// The inverse of `D · diag(s)` as `diag(1/s) · Dᵀ` (`D` orthonormal): element `(i, j)` is
/// `D(j, i) / s_i`. For axis-aligned directions (entries 0 and ±1) this equals ITK's
/// (vnl SVD) inverse exactly; for oblique directions it agrees to rounding.
fn physical_to_index(d: &[[f64; 3]; 3], s: [f64; 3]) -> [[f64; 3]; 3] {
    let mut p = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            p[i][j] = d[j][i] / s[i];
        }
    }
    p
}

impl Mapping {
    /// ITK `TransformIndexToPhysicalPoint` of the output then `TransformPhysicalPointToContinuousIndex`
    /// of the input, for output index `(x, y, z)` (x may be the scan-line end `nx`).
    fn transform_index(&self, idx: [f64; 3]) -> [f64; 3] {
        let mut point = [0.0; 3];
        for (i, p) in point.iter_mut().enumerate() {
            *p = self.out_origin[i];
            for (j, ix) in idx.iter().enumerate() {
                *p += self.out_matrix[i][j] * ix;
            }
        }
        let mut v = [0.0; 3];
        for k in 0..3 {
            v[k] = point[k] - self.in_origin[k];
        }
        let mut ci = [0.0; 3];
        for (r, c) in ci.iter_mut().enumerate() {
            let mut sum = 0.0;
            for (k, vk) in v.iter().enumerate() {
                sum += self.in_inverse[r][k] * vk;
            }
            *c = sum;
        }
        ci
    }

    /// Start and direction of the scan line `(·, y, z)`: the continuous indices of `(0, y, z)`
    /// and `(nx, y, z) − (0, y, z)`.
    pub fn line(&self, y: usize, z: usize) -> ([f64; 3], [f64; 3]) {
        let start = self.transform_index([0.0, y as f64, z as f64]);
        let end = self.transform_index([self.nx as f64, y as f64, z as f64]);
        (
            start,
            [end[0] - start[0], end[1] - start[1], end[2] - start[2]],
        )
    }

    /// The continuous input index of output voxel `x` on a line: `start + (x / nx)·vector`.
    #[inline]
    pub fn at(&self, start: &[f64; 3], vector: &[f64; 3], x: usize) -> [f64; 3] {
        let alpha = x as f64 / self.nx as f64;
        [
            start[0] + alpha * vector[0],
            start[1] + alpha * vector[1],
            start[2] + alpha * vector[2],
        ]
    }
}

/// ITK `ImageFunction::IsInsideBuffer` for a continuous index: `−0.5 ≤ c < (n − 1) + 0.5`.
#[inline]
pub fn inside(ci: &[f64; 3], dims: [usize; 3]) -> bool {
    (0..3).all(|d| ci[d] >= -0.5 && ci[d] < (dims[d] as f64 - 1.0) + 0.5)
}

/// Round to nearest, ties to even (`rint` in the default rounding mode, what SSE2's
/// `cvtsd2si` does): below 2^51 in magnitude by adding and subtracting 1.5·2^52 (exact), else
/// `libm::rint` (such values are already integers).
#[inline]
fn rint(x: f64) -> f64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 · 2^52
    if x.abs() < 2_251_799_813_685_248.0 {
        (x + MAGIC) - MAGIC
    } else {
        libm::rint(x)
    }
}

/// ITK `Math::RoundHalfIntegerUp` (x86-64 SSE2): `rint(2x + 0.5) >> 1`.
#[inline]
pub fn round_half_up(x: f64) -> i64 {
    (rint(2.0 * x + 0.5) as i64) >> 1
}

/// ITK `Math::Floor` (x86-64 SSE2): `rint(2x − 0.5) >> 1`.
#[inline]
pub fn itk_floor(x: f64) -> i64 {
    (rint(2.0 * x - 0.5) as i64) >> 1
}

/// Bounding box of the label (no dimension checks): PyRadiomics `_checkROI`'s
/// `LabelShapeStatisticsImageFilter.GetBoundingBox`. [`Error::MaskSizeMismatch`],
/// [`Error::LabelNotPresent`].
fn label_box(image: &ImageView, mask: &MaskView) -> Result<RoiBox, Error> {
    let dims = image.dims();
    if mask.dims() != dims || mask.len() != image.len() {
        return Err(Error::MaskSizeMismatch);
    }
    let (_, lo, hi) = crate::image::roi_extent(mask);
    if lo[0] == usize::MAX {
        return Err(Error::LabelNotPresent);
    }
    Ok(RoiBox { lo, hi })
}

/// `cropToTumorMask`: the box `[lo − pad, hi + pad)` clipped to the image.
fn crop_plan(dims: [usize; 3], spacing: [f64; 3], b: &RoiBox, pad: u32) -> Plan {
    let pad = pad as usize;
    let mut lo = [0usize; 3];
    let mut out = [0usize; 3];
    for d in 0..3 {
        lo[d] = b.lo[d].saturating_sub(pad);
        let hi = b.hi[d].saturating_add(pad).min(dims[d]);
        out[d] = hi - lo[d];
    }
    Plan {
        kind: Kind::Crop { lo },
        dims: out,
        spacing,
    }
}

impl Plan {
    /// The pre-processing PyRadiomics applies for `settings`, or `None` (no resampling and no
    /// preCrop). Resampling: `imageoperations.resampleImage` (grid, origin, size, the
    /// single-slice and equal-spacing rules; `docs/resampling.md`); preCrop without resampling:
    /// `checkMask` then `cropToTumorMask`. Errors: the mask checks ([`roi_box`] for preCrop;
    /// label presence for resampling), [`Error::BadSetting`] for a spacing PyRadiomics cannot
    /// use, [`Error::SizeOverflow`].
    pub fn new(
        image: &ImageView,
        mask: &MaskView,
        settings: &Settings,
    ) -> Result<Option<Plan>, Error> {
        let dims = image.dims();
        let ms = image.spacing();
        let Some(r) = settings.resample else {
            if settings.pre_crop {
                let b = roi_box(image, mask)?;
                return Ok(Some(crop_plan(dims, ms, &b, settings.pad_distance)));
            }
            return Ok(None);
        };
        let b = label_box(image, mask)?;
        let size = b.dims();
        let mut rs = [0.0; 3];
        for d in 0..3 {
            rs[d] = if r.spacing[d] == 0.0 {
                ms[d]
            } else {
                r.spacing[d]
            };
            if size[d] == 1 {
                rs[d] = ms[d];
            }
        }
        // numpy.allclose(imageSpacing, resampledPixelSpacing): rtol 1e-5, atol 1e-8.
        if (0..3).all(|d| (ms[d] - rs[d]).abs() <= 1e-8 + 1e-5 * rs[d].abs()) {
            return Ok(Some(crop_plan(dims, ms, &b, r.pad_distance)));
        }
        let pad = f64::from(r.pad_distance);
        let mut out = [0usize; 3];
        let mut c = [0.0; 3];
        for d in 0..3 {
            let ratio = ms[d] / rs[d];
            let mut lo = libm::floor((b.lo[d] as f64 - 0.5) * ratio - pad);
            let mut hi = libm::ceil(((b.lo[d] + size[d]) as f64 - 0.5) * ratio + pad);
            let max_hi = libm::ceil(dims[d] as f64 * ratio) - 1.0;
            if lo < 0.0 {
                lo = 0.0;
            }
            if hi > max_hi {
                hi = max_hi;
            }
            let n = hi - lo + 1.0;
            if !(1.0..1e15).contains(&n) {
                return Err(Error::BadSetting);
            }
            out[d] = n as usize;
            let origin_index = 0.5 * (rs[d] - ms[d]) / ms[d];
            c[d] = origin_index + lo / ratio;
        }
        crate::image::voxel_count(out).map_err(|_| Error::SizeOverflow)?;
        // maskNode.TransformContinuousIndexToPhysicalPoint(c)
        let d = itk_direction(&image.direction());
        let m_in = index_to_physical(&d, ms);
        let o = image.origin();
        let mut new_origin = [0.0; 3];
        for (row, no) in new_origin.iter_mut().enumerate() {
            let mut sum = 0.0;
            for (col, cc) in c.iter().enumerate() {
                sum += m_in[row][col] * cc;
            }
            *no = sum + o[row];
        }
        let map = Mapping {
            out_origin: new_origin,
            out_matrix: index_to_physical(&d, rs),
            in_origin: o,
            in_inverse: physical_to_index(&d, ms),
            nx: out[0],
        };
        Ok(Some(Plan {
            kind: Kind::Resample {
                interpolator: r.interpolator,
                map,
            },
            dims: out,
            spacing: rs,
        }))
    }

    /// Voxels of the output grid.
    pub fn len(&self) -> usize {
        self.dims[0] * self.dims[1] * self.dims[2]
    }

    /// Never `true` for a constructed plan.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The interpolator's own scratch (f64 elements; `W` in the module docs).
    pub fn interpolator_scratch_len(&self, input_dims: [usize; 3]) -> Result<usize, Error> {
        match self.kind {
            Kind::Resample {
                interpolator: Interpolator::BSpline,
                map,
            } => bspline::Region::new(&map, self.dims, input_dims)?.scratch_len(input_dims),
            Kind::Resample { interpolator, .. }
                if Separable::new(interpolator, [1.0; 3]).is_some() =>
            {
                self.dims[0]
                    .checked_mul(LINE_STRIDE)
                    .ok_or(Error::SizeOverflow)
            }
            _ => Ok(0),
        }
    }

    /// The resampled mask's ROI bounding box and voxel count, without storing the mask.
    /// Errors as [`roi_box`] on the resampled mask.
    pub fn roi(&self, mask: &MaskView) -> Result<(RoiBox, usize), Error> {
        let mut lo = [usize::MAX; 3];
        let mut hi = [0usize; 3];
        let mut n = 0usize;
        self.for_each_mask_voxel(mask, |p, roi| {
            if roi {
                n += 1;
                for d in 0..3 {
                    lo[d] = lo[d].min(p[d]);
                    hi[d] = hi[d].max(p[d] + 1);
                }
            }
        });
        if n == 0 {
            return Err(Error::LabelNotPresent);
        }
        let b = RoiBox { lo, hi };
        let ndims = b.dims().iter().filter(|&&e| e > 1).count();
        if ndims == 0 {
            return Err(Error::RoiSingleVoxel);
        }
        if ndims < 2 {
            return Err(Error::RoiTooFewDimensions);
        }
        Ok((b, n))
    }

    /// Calls `f(output index, is ROI)` for every output voxel, x fastest.
    fn for_each_mask_voxel(&self, mask: &MaskView, mut f: impl FnMut([usize; 3], bool)) {
        let in_dims = mask.dims();
        match self.kind {
            Kind::Crop { lo } => {
                for z in 0..self.dims[2] {
                    for y in 0..self.dims[1] {
                        let mut x = 0;
                        mask.for_row(lo[1] + y, lo[2] + z, lo[0], lo[0] + self.dims[0], |hit| {
                            f([x, y, z], hit);
                            x += 1;
                        });
                    }
                }
            }
            Kind::Resample { map, .. } => {
                for z in 0..self.dims[2] {
                    for y in 0..self.dims[1] {
                        let (start, vector) = map.line(y, z);
                        for x in 0..self.dims[0] {
                            let ci = map.at(&start, &vector, x);
                            let roi = inside(&ci, in_dims)
                                && nearest::coords(&ci, in_dims).is_some_and(|p| mask.is_roi_at(p));
                            f([x, y, z], roi);
                        }
                    }
                }
            }
        }
    }
}

/// The output voxel buffer, in the input's voxel type.
enum OutVoxels<'a> {
    I16(&'a mut [i16]),
    U16(&'a mut [u16]),
    I32(&'a mut [i32]),
    F32(&'a mut [f32]),
    F64(&'a mut [f64]),
}

impl OutVoxels<'_> {
    /// Stores an interpolated value as ITK's `ResampleImageFilter::CastPixelWithBoundsChecking`
    /// does: clamped to the type's range (`NonpositiveMin`..`max`), then `static_cast`
    /// (truncation toward zero for integers, round-to-nearest for float).
    #[inline]
    fn set(&mut self, i: usize, v: f64) {
        fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
            if v <= lo {
                lo
            } else if v >= hi {
                hi
            } else {
                v
            }
        }
        match self {
            OutVoxels::I16(b) => {
                if let Some(o) = b.get_mut(i) {
                    *o = clamp(v, f64::from(i16::MIN), f64::from(i16::MAX)) as i16;
                }
            }
            OutVoxels::U16(b) => {
                if let Some(o) = b.get_mut(i) {
                    *o = clamp(v, 0.0, f64::from(u16::MAX)) as u16;
                }
            }
            OutVoxels::I32(b) => {
                if let Some(o) = b.get_mut(i) {
                    *o = clamp(v, f64::from(i32::MIN), f64::from(i32::MAX)) as i32;
                }
            }
            OutVoxels::F32(b) => {
                if let Some(o) = b.get_mut(i) {
                    *o = clamp(v, -f64::from(f32::MAX), f64::from(f32::MAX)) as f32;
                }
            }
            OutVoxels::F64(b) => {
                if let Some(o) = b.get_mut(i) {
                    *o = v;
                }
            }
        }
    }
}

/// Bytes per voxel of the input type.
fn voxel_bytes(v: &Voxels) -> usize {
    match v {
        Voxels::I16(_) | Voxels::U16(_) => 2,
        Voxels::I32(_) | Voxels::F32(_) => 4,
        Voxels::F64(_) => 8,
    }
}

/// f64 elements holding `n` values of `bytes` bytes.
fn units(n: usize, bytes: usize) -> Result<usize, Error> {
    n.checked_mul(bytes)
        .and_then(|b| b.checked_add(7))
        .map(|b| b / 8)
        .ok_or(Error::SizeOverflow)
}

/// f64 elements of the resampled image and mask buffers (`⌈B'·t/8⌉ + ⌈B'/8⌉`).
pub fn buffers_len(image: &ImageView, plan: &Plan) -> Result<usize, Error> {
    let n = plan.len();
    units(n, voxel_bytes(image.voxels()))?
        .checked_add(units(n, 1)?)
        .ok_or(Error::SizeOverflow)
}

/// Materialises `plan` (image in its own voxel type, mask as bytes 0/1 with label 1) at the start
/// of `scratch` and calls `f(resampled image, resampled mask, rest of scratch)`.
/// [`Error::ScratchTooSmall`] if the buffers or the interpolator's scratch do not fit.
pub fn with_prepared<R>(
    image: &ImageView,
    mask: &MaskView,
    plan: &Plan,
    scratch: &mut [f64],
    f: impl FnOnce(&ImageView, &MaskView, &mut [f64]) -> Result<R, Error>,
) -> Result<R, Error> {
    prepare(&Source::new(image), image, mask, plan, scratch, f)
}

/// [`with_prepared`] on `map(voxel)` instead of the voxels, into a float64 image (as PyRadiomics
/// resamples a normalised image: `normalizeImage` runs on the whole image first and yields
/// float64, so nothing is truncated). Buffers: [`buffers_len_f64`].
pub fn with_prepared_mapped<R>(
    image: &ImageView,
    mask: &MaskView,
    plan: &Plan,
    map: &dyn Fn(f64) -> f64,
    scratch: &mut [f64],
    f: impl FnOnce(&ImageView, &MaskView, &mut [f64]) -> Result<R, Error>,
) -> Result<R, Error> {
    let n = plan.len();
    let src = Source::mapped(image, map);
    prepare_typed(&src, Kind64::F64, mask, plan, n, scratch, f)
}

/// f64 elements of the float64 image and mask buffers of [`with_prepared_mapped`].
pub fn buffers_len_f64(plan: &Plan) -> Result<usize, Error> {
    let n = plan.len();
    n.checked_add(units(n, 1)?).ok_or(Error::SizeOverflow)
}

/// Output voxel type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind64 {
    I16,
    U16,
    I32,
    F32,
    F64,
}

fn prepare<R>(
    src: &Source,
    image: &ImageView,
    mask: &MaskView,
    plan: &Plan,
    scratch: &mut [f64],
    f: impl FnOnce(&ImageView, &MaskView, &mut [f64]) -> Result<R, Error>,
) -> Result<R, Error> {
    let kind = match image.voxels() {
        Voxels::I16(_) => Kind64::I16,
        Voxels::U16(_) => Kind64::U16,
        Voxels::I32(_) => Kind64::I32,
        Voxels::F32(_) => Kind64::F32,
        Voxels::F64(_) => Kind64::F64,
    };
    prepare_typed(src, kind, mask, plan, plan.len(), scratch, f)
}

fn prepare_typed<R>(
    src: &Source,
    kind: Kind64,
    mask: &MaskView,
    plan: &Plan,
    n: usize,
    scratch: &mut [f64],
    f: impl FnOnce(&ImageView, &MaskView, &mut [f64]) -> Result<R, Error>,
) -> Result<R, Error> {
    let bytes = match kind {
        Kind64::I16 | Kind64::U16 => 2,
        Kind64::I32 | Kind64::F32 => 4,
        Kind64::F64 => 8,
    };
    let img_units = units(n, bytes)?;
    let mask_units = units(n, 1)?;
    let head = img_units
        .checked_add(mask_units)
        .ok_or(Error::SizeOverflow)?;
    if scratch.len() < head {
        return Err(Error::ScratchTooSmall);
    }
    let (img_buf, rest) = scratch.split_at_mut(img_units);
    let (mask_buf, work) = rest.split_at_mut(mask_units);
    let mask_bytes: &mut [u8] = bytemuck::cast_slice_mut(mask_buf);
    let mask_bytes = mask_bytes.get_mut(..n).ok_or(Error::ScratchTooSmall)?;
    let dims = plan.dims;
    plan.for_each_mask_voxel(mask, |p, roi| {
        if let Some(m) = mask_bytes.get_mut(p[0] + dims[0] * (p[1] + dims[1] * p[2])) {
            *m = u8::from(roi);
        }
    });
    let voxels = {
        let mut out = match kind {
            Kind64::I16 => OutVoxels::I16(sub(bytemuck::cast_slice_mut(img_buf), n)?),
            Kind64::U16 => OutVoxels::U16(sub(bytemuck::cast_slice_mut(img_buf), n)?),
            Kind64::I32 => OutVoxels::I32(sub(bytemuck::cast_slice_mut(img_buf), n)?),
            Kind64::F32 => OutVoxels::F32(sub(bytemuck::cast_slice_mut(img_buf), n)?),
            Kind64::F64 => OutVoxels::F64(sub(img_buf, n)?),
        };
        fill_image(src, plan, &mut out, work)?;
        match kind {
            Kind64::I16 => Voxels::I16(sub_ref(bytemuck::cast_slice(img_buf), n)?),
            Kind64::U16 => Voxels::U16(sub_ref(bytemuck::cast_slice(img_buf), n)?),
            Kind64::I32 => Voxels::I32(sub_ref(bytemuck::cast_slice(img_buf), n)?),
            Kind64::F32 => Voxels::F32(sub_ref(bytemuck::cast_slice(img_buf), n)?),
            Kind64::F64 => Voxels::F64(sub_ref(img_buf, n)?),
        }
    };
    let iv = ImageView::new(voxels, dims, plan.spacing)?;
    let mask_ref: &[u8] = bytemuck::cast_slice(mask_buf);
    let mv = MaskView::new(MaskVoxels::U8(sub_ref(mask_ref, n)?), dims, 1)?;
    f(&iv, &mv, work)
}

fn sub<T>(s: &mut [T], n: usize) -> Result<&mut [T], Error> {
    s.get_mut(..n).ok_or(Error::ScratchTooSmall)
}

fn sub_ref<T>(s: &[T], n: usize) -> Result<&[T], Error> {
    s.get(..n).ok_or(Error::ScratchTooSmall)
}

/// Fills the output image: a copy (crop) or the interpolator over every output voxel (0 outside
/// the input buffer, ITK's default pixel value).
fn fill_image(
    image: &Source,
    plan: &Plan,
    out: &mut OutVoxels,
    work: &mut [f64],
) -> Result<(), Error> {
    let in_dims = image.dims();
    let dims = plan.dims;
    match plan.kind {
        Kind::Crop { lo } => {
            let mut k = 0usize;
            for z in 0..dims[2] {
                for y in 0..dims[1] {
                    for x in 0..dims[0] {
                        let i = (lo[0] + x) + in_dims[0] * ((lo[1] + y) + in_dims[1] * (lo[2] + z));
                        out.set(k, image.get(i));
                        k += 1;
                    }
                }
            }
            Ok(())
        }
        Kind::Resample {
            interpolator: Interpolator::BSpline,
            map,
        } => {
            let region = bspline::Region::new(&map, dims, in_dims)?;
            let coef = bspline::Coefficients::new(image, &region, work)?;
            let mut k = 0usize;
            for z in 0..dims[2] {
                for y in 0..dims[1] {
                    let (start, vector) = map.line(y, z);
                    for x in 0..dims[0] {
                        let ci = map.at(&start, &vector, x);
                        let v = if inside(&ci, in_dims) {
                            coef.evaluate(&ci)?
                        } else {
                            0.0
                        };
                        out.set(k, v);
                        k += 1;
                    }
                }
            }
            Ok(())
        }
        Kind::Resample { interpolator, map }
            if Separable::new(interpolator, [1.0; 3]).is_some() =>
        {
            let sep = Separable::new(interpolator, image.spacing()).ok_or(Error::BadSetting)?;
            fill_separable(image, &sep, &map, dims, out, work)
        }
        Kind::Resample { interpolator, map } => {
            let mut k = 0usize;
            for z in 0..dims[2] {
                for y in 0..dims[1] {
                    let (start, vector) = map.line(y, z);
                    for x in 0..dims[0] {
                        let ci = map.at(&start, &vector, x);
                        let v = if !inside(&ci, in_dims) {
                            0.0
                        } else {
                            match interpolator {
                                Interpolator::Linear => linear::evaluate(image, &ci),
                                Interpolator::NearestNeighbor => {
                                    nearest::index(&ci, in_dims).map_or(f64::NAN, |i| image.get(i))
                                }
                                _ => return Err(Error::UnsupportedSetting),
                            }
                        };
                        out.set(k, v);
                        k += 1;
                    }
                }
            }
            Ok(())
        }
    }
}

/// The separable interpolators over every output voxel. The weights of an axis depend only
/// on that axis' continuous index, so they are computed once per distinct index: the x weights
/// of a whole scan line are kept in `work` ([`LINE_STRIDE`] per x) and reused while the next
/// line has the same x start and step (every line, for axis-aligned directions); y and z keep
/// their last index' weights. The values are those of computing every weight afresh.
fn fill_separable(
    image: &Source,
    sep: &Separable,
    map: &Mapping,
    dims: [usize; 3],
    out: &mut OutVoxels,
    work: &mut [f64],
) -> Result<(), Error> {
    let in_dims = image.dims();
    let nx = dims[0];
    let cache = work
        .get_mut(..nx.checked_mul(LINE_STRIDE).ok_or(Error::SizeOverflow)?)
        .ok_or(Error::ScratchTooSmall)?;
    let mut line_key: Option<(u64, u64)> = None;
    let mut last: [Option<(u64, AxisWeights)>; 3] = [None; 3];
    let mut k = 0usize;
    for z in 0..dims[2] {
        for y in 0..dims[1] {
            let (start, vector) = map.line(y, z);
            let key = (start[0].to_bits(), vector[0].to_bits());
            if line_key != Some(key) {
                for (x, slot) in cache.chunks_exact_mut(LINE_STRIDE).enumerate() {
                    let ci = map.at(&start, &vector, x);
                    sep.axis(0, ci[0], in_dims[0])?.store(slot);
                }
                line_key = Some(key);
            }
            for x in 0..nx {
                let ci = map.at(&start, &vector, x);
                let v = if !inside(&ci, in_dims) {
                    0.0
                } else {
                    let slot = cache
                        .get(x * LINE_STRIDE..(x + 1) * LINE_STRIDE)
                        .ok_or(Error::ScratchTooSmall)?;
                    let wx = AxisWeights::load(slot);
                    let mut w = [wx, wx, wx];
                    for d in 1..3 {
                        let bits = ci[d].to_bits();
                        w[d] = match last[d] {
                            Some((b, a)) if b == bits => a,
                            _ => {
                                let a = sep.axis(d, ci[d], in_dims[d])?;
                                last[d] = Some((bits, a));
                                a
                            }
                        };
                    }
                    sep.evaluate(image, &w)?
                };
                out.set(k, v);
                k += 1;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::settings::Resample;

    #[test]
    fn itk_rounding_helpers() {
        // RoundHalfIntegerUp: half-integers go up (also below zero).
        assert_eq!(round_half_up(2.5), 3);
        assert_eq!(round_half_up(-1.5), -1);
        assert_eq!(round_half_up(-0.5), 0);
        // 2x + 0.5 rounds to 1.5 here: ITK's formula sends the largest double below 0.5 up.
        assert_eq!(round_half_up(0.49999999999999994), 1);
        assert_eq!(round_half_up(1.4999999), 1);
        // ITK's SSE2 Floor: exact except for tiny negatives, which it rounds to 0.
        assert_eq!(itk_floor(3.0), 3);
        assert_eq!(itk_floor(2.9999999999999996), 2);
        assert_eq!(itk_floor(-0.25), -1);
        assert_eq!(itk_floor(-1e-20), 0);
        for x in [
            0.5,
            1.5,
            2.5,
            -0.5,
            -2.5,
            3.4999,
            1e17,
            -3e300,
            4503599627370497.0,
        ] {
            assert_eq!(rint(x), libm::rint(x), "{x}");
        }
    }

    fn views<'a>(img: &'a [i16], m: &'a [u8], dims: [usize; 3]) -> (ImageView<'a>, MaskView<'a>) {
        (
            ImageView::new(Voxels::I16(img), dims, [1.0, 1.0, 2.0]).unwrap(),
            MaskView::new(MaskVoxels::U8(m), dims, 1).unwrap(),
        )
    }

    #[test]
    fn plans() {
        let dims = [6, 5, 4];
        let img: [i16; 120] = core::array::from_fn(|i| (i as i16) * 3 - 40);
        let mut m = [0u8; 120];
        for (x, y, z) in [(1, 1, 1), (2, 1, 1), (2, 2, 2), (3, 2, 1)] {
            m[x + 6 * (y + 5 * z)] = 1;
        }
        let (iv, mv) = views(&img, &m, dims);
        assert_eq!(Plan::new(&iv, &mv, &Settings::DEFAULT).unwrap(), None);
        // preCrop: box [1,4)×[1,3)×[1,3) + 1 voxel, clipped.
        let mut s = Settings::DEFAULT;
        s.pre_crop = true;
        s.pad_distance = 1;
        let p = Plan::new(&iv, &mv, &s).unwrap().unwrap();
        assert_eq!(p.kind, Kind::Crop { lo: [0, 0, 0] });
        assert_eq!(p.dims, [5, 4, 4]);
        // The image's own spacing: crop with the resampling pad (0 here).
        s.pre_crop = false;
        s.resample = Some(Resample {
            spacing: [1.0, 0.0, 2.0],
            interpolator: Interpolator::BSpline,
            pad_distance: 0,
        });
        let p = Plan::new(&iv, &mv, &s).unwrap().unwrap();
        assert_eq!(p.kind, Kind::Crop { lo: [1, 1, 1] });
        assert_eq!(p.dims, [3, 2, 2]);
        // Halving x: floor((1 − 0.5)·2 − 0) = 1 … ceil((4 − 0.5)·2) = 7, size 7; y and z keep
        // their spacing but are still re-gridded (not all axes equal): 0 … ceil(3 − 0.5) = 3.
        s.resample = Some(Resample {
            spacing: [0.5, 1.0, 2.0],
            interpolator: Interpolator::Linear,
            pad_distance: 0,
        });
        let p = Plan::new(&iv, &mv, &s).unwrap().unwrap();
        assert_eq!(p.dims, [7, 4, 4]);
        assert_eq!(p.spacing, [0.5, 1.0, 2.0]);
        let mut scratch = [0.0f64; 64];
        let got = with_prepared(&iv, &mv, &p, &mut scratch, |im, mk, _| {
            // Output (0, 0, 0) is input (0.25, 0, 0): origin index 0.5·(0.5 − 1)/1 + 1/2.
            let v0 = im.get_f64(0);
            let v1 = im.get_f64(1);
            Ok((v0, v1, (0..mk.len()).filter(|&i| mk.is_roi(i)).count()))
        })
        .unwrap();
        // Linear between −40 (x = 0) and −37 (x = 1): −39.25 and −37.75, truncated toward 0.
        assert_eq!((got.0, got.1), (-39.0, -37.0));
        assert!(got.2 >= 4);
        // Too little scratch is an error, not a panic.
        let mut small = [0.0f64; 3];
        assert_eq!(
            with_prepared(&iv, &mv, &p, &mut small, |_, _, _| Ok(())),
            Err(Error::ScratchTooSmall)
        );
    }

    #[test]
    fn mapped_source_is_float64_of_the_mapped_values() {
        let dims = [6, 5, 4];
        let img: [i16; 120] = core::array::from_fn(|i| (i as i16) * 3 - 40);
        let as_f64: [f64; 120] = core::array::from_fn(|i| f64::from(img[i]) * 0.5 + 1.0);
        let mut m = [0u8; 120];
        for (x, y, z) in [(1, 1, 1), (2, 1, 1), (2, 2, 2), (3, 2, 1)] {
            m[x + 6 * (y + 5 * z)] = 1;
        }
        let (iv, mv) = views(&img, &m, dims);
        let fv = ImageView::new(Voxels::F64(&as_f64), dims, [1.0, 1.0, 2.0]).unwrap();
        for interpolator in [
            Interpolator::NearestNeighbor,
            Interpolator::Linear,
            Interpolator::BSpline,
            Interpolator::Gaussian,
            Interpolator::LabelGaussian,
            Interpolator::LanczosWindowedSinc,
        ] {
            let mut s = Settings::DEFAULT;
            s.resample = Some(Resample {
                spacing: [0.7, 0.9, 1.3],
                interpolator,
                pad_distance: 2,
            });
            let p = Plan::new(&iv, &mv, &s).unwrap().unwrap();
            let need = buffers_len_f64(&p).unwrap() + p.interpolator_scratch_len(dims).unwrap();
            let mut a = [0.0f64; 4096];
            let mut b = [0.0f64; 4096];
            assert!(need <= a.len());
            let map = |v: f64| v * 0.5 + 1.0;
            let va = with_prepared_mapped(&iv, &mv, &p, &map, &mut a, |im, _, _| {
                Ok((0..im.len()).map(|i| im.get_f64(i)).sum::<f64>())
            })
            .unwrap();
            let vb = with_prepared(&fv, &mv, &p, &mut b, |im, _, _| {
                Ok((0..im.len()).map(|i| im.get_f64(i)).sum::<f64>())
            })
            .unwrap();
            assert_eq!(va.to_bits(), vb.to_bits(), "{interpolator:?}");
        }
    }

    #[test]
    fn settings_checks() {
        let mut s = Settings::DEFAULT;
        s.resample = Some(Resample {
            spacing: [1.0, -1.0, 1.0],
            interpolator: Interpolator::BSpline,
            pad_distance: 5,
        });
        assert_eq!(s.check(), Err(Error::BadSetting));
        s.resample = Some(Resample {
            spacing: [1.0, f64::NAN, 1.0],
            interpolator: Interpolator::Gaussian,
            pad_distance: 5,
        });
        assert_eq!(s.check(), Err(Error::BadSetting));
        for i in Interpolator::ALL {
            s.resample = Some(Resample {
                spacing: [1.0, 0.0, 1.0],
                interpolator: i,
                pad_distance: 5,
            });
            assert_eq!(s.check(), Ok(()));
        }
        let mut s = Settings::DEFAULT;
        s.pre_crop = true;
        assert_eq!(s.check(), Ok(()));
    }
}
