//! Gray Level Run Length Matrix (PyRadiomics 3.0.1 `radiomics/glrlm.py`, `RadiomicsGLRLM`; matrix
//! from `cmatrices.c::calculate_glrlm` / `run_diagonal`, angles from `generate_angles`).
//!
//! * Angles: distance 1, one direction per line. Offsets `(dz, dy, dx)` are enumerated with z
//!   slowest and each component running +1, 0, −1; offsets that move along a box dimension of
//!   extent 1 are skipped; the ones before `(0, 0, 0)` are kept (13 for a 3-D box, 4 for a
//!   single slice).
//! * For angle `a`, every box voxel whose predecessor `p − a` lies outside the box starts a line.
//!   Along a line a run is a maximal sequence of consecutive ROI voxels with equal bin number; a
//!   non-ROI voxel ends the current run. `P(i, j | a)` counts runs of gray level `i` (the bin
//!   number) and length `j`.
//! * If no line of angle `a` contains more than one ROI voxel, `P(·,·|a)` is zeroed; then every
//!   angle with `N_r(a) = 0` is dropped (all of them dropped: every feature is NaN, as numpy's
//!   `nanmean` of nothing).
//! * Every feature is computed per angle and the result is the mean over the remaining angles
//!   (`weightingNorm = None`, `numpy.nanmean` over the angle axis).
//! * `force2D`: only the in-plane angles ([`super::neighbourhood::Angles`]; `distances` never
//!   applies to GLRLM).
//! * `weightingNorm` set: one matrix `P(i, j) = Σ_a w_a P(i, j | a)` with the angle's length as
//!   weight (not an exponential, unlike GLCM): with `d_a = |a| · spacing` (z, y, x),
//!   manhattan `w = Σ d`, euclidean `w = √(Σ d²)`, infinity `w = max d`, no_weighting `w = 1`;
//!   features are computed once on it (`N_r` = Σ P; all NaN if it is 0).

use super::neighbourhood::Angles;
use super::{np_sum, sort, SizeMatrix};
use crate::names::GlrlmFeature;
use crate::settings::WeightingNorm;
use crate::Error;

/// Number of features of the class.
pub const N_FEATURES: usize = 16;

/// Largest exactly representable integer key (2^53).
const KEY_LIMIT: f64 = 9_007_199_254_740_992.0;

/// Scratch (f64 elements) [`features`] needs: run keys (`n_roi` per angle kept at once: 1, or
/// every angle, ≤ 13, with `weightingNorm`) + counts per run length (`max(box dims) + 1`).
pub fn scratch_len(n_roi: usize, dims: [usize; 3], weighted: bool) -> Result<usize, Error> {
    let m = dims[0].max(dims[1]).max(dims[2]);
    let per = if weighted { MAX_ANGLES } else { 1 };
    n_roi
        .checked_mul(per)
        .and_then(|n| n.checked_add(m))
        .and_then(|n| n.checked_add(1))
        .ok_or(Error::SizeOverflow)
}

/// Largest number of GLRLM angles (distance 1, mono-directional).
const MAX_ANGLES: usize = 13;

/// GLRLM settings (PyRadiomics defaults: `Settings::default()`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// `force2D` out-of-plane numpy axis (0 = z, 1 = y, 2 = x), `None` = 3-D.
    pub force_2d: Option<u8>,
    /// `weightingNorm`.
    pub weighting: WeightingNorm,
    /// Image spacing `[x, y, z]` (mm), for the weights.
    pub spacing: [f64; 3],
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            force_2d: None,
            weighting: WeightingNorm::None,
            spacing: [1.0; 3],
        }
    }
}

/// GLRLM's weight of angle `(dz, dy, dx)` (`RadiomicsGLRLM._calculateMatrix`): the angle's length
/// in mm in the chosen norm; 1 for `no_weighting` (and `None`, where it is unused).
pub fn weight(a: [isize; 3], spacing: [f64; 3], norm: WeightingNorm) -> f64 {
    let sp = [spacing[2], spacing[1], spacing[0]];
    let d = [
        a[0].unsigned_abs() as f64 * sp[0],
        a[1].unsigned_abs() as f64 * sp[1],
        a[2].unsigned_abs() as f64 * sp[2],
    ];
    match norm {
        WeightingNorm::Infinity => d[0].max(d[1]).max(d[2]),
        WeightingNorm::Euclidean => libm::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]),
        WeightingNorm::Manhattan => d[0] + d[1] + d[2],
        WeightingNorm::NoWeighting | WeightingNorm::None => 1.0,
    }
}

/// The angles PyRadiomics uses for a box of extent `dims` (`[x, y, z]`), as `(dz, dy, dx)`, in
/// its order; returns the array and the count (≤ 13).
pub fn angles(dims: [usize; 3]) -> ([[isize; 3]; 13], usize) {
    angles_2d(dims, None)
}

/// [`angles`] with `force2D` (the out-of-plane numpy axis).
pub fn angles_2d(dims: [usize; 3], force_2d: Option<u8>) -> ([[isize; 3]; 13], usize) {
    let mut out = [[0isize; 3]; 13];
    let mut n = 0;
    for (o, a) in out.iter_mut().zip(Angles::new(dims, &[1], force_2d, false)) {
        *o = a;
        n += 1;
    }
    (out, n)
}

/// Computes every GLRLM feature (in [`GlrlmFeature::ALL`] order) of the discretised box `q`
/// (x fastest, `dims` = box dims; `q[i]` = bin number ≥ 1 for ROI voxels, 0 outside), averaged
/// over the angles as PyRadiomics does (or of the weighted matrix, see the module
/// documentation). `scratch` needs [`scratch_len`] elements.
pub fn features(
    q: &[f64],
    dims: [usize; 3],
    settings: Settings,
    scratch: &mut [f64],
) -> Result<[f64; N_FEATURES], Error> {
    let weighted = settings.weighting != WeightingNorm::None;
    let [sx, sy, sz] = dims;
    let n_box = sx
        .checked_mul(sy)
        .and_then(|v| v.checked_mul(sz))
        .ok_or(Error::SizeOverflow)?;
    let q = q.get(..n_box).ok_or(Error::ScratchTooSmall)?;
    let mut np = 0usize;
    let mut max_gl = 0.0f64;
    for &v in q {
        if v > 0.0 {
            np += 1;
            max_gl = max_gl.max(v);
        }
    }
    let max_len = sx.max(sy).max(sz);
    let need = scratch_len(np, dims, weighted)?;
    let scratch = scratch.get_mut(..need).ok_or(Error::ScratchTooSmall)?;
    let (keys, by_len) = scratch.split_at_mut(np * if weighted { MAX_ANGLES } else { 1 });
    let stride = (max_len as u64) + 1;
    let sub: u64 = if weighted { 16 } else { 1 };
    if (max_gl + 1.0) * (stride as f64) * (sub as f64) >= KEY_LIMIT {
        // gray levels (bin numbers) too large to key exactly: data-derived, not memory
        return Err(Error::TooManyBins);
    }
    let (angle_list, n_angles) = angles_2d(dims, settings.force_2d);
    if n_angles == 0 {
        return Err(Error::BadSetting); // PyRadiomics: "Error getting angle count."
    }
    let mut weights = [0.0f64; MAX_ANGLES];
    let mut per_angle = [[0.0f64; N_FEATURES]; 13];
    let mut kept = 0usize;
    let mut n_runs = 0usize;
    by_len.fill(0.0);
    for (ai, a) in angle_list.iter().take(n_angles).enumerate() {
        let [dz, dy, dx] = *a;
        let w = weight(*a, settings.spacing, settings.weighting);
        if let Some(s) = weights.get_mut(ai) {
            *s = w;
        }
        let start = n_runs;
        if !weighted {
            by_len.fill(0.0);
            n_runs = 0;
        }
        let mut multi = false;
        let mut emit = |gl: f64, rl: usize, n_runs: &mut usize| {
            if let Some(k) = keys.get_mut(*n_runs) {
                let cell = gl * (stride as f64) + rl as f64;
                *k = if weighted {
                    cell * (sub as f64) + (ai as f64)
                } else {
                    cell
                };
                *n_runs += 1;
            }
            if !weighted {
                if let Some(c) = by_len.get_mut(rl) {
                    *c += 1.0;
                }
            }
        };
        // steps along the angle from (x, y, z) before leaving the box on axis `p` (size `n`)
        let room = |p: usize, d: isize, n: usize| match d {
            0 => usize::MAX,
            1 => n - p,
            _ => p + 1,
        };
        let step = (dz * sy as isize + dy) * sx as isize + dx;
        // whether the voxel before p (one step back along the angle) leaves the axis
        let leaves = |p: usize, d: isize, n: usize| {
            let b = p as isize - d;
            b < 0 || b as usize >= n
        };
        for z in 0..sz {
            for y in 0..sy {
                // The line starts of this row, in x order: every voxel when the step back
                // leaves the box in y or z, else the one whose step back leaves it in x.
                let xs = if leaves(y, dy, sy) || leaves(z, dz, sz) {
                    0..sx
                } else {
                    match dx {
                        1 => 0..1,
                        -1 => sx - 1..sx,
                        _ => 0..0,
                    }
                };
                for x in xs {
                    // Walk the line: its length, then linear indices one step apart.
                    let len = room(x, dx, sx).min(room(y, dy, sy)).min(room(z, dz, sz));
                    let mut j = ((z * sy + y) * sx + x) as isize;
                    let mut gl = 0.0f64;
                    let mut rl = 0usize;
                    let mut elements = 0usize;
                    for _ in 0..len {
                        let v = q.get(j as usize).copied().unwrap_or(0.0);
                        if v > 0.0 {
                            elements += 1;
                            if v == gl {
                                rl += 1;
                            } else {
                                if gl > 0.0 {
                                    emit(gl, rl, &mut n_runs);
                                }
                                gl = v;
                                rl = 1;
                            }
                        } else if gl > 0.0 {
                            emit(gl, rl, &mut n_runs);
                            gl = 0.0;
                        }
                        j += step;
                    }
                    if gl > 0.0 {
                        emit(gl, rl, &mut n_runs);
                    }
                    if elements > 1 {
                        multi = true;
                    }
                }
            }
        }
        if weighted {
            if !multi {
                n_runs = start; // "2-D for this angle": zeroed before weighting
            }
            continue;
        }
        if !multi || n_runs == 0 {
            continue; // "2-D for this angle": zeroed, then dropped as empty
        }
        let keys_a = keys.get_mut(..n_runs).ok_or(Error::ScratchTooSmall)?;
        sort(keys_a);
        let (keys_a, mult) = match super::compact(keys_a) {
            Some((d, m)) => (keys_a.get(..d).ok_or(Error::ScratchTooSmall)?, m),
            None => (&*keys_a, 0.0),
        };
        let mut voxels = 0.0;
        for (j, &c) in by_len.iter().enumerate() {
            voxels += c * j as f64;
        }
        let m = SizeMatrix {
            keys: keys_a,
            stride,
            by_size: by_len,
            n: n_runs as f64,
            n_voxels: voxels,
            sub: 1,
            weights: &[],
            mult,
        };
        if let Some(row) = per_angle.get_mut(kept) {
            for (slot, f) in row.iter_mut().zip(GlrlmFeature::ALL.iter()) {
                *slot = compute(*f, &m);
            }
            kept += 1;
        }
    }
    let mut out = [f64::NAN; N_FEATURES];
    if weighted {
        if n_runs == 0 {
            return Ok(out);
        }
        let keys_a = keys.get_mut(..n_runs).ok_or(Error::ScratchTooSmall)?;
        sort(keys_a);
        let mut n = 0.0;
        for &k in keys_a.iter() {
            let w = weights
                .get((k as u64 % sub) as usize)
                .copied()
                .unwrap_or(0.0);
            n += w;
            if let Some(c) = by_len.get_mut(((k as u64 / sub) % stride) as usize) {
                *c += w;
            }
        }
        let mut voxels = 0.0;
        for (j, &c) in by_len.iter().enumerate() {
            voxels += c * j as f64;
        }
        let m = SizeMatrix {
            keys: keys_a,
            stride,
            by_size: by_len,
            n,
            n_voxels: voxels,
            sub,
            weights: weights.get(..n_angles).unwrap_or(&[]),
            mult: 0.0,
        };
        for (slot, f) in out.iter_mut().zip(GlrlmFeature::ALL.iter()) {
            *slot = compute(*f, &m);
        }
        return Ok(out);
    }
    if kept > 0 {
        for (k, o) in out.iter_mut().enumerate() {
            let s = np_sum(kept, |a| {
                per_angle
                    .get(a)
                    .and_then(|r| r.get(k))
                    .copied()
                    .unwrap_or(0.0)
            });
            *o = s / kept as f64;
        }
    }
    Ok(out)
}

/// ShortRunEmphasis (per angle) = Σ_{i,j} P(i,j)/j² / N_r
/// (`RadiomicsGLRLM.getShortRunEmphasisFeatureValue`).
pub fn short_run_emphasis(m: &SizeMatrix) -> f64 {
    m.small_emphasis()
}
/// LongRunEmphasis (per angle) = Σ_{i,j} P(i,j)·j² / N_r
/// (`RadiomicsGLRLM.getLongRunEmphasisFeatureValue`).
pub fn long_run_emphasis(m: &SizeMatrix) -> f64 {
    m.large_emphasis()
}
/// GrayLevelNonUniformity (per angle) = Σ_i p_g(i)² / N_r
/// (`RadiomicsGLRLM.getGrayLevelNonUniformityFeatureValue`).
pub fn gray_level_non_uniformity(m: &SizeMatrix) -> f64 {
    m.gray_nonuniformity()
}
/// GrayLevelNonUniformityNormalized (per angle) = Σ_i p_g(i)² / N_r²
/// (`RadiomicsGLRLM.getGrayLevelNonUniformityNormalizedFeatureValue`).
pub fn gray_level_non_uniformity_normalized(m: &SizeMatrix) -> f64 {
    m.gray_nonuniformity_normalized()
}
/// RunLengthNonUniformity (per angle) = Σ_j p_r(j)² / N_r
/// (`RadiomicsGLRLM.getRunLengthNonUniformityFeatureValue`).
pub fn run_length_non_uniformity(m: &SizeMatrix) -> f64 {
    m.size_nonuniformity()
}
/// RunLengthNonUniformityNormalized (per angle) = Σ_j p_r(j)² / N_r²
/// (`RadiomicsGLRLM.getRunLengthNonUniformityNormalizedFeatureValue`).
pub fn run_length_non_uniformity_normalized(m: &SizeMatrix) -> f64 {
    m.size_nonuniformity_normalized()
}
/// RunPercentage (per angle) = N_r / N_p, N_p = Σ_j j·p_r(j)
/// (`RadiomicsGLRLM.getRunPercentageFeatureValue`).
pub fn run_percentage(m: &SizeMatrix) -> f64 {
    m.percentage()
}
/// GrayLevelVariance (per angle) = Σ_i p(i)(i − μ)², p(i) = p_g(i)/N_r, μ = Σ_i p(i)·i
/// (`RadiomicsGLRLM.getGrayLevelVarianceFeatureValue`).
pub fn gray_level_variance(m: &SizeMatrix) -> f64 {
    m.gray_variance()
}
/// RunVariance (per angle) = Σ_j p(j)(j − μ)², p(j) = p_r(j)/N_r, μ = Σ_j p(j)·j
/// (`RadiomicsGLRLM.getRunVarianceFeatureValue`).
pub fn run_variance(m: &SizeMatrix) -> f64 {
    m.size_variance()
}
/// RunEntropy (per angle) = −Σ_{i,j} p(i,j) log2(p(i,j) + ε), p = P/N_r
/// (`RadiomicsGLRLM.getRunEntropyFeatureValue`).
pub fn run_entropy(m: &SizeMatrix) -> f64 {
    m.entropy()
}
/// LowGrayLevelRunEmphasis (per angle) = Σ_i p_g(i)/i² / N_r
/// (`RadiomicsGLRLM.getLowGrayLevelRunEmphasisFeatureValue`).
pub fn low_gray_level_run_emphasis(m: &SizeMatrix) -> f64 {
    m.low_gray_emphasis()
}
/// HighGrayLevelRunEmphasis (per angle) = Σ_i p_g(i)·i² / N_r
/// (`RadiomicsGLRLM.getHighGrayLevelRunEmphasisFeatureValue`).
pub fn high_gray_level_run_emphasis(m: &SizeMatrix) -> f64 {
    m.high_gray_emphasis()
}
/// ShortRunLowGrayLevelEmphasis (per angle) = Σ_{i,j} P(i,j)/(i² j²) / N_r
/// (`RadiomicsGLRLM.getShortRunLowGrayLevelEmphasisFeatureValue`).
pub fn short_run_low_gray_level_emphasis(m: &SizeMatrix) -> f64 {
    m.small_low_gray_emphasis()
}
/// ShortRunHighGrayLevelEmphasis (per angle) = Σ_{i,j} P(i,j)·i²/j² / N_r
/// (`RadiomicsGLRLM.getShortRunHighGrayLevelEmphasisFeatureValue`).
pub fn short_run_high_gray_level_emphasis(m: &SizeMatrix) -> f64 {
    m.small_high_gray_emphasis()
}
/// LongRunLowGrayLevelEmphasis (per angle) = Σ_{i,j} P(i,j)·j²/i² / N_r
/// (`RadiomicsGLRLM.getLongRunLowGrayLevelEmphasisFeatureValue`).
pub fn long_run_low_gray_level_emphasis(m: &SizeMatrix) -> f64 {
    m.large_low_gray_emphasis()
}
/// LongRunHighGrayLevelEmphasis (per angle) = Σ_{i,j} P(i,j)·i²·j² / N_r
/// (`RadiomicsGLRLM.getLongRunHighGrayLevelEmphasisFeatureValue`).
pub fn long_run_high_gray_level_emphasis(m: &SizeMatrix) -> f64 {
    m.large_high_gray_emphasis()
}

/// The per-angle value of feature `f` (average over angles: [`features`]).
pub fn compute(f: GlrlmFeature, m: &SizeMatrix) -> f64 {
    use GlrlmFeature as F;
    match f {
        F::GrayLevelNonUniformity => gray_level_non_uniformity(m),
        F::GrayLevelNonUniformityNormalized => gray_level_non_uniformity_normalized(m),
        F::GrayLevelVariance => gray_level_variance(m),
        F::HighGrayLevelRunEmphasis => high_gray_level_run_emphasis(m),
        F::LongRunEmphasis => long_run_emphasis(m),
        F::LongRunHighGrayLevelEmphasis => long_run_high_gray_level_emphasis(m),
        F::LongRunLowGrayLevelEmphasis => long_run_low_gray_level_emphasis(m),
        F::LowGrayLevelRunEmphasis => low_gray_level_run_emphasis(m),
        F::RunEntropy => run_entropy(m),
        F::RunLengthNonUniformity => run_length_non_uniformity(m),
        F::RunLengthNonUniformityNormalized => run_length_non_uniformity_normalized(m),
        F::RunPercentage => run_percentage(m),
        F::RunVariance => run_variance(m),
        F::ShortRunEmphasis => short_run_emphasis(m),
        F::ShortRunHighGrayLevelEmphasis => short_run_high_gray_level_emphasis(m),
        F::ShortRunLowGrayLevelEmphasis => short_run_low_gray_level_emphasis(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn angle_sets() {
        let (a, n) = angles([5, 4, 3]);
        assert_eq!(n, 13);
        assert_eq!(a[0], [1, 1, 1]);
        assert_eq!(a[12], [0, 0, 1]);
        let (a, n) = angles([5, 4, 1]);
        assert_eq!(n, 4);
        assert_eq!(&a[..4], &[[0, 1, 1], [0, 1, 0], [0, 1, -1], [0, 0, 1]]);
    }
}
