//! The 26-neighbourhood scan shared by GLDM and NGTDM (PyRadiomics 3.0.1
//! `cmatrices.c::calculate_gldm` and `calculate_ngtdm`: bidirectional angles at Chebyshev
//! distance 1).
//!
//! ROI voxels are visited in scan order (z, y, x; x fastest). A neighbour counts if it lies inside
//! the ROI box and in the ROI (offsets along a box dimension of extent 1 never do, which is
//! PyRadiomics' 2-D angle rule). One scan serves both classes: for every ROI voxel it reports the
//! number of neighbours, the sum of their gray levels, and the number whose level differs by at
//! most `alpha` (GLDM's dependence).

use crate::Error;

/// What the scan reports for one ROI voxel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbours {
    /// Index of the voxel's gray level in the present-level list.
    pub level: usize,
    /// Number of neighbours in the ROI.
    pub count: usize,
    /// Sum of their gray levels (bin numbers; an exact integer).
    pub sum: f64,
    /// Number of neighbours with `|level difference| ≤ alpha` (GLDM dependence, centre excluded).
    pub dependent: usize,
}

/// Maximum number of neighbours (distance 1): 26.
pub const MAX_NEIGHBOURS: usize = 26;

/// Scans the box `q` (x fastest, `dims` = box dims; `q[v]` = index + 1 into `levels` for ROI
/// voxels, 0 outside) and calls `f` for every ROI voxel in scan order.
pub fn scan(
    q: &[f64],
    dims: [usize; 3],
    levels: &[f64],
    alpha: f64,
    mut f: impl FnMut(Neighbours),
) -> Result<(), Error> {
    let [sx, sy, sz] = dims;
    let n_box = sx
        .checked_mul(sy)
        .and_then(|v| v.checked_mul(sz))
        .ok_or(Error::SizeOverflow)?;
    let q = q.get(..n_box).ok_or(Error::ScratchTooSmall)?;
    for z in 0..sz {
        for y in 0..sy {
            for x in 0..sx {
                let v = (z * sy + y) * sx + x;
                let c = q.get(v).copied().unwrap_or(0.0);
                if c <= 0.0 {
                    continue;
                }
                let level = c as usize - 1;
                let lc = levels.get(level).copied().ok_or(Error::ScratchTooSmall)?;
                let mut count = 0usize;
                let mut dependent = 0usize;
                let mut sum = 0.0;
                for nz in z.saturating_sub(1)..=(z + 1).min(sz - 1) {
                    for ny in y.saturating_sub(1)..=(y + 1).min(sy - 1) {
                        let row = (nz * sy + ny) * sx;
                        for nx in x.saturating_sub(1)..=(x + 1).min(sx - 1) {
                            let w = row + nx;
                            if w == v {
                                continue;
                            }
                            let d = q.get(w).copied().unwrap_or(0.0);
                            if d <= 0.0 {
                                continue;
                            }
                            let ld = levels.get(d as usize - 1).copied().unwrap_or(0.0);
                            count += 1;
                            sum += ld;
                            if libm::fabs(lc - ld) <= alpha {
                                dependent += 1;
                            }
                        }
                    }
                }
                f(Neighbours {
                    level,
                    count,
                    sum,
                    dependent,
                });
            }
        }
    }
    Ok(())
}
