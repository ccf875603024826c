//! The Laplacian-of-Gaussian image type `log-sigma-<σ>-mm-3D` (PyRadiomics
//! `imageoperations.getLoGImage` → SimpleITK `LaplacianRecursiveGaussianImageFilter` with
//! `NormalizeAcrossScale = True`; ITK `LaplacianRecursiveGaussianImageFilter::GenerateData`,
//! `RecursiveGaussianImageFilter::SetUp` and `RecursiveSeparableImageFilter::FilterDataArray`).
//!
//! For each ITK axis d = x, y, z (spec §2.3):
//! 1. tmp = 2nd-derivative recursive Gaussian along d of the input (double in, **f32 stored**);
//! 2. tmp = 0th-order recursive Gaussian along the two other axes in increasing order
//!    (d=x: y then z; d=y: x then z; d=z: x then y), each f32 → double → f32;
//! 3. cum = (f32)((double)cum + (double)tmp · (1 / (spacing_d · spacing_d))), cum starting at 0.
//!
//! Output = cum (f32, widened to f64). The recursive filters run along whole image lines
//! (constant extension beyond the first/last sample), so the result depends on the whole image;
//! this module computes it for the ROI box only, pass by pass, slab by slab (see
//! [`super`] for the memory formula):
//!
//! for a term with pass axes (a1, a2, a3), every slice c3 along a3 is processed on its own:
//! pass 1 runs along every a1 line of the slice and keeps only the ROI extent of a1
//! (slab `R[a1] × N[a2]`); pass 2 runs along a2 on those columns and keeps the ROI extent of a2,
//! giving `R[a1] × R[a2]` values of plane c3 in the buffer `R[a1] × R[a2] × N[a3]`;
//! pass 3 then runs along whole a3 lines of that buffer and accumulates the ROI extent.
//! Every value is the same double/f32 arithmetic, in the same order, as ITK's whole-image run.
//!
//! [`filter_many`] runs several sigmas (PyRadiomics' `sigma` list) together: pass 1 of each term
//! loads every block of image lines once (converting the samples to f64, transposing the x
//! lines) and filters it with each sigma's coefficients into that sigma's slab; passes 2 and 3
//! then run per sigma. Each sigma keeps the bits of its own run.

use super::{box_index, ddmath};
use crate::image::{ImageView, PointMap, RoiBox, Voxels};
use crate::Error;

// Farnebäck & Westin 2006 constants as in ITK (index 0 = Gaussian, 2 = second derivative).
const A1: [f64; 3] = [1.3530, -0.6724, -1.3563];
const B1: [f64; 3] = [1.8151, -3.4327, 5.2318];
const W1: f64 = 0.6681;
const L1: f64 = -1.3932;
const A2: [f64; 3] = [-0.3531, 0.6724, 0.3446];
const B2: [f64; 3] = [0.0902, 0.6100, -2.2355];
const W2: f64 = 2.0787;
const L2: f64 = -1.3732;

/// Coefficients of one ITK recursive Gaussian (causal N, recursive D, anti-causal M and the
/// boundary coefficients BN, BM), all double, computed exactly as ITK's `SetUp`. sin/cos/exp come
/// from [`ddmath`] (correctly rounded, like the C library ITK calls in all but near-midpoint
/// cases; `libm`'s 1-ulp errors flipped f32 LoG voxels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coefficients {
    /// N0..N3.
    pub n: [f64; 4],
    /// D1..D4.
    pub d: [f64; 4],
    /// M1..M4.
    pub m: [f64; 4],
    /// BN1..BN4.
    pub bn: [f64; 4],
    /// BM1..BM4.
    pub bm: [f64; 4],
}

struct NCoef {
    n: [f64; 4],
    sn: f64,
    dn: f64,
    en: f64,
}

fn n_coefficients(sigmad: f64, a1: f64, b1: f64, a2: f64, b2: f64) -> NCoef {
    let sin1 = ddmath::sin(W1 / sigmad);
    let sin2 = ddmath::sin(W2 / sigmad);
    let cos1 = ddmath::cos(W1 / sigmad);
    let cos2 = ddmath::cos(W2 / sigmad);
    let exp1 = ddmath::exp(L1 / sigmad);
    let exp2 = ddmath::exp(L2 / sigmad);
    let n0 = a1 + a2;
    let mut n1 = exp2 * (b2 * sin2 - (a2 + 2.0 * a1) * cos2);
    n1 += exp1 * (b1 * sin1 - (a1 + 2.0 * a2) * cos1);
    let mut n2 = (a1 + a2) * cos2 * cos1;
    n2 -= b1 * cos2 * sin1 + b2 * cos1 * sin2;
    n2 *= 2.0 * exp1 * exp2;
    n2 += a2 * exp1 * exp1 + a1 * exp2 * exp2;
    let mut n3 = exp2 * exp1 * exp1 * (b2 * sin2 - a2 * cos2);
    n3 += exp1 * exp2 * exp2 * (b1 * sin1 - a1 * cos1);
    NCoef {
        n: [n0, n1, n2, n3],
        sn: n0 + n1 + n2 + n3,
        dn: n1 + 2.0 * n2 + 3.0 * n3,
        en: n1 + 4.0 * n2 + 9.0 * n3,
    }
}

/// (D1..D4, SD, DD, ED) as ITK's `ComputeDCoefficients`.
fn d_coefficients(sigmad: f64) -> ([f64; 4], f64, f64, f64) {
    let cos1 = ddmath::cos(W1 / sigmad);
    let cos2 = ddmath::cos(W2 / sigmad);
    let exp1 = ddmath::exp(L1 / sigmad);
    let exp2 = ddmath::exp(L2 / sigmad);
    let d4 = exp1 * exp1 * exp2 * exp2;
    let mut d3 = -2.0 * cos1 * exp1 * exp2 * exp2;
    d3 += -2.0 * cos2 * exp2 * exp1 * exp1;
    let mut d2 = 4.0 * cos2 * cos1 * exp1 * exp2;
    d2 += exp1 * exp1 + exp2 * exp2;
    let d1 = -2.0 * (exp2 * cos2 + exp1 * cos1);
    let sd = 1.0 + d1 + d2 + d3 + d4;
    let dd = d1 + 2.0 * d2 + 3.0 * d3 + 4.0 * d4;
    let ed = d1 + 4.0 * d2 + 9.0 * d3 + 16.0 * d4;
    ([d1, d2, d3, d4], sd, dd, ed)
}

impl Coefficients {
    /// All zero (a placeholder in fixed-size arrays).
    pub const ZERO: Coefficients = Coefficients {
        n: [0.0; 4],
        d: [0.0; 4],
        m: [0.0; 4],
        bn: [0.0; 4],
        bm: [0.0; 4],
    };

    /// ITK `RecursiveGaussianImageFilter::SetUp(spacing)` for `sigma_mm` and order 0 (smoothing,
    /// never scale-normalised) or order 2 (second derivative, normalised by sigma²).
    pub fn new(sigma_mm: f64, spacing: f64, second_order: bool) -> Coefficients {
        let sigmad = sigma_mm / spacing;
        let (d, sd, dd, ed) = d_coefficients(sigmad);
        let mut n;
        if second_order {
            let across_scale_normalization = sigma_mm * sigma_mm;
            let c0 = n_coefficients(sigmad, A1[0], B1[0], A2[0], B2[0]);
            let c2 = n_coefficients(sigmad, A1[2], B1[2], A2[2], B2[2]);
            let beta = -(2.0 * c2.sn - sd * c2.n[0]) / (2.0 * c0.sn - sd * c0.n[0]);
            n = [
                c2.n[0] + beta * c0.n[0],
                c2.n[1] + beta * c0.n[1],
                c2.n[2] + beta * c0.n[2],
                c2.n[3] + beta * c0.n[3],
            ];
            let sn = c2.sn + beta * c0.sn;
            let dn = c2.dn + beta * c0.dn;
            let en = c2.en + beta * c0.en;
            let mut alpha2 = en * sd * sd - ed * sn * sd - 2.0 * dn * dd * sd + 2.0 * dd * dd * sn;
            alpha2 /= sd * sd * sd;
            let f = across_scale_normalization / alpha2;
            for v in n.iter_mut() {
                *v *= f;
            }
        } else {
            let c0 = n_coefficients(sigmad, A1[0], B1[0], A2[0], B2[0]);
            n = c0.n;
            let alpha0 = 2.0 * c0.sn / sd - n[0];
            let f = 1.0 / alpha0;
            for v in n.iter_mut() {
                *v *= f;
            }
        }
        // ComputeRemainingCoefficients(symmetric = true)
        let m = [
            n[1] - d[0] * n[0],
            n[2] - d[1] * n[0],
            n[3] - d[2] * n[0],
            -d[3] * n[0],
        ];
        let sn = n[0] + n[1] + n[2] + n[3];
        let sm = m[0] + m[1] + m[2] + m[3];
        let sdd = 1.0 + d[0] + d[1] + d[2] + d[3];
        let bn = [
            d[0] * sn / sdd,
            d[1] * sn / sdd,
            d[2] * sn / sdd,
            d[3] * sn / sdd,
        ];
        let bm = [
            d[0] * sm / sdd,
            d[1] * sm / sdd,
            d[2] * sm / sdd,
            d[3] * sm / sdd,
        ];
        Coefficients { n, d, m, bn, bm }
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn ema(a1: f64, b1: f64, a2: f64, b2: f64, a3: f64, b3: f64, a4: f64, b4: f64) -> f64 {
    a1 * b1 + a2 * b2 + a3 * b3 + a4 * b4
}

#[inline(always)]
fn at(s: &[f64], i: usize) -> f64 {
    s.get(i).copied().unwrap_or(f64::NAN)
}

#[inline(always)]
fn put(s: &mut [f64], i: usize, v: f64) {
    if let Some(o) = s.get_mut(i) {
        *o = v;
    }
}

/// ITK `FilterDataArray` on one line `data` (length L ≥ 4): writes (f32)(causal + anti-causal)
/// (as f64) into `outs[..L]`. `outs` holds the causal part while it is being computed.
pub fn filter_line(c: &Coefficients, data: &[f64], outs: &mut [f64]) -> Result<(), Error> {
    filter_line_range(c, data, outs, 0, data.len())
}

/// [`filter_line`] for the outputs `lo..hi` only (`outs[lo..hi]`; other entries of `outs` are
/// left unspecified). The causal recursion stops at `hi`, the anti-causal one at `lo`: every
/// kept value is computed with exactly the same operations as on the whole line.
pub fn filter_line_range(
    c: &Coefficients,
    data: &[f64],
    outs: &mut [f64],
    lo: usize,
    hi: usize,
) -> Result<(), Error> {
    let ln = data.len();
    if ln < 4 || outs.len() < ln {
        return Err(Error::ImageTooSmallForFilter);
    }
    let hi = hi.clamp(4, ln);
    let lo = lo.min(ln - 4);
    let [n0, n1, n2, n3] = c.n;
    let [d1, d2, d3, d4] = c.d;
    let [m1, m2, m3, m4] = c.m;
    let [bn1, bn2, bn3, bn4] = c.bn;
    let [bm1, bm2, bm3, bm4] = c.bm;
    let x = |i: usize| at(data, i);

    // causal
    let v = x(0);
    let mut y0 = ema(v, n0, v, n1, v, n2, v, n3);
    let mut y1 = ema(x(1), n0, v, n1, v, n2, v, n3);
    let mut y2 = ema(x(2), n0, x(1), n1, v, n2, v, n3);
    let mut y3 = ema(x(3), n0, x(2), n1, x(1), n2, v, n3);
    y0 -= ema(v, bn1, v, bn2, v, bn3, v, bn4);
    y1 -= ema(y0, d1, v, bn2, v, bn3, v, bn4);
    y2 -= ema(y1, d1, y0, d2, v, bn3, v, bn4);
    y3 -= ema(y2, d1, y1, d2, y0, d3, v, bn4);
    put(outs, 0, y0);
    put(outs, 1, y1);
    put(outs, 2, y2);
    put(outs, 3, y3);
    // rolling: (y_{i-1}, y_{i-2}, y_{i-3}, y_{i-4})
    let (mut p1, mut p2, mut p3, mut p4) = (y3, y2, y1, y0);
    for i in 4..hi {
        let mut yi = ema(x(i), n0, x(i - 1), n1, x(i - 2), n2, x(i - 3), n3);
        yi -= ema(p1, d1, p2, d2, p3, d3, p4, d4);
        put(outs, i, yi);
        p4 = p3;
        p3 = p2;
        p2 = p1;
        p1 = yi;
    }

    // anti-causal
    let w = x(ln - 1);
    let mut z0 = ema(w, m1, w, m2, w, m3, w, m4); // z[L-1]
    let mut z1 = ema(x(ln - 1), m1, w, m2, w, m3, w, m4); // z[L-2]
    let mut z2 = ema(x(ln - 2), m1, x(ln - 1), m2, w, m3, w, m4); // z[L-3]
    let mut z3 = ema(x(ln - 3), m1, x(ln - 2), m2, x(ln - 1), m3, w, m4); // z[L-4]
    z0 -= ema(w, bm1, w, bm2, w, bm3, w, bm4);
    z1 -= ema(z0, d1, w, bm2, w, bm3, w, bm4);
    z2 -= ema(z1, d1, z0, d2, w, bm3, w, bm4);
    z3 -= ema(z2, d1, z1, d2, z0, d3, w, bm4);
    let fin = |outs: &mut [f64], i: usize, z: f64| {
        let s = at(outs, i) + z;
        put(outs, i, f64::from(s as f32));
    };
    fin(outs, ln - 1, z0);
    fin(outs, ln - 2, z1);
    fin(outs, ln - 3, z2);
    fin(outs, ln - 4, z3);
    // rolling: (z_i, z_{i+1}, z_{i+2}, z_{i+3}) for the next i-1
    let (mut q1, mut q2, mut q3, mut q4) = (z3, z2, z1, z0);
    let mut i = ln - 4;
    while i > lo {
        let mut zi = ema(x(i), m1, x(i + 1), m2, x(i + 2), m3, x(i + 3), m4);
        zi -= ema(q1, d1, q2, d2, q3, d3, q4, d4);
        fin(outs, i - 1, zi);
        q4 = q3;
        q3 = q2;
        q2 = q1;
        q1 = zi;
        i -= 1;
    }
    Ok(())
}

/// PyRadiomics' LoG checks on the full image: every dimension ≥ 4 and, for every axis,
/// size_d ≥ ceil(sigma / spacing_d) + 1; sigma must be > 0 and finite.
pub fn check_applicable(dims: [usize; 3], spacing: [f64; 3], sigma_mm: f64) -> Result<(), Error> {
    if !(sigma_mm.is_finite() && sigma_mm > 0.0) {
        return Err(Error::BadFilterParameter);
    }
    if dims.iter().any(|&n| n < 4) {
        return Err(Error::ImageTooSmallForFilter);
    }
    for d in 0..3 {
        if !(spacing[d].is_finite() && spacing[d] > 0.0) {
            return Err(Error::BadSpacing);
        }
        // numpy: size >= ceil(sigma / spacing) + 1, compared in float64
        let size = dims[d] as f64;
        let need = libm::ceil(sigma_mm / spacing[d]) + 1.0;
        if size < need || need.is_nan() {
            return Err(Error::ImageTooSmallForFilter);
        }
    }
    Ok(())
}

/// Pass axes (a1 = derivative axis, a2, a3) of term d, in ITK's order.
pub(super) const fn pass_axes(d: usize) -> [usize; 3] {
    match d {
        0 => [0, 1, 2],
        1 => [1, 0, 2],
        _ => [2, 0, 1],
    }
}

/// Lines filtered side by side ([`filter`]'s passes). One line's recursion is a chain of
/// dependent multiply-adds; running `LANES` independent lines together, each with exactly its
/// own operations in the same order, lets the CPU overlap the chains and vectorise across lines.
pub const LANES: usize = 16;

/// Lines per fixed-size group inside [`causal_row`] / [`anti_causal_row`] (vector width).
const G: usize = 4;

/// Scratch (f64 elements): the plane buffer `max_d R[a1]·R[a2]·N[a3]` and the slab
/// `max_d R[a1]·N[a2]` hold f32 values, two per f64 element (rounded up), plus two blocks of
/// [`LANES`] f64 lines of `max N` (the input lines of the x-term's first pass, the outputs) and
/// `4·LANES` f64 for the anti-causal recursion's state.
pub fn scratch_len(dims: [usize; 3], r: [usize; 3]) -> Option<usize> {
    let (plane, slab) = f32_lens(dims, r)?;
    let blocks = dims[0]
        .max(dims[1])
        .max(dims[2])
        .checked_mul(2 * LANES)?
        .checked_add(4 * LANES)?;
    plane
        .checked_add(1)?
        .checked_div(2)?
        .checked_add(slab.checked_add(1)? / 2)?
        .checked_add(blocks)
}

/// (plane, slab) lengths in f32 elements.
fn f32_lens(dims: [usize; 3], r: [usize; 3]) -> Option<(usize, usize)> {
    let mut plane = 0usize;
    let mut slab = 0usize;
    for d in 0..3 {
        let [a1, a2, a3] = pass_axes(d);
        plane = plane.max(r[a1].checked_mul(r[a2])?.checked_mul(dims[a3])?);
        slab = slab.max(r[a1].checked_mul(dims[a2])?);
    }
    Some((plane, slab))
}

/// Sample types the passes read (widened exactly to f64).
trait Sample: Copy {
    fn to_f64(self) -> f64;
}

macro_rules! sample {
    ($($t:ty),*) => {$(
        impl Sample for $t {
            #[inline(always)]
            fn to_f64(self) -> f64 {
                f64::from(self)
            }
        }
    )*};
}
sample!(i16, u16, i32, f32, f64);

/// `G` consecutive entries of `s` from `j` as an array (`None` past the end).
#[inline(always)]
fn group(s: &[f64], j: usize) -> Option<&[f64; G]> {
    s.get(j..j + G).and_then(|g| g.try_into().ok())
}

/// One causal step on a row of lines: `o[j] = ema(x0, n) − ema(y1, d)` per line j (x0 = this
/// sample, x1..x3 the previous ones; y1..y4 the previous outputs). Separate slices (no aliasing)
/// and fixed-size groups of `G` lines so that the loop vectorises across lines.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn causal_row(
    o: &mut [f64],
    x0: &[f64],
    x1: &[f64],
    x2: &[f64],
    x3: &[f64],
    y1: &[f64],
    y2: &[f64],
    y3: &[f64],
    y4: &[f64],
    c: &Coefficients,
) {
    let x = [x0, x1, x2, x3];
    let y = [y1, y2, y3, y4];
    let step = |a: [f64; 4], b: [f64; 4]| causal_step(c, a, b);
    let mut j = 0;
    for og in o.chunks_exact_mut(G) {
        let (Ok(og), Some(a0), Some(a1), Some(a2), Some(a3)) = (
            <&mut [f64; G]>::try_from(og),
            group(x[0], j),
            group(x[1], j),
            group(x[2], j),
            group(x[3], j),
        ) else {
            return;
        };
        let (Some(b1), Some(b2), Some(b3), Some(b4)) = (
            group(y[0], j),
            group(y[1], j),
            group(y[2], j),
            group(y[3], j),
        ) else {
            return;
        };
        // copy in, compute, copy out: every load precedes every store, so the group vectorises
        // whatever the slices' addresses
        let (a0, a1, a2, a3) = (*a0, *a1, *a2, *a3);
        let (b1, b2, b3, b4) = (*b1, *b2, *b3, *b4);
        let mut r = [0.0; G];
        for k in 0..G {
            r[k] = step([a0[k], a1[k], a2[k], a3[k]], [b1[k], b2[k], b3[k], b4[k]]);
        }
        *og = r;
        j += G;
    }
    // the remainder from j (sliced, not `enumerate().skip(j)`, whose `nth` call LLVM sometimes
    // keeps out of line and then optimises the whole row function worse)
    let rest = o.get_mut(j..).unwrap_or(&mut []);
    for (k, o) in (j..).zip(rest.iter_mut()) {
        let a = x.map(|r| at(r, k));
        let b = y.map(|r| at(r, k));
        *o = step(a, b);
    }
}

/// One anti-causal step: `z = ema(x0, m) − ema(q1, d)` per line (x0 = sample i, x1..x3 the
/// following ones; q1..q4 the last four z), `o = (f32)(o + z)`, and z replaces q4.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn anti_causal_row(
    o: &mut [f64],
    x0: &[f64],
    x1: &[f64],
    x2: &[f64],
    x3: &[f64],
    q1: &[f64],
    q2: &[f64],
    q3: &[f64],
    q4: &mut [f64],
    c: &Coefficients,
) {
    let x = [x0, x1, x2, x3];
    let q = [q1, q2, q3];
    let step = |o: &mut f64, q4: &mut f64, a: [f64; 4], b: [f64; 3]| {
        let zi = anti_causal_step(c, a, [b[0], b[1], b[2], *q4]);
        *q4 = zi;
        let s = *o + zi;
        *o = f64::from(s as f32);
    };
    let mut j = 0;
    for (og, qg) in o.chunks_exact_mut(G).zip(q4.chunks_exact_mut(G)) {
        let (Ok(og), Ok(qg), Some(a0), Some(a1), Some(a2), Some(a3)) = (
            <&mut [f64; G]>::try_from(og),
            <&mut [f64; G]>::try_from(qg),
            group(x[0], j),
            group(x[1], j),
            group(x[2], j),
            group(x[3], j),
        ) else {
            return;
        };
        let (Some(b1), Some(b2), Some(b3)) = (group(q[0], j), group(q[1], j), group(q[2], j))
        else {
            return;
        };
        // copy in, compute, copy out (see causal_row)
        let (a0, a1, a2, a3) = (*a0, *a1, *a2, *a3);
        let (b1, b2, b3) = (*b1, *b2, *b3);
        let (mut o, mut z) = (*og, *qg);
        for k in 0..G {
            let a = [a0[k], a1[k], a2[k], a3[k]];
            step(&mut o[k], &mut z[k], a, [b1[k], b2[k], b3[k]]);
        }
        *og = o;
        *qg = z;
        j += G;
    }
    // the remainder from j (sliced: see causal_row)
    let rest = o.get_mut(j..).unwrap_or(&mut []);
    let rest_q = q4.get_mut(j..).unwrap_or(&mut []);
    for (k, (o, q4)) in (j..).zip(rest.iter_mut().zip(rest_q.iter_mut())) {
        let a = x.map(|r| at(r, k));
        let b = q.map(|r| at(r, k));
        step(o, q4, a, b);
    }
}

/// Copies `w` lines of `ln` samples (sample i of line j at `src[i * stride + j]`) into
/// `dst[i * w + j]` as f64.
fn load_block<T: Sample>(
    src: &[T],
    stride: usize,
    ln: usize,
    w: usize,
    dst: &mut [f64],
) -> Result<(), Error> {
    let need = ln.checked_mul(w).ok_or(Error::SizeOverflow)?;
    let dst = dst.get_mut(..need).ok_or(Error::ScratchTooSmall)?;
    for (i, d) in dst.chunks_exact_mut(w).enumerate() {
        let s = i * stride;
        let s = src.get(s..s + w).ok_or(Error::ScratchTooSmall)?;
        for (d, s) in d.iter_mut().zip(s) {
            *d = s.to_f64();
        }
    }
    Ok(())
}

/// [`filter_line_range`] on `w` lines at once: sample i of line j is `data[i * ds + j]`
/// (i < ln, w ≤ ds), its output i goes to `outs[i * w + j]` (entries outside `lo..hi` unspecified),
/// `ring` (≥ 4·w) holds the anti-causal recursion's last four values. Each line gets exactly
/// the operations of [`filter_line_range`], in the same order; only the loops over the lines are
/// innermost.
#[allow(clippy::too_many_arguments)]
fn filter_block(
    c: &Coefficients,
    data: &[f64],
    ds: usize,
    ln: usize,
    w: usize,
    outs: &mut [f64],
    ring: &mut [f64],
    lo: usize,
    hi: usize,
) -> Result<(), Error> {
    if ln < 4 || w == 0 || w > ds {
        return Err(Error::ImageTooSmallForFilter);
    }
    let need = ln.checked_mul(w).ok_or(Error::SizeOverflow)?;
    let need_in = (ln - 1)
        .checked_mul(ds)
        .and_then(|v| v.checked_add(w))
        .ok_or(Error::SizeOverflow)?;
    let data = data.get(..need_in).ok_or(Error::ScratchTooSmall)?;
    let outs = outs.get_mut(..need).ok_or(Error::ScratchTooSmall)?;
    let ring = ring.get_mut(..4 * w).ok_or(Error::ScratchTooSmall)?;
    let hi = hi.clamp(4, ln);
    let lo = lo.min(ln - 4);
    let [n0, n1, n2, n3] = c.n;
    let [d1, d2, d3, _] = c.d;
    let [m1, m2, m3, m4] = c.m;
    let [bn1, bn2, bn3, bn4] = c.bn;
    let [bm1, bm2, bm3, bm4] = c.bm;
    // in range: i·ds + w ≤ need_in for i < ln
    let row = |i: usize| -> &[f64] { data.get(i * ds..i * ds + w).unwrap_or(&[]) };

    // causal, first four outputs
    {
        let (x1, x2, x3) = (row(1), row(2), row(3));
        let mut o = outs.chunks_exact_mut(w);
        let (Some(o0), Some(o1), Some(o2), Some(o3)) = (o.next(), o.next(), o.next(), o.next())
        else {
            return Err(Error::ScratchTooSmall);
        };
        for (j, &v) in row(0).iter().enumerate() {
            let (x1, x2, x3) = (at(x1, j), at(x2, j), at(x3, j));
            let mut y0 = ema(v, n0, v, n1, v, n2, v, n3);
            let mut y1 = ema(x1, n0, v, n1, v, n2, v, n3);
            let mut y2 = ema(x2, n0, x1, n1, v, n2, v, n3);
            let mut y3 = ema(x3, n0, x2, n1, x1, n2, v, n3);
            y0 -= ema(v, bn1, v, bn2, v, bn3, v, bn4);
            y1 -= ema(y0, d1, v, bn2, v, bn3, v, bn4);
            y2 -= ema(y1, d1, y0, d2, v, bn3, v, bn4);
            y3 -= ema(y2, d1, y1, d2, y0, d3, v, bn4);
            put(o0, j, y0);
            put(o1, j, y1);
            put(o2, j, y2);
            put(o3, j, y3);
        }
    }
    // causal, the rest up to hi
    for i in 4..hi {
        let (prev, cur) = outs
            .split_at_mut_checked(i * w)
            .ok_or(Error::ScratchTooSmall)?;
        let cur = cur.get_mut(..w).ok_or(Error::ScratchTooSmall)?;
        if w == LANES {
            // a full block (the usual case): the rows as arrays, taken once per row, and the
            // same operations per line as causal_row without its per-group slicing, which cost
            // about as many instructions as the arithmetic
            let (Ok(o), Some(x0), Some(x1), Some(x2), Some(x3)) = (
                <&mut [f64; LANES]>::try_from(cur),
                full(data, ds, i),
                full(data, ds, i - 1),
                full(data, ds, i - 2),
                full(data, ds, i - 3),
            ) else {
                return Err(Error::ScratchTooSmall);
            };
            let (Some(y1), Some(y2), Some(y3), Some(y4)) = (
                full(prev, LANES, i - 1),
                full(prev, LANES, i - 2),
                full(prev, LANES, i - 3),
                full(prev, LANES, i - 4),
            ) else {
                return Err(Error::ScratchTooSmall);
            };
            let mut r = [0.0; LANES];
            for k in 0..LANES {
                r[k] = causal_step(
                    c,
                    [x0[k], x1[k], x2[k], x3[k]],
                    [y1[k], y2[k], y3[k], y4[k]],
                );
            }
            *o = r;
            continue;
        }
        let yr = |k: usize| prev.get((i - k) * w..(i - k + 1) * w).unwrap_or(&[]);
        let x = [row(i), row(i - 1), row(i - 2), row(i - 3)];
        causal_row(cur, x[0], x[1], x[2], x[3], yr(1), yr(2), yr(3), yr(4), c);
    }

    // anti-causal: ring slot p % 4 holds the value z finalised into output p
    let fin = |outs: &mut [f64], p: usize, j: usize, z: f64| {
        let s = at(outs, p * w + j) + z;
        put(outs, p * w + j, f64::from(s as f32));
    };
    {
        let (xl1, xl2, xl3) = (row(ln - 1), row(ln - 2), row(ln - 3));
        for j in 0..w {
            let w0 = at(xl1, j);
            let (xa, xb, xc) = (w0, at(xl2, j), at(xl3, j));
            let mut z0 = ema(w0, m1, w0, m2, w0, m3, w0, m4);
            let mut z1 = ema(xa, m1, w0, m2, w0, m3, w0, m4);
            let mut z2 = ema(xb, m1, xa, m2, w0, m3, w0, m4);
            let mut z3 = ema(xc, m1, xb, m2, xa, m3, w0, m4);
            z0 -= ema(w0, bm1, w0, bm2, w0, bm3, w0, bm4);
            z1 -= ema(z0, d1, w0, bm2, w0, bm3, w0, bm4);
            z2 -= ema(z1, d1, z0, d2, w0, bm3, w0, bm4);
            z3 -= ema(z2, d1, z1, d2, z0, d3, w0, bm4);
            fin(outs, ln - 1, j, z0);
            fin(outs, ln - 2, j, z1);
            fin(outs, ln - 3, j, z2);
            fin(outs, ln - 4, j, z3);
            put(ring, ((ln - 1) % 4) * w + j, z0);
            put(ring, ((ln - 2) % 4) * w + j, z1);
            put(ring, ((ln - 3) % 4) * w + j, z2);
            put(ring, ((ln - 4) % 4) * w + j, z3);
        }
    }
    let mut rs = ring.chunks_exact_mut(w);
    let (Some(s0), Some(s1), Some(s2), Some(s3)) = (rs.next(), rs.next(), rs.next(), rs.next())
    else {
        return Err(Error::ScratchTooSmall);
    };
    let mut i = ln - 4;
    while i > lo {
        // q1..q4 = values finalised into outputs i, i+1, i+2, i+3; the new one (output i-1)
        // takes the slot of q4
        let (q1, q2, q3, q4): (&[f64], &[f64], &[f64], &mut [f64]) = match i % 4 {
            0 => (&*s0, &*s1, &*s2, &mut *s3),
            1 => (&*s1, &*s2, &*s3, &mut *s0),
            2 => (&*s2, &*s3, &*s0, &mut *s1),
            _ => (&*s3, &*s0, &*s1, &mut *s2),
        };
        let cur = outs
            .get_mut((i - 1) * w..i * w)
            .ok_or(Error::ScratchTooSmall)?;
        if w == LANES {
            // a full block: arrays, no per-group slicing (see the causal loop)
            let (Ok(o), Ok(q4), Some(x0), Some(x1), Some(x2), Some(x3)) = (
                <&mut [f64; LANES]>::try_from(cur),
                <&mut [f64; LANES]>::try_from(q4),
                full(data, ds, i),
                full(data, ds, i + 1),
                full(data, ds, i + 2),
                full(data, ds, i + 3),
            ) else {
                return Err(Error::ScratchTooSmall);
            };
            // the ring slots' first LANES values
            let (Some(q1), Some(q2), Some(q3)) = (full(q1, 0, 0), full(q2, 0, 0), full(q3, 0, 0))
            else {
                return Err(Error::ScratchTooSmall);
            };
            let mut z = [0.0; LANES];
            let mut oa = *o;
            for k in 0..LANES {
                let x = [x0[k], x1[k], x2[k], x3[k]];
                let zi = anti_causal_step(c, x, [q1[k], q2[k], q3[k], q4[k]]);
                z[k] = zi;
                oa[k] = f64::from((oa[k] + zi) as f32);
            }
            *o = oa;
            *q4 = z;
            i -= 1;
            continue;
        }
        let x = [row(i), row(i + 1), row(i + 2), row(i + 3)];
        anti_causal_row(cur, x[0], x[1], x[2], x[3], q1, q2, q3, q4, c);
        i -= 1;
    }
    Ok(())
}

/// One causal step of one line, in ITK's order: `ema(x, n) − ema(y, d)` with
/// `x = (x_i, x_{i−1}, x_{i−2}, x_{i−3})` and `y = (y_{i−1}, …, y_{i−4})`. Every causal loop
/// (one group, a remainder, a full block) uses it, so they cannot drift apart.
#[inline(always)]
fn causal_step(c: &Coefficients, x: [f64; 4], y: [f64; 4]) -> f64 {
    let ([n0, n1, n2, n3], [d1, d2, d3, d4]) = (c.n, c.d);
    let mut yi = ema(x[0], n0, x[1], n1, x[2], n2, x[3], n3);
    yi -= ema(y[0], d1, y[1], d2, y[2], d3, y[3], d4);
    yi
}

/// One anti-causal step of one line: `ema(x, m) − ema(z, d)` with `x = (x_i, …, x_{i+3})` and
/// `z` the last four values, newest first (see [`causal_step`]).
#[inline(always)]
fn anti_causal_step(c: &Coefficients, x: [f64; 4], z: [f64; 4]) -> f64 {
    let ([m1, m2, m3, m4], [d1, d2, d3, d4]) = (c.m, c.d);
    let mut zi = ema(x[0], m1, x[1], m2, x[2], m3, x[3], m4);
    zi -= ema(z[0], d1, z[1], d2, z[2], d3, z[3], d4);
    zi
}

/// Row `i` of a block of [`LANES`] lines with row stride `ds`, as an array.
#[inline(always)]
fn full(data: &[f64], ds: usize, i: usize) -> Option<&[f64; LANES]> {
    data.get(i * ds..i * ds + LANES)?.try_into().ok()
}

/// Filters `lanes` lines with each of `cs` (sample i of line j at `src[i * stride + j]`,
/// lanes ≤ stride): loads as many lines at a time as `blk_in` holds (long contiguous reads even
/// for a large stride), once for all of `cs`, and filters them [`LANES`] at a time;
/// `emit(s, j, w, outs)` receives the outputs of lines `j..j + w` filtered with `cs[s]` (line
/// j + k's output i at `outs[i * w + k]`, specified for `lo..hi`).
#[allow(clippy::too_many_arguments)]
fn filter_lines<T: Sample>(
    cs: &[Coefficients],
    src: &[T],
    stride: usize,
    ln: usize,
    lanes: usize,
    (blk_in, blk_out, ring): (&mut [f64], &mut [f64], &mut [f64]),
    (lo, hi): (usize, usize),
    map: Option<PointMap>,
    mut emit: impl FnMut(usize, usize, usize, &[f64]) -> Result<(), Error>,
) -> Result<(), Error> {
    let cap = blk_in.len().checked_div(ln).unwrap_or(0).min(lanes);
    if cap == 0 {
        return Err(Error::ScratchTooSmall);
    }
    let mut j = 0;
    while j < lanes {
        let wl = cap.min(lanes - j);
        load_block(
            src.get(j..).ok_or(Error::ScratchTooSmall)?,
            stride,
            ln,
            wl,
            blk_in,
        )?;
        if let Some(m) = &map {
            // normalised image: the filter reads f(x) (float64)
            for v in blk_in.iter_mut().take(ln * wl) {
                *v = m.apply(*v);
            }
        }
        let mut k = 0;
        while k < wl {
            let w = LANES.min(wl - k);
            let data = blk_in.get(k..).ok_or(Error::ScratchTooSmall)?;
            for (s, c) in cs.iter().enumerate() {
                filter_block(c, data, wl, ln, w, blk_out, ring, lo, hi)?;
                emit(s, j + k, w, blk_out)?;
            }
            k += w;
        }
        j += wl;
    }
    Ok(())
}

/// Pass 1 of term `d` on plane `c3` (order 2 along a1 on every a1 line, [`LANES`] lines at a
/// time), for each of the coefficient sets `cs` (one per sigma) on one load of the lines; keeps
/// the ROI extent `lo1..lo1 + r1` of each line filtered with `cs[s]` in
/// `slabs[s * slab_len + c2 * r1 + k1]`.
#[allow(clippy::too_many_arguments)]
fn pass1<T: Sample>(
    v: &[T],
    dims: [usize; 3],
    d: usize,
    c3: usize,
    cs: &[Coefficients],
    (lo1, r1): (usize, usize),
    (blk_in, blk_out, ring): (&mut [f64], &mut [f64], &mut [f64]),
    (slabs, slab_len): (&mut [f32], usize),
    map: Option<PointMap>,
) -> Result<(), Error> {
    let [nx, ny, _] = dims;
    let [a1, a2, _] = pass_axes(d);
    let (n1, n2) = (dims[a1], dims[a2]);
    let mut keep = |s: usize, c2: usize, w: usize, outs: &[f64]| -> Result<(), Error> {
        // line c2 + j's outputs lo1..lo1 + r1 (outs[(lo1 + k1)·w + j]) to its row of slab s
        if outs.len() < (lo1 + r1) * w {
            return Err(Error::ScratchTooSmall);
        }
        let base = s * slab_len;
        for j in 0..w {
            let at = base + (c2 + j) * r1;
            let row = slabs.get_mut(at..at + r1).ok_or(Error::ScratchTooSmall)?;
            let src = outs.get(lo1 * w + j..).unwrap_or(&[]).iter().step_by(w);
            for (d, s) in row.iter_mut().zip(src) {
                *d = *s as f32;
            }
        }
        Ok(())
    };
    if d != 0 {
        // d = 1: lines along y at x = c2 + j, z = c3; d = 2: along z at x = c2 + j, y = c3
        let (start, stride) = if d == 1 {
            (nx * ny * c3, nx)
        } else {
            (nx * c3, nx * ny)
        };
        let src = v.get(start..).ok_or(Error::ImageLengthMismatch)?;
        let bufs = (blk_in, blk_out, ring);
        return filter_lines(
            cs,
            src,
            stride,
            n1,
            n2,
            bufs,
            (lo1, lo1 + r1),
            map,
            &mut keep,
        );
    }
    let mut c2 = 0;
    while c2 < n2 {
        let w = LANES.min(n2 - c2);
        // lines along x (rows y = c2 + j of slice z = c3), transposed into blk_in[x·w + j]
        if blk_in.len() < nx * w {
            return Err(Error::ScratchTooSmall);
        }
        for j in 0..w {
            let start = nx * ((c2 + j) + ny * c3);
            let src = v.get(start..start + nx).ok_or(Error::ImageLengthMismatch)?;
            let col = blk_in.get_mut(j..).unwrap_or(&mut []).iter_mut().step_by(w);
            match &map {
                None => col.zip(src).for_each(|(d, s)| *d = s.to_f64()),
                Some(m) => col.zip(src).for_each(|(d, s)| *d = m.apply(s.to_f64())),
            }
        }
        for (s, c) in cs.iter().enumerate() {
            filter_block(c, blk_in, w, n1, w, blk_out, ring, lo1, lo1 + r1)?;
            keep(s, c2, w, blk_out)?;
        }
        c2 += w;
    }
    Ok(())
}

/// Most sigmas [`filter_many`] filters on one load of the image lines.
pub const MAX_SIGMAS: usize = 4;

/// LoG of the whole image, restricted to `roi` (x fastest), into `out[..roi.len()]`.
/// Callers ([`super::filter_roi`]) have checked applicability and the scratch size.
pub fn filter(
    image: &ImageView,
    roi: &RoiBox,
    sigma_mm: f64,
    out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    filter_many(image, roi, &[sigma_mm], out, scratch)
}

/// Scratch (f64 elements) of [`filter_many`] for `n_sigmas` sigmas: one plane buffer and one
/// slab per sigma (f32, two per element, each rounded up) and the line blocks
/// ([`scratch_len`] for one sigma).
pub fn scratch_len_many(dims: [usize; 3], r: [usize; 3], n_sigmas: usize) -> Option<usize> {
    let (plane, slab) = f32_lens(dims, r)?;
    let per_sigma = plane.div_ceil(2).checked_add(slab.div_ceil(2))?;
    let one = scratch_len(dims, r)?;
    one.checked_add(per_sigma.checked_mul(n_sigmas.checked_sub(1)?)?)
}

/// [`filter`] for up to [`MAX_SIGMAS`] sigmas at once: the LoG of sigma `sigmas[s]` goes to
/// `out[s·B..(s + 1)·B]` (B = `roi.len()`). Every value has exactly the bits [`filter`] gives
/// for that sigma alone; what the sigmas share is the reading of the image: the first pass of
/// each term loads (and converts to f64) each block of image lines once and filters it with
/// every sigma's coefficients, so the nine whole-image passes per sigma read the image three
/// times in all. Scratch: [`scratch_len_many`]. Errors: those of [`filter`];
/// [`Error::BadSetting`] for no sigma or more than [`MAX_SIGMAS`].
pub fn filter_many(
    image: &ImageView,
    roi: &RoiBox,
    sigmas: &[f64],
    out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    let ns = sigmas.len();
    if ns == 0 || ns > MAX_SIGMAS {
        return Err(Error::BadSetting);
    }
    let dims = image.dims();
    let spacing = image.spacing();
    for &sigma_mm in sigmas {
        check_applicable(dims, spacing, sigma_mm)?;
    }
    let r = roi.dims();
    let need = scratch_len_many(dims, r, ns).ok_or(Error::SizeOverflow)?;
    if scratch.len() < need {
        return Err(Error::ScratchTooSmall);
    }
    let n_out = roi.len();
    let out = out
        .get_mut(..n_out.checked_mul(ns).ok_or(Error::SizeOverflow)?)
        .ok_or(Error::OutputTooSmall)?;
    out.fill(0.0);

    let nmax = dims[0].max(dims[1]).max(dims[2]);
    let (plane_len, slab_len) = f32_lens(dims, r).ok_or(Error::SizeOverflow)?;
    // per sigma, rounded up to whole f64 elements so that each starts on one
    let (plane_len, slab_len) = (plane_len.div_ceil(2) * 2, slab_len.div_ceil(2) * 2);
    let (blk_in, rest) = scratch
        .split_at_mut_checked(LANES * nmax)
        .ok_or(Error::ScratchTooSmall)?;
    let (blk_out, rest) = rest
        .split_at_mut_checked(LANES * nmax)
        .ok_or(Error::ScratchTooSmall)?;
    let (ring, rest) = rest
        .split_at_mut_checked(4 * LANES)
        .ok_or(Error::ScratchTooSmall)?;
    let (planes64, slabs64) = rest
        .split_at_mut_checked(ns * plane_len / 2)
        .ok_or(Error::ScratchTooSmall)?;
    let planes: &mut [f32] = bytemuck::cast_slice_mut(planes64);
    let slabs: &mut [f32] = bytemuck::cast_slice_mut(slabs64);
    let slabs = slabs
        .get_mut(..ns * slab_len)
        .ok_or(Error::ScratchTooSmall)?;

    for (d, sp) in spacing.iter().enumerate() {
        let [a1, a2, a3] = pass_axes(d);
        let (n2, n3) = (dims[a2], dims[a3]);
        let (r1, r2, r3) = (r[a1], r[a2], r[a3]);
        let (lo1, lo2, lo3) = (roi.lo[a1], roi.lo[a2], roi.lo[a3]);
        // this term's pass-1 (order 2 along a1) and pass-2 (order 0 along a2) coefficients
        let mut deriv = [Coefficients::ZERO; MAX_SIGMAS];
        let mut smooth2 = [Coefficients::ZERO; MAX_SIGMAS];
        for ((dc, sc), &sigma_mm) in deriv.iter_mut().zip(smooth2.iter_mut()).zip(sigmas) {
            *dc = Coefficients::new(sigma_mm, spacing[a1], true);
            *sc = Coefficients::new(sigma_mm, spacing[a2], false);
        }
        let deriv = deriv.get(..ns).ok_or(Error::BadSetting)?;
        for c3 in 0..n3 {
            // pass 1 on every a1 line of plane c3, each sigma; keep the ROI extent of a1
            let bufs = (&mut *blk_in, &mut *blk_out, &mut *ring);
            let keep = (lo1, r1);
            let slab_bufs = (&mut *slabs, slab_len);
            let map = image.map();
            match image.voxels() {
                Voxels::I16(v) => pass1(v, dims, d, c3, deriv, keep, bufs, slab_bufs, map),
                Voxels::U16(v) => pass1(v, dims, d, c3, deriv, keep, bufs, slab_bufs, map),
                Voxels::I32(v) => pass1(v, dims, d, c3, deriv, keep, bufs, slab_bufs, map),
                Voxels::F32(v) => pass1(v, dims, d, c3, deriv, keep, bufs, slab_bufs, map),
                Voxels::F64(v) => pass1(v, dims, d, c3, deriv, keep, bufs, slab_bufs, map),
            }?;
            // pass 2 (order 0 along a2) on the kept columns slab[c2·r1 + k1] of each sigma;
            // keep the ROI extent of a2 in its plane[(c3·r2 + k2)·r1 + k1]
            for (s, sc) in smooth2.iter().take(ns).enumerate() {
                let slab = slabs
                    .get(s * slab_len..(s + 1) * slab_len)
                    .ok_or(Error::ScratchTooSmall)?;
                let plane = planes
                    .get_mut(s * plane_len..(s + 1) * plane_len)
                    .ok_or(Error::ScratchTooSmall)?;
                let bufs = (&mut *blk_in, &mut *blk_out, &mut *ring);
                filter_lines(
                    core::slice::from_ref(sc),
                    slab,
                    r1,
                    n2,
                    r1,
                    bufs,
                    (lo2, lo2 + r2),
                    None,
                    |_, k1, w, o| {
                        for k2 in 0..r2 {
                            let src = o
                                .get((lo2 + k2) * w..(lo2 + k2 + 1) * w)
                                .ok_or(Error::ScratchTooSmall)?;
                            let pos = (c3 * r2 + k2) * r1 + k1;
                            let dst = plane.get_mut(pos..pos + w).ok_or(Error::ScratchTooSmall)?;
                            for (t, s) in dst.iter_mut().zip(src) {
                                *t = *s as f32;
                            }
                        }
                        Ok(())
                    },
                )?;
            }
        }
        // pass 3 (order 0 along a3) on whole a3 lines plane[c3·r1·r2 + k], k = k2·r1 + k1, of
        // each sigma; accumulate the ROI extent
        let scale = 1.0 / (sp * sp);
        let nk = r1 * r2;
        for (s, &sigma_mm) in sigmas.iter().enumerate() {
            let plane = planes
                .get(s * plane_len..(s + 1) * plane_len)
                .ok_or(Error::ScratchTooSmall)?;
            let out = out
                .get_mut(s * n_out..(s + 1) * n_out)
                .ok_or(Error::OutputTooSmall)?;
            let smooth3 = Coefficients::new(sigma_mm, spacing[a3], false);
            let bufs = (&mut *blk_in, &mut *blk_out, &mut *ring);
            filter_lines(
                core::slice::from_ref(&smooth3),
                plane,
                nk,
                n3,
                nk,
                bufs,
                (lo3, lo3 + r3),
                None,
                |_, k, w, o| {
                    for k3 in 0..r3 {
                        for j in 0..w {
                            let k1 = (k + j).checked_rem(r1).ok_or(Error::BadDimensions)?;
                            let k2 = (k + j).checked_div(r1).ok_or(Error::BadDimensions)?;
                            let mut p = [0usize; 3];
                            p[a1] = lo1 + k1;
                            p[a2] = lo2 + k2;
                            p[a3] = lo3 + k3;
                            let o_at = box_index(roi, p[0], p[1], p[2]);
                            let tmp = at(o, (lo3 + k3) * w + j);
                            let cum = at(out, o_at);
                            put(out, o_at, f64::from((cum + tmp * scale) as f32));
                        }
                    }
                    Ok(())
                },
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec;
    use std::vec::Vec;

    /// xorshift: deterministic samples over a wide range.
    fn samples(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = crate::testutil::XorShift(seed);
        (0..n)
            .map(|_| (rng.next_u64() >> 11) as f64 / (1u64 << 40) as f64 - 4096.0)
            .collect()
    }

    /// Several sigmas on one load give each sigma exactly the bits of its own run, for every
    /// sample type, box position and number of sigmas.
    #[test]
    fn many_sigmas_equal_one_at_a_time() {
        use crate::image::{ImageView, RoiBox, Voxels};
        let dims = [37usize, 21, 9];
        let n = dims[0] * dims[1] * dims[2];
        let f: Vec<f64> = samples(n, 7);
        let i: Vec<i16> = f.iter().map(|v| (*v / 2.0) as i16).collect();
        let spacing = [0.8, 1.1, 2.5];
        let images = [
            ImageView::new(Voxels::F64(&f), dims, spacing).unwrap(),
            ImageView::new(Voxels::I16(&i), dims, spacing).unwrap(),
        ];
        let boxes = [
            RoiBox {
                lo: [3, 2, 1],
                hi: [20, 19, 7],
            },
            RoiBox {
                lo: [0, 0, 0],
                hi: [37, 21, 9],
            },
            RoiBox {
                lo: [36, 5, 8],
                hi: [37, 6, 9],
            },
        ];
        let sigmas = [1.0, 2.5, 0.7, 3.0];
        for im in &images {
            for roi in &boxes {
                for ns in 1..=MAX_SIGMAS {
                    let b = roi.len();
                    let mut many = vec![f64::NAN; ns * b];
                    let need = scratch_len_many(dims, roi.dims(), ns).unwrap();
                    let mut scratch = vec![f64::NAN; need];
                    filter_many(im, roi, &sigmas[..ns], &mut many, &mut scratch).unwrap();
                    assert_eq!(
                        filter_many(im, roi, &sigmas[..ns], &mut many, &mut scratch[..need - 1]),
                        Err(Error::ScratchTooSmall)
                    );
                    filter_many(im, roi, &sigmas[..ns], &mut many, &mut scratch).unwrap();
                    for (s, &sigma) in sigmas[..ns].iter().enumerate() {
                        let mut one = vec![f64::NAN; b];
                        let mut sc = vec![f64::NAN; scratch_len(dims, roi.dims()).unwrap()];
                        filter(im, roi, sigma, &mut one, &mut sc).unwrap();
                        for (k, (a, w)) in many[s * b..(s + 1) * b].iter().zip(&one).enumerate() {
                            assert_eq!(a.to_bits(), w.to_bits(), "sigma {sigma} voxel {k}");
                        }
                    }
                }
            }
        }
        let (im, roi) = (&images[0], &boxes[0]);
        let mut scratch = vec![0.0; scratch_len_many(dims, roi.dims(), 4).unwrap()];
        let mut out = vec![0.0; 5 * roi.len()];
        assert_eq!(
            filter_many(im, roi, &[1.0; 5], &mut out, &mut scratch),
            Err(Error::BadSetting)
        );
        assert_eq!(
            filter_many(im, roi, &[], &mut out, &mut scratch),
            Err(Error::BadSetting)
        );
    }

    /// The block filter gives each line exactly the bits of the one-line filter.
    #[test]
    fn block_equals_line_bit_for_bit() {
        let mut seed = 1;
        for &(ln, w, stride) in &[
            (4usize, 1usize, 1usize),
            (5, 3, 7),
            (7, 6, 6),
            (23, 9, 12),
            (17, 16, 16),
            (64, 5, 9),
            (130, 16, 40),
        ] {
            for &(lo, hi) in &[
                (0, ln),
                (1, 3),
                (ln / 2, ln / 2 + 1),
                (ln.saturating_sub(2), ln),
            ] {
                for second in [false, true] {
                    seed += 1;
                    let c = Coefficients::new(3.0, 0.7 + seed as f64 * 0.01, second);
                    let data = samples((ln - 1) * stride + w, seed);
                    let mut outs = vec![f64::NAN; ln * w];
                    let mut ring = vec![f64::NAN; 4 * w];
                    let mut blk = vec![f64::NAN; ln * w];
                    load_block(&data, stride, ln, w, &mut blk).unwrap();
                    filter_block(&c, &blk, w, ln, w, &mut outs, &mut ring, lo, hi).unwrap();
                    let f32data: Vec<f32> = data.iter().map(|v| *v as f32).collect();
                    let mut outs32 = vec![f64::NAN; ln * w];
                    load_block(&f32data, stride, ln, w, &mut blk).unwrap();
                    filter_block(&c, &blk, w, ln, w, &mut outs32, &mut ring, lo, hi).unwrap();
                    for j in 0..w {
                        let line: Vec<f64> = (0..ln).map(|i| data[i * stride + j]).collect();
                        let mut want = vec![0.0; ln];
                        filter_line_range(&c, &line, &mut want, lo, hi).unwrap();
                        let line32: Vec<f64> = (0..ln)
                            .map(|i| f64::from(f32data[i * stride + j]))
                            .collect();
                        let mut want32 = vec![0.0; ln];
                        filter_line_range(&c, &line32, &mut want32, lo, hi).unwrap();
                        for i in lo.min(ln - 4)..hi.clamp(4, ln) {
                            assert_eq!(
                                outs[i * w + j].to_bits(),
                                want[i].to_bits(),
                                "{ln} {w} {i}"
                            );
                            assert_eq!(outs32[i * w + j].to_bits(), want32[i].to_bits());
                        }
                    }
                }
            }
        }
    }
}
