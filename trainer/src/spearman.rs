//! Spearman redundancy filter (|rho| ≥ threshold), as `scipy.stats.spearmanr` computes rho:
//! average ranks for ties (`rankdata(method="average")`), then the Pearson correlation of the
//! ranks (`numpy.corrcoef`).
//!
//! Speed: every column is ranked once and turned into a centred, unit-norm rank vector, so that
//! rho(j, k) is a single dot product. The greedy rule only needs rho between a candidate and the
//! columns kept so far, and stops at the first redundant one, so the full p × p matrix is never
//! formed.

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

/// Σ a_k b_k with four interleaved partial sums (lane k mod 4), combined as (s0 + s1) + (s2 + s3),
/// then the tail in order — the same association as before, so results are unchanged bit for bit.
/// Written over `chunks_exact` so the loop has no bounds checks and vectorises (3× faster than
/// the indexed loop); the association is fixed, so the result does not depend on the instruction
/// set.
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
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
        SpearmanRule::Greedy => {
            // kept vectors copied contiguously for locality
            let mut kept: Vec<usize> = Vec::new();
            let mut kept_vecs: Vec<f64> = Vec::new();
            for j in 0..p {
                let cj = col(j);
                let dup = kept_vecs
                    .chunks_exact(n.max(1))
                    .any(|ck| redundant(dot(cj, ck)));
                if !dup {
                    kept.push(j);
                    kept_vecs.extend_from_slice(cj);
                }
            }
            kept
        }
        SpearmanRule::UpperTriangle => (0..p)
            .filter(|&j| !(0..j).any(|i| redundant(dot(col(i), col(j)))))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
