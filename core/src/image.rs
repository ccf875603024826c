//! Borrowed image and mask views (x fastest, then y, then z), the ROI bounding box and
//! PyRadiomics' mask checks.
//!
//! Linear index of voxel `(x, y, z)` is `x + dims[0] * (y + dims[1] * z)` (ITK/NRRD order).
//! Direction cosines and origin are ignored by every filter and feature class (PyRadiomics
//! ignores them, spec gotcha 3); an [`ImageView`] may carry them ([`ImageView::with_geometry`])
//! for resampling only, whose grid arithmetic SimpleITK does in physical space
//! (`docs/resampling.md`).

use crate::Error;

/// The voxel buffer of an image, in its acquisition type (the type matters for PyRadiomics parity:
/// float32 input is wavelet-transformed in float32, integer input in float64).
#[derive(Debug, Clone, Copy)]
pub enum Voxels<'a> {
    /// Signed 16-bit (most MRI/CT).
    I16(&'a [i16]),
    /// Unsigned 16-bit.
    U16(&'a [u16]),
    /// Signed 32-bit.
    I32(&'a [i32]),
    /// 32-bit float.
    F32(&'a [f32]),
    /// 64-bit float.
    F64(&'a [f64]),
}

impl Voxels<'_> {
    /// Number of voxels in the buffer.
    pub fn len(&self) -> usize {
        match self {
            Voxels::I16(v) => v.len(),
            Voxels::U16(v) => v.len(),
            Voxels::I32(v) => v.len(),
            Voxels::F32(v) => v.len(),
            Voxels::F64(v) => v.len(),
        }
    }

    /// `true` if the buffer holds no voxel.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Voxel `i` widened to f64 (exact for every supported type), `None` if out of range.
    #[inline]
    pub fn get(&self, i: usize) -> Option<f64> {
        match self {
            Voxels::I16(v) => v.get(i).map(|&x| f64::from(x)),
            Voxels::U16(v) => v.get(i).map(|&x| f64::from(x)),
            Voxels::I32(v) => v.get(i).map(|&x| f64::from(x)),
            Voxels::F32(v) => v.get(i).map(|&x| f64::from(x)),
            Voxels::F64(v) => v.get(i).copied(),
        }
    }

    /// `true` for the floating-point types.
    pub fn is_float(&self) -> bool {
        matches!(self, Voxels::F32(_) | Voxels::F64(_))
    }
}

/// `dims[0] * dims[1] * dims[2]`, rejecting zero dimensions and overflow.
pub fn voxel_count(dims: [usize; 3]) -> Result<usize, Error> {
    if dims.contains(&0) {
        return Err(Error::BadDimensions);
    }
    dims[0]
        .checked_mul(dims[1])
        .and_then(|n| n.checked_mul(dims[2]))
        .ok_or(Error::BadDimensions)
}

/// A point transform applied to every voxel as it is read ([`ImageView::get_f64`]): the intensity
/// normalisation of PyRadiomics (`imageoperations.normalizeImage`, see [`crate::normalize`]),
///
/// ```text
/// f(x) = clip((x + shift) · inv_sigma, −clip, +clip) · scale      (float64, in this order)
/// ```
///
/// (no clipping when `clip` is `None`). A mapped image is a float64 image for every purpose
/// (SimpleITK's `Normalize` outputs float64 whatever the input type).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointMap {
    /// `−mean` of the whole image.
    pub shift: f64,
    /// `1 / sigma` of the whole image.
    pub inv_sigma: f64,
    /// `removeOutliers`: clip the normalised value to `[−c, c]` (before `scale`).
    pub clip: Option<f64>,
    /// `normalizeScale`.
    pub scale: f64,
}

impl PointMap {
    /// `f(x)` (see the type's documentation).
    #[inline]
    pub fn apply(&self, x: f64) -> f64 {
        let mut v = (x + self.shift) * self.inv_sigma;
        if let Some(c) = self.clip {
            if v > c {
                v = c;
            }
            if v < -c {
                v = -c;
            }
        }
        v * self.scale
    }
}

/// A borrowed 3-D image: voxels (x fastest), dimensions and spacing (mm), both `[x, y, z]`, and
/// optionally a [`PointMap`] (normalisation) applied to every voxel read through
/// [`ImageView::get_f64`].
#[derive(Debug, Clone, Copy)]
pub struct ImageView<'a> {
    voxels: Voxels<'a>,
    dims: [usize; 3],
    spacing: [f64; 3],
    map: Option<PointMap>,
    /// Physical position (mm) of voxel (0, 0, 0); only resampling reads it.
    origin: [f64; 3],
    /// `direction[axis]` = unit vector of image axis `axis` in physical space (the columns of
    /// ITK's direction matrix); only resampling reads it.
    direction: [[f64; 3]; 3],
}

/// The identity direction matrix (`direction[axis]` = unit vector of `axis`).
pub const IDENTITY_DIRECTION: [[f64; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

impl<'a> ImageView<'a> {
    /// Checks that no dimension is zero and the voxel count does not overflow
    /// ([`Error::BadDimensions`]), that the buffer holds exactly `dims[0]*dims[1]*dims[2]` voxels
    /// ([`Error::ImageLengthMismatch`]), that every spacing is finite and > 0
    /// ([`Error::BadSpacing`]) and that float voxels are finite ([`Error::NonFiniteVoxel`]).
    pub fn new(voxels: Voxels<'a>, dims: [usize; 3], spacing: [f64; 3]) -> Result<Self, Error> {
        let n = voxel_count(dims)?;
        if voxels.len() != n {
            return Err(Error::ImageLengthMismatch);
        }
        if spacing.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(Error::BadSpacing);
        }
        let finite = match voxels {
            Voxels::F32(v) => v.iter().all(|x| x.is_finite()),
            Voxels::F64(v) => v.iter().all(|x| x.is_finite()),
            _ => true,
        };
        if !finite {
            return Err(Error::NonFiniteVoxel);
        }
        Ok(ImageView {
            voxels,
            dims,
            spacing,
            origin: [0.0; 3],
            direction: IDENTITY_DIRECTION,
            map: None,
        })
    }

    /// The same image seen through `map` (`None`: the stored values).
    pub fn with_map(self, map: Option<PointMap>) -> Self {
        ImageView { map, ..self }
    }

    /// The point transform applied by [`ImageView::get_f64`], if any. Code that reads
    /// [`ImageView::voxels`] directly must apply it (or fall back to `get_f64`).
    pub fn map(&self) -> Option<PointMap> {
        self.map
    }

    /// `true` if PyRadiomics holds this image as float32 (a float32 buffer without a map; a mapped
    /// image is float64).
    pub fn is_f32(&self) -> bool {
        matches!(self.voxels, Voxels::F32(_)) && self.map.is_none()
    }

    /// The same view with its physical origin (mm) and direction cosines (`direction[axis]` = unit
    /// vector of image axis `axis`, as NRRD `space directions` divided by the spacing). Only
    /// resampling uses them: SimpleITK maps the output grid through physical space, and the
    /// rounding of that arithmetic decides half-way nearest-neighbour picks and integer
    /// truncations. Without them the view has origin 0 and identity directions. Errors:
    /// [`Error::BadSpacing`] if a value is not finite or the direction matrix is singular.
    pub fn with_geometry(
        mut self,
        origin: [f64; 3],
        direction: [[f64; 3]; 3],
    ) -> Result<Self, Error> {
        if origin
            .iter()
            .chain(direction.iter().flatten())
            .any(|v| !v.is_finite())
        {
            return Err(Error::BadSpacing);
        }
        let d = direction;
        let det = d[0][0] * (d[1][1] * d[2][2] - d[2][1] * d[1][2])
            - d[1][0] * (d[0][1] * d[2][2] - d[2][1] * d[0][2])
            + d[2][0] * (d[0][1] * d[1][2] - d[1][1] * d[0][2]);
        if det == 0.0 || !det.is_finite() {
            return Err(Error::BadSpacing);
        }
        self.origin = origin;
        self.direction = direction;
        Ok(self)
    }

    /// Physical position (mm) of voxel (0, 0, 0) (0 unless set by [`ImageView::with_geometry`]).
    pub fn origin(&self) -> [f64; 3] {
        self.origin
    }

    /// Direction cosines, `direction[axis]` = unit vector of image axis `axis` (identity unless
    /// set by [`ImageView::with_geometry`]).
    pub fn direction(&self) -> [[f64; 3]; 3] {
        self.direction
    }

    /// Dimensions `[x, y, z]`.
    pub fn dims(&self) -> [usize; 3] {
        self.dims
    }

    /// Spacing `[x, y, z]` in mm.
    pub fn spacing(&self) -> [f64; 3] {
        self.spacing
    }

    /// The voxel buffer, as stored (without the [`PointMap`]).
    pub fn voxels(&self) -> &Voxels<'a> {
        &self.voxels
    }

    /// Number of voxels.
    pub fn len(&self) -> usize {
        self.voxels.len()
    }

    /// Always `false` for a constructed view (dimensions are non-zero).
    pub fn is_empty(&self) -> bool {
        self.voxels.is_empty()
    }

    /// Voxel at linear index `i` as f64, through the [`PointMap`] if any. Callers keep
    /// `i < len()`; out of range yields NaN (never a panic).
    #[inline]
    pub fn get_f64(&self, i: usize) -> f64 {
        let v = self.voxels.get(i).unwrap_or(f64::NAN);
        match &self.map {
            None => v,
            Some(m) => m.apply(v),
        }
    }
}

/// The voxel buffer of a label mask.
#[derive(Debug, Clone, Copy)]
pub enum MaskVoxels<'a> {
    /// 8-bit labels.
    U8(&'a [u8]),
    /// 16-bit labels.
    U16(&'a [u16]),
    /// 32-bit labels (PyRadiomics casts every mask to UInt32).
    U32(&'a [u32]),
}

impl MaskVoxels<'_> {
    /// Number of voxels in the buffer.
    pub fn len(&self) -> usize {
        match self {
            MaskVoxels::U8(v) => v.len(),
            MaskVoxels::U16(v) => v.len(),
            MaskVoxels::U32(v) => v.len(),
        }
    }

    /// `true` if the buffer holds no voxel.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Label at `i`, `None` if out of range.
    #[inline]
    pub fn get(&self, i: usize) -> Option<u32> {
        match self {
            MaskVoxels::U8(v) => v.get(i).map(|&x| u32::from(x)),
            MaskVoxels::U16(v) => v.get(i).map(|&x| u32::from(x)),
            MaskVoxels::U32(v) => v.get(i).copied(),
        }
    }
}

/// An intensity window restricting a mask (resegmentation, [`crate::resegment`]): a voxel stays in
/// the ROI only if `lo <= image value <= hi` (values read through the image's [`PointMap`]; NaN
/// never passes). The bounds are already in the precision PyRadiomics compares in.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    /// The image whose values are tested.
    pub image: ImageView<'a>,
    /// Lower bound (inclusive; `-∞` for none).
    pub lo: f64,
    /// Upper bound (inclusive; `+∞` for none).
    pub hi: f64,
}

/// A borrowed label mask and the label that defines the ROI.
///
/// The buffer covers either the whole grid ([`MaskView::new`]) or only a box of it
/// ([`MaskView::window`], every voxel outside the box being 0): a host can then keep just the
/// box around the ROI instead of a whole-image mask. [`MaskView::restricted`] adds an intensity
/// [`Window`] (the resegmented mask, without copying it).
#[derive(Debug, Clone, Copy)]
pub struct MaskView<'a> {
    voxels: MaskVoxels<'a>,
    dims: [usize; 3],
    label: u32,
    /// First grid index covered by `voxels`, per axis.
    win_lo: [usize; 3],
    /// Extent of the box covered by `voxels` (`dims` for a whole-grid buffer).
    win_dims: [usize; 3],
    /// Resegmentation window, if any.
    range: Option<Window<'a>>,
}

impl<'a> MaskView<'a> {
    /// Checks the dimensions ([`Error::BadDimensions`]) and the buffer length
    /// ([`Error::ImageLengthMismatch`]). Whether `label` occurs is checked by [`roi_box`].
    pub fn new(voxels: MaskVoxels<'a>, dims: [usize; 3], label: u32) -> Result<Self, Error> {
        let n = voxel_count(dims)?;
        if voxels.len() != n {
            return Err(Error::ImageLengthMismatch);
        }
        Ok(MaskView {
            voxels,
            dims,
            label,
            win_lo: [0; 3],
            win_dims: dims,
            range: None,
        })
    }

    /// A mask of dimensions `dims` whose `voxels` cover only the box starting at grid index `lo`
    /// with extent `size` (x fastest); every voxel outside the box is 0. Errors: the box leaves
    /// the grid or is empty ([`Error::BadDimensions`]); `voxels` does not hold
    /// `size[0]·size[1]·size[2]` values ([`Error::ImageLengthMismatch`]).
    pub fn window(
        voxels: MaskVoxels<'a>,
        dims: [usize; 3],
        lo: [usize; 3],
        size: [usize; 3],
        label: u32,
    ) -> Result<Self, Error> {
        voxel_count(dims)?;
        let n = voxel_count(size)?;
        if (0..3).any(|d| lo[d].checked_add(size[d]).is_none_or(|e| e > dims[d])) {
            return Err(Error::BadDimensions);
        }
        if voxels.len() != n {
            return Err(Error::ImageLengthMismatch);
        }
        Ok(MaskView {
            voxels,
            dims,
            label,
            win_lo: lo,
            win_dims: size,
            range: None,
        })
    }

    /// This mask restricted to the voxels whose value lies in `range` (`None`: unrestricted).
    /// Errors: the window's image is not on this mask's grid ([`Error::MaskSizeMismatch`]).
    pub fn restricted(self, range: Option<Window<'a>>) -> Result<Self, Error> {
        if let Some(w) = &range {
            if w.image.dims() != self.dims {
                return Err(Error::MaskSizeMismatch);
            }
        }
        Ok(MaskView { range, ..self })
    }

    /// The resegmentation window, if any.
    pub fn range(&self) -> Option<&Window<'a>> {
        self.range.as_ref()
    }

    /// `true` if voxel `i` passes the resegmentation window (always without one).
    #[inline]
    fn in_range(&self, i: usize) -> bool {
        match &self.range {
            None => true,
            Some(w) => {
                let v = w.image.get_f64(i);
                v >= w.lo && v <= w.hi
            }
        }
    }

    fn is_whole(&self) -> bool {
        self.win_dims == self.dims
    }

    /// `true` if voxel `i` (index in the whole grid) carries the ROI label (out of range:
    /// `false`).
    #[inline]
    pub fn is_roi(&self, i: usize) -> bool {
        if self.is_whole() {
            return self.voxels.get(i) == Some(self.label) && self.in_range(i);
        }
        if i >= self.len() {
            return false;
        }
        let r = i / self.dims[0];
        self.is_roi_at([i % self.dims[0], r % self.dims[1], r / self.dims[1]])
    }

    /// [`MaskView::is_roi`] of the voxel at grid coordinates `p` (no division).
    #[inline]
    pub fn is_roi_at(&self, p: [usize; 3]) -> bool {
        if (0..3).any(|d| p[d] >= self.dims[d]) {
            return false;
        }
        let (lo, wd) = (self.win_lo, self.win_dims);
        if (0..3).any(|d| p[d] < lo[d] || p[d] >= lo[d] + wd[d]) {
            return self.label == 0;
        }
        let k = (p[0] - lo[0]) + wd[0] * ((p[1] - lo[1]) + wd[1] * (p[2] - lo[2]));
        self.voxels.get(k) == Some(self.label)
            && self.in_range(p[0] + self.dims[0] * (p[1] + self.dims[1] * p[2]))
    }

    /// Calls `f(is_roi)` for the voxels `x0..x1` of row (y, z), in order: [`MaskView::is_roi`]
    /// of each, with the window test and the label type resolved once per row instead of a
    /// division and a type dispatch per voxel (feature classes scan the ROI box row by row).
    #[inline]
    pub fn for_row(&self, y: usize, z: usize, x0: usize, x1: usize, mut f: impl FnMut(bool)) {
        let x1 = x1.max(x0);
        // voxels past the grid (x ≥ dims, or a row outside it) are not in the ROI
        let end = if y < self.dims[1] && z < self.dims[2] {
            x1.min(self.dims[0]).max(x0)
        } else {
            x0
        };
        let (lo, wd) = (self.win_lo, self.win_dims);
        let outside = self.label == 0;
        if !((lo[1]..lo[1] + wd[1]).contains(&y) && (lo[2]..lo[2] + wd[2]).contains(&z)) {
            (x0..end).for_each(|_| f(outside));
        } else {
            // the window's part of the row, [a, b), read from the buffer
            let a = x0.clamp(lo[0], lo[0] + wd[0]).min(end);
            let b = end.clamp(lo[0], lo[0] + wd[0]).max(a);
            (x0..a).for_each(|_| f(outside));
            let k0 = (a - lo[0]) + wd[0] * ((y - lo[1]) + wd[1] * (z - lo[2]));
            let i0 = self.dims[0] * (y + self.dims[1] * z) + a;
            match self.voxels {
                MaskVoxels::U8(v) => self.row_hits(v, k0, b - a, i0, &mut f),
                MaskVoxels::U16(v) => self.row_hits(v, k0, b - a, i0, &mut f),
                MaskVoxels::U32(v) => self.row_hits(v, k0, b - a, i0, &mut f),
            }
            (b..end).for_each(|_| f(outside));
        }
        (end..x1).for_each(|_| f(false));
    }

    /// [`MaskView::for_row`] on `n` buffer entries from `k0` (grid index `i0` onwards).
    #[inline]
    fn row_hits<T: Copy + Into<u32>>(
        &self,
        v: &[T],
        k0: usize,
        n: usize,
        i0: usize,
        f: &mut impl FnMut(bool),
    ) {
        let part = v.get(k0..k0.saturating_add(n)).unwrap_or(&[]);
        for (j, &x) in part.iter().enumerate() {
            f(x.into() == self.label && self.in_range(i0 + j));
        }
        (part.len()..n).for_each(|_| f(false));
    }

    /// Dimensions `[x, y, z]` of the grid.
    pub fn dims(&self) -> [usize; 3] {
        self.dims
    }

    /// The ROI label.
    pub fn label(&self) -> u32 {
        self.label
    }

    /// The voxel buffer (only the window's voxels for a [`MaskView::window`] view).
    pub fn voxels(&self) -> &MaskVoxels<'a> {
        &self.voxels
    }

    /// Number of voxels of the grid.
    pub fn len(&self) -> usize {
        self.dims[0]
            .saturating_mul(self.dims[1])
            .saturating_mul(self.dims[2])
    }

    /// Always `false` for a constructed view.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The bounding box of the ROI in index space: `lo` inclusive, `hi` exclusive, `[x, y, z]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoiBox {
    /// First index inside the box, per axis.
    pub lo: [usize; 3],
    /// One past the last index inside the box, per axis.
    pub hi: [usize; 3],
}

impl RoiBox {
    /// Extent per axis (`hi - lo`, saturating at 0 for a malformed box).
    pub fn dims(&self) -> [usize; 3] {
        [
            self.hi[0].saturating_sub(self.lo[0]),
            self.hi[1].saturating_sub(self.lo[1]),
            self.hi[2].saturating_sub(self.lo[2]),
        ]
    }

    /// Number of voxels in the box (saturating).
    pub fn len(&self) -> usize {
        let d = self.dims();
        d[0].saturating_mul(d[1]).saturating_mul(d[2])
    }

    /// `true` if the box holds no voxel.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `true` if the box is non-empty and lies within an image of dimensions `dims`.
    pub fn fits(&self, dims: [usize; 3]) -> bool {
        (0..3).all(|d| self.lo[d] < self.hi[d] && self.hi[d] <= dims[d])
    }
}

/// The ROI bounding box and the number of ROI voxels (see [`roi_box_checked`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoiCheck {
    /// The bounding box.
    pub roi: RoiBox,
    /// Number of ROI voxels.
    pub voxels: usize,
}

/// The ROI bounding box, after PyRadiomics' `imageoperations.checkMask` checks with its default
/// settings (`minimumROIDimensions` 2, no `minimumROISize`): [`roi_box_checked`]`(image, mask, 2,
/// None)`.
pub fn roi_box(image: &ImageView, mask: &MaskView) -> Result<RoiBox, Error> {
    roi_box_checked(image, mask, 2, None).map(|c| c.roi)
}

/// The ROI bounding box, after PyRadiomics' `imageoperations.checkMask` checks, in its order:
///
/// 1. image and mask have the same dimensions ([`Error::MaskSizeMismatch`]);
/// 2. the label occurs in the mask ([`Error::LabelNotPresent`]);
/// 3. with `ndims` = the number of dimensions in which the box has extent > 1: `ndims = 0` is
///    [`Error::RoiSingleVoxel`] ("mask only contains 1 segmented voxel"), `ndims < min_dims`
///    (`minimumROIDimensions`, 1–3) is [`Error::RoiTooFewDimensions`];
/// 4. with `min_size` (`minimumROISize`): `voxels <= min_size` is [`Error::RoiTooSmall`] (sic:
///    PyRadiomics refuses an ROI of exactly `minimumROISize` voxels).
pub fn roi_box_checked(
    image: &ImageView,
    mask: &MaskView,
    min_dims: u8,
    min_size: Option<u32>,
) -> Result<RoiCheck, Error> {
    let dims = image.dims();
    if mask.dims() != dims || mask.len() != image.len() {
        return Err(Error::MaskSizeMismatch);
    }
    let (count, lo, hi) = roi_extent(mask);
    finish_box(count, lo, hi, min_dims, min_size)
}

/// The number of ROI voxels ([`MaskView::is_roi`]) and their bounding box `lo..hi` (`lo` is
/// `usize::MAX` when there is none), scanning only the mask's window when the label is not 0,
/// and row by row ([`MaskView::for_row`]) otherwise.
pub(crate) fn roi_extent(mask: &MaskView) -> (usize, [usize; 3], [usize; 3]) {
    let dims = mask.dims();
    let mut lo = [usize::MAX; 3];
    let mut hi = [0usize; 3];
    let mut count = 0usize;
    // Only the window can hold a non-zero label.
    let (o, w) = if mask.label != 0 {
        (mask.win_lo, mask.win_dims)
    } else {
        ([0; 3], dims)
    };
    if mask.label != 0 && mask.range.is_none() {
        // the window's buffer row by row, without a call per voxel
        return match mask.voxels {
            MaskVoxels::U8(v) => window_extent(v, o, w, mask.label),
            MaskVoxels::U16(v) => window_extent(v, o, w, mask.label),
            MaskVoxels::U32(v) => window_extent(v, o, w, mask.label),
        };
    }
    for z in o[2]..o[2] + w[2] {
        for y in o[1]..o[1] + w[1] {
            // this row's hits: how many, the first and one past the last (no branch per voxel)
            let (mut n, mut first, mut end, mut x) = (0usize, usize::MAX, 0usize, o[0]);
            mask.for_row(y, z, o[0], o[0] + w[0], |hit| {
                n += usize::from(hit);
                first = first.min(if hit { x } else { usize::MAX });
                end = end.max(if hit { x + 1 } else { 0 });
                x += 1;
            });
            if n > 0 {
                count += n;
                lo = [lo[0].min(first), lo[1].min(y), lo[2].min(z)];
                hi = [hi[0].max(end), hi[1].max(y + 1), hi[2].max(z + 1)];
            }
        }
    }
    (count, lo, hi)
}

/// [`roi_extent`] of a window buffer `v` (extent `w`, at grid offset `o`) holding `label`.
fn window_extent<T: Copy + Into<u32>>(
    v: &[T],
    o: [usize; 3],
    w: [usize; 3],
    label: u32,
) -> (usize, [usize; 3], [usize; 3]) {
    let mut lo = [usize::MAX; 3];
    let mut hi = [0usize; 3];
    let mut count = 0usize;
    let hit = |x: &T| (*x).into() == label;
    for (r, row) in v.chunks_exact(w[0].max(1)).enumerate() {
        let Some(first) = row.iter().position(hit) else {
            continue;
        };
        let end = row.iter().rposition(hit).map_or(first, |e| e) + 1;
        count += row
            .get(first..end)
            .map_or(0, |s| s.iter().filter(|x| hit(x)).count());
        let (y, z) = (o[1] + r % w[1].max(1), o[2] + r / w[1].max(1));
        lo = [lo[0].min(o[0] + first), lo[1].min(y), lo[2].min(z)];
        hi = [hi[0].max(o[0] + end), hi[1].max(y + 1), hi[2].max(z + 1)];
    }
    (count, lo, hi)
}

fn finish_box(
    count: usize,
    lo: [usize; 3],
    hi: [usize; 3],
    min_dims: u8,
    min_size: Option<u32>,
) -> Result<RoiCheck, Error> {
    if count == 0 {
        return Err(Error::LabelNotPresent);
    }
    let b = RoiBox { lo, hi };
    let ndims = b.dims().iter().filter(|&&e| e > 1).count();
    if ndims == 0 {
        return Err(Error::RoiSingleVoxel);
    }
    if ndims < usize::from(min_dims) {
        return Err(Error::RoiTooFewDimensions);
    }
    if let Some(m) = min_size {
        if count <= m as usize {
            return Err(Error::RoiTooSmall);
        }
    }
    Ok(RoiCheck {
        roi: b,
        voxels: count,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// `for_row` gives `is_roi` of every voxel, for whole and windowed masks, labels 0 and 2,
    /// with and without a resegmentation range, rows and x ranges reaching past the grid.
    #[test]
    fn for_row_equals_is_roi() {
        let dims = [7usize, 5, 4];
        let n = dims[0] * dims[1] * dims[2];
        let img: [i16; 140] = core::array::from_fn(|i| ((i * 37) % 23) as i16);
        let im = ImageView::new(Voxels::I16(&img), dims, [1.0; 3]).unwrap();
        let whole: [u16; 140] = core::array::from_fn(|i| ((i * 11) % 3) as u16);
        let (lo, size) = ([2usize, 1, 1], [4usize, 3, 2]);
        let win: [u8; 24] = core::array::from_fn(|k| ((k * 5) % 3) as u8);
        let range = Window {
            image: im,
            lo: 4.0,
            hi: 17.0,
        };
        for label in [0u32, 2] {
            let masks = [
                MaskView::new(MaskVoxels::U16(&whole), dims, label).unwrap(),
                MaskView::window(MaskVoxels::U8(&win), dims, lo, size, label).unwrap(),
            ];
            for m in masks {
                for m in [m, m.restricted(Some(range)).unwrap()] {
                    for z in 0..dims[2] + 1 {
                        for y in 0..dims[1] + 1 {
                            for (x0, x1) in [(0, 7), (1, 5), (3, 9), (6, 6)] {
                                let mut got = [false; 16];
                                let mut k = 0;
                                m.for_row(y, z, x0, x1, |b| {
                                    got[k] = b;
                                    k += 1;
                                });
                                assert_eq!(k, x1 - x0, "one call per voxel");
                                for x in x0..x1 {
                                    let inside = x < dims[0] && y < dims[1] && z < dims[2];
                                    let i = x + dims[0] * (y + dims[1] * z);
                                    let want = inside && i < n && m.is_roi(i);
                                    assert_eq!(got[x - x0], want, "label {label} ({x},{y},{z})");
                                    assert_eq!(m.is_roi_at([x, y, z]), want, "is_roi_at");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn checks_in_pyradiomics_order() {
        let img = [0i16; 27];
        let im = ImageView::new(Voxels::I16(&img), [3, 3, 3], [1.0; 3]).unwrap();
        let mut m = [0u8; 27];
        let mv = MaskView::new(MaskVoxels::U8(&m), [3, 3, 3], 1).unwrap();
        assert_eq!(roi_box(&im, &mv), Err(Error::LabelNotPresent));
        m[13] = 1;
        let mv = MaskView::new(MaskVoxels::U8(&m), [3, 3, 3], 1).unwrap();
        assert_eq!(roi_box(&im, &mv), Err(Error::RoiSingleVoxel));
        m[14] = 1;
        let mv = MaskView::new(MaskVoxels::U8(&m), [3, 3, 3], 1).unwrap();
        assert_eq!(roi_box(&im, &mv), Err(Error::RoiTooFewDimensions));
        m[26] = 1;
        let mv = MaskView::new(MaskVoxels::U8(&m), [3, 3, 3], 1).unwrap();
        assert_eq!(
            roi_box(&im, &mv),
            Ok(RoiBox {
                lo: [1, 1, 1],
                hi: [3, 3, 3]
            })
        );
        let m2 = [1u8; 8];
        let mv = MaskView::new(MaskVoxels::U8(&m2), [2, 2, 2], 1).unwrap();
        assert_eq!(roi_box(&im, &mv), Err(Error::MaskSizeMismatch));
    }

    #[test]
    fn view_checks() {
        let img = [0f32; 8];
        assert_eq!(
            ImageView::new(Voxels::F32(&img), [2, 2, 3], [1.0; 3]).err(),
            Some(Error::ImageLengthMismatch)
        );
        assert_eq!(
            ImageView::new(Voxels::F32(&img), [2, 0, 2], [1.0; 3]).err(),
            Some(Error::BadDimensions)
        );
        assert_eq!(
            ImageView::new(Voxels::F32(&img), [2, 2, 2], [1.0, 0.0, 1.0]).err(),
            Some(Error::BadSpacing)
        );
        let bad = [0.0, f32::NAN, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(
            ImageView::new(Voxels::F32(&bad), [2, 2, 2], [1.0; 3]).err(),
            Some(Error::NonFiniteVoxel)
        );
        let v = ImageView::new(Voxels::F32(&img), [2, 2, 2], [1.0; 3]).unwrap();
        assert!(v.get_f64(8).is_nan());
    }

    #[test]
    fn window_mask_equals_whole_mask() {
        let dims = [5, 4, 3];
        let img = [0i16; 60];
        let im = ImageView::new(Voxels::I16(&img), dims, [1.0; 3]).unwrap();
        let mut full = [0u8; 60];
        for &(x, y, z, l) in &[(1, 1, 1, 2), (2, 1, 1, 2), (2, 2, 2, 2), (3, 2, 1, 7)] {
            full[x + 5 * (y + 4 * z)] = l;
        }
        // window x 1..4, y 1..3, z 1..3
        let (lo, size) = ([1, 1, 1], [3, 2, 2]);
        let mut win = [0u8; 12];
        for z in 0..2 {
            for y in 0..2 {
                for x in 0..3 {
                    win[x + 3 * (y + 2 * z)] = full[(x + 1) + 5 * ((y + 1) + 4 * (z + 1))];
                }
            }
        }
        for label in [0, 2, 7, 9] {
            let a = MaskView::new(MaskVoxels::U8(&full), dims, label).unwrap();
            let b = MaskView::window(MaskVoxels::U8(&win), dims, lo, size, label).unwrap();
            assert_eq!(roi_box(&im, &a), roi_box(&im, &b), "label {label}");
            for i in 0..61 {
                assert_eq!(a.is_roi(i), b.is_roi(i), "label {label} voxel {i}");
            }
        }
        assert!(MaskView::window(MaskVoxels::U8(&win), dims, [3, 1, 1], size, 1).is_err());
        assert!(MaskView::window(MaskVoxels::U8(&win[..11]), dims, lo, size, 1).is_err());
    }
}
