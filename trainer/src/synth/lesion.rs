//! Lesion geometry: a star-shaped body around a centre, an ellipsoid whose radius is modulated by
//! zonal spherical harmonics (Legendre polynomials `P_l(u·d)` around random axes: low orders give
//! lobulation, high orders a rough margin) plus thin conical spicules.
//!
//! In the lesion frame `q = diag(1/a)·Rᵀ·(p − c)` (rotation `R`, semi-axis ratios `a` with
//! `a₀a₁a₂ = 1`), the surface is `|q| = r₀·g(q/|q|)` with
//!
//! ```text
//! g(u) = max(0.3, 1 + Σₖ αₖ P_{lₖ}(u·dₖ) + Σⱼ Lⱼ · max(0, (u·sⱼ − cos wⱼ)/(1 − cos wⱼ))²)
//! ```
//!
//! The volume is `(r₀³/3)∮ g³ dΩ` (the map to world coordinates has determinant 1); [`Lesion::new`]
//! chooses `r₀` so that it equals the designed volume, integrating over a Fibonacci sphere.

use super::rng::Rng;

/// One harmonic term `α·P_l(u·d)`.
#[derive(Clone, Debug)]
struct Harmonic {
    dir: [f64; 3],
    degree: usize,
    amp: f64,
}

/// One spicule: direction, relative length, cosine of the half-angle.
#[derive(Clone, Debug)]
struct Spicule {
    dir: [f64; 3],
    length: f64,
    cos_w: f64,
}

/// Shape parameters drawn per patient (see `docs/synthetic-cohort.md`).
#[derive(Clone, Debug, PartialEq)]
pub struct ShapeParams {
    /// Designed volume (mm³).
    pub volume_mm3: f64,
    /// Margin irregularity in [0, 1] (lobulation, roughness and spiculation grow with it).
    pub irregularity: f64,
    /// Non-mass (elongated, segmental) lesion.
    pub non_mass: bool,
}

/// A lesion body in world coordinates (mm).
#[derive(Clone, Debug)]
pub struct Lesion {
    center: [f64; 3],
    /// Rows: the lesion's principal axes (unit vectors).
    rot: [[f64; 3]; 3],
    /// Semi-axis ratios, product 1.
    axes: [f64; 3],
    r0: f64,
    harmonics: Vec<Harmonic>,
    spicules: Vec<Spicule>,
    gmax: f64,
    /// Number of spicules (for the truth table).
    pub n_spicules: usize,
}

/// Legendre polynomial `P_l(x)` by the three-term recurrence.
pub fn legendre(l: usize, x: f64) -> f64 {
    let (mut p0, mut p1) = (1.0, x);
    if l == 0 {
        return p0;
    }
    for n in 1..l {
        let nf = n as f64;
        let p2 = ((2.0 * nf + 1.0) * x * p1 - nf * p0) / (nf + 1.0);
        p0 = p1;
        p1 = p2;
    }
    p1
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn normalize(a: [f64; 3]) -> [f64; 3] {
    let n = dot(a, a).sqrt();
    [a[0] / n, a[1] / n, a[2] / n]
}

/// `n` points spread evenly over the unit sphere (Fibonacci lattice).
pub fn fibonacci_sphere(n: usize) -> Vec<[f64; 3]> {
    let golden = core::f64::consts::PI * (3.0 - 5.0f64.sqrt());
    (0..n)
        .map(|i| {
            let z = 1.0 - (2.0 * i as f64 + 1.0) / n as f64;
            let r = (1.0 - z * z).max(0.0).sqrt();
            let phi = golden * i as f64;
            [r * phi.cos(), r * phi.sin(), z]
        })
        .collect()
}

const SPHERE_POINTS: usize = 4000;

impl Lesion {
    /// Draws a lesion with the given shape parameters centred at `center`.
    pub fn new(rng: &mut Rng, center: [f64; 3], p: &ShapeParams) -> Lesion {
        let irr = p.irregularity.clamp(0.0, 1.0);
        // Orientation: a random orthonormal frame.
        let e0 = rng.unit_vector();
        let mut t = rng.unit_vector();
        while dot(t, e0).abs() > 0.95 {
            t = rng.unit_vector();
        }
        let e1 = normalize(cross(e0, t));
        let e2 = cross(e0, e1);
        // Semi-axis ratios: mild ellipticity for masses, elongated for non-mass lesions.
        let mut axes = if p.non_mass {
            [
                rng.range(1.6, 2.2),
                rng.range(0.7, 0.9),
                rng.range(0.5, 0.7),
            ]
        } else {
            [
                (0.12 * rng.normal()).exp(),
                (0.12 * rng.normal()).exp(),
                (0.12 * rng.normal()).exp(),
            ]
        };
        let g = (axes[0] * axes[1] * axes[2]).cbrt();
        for a in &mut axes {
            *a /= g;
        }
        // Low orders (lobulation) and high orders (rough margin).
        let mut harmonics = Vec::new();
        let lob = 0.04 + 0.10 * irr;
        for _ in 0..5 {
            harmonics.push(Harmonic {
                dir: rng.unit_vector(),
                degree: 2 + rng.below(3),
                amp: lob * rng.normal() / 5f64.sqrt(),
            });
        }
        let rough = 0.01 + 0.04 * irr;
        for _ in 0..6 {
            harmonics.push(Harmonic {
                dir: rng.unit_vector(),
                degree: 6 + rng.below(5),
                amp: rough * rng.normal() / 6f64.sqrt(),
            });
        }
        let n_sp = rng.poisson(0.5 + 9.0 * irr * irr);
        let spicules = (0..n_sp)
            .map(|_| Spicule {
                dir: rng.unit_vector(),
                length: rng.range(0.15, 0.45) * (0.5 + irr),
                cos_w: rng.range(5.0f64, 10.0).to_radians().cos(),
            })
            .collect();
        let mut lesion = Lesion {
            center,
            rot: [e0, e1, e2],
            axes,
            r0: 1.0,
            harmonics,
            spicules,
            gmax: 1.0,
            n_spicules: n_sp,
        };
        // Volume normalisation and the largest radius.
        let pts = fibonacci_sphere(SPHERE_POINTS);
        let mut m3 = 0.0;
        let mut gmax: f64 = 0.0;
        for u in &pts {
            let gu = lesion.g(*u);
            m3 += gu * gu * gu;
            gmax = gmax.max(gu);
        }
        m3 /= pts.len() as f64;
        lesion.r0 = (3.0 * p.volume_mm3 / (4.0 * core::f64::consts::PI * m3)).cbrt();
        // The sampled maximum can miss the tip of a spicule: add the spicule lengths' margin.
        let spike = lesion
            .spicules
            .iter()
            .map(|s| s.length)
            .fold(0.0f64, f64::max);
        lesion.gmax = gmax.max(1.0) + 0.05 + spike * 0.3;
        lesion
    }

    /// Relative radius in direction `u` (unit vector, lesion frame).
    pub fn g(&self, u: [f64; 3]) -> f64 {
        let mut s = 1.0;
        for h in &self.harmonics {
            s += h.amp * legendre(h.degree, dot(u, h.dir));
        }
        for sp in &self.spicules {
            let c = dot(u, sp.dir);
            if c > sp.cos_w {
                let t = (c - sp.cos_w) / (1.0 - sp.cos_w);
                s += sp.length * t * t;
            }
        }
        s.max(0.3)
    }

    /// Relative radial coordinate of world point `p`: `|q| / (r₀·g(q/|q|))`; < 1 inside.
    pub fn rho(&self, p: [f64; 3]) -> f64 {
        let d = [
            p[0] - self.center[0],
            p[1] - self.center[1],
            p[2] - self.center[2],
        ];
        let q = [
            dot(self.rot[0], d) / self.axes[0],
            dot(self.rot[1], d) / self.axes[1],
            dot(self.rot[2], d) / self.axes[2],
        ];
        let n = dot(q, q).sqrt();
        if n == 0.0 {
            return 0.0;
        }
        // Quick reject beyond the largest radius.
        if n > self.r0 * self.gmax {
            return 1.0 + n / (self.r0 * self.gmax);
        }
        let u = [q[0] / n, q[1] / n, q[2] / n];
        n / (self.r0 * self.g(u))
    }

    /// Radius (mm) of a sphere around the centre that contains the whole lesion.
    pub fn bounding_radius(&self) -> f64 {
        let amax = self.axes.iter().fold(0.0f64, |a, &b| a.max(b));
        self.r0 * self.gmax * amax
    }

    /// The centre (world mm).
    pub fn center(&self) -> [f64; 3] {
        self.center
    }

    /// Radius of the sphere with the designed volume (mm).
    pub fn equivalent_radius(&self) -> f64 {
        let pts = fibonacci_sphere(SPHERE_POINTS);
        let m3 = pts.iter().map(|u| self.g(*u).powi(3)).sum::<f64>() / pts.len() as f64;
        self.r0 * m3.cbrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legendre_values() {
        // P2(x) = (3x²−1)/2, P3(x) = (5x³−3x)/2
        let x: f64 = 0.3;
        assert!((legendre(2, x) - (3.0 * x * x - 1.0) / 2.0).abs() < 1e-15);
        assert!((legendre(3, x) - (5.0 * x.powi(3) - 3.0 * x) / 2.0).abs() < 1e-15);
        assert!((legendre(7, 1.0) - 1.0).abs() < 1e-12);
    }

    /// Monte-Carlo volume of the body agrees with the designed volume.
    #[test]
    fn designed_volume_is_met() {
        for (k, irr) in [(0u64, 0.1), (1, 0.6), (2, 1.0)] {
            let mut r = Rng::from_key(&[5, k]);
            let p = ShapeParams {
                volume_mm3: 8000.0,
                irregularity: irr,
                non_mass: k == 2,
            };
            let l = Lesion::new(&mut r, [10.0, -5.0, 3.0], &p);
            let b = l.bounding_radius();
            let n = 400_000;
            let mut inside = 0usize;
            let mut mc = Rng::from_key(&[99, k]);
            for _ in 0..n {
                let q = [
                    10.0 + mc.range(-b, b),
                    -5.0 + mc.range(-b, b),
                    3.0 + mc.range(-b, b),
                ];
                if l.rho(q) < 1.0 {
                    inside += 1;
                }
            }
            let v = inside as f64 / n as f64 * (2.0 * b).powi(3);
            assert!((v / 8000.0 - 1.0).abs() < 0.04, "irr {irr}: volume {v}");
        }
    }
}
