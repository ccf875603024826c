//! `radscore-host`: the host runtime of radscore (std), between the `no_std` core
//! (`radscore-core`) and the front ends (the `radscore` CLI, the Python package).
//!
//! | module | what |
//! |---|---|
//! | [`io`] | image readers: NRRD, NIfTI-1/2, DICOM series and enhanced multi-frame, DICOM-SEG; the voxel limit |
//! | [`params`] | PyRadiomics params files (YAML/JSON): schema validation, mapping to core settings |
//! | [`extract`] | the work queue spreading image types over threads; feature-list helpers |
//! | crate root | the extraction API below |
//!
//! # Extraction API
//!
//! ```no_run
//! use radscore_host::{extract_files, Params};
//! use std::path::Path;
//! let params = Params::from_path(Path::new("params.yaml"))?;
//! let case = extract_files(Path::new("image.nrrd"), Path::new("mask.nrrd"), None, &params, 2)?;
//! for (name, value) in &case.features {
//!     println!("{name},{value}");
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! * [`Params`]: [`Params::pyradiomics_default`] (`RadiomicsFeatureExtractor()`),
//!   [`Params::from_path`], [`Params::from_yaml_str`], [`Params::from_json_str`],
//!   [`Params::set_setting`] (`RadiomicsFeatureExtractor(params, **settings)`),
//!   [`Params::enable_image_type`], [`Params::enable_feature_class`].
//! * [`extract_files`]: one case from files (every format [`io`] reads; a folder is a DICOM
//!   series; a DICOM-SEG mask selects its segment by `label`); [`extract_files_with`] adds read
//!   options and a progress callback.
//! * [`extract_arrays`]: one case from in-memory volumes ([`ArrayImage`], [`ArrayMask`]: a
//!   borrowed voxel slice of any numeric type, x fastest — a C-ordered numpy array of shape
//!   (z, y, x) as SimpleITK's `GetArrayFromImage` gives — with sizes, spacing, origin and
//!   direction).
//! * [`extract_batch`]: many cases over threads; one result per case (a failing case does not
//!   stop the others); a progress callback per finished case.
//! * [`CaseResult`]: `features` with PyRadiomics' names, in PyRadiomics' order, values exactly
//!   PyRadiomics 3.0.1's (≤ 1e-9 relative); `diagnostics` (`diagnostics_*` entries, when
//!   `additionalInfo` is true, the default: hashes, geometry, ROI size and volumes, settings —
//!   the same text as PyRadiomics' — and radscore's version); `warnings` (what PyRadiomics would log as a warning:
//!   a LoG sigma too large for the image, shape2D skipped …).
//! * [`HostError`]: what went wrong, naming the file and the setting (Display), with a kind and,
//!   when the core refused, the core's error code.
//!
//! Values do not depend on the thread count.
#![warn(missing_docs)]

pub mod extract;
pub mod io;
pub mod params;
mod value;

mod api;

pub use api::{
    extract_arrays, extract_batch, extract_files, extract_files_with, extract_plan_files,
    ArrayData, ArrayImage, ArrayMask, BatchCase, CaseResult, HostError, HostErrorKind, Progress,
};
pub use params::{Params, ParamsError, ParamsErrorKind, Plan};
pub use value::Value;
