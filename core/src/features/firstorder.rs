//! First-order statistics (PyRadiomics 3.0.1 `radiomics/firstorder.py`, `RadiomicsFirstOrder`).
//!
//! `X` = the ROI voxel values of the (filtered, cropped) image widened to float64, in numpy scan
//! order (z, y, x with x fastest), `N = |X|`. Every sum is numpy's (see [`super::np_sum`]), every
//! moment is a population moment (divide by `N`). `p(i)` = fraction of ROI voxels in bin `i` of the
//! discretisation (fixed bin width or count). `c` = `voxelArrayShift` (default 0), added to the
//! values in Energy, TotalEnergy and RootMeanSquared only.

use super::{np_sum, sort, EPS};
use crate::discretize::Bins;
use crate::names::FirstOrderFeature;
use crate::Error;

/// The ROI values of one image type, prepared for the first-order features.
#[derive(Debug, Clone, Copy)]
pub struct FirstOrder<'a> {
    values: &'a [f64],
    sorted: &'a [f64],
    bins: Bins,
    spacing: [f64; 3],
    mean: f64,
    shift: f64,
}

impl<'a> FirstOrder<'a> {
    /// `values`: the ROI values in scan order (at least one); `sorted`: scratch of at least
    /// `values.len()` elements (receives the sorted copy); `bins`: the ROI's discretisation;
    /// `spacing`: voxel spacing in mm (for TotalEnergy).
    pub fn new(
        values: &'a [f64],
        sorted: &'a mut [f64],
        bins: Bins,
        spacing: [f64; 3],
    ) -> Result<Self, Error> {
        if values.is_empty() {
            return Err(Error::LabelNotPresent);
        }
        let s = sorted
            .get_mut(..values.len())
            .ok_or(Error::ScratchTooSmall)?;
        s.copy_from_slice(values);
        sort(s);
        let n = values.len() as f64;
        let mean = np_sum(values.len(), |i| values.get(i).copied().unwrap_or(0.0)) / n;
        Ok(FirstOrder {
            values,
            sorted: s,
            bins,
            spacing,
            mean,
            shift: 0.0,
        })
    }

    /// Sets `voxelArrayShift` `c` (default 0).
    pub fn with_shift(self, c: f64) -> Self {
        FirstOrder { shift: c, ..self }
    }

    #[inline]
    fn x(&self, i: usize) -> f64 {
        self.values.get(i).copied().unwrap_or(0.0)
    }

    fn n(&self) -> f64 {
        self.values.len() as f64
    }

    /// numpy `sum` of `g(x_i)` over the ROI values.
    fn sum_of(&self, g: impl Fn(f64) -> f64) -> f64 {
        np_sum(self.values.len(), |i| g(self.x(i)))
    }

    /// `_moment(X, k)` = mean((X − mean X)^k), numpy `power` for the k-th power.
    fn moment(&self, k: i32) -> f64 {
        let m = self.mean;
        let s = if k == 2 {
            self.sum_of(|x| {
                let d = x - m;
                d * d
            })
        } else {
            let k = k.unsigned_abs();
            self.sum_of(|x| crate::filters::ddmath::powi(x - m, k))
        };
        s / self.n()
    }

    /// numpy `percentile(X, p)` with the default linear method: virtual index `(N−1)·p/100`,
    /// numpy's `_lerp` between the neighbouring order statistics.
    fn percentile(&self, p: f64) -> f64 {
        let n = self.sorted.len();
        let q = p / 100.0;
        let v = ((n as f64) - 1.0) * q;
        let last = n.saturating_sub(1);
        let (lo, hi) = if v >= last as f64 {
            (last, last)
        } else if v < 0.0 {
            (0, 0)
        } else {
            let f = libm::floor(v) as usize;
            (f, (f + 1).min(last))
        };
        let prev = libm::floor(v);
        let t = if v >= last as f64 { v + 1.0 } else { v - prev };
        let a = self.sorted.get(lo).copied().unwrap_or(f64::NAN);
        let b = self.sorted.get(hi).copied().unwrap_or(f64::NAN);
        let diff = b - a;
        if t >= 0.5 {
            b - diff * (1.0 - t)
        } else {
            a + diff * t
        }
    }

    /// Calls `f(count)` for each gray level present (ascending bin number).
    /// The values are sorted and the bin is monotone in the value, so each level's voxels are
    /// one run, found by bisection: O(levels · log N) bin evaluations instead of N.
    fn for_each_bin_count(&self, mut f: impl FnMut(f64)) {
        let mut rest = self.sorted;
        while let Some(&x) = rest.first() {
            let q = self.bins.bin(x);
            let len = rest.partition_point(|&y| self.bins.bin(y) <= q).max(1);
            f(len as f64);
            rest = rest.get(len..).unwrap_or(&[]);
        }
    }

    /// numpy sum of `g(p(i))` over the gray levels present (ascending). Up to 128 levels the
    /// terms are buffered on the stack (1 KiB) and summed in numpy's pairwise order; beyond that
    /// they are added left to right (differs from numpy only in the last bits).
    fn level_sum(&self, g: impl Fn(f64) -> f64) -> f64 {
        let n = self.n();
        let mut buf = [0.0f64; 128];
        let mut levels = 0usize;
        let mut plain = 0.0;
        self.for_each_bin_count(|c| {
            let t = g(c / n);
            if let Some(b) = buf.get_mut(levels) {
                *b = t;
            }
            plain += t;
            levels += 1;
        });
        if levels <= buf.len() {
            np_sum(levels, |k| buf.get(k).copied().unwrap_or(0.0))
        } else {
            plain
        }
    }
}

/// Energy = Σ (x + c)² (`RadiomicsFirstOrder.getEnergyFeatureValue`).
pub fn energy(fo: &FirstOrder) -> f64 {
    let c = fo.shift;
    fo.sum_of(|x| {
        let s = x + c;
        s * s
    })
}

/// TotalEnergy = V_voxel · Σ (x + c)², V_voxel = s_x s_y s_z
/// (`RadiomicsFirstOrder.getTotalEnergyFeatureValue`).
pub fn total_energy(fo: &FirstOrder) -> f64 {
    energy(fo) * ((fo.spacing[0] * fo.spacing[1]) * fo.spacing[2])
}

/// Entropy = −Σ_i p(i) log2(p(i) + ε) over the gray levels present
/// (`RadiomicsFirstOrder.getEntropyFeatureValue`).
pub fn entropy(fo: &FirstOrder) -> f64 {
    -fo.level_sum(|p| p * libm::log2(p + EPS))
}

/// Minimum = min X (`RadiomicsFirstOrder.getMinimumFeatureValue`).
pub fn minimum(fo: &FirstOrder) -> f64 {
    fo.sorted.first().copied().unwrap_or(f64::NAN)
}

/// 10Percentile = numpy `percentile(X, 10)` (linear interpolation)
/// (`RadiomicsFirstOrder.get10PercentileFeatureValue`).
pub fn percentile10(fo: &FirstOrder) -> f64 {
    fo.percentile(10.0)
}

/// 90Percentile = numpy `percentile(X, 90)` (`RadiomicsFirstOrder.get90PercentileFeatureValue`).
pub fn percentile90(fo: &FirstOrder) -> f64 {
    fo.percentile(90.0)
}

/// Maximum = max X (`RadiomicsFirstOrder.getMaximumFeatureValue`).
pub fn maximum(fo: &FirstOrder) -> f64 {
    fo.sorted.last().copied().unwrap_or(f64::NAN)
}

/// Mean = Σ x / N (`RadiomicsFirstOrder.getMeanFeatureValue`).
pub fn mean(fo: &FirstOrder) -> f64 {
    fo.mean
}

/// Median = middle order statistic, or the mean of the two middle ones for even N
/// (`RadiomicsFirstOrder.getMedianFeatureValue`, numpy `nanmedian`).
pub fn median(fo: &FirstOrder) -> f64 {
    let n = fo.sorted.len();
    let h = n / 2;
    let hi = fo.sorted.get(h).copied().unwrap_or(f64::NAN);
    if n % 2 == 1 {
        hi
    } else {
        let lo = fo
            .sorted
            .get(h.wrapping_sub(1))
            .copied()
            .unwrap_or(f64::NAN);
        (lo + hi) / 2.0
    }
}

/// InterquartileRange = P75 − P25 (`RadiomicsFirstOrder.getInterquartileRangeFeatureValue`).
pub fn interquartile_range(fo: &FirstOrder) -> f64 {
    fo.percentile(75.0) - fo.percentile(25.0)
}

/// Range = max X − min X (`RadiomicsFirstOrder.getRangeFeatureValue`).
pub fn range(fo: &FirstOrder) -> f64 {
    maximum(fo) - minimum(fo)
}

/// MeanAbsoluteDeviation = Σ |x − mean X| / N
/// (`RadiomicsFirstOrder.getMeanAbsoluteDeviationFeatureValue`).
pub fn mean_absolute_deviation(fo: &FirstOrder) -> f64 {
    let m = fo.mean;
    fo.sum_of(|x| libm::fabs(x - m)) / fo.n()
}

/// RobustMeanAbsoluteDeviation = mean |x − mean X₁₀₋₉₀| over X₁₀₋₉₀ = {x : P10 ≤ x ≤ P90}
/// (`RadiomicsFirstOrder.getRobustMeanAbsoluteDeviationFeatureValue`; numpy `nanmean`, the
/// excluded voxels count as 0 in the sums).
pub fn robust_mean_absolute_deviation(fo: &FirstOrder) -> f64 {
    let p10 = fo.percentile(10.0);
    let p90 = fo.percentile(90.0);
    let keep = |x: f64| !((x - p10) < 0.0 || (x - p90) > 0.0);
    let cnt = fo.sum_of(|x| if keep(x) { 1.0 } else { 0.0 });
    let m = fo.sum_of(|x| if keep(x) { x } else { 0.0 }) / cnt;
    fo.sum_of(|x| if keep(x) { libm::fabs(x - m) } else { 0.0 }) / cnt
}

/// RootMeanSquared = sqrt(Σ (x + c)² / N) (`RadiomicsFirstOrder.getRootMeanSquaredFeatureValue`).
pub fn root_mean_squared(fo: &FirstOrder) -> f64 {
    libm::sqrt(energy(fo) / fo.n())
}

/// Skewness = μ₃ / μ₂^1.5 (μ₂ := 1 if μ₂ = 0) (`RadiomicsFirstOrder.getSkewnessFeatureValue`).
pub fn skewness(fo: &FirstOrder) -> f64 {
    let mut m2 = fo.moment(2);
    let m3 = fo.moment(3);
    if m2 == 0.0 {
        m2 = 1.0;
    }
    m3 / libm::pow(m2, 1.5)
}

/// Kurtosis = μ₄ / μ₂² (μ₂ := 1 if μ₂ = 0; not excess kurtosis)
/// (`RadiomicsFirstOrder.getKurtosisFeatureValue`).
pub fn kurtosis(fo: &FirstOrder) -> f64 {
    let mut m2 = fo.moment(2);
    let m4 = fo.moment(4);
    if m2 == 0.0 {
        m2 = 1.0;
    }
    m4 / (m2 * m2)
}

/// Variance = (sqrt(Σ (x − mean X)² / N))² (numpy `nanstd(X)**2`)
/// (`RadiomicsFirstOrder.getVarianceFeatureValue`).
pub fn variance(fo: &FirstOrder) -> f64 {
    let m = fo.mean;
    let v = fo.sum_of(|x| {
        let d = x - m;
        d * d
    }) / fo.n();
    let s = libm::sqrt(v);
    s * s
}

/// Uniformity = Σ_i p(i)² (`RadiomicsFirstOrder.getUniformityFeatureValue`).
pub fn uniformity(fo: &FirstOrder) -> f64 {
    fo.level_sum(|p| p * p)
}

/// The value of feature `f`.
pub fn compute(f: FirstOrderFeature, fo: &FirstOrder) -> f64 {
    use FirstOrderFeature as F;
    match f {
        F::P10 => percentile10(fo),
        F::P90 => percentile90(fo),
        F::Energy => energy(fo),
        F::Entropy => entropy(fo),
        F::InterquartileRange => interquartile_range(fo),
        F::Kurtosis => kurtosis(fo),
        F::Maximum => maximum(fo),
        F::MeanAbsoluteDeviation => mean_absolute_deviation(fo),
        F::Mean => mean(fo),
        F::Median => median(fo),
        F::Minimum => minimum(fo),
        F::Range => range(fo),
        F::RobustMeanAbsoluteDeviation => robust_mean_absolute_deviation(fo),
        F::RootMeanSquared => root_mean_squared(fo),
        F::Skewness => skewness(fo),
        F::TotalEnergy => total_energy(fo),
        F::Uniformity => uniformity(fo),
        F::Variance => variance(fo),
    }
}
