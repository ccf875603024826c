//! 2-D shape of a single-slice ROI (PyRadiomics 3.0.1 `radiomics/shape2D.py`,
//! `RadiomicsShape2D`; mesh from `cshape.c::calculate_coefficients2D` and
//! `calculate_meshDiameter2D`), computed on the original image's mask only, with `force2D`.
//!
//! ## When PyRadiomics computes it (`featureextractor.computeShape`, 3-D input)
//!
//! With `force2D` off it is skipped (a warning). Otherwise `featureextractor` first tests the ROI
//! bounding box **in image index order (x, y, z)** at position `force2Ddimension` — an inverted
//! test: the class is skipped (a warning) if that extent is 1, and computed if it is larger.
//! The class itself then requires the extent along **numpy axis** `force2Ddimension` (z, y, x
//! order) to be 1, and raises `ValueError: Size of the mask in dimension %i is more than 1,
//! cannot compute 2D shape` otherwise, which ends the whole extraction. So with
//! `force2Ddimension` 0 the class runs for an ROI one z-slice thick and more than one voxel wide
//! in x; with 2, one x-column thick and more than one slice in z; with 1, never. [`check`]
//! reproduces this: both the skip and the failure are [`Error::Shape2dNotApplicable`] here (a
//! requested value that PyRadiomics does not produce is never silently left out).
//!
//! ## Definitions
//!
//! The mask slice `M` (rows `r`, columns `c` = the two in-plane numpy axes in order, spacing
//! `(s_r, s_c)`) is padded with one pixel of 0 on every side. Marching squares over every 2×2
//! square (corners `p0 = (0,0)`, `p1 = (0,1)`, `p2 = (1,1)`, `p3 = (1,0)`, bit `k` set if `p_k`
//! is in the ROI), in row-major order, emit PyRadiomics' lines (its `lineTable2D`) between edge
//! midpoints `a`, `b` (`(r + v_r)·s_r, (c + v_c)·s_c`):
//!
//! * MeshSurface `A = ½ Σ (a_r b_c − b_r a_c)` (`getMeshSurfaceFeatureValue`);
//! * Perimeter `P = Σ √((a_r − b_r)² + (a_c − b_c)²)` (`getPerimeterFeatureValue`);
//! * MaximumDiameter = the largest distance between two of the edge-midpoint vertices
//!   (`getMaximumDiameterFeatureValue`);
//! * PixelSurface `= N_p · (s_c · s_r)` (`getPixelSurfaceFeatureValue`);
//! * PerimeterSurfaceRatio `= P / A`, Sphericity `= 2√(πA) / P`;
//! * λ_minor ≤ λ_major: eigenvalues of the population covariance of the ROI pixel centres (mm);
//!   values in (−1e−10, 0) become 0; MajorAxisLength `= 4√λ_major`, MinorAxisLength
//!   `= 4√λ_minor`, Elongation `= √(λ_minor / λ_major)` (NaN for a negative eigenvalue).

use crate::image::{MaskView, RoiBox};
use crate::names::Shape2DFeature;
use crate::Error;

/// The precomputed quantities of one 2-D ROI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape2D {
    /// Mesh perimeter (mm).
    pub perimeter: f64,
    /// Mesh surface (mm²).
    pub surface: f64,
    /// Largest vertex distance (mm).
    pub diameter: f64,
    /// `[minor, major]` covariance eigenvalues after the (−1e−10, 0) → 0 correction.
    pub eigenvalues: [f64; 2],
    /// Number of ROI pixels.
    pub n_pixels: usize,
    /// In-plane spacing `(s_r, s_c)`.
    pub spacing: [f64; 2],
}

/// Line table: for each square index, up to two lines as pairs of edge numbers (−1 ends).
const LINES: [[i8; 4]; 16] = [
    [-1, -1, -1, -1],
    [3, 0, -1, -1],
    [0, 1, -1, -1],
    [3, 1, -1, -1],
    [1, 2, -1, -1],
    [1, 2, 3, 0],
    [0, 2, -1, -1],
    [3, 2, -1, -1],
    [2, 3, -1, -1],
    [2, 0, -1, -1],
    [0, 1, 2, 3],
    [2, 1, -1, -1],
    [1, 3, -1, -1],
    [1, 0, -1, -1],
    [0, 3, -1, -1],
    [-1, -1, -1, -1],
];

/// Edge midpoints `(r, c)` offsets within the square.
const VERTS: [[f64; 2]; 4] = [[0.0, 0.5], [0.5, 1.0], [1.0, 0.5], [0.5, 0.0]];

/// Corner offsets `(r, c)` of the square's points p0..p3.
const CORNERS: [[usize; 2]; 4] = [[0, 0], [0, 1], [1, 1], [1, 0]];

/// The in-plane numpy axes for out-of-plane axis `d` (0 = z, 1 = y, 2 = x), as indices into
/// `[x, y, z]` arrays: `(rows, columns)`.
fn plane(d: u8) -> (usize, usize) {
    match d {
        0 => (1, 0), // rows y, columns x
        1 => (2, 0), // rows z, columns x
        _ => (2, 1), // rows z, columns y
    }
}

/// PyRadiomics' conditions for computing shape2D on an ROI box of extent `roi_dims` (`[x, y, z]`)
/// with `force_2d` (see the module documentation); [`Error::Shape2dNotApplicable`] where it would
/// skip the class or raise.
pub fn check(roi_dims: [usize; 3], force_2d: Option<u8>) -> Result<(), Error> {
    let d = force_2d.ok_or(Error::Shape2dNotApplicable)? as usize;
    // featureextractor's pre-check reads the box in image (x, y, z) order.
    let pre = roi_dims.get(d).copied().unwrap_or(0);
    // the class reads numpy (z, y, x) order.
    let thick = roi_dims.get(2usize.saturating_sub(d)).copied().unwrap_or(0);
    if pre > 1 && thick == 1 {
        Ok(())
    } else {
        Err(Error::Shape2dNotApplicable)
    }
}

/// Scratch (f64 elements) for the diameter's vertex list: `4 · (R + 1) · (C + 1)` for an
/// in-plane box of `R × C` (as PyRadiomics allocates).
pub fn scratch_len(roi_dims: [usize; 3], force_2d: u8) -> Result<usize, Error> {
    let (ar, ac) = plane(force_2d);
    let r = roi_dims.get(ar).copied().unwrap_or(0);
    let c = roi_dims.get(ac).copied().unwrap_or(0);
    r.checked_add(1)
        .and_then(|r1| c.checked_add(1).and_then(|c1| r1.checked_mul(c1)))
        .and_then(|n| n.checked_mul(4))
        .ok_or(Error::SizeOverflow)
}

impl Shape2D {
    /// Computes the mesh, diameter and PCA of the ROI slice (`roi` one voxel thick along numpy
    /// axis `force_2d`, see [`check`]); `spacing` is the image's `[x, y, z]`.
    pub fn new(
        mask: &MaskView,
        roi: &RoiBox,
        spacing: [f64; 3],
        force_2d: u8,
        scratch: &mut [f64],
    ) -> Result<Shape2D, Error> {
        let bd = roi.dims();
        check(bd, Some(force_2d))?;
        if !roi.fits(mask.dims()) {
            return Err(Error::BadDimensions);
        }
        let (ar, ac) = plane(force_2d);
        let (nr, nc) = (bd[ar], bd[ac]);
        let sp = [spacing[ar], spacing[ac]];
        let md = mask.dims();
        // Padded slice: (r, c) in 0..nr+2 × 0..nc+2, ROI only at 1..=nr × 1..=nc.
        let at = |r: usize, c: usize| -> bool {
            if r == 0 || c == 0 || r > nr || c > nc {
                return false;
            }
            let mut p = roi.lo;
            p[ar] += r - 1;
            p[ac] += c - 1;
            mask.is_roi(p[0] + md[0] * (p[1] + md[1] * p[2]))
        };
        let need = scratch_len(bd, force_2d)?;
        let verts = scratch.get_mut(..need).ok_or(Error::ScratchTooSmall)?;
        let mut nv = 0usize;
        let mut perimeter = 0.0f64;
        let mut surface = 0.0f64;
        for iy in 0..=nr {
            for ix in 0..=nc {
                let mut idx = 0usize;
                for (k, cn) in CORNERS.iter().enumerate() {
                    if at(iy + cn[0], ix + cn[1]) {
                        idx |= 1 << k;
                    }
                }
                if idx == 0 || idx == 0xF {
                    continue;
                }
                let line = LINES.get(idx).copied().unwrap_or([-1; 4]);
                for pair in line.chunks_exact(2) {
                    let (ea, eb) = match pair {
                        [ea, eb] if *ea >= 0 && *eb >= 0 => (*ea, *eb),
                        _ => break,
                    };
                    let va = VERTS.get(ea as usize).copied().unwrap_or([0.0; 2]);
                    let vb = VERTS.get(eb as usize).copied().unwrap_or([0.0; 2]);
                    let a = [(iy as f64 + va[0]) * sp[0], (ix as f64 + va[1]) * sp[1]];
                    let b = [(iy as f64 + vb[0]) * sp[0], (ix as f64 + vb[1]) * sp[1]];
                    surface += (a[0] * b[1]) - (b[0] * a[1]);
                    let d0 = a[0] - b[0];
                    let d1 = a[1] - b[1];
                    perimeter += libm::sqrt(d0 * d0 + d1 * d1);
                }
                // Vertices on edges 3 and 2 (points 0 and 2 set after the flip).
                let flipped = if idx > 7 { idx ^ 0xF } else { idx };
                for (point, edge) in [(0usize, 3usize), (2, 2)] {
                    if flipped & (1 << point) != 0 {
                        let v = VERTS.get(edge).copied().unwrap_or([0.0; 2]);
                        *verts.get_mut(nv).ok_or(Error::ScratchTooSmall)? =
                            (iy as f64 + v[0]) * sp[0];
                        *verts.get_mut(nv + 1).ok_or(Error::ScratchTooSmall)? =
                            (ix as f64 + v[1]) * sp[1];
                        nv += 2;
                    }
                }
            }
        }
        surface /= 2.0;
        let mut dmax = 0.0f64;
        let mut top = nv;
        while top >= 2 {
            top -= 2;
            let a0 = verts.get(top).copied().unwrap_or(0.0);
            let a1 = verts.get(top + 1).copied().unwrap_or(0.0);
            for pair in verts.get(..top).unwrap_or(&[]).chunks_exact(2) {
                let [b0, b1] = pair else { continue };
                let d0 = a0 - b0;
                let d1 = a1 - b1;
                let d = d0 * d0 + d1 * d1;
                if d > dmax {
                    dmax = d;
                }
            }
        }
        // PCA of the pixel centres (padded indices × spacing).
        let mut np = 0usize;
        let mut sum = [0.0f64; 2];
        for r in 1..=nr {
            for c in 1..=nc {
                if at(r, c) {
                    np += 1;
                    sum[0] += r as f64 * sp[0];
                    sum[1] += c as f64 * sp[1];
                }
            }
        }
        if np == 0 {
            return Err(Error::LabelNotPresent);
        }
        let n = np as f64;
        let mean = [sum[0] / n, sum[1] / n];
        let root = libm::sqrt(n);
        let mut cov = [0.0f64; 3]; // rr, rc, cc
        for r in 1..=nr {
            for c in 1..=nc {
                if at(r, c) {
                    let x = (r as f64 * sp[0] - mean[0]) / root;
                    let y = (c as f64 * sp[1] - mean[1]) / root;
                    cov[0] += x * x;
                    cov[1] += x * y;
                    cov[2] += y * y;
                }
            }
        }
        let mut ev = symmetric_eigenvalues_2x2(cov[0], cov[1], cov[2]);
        for v in ev.iter_mut() {
            if *v < 0.0 && *v > -1e-10 {
                *v = 0.0;
            }
        }
        if ev[1] < ev[0] {
            ev.swap(0, 1);
        }
        Ok(Shape2D {
            perimeter,
            surface,
            diameter: libm::sqrt(dmax),
            eigenvalues: ev,
            n_pixels: np,
            spacing: sp,
        })
    }
}

/// Eigenvalues `[smaller, larger]` of the symmetric matrix `[[a, b], [b, c]]`.
fn symmetric_eigenvalues_2x2(a: f64, b: f64, c: f64) -> [f64; 2] {
    let m = (a + c) / 2.0;
    let h = libm::hypot((a - c) / 2.0, b);
    [m - h, m + h]
}

/// `sqrt(λ) · 4`, NaN for a negative eigenvalue.
fn axis(l: f64) -> f64 {
    if l < 0.0 {
        f64::NAN
    } else {
        libm::sqrt(l) * 4.0
    }
}

/// MeshSurface (`RadiomicsShape2D.getMeshSurfaceFeatureValue`).
pub fn mesh_surface(s: &Shape2D) -> f64 {
    s.surface
}
/// PixelSurface = N_p · (s_c · s_r) (`RadiomicsShape2D.getPixelSurfaceFeatureValue`).
pub fn pixel_surface(s: &Shape2D) -> f64 {
    s.n_pixels as f64 * (s.spacing[1] * s.spacing[0])
}
/// Perimeter (`RadiomicsShape2D.getPerimeterFeatureValue`).
pub fn perimeter(s: &Shape2D) -> f64 {
    s.perimeter
}
/// PerimeterSurfaceRatio = P / A (`RadiomicsShape2D.getPerimeterSurfaceRatioFeatureValue`).
pub fn perimeter_surface_ratio(s: &Shape2D) -> f64 {
    s.perimeter / s.surface
}
/// Sphericity = 2√(πA) / P (`RadiomicsShape2D.getSphericityFeatureValue`).
pub fn sphericity(s: &Shape2D) -> f64 {
    (2.0 * libm::sqrt(core::f64::consts::PI * s.surface)) / s.perimeter
}
/// MaximumDiameter (`RadiomicsShape2D.getMaximumDiameterFeatureValue`).
pub fn maximum_diameter(s: &Shape2D) -> f64 {
    s.diameter
}
/// MajorAxisLength = 4√λ_major (`RadiomicsShape2D.getMajorAxisLengthFeatureValue`).
pub fn major_axis_length(s: &Shape2D) -> f64 {
    axis(s.eigenvalues[1])
}
/// MinorAxisLength = 4√λ_minor (`RadiomicsShape2D.getMinorAxisLengthFeatureValue`).
pub fn minor_axis_length(s: &Shape2D) -> f64 {
    axis(s.eigenvalues[0])
}
/// Elongation = √(λ_minor / λ_major) (`RadiomicsShape2D.getElongationFeatureValue`).
pub fn elongation(s: &Shape2D) -> f64 {
    let [a, b] = s.eigenvalues;
    if a < 0.0 || b < 0.0 {
        f64::NAN
    } else {
        libm::sqrt(a / b)
    }
}

/// The value of feature `f`.
pub fn compute(f: Shape2DFeature, s: &Shape2D) -> f64 {
    use Shape2DFeature as F;
    match f {
        F::Elongation => elongation(s),
        F::MajorAxisLength => major_axis_length(s),
        F::MaximumDiameter => maximum_diameter(s),
        F::MeshSurface => mesh_surface(s),
        F::MinorAxisLength => minor_axis_length(s),
        F::Perimeter => perimeter(s),
        F::PerimeterSurfaceRatio => perimeter_surface_ratio(s),
        F::PixelSurface => pixel_surface(s),
        F::Sphericity => sphericity(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyradiomics_applicability_rules() {
        // force2Ddimension 0: one z slice, more than one voxel in x
        assert_eq!(check([5, 4, 1], Some(0)), Ok(()));
        assert_eq!(check([5, 4, 2], Some(0)), Err(Error::Shape2dNotApplicable));
        // the inverted pre-check: a single-slice ROI one voxel wide in x gets no shape2D
        assert_eq!(check([1, 4, 1], Some(0)), Err(Error::Shape2dNotApplicable));
        // dimension 1: never
        assert_eq!(check([5, 1, 4], Some(1)), Err(Error::Shape2dNotApplicable));
        assert_eq!(check([5, 3, 4], Some(1)), Err(Error::Shape2dNotApplicable));
        // dimension 2: one x column, several z slices
        assert_eq!(check([1, 4, 3], Some(2)), Ok(()));
        assert_eq!(check([2, 4, 3], Some(2)), Err(Error::Shape2dNotApplicable));
        assert_eq!(check([5, 4, 1], None), Err(Error::Shape2dNotApplicable));
    }
}
