//! `radscore inspect`: prints a model file readably, or as JSON with `--json`.

use super::score::feature_columns;
use super::verify::load_model;
use radscore_core::model::{artifact, Model, PredictorKind, DEFAULT_SETTINGS};
use radscore_core::settings::{Binning, Settings};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `radscore inspect`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Model file (`.rsm`).
    pub model: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

fn kind(k: PredictorKind) -> &'static str {
    match k {
        PredictorKind::Continuous => "continuous",
        PredictorKind::Binary => "binary",
    }
}

/// The model as JSON (feature names as PyRadiomics strings, input columns included).
pub fn to_json(
    model: &Model,
    header: &artifact::Header,
    crc: u32,
    file_len: usize,
) -> serde_json::Value {
    let columns = feature_columns(model);
    let features: Vec<_> = model
        .features
        .iter()
        .zip(&columns)
        .enumerate()
        .map(|(i, (f, col))| {
            json!({
                "column": col,
                "sequence": f.sequence.as_str(),
                "name": f.name.as_str(),
                // decided from the name (and, for shape2D, force2D in the feature's settings)
                // by this build's core: a newer core may compute more
                "recomputable": model.is_computable(i),
                "source": if model.is_computable(i) { "images" } else { "features table" },
                "bin_width": f.bin_width,
                "label": f.label,
                "mean": f.mean,
                "sd": f.sd,
                "coefficient": f.coefficient,
                // index into "settings" (format 3), or null: PyRadiomics' defaults + bin_width
                "settings_index": (f.settings != DEFAULT_SETTINGS).then_some(f.settings),
                "settings": serde_json::to_value(model.settings_of(i)).unwrap_or_default(),
            })
        })
        .collect();
    let settings: Vec<_> = model
        .settings
        .iter()
        .map(|t| {
            json!({
                "non_default": describe(t),
                "extraction": supported(t),
                "values": serde_json::to_value(t).unwrap_or_default(),
            })
        })
        .collect();
    let clinical: Vec<_> = model
        .clinical
        .iter()
        .map(|c| {
            json!({
                "name": c.name.as_str(),
                "kind": kind(c.kind),
                "unit": c.unit.as_str(),
                "coefficient": c.coefficient,
                "axis": [c.axis_min, c.axis_max],
            })
        })
        .collect();
    let m = &model.meta;
    json!({
        "artifact": {
            "format_version": header.version,
            "signed": header.is_signed(),
            "bytes": file_len,
            "body_bytes": header.body_len,
            "crc32": format!("{crc:08x}"),
        },
        "features": features,
        "settings": settings,
        "radscore_intercept": model.radscore_intercept,
        "combined_intercept": model.combined_intercept,
        "radscore_coefficient": model.radscore_coefficient,
        "radscore_axis": model.radscore_axis,
        "clinical": clinical,
        "points_per_unit": model.points_per_unit,
        "threshold": model.threshold,
        "meta": {
            "model_id": m.model_id.as_str(),
            "created_unix": m.created_unix,
            "created": radscore_trainer::summary::created(m.created_unix),
            "trainer_version": m.trainer_version.as_str(),
            "n_train": m.n_train,
            "n_test": m.n_test,
            "n_positive_train": m.n_positive_train,
            "n_positive_test": m.n_positive_test,
            "auc_train": m.auc_train,
            "auc_test": m.auc_test,
        }
    })
}

/// The settings that differ from PyRadiomics' defaults, with PyRadiomics' names
/// (`binWidth: 5, gldm_a: 1`); `defaults` when none does. The bin width is listed too.
pub fn describe(t: &Settings) -> String {
    let d = Settings::DEFAULT;
    let mut parts: Vec<String> = Vec::new();
    match t.binning {
        Binning::Width(w) => parts.push(format!("binWidth: {}", num(w))),
        Binning::Count(n) => parts.push(format!("binCount: {n}")),
    }
    if t.voxel_array_shift != d.voxel_array_shift {
        parts.push(format!("voxelArrayShift: {}", num(t.voxel_array_shift)));
    }
    if let Some(n) = t.normalize {
        parts.push(format!("normalize: true, normalizeScale: {}", num(n.scale)));
        if let Some(r) = n.remove_outliers {
            parts.push(format!("removeOutliers: {}", num(r)));
        }
    }
    if let Some(r) = t.resample {
        parts.push(format!(
            "resampledPixelSpacing: [{}, {}, {}], interpolator: {:?}, padDistance: {}",
            num(r.spacing[0]),
            num(r.spacing[1]),
            num(r.spacing[2]),
            r.interpolator,
            r.pad_distance
        ));
    }
    if t.pre_crop {
        parts.push("preCrop: true".into());
    }
    if let Some(r) = t.resegment {
        parts.push(format!(
            "resegmentRange: [{}, {}], resegmentMode: {:?}, resegmentShape: {}",
            num(r.lo),
            num(r.hi),
            r.mode,
            r.shape
        ));
    }
    if let Some(dim) = t.force_2d {
        parts.push(format!("force2D: true, force2Ddimension: {dim}"));
    }
    if t.distances() != d.distances() {
        parts.push(format!("distances: {:?}", t.distances()));
    }
    if t.symmetrical_glcm != d.symmetrical_glcm {
        parts.push(format!("symmetricalGLCM: {}", t.symmetrical_glcm));
    }
    if t.weighting_norm != d.weighting_norm {
        parts.push(format!("weightingNorm: {:?}", t.weighting_norm));
    }
    if t.gldm_a != d.gldm_a {
        parts.push(format!("gldm_a: {}", num(t.gldm_a)));
    }
    if t.minimum_roi_dimensions != d.minimum_roi_dimensions {
        parts.push(format!(
            "minimumROIDimensions: {}",
            t.minimum_roi_dimensions
        ));
    }
    if let Some(n) = t.minimum_roi_size {
        parts.push(format!("minimumROISize: {n}"));
    }
    if t.wavelet != d.wavelet {
        parts.push(format!("wavelet: {:?}", t.wavelet));
    }
    if t.wavelet_start_level != d.wavelet_start_level {
        parts.push(format!("start_level: {}", t.wavelet_start_level));
    }
    if t.wavelet_level != d.wavelet_level {
        parts.push(format!("level: {}", t.wavelet_level));
    }
    if t.gradient_use_spacing != d.gradient_use_spacing {
        parts.push(format!("gradientUseSpacing: {}", t.gradient_use_spacing));
    }
    parts.join(", ")
}

/// Whether this build's core extracts with these settings: `supported`, or why not.
fn supported(t: &Settings) -> String {
    match t.check() {
        Ok(()) => "supported".into(),
        Err(e) => format!("refused by this core: {e}"),
    }
}

/// Shortest round-trip decimal, in exponent form when very small or large.
fn num(x: f64) -> String {
    if x == 0.0 || (1e-3..1e7).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// ` + b·name` / ` − |b|·name`.
fn term(b: f64, name: &str) -> String {
    if b < 0.0 {
        format!(" − {}·{name}", num(-b))
    } else {
        format!(" + {}·{name}", num(b))
    }
}

fn auc(a: f64) -> String {
    if a < 0.0 {
        "unknown".into()
    } else {
        format!("{a:.3}")
    }
}

/// The model as text.
pub fn to_text(model: &Model, header: &artifact::Header, crc: u32, file_len: usize) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let m = &model.meta;
    let _ = writeln!(s, "model      {}", m.model_id);
    let _ = writeln!(
        s,
        "artifact   format v{}, {} bytes, CRC-32 {crc:08x}, {}",
        header.version,
        file_len,
        if header.is_signed() {
            "signed"
        } else {
            "unsigned"
        }
    );
    let _ = writeln!(
        s,
        "trainer    {}, created {}",
        m.trainer_version,
        radscore_trainer::summary::created(m.created_unix)
            .unwrap_or_else(|| "(date not recorded)".to_string())
    );
    let _ = writeln!(
        s,
        "cohort     train {} ({} positive), test {} ({} positive); AUC train {}, test {}",
        m.n_train,
        m.n_positive_train,
        m.n_test,
        m.n_positive_test,
        auc(m.auc_train),
        auc(m.auc_test)
    );
    let _ = writeln!(
        s,
        "\nradscore = {} + Σ coefficient·(x − mean)/sd",
        num(model.radscore_intercept)
    );
    let columns = feature_columns(model);
    let mut rows: Vec<Vec<String>> = vec![[
        "#",
        "column",
        "source",
        "bin width",
        "settings",
        "label",
        "mean",
        "sd",
        "coefficient",
    ]
    .map(String::from)
    .to_vec()];
    for (i, (f, c)) in model.features.iter().zip(&columns).enumerate() {
        rows.push(vec![
            (i + 1).to_string(),
            c.clone(),
            if model.is_computable(i) {
                "images"
            } else {
                "features table"
            }
            .to_string(),
            num(f.bin_width),
            if f.settings == DEFAULT_SETTINGS {
                "defaults".to_string()
            } else {
                format!("S{}", usize::from(f.settings) + 1)
            },
            f.label.to_string(),
            num(f.mean),
            num(f.sd),
            num(f.coefficient),
        ]);
    }
    s.push_str(&aligned(
        &rows,
        &[true, false, false, true, false, true, true, true, true],
    ));
    let precomputed = (0..model.features.len())
        .filter(|&i| !model.is_computable(i))
        .count();
    let _ = writeln!(
        s,
        "  source: images = the core recomputes the feature from the image and mask (extract, C ABI);"
    );
    let _ = writeln!(
        s,
        "          features table = scored from a features CSV only ({} of {} features){}",
        precomputed,
        model.features.len(),
        if precomputed > 0 {
            "; extraction from images refuses this model"
        } else {
            ""
        }
    );
    let _ = writeln!(
        s,
        "  settings: defaults = PyRadiomics' default settings with the bin width shown{}",
        if model.settings.is_empty() {
            ""
        } else {
            "; Sk = the extraction settings below"
        }
    );
    for (k, t) in model.settings.iter().enumerate() {
        let _ = writeln!(s, "  S{}: {} ({})", k + 1, describe(t), supported(t));
    }
    let _ = writeln!(
        s,
        "\ncombined logistic: lp = {}{}{}",
        num(model.combined_intercept),
        term(model.radscore_coefficient, "radscore"),
        model
            .clinical
            .iter()
            .map(|c| term(c.coefficient, &c.name))
            .collect::<String>()
    );
    let _ = writeln!(
        s,
        "  probability = 1/(1+exp(−lp)); class 1 iff probability ≥ {}",
        model.threshold
    );
    let _ = writeln!(
        s,
        "\nnomogram: {} points per unit of lp",
        num(model.points_per_unit)
    );
    // one row per predictor; every column as wide as its longest cell
    let mut rows: Vec<[String; 5]> = vec![[
        "predictor".into(),
        "kind".into(),
        "unit".into(),
        "coefficient".into(),
        "axis".into(),
    ]];
    let show_unit = |u: &str| {
        if u.is_empty() {
            "—".to_string()
        } else {
            u.to_string()
        }
    };
    rows.push([
        "radscore".into(),
        "continuous".into(),
        "—".into(),
        num(model.radscore_coefficient),
        format!(
            "[{}, {}]",
            num(model.radscore_axis[0]),
            num(model.radscore_axis[1])
        ),
    ]);
    for c in &model.clinical {
        let factor_level = c.name.as_str().contains('=')
            && c.unit
                .as_str()
                .starts_with(radscore_trainer::report::input::REFERENCE_PREFIX);
        rows.push([
            c.name.as_str().to_string(),
            if factor_level {
                "factor level".to_string()
            } else {
                kind(c.kind).to_string()
            },
            if factor_level {
                format!(
                    "reference {}",
                    &c.unit.as_str()[radscore_trainer::report::input::REFERENCE_PREFIX.len()..]
                )
            } else {
                show_unit(c.unit.as_str())
            },
            num(c.coefficient),
            format!("[{}, {}]", num(c.axis_min), num(c.axis_max)),
        ]);
    }
    let rows: Vec<Vec<String>> = rows.into_iter().map(|r| r.to_vec()).collect();
    s.push_str(&aligned(&rows, &[false, false, false, true, false]));
    let _ = writeln!(
        s,
        "  unit: as recorded in the model (\u{2014} = none recorded); a factor's levels are binary predictors <name>=<level> against its reference level"
    );
    s
}

/// Rows as text columns, each as wide as its widest cell (counted in characters), two spaces
/// apart, right-aligned where `right` says (numbers), two spaces of indent.
fn aligned(rows: &[Vec<String>], right: &[bool]) -> String {
    let n = right.len();
    let w: Vec<usize> = (0..n)
        .map(|k| rows.iter().map(|r| r[k].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::from(" ");
        for k in 0..n {
            let pad = " ".repeat(w[k] - r[k].chars().count());
            line.push(' ');
            if right[k] {
                line.push_str(&pad);
                line.push_str(&r[k]);
            } else {
                line.push_str(&r[k]);
                line.push_str(&pad);
            }
            line.push(' ');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Runs `radscore inspect`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let model = load_model(&args.model, None)?;
    let bytes = super::verify::read_model_file(&args.model)?;
    let parts = artifact::split(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    if args.json {
        let v = to_json(&model, &parts.header, parts.crc, bytes.len());
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print!("{}", to_text(&model, &parts.header, parts.crc, bytes.len()));
    }
    Ok(ExitCode::SUCCESS)
}
