//! Feature classes, one file per class as in PyRadiomics: first order, GLSZM, GLRLM, GLCM, GLDM,
//! NGTDM, shape (3-D), shape2D (with [`neighbourhood`], the 26-neighbour scan GLDM and NGTDM share, and
//! [`eigen`], the eigenvalue solver of GLCM's MCC).
//!
//! This module also holds the numeric building blocks shared by the classes:
//!
//! * [`np_sum`] — numpy's float64 `add.reduce` (8192-element buffer chunks, each summed with
//!   numpy's pairwise algorithm), so that means and moments round exactly as in PyRadiomics
//!   (this matters for flat ROIs, where an inexact mean gives a tiny non-zero variance);
//! * [`sort`] — an in-place sort (`core`'s unstable sort: bounded recursion, no allocation);
//! * [`SizeMatrix`] — a sparse gray-level × size matrix (GLSZM zones, GLRLM runs of one angle)
//!   stored as sorted keys `i · stride + j`, with the per-size counts alongside.

pub mod eigen;
pub mod firstorder;
pub mod glcm;
pub mod gldm;
pub mod glrlm;
pub mod glszm;
pub mod neighbourhood;
pub mod ngtdm;
pub mod shape;
pub mod shape2d;
pub mod symeig;

/// numpy's `eps = numpy.spacing(1)` used in the entropy features.
pub const EPS: f64 = f64::EPSILON;

/// The float types numpy sums pairwise here (float32 for float32 arrays, float64).
pub trait NpFloat: Copy + Default + core::ops::Add<Output = Self> + core::ops::AddAssign {}
impl NpFloat for f32 {}
impl NpFloat for f64 {}

/// Pairwise sum of `f(lo..lo+n)` exactly as numpy's `pairwise_sum` (blocks of 8 accumulators
/// below 128 elements, split at `n/2` rounded down to a multiple of 8 above).
/// Recursion depth is bounded by `log2(n / 128) + 1` (≤ 7 for the 8192-element chunks of [`np_sum`]).
fn pairwise<T: NpFloat, F: Fn(usize) -> T>(f: &F, lo: usize, n: usize) -> T {
    if n < 8 {
        let mut res = T::default();
        for i in lo..lo + n {
            res += f(i);
        }
        res
    } else if n <= 128 {
        let mut r = [T::default(); 8];
        for (j, rj) in r.iter_mut().enumerate() {
            *rj = f(lo + j);
        }
        let mut i = 8;
        while i < n - (n % 8) {
            for (j, rj) in r.iter_mut().enumerate() {
                *rj += f(lo + i + j);
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += f(lo + i);
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise(f, lo, n2) + pairwise(f, lo + n2, n - n2)
    }
}

/// `numpy.sum` of the float64 (or float32, summed in float32) sequence `f(0), …, f(n-1)`
/// (contiguous reduction): the sequence is cut into chunks of 8192 (numpy's buffer size), each
/// summed pairwise, the chunk sums added left to right starting from 0.
pub fn np_sum<T: NpFloat, F: Fn(usize) -> T>(n: usize, f: F) -> T {
    const CHUNK: usize = 8192;
    let mut acc = T::default();
    let mut lo = 0;
    while lo < n {
        let len = (n - lo).min(CHUNK);
        acc += pairwise(&f, lo, len);
        lo += len;
    }
    acc
}

/// `numpy.sum` of a slice.
pub fn np_sum_slice(v: &[f64]) -> f64 {
    np_sum(v.len(), |i| v.get(i).copied().unwrap_or(0.0))
}

/// In-place ascending sort of finite values by IEEE total order (`f64::total_cmp`; NaN never
/// panics). `core`'s unstable sort: pattern-defeating quicksort with a heapsort fallback, no
/// allocation, recursion depth bounded by about 2·log2(n). It replaced a hand-written heapsort
/// that was 5 % of a brain1 extraction's instructions.
///
/// Sorted as integers: each value's bits are mapped to a u64 whose unsigned order is
/// `total_cmp`'s (negative values: all bits flipped; others: the sign bit set), sorted with
/// `sort_unstable` on u64 (no comparator closure), and mapped back. Equal keys are equal bit
/// patterns, so the result is exactly `sort_unstable_by(f64::total_cmp)`'s.
pub fn sort(v: &mut [f64]) {
    const SIGN: u64 = 1 << 63;
    let Ok(bits) = bytemuck::try_cast_slice_mut::<f64, u64>(v) else {
        // f64 and u64 have one size and alignment: not reached
        v.sort_unstable_by(f64::total_cmp);
        return;
    };
    for b in bits.iter_mut() {
        *b = if *b & SIGN != 0 { !*b } else { *b | SIGN };
    }
    bits.sort_unstable();
    for b in bits.iter_mut() {
        *b = if *b & SIGN != 0 { *b & !SIGN } else { !*b };
    }
}

/// A sparse gray-level × size matrix: GLSZM zones, or the runs of one GLRLM angle (or of all
/// angles, weighted, with `weightingNorm`).
///
/// `keys` are the entries `(i · stride + j) · sub + a` (gray level `i` = bin number, size/length
/// `j`, angle `a` < `sub`), one per zone/run, sorted ascending (so equal `(i, j)` pairs and equal
/// `i` are adjacent); an entry counts `weights[a]` (1 if `weights` is empty);
/// `by_size[j]` is the (weighted) number of zones/runs of size `j` (`p_s(j)` / `p_r(j)`), index 0
/// unused.
#[derive(Debug, Clone, Copy)]
pub struct SizeMatrix<'a> {
    /// Sorted keys `i · stride + j`, exact integers stored as f64.
    pub keys: &'a [f64],
    /// Key stride (> every size `j`).
    pub stride: u64,
    /// Counts per size `j` (index `j`), as f64.
    pub by_size: &'a [f64],
    /// Number of zones/runs (`N_z` / `N_r(θ)`).
    pub n: f64,
    /// Number of voxels covered (`N_p` = Σ_j j · p(j)).
    pub n_voxels: f64,
    /// Angle multiplier of the keys (1: no angle part).
    pub sub: u64,
    /// Weight per angle (empty: every entry counts 1).
    pub weights: &'a [f64],
    /// 0: every key is one run/zone. Otherwise the keys were run-length encoded by [`compact`]:
    /// each is `cell · mult + count`, one per distinct cell (unweighted matrices only).
    pub mult: f64,
}

/// The ROI extent of every box row (y, z): `hull[2r] ..= hull[2r + 1] − 1` (x) holds every ROI
/// voxel of row r = z·s_y + y; an empty row has `0..0`.
pub(crate) fn row_extents(q: &[f64], dims: [usize; 3], hull: &mut [f64]) {
    let sx = dims[0];
    for (row, h) in q.chunks_exact(sx.max(1)).zip(hull.chunks_exact_mut(2)) {
        let (a, b) = match row.iter().position(|&v| v > 0.0) {
            Some(a) => (a, row.iter().rposition(|&v| v > 0.0).map_or(a, |b| b) + 1),
            None => (0, 0),
        };
        if let [h0, h1] = h {
            *h0 = a as f64;
            *h1 = b as f64;
        }
    }
}

/// Row `r`'s ROI extent `x0..x1` from [`row_extents`]' `hull` (`0..0` if absent).
#[inline]
pub(crate) fn row_extent(hull: &[f64], r: usize) -> (usize, usize) {
    let a = index_of(hull.get(2 * r).copied().unwrap_or(0.0));
    let b = index_of(hull.get(2 * r + 1).copied().unwrap_or(0.0));
    (a, b)
}

/// The index of gray level `c` in the ascending present levels `levels` (a level that is not
/// present means the caller's list is wrong: [`crate::Error::ScratchTooSmall`], as a short list).
#[inline]
pub(crate) fn level_index(levels: &[f64], c: f64) -> Result<usize, crate::Error> {
    levels
        .binary_search_by(|l| l.total_cmp(&c))
        .map_err(|_| crate::Error::ScratchTooSmall)
}

/// `x` as an index, for an `x` that holds an integer in `0..2^52` (bin numbers, level indices,
/// box coordinates, dense cells): the bits of `x + 2^52` minus those of `2^52`. Three
/// instructions against six to ten for a saturating `as usize`; any other `x` gives some index
/// (a negative or NaN one a huge index), so callers use it only for bounds-checked access.
#[inline(always)]
pub(crate) fn index_of(x: f64) -> usize {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    (x + TWO_52).to_bits().wrapping_sub(TWO_52.to_bits()) as usize
}

/// Run-length encodes sorted keys of an unweighted matrix in place: the `c` equal keys `k`
/// become one key `k · m + c`, `m = keys.len() + 1` (> every count), so that the feature
/// passes visit each distinct cell once instead of every run or zone (the counts were sums of
/// 1.0, exact either way: the features keep their bits). Returns the number of distinct cells
/// and `m`, or `None` (keys untouched) when `k · m` could pass 2^53.
pub fn compact(keys: &mut [f64]) -> Option<(usize, f64)> {
    let n = keys.len();
    let last = keys.last().copied()?;
    let m = (n + 1) as f64;
    if (last + 1.0) * m >= 9_007_199_254_740_992.0 {
        return None;
    }
    let mut d = 0usize;
    let mut r = 0usize;
    while r < n {
        let k = keys.get(r).copied()?;
        let mut c = 1usize;
        while keys.get(r + c).copied() == Some(k) {
            c += 1;
        }
        // d <= r: the slot written was already read
        if let Some(slot) = keys.get_mut(d) {
            *slot = k * m + c as f64;
        }
        d += 1;
        r += c;
    }
    Some((d, m))
}

impl SizeMatrix<'_> {
    #[inline]
    fn split(&self, key: f64) -> (f64, f64) {
        let mut k = key as u64;
        if self.sub > 1 {
            k /= self.sub;
        }
        let s = self.stride.max(1);
        ((k / s) as f64, (k % s) as f64)
    }

    /// A [`compact`]ed key as (cell key, count).
    #[inline]
    fn decode(&self, key: f64) -> (f64, f64) {
        let (k, m) = (key as u64, self.mult as u64);
        ((k / m.max(1)) as f64, (k % m.max(1)) as f64)
    }

    /// The cell part of a key and the entry's weight.
    #[inline]
    fn cell(&self, key: f64) -> (f64, f64) {
        if self.weights.is_empty() {
            return (key, 1.0);
        }
        let k = key as u64;
        let sub = self.sub.max(1);
        let w = self.weights.get((k % sub) as usize).copied().unwrap_or(0.0);
        ((k / sub) as f64, w)
    }

    /// Calls `f(i, count)` for every gray level present, ascending (`p_g(i)`).
    pub fn for_each_gray(&self, mut f: impl FnMut(f64, f64)) {
        let mut cur = f64::NAN;
        let mut cnt = 0.0;
        for &k in self.keys {
            let (i, w) = if self.mult > 0.0 {
                let (cell, c) = self.decode(k);
                (self.split(cell).0, c)
            } else {
                (self.split(k).0, self.cell(k).1)
            };
            if i == cur {
                cnt += w;
            } else {
                if cnt > 0.0 {
                    f(cur, cnt);
                }
                cur = i;
                cnt = w;
            }
        }
        if cnt > 0.0 {
            f(cur, cnt);
        }
    }

    /// Calls `f(i, j, count)` for every non-zero entry `P(i, j)`, ascending.
    pub fn for_each_entry(&self, mut f: impl FnMut(f64, f64, f64)) {
        if self.mult > 0.0 {
            for &key in self.keys {
                let (cell, c) = self.decode(key);
                let (i, j) = self.split(cell);
                f(i, j, c);
            }
            return;
        }
        let mut cur = f64::NAN;
        let mut cnt = 0.0;
        let sub = self.sub.max(1) as f64;
        for &key in self.keys {
            let (k, w) = self.cell(key);
            if k == cur {
                cnt += w;
            } else {
                if cnt > 0.0 {
                    let (i, j) = self.split(cur * sub);
                    f(i, j, cnt);
                }
                cur = k;
                cnt = w;
            }
        }
        if cnt > 0.0 {
            let (i, j) = self.split(cur * sub);
            f(i, j, cnt);
        }
    }

    /// Calls `f(j, count)` for every size with a non-zero count, ascending.
    pub fn for_each_size(&self, mut f: impl FnMut(f64, f64)) {
        for (j, &c) in self.by_size.iter().enumerate() {
            if c > 0.0 {
                f(j as f64, c);
            }
        }
    }

    // ---- the formulas shared by GLSZM and GLRLM (zone ↔ run) ----

    /// Σ_j p(j) / j² / N.
    pub fn small_emphasis(&self) -> f64 {
        let mut s = 0.0;
        self.for_each_size(|j, c| s += c / (j * j));
        s / self.n
    }
    /// Σ_j p(j) · j² / N.
    pub fn large_emphasis(&self) -> f64 {
        let mut s = 0.0;
        self.for_each_size(|j, c| s += c * (j * j));
        s / self.n
    }
    /// Σ_i p(i)² / N.
    pub fn gray_nonuniformity(&self) -> f64 {
        let mut s = 0.0;
        self.for_each_gray(|_, c| s += c * c);
        s / self.n
    }
    /// Σ_i p(i)² / N².
    pub fn gray_nonuniformity_normalized(&self) -> f64 {
        let mut s = 0.0;
        self.for_each_gray(|_, c| s += c * c);
        s / (self.n * self.n)
    }
    /// Σ_j p(j)² / N.
    pub fn size_nonuniformity(&self) -> f64 {
        let mut s = 0.0;
        self.for_each_size(|_, c| s += c * c);
        s / self.n
    }
    /// Σ_j p(j)² / N².
    pub fn size_nonuniformity_normalized(&self) -> f64 {
        let mut s = 0.0;
        self.for_each_size(|_, c| s += c * c);
        s / (self.n * self.n)
    }
    /// N / N_p.
    pub fn percentage(&self) -> f64 {
        self.n / self.n_voxels
    }
    /// Σ_i p(i) (i − μ)², p(i) = p_g(i)/N, μ = Σ_i p(i) i.
    pub fn gray_variance(&self) -> f64 {
        let n = self.n;
        let mut mu = 0.0;
        self.for_each_gray(|i, c| mu += (c / n) * i);
        let mut s = 0.0;
        self.for_each_gray(|i, c| {
            let d = i - mu;
            s += (c / n) * (d * d)
        });
        s
    }
    /// Σ_j p(j) (j − μ)², p(j) = p_s(j)/N, μ = Σ_j p(j) j.
    pub fn size_variance(&self) -> f64 {
        let n = self.n;
        let mut mu = 0.0;
        self.for_each_size(|j, c| mu += (c / n) * j);
        let mut s = 0.0;
        self.for_each_size(|j, c| {
            let d = j - mu;
            s += (c / n) * (d * d)
        });
        s
    }
    /// −Σ_{i,j} p(i,j) log2(p(i,j) + ε), p = P/N.
    pub fn entropy(&self) -> f64 {
        let n = self.n;
        let mut s = 0.0;
        self.for_each_entry(|_, _, c| {
            let p = c / n;
            s += p * libm::log2(p + EPS)
        });
        -s
    }
    /// Σ_i p_g(i) / i² / N.
    pub fn low_gray_emphasis(&self) -> f64 {
        let mut s = 0.0;
        self.for_each_gray(|i, c| s += c / (i * i));
        s / self.n
    }
    /// Σ_i p_g(i) · i² / N.
    pub fn high_gray_emphasis(&self) -> f64 {
        let mut s = 0.0;
        self.for_each_gray(|i, c| s += c * (i * i));
        s / self.n
    }
    /// Σ_{i,j} P(i,j) / (i² j²) / N.
    pub fn small_low_gray_emphasis(&self) -> f64 {
        let mut s = 0.0;
        self.for_each_entry(|i, j, c| s += c / ((i * i) * (j * j)));
        s / self.n
    }
    /// Σ_{i,j} P(i,j) · i² / j² / N.
    pub fn small_high_gray_emphasis(&self) -> f64 {
        let mut s = 0.0;
        self.for_each_entry(|i, j, c| s += c * (i * i) / (j * j));
        s / self.n
    }
    /// Σ_{i,j} P(i,j) · j² / i² / N.
    pub fn large_low_gray_emphasis(&self) -> f64 {
        let mut s = 0.0;
        self.for_each_entry(|i, j, c| s += c * (j * j) / (i * i));
        s / self.n
    }
    /// Σ_{i,j} P(i,j) · i² · j² / N.
    pub fn large_high_gray_emphasis(&self) -> f64 {
        let mut s = 0.0;
        self.for_each_entry(|i, j, c| s += c * ((j * j) * (i * i)));
        s / self.n
    }
}

/// Tests' random numbers: uniform in [0, 1) from a 64-bit LCG (Knuth's MMIX constants) on `state`.
#[cfg(test)]
pub(crate) fn test_uniform(state: &mut u64) -> f64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*state >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `index_of` is the integer for every integer in 0..2^52 (ends, powers of two, values
    /// around them) and out of any buffer's range for negative and NaN values.
    #[test]
    fn index_of_integers() {
        let mut n = 0;
        for k in 0..52u32 {
            let p = 1u64 << k;
            for v in [p - 1, p, p + 1, 3 * p / 2] {
                if v < 1 << 52 {
                    assert_eq!(index_of(v as f64), v as usize, "{v}");
                    n += 1;
                }
            }
        }
        assert_eq!(index_of(4_503_599_627_370_495.0), 4_503_599_627_370_495);
        assert!(n > 150);
        for bad in [-1.0, -2.5, -1e300, f64::NAN, -f64::NAN] {
            assert!(index_of(bad) > 1 << 60, "{bad}");
        }
    }

    /// The integer sort orders exactly as `total_cmp`: negative and positive values, both
    /// zeros, infinities, NaNs of both signs, duplicates.
    #[test]
    fn sort_equals_total_cmp() {
        let mut rng = crate::testutil::XorShift(77);
        extern crate std;
        let mut v: std::vec::Vec<f64> = (0..5000)
            .map(|i| match i % 7 {
                0 => (rng.unit() * 10.0).floor(),
                1 => -(rng.unit() * 1e6),
                2 => [
                    0.0,
                    -0.0,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    f64::NAN,
                    -f64::NAN,
                ][i % 6],
                _ => (rng.unit() - 0.5) * 1e-300 * rng.unit(),
            })
            .collect();
        let mut want = v.clone();
        want.sort_unstable_by(f64::total_cmp);
        sort(&mut v);
        assert!(v.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    #[test]
    fn sort_sorts() {
        let mut v = [5.0, -1.0, 3.0, 3.0, 0.0, 9.5, -7.25, 2.0, 1.0];
        sort(&mut v);
        assert!(v.windows(2).all(|w| w[0] <= w[1]));
        let mut e: [f64; 0] = [];
        sort(&mut e);
    }

    #[test]
    fn np_sum_small_is_sequential() {
        let v = [1e16, 1.0, -1e16, 1.0];
        // numpy: ((0 + 1e16) + 1) - 1e16 + 1 = 1.0 for n < 8
        assert_eq!(np_sum_slice(&v), 1.0);
    }
}
