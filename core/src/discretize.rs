//! Discretisation (PyRadiomics `imageoperations.getBinEdges` / `binImage`, applied by
//! `base.RadiomicsFeaturesBase._applyBinning`): fixed bin width ([`WidthBins`], `binWidth`) or
//! fixed bin count ([`CountBins`], `binCount`); [`Bins`] is either.
//!
//! ## Fixed bin width
//!
//! With bin width `W` and ROI values `X` (numpy 1.26 promotes every scalar step to float64 or
//! int64, so plain f64 arithmetic on the exactly widened voxel values reproduces it):
//!
//! * `low = m - (m mod W)` with `m = min X` and Python's floor modulo (result in `[0, W)`), the
//!   largest multiple of `W` not above `m`;
//! * edges `e_k = low + k * delta`, `delta = (low + W) - low` (numpy `arange` fill rule), for
//!   `k = 0 ..` while `e_k < max X + 2W`;
//! * `q(x) = #{k : e_k <= x}` (numpy `digitize`, `right=False`): the ROI minimum is in bin 1, a value
//!   exactly on an edge goes to the upper bin. The last edge is always above `max X`, so `q` never
//!   overflows the edge list.
//!
//! `q` is found from `floor((x - low) / delta)` and then corrected by comparing `x` with the exact
//! edges (so a quotient that rounds across an edge cannot misplace a voxel).
//!
//! ## Fixed bin count
//!
//! `numpy.histogram(X, bins=N)` edges, last edge + 1, then `numpy.digitize` (numpy 1.26):
//!
//! * `a = min X`, `b = max X`; if `a = b` (flat ROI): `a − 0.5`, `b + 0.5` (float64);
//! * `step = (b − a) / N`, `e_k = k·step + a` for `k < N`, `e_N = b` (numpy `linspace`, float64);
//! * the edges are then stored in numpy's `bin_type`: float32 when the ROI array is float32
//!   ([`EdgeType::F32`]: float32 images, LoG, gradient, wavelet of float32 input), and — value-based
//!   casting of the flat case's `a ± 0.5` with an int16/uint16 array — when an int16/uint16 ROI is
//!   flat ([`EdgeType::F32IfFlat`]); float64 otherwise (int32 and float64 arrays);
//! * `e_N ← e_N + 1` (float64 sum, stored back in `bin_type`);
//! * `q(x) = #{k : e_k <= x}` (`right=False`), so `q ∈ 1..=N`; the ROI maximum is in bin `N`.
//!
//! Comparisons between the ROI values and float32 edges are exact in float64 (numpy compares in a
//! type holding both exactly).

use crate::Error;

/// Python's float modulo `a % b` (sign of the divisor, like `numpy.remainder`).
#[inline]
pub fn py_mod(a: f64, b: f64) -> f64 {
    let r = a % b;
    if r != 0.0 {
        if (r < 0.0) != (b < 0.0) {
            r + b
        } else {
            r
        }
    } else {
        // Python returns +0.0 with the sign of b.
        0.0 * b.signum()
    }
}

/// Exclusive upper bound of the number of bin edges (2^52): bin numbers, level indices and the
/// texture classes' keys are integers stored exactly in f64.
pub const MAX_EDGES: f64 = 4_503_599_627_370_496.0;

/// The discretisation of one ROI: fixed bin width or fixed bin count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bins {
    /// `binWidth`.
    Width(WidthBins),
    /// `binCount`.
    Count(CountBins),
}

impl Bins {
    /// Fixed-bin-width edges ([`WidthBins::new`]).
    pub fn new(min: f64, max: f64, bin_width: f64) -> Result<Bins, Error> {
        WidthBins::new(min, max, bin_width).map(Bins::Width)
    }

    /// Fixed-bin-count edges ([`CountBins::new`]).
    pub fn count(min: f64, max: f64, n: u32, edge_type: EdgeType) -> Result<Bins, Error> {
        CountBins::new(min, max, n, edge_type).map(Bins::Count)
    }

    /// Bin number `q` of `x` (1-based, numpy `digitize` with `right=False`).
    #[inline]
    pub fn bin(&self, x: f64) -> usize {
        match self {
            Bins::Width(b) => b.bin(x),
            Bins::Count(b) => b.bin(x),
        }
    }
}

/// The numpy type fixed-bin-count edges are stored in (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeType {
    /// float64 (int32 and float64 ROI arrays).
    F64,
    /// float32 (float32 ROI arrays).
    F32,
    /// float32 if the ROI is flat, float64 otherwise (int16 and uint16 ROI arrays).
    F32IfFlat,
}

/// Fixed-bin-count edges `e_0 .. e_N` (numpy `histogram` edges, last edge + 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountBins {
    /// First edge `a` (float64).
    pub start: f64,
    /// `(b − a) / N`.
    pub step: f64,
    /// Last edge after the `+ 1`, already in the edge type.
    pub last: f64,
    /// Number of bins `N`.
    pub n: usize,
    /// Edges stored as float32.
    pub f32: bool,
}

impl CountBins {
    /// Edges for ROI values with minimum `min`, maximum `max`, `n` bins.
    ///
    /// Errors: [`Error::BadSetting`] if `n = 0`; [`Error::NonFiniteVoxel`] if `min`/`max` are not
    /// finite or `min > max`.
    pub fn new(min: f64, max: f64, n: u32, edge_type: EdgeType) -> Result<CountBins, Error> {
        if n == 0 {
            return Err(Error::BadSetting);
        }
        if !(min.is_finite() && max.is_finite()) || min > max {
            return Err(Error::NonFiniteVoxel);
        }
        let (mut a, mut b) = (min, max);
        let flat = a == b;
        if flat {
            a -= 0.5;
            b += 0.5;
        }
        let f32 = match edge_type {
            EdgeType::F64 => false,
            EdgeType::F32 => true,
            EdgeType::F32IfFlat => flat,
        };
        let step = (b - a) / f64::from(n);
        let round = |v: f64| if f32 { f64::from(v as f32) } else { v };
        let last = round(round(b) + 1.0);
        Ok(CountBins {
            start: a,
            step,
            last,
            n: n as usize,
            f32,
        })
    }

    /// Edge `k` (`0 ..= N`) as numpy stores it.
    #[inline]
    pub fn edge(&self, k: usize) -> f64 {
        if k >= self.n {
            return self.last;
        }
        let e = (k as f64) * self.step + self.start;
        if self.f32 {
            f64::from(e as f32)
        } else {
            e
        }
    }

    /// Bin number `q` of `x`: the number of edges `<= x` (binary search; the edges are
    /// non-decreasing).
    #[inline]
    pub fn bin(&self, x: f64) -> usize {
        // invariant: edges [0, lo) are <= x, edges [hi, N] are > x
        let (mut lo, mut hi) = (0usize, self.n + 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.edge(mid) <= x {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

/// Fixed-bin-width edges of one ROI: `e_k = low + k * delta`, `k < n_edges`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WidthBins {
    /// First edge (largest multiple of the bin width not above the ROI minimum).
    pub low: f64,
    /// Edge step as numpy's `arange` computes it: `(low + W) - low`.
    pub delta: f64,
    /// Number of edges (`numpy.arange(low, max + 2W, W)` length).
    pub n_edges: usize,
}

impl WidthBins {
    /// Edges for ROI values with minimum `min`, maximum `max` and bin width `bin_width`.
    ///
    /// Errors: [`Error::BadBinWidth`] unless `bin_width` is finite and > 0;
    /// [`Error::NonFiniteVoxel`] if `min`/`max` are not finite; [`Error::TooManyBins`] if the
    /// number of edges is not below [`MAX_EDGES`] (2^52: bin numbers are exact integers in f64
    /// only below 2^53, and `k + 1` must stay exact), or if the range is so far above the bin
    /// width that the edge step rounds to 0 (e.g. bin width 1e-300, or a voxel of 3e38 with bin
    /// width 25: PyRadiomics' `numpy.arange` would try to allocate the edges and fail).
    pub fn new(min: f64, max: f64, bin_width: f64) -> Result<WidthBins, Error> {
        if !(bin_width.is_finite() && bin_width > 0.0) {
            return Err(Error::BadBinWidth);
        }
        if !(min.is_finite() && max.is_finite()) || min > max {
            return Err(Error::NonFiniteVoxel);
        }
        let low = min - py_mod(min, bin_width);
        let high = max + 2.0 * bin_width;
        // numpy arange: len = ceil((stop - start) / step).
        let len = libm::ceil((high - low) / bin_width);
        if !(len.is_finite() && (1.0..MAX_EDGES).contains(&len)) {
            return Err(Error::TooManyBins);
        }
        let delta = (low + bin_width) - low;
        if delta.is_nan() || delta <= 0.0 {
            return Err(Error::TooManyBins);
        }
        Ok(WidthBins {
            low,
            delta,
            n_edges: len as usize,
        })
    }

    /// Edge `k` exactly as numpy's `arange` stores it.
    #[inline]
    pub fn edge(&self, k: usize) -> f64 {
        self.low + (k as f64) * self.delta
    }

    /// Bin number `q` of `x` (1-based, numpy `digitize` with `right=False`).
    #[inline]
    pub fn bin(&self, x: f64) -> usize {
        let t = (x - self.low) / self.delta;
        let mut k: usize = if t > 0.0 { libm::floor(t) as usize } else { 0 };
        let last = self.n_edges.saturating_sub(1);
        if k > last {
            k = last;
        }
        // Correct by exact comparisons: want the number of edges <= x.
        while k > 0 && self.edge(k) > x {
            k -= 1;
        }
        if self.edge(k) > x {
            return 0; // below the first edge: cannot happen for ROI values
        }
        while k < last && self.edge(k + 1) <= x {
            k += 1;
        }
        k + 1
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pyradiomics_doc_example() {
        // Values 54..166, width 25: edges 50, 75, ..., 175 (then 200, 225 beyond the max).
        let b = WidthBins::new(54.0, 166.0, 25.0).unwrap();
        assert_eq!(b.low, 50.0);
        assert_eq!(b.bin(54.0), 1);
        assert_eq!(b.bin(74.999), 1);
        assert_eq!(b.bin(75.0), 2);
        assert_eq!(b.bin(166.0), 5);
    }

    #[test]
    fn negative_minimum_and_flat() {
        let b = WidthBins::new(-7.0, -7.0, 25.0).unwrap();
        assert_eq!(b.low, -25.0);
        assert_eq!(b.bin(-7.0), 1);
        let b = WidthBins::new(50.0, 50.0, 25.0).unwrap();
        assert_eq!(b.bin(50.0), 1);
        assert_eq!(b.n_edges, 2);
        assert_eq!(py_mod(-0.5, 25.0), 24.5);
    }

    #[test]
    fn bin_count_edges() {
        // 0..=10 in 4 bins: edges 0, 2.5, 5, 7.5, 11.
        let b = CountBins::new(0.0, 10.0, 4, EdgeType::F64).unwrap();
        assert_eq!(b.edge(1), 2.5);
        assert_eq!(b.edge(4), 11.0);
        assert_eq!(b.bin(0.0), 1);
        assert_eq!(b.bin(2.4), 1);
        assert_eq!(b.bin(2.5), 2);
        assert_eq!(b.bin(10.0), 4);
        // flat ROI: edges v - 0.5 + k/N; the value sits on edge N/2
        let b = CountBins::new(7.0, 7.0, 32, EdgeType::F32IfFlat).unwrap();
        assert!(b.f32);
        assert_eq!(b.bin(7.0), 17);
        let b = CountBins::new(7.0, 9.0, 32, EdgeType::F32IfFlat).unwrap();
        assert!(!b.f32);
        assert_eq!(b.bin(9.0), 32);
        assert_eq!(
            Bins::count(0.0, 1.0, 0, EdgeType::F64),
            Err(Error::BadSetting)
        );
    }

    #[test]
    fn too_many_bins_is_its_own_error() {
        // A bin width far below the range, an extreme voxel, and the edge step rounding to 0
        // (before: SizeOverflow, "memory: size computation overflowed").
        assert_eq!(Bins::new(0.0, 1.0, 1e-300), Err(Error::TooManyBins));
        assert_eq!(Bins::new(0.0, 3e38, 25.0), Err(Error::TooManyBins));
        assert_eq!(Bins::new(-3e38, 3e38, 1e22), Err(Error::TooManyBins));
        assert_eq!(Bins::new(1e300, 1e300, 1e-300), Err(Error::TooManyBins));
        // Just below the bound still bins.
        let b = Bins::new(0.0, 4.0e15, 1.0).unwrap();
        assert_eq!(b.bin(4.0e15), 4_000_000_000_000_001);
    }

    #[test]
    fn bad_width() {
        assert_eq!(WidthBins::new(0.0, 1.0, 0.0), Err(Error::BadBinWidth));
        assert_eq!(Bins::new(0.0, 1.0, f64::NAN), Err(Error::BadBinWidth));
    }
}
