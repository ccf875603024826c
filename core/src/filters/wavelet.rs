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
//! others write a full window buffer (two alternate). Scratch (f64 elements), with C(j) = the
//! window dims at j:
//!
//! `F·C_x(L−1)·C_y(L−1) + C_x(L−1)·C_y(L) + [L ≥ 2]·∏C(L−1) + [L ≥ 3]·∏C(L−2)`
//!
//! (L = 1, coif1: `6·R_x·R_y + R_x·min(R_y + 5, N_y)`.) The z windows are walked unwrapped, so a
//! plane needed on both sides of a wrap is simply computed twice.

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
    let mut total = ring.checked_add(slab)?;
    if depth >= 2 {
        total = total.checked_add(volume(&w1)?)?;
    }
    if depth >= 3 {
        total = total.checked_add(volume(&windows(dims, roi, f, depth - 2)?)?)?;
    }
    Some(total)
}

/// One output sample o of the circular transform of a line of padded length `np`, in PyWavelets'
/// summation order. `u(j, m)` returns the input at padded position j = (o + F/2 − m) mod np for
/// tap m.
#[inline(always)]
fn convolve<T: Real>(h: &Filter, np: usize, o: usize, u: impl Fn(usize, usize) -> T) -> T {
    let f = h.len;
    let i = o + f / 2;
    // (i + np − m mod np) mod np; without the divisions when the filter is no longer than the
    // line (m < np, and i + np − m < 3·np)
    let at = |m: usize| {
        if f <= np {
            let mut j = i + np - m;
            while j >= np {
                j -= np;
            }
            j
        } else {
            (i + np - m % np) % np
        }
    };
    let mut sum = T::zero();
    if i >= np {
        let k = i - np;
        let mut m = k + 1;
        while m > 0 {
            m -= 1;
            sum = T::mul_add_acc(sum, T::tap(h, m), u(at(m), m));
        }
        for m in k + 1..f {
            sum = T::mul_add_acc(sum, T::tap(h, m), u(at(m), m));
        }
    } else {
        for m in 0..f {
            sum = T::mul_add_acc(sum, T::tap(h, m), u(at(m), m));
        }
    }
    sum
}

/// One transform: reads the input windows through `src(x, y, z)` (padded positions), writes the
/// output windows `ow` (x fastest) into `dst` with the letters of `highs` (x, y, z).
#[allow(clippy::too_many_arguments)]
fn transform<T: Real>(
    lo: Filter,
    highs: [bool; 3],
    iw: [Win; 3],
    ow: [Win; 3],
    src: impl Fn(usize, usize, usize) -> T,
    dst: &mut [f64],
    ring: &mut [f64],
    slab: &mut [f64],
) -> Result<(), Error> {
    let f = lo.len;
    let h = highs.map(|high| Filter { high, ..lo });
    let [hx, hy, hz] = h;
    let [_, iy, iz] = iw;
    let [ox, oy, oz] = ow;
    let get = |s: &[f64], i: usize| T::from_f64(s.get(i).copied().unwrap_or(f64::NAN));
    let left = (f - 1 - f / 2) % oz.np;
    // Input z planes are produced for the unwrapped positions oz.start − left + w,
    // w = 0 .. count + F − 1, into ring slot w mod F; output plane kz needs w = kz .. kz + F − 1
    // (tap m reads w = kz + F − 1 − m).
    for w in 0..oz.count + f - 1 {
        let z = (oz.start + oz.np - left + w) % oz.np;
        debug_assert!(iz.slot(z) < iz.count);
        // x pass: rows y of the input window, x of the output window
        for py in 0..iy.count {
            let y = iy.pos(py);
            for px in 0..ox.count {
                let v = convolve(&hx, ox.np, ox.pos(px), |j, _| src(j, y, z));
                if let Some(s) = slab.get_mut(py * ox.count + px) {
                    *s = v.to_f64();
                }
            }
        }
        // y pass: reduce the slab to the output rows, ring slot w mod F
        let slot = w % f;
        for qy in 0..oy.count {
            let o = oy.pos(qy);
            for px in 0..ox.count {
                let v = convolve(&hy, oy.np, o, |j, _| get(slab, iy.slot(j) * ox.count + px));
                if let Some(s) = ring.get_mut((slot * oy.count + qy) * ox.count + px) {
                    *s = v.to_f64();
                }
            }
        }
        // z pass for output plane kz = w − (F − 1)
        if w + 1 >= f {
            let kz = w + 1 - f;
            let o = oz.pos(kz);
            for qy in 0..oy.count {
                for px in 0..ox.count {
                    let v = convolve(&hz, oz.np, o, |_, m| {
                        get(
                            ring,
                            (((kz + f - 1 - m) % f) * oy.count + qy) * ox.count + px,
                        )
                    });
                    let d = dst
                        .get_mut((kz * oy.count + qy) * ox.count + px)
                        .ok_or(Error::OutputTooSmall)?;
                    *d = v.to_f64();
                }
            }
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn run<T: Real>(
    image: &ImageView,
    roi: &RoiBox,
    lo: Filter,
    band: WaveletBand,
    depth: usize,
    voxel: impl Fn(usize) -> T,
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
    let (buf_a, buf_b) = rest
        .split_at_mut_checked(a_len)
        .ok_or(Error::ScratchTooSmall)?;
    let n = image.dims();
    // Padded position → image voxel (the padded sample of an odd axis is the first one).
    let vox = move |j: usize, a: usize| if j < n[a] { j } else { 0 };
    let image_src =
        |x: usize, y: usize, z: usize| voxel(vox(x, 0) + n[0] * (vox(y, 1) + n[1] * vox(z, 2)));
    let letters = [band.high_pass(0), band.high_pass(1), band.high_pass(2)];
    let all_low = [false; 3];
    let out_len = roi.len();
    let out = out.get_mut(..out_len).ok_or(Error::OutputTooSmall)?;
    for d in 1..=depth {
        let iw = win(depth - d + 1)?;
        let ow = win(depth - d)?;
        let highs = if d == depth { letters } else { all_low };
        let reader = |buf: &[f64], x: usize, y: usize, z: usize| {
            let i = iw[0].slot(x) + iw[0].count * (iw[1].slot(y) + iw[1].count * iw[2].slot(z));
            T::from_f64(buf.get(i).copied().unwrap_or(f64::NAN))
        };
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
            transform::<T>(lo, highs, iw, ow, image_src, dst, ring, slab)?;
        } else {
            transform::<T>(
                lo,
                highs,
                iw,
                ow,
                |x, y, z| reader(read, x, y, z),
                dst,
                ring,
                slab,
            )?;
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
    match image.voxels() {
        // a normalised (mapped) image is float64 whatever its buffer
        Voxels::F32(v) if image.map().is_none() => run::<f32>(
            image,
            roi,
            lo,
            band,
            depth,
            |i| v.get(i).copied().unwrap_or(f32::NAN),
            out,
            scratch,
        ),
        _ => run::<f64>(
            image,
            roi,
            lo,
            band,
            depth,
            |i| image.get_f64(i),
            out,
            scratch,
        ),
    }
}
