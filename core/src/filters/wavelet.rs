//! The stationary-wavelet image types `wavelet-XYZ`, `wavelet2-XYZ`, … (PyRadiomics
//! `imageoperations.getWaveletImage` / `_swt3`; PyWavelets `swtn`, `_swt_` and
//! `_downsampling_convolution_periodization`, step 1), for every family of
//! [`crate::settings::WaveletFamily`] (haar, db1–db20, sym2–sym20, coif1–coif17), any
//! `start_level` and `level`.
//!
//! What PyRadiomics 3.0.1 computes:
//!
//! * Every axis of odd length n is first padded by one sample equal to its FIRST sample
//!   (`numpy.pad(..., 'wrap')`), giving even N; the padded sample is dropped only at the very end,
//!   so every level works on the padded grid.
//! * One *transform* is `pywt.swtn(data, wavelet, level=1, start_level=0, axes=(2, 1, 0))`: along
//!   each axis in the order x, y, z, the 1-D circular convolution of a line u of length N with the
//!   undilated filter h of length F: `out[o] = Σ_{m<F} h[m] · u[(o + F/2 − m) mod N]` (h = `dec_lo`
//!   for letter `L`, `dec_hi` for `H`; letters in x, y, z order). The sum is accumulated from 0 in
//!   PyWavelets' order: with i = o + F/2, m = 0, 1, …, F−1 when i < N; otherwise m = i−N down to 0,
//!   then i−N+1 up to F−1. (With F > N the index wraps several times; the order is the same.)
//! * `_swt3` applies `start_level` transforms keeping only the approximation (`LLL`), then `level`
//!   more; transform k of those (k = 1 … level, named `wavelet-` for k = 1 and `wavelet{k}-`
//!   otherwise) yields its seven detail bands, and the approximation of the last one is
//!   `wavelet{level}-LLL` (`wavelet-LLL` when level = 1). Each transform's input is the previous
//!   transform's approximation: the filter is NOT dilated between levels (each call is a level-1
//!   `swtn`). So band `b` of PyRadiomics level k is: `start_level + k − 1` all-low transforms, then
//!   one transform with the letters of `b`: depth `L = start_level + k` transforms in all.
//! * Integer and f64 input: all in f64. **f32 input is transformed in f32** (PyWavelets' float
//!   filter table [`wavelet_coefficients::DEC_LO_F32_BITS`], f32 products and sums, f32
//!   intermediate bands and approximations), as PyWavelets does; the result is widened to f64.
//! * `dec_hi[m] = (−1)^(m+1) · dec_lo[F−1−m]` (exact; checked bit for bit by the generator).
//!
//! Memory: output o of one pass needs inputs o − (F−1−F/2) … o + F/2 (mod N), F − 1 more than its
//! own extent. Transform d (d = 1 … L) is therefore computed over the ROI box grown by (L − d)·(F−1)
//! positions per axis, `C_a(j) = min(R_a + j·(F−1), N_a)` (N_a padded) positions for j = L − d,
//! kept as a cyclic window of the padded axis (a window of N_a positions is the whole axis, wrapping
//! around the image border). Within one transform, the x pass is evaluated one input z plane at a
//! time into a slab (output x × input y); the y pass reduces it to a plane of the output window,
//! kept in a ring of F planes; as soon as the F planes around an output z plane are present, the z
//! pass writes that plane. Transform 1 reads the image directly, the last writes the ROI box, the
//! others write a full window buffer (two alternate). The x pass copies each input row into a
//! line of `C_x + F − 1` values (unwrapped, so tap m of output slot p is entry p + F − 1 − m).
//! Every pass runs tap by tap over a whole row (x, y passes) or plane (z pass) of outputs; each
//! output still sums its own taps one at a time in PyWavelets' order, so the values are the same
//! to the bit, and the loop across outputs vectorises. Scratch (f64 elements), with C(j) = the
//! window dims at j:
//!
//! `F·C_x(L−1)·C_y(L−1) + C_x(L−1)·C_y(L) + C_x(L−1) + F − 1 + [L ≥ 2]·∏C(L−1) + [L ≥ 3]·∏C(L−2)`
//!
//! (L = 1, coif1: `6·R_x·R_y + R_x·min(R_y + 5, N_y) + R_x + 5`.) The z windows are walked
//! unwrapped, so a plane needed on both sides of a wrap is simply computed twice.

use super::wavelet_coefficients::{taps, DEC_LO_F32_BITS, DEC_LO_F64};
use crate::image::{ImageView, RoiBox, Voxels};
use crate::names::WaveletBand;
use crate::settings::WaveletFamily;
use crate::Error;

/// One of the two decomposition filters of a family: `dec_lo` (`high = false`) or `dec_hi`.
#[derive(Clone, Copy, Debug)]
struct Filter {
    off: usize,
    len: usize,
    high: bool,
}

impl Filter {
    /// Table index of tap m, and whether the stored `dec_lo` value is negated (`dec_hi`).
    #[inline(always)]
    fn index(&self, m: usize) -> (usize, bool) {
        if self.high {
            (self.off + (self.len - 1 - m), m % 2 == 0)
        } else {
            (self.off + m, false)
        }
    }
}

/// The arithmetic of the transform: f64, or f32 for f32 input.
trait Real: Copy {
    /// Tap m of `f` in this precision, as PyWavelets holds it.
    fn tap(f: &Filter, m: usize) -> Self;
    fn zero() -> Self;
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn mul_add_acc(acc: Self, h: Self, u: Self) -> Self;
}

impl Real for f64 {
    #[inline(always)]
    fn tap(f: &Filter, m: usize) -> Self {
        let (i, neg) = f.index(m);
        let v = DEC_LO_F64.get(i).copied().unwrap_or(f64::NAN);
        if neg {
            -v
        } else {
            v
        }
    }
    #[inline(always)]
    fn zero() -> Self {
        0.0
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn mul_add_acc(acc: Self, h: Self, u: Self) -> Self {
        acc + h * u
    }
}

impl Real for f32 {
    #[inline(always)]
    fn tap(f: &Filter, m: usize) -> Self {
        let (i, neg) = f.index(m);
        let v = f32::from_bits(DEC_LO_F32_BITS.get(i).copied().unwrap_or(0x7fc0_0000));
        if neg {
            -v
        } else {
            v
        }
    }
    #[inline(always)]
    fn zero() -> Self {
        0.0
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn mul_add_acc(acc: Self, h: Self, u: Self) -> Self {
        acc + h * u
    }
}

/// A cyclic window of a padded axis: `count` positions from `start` (mod `np`).
#[derive(Clone, Copy, Debug)]
struct Win {
    np: usize,
    start: usize,
    count: usize,
}

impl Win {
    /// Padded position of window slot p.
    #[inline(always)]
    fn pos(&self, p: usize) -> usize {
        (self.start + p) % self.np
    }

    /// Window slot of padded position j (callers only ask for positions inside the window).
    #[inline(always)]
    fn slot(&self, j: usize) -> usize {
        (j + self.np - self.start) % self.np
    }

    /// The window the pass producing `self` reads: F − 1 − F/2 more on the left, F/2 on the right.
    fn grow(&self, f: usize) -> Option<Win> {
        let left = (f - 1 - f / 2) % self.np;
        Some(Win {
            np: self.np,
            start: (self.start + self.np - left) % self.np,
            count: self.count.checked_add(f - 1)?.min(self.np),
        })
    }
}

/// The three windows of transform d's output when the ROI box is the output of transform `depth`.
fn windows(dims: [usize; 3], roi: &RoiBox, f: usize, grow_by: usize) -> Option<[Win; 3]> {
    let r = roi.dims();
    let mut w = [Win {
        np: 1,
        start: 0,
        count: 0,
    }; 3];
    for a in 0..3 {
        let n = *dims.get(a)?;
        let np = n.checked_add(n % 2)?;
        let mut win = Win {
            np,
            start: *roi.lo.get(a)?,
            count: *r.get(a)?,
        };
        for _ in 0..grow_by {
            win = win.grow(f)?;
        }
        *w.get_mut(a)? = win;
    }
    Some(w)
}

fn volume(w: &[Win; 3]) -> Option<usize> {
    w[0].count.checked_mul(w[1].count)?.checked_mul(w[2].count)
}

/// Filter length of `family`; [`Error::BadSetting`] for a family PyWavelets does not have.
pub fn filter_len(family: WaveletFamily) -> Result<usize, Error> {
    taps(family).map(|(_, len)| len).ok_or(Error::BadSetting)
}

/// Number of transforms band `band` needs after `start_level` approximation-only ones
/// (`start_level + band.level()`).
pub fn depth(band: WaveletBand, start_level: u8) -> usize {
    usize::from(start_level) + usize::from(band.level())
}

/// Scratch (f64 elements) for a band computed by `depth` transforms with a filter of length `f`
/// (formula in the module docs).
pub fn scratch_len(dims: [usize; 3], roi: &RoiBox, f: usize, depth: usize) -> Option<usize> {
    if depth == 0 || f < 2 {
        return None;
    }
    let w1 = windows(dims, roi, f, depth - 1)?;
    let w0 = windows(dims, roi, f, depth)?;
    let ring = f.checked_mul(w1[0].count)?.checked_mul(w1[1].count)?;
    let slab = w1[0].count.checked_mul(w0[1].count)?;
    let ext = w1[0].count.checked_add(f - 1)?;
    let mut total = ring.checked_add(slab)?.checked_add(ext)?;
    if depth >= 2 {
        total = total.checked_add(volume(&w1)?)?;
    }
    if depth >= 3 {
        total = total.checked_add(volume(&windows(dims, roi, f, depth - 2)?)?)?;
    }
    Some(total)
}

/// Tap summed at step t (t = 0 … F−1) for the output at padded position o of a line of padded
/// length `np`, in PyWavelets' order: with i = o + F/2, m = t when i < np; otherwise m = i − np
/// down to 0, then i − np + 1 up to F − 1 (i − np < F/2, so every tap comes once).
#[inline(always)]
fn tap_at(t: usize, o: usize, f: usize, np: usize) -> usize {
    let i = o + f / 2;
    if i >= np && t <= i - np {
        i - np - t
    } else {
        t
    }
}

/// Padded position tap m of the output at padded position o reads: (o + F/2 − m) mod np.
#[inline(always)]
fn tap_pos(o: usize, m: usize, f: usize, np: usize) -> usize {
    (o + f / 2 + np - m % np) % np
}

/// `acc[p] = acc[p] + h · u[p]` in precision T for every p: one tap of a pass for a whole row
/// (or plane) of outputs. Every output still sums its taps one by one from zero, in its own
/// order; the loop across outputs is what the compiler vectorises.
#[inline(always)]
fn axpy<T: Real>(acc: &mut [f64], h: T, u: &[f64]) {
    for (a, &v) in acc.iter_mut().zip(u) {
        *a = T::mul_add_acc(T::from_f64(*a), h, T::from_f64(v)).to_f64();
    }
}

/// One pass over a block of outputs that share one padded output position `o` along the pass
/// axis (a row of the y pass, a plane of the z pass): `acc = Σ_m h[m] · row(m)` in PyWavelets'
/// order for `o`, `row(m)` being the input block tap m reads.
#[inline(always)]
fn pass_block<'a, T: Real>(
    acc: &mut [f64],
    h: &Filter,
    o: usize,
    np: usize,
    row: impl Fn(usize) -> &'a [f64],
) {
    acc.fill(T::zero().to_f64());
    for t in 0..h.len {
        let m = tap_at(t, o, h.len, np);
        axpy::<T>(acc, T::tap(h, m), row(m));
    }
}

/// One transform: reads the input windows row by row through `fill(y, z, x0, ext)`, which
/// writes the input at padded positions x0, x0 + 1, … (mod the padded x length) of row (y, z)
/// into `ext`, and writes the output windows `ow` (x fastest) into `dst` with the letters of
/// `highs` (x, y, z). `ext` holds `ow[0].count + F − 1` values.
#[allow(clippy::too_many_arguments)]
fn transform<T: Real>(
    lo: Filter,
    highs: [bool; 3],
    iw: [Win; 3],
    ow: [Win; 3],
    fill: impl Fn(usize, usize, usize, &mut [f64]),
    dst: &mut [f64],
    ring: &mut [f64],
    slab: &mut [f64],
    ext: &mut [f64],
) -> Result<(), Error> {
    let f = lo.len;
    let h = highs.map(|high| Filter { high, ..lo });
    let [hx, hy, hz] = h;
    let [_, iy, iz] = iw;
    let [ox, oy, oz] = ow;
    let (nx, ny) = (ox.count, oy.count);
    let plane = nx * ny;
    let ext = ext.get_mut(..nx + f - 1).ok_or(Error::ScratchTooSmall)?;
    let slab = slab
        .get_mut(..iy.count * nx)
        .ok_or(Error::ScratchTooSmall)?;
    let ring = ring.get_mut(..f * plane).ok_or(Error::ScratchTooSmall)?;
    let dst = dst
        .get_mut(..oz.count * plane)
        .ok_or(Error::OutputTooSmall)?;
    // ext[s] is the input at padded x position ox.start − (F − 1 − F/2) + s: output slot px reads
    // ext[px + F − 1 − m] for tap m.
    let x0 = (ox.start + ox.np - (f - 1 - f / 2) % ox.np) % ox.np;
    // Output x positions whose sum wraps (o + F/2 ≥ np, the last F/2 of the axis) take their
    // taps in another order: redone one by one after the row pass.
    let wrap_from = ox.np.saturating_sub(f / 2);
    let left = (f - 1 - f / 2) % oz.np;
    // Input z planes are produced for the unwrapped positions oz.start − left + w,
    // w = 0 .. count + F − 1, into ring slot w mod F; output plane kz needs w = kz .. kz + F − 1
    // (tap m reads w = kz + F − 1 − m).
    for w in 0..oz.count + f - 1 {
        let z = (oz.start + oz.np - left + w) % oz.np;
        debug_assert!(iz.slot(z) < iz.count);
        // x pass: rows y of the input window, x of the output window
        for (py, out) in slab.chunks_exact_mut(nx).enumerate() {
            fill(iy.pos(py), z, x0, ext);
            out.fill(T::zero().to_f64());
            for m in 0..f {
                let u = ext.get(f - 1 - m..).unwrap_or(&[]);
                axpy::<T>(out, T::tap(&hx, m), u);
            }
            for o in wrap_from..ox.np {
                let px = ox.slot(o);
                let Some(v) = out.get_mut(px) else {
                    continue; // not in the window
                };
                let mut sum = T::zero();
                for t in 0..f {
                    let m = tap_at(t, o, f, ox.np);
                    let u = ext.get(px + f - 1 - m).copied().unwrap_or(f64::NAN);
                    sum = T::mul_add_acc(sum, T::tap(&hx, m), T::from_f64(u));
                }
                *v = sum.to_f64();
            }
        }
        // y pass: reduce the slab to the output rows, ring slot w mod F
        let slot = w % f;
        let ring_plane = ring
            .get_mut(slot * plane..(slot + 1) * plane)
            .ok_or(Error::ScratchTooSmall)?;
        for (qy, out) in ring_plane.chunks_exact_mut(nx).enumerate() {
            let o = oy.pos(qy);
            pass_block::<T>(out, &hy, o, oy.np, |m| {
                let r = iy.slot(tap_pos(o, m, f, oy.np));
                slab.get(r * nx..(r + 1) * nx).unwrap_or(&[])
            });
        }
        // z pass for output plane kz = w − (F − 1)
        if w + 1 >= f {
            let kz = w + 1 - f;
            let out = dst
                .get_mut(kz * plane..(kz + 1) * plane)
                .ok_or(Error::OutputTooSmall)?;
            let ring = &*ring;
            pass_block::<T>(out, &hz, oz.pos(kz), oz.np, |m| {
                let r = (kz + f - 1 - m) % f;
                ring.get(r * plane..(r + 1) * plane).unwrap_or(&[])
            });
        }
    }
    Ok(())
}

/// Writes voxels `base + x` of the image row starting at `base` for padded x positions x0,
/// x0 + 1, … (mod `np`; the padded sample of an odd axis is voxel 0 of the row) into `ext`, in
/// precision T.
fn image_row<T: Real>(image: &ImageView, base: usize, x0: usize, np: usize, ext: &mut [f64]) {
    let n = image.dims()[0];
    macro_rules! walk {
        ($get:expr) => {{
            let mut x = x0;
            for e in ext.iter_mut() {
                let i = base + if x < n { x } else { 0 };
                *e = T::from_f64($get(i)).to_f64();
                x += 1;
                if x == np {
                    x = 0;
                }
            }
        }};
    }
    match (image.voxels(), image.map()) {
        (Voxels::I16(v), None) => walk!(|i| v.get(i).map_or(f64::NAN, |&x| f64::from(x))),
        (Voxels::U16(v), None) => walk!(|i| v.get(i).map_or(f64::NAN, |&x| f64::from(x))),
        (Voxels::I32(v), None) => walk!(|i| v.get(i).map_or(f64::NAN, |&x| f64::from(x))),
        (Voxels::F32(v), None) => walk!(|i| v.get(i).map_or(f64::NAN, |&x| f64::from(x))),
        (Voxels::F64(v), None) => walk!(|i| v.get(i).copied().unwrap_or(f64::NAN)),
        _ => walk!(|i| image.get_f64(i)),
    }
}

#[allow(clippy::too_many_arguments)]
fn run<T: Real>(
    image: &ImageView,
    roi: &RoiBox,
    lo: Filter,
    band: WaveletBand,
    depth: usize,
    out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    let dims = image.dims();
    let f = lo.len;
    let win = |j: usize| windows(dims, roi, f, j).ok_or(Error::SizeOverflow);
    let w1 = win(depth - 1)?;
    let w0 = win(depth)?;
    let ring_len = f * w1[0].count * w1[1].count;
    let slab_len = w1[0].count * w0[1].count;
    let ext_len = w1[0].count + f - 1;
    let a_len = if depth >= 2 {
        volume(&w1).unwrap_or(0)
    } else {
        0
    };
    let (ring, rest) = scratch
        .split_at_mut_checked(ring_len)
        .ok_or(Error::ScratchTooSmall)?;
    let (slab, rest) = rest
        .split_at_mut_checked(slab_len)
        .ok_or(Error::ScratchTooSmall)?;
    let (ext, rest) = rest
        .split_at_mut_checked(ext_len)
        .ok_or(Error::ScratchTooSmall)?;
    let (buf_a, buf_b) = rest
        .split_at_mut_checked(a_len)
        .ok_or(Error::ScratchTooSmall)?;
    let n = image.dims();
    // Padded position → image voxel (the padded sample of an odd axis is the first one).
    let vox = move |j: usize, a: usize| if j < n[a] { j } else { 0 };
    let letters = [band.high_pass(0), band.high_pass(1), band.high_pass(2)];
    let all_low = [false; 3];
    let out_len = roi.len();
    let out = out.get_mut(..out_len).ok_or(Error::OutputTooSmall)?;
    for d in 1..=depth {
        let iw = win(depth - d + 1)?;
        let ow = win(depth - d)?;
        let highs = if d == depth { letters } else { all_low };
        // Transform d writes buffer A when d is odd, B when even (the last writes `out`), and
        // reads the other one (transform 1 reads the image).
        let (read, write): (&[f64], &mut [f64]) = if d % 2 == 1 {
            (&*buf_b, &mut *buf_a)
        } else {
            (&*buf_a, &mut *buf_b)
        };
        // The ROI box window has the box layout (start = lo, no wrap).
        let dst: &mut [f64] = if d == depth { &mut *out } else { write };
        if d == 1 {
            let np = iw[0].np;
            let fill = |y: usize, z: usize, x0: usize, ext: &mut [f64]| {
                image_row::<T>(image, n[0] * (vox(y, 1) + n[1] * vox(z, 2)), x0, np, ext);
            };
            transform::<T>(lo, highs, iw, ow, fill, dst, ring, slab, ext)?;
        } else {
            let [ix, iy, iz] = iw;
            // the input window's row (y, z) from slot ix.slot(x0) on, wrapping at the padded length
            let fill = |y: usize, z: usize, x0: usize, ext: &mut [f64]| {
                let base = ix.count * (iy.slot(y) + iy.count * iz.slot(z));
                let row = read.get(base..base + ix.count).unwrap_or(&[]);
                let mut s = ix.slot(x0);
                for e in ext.iter_mut() {
                    *e = row.get(s).copied().unwrap_or(f64::NAN);
                    s += 1;
                    if s == ix.np {
                        s = 0;
                    }
                }
            };
            transform::<T>(lo, highs, iw, ow, fill, dst, ring, slab, ext)?;
        }
    }
    Ok(())
}

/// Wavelet sub-band `band` (PyRadiomics level `band.level()`, after `start_level`
/// approximation-only transforms) of `family`, of the whole image restricted to `roi` (x
/// fastest), into `out[..roi.len()]`; `scratch` needs [`scratch_len`] elements for
/// [`depth`]`(band, start_level)` transforms and [`filter_len`]`(family)` taps.
pub fn filter(
    image: &ImageView,
    roi: &RoiBox,
    family: WaveletFamily,
    start_level: u8,
    band: WaveletBand,
    out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    let (off, len) = taps(family).ok_or(Error::BadSetting)?;
    let lo = Filter {
        off,
        len,
        high: false,
    };
    let depth = depth(band, start_level);
    if depth == 0 {
        return Err(Error::BadSetting);
    }
    // a normalised (mapped) image is float64 whatever its buffer
    if matches!(image.voxels(), Voxels::F32(_)) && image.map().is_none() {
        run::<f32>(image, roi, lo, band, depth, out, scratch)
    } else {
        run::<f64>(image, roi, lo, band, depth, out, scratch)
    }
}
