//! Image and mask descriptors passed by C callers, and their conversion to the core's views.

use crate::status::RadscoreStatus;
use crate::util::{self, Res};
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

impl RadscoreImage {
    /// The core's view of this image (checks tag, pointer, alignment, dims, spacing and, for
    /// float voxels, finiteness).
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
        // SAFETY: caller's contract for the described buffer.
        let v = unsafe {
            match self.voxel_type {
                RADSCORE_VOXEL_I16 => Voxels::I16(typed(self.voxels, n)?),
                RADSCORE_VOXEL_U16 => Voxels::U16(typed(self.voxels, n)?),
                RADSCORE_VOXEL_I32 => Voxels::I32(typed(self.voxels, n)?),
                RADSCORE_VOXEL_F32 => Voxels::F32(typed(self.voxels, n)?),
                _ => Voxels::F64(typed(self.voxels, n)?),
            }
        };
        ImageView::new(v, self.dims, self.spacing).map_err(RadscoreStatus::from)
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
        // SAFETY: caller's contract for the described buffer.
        let v = unsafe {
            match self.mask_type {
                RADSCORE_MASK_U8 => MaskVoxels::U8(typed(self.labels, n)?),
                RADSCORE_MASK_U16 => MaskVoxels::U16(typed(self.labels, n)?),
                _ => MaskVoxels::U32(typed(self.labels, n)?),
            }
        };
        MaskView::new(v, self.dims, label).map_err(RadscoreStatus::from)
    }
}
