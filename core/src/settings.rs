//! PyRadiomics 3.0.1 extraction settings that change feature values (the `setting:` section of a
//! params file and the per-image-type overrides under `imageType:`).
//!
//! One [`Settings`] applies to one image type; a host reading a params file builds one per
//! enabled image type (global settings, then that image type's overrides) and calls
//! [`crate::extract::extract_with`] once per distinct `Settings`.
//!
//! The defaults ([`Settings::DEFAULT`]) are PyRadiomics' defaults. [`Settings::check`] accepts a
//! value only where this core computes it exactly; anything else is
//! [`Error::UnsupportedSetting`] (never silently ignored).
//!
//! Settings that do not change values (`additionalInfo`, `enableCExtensions`, `label`, ...) are
//! not here: they belong to the host.

use crate::Error;
use serde::{Deserialize, Serialize};

/// Maximum number of GLCM/GLRLM/... distances (`distances`).
pub const MAX_DISTANCES: usize = 8;

/// Intensity discretisation (`binWidth` / `binCount`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Binning {
    /// Fixed bin width (`binWidth`, PyRadiomics default 25), edges aligned on multiples of it.
    Width(f64),
    /// Fixed bin count (`binCount`), numpy `histogram` edges from min to max.
    Count(u32),
}

/// How angles are weighted when texture matrices of several angles are merged (`weightingNorm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WeightingNorm {
    /// `null` (default): matrices per angle, features averaged over angles.
    None,
    /// `manhattan`: matrices summed with weight `exp(-‖d‖₁²)`.
    Manhattan,
    /// `euclidean`: weight `exp(-‖d‖₂²)`.
    Euclidean,
    /// `infinity`: weight `exp(-‖d‖∞²)`.
    Infinity,
    /// `no_weighting`: matrices summed with weight 1.
    NoWeighting,
}

/// Resegmentation mode (`resegmentMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResegmentMode {
    /// Thresholds are intensities.
    Absolute,
    /// Thresholds are fractions of the ROI maximum.
    Relative,
    /// Thresholds are multiples of the ROI standard deviation around its mean.
    Sigma,
}

/// `resegmentRange` (+ `resegmentMode`, `resegmentShape`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Resegment {
    /// Lower threshold.
    pub lo: f64,
    /// Upper threshold (`+∞` when the range has one value).
    pub hi: f64,
    /// How `lo`/`hi` are interpreted.
    pub mode: ResegmentMode,
    /// `resegmentShape`: shape features on the resegmented mask too.
    pub shape: bool,
}

/// Interpolator of `resampledPixelSpacing` (`interpolator`, SimpleITK names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Interpolator {
    /// `sitkNearestNeighbor`.
    NearestNeighbor,
    /// `sitkLinear`.
    Linear,
    /// `sitkBSpline` (cubic, with the coefficient prefilter; PyRadiomics' default).
    BSpline,
    /// `sitkGaussian`.
    Gaussian,
    /// `sitkLabelGaussian`.
    LabelGaussian,
    /// `sitkHammingWindowedSinc`.
    HammingWindowedSinc,
    /// `sitkCosineWindowedSinc`.
    CosineWindowedSinc,
    /// `sitkWelchWindowedSinc`.
    WelchWindowedSinc,
    /// `sitkLanczosWindowedSinc`.
    LanczosWindowedSinc,
    /// `sitkBlackmanWindowedSinc`.
    BlackmanWindowedSinc,
}

impl Interpolator {
    /// Every interpolator, in SimpleITK's numbering (1 = `sitkNearestNeighbor` … 10 =
    /// `sitkBlackmanWindowedSinc`; SimpleITK 2.2 and later moved `sitkBSpline` to 23).
    pub const ALL: [Interpolator; 10] = [
        Interpolator::NearestNeighbor,
        Interpolator::Linear,
        Interpolator::BSpline,
        Interpolator::Gaussian,
        Interpolator::LabelGaussian,
        Interpolator::HammingWindowedSinc,
        Interpolator::CosineWindowedSinc,
        Interpolator::WelchWindowedSinc,
        Interpolator::LanczosWindowedSinc,
        Interpolator::BlackmanWindowedSinc,
    ];
}

/// `resampledPixelSpacing` (+ `interpolator`, `padDistance`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Resample {
    /// Target spacing in mm (x, y, z); `0` keeps that axis' spacing, as in PyRadiomics.
    pub spacing: [f64; 3],
    /// Image interpolator (the mask always uses nearest neighbour).
    pub interpolator: Interpolator,
    /// Voxels kept around the ROI box (`padDistance`, default 5).
    pub pad_distance: u32,
}

/// `normalize` (+ `normalizeScale`, `removeOutliers`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Normalize {
    /// `normalizeScale` (default 1).
    pub scale: f64,
    /// `removeOutliers`: clip at mean ± this many standard deviations (before scaling).
    pub remove_outliers: Option<f64>,
}

/// Wavelet family (`wavelet`), PyWavelets names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WaveletFamily {
    /// `haar`.
    Haar,
    /// `dbN`, N = 1..=20 (PyWavelets has up to db38; radscore carries the filters up to db20).
    Db(u8),
    /// `symN`, N = 2..=20.
    Sym(u8),
    /// `coifN`, N = 1..=17.
    Coif(u8),
}

/// Every value-changing setting of one image type.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// `binWidth` / `binCount`.
    pub binning: Binning,
    /// `voxelArrayShift` (first-order Energy, TotalEnergy, RootMeanSquared).
    pub voxel_array_shift: f64,
    /// `normalize`; `None` = off (default).
    pub normalize: Option<Normalize>,
    /// `resampledPixelSpacing`; `None` = off (default).
    pub resample: Option<Resample>,
    /// `preCrop`.
    pub pre_crop: bool,
    /// `resegmentRange`; `None` = off (default).
    pub resegment: Option<Resegment>,
    /// `force2D`: `Some(dimension)` (`force2Ddimension`, 0 = z slices) or `None` (default).
    pub force_2d: Option<u8>,
    /// `distances` (default `[1]`); the first `n_distances` entries are used.
    pub distances: [u32; MAX_DISTANCES],
    /// Number of valid entries of `distances` (≥ 1).
    pub n_distances: u8,
    /// `symmetricalGLCM` (default true).
    pub symmetrical_glcm: bool,
    /// `weightingNorm`.
    pub weighting_norm: WeightingNorm,
    /// `gldm_a` (default 0).
    pub gldm_a: f64,
    /// `minimumROIDimensions` (1, 2 or 3; default 2).
    pub minimum_roi_dimensions: u8,
    /// `minimumROISize` (`None` = no check, default).
    pub minimum_roi_size: Option<u32>,
    /// `wavelet` (default coif1).
    pub wavelet: WaveletFamily,
    /// `start_level` (default 0).
    pub wavelet_start_level: u8,
    /// `level` (default 1).
    pub wavelet_level: u8,
    /// `gradientUseSpacing` (default true).
    pub gradient_use_spacing: bool,
    /// `padDistance` (default 5) as `preCrop` uses it (when not resampling: the image is cropped
    /// to the ROI box + this many voxels before any filter). Resampling uses
    /// [`Resample::pad_distance`]; a host sets both from the one PyRadiomics setting.
    pub pad_distance: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::DEFAULT
    }
}

impl Settings {
    /// PyRadiomics 3.0.1's defaults.
    pub const DEFAULT: Settings = Settings {
        binning: Binning::Width(25.0),
        voxel_array_shift: 0.0,
        normalize: None,
        resample: None,
        pre_crop: false,
        resegment: None,
        force_2d: None,
        distances: [1, 0, 0, 0, 0, 0, 0, 0],
        n_distances: 1,
        symmetrical_glcm: true,
        weighting_norm: WeightingNorm::None,
        gldm_a: 0.0,
        minimum_roi_dimensions: 2,
        minimum_roi_size: None,
        wavelet: WaveletFamily::Coif(1),
        wavelet_start_level: 0,
        wavelet_level: 1,
        gradient_use_spacing: true,
        pad_distance: 5,
    };

    /// Defaults with a fixed bin width.
    pub const fn with_bin_width(bin_width: f64) -> Settings {
        let mut s = Settings::DEFAULT;
        s.binning = Binning::Width(bin_width);
        s
    }

    /// The distances in use.
    pub fn distances(&self) -> &[u32] {
        let n = (self.n_distances as usize).min(MAX_DISTANCES);
        self.distances.get(..n).unwrap_or(&[])
    }

    /// Checks the values' ranges ([`Error::BadSetting`]) and that this core implements them
    /// ([`Error::UnsupportedSetting`]).
    pub fn check(&self) -> Result<(), Error> {
        match self.binning {
            Binning::Width(w) if !(w.is_finite() && w > 0.0) => return Err(Error::BadBinWidth),
            Binning::Count(0) => return Err(Error::BadSetting),
            _ => {}
        }
        // gldm_a: PyRadiomics passes it to C as an int ('i'): a non-integer is refused there.
        if !self.voxel_array_shift.is_finite()
            || !self.gldm_a.is_finite()
            || self.gldm_a < 0.0
            || self.gldm_a != libm::trunc(self.gldm_a)
        {
            return Err(Error::BadSetting);
        }
        if self.n_distances == 0 || self.n_distances as usize > MAX_DISTANCES {
            return Err(Error::BadSetting);
        }
        if self.distances().contains(&0) {
            return Err(Error::BadSetting);
        }
        if !(1..=3).contains(&self.minimum_roi_dimensions) {
            return Err(Error::BadSetting);
        }
        if matches!(self.force_2d, Some(d) if d > 2) {
            return Err(Error::BadSetting);
        }
        if self.wavelet_level == 0 || crate::filters::wavelet::filter_len(self.wavelet).is_err() {
            return Err(Error::BadSetting);
        }
        if let Some(n) = &self.normalize {
            if !n.scale.is_finite() || n.remove_outliers.is_some_and(|o| !o.is_finite()) {
                return Err(Error::BadSetting);
            }
        }
        if let Some(r) = &self.resegment {
            // lo: a finite threshold; hi: a finite threshold or +inf (one-value range).
            if !r.lo.is_finite() || r.hi.is_nan() || r.hi == f64::NEG_INFINITY {
                return Err(Error::BadSetting);
            }
        }
        if let Some(r) = &self.resample {
            if r.spacing.iter().any(|s| !(s.is_finite() && *s >= 0.0)) {
                return Err(Error::BadSetting);
            }
        }
        // Every value PyRadiomics accepts is implemented; a setting added to this struct that
        // the core cannot compute yet is refused here with `Error::UnsupportedSetting`.
        if matches!(self.resample, Some(r) if !crate::resample::implemented(r.interpolator)) {
            return Err(Error::UnsupportedSetting);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_ranges_are_checked() {
        assert_eq!(Settings::DEFAULT.check(), Ok(()));
        assert_eq!(Settings::with_bin_width(3.5).check(), Ok(()));
        assert_eq!(Settings::DEFAULT.distances(), &[1]);
        assert_eq!(
            Settings::with_bin_width(0.0).check(),
            Err(Error::BadBinWidth)
        );
        let mut s = Settings::DEFAULT;
        s.n_distances = 0;
        assert_eq!(s.check(), Err(Error::BadSetting));
        let mut s = Settings::DEFAULT;
        s.force_2d = Some(3);
        assert_eq!(s.check(), Err(Error::BadSetting));
        let mut s = Settings::DEFAULT;
        s.binning = Binning::Count(0);
        assert_eq!(s.check(), Err(Error::BadSetting));
    }

    #[test]
    fn settings_not_implemented_are_refused() {
        let mut s = Settings::DEFAULT;
        s.gldm_a = 1.5;
        assert_eq!(s.check(), Err(Error::BadSetting));
        let mut s = Settings::DEFAULT;
        s.binning = Binning::Count(32);
        assert_eq!(s.check(), Ok(()));
    }
}
