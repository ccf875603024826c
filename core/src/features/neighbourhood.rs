//! Texture angles ([`Angles`], PyRadiomics 3.0.1 `cmatrices.c::build_angles`) and the neighbourhood
//! scan shared by GLDM and NGTDM (`cmatrices.c::calculate_gldm` and `calculate_ngtdm`:
//! bidirectional angles at the Chebyshev distances of the `distances` setting, default 1 = the
//! 26-neighbourhood; with `force2D` only the in-plane ones).
//!
//! ROI voxels are visited in scan order (z, y, x; x fastest). A neighbour counts if it lies inside
//! the ROI box and in the ROI (offsets along a box dimension of extent 1 never do, which is
//! PyRadiomics' 2-D angle rule). One scan serves both classes: for every ROI voxel it reports the
//! number of neighbours, the sum of their gray levels, and the number whose level differs by at
//! most `alpha` (GLDM's dependence).

use super::level_index;
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

/// Maximum number of neighbours at the default distance 1: 26.
pub const MAX_NEIGHBOURS: usize = 26;

/// Number of neighbours a voxel can have (the bidirectional angle count, [`angle_count`]).
pub fn max_neighbours(dims: [usize; 3], distances: &[u32], force_2d: Option<u8>) -> usize {
    angle_count(dims, distances, force_2d, true)
}

/// Scans the box `q` (x fastest, `dims` = box dims; `q[v]` = the gray level (bin number, > 0) of
/// ROI voxels, 0 outside; `levels` = the present levels, ascending) and calls `f` for every ROI
/// voxel in scan order; the neighbours are the bidirectional [`Angles`] of `distances` and
/// `force_2d` (none: [`Error::BadSetting`], as PyRadiomics' "Error getting angle count").
/// Neighbours are read as levels directly (no index lookup per neighbour); only the centre's
/// index is searched in `levels`.
pub fn scan(
    q: &[f64],
    dims: [usize; 3],
    levels: &[f64],
    alpha: f64,
    distances: &[u32],
    force_2d: Option<u8>,
    mut f: impl FnMut(Neighbours),
) -> Result<(), Error> {
    let [sx, sy, sz] = dims;
    let n_box = sx
        .checked_mul(sy)
        .and_then(|v| v.checked_mul(sz))
        .ok_or(Error::SizeOverflow)?;
    let q = q.get(..n_box).ok_or(Error::ScratchTooSmall)?;
    if Angles::new(dims, distances, force_2d, true).is_empty() {
        return Err(Error::BadSetting);
    }
    if distances != [1] || force_2d.is_some() {
        return scan_angles(q, dims, levels, alpha, distances, force_2d, f);
    }
    // Offsets of the 26 neighbours of a voxel away from the box faces, in the order of the
    // general loop below (z, y, x ascending).
    let mut offsets = [0isize; MAX_NEIGHBOURS];
    let mut k = 0;
    for dz in -1isize..=1 {
        for dy in -1isize..=1 {
            for dx in -1isize..=1 {
                if (dz, dy, dx) != (0, 0, 0) {
                    if let Some(o) = offsets.get_mut(k) {
                        *o = (dz * sy as isize + dy) * sx as isize + dx;
                    }
                    k += 1;
                }
            }
        }
    }
    let inner = |p: usize, n: usize| p > 0 && p + 1 < n;
    for z in 0..sz {
        for y in 0..sy {
            for x in 0..sx {
                let v = (z * sy + y) * sx + x;
                let c = q.get(v).copied().unwrap_or(0.0);
                if c <= 0.0 {
                    continue;
                }
                let (level, lc) = (level_index(levels, c)?, c);
                if inner(x, sx) && inner(y, sy) && inner(z, sz) {
                    // every neighbour is in the box: fixed offsets, no bounds per axis
                    let mut count = 0usize;
                    let mut dependent = 0usize;
                    let mut sum = 0.0;
                    for &o in &offsets {
                        let ld = q.get(v.wrapping_add_signed(o)).copied().unwrap_or(0.0);
                        if ld > 0.0 {
                            count += 1;
                            sum += ld;
                            dependent += usize::from(libm::fabs(lc - ld) <= alpha);
                        }
                    }
                    f(Neighbours {
                        level,
                        count,
                        sum,
                        dependent,
                    });
                    continue;
                }
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
                            let ld = q.get(w).copied().unwrap_or(0.0);
                            if ld <= 0.0 {
                                continue;
                            }
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

/// [`scan`] for any angle set: the neighbours of each voxel are the generated angles (a repeated
/// distance counts its neighbours again, as in PyRadiomics).
fn scan_angles(
    q: &[f64],
    dims: [usize; 3],
    levels: &[f64],
    alpha: f64,
    distances: &[u32],
    force_2d: Option<u8>,
    mut f: impl FnMut(Neighbours),
) -> Result<(), Error> {
    let [sx, sy, sz] = dims;
    let (sxi, syi, szi) = (sx as isize, sy as isize, sz as isize);
    for z in 0..sz {
        for y in 0..sy {
            for x in 0..sx {
                let v = (z * sy + y) * sx + x;
                let c = q.get(v).copied().unwrap_or(0.0);
                if c <= 0.0 {
                    continue;
                }
                let (level, lc) = (level_index(levels, c)?, c);
                let mut count = 0usize;
                let mut dependent = 0usize;
                let mut sum = 0.0;
                for [dz, dy, dx] in Angles::new(dims, distances, force_2d, true) {
                    let (nz, ny, nx) = (z as isize + dz, y as isize + dy, x as isize + dx);
                    if nz < 0 || ny < 0 || nx < 0 || nz >= szi || ny >= syi || nx >= sxi {
                        continue;
                    }
                    let w = ((nz * syi + ny) * sxi + nx) as usize;
                    let ld = q.get(w).copied().unwrap_or(0.0);
                    if ld <= 0.0 {
                        continue;
                    }
                    count += 1;
                    sum += ld;
                    if libm::fabs(lc - ld) <= alpha {
                        dependent += 1;
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

/// The angles PyRadiomics 3.0.1 generates for a box (`cmatrices.c::get_angle_count` and
/// `build_angles`), as `(dz, dy, dx)` offsets in its order.
///
/// Candidates are enumerated with the z offset slowest and each component running from `+D` down
/// to `−D` (`D` = the largest distance). A candidate is valid if it is not `(0, 0, 0)`, moves less
/// than the box extent along every dimension, does not move along the `force2Ddimension` axis
/// (numpy order: 0 = z, 1 = y, 2 = x), and its Chebyshev norm is one of the distances. The number
/// of angles is
///
/// ```text
/// N_a = Σ_{d in distances} ( Π_k A_k(d) − Π_k B_k(d) )   [÷ 2 if mono-directional]
/// A_k(d) = 2·min(d, s_k − 1) + 1,  B_k(d) = 2·min(d − 1, s_k − 1) + 1   (1 for the 2-D axis)
/// ```
///
/// (`s_k` = box extent); the first `N_a` valid candidates are the angles, the enumeration starting
/// over when it runs out (which only happens with a repeated distance: PyRadiomics then repeats
/// angles). Mono-directional sets (GLCM, GLRLM) are the first half: 13 for a 3-D box at
/// distance 1, 4 for one slice; bidirectional sets (GLSZM, GLDM, NGTDM) have both directions (26).
#[derive(Debug, Clone)]
pub struct Angles<'a> {
    lim: [isize; 3],
    distances: &'a [u32],
    remaining: usize,
    /// Next candidate (dz, dy, dx) within `−lim..=lim`, enumerated from `+lim`.
    cur: [isize; 3],
    found_in_cycle: bool,
}

/// Which numpy axis (0 = z, 1 = y, 2 = x) is the out-of-plane dimension, if any.
fn plane_axis(force_2d: Option<u8>) -> Option<usize> {
    force_2d.map(usize::from)
}

/// Box extents in numpy order (z, y, x) from `[x, y, z]`.
fn zyx(dims: [usize; 3]) -> [usize; 3] {
    [dims[2], dims[1], dims[0]]
}

/// Number of angles ([`Angles`]) for a box of extent `dims` (`[x, y, z]`).
pub fn angle_count(
    dims: [usize; 3],
    distances: &[u32],
    force_2d: Option<u8>,
    bidirectional: bool,
) -> usize {
    let s = zyx(dims);
    let skip = plane_axis(force_2d);
    let mut na = 0usize;
    for &d in distances {
        let d = d as usize;
        if d == 0 {
            return 0;
        }
        let mut a = 1usize;
        let mut b = 1usize;
        for (k, &sk) in s.iter().enumerate() {
            if Some(k) == skip {
                continue;
            }
            let top = sk.saturating_sub(1);
            a = a.saturating_mul(2 * d.min(top) + 1);
            b = b.saturating_mul(2 * (d - 1).min(top) + 1);
        }
        na = na.saturating_add(a - b);
    }
    if bidirectional {
        na
    } else {
        na / 2
    }
}

impl<'a> Angles<'a> {
    /// The angles for a box of extent `dims` (`[x, y, z]`), `distances` (each ≥ 1), the 2-D axis
    /// (`force2Ddimension` when `force2D`), mono- or bidirectional.
    pub fn new(
        dims: [usize; 3],
        distances: &'a [u32],
        force_2d: Option<u8>,
        bidirectional: bool,
    ) -> Angles<'a> {
        let s = zyx(dims);
        let skip = plane_axis(force_2d);
        let maxd =
            isize::try_from(distances.iter().copied().max().unwrap_or(0)).unwrap_or(isize::MAX);
        let mut lim = [0isize; 3];
        for (k, l) in lim.iter_mut().enumerate() {
            if Some(k) != skip {
                *l = maxd.min(s[k] as isize - 1).max(0);
            }
        }
        Angles {
            lim,
            distances,
            remaining: angle_count(dims, distances, force_2d, bidirectional),
            cur: lim,
            found_in_cycle: false,
        }
    }

    /// Number of angles still to come.
    pub fn len(&self) -> usize {
        self.remaining
    }

    /// `true` if there is no angle (PyRadiomics: "Error getting angle count").
    pub fn is_empty(&self) -> bool {
        self.remaining == 0
    }

    /// Moves `cur` to the next candidate; `false` when a cycle ended (and restarts it).
    fn advance(&mut self) -> bool {
        for k in (0..3).rev() {
            if self.cur[k] > -self.lim[k] {
                self.cur[k] -= 1;
                return true;
            }
            self.cur[k] = self.lim[k];
        }
        false
    }
}

impl Iterator for Angles<'_> {
    type Item = [isize; 3];

    fn next(&mut self) -> Option<[isize; 3]> {
        if self.remaining == 0 {
            return None;
        }
        loop {
            let c = self.cur;
            let norm = c[0].abs().max(c[1].abs()).max(c[2].abs());
            let cycle_goes_on = self.advance();
            if norm > 0
                && self
                    .distances
                    .iter()
                    .any(|&d| isize::try_from(d).ok() == Some(norm))
            {
                self.remaining -= 1;
                self.found_in_cycle = true;
                return Some(c);
            }
            if !cycle_goes_on {
                if !self.found_in_cycle {
                    self.remaining = 0;
                    return None;
                }
                self.found_in_cycle = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    #[test]
    fn default_angles_are_pyradiomics_order() {
        let a: Vec<_> = Angles::new([5, 4, 3], &[1], None, false).collect();
        assert_eq!(a.len(), 13);
        assert_eq!(a[0], [1, 1, 1]);
        assert_eq!(a[12], [0, 0, 1]);
        let b: Vec<_> = Angles::new([5, 4, 3], &[1], None, true).collect();
        assert_eq!(b.len(), 26);
        assert_eq!(b[13], [0, 0, -1]);
        assert_eq!(b[25], [-1, -1, -1]);
        // one slice: 4 / 8
        assert_eq!(Angles::new([5, 4, 1], &[1], None, false).count(), 4);
        assert_eq!(Angles::new([5, 4, 1], &[1], None, true).count(), 8);
    }

    #[test]
    fn distances_and_force_2d() {
        // 13 + 49 + 109 = 171 mono angles for [1, 2, 3] in a large box
        let big = [9, 9, 9];
        assert_eq!(angle_count(big, &[1, 2, 3], None, false), 171);
        let a: Vec<_> = Angles::new(big, &[1, 2, 3], None, false).collect();
        assert_eq!(a.len(), 171);
        assert!(a.iter().all(|v| v.iter().any(|&c| c != 0)));
        // distance 2 only: 49 mono
        assert_eq!(Angles::new(big, &[2], None, false).count(), 49);
        // limited by the box: z extent 2 allows dz in -1..=1 only
        let a: Vec<_> = Angles::new([9, 9, 2], &[2], None, true).collect();
        assert_eq!(a.len(), 3 * 25 - 3 * 9);
        // force2D: z (numpy axis 0) never moves
        let a: Vec<_> = Angles::new(big, &[1], Some(0), false).collect();
        assert_eq!(a, [[0, 1, 1], [0, 1, 0], [0, 1, -1], [0, 0, 1]]);
        let a: Vec<_> = Angles::new(big, &[1], Some(2), false).collect();
        assert_eq!(a, [[1, 1, 0], [1, 0, 0], [1, -1, 0], [0, 1, 0]]);
        // a distance beyond the box: no angle
        assert!(Angles::new([2, 2, 2], &[3], None, false).is_empty());
        // a repeated distance repeats the enumeration (mono [1, 1] = both directions)
        let a: Vec<_> = Angles::new(big, &[1, 1], None, false).collect();
        let b: Vec<_> = Angles::new(big, &[1], None, true).collect();
        assert_eq!(a, b);
    }
}
