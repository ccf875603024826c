//! Eigenvalues of a small dense real non-symmetric matrix (for GLCM's MCC, which PyRadiomics
//! takes from `numpy.linalg.eigvals`, LAPACK `dgeev`).
//!
//! Method (the classical EISPACK sequence, as LAPACK's `dgebal` + `dgehrd` + `dhseqr` in spirit):
//!
//! 1. balancing: diagonal similarity by powers of 2 (exact) until row and column norms are
//!    within a factor 2 (Parlett–Reinsch);
//! 2. reduction to upper Hessenberg form by Gaussian elimination with partial pivoting
//!    (similarity transforms, `elmhes`);
//! 3. Francis double-shift QR iteration on the Hessenberg matrix (`hqr`), eigenvalues only.
//!
//! All three are backward stable; for MCC's matrix (similar to a nearly symmetric one) the
//! eigenvalues agree with LAPACK's to ~1e-14 relative. No allocation, no recursion; the matrix is
//! overwritten.

use crate::Error;

/// Iteration limit per eigenvalue (EISPACK uses 30 per eigenvalue).
const MAX_ITS: usize = 60;

#[inline]
fn at(a: &[f64], n: usize, i: usize, j: usize) -> f64 {
    a.get(i * n + j).copied().unwrap_or(0.0)
}

#[inline]
fn set(a: &mut [f64], n: usize, i: usize, j: usize, v: f64) {
    if let Some(x) = a.get_mut(i * n + j) {
        *x = v;
    }
}

fn sign(a: f64, b: f64) -> f64 {
    if b >= 0.0 {
        libm::fabs(a)
    } else {
        -libm::fabs(a)
    }
}

fn balance(a: &mut [f64], n: usize) {
    const RADIX: f64 = 2.0;
    let sqrdx = RADIX * RADIX;
    let mut done = false;
    let mut sweeps = 0;
    while !done && sweeps < 200 {
        done = true;
        sweeps += 1;
        for i in 0..n {
            let mut r = 0.0;
            let mut c = 0.0;
            for j in 0..n {
                if j != i {
                    c += libm::fabs(at(a, n, j, i));
                    r += libm::fabs(at(a, n, i, j));
                }
            }
            if c != 0.0 && r != 0.0 {
                let mut g = r / RADIX;
                let mut f = 1.0;
                let s = c + r;
                while c < g {
                    f *= RADIX;
                    c *= sqrdx;
                }
                g = r * RADIX;
                while c > g {
                    f /= RADIX;
                    c /= sqrdx;
                }
                if (c + r) / f < 0.95 * s {
                    done = false;
                    let gi = 1.0 / f;
                    for j in 0..n {
                        set(a, n, i, j, at(a, n, i, j) * gi);
                    }
                    for j in 0..n {
                        set(a, n, j, i, at(a, n, j, i) * f);
                    }
                }
            }
        }
    }
}

fn hessenberg(a: &mut [f64], n: usize) {
    if n < 3 {
        return;
    }
    for m in 1..n - 1 {
        let mut x = 0.0;
        let mut i = m;
        for j in m..n {
            if libm::fabs(at(a, n, j, m - 1)) > libm::fabs(x) {
                x = at(a, n, j, m - 1);
                i = j;
            }
        }
        if i != m {
            for j in (m - 1)..n {
                let t = at(a, n, i, j);
                set(a, n, i, j, at(a, n, m, j));
                set(a, n, m, j, t);
            }
            for j in 0..n {
                let t = at(a, n, j, i);
                set(a, n, j, i, at(a, n, j, m));
                set(a, n, j, m, t);
            }
        }
        if x != 0.0 {
            for i in (m + 1)..n {
                let mut y = at(a, n, i, m - 1);
                if y != 0.0 {
                    y /= x;
                    set(a, n, i, m - 1, 0.0);
                    for j in m..n {
                        set(a, n, i, j, at(a, n, i, j) - y * at(a, n, m, j));
                    }
                    for j in 0..n {
                        set(a, n, j, m, at(a, n, j, m) + y * at(a, n, j, i));
                    }
                }
            }
        }
    }
}

/// Eigenvalues of the upper Hessenberg matrix `a` (`n × n`, row-major): real parts in `wr`,
/// imaginary parts in `wi` (conjugate pairs adjacent).
fn hqr(a: &mut [f64], n: usize, wr: &mut [f64], wi: &mut [f64]) -> Result<(), Error> {
    let mut anorm = 0.0;
    for i in 0..n {
        for j in i.saturating_sub(1)..n {
            anorm += libm::fabs(at(a, n, i, j));
        }
    }
    let put = |w: &mut [f64], i: usize, v: f64| {
        if let Some(x) = w.get_mut(i) {
            *x = v;
        }
    };
    let mut nn = n as isize - 1;
    let mut t = 0.0;
    while nn >= 0 {
        let mut its = 0usize;
        loop {
            let nu = nn as usize;
            // Look for a single small subdiagonal element.
            let mut l = nu;
            while l >= 1 {
                let mut s = libm::fabs(at(a, n, l - 1, l - 1)) + libm::fabs(at(a, n, l, l));
                if s == 0.0 {
                    s = anorm;
                }
                if libm::fabs(at(a, n, l, l - 1)) <= f64::EPSILON * s {
                    set(a, n, l, l - 1, 0.0);
                    break;
                }
                l -= 1;
            }
            let mut x = at(a, n, nu, nu);
            if l == nu {
                put(wr, nu, x + t);
                put(wi, nu, 0.0);
                nn -= 1;
                break;
            }
            let mut y = at(a, n, nu - 1, nu - 1);
            let mut w = at(a, n, nu, nu - 1) * at(a, n, nu - 1, nu);
            if l == nu - 1 {
                let p = 0.5 * (y - x);
                let q = p * p + w;
                let mut z = libm::sqrt(libm::fabs(q));
                x += t;
                if q >= 0.0 {
                    z = p + sign(z, p);
                    put(wr, nu - 1, x + z);
                    put(wr, nu, if z != 0.0 { x - w / z } else { x + z });
                    put(wi, nu - 1, 0.0);
                    put(wi, nu, 0.0);
                } else {
                    put(wr, nu - 1, x + p);
                    put(wr, nu, x + p);
                    put(wi, nu - 1, -z);
                    put(wi, nu, z);
                }
                nn -= 2;
                break;
            }
            if its == MAX_ITS {
                return Err(Error::SizeOverflow);
            }
            if its == 10 || its == 20 {
                // exceptional shift
                t += x;
                for i in 0..=nu {
                    set(a, n, i, i, at(a, n, i, i) - x);
                }
                let s = libm::fabs(at(a, n, nu, nu - 1)) + libm::fabs(at(a, n, nu - 1, nu - 2));
                x = 0.75 * s;
                y = x;
                w = -0.4375 * s * s;
            }
            its += 1;
            // Form the shift and look for two consecutive small subdiagonal elements.
            let mut m = nu - 2;
            let (mut p, mut q, mut r);
            loop {
                let z = at(a, n, m, m);
                let r0 = x - z;
                let s0 = y - z;
                p = (r0 * s0 - w) / at(a, n, m + 1, m) + at(a, n, m, m + 1);
                q = at(a, n, m + 1, m + 1) - z - r0 - s0;
                r = at(a, n, m + 2, m + 1);
                let s = libm::fabs(p) + libm::fabs(q) + libm::fabs(r);
                p /= s;
                q /= s;
                r /= s;
                if m == l {
                    break;
                }
                let u = libm::fabs(at(a, n, m, m - 1)) * (libm::fabs(q) + libm::fabs(r));
                let v = libm::fabs(p)
                    * (libm::fabs(at(a, n, m - 1, m - 1))
                        + libm::fabs(z)
                        + libm::fabs(at(a, n, m + 1, m + 1)));
                if u <= f64::EPSILON * v {
                    break;
                }
                m -= 1;
            }
            for i in (m + 2)..=nu {
                set(a, n, i, i - 2, 0.0);
                if i != m + 2 {
                    set(a, n, i, i - 3, 0.0);
                }
            }
            // Double QR step on rows l..nn and columns m..nn.
            let mut k = m;
            while k < nu {
                if k != m {
                    p = at(a, n, k, k - 1);
                    q = at(a, n, k + 1, k - 1);
                    r = 0.0;
                    if k != nu - 1 {
                        r = at(a, n, k + 2, k - 1);
                    }
                    x = libm::fabs(p) + libm::fabs(q) + libm::fabs(r);
                    if x != 0.0 {
                        p /= x;
                        q /= x;
                        r /= x;
                    }
                }
                let s = sign(libm::sqrt(p * p + q * q + r * r), p);
                if s != 0.0 {
                    if k == m {
                        if l != m {
                            set(a, n, k, k - 1, -at(a, n, k, k - 1));
                        }
                    } else {
                        set(a, n, k, k - 1, -s * x);
                    }
                    p += s;
                    x = p / s;
                    y = q / s;
                    let z = r / s;
                    q /= p;
                    r /= p;
                    for j in k..=nu {
                        let mut pp = at(a, n, k, j) + q * at(a, n, k + 1, j);
                        if k != nu - 1 {
                            pp += r * at(a, n, k + 2, j);
                            set(a, n, k + 2, j, at(a, n, k + 2, j) - pp * z);
                        }
                        set(a, n, k + 1, j, at(a, n, k + 1, j) - pp * y);
                        set(a, n, k, j, at(a, n, k, j) - pp * x);
                    }
                    let mmin = if nu < k + 3 { nu } else { k + 3 };
                    for i in l..=mmin {
                        let mut pp = x * at(a, n, i, k) + y * at(a, n, i, k + 1);
                        if k != nu - 1 {
                            pp += z * at(a, n, i, k + 2);
                            set(a, n, i, k + 2, at(a, n, i, k + 2) - pp * r);
                        }
                        set(a, n, i, k + 1, at(a, n, i, k + 1) - pp * q);
                        set(a, n, i, k, at(a, n, i, k) - pp);
                    }
                }
                k += 1;
            }
        }
    }
    Ok(())
}

/// Eigenvalues of the `n × n` row-major matrix `a` (overwritten): real parts in `wr[..n]`,
/// imaginary parts in `wi[..n]`, in no particular order.
///
/// Errors: [`Error::ScratchTooSmall`] if a slice is shorter than needed;
/// [`Error::SizeOverflow`] if the QR iteration does not converge (60 iterations for one
/// eigenvalue; does not happen for finite input in practice); [`Error::NonFiniteVoxel`] if `a`
/// holds NaN or infinity.
pub fn eigenvalues(a: &mut [f64], n: usize, wr: &mut [f64], wi: &mut [f64]) -> Result<(), Error> {
    let nn = n.checked_mul(n).ok_or(Error::SizeOverflow)?;
    if a.len() < nn || wr.len() < n || wi.len() < n {
        return Err(Error::ScratchTooSmall);
    }
    if a.iter().take(nn).any(|v| !v.is_finite()) {
        return Err(Error::NonFiniteVoxel);
    }
    balance(a, n);
    hessenberg(a, n);
    hqr(a, n, wr, wi)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sorted(wr: &[f64]) -> [f64; 4] {
        let mut v = [0.0; 4];
        v.copy_from_slice(&wr[..4]);
        v.sort_by(f64::total_cmp);
        v
    }

    #[test]
    fn triangular_and_similar() {
        // Upper triangular: eigenvalues are the diagonal.
        let mut a = [
            4.0, 1.0, 2.0, 3.0, //
            0.0, 3.0, 5.0, 1.0, //
            0.0, 0.0, 2.0, 7.0, //
            0.0, 0.0, 0.0, 1.0,
        ];
        let (mut wr, mut wi) = ([0.0; 4], [0.0; 4]);
        eigenvalues(&mut a, 4, &mut wr, &mut wi).unwrap();
        let v = sorted(&wr);
        for (x, e) in v.iter().zip([1.0, 2.0, 3.0, 4.0]) {
            assert!((x - e).abs() < 1e-13, "{v:?}");
        }
        assert!(wi.iter().all(|&x| x == 0.0));
        // Symmetric matrix with known eigenvalues 1, 2, 3, 6 ([[2,1],[1,2]] ⊕ [[4,2],[2,1]]... ):
        // block diag(B1, B2), B1 = [[2,1],[1,2]] (1, 3), B2 = [[4,2],[2,4]] (2, 6), mixed by a
        // permutation so the solver sees a full pattern.
        let mut b = [
            2.0, 0.0, 1.0, 0.0, //
            0.0, 4.0, 0.0, 2.0, //
            1.0, 0.0, 2.0, 0.0, //
            0.0, 2.0, 0.0, 4.0,
        ];
        eigenvalues(&mut b, 4, &mut wr, &mut wi).unwrap();
        let v = sorted(&wr);
        for (x, e) in v.iter().zip([1.0, 2.0, 3.0, 6.0]) {
            assert!((x - e).abs() < 1e-13, "{v:?}");
        }
    }

    #[test]
    fn rotation_is_complex() {
        let mut a = [0.0, -1.0, 1.0, 0.0];
        let (mut wr, mut wi) = ([0.0; 2], [0.0; 2]);
        eigenvalues(&mut a, 2, &mut wr, &mut wi).unwrap();
        assert!(wr.iter().all(|x| x.abs() < 1e-15));
        let mut im = wi;
        im.sort_by(f64::total_cmp);
        assert_eq!(im, [-1.0, 1.0]);
    }
}
