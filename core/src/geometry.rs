//! Whether a mask lies on its image's grid: spacing, origin and direction compared with a
//! tolerance, as the CLI compares the grids of image and mask files (`radscore extract`) and as
//! ITK refuses to combine images on different physical grids (PyRadiomics' `geometryTolerance`
//! at its default). The dimensions are compared exactly elsewhere
//! ([`crate::image::roi_box`]: [`Error::MaskSizeMismatch`]).

use crate::error::Error;

/// The tolerance of [`check_same_grid`] (ITK's default coordinate and direction tolerance).
pub const GEOMETRY_TOLERANCE: f64 = 1e-6;

/// The physical placement of a voxel grid (the dimensions aside).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grid {
    /// Voxel spacing in mm along x, y, z.
    pub spacing: [f64; 3],
    /// Physical position (mm) of the centre of voxel (0, 0, 0).
    pub origin: [f64; 3],
    /// Direction cosines as 3 × 3 numbers. The comparison is element by element, so any layout
    /// works as long as image and mask use the same one.
    pub direction: [[f64; 3]; 3],
}

/// `|a − b| ≤ bound`, false when either is NaN (a NaN never matches).
fn within(a: f64, b: f64, bound: f64) -> bool {
    (a - b).abs() <= bound
}

/// Checks that `mask` lies on `image`'s grid, with `t` = [`GEOMETRY_TOLERANCE`]:
///
/// * spacing: `|s_mask − s_image| ≤ t · max(|s_image|, 1e-12)` on each axis;
/// * origin: `|o_mask − o_image| ≤ t · max(min spacing of the image, 1e-12)` on each axis;
/// * direction: `|d_mask − d_image| ≤ t` for each of the 9 cosines.
///
/// This is the CLI's check of image and mask files (the same inequalities), which follows
/// ITK's `ImageToImageFilter` verification that PyRadiomics 3.0.1 relies on (its
/// `geometryTolerance` setting scales `t`). A non-finite value never matches.
///
/// # Errors
/// [`Error::GeometryMismatch`] if any inequality fails.
pub fn check_same_grid(image: &Grid, mask: &Grid) -> Result<(), Error> {
    let t = GEOMETRY_TOLERANCE;
    let spacing_ok = image
        .spacing
        .iter()
        .zip(mask.spacing.iter())
        .all(|(s, m)| within(*m, *s, t * s.abs().max(1e-12)));
    let min_spacing = image.spacing.iter().copied().fold(f64::INFINITY, f64::min);
    let origin_bound = t * min_spacing.max(1e-12);
    let origin_ok = image
        .origin
        .iter()
        .zip(mask.origin.iter())
        .all(|(o, m)| within(*m, *o, origin_bound));
    let direction_ok = image
        .direction
        .iter()
        .flatten()
        .zip(mask.direction.iter().flatten())
        .all(|(d, m)| within(*m, *d, t));
    if spacing_ok && origin_ok && direction_ok {
        Ok(())
    } else {
        Err(Error::GeometryMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: [[f64; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

    fn grid() -> Grid {
        Grid {
            spacing: [0.7, 0.7, 3.0],
            origin: [-120.0, 80.5, 12.0],
            direction: ID,
        }
    }

    #[test]
    fn equal_and_nearly_equal_grids_match() {
        let g = grid();
        assert_eq!(check_same_grid(&g, &g), Ok(()));
        let mut m = g;
        m.spacing[2] = 3.0 * (1.0 + 0.9e-6);
        m.origin[0] = -120.0 + 0.9e-6 * 0.7;
        m.direction[0][1] = 0.9e-6;
        assert_eq!(check_same_grid(&g, &m), Ok(()));
    }

    #[test]
    fn each_component_beyond_the_tolerance_is_a_mismatch() {
        let g = grid();
        let mut cases = [g; 4];
        cases[0].spacing[1] = 0.7 * (1.0 + 2e-6);
        cases[1].origin[2] = 12.0 + 2e-6 * 0.7;
        cases[2].direction = [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]];
        cases[3].origin[0] = f64::NAN;
        for m in cases {
            assert_eq!(
                check_same_grid(&g, &m),
                Err(Error::GeometryMismatch),
                "{m:?}"
            );
        }
    }
}
