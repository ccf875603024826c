//! The `original` image type: the voxels themselves, widened to f64
//! (PyRadiomics `imageoperations.getOriginalImage`, which yields the input image unchanged).

use super::{box_index, image_index};
use crate::image::{ImageView, RoiBox};
use crate::Error;

/// `out[box index] = image[voxel]` as f64 (exact for every supported voxel type), for every voxel
/// of `roi`, x fastest. Needs no scratch.
pub fn filter(image: &ImageView, roi: &RoiBox, out: &mut [f64]) -> Result<(), Error> {
    let dims = image.dims();
    for z in roi.lo[2]..roi.hi[2] {
        for y in roi.lo[1]..roi.hi[1] {
            for x in roi.lo[0]..roi.hi[0] {
                let v = image.get_f64(image_index(dims, x, y, z));
                let o = out
                    .get_mut(box_index(roi, x, y, z))
                    .ok_or(Error::OutputTooSmall)?;
                *o = v;
            }
        }
    }
    Ok(())
}
