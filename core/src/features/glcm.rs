//! Gray Level Co-occurrence Matrix (PyRadiomics 3.0.1 `radiomics/glcm.py`, `RadiomicsGLCM`;
//! matrix from `cmatrices.c::calculate_glcm`, angles from `generate_angles`).
//!
//! Let `G'` be the gray levels present in the ROI (bin numbers, ascending), `N_g` the largest bin
//! number, and for each angle `a` (the mono-directional offsets of [`super::glrlm::angles`]:
//! 13 for a 3-D box, 4 for a single slice; distance 1):
//!
//! * `C(i, j | a)` = number of ROI voxels of level `i` whose neighbour at offset `a` is inside
//!   the ROI box, in the ROI, and of level `j`;
//! * symmetrical GLCM (the default): `P = C + Cᵀ`; `S_a = Σ P`; angles with `S_a = 0` are
//!   dropped (if more than one angle exists), `p = P / S_a`;
//! * `p_x(i) = Σ_j p(i,j)`, `p_y(j) = Σ_i p(i,j)`, `μ_x = Σ i·p(i,j)`, `μ_y = Σ j·p(i,j)`,
//!   `p_{x+y}(k) = Σ_{i+j=k} p(i,j)`, `p_{x−y}(k) = Σ_{|i−j|=k} p(i,j)`,
//!   `HXY = −Σ p log2(p + ε)`, `ε = 2^−52`;
//! * every feature is computed per angle and the result is numpy's `nanmean` over the kept angles
//!   (JointAverage: `mean`), `weightingNorm = None`.
//!
//! Storage: the matrix of one angle is dense over the *present* levels (`G'²` values), counted
//! directly from the discretised box (values = compact level index + 1, 0 outside the ROI), one
//! pass over the box per angle. MCC needs a second `G'²` matrix.
//!
//! MCC's eigenvalue: PyRadiomics takes `numpy.linalg.eigvals` of a non-symmetric matrix `Q`.
//! Without its ε, `Q` is similar to a symmetric matrix, so `mcc_symmetric` finds the eigenvalue
//! with a symmetric solver (`super::symeig`, ~(4/3)·G'³ operations) and adds ε's effect as a
//! first-order term under a proven error bound, or, where that bound is too loose but the
//! eigenvalue is isolated, refines it by inverse iteration on `Q` itself (+(2/3)·G'³); where
//! neither can be proven (a reducible matrix, clustered eigenvalues), `mcc_eigen` runs the
//! general non-symmetric solver (`super::eigen`, ~10·G'³).
//!
//! Settings ([`Settings`]):
//!
//! * `distances`: the angles are the mono-directional offsets at those Chebyshev distances
//!   ([`super::neighbourhood::Angles`]; 13 at distance 1, 49 at distance 2, ...);
//! * `force2D`: only in-plane angles;
//! * `symmetricalGLCM` false: `P = C` (row = centre, column = neighbour); `p_x ≠ p_y` in general;
//! * `weightingNorm` set: one matrix `P = Σ_a w_a P_a` (after symmetrisation, before
//!   normalisation), `w_a = exp(−‖d_a‖²)` with `d_a = |a| · spacing` (z, y, x) and the norm
//!   manhattan (`(Σ d)²`), euclidean (`Σ d²`), infinity (`(max d)²`) or `w_a = 1`
//!   (no_weighting); no angle is dropped, an all-zero matrix gives NaN features.

use super::neighbourhood::{angle_count, Angles};
use super::{np_sum, sort, EPS};
use crate::names::GlcmFeature;
use crate::settings::WeightingNorm;
use crate::Error;

/// Number of features of the class.
pub const N_FEATURES: usize = 24;

/// Largest number of gray levels the scratch bound [`scratch_len`] reserves GLCM matrices for
/// (the number of ROI voxels bounds it too). An ROI with more levels needs a larger scratch
/// ([`scratch_for_levels`]; [`Error::ScratchTooSmall`] otherwise). PyRadiomics itself holds
/// `N_g² × 13` doubles (`N_g` = largest bin number) for the same ROI.
pub const MAX_LEVELS_RESERVED: usize = 4096;

/// Largest exactly representable integer key (2^53).
const KEY_LIMIT: f64 = 9_007_199_254_740_992.0;

/// GLCM settings (PyRadiomics defaults: `Settings::default()`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings<'a> {
    /// `symmetricalGLCM` (default `true`): count each neighbour pair in both directions.
    pub symmetrical: bool,
    /// `distances` (default `[1]`), each ≥ 1.
    pub distances: &'a [u32],
    /// `force2D` out-of-plane numpy axis (0 = z, 1 = y, 2 = x), `None` = 3-D.
    pub force_2d: Option<u8>,
    /// `weightingNorm`.
    pub weighting: WeightingNorm,
    /// Image spacing `[x, y, z]` (mm), for the weights.
    pub spacing: [f64; 3],
}

impl Default for Settings<'static> {
    fn default() -> Self {
        Settings {
            symmetrical: true,
            distances: &[1],
            force_2d: None,
            weighting: WeightingNorm::None,
            spacing: [1.0; 3],
        }
    }
}

impl Settings<'_> {
    /// Number of angles ([`super::neighbourhood::angle_count`], mono-directional).
    pub fn n_angles(&self, dims: [usize; 3]) -> usize {
        angle_count(dims, self.distances, self.force_2d, false)
    }

    fn weighted(&self) -> bool {
        self.weighting != WeightingNorm::None
    }
}

/// GLCM's weight of angle `(dz, dy, dx)` (`RadiomicsGLCM._calculateMatrix`): `exp(−‖d‖²)` with
/// `d = |a| · spacing` in the chosen norm; 1 for `no_weighting`.
pub fn weight(a: [isize; 3], spacing: [f64; 3], norm: WeightingNorm) -> f64 {
    let sp = [spacing[2], spacing[1], spacing[0]];
    let d = [
        a[0].unsigned_abs() as f64 * sp[0],
        a[1].unsigned_abs() as f64 * sp[1],
        a[2].unsigned_abs() as f64 * sp[2],
    ];
    match norm {
        WeightingNorm::Infinity => {
            let m = d[0].max(d[1]).max(d[2]);
            libm::exp(-(m * m))
        }
        WeightingNorm::Euclidean => libm::exp(-(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])),
        WeightingNorm::Manhattan => {
            let m = d[0] + d[1] + d[2];
            libm::exp(-(m * m))
        }
        WeightingNorm::NoWeighting | WeightingNorm::None => 1.0,
    }
}

/// Per-angle values kept for the average: the 24 features and MCC's eigenvalue (re, im).
const ROW: usize = N_FEATURES + 2;

/// Scratch (f64 elements) [`features`] needs for `g` present gray levels, at most `n_roi` ROI
/// voxels and `n_angles` angles ([`Settings::n_angles`]): the matrix `g²` and the marginals `2g`,
/// the per-angle values (`26·n_angles`, or 26 for a weighted matrix), then a work area for the
/// k-distributions (at most `c = min(g², 2·n_roi)` non-zero cells, `min(g², 2·n_roi·n_angles)`
/// for a weighted matrix, which needs `2c`) and, with MCC, its matrix and the eigen solvers' work
/// (`g² + 11g`);
/// last the ROI extent of each of the box's `box_rows = s_y·s_z` rows (`2·box_rows`).
pub fn scratch_for_levels(
    g: usize,
    n_roi: usize,
    mcc: bool,
    n_angles: usize,
    weighted: bool,
    box_rows: usize,
) -> Result<usize, Error> {
    let g2 = g.checked_mul(g).ok_or(Error::SizeOverflow)?;
    let (rows, cells) = if weighted {
        let c = g2.min(n_roi.saturating_mul(2).saturating_mul(n_angles));
        (ROW, c.checked_mul(2).ok_or(Error::SizeOverflow)?)
    } else {
        (
            ROW.checked_mul(n_angles).ok_or(Error::SizeOverflow)?,
            g2.min(n_roi.saturating_mul(2)),
        )
    };
    let mcc_need = if mcc {
        g2.checked_add(g.checked_mul(11).ok_or(Error::SizeOverflow)?)
            .ok_or(Error::SizeOverflow)?
    } else {
        0
    };
    g2.checked_add(g.checked_mul(2).ok_or(Error::SizeOverflow)?)
        .and_then(|n| n.checked_add(rows))
        .and_then(|n| n.checked_add(cells.max(mcc_need)))
        .and_then(|n| n.checked_add(8))
        .and_then(|n| n.checked_add(box_rows.checked_mul(2)?))
        .ok_or(Error::SizeOverflow)
}

/// Scratch (f64 elements) reserved for at most `n_roi` ROI voxels: the need of
/// `min(n_roi, MAX_LEVELS_RESERVED)` gray levels.
pub fn scratch_len(
    n_roi: usize,
    mcc: bool,
    n_angles: usize,
    weighted: bool,
    box_rows: usize,
) -> Result<usize, Error> {
    scratch_for_levels(
        n_roi.min(MAX_LEVELS_RESERVED),
        n_roi,
        mcc,
        n_angles,
        weighted,
        box_rows,
    )
}

/// The normalised matrix of one angle and its marginals (PyRadiomics' `P_glcm[..., a]` and
/// `_calculateCoefficients`).
#[derive(Debug, Clone, Copy)]
pub struct Matrix<'a> {
    /// `p(i, j)`, row-major `G' × G'` over the present levels.
    pub p: &'a [f64],
    /// `p_x(i) = Σ_j p(i, j)`.
    pub px: &'a [f64],
    /// `p_y(j) = Σ_i p(i, j)`.
    pub py: &'a [f64],
    /// Bin numbers of the present levels, ascending (`i`, `j` in the formulas).
    pub lv: &'a [f64],
    /// `μ_x = Σ i·p(i, j)`.
    pub ux: f64,
    /// `μ_y = Σ j·p(i, j)`.
    pub uy: f64,
}

impl Matrix<'_> {
    /// Calls `f(i, j, p(i, j), p_x(i), p_y(j))` for every cell with `p > 0`, row-major (numpy's
    /// sequential order; cells with `p = 0` add ±0 to every sum below).
    fn for_each(&self, mut f: impl FnMut(f64, f64, f64, f64, f64)) {
        let g = self.lv.len();
        for (i, (&li, &pxi)) in self.lv.iter().zip(self.px.iter()).enumerate() {
            let Some(row) = self.p.get(i * g..(i + 1) * g) else {
                return;
            };
            for ((&p, &lj), &pyj) in row.iter().zip(self.lv.iter()).zip(self.py.iter()) {
                if p != 0.0 {
                    f(li, lj, p, pxi, pyj);
                }
            }
        }
    }

    /// `p(i, k)` for a level index `i` held as f64 (MCC's active-level lists), 0 past the end.
    #[inline]
    fn p_at(&self, i: f64, k: usize) -> f64 {
        let r = super::index_of(i)
            .wrapping_mul(self.lv.len())
            .wrapping_add(k);
        self.p.get(r).copied().unwrap_or(0.0)
    }

    /// `p_x(i)` for a level index `i` held as f64, 0 past the end.
    #[inline]
    fn px_at(&self, i: f64) -> f64 {
        self.px.get(super::index_of(i)).copied().unwrap_or(0.0)
    }

    /// `HXY = −Σ p(i,j) log2(p(i,j) + ε)`.
    fn hxy(&self) -> f64 {
        let mut s = 0.0;
        self.for_each(|_, _, p, _, _| s += p * libm::log2(p + EPS));
        -s
    }
}

/// Autocorrelation = Σ p(i,j)·(i·j) (`RadiomicsGLCM.getAutocorrelationFeatureValue`).
pub fn autocorrelation(m: &Matrix) -> f64 {
    let mut s = 0.0;
    m.for_each(|i, j, p, _, _| s += p * (i * j));
    s
}
/// JointAverage = μ_x = Σ p(i,j)·i (`RadiomicsGLCM.getJointAverageFeatureValue`).
pub fn joint_average(m: &Matrix) -> f64 {
    m.ux
}
/// ClusterProminence = Σ p(i,j)·(i + j − μ_x − μ_y)⁴ (`pow`)
/// (`RadiomicsGLCM.getClusterProminenceFeatureValue`).
pub fn cluster_prominence(m: &Matrix) -> f64 {
    let mut s = 0.0;
    m.for_each(|i, j, p, _, _| s += p * libm::pow(((i + j) - m.ux) - m.uy, 4.0));
    s
}
/// ClusterShade = Σ p(i,j)·(i + j − μ_x − μ_y)³ (`pow`)
/// (`RadiomicsGLCM.getClusterShadeFeatureValue`).
pub fn cluster_shade(m: &Matrix) -> f64 {
    let mut s = 0.0;
    m.for_each(|i, j, p, _, _| s += p * libm::pow(((i + j) - m.ux) - m.uy, 3.0));
    s
}
/// [`cluster_prominence`] (`e` = 4) or [`cluster_shade`] (`e` = 3) with `pow` evaluated once per
/// distinct `i + j` (a table in `buf`, when it fits and is smaller than the matrix) instead of once
/// per cell: the same `pow` arguments, so the same terms added in the same order.
fn cluster_pow(m: &Matrix, e: f64, buf: &mut [f64]) -> f64 {
    let lo = m.lv.first().copied().unwrap_or(0.0);
    let hi = m.lv.last().copied().unwrap_or(0.0);
    let k0 = 2.0 * lo;
    let len = 2.0 * (hi - lo) + 1.0;
    let g = m.lv.len() as f64;
    let mut s = 0.0;
    match buf.get_mut(..len as usize) {
        Some(table) if len <= g * g => {
            for (o, v) in table.iter_mut().enumerate() {
                *v = libm::pow(((k0 + o as f64) - m.ux) - m.uy, e);
            }
            let table = &*table;
            m.for_each(|i, j, p, _, _| {
                let t = table.get(super::index_of((i + j) - k0)).copied();
                s += p * t.unwrap_or_else(|| libm::pow(((i + j) - m.ux) - m.uy, e));
            });
        }
        _ => m.for_each(|i, j, p, _, _| s += p * libm::pow(((i + j) - m.ux) - m.uy, e)),
    }
    s
}
/// ClusterTendency = Σ p(i,j)·(i + j − μ_x − μ_y)² (`RadiomicsGLCM.getClusterTendencyFeatureValue`).
pub fn cluster_tendency(m: &Matrix) -> f64 {
    let mut s = 0.0;
    m.for_each(|i, j, p, _, _| {
        let t = ((i + j) - m.ux) - m.uy;
        s += p * (t * t)
    });
    s
}
/// Contrast = Σ p(i,j)·|i − j|² (`RadiomicsGLCM.getContrastFeatureValue`).
pub fn contrast(m: &Matrix) -> f64 {
    let mut s = 0.0;
    m.for_each(|i, j, p, _, _| {
        let d = libm::fabs(i - j);
        s += p * (d * d)
    });
    s
}
/// Correlation = Σ p(i,j)(i − μ_x)(j − μ_y) / (σ_x σ_y + ε), σ_x = √(Σ p (i − μ_x)²),
/// σ_y = √(Σ p (j − μ_y)²); 1 if σ_x σ_y = 0 (`RadiomicsGLCM.getCorrelationFeatureValue`).
pub fn correlation(m: &Matrix) -> f64 {
    let (mut sx, mut sy, mut c) = (0.0, 0.0, 0.0);
    m.for_each(|i, j, p, _, _| {
        let dx = i - m.ux;
        let dy = j - m.uy;
        sx += p * (dx * dx);
        sy += p * (dy * dy);
        c += (p * dx) * dy;
    });
    let sxy = libm::sqrt(sx) * libm::sqrt(sy);
    if sxy == 0.0 {
        1.0
    } else {
        c / (sxy + EPS)
    }
}
/// JointEnergy = Σ p(i,j)² (`RadiomicsGLCM.getJointEnergyFeatureValue`).
pub fn joint_energy(m: &Matrix) -> f64 {
    let mut s = 0.0;
    m.for_each(|_, _, p, _, _| s += p * p);
    s
}
/// JointEntropy = HXY = −Σ p(i,j) log2(p(i,j) + ε) (`RadiomicsGLCM.getJointEntropyFeatureValue`).
pub fn joint_entropy(m: &Matrix) -> f64 {
    m.hxy()
}
/// Imc1 = (HXY − HXY1) / max(HX, HY), 0 if the maximum is 0; HX = −Σ p_x log2(p_x + ε),
/// HY = −Σ p_y log2(p_y + ε), HXY1 = −Σ p(i,j) log2(p_x(i) p_y(j) + ε)
/// (`RadiomicsGLCM.getImc1FeatureValue`).
pub fn imc1(m: &Matrix) -> f64 {
    imc1_given(m, m.hxy(), None)
}
/// [`imc1`] with `HXY` already computed, and, when [`imc2_given`] left them, its logarithms
/// `logs` of a symmetric matrix: `log2(p_x(i) p_y(j) + ε)` for `j > i` (row i from
/// `i·(2g − i − 1)/2`), which are HXY1's logarithms too (`p_x(i) p_y(j)` has the same bits as
/// `p_x(j) p_y(i)` when `p_x = p_y`). The sum keeps its order and bits.
fn imc1_given(m: &Matrix, hxy: f64, logs: Option<&[f64]>) -> f64 {
    let mut hx = 0.0;
    let mut hy = 0.0;
    for (&px, &py) in m.px.iter().zip(m.py.iter()) {
        hx += px * libm::log2(px + EPS);
        hy += py * libm::log2(py + EPS);
    }
    let (hx, hy) = (-hx, -hy);
    let mut hxy1 = 0.0;
    match logs {
        Some(logs) => {
            let g = m.px.len();
            let off = |i: usize| i * (2 * g - i - 1) / 2;
            for (i, &pxi) in m.px.iter().enumerate() {
                let row = m.p.get(i * g..(i + 1) * g).unwrap_or(&[]);
                for (j, (&p, &pyj)) in row.iter().zip(m.py.iter()).enumerate() {
                    if p == 0.0 {
                        continue;
                    }
                    let (a, b) = (i.min(j), i.max(j));
                    let cached = (a != b).then(|| logs.get(off(a) + (b - a - 1))).flatten();
                    let l = cached
                        .copied()
                        .unwrap_or_else(|| libm::log2(pxi * pyj + EPS));
                    hxy1 += p * l;
                }
            }
        }
        None => m.for_each(|_, _, p, px, py| hxy1 += p * libm::log2(px * py + EPS)),
    }
    let hxy1 = -hxy1;
    let div = hx.max(hy);
    if div != 0.0 {
        (hxy - hxy1) / div
    } else {
        0.0
    }
}
/// Imc2 = √(1 − e^(−2 (HXY2 − HXY))) with `numpy.e ** x` (`pow`), 0 if HXY2 = HXY, NaN if the
/// radicand is negative; HXY2 = −Σ_{i,j} p_x(i) p_y(j) log2(p_x(i) p_y(j) + ε) over all cells
/// (`RadiomicsGLCM.getImc2FeatureValue`).
pub fn imc2(m: &Matrix) -> f64 {
    imc2_given(m, m.hxy(), &mut []).0
}
/// [`imc2`] with `HXY` already computed. `buf` (work space, any length) lets a symmetric
/// matrix compute each logarithm once: with `p_x = p_y` bit for bit, the terms of cells (i, j)
/// and (j, i) are equal, so row i keeps the logarithms `log2(p_x(i) p_x(j) + ε)` of its cells
/// j > i (`g(g−1)/2` values) and later rows read them back; the sum keeps its row-major order,
/// so its bits do not change. Returns Imc2 and whether `buf` holds those logarithms (for
/// [`imc1_given`]).
fn imc2_given(m: &Matrix, hxy: f64, buf: &mut [f64]) -> (f64, bool) {
    let g = m.px.len();
    let term = |px: f64, py: f64| {
        let t = px * py;
        t * libm::log2(t + EPS)
    };
    let same = m.py.len() == g
        && m.px
            .iter()
            .zip(m.py.iter())
            .all(|(a, b)| a.to_bits() == b.to_bits());
    let tri = g * g.saturating_sub(1) / 2;
    let mut hxy2 = 0.0;
    let mut filled = false;
    match buf.get_mut(..tri) {
        Some(cache) if same => {
            // row i's logarithms j > i start at off(i) = i·(2g − i − 1)/2
            let off = |i: usize| i * (2 * g - i - 1) / 2;
            for (i, &pxi) in m.px.iter().enumerate() {
                for (j, &pxj) in m.px.iter().enumerate().take(i) {
                    // the term of (j, i): (p_x(j) p_x(i))·log, the same bits as (i, j)'s
                    let l = cache.get(off(j) + (i - j - 1)).copied().unwrap_or(0.0);
                    hxy2 += (pxj * pxi) * l;
                }
                hxy2 += term(pxi, pxi);
                let row = cache
                    .get_mut(off(i)..off(i) + (g - i - 1))
                    .unwrap_or(&mut []);
                for (c, &pxj) in row.iter_mut().zip(m.px.iter().skip(i + 1)) {
                    let t = pxi * pxj;
                    let l = libm::log2(t + EPS);
                    *c = l;
                    hxy2 += t * l;
                }
            }
            filled = true;
        }
        _ => {
            for &px in m.px.iter() {
                for &py in m.py.iter() {
                    hxy2 += term(px, py);
                }
            }
        }
    }
    let hxy2 = -hxy2;
    let v = if hxy2 == hxy {
        0.0
    } else {
        libm::sqrt(1.0 - libm::pow(core::f64::consts::E, -2.0 * (hxy2 - hxy)))
    };
    (v, filled)
}
/// MaximumProbability = max p(i,j) (`RadiomicsGLCM.getMaximumProbabilityFeatureValue`).
pub fn maximum_probability(m: &Matrix) -> f64 {
    let mut s = 0.0f64;
    m.for_each(|_, _, p, _, _| s = s.max(p));
    s
}
/// SumSquares = Σ p(i,j)·(i − μ_x)² (`RadiomicsGLCM.getSumSquaresFeatureValue`).
pub fn sum_squares(m: &Matrix) -> f64 {
    let mut s = 0.0;
    m.for_each(|i, _, p, _, _| {
        let d = i - m.ux;
        s += p * (d * d)
    });
    s
}
/// SumAverage = Σ_k k·p_{x+y}(k) (`RadiomicsGLCM.getSumAverageFeatureValue`).
pub fn sum_average(d: &Dist) -> f64 {
    let mut s = 0.0;
    d.for_each(|k, p| s += k * p);
    s
}
/// SumEntropy = −Σ_k p_{x+y}(k) log2(p_{x+y}(k) + ε) (`RadiomicsGLCM.getSumEntropyFeatureValue`).
pub fn sum_entropy(d: &Dist) -> f64 {
    let mut s = 0.0;
    d.for_each(|_, p| s += p * libm::log2(p + EPS));
    -s
}
/// DifferenceAverage = Σ_k k·p_{x−y}(k) (`RadiomicsGLCM.getDifferenceAverageFeatureValue`).
pub fn difference_average(d: &Dist) -> f64 {
    let mut s = 0.0;
    d.for_each(|k, p| s += k * p);
    s
}
/// DifferenceEntropy = −Σ_k p_{x−y}(k) log2(p_{x−y}(k) + ε)
/// (`RadiomicsGLCM.getDifferenceEntropyFeatureValue`).
pub fn difference_entropy(d: &Dist) -> f64 {
    let mut s = 0.0;
    d.for_each(|_, p| s += p * libm::log2(p + EPS));
    -s
}
/// DifferenceVariance = Σ_k p_{x−y}(k)·(k − DA)², DA = [`difference_average`]
/// (`RadiomicsGLCM.getDifferenceVarianceFeatureValue`).
pub fn difference_variance(d: &Dist) -> f64 {
    let da = difference_average(d);
    let mut s = 0.0;
    d.for_each(|k, p| {
        let t = k - da;
        s += p * (t * t)
    });
    s
}
/// Id = Σ_k p_{x−y}(k) / (1 + k) (`RadiomicsGLCM.getIdFeatureValue`).
pub fn id(d: &Dist) -> f64 {
    let mut s = 0.0;
    d.for_each(|k, p| s += p / (1.0 + k));
    s
}
/// Idm = Σ_k p_{x−y}(k) / (1 + k²) (`RadiomicsGLCM.getIdmFeatureValue`).
pub fn idm(d: &Dist) -> f64 {
    let mut s = 0.0;
    d.for_each(|k, p| s += p / (1.0 + k * k));
    s
}
/// Idmn = Σ_k p_{x−y}(k) / (1 + k²/N_g²), `N_g` = largest bin number
/// (`RadiomicsGLCM.getIdmnFeatureValue`).
pub fn idmn(d: &Dist, ng: f64) -> f64 {
    let ng2 = ng * ng;
    let mut s = 0.0;
    d.for_each(|k, p| s += p / (1.0 + (k * k) / ng2));
    s
}
/// Idn = Σ_k p_{x−y}(k) / (1 + k/N_g) (`RadiomicsGLCM.getIdnFeatureValue`).
pub fn idn(d: &Dist, ng: f64) -> f64 {
    let mut s = 0.0;
    d.for_each(|k, p| s += p / (1.0 + k / ng));
    s
}
/// InverseVariance = Σ_{k≥1} p_{x−y}(k) / k² (`RadiomicsGLCM.getInverseVarianceFeatureValue`).
pub fn inverse_variance(d: &Dist) -> f64 {
    let mut s = 0.0;
    d.for_each(|k, p| {
        if k >= 1.0 {
            s += p / (k * k)
        }
    });
    s
}

/// A `p_{x+y}` or `p_{x−y}` distribution over integer `k`.
pub enum Dist<'a> {
    /// `d[k − k0]` for every `k` in range (zeros included).
    Dense {
        /// The first `k`.
        k0: f64,
        /// `p(k0 + o)`.
        d: &'a [f64],
    },
    /// Sorted keys `k · m + c` (`c` = count of one (i, j) cell class), divided by `s`.
    Sparse {
        /// Sorted keys.
        keys: &'a [f64],
        /// Key multiplier (> every count).
        m: f64,
        /// Divisor (matrix total).
        s: f64,
    },
    /// The distinct `k` ascending and their summed `p(k)` (weighted matrices: non-integer counts).
    Listed {
        /// Distinct `k`, ascending.
        k: &'a [f64],
        /// `p(k)`.
        p: &'a [f64],
    },
}

impl Dist<'_> {
    /// Calls `f(k, p(k))` for every `k` with `p(k) > 0`, ascending.
    pub fn for_each(&self, mut f: impl FnMut(f64, f64)) {
        match self {
            Dist::Dense { k0, d } => {
                for (o, &v) in d.iter().enumerate() {
                    if v != 0.0 {
                        f(k0 + o as f64, v);
                    }
                }
            }
            Dist::Listed { k, p } => {
                for (&kk, &pp) in k.iter().zip(p.iter()) {
                    if pp != 0.0 {
                        f(kk, pp);
                    }
                }
            }
            Dist::Sparse { keys, m, s } => {
                let mut cur = f64::NAN;
                let mut acc = 0.0;
                for &key in keys.iter() {
                    let mut k = libm::floor(key / m);
                    if k * m > key {
                        k -= 1.0;
                    } else if key - k * m >= *m {
                        k += 1.0;
                    }
                    let c = key - k * m;
                    if k == cur {
                        acc += c;
                    } else {
                        if acc > 0.0 {
                            f(cur, acc / s);
                        }
                        cur = k;
                        acc = c;
                    }
                }
                if acc > 0.0 {
                    f(cur, acc / s);
                }
            }
        }
    }
}

/// Builds `p_{x+y}` (`sum = true`) or `p_{x−y}` into `buf` from the counts `cnt` (row-major
/// `G' × G'`, normalised by `s`: `p = cnt / s` as stored in `p`). `integer`: the counts are
/// integers (not a weighted matrix).
fn distribution<'a>(
    a: &Matrix,
    cnt_total: f64,
    sum: bool,
    integer: bool,
    buf: &'a mut [f64],
) -> Result<Dist<'a>, Error> {
    let g = a.lv.len();
    let lo = a.lv.first().copied().unwrap_or(0.0);
    let hi = a.lv.last().copied().unwrap_or(0.0);
    let range = hi - lo;
    let (k0, len) = if sum {
        (2.0 * lo, 2.0 * range + 1.0)
    } else {
        (0.0, range + 1.0)
    };
    if len <= buf.len() as f64 {
        // numpy: for each k, the p(i, j) with i+j = k (|i−j| = k) summed in row-major order.
        let d = buf.get_mut(..len as usize).ok_or(Error::ScratchTooSmall)?;
        d.fill(0.0);
        for i in 0..g {
            let li = a.lv.get(i).copied().unwrap_or(0.0);
            let row = a.p.get(i * g..(i + 1) * g).ok_or(Error::ScratchTooSmall)?;
            for (&pij, &lj) in row.iter().zip(a.lv.iter()) {
                if pij != 0.0 {
                    let k = if sum { li + lj } else { libm::fabs(li - lj) };
                    if let Some(slot) = d.get_mut(super::index_of(k - k0)) {
                        *slot += pij;
                    }
                }
            }
        }
        return Ok(Dist::Dense { k0, d });
    }
    if !integer {
        return listed(a, sum, buf);
    }
    // Wide, sparse levels: keys k·m + count over the non-zero cells, sorted; each k's counts add
    // exactly and are divided once (equal to numpy's sum of the rounded p's to ~1 ulp).
    let m = cnt_total + 1.0;
    if (2.0 * hi + 1.0) * m >= KEY_LIMIT {
        // gray levels (bin numbers) too large to key exactly: data-derived, not memory
        return Err(Error::TooManyBins);
    }
    let mut n = 0usize;
    for i in 0..g {
        let li = a.lv.get(i).copied().unwrap_or(0.0);
        let row = a.p.get(i * g..(i + 1) * g).ok_or(Error::ScratchTooSmall)?;
        for (&pij, &lj) in row.iter().zip(a.lv.iter()) {
            if pij != 0.0 {
                let k = if sum { li + lj } else { libm::fabs(li - lj) };
                let c = libm::round(pij * cnt_total);
                let slot = buf.get_mut(n).ok_or(Error::ScratchTooSmall)?;
                *slot = k * m + c;
                n += 1;
            }
        }
    }
    let keys = buf.get_mut(..n).ok_or(Error::ScratchTooSmall)?;
    sort(keys);
    Ok(Dist::Sparse {
        keys,
        m,
        s: cnt_total,
    })
}

/// [`distribution`] of a weighted matrix with wide, sparse levels: the distinct `k` of the
/// non-zero cells (sorted) in the first half of `buf`, their `p` summed in row-major order in the
/// second half.
fn listed<'a>(a: &Matrix, sum: bool, buf: &'a mut [f64]) -> Result<Dist<'a>, Error> {
    let g = a.lv.len();
    let half = buf.len() / 2;
    let (ks, ps) = buf.split_at_mut(half);
    let kof = |i: usize, j: usize| {
        let li = a.lv.get(i).copied().unwrap_or(0.0);
        let lj = a.lv.get(j).copied().unwrap_or(0.0);
        if sum {
            li + lj
        } else {
            libm::fabs(li - lj)
        }
    };
    let mut n = 0usize;
    for i in 0..g {
        let row = a.p.get(i * g..(i + 1) * g).ok_or(Error::ScratchTooSmall)?;
        for (j, &pij) in row.iter().enumerate() {
            if pij != 0.0 {
                *ks.get_mut(n).ok_or(Error::ScratchTooSmall)? = kof(i, j);
                n += 1;
            }
        }
    }
    let all = ks.get_mut(..n).ok_or(Error::ScratchTooSmall)?;
    sort(all);
    let mut d = 0usize;
    for t in 0..n {
        let v = all.get(t).copied().unwrap_or(0.0);
        if d == 0 || all.get(d - 1).copied() != Some(v) {
            if let Some(s) = all.get_mut(d) {
                *s = v;
            }
            d += 1;
        }
    }
    let ks: &'a [f64] = ks;
    let ks = ks.get(..d).ok_or(Error::ScratchTooSmall)?;
    let ps = ps.get_mut(..d).ok_or(Error::ScratchTooSmall)?;
    ps.fill(0.0);
    for i in 0..g {
        let row = a.p.get(i * g..(i + 1) * g).ok_or(Error::ScratchTooSmall)?;
        for (j, &pij) in row.iter().enumerate() {
            if pij != 0.0 {
                let k = kof(i, j);
                if let Ok(pos) = ks.binary_search_by(|x| x.total_cmp(&k)) {
                    if let Some(s) = ps.get_mut(pos) {
                        *s += pij;
                    }
                }
            }
        }
    }
    Ok(Dist::Listed { k: ks, p: ps })
}

/// Per-angle values of the 24 features (in [`GlcmFeature::ALL`] order) except MCC (NaN).
fn per_angle(
    m: &Matrix,
    total: f64,
    integer: bool,
    ng: f64,
    buf: &mut [f64],
) -> Result<[f64; N_FEATURES], Error> {
    use GlcmFeature as F;
    let mut out = [f64::NAN; N_FEATURES];
    {
        let d = distribution(m, total, true, integer, buf)?;
        for (o, f) in out.iter_mut().zip(GlcmFeature::ALL.iter()) {
            match f {
                F::SumAverage => *o = sum_average(&d),
                F::SumEntropy => *o = sum_entropy(&d),
                _ => {}
            }
        }
    }
    {
        let d = distribution(m, total, false, integer, buf)?;
        for (o, f) in out.iter_mut().zip(GlcmFeature::ALL.iter()) {
            match f {
                F::DifferenceAverage => *o = difference_average(&d),
                F::DifferenceEntropy => *o = difference_entropy(&d),
                F::DifferenceVariance => *o = difference_variance(&d),
                F::Id => *o = id(&d),
                F::Idm => *o = idm(&d),
                F::Idmn => *o = idmn(&d, ng),
                F::Idn => *o = idn(&d, ng),
                F::InverseVariance => *o = inverse_variance(&d),
                _ => {}
            }
        }
    }
    // HXY serves JointEntropy, Imc1 and Imc2: computed once; Imc2's logarithms serve Imc1
    let hxy = m.hxy();
    let (imc2_v, filled) = imc2_given(m, hxy, buf);
    let tri = m.px.len() * m.px.len().saturating_sub(1) / 2;
    let imc1_v = imc1_given(m, hxy, buf.get(..tri).filter(|_| filled));
    for (o, f) in out.iter_mut().zip(GlcmFeature::ALL.iter()) {
        match f {
            F::Autocorrelation => *o = autocorrelation(m),
            F::ClusterProminence => *o = cluster_pow(m, 4.0, buf),
            F::ClusterShade => *o = cluster_pow(m, 3.0, buf),
            F::ClusterTendency => *o = cluster_tendency(m),
            F::Contrast => *o = contrast(m),
            F::Correlation => *o = correlation(m),
            F::Imc1 => *o = imc1_v,
            F::Imc2 => *o = imc2_v,
            F::JointAverage => *o = joint_average(m),
            F::JointEnergy => *o = joint_energy(m),
            F::JointEntropy => *o = hxy,
            F::MaximumProbability => *o = maximum_probability(m),
            F::SumSquares => *o = sum_squares(m),
            _ => {}
        }
    }
    Ok(out)
}

/// Index of a feature in [`GlcmFeature::ALL`].
fn idx(f: GlcmFeature) -> usize {
    GlcmFeature::ALL.iter().position(|g| *g == f).unwrap_or(0)
}

/// The second largest eigenvalue (numpy order: by real part, then imaginary part) of the MCC
/// matrix `Q(i,j) = Σ_k p(i,k)·p(j,k) / (p_x(i)·p_y(k) + ε)` of one angle, as `(re, im, any
/// eigenvalue complex)`; `None` if `G' < 2`.
fn mcc_eigen(
    a: &Matrix,
    q: &mut [f64],
    work: &mut [f64],
) -> Result<Option<(f64, f64, bool)>, Error> {
    let g = a.lv.len();
    if g < 2 {
        return Ok(None);
    }
    // Levels with p_x = 0 give a zero row and column of Q: an exact 0 eigenvalue each.
    let (act, rest) = work.split_at_mut(g);
    let (nzk, rest) = rest.split_at_mut(g);
    let (wr, rest) = rest.split_at_mut(g);
    let wi = rest.get_mut(..g).ok_or(Error::ScratchTooSmall)?;
    let n = active_levels(a.px, act);
    let zeros = g - n;
    let qa = q.get_mut(..n * n).ok_or(Error::ScratchTooSmall)?;
    let act = act.get(..n).ok_or(Error::ScratchTooSmall)?;
    let col = nzk.get_mut(..n).ok_or(Error::ScratchTooSmall)?;
    build_q(a, act, col, qa);
    let wr = wr.get_mut(..n).ok_or(Error::ScratchTooSmall)?;
    let wi = wi.get_mut(..n).ok_or(Error::ScratchTooSmall)?;
    super::eigen::eigenvalues(qa, n, wr, wi)?;
    // Largest and second largest in (re, im) lexicographic order, including the exact zeros.
    let mut any_complex = false;
    let mut best = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    let mut second = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    let mut push = |v: (f64, f64)| {
        if gt(v, best) {
            second = best;
            best = v;
        } else if gt(v, second) {
            second = v;
        }
    };
    for (&re, &im) in wr.iter().zip(wi.iter()) {
        if im != 0.0 {
            any_complex = true;
        }
        push((re, im));
    }
    for _ in 0..zeros.min(2) {
        push((0.0, 0.0));
    }
    Ok(Some((second.0, second.1, any_complex)))
}

/// The levels with `p_x > 0` (those that take part in MCC's matrix), as f64 indices into
/// `act[..n]`; returns `n`.
fn active_levels(px: &[f64], act: &mut [f64]) -> usize {
    let mut n = 0usize;
    for (i, &p) in px.iter().enumerate() {
        if p > 0.0 {
            if let Some(s) = act.get_mut(n) {
                *s = i as f64;
            }
            n += 1;
        }
    }
    n
}

/// MCC's fast path: the second largest eigenvalue of `Q` from a symmetric matrix, or `None`
/// when its guards do not prove the result within `10⁻¹²` relative (then [`mcc_eigen`] runs).
///
/// Without ε, `Q₀ = D⁻¹ P E⁻¹ Pᵀ` (`D = diag(p_x)`, `E = diag(p_y)`, over the levels with
/// `p_x > 0`) is similar to the symmetric positive semi-definite `S = D^½ Q₀ D^-½ = C Cᵀ`,
/// `C(i,k) = p(i,k) / √(p_x(i)·p_y(k))` (`Q₀` is row-stochastic: `S`'s eigenvalues lie in
/// `[0, 1]`). With ε, `D^½ Q D^-½ = S + F` and `|F| ≤ δ·S` entry by entry, for
/// `δ = max ε / (p_x(i)·p_y(k))` over the cells with `p(i,k) > 0`; so `‖F‖₂ ≤ φ = δ·‖S‖₂`
/// (bounded by `S`'s Gershgorin interval). For a simple eigenvalue `μ` of `S` at distance
/// `g > 4φ` from the others, the eigenvalue of `Q` near it is real and equals `μ + wᵀ F w`
/// (`w` the unit eigenvector) up to `4φ² / (g − 2φ)` (first-order perturbation of a symmetric
/// matrix). `wᵀ F w = Σ_k A_k B_k` with `A_k = Σ_i w_i √p_x(i) p(i,k) c(i,k)`,
/// `B_k = Σ_j p(j,k) w_j / √p_x(j)` and `c(i,k) = 1/(a + ε) − 1/a = −ε / (a(a + ε))`,
/// `a = p_x(i)·p_y(k)`, taken as `−ε / a²` (relative error `≤ δ`, adding at most `φ²`).
///
/// Guards (else `None`): at least two levels with `p_x > 0`; `μ = λ₂(S) ≥ 10⁻⁶·max(n, 100)`
/// (the reduction's rounding, ~n ulps of `‖S‖ = 1`, stays below 10⁻¹⁰ relative); Sturm counts
/// prove that exactly one eigenvalue of `S` lies above `μ + g` and none but `μ` within `g` of
/// it, for `g = max(4φ, 2φ + 8φ²/(10⁻¹²·μ))` plus a rounding margin.
///
/// When that `g` is too wide (many levels, or a rare level that makes `φ` large) but the
/// eigenvalues of `S` other than `μ` are still `2φ` away from it, the Bauer–Fike discs of radius
/// `φ` around them are disjoint, so exactly one eigenvalue of `Q` lies within `φ` of `μ`, and it
/// is real and second by real part: [`mcc_refine`] finds it by inverse iteration on `Q` (with
/// ε) from the first-order estimate, and the result is taken only if the iteration converged
/// and it lands in that disc.
///
/// `work` needs `11·g` elements, `s` `n²`.
fn mcc_symmetric(a: &Matrix, s: &mut [f64], work: &mut [f64]) -> Result<Option<f64>, Error> {
    let g = a.lv.len();
    let small = Error::ScratchTooSmall;
    let (act, rest) = work.split_at_mut_checked(g).ok_or(small)?;
    let (inv_sq, rest) = rest.split_at_mut_checked(g).ok_or(small)?;
    let (col, rest) = rest.split_at_mut_checked(g).ok_or(small)?;
    let (d, rest) = rest.split_at_mut_checked(g).ok_or(small)?;
    let (e, rest) = rest.split_at_mut_checked(g).ok_or(small)?;
    let (y, rest) = rest.split_at_mut_checked(g).ok_or(small)?;
    let w5 = rest.get_mut(..5 * g).ok_or(small)?;
    let n = active_levels(a.px, act);
    if n < 2 {
        return Ok(None);
    }
    let act = act.get(..n).ok_or(small)?;
    let inv_sq = inv_sq.get_mut(..n).ok_or(small)?;
    for (r, &i) in inv_sq.iter_mut().zip(act) {
        *r = 1.0 / libm::sqrt(a.px_at(i));
    }
    let inv_sq = &*inv_sq;
    let col = col.get_mut(..n).ok_or(small)?;
    let sm = s.get_mut(..n * n).ok_or(small)?;
    sm.fill(0.0);
    // S = C Cᵀ, upper triangle, one column of C at a time
    let mut min_prod = f64::INFINITY;
    for (k, &pyk) in a.py.iter().enumerate() {
        if pyk <= 0.0 {
            continue;
        }
        let inv_sk = 1.0 / libm::sqrt(pyk);
        let mut pmin = f64::INFINITY;
        for ((c, &i), &r) in col.iter_mut().zip(act).zip(inv_sq) {
            let p = a.p_at(i, k);
            if p != 0.0 {
                pmin = pmin.min(a.px_at(i));
            }
            *c = p * r * inv_sk;
        }
        min_prod = min_prod.min(pmin * pyk);
        for r in 0..n {
            let c = col.get(r).copied().unwrap_or(0.0);
            if c == 0.0 {
                continue;
            }
            let row = sm.get_mut(r * n + r..r * n + n).ok_or(small)?;
            for (o, &ct) in row.iter_mut().zip(col.get(r..).unwrap_or(&[])) {
                *o += c * ct;
            }
        }
    }
    for r in 0..n {
        for t in 0..r {
            let v = sm.get(t * n + r).copied().unwrap_or(0.0);
            if let Some(o) = sm.get_mut(r * n + t) {
                *o = v;
            }
        }
    }
    super::symeig::tridiagonalize(sm, n, d, e, col, y)?;
    let mu = super::symeig::kth_largest(d, e, n, 2)?;
    let (_, s_max) = super::symeig::gershgorin(d, e, n);
    let phi = EPS / min_prod * s_max;
    if mu.is_nan() || mu < 1e-6 * (n.max(100) as f64) {
        return Ok(None);
    }
    // exactly one eigenvalue of S above mu + win, none but mu within win of it
    let (dd, ee) = (&*d, &*e);
    let isolated = |win: f64| {
        win.is_finite()
            && super::symeig::count_below(dd, ee, n, mu + win) == n - 1
            && super::symeig::count_below(dd, ee, n, mu - win) == n - 2
    };
    let margin = 8.0 * n as f64 * f64::EPSILON * s_max;
    let first_order =
        isolated((4.0 * phi).max(2.0 * phi + 8.0 * phi * phi / (1e-12 * mu)) + margin);
    // Bauer–Fike: each eigenvalue of S + F lies within φ of one of S; discs 2φ apart are disjoint
    let disc = phi * (1.0 + 1e-9) + margin;
    if !first_order && !isolated(2.0 * disc) {
        return Ok(None);
    }
    super::symeig::eigenvector(sm, n, d, e, mu, y, w5)?;
    // first-order term wᵀ F w = −ε Σ_k p_y(k)⁻² (Σ_i α_i p(i,k)) (Σ_j β_j p(j,k)),
    // α_i = w_i / p_x(i)^{3/2}, β_j = w_j / √p_x(j)
    let (alpha, beta) = w5.split_at_mut(n);
    for (((al, be), &w), &r) in alpha
        .iter_mut()
        .zip(beta.iter_mut())
        .zip(y.iter())
        .zip(inv_sq)
    {
        *be = w * r;
        *al = *be * r * r;
    }
    let mut corr = 0.0;
    for (k, &pyk) in a.py.iter().enumerate() {
        if pyk <= 0.0 {
            continue;
        }
        let (mut ak, mut bk) = (0.0, 0.0);
        for ((&i, &al), &be) in act.iter().zip(alpha.iter()).zip(beta.iter()) {
            let p = a.p_at(i, k);
            ak += al * p;
            bk += be * p;
        }
        corr += ak * bk / (pyk * pyk);
    }
    let sigma = mu - EPS * corr;
    let lambda = if first_order {
        sigma
    } else {
        // the disc around mu holds exactly one eigenvalue of Q: refine on Q itself and accept
        // the result only inside that disc
        let y = y.get(..n).ok_or(small)?;
        let Some(lam) = mcc_refine(a, act, inv_sq, y, sigma, sm, w5)? else {
            return Ok(None);
        };
        if !(libm::fabs(lam - mu) <= disc && lam > 0.0) {
            return Ok(None);
        }
        lam
    };
    Ok(if lambda.is_finite() {
        Some(lambda)
    } else {
        None
    })
}

/// MCC's matrix `Q(i,j) = Σ_k p(i,k)·p(j,k) / (p_x(i)·p_y(k) + ε)` over the levels `act`
/// (indices into the matrix, as f64) into `qa` (`n × n`, `n = act.len()`); `col` (≥ n) is work.
/// Q accumulates over k in order (numpy: Q = term(0); Q += term(k) for k = 1, 2, ...). Term k is
/// the outer product of column k with itself, row i scaled by 1 / (p_x(i)·p_y(k) + ε): added row
/// by row as `Q[r, ·] += w · col` with `w = p(i,k) / (p_x(i)·p_y(k) + ε)` (one division per cell
/// instead of one per product; each entry still sums its terms in k order, and a zero p(i,k)
/// adds nothing).
fn build_q(a: &Matrix, act: &[f64], col: &mut [f64], qa: &mut [f64]) {
    let g = a.lv.len();
    let n = act.len();
    qa.fill(0.0);
    for k in 0..g {
        let pyk = a.py.get(k).copied().unwrap_or(0.0);
        for (o, &i) in col.iter_mut().zip(act.iter()) {
            *o = a.p_at(i, k);
        }
        for (row, (&pik, &i)) in qa.chunks_exact_mut(n).zip(col.iter().zip(act.iter())) {
            if pik == 0.0 {
                continue;
            }
            let den = a.px_at(i) * pyk + EPS;
            let w = pik / den;
            for (q, &c) in row.iter_mut().zip(col.iter()) {
                *q += w * c;
            }
        }
    }
}

/// The eigenvalue of `Q` near `sigma` by inverse iteration on `Q` itself (MCC's fast path when
/// the first-order bound is too loose but the eigenvalue is isolated): `Q − σI` is built over
/// the levels `act` into `qa` (`n²`) and factorised (LU, partial pivoting); from `x₀ = D^-½ w`
/// (the right eigenvector of `Q₀` for the symmetric `S`'s unit eigenvector `w`), solves
/// `x ← (Q − σI)⁻¹ x`; with `u = D^½ w` (near the left eigenvector) each gives the estimate
/// `σ + uᵀx_prev / uᵀx`, exact when `x_prev` is an eigenvector. Up to 12 solves, until two
/// estimates agree to 4 ulps after a change at least twice as large (`None` otherwise).
/// `inv_sq[i] = 1/√p_x(act[i])`. `work` needs `4n`.
fn mcc_refine(
    a: &Matrix,
    act: &[f64],
    inv_sq: &[f64],
    w: &[f64],
    sigma: f64,
    qa: &mut [f64],
    work: &mut [f64],
) -> Result<Option<f64>, Error> {
    let n = act.len();
    let small = Error::ScratchTooSmall;
    let (col, rest) = work.split_at_mut_checked(n).ok_or(small)?;
    let (piv, rest) = rest.split_at_mut_checked(n).ok_or(small)?;
    let (x, rest) = rest.split_at_mut_checked(n).ok_or(small)?;
    let xp = rest.get_mut(..n).ok_or(small)?;
    let qa = qa.get_mut(..n * n).ok_or(small)?;
    build_q(a, act, col, qa);
    let mut norm = 0.0f64;
    for r in 0..n {
        if let Some(d) = qa.get_mut(r * n + r) {
            *d -= sigma;
        }
        let row = qa.get(r * n..r * n + n).unwrap_or(&[]);
        norm = norm.max(row.iter().fold(0.0, |s, v| s + libm::fabs(*v)));
    }
    let tiny = (f64::EPSILON * norm).max(f64::MIN_POSITIVE);
    // LU with partial pivoting, in place: row k of U and the multipliers below the diagonal
    for k in 0..n {
        let mut p = k;
        let mut best = -1.0;
        for r in k..n {
            let v = libm::fabs(qa.get(r * n + k).copied().unwrap_or(0.0));
            if v > best {
                best = v;
                p = r;
            }
        }
        if let Some(o) = piv.get_mut(k) {
            *o = p as f64;
        }
        if p != k {
            for c in 0..n {
                qa.swap(k * n + c, p * n + c);
            }
        }
        let (top, below) = qa.split_at_mut_checked((k + 1) * n).ok_or(small)?;
        let prow = top.get_mut(k * n..k * n + n).ok_or(small)?;
        let (pl, pu) = prow.split_at_mut_checked(k + 1).ok_or(small)?;
        let pk = pl.last_mut().ok_or(small)?;
        if libm::fabs(*pk) < tiny {
            *pk = if *pk < 0.0 { -tiny } else { tiny };
        }
        let pk = *pk;
        for row in below.chunks_exact_mut(n) {
            let (rl, ru) = row.split_at_mut_checked(k + 1).ok_or(small)?;
            let m = rl.last_mut().ok_or(small)?;
            let f = *m / pk;
            *m = f;
            if f != 0.0 {
                for (o, &u) in ru.iter_mut().zip(pu.iter()) {
                    *o -= f * u;
                }
            }
        }
    }
    for ((o, &wi), &r) in x.iter_mut().zip(w).zip(inv_sq) {
        *o = wi * r;
    }
    // iterate until two successive estimates agree to a few ulps while the changes shrink at
    // least twofold (linear convergence with ratio ≤ ½: the remaining error is at most the last
    // change); none of this within 12 solves: not converged, the caller declines
    let (mut est, mut change) = (sigma, f64::INFINITY);
    for _ in 0..12 {
        let m = x.iter().fold(0.0f64, |m, v| m.max(libm::fabs(*v)));
        if !(m > 0.0 && m.is_finite()) {
            return Err(Error::NonFiniteVoxel);
        }
        for (o, v) in xp.iter_mut().zip(x.iter_mut()) {
            *v /= m;
            *o = *v;
        }
        // solve L U x = P x_prev
        for k in 0..n {
            let p = piv.get(k).copied().unwrap_or(k as f64) as usize;
            if p != k {
                x.swap(k, p);
            }
        }
        for r in 0..n {
            let row = qa.get(r * n..r * n + r).ok_or(small)?;
            let (xl, xr) = x.split_at_mut_checked(r).ok_or(small)?;
            let s = row.iter().zip(xl.iter()).fold(0.0, |s, (l, v)| s + l * v);
            if let Some(o) = xr.first_mut() {
                *o -= s;
            }
        }
        for r in (0..n).rev() {
            let row = qa.get(r * n + r..r * n + n).ok_or(small)?;
            let (&diag, ur) = row.split_first().ok_or(small)?;
            let (xl, xr) = x.split_at_mut_checked(r + 1).ok_or(small)?;
            let s = ur.iter().zip(xr.iter()).fold(0.0, |s, (u, v)| s + u * v);
            if let Some(o) = xl.last_mut() {
                *o = (*o - s) / diag;
            }
        }
        // u = D^½ w: uᵀx_prev / uᵀx
        let (mut num, mut den) = (0.0, 0.0);
        for (((&wi, &r), &xo), &xn) in w.iter().zip(inv_sq).zip(xp.iter()).zip(x.iter()) {
            let u = wi / r;
            num += u * xo;
            den += u * xn;
        }
        let next = sigma + num / den;
        let d = libm::fabs(next - est);
        est = next;
        if !est.is_finite() {
            return Ok(None);
        }
        if change.is_finite() && d <= 4.0 * f64::EPSILON * libm::fabs(est) && d <= 0.5 * change {
            return Ok(Some(est));
        }
        change = d;
    }
    Ok(None)
}

fn gt(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 > b.1)
}

/// Computes every GLCM feature (in [`GlcmFeature::ALL`] order) of the box `q` (x fastest,
/// `dims` = box dims; `q[v]` = index + 1 into `levels` for ROI voxels, 0 outside; `levels` =
/// present bin numbers ascending; `ng` = largest bin number), averaged over the angles as
/// PyRadiomics does (or of the weighted matrix). MCC is computed only if `want_mcc` (NaN
/// otherwise). `scratch` needs [`scratch_for_levels`]`(levels.len(), N_p, want_mcc, N_a,
/// weighted)` elements. No angle (a distance beyond the box): [`Error::BadSetting`], as
/// PyRadiomics' "Error getting angle count".
/// With fewer, more than [`MAX_LEVELS_RESERVED`] present levels is [`Error::TooManyBins`]
/// (the levels exceed what [`scratch_len`] reserves), otherwise [`Error::ScratchTooSmall`].
pub fn features(
    q: &[f64],
    dims: [usize; 3],
    levels: &[f64],
    ng: f64,
    settings: Settings,
    want_mcc: bool,
    scratch: &mut [f64],
) -> Result<[f64; N_FEATURES], Error> {
    let args = (q, dims, levels, ng, settings, want_mcc);
    match features_pass(args, &mut *scratch, true)? {
        (out, false) => Ok(out),
        // An angle's second eigenvalue came out negative from the general solver: its MCC then
        // depends on whether any eigenvalue of any angle is complex, which only the general
        // solver reports; run every angle through it.
        (_, true) => features_pass(args, scratch, false).map(|(out, _)| out),
    }
}

/// [`features`]' inputs but the scratch.
type FeatureArgs<'a> = (&'a [f64], [usize; 3], &'a [f64], f64, Settings<'a>, bool);

/// [`features`] once, MCC through [`mcc_symmetric`] where its guards hold if `fast_mcc`; also
/// says whether the result needs the run without it.
fn features_pass(
    (q, dims, levels, ng, settings, want_mcc): FeatureArgs,
    scratch: &mut [f64],
    fast_mcc: bool,
) -> Result<([f64; N_FEATURES], bool), Error> {
    let [sx, sy, sz] = dims;
    let n_box = sx
        .checked_mul(sy)
        .and_then(|v| v.checked_mul(sz))
        .ok_or(Error::SizeOverflow)?;
    let q = q.get(..n_box).ok_or(Error::ScratchTooSmall)?;
    let g = levels.len();
    let n_roi = q.iter().filter(|&&v| v > 0.0).count();
    let n_angles = settings.n_angles(dims);
    if n_angles == 0 {
        return Err(Error::BadSetting);
    }
    let weighted = settings.weighted();
    let need = scratch_for_levels(g, n_roi, want_mcc, n_angles, weighted, sy * sz)?;
    if scratch.len() < need && g > MAX_LEVELS_RESERVED {
        // More distinct gray levels than `scratch_len` reserves for: the data (a bin width far
        // below the ROI's range), not the caller's sizing, is the cause.
        return Err(Error::TooManyBins);
    }
    let scratch = scratch.get_mut(..need).ok_or(Error::ScratchTooSmall)?;
    let (scratch, hull) = scratch.split_at_mut(need - 2 * sy * sz);
    super::row_extents(q, dims, hull);
    let (pm, rest) = scratch.split_at_mut(g * g);
    let (px, rest) = rest.split_at_mut(g);
    let (py, rest) = rest.split_at_mut(g);
    let n_rows = if weighted { 1 } else { n_angles };
    let (rows, rest) = rest.split_at_mut(ROW * n_rows);
    rows.fill(f64::NAN);
    // `rest`: k-distributions, then (MCC) the matrix Q (n² ≤ g²) and 11g for the eigen solvers.
    let qlen = rest.len().saturating_sub(11 * g);

    let mut any_complex = false;
    let mut used_fast = false;
    let mut negative_general = false;
    let mut kept = 0usize;
    let mut wpairs = 0usize;
    pm.fill(0.0);
    let mut angles = Angles::new(dims, settings.distances, settings.force_2d, false);
    loop {
        let a = angles.next();
        // Weighted: count every angle into one matrix, then evaluate it once.
        if weighted && a.is_some() {
            if let Some(a) = a {
                let w = weight(a, settings.spacing, settings.weighting);
                wpairs += count_pairs(q, dims, hull, a, g, pm, Some(w), settings.symmetrical);
            }
            continue;
        }
        let total = match a {
            Some(a) => {
                pm.fill(0.0);
                let pairs = count_pairs(q, dims, hull, a, g, pm, None, settings.symmetrical);
                if settings.symmetrical {
                    2.0 * pairs as f64
                } else {
                    pairs as f64
                }
            }
            None if weighted => {
                if wpairs == 0 {
                    0.0
                } else {
                    np_sum(g * g, |t| pm.get(t).copied().unwrap_or(0.0))
                }
            }
            None => break,
        };
        if total == 0.0 {
            if n_rows > 1 {
                continue; // empty angle: deleted
            }
            // the only angle (or the weighted matrix) is empty: PyRadiomics divides by NaN
            kept += 1;
            if weighted {
                break;
            }
            continue;
        }
        for c in pm.iter_mut() {
            *c /= total;
        }
        // p_x(i) = Σ_j p(i,j), p_y(j) = Σ_i p(i,j), μ_x, μ_y (row-major sequential sums).
        px.fill(0.0);
        py.fill(0.0);
        let mut ux = 0.0;
        let mut uy = 0.0;
        for i in 0..g {
            let li = levels.get(i).copied().unwrap_or(0.0);
            let row = pm.get(i * g..(i + 1) * g).ok_or(Error::ScratchTooSmall)?;
            let mut s = 0.0;
            for ((&p, pyj), &lj) in row.iter().zip(py.iter_mut()).zip(levels.iter()) {
                s += p;
                *pyj += p;
                ux += li * p;
                uy += lj * p;
            }
            if let Some(o) = px.get_mut(i) {
                *o = s;
            }
        }
        let ang = Matrix {
            p: pm,
            px,
            py,
            lv: levels,
            ux,
            uy,
        };
        let vals = per_angle(&ang, total, !weighted, ng, rest)?;
        let row = rows
            .get_mut(kept * ROW..(kept + 1) * ROW)
            .ok_or(Error::ScratchTooSmall)?;
        for (o, v) in row.iter_mut().zip(vals.iter()) {
            *o = *v;
        }
        if want_mcc {
            let (qbuf, work) = rest.split_at_mut(qlen);
            let fast = if fast_mcc {
                // a failure of the fast path (none is known) only sends the angle to the
                // general solver
                mcc_symmetric(&ang, qbuf, work).ok().flatten()
            } else {
                None
            };
            let eig = match fast {
                Some(l) => {
                    used_fast = true;
                    Some((l, 0.0, false))
                }
                None => {
                    let e = mcc_eigen(&ang, qbuf, work)?;
                    if let Some((re, _, _)) = e {
                        // its square root depends on whether any angle's eigenvalues are complex
                        negative_general |= re < 0.0;
                    }
                    e
                }
            };
            if let Some((re, im, cx)) = eig {
                any_complex |= cx;
                if let Some(m) = row.get_mut(N_FEATURES) {
                    *m = re;
                }
                if let Some(m) = row.get_mut(N_FEATURES + 1) {
                    *m = im;
                }
            }
        }
        kept += 1;
        if weighted {
            break;
        }
    }

    let cell = |a: usize, k: usize| rows.get(a * ROW + k).copied();
    let mut out = [f64::NAN; N_FEATURES];
    for (k, o) in out.iter_mut().enumerate() {
        *o = nanmean(kept, |a| cell(a, k));
    }
    // JointAverage: numpy `mean` (a NaN angle makes it NaN).
    let ja = idx(GlcmFeature::JointAverage);
    if let Some(o) = out.get_mut(ja) {
        let s = np_sum(kept, |a| cell(a, ja).unwrap_or(f64::NAN));
        *o = s / kept as f64;
    }
    let mcc = idx(GlcmFeature::MCC);
    if let Some(o) = out.get_mut(mcc) {
        *o = if !want_mcc {
            f64::NAN
        } else if g < 2 {
            1.0
        } else {
            nanmean(kept, |a| {
                let re = cell(a, N_FEATURES)?;
                let im = cell(a, N_FEATURES + 1)?;
                Some(if re.is_nan() {
                    f64::NAN
                } else if any_complex {
                    // real part of the principal complex square root
                    libm::sqrt((libm::hypot(re, im) + re) / 2.0)
                } else {
                    libm::sqrt(re) // NaN for a negative eigenvalue
                })
            })
        };
    }
    Ok((out, used_fast && negative_general))
}

/// Adds the neighbour pairs of angle `a = (dz, dy, dx)` to `pm` (`G' × G'`, row = centre level,
/// column = neighbour level), and their transposes if `symmetrical`; returns the number of pairs.
/// `w = None`: `pm` is zero on entry and receives this angle's counts (1 per pair); then a
/// symmetrical matrix counts each pair once and adds the transpose at the end (exact integers
/// either way: the same bits). `w = Some(weight)`: each pair adds `weight` to what `pm` already
/// holds (the weighted sum over angles), transpose included pair by pair. Only the ROI extent of
/// each row (`hull`, [`super::row_extents`]) is visited.
#[allow(clippy::too_many_arguments)]
fn count_pairs(
    q: &[f64],
    dims: [usize; 3],
    hull: &[f64],
    a: [isize; 3],
    g: usize,
    pm: &mut [f64],
    weight: Option<f64>,
    symmetrical: bool,
) -> usize {
    let [sx, sy, sz] = dims;
    let [dz, dy, dx] = a;
    let lo = |d: isize| d.unsigned_abs() * usize::from(d < 0);
    let hi = |d: isize, s: usize| {
        if d > 0 {
            s.saturating_sub(d.unsigned_abs())
        } else {
            s
        }
    };
    let mut pairs = 0usize;
    let w = weight.unwrap_or(1.0);
    let once = symmetrical && weight.is_none();
    let twice = symmetrical && !once;
    // Voxels whose neighbour (x+dx, y+dy, z+dz) is inside the box.
    let xr = lo(dx)..hi(dx, sx);
    let yr = lo(dy)..hi(dy, sy);
    let zr = lo(dz)..hi(dz, sz);
    let off = (dz * (sy * sx) as isize) + dy * sx as isize + dx;
    for z in zr {
        for y in yr.clone() {
            let row = (z * sy + y) * sx;
            let (e0, e1) = super::row_extent(hull, z * sy + y);
            for x in xr.start.max(e0)..xr.end.min(e1) {
                let v = row + x;
                let a_ = q.get(v).copied().unwrap_or(0.0);
                if a_ <= 0.0 {
                    continue;
                }
                let t = (v as isize + off) as usize;
                let b_ = q.get(t).copied().unwrap_or(0.0);
                if b_ <= 0.0 {
                    continue;
                }
                let (ia, ib) = (
                    super::index_of(a_).wrapping_sub(1),
                    super::index_of(b_).wrapping_sub(1),
                );
                if let Some(c) = pm.get_mut(ia.wrapping_mul(g).wrapping_add(ib)) {
                    *c += w;
                }
                if twice {
                    if let Some(c) = pm.get_mut(ib.wrapping_mul(g).wrapping_add(ia)) {
                        *c += w;
                    }
                }
                pairs += 1;
            }
        }
    }
    if once {
        // P + Pᵀ: cell (i, j) and (j, i) get n_ij + n_ji, the diagonal 2·n_ii
        for i in 0..g {
            if let Some(d) = pm.get_mut(i * g + i) {
                *d *= 2.0;
            }
            for j in i + 1..g {
                let (a, b) = (i * g + j, j * g + i);
                let s = pm.get(a).copied().unwrap_or(0.0) + pm.get(b).copied().unwrap_or(0.0);
                if let Some(c) = pm.get_mut(a) {
                    *c = s;
                }
                if let Some(c) = pm.get_mut(b) {
                    *c = s;
                }
            }
        }
    }
    pairs
}

/// numpy `nanmean` of `f(0..n)` (NaN or missing values skipped; NaN if none left).
fn nanmean(n: usize, f: impl Fn(usize) -> Option<f64>) -> f64 {
    let mut cnt = 0usize;
    for a in 0..n {
        if matches!(f(a), Some(v) if !v.is_nan()) {
            cnt += 1;
        }
    }
    let s = np_sum(n, |a| match f(a) {
        Some(v) if !v.is_nan() => v,
        _ => 0.0,
    });
    s / cnt as f64
}

/// The value of feature `f` from the array [`features`] returns.
pub fn pick(f: GlcmFeature, all: &[f64; N_FEATURES]) -> f64 {
    all.get(idx(f)).copied().unwrap_or(f64::NAN)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn collect(d: &Dist) -> Vec<(f64, f64)> {
        let mut v = Vec::new();
        d.for_each(|k, p| v.push((k, p)));
        v
    }

    /// The dense (k range fits the buffer) and sparse (sorted keys) k-distributions agree.
    #[test]
    fn sum_and_difference_distributions_dense_equals_sparse() {
        // levels 1, 2, 40; symmetric counts, total 20
        let lv = [1.0, 2.0, 40.0];
        let counts = [4.0, 3.0, 1.0, 3.0, 2.0, 2.0, 1.0, 2.0, 2.0];
        let total: f64 = counts.iter().sum();
        let p: Vec<f64> = counts.iter().map(|c| c / total).collect();
        let px: Vec<f64> = (0..3).map(|i| p[3 * i..3 * i + 3].iter().sum()).collect();
        let m = Matrix {
            p: &p,
            px: &px,
            py: &px,
            lv: &lv,
            ux: 0.0,
            uy: 0.0,
        };
        for sum in [true, false] {
            let mut big = [0.0; 200];
            let mut small = [0.0; 9];
            let d = distribution(&m, total, sum, true, &mut big).unwrap();
            assert!(matches!(d, Dist::Dense { .. }));
            let s = distribution(&m, total, sum, true, &mut small).unwrap();
            assert!(matches!(s, Dist::Sparse { .. }));
            let (a, b) = (collect(&d), collect(&s));
            assert_eq!(a.len(), b.len());
            for ((ka, pa), (kb, pb)) in a.iter().zip(&b) {
                assert_eq!(ka, kb);
                assert!((pa - pb).abs() <= 1e-16, "{pa} {pb}");
            }
            let total_p: f64 = a.iter().map(|x| x.1).sum();
            assert!((total_p - 1.0).abs() < 1e-15);
        }
        // k values: sums 2, 3, 4, 41, 42, 80; differences 0, 1, 38, 39
        let mut buf = [0.0; 9];
        let ks: Vec<f64> = collect(&distribution(&m, total, false, true, &mut buf).unwrap())
            .iter()
            .map(|x| x.0)
            .collect();
        assert_eq!(ks, [0.0, 1.0, 38.0, 39.0]);
    }

    /// A count matrix over `g` levels: `seed`-random counts on a random sparsity pattern, level
    /// `g − 1` absent when `hole` (zero row and column), two blocks that never meet when
    /// `blocks` (a double eigenvalue 1), transposed and added when `symmetric`; every count off
    /// level 0's row and column is multiplied by `scale` (a rare level 0: ε matters).
    fn counts(
        g: usize,
        seed: u64,
        symmetric: bool,
        hole: bool,
        blocks: bool,
        scale: f64,
    ) -> Vec<f64> {
        let mut st = seed;
        let mut rnd = || crate::features::test_uniform(&mut st);
        let mut c = std::vec![0.0; g * g];
        for i in 0..g {
            for j in 0..g {
                let absent = hole && (i == g - 1 || j == g - 1);
                let split = blocks && ((i < g / 2) != (j < g / 2));
                if absent || split || (rnd() < 0.4 && i != j) {
                    continue;
                }
                let f = if i == 0 || j == 0 { 1.0 } else { scale };
                c[i * g + j] = (1.0 + (rnd() * 50.0).floor()) * f;
            }
        }
        if symmetric {
            let t = c.clone();
            for i in 0..g {
                for j in 0..g {
                    c[i * g + j] += t[j * g + i];
                }
            }
        }
        c
    }

    /// `p = c / Σc` (`g × g`), its marginals summed in row-major order (as `features_pass`) and
    /// the levels 1..=g.
    struct Normalised {
        p: Vec<f64>,
        px: Vec<f64>,
        py: Vec<f64>,
        lv: Vec<f64>,
    }

    impl Normalised {
        fn new(c: &[f64], g: usize) -> Normalised {
            let total: f64 = c.iter().sum();
            let p: Vec<f64> = c.iter().map(|v| v / total).collect();
            let mut px = std::vec![0.0; g];
            let mut py = std::vec![0.0; g];
            for i in 0..g {
                for j in 0..g {
                    px[i] += p[i * g + j];
                    py[j] += p[i * g + j];
                }
            }
            let lv: Vec<f64> = (1..=g).map(|v| v as f64).collect();
            Normalised { p, px, py, lv }
        }

        /// The matrix (μ not needed by the tests using it).
        fn matrix(&self) -> Matrix<'_> {
            Matrix {
                p: &self.p,
                px: &self.px,
                py: &self.py,
                lv: &self.lv,
                ux: 0.0,
                uy: 0.0,
            }
        }
    }

    /// Imc2 with its work space (each symmetric pair's logarithm computed once and read back)
    /// has the bits of the plain row-major sum, symmetric or not, with or without empty levels;
    /// so has Imc1 from those logarithms.
    #[test]
    fn imc2_cached_terms_keep_the_bits() {
        let mut cached = 0;
        for g in [1usize, 2, 3, 7, 40, 90] {
            for (seed, symmetric, hole) in [(1, true, false), (2, false, false), (3, true, true)] {
                let c = counts(g, seed * 7 + g as u64, symmetric, hole, false, 1.0);
                let norm = Normalised::new(&c, g);
                let m = norm.matrix();
                let plain = imc2(&m);
                let mut buf = std::vec![0.0; g * g];
                let (with, filled) = imc2_given(&m, m.hxy(), &mut buf);
                assert_eq!(with.to_bits(), plain.to_bits(), "g {g} seed {seed}");
                assert!(filled || !symmetric, "g {g} seed {seed}");
                // Imc1 from Imc2's logarithms: the same bits as computing them
                let logs = buf.get(..g * (g - 1) / 2).filter(|_| filled);
                let imc1_with = imc1_given(&m, m.hxy(), logs);
                assert_eq!(imc1_with.to_bits(), imc1(&m).to_bits(), "g {g} seed {seed}");
                cached += usize::from(symmetric && g > 1);
            }
        }
        assert!(cached >= 10);
    }

    /// Where its guards hold, the symmetric fast path gives the general solver's second
    /// eigenvalue to 1e-11 relative, on 150 levels too and on a level so rare that ε acts beyond
    /// first order (refined on `Q` itself); it declines the double eigenvalue 1 of a reducible
    /// matrix.
    #[test]
    fn mcc_fast_path_agrees_with_the_general_solver() {
        let (mut fast, mut declined, mut fast_150, mut rare) = (0, 0, 0, 0);
        for g in [2usize, 3, 5, 12, 40, 150] {
            for seed in 0..if g > 100 { 1 } else { 6 } {
                for (symmetric, hole, blocks, scale) in [
                    (true, false, false, 1.0),
                    (false, false, false, 1.0),
                    (true, true, false, 1.0),
                    (true, false, true, 1.0),
                    (true, false, false, 1e7),
                    (true, false, false, 3e3),
                ] {
                    let c = counts(g, seed * 31 + g as u64, symmetric, hole, blocks, scale);
                    let norm = Normalised::new(&c, g);
                    let m = norm.matrix();
                    let mut q = std::vec![0.0; g * g];
                    let mut work = std::vec![0.0; 11 * g];
                    let general = mcc_eigen(&m, &mut q, &mut work).unwrap();
                    match mcc_symmetric(&m, &mut q, &mut work).unwrap() {
                        Some(l) => {
                            fast += 1;
                            fast_150 += usize::from(g == 150);
                            let (re, im, _) = general.unwrap();
                            assert_eq!(im, 0.0);
                            let rel = (l - re).abs() / re.abs();
                            assert!(rel < 1e-11, "g {g} seed {seed}: {l} vs {re} ({rel:e})");
                            assert!(!blocks, "reducible matrix taken: g {g}");
                            rare += usize::from(scale != 1.0);
                        }
                        None => declined += 1,
                    }
                }
            }
        }
        assert!(
            fast >= 80 && declined >= 60 && fast_150 >= 2 && rare >= 3,
            "fast {fast} ({fast_150} of 150 levels, {rare} rare), declined {declined}"
        );
    }
}
