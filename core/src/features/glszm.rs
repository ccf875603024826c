//! Gray Level Size Zone Matrix (PyRadiomics 3.0.1 `radiomics/glszm.py`, `RadiomicsGLSZM`; matrix
//! from `cmatrices.c::calculate_glszm`).
//!
//! A zone is a maximal set of ROI voxels with the same bin number that is connected through
//! 26-connectivity inside the ROI bounding box (with `force2D`: 8-connectivity within each slice
//! across `force2Ddimension`, PyRadiomics' in-plane bidirectional angles at distance 1). `P(i, j)` = number of zones of gray level `i`
//! (the bin number itself) and size `j` voxels; `N_z` = number of zones, `N_p` = number of ROI
//! voxels; `p_s(j) = Σ_i P(i, j)`, `p_g(i) = Σ_j P(i, j)`.
//!
//! The zones are found by region growing with an explicit stack held in caller scratch (each
//! voxel is pushed at most once, so the stack never exceeds `N_p` entries): no recursion.

use super::{sort, SizeMatrix};
use crate::names::GlszmFeature;
use crate::Error;

/// Largest exactly representable integer key (2^53).
const KEY_LIMIT: f64 = 9_007_199_254_740_992.0;

/// Scratch (f64 elements) [`zones`] needs for a box holding at most `n_roi` ROI voxels:
/// stack `n_roi` + keys `n_roi` + sizes `n_roi + 1`.
pub fn scratch_len(n_roi: usize) -> Result<usize, Error> {
    n_roi
        .checked_mul(3)
        .and_then(|n| n.checked_add(1))
        .ok_or(Error::SizeOverflow)
}

/// Builds the GLSZM of the discretised box `q` (x fastest, `dims` = box dims; `q[i]` = bin
/// number ≥ 1 for ROI voxels, 0 outside). `q` is used as the visited marker during the search
/// and restored before returning. `scratch` needs [`scratch_len`]`(N_p)` elements. `force_2d` is
/// the out-of-plane numpy axis (0 = z, 1 = y, 2 = x) when `force2D` is on.
pub fn zones<'a>(
    q: &mut [f64],
    dims: [usize; 3],
    force_2d: Option<u8>,
    scratch: &'a mut [f64],
) -> Result<SizeMatrix<'a>, Error> {
    let [sx, sy, sz] = dims;
    let n_box = sx
        .checked_mul(sy)
        .and_then(|v| v.checked_mul(sz))
        .ok_or(Error::SizeOverflow)?;
    let q = q.get_mut(..n_box).ok_or(Error::ScratchTooSmall)?;
    let mut np = 0usize;
    let mut max_gl = 0.0f64;
    for &v in q.iter() {
        if v > 0.0 {
            np += 1;
            max_gl = max_gl.max(v);
        }
    }
    let need = scratch_len(np)?;
    let scratch = scratch.get_mut(..need).ok_or(Error::ScratchTooSmall)?;
    let (stack, rest) = scratch.split_at_mut(np);
    let (keys, by_size) = rest.split_at_mut(np);
    by_size.fill(0.0);
    let stride = (np as u64) + 1;
    if (max_gl + 1.0) * (stride as f64) >= KEY_LIMIT {
        // gray levels (bin numbers) too large to key exactly: data-derived, not memory
        return Err(Error::TooManyBins);
    }

    let plane = sx * sy;
    // Stack entries: the voxel's coordinates packed as (z·2^17 + y)·2^17 + x (exact in f64),
    // so that popping needs shifts, not divisions; a box wider than 2^17 on some axis stores
    // the linear index instead.
    const B: u32 = 17;
    let packed = [sx, sy, sz].iter().all(|&n| n <= 1 << B);
    // (u64 arithmetic: 51 bits do not fit a 32-bit usize)
    let push = |x: usize, y: usize, z: usize| -> f64 {
        if packed {
            ((z as u64) << (2 * B) | (y as u64) << B | x as u64) as f64
        } else {
            ((z * sy + y) * sx + x) as f64
        }
    };
    let pop = |e: f64| -> (usize, usize, usize) {
        if packed {
            let (k, m) = (e as u64, (1u64 << B) - 1);
            (
                (k & m) as usize,
                ((k >> B) & m) as usize,
                (k >> (2 * B)) as usize,
            )
        } else {
            let k = e as usize;
            let rem = k % plane.max(1);
            (rem % sx.max(1), rem / sx.max(1), k / plane.max(1))
        }
    };
    // The 26 neighbours of a voxel away from the box faces (3-D, packed coordinates): linear
    // and packed offsets, so that such a voxel needs no per-axis bounds.
    let mut offsets = [(0isize, 0i64); 26];
    let mut k = 0;
    for dz in -1isize..=1 {
        for dy in -1isize..=1 {
            for dx in -1isize..=1 {
                if (dz, dy, dx) != (0, 0, 0) {
                    if let Some(o) = offsets.get_mut(k) {
                        let lin = (dz * sy as isize + dy) * sx as isize + dx;
                        let pk = ((dz as i64) << (2 * B)) + ((dy as i64) << B) + dx as i64;
                        *o = (lin, pk);
                    }
                    k += 1;
                }
            }
        }
    }
    let fast = packed && force_2d.is_none();
    let inner = |p: usize, n: usize| p > 0 && p + 1 < n;
    let mut n_zones = 0usize;
    for start in 0..n_box {
        let gl = match q.get(start) {
            Some(&v) if v > 0.0 => v,
            _ => continue,
        };
        // Region growing: mark on push (value -> -gl), count on pop.
        if let Some(v) = q.get_mut(start) {
            *v = -gl;
        }
        let mut top = 0usize;
        if let Some(s) = stack.get_mut(top) {
            let (x, y, z) = (start % sx, (start / sx) % sy, start / plane);
            *s = push(x, y, z);
            top += 1;
        }
        let mut size = 0usize;
        while top > 0 {
            top -= 1;
            let e = stack.get(top).copied().unwrap_or(0.0);
            let (cx, cy, cz) = pop(e);
            size += 1;
            if fast && inner(cx, sx) && inner(cy, sy) && inner(cz, sz) {
                let c = (cz * sy + cy) * sx + cx;
                for &(lin, pk) in &offsets {
                    if let Some(v) = q.get_mut(c.wrapping_add_signed(lin)) {
                        if *v == gl {
                            *v = -gl;
                            let s = stack.get_mut(top).ok_or(Error::ScratchTooSmall)?;
                            *s = (e as u64).wrapping_add_signed(pk) as f64;
                            top += 1;
                        }
                    }
                }
                continue;
            }
            let (mut z0, mut z1) = (cz.saturating_sub(1), (cz + 1).min(sz - 1));
            let (mut y0, mut y1) = (cy.saturating_sub(1), (cy + 1).min(sy - 1));
            let (mut x0, mut x1) = (cx.saturating_sub(1), (cx + 1).min(sx - 1));
            match force_2d {
                Some(0) => (z0, z1) = (cz, cz),
                Some(1) => (y0, y1) = (cy, cy),
                Some(2) => (x0, x1) = (cx, cx),
                _ => {}
            }
            for z in z0..=z1 {
                for y in y0..=y1 {
                    let row = (z * sy + y) * sx;
                    for x in x0..=x1 {
                        let j = row + x;
                        if let Some(v) = q.get_mut(j) {
                            if *v == gl {
                                *v = -gl;
                                if let Some(s) = stack.get_mut(top) {
                                    *s = push(x, y, z);
                                    top += 1;
                                } else {
                                    return Err(Error::ScratchTooSmall);
                                }
                            }
                        }
                    }
                }
            }
        }
        if let Some(k) = keys.get_mut(n_zones) {
            *k = gl * (stride as f64) + size as f64;
        }
        n_zones += 1;
        if let Some(c) = by_size.get_mut(size) {
            *c += 1.0;
        }
    }
    for v in q.iter_mut() {
        if *v < 0.0 {
            *v = -*v;
        }
    }
    let keys = keys.get_mut(..n_zones).ok_or(Error::ScratchTooSmall)?;
    sort(keys);
    let (keys, mult) = match super::compact(keys) {
        Some((d, m)) => (keys.get(..d).ok_or(Error::ScratchTooSmall)?, m),
        None => (&*keys, 0.0),
    };
    Ok(SizeMatrix {
        keys,
        stride,
        by_size,
        n: n_zones as f64,
        n_voxels: np as f64,
        sub: 1,
        weights: &[],
        mult,
    })
}

/// SmallAreaEmphasis = Σ_{i,j} P(i,j)/j² / N_z (`RadiomicsGLSZM.getSmallAreaEmphasisFeatureValue`).
pub fn small_area_emphasis(m: &SizeMatrix) -> f64 {
    m.small_emphasis()
}
/// LargeAreaEmphasis = Σ_{i,j} P(i,j)·j² / N_z (`RadiomicsGLSZM.getLargeAreaEmphasisFeatureValue`).
pub fn large_area_emphasis(m: &SizeMatrix) -> f64 {
    m.large_emphasis()
}
/// GrayLevelNonUniformity = Σ_i p_g(i)² / N_z
/// (`RadiomicsGLSZM.getGrayLevelNonUniformityFeatureValue`).
pub fn gray_level_non_uniformity(m: &SizeMatrix) -> f64 {
    m.gray_nonuniformity()
}
/// GrayLevelNonUniformityNormalized = Σ_i p_g(i)² / N_z²
/// (`RadiomicsGLSZM.getGrayLevelNonUniformityNormalizedFeatureValue`).
pub fn gray_level_non_uniformity_normalized(m: &SizeMatrix) -> f64 {
    m.gray_nonuniformity_normalized()
}
/// SizeZoneNonUniformity = Σ_j p_s(j)² / N_z
/// (`RadiomicsGLSZM.getSizeZoneNonUniformityFeatureValue`).
pub fn size_zone_non_uniformity(m: &SizeMatrix) -> f64 {
    m.size_nonuniformity()
}
/// SizeZoneNonUniformityNormalized = Σ_j p_s(j)² / N_z²
/// (`RadiomicsGLSZM.getSizeZoneNonUniformityNormalizedFeatureValue`).
pub fn size_zone_non_uniformity_normalized(m: &SizeMatrix) -> f64 {
    m.size_nonuniformity_normalized()
}
/// ZonePercentage = N_z / N_p (`RadiomicsGLSZM.getZonePercentageFeatureValue`).
pub fn zone_percentage(m: &SizeMatrix) -> f64 {
    m.percentage()
}
/// GrayLevelVariance = Σ_i p(i)(i − μ)², p(i) = p_g(i)/N_z, μ = Σ_i p(i)·i
/// (`RadiomicsGLSZM.getGrayLevelVarianceFeatureValue`).
pub fn gray_level_variance(m: &SizeMatrix) -> f64 {
    m.gray_variance()
}
/// ZoneVariance = Σ_j p(j)(j − μ)², p(j) = p_s(j)/N_z, μ = Σ_j p(j)·j
/// (`RadiomicsGLSZM.getZoneVarianceFeatureValue`).
pub fn zone_variance(m: &SizeMatrix) -> f64 {
    m.size_variance()
}
/// ZoneEntropy = −Σ_{i,j} p(i,j) log2(p(i,j) + ε), p = P/N_z
/// (`RadiomicsGLSZM.getZoneEntropyFeatureValue`).
pub fn zone_entropy(m: &SizeMatrix) -> f64 {
    m.entropy()
}
/// LowGrayLevelZoneEmphasis = Σ_i p_g(i)/i² / N_z
/// (`RadiomicsGLSZM.getLowGrayLevelZoneEmphasisFeatureValue`).
pub fn low_gray_level_zone_emphasis(m: &SizeMatrix) -> f64 {
    m.low_gray_emphasis()
}
/// HighGrayLevelZoneEmphasis = Σ_i p_g(i)·i² / N_z
/// (`RadiomicsGLSZM.getHighGrayLevelZoneEmphasisFeatureValue`).
pub fn high_gray_level_zone_emphasis(m: &SizeMatrix) -> f64 {
    m.high_gray_emphasis()
}
/// SmallAreaLowGrayLevelEmphasis = Σ_{i,j} P(i,j)/(i² j²) / N_z
/// (`RadiomicsGLSZM.getSmallAreaLowGrayLevelEmphasisFeatureValue`).
pub fn small_area_low_gray_level_emphasis(m: &SizeMatrix) -> f64 {
    m.small_low_gray_emphasis()
}
/// SmallAreaHighGrayLevelEmphasis = Σ_{i,j} P(i,j)·i²/j² / N_z
/// (`RadiomicsGLSZM.getSmallAreaHighGrayLevelEmphasisFeatureValue`).
pub fn small_area_high_gray_level_emphasis(m: &SizeMatrix) -> f64 {
    m.small_high_gray_emphasis()
}
/// LargeAreaLowGrayLevelEmphasis = Σ_{i,j} P(i,j)·j²/i² / N_z
/// (`RadiomicsGLSZM.getLargeAreaLowGrayLevelEmphasisFeatureValue`).
pub fn large_area_low_gray_level_emphasis(m: &SizeMatrix) -> f64 {
    m.large_low_gray_emphasis()
}
/// LargeAreaHighGrayLevelEmphasis = Σ_{i,j} P(i,j)·i²·j² / N_z
/// (`RadiomicsGLSZM.getLargeAreaHighGrayLevelEmphasisFeatureValue`).
pub fn large_area_high_gray_level_emphasis(m: &SizeMatrix) -> f64 {
    m.large_high_gray_emphasis()
}

/// The value of feature `f`.
pub fn compute(f: GlszmFeature, m: &SizeMatrix) -> f64 {
    use GlszmFeature as F;
    match f {
        F::GrayLevelNonUniformity => gray_level_non_uniformity(m),
        F::GrayLevelNonUniformityNormalized => gray_level_non_uniformity_normalized(m),
        F::GrayLevelVariance => gray_level_variance(m),
        F::HighGrayLevelZoneEmphasis => high_gray_level_zone_emphasis(m),
        F::LargeAreaEmphasis => large_area_emphasis(m),
        F::LargeAreaHighGrayLevelEmphasis => large_area_high_gray_level_emphasis(m),
        F::LargeAreaLowGrayLevelEmphasis => large_area_low_gray_level_emphasis(m),
        F::LowGrayLevelZoneEmphasis => low_gray_level_zone_emphasis(m),
        F::SizeZoneNonUniformity => size_zone_non_uniformity(m),
        F::SizeZoneNonUniformityNormalized => size_zone_non_uniformity_normalized(m),
        F::SmallAreaEmphasis => small_area_emphasis(m),
        F::SmallAreaHighGrayLevelEmphasis => small_area_high_gray_level_emphasis(m),
        F::SmallAreaLowGrayLevelEmphasis => small_area_low_gray_level_emphasis(m),
        F::ZoneEntropy => zone_entropy(m),
        F::ZonePercentage => zone_percentage(m),
        F::ZoneVariance => zone_variance(m),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec;

    /// The same zones whether the search stack packs coordinates (boxes up to 2^17 a side) or
    /// stores linear indices (wider boxes): a line of alternating runs of 5, in a box 40 voxels
    /// wide and in one 2^17 + 3 wide.
    #[test]
    fn zones_of_narrow_and_very_wide_boxes() {
        for sx in [40usize, (1 << 17) + 3] {
            let mut q = vec![0.0; sx];
            for (i, v) in q.iter_mut().enumerate().take(40) {
                *v = 1.0 + ((i / 5) % 2) as f64;
            }
            let mut scratch = vec![0.0; scratch_len(40).unwrap()];
            let m = zones(&mut q, [sx, 1, 1], None, &mut scratch).unwrap();
            assert_eq!(m.n, 8.0, "width {sx}");
            assert_eq!(m.by_size[5], 8.0, "width {sx}");
            assert_eq!(m.n_voxels, 40.0, "width {sx}");
            let mut levels = vec![];
            m.for_each_gray(|i, c| levels.push((i, c)));
            assert_eq!(levels, [(1.0, 4.0), (2.0, 4.0)], "width {sx}");
        }
    }
}
