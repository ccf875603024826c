//! Gray Level Run Length Matrix (PyRadiomics 3.0.1 `radiomics/glrlm.py`, `RadiomicsGLRLM`; matrix
//! from `cmatrices.c::calculate_glrlm` / `run_diagonal`, angles from `generate_angles`).
//!
//! * Angles: distance 1, one direction per line. Offsets `(dz, dy, dx)` are enumerated with z
//!   slowest and each component running +1, 0, −1; offsets that move along a box dimension of
//!   extent 1 are skipped; the ones before `(0, 0, 0)` are kept (13 for a 3-D box, 4 for a
//!   single slice).
//! * For angle `a`, every box voxel whose predecessor `p − a` lies outside the box starts a line.
//!   Along a line a run is a maximal sequence of consecutive ROI voxels with equal bin number; a
//!   non-ROI voxel ends the current run. `P(i, j | a)` counts runs of gray level `i` (the bin
//!   number) and length `j`.
//! * If no line of angle `a` contains more than one ROI voxel, `P(·,·|a)` is zeroed; then every
//!   angle with `N_r(a) = 0` is dropped (all of them dropped: every feature is NaN, as numpy's
//!   `nanmean` of nothing).
//! * Every feature is computed per angle and the result is the mean over the remaining angles
//!   (`weightingNorm = None`, `numpy.nanmean` over the angle axis).
//! * `force2D`: only the in-plane angles ([`super::neighbourhood::Angles`]; `distances` never
//!   applies to GLRLM).
//! * `weightingNorm` set: one matrix `P(i, j) = Σ_a w_a P(i, j | a)` with the angle's length as
//!   weight (not an exponential, unlike GLCM): with `d_a = |a| · spacing` (z, y, x),
//!   manhattan `w = Σ d`, euclidean `w = √(Σ d²)`, infinity `w = max d`, no_weighting `w = 1`;
//!   features are computed once on it (`N_r` = Σ P; all NaN if it is 0).

use super::neighbourhood::Angles;
use super::{np_sum, sort, SizeMatrix};
use crate::names::GlrlmFeature;
use crate::settings::WeightingNorm;
use crate::Error;

/// Number of features of the class.
pub const N_FEATURES: usize = 16;

/// Largest exactly representable integer key (2^53).
const KEY_LIMIT: f64 = 9_007_199_254_740_992.0;

/// Scratch (f64 elements) [`features`] needs: run keys (`n_roi` per angle kept at once: 1, or
/// every angle, ≤ 13, with `weightingNorm`, plus 2 slots written ahead), counts per run length
/// (`max(box dims) + 1`), the ROI extent of every box row (`2·s_y·s_z`) and the run lengths of
/// two box planes (`2·s_x·s_y`).
pub fn scratch_len(n_roi: usize, dims: [usize; 3], weighted: bool) -> Result<usize, Error> {
    let [sx, sy, sz] = dims;
    let m = sx.max(sy).max(sz);
    let per = if weighted { MAX_ANGLES } else { 1 };
    let rows = sy.checked_mul(sz).and_then(|n| n.checked_mul(2));
    let planes = sx.checked_mul(sy).and_then(|n| n.checked_mul(2));
    n_roi
        .checked_mul(per)
        .and_then(|n| n.checked_add(2))
        .and_then(|n| n.checked_add(m))
        .and_then(|n| n.checked_add(1))
        .and_then(|n| n.checked_add(rows?))
        .and_then(|n| n.checked_add(planes?))
        .ok_or(Error::SizeOverflow)
}

/// Largest number of GLRLM angles (distance 1, mono-directional).
const MAX_ANGLES: usize = 13;

/// GLRLM settings (PyRadiomics defaults: `Settings::default()`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// `force2D` out-of-plane numpy axis (0 = z, 1 = y, 2 = x), `None` = 3-D.
    pub force_2d: Option<u8>,
    /// `weightingNorm`.
    pub weighting: WeightingNorm,
    /// Image spacing `[x, y, z]` (mm), for the weights.
    pub spacing: [f64; 3],
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            force_2d: None,
            weighting: WeightingNorm::None,
            spacing: [1.0; 3],
        }
    }
}

/// GLRLM's weight of angle `(dz, dy, dx)` (`RadiomicsGLRLM._calculateMatrix`): the angle's length
/// in mm in the chosen norm; 1 for `no_weighting` (and `None`, where it is unused).
pub fn weight(a: [isize; 3], spacing: [f64; 3], norm: WeightingNorm) -> f64 {
    let sp = [spacing[2], spacing[1], spacing[0]];
    let d = [
        a[0].unsigned_abs() as f64 * sp[0],
        a[1].unsigned_abs() as f64 * sp[1],
        a[2].unsigned_abs() as f64 * sp[2],
    ];
    match norm {
        WeightingNorm::Infinity => d[0].max(d[1]).max(d[2]),
        WeightingNorm::Euclidean => libm::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]),
        WeightingNorm::Manhattan => d[0] + d[1] + d[2],
        WeightingNorm::NoWeighting | WeightingNorm::None => 1.0,
    }
}

/// The angles PyRadiomics uses for a box of extent `dims` (`[x, y, z]`), as `(dz, dy, dx)`, in
/// its order; returns the array and the count (≤ 13).
pub fn angles(dims: [usize; 3]) -> ([[isize; 3]; 13], usize) {
    angles_2d(dims, None)
}

/// [`angles`] with `force2D` (the out-of-plane numpy axis).
pub fn angles_2d(dims: [usize; 3], force_2d: Option<u8>) -> ([[isize; 3]; 13], usize) {
    let mut out = [[0isize; 3]; 13];
    let mut n = 0;
    for (o, a) in out.iter_mut().zip(Angles::new(dims, &[1], force_2d, false)) {
        *o = a;
        n += 1;
    }
    (out, n)
}

/// Computes every GLRLM feature (in [`GlrlmFeature::ALL`] order) of the discretised box `q`
/// (x fastest, `dims` = box dims; `q[i]` = bin number ≥ 1 for ROI voxels, 0 outside), averaged
/// over the angles as PyRadiomics does (or of the weighted matrix, see the module
/// documentation). `scratch` needs [`scratch_len`] elements.
pub fn features(
    q: &[f64],
    dims: [usize; 3],
    settings: Settings,
    scratch: &mut [f64],
) -> Result<[f64; N_FEATURES], Error> {
    let weighted = settings.weighting != WeightingNorm::None;
    let [sx, sy, sz] = dims;
    let n_box = sx
        .checked_mul(sy)
        .and_then(|v| v.checked_mul(sz))
        .ok_or(Error::SizeOverflow)?;
    let q = q.get(..n_box).ok_or(Error::ScratchTooSmall)?;
    let mut np = 0usize;
    let mut max_gl = 0.0f64;
    for &v in q {
        if v > 0.0 {
            np += 1;
            max_gl = max_gl.max(v);
        }
    }
    let max_len = sx.max(sy).max(sz);
    let need = scratch_len(np, dims, weighted)?;
    let scratch = scratch.get_mut(..need).ok_or(Error::ScratchTooSmall)?;
    let (keys, rest) = scratch.split_at_mut(np * if weighted { MAX_ANGLES } else { 1 } + 2);
    let (by_len, rest) = rest.split_at_mut(max_len + 1);
    let (hull, lbuf) = rest.split_at_mut(2 * sy * sz);
    let stride = (max_len as u64) + 1;
    let sub: u64 = if weighted { 16 } else { 1 };
    if (max_gl + 1.0) * (stride as f64) * (sub as f64) >= KEY_LIMIT {
        // gray levels (bin numbers) too large to key exactly: data-derived, not memory
        return Err(Error::TooManyBins);
    }
    let (angle_list, n_angles) = angles_2d(dims, settings.force_2d);
    if n_angles == 0 {
        return Err(Error::BadSetting); // PyRadiomics: "Error getting angle count."
    }
    super::row_extents(q, dims, hull);
    // Unweighted, with few enough (gray level, length) cells: the runs are counted in a dense
    // matrix in the keys' space (no sort, see `run_positions`); its cells are then read in key
    // order, which gives the same compacted keys as sorting and `compact` would (see
    // `dense_to_keys`).
    let cells = (max_gl as usize + 1).saturating_mul(stride as usize);
    let dense =
        (!weighted && cells <= keys.len() && (cells as f64) * ((np + 1) as f64) < KEY_LIMIT)
            .then_some(cells);
    let mut weights = [0.0f64; MAX_ANGLES];
    let mut per_angle = [[0.0f64; N_FEATURES]; 13];
    let mut kept = 0usize;
    let mut n_runs = 0usize;
    by_len.fill(0.0);
    for (ai, a) in angle_list.iter().take(n_angles).enumerate() {
        let w = weight(*a, settings.spacing, settings.weighting);
        if let Some(s) = weights.get_mut(ai) {
            *s = w;
        }
        let start = n_runs;
        if !weighted {
            by_len.fill(0.0);
            n_runs = 0;
        }
        // key of a run: gray level and length (and the angle, weighted)
        let (gs, rs, ao) = if weighted {
            (stride as f64 * sub as f64, sub as f64, ai as f64)
        } else {
            (stride as f64, 1.0, 0.0)
        };
        let adjacent = if let Some(cells) = dense {
            let m = keys.get_mut(..cells).ok_or(Error::ScratchTooSmall)?;
            m.fill(0.0);
            let adjacent = run_positions(q, dims, *a, hull, lbuf, m, stride as usize)?;
            n_runs = dense_run_count(m, stride as usize);
            adjacent
        } else {
            let mut out = Runs {
                keys: &mut *keys,
                by_len: if weighted { None } else { Some(&mut *by_len) },
                n: n_runs,
                gs,
                rs,
                ao,
            };
            let adjacent = runs(q, dims, *a, hull, lbuf, &mut out)?;
            n_runs = out.n;
            adjacent
        };
        // Some line holds two ROI voxels: certainly if two are adjacent along the angle,
        // otherwise only a line walk can tell.
        let multi = adjacent || two_on_a_line(q, dims, *a);
        if weighted {
            if !multi {
                n_runs = start; // "2-D for this angle": zeroed before weighting
            }
            continue;
        }
        if !multi || n_runs == 0 {
            continue; // "2-D for this angle": zeroed, then dropped as empty
        }
        let (keys_a, mult) = match dense {
            Some(cells) => {
                let d = dense_to_keys(keys, cells, stride as usize, n_runs, by_len);
                (
                    keys.get(..d).ok_or(Error::ScratchTooSmall)?,
                    (n_runs + 1) as f64,
                )
            }
            None => {
                let keys_a = keys.get_mut(..n_runs).ok_or(Error::ScratchTooSmall)?;
                sort(keys_a);
                match super::compact(keys_a) {
                    Some((d, m)) => (keys_a.get(..d).ok_or(Error::ScratchTooSmall)?, m),
                    None => (&*keys_a, 0.0),
                }
            }
        };
        let mut voxels = 0.0;
        for (j, &c) in by_len.iter().enumerate() {
            voxels += c * j as f64;
        }
        let m = SizeMatrix {
            keys: keys_a,
            stride,
            by_size: by_len,
            n: n_runs as f64,
            n_voxels: voxels,
            sub: 1,
            weights: &[],
            mult,
        };
        if let Some(row) = per_angle.get_mut(kept) {
            for (slot, f) in row.iter_mut().zip(GlrlmFeature::ALL.iter()) {
                *slot = compute(*f, &m);
            }
            kept += 1;
        }
    }
    let mut out = [f64::NAN; N_FEATURES];
    if weighted {
        if n_runs == 0 {
            return Ok(out);
        }
        let keys_a = keys.get_mut(..n_runs).ok_or(Error::ScratchTooSmall)?;
        sort(keys_a);
        let mut n = 0.0;
        for &k in keys_a.iter() {
            let w = weights
                .get((k as u64 % sub) as usize)
                .copied()
                .unwrap_or(0.0);
            n += w;
            if let Some(c) = by_len.get_mut(((k as u64 / sub) % stride) as usize) {
                *c += w;
            }
        }
        let mut voxels = 0.0;
        for (j, &c) in by_len.iter().enumerate() {
            voxels += c * j as f64;
        }
        let m = SizeMatrix {
            keys: keys_a,
            stride,
            by_size: by_len,
            n,
            n_voxels: voxels,
            sub,
            weights: weights.get(..n_angles).unwrap_or(&[]),
            mult: 0.0,
        };
        for (slot, f) in out.iter_mut().zip(GlrlmFeature::ALL.iter()) {
            *slot = compute(*f, &m);
        }
        return Ok(out);
    }
    if kept > 0 {
        for (k, o) in out.iter_mut().enumerate() {
            let s = np_sum(kept, |a| {
                per_angle
                    .get(a)
                    .and_then(|r| r.get(k))
                    .copied()
                    .unwrap_or(0.0)
            });
            *o = s / kept as f64;
        }
    }
    Ok(out)
}

/// Where the runs of one angle go: `keys[n..]` (a key is `gl·gs + length·rs + ao`) and, unweighted,
/// the count per run length. Two slots past the last run may be written (and are not counted).
struct Runs<'a> {
    keys: &'a mut [f64],
    by_len: Option<&'a mut [f64]>,
    n: usize,
    gs: f64,
    rs: f64,
    ao: f64,
}

impl Runs<'_> {
    /// Records the run (`gl`, `len`) if `yes`; the slot is written either way (no branch on the
    /// data: whether a run ends is as unpredictable as the image).
    #[inline(always)]
    fn push(&mut self, yes: bool, gl: f64, len: f64) {
        if let Some(k) = self.keys.get_mut(self.n) {
            *k = gl * self.gs + len * self.rs + self.ao;
        }
        if let Some(b) = self.by_len.as_deref_mut() {
            let i = if yes { len as usize } else { 0 };
            if let Some(c) = b.get_mut(i) {
                *c += if yes { 1.0 } else { 0.0 };
            }
        }
        self.n += usize::from(yes);
    }
}

/// The number of runs in the dense matrix `m` of [`run_positions`]: every run has one voxel at
/// position 1, so it is `Σ_i S(i, 1)` over the gray levels i ≥ 1.
fn dense_run_count(m: &[f64], stride: usize) -> usize {
    let mut n = 0.0;
    for row in m.chunks_exact(stride.max(1)).skip(1) {
        n += row.get(1).copied().unwrap_or(0.0);
    }
    n as usize
}

/// Turns the dense matrix `m[..cells]` of [`run_positions`] (cell `gl · stride + j` holds
/// `S(gl, j)`, the number of runs of `gl` with length ≥ j) into compacted keys at the front of
/// `m`, in cell order: `cell · (n + 1) + P` for every cell with `P(gl, j) = S(gl, j) −
/// S(gl, j + 1) > 0` (what sorting the `n` run keys and [`super::compact`] give), and sets
/// `by_len[j]` to the number of runs of each length. Row 0 (the non-ROI voxels' cells) is
/// skipped. Returns the number of keys. Keys are written below the cells still to be read.
fn dense_to_keys(
    m: &mut [f64],
    cells: usize,
    stride: usize,
    n: usize,
    by_len: &mut [f64],
) -> usize {
    let mult = (n + 1) as f64;
    by_len.fill(0.0);
    let mut d = 0usize;
    let cells = cells.min(m.len());
    for c in stride..cells {
        let j = c % stride.max(1);
        if j == 0 {
            continue; // length 0: no run
        }
        let s = m.get(c).copied().unwrap_or(0.0);
        let longer = if j + 1 < stride {
            m.get(c + 1).copied().unwrap_or(0.0)
        } else {
            0.0
        };
        let count = s - longer;
        if count > 0.0 {
            if let Some(slot) = m.get_mut(d) {
                *slot = c as f64 * mult + count;
            }
            if let Some(b) = by_len.get_mut(j) {
                *b += count;
            }
            d += 1;
        }
    }
    d
}

/// What both run walks check first: `a` is a generated angle (distance 1, first non-zero
/// component +1); and their two planes of run lengths, `lbuf[..2·plane]`.
fn walk_setup(a: [isize; 3], plane: usize, lbuf: &mut [f64]) -> Result<&mut [f64], Error> {
    let [dz, dy, dx] = a;
    let forward = dz > 0 || (dz == 0 && (dy > 0 || (dy == 0 && dx > 0)));
    if !forward || dz.abs() > 1 || dy.abs() > 1 || dx.abs() > 1 {
        return Err(Error::BadSetting);
    }
    lbuf.get_mut(..2 * plane).ok_or(Error::ScratchTooSmall)
}

/// A box row and its predecessor row `pr` (another row), aligned for [`runs`] and
/// [`run_positions`]: over `x0..x1`, the voxels whose predecessor `x − dx` leaves the row (run
/// lengths `left` for `x0..xa`, `right` for `xb..x1`) and, for `xa..xb`, this row's bins `qc` and
/// run lengths `lc` beside the predecessors' bins `qp` and run lengths `lp`.
struct Aligned<'r> {
    xa: usize,
    xb: usize,
    left: &'r mut [f64],
    right: &'r mut [f64],
    qc: &'r [f64],
    lc: &'r mut [f64],
    qp: &'r [f64],
    lp: &'r [f64],
}

/// [`Aligned`] for the row `qrow` whose L starts at `lo_cur` in `lbuf` (two planes of L, plane
/// `z & 1`), in a box of rows of `sx` voxels and `sy` rows per plane.
#[allow(clippy::too_many_arguments)]
fn aligned<'r>(
    q: &'r [f64],
    qrow: &'r [f64],
    lbuf: &'r mut [f64],
    (sx, sy): (usize, usize),
    lo_cur: usize,
    pr: usize,
    (x0, x1): (usize, usize),
    dx: isize,
) -> Result<Aligned<'r>, Error> {
    let small = Error::ScratchTooSmall;
    let lo_pred = ((pr / sy.max(1)) & 1) * sx * sy + (pr % sy.max(1)) * sx;
    let qpred = q.get(pr * sx..(pr + 1) * sx).ok_or(small)?;
    // the two rows of L (distinct: different planes, or rows, of lbuf)
    let (lcur, lpred) = if lo_pred < lo_cur {
        let (a, b) = lbuf.split_at_mut(lo_cur);
        (b.get_mut(..sx), a.get(lo_pred..lo_pred + sx))
    } else {
        let (a, b) = lbuf.split_at_mut(lo_pred);
        (a.get_mut(lo_cur..lo_cur + sx), b.get(..sx))
    };
    let (lcur, lpred) = lcur.zip(lpred).ok_or(small)?;
    let xa = x0.max(dx.max(0) as usize).min(x1);
    let xb = x1.min(sx - (-dx).max(0) as usize).max(xa);
    let (pa, pb) = ((xa as isize - dx) as usize, (xb as isize - dx) as usize);
    let (head, right) = lcur
        .get_mut(..x1)
        .and_then(|r| r.split_at_mut_checked(xb))
        .ok_or(small)?;
    let (head, lc) = head.split_at_mut_checked(xa).ok_or(small)?;
    Ok(Aligned {
        xa,
        xb,
        left: head.get_mut(x0..).ok_or(small)?,
        right,
        qc: qrow.get(xa..xb).ok_or(small)?,
        lc,
        qp: qpred.get(pa..pb).ok_or(small)?,
        lp: lpred.get(pa..pb).ok_or(small)?,
    })
}

/// The dense count of angle `a = (dz, dy, dx)` (first non-zero component +1): every voxel v of
/// every row's ROI extent adds 1 to cell `q(v) · stride + L(v)` of `m`, with `L(v) = L(v − a) + 1`
/// when v continues its predecessor's run (same bin, both in the ROI), else 1. For a ROI voxel
/// that cell is `S(q(v), L(v))`: the runs of bin q(v) with length ≥ L(v) each have exactly one
/// voxel at position L(v), so `P(i, j) = S(i, j) − S(i, j + 1)` ([`dense_to_keys`]); non-ROI
/// voxels (bin 0) land in row 0, which is ignored. Where a run ends never has to be found, so the
/// walk has no data-dependent branch and visits only the ROI extents (a predecessor in the ROI
/// lies in its row's extent, whose L this pass has written). `lbuf` (2·s_x·s_y) holds L for two
/// planes. Returns whether two ROI voxels are adjacent along `a`.
fn run_positions(
    q: &[f64],
    dims: [usize; 3],
    a: [isize; 3],
    hull: &[f64],
    lbuf: &mut [f64],
    m: &mut [f64],
    stride: usize,
) -> Result<bool, Error> {
    let [sx, sy, sz] = dims;
    let [dz, dy, dx] = a;
    let plane = sx * sy;
    let lbuf = walk_setup(a, plane, lbuf)?;
    let sf = stride as f64;
    let mut adjacent = false;
    // voxel of bin v after a predecessor of bin p and run length lp (p = 0: none, or outside
    // the ROI): its run length, counted in its cell
    let mut step = |v: f64, p: f64, lp: f64| -> f64 {
        let cont = (v > 0.0) & (v == p);
        let lv = if cont { lp + 1.0 } else { 1.0 };
        adjacent |= (v > 0.0) & (p > 0.0);
        if let Some(c) = m.get_mut(super::index_of(v * sf + lv)) {
            *c += 1.0;
        }
        lv
    };
    for z in 0..sz {
        for y in 0..sy {
            let r = z * sy + y;
            let (x0, x1) = super::row_extent(hull, r);
            if x0 >= x1 {
                continue;
            }
            let lo_cur = (z & 1) * plane + y * sx;
            let qrow = q.get(r * sx..(r + 1) * sx).ok_or(Error::ScratchTooSmall)?;
            let zp = z as isize - dz;
            let yp = y as isize - dy;
            if dz == 0 && dy == 0 {
                // along x: the predecessor is the previous voxel of this row (x0 − 1 is not in
                // the ROI)
                let lcur = lbuf
                    .get_mut(lo_cur + x0..lo_cur + x1)
                    .ok_or(Error::ScratchTooSmall)?;
                let qc = qrow.get(x0..x1).ok_or(Error::ScratchTooSmall)?;
                let (mut p, mut lp) = (0.0, 0.0);
                for (&v, l) in qc.iter().zip(lcur.iter_mut()) {
                    *l = step(v, p, lp);
                    (p, lp) = (v, *l);
                }
                continue;
            }
            if zp < 0 || yp < 0 || yp as usize >= sy {
                // no predecessor row: every run starts here
                let lcur = lbuf
                    .get_mut(lo_cur + x0..lo_cur + x1)
                    .ok_or(Error::ScratchTooSmall)?;
                let qc = qrow.get(x0..x1).ok_or(Error::ScratchTooSmall)?;
                for (&v, l) in qc.iter().zip(lcur.iter_mut()) {
                    *l = step(v, 0.0, 0.0);
                }
                continue;
            }
            let pr = zp as usize * sy + yp as usize;
            let a = aligned(q, qrow, lbuf, (sx, sy), lo_cur, pr, (x0, x1), dx)?;
            let edges = (x0..a.xa).zip(a.left).chain((a.xb..x1).zip(a.right));
            for (x, l) in edges {
                *l = step(qrow.get(x).copied().unwrap_or(0.0), 0.0, 0.0);
            }
            for (((&v, l), &p), &lp) in a.qc.iter().zip(a.lc.iter_mut()).zip(a.qp).zip(a.lp) {
                *l = step(v, p, lp);
            }
        }
    }
    Ok(adjacent)
}

/// Every run of angle `a = (dz, dy, dx)` (its first non-zero component +1, as every generated
/// angle) into `out`, box rows in memory order. The run through voxel v has length
/// `L(v) = L(v − a) + 1` when v continues its predecessor's run (same bin, both in the ROI), else
/// 1; a run is recorded at its last voxel: when its successor does not continue it, or leaves the
/// box. Only the ROI extent of each row (and of its predecessor row, shifted) is visited.
/// `lbuf` (2·s_x·s_y) holds L for two planes. Returns whether two ROI voxels are adjacent along
/// `a`.
fn runs(
    q: &[f64],
    dims: [usize; 3],
    a: [isize; 3],
    hull: &[f64],
    lbuf: &mut [f64],
    out: &mut Runs,
) -> Result<bool, Error> {
    let [sx, sy, sz] = dims;
    let [dz, dy, dx] = a;
    let plane = sx * sy;
    let lbuf = walk_setup(a, plane, lbuf)?;
    let ext = |r: usize| super::row_extent(hull, r);
    let inside = |p: usize, d: isize, n: usize| {
        let b = p as isize + d;
        b >= 0 && (b as usize) < n
    };
    let mut adjacent = false;
    for z in 0..sz {
        for y in 0..sy {
            let r = z * sy + y;
            let (c0, c1) = ext(r);
            // predecessor row (z − dz, y − dy), if inside the box
            let pred = (inside(z, -dz, sz) && inside(y, -dy, sy))
                .then(|| (z as isize - dz) as usize * sy + (y as isize - dy) as usize);
            let succ_row = inside(z, dz, sz) && inside(y, dy, sy);
            // x range: this row's ROI, and the successors of the predecessor row's ROI
            let (mut x0, mut x1) = (c0, c1);
            if let Some(pr) = pred {
                let (p0, p1) = ext(pr);
                if p0 < p1 {
                    let s0 = (p0 as isize + dx).max(0) as usize;
                    let s1 = ((p1 as isize + dx).max(0) as usize).min(sx);
                    if s0 < s1 {
                        if x0 < x1 {
                            x0 = x0.min(s0);
                            x1 = x1.max(s1);
                        } else {
                            (x0, x1) = (s0, s1);
                        }
                    }
                }
            }
            if x0 >= x1 {
                continue;
            }
            let lo_cur = (z & 1) * plane + y * sx;
            let qrow = q.get(r * sx..(r + 1) * sx).ok_or(Error::ScratchTooSmall)?;
            let row_last = !succ_row;
            // x whose successor leaves the box in x (none when dx = 0)
            let edge = match dx {
                1 => sx - 1,
                -1 => 0,
                _ => usize::MAX,
            };
            match pred {
                None => {
                    // no predecessor row: every run starts here
                    let lcur = lbuf
                        .get_mut(lo_cur..lo_cur + sx)
                        .ok_or(Error::ScratchTooSmall)?;
                    for x in x0..x1 {
                        let v = qrow.get(x).copied().unwrap_or(0.0);
                        if let Some(s) = lcur.get_mut(x) {
                            *s = 1.0;
                        }
                        out.push(v > 0.0 && (row_last || x == edge), v, 1.0);
                    }
                }
                Some(pr) if pr == r => {
                    // along x: the predecessor is the previous voxel of this row
                    let lcur = lbuf
                        .get_mut(lo_cur..lo_cur + sx)
                        .ok_or(Error::ScratchTooSmall)?;
                    let (mut p, mut lp) = (0.0, 0.0);
                    for x in x0..x1 {
                        let v = qrow.get(x).copied().unwrap_or(0.0);
                        let (l, adj) = step(v, p, lp, row_last || x == edge, out);
                        adjacent |= adj;
                        if let Some(s) = lcur.get_mut(x) {
                            *s = l;
                        }
                        (p, lp) = (v, l);
                    }
                }
                Some(pr) => {
                    let a = aligned(q, qrow, lbuf, (sx, sy), lo_cur, pr, (x0, x1), dx)?;
                    let edges = (x0..a.xa).zip(a.left).chain((a.xb..x1).zip(a.right));
                    for (x, l) in edges {
                        *l = 1.0;
                        let v = qrow.get(x).copied().unwrap_or(0.0);
                        out.push(v > 0.0 && (row_last || x == edge), v, 1.0);
                    }
                    let xa = a.xa;
                    for (k, (((&v, l), &p), &lp)) in
                        a.qc.iter()
                            .zip(a.lc.iter_mut())
                            .zip(a.qp)
                            .zip(a.lp)
                            .enumerate()
                    {
                        let (lv, adj) = step(v, p, lp, row_last || xa + k == edge, out);
                        adjacent |= adj;
                        *l = lv;
                    }
                }
            }
        }
    }
    Ok(adjacent)
}

/// One voxel of [`runs`]: bin `v` after its predecessor's bin `p` and run length `lp`. Records
/// the predecessor's run if `v` does not continue it, and `v`'s run if it is `last` on its line.
/// Returns `v`'s run length and whether `v` and `p` are both ROI voxels.
#[inline(always)]
fn step(v: f64, p: f64, lp: f64, last: bool, out: &mut Runs) -> (f64, bool) {
    let cont = v > 0.0 && v == p;
    let l = if cont { lp + 1.0 } else { 1.0 };
    out.push(p > 0.0 && !cont, p, lp);
    out.push(v > 0.0 && last, v, l);
    (l, v > 0.0 && p > 0.0)
}

/// Whether some line of angle `a` holds two ROI voxels (not adjacent: [`runs`] reports those).
fn two_on_a_line(q: &[f64], dims: [usize; 3], a: [isize; 3]) -> bool {
    let [sx, sy, sz] = dims;
    let [dz, dy, dx] = a;
    let room = |p: usize, d: isize, n: usize| match d {
        0 => usize::MAX,
        1 => n - p,
        _ => p + 1,
    };
    let step = (dz * sy as isize + dy) * sx as isize + dx;
    let leaves = |p: usize, d: isize, n: usize| {
        let b = p as isize - d;
        b < 0 || b as usize >= n
    };
    for z in 0..sz {
        for y in 0..sy {
            for x in 0..sx {
                if !(leaves(x, dx, sx) || leaves(y, dy, sy) || leaves(z, dz, sz)) {
                    continue; // not a line start
                }
                let len = room(x, dx, sx).min(room(y, dy, sy)).min(room(z, dz, sz));
                let mut j = ((z * sy + y) * sx + x) as isize;
                let mut elements = 0usize;
                for _ in 0..len {
                    if q.get(j as usize).copied().unwrap_or(0.0) > 0.0 {
                        elements += 1;
                    }
                    j += step;
                }
                if elements > 1 {
                    return true;
                }
            }
        }
    }
    false
}

/// ShortRunEmphasis (per angle) = Σ_{i,j} P(i,j)/j² / N_r
/// (`RadiomicsGLRLM.getShortRunEmphasisFeatureValue`).
pub fn short_run_emphasis(m: &SizeMatrix) -> f64 {
    m.small_emphasis()
}
/// LongRunEmphasis (per angle) = Σ_{i,j} P(i,j)·j² / N_r
/// (`RadiomicsGLRLM.getLongRunEmphasisFeatureValue`).
pub fn long_run_emphasis(m: &SizeMatrix) -> f64 {
    m.large_emphasis()
}
/// GrayLevelNonUniformity (per angle) = Σ_i p_g(i)² / N_r
/// (`RadiomicsGLRLM.getGrayLevelNonUniformityFeatureValue`).
pub fn gray_level_non_uniformity(m: &SizeMatrix) -> f64 {
    m.gray_nonuniformity()
}
/// GrayLevelNonUniformityNormalized (per angle) = Σ_i p_g(i)² / N_r²
/// (`RadiomicsGLRLM.getGrayLevelNonUniformityNormalizedFeatureValue`).
pub fn gray_level_non_uniformity_normalized(m: &SizeMatrix) -> f64 {
    m.gray_nonuniformity_normalized()
}
/// RunLengthNonUniformity (per angle) = Σ_j p_r(j)² / N_r
/// (`RadiomicsGLRLM.getRunLengthNonUniformityFeatureValue`).
pub fn run_length_non_uniformity(m: &SizeMatrix) -> f64 {
    m.size_nonuniformity()
}
/// RunLengthNonUniformityNormalized (per angle) = Σ_j p_r(j)² / N_r²
/// (`RadiomicsGLRLM.getRunLengthNonUniformityNormalizedFeatureValue`).
pub fn run_length_non_uniformity_normalized(m: &SizeMatrix) -> f64 {
    m.size_nonuniformity_normalized()
}
/// RunPercentage (per angle) = N_r / N_p, N_p = Σ_j j·p_r(j)
/// (`RadiomicsGLRLM.getRunPercentageFeatureValue`).
pub fn run_percentage(m: &SizeMatrix) -> f64 {
    m.percentage()
}
/// GrayLevelVariance (per angle) = Σ_i p(i)(i − μ)², p(i) = p_g(i)/N_r, μ = Σ_i p(i)·i
/// (`RadiomicsGLRLM.getGrayLevelVarianceFeatureValue`).
pub fn gray_level_variance(m: &SizeMatrix) -> f64 {
    m.gray_variance()
}
/// RunVariance (per angle) = Σ_j p(j)(j − μ)², p(j) = p_r(j)/N_r, μ = Σ_j p(j)·j
/// (`RadiomicsGLRLM.getRunVarianceFeatureValue`).
pub fn run_variance(m: &SizeMatrix) -> f64 {
    m.size_variance()
}
/// RunEntropy (per angle) = −Σ_{i,j} p(i,j) log2(p(i,j) + ε), p = P/N_r
/// (`RadiomicsGLRLM.getRunEntropyFeatureValue`).
pub fn run_entropy(m: &SizeMatrix) -> f64 {
    m.entropy()
}
/// LowGrayLevelRunEmphasis (per angle) = Σ_i p_g(i)/i² / N_r
/// (`RadiomicsGLRLM.getLowGrayLevelRunEmphasisFeatureValue`).
pub fn low_gray_level_run_emphasis(m: &SizeMatrix) -> f64 {
    m.low_gray_emphasis()
}
/// HighGrayLevelRunEmphasis (per angle) = Σ_i p_g(i)·i² / N_r
/// (`RadiomicsGLRLM.getHighGrayLevelRunEmphasisFeatureValue`).
pub fn high_gray_level_run_emphasis(m: &SizeMatrix) -> f64 {
    m.high_gray_emphasis()
}
/// ShortRunLowGrayLevelEmphasis (per angle) = Σ_{i,j} P(i,j)/(i² j²) / N_r
/// (`RadiomicsGLRLM.getShortRunLowGrayLevelEmphasisFeatureValue`).
pub fn short_run_low_gray_level_emphasis(m: &SizeMatrix) -> f64 {
    m.small_low_gray_emphasis()
}
/// ShortRunHighGrayLevelEmphasis (per angle) = Σ_{i,j} P(i,j)·i²/j² / N_r
/// (`RadiomicsGLRLM.getShortRunHighGrayLevelEmphasisFeatureValue`).
pub fn short_run_high_gray_level_emphasis(m: &SizeMatrix) -> f64 {
    m.small_high_gray_emphasis()
}
/// LongRunLowGrayLevelEmphasis (per angle) = Σ_{i,j} P(i,j)·j²/i² / N_r
/// (`RadiomicsGLRLM.getLongRunLowGrayLevelEmphasisFeatureValue`).
pub fn long_run_low_gray_level_emphasis(m: &SizeMatrix) -> f64 {
    m.large_low_gray_emphasis()
}
/// LongRunHighGrayLevelEmphasis (per angle) = Σ_{i,j} P(i,j)·i²·j² / N_r
/// (`RadiomicsGLRLM.getLongRunHighGrayLevelEmphasisFeatureValue`).
pub fn long_run_high_gray_level_emphasis(m: &SizeMatrix) -> f64 {
    m.large_high_gray_emphasis()
}

/// The per-angle value of feature `f` (average over angles: [`features`]).
pub fn compute(f: GlrlmFeature, m: &SizeMatrix) -> f64 {
    use GlrlmFeature as F;
    match f {
        F::GrayLevelNonUniformity => gray_level_non_uniformity(m),
        F::GrayLevelNonUniformityNormalized => gray_level_non_uniformity_normalized(m),
        F::GrayLevelVariance => gray_level_variance(m),
        F::HighGrayLevelRunEmphasis => high_gray_level_run_emphasis(m),
        F::LongRunEmphasis => long_run_emphasis(m),
        F::LongRunHighGrayLevelEmphasis => long_run_high_gray_level_emphasis(m),
        F::LongRunLowGrayLevelEmphasis => long_run_low_gray_level_emphasis(m),
        F::LowGrayLevelRunEmphasis => low_gray_level_run_emphasis(m),
        F::RunEntropy => run_entropy(m),
        F::RunLengthNonUniformity => run_length_non_uniformity(m),
        F::RunLengthNonUniformityNormalized => run_length_non_uniformity_normalized(m),
        F::RunPercentage => run_percentage(m),
        F::RunVariance => run_variance(m),
        F::ShortRunEmphasis => short_run_emphasis(m),
        F::ShortRunHighGrayLevelEmphasis => short_run_high_gray_level_emphasis(m),
        F::ShortRunLowGrayLevelEmphasis => short_run_low_gray_level_emphasis(m),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec;
    use std::vec::Vec;

    /// The runs of angle `a` by walking every line from its start (PyRadiomics' `run_diagonal`
    /// order), as (gray level, length), and whether a line holds two ROI voxels.
    fn line_walk(q: &[f64], dims: [usize; 3], a: [isize; 3]) -> (Vec<(usize, usize)>, bool) {
        let [sx, sy, sz] = dims;
        let inside = |p: [isize; 3]| {
            p[0] >= 0
                && p[1] >= 0
                && p[2] >= 0
                && (p[0] as usize) < sx
                && (p[1] as usize) < sy
                && (p[2] as usize) < sz
        };
        let d = [a[2], a[1], a[0]];
        let (mut out, mut multi) = (Vec::new(), false);
        for z in 0..sz as isize {
            for y in 0..sy as isize {
                for x in 0..sx as isize {
                    if inside([x - d[0], y - d[1], z - d[2]]) {
                        continue; // not a line start
                    }
                    let (mut p, mut gl, mut rl, mut n) = ([x, y, z], 0usize, 0usize, 0usize);
                    while inside(p) {
                        let v = q[(p[2] as usize * sy + p[1] as usize) * sx + p[0] as usize];
                        let g = v as usize;
                        if g > 0 {
                            n += 1;
                        }
                        if g > 0 && g == gl {
                            rl += 1;
                        } else {
                            if gl > 0 {
                                out.push((gl, rl));
                            }
                            (gl, rl) = (g, 1);
                        }
                        p = [p[0] + d[0], p[1] + d[1], p[2] + d[2]];
                    }
                    if gl > 0 {
                        out.push((gl, rl));
                    }
                    multi |= n > 1;
                }
            }
        }
        (out, multi)
    }

    /// The features from run lists (one per kept angle, with its weight) through the plain
    /// sorted-key matrix: averaged over angles, or of the one weighted matrix.
    fn reference(q: &[f64], dims: [usize; 3], settings: Settings) -> [f64; N_FEATURES] {
        let (list, n_angles) = angles_2d(dims, settings.force_2d);
        let weighted = settings.weighting != WeightingNorm::None;
        let stride = dims.iter().max().copied().unwrap() as u64 + 1;
        let mut weights = Vec::new();
        let mut all: Vec<f64> = Vec::new();
        let mut per_angle: Vec<[f64; N_FEATURES]> = Vec::new();
        for (ai, a) in list.iter().take(n_angles).enumerate() {
            weights.push(weight(*a, settings.spacing, settings.weighting));
            let (runs, multi) = line_walk(q, dims, *a);
            if !multi || runs.is_empty() {
                continue;
            }
            let key = |&(g, l): &(usize, usize)| (g as u64 * stride + l as u64) as f64;
            if weighted {
                all.extend(runs.iter().map(|r| key(r) * 16.0 + ai as f64));
                continue;
            }
            let mut keys: Vec<f64> = runs.iter().map(key).collect();
            keys.sort_by(f64::total_cmp);
            let mut by_len = vec![0.0; stride as usize];
            for &(_, l) in &runs {
                by_len[l] += 1.0;
            }
            let voxels = runs.iter().map(|r| r.1 as f64).sum();
            let m = SizeMatrix {
                keys: &keys,
                stride,
                by_size: &by_len,
                n: runs.len() as f64,
                n_voxels: voxels,
                sub: 1,
                weights: &[],
                mult: 0.0,
            };
            per_angle.push(core::array::from_fn(|i| compute(GlrlmFeature::ALL[i], &m)));
        }
        if weighted {
            if all.is_empty() {
                return [f64::NAN; N_FEATURES];
            }
            all.sort_by(f64::total_cmp);
            let mut by_len = vec![0.0; stride as usize];
            let mut n = 0.0;
            for &k in &all {
                let w = weights[(k as u64 % 16) as usize];
                n += w;
                by_len[((k as u64 / 16) % stride) as usize] += w;
            }
            let voxels = by_len.iter().enumerate().map(|(j, c)| c * j as f64).sum();
            let m = SizeMatrix {
                keys: &all,
                stride,
                by_size: &by_len,
                n,
                n_voxels: voxels,
                sub: 16,
                weights: &weights,
                mult: 0.0,
            };
            return core::array::from_fn(|i| compute(GlrlmFeature::ALL[i], &m));
        }
        let k = per_angle.len() as f64;
        core::array::from_fn(|i| per_angle.iter().map(|r| r[i]).sum::<f64>() / k)
    }

    /// Row-major runs, dense or keyed counting: the same features as walking the lines, on
    /// random boxes (thin and flat ones included) with few and with many gray levels, sparse and
    /// full ROIs, every weighting and force2D.
    #[test]
    fn runs_match_a_line_walk() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let shapes = [
            [7, 5, 4],
            [9, 6, 1],
            [1, 7, 5],
            [6, 1, 4],
            [11, 1, 1],
            [3, 3, 3],
        ];
        let norms = [
            WeightingNorm::None,
            WeightingNorm::Manhattan,
            WeightingNorm::Euclidean,
            WeightingNorm::Infinity,
            WeightingNorm::NoWeighting,
        ];
        let mut checked = 0;
        for dims in shapes {
            for (levels, density) in [(3u64, 100u64), (3, 55), (2, 80), (400, 70), (1, 40)] {
                for (ni, norm) in norms.iter().enumerate() {
                    let n = dims[0] * dims[1] * dims[2];
                    let q: Vec<f64> = (0..n)
                        .map(|_| {
                            if rnd() % 100 < density {
                                (1 + rnd() % levels) as f64
                            } else {
                                0.0
                            }
                        })
                        .collect();
                    let settings = Settings {
                        force_2d: (ni == 1 && dims[2] > 1).then_some(0),
                        weighting: *norm,
                        spacing: [0.7, 0.9, 2.5],
                    };
                    let np = q.iter().filter(|&&v| v > 0.0).count();
                    let weighted = *norm != WeightingNorm::None;
                    let mut scratch = vec![0.0; scratch_len(np, dims, weighted).unwrap()];
                    let got = features(&q, dims, settings, &mut scratch).unwrap();
                    let want = reference(&q, dims, settings);
                    for (f, (g, w)) in got.iter().zip(want.iter()).enumerate() {
                        let ok = (g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-12 * w.abs();
                        assert!(
                            ok,
                            "{dims:?} levels {levels} {norm:?} feature {f}: {g} vs {w}"
                        );
                        checked += usize::from(!w.is_nan());
                    }
                }
            }
        }
        assert!(checked > 1000, "only {checked} finite values compared");
    }

    #[test]
    fn angle_sets() {
        let (a, n) = angles([5, 4, 3]);
        assert_eq!(n, 13);
        assert_eq!(a[0], [1, 1, 1]);
        assert_eq!(a[12], [0, 0, 1]);
        let (a, n) = angles([5, 4, 1]);
        assert_eq!(n, 4);
        assert_eq!(&a[..4], &[[0, 1, 1], [0, 1, 0], [0, 1, -1], [0, 0, 1]]);
    }
}
