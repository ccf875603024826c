//! Image types (PyRadiomics `imageoperations.get*Image`), one file per filter, each computed only
//! over the ROI bounding box (plus the halo the filter needs).
//!
//! PyRadiomics filters the WHOLE image and then crops to the ROI bounding box. [`filter_roi`]
//! returns those cropped values while touching only what the box needs. Against PyRadiomics 3.0.1
//! (SimpleITK 2.5.7, PyWavelets, numpy 1.26) on every fixture of `core/tests/filters.rs`: original,
//! gradient, LoG and all eight wavelet bands (integer, f64 and f32 input) are **bit-identical**;
//! exponential agrees to ≤ 2e-15 relative (numpy evaluates `log`/`exp` with Intel SVML kernels on
//! AVX-512 machines, which are not correctly rounded; we use `libm`). Square and squareroot are
//! correctly rounded operations only (bit-identical); logarithm uses libm's `ln` like
//! exponential. Their features are checked against the full references
//! (`tests/fixtures/reference/pyradiomics-all`, ≤ 1e-13 relative).
//!
//! | image type | what is read | scratch (f64 elements) |
//! |---|---|---|
//! | original | the box | 0 |
//! | exponential | the whole image once (max \|x\|), then the box | 0 |
//! | square, squareroot, logarithm | the whole image once (max \|x\|), then the box | 0 |
//! | gradient | the box and its 6-neighbourhood (edge-replicated) | 0 |
//! | LoG | whole lines, slab by slab, [`log::LANES`] lines at a time ([`log`]) | `⌈max_d R[a1]·R[a2]·N[a3] / 2⌉ + ⌈max_d R[a1]·N[a2] / 2⌉ + 2·L·max(N) + 4·L`; `k` sigmas at once ([`log::filter_many`]): the first two terms `k` times |
//! | LBP3D (`lbp-3D-m1`, `-m2`, `-k`) | the whole image (spline prefilter), then the box ([`lbp3d`]) | `S_z·N_y·N_x + max(N) + 336`, S_z ≤ min(N_z, R_z + 5) |
//! | wavelet | the box with a cyclic halo of (L−1)·(F−1)+(F−1−F/2) / +F/2 voxels per axis ([`wavelet`]) | `F·C_x(L−1)·C_y(L−1) + C_x(L−1)·C_y(L) + [L≥2]·∏C(L−1) + [L≥3]·∏C(L−2)` |
//!
//! with N = image dims, R = ROI box dims, (a1, a2, a3) the pass axes of LoG term d
//! ((x,y,z), (y,x,z), (z,x,y)), L = [`log::LANES`] = 16 (lines filtered side by side), and
//! for the wavelet: F the filter length of the family (2 for haar … 102 for coif17), L =
//! `start_level` + the band's level the number of transforms, and
//! C_a(j) = min(R_a + j·(F−1), N_a + (N_a mod 2)) the window of axis a grown by j halos
//! (coif1, level 1: `6·R_x·R_y + R_x·min(R_y + 5, N_y + (N_y mod 2))`).
//! The largest LoG term is the plane buffer (ROI cross-section × a full image line); it never
//! holds a whole image unless the ROI box spans the whole cross-section. The LoG's intermediate
//! (f32) planes are stored as f32, two per scratch element (`bytemuck` reinterpretation); its
//! `2·L·max(N)` term holds L input and L output lines in f64.
//! Examples (scratch vs one whole f32 image): brain1 256×256×25 with a 47×70×7 box: LoG 463 KiB,
//! wavelet 182 KiB vs 6.4 MiB; breast1 45×120×21 with 9×12×3: LoG 47 KiB, wavelet 6 KiB vs 443 KiB.
//!
//! **Stack:** no recursion and no arrays proportional to the image. Measured with
//! `-Z emit-stack-sizes` (thumbv7em-none-eabihf, release) before [`log::filter_many`]: the
//! deepest chain was `filter_roi` (72 B) → `log::filter` (1 360 B) → `Coefficients::new`
//! (368 B) → `n_coefficients` (240 B) → `ddmath::sin` (40 B) → `sin_cos` (216 B) →
//! `Dd::div_f`/`reduce` (≤ 152 B) + libm leaves, about 2.6 KiB; the wavelet path is about
//! 1.1 KiB (`wavelet::filter` 968 B) and original/exponential/gradient stay under 0.5 KiB.
//! `log::filter_many` holds the pass coefficients of up to [`log::MAX_SIGMAS`] sigmas: the
//! firmware's measured extraction stack (`docs/embedded.md`) grew by 700 B with it, to about
//! 3.3 KiB for this chain. Budget: 4 KiB.

pub mod ddmath;
pub mod exponential;
pub mod gradient;
pub mod lbp3d;
pub mod log;
pub mod logarithm;
pub mod original;
pub mod square;
pub mod squareroot;
pub mod wavelet;
pub mod wavelet_coefficients;

use crate::image::{ImageView, RoiBox};
use crate::names::ImageType;
use crate::settings::Settings;
use crate::Error;

/// Linear image index of voxel (x, y, z) (x fastest). Callers keep coordinates in range.
#[inline(always)]
pub(crate) fn image_index(dims: [usize; 3], x: usize, y: usize, z: usize) -> usize {
    x + dims[0] * (y + dims[1] * z)
}

/// Index of image voxel (x, y, z) inside the ROI box buffer (x fastest).
#[inline(always)]
pub(crate) fn box_index(roi: &RoiBox, x: usize, y: usize, z: usize) -> usize {
    let r = roi.dims();
    (x - roi.lo[0]) + r[0] * ((y - roi.lo[1]) + r[1] * (z - roi.lo[2]))
}

/// `out[box index] = f(image[voxel])` for every voxel of `roi` (x fastest): the point filters
/// (original, exponential, square, squareroot, logarithm) differ only in `f`.
pub(crate) fn map_roi(
    image: &ImageView,
    roi: &RoiBox,
    out: &mut [f64],
    f: impl Fn(f64) -> f64,
) -> Result<(), Error> {
    let dims = image.dims();
    for z in roi.lo[2]..roi.hi[2] {
        for y in roi.lo[1]..roi.hi[1] {
            for x in roi.lo[0]..roi.hi[0] {
                let v = image.get_f64(image_index(dims, x, y, z));
                let o = out
                    .get_mut(box_index(roi, x, y, z))
                    .ok_or(Error::OutputTooSmall)?;
                *o = f(v);
            }
        }
    }
    Ok(())
}

/// Computes image type `t` of the WHOLE image (PyRadiomics semantics) with PyRadiomics' default
/// filter settings (coif1 wavelet, `start_level` 0, gradient with image spacing), but only over
/// the ROI bounding box: [`filter_roi_with`] with [`Settings::DEFAULT`].
pub fn filter_roi(
    image: &ImageView,
    roi: &RoiBox,
    t: &ImageType,
    out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    filter_roi_with(image, roi, t, &Settings::DEFAULT, out, scratch)
}

/// Computes image type `t` of the WHOLE image (PyRadiomics semantics), but only over the ROI
/// bounding box: writes `roi.len()` values, x fastest within the box, into `out[..roi.len()]`.
/// f32-valued filters (gradient, LoG, wavelet of f32 input) write the f32 value widened to f64.
/// The filter settings used: `wavelet`, `wavelet_start_level` (the band carries its own level)
/// and `gradient_use_spacing`.
///
/// Errors: [`Error::BadDimensions`] if `roi` is empty or does not fit the image;
/// [`Error::OutputTooSmall`], [`Error::ScratchTooSmall`] (see [`filter_scratch_len_with`]);
/// [`check_applicable`]'s errors (LoG); [`Error::BadFilterParameter`] for an exponential,
/// square or logarithm of an all-zero image; [`Error::BadSetting`] for a wavelet family
/// PyWavelets does not have.
pub fn filter_roi_with(
    image: &ImageView,
    roi: &RoiBox,
    t: &ImageType,
    settings: &Settings,
    out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    let dims = image.dims();
    if !roi.fits(dims) {
        return Err(Error::BadDimensions);
    }
    check_applicable(dims, image.spacing(), t)?;
    let n = roi.len();
    let out = out.get_mut(..n).ok_or(Error::OutputTooSmall)?;
    let need = filter_scratch_len_with(dims, roi, t, settings)?;
    let scratch = scratch.get_mut(..need).ok_or(Error::ScratchTooSmall)?;
    match t {
        ImageType::Original => original::filter(image, roi, out),
        ImageType::Exponential => exponential::filter(image, roi, out),
        ImageType::Gradient => gradient::filter(image, roi, settings.gradient_use_spacing, out),
        ImageType::Log { sigma_mm } => log::filter(image, roi, *sigma_mm, out, scratch),
        ImageType::Wavelet(band) => wavelet::filter(
            image,
            roi,
            settings.wavelet,
            settings.wavelet_start_level,
            *band,
            out,
            scratch,
        ),
        ImageType::Square => square::filter(image, roi, out),
        ImageType::SquareRoot => squareroot::filter(image, roi, out),
        ImageType::Logarithm => logarithm::filter(image, roi, out),
        ImageType::Lbp3d(which) => lbp3d::filter(image, roi, *which, out, scratch),
    }
}

/// [`filter_scratch_len_with`] for PyRadiomics' default filter settings.
pub fn filter_scratch_len(dims: [usize; 3], roi: &RoiBox, t: &ImageType) -> Result<usize, Error> {
    filter_scratch_len_with(dims, roi, t, &Settings::DEFAULT)
}

/// Minimum `scratch.len()` (in f64 elements) for [`filter_roi_with`] with these arguments
/// (formulas in the module docs). [`Error::BadDimensions`] if the box does not fit `dims`,
/// [`Error::SizeOverflow`] if the size overflows, [`Error::BadSetting`] for an unknown wavelet
/// family.
pub fn filter_scratch_len_with(
    dims: [usize; 3],
    roi: &RoiBox,
    t: &ImageType,
    settings: &Settings,
) -> Result<usize, Error> {
    if dims.contains(&0) || !roi.fits(dims) {
        return Err(Error::BadDimensions);
    }
    match t {
        ImageType::Original
        | ImageType::Exponential
        | ImageType::Gradient
        | ImageType::Square
        | ImageType::SquareRoot
        | ImageType::Logarithm => Ok(0),
        ImageType::Log { .. } => log::scratch_len(dims, roi.dims()).ok_or(Error::SizeOverflow),
        ImageType::Wavelet(band) => {
            let f = wavelet::filter_len(settings.wavelet)?;
            let depth = wavelet::depth(*band, settings.wavelet_start_level);
            wavelet::scratch_len(dims, roi, f, depth).ok_or(Error::SizeOverflow)
        }
        ImageType::Lbp3d(_) => lbp3d::scratch_len(dims, roi).ok_or(Error::SizeOverflow),
    }
}

/// PyRadiomics' applicability check. LoG (`getLoGImage`): sigma > 0
/// ([`Error::BadFilterParameter`]), every dimension ≥ 4 and size_d ≥ ceil(sigma / spacing_d) + 1
/// ([`Error::ImageTooSmallForFilter`]; PyRadiomics skips the image type with a warning).
/// Every other image type applies to any valid image.
pub fn check_applicable(dims: [usize; 3], spacing: [f64; 3], t: &ImageType) -> Result<(), Error> {
    match t {
        ImageType::Log { sigma_mm } => log::check_applicable(dims, spacing, *sigma_mm),
        _ => Ok(()),
    }
}
