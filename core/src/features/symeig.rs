//! The largest eigenvalues of a small dense real symmetric matrix and one eigenvector, for
//! GLCM's MCC fast path ([`super::glcm`]).
//!
//! Method (the textbook sequence, as LAPACK's `dsytrd` + `dstebz` + `dstein` in spirit):
//!
//! 1. [`tridiagonalize`]: Householder reduction `Hᵀ A H = T` (Golub & Van Loan, *Matrix
//!    Computations*, 4th ed., algorithm 8.3.1), the reflectors kept in the matrix;
//! 2. [`kth_largest`]: one eigenvalue of `T` by quadrisection on Sturm counts (Kahan's, as
//!    `dstebz` bisects): backward stable, so each eigenvalue is found to a few ulps of `‖T‖`;
//!    [`count_below`] alone certifies that an eigenvalue is isolated;
//! 3. [`eigenvector`]: inverse iteration on `T − λI` with partial pivoting (as `dstein`), then
//!    the reflectors carry the vector back to `A`'s basis.
//!
//! About `(4/3)·n³` operations for the reduction and `O(n)` per eigenvalue, against `~10·n³`
//! for the non-symmetric QR iteration of [`super::eigen`]. No allocation, no recursion.

use crate::Error;

fn at(a: &[f64], i: usize) -> f64 {
    a.get(i).copied().unwrap_or(0.0)
}

fn put(a: &mut [f64], i: usize, v: f64) {
    if let Some(o) = a.get_mut(i) {
        *o = v;
    }
}

/// Reduces the symmetric `n × n` row-major matrix `a` (both triangles filled) to tridiagonal
/// form: diagonal in `d[..n]`, off-diagonal in `e[..n − 1]` (`e[n − 1] = 0`). Reflector `k`
/// (`I − β v vᵀ`, acting on indices `k + 1..n`, `β = 2 / vᵀv`, none when `v = 0`) is left in
/// column `k` below the diagonal (`a[i·n + k]`, `i > k`), for [`eigenvector`]. `v` and `p`
/// (≥ `n` each) are work space.
pub fn tridiagonalize(
    a: &mut [f64],
    n: usize,
    d: &mut [f64],
    e: &mut [f64],
    v: &mut [f64],
    p: &mut [f64],
) -> Result<(), Error> {
    let small = Error::ScratchTooSmall;
    let nn = n.checked_mul(n).ok_or(Error::SizeOverflow)?;
    let a = a.get_mut(..nn).ok_or(small)?;
    let (d, e) = (d.get_mut(..n).ok_or(small)?, e.get_mut(..n).ok_or(small)?);
    let (v, p) = (v.get_mut(..n).ok_or(small)?, p.get_mut(..n).ok_or(small)?);
    for k in 0..n.saturating_sub(2) {
        let m = n - k - 1; // order of the trailing block A₂₂ = a[k+1.., k+1..]
        let (Some(v), Some(p)) = (v.get_mut(..m), p.get_mut(..m)) else {
            return Err(small);
        };
        // x = a[k+1.., k]; v = x − α e₁ with α = −sign(x₀)·‖x‖ (no cancellation in v₀)
        for (t, o) in v.iter_mut().enumerate() {
            *o = at(a, (k + 1 + t) * n + k);
        }
        let scale = v.iter().fold(0.0f64, |s, x| s.max(libm::fabs(*x)));
        if scale == 0.0 {
            put(e, k, 0.0);
            continue; // already reduced: v = 0 stays in the column
        }
        let ss = v.iter().fold(0.0, |s, x| s + (x / scale) * (x / scale));
        let norm = scale * libm::sqrt(ss);
        let x0 = at(v, 0);
        let alpha = if x0 >= 0.0 { -norm } else { norm };
        put(v, 0, x0 - alpha);
        put(e, k, alpha);
        // vᵀv = ‖x‖² − 2α·x₀ + α² = 2‖x‖·(‖x‖ + |x₀|)
        let beta = 2.0 / (2.0 * norm * (norm + libm::fabs(x0)));
        // p = β·A₂₂·v (A₂₂ symmetric: a sum of its rows), K = β/2·pᵀv, q = p − K·v,
        // A₂₂ ← A₂₂ − v qᵀ − q vᵀ
        p.fill(0.0);
        for (j, &vj) in v.iter().enumerate() {
            let r0 = (k + 1 + j) * n + k + 1;
            let row = a.get(r0..r0 + m).ok_or(small)?;
            for (o, &x) in p.iter_mut().zip(row) {
                *o += vj * x;
            }
        }
        let mut pv = 0.0;
        for (o, &vi) in p.iter_mut().zip(v.iter()) {
            *o *= beta;
            pv += *o * vi;
        }
        let kk = 0.5 * beta * pv;
        for (o, &vi) in p.iter_mut().zip(v.iter()) {
            *o -= kk * vi;
        }
        for (i, (&vi, &qi)) in v.iter().zip(p.iter()).enumerate() {
            let r0 = (k + 1 + i) * n + k + 1;
            let row = a.get_mut(r0..r0 + m).ok_or(small)?;
            for ((o, &qj), &vj) in row.iter_mut().zip(p.iter()).zip(v.iter()) {
                *o -= vi * qj + qi * vj;
            }
        }
        for (t, &x) in v.iter().enumerate() {
            put(a, (k + 1 + t) * n + k, x);
        }
    }
    if n >= 2 {
        put(e, n - 2, at(a, (n - 1) * n + n - 2));
    }
    if n >= 1 {
        put(e, n - 1, 0.0);
    }
    for (k, o) in d.iter_mut().enumerate() {
        *o = at(a, k * n + k);
    }
    Ok(())
}

/// Smallest pivot magnitude in the Sturm sequence and the LU of `T − λI` (LAPACK's `pivmin`).
fn pivmin(e: &[f64], n: usize) -> f64 {
    let mut m = 1.0f64;
    for &v in e.iter().take(n.saturating_sub(1)) {
        m = m.max(v * v);
    }
    f64::MIN_POSITIVE * m
}

/// Number of eigenvalues of the tridiagonal `(d, e)` (order `n`) below each of the three points
/// `x`: three Sturm sequences run side by side (their divisions overlap).
fn counts_below(d: &[f64], e: &[f64], n: usize, x: [f64; 3]) -> [usize; 3] {
    let pmin = pivmin(e, n);
    let mut c = [0usize; 3];
    let mut q = [1.0f64; 3];
    let mut b2 = 0.0;
    for (i, &di) in d.iter().enumerate().take(n) {
        for t in 0..3 {
            let mut qt = di - x[t] - if i > 0 { b2 / q[t] } else { 0.0 };
            if libm::fabs(qt) <= pmin {
                qt = -pmin;
            }
            c[t] += usize::from(qt < 0.0);
            q[t] = qt;
        }
        let b = at(e, i);
        b2 = b * b;
    }
    c
}

/// Number of eigenvalues of the tridiagonal `(d, e)` below `x` (Sturm count, backward stable).
pub fn count_below(d: &[f64], e: &[f64], n: usize, x: f64) -> usize {
    counts_below(d, e, n, [x; 3])[0]
}

/// Gershgorin interval `(lo, hi)` of the tridiagonal `(d, e)`: every eigenvalue lies in it.
pub fn gershgorin(d: &[f64], e: &[f64], n: usize) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for i in 0..n {
        let r = if i > 0 { libm::fabs(at(e, i - 1)) } else { 0.0 }
            + if i + 1 < n { libm::fabs(at(e, i)) } else { 0.0 };
        lo = lo.min(at(d, i) - r);
        hi = hi.max(at(d, i) + r);
    }
    (lo, hi)
}

/// The `k`-th largest eigenvalue (`k = 1` the largest, `k ≤ n`) of the symmetric tridiagonal
/// matrix with diagonal `d[..n]` and off-diagonal `e[..n − 1]`, by quadrisection on Sturm
/// counts (three points per step) down to adjacent floating-point numbers.
pub fn kth_largest(d: &[f64], e: &[f64], n: usize, k: usize) -> Result<f64, Error> {
    if k == 0 || k > n || d.len() < n || e.len() + 1 < n {
        return Err(Error::ScratchTooSmall);
    }
    let (mut lo, mut hi) = gershgorin(d, e, n);
    if !(lo.is_finite() && hi.is_finite()) {
        return Err(Error::NonFiniteVoxel);
    }
    // widened as LAPACK's dstebz does
    let tnorm = libm::fabs(lo).max(libm::fabs(hi));
    let widen = 2.0 * f64::EPSILON * tnorm * n as f64 + 2.0 * pivmin(e, n);
    lo -= widen;
    hi += widen;
    // invariant: count_below(lo) ≤ m < count_below(hi), m = n − k (0-based from the bottom)
    let m = n - k;
    for _ in 0..100 {
        let h = 0.25 * (hi - lo);
        let x = [lo + h, 0.5 * (lo + hi), hi - h];
        if !(x[0] > lo && x[2] < hi && x[0] < x[1] && x[1] < x[2]) {
            // fewer than four representable steps left: finish by bisection
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if count_below(d, e, n, mid) > m {
                hi = mid;
            } else {
                lo = mid;
            }
            continue;
        }
        let c = counts_below(d, e, n, x);
        // the first point whose count exceeds m is the new upper end
        match c.iter().position(|&ct| ct > m) {
            Some(0) => hi = x[0],
            Some(j) => {
                lo = x[j - 1];
                hi = x[j];
            }
            None => lo = x[2],
        }
    }
    Ok(0.5 * (lo + hi))
}

/// A unit eigenvector of the matrix [`tridiagonalize`] reduced (`a`, `n`, its `d`, `e`) for the
/// simple eigenvalue `lambda`, in `y[..n]`: three steps of inverse iteration on `T − λI` (LU
/// with partial pivoting, a zero pivot replaced by a tiny one as LAPACK's `dstein` does), then
/// the reflectors stored in `a`. `w` (≥ `5n`) is work space.
pub fn eigenvector(
    a: &[f64],
    n: usize,
    d: &[f64],
    e: &[f64],
    lambda: f64,
    y: &mut [f64],
    w: &mut [f64],
) -> Result<(), Error> {
    if n == 0 || d.len() < n || e.len() + 1 < n || y.len() < n || w.len() < 5 * n {
        return Err(Error::ScratchTooSmall);
    }
    let (dd, w) = w.split_at_mut(n);
    let (du, w) = w.split_at_mut(n);
    let (du2, w) = w.split_at_mut(n);
    let (dl, piv) = w.split_at_mut(n);
    // LU of T − λI (LAPACK dgttrf): dd diagonal of U, du / du2 its super-diagonals, dl the
    // multipliers, piv 1.0 where rows i and i+1 were swapped.
    let mut tnorm = 0.0f64;
    for i in 0..n {
        put(dd, i, at(d, i) - lambda);
        put(du, i, if i + 1 < n { at(e, i) } else { 0.0 });
        put(dl, i, if i + 1 < n { at(e, i) } else { 0.0 });
        put(du2, i, 0.0);
        put(piv, i, 0.0);
        let off = if i + 1 < n { libm::fabs(at(e, i)) } else { 0.0 };
        tnorm = tnorm.max(libm::fabs(at(d, i)) + off);
    }
    let tiny = (f64::EPSILON * tnorm).max(f64::MIN_POSITIVE);
    for i in 0..n.saturating_sub(1) {
        let (di, li) = (at(dd, i), at(dl, i));
        if libm::fabs(di) >= libm::fabs(li) {
            if di != 0.0 {
                let f = li / di;
                put(dl, i, f);
                put(dd, i + 1, at(dd, i + 1) - f * at(du, i));
            }
        } else {
            let f = di / li;
            put(dd, i, li);
            put(dl, i, f);
            let t = at(du, i);
            put(du, i, at(dd, i + 1));
            put(dd, i + 1, t - f * at(dd, i + 1));
            if i + 2 < n {
                put(du2, i, at(du, i + 1));
                put(du, i + 1, -f * at(du, i + 1));
            }
            put(piv, i, 1.0);
        }
    }
    for v in dd.iter_mut() {
        if libm::fabs(*v) < tiny {
            *v = if *v < 0.0 { -tiny } else { tiny };
        }
    }
    // start: a fixed vector with no zero entries (components along every eigenvector)
    for (i, v) in y.iter_mut().take(n).enumerate() {
        *v = 1.0 + 0.25 * (i % 7) as f64;
    }
    for _ in 0..3 {
        // normalise (inf-norm first: no overflow), then solve (T − λI) y_new = y
        let m = y.iter().take(n).fold(0.0f64, |m, v| m.max(libm::fabs(*v)));
        if !(m > 0.0 && m.is_finite()) {
            return Err(Error::NonFiniteVoxel);
        }
        for v in y.iter_mut().take(n) {
            *v /= m;
        }
        for i in 0..n.saturating_sub(1) {
            let f = at(dl, i);
            if at(piv, i) == 0.0 {
                put(y, i + 1, at(y, i + 1) - f * at(y, i));
            } else {
                let t = at(y, i);
                put(y, i, at(y, i + 1));
                put(y, i + 1, t - f * at(y, i));
            }
        }
        for i in (0..n).rev() {
            let mut s = at(y, i);
            if i + 1 < n {
                s -= at(du, i) * at(y, i + 1);
            }
            if i + 2 < n {
                s -= at(du2, i) * at(y, i + 2);
            }
            put(y, i, s / at(dd, i));
        }
    }
    // back to A's basis: y ← H₀ H₁ ⋯ H_{n−3} y
    for k in (0..n.saturating_sub(2)).rev() {
        let (mut vtv, mut vty) = (0.0, 0.0);
        for i in k + 1..n {
            let v = at(a, i * n + k);
            vtv += v * v;
            vty += v * at(y, i);
        }
        if vtv == 0.0 {
            continue;
        }
        let f = 2.0 * vty / vtv;
        for i in k + 1..n {
            put(y, i, at(y, i) - f * at(a, i * n + k));
        }
    }
    let mut ss = 0.0;
    let m = y.iter().take(n).fold(0.0f64, |m, v| m.max(libm::fabs(*v)));
    for v in y.iter_mut().take(n) {
        *v /= m;
        ss += *v * *v;
    }
    let norm = libm::sqrt(ss);
    if !(norm > 0.0 && norm.is_finite()) {
        return Err(Error::NonFiniteVoxel);
    }
    for v in y.iter_mut().take(n) {
        *v /= norm;
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

    /// A symmetric matrix with known eigenvalues: Qᵀ diag(λ) Q for a product of rotations.
    fn known(n: usize, lambdas: &[f64], seed: u64) -> Vec<f64> {
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            a[i * n + i] = lambdas[i];
        }
        let mut s = seed;
        let mut rnd = || crate::features::test_uniform(&mut s);
        for _ in 0..3 * n {
            let (i, j) = (
                (rnd() * n as f64) as usize % n,
                (rnd() * n as f64) as usize % n,
            );
            if i == j {
                continue;
            }
            let t = rnd() * std::f64::consts::TAU;
            let (c, sn) = (t.cos(), t.sin());
            // a ← G a Gᵀ on rows/columns i, j
            for k in 0..n {
                let (x, y) = (a[i * n + k], a[j * n + k]);
                a[i * n + k] = c * x - sn * y;
                a[j * n + k] = sn * x + c * y;
            }
            for k in 0..n {
                let (x, y) = (a[k * n + i], a[k * n + j]);
                a[k * n + i] = c * x - sn * y;
                a[k * n + j] = sn * x + c * y;
            }
        }
        a
    }

    #[test]
    fn eigenvalues_and_vector_of_a_known_matrix() {
        for n in [2usize, 3, 5, 17, 40] {
            let lambdas: Vec<f64> = (0..n).map(|i| 1.0 / (1.0 + i as f64)).collect();
            let a0 = known(n, &lambdas, n as u64);
            let mut a = a0.clone();
            let (mut d, mut e) = (vec![0.0; n], vec![0.0; n]);
            let (mut v, mut p) = (vec![0.0; n], vec![0.0; n]);
            tridiagonalize(&mut a, n, &mut d, &mut e, &mut v, &mut p).unwrap();
            for k in 1..=n.min(3) {
                let l = kth_largest(&d, &e, n, k).unwrap();
                assert!((l - lambdas[k - 1]).abs() < 1e-14, "n {n} k {k}: {l}");
            }
            let l2 = kth_largest(&d, &e, n, 2).unwrap();
            let mut y = vec![0.0; n];
            let mut w = vec![0.0; 5 * n];
            eigenvector(&a, n, &d, &e, l2, &mut y, &mut w).unwrap();
            // residual ‖A y − λ y‖ with the original matrix
            let mut r = 0.0f64;
            for i in 0..n {
                let s: f64 = (0..n).map(|j| a0[i * n + j] * y[j]).sum();
                r = r.max((s - l2 * y[i]).abs());
            }
            assert!(r < 1e-13, "n {n}: residual {r}");
        }
    }

    #[test]
    fn already_tridiagonal_and_diagonal_inputs() {
        // a zero column below the diagonal (nothing to reflect) and a 2 × 2
        let mut a = vec![2.0, 0.0, 0.0, 0.0, 3.0, 1.0, 0.0, 1.0, 3.0];
        let (mut d, mut e, mut v, mut p) = (vec![0.0; 3], vec![0.0; 3], vec![0.0; 3], vec![0.0; 3]);
        tridiagonalize(&mut a, 3, &mut d, &mut e, &mut v, &mut p).unwrap();
        for (k, want) in [(1, 4.0), (2, 2.0), (3, 2.0)] {
            let l = kth_largest(&d, &e, 3, k).unwrap();
            assert!((l - want).abs() < 1e-15, "k {k}: {l}");
        }
        assert!(kth_largest(&d, &e, 3, 4).is_err());
        let mut y = vec![0.0; 3];
        let mut w = vec![0.0; 15];
        eigenvector(&a, 3, &d, &e, 4.0, &mut y, &mut w).unwrap();
        let s = std::f64::consts::FRAC_1_SQRT_2;
        assert!(
            y[0].abs() < 1e-15 && (y[1].abs() - s).abs() < 1e-15 && (y[1] - y[2]).abs() < 1e-15
        );
    }
}
