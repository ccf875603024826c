//! Gray Level Dependence Matrix (PyRadiomics 3.0.1 `radiomics/gldm.py`, `RadiomicsGLDM`; matrix
//! from `cmatrices.c::calculate_gldm`).
//!
//! For every ROI voxel of gray level `i` (bin number), its dependence `j` = 1 + number of ROI
//! neighbours (inside the ROI box, [`super::neighbourhood::scan`]: the 26-neighbourhood by default,
//! the bidirectional angles of `distances` and `force2D` otherwise) whose level differs by at
//! most `α` (`gldm_a`, an integer, default 0). `P(i, j)` counts voxels; rows of absent levels
//! and all-zero columns are dropped. `N_z = Σ P = N_p`, `p_g(i) = Σ_j P(i,j)`,
//! `p_d(j) = Σ_i P(i,j)`. No angles, no averaging.
//!
//! Sums follow numpy: integer sums are exact; float sums over one axis or the whole matrix use
//! numpy's pairwise order ([`np_sum`]).

use super::neighbourhood::{Neighbours, MAX_NEIGHBOURS};
use super::{np_sum, EPS};
use crate::names::GldmFeature;
use crate::Error;

/// Number of features of the class.
pub const N_FEATURES: usize = 14;

/// Columns of the count matrix at the default distance 1: dependence 1 ..= 27.
pub const COLUMNS: usize = MAX_NEIGHBOURS + 1;

/// GLDM settings (PyRadiomics defaults: `Settings::default()`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// `gldm_a`: largest level difference of a dependent neighbour (default 0).
    pub alpha: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { alpha: 0.0 }
    }
}

/// Scratch (f64 elements) for `g` present levels and `columns` dependence values
/// (`1 + max neighbours`, [`super::neighbourhood::max_neighbours`]; 27 by default): the
/// `g × columns` count matrix, the column sums and the kept-column list.
pub fn scratch_for_levels(g: usize, columns: usize) -> Result<usize, Error> {
    g.checked_add(2)
        .and_then(|r| r.checked_mul(columns))
        .ok_or(Error::SizeOverflow)
}

/// The dependence matrix being filled by the neighbourhood scan, then read by the features.
#[derive(Debug)]
pub struct Matrix<'a> {
    /// Counts `P(i, dep)`, row-major `G' × columns` (column `dep` = dependence `dep + 1`).
    pub p: &'a mut [f64],
    /// Column sums `p_d` (after [`Matrix::finish`]).
    colsum: &'a mut [f64],
    /// Non-empty columns (dependence − 1), ascending, as f64; the first `n_cols` are valid.
    kept: &'a mut [f64],
    n_cols: usize,
    columns: usize,
    /// Bin numbers of the present levels, ascending.
    pub lv: &'a [f64],
    /// `N_z` (= number of ROI voxels).
    pub nz: f64,
}

impl<'a> Matrix<'a> {
    /// An empty matrix over `levels` with `columns` dependence values in `scratch`
    /// ([`scratch_for_levels`] elements).
    pub fn new(
        levels: &'a [f64],
        columns: usize,
        scratch: &'a mut [f64],
    ) -> Result<Matrix<'a>, Error> {
        let g = levels.len();
        let need = scratch_for_levels(g, columns)?;
        let buf = scratch.get_mut(..need).ok_or(Error::ScratchTooSmall)?;
        buf.fill(0.0);
        let (p, rest) = buf.split_at_mut(g * columns);
        let (colsum, kept) = rest.split_at_mut(columns);
        Ok(Matrix {
            p,
            colsum,
            kept,
            n_cols: 0,
            columns,
            lv: levels,
            nz: 0.0,
        })
    }

    /// Adds one ROI voxel (called by the neighbourhood scan).
    pub fn add(&mut self, n: &Neighbours) {
        if n.dependent < self.columns {
            if let Some(c) = self.p.get_mut(n.level * self.columns + n.dependent) {
                *c += 1.0;
            }
        }
    }

    /// Finds the non-empty columns and `N_z`; call once after the scan.
    pub fn finish(&mut self) {
        let g = self.lv.len();
        let cols = self.columns;
        self.n_cols = 0;
        let mut nz = 0.0;
        for c in 0..cols {
            let mut s = 0.0;
            for i in 0..g {
                s += self.p.get(i * cols + c).copied().unwrap_or(0.0);
            }
            if let Some(slot) = self.colsum.get_mut(c) {
                *slot = s;
            }
            if s > 0.0 {
                if let Some(slot) = self.kept.get_mut(self.n_cols) {
                    *slot = c as f64;
                }
                self.n_cols += 1;
                nz += s;
            }
        }
        self.nz = if nz == 0.0 { 1.0 } else { nz };
    }

    /// Column index of the `k`-th kept column.
    fn col(&self, k: usize) -> usize {
        self.kept.get(k).copied().unwrap_or(0.0) as usize
    }

    /// `p_d(j)` of the `k`-th kept column and its dependence `j`.
    fn pd(&self, k: usize) -> (f64, f64) {
        let c = self.col(k);
        (self.colsum.get(c).copied().unwrap_or(0.0), (c + 1) as f64)
    }

    /// `p_g(i)` of level index `i` and its gray level.
    fn pg(&self, i: usize) -> (f64, f64) {
        let mut s = 0.0;
        for k in 0..self.n_cols {
            s += self
                .p
                .get(i * self.columns + self.col(k))
                .copied()
                .unwrap_or(0.0);
        }
        (s, self.lv.get(i).copied().unwrap_or(0.0))
    }

    /// numpy sum over the kept matrix (row-major, pairwise) of `f(P(i,j), i, j)`.
    fn sum_cells(&self, f: impl Fn(f64, f64, f64) -> f64) -> f64 {
        let nc = self.n_cols.max(1);
        np_sum(self.lv.len() * self.n_cols, |t| {
            let (i, k) = (t / nc, t % nc);
            let c = self.col(k);
            let p = self.p.get(i * self.columns + c).copied().unwrap_or(0.0);
            let li = self.lv.get(i).copied().unwrap_or(0.0);
            f(p, li, (c + 1) as f64)
        })
    }
}

/// SmallDependenceEmphasis = Σ_j p_d(j)/j² / N_z
/// (`RadiomicsGLDM.getSmallDependenceEmphasisFeatureValue`).
pub fn small_dependence_emphasis(m: &Matrix) -> f64 {
    np_sum(m.n_cols, |k| {
        let (pd, j) = m.pd(k);
        pd / (j * j)
    }) / m.nz
}
/// LargeDependenceEmphasis = Σ_j p_d(j)·j² / N_z
/// (`RadiomicsGLDM.getLargeDependenceEmphasisFeatureValue`).
pub fn large_dependence_emphasis(m: &Matrix) -> f64 {
    np_sum(m.n_cols, |k| {
        let (pd, j) = m.pd(k);
        pd * (j * j)
    }) / m.nz
}
/// GrayLevelNonUniformity = Σ_i p_g(i)² / N_z
/// (`RadiomicsGLDM.getGrayLevelNonUniformityFeatureValue`).
pub fn gray_level_non_uniformity(m: &Matrix) -> f64 {
    np_sum(m.lv.len(), |i| {
        let (pg, _) = m.pg(i);
        pg * pg
    }) / m.nz
}
/// DependenceNonUniformity = Σ_j p_d(j)² / N_z
/// (`RadiomicsGLDM.getDependenceNonUniformityFeatureValue`).
pub fn dependence_non_uniformity(m: &Matrix) -> f64 {
    np_sum(m.n_cols, |k| {
        let (pd, _) = m.pd(k);
        pd * pd
    }) / m.nz
}
/// DependenceNonUniformityNormalized = Σ_j p_d(j)² / N_z²
/// (`RadiomicsGLDM.getDependenceNonUniformityNormalizedFeatureValue`).
pub fn dependence_non_uniformity_normalized(m: &Matrix) -> f64 {
    np_sum(m.n_cols, |k| {
        let (pd, _) = m.pd(k);
        pd * pd
    }) / (m.nz * m.nz)
}
/// GrayLevelVariance = Σ_i p(i)(i − μ)², p(i) = p_g(i)/N_z, μ = Σ_i p(i)·i
/// (`RadiomicsGLDM.getGrayLevelVarianceFeatureValue`).
pub fn gray_level_variance(m: &Matrix) -> f64 {
    let g = m.lv.len();
    let mu = np_sum(g, |i| {
        let (pg, li) = m.pg(i);
        (pg / m.nz) * li
    });
    np_sum(g, |i| {
        let (pg, li) = m.pg(i);
        let d = li - mu;
        (pg / m.nz) * (d * d)
    })
}
/// DependenceVariance = Σ_j p(j)(j − μ)², p(j) = p_d(j)/N_z, μ = Σ_j p(j)·j
/// (`RadiomicsGLDM.getDependenceVarianceFeatureValue`).
pub fn dependence_variance(m: &Matrix) -> f64 {
    let mu = np_sum(m.n_cols, |k| {
        let (pd, j) = m.pd(k);
        (pd / m.nz) * j
    });
    np_sum(m.n_cols, |k| {
        let (pd, j) = m.pd(k);
        let d = j - mu;
        (pd / m.nz) * (d * d)
    })
}
/// DependenceEntropy = −Σ_{i,j} p(i,j) log2(p(i,j) + ε), p = P/N_z
/// (`RadiomicsGLDM.getDependenceEntropyFeatureValue`).
pub fn dependence_entropy(m: &Matrix) -> f64 {
    -m.sum_cells(|p, _, _| {
        let p = p / m.nz;
        p * libm::log2(p + EPS)
    })
}
/// LowGrayLevelEmphasis = Σ_i p_g(i)/i² / N_z (`RadiomicsGLDM.getLowGrayLevelEmphasisFeatureValue`).
pub fn low_gray_level_emphasis(m: &Matrix) -> f64 {
    np_sum(m.lv.len(), |i| {
        let (pg, li) = m.pg(i);
        pg / (li * li)
    }) / m.nz
}
/// HighGrayLevelEmphasis = Σ_i p_g(i)·i² / N_z
/// (`RadiomicsGLDM.getHighGrayLevelEmphasisFeatureValue`).
pub fn high_gray_level_emphasis(m: &Matrix) -> f64 {
    np_sum(m.lv.len(), |i| {
        let (pg, li) = m.pg(i);
        pg * (li * li)
    }) / m.nz
}
/// SmallDependenceLowGrayLevelEmphasis = Σ_{i,j} P(i,j)/(i²·j²) / N_z
/// (`RadiomicsGLDM.getSmallDependenceLowGrayLevelEmphasisFeatureValue`).
pub fn small_dependence_low_gray_level_emphasis(m: &Matrix) -> f64 {
    m.sum_cells(|p, i, j| p / ((i * i) * (j * j))) / m.nz
}
/// SmallDependenceHighGrayLevelEmphasis = Σ_{i,j} P(i,j)·i²/j² / N_z
/// (`RadiomicsGLDM.getSmallDependenceHighGrayLevelEmphasisFeatureValue`).
pub fn small_dependence_high_gray_level_emphasis(m: &Matrix) -> f64 {
    m.sum_cells(|p, i, j| (p * (i * i)) / (j * j)) / m.nz
}
/// LargeDependenceLowGrayLevelEmphasis = Σ_{i,j} P(i,j)·j²/i² / N_z
/// (`RadiomicsGLDM.getLargeDependenceLowGrayLevelEmphasisFeatureValue`).
pub fn large_dependence_low_gray_level_emphasis(m: &Matrix) -> f64 {
    m.sum_cells(|p, i, j| (p * (j * j)) / (i * i)) / m.nz
}
/// LargeDependenceHighGrayLevelEmphasis = Σ_{i,j} P(i,j)·(j²·i²) / N_z
/// (`RadiomicsGLDM.getLargeDependenceHighGrayLevelEmphasisFeatureValue`).
pub fn large_dependence_high_gray_level_emphasis(m: &Matrix) -> f64 {
    m.sum_cells(|p, i, j| p * ((j * j) * (i * i))) / m.nz
}

/// The value of feature `f`.
pub fn compute(f: GldmFeature, m: &Matrix) -> f64 {
    use GldmFeature as F;
    match f {
        F::DependenceEntropy => dependence_entropy(m),
        F::DependenceNonUniformity => dependence_non_uniformity(m),
        F::DependenceNonUniformityNormalized => dependence_non_uniformity_normalized(m),
        F::DependenceVariance => dependence_variance(m),
        F::GrayLevelNonUniformity => gray_level_non_uniformity(m),
        F::GrayLevelVariance => gray_level_variance(m),
        F::HighGrayLevelEmphasis => high_gray_level_emphasis(m),
        F::LargeDependenceEmphasis => large_dependence_emphasis(m),
        F::LargeDependenceHighGrayLevelEmphasis => large_dependence_high_gray_level_emphasis(m),
        F::LargeDependenceLowGrayLevelEmphasis => large_dependence_low_gray_level_emphasis(m),
        F::LowGrayLevelEmphasis => low_gray_level_emphasis(m),
        F::SmallDependenceEmphasis => small_dependence_emphasis(m),
        F::SmallDependenceHighGrayLevelEmphasis => small_dependence_high_gray_level_emphasis(m),
        F::SmallDependenceLowGrayLevelEmphasis => small_dependence_low_gray_level_emphasis(m),
    }
}
