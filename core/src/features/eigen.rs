//! Eigenvalues of a small dense real non-symmetric matrix (for GLCM's MCC, which PyRadiomics
//! takes from `numpy.linalg.eigvals`, LAPACK `dgeev`).
//!
//! Method (the classical EISPACK sequence, as LAPACK's `dgehrd` + `dhseqr` in spirit):
//!
//! 1. reduction to upper Hessenberg form by Gaussian elimination with partial pivoting
//!    (similarity transforms, `elmhes`);
//! 2. Francis double-shift QR iteration on the Hessenberg matrix (`hqr`), eigenvalues only, with
//!    LAPACK `dlahqr`'s deflation test.
//!
//! No balancing: Parlett–Reinsch scaling without LAPACK's permutation step drives the reducible
//! MCC matrices of sparse gray levels (isolated levels, many exact zero eigenvalues) to extreme
//! scalings on which the QR iteration stalls (seen on a wide int32 fixture), while MCC's matrix
//! is already similar to a nearly symmetric one through a moderate diagonal scaling. Against
//! PyRadiomics (LAPACK `dgeev`) the MCC values agree to ~1e-13 relative on every reference.
//! No allocation, no recursion; the matrix is overwritten.

use crate::Error;

/// Iteration limit per deflation: 30 × max(10, n) (LAPACK `dlahqr`'s whole-matrix budget).
const MAX_ITS_PER_ORDER: usize = 30;

/// LAPACK `dlahqr`'s test for a negligible subdiagonal `h(l, l−1)`: below the safe minimum, or
/// small relative to the neighbouring diagonal (Ahues & Tisseur's refinement of
/// `|h(l,l−1)| ≤ ulp · (|h(l−1,l−1)| + |h(l,l)|)`), which also deflates the zero eigenvalues of
/// rank-deficient matrices (nilpotent blocks) that the plain relative test never lets go.
fn negligible(a: &[f64], n: usize, l: usize, anorm: f64) -> bool {
    let ulp = f64::EPSILON;
    let smlnum = f64::MIN_POSITIVE * (n as f64 / ulp);
    let h = |i: usize, j: usize| at(a, n, i, j);
    let sub = libm::fabs(h(l, l - 1));
    if sub <= smlnum {
        return true;
    }
    let mut tst = libm::fabs(h(l - 1, l - 1)) + libm::fabs(h(l, l));
    if tst == 0.0 {
        if l >= 2 {
            tst += libm::fabs(h(l - 1, l - 2));
        }
        if l + 1 < n {
            tst += libm::fabs(h(l + 1, l));
        }
    }
    if tst == 0.0 {
        tst = anorm;
    }
    if sub <= ulp * tst {
        let up = libm::fabs(h(l - 1, l));
        let ab = sub.max(up);
        let ba = sub.min(up);
        let d = libm::fabs(h(l - 1, l - 1) - h(l, l));
        let aa = libm::fabs(h(l, l)).max(d);
        let bb = libm::fabs(h(l, l)).min(d);
        let s = aa + ab;
        if ba * (ab / s) <= smlnum.max(ulp * (bb * (aa / s))) {
            return true;
        }
    }
    false
}

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

fn hessenberg(a: &mut [f64], n: usize, ys: &mut [f64]) {
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
            // The Gauss transform M = I − y e_mᵀ (y_i = a[i][m−1] / x, i > m) as M·A·M⁻¹: first
            // every row i −= y_i · row m, then column m += A·y (row by row, so that the matrix
            // is read contiguously: element-wise column updates made this memory-bound for
            // thousands of gray levels). The multipliers go to `ys` (the caller's `wr`).
            for i in (m + 1)..n {
                let y = at(a, n, i, m - 1) / x;
                set(a, n, i, m - 1, y);
                if y != 0.0 {
                    let (top, bot) = a.split_at_mut(i * n);
                    if let (Some(rm), Some(ri)) = (top.get(m * n + m..m * n + n), bot.get_mut(m..n))
                    {
                        for (t, &s) in ri.iter_mut().zip(rm) {
                            *t -= y * s;
                        }
                    }
                }
            }
            for i in (m + 1)..n {
                if let Some(s) = ys.get_mut(i) {
                    *s = at(a, n, i, m - 1);
                }
                set(a, n, i, m - 1, 0.0);
            }
            let yv = ys.get(m + 1..n).unwrap_or(&[]);
            for row in a.chunks_exact_mut(n) {
                let mut acc = 0.0;
                if let Some(tail) = row.get(m + 1..n) {
                    for (&y, &v) in yv.iter().zip(tail) {
                        acc += y * v;
                    }
                }
                if let Some(t) = row.get_mut(m) {
                    *t += acc;
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
    let max_its = MAX_ITS_PER_ORDER * n.max(10);
    while nn >= 0 {
        let mut its = 0usize;
        loop {
            let nu = nn as usize;
            // Look for a single small subdiagonal element.
            let mut l = nu;
            while l >= 1 {
                if negligible(a, n, l, anorm) {
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
            if its >= max_its {
                return Err(Error::SizeOverflow);
            }
            if its > 0 && its % 10 == 0 {
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
                    // rows k, k+1 (, k+2), columns k..=nu
                    let width = nu + 1 - k;
                    let (r0, rest) = a.split_at_mut((k + 1) * n);
                    let r0 = r0.get_mut(k * n + k..k * n + k + width).unwrap_or(&mut []);
                    let (r1, rest) = rest.split_at_mut(n.min(rest.len()));
                    let r1 = r1.get_mut(k..k + width).unwrap_or(&mut []);
                    if k != nu - 1 {
                        let r2 = rest.get_mut(k..k + width).unwrap_or(&mut []);
                        for ((a0, a1), a2) in r0.iter_mut().zip(r1.iter_mut()).zip(r2.iter_mut()) {
                            let pp = *a0 + q * *a1 + r * *a2;
                            *a2 -= pp * z;
                            *a1 -= pp * y;
                            *a0 -= pp * x;
                        }
                    } else {
                        for (a0, a1) in r0.iter_mut().zip(r1.iter_mut()) {
                            let pp = *a0 + q * *a1;
                            *a1 -= pp * y;
                            *a0 -= pp * x;
                        }
                    }
                    // columns k, k+1 (, k+2), rows l..=min(nu, k+3)
                    let mmin = if nu < k + 3 { nu } else { k + 3 };
                    let three = k != nu - 1;
                    for row in a.chunks_exact_mut(n).skip(l).take(mmin + 1 - l) {
                        let Some(c) = row.get_mut(k..k + if three { 3 } else { 2 }) else {
                            continue;
                        };
                        if let [c0, c1, c2] = c {
                            let pp = x * *c0 + y * *c1 + z * *c2;
                            *c2 -= pp * r;
                            *c1 -= pp * q;
                            *c0 -= pp;
                        } else if let [c0, c1] = c {
                            let pp = x * *c0 + y * *c1;
                            *c1 -= pp * q;
                            *c0 -= pp;
                        }
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
    if n == 2 {
        let e = dgeev_2x2(
            at(a, 2, 0, 0),
            at(a, 2, 0, 1),
            at(a, 2, 1, 0),
            at(a, 2, 1, 1),
        );
        for (k, (re, im)) in e.into_iter().enumerate() {
            if let (Some(r), Some(i)) = (wr.get_mut(k), wi.get_mut(k)) {
                *r = re;
                *i = im;
            }
        }
        return Ok(());
    }
    hessenberg(a, n, wr);
    hqr(a, n, wr, wi)
}

/// LAPACK `dgeev`'s eigenvalues of the 2 × 2 matrix `[[a, b], [c, d]]` (no vectors), bit for bit:
/// `dgebal` (job 'B': a zero off-diagonal isolates both eigenvalues; otherwise power-of-2
/// scaling of row/column i by the 2-norms of column and row i, diagonal included, as LAPACK
/// ≥ 3.5 does, until no scaling reduces the norm sum below 0.95 of its value), `dgehrd` (nothing
/// to do for n = 2), then `dlahqr`: the subdiagonal deflation test (Ahues & Tisseur) or the
/// standardisation of the 2 × 2 block by `dlanv2`. The MCC of a GLCM with two gray levels per
/// angle comes from here; for a rank-one `Q` LAPACK's second eigenvalue is a rounding residue
/// (e.g. 5.6e-17, whose square root moves MCC by 1e-9), which only the same arithmetic gives.
/// Checked against `numpy.linalg.eigvals` (numpy 1.26.4's OpenBLAS LAPACK) on 200 000 random,
/// rank-one, badly scaled and MCC matrices: identical bits.
pub fn dgeev_2x2(a: f64, b: f64, c: f64, d: f64) -> [(f64, f64); 2] {
    let (mut b, mut c) = (b, c);
    if b == 0.0 || c == 0.0 {
        return [(a, 0.0), (d, 0.0)];
    }
    // dgebal scaling
    let sfmin1 = f64::MIN_POSITIVE / f64::EPSILON;
    let sfmax1 = 1.0 / sfmin1;
    let sfmin2 = sfmin1 * 2.0;
    let sfmax2 = 1.0 / sfmin2;
    let mut scale = [1.0f64; 2];
    let mut noconv = true;
    let mut rounds = 0;
    while noconv && rounds < 64 {
        noconv = false;
        rounds += 1;
        for i in 0..2 {
            // column i and row i of [[a, b], [c, d]]
            let (col, row) = if i == 0 {
                ((a, c), (a, b))
            } else {
                ((b, d), (c, d))
            };
            let mut cn = nrm2(col.0, col.1);
            let mut rn = nrm2(row.0, row.1);
            let mut ca = libm::fabs(col.0).max(libm::fabs(col.1));
            let mut ra = libm::fabs(row.0).max(libm::fabs(row.1));
            if cn == 0.0 || rn == 0.0 {
                continue;
            }
            let mut g = rn / 2.0;
            let mut f = 1.0f64;
            let s = cn + rn;
            while cn < g && f.max(cn).max(ca) < sfmax2 && rn.min(g).min(ra) > sfmin2 {
                f *= 2.0;
                cn *= 2.0;
                ca *= 2.0;
                rn /= 2.0;
                g /= 2.0;
                ra /= 2.0;
            }
            g = cn / 2.0;
            while g >= rn && rn.max(ra) < sfmax2 && f.min(cn).min(g).min(ca) > sfmin2 {
                f /= 2.0;
                cn /= 2.0;
                g /= 2.0;
                ca /= 2.0;
                rn *= 2.0;
                ra *= 2.0;
            }
            if cn + rn >= 0.95 * s {
                continue;
            }
            let si = scale.get(i).copied().unwrap_or(1.0);
            if f < 1.0 && si < 1.0 && f * si <= sfmin1 {
                continue;
            }
            if f > 1.0 && si > 1.0 && si >= sfmax1 / f {
                continue;
            }
            if let Some(x) = scale.get_mut(i) {
                *x = si * f;
            }
            noconv = true;
            // row i *= 1/f, column i *= f (the diagonal is unchanged: powers of two)
            let g = 1.0 / f;
            if i == 0 {
                b *= g;
                c *= f;
            } else {
                c *= g;
                b *= f;
            }
        }
    }
    // dlahqr: is the subdiagonal negligible?
    let ulp = f64::EPSILON;
    let smlnum = f64::MIN_POSITIVE * (2.0 / ulp);
    let h = libm::fabs(c);
    let tst = libm::fabs(a) + libm::fabs(d);
    let negligible = h <= smlnum
        || (tst != 0.0 && h <= ulp * tst && {
            let ab = h.max(libm::fabs(b));
            let ba = h.min(libm::fabs(b));
            let aa = libm::fabs(d).max(libm::fabs(a - d));
            let bb = libm::fabs(d).min(libm::fabs(a - d));
            let s = aa + ab;
            ba * (ab / s) <= smlnum.max(ulp * (bb * (aa / s)))
        });
    if negligible {
        return [(a, 0.0), (d, 0.0)];
    }
    dlanv2(a, b, c, d)
}

/// BLAS `dnrm2` of two numbers (scaled to avoid overflow; only compared, in `dgebal`).
fn nrm2(x: f64, y: f64) -> f64 {
    libm::hypot(x, y)
}

/// LAPACK `dlapy2`: sqrt(x² + y²) without overflow.
fn dlapy2(x: f64, y: f64) -> f64 {
    let (xa, ya) = (libm::fabs(x), libm::fabs(y));
    let w = xa.max(ya);
    let z = xa.min(ya);
    if z == 0.0 || w > f64::MAX {
        w
    } else {
        let q = z / w;
        w * libm::sqrt(1.0 + q * q)
    }
}

/// LAPACK `dlanv2`'s eigenvalues of the 2 × 2 block `[[a, b], [c, d]]` (Schur standardisation).
fn dlanv2(a: f64, b: f64, c: f64, d: f64) -> [(f64, f64); 2] {
    let (mut a, mut b, mut c, mut d) = (a, b, c, d);
    let one_sign = |x: f64| if x.is_sign_negative() { -1.0 } else { 1.0 };
    if c == 0.0 {
    } else if b == 0.0 {
        core::mem::swap(&mut a, &mut d);
        b = -c;
        c = 0.0;
    } else if a - d == 0.0 && one_sign(b) != one_sign(c) {
    } else {
        let temp = a - d;
        let mut p = 0.5 * temp;
        let bcmax = libm::fabs(b).max(libm::fabs(c));
        let bcmis = libm::fabs(b).min(libm::fabs(c)) * one_sign(b) * one_sign(c);
        let scale = libm::fabs(p).max(bcmax);
        let mut z = (p / scale) * p + (bcmax / scale) * bcmis;
        if z >= 4.0 * f64::EPSILON {
            z = p + libm::copysign(libm::sqrt(scale) * libm::sqrt(z), p);
            a = d + z;
            d -= (bcmax / z) * bcmis;
            b -= c;
            c = 0.0;
        } else {
            let sigma = b + c;
            let tau = dlapy2(sigma, temp);
            let cs = libm::sqrt(0.5 * (1.0 + libm::fabs(sigma) / tau));
            let sn = -(p / (tau * cs)) * one_sign(sigma);
            let aa = a * cs + b * sn;
            let bb = -a * sn + b * cs;
            let cc = c * cs + d * sn;
            let dd = -c * sn + d * cs;
            a = aa * cs + cc * sn;
            b = bb * cs + dd * sn;
            c = -aa * sn + cc * cs;
            d = -bb * sn + dd * cs;
            let temp = 0.5 * (a + d);
            a = temp;
            d = temp;
            if c != 0.0 {
                if b != 0.0 {
                    if one_sign(b) == one_sign(c) {
                        let sab = libm::sqrt(libm::fabs(b));
                        let sac = libm::sqrt(libm::fabs(c));
                        p = libm::copysign(sab * sac, c);
                        a = temp + p;
                        d = temp - p;
                        b -= c;
                        c = 0.0;
                    }
                } else {
                    b = -c;
                    c = 0.0;
                }
            }
        }
    }
    if c == 0.0 {
        [(a, 0.0), (d, 0.0)]
    } else {
        let im = libm::sqrt(libm::fabs(b)) * libm::sqrt(libm::fabs(c));
        [(a, im), (d, -im)]
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod convergence_tests {
    extern crate std;
    use super::*;
    use std::vec;
    /// Sparse random matrices with entries over nine decades: the iteration converges and the
    /// eigenvalues add up to the trace.
    #[test]
    fn random_converge() {
        let mut rng = crate::testutil::XorShift(12345);
        let mut rnd = || rng.unit();
        for n in [3usize, 5, 10, 50, 120, 300] {
            for rep in 0..5 {
                let mut a = vec![0.0; n * n];
                for x in a.iter_mut() {
                    *x = if rnd() < 0.5 {
                        0.0
                    } else {
                        rnd() * libm::pow(10.0, 6.0 * rnd() - 3.0)
                    };
                }
                let tr: f64 = (0..n).map(|i| a[i * n + i]).sum();
                let scale: f64 = a.iter().map(|x| x.abs()).sum::<f64>() + 1.0;
                let (mut wr, mut wi) = (vec![0.0; n], vec![0.0; n]);
                let r = eigenvalues(&mut a, n, &mut wr, &mut wi);
                assert!(r.is_ok(), "n {n} rep {rep}: {r:?}");
                let s: f64 = wr.iter().sum();
                assert!(
                    (s - tr).abs() <= 1e-10 * scale,
                    "n {n} rep {rep}: {s} vs {tr}"
                );
            }
        }
    }

    #[test]
    fn reducible_with_repeated_and_zero_eigenvalues() {
        // Block diagonal: three MCC-like blocks Q = D⁻¹ P D⁻¹ P (each has eigenvalue 1), a zero
        // row/column pair and a rank-one block (eigenvalues 1 and 0), scrambled by a permutation.
        let blocks: [[f64; 4]; 3] = [
            [0.5, 0.5, 0.5, 0.5],
            [0.9, 0.1, 0.1, 0.9],
            [0.7, 0.3, 0.3, 0.7],
        ];
        let n = 8;
        let mut q = [0.0f64; 64];
        let perm = [5usize, 2, 7, 0, 3, 6, 1, 4];
        let mut put = |i: usize, j: usize, v: f64| q[perm[i] * n + perm[j]] = v;
        for (b, p) in blocks.iter().take(2).enumerate() {
            // p = [[a, b], [b, d]]: Q = diag(1/px) p diag(1/py) p, px = py = row sums
            let (a, bb, d) = (p[0], p[1], p[3]);
            let (r0, r1) = (a + bb, bb + d);
            let m = [[a / r0, bb / r0], [bb / r1, d / r1]];
            let m2 = [
                [
                    m[0][0] * m[0][0] + m[0][1] * m[1][0],
                    m[0][0] * m[0][1] + m[0][1] * m[1][1],
                ],
                [
                    m[1][0] * m[0][0] + m[1][1] * m[1][0],
                    m[1][0] * m[0][1] + m[1][1] * m[1][1],
                ],
            ];
            for (i, row) in m2.iter().enumerate() {
                for (j, &v) in row.iter().enumerate() {
                    put(2 * b + i, 2 * b + j, v);
                }
            }
        }
        put(4, 4, 1.0); // isolated level
        put(5, 5, 0.5); // rank one: [[.5, .5], [.5, .5]] -> 1, 0
        put(5, 6, 0.5);
        put(6, 5, 0.5);
        put(6, 6, 0.5);
        // row/column 7 stays zero
        let (mut wr, mut wi) = ([0.0; 8], [0.0; 8]);
        eigenvalues(&mut q, n, &mut wr, &mut wi).unwrap();
        let mut v = wr;
        v.sort_by(f64::total_cmp);
        // blocks 1, 2: eigenvalues 1 and (a d − b²)² / (r0 r1 ...) computed below
        let second = |p: [f64; 4]| {
            let (a, b, d) = (p[0], p[1], p[3]);
            let det = (a * d - b * b) / ((a + b) * (b + d));
            det * det
        };
        let mut want = [
            0.0,
            0.0,
            second(blocks[0]),
            second(blocks[1]),
            1.0,
            1.0,
            1.0,
            1.0,
        ];
        want.sort_by(f64::total_cmp);
        for (x, e) in v.iter().zip(want) {
            assert!((x - e).abs() < 1e-14, "{v:?} vs {want:?}");
        }
        assert!(wi.iter().all(|x| x.abs() < 1e-14));
    }
}
