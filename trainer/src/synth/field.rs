//! Smooth Gaussian random fields in world coordinates (random Fourier features).
//!
//! `f(p) = sqrt(2/M) · Σₖ cos(ωₖ·p + φₖ)` with `ωₖ ~ N(0, I/ℓ²)` and `φₖ ~ U(0, 2π)` has mean 0,
//! variance 1 and, as M grows, the Gaussian covariance `exp(−|d|²/(2ℓ²))` (Rahimi & Recht 2007).
//! Because the field is defined in world millimetres, the same anatomy appears on every
//! acquisition grid. On a separable lattice (x, y, z coordinate lists) each term factorises into
//! `e^{iωx·x}·e^{iωy·y}·e^{iωz·z}`, so a lattice costs a few multiplications per point and term.

use super::rng::Rng;

/// A random Fourier field.
#[derive(Clone, Debug)]
pub struct Field {
    omega: Vec<[f64; 3]>,
    phase: Vec<f64>,
    amp: f64,
}

/// Values of a field on a lattice `xs × ys × zs`, x fastest.
#[derive(Clone, Debug)]
pub struct Lattice {
    /// Number of points along x, y, z.
    pub dims: [usize; 3],
    /// The values, x fastest.
    pub values: Vec<f64>,
}

impl Lattice {
    /// Value at lattice indices (i, j, k).
    #[inline]
    pub fn at(&self, i: usize, j: usize, k: usize) -> f64 {
        self.values[i + self.dims[0] * (j + self.dims[1] * k)]
    }
}

impl Field {
    /// A field with `terms` cosines and correlation length `ell_mm`.
    pub fn new(rng: &mut Rng, terms: usize, ell_mm: f64) -> Field {
        let mut omega = Vec::with_capacity(terms);
        let mut phase = Vec::with_capacity(terms);
        for _ in 0..terms {
            omega.push([
                rng.normal() / ell_mm,
                rng.normal() / ell_mm,
                rng.normal() / ell_mm,
            ]);
            phase.push(rng.range(0.0, 2.0 * core::f64::consts::PI));
        }
        Field {
            omega,
            phase,
            amp: (2.0 / terms.max(1) as f64).sqrt(),
        }
    }

    /// Value at one point.
    pub fn at(&self, p: [f64; 3]) -> f64 {
        let mut s = 0.0;
        for (w, ph) in self.omega.iter().zip(&self.phase) {
            s += (w[0] * p[0] + w[1] * p[1] + w[2] * p[2] + ph).cos();
        }
        self.amp * s
    }

    /// Values on the lattice `xs × ys × zs` (x fastest).
    pub fn lattice(&self, xs: &[f64], ys: &[f64], zs: &[f64]) -> Lattice {
        let (nx, ny, nz) = (xs.len(), ys.len(), zs.len());
        let mut values = vec![0.0; nx * ny * nz];
        let mut ex = vec![(0.0, 0.0); nx];
        let mut ey = vec![(0.0, 0.0); ny];
        let mut ez = vec![(0.0, 0.0); nz];
        for (w, ph) in self.omega.iter().zip(&self.phase) {
            for (e, x) in ex.iter_mut().zip(xs) {
                let (s, c) = (w[0] * x).sin_cos();
                *e = (c, s);
            }
            for (e, y) in ey.iter_mut().zip(ys) {
                let (s, c) = (w[1] * y).sin_cos();
                *e = (c, s);
            }
            for (e, z) in ez.iter_mut().zip(zs) {
                let (s, c) = (w[2] * z + ph).sin_cos();
                *e = (c, s);
            }
            for (k, &(zc, zs_)) in ez.iter().enumerate() {
                for (j, &(yc, ys_)) in ey.iter().enumerate() {
                    // (yc + i ys)(zc + i zs)
                    let (ac, as_) = (yc * zc - ys_ * zs_, yc * zs_ + ys_ * zc);
                    let row = &mut values[nx * (j + ny * k)..nx * (j + ny * k) + nx];
                    for (v, &(xc, xs_)) in row.iter_mut().zip(&ex) {
                        *v += ac * xc - as_ * xs_;
                    }
                }
            }
        }
        for v in &mut values {
            *v *= self.amp;
        }
        Lattice {
            dims: [nx, ny, nz],
            values,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lattice_matches_pointwise() {
        let mut r = Rng::from_key(&[3]);
        let f = Field::new(&mut r, 16, 4.0);
        let xs = [0.0, 1.3, 2.9];
        let ys = [-4.0, 0.5];
        let zs = [10.0, 11.2, 17.0, 20.0];
        let l = f.lattice(&xs, &ys, &zs);
        for (k, z) in zs.iter().enumerate() {
            for (j, y) in ys.iter().enumerate() {
                for (i, x) in xs.iter().enumerate() {
                    let a = l.at(i, j, k);
                    let b = f.at([*x, *y, *z]);
                    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn roughly_unit_variance() {
        // Average over many independent fields at one point: variance 1 by construction.
        let mut s2 = 0.0;
        let n = 4000;
        for i in 0..n {
            let mut r = Rng::from_key(&[11, i]);
            let f = Field::new(&mut r, 24, 3.0);
            let v = f.at([1.0, 2.0, 3.0]);
            s2 += v * v;
        }
        let var = s2 / n as f64;
        assert!((var - 1.0).abs() < 0.1, "variance {var}");
    }
}
