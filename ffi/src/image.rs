//! Image and mask descriptors passed by C callers, and their conversion to the core's views.

use crate::status::RadscoreStatus;
use crate::util::{self, Res};
use radscore_core::geometry::Grid;
use radscore_core::image::{voxel_count, ImageView, MaskView, MaskVoxels, Voxels};

/// Voxel type tag: signed 16-bit (`int16_t`).
pub const RADSCORE_VOXEL_I16: u32 = 1;
/// Voxel type tag: unsigned 16-bit (`uint16_t`).
pub const RADSCORE_VOXEL_U16: u32 = 2;
/// Voxel type tag: signed 32-bit (`int32_t`).
pub const RADSCORE_VOXEL_I32: u32 = 3;
/// Voxel type tag: 32-bit float (`float`). Every voxel must be finite.
pub const RADSCORE_VOXEL_F32: u32 = 4;
/// Voxel type tag: 64-bit float (`double`). Every voxel must be finite.
pub const RADSCORE_VOXEL_F64: u32 = 5;

/// Mask type tag: 8-bit labels (`uint8_t`).
pub const RADSCORE_MASK_U8: u32 = 1;
/// Mask type tag: 16-bit labels (`uint16_t`).
pub const RADSCORE_MASK_U16: u32 = 2;
/// Mask type tag: 32-bit labels (`uint32_t`).
pub const RADSCORE_MASK_U32: u32 = 3;

/// `RadscoreMask::label` value meaning "use the label stored in the model for each feature".
pub const RADSCORE_LABEL_FROM_MODEL: u32 = 0;

/// A borrowed 3-D image. Voxel `(x, y, z)` is at index `x + dims[0] * (y + dims[1] * z)`
/// (x fastest: NRRD/NIfTI/ITK order). The library only reads the voxels during a call and keeps
/// no pointer afterwards.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct RadscoreImage {
    /// `dims[0] * dims[1] * dims[2]` voxels of type `voxel_type`, aligned for that type.
    pub voxels: *const core::ffi::c_void,
    /// One of `RADSCORE_VOXEL_*`.
    pub voxel_type: u32,
    /// Size along x, y, z (each > 0).
    pub dims: [usize; 3],
    /// Voxel spacing along x, y, z in mm (each finite and > 0).
    pub spacing: [f64; 3],
}

/// A borrowed label mask on the image's grid (same dims and voxel order).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct RadscoreMask {
    /// `dims[0] * dims[1] * dims[2]` labels of type `mask_type`, aligned for that type.
    pub labels: *const core::ffi::c_void,
    /// One of `RADSCORE_MASK_*`.
    pub mask_type: u32,
    /// Size along x, y, z; must equal the image's.
    pub dims: [usize; 3],
    /// The label value of the lesion, or `RADSCORE_LABEL_FROM_MODEL` (0) to use the label the
    /// model stores with each feature.
    pub label: u32,
}

/// Voxel count of `dims`: zero dimensions and overflow are `BadDimensions`.
fn count(dims: [usize; 3]) -> Res<usize> {
    voxel_count(dims).map_err(RadscoreStatus::from)
}

/// Borrows `n` elements of `T`; a byte size beyond `isize` is `BadDimensions` (the dims are
/// what is wrong).
///
/// # Safety
/// As [`util::slice`].
unsafe fn typed<'a, T>(p: *const core::ffi::c_void, n: usize) -> Res<&'a [T]> {
    if util::byte_len::<T>(n).is_none() {
        return Err(RadscoreStatus::BadDimensions);
    }
    // SAFETY: forwarded contract.
    unsafe { util::slice(p.cast::<T>(), n) }
}

/// A borrowed 3-D image with its buffer length and its physical grid (version 2 of
/// [`RadscoreImage`]; for `radscore_scratch_len2` and `radscore_extract2`). Voxel order as
/// [`RadscoreImage`]. The library only reads the voxels during a call and keeps no pointer.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct RadscoreImage2 {
    /// `sizeof(RadscoreImage2)`: set it before anything else (it tells the library which
    /// version of the struct the caller compiled against).
    pub struct_size: usize,
    /// `voxels_len` voxels of type `voxel_type`, aligned for that type.
    pub voxels: *const core::ffi::c_void,
    /// Number of voxels (elements, not bytes) the buffer holds: must equal
    /// `dims[0] * dims[1] * dims[2]` (else `RADSCORE_STATUS_IMAGE_LENGTH_MISMATCH`); nothing
    /// beyond it is ever read.
    pub voxels_len: usize,
    /// One of `RADSCORE_VOXEL_*`.
    pub voxel_type: u32,
    /// Size along x, y, z (each > 0).
    pub dims: [usize; 3],
    /// Voxel spacing along x, y, z in mm (each finite and > 0).
    pub spacing: [f64; 3],
    /// Physical position (mm) of the centre of voxel (0, 0, 0), as ITK's `GetOrigin()`.
    pub origin: [f64; 3],
    /// Direction cosines, 3 × 3 row-major as ITK/SimpleITK's `GetDirection()` (column `a` is
    /// the unit vector of image axis `a`). Only compared with the mask's; identity if unknown.
    pub direction: [f64; 9],
}

/// A borrowed label mask with its buffer length and its physical grid (version 2 of
/// [`RadscoreMask`]). It must lie on the image's grid: same dims (`MASK_SIZE_MISMATCH`) and the
/// same spacing, origin and direction within the tolerance of `radscore_extract2`
/// (`GEOMETRY_MISMATCH`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct RadscoreMask2 {
    /// `sizeof(RadscoreMask2)` (see [`RadscoreImage2::struct_size`]).
    pub struct_size: usize,
    /// `labels_len` labels of type `mask_type`, aligned for that type.
    pub labels: *const core::ffi::c_void,
    /// Number of labels (elements, not bytes) the buffer holds: must equal
    /// `dims[0] * dims[1] * dims[2]` (else `RADSCORE_STATUS_IMAGE_LENGTH_MISMATCH`).
    pub labels_len: usize,
    /// One of `RADSCORE_MASK_*`.
    pub mask_type: u32,
    /// Size along x, y, z; must equal the image's.
    pub dims: [usize; 3],
    /// Voxel spacing in mm, as stored with the mask.
    pub spacing: [f64; 3],
    /// Origin in mm, as stored with the mask.
    pub origin: [f64; 3],
    /// Direction cosines, layout as [`RadscoreImage2::direction`].
    pub direction: [f64; 9],
    /// The label value of the lesion, or `RADSCORE_LABEL_FROM_MODEL` (0).
    pub label: u32,
}

/// The core's image view of `n` voxels at `p` with tag `tag` (checks tag, pointer, alignment,
/// dims, length, spacing and, for float voxels, finiteness).
///
/// # Safety
/// If non-NULL and aligned, `p` must be valid for reads of `n` voxels of the tagged type.
unsafe fn image_view<'a>(
    p: *const core::ffi::c_void,
    tag: u32,
    n: usize,
    dims: [usize; 3],
    spacing: [f64; 3],
) -> Res<ImageView<'a>> {
    if !(RADSCORE_VOXEL_I16..=RADSCORE_VOXEL_F64).contains(&tag) {
        return Err(RadscoreStatus::BadArgument);
    }
    if p.is_null() {
        return Err(RadscoreStatus::NullPointer);
    }
    // SAFETY: caller's contract for the described buffer.
    let v = unsafe {
        match tag {
            RADSCORE_VOXEL_I16 => Voxels::I16(typed(p, n)?),
            RADSCORE_VOXEL_U16 => Voxels::U16(typed(p, n)?),
            RADSCORE_VOXEL_I32 => Voxels::I32(typed(p, n)?),
            RADSCORE_VOXEL_F32 => Voxels::F32(typed(p, n)?),
            _ => Voxels::F64(typed(p, n)?),
        }
    };
    ImageView::new(v, dims, spacing).map_err(RadscoreStatus::from)
}

/// The core's mask view of `n` labels at `p` with tag `tag` (checks tag, pointer, alignment,
/// dims, length).
///
/// # Safety
/// If non-NULL and aligned, `p` must be valid for reads of `n` labels of the tagged type.
unsafe fn mask_view<'a>(
    p: *const core::ffi::c_void,
    tag: u32,
    n: usize,
    dims: [usize; 3],
    label: u32,
) -> Res<MaskView<'a>> {
    if !(RADSCORE_MASK_U8..=RADSCORE_MASK_U32).contains(&tag) {
        return Err(RadscoreStatus::BadArgument);
    }
    if p.is_null() {
        return Err(RadscoreStatus::NullPointer);
    }
    // SAFETY: caller's contract for the described buffer.
    let v = unsafe {
        match tag {
            RADSCORE_MASK_U8 => MaskVoxels::U8(typed(p, n)?),
            RADSCORE_MASK_U16 => MaskVoxels::U16(typed(p, n)?),
            _ => MaskVoxels::U32(typed(p, n)?),
        }
    };
    MaskView::new(v, dims, label).map_err(RadscoreStatus::from)
}

impl RadscoreImage {
    /// The core's view of this image (checks tag, pointer, alignment, dims, spacing and, for
    /// float voxels, finiteness). The buffer length is taken from the dims.
    ///
    /// # Safety
    /// `voxels` must be valid for reads of the described buffer during the call.
    pub(crate) unsafe fn view<'a>(&self) -> Res<ImageView<'a>> {
        if !(RADSCORE_VOXEL_I16..=RADSCORE_VOXEL_F64).contains(&self.voxel_type) {
            return Err(RadscoreStatus::BadArgument);
        }
        if self.voxels.is_null() {
            return Err(RadscoreStatus::NullPointer);
        }
        let n = count(self.dims)?;
        // SAFETY: forwarded contract (n voxels as the dims describe).
        unsafe { image_view(self.voxels, self.voxel_type, n, self.dims, self.spacing) }
    }
}

impl RadscoreMask {
    /// The core's view of this mask with ROI label `label` (checks tag, pointer, alignment,
    /// dims). Whether the label occurs, and whether the dims match the image's, is checked by
    /// the extraction.
    ///
    /// # Safety
    /// `labels` must be valid for reads of the described buffer during the call.
    pub(crate) unsafe fn view<'a>(&self, label: u32) -> Res<MaskView<'a>> {
        if !(RADSCORE_MASK_U8..=RADSCORE_MASK_U32).contains(&self.mask_type) {
            return Err(RadscoreStatus::BadArgument);
        }
        if self.labels.is_null() {
            return Err(RadscoreStatus::NullPointer);
        }
        let n = count(self.dims)?;
        // SAFETY: forwarded contract.
        unsafe { mask_view(self.labels, self.mask_type, n, self.dims, label) }
    }
}

/// `direction[9]` as the core's 3 × 3 (the comparison is element by element).
fn rows(d: [f64; 9]) -> [[f64; 3]; 3] {
    let g = |k: usize| d.get(k).copied().unwrap_or(f64::NAN);
    [[g(0), g(1), g(2)], [g(3), g(4), g(5)], [g(6), g(7), g(8)]]
}

impl RadscoreImage2 {
    /// The core's view of this image: `struct_size` (`BadArgument`), then as
    /// [`RadscoreImage::view`] with the buffer length `voxels_len` (`ImageLengthMismatch` when
    /// it differs from the dims product: nothing past `voxels_len` is read).
    ///
    /// # Safety
    /// `voxels` must be valid for reads of `voxels_len` voxels during the call.
    pub(crate) unsafe fn view<'a>(&self) -> Res<ImageView<'a>> {
        if self.struct_size != core::mem::size_of::<RadscoreImage2>() {
            return Err(RadscoreStatus::BadArgument);
        }
        // SAFETY: forwarded contract (voxels_len voxels).
        unsafe {
            image_view(
                self.voxels,
                self.voxel_type,
                self.voxels_len,
                self.dims,
                self.spacing,
            )
        }
    }

    /// The image's grid for the geometry check.
    pub(crate) fn grid(&self) -> Grid {
        Grid {
            spacing: self.spacing,
            origin: self.origin,
            direction: rows(self.direction),
        }
    }
}

impl RadscoreMask2 {
    /// The core's view of this mask with ROI label `label`: `struct_size` (`BadArgument`),
    /// then as [`RadscoreMask::view`] with the buffer length `labels_len`.
    ///
    /// # Safety
    /// `labels` must be valid for reads of `labels_len` labels during the call.
    pub(crate) unsafe fn view<'a>(&self, label: u32) -> Res<MaskView<'a>> {
        if self.struct_size != core::mem::size_of::<RadscoreMask2>() {
            return Err(RadscoreStatus::BadArgument);
        }
        // SAFETY: forwarded contract (labels_len labels).
        unsafe {
            mask_view(
                self.labels,
                self.mask_type,
                self.labels_len,
                self.dims,
                label,
            )
        }
    }

    /// The mask's grid for the geometry check.
    pub(crate) fn grid(&self) -> Grid {
        Grid {
            spacing: self.spacing,
            origin: self.origin,
            direction: rows(self.direction),
        }
    }
}
