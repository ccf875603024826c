//! LBP3D: PyRadiomics 3.0.1 `imageoperations.getLBP3DImage` with its default settings
//! (`lbp3DLevels` 2, `lbp3DIcosphereRadius` 1, `lbp3DIcosphereSubdivision` 1): the image types
//! `lbp-3D-m1`, `lbp-3D-m2` (spherical-harmonics local binary pattern, levels 0 and 1) and
//! `lbp-3D-k` (kurtosis of the spherical samples).
//!
//! For a voxel with numpy index (z, y, x) and image value g:
//!
//! 1. **Samples.** `S_v` = vertex v of `trimesh.creation.icosphere(1, 1)` (42 unit vectors,
//!    trimesh's order, [`ICOSPHERE`]). PyRadiomics adds the vertex's (x, y, z) columns to the
//!    (z, y, x) index columns, so sample v is taken at numpy position
//!    `(z + S_v.x, y + S_v.y, x + S_v.z)`. `f_v` = `scipy.ndimage.map_coordinates(image, ·,
//!    order=3)` (scipy 1.14.1): a cubic B-spline through the whole image
//!    * prefilter (`spline_filter`, mode `constant`, which prefilters with **mirror** boundaries):
//!      per axis in the order z, y, x, every line `c` of length n > 1 (lines of length 1 are
//!      left as they are) is multiplied by the gain `(1 − p)(1 − 1/p)` (p = √3 − 2), then
//!      `c_0 ← (c_0 + p^{n−1} c_{n−1} + Σ_{i=1}^{n−2} p^i (c_i + p^{n−1} c_{n−1−i})) / (1 − p^{2(n−1)})`,
//!      `c_i += p c_{i−1}`, `c_{n−1} ← (p c_{n−2} + c_{n−1}) p / (p² − 1)`,
//!      `c_i ← p (c_{i+1} − c_i)` (scipy's `ni_splines.c` operation order; `p^{n−1}` by `pow`);
//!    * evaluation (`geometric_transform`, mode `constant`, cval 0): a position outside
//!      `[0, N_a − 1]` on any axis gives 0; otherwise, per axis, `s = ⌊c⌋ − 1`, `t = c − ⌊c⌋`,
//!      weights `w_0 = (1−t)³/6`, `w_1 = (t²(t − 2)·3 + 4)/6`, `w_2` the same in 1 − t,
//!      `w_3 = 1 − w_0 − w_1 − w_2`; the 64 coefficients `C[s_z+i, s_y+j, s_x+k]` (indices
//!      outside the image mirrored: −1 → 1, N → N − 2) times `w_z[i]·w_y[j]·w_x[k]`, multiplied
//!      in that order and summed with x fastest;
//!    * the output has the image's type: integer images round half away from zero (unsigned:
//!      negative → 0) and clamp to the type's range, float32 images round to f32.
//! 2. **`lbp-3D-k`** = `scipy.stats.kurtosis(f)` (Fisher, biased): with μ = Σf/42 and
//!    d = f − μ, `m2 = Σd²/42`, `m4 = Σ(d²)²/42` (numpy pairwise sums, [`np_sum`]),
//!    `k = m4/m2² − 3`, NaN if `m2 ≤ (ε μ)²` (all samples equal); computed in float32 for a
//!    float32 image, in float64 otherwise.
//! 3. **Binary pattern.** `b_v = [f_v ≥ g]`. `Y_{n,m}(v)` = `scipy.special.sph_harm(m, n, θ_v, φ_v)`
//!    with θ = arccos(S.z), φ = atan2(S.y, S.x); scipy's signature is `sph_harm(m, n, azimuth,
//!    polar)`, so PyRadiomics passes θ as the azimuth (reproduced): with x = cos φ,
//!    `Y_{0,0} = √(1/4π)`, `Y_{1,0} = −(1 − (1 + x))·√(3/4π)` (specfun's `lpmv0` series),
//!    with `P = −√(1 − x²)` (Condon–Shortley phase), `Y_{1,1} = P·√(3·½/4π)·e^{iθ}`,
//!    `Y_{1,−1} = P·(−½)·√(3·2/4π)·e^{−iθ}`.
//!    `c_{n,m} = Σ_v b_v Y_{n,m}(v)` (no conjugate), `F_n(v) = Σ_m c_{n,m} Y_{n,m}(v)`,
//!    `lbp-3D-m(n+1) = Re √(Σ_v F_n(v)²)` (complex square and square root).
//!
//! Two numpy details make PyRadiomics' `lbp-3D-m2` depend on the CPU it runs on, and are
//! reproduced as numpy 1.26 computes them on an x86-64 with AVX-512 (the machine the references
//! were made on): θ and φ come from numpy's SIMD arccos/arctan2, not correctly rounded there
//! ([`ANGLES`]); every complex product and square of level 1 is numpy's fused one
//! (`cmul_fused`: FMA3, AVX-512 and NEON builds). The cos/sin of `sph_harm` are the C library's
//! (correctly rounded, `ddmath`), and the harmonics equal scipy's to the bit, zero signs
//! included (`harmonics_are_scipys_bits`).
//!
//! Agreement with PyRadiomics 3.0.1 (scipy 1.14.1, numpy 1.26.4), voxel by voxel over the ROI:
//! `lbp-3D-m1`, `lbp-3D-m2` and `lbp-3D-k` bit-identical on brain1, brain2 and breast1 and on a
//! 512 × 512 × 61 CT-like volume with a 24 644-voxel ROI (the spline samples are bit-identical,
//! checked before rounding, in float64). On a CPU without AVX-512 numpy's own angles are the
//! correctly rounded ones and PyRadiomics' `lbp-3D-m2` moves in the last bits (a few 1e-15
//! relative), which can move a percentile feature of it by more when a voxel sits on the
//! percentile's boundary. Rounding of integer samples: the closest any reference sample comes to
//! a half-integer is 1.5e-6, far above the spline's rounding error.
//!
//! Other settings (levels ≠ 2, radius ≠ 1, subdivision ≠ 1) are not implemented: the host refuses
//! them (trimesh's subdivision order and specfun's Legendre series for n ≥ 2 are not reproduced).
//!
//! **Scratch** (f64 elements): `S_z·N_y·N_x + max(N) + 336`, where `S_z` = the z extent of the
//! ROI box grown by 2 voxels below and 3 above, clipped to the image (at most
//! `min(N_z, R_z + 5)`): the prefilter runs over whole z lines but only the slab of coefficients
//! the samples can reach is kept; plus one line buffer and the 42 × 4 complex harmonics (kept off
//! the stack). The values are computed for every voxel of the ROI box (PyRadiomics computes them
//! for ROI voxels only; features read only those).

use super::{box_index, ddmath, image_index};
use crate::features::np_sum;
use crate::image::{ImageView, RoiBox, Voxels};
use crate::Error;

/// Which LBP3D image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Lbp3dImage {
    /// `lbp-3D-m1`: level 0 (`Y_{0,0}` only).
    M1,
    /// `lbp-3D-m2`: level 1 (`Y_{1,−1}`, `Y_{1,0}`, `Y_{1,1}`).
    M2,
    /// `lbp-3D-k`: kurtosis of the 42 samples.
    Kurtosis,
}

impl Lbp3dImage {
    /// PyRadiomics' image-type name.
    pub const fn name(self) -> &'static str {
        match self {
            Lbp3dImage::M1 => "lbp-3D-m1",
            Lbp3dImage::M2 => "lbp-3D-m2",
            Lbp3dImage::Kurtosis => "lbp-3D-k",
        }
    }
}

/// Number of sample points (icosphere vertices).
pub const NV: usize = 42;

/// `trimesh.creation.icosphere(subdivisions=1, radius=1).vertices` (trimesh 5.2.0), the exact
/// float64 values in trimesh's order (printed by `tests/oracles/pyradiomics/lbp3d_icosphere.py`).
#[rustfmt::skip]
pub const ICOSPHERE: [[f64; 3]; NV] = [
    [-0.5257311121191336, 0.85065080835204, 0.0],
    [0.5257311121191336, 0.85065080835204, 0.0],
    [-0.5257311121191336, -0.85065080835204, 0.0],
    [0.5257311121191336, -0.85065080835204, 0.0],
    [0.0, -0.5257311121191336, 0.85065080835204],
    [0.0, 0.5257311121191336, 0.85065080835204],
    [0.0, -0.5257311121191336, -0.85065080835204],
    [0.0, 0.5257311121191336, -0.85065080835204],
    [0.85065080835204, 0.0, -0.5257311121191336],
    [0.85065080835204, 0.0, 0.5257311121191336],
    [-0.85065080835204, 0.0, -0.5257311121191336],
    [-0.85065080835204, 0.0, 0.5257311121191336],
    [0.0, 1.0, 0.0],
    [0.0, -1.0, 0.0],
    [-0.3090169943749474, -0.8090169943749473, 0.5],
    [0.3090169943749474, -0.8090169943749473, 0.5],
    [-0.3090169943749474, 0.8090169943749473, 0.5],
    [0.3090169943749474, 0.8090169943749473, 0.5],
    [0.0, 0.0, 1.0],
    [-0.3090169943749474, -0.8090169943749473, -0.5],
    [0.3090169943749474, -0.8090169943749473, -0.5],
    [-0.3090169943749474, 0.8090169943749473, -0.5],
    [0.3090169943749474, 0.8090169943749473, -0.5],
    [0.0, 0.0, -1.0],
    [0.8090169943749475, 0.5000000000000001, -0.30901699437494745],
    [0.8090169943749475, -0.5000000000000001, -0.30901699437494745],
    [0.5000000000000001, -0.30901699437494745, -0.8090169943749475],
    [0.5000000000000001, 0.30901699437494745, -0.8090169943749475],
    [0.8090169943749475, 0.5000000000000001, 0.30901699437494745],
    [0.8090169943749475, -0.5000000000000001, 0.30901699437494745],
    [0.5000000000000001, -0.30901699437494745, 0.8090169943749475],
    [0.5000000000000001, 0.30901699437494745, 0.8090169943749475],
    [1.0, 0.0, 0.0],
    [-0.8090169943749475, 0.5000000000000001, -0.30901699437494745],
    [-0.8090169943749475, -0.5000000000000001, -0.30901699437494745],
    [-0.5000000000000001, -0.30901699437494745, -0.8090169943749475],
    [-0.5000000000000001, 0.30901699437494745, -0.8090169943749475],
    [-0.8090169943749475, 0.5000000000000001, 0.30901699437494745],
    [-0.8090169943749475, -0.5000000000000001, 0.30901699437494745],
    [-0.5000000000000001, -0.30901699437494745, 0.8090169943749475],
    [-0.5000000000000001, 0.30901699437494745, 0.8090169943749475],
    [-1.0, 0.0, 0.0],
];

/// Per vertex of [`ICOSPHERE`], the angles getLBP3DImage hands to `sph_harm`:
/// `θ = numpy.arccos(S.z)`, `φ = numpy.arctan2(S.y, S.x)`, as numpy 1.26 computes them on an
/// AVX-512 machine (printed by `tests/oracles/pyradiomics/lbp3d_icosphere.py`). numpy's float64
/// arccos/arctan2 run SIMD kernels there that are not correctly rounded: 14 of the 42 vertices
/// get another last bit than a correctly rounded acos/atan2 (the C library's, which numpy calls
/// on CPUs without AVX-512), and the harmonics, hence `lbp-3D-m2`, follow these bits.
// numpy's bits, not the named constants they are close to (π/2, π, …)
#[allow(clippy::approx_constant)]
#[rustfmt::skip]
const ANGLES: [[f64; 2]; NV] = [
    [1.5707963267948966, 2.1243706856919418],
    [1.5707963267948966, 1.0172219678978514],
    [1.5707963267948966, -2.1243706856919418],
    [1.5707963267948966, -1.0172219678978514],
    [0.5535743588970451, -1.5707963267948966],
    [0.5535743588970451, 1.5707963267948966],
    [2.588018294692748, -1.5707963267948966],
    [2.588018294692748, 1.5707963267948966],
    [2.1243706856919418, 0.0],
    [1.0172219678978514, 0.0],
    [2.1243706856919418, 3.141592653589793],
    [1.0172219678978514, 3.141592653589793],
    [1.5707963267948966, 1.5707963267948966],
    [1.5707963267948966, -1.5707963267948966],
    [1.0471975511965976, -1.9356601549083798],
    [1.0471975511965976, -1.2059324986814133],
    [1.0471975511965976, 1.9356601549083798],
    [1.0471975511965976, 1.2059324986814133],
    [0.0, 0.0],
    [2.0943951023931957, -1.9356601549083798],
    [2.0943951023931957, -1.2059324986814133],
    [2.0943951023931957, 1.9356601549083798],
    [2.0943951023931957, 1.2059324986814133],
    [3.141592653589793, 0.0],
    [1.8849555921538759, 0.5535743588970454],
    [1.8849555921538759, -0.5535743588970454],
    [2.5132741228718345, -0.5535743588970452],
    [2.5132741228718345, 0.5535743588970452],
    [1.2566370614359172, 0.5535743588970454],
    [1.2566370614359172, -0.5535743588970454],
    [0.6283185307179586, -0.5535743588970452],
    [0.6283185307179586, 0.5535743588970452],
    [1.5707963267948966, 0.0],
    [1.8849555921538759, 2.5880182946927475],
    [1.8849555921538759, -2.5880182946927475],
    [2.5132741228718345, -2.588018294692748],
    [2.5132741228718345, 2.588018294692748],
    [1.2566370614359172, 2.5880182946927475],
    [1.2566370614359172, -2.5880182946927475],
    [0.6283185307179586, -2.588018294692748],
    [0.6283185307179586, 2.588018294692748],
    [1.5707963267948966, 3.141592653589793],
];

/// The cubic B-spline pole `√3 − 2`: the double nearest scipy's 36-digit literal
/// `-0.267949192431122706472553658494127633`.
const POLE: f64 = -0.267_949_192_431_122_7;

/// Minimum scratch (f64 elements) for [`filter`]; `None` on overflow.
pub fn scratch_len(dims: [usize; 3], roi: &RoiBox) -> Option<usize> {
    let (z0, z1) = slab(dims, roi);
    (z1 - z0)
        .checked_mul(dims[1])?
        .checked_mul(dims[0])?
        .checked_add(dims[0].max(dims[1]).max(dims[2]))?
        .checked_add(Y_LEN)
}

/// z range `[z0, z1)` of the coefficients the samples of the box can reach.
fn slab(dims: [usize; 3], roi: &RoiBox) -> (usize, usize) {
    (roi.lo[2].saturating_sub(2), (roi.hi[2] + 3).min(dims[2]))
}

/// scipy's mirror index (`map_coordinate`, mode mirror) of an integer position on an axis of
/// length `n` ≥ 1; positions are at most 2 outside the axis.
#[inline]
fn mirror(i: isize, n: usize) -> usize {
    let n = n as isize;
    if n <= 1 {
        return 0;
    }
    let m = if i < 0 {
        let sz2 = 2 * n - 2;
        if i <= 1 - n {
            i + sz2
        } else {
            -i
        }
    } else if i >= n {
        2 * n - 2 - i
    } else {
        i
    };
    m.clamp(0, n - 1) as usize
}

/// In-place cubic B-spline prefilter of one line (scipy `apply_filter`, mirror boundaries).
fn prefilter_line(c: &mut [f64]) {
    let n = c.len();
    if n <= 1 {
        return;
    }
    let z = POLE;
    let mut gain = 1.0;
    gain *= (1.0 - z) * (1.0 - 1.0 / z);
    for v in c.iter_mut() {
        *v *= gain;
    }
    // Causal initialisation (mirror).
    let z_n_1 = libm::pow(z, (n - 1) as f64);
    let mut c0 = c[0] + z_n_1 * c[n - 1];
    let mut z_i = z;
    for i in 1..n - 1 {
        c0 += z_i * (c[i] + z_n_1 * c[n - 1 - i]);
        z_i *= z;
    }
    c0 /= 1.0 - z_n_1 * z_n_1;
    c[0] = c0;
    for i in 1..n {
        c[i] += z * c[i - 1];
    }
    // Anticausal initialisation (mirror).
    c[n - 1] = (z * c[n - 2] + c[n - 1]) * z / (z * z - 1.0);
    for i in (0..n - 1).rev() {
        c[i] = z * (c[i + 1] - c[i]);
    }
}

/// Spline weights of one axis at coordinate `cc` (scipy `get_spline_interpolation_weights`).
#[inline]
fn weights(cc: f64) -> [f64; 4] {
    let x = cc - libm::floor(cc);
    let y = x;
    let z = 1.0 - x;
    let w1 = (y * y * (y - 2.0) * 3.0 + 4.0) / 6.0;
    let w2 = (z * z * (z - 2.0) * 3.0 + 4.0) / 6.0;
    let w0 = z * z * z / 6.0;
    let mut w3 = 1.0;
    w3 -= w0;
    w3 -= w1;
    w3 -= w2;
    [w0, w1, w2, w3]
}

/// How a float64 spline value becomes the image's type (`map_coordinates` output dtype).
#[derive(Clone, Copy)]
enum Out {
    /// Signed integer in [lo, hi]: round half away from zero, clamp, truncate.
    Int(f64, f64),
    /// Unsigned integer ≤ hi: negative → 0, round half up, clamp, truncate.
    Uint(f64),
    F32,
    F64,
}

impl Out {
    #[inline]
    fn apply(self, t: f64) -> f64 {
        match self {
            Out::Int(lo, hi) => {
                let r = if t > 0.0 { t + 0.5 } else { t - 0.5 };
                libm::trunc(r.clamp(lo, hi))
            }
            Out::Uint(hi) => {
                let r = if t > 0.0 { t + 0.5 } else { 0.0 };
                libm::trunc(r.min(hi))
            }
            Out::F32 => f64::from(t as f32),
            Out::F64 => t,
        }
    }
}

/// f64 elements of the spherical-harmonics table kept in the scratch: per vertex
/// `[Y_{0,0}, Y_{1,−1}, Y_{1,0}, Y_{1,1}]`, each (re, im).
const Y_LEN: usize = NV * 8;

/// Spherical harmonics `[Y_{0,0}, Y_{1,−1}, Y_{1,0}, Y_{1,1}]` at the vertex with angles
/// `[θ, φ]` ([`ANGLES`]), each a complex (re, im); scipy's `sph_harm` takes cos and sin from the
/// C library (correctly rounded: [`ddmath`]).
fn harmonic(&[theta, phi]: &[f64; 2]) -> [(f64, f64); 4] {
    let four_pi = 4.0 * core::f64::consts::PI;
    {
        let x = ddmath::cos(phi);
        // (m, n) = (0, 0): pmv = 1, poch(1, 0) = 1.
        let y00 = libm::sqrt(1.0 * 1.0 / four_pi);
        // (0, 1): lpmv0's series for degree 1, order 0: −(1 + r), r = ½·(−1)·2/1·(1 + x), whose
        // factors multiply exactly to −1: −(1 − (1 + x)), not −x.
        let p10 = -(1.0 - (1.0 + x));
        let y10 = p10 * libm::sqrt(3.0 * 1.0 / four_pi);
        // (±1, 1): pmv(1, 1, x) = −√(1 − x²) (c0 = ½·√(1 − x²)·2).
        let p11 = -(0.5 * libm::sqrt(1.0 - x * x) / 1.0 * 2.0);
        let a_pos = p11 * libm::sqrt(3.0 * 0.5 / four_pi);
        let a_neg = p11 * -0.5 * libm::sqrt(3.0 * 2.0 / four_pi);
        // scipy scales the complex pmv (p11, +0) by the real factors: the prefactor −½ turns its
        // imaginary part into −0, which the product with e^{−iθ} carries into the zero signs
        let i_neg = 0.0 * -0.5;
        let (s1, c1) = (ddmath::sin(theta), ddmath::cos(theta));
        let (sm, cm) = (ddmath::sin(-theta), ddmath::cos(-theta));
        [
            (y00, 0.0),
            (a_neg * cm - i_neg * sm, a_neg * sm + i_neg * cm),
            (y10, 0.0),
            (a_pos * c1 - 0.0 * s1, a_pos * s1 + 0.0 * c1),
        ]
    }
}

/// Entry `j` of the harmonics of one vertex in the scratch table (8 f64).
#[inline]
fn yat(row: &[f64], j: usize) -> (f64, f64) {
    (
        row.get(2 * j).copied().unwrap_or(0.0),
        row.get(2 * j + 1).copied().unwrap_or(0.0),
    )
}

#[inline]
fn cmul(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

/// numpy's complex product (`simd_cmul` of numpy ≥ 1.25 on FMA3/AVX-512/NEON machines, where
/// every complex `multiply` and `square` of PyRadiomics' LBP3D runs): one fused multiply-add per
/// part, `re = fma(a_re, b_re, −(a_im·b_im))`, `im = fma(a_re, b_im, a_im·b_re)`. `libm::fma` is
/// correctly rounded on every target (the FMA instruction where the CPU has one, software
/// otherwise), so host and device agree to the bit. Equal to [`cmul`] when `a_im·b_im` and
/// `a_im·b_re` vanish, or `a_re·b_re`, `a_re·b_im` are exact (real factors, 0/1 weights).
#[inline]
fn cmul_fused(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (
        libm::fma(a.0, b.0, -(a.1 * b.1)),
        libm::fma(a.0, b.1, a.1 * b.0),
    )
}

/// Real part of the principal complex square root (C99 `csqrt`, glibc's formulas).
fn csqrt_re(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        return if a < 0.0 {
            0.0
        } else {
            libm::fabs(libm::sqrt(a))
        };
    }
    let d = libm::hypot(a, b);
    if a > 0.0 {
        libm::sqrt(0.5 * (d + a))
    } else {
        let s = libm::sqrt(0.5 * (d - a));
        libm::fabs(0.5 * (b / s))
    }
}

/// `scipy.stats.kurtosis` (Fisher, biased) of the samples, computed in `$t` as numpy does for
/// an array of that dtype: mean, then the second and fourth central moments (numpy pairwise
/// sums), NaN where scipy finds the variance zero (`m2 ≤ (eps·mean)²`), `m4/m2² − 3`.
macro_rules! kurtosis_in {
    ($name:ident, $t:ty) => {
        fn $name(f: &[f64; NV]) -> f64 {
            let g = |i: usize| f[i] as $t;
            let n = NV as $t;
            let mean = np_sum(NV, g) / n;
            let d = |i: usize| g(i) - mean;
            let m2 = np_sum(NV, |i| d(i) * d(i)) / n;
            let m4 = np_sum(NV, |i| {
                let s = d(i) * d(i);
                s * s
            }) / n;
            if m2 <= (<$t>::EPSILON * mean) * (<$t>::EPSILON * mean) {
                return f64::NAN;
            }
            f64::from(m4 / (m2 * m2) - 3.0)
        }
    };
}
kurtosis_in!(kurtosis_f64, f64);
kurtosis_in!(kurtosis_f32, f32);

/// Writes LBP3D image `which` for every voxel of `roi` into `out[box index]` (x fastest).
/// `scratch.len() ≥` [`scratch_len`]. Errors: [`Error::ScratchTooSmall`],
/// [`Error::OutputTooSmall`], [`Error::SizeOverflow`].
pub fn filter(
    image: &ImageView,
    roi: &RoiBox,
    which: Lbp3dImage,
    out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    let dims = image.dims();
    let need = scratch_len(dims, roi).ok_or(Error::SizeOverflow)?;
    let scratch = scratch.get_mut(..need).ok_or(Error::ScratchTooSmall)?;
    let (z0, z1) = slab(dims, roi);
    let plane = dims[0] * dims[1];
    let (coef, rest) = scratch.split_at_mut((z1 - z0) * plane);
    let (y_tab, line) = rest.split_at_mut(Y_LEN);
    let [nx, ny, nz] = dims;

    // Prefilter, axis z (numpy axis 0) over whole lines, keeping the slab.
    let lz = &mut line[..nz];
    for y in 0..ny {
        for x in 0..nx {
            for (z, l) in lz.iter_mut().enumerate() {
                *l = image.get_f64(image_index(dims, x, y, z));
            }
            prefilter_line(lz);
            for z in z0..z1 {
                coef[x + nx * (y + ny * (z - z0))] = lz[z];
            }
        }
    }
    // Axis y (numpy axis 1), then x (axis 2), on the slab.
    let ly = &mut line[..ny];
    for z in 0..z1 - z0 {
        for x in 0..nx {
            for (y, l) in ly.iter_mut().enumerate() {
                *l = coef[x + nx * (y + ny * z)];
            }
            prefilter_line(ly);
            for (y, l) in ly.iter().enumerate() {
                coef[x + nx * (y + ny * z)] = *l;
            }
        }
    }
    for row in coef.chunks_exact_mut(nx) {
        prefilter_line(row);
    }

    let kind = match (image.voxels(), image.map()) {
        (_, Some(_)) | (Voxels::F64(_), None) => Out::F64,
        (Voxels::F32(_), None) => Out::F32,
        (Voxels::I16(_), None) => Out::Int(f64::from(i16::MIN), f64::from(i16::MAX)),
        (Voxels::U16(_), None) => Out::Uint(f64::from(u16::MAX)),
        (Voxels::I32(_), None) => Out::Int(f64::from(i32::MIN), f64::from(i32::MAX)),
    };
    for (row, s) in y_tab.chunks_exact_mut(8).zip(ANGLES.iter()) {
        for (j, y) in harmonic(s).iter().enumerate() {
            row[2 * j] = y.0;
            row[2 * j + 1] = y.1;
        }
    }
    let y_tab = &*y_tab;
    let len = [nz, ny, nx];
    let stride = [plane, nx, 1];
    let mut f = [0.0f64; NV];
    for z in roi.lo[2]..roi.hi[2] {
        for y in roi.lo[1]..roi.hi[1] {
            for x in roi.lo[0]..roi.hi[0] {
                for (fv, s) in f.iter_mut().zip(ICOSPHERE.iter()) {
                    // numpy index (z, y, x) + vertex (x, y, z) columns.
                    let p = [z as f64 + s[0], y as f64 + s[1], x as f64 + s[2]];
                    *fv = kind.apply(sample(coef, z0, &len, &stride, &p));
                }
                let o = out
                    .get_mut(box_index(roi, x, y, z))
                    .ok_or(Error::OutputTooSmall)?;
                *o = match which {
                    Lbp3dImage::Kurtosis => match kind {
                        Out::F32 => kurtosis_f32(&f),
                        _ => kurtosis_f64(&f),
                    },
                    Lbp3dImage::M1 | Lbp3dImage::M2 => {
                        let g = image.get_f64(image_index(dims, x, y, z));
                        let g = match kind {
                            Out::F32 => f64::from(g as f32),
                            _ => g,
                        };
                        level(&f, g, y_tab, which == Lbp3dImage::M2)
                    }
                };
            }
        }
    }
    Ok(())
}

/// One spline sample at numpy position `p` (z, y, x); 0 outside the image.
#[inline]
fn sample(coef: &[f64], z0: usize, len: &[usize; 3], stride: &[usize; 3], p: &[f64; 3]) -> f64 {
    let mut w = [[0.0; 4]; 3];
    let mut idx = [[0usize; 4]; 3];
    for a in 0..3 {
        let cc = p[a];
        if cc < 0.0 || cc > (len[a] - 1) as f64 {
            return 0.0;
        }
        let start = libm::floor(cc) as isize - 1;
        w[a] = weights(cc);
        for (l, i) in idx[a].iter_mut().enumerate() {
            let m = mirror(start + l as isize, len[a]);
            // The slab starts at z0 (axis 0); reachable z are inside it.
            *i = if a == 0 { m.saturating_sub(z0) } else { m } * stride[a];
        }
    }
    let mut t = 0.0;
    for i in 0..4 {
        for j in 0..4 {
            for k in 0..4 {
                let mut c = coef
                    .get(idx[0][i] + idx[1][j] + idx[2][k])
                    .copied()
                    .unwrap_or(0.0);
                c *= w[0][i];
                c *= w[1][j];
                c *= w[2][k];
                t += c;
            }
        }
    }
    t
}

/// `lbp-3D-m1` (`second` false) or `lbp-3D-m2` (true) of one voxel with samples `f` and
/// value `g`.
fn level(f: &[f64; NV], g: f64, y: &[f64], second: bool) -> f64 {
    // c_j = Σ_v b_v Y_j(v), left to right.
    let mut c = [(0.0, 0.0); 4];
    for (v, (fv, yv)) in f.iter().zip(y.chunks_exact(8)).enumerate() {
        let b = if *fv >= g { 1.0 } else { 0.0 };
        for (j, cj) in c.iter_mut().enumerate() {
            let t = cmul((b, 0.0), yat(yv, j));
            *cj = if v == 0 { t } else { (cj.0 + t.0, cj.1 + t.1) };
        }
    }
    let mut s = (0.0, 0.0);
    for (v, yv) in y.chunks_exact(8).enumerate() {
        // level 2: genuinely complex products (numpy's fused ones); level 1: c_0 and Y_{0,0}
        // are real, where the fused and the plain product agree
        let sq = if second {
            let t1 = cmul_fused(c[1], yat(yv, 1));
            let t2 = cmul_fused(c[2], yat(yv, 2));
            let t3 = cmul_fused(c[3], yat(yv, 3));
            let fv = (t1.0 + (t2.0 + t3.0), t1.1 + (t2.1 + t3.1));
            cmul_fused(fv, fv)
        } else {
            let fv = cmul(c[0], yat(yv, 0));
            cmul(fv, fv)
        };
        s = if v == 0 { sq } else { (s.0 + sq.0, s.1 + sq.1) };
    }
    csqrt_re(s.0, s.1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec;
    use std::vec::Vec;

    /// Prefiltered coefficients of a whole f64 image (slab = whole image).
    fn coefficients(v: &[f64], dims: [usize; 3]) -> Vec<f64> {
        let iv = ImageView::new(Voxels::F64(v), dims, [1.0; 3]).unwrap();
        let roi = RoiBox {
            lo: [0; 3],
            hi: dims,
        };
        let mut scratch = vec![0.0; scratch_len(dims, &roi).unwrap()];
        let mut out = vec![0.0; roi.len()];
        filter(&iv, &roi, Lbp3dImage::M1, &mut out, &mut scratch).unwrap();
        scratch.truncate(dims.iter().product());
        scratch
    }

    fn test_image(dims: [usize; 3]) -> Vec<f64> {
        (0..dims.iter().product::<usize>())
            .map(|i| libm::sin(i as f64 * 0.7) * 100.0 + (i % 5) as f64 * 13.0)
            .collect()
    }

    #[test]
    fn spline_interpolates_the_image_at_grid_points() {
        // The prefilter inverts the B-spline's sampling: evaluated at a voxel, the spline gives
        // the voxel (mirror boundaries at every edge, lines of length 1 included).
        for dims in [[7, 5, 6], [4, 1, 9], [2, 3, 2]] {
            let v = test_image(dims);
            let c = coefficients(&v, dims);
            let len = [dims[2], dims[1], dims[0]];
            let stride = [dims[0] * dims[1], dims[0], 1];
            for z in 0..dims[2] {
                for y in 0..dims[1] {
                    for x in 0..dims[0] {
                        let p = [z as f64, y as f64, x as f64];
                        let s = sample(&c, 0, &len, &stride, &p);
                        let want = v[image_index(dims, x, y, z)];
                        assert!(
                            (s - want).abs() <= 1e-11 * want.abs().max(1.0),
                            "{dims:?} {p:?}: {s} vs {want}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn spline_reproduces_a_linear_ramp_far_from_the_edges_and_is_zero_outside() {
        // A cubic B-spline reproduces linear functions; the mirror boundary perturbs the
        // coefficients near the edges by terms decaying as |p|^d (|p| = 0.268): ~1e-7 twelve
        // voxels inside (a wrong weight or pole errs by 1e-2 or more).
        let dims = [25, 26, 27];
        let n = dims.iter().product::<usize>();
        let v: Vec<f64> = (0..n)
            .map(|i| {
                let (x, y, z) = (i % 25, (i / 25) % 26, i / 650);
                2.0 * x as f64 - 3.0 * y as f64 + 0.5 * z as f64 + 7.0
            })
            .collect();
        let c = coefficients(&v, dims);
        let len = [27, 26, 25];
        let stride = [650, 25, 1];
        for p in [
            [13.3, 12.7, 12.1],
            [12.5, 13.25, 11.9],
            [13.01, 12.99, 12.5],
        ] {
            let want = 2.0 * p[2] - 3.0 * p[1] + 0.5 * p[0] + 7.0;
            let s = sample(&c, 0, &len, &stride, &p);
            assert!((s - want).abs() < 1e-6, "{p:?}: {s} vs {want}");
        }
        for p in [[-0.1, 3.0, 3.0], [4.0, 25.0001, 3.0], [4.0, 3.0, 24.5]] {
            assert_eq!(sample(&c, 0, &len, &stride, &p), 0.0);
        }
    }

    #[test]
    fn mirror_indices() {
        assert_eq!(mirror(-1, 5), 1);
        assert_eq!(mirror(-2, 5), 2);
        assert_eq!(mirror(5, 5), 3);
        assert_eq!(mirror(6, 5), 2);
        assert_eq!(mirror(-1, 2), 1);
        assert_eq!(mirror(2, 2), 0);
        assert_eq!(mirror(3, 1), 0);
        assert_eq!(mirror(3, 5), 3);
    }

    #[test]
    fn harmonics_satisfy_the_addition_theorem() {
        // Σ_m |Y_{n,m}|² = (2n + 1)/4π at every point; Y_{1,−1} = −conj(Y_{1,1}).
        let four_pi = 4.0 * core::f64::consts::PI;
        for yv in ANGLES.iter().map(harmonic) {
            assert!((yv[0].0 * yv[0].0 - 1.0 / four_pi).abs() < 1e-16);
            let s: f64 = yv[1..].iter().map(|c| c.0 * c.0 + c.1 * c.1).sum();
            assert!((s - 3.0 / four_pi).abs() < 1e-15, "{s}");
            assert!((yv[1].0 + yv[3].0).abs() < 1e-15 && (yv[1].1 - yv[3].1).abs() < 1e-15);
        }
        for (s, a) in ICOSPHERE.iter().zip(ANGLES.iter()) {
            assert!((s[0] * s[0] + s[1] * s[1] + s[2] * s[2] - 1.0).abs() < 1e-15);
            // numpy's angles are within an ulp or two of the correctly rounded ones
            assert!((a[0] - libm::acos(s[2])).abs() < 1e-15, "{a:?}");
            assert!((a[1] - libm::atan2(s[1], s[0])).abs() < 1e-15, "{a:?}");
        }
    }

    /// The harmonics are scipy's to the bit (`core/tests/data/lbp3d_sph_harm.txt`, made by
    /// `tests/oracles/pyradiomics/lbp3d_icosphere.py --sph-harm`).
    #[test]
    fn harmonics_are_scipys_bits() {
        let text = include_str!("../../tests/data/lbp3d_sph_harm.txt");
        let rows: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(rows.len(), NV);
        for (v, (row, a)) in rows.iter().zip(ANGLES.iter()).enumerate() {
            let want: Vec<u64> = row
                .split_whitespace()
                .map(|h| u64::from_str_radix(h, 16).unwrap())
                .collect();
            let got: Vec<u64> = harmonic(a)
                .iter()
                .flat_map(|c| [c.0.to_bits(), c.1.to_bits()])
                .collect();
            assert_eq!(got, want, "vertex {v}");
        }
    }

    /// The three LBP3D images of an int16 image over `roi`.
    fn lbp(v: &[i16], dims: [usize; 3], roi: &RoiBox) -> [Vec<f64>; 3] {
        let iv = ImageView::new(Voxels::I16(v), dims, [1.0; 3]).unwrap();
        let mut scratch = vec![0.0; scratch_len(dims, roi).unwrap()];
        [Lbp3dImage::M1, Lbp3dImage::M2, Lbp3dImage::Kurtosis].map(|w| {
            let mut out = vec![0.0; roi.len()];
            filter(&iv, roi, w, &mut out, &mut scratch).unwrap();
            out
        })
    }

    #[test]
    fn flat_neighbourhood_and_local_maximum() {
        let dims = [7, 6, 5];
        let roi = RoiBox {
            lo: [1, 1, 1],
            hi: [6, 5, 4],
        };
        // Constant image: every sample rounds to the voxel (b = 1 everywhere): m1 = 42·√42/4π,
        // kurtosis NaN (scipy: all samples equal), m2 the same at every voxel and not 0: with
        // PyRadiomics' azimuth/polar swap, Y_{1,0} ∝ cos(atan2(y, x)) does not sum to 0 over the
        // icosphere (both poles have atan2 = 0).
        let [m1, m2, k] = lbp(&[100i16; 210], dims, &roi);
        let full = 42.0 * libm::sqrt(42.0) / (4.0 * core::f64::consts::PI);
        for i in 0..roi.len() {
            assert!((m1[i] - full).abs() < 1e-12, "{}", m1[i]);
            assert!(m2[i] == m2[0] && m2[0] > 1.0, "{}", m2[i]);
            assert!(k[i].is_nan());
        }
        // A peak: at the peak every sample is below the voxel (b = 0), m1 = m2 = 0 exactly.
        let mut v = [100i16; 210];
        let c = image_index(dims, 3, 3, 2);
        v[c] = 300;
        let [m1, m2, k] = lbp(&v, dims, &roi);
        let at = box_index(&roi, 3, 3, 2);
        assert_eq!((m1[at], m2[at]), (0.0, 0.0));
        assert!(k[at].is_finite());
        // Errors as values.
        let iv = ImageView::new(Voxels::I16(&v), dims, [1.0; 3]).unwrap();
        let mut scratch = vec![0.0; scratch_len(dims, &roi).unwrap()];
        let mut out = vec![0.0; roi.len()];
        let short = scratch.len() - 1;
        assert_eq!(
            filter(&iv, &roi, Lbp3dImage::M1, &mut out, &mut scratch[..short]),
            Err(Error::ScratchTooSmall)
        );
        assert_eq!(
            filter(&iv, &roi, Lbp3dImage::M1, &mut out[..3], &mut scratch),
            Err(Error::OutputTooSmall)
        );
    }
}
