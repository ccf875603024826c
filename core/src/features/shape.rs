//! Shape (3-D) features: PyRadiomics 3.0.1 `radiomics/shape.py` (`RadiomicsShape`), mesh and
//! diameters from `radiomics/src/cshape.c` (`calculate_coefficients`, `calculate_meshDiameter`).
//!
//! Computed once per case on the mask only (`original_shape_*`; the image values are never read,
//! only the spacing). PyRadiomics crops the mask to the ROI bounding box, pads it with one voxel
//! of 0 on every side and works in numpy order (z, y, x); so does this module: a *padded index*
//! `p = [p_z, p_y, p_x]` runs over `0..S_d + 2` (S = box extent), `p_d = 0` and `p_d = S_d + 1`
//! being the padding, and `s = [s_z, s_y, s_x]` is the spacing in that order.
//!
//! * **Mesh** (marching cubes over the padded mask, cubes in C order): for every cube the corner
//!   bits give an index into PyRadiomics' 128-row half table (cubes with corner 7 set are flipped
//!   and their volume sign negated); every vertex is an edge midpoint at
//!   `((double)i_d + offset_d) · s_d`. Per triangle (a, b, c), in table order:
//!   `V += sign · ((a × b) · c)` and `A += 0.5 · |(a − c) × (b − c)|`; finally `V /= 6`. Same
//!   origin, order and operations as `cshape.c`, so MeshVolume and SurfaceArea are bit-identical.
//! * **Diameters**: the mesh vertices are the midpoints between every ROI voxel and each of its
//!   face neighbours outside the ROI. `calculate_meshDiameter` takes the maximum squared distance
//!   `(dz² + dy²) + dx²` over all vertex pairs (Slice / Column / Row: pairs with equal z / y / x).
//!   The same values come from far fewer pairs (see `diameters`): the two ends of each line of
//!   vertices, then the convex-hull vertices of those ends per plane, then a bounding-box test
//!   per pair of planes. Checked bit for bit against the all-pairs search in the unit tests.
//! * **PCA**: `X` = physical coordinates `p · s` of the ROI voxel centres (padded index, C order),
//!   centred on their mean (a sequential column sum divided by N_p, as numpy's `mean(axis=0)`),
//!   divided by `sqrt(N_p)`; `C = XᵀX` (population covariance). PyRadiomics takes
//!   `numpy.linalg.eigvals(C)` (LAPACK `dgeev`); here a cyclic Jacobi iteration on the symmetric
//!   `C` (error ≈ 1e-16 · λ_major). Eigenvalues in (−1e-10, 0) are set to 0, then sorted
//!   ascending: λ_least ≤ λ_minor ≤ λ_major.
//!
//! The marching-cubes triangle table is PyRadiomics' own (`cshape.c`, BSD-3-Clause, see
//! `tests/fixtures/reference/LICENSE-pyradiomics.txt`), extracted mechanically from the v3.0.1
//! source: its vertex order inside each triangle differs from Paul Bourke's classic table, and
//! the order decides the last bits of the sums.
//!
//! # Memory, stack and cost
//!
//! No allocation: the diameter search needs [`scratch_len`] f64 elements (line tables and plane
//! hulls, about `6·(2S_z+3)·(2S_y+3)` + `2·(2S_z+3)·(2S_x+3)`: 0.8 M elements for a
//! 251 × 221 × 105 box). No recursion; the triangle table is static. The mesh and PCA are linear
//! in the box; the diameters are linear plus the pairs of plane-hull vertices: a 3 M-voxel
//! ellipsoid (box 251 × 221 × 105) takes about 2 s on one core.

use crate::image::{MaskView, RoiBox};
use crate::names::ShapeFeature;
use crate::Error;

/// Cube corners in (z, y, x) (`cshape.c` `gridAngles`): bit `a` of the cube index is corner `a`.
#[cfg(test)]
const GRID_ANGLES: [[usize; 3]; 8] = [
    [0, 0, 0],
    [0, 0, 1],
    [0, 1, 1],
    [0, 1, 0],
    [1, 0, 0],
    [1, 0, 1],
    [1, 1, 1],
    [1, 1, 0],
];

/// Edge midpoints in (z, y, x) relative to the cube origin (`cshape.c` `vertList`).
const VERT_LIST: [[f64; 3]; 12] = [
    [0.0, 0.0, 0.5],
    [0.0, 0.5, 1.0],
    [0.0, 1.0, 0.5],
    [0.0, 0.5, 0.0],
    [1.0, 0.0, 0.5],
    [1.0, 0.5, 1.0],
    [1.0, 1.0, 0.5],
    [1.0, 0.5, 0.0],
    [0.5, 0.0, 0.0],
    [0.5, 0.0, 1.0],
    [0.5, 1.0, 1.0],
    [0.5, 1.0, 0.0],
];

/// No edge (end of a row of [`TRI_TABLE`]).
const END: u8 = 255;

/// `cshape.c` `triTable`: for cube index 0..127, up to five triangles as triples of edge numbers
/// (indices into [`VERT_LIST`]), padded with [`END`].
#[rustfmt::skip]
static TRI_TABLE: [[u8; 15]; 128] = [
    [END, END, END, END, END, END, END, END, END, END, END, END, END, END, END],
    [0, 8, 3, END, END, END, END, END, END, END, END, END, END, END, END],
    [1, 9, 0, END, END, END, END, END, END, END, END, END, END, END, END],
    [1, 8, 3, 1, 9, 8, END, END, END, END, END, END, END, END, END],
    [1, 2, 10, END, END, END, END, END, END, END, END, END, END, END, END],
    [0, 8, 3, 1, 2, 10, END, END, END, END, END, END, END, END, END],
    [9, 2, 10, 0, 2, 9, END, END, END, END, END, END, END, END, END],
    [2, 8, 3, 2, 10, 8, 10, 9, 8, END, END, END, END, END, END],
    [11, 2, 3, END, END, END, END, END, END, END, END, END, END, END, END],
    [11, 2, 0, 0, 8, 11, END, END, END, END, END, END, END, END, END],
    [1, 9, 0, 11, 2, 3, END, END, END, END, END, END, END, END, END],
    [11, 2, 1, 1, 9, 11, 9, 8, 11, END, END, END, END, END, END],
    [3, 10, 1, 11, 10, 3, END, END, END, END, END, END, END, END, END],
    [10, 1, 0, 0, 8, 10, 8, 11, 10, END, END, END, END, END, END],
    [9, 0, 3, 3, 11, 9, 11, 10, 9, END, END, END, END, END, END],
    [9, 8, 10, 11, 10, 8, END, END, END, END, END, END, END, END, END],
    [4, 7, 8, END, END, END, END, END, END, END, END, END, END, END, END],
    [0, 4, 3, 4, 7, 3, END, END, END, END, END, END, END, END, END],
    [1, 9, 0, 4, 7, 8, END, END, END, END, END, END, END, END, END],
    [1, 9, 4, 1, 4, 7, 1, 7, 3, END, END, END, END, END, END],
    [1, 2, 10, 4, 7, 8, END, END, END, END, END, END, END, END, END],
    [3, 4, 7, 3, 0, 4, 1, 2, 10, END, END, END, END, END, END],
    [9, 2, 10, 9, 0, 2, 4, 7, 8, END, END, END, END, END, END],
    [2, 10, 9, 2, 9, 7, 2, 7, 3, 4, 7, 9, END, END, END],
    [4, 7, 8, 11, 2, 3, END, END, END, END, END, END, END, END, END],
    [11, 4, 7, 11, 2, 4, 2, 0, 4, END, END, END, END, END, END],
    [1, 9, 0, 4, 7, 8, 11, 2, 3, END, END, END, END, END, END],
    [4, 7, 11, 9, 4, 11, 11, 2, 9, 1, 9, 2, END, END, END],
    [3, 10, 1, 11, 10, 3, 4, 7, 8, END, END, END, END, END, END],
    [11, 10, 1, 1, 4, 11, 1, 0, 4, 4, 7, 11, END, END, END],
    [4, 7, 8, 9, 0, 3, 3, 11, 9, 11, 10, 9, END, END, END],
    [4, 7, 11, 4, 11, 9, 9, 11, 10, END, END, END, END, END, END],
    [9, 5, 4, END, END, END, END, END, END, END, END, END, END, END, END],
    [9, 5, 4, 0, 8, 3, END, END, END, END, END, END, END, END, END],
    [0, 5, 4, 0, 1, 5, END, END, END, END, END, END, END, END, END],
    [8, 5, 4, 8, 3, 5, 3, 1, 5, END, END, END, END, END, END],
    [1, 2, 10, 9, 5, 4, END, END, END, END, END, END, END, END, END],
    [0, 8, 3, 1, 2, 10, 9, 5, 4, END, END, END, END, END, END],
    [2, 10, 5, 5, 4, 2, 2, 4, 0, END, END, END, END, END, END],
    [2, 10, 5, 3, 2, 5, 3, 5, 4, 8, 3, 4, END, END, END],
    [9, 5, 4, 11, 2, 3, END, END, END, END, END, END, END, END, END],
    [11, 2, 0, 0, 8, 11, 9, 5, 4, END, END, END, END, END, END],
    [0, 5, 4, 0, 1, 5, 11, 2, 3, END, END, END, END, END, END],
    [2, 1, 5, 2, 5, 8, 11, 2, 8, 5, 4, 8, END, END, END],
    [3, 10, 1, 11, 10, 3, 9, 5, 4, END, END, END, END, END, END],
    [5, 4, 9, 10, 1, 0, 0, 8, 10, 8, 11, 10, END, END, END],
    [5, 4, 0, 5, 0, 11, 10, 5, 11, 11, 0, 3, END, END, END],
    [5, 4, 8, 10, 5, 8, 11, 10, 8, END, END, END, END, END, END],
    [7, 8, 9, 5, 7, 9, END, END, END, END, END, END, END, END, END],
    [3, 0, 9, 5, 3, 9, 3, 5, 7, END, END, END, END, END, END],
    [7, 8, 0, 0, 1, 7, 7, 1, 5, END, END, END, END, END, END],
    [1, 5, 7, 1, 7, 3, END, END, END, END, END, END, END, END, END],
    [7, 8, 9, 5, 7, 9, 1, 2, 10, END, END, END, END, END, END],
    [1, 2, 10, 3, 0, 9, 3, 9, 5, 3, 5, 7, END, END, END],
    [0, 2, 8, 8, 2, 5, 8, 5, 7, 2, 10, 5, END, END, END],
    [2, 10, 5, 2, 5, 3, 3, 5, 7, END, END, END, END, END, END],
    [5, 7, 9, 7, 8, 9, 11, 2, 3, END, END, END, END, END, END],
    [5, 7, 9, 9, 7, 2, 2, 0, 9, 11, 2, 7, END, END, END],
    [11, 2, 3, 0, 1, 8, 1, 7, 8, 1, 5, 7, END, END, END],
    [2, 1, 11, 1, 7, 11, 1, 5, 7, END, END, END, END, END, END],
    [7, 8, 9, 5, 7, 9, 3, 10, 1, 11, 10, 3, END, END, END],
    [5, 7, 0, 5, 0, 9, 7, 11, 0, 10, 1, 0, 11, 10, 0],
    [11, 10, 0, 0, 3, 11, 10, 5, 0, 0, 7, 8, 5, 7, 0],
    [11, 10, 5, 5, 7, 11, END, END, END, END, END, END, END, END, END],
    [6, 5, 10, END, END, END, END, END, END, END, END, END, END, END, END],
    [0, 8, 3, 6, 5, 10, END, END, END, END, END, END, END, END, END],
    [1, 9, 0, 6, 5, 10, END, END, END, END, END, END, END, END, END],
    [1, 8, 3, 1, 9, 8, 6, 5, 10, END, END, END, END, END, END],
    [1, 6, 5, 1, 2, 6, END, END, END, END, END, END, END, END, END],
    [1, 6, 5, 1, 2, 6, 0, 8, 3, END, END, END, END, END, END],
    [9, 6, 5, 9, 0, 6, 0, 2, 6, END, END, END, END, END, END],
    [5, 9, 8, 5, 8, 2, 5, 2, 6, 8, 3, 2, END, END, END],
    [11, 2, 3, 6, 5, 10, END, END, END, END, END, END, END, END, END],
    [11, 2, 0, 0, 8, 11, 6, 5, 10, END, END, END, END, END, END],
    [1, 9, 0, 11, 2, 3, 6, 5, 10, END, END, END, END, END, END],
    [11, 2, 1, 1, 9, 11, 9, 8, 11, 6, 5, 10, END, END, END],
    [6, 3, 11, 6, 5, 3, 5, 1, 3, END, END, END, END, END, END],
    [0, 8, 11, 0, 11, 5, 0, 5, 1, 5, 11, 6, END, END, END],
    [6, 3, 11, 0, 3, 6, 0, 6, 5, 0, 5, 9, END, END, END],
    [6, 5, 9, 6, 9, 11, 11, 9, 8, END, END, END, END, END, END],
    [4, 7, 8, 6, 5, 10, END, END, END, END, END, END, END, END, END],
    [0, 4, 3, 4, 7, 3, 6, 5, 10, END, END, END, END, END, END],
    [1, 9, 0, 4, 7, 8, 6, 5, 10, END, END, END, END, END, END],
    [1, 9, 4, 1, 4, 7, 1, 7, 3, 6, 5, 10, END, END, END],
    [4, 7, 8, 1, 6, 5, 1, 2, 6, END, END, END, END, END, END],
    [0, 4, 3, 4, 7, 3, 1, 6, 5, 1, 2, 6, END, END, END],
    [4, 7, 8, 9, 6, 5, 9, 0, 6, 0, 2, 6, END, END, END],
    [7, 3, 9, 4, 7, 9, 3, 2, 9, 5, 9, 6, 2, 6, 9],
    [11, 2, 3, 4, 7, 8, 6, 5, 10, END, END, END, END, END, END],
    [11, 4, 7, 11, 2, 4, 2, 0, 4, 6, 5, 10, END, END, END],
    [1, 9, 0, 11, 2, 3, 4, 7, 8, 6, 5, 10, END, END, END],
    [4, 7, 11, 9, 4, 11, 11, 2, 9, 1, 9, 2, 6, 5, 10],
    [4, 7, 8, 6, 3, 11, 6, 5, 3, 5, 1, 3, END, END, END],
    [5, 1, 11, 5, 11, 6, 1, 0, 11, 4, 7, 11, 0, 4, 11],
    [4, 7, 8, 6, 3, 11, 0, 3, 6, 0, 6, 5, 0, 5, 9],
    [6, 5, 9, 6, 9, 11, 4, 7, 9, 7, 11, 9, END, END, END],
    [10, 4, 9, 6, 4, 10, END, END, END, END, END, END, END, END, END],
    [10, 4, 9, 6, 4, 10, 0, 8, 3, END, END, END, END, END, END],
    [0, 1, 10, 10, 6, 0, 6, 4, 0, END, END, END, END, END, END],
    [1, 8, 3, 1, 6, 8, 8, 6, 4, 6, 1, 10, END, END, END],
    [1, 4, 9, 1, 2, 4, 2, 6, 4, END, END, END, END, END, END],
    [1, 4, 9, 1, 2, 4, 2, 6, 4, 0, 8, 3, END, END, END],
    [0, 2, 4, 4, 2, 6, END, END, END, END, END, END, END, END, END],
    [8, 3, 2, 8, 2, 4, 4, 2, 6, END, END, END, END, END, END],
    [11, 2, 3, 10, 4, 9, 6, 4, 10, END, END, END, END, END, END],
    [11, 2, 0, 0, 8, 11, 10, 4, 9, 6, 4, 10, END, END, END],
    [11, 2, 3, 0, 1, 10, 10, 6, 0, 6, 4, 0, END, END, END],
    [6, 4, 1, 6, 1, 10, 1, 4, 8, 11, 2, 1, 1, 8, 11],
    [9, 6, 4, 3, 6, 9, 1, 3, 9, 11, 6, 3, END, END, END],
    [1, 8, 11, 0, 8, 1, 11, 6, 1, 1, 4, 9, 6, 4, 1],
    [6, 3, 11, 0, 3, 6, 6, 4, 0, END, END, END, END, END, END],
    [8, 6, 4, 6, 8, 11, END, END, END, END, END, END, END, END, END],
    [6, 7, 10, 7, 8, 10, 8, 9, 10, END, END, END, END, END, END],
    [6, 7, 10, 0, 10, 7, 0, 9, 10, 0, 7, 3, END, END, END],
    [6, 7, 10, 1, 10, 7, 1, 7, 8, 0, 1, 8, END, END, END],
    [6, 7, 10, 1, 10, 7, 1, 7, 3, END, END, END, END, END, END],
    [1, 2, 6, 1, 6, 8, 1, 8, 9, 6, 7, 8, END, END, END],
    [2, 6, 9, 1, 2, 9, 6, 7, 9, 3, 0, 9, 7, 3, 9],
    [0, 7, 8, 7, 0, 6, 6, 0, 2, END, END, END, END, END, END],
    [2, 7, 3, 2, 6, 7, END, END, END, END, END, END, END, END, END],
    [11, 2, 3, 6, 7, 10, 7, 8, 10, 8, 9, 10, END, END, END],
    [2, 0, 7, 11, 2, 7, 0, 9, 7, 6, 7, 10, 9, 10, 7],
    [6, 7, 10, 1, 10, 7, 1, 7, 8, 0, 1, 8, 11, 2, 3],
    [11, 2, 1, 1, 7, 11, 10, 6, 1, 1, 6, 7, END, END, END],
    [8, 9, 6, 6, 7, 8, 1, 6, 9, 11, 6, 3, 1, 3, 6],
    [0, 9, 1, 6, 7, 11, END, END, END, END, END, END, END, END, END],
    [0, 7, 8, 7, 0, 6, 0, 3, 11, 11, 6, 0, END, END, END],
    [6, 7, 11, END, END, END, END, END, END, END, END, END, END, END, END],
];

/// Everything the 14 shape features are computed from (`RadiomicsShape._initSegmentBasedCalculation`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// Mesh volume V (signed tetrahedron sum / 6).
    pub mesh_volume: f64,
    /// Mesh surface area A.
    pub surface_area: f64,
    /// Maximum diameters `[slice, column, row, 3-D]` (`cshape.c` `diameters`, after the sqrt).
    pub diameters: [f64; 4],
    /// PCA eigenvalues `[least, minor, major]` after the (−1e-10, 0) → 0 correction.
    pub eigenvalues: [f64; 3],
    /// Number of ROI voxels N_p.
    pub voxel_count: usize,
    /// Spacing in numpy order `[s_z, s_y, s_x]`.
    pub spacing_zyx: [f64; 3],
}

/// Scratch (f64 elements) [`Shape::new`] needs for a ROI box of extent `roi_dims` (`[x, y, z]`):
/// with `H_d = 2·(S_d + 2) − 1` and `M = 2·max(H_x, H_y, H_z)`, two tables of vertex-line ends
/// `2·H_z·H_y + 2·H_z·H_x`, the z-plane hulls `4·H_z·H_y + 2·H_z`, their offsets and bounding
/// boxes `5·H_z + 1`, and the hull work space `6·M + 2`.
pub fn scratch_len(roi_dims: [usize; 3]) -> Result<usize, Error> {
    let h = |s: usize| {
        s.checked_add(2)
            .and_then(|p| p.checked_mul(2))
            .map(|v| v - 1)
    };
    let (Some(hx), Some(hy), Some(hz)) = (h(roi_dims[0]), h(roi_dims[1]), h(roi_dims[2])) else {
        return Err(Error::SizeOverflow);
    };
    let lay = diameter_layout([hz, hy, hx]).ok_or(Error::SizeOverflow)?;
    lay.iter()
        .try_fold(0usize, |a, &b| a.checked_add(b))
        .ok_or(Error::SizeOverflow)
}

/// The padded mask: ROI membership by padded index (z, y, x); the padding is outside.
struct Padded<'m, 'a> {
    mask: &'m MaskView<'a>,
    lo: [usize; 3],
    /// Box extent in numpy order (S_z, S_y, S_x).
    s: [usize; 3],
}

impl Padded<'_, '_> {
    #[inline]
    fn at(&self, p: [usize; 3]) -> bool {
        if (0..3).any(|d| p[d] == 0 || p[d] > self.s[d]) {
            return false;
        }
        let z = self.lo[2] + p[0] - 1;
        let y = self.lo[1] + p[1] - 1;
        let x = self.lo[0] + p[2] - 1;
        // by coordinates: no index to divide back into (x, y, z)
        self.mask.is_roi_at([x, y, z])
    }
}

/// Vertex coordinate for half-index `h` (= 2 · padded index, + 1 for a midpoint) along an axis
/// of spacing `s`: `((double)i + offset) · s` in `cshape.c`, and `i + offset` is `h / 2` exactly.
#[inline]
fn coord(h: usize, s: f64) -> f64 {
    (h as f64 * 0.5) * s
}

/// `cshape.c` cross product `a × b`.
#[inline]
fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        (a[1] * b[2]) - (b[1] * a[2]),
        (a[2] * b[0]) - (b[2] * a[0]),
        (a[0] * b[1]) - (b[0] * a[1]),
    ]
}

/// The cube-index bits ([`GRID_ANGLES`] order) of a cube's x face, from face bits (z, y) =
/// (0,0), (0,1), (1,0), (1,1) → corners (0,0,0), (0,1,0), (1,0,0), (1,1,0) = bits 0, 3, 4, 7.
#[inline]
fn x_face_bits(f: u8) -> u8 {
    (f & 1) | (f & 2) << 2 | (f & 4) << 2 | (f & 8) << 4
}

/// The same for the x + 1 face: corners (0,0,1), (0,1,1), (1,0,1), (1,1,1) = bits 1, 2, 5, 6.
#[inline]
fn x1_face_bits(f: u8) -> u8 {
    (f & 1) << 1 | (f & 2) << 1 | (f & 4) << 3 | (f & 8) << 3
}

/// `(V, A)` by marching cubes over the padded mask (`calculate_coefficients`).
fn mesh(pm: &Padded, sp: [f64; 3]) -> (f64, f64) {
    let mut volume = 0.0f64;
    let mut area = 0.0f64;
    // cubes per axis = padded extent − 1
    let n = [pm.s[0] + 1, pm.s[1] + 1, pm.s[2] + 1];
    // The four corners of a cube at its x + 1 face (GRID_ANGLES bits 1, 2, 5, 6) are the next
    // cube's x face (bits 0, 3, 4, 7): each corner is looked up once per row, not twice.
    let face = |iz: usize, iy: usize, x: usize| -> u8 {
        u8::from(pm.at([iz, iy, x]))
            | u8::from(pm.at([iz, iy + 1, x])) << 1
            | u8::from(pm.at([iz + 1, iy, x])) << 2
            | u8::from(pm.at([iz + 1, iy + 1, x])) << 3
    };
    for iz in 0..n[0] {
        for iy in 0..n[1] {
            let mut x_face = face(iz, iy, 0);
            for ix in 0..n[2] {
                let next = face(iz, iy, ix + 1);
                let mut idx = x_face_bits(x_face) | x1_face_bits(next);
                x_face = next;
                let sign = if idx & 0x80 != 0 {
                    idx ^= 0xff;
                    -1.0
                } else {
                    1.0
                };
                if idx == 0 {
                    continue;
                }
                let Some(row) = TRI_TABLE.get(usize::from(idx)) else {
                    continue;
                };
                let base = [iz as f64, iy as f64, ix as f64];
                let vertex = |e: u8| -> [f64; 3] {
                    let off = VERT_LIST.get(usize::from(e)).copied().unwrap_or([0.0; 3]);
                    [
                        (base[0] + off[0]) * sp[0],
                        (base[1] + off[1]) * sp[1],
                        (base[2] + off[2]) * sp[2],
                    ]
                };
                for t in row.chunks_exact(3) {
                    let (ea, eb, ec) = (t[0], t[1], t[2]);
                    if ea == END {
                        break;
                    }
                    let mut a = vertex(ea);
                    let mut b = vertex(eb);
                    let c = vertex(ec);
                    let ab = cross(a, b);
                    volume += sign * (ab[0] * c[0] + ab[1] * c[1] + ab[2] * c[2]);
                    for d in 0..3 {
                        a[d] -= c[d];
                        b[d] -= c[d];
                    }
                    let ab = cross(a, b);
                    let sum = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
                    area += 0.5 * libm::sqrt(sum);
                }
            }
        }
    }
    (volume / 6.0, area)
}

/// Squared distance as `calculate_meshDiameter` evaluates it.
#[inline]
fn dist2(a: [f64; 3], b: [f64; 3]) -> f64 {
    let dz = a[0] - b[0];
    let dy = a[1] - b[1];
    let dx = a[2] - b[2];
    dz * dz + dy * dy + dx * dx
}

/// Convex hull (Andrew's monotone chain; collinear points dropped) of the `n` points stored as
/// `(u, v)` pairs in `inp`, sorted lexicographically; writes the hull vertices as pairs into
/// `out` (capacity ≥ 2·(2n + 1) elements) and returns their number. Integer coordinates (half
/// indices), exact orientation tests in i128.
fn hull(inp: &[f64], n: usize, out: &mut [f64]) -> usize {
    fn at(b: &[f64], k: usize) -> (i128, i128) {
        let u = b.get(2 * k).copied().unwrap_or(0.0) as i128;
        let v = b.get(2 * k + 1).copied().unwrap_or(0.0) as i128;
        (u, v)
    }
    fn put(b: &mut [f64], k: usize, p: (i128, i128)) {
        if let Some(s) = b.get_mut(2 * k..2 * k + 2) {
            s[0] = p.0 as f64;
            s[1] = p.1 as f64;
        }
    }
    let turn = |o: (i128, i128), a: (i128, i128), b: (i128, i128)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    if n <= 2 {
        for k in 0..n {
            put(out, k, at(inp, k));
        }
        return n;
    }
    let mut k = 0usize;
    for i in 0..n {
        let p = at(inp, i);
        while k >= 2 && turn(at(out, k - 2), at(out, k - 1), p) <= 0 {
            k -= 1;
        }
        put(out, k, p);
        k += 1;
    }
    let t = k + 1;
    for i in (0..n - 1).rev() {
        let p = at(inp, i);
        while k >= t && turn(at(out, k - 2), at(out, k - 1), p) <= 0 {
            k -= 1;
        }
        put(out, k, p);
        k += 1;
    }
    k - 1 // the last point repeats the first
}

/// Scratch layout of [`diameters`] for half-index extents `h = [H_z, H_y, H_x]`: element counts
/// of the x-line table, the y-line table, the plane-hull store, the plane offsets, the plane
/// bounding boxes, the hull input and the hull output.
fn diameter_layout(h: [usize; 3]) -> Option<[usize; 7]> {
    let [hz, hy, hx] = h;
    let xl = hz.checked_mul(hy)?.checked_mul(2)?;
    let yl = hz.checked_mul(hx)?.checked_mul(2)?;
    let store = xl.checked_add(hz)?.checked_mul(2)?;
    let m = hy.max(hz).max(hx).checked_mul(2)?; // most points of one plane or slab
    Some([
        xl,
        yl,
        store,
        hz.checked_add(1)?,
        hz.checked_mul(4)?,
        m.checked_mul(2)?,
        m.checked_mul(2)?.checked_add(1)?.checked_mul(2)?,
    ])
}

/// Maximum squared diameters `[slice, column, row, 3-D]` over the mesh vertices.
///
/// Exact reductions of `calculate_meshDiameter`'s all-pairs search: (1) on each line of vertices
/// along x (fixed z, y) only the two ends can be farthest from any point, the rounded distance
/// being monotone in the coordinate along the line (likewise for lines along y); (2) within a
/// plane or slab, the farthest point from any point is a vertex of the convex hull of the line
/// ends (squared distance is strictly convex), so 3-D and slice use the hull vertices of each
/// z-plane, column the hull of each y-slab in (z, x), row the hull of each x-slab in (z, y);
/// (3) a pair of z-planes is skipped when the rounded distance between their bounding boxes
/// cannot exceed the current maximum. Step (2) holds in exact arithmetic; a floating-point tie
/// between a hull vertex and a non-vertex within one ulp could change the last bit.
fn diameters(pm: &Padded, sp: [f64; 3], scratch: &mut [f64]) -> Result<[f64; 4], Error> {
    let hz = 2 * (pm.s[0] + 2) - 1;
    let hy = 2 * (pm.s[1] + 2) - 1;
    let hx = 2 * (pm.s[2] + 2) - 1;
    let lay = diameter_layout([hz, hy, hx]).ok_or(Error::SizeOverflow)?;
    let need: usize = lay.iter().sum();
    let scratch = scratch.get_mut(..need).ok_or(Error::ScratchTooSmall)?;
    let (xl, rest) = scratch.split_at_mut(lay[0]); // (h_z, h_y) → [min h_x, max h_x]
    let (yl, rest) = rest.split_at_mut(lay[1]); // (h_z, h_x) → [min h_y, max h_y]
    let (store, rest) = rest.split_at_mut(lay[2]); // plane hull vertices (h_y, h_x)
    let (offs, rest) = rest.split_at_mut(lay[3]);
    let (bbox, rest) = rest.split_at_mut(lay[4]); // per plane: min y, max y, min x, max x
    let (inp, out) = rest.split_at_mut(lay[5]);
    for pair in xl.chunks_exact_mut(2).chain(yl.chunks_exact_mut(2)) {
        pair[0] = f64::INFINITY;
        pair[1] = f64::NEG_INFINITY;
    }
    let mut add = |h: [usize; 3]| {
        let i = 2 * (h[0] * hy + h[1]);
        if let Some(e) = xl.get_mut(i..i + 2) {
            let v = h[2] as f64;
            e[0] = e[0].min(v);
            e[1] = e[1].max(v);
        }
        let i = 2 * (h[0] * hx + h[2]);
        if let Some(e) = yl.get_mut(i..i + 2) {
            let v = h[1] as f64;
            e[0] = e[0].min(v);
            e[1] = e[1].max(v);
        }
    };
    // Vertices: midpoints between a ROI voxel and each face neighbour outside the ROI.
    for pz in 1..=pm.s[0] {
        for py in 1..=pm.s[1] {
            for px in 1..=pm.s[2] {
                let p = [pz, py, px];
                if !pm.at(p) {
                    continue;
                }
                for d in 0..3 {
                    for up in [false, true] {
                        let mut q = p;
                        q[d] = if up { p[d] + 1 } else { p[d] - 1 };
                        if pm.at(q) {
                            continue;
                        }
                        let mut h = [2 * p[0], 2 * p[1], 2 * p[2]];
                        h[d] = if up { h[d] + 1 } else { h[d] - 1 };
                        add(h);
                    }
                }
            }
        }
    }
    let xl: &[f64] = xl;
    let yl: &[f64] = yl;
    // Line ends of line `i` of table `t` as sorted (key, end) pairs appended to `inp` at `n`.
    fn push_ends(t: &[f64], i: usize, key: usize, inp: &mut [f64], n: &mut usize) {
        if let Some(&[lo, hi]) = t.get(2 * i..2 * i + 2) {
            if lo <= hi {
                let ends = [lo, hi];
                let k = if lo < hi { 2 } else { 1 };
                for e in ends.iter().take(k) {
                    if let Some(s) = inp.get_mut(2 * *n..2 * *n + 2) {
                        s[0] = key as f64;
                        s[1] = *e;
                        *n += 1;
                    }
                }
            }
        }
    }
    let pt = |b: &[f64], k: usize| -> (usize, usize) {
        let u = b.get(2 * k).copied().unwrap_or(0.0) as usize;
        let v = b.get(2 * k + 1).copied().unwrap_or(0.0) as usize;
        (u, v)
    };
    let mut dmax = [0.0f64; 4];

    // z-planes: hulls of the x-line ends in (y, x); slice diameters; store them for 3-D.
    let mut pos = 0usize;
    for z in 0..hz {
        let mut n = 0usize;
        for y in 0..hy {
            push_ends(xl, z * hy + y, y, inp, &mut n);
        }
        let h = hull(inp, n, out);
        if let Some(o) = offs.get_mut(z) {
            *o = pos as f64;
        }
        let mut bb = [
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        let cz = coord(z, sp[0]);
        for i in 0..h {
            let (ya, xa) = pt(out, i);
            let a = [cz, coord(ya, sp[1]), coord(xa, sp[2])];
            bb = [
                bb[0].min(a[1]),
                bb[1].max(a[1]),
                bb[2].min(a[2]),
                bb[3].max(a[2]),
            ];
            for j in 0..i {
                let (yb, xb) = pt(out, j);
                let d = dist2(a, [cz, coord(yb, sp[1]), coord(xb, sp[2])]);
                if d > dmax[0] {
                    dmax[0] = d;
                }
            }
            if let Some(s) = store.get_mut(2 * (pos + i)..2 * (pos + i) + 2) {
                s[0] = ya as f64;
                s[1] = xa as f64;
            }
        }
        if let Some(s) = bbox.get_mut(4 * z..4 * z + 4) {
            s.copy_from_slice(&bb);
        }
        pos += h;
    }
    if let Some(o) = offs.get_mut(hz) {
        *o = pos as f64;
    }
    dmax[3] = dmax[0];
    // 3-D: pairs of plane-hull vertices of two planes, farthest planes first.
    let range = |z: usize| -> (usize, usize) {
        let a = offs.get(z).copied().unwrap_or(0.0) as usize;
        let b = offs.get(z + 1).copied().unwrap_or(0.0) as usize;
        (a, b)
    };
    for gap in (1..hz).rev() {
        for zi in 0..hz - gap {
            let zj = zi + gap;
            let ((ai, bi), (aj, bj)) = (range(zi), range(zj));
            if ai == bi || aj == bj {
                continue;
            }
            let (Some(bi4), Some(bj4)) =
                (bbox.get(4 * zi..4 * zi + 4), bbox.get(4 * zj..4 * zj + 4))
            else {
                continue;
            };
            let dz = coord(zi, sp[0]) - coord(zj, sp[0]);
            let dy = libm::fabs(bi4[0] - bj4[1]).max(libm::fabs(bi4[1] - bj4[0]));
            let dx = libm::fabs(bi4[2] - bj4[3]).max(libm::fabs(bi4[3] - bj4[2]));
            if dz * dz + dy * dy + dx * dx <= dmax[3] {
                continue; // no pair of these planes can be farther (rounding is monotone)
            }
            let (cz, cw) = (coord(zi, sp[0]), coord(zj, sp[0]));
            for i in ai..bi {
                let (ya, xa) = pt(store, i);
                let a = [cz, coord(ya, sp[1]), coord(xa, sp[2])];
                for j in aj..bj {
                    let (yb, xb) = pt(store, j);
                    let d = dist2(a, [cw, coord(yb, sp[1]), coord(xb, sp[2])]);
                    if d > dmax[3] {
                        dmax[3] = d;
                    }
                }
            }
        }
    }
    // Column (equal y): per y-slab, hull of the x-line ends in (z, x).
    for y in 0..hy {
        let mut n = 0usize;
        for z in 0..hz {
            push_ends(xl, z * hy + y, z, inp, &mut n);
        }
        let h = hull(inp, n, out);
        let cy = coord(y, sp[1]);
        for i in 0..h {
            let (za, xa) = pt(out, i);
            let a = [coord(za, sp[0]), cy, coord(xa, sp[2])];
            for j in 0..i {
                let (zb, xb) = pt(out, j);
                let d = dist2(a, [coord(zb, sp[0]), cy, coord(xb, sp[2])]);
                if d > dmax[1] {
                    dmax[1] = d;
                }
            }
        }
    }
    // Row (equal x): per x-slab, hull of the y-line ends in (z, y).
    for x in 0..hx {
        let mut n = 0usize;
        for z in 0..hz {
            push_ends(yl, z * hx + x, z, inp, &mut n);
        }
        let h = hull(inp, n, out);
        let cx = coord(x, sp[2]);
        for i in 0..h {
            let (za, ya) = pt(out, i);
            let a = [coord(za, sp[0]), coord(ya, sp[1]), cx];
            for j in 0..i {
                let (zb, yb) = pt(out, j);
                let d = dist2(a, [coord(zb, sp[0]), coord(yb, sp[1]), cx]);
                if d > dmax[2] {
                    dmax[2] = d;
                }
            }
        }
    }
    Ok(dmax)
}

/// PCA eigenvalues `[least, minor, major]` of the population covariance of the ROI voxel centres.
fn eigenvalues(pm: &Padded, sp: [f64; 3]) -> ([f64; 3], usize) {
    let mut np = 0usize;
    let mut sum = [0.0f64; 3];
    let each = |f: &mut dyn FnMut([f64; 3])| {
        for pz in 1..=pm.s[0] {
            for py in 1..=pm.s[1] {
                for px in 1..=pm.s[2] {
                    if pm.at([pz, py, px]) {
                        f([pz as f64 * sp[0], py as f64 * sp[1], px as f64 * sp[2]]);
                    }
                }
            }
        }
    };
    each(&mut |c| {
        np += 1;
        for d in 0..3 {
            sum[d] += c[d];
        }
    });
    let n = np as f64;
    let mean = [sum[0] / n, sum[1] / n, sum[2] / n];
    let root = libm::sqrt(n);
    let mut cov = [[0.0f64; 3]; 3];
    each(&mut |c| {
        let x = [
            (c[0] - mean[0]) / root,
            (c[1] - mean[1]) / root,
            (c[2] - mean[2]) / root,
        ];
        for (j, row) in cov.iter_mut().enumerate() {
            for (k, v) in row.iter_mut().enumerate() {
                *v += x[j] * x[k];
            }
        }
    });
    let mut ev = symmetric_eigenvalues(cov);
    for v in ev.iter_mut() {
        if *v < 0.0 && *v > -1e-10 {
            *v = 0.0;
        }
    }
    // ascending (three elements: an exchange network)
    let sw = |e: &mut [f64; 3], i: usize, j: usize| {
        if e[j] < e[i] {
            e.swap(i, j);
        }
    };
    sw(&mut ev, 0, 1);
    sw(&mut ev, 1, 2);
    sw(&mut ev, 0, 1);
    (ev, np)
}

/// Eigenvalues of a symmetric 3×3 matrix by cyclic Jacobi rotations (at most 64 sweeps; in
/// practice 4–6 reach an exactly diagonal matrix). Deterministic; error ≈ 1e-16 · ‖A‖.
pub fn symmetric_eigenvalues(mut a: [[f64; 3]; 3]) -> [f64; 3] {
    const PAIRS: [(usize, usize); 3] = [(0, 1), (0, 2), (1, 2)];
    for _ in 0..64 {
        let off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
        if off == 0.0 {
            break;
        }
        for &(p, q) in &PAIRS {
            let apq = a[p][q];
            if apq == 0.0 {
                continue;
            }
            let theta = (a[q][q] - a[p][p]) / (2.0 * apq);
            let t = {
                let s = if theta >= 0.0 { 1.0 } else { -1.0 };
                s / (libm::fabs(theta) + libm::sqrt(theta * theta + 1.0))
            };
            let t = if theta.is_finite() && (theta * theta).is_finite() {
                t
            } else {
                // |theta| huge: t ≈ 1 / (2 theta)
                0.5 / theta
            };
            let c = 1.0 / libm::sqrt(t * t + 1.0);
            let s = t * c;
            let r = 3 - p - q; // the third index
            let app = a[p][p] - t * apq;
            let aqq = a[q][q] + t * apq;
            let arp = c * a[r][p] - s * a[r][q];
            let arq = s * a[r][p] + c * a[r][q];
            a[p][p] = app;
            a[q][q] = aqq;
            a[p][q] = 0.0;
            a[q][p] = 0.0;
            a[r][p] = arp;
            a[p][r] = arp;
            a[r][q] = arq;
            a[q][r] = arq;
        }
    }
    [a[0][0], a[1][1], a[2][2]]
}

impl Shape {
    /// Mesh, diameters and PCA of the ROI of `mask` inside its bounding box `roi`, for voxel
    /// spacing `spacing` (`[x, y, z]`, mm). `scratch` needs [`scratch_len`]`(roi.dims())` f64.
    ///
    /// Errors: [`Error::BadDimensions`] if `roi` is empty or does not fit the mask;
    /// [`Error::LabelNotPresent`] if the box holds no ROI voxel; [`Error::ScratchTooSmall`].
    pub fn new(
        mask: &MaskView,
        roi: &RoiBox,
        spacing: [f64; 3],
        scratch: &mut [f64],
    ) -> Result<Shape, Error> {
        if roi.is_empty() || !roi.fits(mask.dims()) {
            return Err(Error::BadDimensions);
        }
        let bd = roi.dims();
        let need = scratch_len(bd)?;
        let scratch = scratch.get_mut(..need).ok_or(Error::ScratchTooSmall)?;
        let pm = Padded {
            mask,
            lo: roi.lo,
            s: [bd[2], bd[1], bd[0]],
        };
        let sp = [spacing[2], spacing[1], spacing[0]];
        let (eigenvalues, voxel_count) = eigenvalues(&pm, sp);
        if voxel_count == 0 {
            return Err(Error::LabelNotPresent);
        }
        let (mesh_volume, surface_area) = mesh(&pm, sp);
        let d2 = diameters(&pm, sp, scratch)?;
        Ok(Shape {
            mesh_volume,
            surface_area,
            diameters: d2.map(libm::sqrt),
            eigenvalues,
            voxel_count,
            spacing_zyx: sp,
        })
    }
}

/// MeshVolume (`RadiomicsShape.getMeshVolumeFeatureValue`):
/// V = Σ_f sign_f · (a_f × b_f) · c_f / 6 over the marching-cubes triangles (signed tetrahedra
/// with the padded-grid origin).
pub fn mesh_volume(s: &Shape) -> f64 {
    s.mesh_volume
}

/// VoxelVolume (`getVoxelVolumeFeatureValue`): N_p · ((s_z · s_x) · s_y).
pub fn voxel_volume(s: &Shape) -> f64 {
    let [z, y, x] = s.spacing_zyx;
    s.voxel_count as f64 * (z * x * y)
}

/// SurfaceArea (`getSurfaceAreaFeatureValue`): A = Σ_f ½ |(a_f − c_f) × (b_f − c_f)|.
pub fn surface_area(s: &Shape) -> f64 {
    s.surface_area
}

/// SurfaceVolumeRatio (`getSurfaceVolumeRatioFeatureValue`): A / V.
pub fn surface_volume_ratio(s: &Shape) -> f64 {
    s.surface_area / s.mesh_volume
}

/// Sphericity (`getSphericityFeatureValue`): (36 π V²)^(1/3) / A, evaluated as
/// `pow((36 · π) · V², 1.0 / 3.0) / A`.
pub fn sphericity(s: &Shape) -> f64 {
    let v2 = s.mesh_volume * s.mesh_volume;
    libm::pow(36.0 * core::f64::consts::PI * v2, 1.0 / 3.0) / s.surface_area
}

/// Maximum3DDiameter (`getMaximum3DDiameterFeatureValue`): max Euclidean distance between two
/// mesh vertices.
pub fn maximum_3d_diameter(s: &Shape) -> f64 {
    s.diameters[3]
}

/// Maximum2DDiameterSlice (`getMaximum2DDiameterSliceFeatureValue`): max distance between two
/// mesh vertices with the same z (axial plane).
pub fn maximum_2d_diameter_slice(s: &Shape) -> f64 {
    s.diameters[0]
}

/// Maximum2DDiameterColumn (`getMaximum2DDiameterColumnFeatureValue`): max distance between two
/// mesh vertices with the same y (coronal plane).
pub fn maximum_2d_diameter_column(s: &Shape) -> f64 {
    s.diameters[1]
}

/// Maximum2DDiameterRow (`getMaximum2DDiameterRowFeatureValue`): max distance between two mesh
/// vertices with the same x (sagittal plane).
pub fn maximum_2d_diameter_row(s: &Shape) -> f64 {
    s.diameters[2]
}

/// `sqrt(λ) · 4`, NaN for a negative eigenvalue (PyRadiomics logs a warning and returns NaN).
fn axis(l: f64) -> f64 {
    if l < 0.0 {
        f64::NAN
    } else {
        libm::sqrt(l) * 4.0
    }
}

/// `sqrt(λ_a / λ_b)`, NaN if either is negative.
fn axis_ratio(a: f64, b: f64) -> f64 {
    if a < 0.0 || b < 0.0 {
        f64::NAN
    } else {
        libm::sqrt(a / b)
    }
}

/// MajorAxisLength (`getMajorAxisLengthFeatureValue`): 4 · sqrt(λ_major).
pub fn major_axis_length(s: &Shape) -> f64 {
    axis(s.eigenvalues[2])
}

/// MinorAxisLength (`getMinorAxisLengthFeatureValue`): 4 · sqrt(λ_minor).
pub fn minor_axis_length(s: &Shape) -> f64 {
    axis(s.eigenvalues[1])
}

/// LeastAxisLength (`getLeastAxisLengthFeatureValue`): 4 · sqrt(λ_least) (0 for a planar ROI).
pub fn least_axis_length(s: &Shape) -> f64 {
    axis(s.eigenvalues[0])
}

/// Elongation (`getElongationFeatureValue`): sqrt(λ_minor / λ_major).
pub fn elongation(s: &Shape) -> f64 {
    axis_ratio(s.eigenvalues[1], s.eigenvalues[2])
}

/// Flatness (`getFlatnessFeatureValue`): sqrt(λ_least / λ_major).
pub fn flatness(s: &Shape) -> f64 {
    axis_ratio(s.eigenvalues[0], s.eigenvalues[2])
}

/// The value of shape feature `f`.
pub fn compute(f: ShapeFeature, s: &Shape) -> f64 {
    match f {
        ShapeFeature::Elongation => elongation(s),
        ShapeFeature::Flatness => flatness(s),
        ShapeFeature::LeastAxisLength => least_axis_length(s),
        ShapeFeature::MajorAxisLength => major_axis_length(s),
        ShapeFeature::Maximum2DDiameterColumn => maximum_2d_diameter_column(s),
        ShapeFeature::Maximum2DDiameterRow => maximum_2d_diameter_row(s),
        ShapeFeature::Maximum2DDiameterSlice => maximum_2d_diameter_slice(s),
        ShapeFeature::Maximum3DDiameter => maximum_3d_diameter(s),
        ShapeFeature::MeshVolume => mesh_volume(s),
        ShapeFeature::MinorAxisLength => minor_axis_length(s),
        ShapeFeature::Sphericity => sphericity(s),
        ShapeFeature::SurfaceArea => surface_area(s),
        ShapeFeature::SurfaceVolumeRatio => surface_volume_ratio(s),
        ShapeFeature::VoxelVolume => voxel_volume(s),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    extern crate std;
    use super::*;
    use crate::image::{MaskView, MaskVoxels, RoiBox};
    use std::vec;
    use std::vec::Vec;

    /// xorshift64*: deterministic pseudo-random masks.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// The face-bit maps put each face corner on the cube-index bit GRID_ANGLES gives it.
    #[test]
    fn face_bits_follow_the_grid_order() {
        for (f, (z, y)) in [(0usize, 0usize), (0, 1), (1, 0), (1, 1)]
            .into_iter()
            .enumerate()
        {
            let bit = |x: usize| GRID_ANGLES.iter().position(|g| *g == [z, y, x]).unwrap();
            assert_eq!(x_face_bits(1 << f), 1 << bit(0), "x face ({z}, {y})");
            assert_eq!(x1_face_bits(1 << f), 1 << bit(1), "x+1 face ({z}, {y})");
        }
    }

    /// `calculate_meshDiameter` over the vertex list `calculate_coefficients` builds (edges 6, 7
    /// and 11 of every cube, all pairs): the O(V²) definition the line-end search must equal.
    fn naive_diameters(pm: &Padded, sp: [f64; 3]) -> [f64; 4] {
        let mut v: Vec<[f64; 3]> = Vec::new();
        for iz in 0..pm.s[0] + 1 {
            for iy in 0..pm.s[1] + 1 {
                for ix in 0..pm.s[2] + 1 {
                    let mut idx = 0u8;
                    for (a, g) in GRID_ANGLES.iter().enumerate() {
                        if pm.at([iz + g[0], iy + g[1], ix + g[2]]) {
                            idx |= 1 << a;
                        }
                    }
                    if idx & 0x80 != 0 {
                        idx ^= 0xff;
                    }
                    for (bit, e) in [(6, 6), (4, 7), (3, 11)] {
                        if idx & (1 << bit) != 0 {
                            let o = VERT_LIST[e];
                            v.push([
                                (iz as f64 + o[0]) * sp[0],
                                (iy as f64 + o[1]) * sp[1],
                                (ix as f64 + o[2]) * sp[2],
                            ]);
                        }
                    }
                }
            }
        }
        let mut d = [0.0f64; 4];
        for (i, a) in v.iter().enumerate() {
            for b in &v[..i] {
                let x = dist2(*a, *b);
                if a[0] == b[0] && x > d[0] {
                    d[0] = x;
                }
                if a[1] == b[1] && x > d[1] {
                    d[1] = x;
                }
                if a[2] == b[2] && x > d[2] {
                    d[2] = x;
                }
                if x > d[3] {
                    d[3] = x;
                }
            }
        }
        d
    }

    #[test]
    fn pruned_diameters_equal_the_all_pairs_search() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for case in 0..300 {
            let dims = [
                2 + (rng.next() % 11) as usize,
                2 + (rng.next() % 11) as usize,
                1 + (rng.next() % 9) as usize,
            ];
            let p = 0.2 + 0.8 * rng.unit();
            let n = dims[0] * dims[1] * dims[2];
            // random voxels, or a random ellipsoid (convex: many vertices off the hulls)
            let c = [rng.unit(), rng.unit(), rng.unit()].map(|u| 0.25 + 0.5 * u);
            let ellipsoid = case % 2 == 1;
            let m: Vec<u8> = (0..n)
                .map(|i| {
                    if ellipsoid {
                        let q = [
                            i % dims[0],
                            (i / dims[0]) % dims[1],
                            i / (dims[0] * dims[1]),
                        ];
                        let r: f64 = (0..3)
                            .map(|d| {
                                let t = (q[d] as f64 + 0.5) / dims[d] as f64 - c[d];
                                t * t
                            })
                            .sum();
                        u8::from(r < 0.1 + 0.2 * p)
                    } else {
                        u8::from(rng.unit() < p)
                    }
                })
                .collect();
            if !m.contains(&1) {
                continue;
            }
            let spacing = [
                0.3 + 2.0 * rng.unit(),
                0.3 + 2.0 * rng.unit(),
                0.3 + 4.0 * rng.unit(),
            ];
            let mask = MaskView::new(MaskVoxels::U8(&m), dims, 1).unwrap();
            let roi = RoiBox {
                lo: [0; 3],
                hi: dims,
            };
            let pm = Padded {
                mask: &mask,
                lo: [0; 3],
                s: [dims[2], dims[1], dims[0]],
            };
            let sp = [spacing[2], spacing[1], spacing[0]];
            let mut scratch = vec![0.0; scratch_len(dims).unwrap()];
            let fast = diameters(&pm, sp, &mut scratch).unwrap();
            let slow = naive_diameters(&pm, sp);
            for k in 0..4 {
                assert_eq!(
                    fast[k].to_bits(),
                    slow[k].to_bits(),
                    "case {case} diameter {k}"
                );
            }
            // and through the public entry point
            let s = Shape::new(&mask, &roi, spacing, &mut scratch).unwrap();
            assert_eq!(s.diameters, slow.map(libm::sqrt));
        }
    }

    #[test]
    fn jacobi_matches_known_spectra() {
        // diag(1, 4, 9) rotated by an orthogonal matrix with exact rational entries (1/3, 2/3).
        let q = [
            [1.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0],
            [2.0 / 3.0, 1.0 / 3.0, -2.0 / 3.0],
            [2.0 / 3.0, -2.0 / 3.0, 1.0 / 3.0],
        ];
        let l = [1.0, 4.0, 9.0];
        let mut a = [[0.0f64; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                a[i][j] = (0..3).map(|k| q[i][k] * l[k] * q[j][k]).sum();
            }
        }
        let mut e = symmetric_eigenvalues(a);
        e.sort_by(f64::total_cmp);
        for k in 0..3 {
            assert!((e[k] - l[k]).abs() <= 1e-14 * 9.0, "{e:?}");
        }
        // a zero row/column and a rank-1 block give exact zeros
        let c = 0.08;
        let mut e = symmetric_eigenvalues([[0.0, 0.0, 0.0], [0.0, c, c], [0.0, c, c]]);
        e.sort_by(f64::total_cmp);
        assert_eq!(e, [0.0, 0.0, 2.0 * c]);
    }

    #[test]
    fn a_box_roi() {
        // A 3 × 2 × 2 block of voxels: voxel volume, PCA and diameters have closed forms.
        let dims = [5, 4, 4];
        let mut m = vec![0u8; 80];
        for z in 1..3 {
            for y in 1..3 {
                for x in 1..4 {
                    m[x + 5 * (y + 4 * z)] = 1;
                }
            }
        }
        let mask = MaskView::new(MaskVoxels::U8(&m), dims, 1).unwrap();
        let roi = RoiBox {
            lo: [1, 1, 1],
            hi: [4, 3, 3],
        };
        let mut scratch = vec![0.0; scratch_len(roi.dims()).unwrap()];
        let s = Shape::new(&mask, &roi, [1.0, 1.0, 1.0], &mut scratch).unwrap();
        assert_eq!(voxel_volume(&s), 12.0);
        // population variances of the centres: x ∈ {1,2,3}: 2/3; y, z ∈ {1,2}: 1/4
        assert!((s.eigenvalues[2] - 2.0 / 3.0).abs() < 1e-15);
        assert!((s.eigenvalues[1] - 0.25).abs() < 1e-15 && (s.eigenvalues[0] - 0.25).abs() < 1e-15);
        // vertices are the face midpoints of the boundary voxels: x-faces at x = 0.5 and 3.5
        // (y, z ∈ {1, 2}), y-faces at y = 0.5 and 2.5 (x ∈ 1..=3, z ∈ {1, 2}), z-faces alike.
        // 3-D: x-face to x-face across, (3, 1, 1); slice (equal z): (3, 1); row (equal x):
        // y-face to the opposite y-face in the other z, (2, 1); column (equal y): x-faces, (3, 1).
        assert_eq!(maximum_3d_diameter(&s), libm::sqrt(9.0 + 1.0 + 1.0));
        assert_eq!(maximum_2d_diameter_slice(&s), libm::sqrt(9.0 + 1.0));
        assert_eq!(maximum_2d_diameter_column(&s), libm::sqrt(9.0 + 1.0));
        assert_eq!(maximum_2d_diameter_row(&s), libm::sqrt(4.0 + 1.0));
        // the mesh of a convex block encloses less than the voxels but more than the centres' hull
        assert!(
            mesh_volume(&s) > 2.0 && mesh_volume(&s) < 12.0,
            "{}",
            mesh_volume(&s)
        );
        assert_eq!(surface_volume_ratio(&s), surface_area(&s) / mesh_volume(&s));
    }

    #[test]
    fn errors_are_values() {
        let m = [0u8; 8];
        let mask = MaskView::new(MaskVoxels::U8(&m), [2, 2, 2], 1).unwrap();
        let roi = RoiBox {
            lo: [0; 3],
            hi: [2, 2, 2],
        };
        let mut scratch = vec![0.0; scratch_len([2, 2, 2]).unwrap()];
        assert_eq!(
            Shape::new(&mask, &roi, [1.0; 3], &mut scratch),
            Err(Error::LabelNotPresent)
        );
        assert_eq!(
            Shape::new(&mask, &roi, [1.0; 3], &mut scratch[..3]),
            Err(Error::ScratchTooSmall)
        );
        let far = RoiBox {
            lo: [0; 3],
            hi: [3, 2, 2],
        };
        assert_eq!(
            Shape::new(&mask, &far, [1.0; 3], &mut scratch),
            Err(Error::BadDimensions)
        );
        assert_eq!(scratch_len([usize::MAX, 1, 1]), Err(Error::SizeOverflow));
    }
}
