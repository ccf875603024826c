//! Nearly correctly rounded `exp`, `log`, `sin` and `cos` for the recursive-Gaussian coefficients
//! and the Gaussian and windowed-sinc interpolators' weights (`crate::resample`).
//!
//! ITK evaluates its coefficients with the C library (`std::exp`, `std::sin`, `std::cos`; glibc
//! on the reference platform), whose results are correctly rounded for all but ~0.1 % of
//! arguments (glibc 2.36 `sin`: 0.14 %, `exp`: 0.08 % on random arguments, measured against these
//! functions; `docs/resampling.md`). The `libm` crate is accurate to < 1 ulp but differs from
//! glibc for 3–10 % of arguments, and a 1-ulp
//! difference in one coefficient does flip f32-rounded LoG voxels. These functions evaluate in
//! double-double arithmetic (~2^-100 relative error) and round once, so they agree with a correctly
//! rounded library unless the exact value lies within ~2^-100 of a rounding midpoint.
//! The LoG makes a handful of calls per image; the resampler's separable interpolators cache
//! their weights per scan line, so speed matters little. Outside the supported
//! ranges (|x| > 700 for `exp`, |x| > 1e5 for `sin`/`cos`, non-finite x) they defer to `libm`.

/// A double-double value hi + lo with |lo| ≤ ulp(hi)/2.
#[derive(Clone, Copy, Debug)]
struct Dd {
    hi: f64,
    lo: f64,
}

#[inline]
fn two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    Dd { hi: s, lo: e }
}

#[inline]
fn quick_two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    let e = b - (s - a);
    Dd { hi: s, lo: e }
}

#[inline]
fn split(a: f64) -> (f64, f64) {
    let c = 134_217_729.0 * a; // 2^27 + 1
    let hi = c - (c - a);
    (hi, a - hi)
}

/// Exact product a·b as a double-double (Dekker, no FMA needed).
#[inline]
fn two_prod(a: f64, b: f64) -> Dd {
    let p = a * b;
    let (ah, al) = split(a);
    let (bh, bl) = split(b);
    let e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    Dd { hi: p, lo: e }
}

impl Dd {
    const fn from(x: f64) -> Dd {
        Dd { hi: x, lo: 0.0 }
    }

    fn add(self, b: Dd) -> Dd {
        let s = two_sum(self.hi, b.hi);
        let t = two_sum(self.lo, b.lo);
        let s = quick_two_sum(s.hi, s.lo + t.hi);
        quick_two_sum(s.hi, s.lo + t.lo)
    }

    fn neg(self) -> Dd {
        Dd {
            hi: -self.hi,
            lo: -self.lo,
        }
    }

    fn sub(self, b: Dd) -> Dd {
        self.add(b.neg())
    }

    fn mul(self, b: Dd) -> Dd {
        let p = two_prod(self.hi, b.hi);
        quick_two_sum(p.hi, p.lo + (self.hi * b.lo + self.lo * b.hi))
    }

    fn mul_f(self, b: f64) -> Dd {
        let p = two_prod(self.hi, b);
        quick_two_sum(p.hi, p.lo + self.lo * b)
    }

    fn div_f(self, b: f64) -> Dd {
        let q1 = self.hi / b;
        let r = self.sub(two_prod(q1, b));
        let q2 = r.hi / b;
        let r = r.sub(two_prod(q2, b));
        let q3 = r.hi / b;
        let q = quick_two_sum(q1, q2);
        q.add(Dd::from(q3))
    }

    /// Rounded to double (hi of the renormalised pair).
    fn round(self) -> f64 {
        let s = two_sum(self.hi, self.lo);
        s.hi
    }
}

const LN2: [f64; 3] = [
    core::f64::consts::LN_2,
    2.3190468138462996e-17,
    5.707708438416212e-34,
];
const PIO2: [f64; 3] = [
    core::f64::consts::FRAC_PI_2,
    6.123233995736766e-17,
    -1.4973849048591698e-33,
];

/// r = x − n·c for a constant c given as three doubles, in double-double.
fn reduce(x: f64, n: f64, c: &[f64; 3]) -> Dd {
    Dd::from(x)
        .sub(two_prod(n, c[0]))
        .sub(two_prod(n, c[1]))
        .sub(Dd::from(n * c[2]))
}

/// x^k for a small integer k ≥ 1 (C `pow(x, k)` as numpy's `power` calls it for the moments of
/// skewness and kurtosis): the exact powers in double-double, rounded once, so correctly rounded
/// except in near-midpoint cases, like glibc's `pow`. Cheaper than a general `pow` by an order of
/// magnitude. Outside 1e-60 ≤ |x| < 1e60 (the products stay normal), or for non-finite x or k > 4,
/// it defers to `libm`.
pub fn powi(x: f64, k: u32) -> f64 {
    let a = x.abs();
    if !(1e-60..1e60).contains(&a) || k == 0 || k > 4 {
        return libm::pow(x, f64::from(k));
    }
    let mut p = Dd::from(x);
    for _ in 1..k {
        p = p.mul_f(x);
    }
    p.round()
}

/// e^x, correctly rounded except in near-midpoint cases.
pub fn exp(x: f64) -> f64 {
    match exp_dd(x) {
        Some(e) => e.round(),
        None => libm::exp(x),
    }
}

/// e^x in double-double (`None` outside |x| ≤ 700 or for non-finite x).
fn exp_dd(x: f64) -> Option<Dd> {
    if !x.is_finite() || libm::fabs(x) > 700.0 {
        return None;
    }
    let k = libm::round(x / LN2[0]);
    let r = reduce(x, k, &LN2); // |r| <= ~0.35
    let s = r.mul_f(1.0 / 1024.0); // exact scaling
                                   // Taylor series of e^s, Horner: p = 1 + s/1 (1 + s/2 (1 + ... ))
    let mut p = Dd::from(1.0);
    let mut i = 12.0;
    while i >= 1.0 {
        p = p.mul(s).div_f(i).add(Dd::from(1.0));
        i -= 1.0;
    }
    for _ in 0..10 {
        p = p.mul(p);
    }
    let kk = k as i32;
    Some(Dd {
        hi: libm::scalbn(p.hi, kk),
        lo: libm::scalbn(p.lo, kk),
    })
}

/// ln x, correctly rounded except in near-midpoint cases: `y0 = libm::log(x)` (< 1 ulp) refined
/// by one Newton step in double-double, `y = y0 + t − t²/2` with `t = x·e^(−y0) − 1`.
/// Non-positive, subnormal-range or non-finite x defer to `libm::log`.
pub fn log(x: f64) -> f64 {
    if !(x.is_finite() && x > 1e-300 && x < 1e300) {
        return libm::log(x);
    }
    let y0 = libm::log(x);
    let Some(e) = exp_dd(-y0) else {
        return y0;
    };
    let t = e.mul_f(x).sub(Dd::from(1.0));
    let t2 = t.mul(t).mul_f(0.5);
    Dd::from(y0).add(t).sub(t2).round()
}

/// (sin r, cos r) for |r| ≤ π/4 in double-double.
fn sin_cos_kernel(r: Dd) -> (Dd, Dd) {
    let r2 = r.mul(r);
    let one = Dd::from(1.0);
    let mut ps = one;
    let mut pc = one;
    let mut i = 16.0f64;
    while i >= 1.0 {
        ps = one.sub(ps.mul(r2).div_f((2.0 * i) * (2.0 * i + 1.0)));
        pc = one.sub(pc.mul(r2).div_f((2.0 * i - 1.0) * (2.0 * i)));
        i -= 1.0;
    }
    (r.mul(ps), pc)
}

fn sin_cos(x: f64) -> Option<(f64, f64)> {
    if !x.is_finite() || libm::fabs(x) > 1e5 {
        return None;
    }
    let n = libm::round(x / PIO2[0]);
    let r = reduce(x, n, &PIO2);
    let (s, c) = sin_cos_kernel(r);
    let q = (n as i64).rem_euclid(4);
    let (s, c) = match q {
        0 => (s, c),
        1 => (c, s.neg()),
        2 => (s.neg(), c.neg()),
        _ => (c.neg(), s),
    };
    Some((s.round(), c.round()))
}

/// sin x, correctly rounded except in near-midpoint cases; sin(±0) = ±0.
pub fn sin(x: f64) -> f64 {
    if x == 0.0 {
        return x;
    }
    match sin_cos(x) {
        Some((s, _)) => s,
        None => libm::sin(x),
    }
}

/// cos x, correctly rounded except in near-midpoint cases.
pub fn cos(x: f64) -> f64 {
    match sin_cos(x) {
        Some((_, c)) => c,
        None => libm::cos(x),
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::powi;
    use std::println;

    /// Correct rounding against exact integer powers with wide mantissas (42 bits for cubes, 32
    /// for fourth powers: exact products of 124–128 bits in u128, which Rust converts to f64 with
    /// round-to-nearest-even), scaled by powers of two and negated.
    #[test]
    fn powi_is_correctly_rounded() {
        let mut rng = crate::testutil::XorShift(0x9E37_79B9_7F4A_7C15);
        let mut next = || rng.next_u64();
        let mut differs_from_libm = 0;
        for _ in 0..20_000 {
            for (k, width) in [(3u32, 42u32), (4, 32)] {
                let m = (next() >> (64 - width)) | (1 << (width - 1));
                let exact = u128::from(m).pow(k);
                assert!(exact >> 53 > 0, "needs rounding");
                let want = exact as f64;
                assert_eq!(powi(m as f64, k), want, "{m}^{k}");
                differs_from_libm += usize::from(libm::pow(m as f64, f64::from(k)) != want);
                let e = (next() % 40) as i32 - 20;
                let x = -(m as f64) * libm::exp2(f64::from(e));
                let sign = if k % 2 == 1 { -1.0 } else { 1.0 };
                let scaled = sign * want * libm::exp2(f64::from(e) * f64::from(k));
                assert_eq!(powi(x, k).to_bits(), scaled.to_bits(), "({x})^{k}");
            }
        }
        println!(
            "libm::pow differs from the correctly rounded power in {differs_from_libm} of 40000"
        );
        assert_eq!(powi(0.0, 3), 0.0);
        assert!(powi(f64::NAN, 4).is_nan());
        assert_eq!(powi(1e200, 3), f64::INFINITY);
        assert_eq!(powi(-2.5, 3), -15.625);
    }
}
