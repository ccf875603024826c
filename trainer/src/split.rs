//! Stratified train/test split with scikit-learn's `train_test_split(stratify=y, test_size=0.3,
//! random_state=seed)` semantics — including its random stream: numpy's legacy `RandomState`
//! (MT19937 seeded by `init_genrand(seed)`, `permutation` = Fisher–Yates with the legacy bounded
//! integer `random_interval`) is reproduced, so the same seed gives the same patients as Python.
//!
//! Counts: n_test = ceil(test_size · n), n_train = n − n_test; per-class train counts by
//! `_approximate_mode` (floor of the proportional share, the remainder to the largest fractional
//! parts, ties broken by the random stream), then the test counts from the remaining rows.

use serde::{Deserialize, Serialize};

/// numpy's MT19937 (`RandomState` legacy generator).
pub struct Mt19937 {
    mt: [u32; 624],
    index: usize,
}

impl Mt19937 {
    /// `init_genrand(seed)` (what `RandomState(int)` does).
    pub fn new(seed: u32) -> Self {
        let mut mt = [0u32; 624];
        mt[0] = seed;
        for i in 1..624 {
            mt[i] = 1_812_433_253u32
                .wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 { mt, index: 624 }
    }

    fn twist(&mut self) {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        for i in 0..624 {
            let y = (self.mt[i] & UPPER) | (self.mt[(i + 1) % 624] & LOWER);
            let mut v = self.mt[(i + 397) % 624] ^ (y >> 1);
            if y & 1 != 0 {
                v ^= MATRIX_A;
            }
            self.mt[i] = v;
        }
        self.index = 0;
    }

    /// `genrand_int32`.
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= 624 {
            self.twist();
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }

    /// numpy's legacy `random_interval(max)`: uniform integer in [0, max] by masked rejection.
    pub fn random_interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mut mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        mask |= mask >> 32;
        if max <= 0xffff_ffff {
            loop {
                let v = u64::from(self.next_u32()) & mask;
                if v <= max {
                    return v;
                }
            }
        } else {
            loop {
                let hi = u64::from(self.next_u32());
                let lo = u64::from(self.next_u32());
                let v = ((hi << 32) | lo) & mask;
                if v <= max {
                    return v;
                }
            }
        }
    }

    /// `RandomState.shuffle` of a 1-d array (in place).
    pub fn shuffle<T>(&mut self, x: &mut [T]) {
        for i in (1..x.len()).rev() {
            let j = self.random_interval(i as u64) as usize;
            x.swap(i, j);
        }
    }

    /// `RandomState.permutation(n)`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        self.shuffle(&mut v);
        v
    }
}

/// Result of a split: row indices into the cohort, in scikit-learn's output order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// Training rows (as `train_test_split` returns them: permuted).
    pub train: Vec<usize>,
    /// Test rows.
    pub test: Vec<usize>,
}

/// scikit-learn's `_approximate_mode(class_counts, n_draws, rng)`.
pub fn approximate_mode(class_counts: &[usize], n_draws: usize, rng: &mut Mt19937) -> Vec<usize> {
    let total: usize = class_counts.iter().sum();
    let continuous: Vec<f64> = class_counts
        .iter()
        .map(|&c| c as f64 / total as f64 * n_draws as f64)
        .collect();
    let mut floored: Vec<usize> = continuous.iter().map(|c| c.floor() as usize).collect();
    let fsum: f64 = continuous.iter().map(|c| c.floor()).sum();
    let mut need = (n_draws as f64 - fsum) as i64;
    if need > 0 {
        let remainder: Vec<f64> = continuous
            .iter()
            .zip(&floored)
            .map(|(c, &f)| c - f as f64)
            .collect();
        let mut values = remainder.clone();
        values.sort_by(|a, b| b.total_cmp(a));
        values.dedup();
        for value in values {
            let inds: Vec<usize> = (0..remainder.len())
                .filter(|&i| remainder[i] == value)
                .collect();
            let add_now = (inds.len() as i64).min(need) as usize;
            // rng.choice(inds, size=add_now, replace=False) = inds[permutation(len)[:add_now]]
            let perm = rng.permutation(inds.len());
            for &p in &perm[..add_now] {
                floored[inds[p]] += 1;
            }
            need -= add_now as i64;
            if need == 0 {
                break;
            }
        }
    }
    floored
}

/// `train_test_split(arange(n), test_size=test_size, stratify=labels, random_state=seed)`.
/// `labels` are class codes (0/1 here; any small integers work).
pub fn stratified_split(labels: &[u8], test_size: f64, seed: u32) -> Split {
    let n = labels.len();
    let n_test = (test_size * n as f64).ceil() as usize;
    let n_train = n - n_test;
    let mut classes: Vec<u8> = labels.to_vec();
    classes.sort_unstable();
    classes.dedup();
    let y_idx: Vec<usize> = labels
        .iter()
        .map(|l| classes.iter().position(|c| c == l).unwrap_or(0))
        .collect();
    let class_counts: Vec<usize> = (0..classes.len())
        .map(|k| y_idx.iter().filter(|&&v| v == k).count())
        .collect();
    // class_indices: stable argsort of the class codes, split by class
    let class_indices: Vec<Vec<usize>> = (0..classes.len())
        .map(|k| (0..n).filter(|&i| y_idx[i] == k).collect())
        .collect();
    let mut rng = Mt19937::new(seed);
    let n_i = approximate_mode(&class_counts, n_train, &mut rng);
    let remaining: Vec<usize> = class_counts.iter().zip(&n_i).map(|(c, t)| c - t).collect();
    let t_i = approximate_mode(&remaining, n_test, &mut rng);
    let mut train = Vec::with_capacity(n_train);
    let mut test = Vec::with_capacity(n_test);
    for k in 0..classes.len() {
        let perm = rng.permutation(class_counts[k]);
        let idx: Vec<usize> = perm.iter().map(|&p| class_indices[k][p]).collect();
        train.extend_from_slice(&idx[..n_i[k]]);
        test.extend_from_slice(&idx[n_i[k]..n_i[k] + t_i[k]]);
    }
    rng.shuffle(&mut train);
    rng.shuffle(&mut test);
    Split { train, test }
}

/// KFold(n_splits) without shuffling: fold id of each of `n` rows (the first n mod k folds get
/// one extra row).
pub fn kfold_ids(n: usize, k: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(n);
    for f in 0..k {
        let size = n / k + usize::from(f < n % k);
        out.extend(std::iter::repeat_n(f, size));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mt19937_matches_numpy_seed_42() {
        // numpy: np.random.RandomState(42).randint(0, 2**32, dtype=np.uint64)… first genrand_int32
        // values of init_genrand(42) (reference MT19937 output)
        let mut r = Mt19937::new(5489);
        // the reference implementation's 10000th output for the default seed 5489 is 4123659995
        let mut last = 0;
        for _ in 0..10_000 {
            last = r.next_u32();
        }
        assert_eq!(last, 4_123_659_995);
    }

    #[test]
    fn paper_counts() {
        let labels: Vec<u8> = (0..190).map(|i| u8::from(i < 108)).collect();
        let s = stratified_split(&labels, 0.3, 1);
        assert_eq!(s.train.len(), 133);
        assert_eq!(s.test.len(), 57);
        let pos_train = s.train.iter().filter(|&&i| labels[i] == 1).count();
        assert_eq!(pos_train, 76); // floor(108*133/190)=75.6 → 75 + remainder rule
    }

    #[test]
    fn kfold_sizes() {
        let ids = kfold_ids(398, 5);
        let sizes: Vec<usize> = (0..5)
            .map(|f| ids.iter().filter(|&&i| i == f).count())
            .collect();
        assert_eq!(sizes, vec![80, 80, 80, 79, 79]);
    }
}
