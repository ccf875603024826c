//! Scoring: z-scores → radscore → linear predictor → probability, nomogram points, class.
//! The formulas are in the [module doc](super).

use super::{Model, PredictorKind, MAX_PREDICTORS};
use crate::error::Error;

/// The result of scoring one case.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score {
    /// `radscore_intercept + Σ β_i·z_i`.
    pub radscore: f64,
    /// Linear predictor of the combined logistic model.
    pub linear_predictor: f64,
    /// Predicted probability of class 1.
    pub probability: f64,
    /// `1` iff `probability ≥ threshold`.
    pub predicted_class: u8,
    /// Sum of the nomogram points of every predictor.
    pub total_points: f64,
    /// Nomogram points per predictor: the radscore first, then the clinical predictors in model
    /// order; only the first `n_points` entries are meaningful (see [`Score::points`]).
    pub points: [f64; MAX_PREDICTORS],
    /// Number of predictors (`1 + clinical`).
    pub n_points: usize,
}

impl Score {
    /// The nomogram points of each predictor (radscore first, then clinical, model order).
    pub fn points(&self) -> &[f64] {
        self.points.get(..self.n_points).unwrap_or(&self.points)
    }
}

/// Logistic function in the form that never overflows: for `lp ≥ 0` it is `1/(1+e^{−lp})`, for
/// `lp < 0` it is `e^{lp}/(1+e^{lp})`.
pub(crate) fn logistic(lp: f64) -> f64 {
    if lp >= 0.0 {
        1.0 / (1.0 + libm::exp(-lp))
    } else {
        let e = libm::exp(lp);
        e / (1.0 + e)
    }
}

/// Nomogram points of value `x` on a predictor with beta `b` and axis `[lo, hi]`.
fn points(b: f64, x: f64, lo: f64, hi: f64, per_unit: f64) -> f64 {
    let (a, c) = (b * lo, b * hi);
    (b * x - if a < c { a } else { c }) * per_unit
}

impl Model {
    /// Scores one case from raw feature values (model feature order) and raw clinical values
    /// (model clinical order).
    ///
    /// The model must be valid ([`Model::validate`]; every decoded model is).
    ///
    /// # Errors
    /// * [`Error::FeatureCountMismatch`] / [`Error::ClinicalCountMismatch`] — wrong slice length;
    /// * [`Error::NonFiniteInput`] — an input is NaN or infinite;
    /// * [`Error::NonBinaryInput`] — a binary predictor's value is neither 0 nor 1;
    /// * [`Error::NonFiniteScore`] — the radscore or the linear predictor overflows to ±∞ or NaN
    ///   (finite inputs far outside the training range, e.g. two features at ±1e308): never a
    ///   silent NaN probability or class.
    pub fn score(&self, features: &[f64], clinical: &[f64]) -> Result<Score, Error> {
        if features.len() != self.features.len() {
            return Err(Error::FeatureCountMismatch);
        }
        if clinical.len() != self.clinical.len() {
            return Err(Error::ClinicalCountMismatch);
        }
        let mut radscore = self.radscore_intercept;
        for (f, &x) in self.features.iter().zip(features) {
            if !x.is_finite() {
                return Err(Error::NonFiniteInput);
            }
            radscore += f.coefficient * ((x - f.mean) / f.sd);
        }
        let ppu = self.points_per_unit;
        let mut pts = [0.0f64; MAX_PREDICTORS];
        let [lo, hi] = self.radscore_axis;
        let b = self.radscore_coefficient;
        let mut lp = self.combined_intercept + b * radscore;
        let first = points(b, radscore, lo, hi, ppu);
        let mut total = first;
        if let Some(p) = pts.first_mut() {
            *p = first;
        }
        for ((c, &x), p) in self
            .clinical
            .iter()
            .zip(clinical)
            .zip(pts.iter_mut().skip(1))
        {
            if !x.is_finite() {
                return Err(Error::NonFiniteInput);
            }
            if c.kind == PredictorKind::Binary && x != 0.0 && x != 1.0 {
                return Err(Error::NonBinaryInput);
            }
            lp += c.coefficient * x;
            *p = points(c.coefficient, x, c.axis_min, c.axis_max, ppu);
            total += *p;
        }
        if !(radscore.is_finite() && lp.is_finite() && total.is_finite()) {
            return Err(Error::NonFiniteScore);
        }
        let probability = logistic(lp);
        Ok(Score {
            radscore,
            linear_predictor: lp,
            probability,
            predicted_class: u8::from(probability >= self.threshold),
            total_points: total,
            points: pts,
            n_points: 1 + self.clinical.len(),
        })
    }
}
