//! # radscore-core
//!
//! The device side of radscore: `#![no_std]`, no `alloc`, every buffer borrowed from the caller.
//!
//! Layers, top down:
//!
//! * [`model`] — the model artifact (magic, version, postcard body, CRC-32), its decoder and the
//!   nomogram scoring (z-scores → radscore → linear predictor → probability, points, class).
//! * [`extract`] — recomputes the model's radiomics features from an image and a lesion mask,
//!   exactly as PyRadiomics 3.0.1 does with default settings.
//! * [`filters`] — the image types (original, exponential, gradient, LoG, wavelet of every
//!   PyWavelets family radscore names at any level, square, squareroot, logarithm), each computed
//!   only over what the ROI bounding box needs.
//! * [`features`] — the feature classes (first order, GLSZM, GLRLM, GLCM, GLDM, NGTDM, shape),
//!   one file each.
//! * [`resample`] — `resampledPixelSpacing` and `preCrop`: the resampled (or cropped) image and
//!   mask in caller scratch, handed to [`extract`] as if read from a file.
//! * [`names`] — PyRadiomics feature names: parse and print.
//! * [`settings`] — the value-changing PyRadiomics settings; [`normalize`] and [`resegment`]
//!   implement `normalize` and `resegmentRange` without copying the image or the mask.
//! * [`error`] — one error enum with stable numeric codes, shared with the C ABI.
#![no_std]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![warn(missing_docs)]

pub mod discretize;
pub mod error;
pub mod extract;
pub mod features;
pub mod filters;
pub mod geometry;
pub mod image;
pub mod model;
pub mod names;
pub mod normalize;
pub mod resample;
pub mod resegment;
pub mod settings;
#[cfg(test)]
mod testutil;

pub use error::Error;
