//! Building a [`ReportInput`] from a training run or from a model and a cohort.

use anyhow::{bail, Context};
use radscore_core::model::{Model, PredictorKind};

use super::{
    Baseline, BaselineVar, BootstrapSettings, Coefficient, LassoTrace, ModelCurves, NomogramAxis,
    NomogramSpec, Obs, OddsRow, Part, RefitDesign, ReportInput, ScoredCase, VarKind,
};
use crate::clinical::OrRow;
use crate::cohort::{Cohort, Set};
use crate::lasso::LassoCvResult;
use crate::pipeline::{Prediction, TrainResult};

/// Class names used when nothing better is known.
pub const DEFAULT_CLASS_NAMES: [&str; 2] = ["class 0", "class 1"];

fn part(s: Set) -> Part {
    match s {
        Set::Train => Part::Train,
        Set::Test => Part::Test,
        Set::External(k) => Part::External(k),
    }
}

fn obs(p: &[Prediction]) -> Vec<Obs> {
    p.iter()
        .map(|x| Obs {
            label: x.label,
            value: x.value,
        })
        .collect()
}

fn odds(rows: &[OrRow]) -> Vec<OddsRow> {
    rows.iter()
        .map(|r| OddsRow {
            name: r.name.clone(),
            or: r.or,
            ci_low: r.ci_low,
            ci_high: r.ci_high,
            p: r.p,
            level: r.level.clone(),
            reference: r.reference.clone(),
        })
        .collect()
}

/// Prefix of a factor level's `unit` in the model (`ref=<reference level>`).
pub const REFERENCE_PREFIX: &str = "ref=";

/// The nomogram scales stored in a core model.
pub fn nomogram_spec(model: &Model) -> NomogramSpec {
    let mut axes = vec![NomogramAxis {
        name: "Radscore".into(),
        unit: String::new(),
        beta: model.radscore_coefficient,
        lo: model.radscore_axis[0],
        hi: model.radscore_axis[1],
        binary: false,
        levels: Vec::new(),
    }];
    for c in &model.clinical {
        // a factor's levels (binary `<name>=<level>` with unit `ref=<reference>`, consecutive)
        // share one axis
        let level = (c.kind == PredictorKind::Binary)
            .then(|| {
                let (var, lvl) = c.name.as_str().split_once('=')?;
                let r = c.unit.as_str().strip_prefix(REFERENCE_PREFIX)?;
                Some((var.to_string(), lvl.to_string(), r.to_string()))
            })
            .flatten();
        if let Some((var, lvl, r)) = level {
            match axes.last_mut() {
                Some(a) if !a.levels.is_empty() && a.name == var && a.levels[0].0 == r => {
                    a.levels.push((lvl, c.coefficient));
                }
                _ => axes.push(NomogramAxis {
                    name: var,
                    unit: String::new(),
                    beta: 0.0,
                    lo: 0.0,
                    hi: 1.0,
                    binary: false,
                    levels: vec![(r, 0.0), (lvl, c.coefficient)],
                }),
            }
            continue;
        }
        axes.push(NomogramAxis {
            name: c.name.as_str().to_string(),
            unit: c.unit.as_str().to_string(),
            beta: c.coefficient,
            lo: c.axis_min,
            hi: c.axis_max,
            binary: c.kind == PredictorKind::Binary,
            levels: Vec::new(),
        });
    }
    NomogramSpec {
        intercept: model.combined_intercept,
        points_per_unit: model.points_per_unit,
        axes,
    }
}

/// `<sequence>_<PyRadiomics name>` of each model feature, with its coefficient.
pub fn feature_coefficients(model: &Model) -> Vec<Coefficient> {
    model
        .features
        .iter()
        .map(|f| Coefficient {
            name: format!("{}_{}", f.sequence.as_str(), f.name),
            value: f.coefficient,
        })
        .collect()
}

/// Baseline input from a cohort's clinical columns (binary model predictors are categorical;
/// other columns are categorical when integer-valued with at most 5 levels).
pub fn baseline(cohort: &Cohort, parts: &[Part], model: Option<&Model>) -> Option<Baseline> {
    if cohort.clinical_names.is_empty() || cohort.is_empty() {
        return None;
    }
    let vars = cohort
        .clinical_names
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let values = cohort.clinical.col(j).to_vec();
            let binary = model.is_some_and(|m| {
                m.clinical
                    .iter()
                    .any(|c| c.name.as_str() == name && c.kind == PredictorKind::Binary)
            });
            let kind = if binary {
                VarKind::Categorical
            } else {
                BaselineVar::infer_kind(&values)
            };
            BaselineVar {
                name: name.clone(),
                kind: if cohort.is_factor(j) {
                    VarKind::Categorical
                } else {
                    kind
                },
                values,
                levels: cohort.clinical_levels.get(j).cloned().unwrap_or_default(),
            }
        })
        .collect();
    Some(Baseline {
        labels: cohort.labels.clone(),
        parts: parts.to_vec(),
        vars,
    })
}

/// Cross-validation trace of a LASSO-CV (SD over folds with ddof = 1).
pub fn lasso_trace(cv: &LassoCvResult, features: &[String], path: &[Vec<f64>]) -> LassoTrace {
    let sd_mse = cv
        .mse_path
        .iter()
        .map(|row| {
            let k = row.len() as f64;
            if row.len() < 2 {
                return 0.0;
            }
            let m = row.iter().sum::<f64>() / k;
            (row.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (k - 1.0)).sqrt()
        })
        .collect();
    LassoTrace {
        alphas: cv.alphas.clone(),
        mean_mse: cv.mean_mse.clone(),
        sd_mse,
        chosen: cv.alpha_index,
        min_index: cv.min_index,
        one_se_index: cv.one_se_index,
        n_folds: cv.mse_path.first().map_or(0, Vec::len),
        features: features.to_vec(),
        path: path.to_vec(),
    }
}

/// The combined model's training design: the radscore and the model's clinical predictors (as the
/// pipeline fits it), training patients only. None without training patients or when a predictor
/// column is missing.
pub fn refit_design(
    model: &Model,
    cohort: &Cohort,
    parts: &[Part],
    radscore: &[f64],
) -> Option<RefitDesign> {
    let rows: Vec<usize> = (0..parts.len())
        .filter(|&i| parts[i] == Part::Train)
        .collect();
    if rows.is_empty() || radscore.len() != parts.len() {
        return None;
    }
    let mut names = vec!["radscore".to_string()];
    let mut columns = vec![rows.iter().map(|&i| radscore[i]).collect::<Vec<f64>>()];
    for c in &model.clinical {
        let col = cohort.design_column(c.name.as_str())?;
        names.push(c.name.as_str().to_string());
        columns.push(rows.iter().map(|&i| col[i]).collect());
    }
    Some(RefitDesign {
        names,
        columns,
        labels: rows.iter().map(|&i| cohort.labels[i]).collect(),
    })
}

/// Youden cut-off of the radscore on the training patients (all patients if none is in training).
fn radscore_cutoff(cases: &[ScoredCase]) -> Option<f64> {
    let pick = |p: Option<Part>| -> (Vec<u8>, Vec<f64>) {
        let sel: Vec<&ScoredCase> = cases
            .iter()
            .filter(|c| p.is_none_or(|p| c.part == p) && c.value.is_finite())
            .collect();
        (
            sel.iter().map(|c| c.label).collect(),
            sel.iter().map(|c| c.value).collect(),
        )
    };
    let (mut y, mut s) = pick(Some(Part::Train));
    if y.is_empty() {
        (y, s) = pick(None);
    }
    let both = y.contains(&1) && y.iter().any(|&l| l != 1);
    if !both {
        return None;
    }
    // The pipeline's tie rule, so the waterfall's cut-off and summary.json's thresholds agree.
    crate::stats::roc::youden_highest(&y, &s)
        .map(|yd| yd.threshold)
        .filter(|t| t.is_finite())
}

impl ReportInput {
    /// Everything a training run produced: all models, the multimodal radscore, the LASSO trace,
    /// the clinical odds ratios, the cohort's clinical columns and the combined model's nomogram.
    pub fn from_train(r: &TrainResult) -> ReportInput {
        let parts: Vec<Part> = r.sets.iter().map(|&s| part(s)).collect();
        let models: Vec<ModelCurves> = r
            .models
            .iter()
            .map(|m| ModelCurves {
                name: m.name.clone(),
                threshold: m.threshold,
                probability: true,
                train: obs(&m.train),
                test: obs(&m.test),
                other: m
                    .external
                    .iter()
                    .enumerate()
                    .map(|(k, p)| (Part::External(k as u8), obs(p)))
                    .collect(),
            })
            .collect();
        let reference = models
            .iter()
            .position(|m| m.name == "combined")
            .or_else(|| models.len().checked_sub(1));
        let radscore: Vec<ScoredCase> = r
            .radscore
            .iter()
            .map(|p| ScoredCase {
                id: p.patient_id.clone(),
                label: p.label,
                part: part(p.set),
                value: p.value,
            })
            .collect();
        let n_train = parts.iter().filter(|&&p| p == Part::Train).count();
        let n_test = parts.iter().filter(|&&p| p == Part::Test).count();
        let externals: String = r
            .cohort
            .external_names
            .iter()
            .enumerate()
            .map(|(k, name)| {
                format!(
                    ", {} external ({name})",
                    parts
                        .iter()
                        .filter(|&&p| p == Part::External(k as u8))
                        .count()
                )
            })
            .collect();
        let how = if r.cohort.split.is_some() {
            "sets from the cohort's split column".to_string()
        } else {
            let s = &r.summary["split"];
            format!(
                "stratified random split (seed {}, test fraction {}), saved in summary.json (split.assignment)",
                s["seed"],
                s["test_size"]
            )
        };
        ReportInput {
            title: "radscore validation report".into(),
            class_names: r.class_names.clone(),
            external_names: r.cohort.external_names.clone(),
            models,
            reference,
            radscore_cutoff: radscore_cutoff(&radscore),
            radscore,
            baseline: baseline(&r.cohort, &parts, Some(&r.model)),
            univariate: odds(&r.univariate),
            multivariate: odds(&r.multivariate),
            features: feature_coefficients(&r.model),
            radscore_intercept: Some(r.model.radscore_intercept),
            lasso: Some(lasso_trace(&r.lasso, &r.lasso_features, &r.lasso_coef_path)),
            nomogram: Some(nomogram_spec(&r.model)),
            refit: refit_design(
                &r.model,
                &r.cohort,
                &parts,
                &r.radscore.iter().map(|p| p.value).collect::<Vec<f64>>(),
            ),
            bootstrap: BootstrapSettings::default(),
            notes: vec![
                format!(
                    "Training run: {} patients ({} training, {} test{externals}; {how}), {} models; model id {}.",
                    parts.len(),
                    n_train,
                    n_test,
                    r.models.len(),
                    r.model.meta.model_id.as_str()
                ),
                format!(
                    "Thresholds (sensitivity, specificity, radscore cut-off) are chosen on the training set (Youden index) and applied unchanged to the test set{}.",
                    if r.cohort.external_names.is_empty() { "" } else { " and the external validation cohorts" }
                ),
            ],
        }
    }

    /// A model applied to a cohort (`radscore report`): every patient is scored through the core
    /// model; the report shows the combined model and the radscore, the baseline table of the
    /// cohort's clinical columns, the selected features and the nomogram. The cohort's split
    /// column decides set membership; without one every patient is of unknown set
    /// ([`Part::All`]: they may include training patients). See [`ReportInput::from_model_with`]
    /// for a saved split.
    pub fn from_model(model: &Model, cohort: &Cohort) -> anyhow::Result<ReportInput> {
        Self::from_model_with(model, cohort, None)
    }

    /// [`ReportInput::from_model`] with the split saved at training time (`summary.json`'s
    /// `split.assignment`: patient id → `train`, `test` or an external cohort's name), used when
    /// the cohort has no split column; patients missing from it are of unknown set.
    pub fn from_model_with(
        model: &Model,
        cohort: &Cohort,
        saved: Option<&[(String, String)]>,
    ) -> anyhow::Result<ReportInput> {
        model
            .validate()
            .map_err(|e| anyhow::anyhow!("invalid model: {} (error {})", e.message(), e.code()))?;
        // Column of each model feature and clinical predictor.
        let mut feat_cols = Vec::with_capacity(model.features.len());
        for f in &model.features {
            let col = format!("{}_{}", f.sequence.as_str(), f.name);
            let j = cohort
                .feature_names
                .iter()
                .position(|n| *n == col)
                .with_context(|| {
                    format!("the cohort has no column '{col}' (a feature of the model)")
                })?;
            feat_cols.push(j);
        }
        let mut clin_cols = Vec::with_capacity(model.clinical.len());
        for c in &model.clinical {
            let col = cohort.design_column(c.name.as_str()).with_context(|| {
                match c.name.as_str().split_once('=') {
                    Some((var, level)) => format!(
                        "the cohort has no factor column '{var}' with level '{level}' (a predictor of the model; \
                         name the column in --factor-columns)"
                    ),
                    None => format!(
                        "the cohort has no clinical column '{}' (a predictor of the model)",
                        c.name.as_str()
                    ),
                }
            })?;
            clin_cols.push(col);
        }
        let mut external_names = cohort.external_names.clone();
        let mut n_unsaved = 0;
        let parts: Vec<Part> = match (&cohort.split, saved) {
            (Some(s), _) => s.iter().map(|&x| part(x)).collect(),
            (None, Some(saved)) => {
                let map: std::collections::HashMap<&str, &str> = saved
                    .iter()
                    .map(|(id, set)| (id.as_str(), set.as_str()))
                    .collect();
                let mut out = Vec::with_capacity(cohort.len());
                for id in &cohort.ids {
                    out.push(match map.get(id.as_str()) {
                        None => {
                            n_unsaved += 1;
                            Part::All
                        }
                        Some(&"train") => Part::Train,
                        Some(&"test") => Part::Test,
                        Some(&name) => {
                            let k = match external_names.iter().position(|n| n == name) {
                                Some(k) => k,
                                None => {
                                    if external_names.len() == crate::cohort::MAX_EXTERNAL {
                                        bail!(
                                            "the saved split has more than {} external cohorts",
                                            crate::cohort::MAX_EXTERNAL
                                        );
                                    }
                                    external_names.push(name.to_string());
                                    external_names.len() - 1
                                }
                            };
                            Part::External(k as u8)
                        }
                    });
                }
                out
            }
            (None, None) => vec![Part::All; cohort.len()],
        };
        let mut combined = ModelCurves {
            name: "combined".into(),
            threshold: model.threshold,
            probability: true,
            train: vec![],
            test: vec![],
            other: vec![],
        };
        let mut radscore = Vec::with_capacity(cohort.len());
        for (i, &pi) in parts.iter().enumerate() {
            let x: Vec<f64> = feat_cols
                .iter()
                .map(|&j| cohort.features.get(i, j))
                .collect();
            let c: Vec<f64> = clin_cols.iter().map(|col| col[i]).collect();
            let s = model.score(&x, &c).map_err(|e| {
                anyhow::anyhow!(
                    "patient '{}' (data row {}): cannot score: {} (error {})",
                    cohort.ids[i],
                    i + 1,
                    e.message(),
                    e.code()
                )
            })?;
            let o = Obs {
                label: cohort.labels[i],
                value: s.probability,
            };
            combined.push(pi, o);
            radscore.push(ScoredCase {
                id: cohort.ids[i].clone(),
                label: cohort.labels[i],
                part: pi,
                value: s.radscore,
            });
        }
        let cutoff = radscore_cutoff(&radscore);
        let refit = refit_design(
            model,
            cohort,
            &parts,
            &radscore.iter().map(|c| c.value).collect::<Vec<f64>>(),
        );
        let mut rad_model = ModelCurves {
            name: "radscore".into(),
            threshold: cutoff.unwrap_or(f64::NAN),
            probability: false,
            train: vec![],
            test: vec![],
            other: vec![],
        };
        for c in &radscore {
            rad_model.push(
                c.part,
                Obs {
                    label: c.label,
                    value: c.value,
                },
            );
        }
        let count = |p: Part| parts.iter().filter(|&&q| q == p).count();
        let n_train = count(Part::Train);
        let n_all = count(Part::All);
        let mut sets = vec![
            format!("{} training", n_train),
            format!("{} test", count(Part::Test)),
        ];
        for (k, name) in external_names.iter().enumerate() {
            sets.push(format!(
                "{} external ({name})",
                count(Part::External(k as u8))
            ));
        }
        if n_all > 0 {
            sets.push(format!("{n_all} of unknown set"));
        }
        let source = match (&cohort.split, saved) {
            (Some(_), _) => "sets from the cohort's split column".to_string(),
            (None, Some(_)) if n_unsaved > 0 => format!(
                "sets from the split saved at training time; {n_unsaved} patients are not in it"
            ),
            (None, Some(_)) => "sets from the split saved at training time".to_string(),
            (None, None) => "no split column and no saved split: the set of each patient is unknown, so training patients may be among them and nothing here is a validation".to_string(),
        };
        let mut notes = vec![
            format!(
                "Model {} applied to {} patients ({}; {source}). The combined model's threshold {} is the one stored in the model (Youden index on the training set when it was trained).",
                model.meta.model_id.as_str(),
                cohort.len(),
                sets.join(", "),
                fmt_num(model.threshold)
            ),
            if n_train > 0 {
                "The radscore cut-off is the Youden-optimal one on this cohort's training patients.".to_string()
            } else {
                "The radscore cut-off is the Youden-optimal one on all these patients (no training patients are identified), which is optimistic.".to_string()
            },
        ];
        if model.meta.auc_train >= 0.0 {
            notes.push(format!(
                "AUC of the combined model recorded at training time: {} (training), {} (test).",
                fmt_num(model.meta.auc_train),
                fmt_num(model.meta.auc_test)
            ));
        }
        Ok(ReportInput {
            title: "radscore validation report".into(),
            class_names: DEFAULT_CLASS_NAMES.map(String::from),
            external_names,
            models: vec![rad_model, combined],
            reference: Some(1),
            radscore,
            radscore_cutoff: cutoff,
            baseline: baseline(cohort, &parts, Some(model)),
            univariate: Vec::new(),
            multivariate: Vec::new(),
            features: feature_coefficients(model),
            radscore_intercept: Some(model.radscore_intercept),
            lasso: None,
            nomogram: Some(nomogram_spec(model)),
            refit,
            bootstrap: BootstrapSettings::default(),
            notes,
        })
    }
}

fn fmt_num(x: f64) -> String {
    super::fmt::fixed(x, 3)
}

/// Fails unless every label is 0/1 and both classes occur (used by callers that need ROC curves).
pub fn check_labels(labels: &[u8]) -> anyhow::Result<()> {
    if !(labels.contains(&1) && labels.contains(&0)) {
        bail!("the cohort needs patients of both classes (label 0 and 1)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(label: u8, part: Part, value: f64) -> ScoredCase {
        ScoredCase {
            id: format!("p{value}"),
            label,
            part,
            value,
        }
    }

    #[test]
    fn radscore_cutoff_takes_the_highest_tied_youden_threshold() {
        // Training scores 1..6 with cases {3, 5, 6}: cut-offs 2.5 and 4.5 tie at J = 2/3.
        let labels = [0, 0, 1, 0, 1, 1];
        let mut cases: Vec<ScoredCase> = labels
            .iter()
            .enumerate()
            .map(|(i, &l)| case(l, Part::Train, (i + 1) as f64))
            .collect();
        // Test patients must not influence the cut-off.
        cases.push(case(1, Part::Test, 0.0));
        cases.push(case(0, Part::Test, 10.0));
        assert_eq!(radscore_cutoff(&cases), Some(4.5));
        // Without training patients, all patients are used.
        let all_test: Vec<ScoredCase> = labels
            .iter()
            .enumerate()
            .map(|(i, &l)| case(l, Part::Test, (i + 1) as f64))
            .collect();
        assert_eq!(radscore_cutoff(&all_test), Some(4.5));
        // One class only: no cut-off.
        assert_eq!(radscore_cutoff(&[case(1, Part::Train, 1.0)]), None);
    }
}
