//! Fixed-bin-width discretisation (PyRadiomics `imageoperations.getBinEdges` / `binImage`,
//! applied by `base.RadiomicsFeaturesBase._applyBinning`).
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

/// The bin edges of one ROI: `e_k = low + k * delta`, `k < n_edges`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bins {
    /// First edge (largest multiple of the bin width not above the ROI minimum).
    pub low: f64,
    /// Edge step as numpy's `arange` computes it: `(low + W) - low`.
    pub delta: f64,
    /// Number of edges (`numpy.arange(low, max + 2W, W)` length).
    pub n_edges: usize,
}

impl Bins {
    /// Edges for ROI values with minimum `min`, maximum `max` and bin width `bin_width`.
    ///
    /// Errors: [`Error::BadBinWidth`] unless `bin_width` is finite and > 0;
    /// [`Error::NonFiniteVoxel`] if `min`/`max` are not finite; [`Error::TooManyBins`] if the
    /// number of edges is not below [`MAX_EDGES`] (2^52: bin numbers are exact integers in f64
    /// only below 2^53, and `k + 1` must stay exact), or if the range is so far above the bin
    /// width that the edge step rounds to 0 (e.g. bin width 1e-300, or a voxel of 3e38 with bin
    /// width 25: PyRadiomics' `numpy.arange` would try to allocate the edges and fail).
    pub fn new(min: f64, max: f64, bin_width: f64) -> Result<Bins, Error> {
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
        Ok(Bins {
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
        let b = Bins::new(54.0, 166.0, 25.0).unwrap();
        assert_eq!(b.low, 50.0);
        assert_eq!(b.bin(54.0), 1);
        assert_eq!(b.bin(74.999), 1);
        assert_eq!(b.bin(75.0), 2);
        assert_eq!(b.bin(166.0), 5);
    }

    #[test]
    fn negative_minimum_and_flat() {
        let b = Bins::new(-7.0, -7.0, 25.0).unwrap();
        assert_eq!(b.low, -25.0);
        assert_eq!(b.bin(-7.0), 1);
        let b = Bins::new(50.0, 50.0, 25.0).unwrap();
        assert_eq!(b.bin(50.0), 1);
        assert_eq!(b.n_edges, 2);
        assert_eq!(py_mod(-0.5, 25.0), 24.5);
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
        assert_eq!(Bins::new(0.0, 1.0, 0.0), Err(Error::BadBinWidth));
        assert_eq!(Bins::new(0.0, 1.0, f64::NAN), Err(Error::BadBinWidth));
    }
}
