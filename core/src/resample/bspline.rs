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
//! Scratch: `R_x·R_y·N_z + R_x·N_y + LANES·N_x` f64 ([`Region::scratch_len`]), the same values as
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

    /// `R_x·R_y·N_z + R_x·N_y + LANES·N_x` f64 elements.
    pub fn scratch_len(&self, in_dims: [usize; 3]) -> Result<usize, Error> {
        let r = self.dims();
        let a = r[0]
            .checked_mul(r[1])
            .and_then(|v| v.checked_mul(in_dims[2]));
        let p = r[0].checked_mul(in_dims[1]);
        let l = in_dims[0].checked_mul(LANES).ok_or(Error::SizeOverflow)?;
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

/// Lines decomposed side by side ([`decompose_lanes`]): a line's recursion is a chain of
/// dependent multiply-adds, so independent lines interleaved keep the CPU busy and vectorise.
pub const LANES: usize = 8;

/// [`decompose`] on `w` lines at once, in place: sample k of line j is `c[k·stride + j]`
/// (k < n, 1 ≤ w ≤ min(stride, [`LANES`])). Each line gets exactly [`decompose`]'s operations in
/// the same order (the same bits) for the samples `lo..n` the caller keeps; the anti-causal
/// recursion stops at `lo` (samples below it are left unspecified). Only the loop over the
/// lines is innermost. With `scaled` the caller has already multiplied every sample by the gain
/// (the first step, `c·c0`, done while loading: the same product).
/// [`Error::ScratchTooSmall`] if `c` is shorter than `(n − 1)·stride + w` or `w` is out of range.
fn decompose_lanes(
    c: &mut [f64],
    n: usize,
    stride: usize,
    w: usize,
    lo: usize,
    scaled: bool,
    p: Pole,
) -> Result<(), Error> {
    if w == 0 || w > stride || w > LANES {
        return Err(Error::ScratchTooSmall);
    }
    if n <= 1 {
        return Ok(());
    }
    let c = c
        .get_mut(..(n - 1) * stride + w)
        .ok_or(Error::ScratchTooSmall)?;
    // in place on the rows (copying rows to arrays made LLVM call memcpy for every row)
    let z = p.z;
    for k in (0..n).filter(|_| !scaled) {
        if let Some(r) = c.get_mut(k * stride..k * stride + w) {
            r.iter_mut().for_each(|v| *v *= p.c0);
        }
    }
    // rows k − 1 (read) and k (written)
    fn pair(c: &mut [f64], k: usize, stride: usize, w: usize) -> Option<(&[f64], &mut [f64])> {
        let (a, b) = c.split_at_mut_checked(k * stride)?;
        Some((
            a.get((k - 1) * stride..(k - 1) * stride + w)?,
            b.get_mut(..w)?,
        ))
    }
    // the initial causal coefficient ([`initial_causal`]) of each line
    if p.horizon < n as f64 {
        let (first, rest) = c
            .split_at_mut_checked(stride)
            .ok_or(Error::ScratchTooSmall)?;
        let sum = first.get_mut(..w).ok_or(Error::ScratchTooSmall)?;
        let mut zn = z;
        for k in 1..p.horizon as usize {
            let r = rest
                .get((k - 1) * stride..(k - 1) * stride + w)
                .ok_or(Error::ScratchTooSmall)?;
            for (s, v) in sum.iter_mut().zip(r) {
                *s += zn * v;
            }
            zn *= z;
        }
    } else {
        // n ≤ horizon (18): whole-line sums, one line at a time
        let mut line = [0.0f64; 32];
        let line = line.get_mut(..n).ok_or(Error::ScratchTooSmall)?;
        for j in 0..w {
            for (k, v) in line.iter_mut().enumerate() {
                *v = c.get(k * stride + j).copied().unwrap_or(0.0);
            }
            initial_causal(line, z, p.horizon);
            if let (Some(d), Some(v)) = (c.get_mut(j), line.first()) {
                *d = *v;
            }
        }
    }
    for k in 1..n {
        let (prev, cur) = pair(c, k, stride, w).ok_or(Error::ScratchTooSmall)?;
        for (v, q) in cur.iter_mut().zip(prev) {
            *v += z * q;
        }
    }
    let g = z / (z * z - 1.0);
    let (before, last) = pair(c, n - 1, stride, w).ok_or(Error::ScratchTooSmall)?;
    for (v, q) in last.iter_mut().zip(before) {
        *v = g * (z * q + *v);
    }
    for k in (lo.min(n - 1)..n - 1).rev() {
        let (cur, next) = c
            .split_at_mut_checked((k + 1) * stride)
            .ok_or(Error::ScratchTooSmall)?;
        let cur = cur
            .get_mut(k * stride..k * stride + w)
            .ok_or(Error::ScratchTooSmall)?;
        for (v, q) in cur.iter_mut().zip(next.iter().take(w)) {
            *v = z * (q - *v);
        }
    }
    Ok(())
}

/// [`decompose_lanes`] on every line of `c` whose sample k of line j is `c[k·stride + j]`
/// (k < n, j < stride), [`LANES`] lines at a time, keeping samples `lo..n` (not prescaled).
fn decompose_columns(
    c: &mut [f64],
    n: usize,
    stride: usize,
    lo: usize,
    p: Pole,
) -> Result<(), Error> {
    let mut j = 0;
    while j < stride {
        let w = LANES.min(stride - j);
        let lines = c.get_mut(j..).ok_or(Error::ScratchTooSmall)?;
        decompose_lanes(lines, n, stride, w, lo, false, p)?;
        j += w;
    }
    Ok(())
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
        let (plane, block) = rest.split_at_mut(r[0] * n[1]);
        let block = block
            .get_mut(..LANES * n[0])
            .ok_or(Error::ScratchTooSmall)?;
        let ok = |o: Option<()>| o.ok_or(Error::ScratchTooSmall);
        let pole = Pole::cubic();
        // the gain (decompose's first step) applied while transposing; a line of one voxel is
        // left unchanged, as decompose leaves it
        let gain = if n[0] > 1 { pole.c0 } else { 1.0 };
        for z in 0..n[2] {
            // x pass on every x line of the slice, LANES lines at a time (transposed into
            // block[x·w + j]), keeping the region's x range in plane[y·R_x + xr].
            let mut y0 = 0;
            while y0 < n[1] {
                let w = LANES.min(n[1] - y0);
                for j in 0..w {
                    image.for_row(n[0] * (y0 + j + n[1] * z), n[0], |x, v| {
                        if let Some(b) = block.get_mut(x * w + j) {
                            *b = v * gain;
                        }
                    });
                }
                decompose_lanes(block, n[0], w, w, region.lo[0], true, pole)?;
                for j in 0..w {
                    for xr in 0..r[0] {
                        let v = block.get((region.lo[0] + xr) * w + j).copied();
                        let d = plane.get_mut((y0 + j) * r[0] + xr);
                        ok(v.zip(d).map(|(v, d)| *d = v))?;
                    }
                }
                y0 += w;
            }
            // y pass on the plane's columns in place (column xr: plane[y·R_x + xr]), keeping
            // the region's y range.
            decompose_columns(plane, n[1], r[0], region.lo[1], pole)?;
            for yr in 0..r[1] {
                let src = plane.get((region.lo[1] + yr) * r[0]..(region.lo[1] + yr + 1) * r[0]);
                let d = coef.get_mut((z * r[1] + yr) * r[0]..(z * r[1] + yr + 1) * r[0]);
                ok(src.zip(d).map(|(s, d)| d.copy_from_slice(s)))?;
            }
        }
        // z pass on the region's whole z lines, in place (line k: coef[z·R_x·R_y + k]).
        decompose_columns(coef, n[2], r[0] * r[1], region.lo[2], pole)?;
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    /// The lane-wise decomposition gives every line exactly [`decompose`]'s bits: lines shorter
    /// and longer than the horizon (18), one and several lanes, a stride wider than the lanes.
    #[test]
    fn lanes_equal_one_line_at_a_time() {
        let mut rng = crate::testutil::XorShift(0x2545_F491_4F6C_DD1D);
        let mut next = || rng.unit() * 2000.0 - 700.0;
        let p = Pole::cubic();
        for n in [1usize, 2, 3, 5, 17, 18, 19, 40, 257] {
            for (w, stride) in [(1usize, 1usize), (3, 3), (8, 8), (5, 11), (8, 13)] {
                let data: Vec<f64> = (0..n * stride).map(|_| next()).collect();
                let mut lanes = data.clone();
                let lo = n / 3;
                decompose_lanes(&mut lanes, n, stride, w, lo, false, p).unwrap();
                // the gain applied beforehand: the same bits
                let mut pre: Vec<f64> = data.iter().map(|v| v * p.c0).collect();
                decompose_lanes(&mut pre, n, stride, w, lo, n > 1, p).unwrap();
                for j in 0..w {
                    for k in lo..n {
                        let (a, b) = (pre[k * stride + j], lanes[k * stride + j]);
                        let a = if n > 1 { a } else { data[k * stride + j] };
                        assert_eq!(a.to_bits(), b.to_bits(), "prescaled n {n} line {j}");
                    }
                }
                for j in 0..stride {
                    let mut line: Vec<f64> = (0..n).map(|k| data[k * stride + j]).collect();
                    if j < w {
                        decompose(&mut line, p);
                    }
                    for k in if j < w { lo..n } else { 0..n } {
                        assert_eq!(
                            lanes[k * stride + j].to_bits(),
                            line[k].to_bits(),
                            "n {n} w {w} stride {stride} line {j} sample {k}"
                        );
                    }
                }
            }
        }
        let mut short = [0.0; 4];
        assert_eq!(
            decompose_lanes(&mut short, 3, 2, 2, 0, false, p),
            Err(Error::ScratchTooSmall)
        );
        assert_eq!(
            decompose_lanes(&mut short, 1, 2, 9, 0, false, p),
            Err(Error::ScratchTooSmall)
        );
    }
}
