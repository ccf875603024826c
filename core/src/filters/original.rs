//! The `original` image type: the voxels themselves, widened to f64
//! (PyRadiomics `imageoperations.getOriginalImage`, which yields the input image unchanged).

use super::map_roi;
use crate::image::{ImageView, RoiBox};
use crate::Error;

/// `out[box index] = image[voxel]` as f64 (exact for every supported voxel type), for every voxel
/// of `roi`, x fastest. Needs no scratch.
pub fn filter(image: &ImageView, roi: &RoiBox, out: &mut [f64]) -> Result<(), Error> {
    map_roi(image, roi, out, |v| v)
}
