//! Dense column-major matrices, train-only z-scoring (population SD, like scikit-learn's
//! `StandardScaler` / `numpy.std(ddof=0)`) and constant-column detection.

use serde::{Deserialize, Serialize};

/// A dense `n_rows × n_cols` matrix stored column by column (column `j` is contiguous), the
/// layout every selection step reads (one feature = one contiguous column).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    n_rows: usize,
    n_cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// All-zero matrix.
    pub fn zeros(n_rows: usize, n_cols: usize) -> Self {
        Matrix {
            n_rows,
            n_cols,
            data: vec![0.0; n_rows * n_cols],
        }
    }

    /// Builds a matrix from columns (each of the same length).
    ///
    /// # Panics
    /// If the columns differ in length (a programming error, not an input error).
    pub fn from_columns(columns: &[Vec<f64>]) -> Self {
        let n_rows = columns.first().map_or(0, Vec::len);
        let mut data = Vec::with_capacity(n_rows * columns.len());
        for c in columns {
            assert_eq!(c.len(), n_rows, "Matrix::from_columns: ragged columns");
            data.extend_from_slice(c);
        }
        Matrix {
            n_rows,
            n_cols: columns.len(),
            data,
        }
    }

    /// Builds a matrix from rows (each of the same length).
    ///
    /// # Panics
    /// If the rows differ in length.
    pub fn from_rows(rows: &[Vec<f64>]) -> Self {
        let n_rows = rows.len();
        let n_cols = rows.first().map_or(0, Vec::len);
        let mut m = Matrix::zeros(n_rows, n_cols);
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(r.len(), n_cols, "Matrix::from_rows: ragged rows");
            for (j, v) in r.iter().enumerate() {
                m.data[j * n_rows + i] = *v;
            }
        }
        m
    }

    /// Number of rows (patients).
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of columns (features).
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Column `j`.
    pub fn col(&self, j: usize) -> &[f64] {
        &self.data[j * self.n_rows..(j + 1) * self.n_rows]
    }

    /// Column `j`, mutable.
    pub fn col_mut(&mut self, j: usize) -> &mut [f64] {
        &mut self.data[j * self.n_rows..(j + 1) * self.n_rows]
    }

    /// Element (i, j).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[j * self.n_rows + i]
    }

    /// Sets element (i, j).
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        self.data[j * self.n_rows + i] = v;
    }

    /// The raw column-major buffer.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// Rows `rows` (in that order), all columns.
    pub fn select_rows(&self, rows: &[usize]) -> Matrix {
        let mut out = Matrix::zeros(rows.len(), self.n_cols);
        for j in 0..self.n_cols {
            let src = self.col(j);
            let dst = out.col_mut(j);
            for (d, &r) in dst.iter_mut().zip(rows) {
                *d = src[r];
            }
        }
        out
    }

    /// Columns `cols` (in that order), all rows.
    pub fn select_cols(&self, cols: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(self.n_rows * cols.len());
        for &c in cols {
            data.extend_from_slice(self.col(c));
        }
        Matrix {
            n_rows: self.n_rows,
            n_cols: cols.len(),
            data,
        }
    }

    /// Row `i` as a vector.
    pub fn row(&self, i: usize) -> Vec<f64> {
        (0..self.n_cols).map(|j| self.get(i, j)).collect()
    }
}

/// Per-column training mean and population standard deviation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZScore {
    /// Training mean of each column.
    pub mean: Vec<f64>,
    /// Training standard deviation (ddof = 0) of each column.
    pub sd: Vec<f64>,
}

/// Column mean with numpy's operation order for an axis-0 reduction of a C-ordered array
/// (rows added one after the other), divided by n.
fn mean_seq(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x {
        s += v;
    }
    s / x.len() as f64
}

impl ZScore {
    /// Fits mean and population SD (`numpy.std(ddof=0)`: sqrt(mean((x − mean)²))) per column.
    pub fn fit(train: &Matrix) -> ZScore {
        let mut mean = Vec::with_capacity(train.n_cols());
        let mut sd = Vec::with_capacity(train.n_cols());
        for j in 0..train.n_cols() {
            let c = train.col(j);
            let m = mean_seq(c);
            let mut ss = 0.0;
            for v in c {
                let d = v - m;
                ss += d * d;
            }
            mean.push(m);
            sd.push((ss / c.len() as f64).sqrt());
        }
        ZScore { mean, sd }
    }

    /// (x − mean) / sd for every column of `m` (same columns as the fit).
    pub fn apply(&self, m: &Matrix) -> Matrix {
        let mut out = m.clone();
        for j in 0..m.n_cols() {
            let (mu, s) = (self.mean[j], self.sd[j]);
            for v in out.col_mut(j) {
                *v = (*v - mu) / s;
            }
        }
        out
    }
}

/// Indices of columns whose training values are all identical (zero training variance).
/// Exact equality is used (rather than `sd == 0`, which rounding can miss for constant columns
/// whose value is not exactly representable in a mean).
pub fn constant_columns(train: &Matrix) -> Vec<usize> {
    (0..train.n_cols())
        .filter(|&j| {
            let c = train.col(j);
            c.iter().all(|v| *v == c[0])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_columns_round_trip() {
        let m = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]]);
        assert_eq!(m.col(1), &[2.0, 4.0, 6.0]);
        assert_eq!(m.select_rows(&[2, 0]).col(0), &[5.0, 1.0]);
        assert_eq!(m.select_cols(&[1]).col(0), &[2.0, 4.0, 6.0]);
        assert_eq!(m.row(1), vec![3.0, 4.0]);
    }

    #[test]
    fn zscore_population_sd_and_constants() {
        let m = Matrix::from_columns(&[vec![1.0, 2.0, 3.0, 4.0], vec![0.1, 0.1, 0.1, 0.1]]);
        let z = ZScore::fit(&m);
        assert_eq!(z.mean[0], 2.5);
        assert!((z.sd[0] - 1.25f64.sqrt()).abs() < 1e-15);
        assert_eq!(constant_columns(&m), vec![1]);
    }
}
