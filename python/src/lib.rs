//! `radscore._radscore`: the Rust half of the `radscore` Python package.
//!
//! The Python half (`radscore/`) holds the PyRadiomics-compatible objects (extractor settings,
//! ordered dicts, pandas tables, Dask tasks); this module does the work: reading images,
//! extracting features (with the GIL released) and scoring models. Every failure is raised as
//! `radscore.RadscoreError` (a `ValueError`) carrying the Rust error's message with its context.
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use radscore_core::model::{artifact, Model};
use std::path::PathBuf;

mod backend;

create_exception!(
    _radscore,
    RadscoreError,
    PyValueError,
    "An error of radscore (bad input, unreadable image, unsupported setting, ...): the message says what was expected and what was found."
);

fn err(e: impl std::fmt::Display) -> PyErr {
    RadscoreError::new_err(e.to_string())
}

fn err_chain(e: anyhow::Error) -> PyErr {
    RadscoreError::new_err(format!("{e:#}"))
}

/// Parsed extraction params (a PyRadiomics params document).
#[pyclass(frozen, module = "radscore._radscore")]
struct Params {
    inner: backend::Params,
}

#[pymethods]
impl Params {
    /// Parses a params document given as JSON text; `source` names it in error messages.
    #[staticmethod]
    #[pyo3(signature = (text, source = "<params>"))]
    fn from_json(text: &str, source: &str) -> PyResult<Params> {
        backend::params_from_json(text, source)
            .map(|inner| Params { inner })
            .map_err(err)
    }

    /// Checks that radscore computes everything the params ask for (settings, image types,
    /// features) before any image is read; raises `RadscoreError` naming what it does not.
    fn check(&self) -> PyResult<()> {
        backend::check(&self.inner).map_err(err)
    }

    /// The feature names an extraction with these params computes, in PyRadiomics' order.
    fn feature_names(&self) -> PyResult<Vec<String>> {
        backend::feature_names(&self.inner).map_err(err)
    }
}

/// (features, diagnostics, warnings): `(name, value)` pairs in PyRadiomics' order, the
/// `diagnostics_*` entries as text, and what PyRadiomics would log as warnings.
type Extracted = (Vec<(String, f64)>, Vec<(String, String)>, Vec<String>);

fn extracted(r: backend::CaseResult) -> Extracted {
    (r.features, r.diagnostics, r.warnings)
}

/// Extracts one case from an image file and a mask file; returns (features, diagnostics) as
/// lists of (name, value) pairs in PyRadiomics' order. The GIL is released meanwhile.
#[pyfunction]
#[pyo3(signature = (image, mask, params, label = None, threads = 1))]
fn extract_files(
    py: Python<'_>,
    image: PathBuf,
    mask: PathBuf,
    params: &Params,
    label: Option<u32>,
    threads: usize,
) -> PyResult<Extracted> {
    let p = &params.inner;
    py.detach(|| backend::extract_files(&image, &mask, label, p, threads.max(1)))
        .map(extracted)
        .map_err(err)
}

type Geometry = ([usize; 3], [f64; 3], [f64; 3], [[f64; 3]; 3]);

/// Extracts one case from in-memory volumes: raw little-endian voxel bytes (x fastest, i.e. a
/// C-ordered numpy array indexed [z, y, x]), numpy dtype names and each volume's geometry
/// (dims, spacing, origin, direction rows = axis unit vectors). The GIL is released meanwhile.
#[pyfunction]
#[pyo3(signature = (image, image_dtype, image_geometry, mask, mask_dtype, mask_geometry, params, label = None, threads = 1))]
#[allow(clippy::too_many_arguments)]
fn extract_arrays(
    py: Python<'_>,
    image: &[u8],
    image_dtype: &str,
    image_geometry: Geometry,
    mask: &[u8],
    mask_dtype: &str,
    mask_geometry: Geometry,
    params: &Params,
    label: Option<u32>,
    threads: usize,
) -> PyResult<Extracted> {
    let p = &params.inner;
    py.detach(|| {
        let vol =
            |data, dtype, (dims, spacing, origin, direction): Geometry| backend::ArrayVolume {
                data,
                dtype,
                dims,
                spacing,
                origin,
                direction,
            };
        backend::extract_arrays(
            vol(image, image_dtype, image_geometry),
            vol(mask, mask_dtype, mask_geometry),
            label,
            p,
            threads.max(1),
        )
    })
    .map(extracted)
    .map_err(err)
}

/// One scored case: radscore, linear predictor, probability, predicted class, total points,
/// points per predictor (radscore first, then the clinical predictors).
type Scored = (f64, f64, f64, u8, f64, Vec<f64>);

/// A decoded model file (`.rsm`).
#[pyclass(frozen, module = "radscore._radscore")]
struct RawModel {
    model: Box<Model>,
    info: String,
}

#[pymethods]
impl RawModel {
    /// Reads and decodes a model file; with `public_key` (64 hex digits, or a file holding them
    /// or the 32 raw bytes) its Ed25519 signature must verify.
    #[new]
    #[pyo3(signature = (path, public_key = None))]
    fn new(path: PathBuf, public_key: Option<&str>) -> PyResult<RawModel> {
        use radscore_cli::cmd::{inspect, verify};
        let key = public_key
            .map(verify::read_public_key)
            .transpose()
            .map_err(err_chain)?;
        let bytes = verify::read_model_file(&path).map_err(err_chain)?;
        let model = verify::load_model(&path, key.as_ref()).map_err(err_chain)?;
        let parts = artifact::split(&bytes)
            .map_err(|e| err(format!("model file {}: {e}", path.display())))?;
        let info = inspect::to_json(&model, &parts.header, parts.crc, bytes.len()).to_string();
        Ok(RawModel {
            model: Box::new(model),
            info,
        })
    }

    /// The model as JSON text (the `radscore inspect --json` document).
    fn info_json(&self) -> String {
        self.info.clone()
    }

    /// The features-table column of every model feature: `<sequence>_<pyradiomics name>`.
    fn feature_columns(&self) -> Vec<String> {
        radscore_cli::cmd::score::feature_columns(&self.model)
    }

    /// The clinical predictors' column names, in model order.
    fn clinical_columns(&self) -> Vec<String> {
        self.model
            .clinical
            .iter()
            .map(|c| c.name.to_string())
            .collect()
    }

    /// Scores `n_rows` cases given row-major feature values (n_rows × features) and clinical
    /// values (n_rows × clinical predictors). An invalid row raises an error naming its index.
    fn score(
        &self,
        py: Python<'_>,
        features: Vec<f64>,
        clinical: Vec<f64>,
        n_rows: usize,
    ) -> PyResult<Vec<Scored>> {
        let (nf, nc) = (self.model.features.len(), self.model.clinical.len());
        if features.len() != n_rows * nf || clinical.len() != n_rows * nc {
            return Err(err(format!(
                "expected {n_rows} rows of {nf} feature and {nc} clinical values, found {} and {} values",
                features.len(),
                clinical.len()
            )));
        }
        let model = &self.model;
        py.detach(|| {
            (0..n_rows)
                .map(|i| {
                    let x = features.get(i * nf..(i + 1) * nf).unwrap_or(&[]);
                    let c = clinical.get(i * nc..(i + 1) * nc).unwrap_or(&[]);
                    model
                        .score(x, c)
                        .map(|s| {
                            (
                                s.radscore,
                                s.linear_predictor,
                                s.probability,
                                s.predicted_class,
                                s.total_points,
                                s.points().to_vec(),
                            )
                        })
                        .map_err(|e| (i, e))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|(i, e)| err(format!("row {i}: {e}")))
    }
}

/// The version of the radscore package.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _radscore(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("RadscoreError", m.py().get_type::<RadscoreError>())?;
    m.add_class::<Params>()?;
    m.add_class::<RawModel>()?;
    m.add_function(wrap_pyfunction!(extract_files, m)?)?;
    m.add_function(wrap_pyfunction!(extract_arrays, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
