//! A small deterministic pseudo-random generator (xoshiro256++ seeded through SplitMix64) and
//! the variates the generator needs (uniform, normal, log-normal, Bernoulli, categorical,
//! Poisson, unit vectors).
//!
//! Every variate is derived with plain IEEE arithmetic plus `ln`, `sqrt`, `cos`/`sin`, so a seed
//! gives the same cohort on every run of the same build; across platforms the only possible
//! difference is the last bit of the libm functions.

/// SplitMix64 step (Steele, Lea & Flood 2014): used to expand seeds and to derive per-patient
/// streams from `(seed, patient index, purpose)`.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256++ (Blackman & Vigna 2019).
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
    spare_normal: Option<f64>,
}

impl Rng {
    /// A generator whose stream depends on every word of `key` (e.g. `[seed, patient, purpose]`).
    pub fn from_key(key: &[u64]) -> Rng {
        let mut st = 0x2545_F491_4F6C_DD1Du64;
        for &k in key {
            st ^= k;
            st = splitmix64(&mut st);
        }
        let mut s = [0u64; 4];
        for w in &mut s {
            *w = splitmix64(&mut st);
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        Rng {
            s,
            spare_normal: None,
        }
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[0]
            .wrapping_add(self.s[3])
            .rotate_left(23)
            .wrapping_add(self.s[0]);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform on [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on [a, b).
    pub fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.uniform()
    }

    /// Uniform integer in 0..n (n > 0; Lemire's multiply-shift, bias < 2^-64·n).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Standard normal (Box–Muller, both values used).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        // u1 in (0, 1] so that ln(u1) is finite.
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (2.0 * core::f64::consts::PI * u2).sin_cos();
        self.spare_normal = Some(r * s);
        r * c
    }

    /// Normal with mean `mu` and standard deviation `sd`.
    pub fn gauss(&mut self, mu: f64, sd: f64) -> f64 {
        mu + sd * self.normal()
    }

    /// Normal truncated to [lo, hi] by rejection (the interval must carry noticeable mass).
    pub fn gauss_in(&mut self, mu: f64, sd: f64, lo: f64, hi: f64) -> f64 {
        for _ in 0..10_000 {
            let x = self.gauss(mu, sd);
            if (lo..=hi).contains(&x) {
                return x;
            }
        }
        mu.clamp(lo, hi)
    }

    /// Log-normal with the given median and log-scale standard deviation.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// `true` with probability `p`.
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Index drawn with probabilities proportional to `weights`.
    pub fn categorical(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut u = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if u < *w {
                return i;
            }
            u -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// Poisson variate (Knuth's product method; for the small means used here).
    pub fn poisson(&mut self, mean: f64) -> usize {
        let l = (-mean).exp();
        let mut k = 0usize;
        let mut p = 1.0;
        loop {
            p *= self.uniform();
            if p <= l || k > 1000 {
                return k;
            }
            k += 1;
        }
    }

    /// Uniformly distributed unit vector.
    pub fn unit_vector(&mut self) -> [f64; 3] {
        let z = self.range(-1.0, 1.0);
        let phi = self.range(0.0, 2.0 * core::f64::consts::PI);
        let r = (1.0 - z * z).max(0.0).sqrt();
        [r * phi.cos(), r * phi.sin(), z]
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoshiro_reference_sequence() {
        // Reference: xoshiro256++ from state {1, 2, 3, 4} (Vigna's C code) gives
        // 41943041, 58720359, 3588806011781223, 3591011842654386, ...
        let mut r = Rng {
            s: [1, 2, 3, 4],
            spare_normal: None,
        };
        assert_eq!(r.next_u64(), 41_943_041);
        assert_eq!(r.next_u64(), 58_720_359);
        assert_eq!(r.next_u64(), 3_588_806_011_781_223);
        assert_eq!(r.next_u64(), 3_591_011_842_654_386);
    }

    #[test]
    fn normal_moments() {
        let mut r = Rng::from_key(&[7]);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
        // 5 standard errors.
        assert!(m.abs() < 5.0 / (n as f64).sqrt(), "mean {m}");
        assert!(
            (v - 1.0).abs() < 5.0 * (2.0 / n as f64).sqrt(),
            "variance {v}"
        );
    }

    #[test]
    fn streams_differ_by_key() {
        let a = Rng::from_key(&[1, 2]).next_u64();
        let b = Rng::from_key(&[1, 3]).next_u64();
        let c = Rng::from_key(&[1, 2]).next_u64();
        assert_ne!(a, b);
        assert_eq!(a, c);
    }
}
