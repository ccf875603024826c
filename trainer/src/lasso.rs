//! LASSO with cross-validation, reproducing scikit-learn 1.9 `LassoCV` step by step.
//!
//! Why our own coordinate descent and not linfa-elasticnet 0.8: linfa has no warm-started path
//! (every alpha would be a cold fit — both ~40× slower and ~1e-6 away from scikit-learn's
//! warm-started iterates, enough to move the arg-min of a flat CV curve by one alpha), no Gram
//! variant, no gap-safe screening, and its intercept is wrong unless X is centred. scikit-learn's
//! result is defined by its exact algorithm, so we replicate that algorithm:
//!
//! * grid: alpha_max = max_j |Σ_i (x_ij − x̄_j)(y_i − ȳ)| / n on the whole training set;
//!   `geomspace(alpha_max, eps·alpha_max, n_alphas)`;
//! * folds: `KFold(5)` without shuffling; per fold X and y are centred with the fold-train means
//!   (`_pre_fit`); the Gram matrix is used when n_fold_train > p (`precompute='auto'`);
//! * `enet_path`: alphas in descending order, coefficients warm-started from the previous alpha;
//!   each alpha solved by `cd_fast.enet_coordinate_descent[_gram]`: cyclic coordinate descent on
//!   ½‖y − Xw‖² + n·alpha·‖w‖₁, gap-safe screening (Fercoq et al.) before the sweeps and at each
//!   gap check, a gap check whenever max|Δw|/max|w| ≤ tol (or w = 0, or the last sweep), stop when
//!   the duality gap ≤ tol·‖y‖²; max_iter sweeps;
//! * MSE per fold on the held-out rows with intercept ȳ_tr − x̄_trᵀw; unweighted mean over folds;
//!   first arg-min (or the one-standard-error rule); refit `Lasso(alpha)` on all training rows
//!   from zero without the Gram matrix.
//!
//! The dense solver (p ≥ n, the radiomics case) is where the time goes. Its columns are padded
//! to 16 rows and every product sums 16 lanes in a fixed order (AVX-512 or AVX2 intrinsics when
//! the CPU has them, the same operations in plain Rust otherwise: identical results); a sweep computes Xⱼᵀr
//! for two coordinates per pass over r and folds the residual update of a changed coefficient
//! into the pass computing the next products, without changing the iterates.

use crate::preprocess::Matrix;
use crate::split::kfold_ids;
use serde::{Deserialize, Serialize};

/// How the CV curve picks alpha.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlphaRule {
    /// First minimum of the mean CV MSE (scikit-learn `LassoCV.alpha_`).
    #[default]
    Min,
    /// Largest alpha whose mean MSE ≤ min + SE(min), SE = sd(ddof=1) over folds / √folds.
    OneSe,
}

/// LassoCV settings (defaults = scikit-learn's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LassoCvOptions {
    /// Number of alphas on the grid.
    pub n_alphas: usize,
    /// alpha_min / alpha_max.
    pub eps: f64,
    /// Number of folds (KFold without shuffle).
    pub n_folds: usize,
    /// Coordinate-descent tolerance (scaled by ‖y‖² for the duality gap).
    pub tol: f64,
    /// Maximum coordinate-descent sweeps per alpha.
    pub max_iter: usize,
    /// How alpha is picked from the CV curve.
    pub rule: AlphaRule,
    /// Run the folds on two threads (results are identical either way).
    pub parallel: bool,
}

impl Default for LassoCvOptions {
    fn default() -> Self {
        LassoCvOptions {
            n_alphas: 100,
            eps: 1e-3,
            n_folds: 5,
            tol: 1e-4,
            max_iter: 1000,
            rule: AlphaRule::Min,
            parallel: true,
        }
    }
}

/// Everything LassoCV computes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LassoCvResult {
    /// The alpha grid (descending).
    pub alphas: Vec<f64>,
    /// Held-out MSE, `mse_path[a][f]` for alpha a and fold f (scikit-learn's `mse_path_`).
    pub mse_path: Vec<Vec<f64>>,
    /// Mean over folds of `mse_path`.
    pub mean_mse: Vec<f64>,
    /// Fold id of each training row.
    pub folds: Vec<usize>,
    /// Index of the arg-min of `mean_mse` (first minimum).
    pub min_index: usize,
    /// Index given by the one-standard-error rule.
    pub one_se_index: usize,
    /// Index actually used (per `rule`).
    pub alpha_index: usize,
    /// The chosen alpha.
    pub alpha: f64,
    /// Coefficients of the refit on all training rows.
    pub coef: Vec<f64>,
    /// Intercept of the refit.
    pub intercept: f64,
    /// Coordinate-descent sweeps of the refit.
    pub n_iter: usize,
    /// Duality gap of the refit (divided by n, as scikit-learn reports it).
    pub dual_gap: f64,
}

/// Outcome of one coordinate-descent solve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CdOutcome {
    /// Final duality gap (unscaled objective).
    pub gap: f64,
    /// tol · ‖y‖².
    pub tol: f64,
    /// Sweeps done.
    pub n_iter: usize,
}

/// Σ a_k b_k with four interleaved partial sums (lane k mod 4), combined as (s0 + s1) + (s2 + s3),
/// then the tail in order — the same association as before, so results are unchanged bit for bit.
/// Written over `chunks_exact` so the loop has no bounds checks and vectorises (3× faster than
/// the indexed loop); the association is fixed, so the result does not depend on the instruction
/// set.
#[inline]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 4];
    let ca = a.chunks_exact(4);
    let cb = b.chunks_exact(4);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

#[inline]
fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

#[inline]
fn fsign(f: f64) -> f64 {
    if f == 0.0 {
        0.0
    } else if f > 0.0 {
        1.0
    } else {
        -1.0
    }
}

#[inline]
fn fmax(x: f64, y: f64) -> f64 {
    if x > y {
        x
    } else {
        y
    }
}

/// Duality gap, formulation A with beta = 0.
#[inline]
fn gap_a(alpha: f64, w_l1: f64, r_norm2: f64, ry: f64, dual_norm: f64) -> f64 {
    let primal = 0.5 * r_norm2 + alpha * w_l1;
    let scale = if dual_norm > alpha {
        alpha / dual_norm
    } else {
        1.0
    };
    let dual = -0.5 * (scale * scale) * r_norm2 + scale * ry;
    primal - dual
}

/// Rows per SIMD block of the dense solver: columns of a [`Design`] are zero-padded to a multiple
/// of this, and every dot product sums lane `i mod LANES` separately (16 partial sums), combined
/// in a fixed order — see [`k_dot`].
const LANES: usize = 16;

/// One cache line of f64 (the unit of [`Aligned`]).
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([f64; 8]);

/// Zero-initialised f64 buffer starting on a cache line, so that with a stride of 16 values
/// every 4-value vector load of the kernels stays within one cache line.
#[derive(Clone)]
struct Aligned {
    lines: Vec<Line>,
    len: usize,
}

impl Aligned {
    fn zeros(len: usize) -> Aligned {
        Aligned {
            lines: vec![Line([0.0; 8]); len.div_ceil(8)],
            len,
        }
    }

    /// Appends `extra` zeros.
    fn grow(&mut self, extra: usize) {
        self.len += extra;
        self.lines.resize(self.len.div_ceil(8), Line([0.0; 8]));
    }

    fn from_slice(v: &[f64]) -> Aligned {
        let mut a = Aligned::zeros(v.len());
        a.as_mut_slice().copy_from_slice(v);
        a
    }

    fn as_slice(&self) -> &[f64] {
        // SAFETY: `Line` is `repr(C)` over `[f64; 8]` (size 64 = its alignment, no padding),
        // so `lines` holds `8 * lines.len() >= len` contiguous, initialised f64.
        unsafe { std::slice::from_raw_parts(self.lines.as_ptr().cast::<f64>(), self.len) }
    }

    fn as_mut_slice(&mut self) -> &mut [f64] {
        // SAFETY: as in `as_slice`, and `&mut self` makes the borrow exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.lines.as_mut_ptr().cast::<f64>(), self.len) }
    }
}

/// Centred design matrix of the dense solver: column-major, each column zero-padded to a multiple
/// of [`LANES`] rows (the zero rows add exact zeros to every sum and stay zero in the residual),
/// with the squared column norms.
pub struct Design {
    n: usize,
    stride: usize,
    p: usize,
    data: Aligned,
    norm2: Vec<f64>,
    /// 1 / √norm2 (the screening's first, multiplicative test).
    inv_norm: Vec<f64>,
}

impl Design {
    /// Centres the columns of `x` on the rows `rows` (means by sequential sums, numpy's axis-0
    /// order) and pads them. Returns the design and the column means.
    fn centred(x: &Matrix, rows: &[usize]) -> (Design, Vec<f64>) {
        let n = rows.len();
        let stride = n.div_ceil(LANES) * LANES;
        let p = x.n_cols();
        let mut buf = Aligned::zeros(stride * p);
        let data = buf.as_mut_slice();
        let mut means = Vec::with_capacity(p);
        for j in 0..p {
            let src = x.col(j);
            let mut s = 0.0;
            for &i in rows {
                s += src[i];
            }
            let m = s / n as f64;
            for (d, &i) in data[j * stride..j * stride + n].iter_mut().zip(rows) {
                *d = src[i] - m;
            }
            means.push(m);
        }
        let mut d = Design {
            n,
            stride,
            p,
            data: buf,
            norm2: Vec::new(),
            inv_norm: Vec::new(),
        };
        d.set_norms();
        (d, means)
    }

    /// From an already-centred matrix.
    fn from_centred(xc: &Matrix) -> Design {
        let n = xc.n_rows();
        let stride = n.div_ceil(LANES) * LANES;
        let p = xc.n_cols();
        let mut buf = Aligned::zeros(stride * p);
        let data = buf.as_mut_slice();
        for j in 0..p {
            data[j * stride..j * stride + n].copy_from_slice(xc.col(j));
        }
        let mut d = Design {
            n,
            stride,
            p,
            data: buf,
            norm2: Vec::new(),
            inv_norm: Vec::new(),
        };
        d.set_norms();
        d
    }

    fn set_norms(&mut self) {
        self.norm2 = (0..self.p)
            .map(|j| dot_any(self.col(j), self.col(j)))
            .collect();
        self.inv_norm = self.norm2.iter().map(|v| 1.0 / v.sqrt()).collect();
    }

    #[inline(always)]
    fn col(&self, j: usize) -> &[f64] {
        &self.data.as_slice()[j * self.stride..(j + 1) * self.stride]
    }

    /// A vector of the row count, zero-padded to the design's stride.
    fn pad(&self, v: &[f64]) -> Aligned {
        let mut out = Aligned::zeros(self.stride);
        let m = self.n.min(v.len());
        out.as_mut_slice()[..m].copy_from_slice(&v[..m]);
        out
    }
}

/// Combines the 16 partial sums: lanes l, l+4, l+8, l+12 pairwise, then the four results pairwise.
#[inline(always)]
fn k_reduce(acc: &[f64; LANES]) -> f64 {
    let mut t = [0.0f64; 4];
    for (l, tl) in t.iter_mut().enumerate() {
        *tl = (acc[l] + acc[4 + l]) + (acc[8 + l] + acc[12 + l]);
    }
    (t[0] + t[1]) + (t[2] + t[3])
}

/// Σ a_i b_i over slices whose length is a multiple of [`LANES`]: lane `i mod 16` accumulates
/// separately, each step a fused multiply-add (one rounding: `acc = fma(a_i, b_i, acc)`), then
/// [`k_reduce`]. Every product and residual update of the dense solver uses exactly these
/// operations, whichever instruction set runs them, so results are the same with AVX-512, AVX2 or
/// plain Rust (`f64::mul_add`: one instruction on CPUs with FMA — all x86-64 CPUs with AVX2 and
/// all AArch64 — a correct but slow library call on older x86-64).
///
/// Why FMA: the products are bound by the floating-point ports; a fused step is one instruction
/// where a multiply and an add are two (LassoCV −10 % CPU on the paper cohort). The rounding is
/// not the unfused one, so the iterates differ from it at ~1e-16, as they differ from
/// scikit-learn's BLAS (whose own association is not ours either); every oracle comparison
/// (selections, alpha indices, mse_path and coefficients to ~5e-16) is unchanged.
#[inline(always)]
fn k_dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; LANES];
    for (x, y) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for l in 0..LANES {
            acc[l] = x[l].mul_add(y[l], acc[l]);
        }
    }
    k_reduce(&acc)
}

/// (aᵀr, bᵀr) in one pass over r, each as [`k_dot`].
#[inline(always)]
fn k_dot2(a: &[f64], b: &[f64], r: &[f64]) -> (f64, f64) {
    let mut acc_a = [0.0f64; LANES];
    let mut acc_b = [0.0f64; LANES];
    for ((x, y), z) in a
        .chunks_exact(LANES)
        .zip(b.chunks_exact(LANES))
        .zip(r.chunks_exact(LANES))
    {
        for l in 0..LANES {
            acc_a[l] = x[l].mul_add(z[l], acc_a[l]);
            acc_b[l] = y[l].mul_add(z[l], acc_b[l]);
        }
    }
    (k_reduce(&acc_a), k_reduce(&acc_b))
}

/// r += d₀·x₀, then += d₁·x₁, … += d_{M−1}·x_{M−1}, in one pass: the same bits as M one-term
/// passes in that order (each element goes through the same fused multiply-adds), with one
/// load and store of r instead of M. Every element is updated, a partial last block too.
#[inline(always)]
fn k_axpy_n<const M: usize>(d: [f64; M], x: [&[f64]; M], r: &mut [f64]) {
    let n = r.len().min(x.iter().map(|v| v.len()).min().unwrap_or(0));
    for (i, ri) in r.iter_mut().enumerate().take(n) {
        let mut v = *ri;
        for k in 0..M {
            v = d[k].mul_add(x[k][i], v);
        }
        *ri = v;
    }
}

/// r += d·x, then (aᵀr, bᵀr) with the updated r, in one pass (each element of r is updated
/// before it enters the sums, so the results equal [`k_axpy_n`] followed by [`k_dot2`]).
#[inline(always)]
fn k_axpy_dot2(d: f64, x: &[f64], r: &mut [f64], a: &[f64], b: &[f64]) -> (f64, f64) {
    let mut acc_a = [0.0f64; LANES];
    let mut acc_b = [0.0f64; LANES];
    for (((xs, rs), aa), bb) in x
        .chunks_exact(LANES)
        .zip(r.chunks_exact_mut(LANES))
        .zip(a.chunks_exact(LANES))
        .zip(b.chunks_exact(LANES))
    {
        for l in 0..LANES {
            rs[l] = d.mul_add(xs[l], rs[l]);
            acc_a[l] = aa[l].mul_add(rs[l], acc_a[l]);
            acc_b[l] = bb[l].mul_add(rs[l], acc_b[l]);
        }
    }
    (k_reduce(&acc_a), k_reduce(&acc_b))
}

/// r += d·x, then aᵀr, in one pass.
#[inline(always)]
fn k_axpy_dot(d: f64, x: &[f64], r: &mut [f64], a: &[f64]) -> f64 {
    let mut acc = [0.0f64; LANES];
    for ((xs, rs), aa) in x
        .chunks_exact(LANES)
        .zip(r.chunks_exact_mut(LANES))
        .zip(a.chunks_exact(LANES))
    {
        for l in 0..LANES {
            rs[l] = d.mul_add(xs[l], rs[l]);
            acc[l] = aa[l].mul_add(rs[l], acc[l]);
        }
    }
    k_reduce(&acc)
}

/// The dense solver's vector kernels. Three implementations with the same operations in the
/// same order: [`Portable`] (plain Rust) and, on x86-64, [`Avx2`] (explicit 256-bit intrinsics;
/// lanes 4k..4k+3 of a 16-element block in accumulator k) and [`Avx512`] (512-bit: lanes
/// 8k..8k+7 in accumulator k). Results are identical.
trait Kern: Copy {
    fn dot(self, a: &[f64], b: &[f64]) -> f64;
    fn dot2(self, a: &[f64], b: &[f64], r: &[f64]) -> (f64, f64);
    /// r += d·x ([`Kern::axpy_n`] with one term).
    #[inline(always)]
    fn axpy(self, d: f64, x: &[f64], r: &mut [f64]) {
        self.axpy_n([d], [x], r)
    }
    fn axpy_n<const M: usize>(self, d: [f64; M], x: [&[f64]; M], r: &mut [f64]);
    fn axpy_dot(self, d: f64, x: &[f64], r: &mut [f64], a: &[f64]) -> f64;
    fn axpy_dot2(self, d: f64, x: &[f64], r: &mut [f64], a: &[f64], b: &[f64]) -> (f64, f64);
}

#[derive(Clone, Copy)]
struct Portable;

impl Kern for Portable {
    #[inline(always)]
    fn dot(self, a: &[f64], b: &[f64]) -> f64 {
        k_dot(a, b)
    }
    #[inline(always)]
    fn dot2(self, a: &[f64], b: &[f64], r: &[f64]) -> (f64, f64) {
        k_dot2(a, b, r)
    }
    #[inline(always)]
    fn axpy_n<const M: usize>(self, d: [f64; M], x: [&[f64]; M], r: &mut [f64]) {
        k_axpy_n(d, x, r)
    }
    #[inline(always)]
    fn axpy_dot(self, d: f64, x: &[f64], r: &mut [f64], a: &[f64]) -> f64 {
        k_axpy_dot(d, x, r, a)
    }
    #[inline(always)]
    fn axpy_dot2(self, d: f64, x: &[f64], r: &mut [f64], a: &[f64], b: &[f64]) -> (f64, f64) {
        k_axpy_dot2(d, x, r, a, b)
    }
}

/// AVX2 kernels; a value exists only when the CPU has AVX2 ([`Avx2::detect`]).
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Avx2(());

#[cfg(target_arch = "x86_64")]
impl Avx2 {
    fn detect() -> Option<Avx2> {
        (std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma"))
            .then_some(Avx2(()))
    }
}

/// `impl Kern` for a vector kernel set: each method calls the function of the same name in the
/// module `$m` (compiled with the set's target features).
macro_rules! simd_kern {
    ($t:ident, $m:ident) => {
        #[cfg(target_arch = "x86_64")]
        impl Kern for $t {
            #[inline(always)]
            fn dot(self, a: &[f64], b: &[f64]) -> f64 {
                // SAFETY: a value of the kernel type exists only on a CPU with its features
                // (its `detect`).
                unsafe { $m::dot(a, b) }
            }
            #[inline(always)]
            fn dot2(self, a: &[f64], b: &[f64], r: &[f64]) -> (f64, f64) {
                // SAFETY: as above.
                unsafe { $m::dot2(a, b, r) }
            }
            #[inline(always)]
            fn axpy_n<const M: usize>(self, d: [f64; M], x: [&[f64]; M], r: &mut [f64]) {
                // SAFETY: as above.
                unsafe { $m::axpy_n(d, x, r) }
            }
            #[inline(always)]
            fn axpy_dot(self, d: f64, x: &[f64], r: &mut [f64], a: &[f64]) -> f64 {
                // SAFETY: as above.
                unsafe { $m::axpy_dot(d, x, r, a) }
            }
            #[inline(always)]
            fn axpy_dot2(
                self,
                d: f64,
                x: &[f64],
                r: &mut [f64],
                a: &[f64],
                b: &[f64],
            ) -> (f64, f64) {
                // SAFETY: as above.
                unsafe { $m::axpy_dot2(d, x, r, a, b) }
            }
        }
    };
}

simd_kern!(Avx2, avx2);

/// The five kernels over whole 16-element blocks of the shortest operand, for one vector
/// instruction set: `$v` vectors of `$w` lanes, so a block is `LANES / $w` vectors and vector k
/// of a block holds lanes `$w·k .. $w·k + $w` — the partial sums of [`k_dot`]. Expanded inside
/// the set's module, which supplies `reduce(&[$v; LANES / $w]) -> f64` (the [`k_reduce`] order);
/// every step is a fused multiply-add, as in the portable code.
macro_rules! block_kernels {
    ($feature:literal, $v:ty, $w:literal, $load:path, $store:path, $fmadd:path, $splat:path, $zero:path) => {
        const N: usize = super::LANES / $w;

        fn blocks(n: usize) -> usize {
            n - n % super::LANES
        }

        #[inline]
        #[target_feature(enable = $feature)]
        pub unsafe fn dot(a: &[f64], b: &[f64]) -> f64 {
            let n = blocks(a.len().min(b.len()));
            let (pa, pb) = (a.as_ptr(), b.as_ptr());
            let mut acc: [$v; N] = [$zero(); N];
            let mut i = 0;
            while i < n {
                for (k, ak) in acc.iter_mut().enumerate() {
                    let o = i + $w * k;
                    *ak = $fmadd($load(pa.add(o)), $load(pb.add(o)), *ak);
                }
                i += super::LANES;
            }
            reduce(&acc)
        }

        #[inline]
        #[target_feature(enable = $feature)]
        pub unsafe fn dot2(a: &[f64], b: &[f64], r: &[f64]) -> (f64, f64) {
            let n = blocks(a.len().min(b.len()).min(r.len()));
            let (pa, pb, pr) = (a.as_ptr(), b.as_ptr(), r.as_ptr());
            let mut acc_a: [$v; N] = [$zero(); N];
            let mut acc_b: [$v; N] = [$zero(); N];
            let mut i = 0;
            while i < n {
                for k in 0..N {
                    let o = i + $w * k;
                    let rv = $load(pr.add(o));
                    acc_a[k] = $fmadd($load(pa.add(o)), rv, acc_a[k]);
                    acc_b[k] = $fmadd($load(pb.add(o)), rv, acc_b[k]);
                }
                i += super::LANES;
            }
            (reduce(&acc_a), reduce(&acc_b))
        }

        #[inline]
        #[target_feature(enable = $feature)]
        pub unsafe fn axpy_n<const M: usize>(d: [f64; M], x: [&[f64]; M], r: &mut [f64]) {
            let len = r.len().min(x.iter().map(|v| v.len()).min().unwrap_or(0));
            let n = blocks(len);
            let pr = r.as_mut_ptr();
            let px = x.map(|v| v.as_ptr());
            let dv = d.map(|v| $splat(v));
            let mut i = 0;
            while i < n {
                for k in 0..N {
                    let o = i + $w * k;
                    let mut v = $load(pr.add(o));
                    for (&dk, &xk) in dv.iter().zip(&px) {
                        v = $fmadd(dk, $load(xk.add(o)), v);
                    }
                    $store(pr.add(o), v);
                }
                i += super::LANES;
            }
            for j in n..len {
                let mut v = r[j];
                for k in 0..M {
                    v = d[k].mul_add(x[k][j], v);
                }
                r[j] = v;
            }
        }

        #[inline]
        #[target_feature(enable = $feature)]
        pub unsafe fn axpy_dot(d: f64, x: &[f64], r: &mut [f64], a: &[f64]) -> f64 {
            let n = blocks(x.len().min(r.len()).min(a.len()));
            let (px, pr, pa) = (x.as_ptr(), r.as_mut_ptr(), a.as_ptr());
            let dv = $splat(d);
            let mut acc: [$v; N] = [$zero(); N];
            let mut i = 0;
            while i < n {
                for (k, ak) in acc.iter_mut().enumerate() {
                    let o = i + $w * k;
                    let v = $fmadd(dv, $load(px.add(o)), $load(pr.add(o)));
                    $store(pr.add(o), v);
                    *ak = $fmadd($load(pa.add(o)), v, *ak);
                }
                i += super::LANES;
            }
            reduce(&acc)
        }

        #[inline]
        #[target_feature(enable = $feature)]
        pub unsafe fn axpy_dot2(
            d: f64,
            x: &[f64],
            r: &mut [f64],
            a: &[f64],
            b: &[f64],
        ) -> (f64, f64) {
            let n = blocks(x.len().min(r.len()).min(a.len()).min(b.len()));
            let (px, pr, pa, pb) = (x.as_ptr(), r.as_mut_ptr(), a.as_ptr(), b.as_ptr());
            let dv = $splat(d);
            let mut acc_a: [$v; N] = [$zero(); N];
            let mut acc_b: [$v; N] = [$zero(); N];
            let mut i = 0;
            while i < n {
                for k in 0..N {
                    let o = i + $w * k;
                    let v = $fmadd(dv, $load(px.add(o)), $load(pr.add(o)));
                    $store(pr.add(o), v);
                    acc_a[k] = $fmadd($load(pa.add(o)), v, acc_a[k]);
                    acc_b[k] = $fmadd($load(pb.add(o)), v, acc_b[k]);
                }
                i += super::LANES;
            }
            (reduce(&acc_a), reduce(&acc_b))
        }
    };
}

/// AVX2 versions of `k_dot`, `k_dot2`, `k_axpy_n`, `k_axpy_dot`, `k_axpy_dot2` ([`block_kernels`]
/// with 4-lane vectors: lanes 4k..4k+3 of a block in accumulator k).
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m256d, _mm256_add_pd, _mm256_fmadd_pd, _mm256_loadu_pd, _mm256_set1_pd,
        _mm256_setzero_pd, _mm256_storeu_pd,
    };

    /// `k_reduce` of the four accumulators.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn reduce(acc: &[__m256d; 4]) -> f64 {
        sum4(_mm256_add_pd(
            _mm256_add_pd(acc[0], acc[1]),
            _mm256_add_pd(acc[2], acc[3]),
        ))
    }

    /// (t₀ + t₁) + (t₂ + t₃), the last step of `k_reduce` (for both vector sets).
    #[inline]
    #[target_feature(enable = "avx")]
    pub(super) fn sum4(t: __m256d) -> f64 {
        let mut v = [0.0f64; 4];
        // SAFETY: `v` holds four f64.
        unsafe { _mm256_storeu_pd(v.as_mut_ptr(), t) };
        (v[0] + v[1]) + (v[2] + v[3])
    }

    block_kernels!(
        "avx2,fma",
        __m256d,
        4,
        _mm256_loadu_pd,
        _mm256_storeu_pd,
        _mm256_fmadd_pd,
        _mm256_set1_pd,
        _mm256_setzero_pd
    );
}

/// AVX-512 kernels; a value exists only when the CPU has AVX-512F ([`Avx512::detect`]).
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Avx512(());

#[cfg(target_arch = "x86_64")]
impl Avx512 {
    fn detect() -> Option<Avx512> {
        std::arch::is_x86_feature_detected!("avx512f").then_some(Avx512(()))
    }
}

simd_kern!(Avx512, avx512);

/// AVX-512 versions of the kernels ([`block_kernels`] with 8-lane vectors): a 16-element block is
/// two 512-bit vectors (lanes 0..7 and 8..15), so each accumulator lane is the same partial sum
/// as in [`k_dot`], and `reduce` combines them in [`k_reduce`]'s order: the two halves of each
/// vector are the AVX2 version's accumulator pairs (0, 1) and (2, 3).
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::{
        __m512d, _mm256_add_pd, _mm512_castpd512_pd256, _mm512_extractf64x4_pd, _mm512_fmadd_pd,
        _mm512_loadu_pd, _mm512_set1_pd, _mm512_setzero_pd, _mm512_storeu_pd,
    };

    /// `k_reduce` of the two accumulators.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn reduce(acc: &[__m512d; 2]) -> f64 {
        let [lo, hi] = *acc;
        let a01 = _mm256_add_pd(_mm512_castpd512_pd256(lo), _mm512_extractf64x4_pd::<1>(lo));
        let a23 = _mm256_add_pd(_mm512_castpd512_pd256(hi), _mm512_extractf64x4_pd::<1>(hi));
        super::avx2::sum4(_mm256_add_pd(a01, a23))
    }

    block_kernels!(
        "avx512f",
        __m512d,
        8,
        _mm512_loadu_pd,
        _mm512_storeu_pd,
        _mm512_fmadd_pd,
        _mm512_set1_pd,
        _mm512_setzero_pd
    );
}

/// [`k_dot`] on the fastest kernel set of this CPU (same result either way).
fn dot_any(a: &[f64], b: &[f64]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        if let Some(k) = Avx2::detect() {
            return k.dot(a, b);
        }
    }
    k_dot(a, b)
}

/// Duality gap and dual norm at (w, R): XᵀR for every column (into `xta`), ‖R‖², Rᵀy.
#[inline(always)]
fn dense_gap<K: Kern>(
    k: K,
    x: &Design,
    alpha: f64,
    w: &[f64],
    r: &[f64],
    y: &[f64],
    xta: &mut [f64],
) -> (f64, f64) {
    let (r_norm2, ry) = k.dot2(r, y, r);
    xt_times(k, x, r, xta);
    gap_from(alpha, w, r_norm2, ry, &xta[..x.p])
}

/// out[j] = xⱼᵀv for every column j (two columns per pass over v).
#[inline(always)]
fn xt_times<K: Kern>(k: K, x: &Design, v: &[f64], out: &mut [f64]) {
    let p = x.p;
    let mut j = 0;
    while j + 1 < p {
        let (a, b) = k.dot2(x.col(j), x.col(j + 1), v);
        out[j] = a;
        out[j + 1] = b;
        j += 2;
    }
    if j < p {
        out[j] = k.dot(x.col(j), v);
    }
}

/// Duality gap and dual norm (max |XᵀR|) from ‖R‖², Rᵀy and XᵀR.
#[inline(always)]
fn gap_from(alpha: f64, w: &[f64], r_norm2: f64, ry: f64, xta: &[f64]) -> (f64, f64) {
    let dn = max_abs(xta);
    // Σ|w| in order; the zeros add +0, which changes no partial sum, so they are skipped
    // (the add chain over every column was a visible part of a gap check)
    let mut l1 = 0.0f64;
    for v in w {
        if *v != 0.0 {
            l1 += v.abs();
        }
    }
    (gap_a(alpha, l1, r_norm2, ry, dn), dn)
}

/// max |vⱼ| as the sequential loop `m = |v₀|; if |vⱼ| > m { m = |vⱼ| }` gives it (0 for an
/// empty slice; NaN only when v₀ is NaN, as that loop), in eight independent lanes: the
/// maximum is exact, so the order does not change it.
#[inline(always)]
fn max_abs(v: &[f64]) -> f64 {
    let Some(first) = v.first() else {
        return 0.0;
    };
    if first.is_nan() {
        return f64::NAN;
    }
    let mut m = [0.0f64; 8];
    let chunks = v.chunks_exact(8);
    let tail = chunks.remainder();
    for c in chunks {
        for l in 0..8 {
            let a = c[l].abs();
            m[l] = if a > m[l] { a } else { m[l] };
        }
    }
    let mut r = 0.0f64;
    for a in m.into_iter().chain(tail.iter().map(|x| x.abs())) {
        r = if a > r { a } else { r };
    }
    r
}

/// The gap-safe rule for one column: keep it iff d = (1 − |xᵀR / c|) / ‖x‖ ≤ t, each operation
/// rounded as written (c = max(alpha, dual norm), t = √(2·gap) / alpha, ‖x‖ = √norm2).
///
/// Two divisions and a square root per column made the screening a tenth of the solver's time,
/// so d is first taken with multiplications by `inv_c` = 1/c and `inv_norm` = 1/‖x‖. That
/// value differs from the rounded d by less than `slack` (a few units in the last place of its
/// terms, with room for the rounding of the comparison), and only when it lies within `slack`
/// of t is d computed as written. The decision is always the formula's.
#[inline(always)]
fn screen_keeps(xta: f64, c: f64, inv_c: f64, t: f64, norm2: f64, inv_norm: f64) -> bool {
    let (approx, slack) = screen_approx(xta, inv_c, inv_norm);
    if approx + slack < t {
        true
    } else if approx - slack > t {
        false
    } else {
        (1.0 - (xta / c).abs()) / norm2.sqrt() <= t
    }
}

/// The multiplicative d of [`screen_keeps`] and its error bound.
#[inline(always)]
fn screen_approx(xta: f64, inv_c: f64, inv_norm: f64) -> (f64, f64) {
    let theta = xta * inv_c;
    let a = 1.0 - theta.abs();
    (
        a * inv_norm,
        4e-15 * (theta.abs() + a.abs() + 1.0) * inv_norm,
    )
}

/// sign(tmp)·max(|tmp| − alpha, 0) / norm2, the coordinate update.
///
/// |tmp| ≤ alpha gives sign(tmp)·0 (the same zero as the full formula, whose division would
/// only lengthen the dependency chain). Otherwise |tmp| − alpha > 0 (a difference of floats
/// a > b is positive), so the max is the identity, and (±v) / n = ±(v / n) exactly: the same
/// bits as the formula with a shorter chain.
#[inline(always)]
fn soft_threshold(tmp: f64, alpha: f64, norm2: f64) -> f64 {
    if tmp.abs() <= alpha {
        fsign(tmp) * 0.0
    } else {
        ((tmp.abs() - alpha) / norm2).copysign(tmp)
    }
}

/// Gap-safe screening (first call: also drops zero columns): rebuilds `active`, zeroing and
/// removing from R the coefficients of the excluded columns.
/// `remove(j, w_j)` takes a nonzero coefficient out of the residual (or of Xᵀr).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn dense_screen(
    x: &Design,
    alpha: f64,
    w: &mut [f64],
    xta: &[f64],
    gap: f64,
    dual_norm: f64,
    active: &mut Vec<usize>,
    excluded: &mut [bool],
    first: bool,
    mut remove: impl FnMut(usize, f64),
) {
    let norm2 = &x.norm2;
    let c = fmax(alpha, dual_norm);
    let inv_c = 1.0 / c;
    let t = (2.0 * gap).sqrt() / alpha;
    if !first {
        // The usual outcome: every active column (after a screening, the columns not
        // excluded) passes the rule's first, certain test, so nothing changes. Counted in one
        // branch-free pass (it vectorises) before the column-by-column loop; the same
        // decisions either way. Gap checks were ~15 % of the solver's time, half of it here.
        let p = x.p;
        let sure = xta[..p]
            .iter()
            .zip(&x.inv_norm[..p])
            .zip(&excluded[..p])
            .map(|((&v, &inv), &ex)| {
                let (approx, slack) = screen_approx(v, inv_c, inv);
                usize::from(!ex & (approx + slack < t))
            })
            .sum::<usize>();
        if sure == active.len() {
            return;
        }
    }
    active.clear();
    for j in 0..x.p {
        if !first && excluded[j] {
            continue;
        }
        if first && norm2[j] == 0.0 {
            w[j] = 0.0;
            excluded[j] = true;
            continue;
        }
        if screen_keeps(xta[j], c, inv_c, t, norm2[j], x.inv_norm[j]) {
            active.push(j);
            excluded[j] = false;
        } else {
            if w[j] != 0.0 {
                remove(j, w[j]);
                w[j] = 0.0;
            }
            excluded[j] = true;
        }
    }
}

/// `pub fn $name(args) -> CdOutcome`: runs `$body` with the fastest kernel set of this CPU,
/// compiled for its instruction set (AVX-512F, AVX2 + FMA, or plain Rust; the same operations
/// in the same order, so the same result).
macro_rules! solver_entry {
    ($(#[$doc:meta])* $name:ident => $body:ident($($arg:ident: $ty:ty),*)) => {
        $(#[$doc])*
        pub fn $name($($arg: $ty),*) -> CdOutcome {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                unsafe fn avx512(k: Avx512, $($arg: $ty),*) -> CdOutcome {
                    $body(k, $($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                unsafe fn avx2(k: Avx2, $($arg: $ty),*) -> CdOutcome {
                    $body(k, $($arg),*)
                }
                if let Some(k) = Avx512::detect() {
                    // SAFETY: the CPU supports AVX-512F (an `Avx512` value exists).
                    return unsafe { avx512(k, $($arg),*) };
                }
                if let Some(k) = Avx2::detect() {
                    // SAFETY: the CPU supports AVX2 and FMA (an `Avx2` value exists).
                    return unsafe { avx2(k, $($arg),*) };
                }
            }
            $body(Portable, $($arg),*)
        }
    };
}

solver_entry!(
    /// `cd_fast.enet_coordinate_descent` for the LASSO (beta = 0, cyclic, not positive, with
    /// screening): minimises ½‖y − Xw‖² + alpha‖w‖₁ from the start value in `w` (X, y centred by the
    /// caller; `y` padded like the design's columns).
    cd_dense => cd_dense_body(
        w: &mut [f64],
        alpha: f64,
        x: &Design,
        y: &[f64],
        max_iter: usize,
        tol: f64
    )
);

/// The coordinate descent. Each coordinate needs Xⱼᵀr with the current residual; the sweep
/// computes it for two coordinates per pass over r, and when a coefficient changes it updates r
/// in the same pass that computes the next two products. Every product is still taken against
/// exactly the residual the plain one-coordinate-at-a-time loop would see, with the same
/// association, so the iterates are those of that loop.
#[inline(always)]
fn cd_dense_body<K: Kern>(
    kern: K,
    w: &mut [f64],
    alpha: f64,
    x: &Design,
    y: &[f64],
    max_iter: usize,
    tol: f64,
) -> CdOutcome {
    // R = y − Xw
    let mut r_buf = Aligned::from_slice(y);
    let r = r_buf.as_mut_slice();
    for (j, &wj) in w.iter().enumerate().take(x.p) {
        if wj != 0.0 {
            kern.axpy(-wj, x.col(j), r);
        }
    }
    let tol = (tol, tol * kern.dot(y, y));
    cd_loop(&mut Dense { kern, x, r, y }, x, w, alpha, max_iter, tol)
}

/// The residual form of the coordinate descent: R = y − Xw.
struct Dense<'a, K> {
    kern: K,
    x: &'a Design,
    r: &'a mut [f64],
    y: &'a [f64],
}

impl<K: Kern> CdState for Dense<'_, K> {
    #[inline(always)]
    fn gap(&mut self, alpha: f64, w: &[f64], xta: &mut [f64]) -> (f64, f64) {
        dense_gap(self.kern, self.x, alpha, w, self.r, self.y, xta)
    }

    #[inline(always)]
    fn remove(&mut self, j: usize, wj: f64) {
        self.kern.axpy(wj, self.x.col(j), self.r);
    }

    #[inline(always)]
    fn sweep(&mut self, alpha: f64, w: &mut [f64], active: &[usize]) -> (f64, f64) {
        let (kern, x) = (self.kern, self.x);
        let r = &mut *self.r;
        let norm2 = &x.norm2;
        let mut w_max = 0.0f64;
        let mut d_w_max = 0.0f64;
        let m = active.len();
        // products Xⱼᵀr of positions k and k + 1 against the current r, when known
        let mut cur: Option<f64> = None;
        let mut nxt: Option<f64> = None;
        for k in 0..m {
            let j = active[k];
            let dj = match cur {
                Some(v) => v,
                None => {
                    if k + 1 < m {
                        let (a, b) = kern.dot2(x.col(j), x.col(active[k + 1]), r);
                        nxt = Some(b);
                        a
                    } else {
                        nxt = None;
                        kern.dot(x.col(j), r)
                    }
                }
            };
            let w_j = w[j];
            let tmp = dj + w_j * norm2[j];
            let w_new = soft_threshold(tmp, alpha, norm2[j]);
            w[j] = w_new;
            if w_new != w_j {
                let d = w_j - w_new;
                if k + 2 < m {
                    let (a, b) =
                        kern.axpy_dot2(d, x.col(j), r, x.col(active[k + 1]), x.col(active[k + 2]));
                    cur = Some(a);
                    nxt = Some(b);
                } else if k + 1 < m {
                    cur = Some(kern.axpy_dot(d, x.col(j), r, x.col(active[k + 1])));
                    nxt = None;
                } else {
                    kern.axpy(d, x.col(j), r);
                    cur = None;
                    nxt = None;
                }
            } else {
                cur = nxt.take();
            }
            let d_w_j = (w_new - w_j).abs();
            d_w_max = fmax(d_w_max, d_w_j);
            w_max = fmax(w_max, w_new.abs());
        }
        (w_max, d_w_max)
    }
}

/// What a form of the coordinate descent keeps besides w, for [`cd_loop`].
trait CdState {
    /// Duality gap and dual norm at w (XᵀR into `xta`).
    fn gap(&mut self, alpha: f64, w: &[f64], xta: &mut [f64]) -> (f64, f64);
    /// Takes the nonzero coefficient w_j of a screened-out column out of the state.
    fn remove(&mut self, j: usize, wj: f64);
    /// One cyclic sweep over `active`: (max |w_j|, max |Δw_j|).
    fn sweep(&mut self, alpha: f64, w: &mut [f64], active: &[usize]) -> (f64, f64);
}

/// The loop of `enet_coordinate_descent` around the sweeps: the first gap check and
/// screening, then sweeps, and after a sweep with max |Δw| / max |w| ≤ tol (or the last) a gap
/// check that stops at gap ≤ tol · ‖y‖² (`tol` here, already scaled) or screens again.
#[inline(always)]
fn cd_loop<S: CdState>(
    s: &mut S,
    x: &Design,
    w: &mut [f64],
    alpha: f64,
    max_iter: usize,
    (d_w_tol, tol): (f64, f64),
) -> CdOutcome {
    let p = x.p;
    let mut xta = vec![0.0; p];
    let (mut gap, mut dual_norm) = s.gap(alpha, w, &mut xta);
    if gap <= tol {
        return CdOutcome {
            gap,
            tol,
            n_iter: 0,
        };
    }
    let do_screening = alpha != 0.0;
    let mut active: Vec<usize> = (0..p).filter(|&j| x.norm2[j] != 0.0).collect();
    let mut excluded = vec![false; p];
    if do_screening {
        dense_screen(
            x,
            alpha,
            w,
            &xta,
            gap,
            dual_norm,
            &mut active,
            &mut excluded,
            true,
            |j, wj| s.remove(j, wj),
        );
    }
    let mut n_iter = 0;
    let mut converged = false;
    while n_iter < max_iter {
        let (w_max, d_w_max) = s.sweep(alpha, w, &active);
        if w_max == 0.0 || d_w_max / w_max <= d_w_tol || n_iter == max_iter - 1 {
            (gap, dual_norm) = s.gap(alpha, w, &mut xta);
            if gap <= tol {
                converged = true;
                break;
            }
            if do_screening {
                dense_screen(
                    x,
                    alpha,
                    w,
                    &xta,
                    gap,
                    dual_norm,
                    &mut active,
                    &mut excluded,
                    false,
                    |j, wj| s.remove(j, wj),
                );
            }
        }
        n_iter += 1;
    }
    CdOutcome {
        gap,
        tol,
        n_iter: if converged { n_iter + 1 } else { max_iter },
    }
}

/// Columns of XᵀX of a [`Design`], each computed the first time a coefficient of that column
/// becomes nonzero (a path touches a few hundred of them at most), zero-padded to a multiple of
/// [`LANES`] entries like the vector they update, in one buffer whose first column is zeros.
pub struct GramCols {
    /// Offset of column j in `data` (0, the zero column, until it is computed).
    off: Vec<usize>,
    data: Aligned,
    len: usize,
}

impl GramCols {
    fn new(p: usize) -> GramCols {
        let len = p.div_ceil(LANES) * LANES;
        GramCols {
            off: vec![0; p],
            data: Aligned::zeros(len),
            len,
        }
    }

    /// Offset of column j (xᵢᵀxⱼ for every i, the products of [`xt_times`]), computing it
    /// if needed.
    #[inline(always)]
    fn ensure<K: Kern>(&mut self, k: K, x: &Design, j: usize) -> usize {
        if self.off[j] == 0 {
            let o = self.data.len;
            self.data.grow(self.len);
            xt_times(k, x, x.col(j), &mut self.data.as_mut_slice()[o..]);
            self.off[j] = o;
        }
        self.off[j]
    }

    /// The column at offset `o`.
    #[inline(always)]
    fn at(&self, o: usize) -> &[f64] {
        &self.data.as_slice()[o..o + self.len]
    }
}

/// At most one coefficient change not yet added to h = XᵀXw: h is brought up to date two
/// changes per pass ([`Kern::axpy_n`]), and a visit in between adds the pending change to its
/// own hⱼ with the same fused multiply-add, so every value equals that of updating h at each
/// change. Empty, it is a zero multiple of the zero column (the same values, up to the sign of
/// a zero, without a branch). Two per pass measured faster than one, three, four, eight or
/// sixteen: the per-visit corrections grow with the count.
struct Pending {
    d: f64,
    off: usize,
}

impl Pending {
    const EMPTY: Pending = Pending { d: 0.0, off: 0 };

    /// hⱼ with the pending change.
    #[inline(always)]
    fn h(&self, gram: &GramCols, h: &[f64], j: usize) -> f64 {
        self.d.mul_add(gram.data.as_slice()[self.off + j], h[j])
    }

    /// Records h += d·(the Gram column at offset `off`), updating h when two are due.
    #[inline(always)]
    fn push<K: Kern>(&mut self, kern: K, gram: &GramCols, h: &mut [f64], d: f64, off: usize) {
        if self.off == 0 {
            *self = Pending { d, off };
        } else {
            kern.axpy_n([self.d, d], [gram.at(self.off), gram.at(off)], h);
            *self = Pending::EMPTY;
        }
    }

    /// Adds the pending change to h.
    #[inline(always)]
    fn flush<K: Kern>(&mut self, kern: K, gram: &GramCols, h: &mut [f64]) {
        if self.off != 0 {
            kern.axpy(self.d, gram.at(self.off), h);
        }
        *self = Pending::EMPTY;
    }
}

/// What the covariance-update solver keeps for one design across the alphas of a path: q = Xᵀy,
/// ‖y‖² and the Gram columns computed so far.
pub struct Covariance {
    q: Vec<f64>,
    y_norm2: f64,
    gram: GramCols,
}

impl Covariance {
    /// For the design `x` and the centred, padded response `y`.
    pub fn new(x: &Design, y: &[f64]) -> Covariance {
        fn build<K: Kern>(k: K, x: &Design, y: &[f64]) -> Covariance {
            let mut q = vec![0.0; x.p];
            xt_times(k, x, y, &mut q);
            Covariance {
                q,
                y_norm2: k.dot(y, y),
                gram: GramCols::new(x.p),
            }
        }
        #[cfg(target_arch = "x86_64")]
        {
            if let Some(k) = Avx2::detect() {
                return build(k, x, y);
            }
        }
        build(Portable, x, y)
    }
}

solver_entry!(
    /// [`cd_dense`] with covariance updates (what glmnet calls them): the same sweeps, screening
    /// and gap checks, but instead of the residual r it keeps h = XᵀXw, so that Xⱼᵀr = qⱼ − hⱼ
    /// costs nothing and a coefficient change is one update of h by a column of XᵀX (p entries)
    /// instead of a product and a residual update over the n rows. On these problems most visits
    /// are to zero coefficients, whose product dominated the dense solver.
    ///
    /// The arithmetic is not that of the dense solver (and of scikit-learn, which does not switch
    /// to the Gram solver when n < p): Xⱼᵀr, ‖r‖² = ‖y‖² + wᵀh − 2qᵀw and Rᵀy = ‖y‖² − qᵀw are
    /// taken from other sums, so iterates differ from the dense ones by a few units in the last
    /// place of the sums' terms. The decisions of the algorithm (thresholds, gap checks, screening)
    /// are the same formulas and the same number of sweeps unless a value lands within that
    /// rounding of a threshold.
    cd_cov => cd_cov_body(
        w: &mut [f64],
        alpha: f64,
        x: &Design,
        cov: &mut Covariance,
        max_iter: usize,
        tol: f64
    )
);

/// Duality gap and dual norm from h = XᵀXw: XᵀR = q − h into `xta`.
#[inline(always)]
fn cov_gap(
    alpha: f64,
    w: &[f64],
    h: &[f64],
    q: &[f64],
    y_norm2: f64,
    xta: &mut [f64],
) -> (f64, f64) {
    let q_dot_w = dot(w, q);
    let whw = dot(w, &h[..q.len()]);
    let r_norm2 = y_norm2 + whw - 2.0 * q_dot_w;
    let ry = y_norm2 - q_dot_w;
    for ((t, &qj), &hj) in xta.iter_mut().zip(q).zip(h) {
        *t = qj - hj;
    }
    gap_from(alpha, w, r_norm2, ry, xta)
}

#[inline(always)]
fn cd_cov_body<K: Kern>(
    kern: K,
    w: &mut [f64],
    alpha: f64,
    x: &Design,
    cov: &mut Covariance,
    max_iter: usize,
    tol: f64,
) -> CdOutcome {
    let Covariance { q, y_norm2, gram } = cov;
    // h = XᵀXw
    let mut h_buf = Aligned::zeros(gram.len);
    let h = h_buf.as_mut_slice();
    for (j, &wj) in w.iter().enumerate().take(x.p) {
        if wj != 0.0 {
            let o = gram.ensure(kern, x, j);
            kern.axpy(wj, gram.at(o), h);
        }
    }
    let tol = (tol, tol * *y_norm2);
    let mut state = Cov {
        kern,
        x,
        h,
        q,
        y_norm2: *y_norm2,
        gram,
        pending: Pending::EMPTY,
    };
    cd_loop(&mut state, x, w, alpha, max_iter, tol)
}

/// The covariance form of the coordinate descent: h = XᵀXw, with a pending change.
struct Cov<'a, K> {
    kern: K,
    x: &'a Design,
    h: &'a mut [f64],
    q: &'a [f64],
    y_norm2: f64,
    gram: &'a mut GramCols,
    pending: Pending,
}

impl<K: Kern> CdState for Cov<'_, K> {
    #[inline(always)]
    fn gap(&mut self, alpha: f64, w: &[f64], xta: &mut [f64]) -> (f64, f64) {
        self.pending.flush(self.kern, self.gram, self.h);
        cov_gap(alpha, w, self.h, self.q, self.y_norm2, xta)
    }

    #[inline(always)]
    fn remove(&mut self, j: usize, wj: f64) {
        let o = self.gram.ensure(self.kern, self.x, j);
        self.kern.axpy(-wj, self.gram.at(o), self.h);
    }

    #[inline(always)]
    fn sweep(&mut self, alpha: f64, w: &mut [f64], active: &[usize]) -> (f64, f64) {
        let (kern, x, q) = (self.kern, self.x, self.q);
        let (gram, h, pending) = (&mut *self.gram, &mut *self.h, &mut self.pending);
        let norm2 = &x.norm2;
        let mut w_max = 0.0f64;
        let mut d_w_max = 0.0f64;
        for &j in active {
            let w_j = w[j];
            let tmp = (q[j] - pending.h(gram, h, j)) + w_j * norm2[j];
            let w_new = soft_threshold(tmp, alpha, norm2[j]);
            w[j] = w_new;
            if w_new != w_j {
                let off = gram.ensure(kern, x, j);
                pending.push(kern, gram, h, w_new - w_j, off);
            }
            d_w_max = fmax(d_w_max, (w_new - w_j).abs());
            w_max = fmax(w_max, w_new.abs());
        }
        (w_max, d_w_max)
    }
}

/// `cd_fast.enet_coordinate_descent_gram` for the LASSO: Q = XᵀX (p × p, row-major),
/// q = Xᵀy, `y_norm2` = yᵀy.
pub fn cd_gram(
    w: &mut [f64],
    alpha: f64,
    q_mat: &[f64],
    q: &[f64],
    y_norm2: f64,
    max_iter: usize,
    tol: f64,
) -> CdOutcome {
    let p = q.len();
    let row = |j: usize| &q_mat[j * p..(j + 1) * p];
    let mut qw: Vec<f64> = (0..p).map(|i| dot(row(i), w)).collect();
    let mut xta = vec![0.0; p];
    let d_w_tol = tol;
    let tol = tol * y_norm2;
    let gap_fn = |w: &[f64], qw: &[f64], xta: &mut [f64]| -> (f64, f64) {
        let q_dot_w = dot(w, q);
        let wqw = dot(w, qw);
        let r_norm2 = y_norm2 + wqw - 2.0 * q_dot_w;
        let ry = y_norm2 - q_dot_w;
        for j in 0..p {
            xta[j] = q[j] - qw[j] - 0.0 * w[j];
        }
        let mut dn = 0.0f64;
        if p > 0 {
            dn = xta[0].abs();
            for v in &xta[1..] {
                if v.abs() > dn {
                    dn = v.abs();
                }
            }
        }
        let l1: f64 = w.iter().map(|v| v.abs()).sum();
        (gap_a(alpha, l1, r_norm2, ry, dn), dn)
    };
    let (mut gap, mut dual_norm) = gap_fn(w, &qw, &mut xta);
    if (0.0..=tol).contains(&gap) {
        return CdOutcome {
            gap,
            tol,
            n_iter: 0,
        };
    }
    let do_screening = alpha != 0.0;
    let mut active: Vec<usize> = (0..p).collect();
    let mut excluded = vec![false; p];
    let screen = |w: &mut [f64],
                  qw: &mut [f64],
                  xta: &[f64],
                  gap: f64,
                  dual_norm: f64,
                  active: &mut Vec<usize>,
                  excluded: &mut [bool],
                  first: bool| {
        let radius = (2.0 * gap.abs()).sqrt() / alpha;
        active.clear();
        for j in 0..p {
            if !first && excluded[j] {
                continue;
            }
            let qjj = q_mat[j * p + j];
            if first && qjj == 0.0 {
                w[j] = 0.0;
                excluded[j] = true;
                continue;
            }
            let xj_theta = xta[j] / fmax(alpha, dual_norm);
            let d_j = (1.0 - xj_theta.abs()) / qjj.sqrt();
            if d_j <= radius {
                active.push(j);
                excluded[j] = false;
            } else {
                if w[j] != 0.0 {
                    axpy(-w[j], row(j), qw);
                    w[j] = 0.0;
                }
                excluded[j] = true;
            }
        }
    };
    if do_screening {
        screen(
            w,
            &mut qw,
            &xta,
            gap,
            dual_norm,
            &mut active,
            &mut excluded,
            true,
        );
    }
    let mut n_iter = 0;
    let mut converged = false;
    while n_iter < max_iter {
        let mut w_max = 0.0f64;
        let mut d_w_max = 0.0f64;
        for &j in active.iter() {
            let qjj = q_mat[j * p + j];
            if qjj == 0.0 {
                continue;
            }
            let w_j = w[j];
            let tmp = q[j] - qw[j] + w_j * qjj;
            w[j] = fsign(tmp) * fmax(tmp.abs() - alpha, 0.0) / qjj;
            if w[j] != w_j {
                axpy(w[j] - w_j, row(j), &mut qw);
            }
            let d_w_j = (w[j] - w_j).abs();
            if d_w_j > d_w_max {
                d_w_max = d_w_j;
            }
            if w[j].abs() > w_max {
                w_max = w[j].abs();
            }
        }
        if w_max == 0.0 || d_w_max / w_max <= d_w_tol || n_iter == max_iter - 1 {
            let g = gap_fn(w, &qw, &mut xta);
            gap = g.0;
            dual_norm = g.1;
            if gap <= tol {
                converged = true;
                break;
            }
            if do_screening {
                screen(
                    w,
                    &mut qw,
                    &xta,
                    gap,
                    dual_norm,
                    &mut active,
                    &mut excluded,
                    false,
                );
            }
        }
        n_iter += 1;
    }
    CdOutcome {
        gap,
        tol,
        n_iter: if converged { n_iter + 1 } else { max_iter },
    }
}

/// Column means (sequential sums / n, numpy's axis-0 order).
fn col_means(x: &Matrix) -> Vec<f64> {
    (0..x.n_cols())
        .map(|j| {
            let mut s = 0.0;
            for v in x.col(j) {
                s += v;
            }
            s / x.n_rows() as f64
        })
        .collect()
}

fn mean(y: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in y {
        s += v;
    }
    s / y.len() as f64
}

/// Centres the columns of `x` (returns the centred copy and the means).
fn centre(x: &Matrix) -> (Matrix, Vec<f64>) {
    let m = col_means(x);
    let mut c = x.clone();
    for (j, mj) in m.iter().enumerate() {
        for v in c.col_mut(j) {
            *v -= mj;
        }
    }
    (c, m)
}

/// scikit-learn's default alpha grid (`_alpha_grid` with fit_intercept, l1_ratio = 1):
/// alpha_max = max_j |Xᵀ(y − ȳ) − x̄_j Σ(y − ȳ)| / n, then `numpy.geomspace(alpha_max,
/// eps·alpha_max, n_alphas)` (log10-linear, endpoints exact).
pub fn alpha_grid(x: &Matrix, y: &[f64], n_alphas: usize, eps: f64) -> Vec<f64> {
    let n = x.n_rows();
    let ym = mean(y);
    let yc: Vec<f64> = y.iter().map(|v| v - ym).collect();
    let sum_yc: f64 = yc.iter().sum();
    let xm = col_means(x);
    let mut amax_num = 0.0f64;
    for (j, &m) in xm.iter().enumerate().take(x.n_cols()) {
        let v = dot(x.col(j), &yc) - m * sum_yc;
        amax_num = amax_num.max(v * v);
    }
    let alpha_max = amax_num.sqrt() / n as f64;
    if alpha_max <= 1e-15 {
        return vec![1e-15; n_alphas];
    }
    geomspace(alpha_max, alpha_max * eps, n_alphas)
}

/// `numpy.geomspace(start, stop, num)` for positive start and stop.
pub fn geomspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let ls = start.log10();
    let le = stop.log10();
    let div = num.saturating_sub(1).max(1) as f64;
    let step = (le - ls) / div;
    let mut out: Vec<f64> = (0..num).map(|i| 10f64.powf(i as f64 * step + ls)).collect();
    if num > 0 {
        out[0] = start;
    }
    if num > 1 {
        out[num - 1] = stop;
    }
    out
}

/// Warm-started LASSO path on already-centred data, choosing the Gram solver when n > p like
/// scikit-learn's `precompute='auto'`. Returns coefficients per alpha (`[alpha][feature]`).
pub fn lasso_path_centred(
    xc: &Matrix,
    yc: &[f64],
    alphas: &[f64],
    tol: f64,
    max_iter: usize,
) -> Vec<Vec<f64>> {
    let n = xc.n_rows();
    let p = xc.n_cols();
    let mut w = vec![0.0; p];
    let mut out = Vec::with_capacity(alphas.len());
    if n > p {
        let mut gram = vec![0.0; p * p];
        for i in 0..p {
            for j in i..p {
                let v = dot(xc.col(i), xc.col(j));
                gram[i * p + j] = v;
                gram[j * p + i] = v;
            }
        }
        let q: Vec<f64> = (0..p).map(|j| dot(xc.col(j), yc)).collect();
        let y_norm2 = dot(yc, yc);
        for &a in alphas {
            cd_gram(&mut w, a * n as f64, &gram, &q, y_norm2, max_iter, tol);
            out.push(w.clone());
        }
    } else {
        let d = Design::from_centred(xc);
        dense_path(
            &d,
            d.pad(yc).as_slice(),
            alphas,
            tol,
            max_iter,
            &mut w,
            &mut out,
        );
    }
    out
}

/// Warm-started path for n ≤ p: one [`cd_cov`] per alpha (scaled by n), coefficients per alpha.
/// The covariance updates replace the dense solver's products here (2026-12-02: LassoCV of the
/// paper-shaped cohort ≈ 1.6× faster, same sweeps and selections; see [`cd_cov`] for the
/// rounding). The refit at the chosen alpha stays on [`cd_dense`], scikit-learn's arithmetic.
fn dense_path(
    d: &Design,
    yc: &[f64],
    alphas: &[f64],
    tol: f64,
    max_iter: usize,
    w: &mut [f64],
    out: &mut Vec<Vec<f64>>,
) {
    let mut cov = Covariance::new(d, yc);
    for &a in alphas {
        cd_cov(w, a * d.n as f64, d, &mut cov, max_iter, tol);
        out.push(w.to_vec());
    }
}

/// Warm-started path on the rows `rows` of (x, y), centred with their means (Gram solver when
/// there are more rows than columns). Returns the path, the column means and the mean of y.
fn path_on_rows(
    x: &Matrix,
    y: &[f64],
    rows: &[usize],
    alphas: &[f64],
    o: &LassoCvOptions,
) -> (Vec<Vec<f64>>, Vec<f64>, f64) {
    let ytr: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
    let ym = mean(&ytr);
    let yc: Vec<f64> = ytr.iter().map(|v| v - ym).collect();
    if rows.len() > x.n_cols() {
        let (xc, xm) = centre(&x.select_rows(rows));
        (
            lasso_path_centred(&xc, &yc, alphas, o.tol, o.max_iter),
            xm,
            ym,
        )
    } else {
        let (d, xm) = Design::centred(x, rows);
        let mut w = vec![0.0; x.n_cols()];
        let mut out = Vec::with_capacity(alphas.len());
        dense_path(
            &d,
            d.pad(&yc).as_slice(),
            alphas,
            o.tol,
            o.max_iter,
            &mut w,
            &mut out,
        );
        (out, xm, ym)
    }
}

/// Held-out MSE of every alpha for one fold.
fn fold_mse(
    x: &Matrix,
    y: &[f64],
    folds: &[usize],
    f: usize,
    alphas: &[f64],
    o: &LassoCvOptions,
) -> Vec<f64> {
    let train: Vec<usize> = (0..x.n_rows()).filter(|&i| folds[i] != f).collect();
    let test: Vec<usize> = (0..x.n_rows()).filter(|&i| folds[i] == f).collect();
    let (path, xm, ym) = path_on_rows(x, y, &train, alphas, o);
    let xte = x.select_rows(&test);
    path.iter()
        .map(|w| {
            let intercept = ym - dot(&xm, w);
            let mut s = 0.0;
            for (k, &i) in test.iter().enumerate() {
                let mut pred = 0.0;
                for (j, wj) in w.iter().enumerate() {
                    if *wj != 0.0 {
                        pred += xte.get(k, j) * wj;
                    }
                }
                let r = pred - y[i] + intercept;
                s += r * r;
            }
            s / test.len() as f64
        })
        .collect()
}

/// `Lasso(alpha).fit(x, y)` (fit_intercept, precompute=False, cold start).
pub fn lasso_fit(
    x: &Matrix,
    y: &[f64],
    alpha: f64,
    tol: f64,
    max_iter: usize,
) -> (Vec<f64>, f64, CdOutcome) {
    let all: Vec<usize> = (0..x.n_rows()).collect();
    let (d, xm) = Design::centred(x, &all);
    let ym = mean(y);
    let yc: Vec<f64> = y.iter().map(|v| v - ym).collect();
    let mut w = vec![0.0; x.n_cols()];
    let out = cd_dense(
        &mut w,
        alpha * x.n_rows() as f64,
        &d,
        d.pad(&yc).as_slice(),
        max_iter,
        tol,
    );
    let intercept = ym - dot(&xm, &w);
    (w, intercept, out)
}

/// `LassoCV(cv=n_folds)` on `x` (rows = training patients) and the 0/1 outcome `y`.
pub fn lasso_cv(x: &Matrix, y: &[f64], o: &LassoCvOptions) -> LassoCvResult {
    let folds = kfold_ids(x.n_rows(), o.n_folds);
    lasso_cv_with_folds(x, y, &folds, o)
}

/// Same as [`lasso_cv`] with explicit fold ids.
pub fn lasso_cv_with_folds(
    x: &Matrix,
    y: &[f64],
    folds: &[usize],
    o: &LassoCvOptions,
) -> LassoCvResult {
    let problem = CvProblem {
        x,
        y,
        folds: folds.to_vec(),
        full_path: false,
    };
    let mut out = lasso_cv_batch(&[problem], o);
    out.swap_remove(0).cv
}

/// One LassoCV of a [`lasso_cv_batch`].
pub struct CvProblem<'a> {
    /// Rows = training patients.
    pub x: &'a Matrix,
    /// 0/1 outcome.
    pub y: &'a [f64],
    /// Fold id of each row (e.g. [`kfold_ids`]).
    pub folds: Vec<usize>,
    /// Also compute the warm-started path on all rows (centred, from zero) over the CV's alpha
    /// grid — the coefficient-path figure.
    pub full_path: bool,
}

/// A [`CvProblem`] without its design, for [`lasso_cv_batch_with`] (which prepares it).
pub struct CvSpec<'a> {
    /// 0/1 outcome.
    pub y: &'a [f64],
    /// Fold id of each row.
    pub folds: Vec<usize>,
    /// Also compute the all-rows path (see [`CvProblem::full_path`]).
    pub full_path: bool,
}

/// Output of one [`CvProblem`].
pub struct CvOutput {
    /// The LassoCV.
    pub cv: LassoCvResult,
    /// `[alpha][feature]` path on all rows when asked for.
    pub full_path: Option<Vec<Vec<f64>>>,
    /// Seconds spent in this problem's jobs, summed over threads (progress only).
    pub seconds: f64,
}

#[derive(Clone, Copy)]
enum Job {
    Prep(usize),
    Fold(usize, usize),
    Path(usize),
    Refit(usize),
}

/// Shared state of the batch's workers.
struct Batch {
    /// Jobs ready to run (a finished preparation adds its problem's jobs).
    queue: std::collections::VecDeque<Job>,
    folds_left: Vec<usize>,
    ready_refits: Vec<usize>,
    refits_untaken: usize,
    fold_mse: Vec<Vec<Vec<f64>>>,
    paths: Vec<Option<Vec<Vec<f64>>>>,
    results: Vec<Option<LassoCvResult>>,
    seconds: Vec<f64>,
    /// A job panicked: the workers stop.
    failed: bool,
}

/// Several LassoCVs at once (e.g. the per-sequence and multimodal selections) on one work queue:
/// every fold path, full path and refit is a job; worker threads take the next job (a refit as
/// soon as its folds are done, else the next job: the paths, then the folds in problem order).
/// Each job computes exactly what the sequential code computes and its result goes to a fixed
/// place, so the output does not depend on the thread count or scheduling. Threads: the CPU's parallelism
/// (at most 8) when `o.parallel`, else the calling thread alone.
pub fn lasso_cv_batch(problems: &[CvProblem<'_>], o: &LassoCvOptions) -> Vec<CvOutput> {
    let order: Vec<usize> = (0..problems.len()).collect();
    let specs: Vec<CvSpec<'_>> = problems
        .iter()
        .map(|p| CvSpec {
            y: p.y,
            folds: p.folds.clone(),
            full_path: p.full_path,
        })
        .collect();
    lasso_cv_batch_with(&order, &specs, |k| problems[k].x, |x| x, o)
        .into_iter()
        .map(|(_, out)| out)
        .collect()
}

/// [`lasso_cv_batch`] whose designs are first built on the same threads: `prepare(k)` (e.g.
/// the selection stages before the LASSO) is itself a job, taken in the order `order` (the
/// longest first), and the problem's fold and path jobs enter the queue when it is done, so
/// they run while other problems are still being prepared. `design` gives the design matrix
/// of a prepared value; the rest of problem k is `problems[k]`. Returns, in problem order,
/// each prepared value and its output.
pub fn lasso_cv_batch_with<P: Send + Sync>(
    order: &[usize],
    problems: &[CvSpec<'_>],
    prepare: impl Fn(usize) -> P + Sync,
    design: impl Fn(&P) -> &Matrix + Sync,
    o: &LassoCvOptions,
) -> Vec<(P, CvOutput)> {
    let m = problems.len();
    // each problem's prepared value and alpha grid, set once by its preparation job
    let prepared: Vec<std::sync::OnceLock<(P, Vec<f64>)>> =
        (0..m).map(|_| std::sync::OnceLock::new()).collect();
    let state = std::sync::Mutex::new(Batch {
        queue: order.iter().map(|&k| Job::Prep(k)).collect(),
        folds_left: vec![0; m],
        ready_refits: Vec::new(),
        refits_untaken: m,
        fold_mse: vec![Vec::new(); m],
        paths: vec![None; m],
        results: (0..m).map(|_| None).collect(),
        seconds: vec![0.0; m],
        failed: false,
    });
    let wake = std::sync::Condvar::new();
    let lock = || {
        state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    // a problem's jobs enter the queue only after its preparation job stored the value
    let problem = |k: usize| {
        let (value, alphas) = prepared[k]
            .get()
            .unwrap_or_else(|| unreachable!("jobs of problem {k} are queued once it is prepared"));
        (design(value), &problems[k], alphas.as_slice())
    };
    let worker = || loop {
        let job = {
            let mut st = lock();
            loop {
                if let Some(k) = st.ready_refits.pop() {
                    st.refits_untaken -= 1;
                    break Some(Job::Refit(k));
                }
                if let Some(j) = st.queue.pop_front() {
                    break Some(j);
                }
                if st.refits_untaken == 0 || st.failed {
                    break None;
                }
                st = wake
                    .wait(st)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
        };
        let Some(job) = job else {
            wake.notify_all();
            break;
        };
        let run = || {
            let t0 = std::time::Instant::now();
            match job {
                Job::Prep(k) => {
                    let p = &problems[k];
                    prepared[k].get_or_init(|| {
                        let value = prepare(k);
                        let alphas = alpha_grid(design(&value), p.y, o.n_alphas, o.eps);
                        (value, alphas)
                    });
                    let nf = p.folds.iter().copied().max().map_or(0, |m| m + 1);
                    let mut st = lock();
                    st.seconds[k] += t0.elapsed().as_secs_f64();
                    st.folds_left[k] = nf;
                    st.fold_mse[k] = vec![Vec::new(); nf];
                    // the all-rows path (the largest job) first, so that no long job is left for
                    // the end
                    if p.full_path {
                        st.queue.push_front(Job::Path(k));
                    }
                    st.queue.extend((0..nf).map(|f| Job::Fold(k, f)));
                    if nf == 0 {
                        st.ready_refits.push(k);
                    }
                    wake.notify_all();
                }
                Job::Fold(k, f) => {
                    let (x, p, alphas) = problem(k);
                    let m = fold_mse(x, p.y, &p.folds, f, alphas, o);
                    let mut st = lock();
                    st.seconds[k] += t0.elapsed().as_secs_f64();
                    st.fold_mse[k][f] = m;
                    st.folds_left[k] -= 1;
                    if st.folds_left[k] == 0 {
                        st.ready_refits.push(k);
                        wake.notify_all();
                    }
                }
                Job::Path(k) => {
                    let (x, p, alphas) = problem(k);
                    let rows: Vec<usize> = (0..x.n_rows()).collect();
                    let (path, _, _) = path_on_rows(x, p.y, &rows, alphas, o);
                    let mut st = lock();
                    st.paths[k] = Some(path);
                    st.seconds[k] += t0.elapsed().as_secs_f64();
                }
                Job::Refit(k) => {
                    let (x, p, alphas) = problem(k);
                    let per_fold = std::mem::take(&mut lock().fold_mse[k]);
                    let r = cv_finish(x, p.y, &p.folds, alphas.to_vec(), &per_fold, o);
                    let mut st = lock();
                    st.results[k] = Some(r);
                    st.seconds[k] += t0.elapsed().as_secs_f64();
                    wake.notify_all();
                }
            }
        };
        // a job that panics stops the other workers (instead of leaving them waiting for a
        // refit that never comes) and the panic goes on to the caller
        if let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
            lock().failed = true;
            wake.notify_all();
            std::panic::resume_unwind(panic);
        }
    };
    let threads = if o.parallel {
        std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8))
    } else {
        1
    };
    if threads > 1 {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(worker);
            }
        });
    } else {
        worker();
    }
    let st = state
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    prepared
        .into_iter()
        .zip(st.results)
        .zip(st.paths)
        .zip(st.seconds)
        .map(|(((value, r), path), seconds)| {
            let (value, _) = value.into_inner().unwrap_or_else(|| {
                unreachable!("every preparation job runs before the workers stop")
            });
            let cv =
                r.unwrap_or_else(|| unreachable!("every refit job runs before the workers stop"));
            (
                value,
                CvOutput {
                    cv,
                    full_path: path,
                    seconds,
                },
            )
        })
        .collect()
}

/// CV curve, alpha choice and refit from the per-fold held-out MSEs.
fn cv_finish(
    x: &Matrix,
    y: &[f64],
    folds: &[usize],
    alphas: Vec<f64>,
    per_fold: &[Vec<f64>],
    o: &LassoCvOptions,
) -> LassoCvResult {
    let mse_path: Vec<Vec<f64>> = (0..alphas.len())
        .map(|a| per_fold.iter().map(|m| m[a]).collect())
        .collect();
    let mean_mse: Vec<f64> = mse_path
        .iter()
        .map(|row| {
            let mut s = 0.0;
            for v in row {
                s += v;
            }
            s / row.len() as f64
        })
        .collect();
    let mut min_index = 0;
    for (i, m) in mean_mse.iter().enumerate() {
        if *m < mean_mse[min_index] {
            min_index = i;
        }
    }
    // one-SE: SE = std(ddof=1) over folds / sqrt(folds) at the minimum
    let row = &mse_path[min_index];
    let k = row.len() as f64;
    let mu = mean(row);
    let var = row.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / (k - 1.0);
    let se = var.sqrt() / k.sqrt();
    let bound = mean_mse[min_index] + se;
    let one_se_index = mean_mse
        .iter()
        .position(|m| *m <= bound)
        .unwrap_or(min_index);
    let alpha_index = match o.rule {
        AlphaRule::Min => min_index,
        AlphaRule::OneSe => one_se_index,
    };
    let alpha = alphas[alpha_index];
    let (coef, intercept, out) = lasso_fit(x, y, alpha, o.tol, o.max_iter);
    LassoCvResult {
        alphas,
        mse_path,
        mean_mse,
        folds: folds.to_vec(),
        min_index,
        one_se_index,
        alpha_index,
        alpha,
        coef,
        intercept,
        n_iter: out.n_iter,
        dual_gap: out.gap / x.n_rows() as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random values in [-1, 1).
    fn values(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
            })
            .collect()
    }

    /// The multiplicative first test of the screening never changes a decision of the formula,
    /// also for thresholds placed exactly at, and one ulp either side of, the rounded d.
    #[test]
    fn max_abs_is_the_sequential_loop() {
        let seq = |v: &[f64]| -> f64 {
            let Some((first, rest)) = v.split_first() else {
                return 0.0;
            };
            let mut m = first.abs();
            for x in rest {
                if x.abs() > m {
                    m = x.abs();
                }
            }
            m
        };
        for n in [0usize, 1, 7, 8, 9, 31, 272] {
            for seed in 0..5u64 {
                let mut v = values(n, 40 + seed);
                if n > 3 && seed % 2 == 1 {
                    v[3] = f64::NAN;
                    v[n - 1] = -1e3;
                }
                assert_eq!(
                    max_abs(&v).to_bits(),
                    seq(&v).to_bits(),
                    "n {n} seed {seed}"
                );
            }
        }
        assert!(max_abs(&[f64::NAN, 2.0]).is_nan());
    }

    #[test]
    fn screening_decisions_are_the_formula_s() {
        let formula =
            |xta: f64, c: f64, norm2: f64, t: f64| (1.0 - (xta / c).abs()) / norm2.sqrt() <= t;
        let v = values(6000, 9);
        let mut near = 0;
        for q in v.chunks_exact(3) {
            let c = 0.5 + 4.0 * q[0].abs();
            let xta = q[1] * c * 1.2; // |xᵀR / c| up to 1.2, both sides of 1
            let norm2 = 1.0 + 200.0 * q[2].abs();
            let d = (1.0 - (xta / c).abs()) / norm2.sqrt();
            let inv_norm = 1.0 / norm2.sqrt();
            for t in [
                d,
                d.next_up(),
                d.next_down(),
                d * (1.0 + 1e-15),
                d * 2.0,
                d * 0.5,
                0.01,
            ] {
                let fast = screen_keeps(xta, c, 1.0 / c, t, norm2, inv_norm);
                assert_eq!(
                    fast,
                    formula(xta, c, norm2, t),
                    "xta {xta} c {c} norm2 {norm2} t {t}"
                );
                near += usize::from((t - d).abs() <= d.abs() * 1e-14);
            }
        }
        assert!(near >= 3 * 2000, "the thresholds next to d were tried");
    }

    /// Every kernel of `k` gives the portable kernels' bits.
    fn kernels_equal_portable_bit_for_bit<K: Kern>(k: K) {
        for n in [16usize, 32, 112, 144] {
            let (a, b, x) = (values(n, 1), values(n, 2), values(n, 3));
            let r0 = values(n, 4);
            assert_eq!(k.dot(&a, &b).to_bits(), Portable.dot(&a, &b).to_bits());
            let (p1, p2) = Portable.dot2(&a, &b, &r0);
            let (v1, v2) = k.dot2(&a, &b, &r0);
            assert_eq!((p1.to_bits(), p2.to_bits()), (v1.to_bits(), v2.to_bits()));
            let (mut rp, mut rv) = (r0.clone(), r0.clone());
            let (p1, p2) = Portable.axpy_dot2(-0.37, &x, &mut rp, &a, &b);
            let (v1, v2) = k.axpy_dot2(-0.37, &x, &mut rv, &a, &b);
            assert_eq!((p1.to_bits(), p2.to_bits()), (v1.to_bits(), v2.to_bits()));
            assert_eq!(rp, rv);
            let p1 = Portable.axpy_dot(0.81, &x, &mut rp, &a);
            let v1 = k.axpy_dot(0.81, &x, &mut rv, &a);
            assert_eq!(p1.to_bits(), v1.to_bits());
            Portable.axpy(1.5, &b, &mut rp);
            k.axpy(1.5, &b, &mut rv);
            assert_eq!(rp, rv);
            let four = [-0.3, 1.25, 0.5, -2.0];
            let mut rs = rp.clone();
            Portable.axpy_n(four, [&a, &b, &x, &r0], &mut rp);
            k.axpy_n(four, [&a, &b, &x, &r0], &mut rv);
            assert_eq!(rp, rv);
            for (dk, xk) in four.iter().zip([&a, &b, &x, &r0]) {
                Portable.axpy(*dk, xk, &mut rs);
            }
            assert_eq!(rs, rp, "axpy_n = four axpys in order");
        }
    }

    #[test]
    fn avx2_kernels_equal_portable_bit_for_bit() {
        #[cfg(target_arch = "x86_64")]
        if let Some(k) = Avx2::detect() {
            kernels_equal_portable_bit_for_bit(k);
        }
    }

    #[test]
    fn avx512_kernels_equal_portable_bit_for_bit() {
        #[cfg(target_arch = "x86_64")]
        if let Some(k) = Avx512::detect() {
            kernels_equal_portable_bit_for_bit(k);
        }
    }

    /// The textbook sweep (one product per coordinate, then the residual update) with the same
    /// kernels; the two-products-per-pass sweep must give exactly its iterates.
    struct PlainDense<'a> {
        x: &'a Design,
        r: Vec<f64>,
        y: &'a [f64],
    }

    impl CdState for PlainDense<'_> {
        fn gap(&mut self, alpha: f64, w: &[f64], xta: &mut [f64]) -> (f64, f64) {
            dense_gap(Portable, self.x, alpha, w, &self.r, self.y, xta)
        }
        fn remove(&mut self, j: usize, wj: f64) {
            Portable.axpy(wj, self.x.col(j), &mut self.r);
        }
        fn sweep(&mut self, alpha: f64, w: &mut [f64], active: &[usize]) -> (f64, f64) {
            let x = self.x;
            let (mut w_max, mut d_w_max) = (0.0f64, 0.0f64);
            for &j in active {
                let w_j = w[j];
                let tmp = k_dot(x.col(j), &self.r) + w_j * x.norm2[j];
                w[j] = fsign(tmp) * fmax(tmp.abs() - alpha, 0.0) / x.norm2[j];
                if w[j] != w_j {
                    Portable.axpy(w_j - w[j], x.col(j), &mut self.r);
                }
                d_w_max = fmax(d_w_max, (w[j] - w_j).abs());
                w_max = fmax(w_max, w[j].abs());
            }
            (w_max, d_w_max)
        }
    }

    fn plain_cd(w: &mut [f64], alpha: f64, x: &Design, y: &[f64], max_iter: usize, tol: f64) {
        let mut r = y.to_vec();
        for (j, &wj) in w.iter().enumerate() {
            if wj != 0.0 {
                Portable.axpy(-wj, x.col(j), &mut r);
            }
        }
        let tol = (tol, tol * k_dot(y, y));
        cd_loop(&mut PlainDense { x, r, y }, x, w, alpha, max_iter, tol);
    }

    /// The covariance-update sweep as written: h updated at every change.
    struct PlainCov<'a> {
        x: &'a Design,
        h: Vec<f64>,
        cov: &'a mut Covariance,
    }

    impl CdState for PlainCov<'_> {
        fn gap(&mut self, alpha: f64, w: &[f64], xta: &mut [f64]) -> (f64, f64) {
            cov_gap(alpha, w, &self.h, &self.cov.q, self.cov.y_norm2, xta)
        }
        fn remove(&mut self, j: usize, wj: f64) {
            let o = self.cov.gram.ensure(Portable, self.x, j);
            Portable.axpy(-wj, self.cov.gram.at(o), &mut self.h);
        }
        fn sweep(&mut self, alpha: f64, w: &mut [f64], active: &[usize]) -> (f64, f64) {
            let x = self.x;
            let (mut w_max, mut d_w_max) = (0.0f64, 0.0f64);
            for &j in active {
                let w_j = w[j];
                let tmp = (self.cov.q[j] - self.h[j]) + w_j * x.norm2[j];
                w[j] = fsign(tmp) * fmax(tmp.abs() - alpha, 0.0) / x.norm2[j];
                if w[j] != w_j {
                    let o = self.cov.gram.ensure(Portable, x, j);
                    Portable.axpy(w[j] - w_j, self.cov.gram.at(o), &mut self.h);
                }
                d_w_max = fmax(d_w_max, (w[j] - w_j).abs());
                w_max = fmax(w_max, w[j].abs());
            }
            (w_max, d_w_max)
        }
    }

    fn plain_cov(w: &mut [f64], alpha: f64, x: &Design, cov: &mut Covariance, max_iter: usize) {
        let mut h = vec![0.0; cov.gram.len];
        for (j, &wj) in w.iter().enumerate().take(x.p) {
            if wj != 0.0 {
                let o = cov.gram.ensure(Portable, x, j);
                Portable.axpy(wj, cov.gram.at(o), &mut h);
            }
        }
        let tol = (1e-4, 1e-4 * cov.y_norm2);
        cd_loop(&mut PlainCov { x, h, cov }, x, w, alpha, max_iter, tol);
    }

    /// A radiomics-like problem: correlated column pairs, a binary outcome; the padded centred
    /// design, the padded centred y and a 30-alpha grid.
    fn block_problem(n: usize, p: usize) -> (Design, Aligned, Vec<f64>) {
        let cols: Vec<Vec<f64>> = (0..p)
            .map(|j| {
                let mut c = values(n, 10 + j as u64);
                if j % 3 == 1 {
                    // correlated neighbours, like radiomics blocks
                    let prev = values(n, 10 + j as u64 - 1);
                    for (v, q) in c.iter_mut().zip(prev) {
                        *v = 0.9 * q + 0.1 * *v;
                    }
                }
                c
            })
            .collect();
        let x = Matrix::from_columns(&cols);
        let y: Vec<f64> = (0..n)
            .map(|i| f64::from(u8::from(cols[0][i] + cols[5][i] > 0.0)))
            .collect();
        let rows: Vec<usize> = (0..n).collect();
        let (d, _) = Design::centred(&x, &rows);
        let ym = mean(&y);
        let yc = d.pad(&y.iter().map(|v| v - ym).collect::<Vec<_>>());
        (d, yc, alpha_grid(&x, &y, 30, 1e-3))
    }

    fn bits(w: &[f64]) -> Vec<u64> {
        w.iter().map(|v| v.to_bits()).collect()
    }

    #[test]
    fn covariance_solver_is_its_plain_loop_and_agrees_with_the_dense_one() {
        let (n, p) = (37, 90);
        let (d, yc, alphas) = block_problem(n, p);
        let yc = yc.as_slice();
        let (mut cov_f, mut cov_p, mut cov_q) = (
            Covariance::new(&d, yc),
            Covariance::new(&d, yc),
            Covariance::new(&d, yc),
        );
        let (mut wf, mut wp, mut wd) = (vec![0.0; p], vec![0.0; p], vec![0.0; p]);
        let mut nonzero = 0;
        for &a in &alphas {
            let start = wf.clone();
            let out = cd_cov(&mut wf, a * n as f64, &d, &mut cov_f, 1000, 1e-4);
            // the deferred updates of h give exactly the values of updating it at each change
            plain_cov(&mut wp, a * n as f64, &d, &mut cov_p, 1000);
            assert_eq!(bits(&wf), bits(&wp), "alpha {a}");
            // the plain-Rust build gives the same bits
            let mut wq = start;
            let outq = cd_cov_body(Portable, &mut wq, a * n as f64, &d, &mut cov_q, 1000, 1e-4);
            assert_eq!(bits(&wq), bits(&wf), "alpha {a}");
            assert_eq!(out.n_iter, outq.n_iter);
            // same sweeps as the dense solver; iterates within rounding of its sums
            let outd = cd_dense(&mut wd, a * n as f64, &d, yc, 1000, 1e-4);
            assert_eq!(out.n_iter, outd.n_iter, "alpha {a}");
            let scale = wd.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for (u, v) in wf.iter().zip(&wd) {
                assert!((u - v).abs() <= 1e-12 * scale, "alpha {a}: {u} vs {v}");
                assert_eq!(*u == 0.0, *v == 0.0, "alpha {a}: support");
            }
            nonzero = nonzero.max(wf.iter().filter(|v| **v != 0.0).count());
        }
        assert!(
            nonzero > 10,
            "the path should activate many coefficients ({nonzero})"
        );
    }

    #[test]
    fn fused_sweep_gives_the_plain_loop_iterates() {
        let (n, p) = (37, 90);
        let (d, yc_buf, alphas) = block_problem(n, p);
        let yc = yc_buf.as_slice();
        let (mut wf, mut wp) = (vec![0.0; p], vec![0.0; p]);
        let mut nonzero = 0;
        for &a in &alphas {
            let start = wf.clone();
            let out = cd_dense(&mut wf, a * n as f64, &d, yc, 1000, 1e-4);
            plain_cd(&mut wp, a * n as f64, &d, yc, 1000, 1e-4);
            assert_eq!(bits(&wf), bits(&wp), "alpha {a}");
            // the plain-Rust build of the solver (CPUs without AVX2) gives the same bits
            let mut wq = start;
            let outq = cd_dense_body(Portable, &mut wq, a * n as f64, &d, yc, 1000, 1e-4);
            assert_eq!(bits(&wq), bits(&wf), "alpha {a}");
            assert_eq!(out, outq);
            nonzero = nonzero.max(wf.iter().filter(|v| **v != 0.0).count());
        }
        assert!(
            nonzero > 10,
            "the path should activate many coefficients ({nonzero})"
        );
    }

    #[test]
    fn a_panicking_preparation_reaches_the_caller_instead_of_hanging() {
        let n = 30;
        let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 3 == 0))).collect();
        let cols: Vec<Vec<f64>> = (0..12).map(|j| values(n, 500 + j)).collect();
        let x = Matrix::from_columns(&cols);
        let specs: Vec<CvSpec<'_>> = (0..3)
            .map(|_| CvSpec {
                y: &y,
                folds: kfold_ids(n, 5),
                full_path: false,
            })
            .collect();
        let o = LassoCvOptions {
            n_alphas: 10,
            ..LassoCvOptions::default()
        };
        for parallel in [true, false] {
            let o = LassoCvOptions {
                parallel,
                ..o.clone()
            };
            let r = std::panic::catch_unwind(|| {
                lasso_cv_batch_with(
                    &[2, 1, 0],
                    &specs,
                    |k| {
                        assert!(k != 1, "preparation {k} fails");
                        &x
                    },
                    |m| *m,
                    &o,
                )
            });
            assert!(r.is_err(), "parallel {parallel}");
        }
    }

    #[test]
    fn batch_equals_one_by_one_whatever_the_threads() {
        let n = 48;
        let y: Vec<f64> = values(n, 99)
            .iter()
            .map(|v| f64::from(u8::from(*v > 0.0)))
            .collect();
        let xs: Vec<Matrix> = [20usize, 60, 75]
            .iter()
            .enumerate()
            .map(|(k, &p)| {
                let cols: Vec<Vec<f64>> = (0..p)
                    .map(|j| {
                        let noise = values(n, 1000 * k as u64 + j as u64);
                        noise
                            .iter()
                            .zip(&y)
                            .map(|(e, t)| e + 0.3 * t * (j % 4) as f64)
                            .collect()
                    })
                    .collect();
                Matrix::from_columns(&cols)
            })
            .collect();
        let folds = kfold_ids(n, 5);
        let problems = |full: bool| -> Vec<CvProblem<'_>> {
            xs.iter()
                .map(|x| CvProblem {
                    x,
                    y: &y,
                    folds: folds.clone(),
                    full_path: full,
                })
                .collect()
        };
        let o = LassoCvOptions {
            n_alphas: 20,
            ..LassoCvOptions::default()
        };
        let serial = LassoCvOptions {
            parallel: false,
            ..o.clone()
        };
        let par = lasso_cv_batch(&problems(true), &o);
        let one = lasso_cv_batch(&problems(false), &serial);
        for (k, x) in xs.iter().enumerate() {
            let single = lasso_cv_with_folds(x, &y, &folds, &serial);
            assert_eq!(par[k].cv, single, "problem {k}");
            assert_eq!(one[k].cv, single, "problem {k}");
            assert!(one[k].full_path.is_none());
            let rows: Vec<usize> = (0..n).collect();
            let (path, _, _) = path_on_rows(x, &y, &rows, &single.alphas, &serial);
            assert_eq!(par[k].full_path.as_ref(), Some(&path));
        }
    }
}
