//! Spearman redundancy filter (|rho| ≥ threshold), as `scipy.stats.spearmanr` computes rho:
//! average ranks for ties (`rankdata(method="average")`), then the Pearson correlation of the
//! ranks (`numpy.corrcoef`).
//!
//! Speed: every column is ranked once and turned into a centred, unit-norm rank vector, so that
//! rho(j, k) is a single dot product. The greedy rule only needs rho between a candidate and the
//! columns kept so far, and stops at the first redundant one, so the full p × p matrix is never
//! formed.

use crate::lasso::dot;
use crate::preprocess::Matrix;
use serde::{Deserialize, Serialize};

/// Which redundancy rule to apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpearmanRule {
    /// Walk the columns in order; keep column j iff |rho(j, k)| < threshold for every column k
    /// already kept.
    #[default]
    Greedy,
    /// The pandas "upper triangle" recipe: drop column j iff |rho(i, j)| ≥ threshold for ANY
    /// earlier column i (even one that was itself dropped).
    UpperTriangle,
}

/// Average ranks (1-based) of `x`, ties get the mean of their positions (`rankdata` "average").
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let mut ranks = vec![0.0; n];
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && x[idx[j]] == x[idx[i]] {
            j += 1;
        }
        // positions i..j (0-based) hold equal values: average rank ((i+1) + j) / 2
        let r = (i + 1 + j) as f64 / 2.0;
        for &k in &idx[i..j] {
            ranks[k] = r;
        }
        i = j;
    }
    ranks
}

/// Centred, unit-norm rank vector of each column (row-major by column: column j occupies
/// `out[j*n..(j+1)*n]`). A column whose ranks have zero variance gets NaNs (like numpy).
fn unit_rank_vectors(x: &Matrix) -> Vec<f64> {
    let n = x.n_rows();
    let mut out = Vec::with_capacity(n * x.n_cols());
    for j in 0..x.n_cols() {
        let mut r = average_ranks(x.col(j));
        let mean = (n as f64 + 1.0) / 2.0;
        let mut ss = 0.0;
        for v in r.iter_mut() {
            *v -= mean;
            ss += *v * *v;
        }
        let s = ss.sqrt();
        for v in r.iter_mut() {
            *v /= s;
        }
        out.extend_from_slice(&r);
    }
    out
}

/// `[dot(a, b[0]), …, dot(a, b[3])]` in one pass over `a`, each with exactly `dot`'s
/// association (so the results are bit-identical to four `dot` calls), the four independent
/// sums keeping the floating-point units busy.
#[inline(always)]
fn dot4(a: &[f64], b: [&[f64]; 4]) -> [f64; 4] {
    let n = b.iter().fold(a.len(), |m, v| m.min(v.len()));
    let a = &a[..n];
    let b = b.map(|v| &v[..n]);
    let mut acc = [[0.0f64; 4]; 4];
    let whole = n - n % 4;
    let ca = a[..whole].chunks_exact(4);
    let c0 = b[0][..whole].chunks_exact(4);
    let c1 = b[1][..whole].chunks_exact(4);
    let c2 = b[2][..whole].chunks_exact(4);
    let c3 = b[3][..whole].chunks_exact(4);
    for ((((x, y0), y1), y2), y3) in ca.zip(c0).zip(c1).zip(c2).zip(c3) {
        for l in 0..4 {
            acc[0][l] += x[l] * y0[l];
            acc[1][l] += x[l] * y1[l];
            acc[2][l] += x[l] * y2[l];
            acc[3][l] += x[l] * y3[l];
        }
    }
    let mut out = [0.0f64; 4];
    for q in 0..4 {
        let mut s = (acc[q][0] + acc[q][1]) + (acc[q][2] + acc[q][3]);
        for (x, y) in a[whole..].iter().zip(&b[q][whole..]) {
            s += x * y;
        }
        out[q] = s;
    }
    out
}

/// Spearman rho between columns `a` and `b` of `x` (for tests and reports).
pub fn spearman_rho(a: &[f64], b: &[f64]) -> f64 {
    let m = Matrix::from_columns(&[a.to_vec(), b.to_vec()]);
    let u = unit_rank_vectors(&m);
    let n = a.len();
    dot(&u[..n], &u[n..]).clamp(-1.0, 1.0)
}

/// Full Spearman correlation matrix (p × p, row-major) — O(p² n); for small p and reports.
pub fn spearman_matrix(x: &Matrix) -> Vec<f64> {
    let n = x.n_rows();
    let p = x.n_cols();
    let u = unit_rank_vectors(x);
    let mut out = vec![0.0; p * p];
    for i in 0..p {
        out[i * p + i] = 1.0;
        for j in i + 1..p {
            let r = dot(&u[i * n..(i + 1) * n], &u[j * n..(j + 1) * n]).clamp(-1.0, 1.0);
            out[i * p + j] = r;
            out[j * p + i] = r;
        }
    }
    out
}

/// Indices (ascending) of the columns of `x` kept by the redundancy filter.
pub fn spearman_filter(x: &Matrix, threshold: f64, rule: SpearmanRule) -> Vec<usize> {
    let n = x.n_rows();
    let p = x.n_cols();
    let u = unit_rank_vectors(x);
    let col = |j: usize| &u[j * n..(j + 1) * n];
    let redundant = |r: f64| r.clamp(-1.0, 1.0).abs() >= threshold;
    match rule {
        SpearmanRule::Greedy => greedy_any(&u, n, p, threshold),
        SpearmanRule::UpperTriangle => (0..p)
            .filter(|&j| !(0..j).any(|i| redundant(dot(col(i), col(j)))))
            .collect(),
    }
}

/// The greedy keep-first filter on unit rank vectors `u` (column-major, `n` rows, `p` columns),
/// on the CPU's AVX2 build when it has one (same operations in the same order: same result).
fn greedy_any(u: &[f64], n: usize, p: usize, threshold: f64) -> Vec<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { greedy_avx2(u, n, p, threshold) };
        }
    }
    greedy(u, n, p, threshold)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn greedy_avx2(u: &[f64], n: usize, p: usize, threshold: f64) -> Vec<usize> {
    greedy(u, n, p, threshold)
}

#[inline(always)]
fn greedy(u: &[f64], n: usize, p: usize, threshold: f64) -> Vec<usize> {
    let col = |j: usize| &u[j * n..(j + 1) * n];
    let redundant = |r: f64| r.clamp(-1.0, 1.0).abs() >= threshold;
    let mut kept: Vec<usize> = Vec::new();
    let mut kept_vecs: Vec<f64> = Vec::new();
    for j in 0..p {
        let cj = col(j);
        // four kept columns per pass over cj (each product exactly as `dot`), the latest kept
        // first: the rule asks whether ANY kept column is redundant with cj, so the order does
        // not change the answer, and a column's redundant partner is usually a neighbour
        // (the same feature under the next filter), so the scan stops early
        let mut groups = kept_vecs.rchunks_exact(4 * n.max(1));
        let dup = groups.by_ref().any(|g| {
            let (g01, g23) = g.split_at(2 * n);
            let (g0, g1) = g01.split_at(n);
            let (g2, g3) = g23.split_at(n);
            dot4(cj, [g3, g2, g1, g0]).into_iter().any(redundant)
        }) || groups
            .remainder()
            .rchunks_exact(n.max(1))
            .any(|ck| redundant(dot(cj, ck)));
        if !dup {
            kept.push(j);
            kept_vecs.extend_from_slice(cj);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot4_is_four_dots_bit_for_bit() {
        for n in [1usize, 4, 7, 106, 133] {
            let v = |k: usize| -> Vec<f64> {
                (0..n)
                    .map(|i| ((i * 7 + k * 13) % 17) as f64 / 3.0 - 2.1 + 1e-3 * k as f64)
                    .collect()
            };
            let (a, b) = (v(0), [v(1), v(2), v(3), v(4)]);
            let got = dot4(&a, [&b[0], &b[1], &b[2], &b[3]]);
            for q in 0..4 {
                assert_eq!(got[q].to_bits(), dot(&a, &b[q]).to_bits(), "n {n} q {q}");
            }
        }
    }

    #[test]
    fn ranks_average_ties() {
        assert_eq!(
            average_ranks(&[3.0, 1.0, 3.0, 2.0]),
            vec![3.5, 1.0, 3.5, 2.0]
        );
    }

    #[test]
    fn rho_of_monotone_transform_is_one() {
        let a = [1.0, 5.0, 2.0, 8.0, 3.0];
        let b: Vec<f64> = a.iter().map(|v: &f64| v.exp()).collect();
        assert!((spearman_rho(&a, &b) - 1.0).abs() < 1e-15);
        let c: Vec<f64> = a.iter().map(|v| -v).collect();
        assert!((spearman_rho(&a, &c) + 1.0).abs() < 1e-15);
    }
}
