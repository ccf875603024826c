//! `sitkNearestNeighbor`: ITK `NearestNeighborInterpolateImageFunction` (the mask is always
//! resampled with it; the image when `interpolator: sitkNearestNeighbor`).

use super::round_half_up;

/// Linear index of the input voxel nearest to the continuous index `ci`
/// (`ConvertContinuousIndexToNearestIndex`: ITK's `Math::RoundHalfIntegerUp` per axis, so a
/// half-integer goes to the upper voxel), `None` outside the grid. Callers first check
/// [`super::inside`].
///
/// Value: `image[round_half_up(ci)]`, PyRadiomics' `resampleImage` mask resampling
/// (`sitkNearestNeighbor`).
#[inline]
pub fn index(ci: &[f64; 3], dims: [usize; 3]) -> Option<usize> {
    coords(ci, dims).map(|p| p[0] + dims[0] * (p[1] + dims[1] * p[2]))
}

/// The grid coordinates of [`index`]'s voxel.
#[inline]
pub fn coords(ci: &[f64; 3], dims: [usize; 3]) -> Option<[usize; 3]> {
    let mut p = [0usize; 3];
    for d in 0..3 {
        let i = round_half_up(ci[d]);
        if i < 0 || i as u64 >= dims[d] as u64 {
            return None;
        }
        p[d] = i as usize;
    }
    Some(p)
}
