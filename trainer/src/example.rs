//! An illustrative model: the study's seven published LASSO coefficients with **placeholder**
//! parameters, so that scoring, the artifact and the C ABI can be exercised before any cohort has
//! been trained on.
//!
//! What is published and what is not (see `docs/study.md` of the study summary):
//!
//! | part | value here | source |
//! |---|---|---|
//! | features and LASSO coefficients | the seven of the study | **published** |
//! | z-score means and sds | rough magnitudes of each feature | **placeholder** (not published) |
//! | radscore intercept | 0 | **placeholder** (not published) |
//! | combined intercept, radscore coefficient | −0.3, 1.0 | **placeholder** |
//! | texture coefficient | ln 4.560 (the clinical model's univariate-style OR) | **placeholder**: an OR of the clinical model reused as a combined-model beta |
//! | volume coefficient | ln 0.944 / 1000 per mm³ | **placeholder**: the published OR read as per cm³ |
//! | nomogram axes, threshold | radscore [−4, 4], volume [0, 40 000] mm³, threshold 0.5 | **placeholder** |
//!
//! A model built from these numbers is **not** the study's model and must not be used on patients;
//! it exists for tests, examples and the README. Deployable models come from `radscore train`.

use radscore_core::model::{
    ClinicalPredictor, FeatureRecipe, Metadata, Model, PredictorKind, ShortName,
};
use radscore_core::names::FeatureName;

/// The study's seven features: (sequence, PyRadiomics name, published LASSO coefficient,
/// placeholder z-score mean, placeholder z-score sd).
pub const SEVEN: [(&str, &str, f64, f64, f64); 7] = [
    (
        "dce",
        "exponential_firstorder_Kurtosis",
        -0.340991877,
        4.0,
        2.0,
    ),
    (
        "dce",
        "exponential_firstorder_Minimum",
        0.617847415,
        1.0,
        0.5,
    ),
    (
        "dce",
        "gradient_firstorder_Variance",
        -0.364995936,
        400.0,
        250.0,
    ),
    (
        "dwi",
        "log-sigma-3-0-mm-3D_glszm_SmallAreaEmphasis",
        -0.164593498,
        0.55,
        0.12,
    ),
    (
        "t2",
        "wavelet-LHH_glszm_HighGrayLevelZoneEmphasis",
        0.390840424,
        30.0,
        15.0,
    ),
    (
        "t2",
        "wavelet-LHL_glrlm_RunLengthNonUniformityNormalized",
        -0.397490758,
        0.8,
        0.08,
    ),
    (
        "t2",
        "wavelet-LLH_glrlm_ShortRunHighGrayLevelEmphasis",
        0.347476841,
        25.0,
        12.0,
    ),
];

fn short(s: &str) -> ShortName {
    let mut out = ShortName::new();
    // Every literal in this file is shorter than the capacity.
    let _ = out.push_str(s);
    out
}

/// `100 / max_k |b_k|·(hi_k − lo_k)`: the rms nomogram scale (the widest predictor spans 100
/// points).
pub fn points_per_unit(model: &Model) -> f64 {
    let mut widest =
        (model.radscore_coefficient * (model.radscore_axis[1] - model.radscore_axis[0])).abs();
    for c in &model.clinical {
        widest = widest.max((c.coefficient * (c.axis_max - c.axis_min)).abs());
    }
    100.0 / widest
}

/// The illustrative model (see the module doc: published coefficients, placeholder parameters).
pub fn illustrative_model() -> Model {
    let mut features = heapless::Vec::new();
    for (sequence, name, coefficient, mean, sd) in SEVEN {
        if let Err(e) = FeatureName::parse(name) {
            unreachable!("the seven names parse: {name}: {e}");
        }
        let name = match heapless::String::try_from(name) {
            Ok(n) => n,
            Err(_) => unreachable!("the seven names fit MAX_FEATURE_NAME: {name}"),
        };
        let recipe = FeatureRecipe {
            sequence: short(sequence),
            name,
            bin_width: 25.0,
            label: 1,
            mean,
            sd,
            coefficient,
            settings: radscore_core::model::DEFAULT_SETTINGS,
        };
        if features.push(recipe).is_err() {
            unreachable!("seven features fit in MAX_FEATURES");
        }
    }
    let mut clinical = heapless::Vec::new();
    let texture = ClinicalPredictor {
        name: short("texture"),
        kind: PredictorKind::Binary,
        unit: short("0=soft,1=stiff"),
        coefficient: 4.560f64.ln(),
        axis_min: 0.0,
        axis_max: 1.0,
    };
    let volume = ClinicalPredictor {
        name: short("volume"),
        kind: PredictorKind::Continuous,
        unit: short("mm3"),
        coefficient: 0.944f64.ln() / 1000.0,
        axis_min: 0.0,
        axis_max: 40_000.0,
    };
    for c in [texture, volume] {
        if clinical.push(c).is_err() {
            unreachable!("two predictors fit in MAX_CLINICAL");
        }
    }
    let mut model_id = heapless::String::new();
    let _ = model_id.push_str("illustrative-seven-feature-placeholder");
    let mut model = Model {
        features,
        radscore_intercept: 0.0,
        combined_intercept: -0.3,
        radscore_coefficient: 1.0,
        radscore_axis: [-4.0, 4.0],
        clinical,
        points_per_unit: 1.0,
        threshold: 0.5,
        meta: Metadata {
            model_id,
            created_unix: 0,
            trainer_version: short(env!("CARGO_PKG_VERSION")),
            n_train: 0,
            n_test: 0,
            n_positive_train: 0,
            n_positive_test: 0,
            auc_train: -1.0,
            auc_test: -1.0,
        },
        settings: heapless::Vec::new(),
    };
    model.points_per_unit = points_per_unit(&model);
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_valid_and_has_the_published_coefficients() {
        let m = illustrative_model();
        assert_eq!(m.validate(), Ok(()));
        assert_eq!(m.features.len(), 7);
        let sum: f64 = m.features.iter().map(|f| f.coefficient).sum();
        let published: f64 = SEVEN.iter().map(|s| s.2).sum();
        assert_eq!(sum, published);
        assert_eq!(
            m.features[3].name.to_string(),
            "log-sigma-3-0-mm-3D_glszm_SmallAreaEmphasis"
        );
    }
}
