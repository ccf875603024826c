//! The level-1 coif1 stationary-wavelet image types `wavelet-XYZ` (PyRadiomics
//! `imageoperations.getWaveletImage` / `_swt3` → `pywt.swtn(data, 'coif1', level=1,
//! start_level=0, axes=(2, 1, 0))`; PyWavelets `_swt_` and
//! `_downsampling_convolution_periodization`, step 1).
//!
//! * Every axis of odd length n is first padded by one sample equal to its FIRST sample
//!   (`numpy.pad(..., 'wrap')`), giving even N; the padded sample is dropped again at the end.
//! * Along each axis in the order x, y, z, the 1-D transform of a line u of length N is circular:
//!   `out[o] = Σ_m h[m] · u[(o + 3 − m) mod N]`, h = coif1 `dec_lo` for letter `L` and `dec_hi`
//!   for `H` (letters in x, y, z order). The sum is accumulated from 0 in PyWavelets' order:
//!   m = 0..5 when o + 3 < N, otherwise m = o+3−N down to 0, then o+3−N+1 up to 5.
//! * Integer and f64 input: all in f64. **f32 input is transformed in f32** (PyWavelets' float
//!   filter table [`DEC_LO_F32_BITS`]/[`DEC_HI_F32_BITS`], f32 products and sums, f32
//!   intermediate bands), as PyWavelets does; the f32 result is written widened to f64.
//!
//! Memory: output o of one pass needs inputs o−2..o+3 (mod N). The ROI box therefore needs, per
//! axis, the cyclic halo `lo−2 .. hi+3` (C = min(R+5, N) padded positions, wrapping around the
//! image border; padded position n of an odd axis maps to voxel 0). The x pass is evaluated
//! directly from the image for x in the ROI, y and z in their halos, one z plane at a time into a
//! slab `R_x × C_y`; the y pass reduces the slab to an `R_x × R_y` plane kept in a ring of six
//! planes; as soon as the six planes around an output z plane are present, the z pass writes that
//! plane of the ROI box. (The z halo is walked unwrapped, lo−2 … hi+2, so a plane that is needed
//! on both sides of a wrap is simply computed twice.)

use super::{box_index, image_index};
use crate::image::{ImageView, RoiBox, Voxels};
use crate::names::WaveletBand;
use crate::Error;

/// coif1 decomposition low-pass filter (pywt `Wavelet('coif1').dec_lo`).
pub const DEC_LO: [f64; 6] = [
    -0.015655728135791993,
    -0.07273261951252645,
    0.3848648468648578,
    0.8525720202116004,
    0.3378976624574818,
    -0.07273261951252645,
];

/// coif1 decomposition high-pass filter (pywt `Wavelet('coif1').dec_hi`).
pub const DEC_HI: [f64; 6] = [
    0.07273261951252645,
    0.3378976624574818,
    -0.8525720202116004,
    0.3848648468648578,
    0.07273261951252645,
    -0.015655728135791993,
];

/// coif1 `dec_lo` as PyWavelets holds it for float32 data (bit patterns read from pywt's impulse
/// response; tap 3 is NOT `(f32)DEC_LO[3]`: pywt derives its float table separately).
pub const DEC_LO_F32_BITS: [u32; 6] = [
    0xbc80_4071,
    0xbd94_f4d7,
    0x3ec5_0d01,
    0x3f5a_4228,
    0x3ead_00ec,
    0xbd94_f4d7,
];

/// coif1 `dec_hi` as PyWavelets holds it for float32 data (see [`DEC_LO_F32_BITS`]).
pub const DEC_HI_F32_BITS: [u32; 6] = [
    0x3d94_f4d7,
    0x3ead_00ec,
    0xbf5a_4228,
    0x3ec5_0d01,
    0x3d94_f4d7,
    0xbc80_4071,
];

/// The arithmetic of the transform: f64, or f32 for f32 input.
trait Real: Copy {
    /// The 6 taps of `dec_lo` (`high = false`) or `dec_hi` in this precision, as PyWavelets.
    fn taps(high: bool) -> [Self; 6];
    fn zero() -> Self;
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn mul_add_acc(acc: Self, h: Self, u: Self) -> Self;
}

impl Real for f64 {
    fn taps(high: bool) -> [Self; 6] {
        if high {
            DEC_HI
        } else {
            DEC_LO
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
    fn taps(high: bool) -> [Self; 6] {
        let bits = if high {
            DEC_HI_F32_BITS
        } else {
            DEC_LO_F32_BITS
        };
        bits.map(f32::from_bits)
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

/// One axis: image length n, padded length N, ROI start/extent, halo start and length C.
#[derive(Clone, Copy, Debug)]
struct Axis {
    n: usize,
    np: usize,
    lo: usize,
    r: usize,
    start: usize,
    c: usize,
}

impl Axis {
    fn new(n: usize, lo: usize, r: usize) -> Option<Axis> {
        let np = n.checked_add(n % 2)?;
        let c = r.checked_add(5)?.min(np);
        // start = (lo - 2) mod np
        let start = (lo + 2 * np - 2) % np;
        Some(Axis {
            n,
            np,
            lo,
            r,
            start,
            c,
        })
    }

    /// Image index of padded position j (< np).
    #[inline(always)]
    fn voxel(&self, j: usize) -> usize {
        if j < self.n {
            j
        } else {
            0
        }
    }

    /// Padded position of halo slot p.
    #[inline(always)]
    fn halo_pos(&self, p: usize) -> usize {
        (self.start + p) % self.np
    }

    /// Halo slot of padded position j (callers only ask for positions inside the halo).
    #[inline(always)]
    fn slot(&self, j: usize) -> usize {
        (j + self.np - self.start) % self.np
    }
}

/// Scratch (f64 elements): `6·R_x·R_y + R_x·C_y` with C_y = min(R_y + 5, N_y padded).
pub fn scratch_len(dims: [usize; 3], roi: &RoiBox) -> Option<usize> {
    let r = roi.dims();
    let ay = Axis::new(dims[1], roi.lo[1], r[1])?;
    Axis::new(dims[2], roi.lo[2], r[2])?;
    let plane = r[0].checked_mul(r[1])?.checked_mul(6)?;
    let slab = r[0].checked_mul(ay.c)?;
    plane.checked_add(slab)
}

/// One output sample o of the circular transform of a line of padded length `np`, reading
/// padded position j through `u(j, m)`, in PyWavelets' summation order.
/// `u(j, m)` receives the padded position j = (o + 3 − m) mod np and the tap index m.
#[inline(always)]
fn convolve<T: Real>(h: &[T; 6], np: usize, o: usize, u: impl Fn(usize, usize) -> T) -> T {
    let i = o + 3;
    let mut sum = T::zero();
    if i >= np {
        let k = i - np;
        let mut m = k + 1;
        while m > 0 {
            m -= 1;
            sum = T::mul_add_acc(sum, h[m], u((i + np - m) % np, m));
        }
        for (m, hm) in h.iter().enumerate().skip(k + 1) {
            sum = T::mul_add_acc(sum, *hm, u((i + np - m) % np, m));
        }
    } else {
        for (m, hm) in h.iter().enumerate() {
            // i - m may be negative: wrap
            sum = T::mul_add_acc(sum, *hm, u((i + np - m) % np, m));
        }
    }
    sum
}

fn filters<T: Real>(band: WaveletBand) -> [[T; 6]; 3] {
    [
        T::taps(band.high_pass(0)),
        T::taps(band.high_pass(1)),
        T::taps(band.high_pass(2)),
    ]
}

fn run<T: Real>(
    image: &ImageView,
    roi: &RoiBox,
    band: WaveletBand,
    voxel: impl Fn(usize) -> T,
    out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    let dims = image.dims();
    let r = roi.dims();
    let ax = Axis::new(dims[0], roi.lo[0], r[0]).ok_or(Error::SizeOverflow)?;
    let ay = Axis::new(dims[1], roi.lo[1], r[1]).ok_or(Error::SizeOverflow)?;
    let az = Axis::new(dims[2], roi.lo[2], r[2]).ok_or(Error::SizeOverflow)?;
    let ring_len = r[0] * r[1] * 6;
    let slab_len = r[0] * ay.c;
    let (ring, rest) = scratch
        .split_at_mut_checked(ring_len)
        .ok_or(Error::ScratchTooSmall)?;
    let slab = rest.get_mut(..slab_len).ok_or(Error::ScratchTooSmall)?;
    let [hx, hy, hz] = filters::<T>(band);
    let get = |s: &[f64], i: usize| T::from_f64(s.get(i).copied().unwrap_or(f64::NAN));

    // Planes are produced for the unwrapped z positions u = lo_z − 2 + w, w = 0 .. R_z + 5, into
    // ring slot w mod 6; output plane kz needs w = kz .. kz + 5 (tap m reads w = kz + 5 − m).
    for w in 0..az.r + 5 {
        let z = az.voxel((az.lo + w + 2 * az.np - 2) % az.np);
        // x pass: rows y in the y halo, x in the ROI
        for py in 0..ay.c {
            let y = ay.voxel(ay.halo_pos(py));
            for kx in 0..ax.r {
                let o = ax.lo + kx;
                let v = convolve(&hx, ax.np, o, |j, _| {
                    voxel(image_index(dims, ax.voxel(j), y, z))
                });
                if let Some(s) = slab.get_mut(py * ax.r + kx) {
                    *s = v.to_f64();
                }
            }
        }
        // y pass: reduce the slab to the ROI rows of ring slot w mod 6
        let slot = w % 6;
        for ky in 0..ay.r {
            let o = ay.lo + ky;
            for kx in 0..ax.r {
                let v = convolve(&hy, ay.np, o, |j, _| get(slab, ay.slot(j) * ax.r + kx));
                if let Some(s) = ring.get_mut((slot * ay.r + ky) * ax.r + kx) {
                    *s = v.to_f64();
                }
            }
        }
        // z pass for output plane kz = w − 5
        if w >= 5 {
            let kz = w - 5;
            let o = az.lo + kz;
            for ky in 0..ay.r {
                for kx in 0..ax.r {
                    let v = convolve(&hz, az.np, o, |_, m| {
                        get(ring, (((kz + 5 - m) % 6) * ay.r + ky) * ax.r + kx)
                    });
                    let idx = box_index(roi, ax.lo + kx, ay.lo + ky, az.lo + kz);
                    let dst = out.get_mut(idx).ok_or(Error::OutputTooSmall)?;
                    *dst = v.to_f64();
                }
            }
        }
    }
    Ok(())
}

/// Wavelet sub-band `band` of the whole image, restricted to `roi` (x fastest), into
/// `out[..roi.len()]`; `scratch` needs [`scratch_len`] elements.
pub fn filter(
    image: &ImageView,
    roi: &RoiBox,
    band: WaveletBand,
    out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    match image.voxels() {
        // a normalised (mapped) image is float64 whatever its buffer
        Voxels::F32(v) if image.map().is_none() => run::<f32>(
            image,
            roi,
            band,
            |i| v.get(i).copied().unwrap_or(f32::NAN),
            out,
            scratch,
        ),
        _ => run::<f64>(image, roi, band, |i| image.get_f64(i), out, scratch),
    }
}
