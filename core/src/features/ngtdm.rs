//! Neighbouring Gray Tone Difference Matrix (PyRadiomics 3.0.1 `radiomics/ngtdm.py`,
//! `RadiomicsNGTDM`; matrix from `cmatrices.c::calculate_ngtdm`).
//!
//! For every ROI voxel of gray level `i` (bin number) with `W` ROI neighbours (26-neighbourhood
//! inside the ROI box, [`super::neighbourhood::scan`]) of mean level `Ā`:
//! `n_i += 1` (always, also when `W = 0`), `s_i += |i − Ā|` (0 when `W = 0`), accumulated in scan
//! order. Levels with `n_i = 0` are dropped. `N_vp = Σ n_i` (= `N_p`), `p_i = n_i / N_vp`,
//! `N_gp` = number of levels.
//!
//! Sums over one or two level axes are numpy's pairwise sums ([`np_sum`]) over the contiguous
//! `G'` or `G' × G'` arrays.

use super::neighbourhood::Neighbours;
use super::np_sum;
use crate::names::NgtdmFeature;
use crate::Error;

/// Number of features of the class.
pub const N_FEATURES: usize = 5;

/// Scratch (f64 elements) for `g` present levels: `n_i` and `s_i`.
pub fn scratch_for_levels(g: usize) -> Result<usize, Error> {
    g.checked_mul(2).ok_or(Error::SizeOverflow)
}

/// The NGTDM being filled by the neighbourhood scan, then read by the features.
#[derive(Debug)]
pub struct Matrix<'a> {
    /// `n_i` per present level.
    pub n: &'a mut [f64],
    /// `s_i` per present level.
    pub s: &'a mut [f64],
    /// Bin numbers of the present levels, ascending.
    pub lv: &'a [f64],
    /// `N_vp`.
    pub nvp: f64,
}

impl<'a> Matrix<'a> {
    /// An empty matrix over `levels` in `scratch` ([`scratch_for_levels`] elements).
    pub fn new(levels: &'a [f64], scratch: &'a mut [f64]) -> Result<Matrix<'a>, Error> {
        let g = levels.len();
        let need = scratch_for_levels(g)?;
        let buf = scratch.get_mut(..need).ok_or(Error::ScratchTooSmall)?;
        buf.fill(0.0);
        let (n, s) = buf.split_at_mut(g);
        Ok(Matrix {
            n,
            s,
            lv: levels,
            nvp: 0.0,
        })
    }

    /// Adds one ROI voxel (called by the neighbourhood scan).
    pub fn add(&mut self, v: &Neighbours) {
        let li = self.lv.get(v.level).copied().unwrap_or(0.0);
        let diff = if v.count == 0 {
            0.0
        } else {
            libm::fabs(li - v.sum / v.count as f64)
        };
        if let Some(n) = self.n.get_mut(v.level) {
            *n += 1.0;
        }
        if let Some(s) = self.s.get_mut(v.level) {
            *s += diff;
        }
    }

    /// Computes `N_vp`; call once after the scan. Every present level has `n_i ≥ 1`.
    pub fn finish(&mut self) {
        let n = &*self.n;
        self.nvp = np_sum(n.len(), |i| n.get(i).copied().unwrap_or(0.0));
    }

    fn g(&self) -> usize {
        self.lv.len()
    }
    fn p(&self, i: usize) -> f64 {
        self.n.get(i).copied().unwrap_or(0.0) / self.nvp
    }
    fn s_(&self, i: usize) -> f64 {
        self.s.get(i).copied().unwrap_or(0.0)
    }
    fn l(&self, i: usize) -> f64 {
        self.lv.get(i).copied().unwrap_or(0.0)
    }
    /// numpy sum over the `G' × G'` array `f(i, j)` (row-major, pairwise).
    fn sum2(&self, f: impl Fn(usize, usize) -> f64) -> f64 {
        let g = self.g().max(1);
        np_sum(self.g() * self.g(), |t| f(t / g, t % g))
    }
    fn sum_ps(&self) -> f64 {
        np_sum(self.g(), |i| self.p(i) * self.s_(i))
    }
    fn sum_s(&self) -> f64 {
        np_sum(self.g(), |i| self.s_(i))
    }
}

/// Coarseness = 1 / Σ_i p_i s_i, 10⁶ if the sum is 0 (`RadiomicsNGTDM.getCoarsenessFeatureValue`).
pub fn coarseness(m: &Matrix) -> f64 {
    let s = m.sum_ps();
    if s != 0.0 {
        1.0 / s
    } else {
        1_000_000.0
    }
}
/// Contrast = (Σ_{i,j} p_i p_j (i − j)²) · (Σ_i s_i) / N_vp / (N_gp (N_gp − 1)), 0 if
/// `N_gp ≤ 1` (`RadiomicsNGTDM.getContrastFeatureValue`).
pub fn contrast(m: &Matrix) -> f64 {
    let ngp = m.g() as f64;
    let div = ngp * (ngp - 1.0);
    let a = m.sum2(|i, j| {
        let d = m.l(i) - m.l(j);
        (m.p(i) * m.p(j)) * (d * d)
    });
    let c = a * m.sum_s() / m.nvp;
    if div != 0.0 {
        c / div
    } else {
        0.0
    }
}
/// Busyness = Σ_i p_i s_i / Σ_{i,j} |i·p_i − j·p_j|, 0 if the denominator is 0
/// (`RadiomicsNGTDM.getBusynessFeatureValue`).
pub fn busyness(m: &Matrix) -> f64 {
    let absdiff = m.sum2(|i, j| libm::fabs(m.l(i) * m.p(i) - m.l(j) * m.p(j)));
    if absdiff != 0.0 {
        m.sum_ps() / absdiff
    } else {
        0.0
    }
}
/// Complexity = Σ_{i,j} |i − j| (p_i s_i + p_j s_j) / (p_i + p_j) / N_vp
/// (`RadiomicsNGTDM.getComplexityFeatureValue`).
pub fn complexity(m: &Matrix) -> f64 {
    m.sum2(|i, j| {
        let num = m.p(i) * m.s_(i) + m.p(j) * m.s_(j);
        let mut den = m.p(i) + m.p(j);
        if den == 0.0 {
            den = 1.0;
        }
        (libm::fabs(m.l(i) - m.l(j)) * num) / den
    }) / m.nvp
}
/// Strength = Σ_{i,j} (p_i + p_j)(i − j)² / Σ_i s_i, 0 if `Σ s_i = 0`
/// (`RadiomicsNGTDM.getStrengthFeatureValue`).
pub fn strength(m: &Matrix) -> f64 {
    let ss = m.sum_s();
    let a = m.sum2(|i, j| {
        let d = m.l(i) - m.l(j);
        (m.p(i) + m.p(j)) * (d * d)
    });
    if ss != 0.0 {
        a / ss
    } else {
        0.0
    }
}

/// The value of feature `f`.
pub fn compute(f: NgtdmFeature, m: &Matrix) -> f64 {
    use NgtdmFeature as F;
    match f {
        F::Busyness => busyness(m),
        F::Coarseness => coarseness(m),
        F::Complexity => complexity(m),
        F::Contrast => contrast(m),
        F::Strength => strength(m),
    }
}
