//! `sitkBSpline` (PyRadiomics' default interpolator): ITK 5.4 `BSplineInterpolateImageFunction`
//! of order 3 over the coefficients of `BSplineDecompositionImageFilter`.
//!
//! ITK computes the coefficients of the WHOLE input image (three separable recursive passes,
//! x then y then z, each along whole lines with mirror boundaries). The value at an output voxel
//! reads a 4×4×4 block of coefficients, so only the input region the output box maps into
//! (+2 voxels, mirrored at the image border) is needed. Every pass still runs along whole lines
//! — a recursive filter started mid-line gives values that differ in the last bits — but only
//! the lines that reach the region are filtered and only their region part is kept:
//!
//! * per z slice: the x pass on its `N_y` whole x lines, keeping `R_x` values of each (plane
//!   `R_x × N_y`); the y pass on the plane's `R_x` whole y lines, keeping `R_y` values;
//! * then the z pass on the `R_x × R_y` whole z lines.
//!
//! Scratch: `R_x·R_y·N_z + R_x·N_y + max(N)` f64 ([`Region::scratch_len`]), the same values as
//! ITK bit for bit.

use super::Mapping;
use super::Source;
use crate::Error;

/// ITK `BSplineDecompositionImageFilter::m_Tolerance`.
const TOLERANCE: f64 = 1e-10;

/// The pole of the cubic B-spline, `√3 − 2`.
fn pole() -> f64 {
    libm::sqrt(3.0) - 2.0
}

/// ITK's mirror boundary (`ApplyMirrorBoundaryConditions`): one reflection at each end (about
/// index 0 and `n − 1`); every index is 0 on an axis of length 1.
fn mirror(k: i64, n: usize) -> i64 {
    if n == 1 {
        return 0;
    }
    let end = n as i64 - 1;
    let mut k = k;
    if k < 0 {
        k = -k;
    }
    if k >= end {
        k = end - (k - end);
    }
    k
}

/// `floor` of a float as an integer (`static_cast<long>(std::floor(float))`), for the indices
/// of an image (far below 2^62).
#[inline]
fn floor_f32(f: f32) -> i64 {
    let t = f as i64; // truncation toward zero (saturating)
    if (t as f32) > f {
        t - 1
    } else {
        t
    }
}

/// The input region whose coefficients the output box reads: `[lo, hi)` per axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// First input index per axis.
    pub lo: [usize; 3],
    /// One past the last input index per axis.
    pub hi: [usize; 3],
}

impl Region {
    /// The region for output box `out_dims` mapped by `map` into an input of `in_dims`: per
    /// axis, the support (`⌊c⌋ − 1 … ⌊c⌋ + 2`, with a voxel of margin) of every continuous index
    /// the box reaches (the mapping is affine, so the box's corners bound them), clipped to the
    /// buffer and mirrored.
    pub fn new(map: &Mapping, out_dims: [usize; 3], in_dims: [usize; 3]) -> Result<Self, Error> {
        let mut cmin = [f64::INFINITY; 3];
        let mut cmax = [f64::NEG_INFINITY; 3];
        for corner in 0..8usize {
            let y = if corner & 2 == 0 { 0 } else { out_dims[1] - 1 };
            let z = if corner & 4 == 0 { 0 } else { out_dims[2] - 1 };
            let x = if corner & 1 == 0 { 0 } else { out_dims[0] - 1 };
            let (start, vector) = map.line(y, z);
            let ci = map.at(&start, &vector, x);
            for d in 0..3 {
                cmin[d] = cmin[d].min(ci[d]);
                cmax[d] = cmax[d].max(ci[d]);
            }
        }
        let mut lo = [0usize; 3];
        let mut hi = [0usize; 3];
        for d in 0..3 {
            let n = in_dims[d] as i64;
            if !(cmin[d].is_finite() && cmax[d].is_finite()) {
                return Err(Error::BadSetting);
            }
            // Indices the evaluation may touch (inside points only: −0.5 ≤ c < n − 0.5).
            let a = (libm::floor(cmin[d].max(-1.0)) as i64 - 2).max(-3);
            let b = (libm::floor(cmax[d].min(n as f64)) as i64 + 3).min(n + 2);
            let mut mn = i64::MAX;
            let mut mx = i64::MIN;
            for k in a..=b {
                let m = mirror(k, in_dims[d]).clamp(0, n - 1);
                mn = mn.min(m);
                mx = mx.max(m);
            }
            if mn > mx {
                return Err(Error::BadDimensions);
            }
            lo[d] = mn as usize;
            hi[d] = mx as usize + 1;
        }
        Ok(Region { lo, hi })
    }

    fn dims(&self) -> [usize; 3] {
        [
            self.hi[0] - self.lo[0],
            self.hi[1] - self.lo[1],
            self.hi[2] - self.lo[2],
        ]
    }

    /// `R_x·R_y·N_z + R_x·N_y + max(N)` f64 elements.
    pub fn scratch_len(&self, in_dims: [usize; 3]) -> Result<usize, Error> {
        let r = self.dims();
        let a = r[0]
            .checked_mul(r[1])
            .and_then(|v| v.checked_mul(in_dims[2]));
        let p = r[0].checked_mul(in_dims[1]);
        let l = in_dims.iter().copied().max().unwrap_or(0);
        a.zip(p)
            .and_then(|(a, p)| a.checked_add(p))
            .and_then(|v| v.checked_add(l))
            .ok_or(Error::SizeOverflow)
    }
}

/// The cubic pole's constants, computed once per decomposition.
#[derive(Clone, Copy)]
struct Pole {
    z: f64,
    c0: f64,
    horizon: f64,
}

impl Pole {
    fn cubic() -> Pole {
        let z = pole();
        Pole {
            z,
            c0: 1.0 * (1.0 - z) * (1.0 - 1.0 / z),
            horizon: libm::ceil(libm::log(TOLERANCE) / libm::log(z.abs())),
        }
    }
}

/// ITK `DataToCoefficients1D` for the cubic B-spline on one whole line, in place: gain
/// `c0 = (1·(1 − z))·(1 − 1/z)`, causal initialisation ([`initial_causal`]), causal pass
/// `c[n] += z·c[n−1]`, anticausal initialisation
/// `c[N−1] = (z/(z² − 1))·(z·c[N−2] + c[N−1])` and pass `c[n] = z·(c[n+1] − c[n])`.
/// A line of one voxel is left unchanged.
pub fn decompose_line(c: &mut [f64]) {
    decompose(c, Pole::cubic());
}

fn decompose(c: &mut [f64], p: Pole) {
    let n = c.len();
    if n <= 1 {
        return;
    }
    let z = p.z;
    for v in c.iter_mut() {
        *v *= p.c0;
    }
    initial_causal(c, z, p.horizon);
    for k in 1..n {
        c[k] += z * c[k - 1];
    }
    c[n - 1] = (z / (z * z - 1.0)) * (z * c[n - 2] + c[n - 1]);
    for k in (0..n - 1).rev() {
        c[k] = z * (c[k + 1] - c[k]);
    }
}

/// ITK `SetInitialCausalCoefficient`: with `horizon = ⌈ln(1e-10)/ln|z|⌉` (18), a line longer
/// than the horizon starts from `Σ_{k<horizon} z^k·c[k]` (powers by repeated multiplication);
/// a shorter one from the exact mirror sum
/// `(c[0] + z^{N−1}·c[N−1] + Σ_{k=1}^{N−2} (z^k + z^{2N−2−k})·c[k]) / (1 − z^{2N−2})`.
fn initial_causal(c: &mut [f64], z: f64, horizon: f64) {
    let n = c.len();
    let mut zn = z;
    if horizon < n as f64 {
        let h = horizon as usize;
        let mut sum = c[0];
        for v in c.iter().take(h).skip(1) {
            sum += zn * v;
            zn *= z;
        }
        c[0] = sum;
    } else {
        let iz = 1.0 / z;
        let mut z2n = libm::pow(z, (n - 1) as f64);
        let mut sum = c[0] + z2n * c[n - 1];
        // ITK: `z2n *= z2n * iz`, i.e. z2n · (z2n · iz)
        z2n = z2n * (z2n * iz);
        for v in c.iter().take(n - 1).skip(1) {
            sum += (zn + z2n) * v;
            zn *= z;
            z2n *= iz;
        }
        c[0] = sum / (1.0 - zn * zn);
    }
}

/// The B-spline coefficients of one input region (see the module docs), borrowed from scratch.
pub struct Coefficients<'a> {
    /// `R_x × R_y × N_z`, x fastest.
    coef: &'a [f64],
    region: Region,
    in_dims: [usize; 3],
}

impl<'a> Coefficients<'a> {
    /// Runs the decomposition for `region` of `image` in `scratch`
    /// ([`Region::scratch_len`] elements, else [`Error::ScratchTooSmall`]).
    pub fn new(
        image: &Source,
        region: &Region,
        scratch: &'a mut [f64],
    ) -> Result<Coefficients<'a>, Error> {
        let n = image.dims();
        let r = region.dims();
        let need = region.scratch_len(n)?;
        let scratch = scratch.get_mut(..need).ok_or(Error::ScratchTooSmall)?;
        let (coef, rest) = scratch.split_at_mut(r[0] * r[1] * n[2]);
        let (plane, line) = rest.split_at_mut(r[0] * n[1]);
        let ok = |o: Option<()>| o.ok_or(Error::ScratchTooSmall);
        let pole = Pole::cubic();
        for z in 0..n[2] {
            // x pass on every x line of the slice, keeping the region's x range.
            for y in 0..n[1] {
                let l = line.get_mut(..n[0]).ok_or(Error::ScratchTooSmall)?;
                let row = n[0] * (y + n[1] * z);
                for (x, v) in l.iter_mut().enumerate() {
                    *v = image.get(row + x);
                }
                decompose(l, pole);
                let src = l.get(region.lo[0]..region.hi[0]);
                let dst = plane.get_mut(y * r[0]..(y + 1) * r[0]);
                ok(src.zip(dst).map(|(s, d)| d.copy_from_slice(s)))?;
            }
            // y pass on the plane's columns, keeping the region's y range.
            for xr in 0..r[0] {
                let l = line.get_mut(..n[1]).ok_or(Error::ScratchTooSmall)?;
                for (y, v) in l.iter_mut().enumerate() {
                    *v = plane.get(y * r[0] + xr).copied().unwrap_or(f64::NAN);
                }
                decompose(l, pole);
                for yr in 0..r[1] {
                    let v = l.get(region.lo[1] + yr).copied();
                    let d = coef.get_mut((z * r[1] + yr) * r[0] + xr);
                    ok(v.zip(d).map(|(v, d)| *d = v))?;
                }
            }
        }
        // z pass on the region's whole z lines.
        let stride = r[0] * r[1];
        for k in 0..stride {
            let l = line.get_mut(..n[2]).ok_or(Error::ScratchTooSmall)?;
            for (z, v) in l.iter_mut().enumerate() {
                *v = coef.get(z * stride + k).copied().unwrap_or(f64::NAN);
            }
            decompose(l, pole);
            for (z, v) in l.iter().enumerate() {
                if let Some(d) = coef.get_mut(z * stride + k) {
                    *d = *v;
                }
            }
        }
        Ok(Coefficients {
            coef,
            region: *region,
            in_dims: n,
        })
    }

    /// ITK `BSplineInterpolateImageFunction::EvaluateAtContinuousIndex` (order 3) at `ci`:
    /// per axis the support starts at `⌊(float) c⌋ − 1` (ITK rounds the index to float before
    /// the floor), `w = c − (start + 1)`, weights
    /// `w3 = (1/6)·w·w·w`, `w0 = 1/6 + 0.5·w·(w − 1) − w3`, `w2 = w + w0 − 2·w3`,
    /// `w1 = 1 − w0 − w2 − w3`; indices mirrored; value `Σ_p (1·wx·wy·wz)·coef`, summed over
    /// the 64 points with x fastest, from 0.0.
    pub fn evaluate(&self, ci: &[f64; 3]) -> Result<f64, Error> {
        let mut weights = [[0.0f64; 4]; 3];
        let mut index = [[0usize; 4]; 3];
        for d in 0..3 {
            let start = floor_f32(ci[d] as f32 + 0.0f32) - 1;
            let w = ci[d] - (start + 1) as f64;
            let w3 = (1.0 / 6.0) * w * w * w;
            let w0 = (1.0 / 6.0) + 0.5 * w * (w - 1.0) - w3;
            let w2 = w + w0 - 2.0 * w3;
            let w1 = 1.0 - w0 - w2 - w3;
            weights[d] = [w0, w1, w2, w3];
            for (k, ix) in index[d].iter_mut().enumerate() {
                let m = mirror(start + k as i64, self.in_dims[d]);
                let lo = self.region.lo[d] as i64;
                if m < lo || m >= self.region.hi[d] as i64 {
                    return Err(Error::BadDimensions);
                }
                // x, y relative to the region; z absolute (the buffer keeps whole z lines).
                *ix = if d == 2 {
                    m as usize
                } else {
                    (m - lo) as usize
                };
            }
        }
        let r = self.region.dims();
        // ITK's weight of point (i, j, k) is ((1.0·wx_i)·wy_j)·wz_k; 1.0·wx_i is exact, so the
        // 16 products wx_i·wy_j are computed once (same bits, 48 multiplications fewer).
        let mut wxy = [[0.0f64; 4]; 4];
        for (j, row) in wxy.iter_mut().enumerate() {
            for (i, v) in row.iter_mut().enumerate() {
                *v = weights[0][i] * weights[1][j];
            }
        }
        let mut acc = 0.0f64;
        for k in 0..4 {
            let wz = weights[2][k];
            for j in 0..4 {
                let row = r[0] * (index[1][j] + r[1] * index[2][k]);
                for i in 0..4 {
                    let w = wxy[j][i] * wz;
                    let c = self.coef.get(index[0][i] + row).copied();
                    acc += w * c.unwrap_or(f64::NAN);
                }
            }
        }
        Ok(acc)
    }
}
