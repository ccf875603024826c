//! The study's whole pipeline: split, selection, radscore, models, summary.
//!
//! 1. Split: the cohort's split column, or scikit-learn's stratified `train_test_split` with the
//!    seed (training rows then in scikit-learn's order, which fixes the CV folds).
//! 2. Radiomics columns constant on the training rows are dropped (`constant_dropped`).
//! 3. Per radiomics model (`t2`, `dwi`, `dce` on that sequence's columns; `multimodal` on all):
//!    z-score with training mean / population SD → Spearman redundancy filter → ANOVA F top
//!    fraction → LassoCV on the 0/1 label (or an L1 logistic LASSO) → radscore = intercept + Σ βᵢzᵢ;
//!    the model's probability is a logistic regression on its radscore.
//! 4. Clinical model: univariate screen, multivariate, refit (see [`crate::clinical`]).
//! 5. Combined model: logistic regression on the multimodal radscore and the retained clinical
//!    variables; exported as the core [`Model`] with its nomogram scales.
//!    Any unpenalised logistic fit (per-model radscore fits, clinical refit, combined) whose
//!    maximum-likelihood estimate does not exist (complete or quasi-complete separation) falls back
//!    to scikit-learn's default L2 logistic regression (C = 1) for that model; the summary records
//!    `<model>.fit` = `"l2_c1_separation"` (or `"l2"` with [`TrainOptions::logistic_l2`]; absent =
//!    `"mle"`, so an ordinary summary keeps the reference's keys), and the progress output says
//!    so. Clinical candidates without an estimate are skipped (`clinical.skipped`: name → reason,
//!    present when non-empty).
//! 6. Per model and set: AUC with DeLong 95 % CI, the Youden cut-off on training and the
//!    sensitivity/specificity at that cut-off on both sets.
//!
//! Everything is deterministic: the same cohort and options give bit-identical results.

pub use crate::clinical::OrRow;
use crate::clinical::{design, screen_vars, ClinVar, ClinicalScreen};
use crate::cohort::radiomics_column;
pub use crate::cohort::{Cohort, Set};
use crate::fclassif::{f_classif, select_k_best};
use crate::lasso::{lasso_cv_batch_with, CvSpec, LassoCvOptions, LassoCvResult};
use crate::logistic::{
    fit_logistic, fit_logistic_l2, l1_logistic_cv, no_mle, sigmoid, LogisticFit,
};
use crate::preprocess::{constant_columns, Matrix, ZScore};
use crate::spearman::{spearman_filter, SpearmanRule};
use crate::split::kfold_ids;
use crate::split::stratified_split;
use crate::stats::nomogram::pretty;
use crate::stats::roc::{delong, sens_spec_at, youden_highest};
use anyhow::{bail, Context, Result};
use radscore_core::model::{ClinicalPredictor, FeatureRecipe, Metadata, Model, PredictorKind};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// How the radiomics features are finally selected and weighted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Selection {
    /// scikit-learn `LassoCV` on the 0/1 label (linear-probability LASSO, MSE CV) — the study.
    #[default]
    Lasso,
    /// L1-penalised logistic regression, CV on binomial deviance (glmnet-like); the radscore is
    /// then on the logit scale.
    L1Logistic,
}

/// Pipeline settings. `Default` = the study (and scikit-learn defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    /// Seed of the stratified split when the cohort has no split column.
    pub seed: u32,
    /// Test fraction of the stratified split.
    pub test_size: f64,
    /// Spearman redundancy threshold on |rho|.
    pub spearman_threshold: f64,
    /// Which Spearman rule.
    pub spearman_rule: SpearmanRule,
    /// Fraction of the Spearman survivors kept by ANOVA F (k = ⌊n·fraction⌋, at least 1).
    pub k_fraction: f64,
    /// LassoCV settings (also the fold count / alpha rule of the L1-logistic variant).
    pub lasso: LassoCvOptions,
    /// Final radiomics selection method.
    pub selection: Selection,
    /// Significance level of the clinical screen.
    pub clinical_p: f64,
    /// `Some(C)`: fit the radscore/combined logistic models like scikit-learn's default
    /// `LogisticRegression(C)` (L2) instead of the unpenalised MLE.
    pub logistic_l2: Option<f64>,
    /// Bin width recorded in every feature recipe.
    pub bin_width: f64,
    /// Mask label recorded in every feature recipe.
    pub mask_label: u32,
    /// Creation time written into the model metadata and `summary.json` (seconds since the Unix
    /// epoch; 0 = not recorded).
    pub created_unix: u64,
    /// Names of label 0 and label 1 (report and summary); `None`: the cohort's text labels, or
    /// `class 0` / `class 1`.
    #[serde(default)]
    pub class_names: Option<[String; 2]>,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            seed: 42,
            test_size: 0.3,
            spearman_threshold: 0.9,
            spearman_rule: SpearmanRule::Greedy,
            k_fraction: 0.5,
            lasso: LassoCvOptions::default(),
            selection: Selection::Lasso,
            clinical_p: 0.05,
            logistic_l2: None,
            bin_width: 25.0,
            mask_label: 1,
            created_unix: 0,
            class_names: None,
        }
    }
}

/// One patient's output of a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Patient id.
    pub patient_id: String,
    /// Outcome.
    pub label: u8,
    /// Set membership.
    pub set: Set,
    /// Probability (or, in [`TrainResult::radscore`], the radscore).
    pub value: f64,
}

/// A fitted and evaluated model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelEval {
    /// `clinical`, `t2`, `dwi`, `dce`, `multimodal` or `combined`.
    pub name: String,
    /// Logistic intercept.
    pub intercept: f64,
    /// Logistic coefficients by predictor (`radscore` or clinical names).
    pub coefficients: Vec<(String, f64)>,
    /// Training probabilities (training order).
    pub train: Vec<Prediction>,
    /// Test probabilities (test order).
    pub test: Vec<Prediction>,
    /// Probabilities of each external validation cohort ([`Cohort::external_names`] order).
    #[serde(default)]
    pub external: Vec<Vec<Prediction>>,
    /// Youden cut-off on the training probabilities.
    pub threshold: f64,
}

/// Everything the pipeline produced.
#[derive(Clone, Debug)]
pub struct TrainResult {
    /// The combined model, ready to export.
    pub model: Model,
    /// Every model that could be fitted (`clinical`, `t2`, `dwi`, `dce`, `multimodal`, `combined`).
    pub models: Vec<ModelEval>,
    /// Multimodal radscore per patient (cohort order; value = radscore).
    pub radscore: Vec<Prediction>,
    /// The multimodal LASSO-CV.
    pub lasso: LassoCvResult,
    /// Columns entering the multimodal LASSO (after ANOVA F).
    pub lasso_features: Vec<String>,
    /// `[alpha][feature]` coefficients of the warm-started path refitted on all training rows.
    pub lasso_coef_path: Vec<Vec<f64>>,
    /// Univariate clinical odds ratios.
    pub univariate: Vec<OrRow>,
    /// Multivariate clinical odds ratios.
    pub multivariate: Vec<OrRow>,
    /// The cohort.
    pub cohort: Cohort,
    /// Each patient's set (cohort order).
    pub sets: Vec<Set>,
    /// Radiomics columns dropped as constant on the training rows.
    pub constant_dropped: Vec<String>,
    /// Multimodal Spearman survivors.
    pub spearman_kept: Vec<String>,
    /// Multimodal ANOVA-F survivors (= `lasso_features`).
    pub fclassif_kept: Vec<String>,
    /// Names of label 0 and label 1.
    pub class_names: [String; 2],
    /// Exactly what `summary.json` holds.
    pub summary: Value,
}

/// Output of one radiomics selection.
struct Radiomics {
    spearman_kept: Vec<usize>,
    fclassif_kept: Vec<usize>,
    lasso: LassoCvResult,
    /// (cohort feature column, coefficient) of the non-zero coefficients, column order.
    selected: Vec<(usize, f64)>,
    /// radscore of every patient (cohort order).
    radscore: Vec<f64>,
    /// Wall time of the Spearman filter and of the LASSO (progress only).
    seconds: [f64; 2],
}

/// Label of a maximum-likelihood fit (not written to `summary.json`: no `fit` key means MLE).
pub const FIT_MLE: &str = "mle";
/// `<model>.fit` when the MLE did not exist and the L2 (C = 1) fit replaced it.
pub const FIT_L2_SEPARATION: &str = "l2_c1_separation";
/// `<model>.fit` when the L2 fit was asked for ([`TrainOptions::logistic_l2`]).
pub const FIT_L2: &str = "l2";

/// The model's logistic fit: L2 if asked for; else the MLE, or — when the MLE does not exist
/// because the predictors separate the outcome — scikit-learn's default L2 fit (C = 1), with a
/// progress note. Returns the fit and its `summary.json` label.
fn fit_lr(
    name: &str,
    x: &Matrix,
    y: &[u8],
    l2: Option<f64>,
    progress: &dyn Fn(&str),
) -> Result<(LogisticFit, &'static str)> {
    match l2 {
        Some(c) => Ok((fit_logistic_l2(x, y, c)?, FIT_L2)),
        None => match fit_logistic(x, y) {
            Ok(f) => Ok((f, FIT_MLE)),
            Err(e) if no_mle(&e).is_some_and(|r| r.is_separation()) => {
                progress(&format!(
                    "note: {name} model: {e}; fitted with scikit-learn's default L2 logistic regression \
                     (C = 1) instead"
                ));
                let f =
                    fit_logistic_l2(x, y, 1.0).context("L2 (C = 1) fallback after separation")?;
                Ok((f, FIT_L2_SEPARATION))
            }
            Err(e) => Err(e),
        },
    }
}

/// Adds `fit` to a model's summary entry when the model is not the plain MLE (the summary of an
/// ordinary run keeps exactly the keys of the scikit-learn/statsmodels reference).
fn with_fit(mut summary: Value, fit: &str) -> Value {
    if fit != FIT_MLE {
        if let Value::Object(m) = &mut summary {
            m.insert("fit".into(), json!(fit));
        }
    }
    summary
}

/// The selection steps before the LASSO for the feature columns `cols` (cohort feature indices,
/// all non-constant): training z-scores, Spearman filter, ANOVA F.
struct Prepared {
    /// Spearman survivors (indices into `cols`).
    kept: Vec<usize>,
    /// ANOVA-F survivors (indices into `cols`).
    sel: Vec<usize>,
    /// Training z-scores of the ANOVA-F survivors (the LASSO's design).
    zs: Matrix,
    /// Wall seconds of the Spearman filter (progress only).
    t_spearman: f64,
}

fn prepare_radiomics(
    z_all: &Matrix,
    z_col: &[usize],
    cols: &[usize],
    train: &[usize],
    y_train: &[u8],
    opts: &TrainOptions,
) -> Prepared {
    let zcols: Vec<usize> = cols.iter().map(|&c| z_col[c]).collect();
    let ztr = z_all.select_rows(train).select_cols(&zcols);
    let t0 = std::time::Instant::now();
    let kept = spearman_filter(&ztr, opts.spearman_threshold, opts.spearman_rule);
    let t_spearman = t0.elapsed().as_secs_f64();
    let zk = ztr.select_cols(&kept);
    let (f, _) = f_classif(&zk, y_train);
    let k = ((kept.len() as f64 * opts.k_fraction).floor() as usize)
        .max(1)
        .min(kept.len());
    let best = select_k_best(&f, k);
    let sel: Vec<usize> = best.iter().map(|&i| kept[i]).collect();
    let zs = ztr.select_cols(&sel);
    Prepared {
        kept,
        sel,
        zs,
        t_spearman,
    }
}

/// Selected coefficients and radscores from a prepared selection and its LASSO.
fn finish_radiomics(
    prep: Prepared,
    lasso: LassoCvResult,
    t_lasso: f64,
    z_all: &Matrix,
    z_col: &[usize],
    cols: &[usize],
) -> Radiomics {
    let Prepared {
        kept,
        sel,
        t_spearman,
        ..
    } = prep;
    let selected: Vec<(usize, f64)> = sel
        .iter()
        .zip(&lasso.coef)
        .filter(|(_, b)| **b != 0.0)
        .map(|(&s, &b)| (cols[s], b))
        .collect();
    let radscore: Vec<f64> = (0..z_all.n_rows())
        .map(|i| {
            let mut r = lasso.intercept;
            for &(c, b) in &selected {
                r += b * z_all.get(i, z_col[c]);
            }
            r
        })
        .collect();
    Radiomics {
        spearman_kept: kept.iter().map(|&i| cols[i]).collect(),
        fclassif_kept: sel.iter().map(|&i| cols[i]).collect(),
        lasso,
        selected,
        radscore,
        seconds: [t_spearman, t_lasso],
    }
}

/// Runs `f(i)` for i in 0..n on up to `threads` threads, taking the next index from a shared
/// counter; results are returned in index order whatever the scheduling.
fn par_map<T: Send>(n: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    if threads <= 1 || n <= 1 {
        return (0..n).map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut all: Vec<(usize, T)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.min(n))
            .map(|_| {
                let (next, f) = (&next, &f);
                s.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= n {
                            break done;
                        }
                        done.push((i, f(i)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                Err(p) => std::panic::resume_unwind(p),
            })
            .collect()
    });
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, v)| v).collect()
}

/// Threads of the selection stages (results do not depend on it).
fn threads(opts: &TrainOptions) -> usize {
    if opts.lasso.parallel {
        std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8))
    } else {
        1
    }
}

/// All radiomics selections (`runs`: name, cohort feature columns, all non-empty): the
/// Spearman/ANOVA-F stages in parallel, then every LassoCV on one shared work queue (with the
/// multimodal all-rows path for the figure). Returns the selections and that path.
#[allow(clippy::type_complexity)]
fn select_all(
    runs: &[(&str, Vec<usize>)],
    z_all: &Matrix,
    z_col: &[usize],
    train: &[usize],
    y_train: &[u8],
    opts: &TrainOptions,
    progress: &dyn Fn(&str),
) -> Result<(Vec<Radiomics>, Option<Vec<Vec<f64>>>)> {
    let threads = threads(opts);
    // the multimodal filter is the largest: start it first
    let order: Vec<usize> = (0..runs.len()).rev().collect();
    let prepare = |k: usize| prepare_radiomics(z_all, z_col, &runs[k].1, train, y_train, opts);
    match opts.selection {
        Selection::Lasso => {
            let yf: Vec<f64> = y_train.iter().map(|&v| f64::from(v)).collect();
            let folds = kfold_ids(train.len(), opts.lasso.n_folds);
            let t0 = std::time::Instant::now();
            // the filters and every LassoCV on one queue: the per-sequence folds start while
            // the multimodal Spearman filter still runs
            let problems: Vec<CvSpec<'_>> = runs
                .iter()
                .map(|(name, _)| CvSpec {
                    y: &yf,
                    folds: folds.clone(),
                    full_path: *name == "multimodal",
                })
                .collect();
            let out = lasso_cv_batch_with(&order, &problems, prepare, |p| &p.zs, &opts.lasso);
            progress(&format!(
                "selection: {} Spearman/ANOVA-F/LassoCV runs on {threads} thread(s), {:.2} s",
                runs.len(),
                t0.elapsed().as_secs_f64()
            ));
            let mut path = None;
            let mut done = Vec::new();
            for ((p, o), (_, cols)) in out.into_iter().zip(runs) {
                if o.full_path.is_some() {
                    path = o.full_path;
                }
                let t_lasso = o.seconds - p.t_spearman;
                done.push(finish_radiomics(p, o.cv, t_lasso, z_all, z_col, cols));
            }
            Ok((done, path))
        }
        Selection::L1Logistic => {
            let mut prepared: Vec<(usize, Prepared)> =
                par_map(order.len(), threads, |i| (order[i], prepare(order[i])));
            prepared.sort_by_key(|(k, _)| *k);
            let mut done = Vec::new();
            for ((_, p), (name, cols)) in prepared.into_iter().zip(runs) {
                let t0 = std::time::Instant::now();
                let lasso = l1_logistic_cv(&p.zs, y_train, &opts.lasso)
                    .with_context(|| format!("{name} radiomics selection"))?;
                let t_lasso = t0.elapsed().as_secs_f64();
                done.push(finish_radiomics(p, lasso, t_lasso, z_all, z_col, cols));
            }
            Ok((done, None))
        }
    }
}

struct Metrics {
    auc: f64,
    ci: [f64; 2],
    sensitivity: f64,
    specificity: f64,
    threshold: f64,
}

fn two_classes(y: &[u8]) -> bool {
    y.contains(&0) && y.contains(&1)
}

fn metrics(y: &[u8], p: &[f64], threshold: Option<f64>) -> Option<Metrics> {
    if !two_classes(y) {
        return None;
    }
    let d = delong(y, p);
    let (threshold, sensitivity, specificity) = match threshold {
        None => {
            // pROC lists every Youden-optimal cut-off when J ties; radscore takes the highest
            let yd = youden_highest(y, p)?;
            (yd.threshold, yd.sensitivity, yd.specificity)
        }
        Some(t) => {
            let (se, sp) = sens_spec_at(y, p, t);
            (t, se, sp)
        }
    };
    Some(Metrics {
        auc: d.auc,
        ci: d.ci,
        sensitivity,
        specificity,
        threshold,
    })
}

fn metrics_json(m: &Option<Metrics>) -> Value {
    match m {
        None => Value::Null,
        Some(m) => json!({
            "auc": m.auc, "auc_ci": [m.ci[0], m.ci[1]],
            "sensitivity": m.sensitivity, "specificity": m.specificity, "threshold": m.threshold
        }),
    }
}

fn predictions(cohort: &Cohort, rows: &[usize], set: Set, values: &[f64]) -> Vec<Prediction> {
    rows.iter()
        .map(|&i| Prediction {
            patient_id: cohort.ids[i].clone(),
            label: cohort.labels[i],
            set,
            value: values[i],
        })
        .collect()
}

/// Row indices of the training, test and external sets.
#[derive(Clone, Copy)]
struct SetRows<'a> {
    train: &'a [usize],
    test: &'a [usize],
    external: &'a [Vec<usize>],
}

/// A model's evaluation plus its summary entry.
fn evaluate(
    name: &str,
    fit: &LogisticFit,
    terms: &[String],
    prob: &[f64],
    cohort: &Cohort,
    rows: &SetRows<'_>,
) -> (ModelEval, Value, Option<Metrics>, Option<Metrics>) {
    let SetRows {
        train,
        test,
        external,
    } = *rows;
    let pick = |rows: &[usize]| -> (Vec<u8>, Vec<f64>) {
        (
            rows.iter().map(|&i| cohort.labels[i]).collect(),
            rows.iter().map(|&i| prob[i]).collect(),
        )
    };
    let (ytr, ptr) = pick(train);
    let (yte, pte) = pick(test);
    let mtr = metrics(&ytr, &ptr, None);
    let threshold = mtr.as_ref().map_or(f64::NAN, |m| m.threshold);
    let mte = metrics(&yte, &pte, Some(threshold));
    let mut ext_json = Map::new();
    for (k, rows) in external.iter().enumerate() {
        let (y, p) = pick(rows);
        ext_json.insert(
            cohort.set_name(Set::External(k as u8)),
            metrics_json(&metrics(&y, &p, Some(threshold))),
        );
    }
    let coefficients: Vec<(String, f64)> = terms
        .iter()
        .cloned()
        .zip(fit.coef.iter().copied())
        .collect();
    let mut coef_json = Map::new();
    coef_json.insert("(Intercept)".into(), json!(fit.intercept));
    for (t, b) in &coefficients {
        coef_json.insert(t.clone(), json!(b));
    }
    let mut summary = json!({
        "coefficients": Value::Object(coef_json),
        "train": metrics_json(&mtr),
        "test": metrics_json(&mte),
    });
    if !external.is_empty() {
        summary["external"] = Value::Object(ext_json);
    }
    let eval = ModelEval {
        name: name.to_string(),
        intercept: fit.intercept,
        coefficients,
        train: predictions(cohort, train, Set::Train, prob),
        test: predictions(cohort, test, Set::Test, prob),
        external: external
            .iter()
            .enumerate()
            .map(|(k, rows)| predictions(cohort, rows, Set::External(k as u8), prob))
            .collect(),
        threshold,
    };
    (eval, summary, mtr, mte)
}

/// Odds ratios by variable: `{or, ci_low, ci_high, p}`; a factor: `{reference, p (likelihood
/// ratio), levels: {level: {or, ci_low, ci_high, p}}}`.
fn or_json(rows: &[OrRow]) -> Value {
    let mut m = Map::new();
    for r in rows {
        let entry = json!({"or": r.or, "ci_low": r.ci_low, "ci_high": r.ci_high, "p": r.p});
        match (&r.level, &r.reference) {
            (None, None) => {
                m.insert(r.name.clone(), entry);
            }
            (None, Some(reference)) => {
                m.insert(
                    r.name.clone(),
                    json!({"reference": reference, "p": r.p, "test": "likelihood ratio", "levels": {}}),
                );
            }
            (Some(level), _) => {
                if let Some(Value::Object(levels)) =
                    m.get_mut(&r.name).and_then(|v| v.get_mut("levels"))
                {
                    levels.insert(level.clone(), entry);
                }
            }
        }
    }
    Value::Object(m)
}

/// A clinical column as a candidate variable on `rows` (a factor's indicator columns).
fn clin_var(cohort: &Cohort, j: usize, rows: &[usize]) -> ClinVar {
    let vals: Vec<f64> = rows.iter().map(|&i| cohort.clinical.get(i, j)).collect();
    if cohort.is_factor(j) {
        ClinVar::factor(&cohort.clinical_names[j], &vals, &cohort.clinical_levels[j])
    } else {
        ClinVar::numeric(&cohort.clinical_names[j], vals)
    }
}

/// Nomogram axis of a training range: the end points of R `pretty(range(x), 10)` (as
/// `rms::nomogram` draws it); the raw min/max if `pretty` gives nothing usable.
fn axis(values: &[f64]) -> [f64; 2] {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let p = pretty(lo, hi, 10);
    match (p.first(), p.last()) {
        (Some(&a), Some(&b)) if a.is_finite() && b.is_finite() && b > a && a <= lo && b >= hi => {
            [a, b]
        }
        _ if hi > lo => [lo, hi],
        _ => [lo - 0.5, lo + 0.5],
    }
}

fn short<const N: usize>(s: &str, what: &str) -> Result<heapless::String<N>> {
    heapless::String::try_from(s)
        .map_err(|_| anyhow::anyhow!("{what} '{s}' is longer than {N} bytes"))
}

/// 64-bit FNV-1a (model ids derived from the model's content).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Runs the whole pipeline. `progress` receives one short line per stage.
pub fn train(cohort: Cohort, opts: &TrainOptions, progress: &dyn Fn(&str)) -> Result<TrainResult> {
    let n = cohort.len();
    if cohort.features.n_cols() == 0 {
        bail!("the cohort has no radiomics columns (<t2|dwi|dce>_<PyRadiomics name>)");
    }
    // 1. split -------------------------------------------------------------------------------
    let (train_rows, test_rows, sets): (Vec<usize>, Vec<usize>, Vec<Set>) = match &cohort.split {
        Some(s) => (
            (0..n).filter(|&i| s[i] == Set::Train).collect(),
            (0..n).filter(|&i| s[i] == Set::Test).collect(),
            s.clone(),
        ),
        None => {
            if !(opts.test_size > 0.0 && opts.test_size < 1.0) {
                bail!("test size must be in (0, 1), got {}", opts.test_size);
            }
            let s = stratified_split(&cohort.labels, opts.test_size, opts.seed);
            let mut sets = vec![Set::Test; n];
            for &i in &s.train {
                sets[i] = Set::Train;
            }
            (s.train, s.test, sets)
        }
    };
    let external_rows: Vec<Vec<usize>> = (0..cohort.external_names.len())
        .map(|k| {
            (0..n)
                .filter(|&i| sets[i] == Set::External(k as u8))
                .collect()
        })
        .collect();
    let set_rows = SetRows {
        train: &train_rows,
        test: &test_rows,
        external: &external_rows,
    };
    let class_names: [String; 2] = opts
        .class_names
        .clone()
        .or_else(|| cohort.class_names.clone())
        .unwrap_or_else(|| ["class 0".to_string(), "class 1".to_string()]);
    let y_train: Vec<u8> = train_rows.iter().map(|&i| cohort.labels[i]).collect();
    let y_test: Vec<u8> = test_rows.iter().map(|&i| cohort.labels[i]).collect();
    let pos_train = y_train.iter().filter(|&&v| v == 1).count();
    if pos_train < 3 || y_train.len() - pos_train < 3 {
        bail!(
            "the training set needs at least 3 patients of each class ({} positive, {} negative)",
            pos_train,
            y_train.len() - pos_train
        );
    }
    progress(&format!(
        "split: {} training ({} positive), {} test ({} positive){}",
        train_rows.len(),
        pos_train,
        test_rows.len(),
        y_test.iter().filter(|&&v| v == 1).count(),
        external_rows
            .iter()
            .enumerate()
            .map(|(k, rows)| format!(
                ", {} {} ({} positive)",
                rows.len(),
                cohort.set_name(Set::External(k as u8)),
                rows.iter().filter(|&&i| cohort.labels[i] == 1).count()
            ))
            .collect::<String>()
    ));

    // 2. constant columns, z-score --------------------------------------------------------------
    let xtr_all = cohort.features.select_rows(&train_rows);
    let constant = constant_columns(&xtr_all);
    let constant_dropped: Vec<String> = constant
        .iter()
        .map(|&j| cohort.feature_names[j].clone())
        .collect();
    let live: Vec<usize> = (0..cohort.features.n_cols())
        .filter(|j| !constant.contains(j))
        .collect();
    if live.is_empty() {
        bail!("every radiomics column is constant on the training rows");
    }
    let zs = ZScore::fit(&xtr_all.select_cols(&live));
    let z_all = zs.apply(&cohort.features.select_cols(&live));
    // cohort feature column -> column of z_all
    let mut z_col = vec![usize::MAX; cohort.feature_names.len()];
    for (k, &j) in live.iter().enumerate() {
        z_col[j] = k;
    }
    progress(&format!(
        "z-score: {} radiomics columns, {} constant dropped",
        live.len(),
        constant.len()
    ));

    // 3. radiomics models -----------------------------------------------------------------------
    let mut models = Vec::new();
    let mut model_summaries: Vec<(String, Value)> = Vec::new();
    let mut seq_runs: Vec<(&str, Vec<usize>)> = crate::cohort::SEQUENCES
        .iter()
        .map(|&s| {
            (
                s,
                live.iter()
                    .copied()
                    .filter(|&j| radiomics_column(&cohort.feature_names[j]).0 == s)
                    .collect(),
            )
        })
        .collect();
    seq_runs.push(("multimodal", live.clone()));
    let mut multimodal: Option<Radiomics> = None;
    let mut mm_prob_fit: Option<LogisticFit> = None;
    let live_runs: Vec<(&str, Vec<usize>)> = seq_runs
        .iter()
        .filter(|(_, cols)| !cols.is_empty())
        .cloned()
        .collect();
    let (selections, mm_path) = select_all(
        &live_runs,
        &z_all,
        &z_col,
        &train_rows,
        &y_train,
        opts,
        progress,
    )
    .context("radiomics selection")?;
    let mut selections = selections.into_iter();
    for (name, cols) in seq_runs {
        if cols.is_empty() {
            progress(&format!("{name}: no columns, model skipped"));
            model_summaries.push((name.to_string(), Value::Null));
            continue;
        }
        let r = selections
            .next()
            .with_context(|| format!("{name} radiomics selection missing"))?;
        progress(&format!(
            "{name}: {} columns -> Spearman {} -> ANOVA F {} -> LASSO {} (alpha index {}; {:.2} s + {:.2} s)",
            cols.len(),
            r.spearman_kept.len(),
            r.fclassif_kept.len(),
            r.selected.len(),
            r.lasso.alpha_index,
            r.seconds[0],
            r.seconds[1]
        ));
        if r.selected.is_empty() {
            if name == "multimodal" {
                bail!(
                    "the multimodal LASSO kept no feature (alpha = {:e}): no radscore can be built",
                    r.lasso.alpha
                );
            }
            model_summaries.push((name.to_string(), Value::Null));
            continue;
        }
        let xr = Matrix::from_columns(&[train_rows.iter().map(|&i| r.radscore[i]).collect()]);
        let (fit, how) = fit_lr(name, &xr, &y_train, opts.logistic_l2, progress)
            .with_context(|| format!("{name} model: logistic regression on the radscore"))?;
        let prob: Vec<f64> = r.radscore.iter().map(|&s| fit.probability(&[s])).collect();
        let (eval, summ, _, _) = evaluate(
            name,
            &fit,
            &["radscore".to_string()],
            &prob,
            &cohort,
            &set_rows,
        );
        models.push(eval);
        model_summaries.push((name.to_string(), with_fit(summ, how)));
        if name == "multimodal" {
            multimodal = Some(r);
            mm_prob_fit = Some(fit);
        }
    }
    let mm = multimodal.context("the multimodal radiomics model could not be fitted")?;
    let _ = mm_prob_fit;

    // refit path for the figure (warm-started, centred, all training rows)
    let zsel = z_all.select_rows(&train_rows).select_cols(
        &mm.fclassif_kept
            .iter()
            .map(|&c| z_col[c])
            .collect::<Vec<_>>(),
    );
    let lasso_coef_path = match opts.selection {
        Selection::Lasso => mm_path.context("the multimodal coefficient path is missing")?,
        Selection::L1Logistic => {
            crate::logistic::l1_logistic_path(&zsel, &y_train, &mm.lasso.alphas)
        }
    };

    // 4. clinical model ---------------------------------------------------------------------------
    let all_rows: Vec<usize> = (0..n).collect();
    let clin_vars: Vec<ClinVar> = (0..cohort.clinical_names.len())
        .map(|j| clin_var(&cohort, j, &train_rows))
        .collect();
    let ClinicalScreen {
        univariate,
        multivariate,
        retained,
        model: clin_fit,
        skipped,
    } = if clin_vars.is_empty() {
        ClinicalScreen {
            univariate: Vec::new(),
            multivariate: Vec::new(),
            retained: Vec::new(),
            model: None,
            skipped: Vec::new(),
        }
    } else {
        screen_vars(&clin_vars, &y_train, opts.clinical_p).context("clinical screening")?
    };
    for (name, reason) in &skipped {
        progress(&format!(
            "note: clinical variable '{name}' skipped: {reason}"
        ));
    }
    let retained_names: Vec<String> = retained
        .iter()
        .map(|&j| cohort.clinical_names[j].clone())
        .collect();
    // the retained variables' model terms (a factor: one per non-reference level), all rows
    let retained_all: Vec<ClinVar> = retained
        .iter()
        .map(|&j| clin_var(&cohort, j, &all_rows))
        .collect();
    let retained_terms: Vec<String> = retained_all.iter().flat_map(ClinVar::terms).collect();
    let retained_cols: Vec<Vec<f64>> = retained_all
        .iter()
        .flat_map(|v| v.columns.iter().cloned())
        .collect();
    progress(&format!(
        "clinical: {} candidates -> univariate {} -> retained {}",
        cohort.clinical_names.len(),
        multivariate.iter().filter(|r| r.level.is_none()).count(),
        if retained_names.is_empty() {
            "none".to_string()
        } else {
            retained_names.join(", ")
        }
    ));
    let clinical_summary = match &clin_fit {
        Some(_) => {
            let xc = design(&retained_all.iter().collect::<Vec<_>>());
            let (fit, how) = match opts.logistic_l2 {
                Some(c) => (
                    fit_logistic_l2(&xc.select_rows(&train_rows), &y_train, c)
                        .context("clinical model (L2)")?,
                    FIT_L2,
                ),
                None => (clin_fit.clone().context("clinical model")?, FIT_MLE),
            };
            let prob = fit.predict(&xc);
            let (eval, summ, _, _) =
                evaluate("clinical", &fit, &retained_terms, &prob, &cohort, &set_rows);
            models.insert(0, eval);
            with_fit(summ, how)
        }
        None => json!({}),
    };

    // 5. combined model ---------------------------------------------------------------------------
    let mut comb_cols: Vec<Vec<f64>> = vec![mm.radscore.clone()];
    comb_cols.extend(retained_cols.iter().cloned());
    let xcomb = Matrix::from_columns(&comb_cols);
    let (comb_fit, comb_how) = fit_lr(
        "combined",
        &xcomb.select_rows(&train_rows),
        &y_train,
        opts.logistic_l2,
        progress,
    )
    .context("combined model: logistic regression on radscore and retained clinical variables")?;
    let mut comb_terms = vec!["radscore".to_string()];
    comb_terms.extend(retained_terms.iter().cloned());
    // probability exactly as the core scorer computes it
    let comb_prob: Vec<f64> = (0..n)
        .map(|i| {
            let mut lp = comb_fit.intercept + comb_fit.coef[0] * mm.radscore[i];
            for (k, col) in retained_cols.iter().enumerate() {
                lp += comb_fit.coef[k + 1] * col[i];
            }
            sigmoid(lp)
        })
        .collect();
    let (comb_eval, comb_summary, comb_tr, comb_te) = evaluate(
        "combined",
        &comb_fit,
        &comb_terms,
        &comb_prob,
        &cohort,
        &set_rows,
    );
    progress(&format!(
        "combined: AUC train {:.4}, test {}",
        comb_tr.as_ref().map_or(f64::NAN, |m| m.auc),
        comb_te
            .as_ref()
            .map_or("n/a".to_string(), |m| format!("{:.4}", m.auc))
    ));
    let threshold = comb_eval.threshold;
    models.push(comb_eval);

    // 6. core model -----------------------------------------------------------------------------
    if mm.selected.len() > radscore_core::model::MAX_FEATURES {
        bail!(
            "the multimodal LASSO kept {} features; a model holds at most {} (use --lasso-rule 1se or fewer columns)",
            mm.selected.len(),
            radscore_core::model::MAX_FEATURES
        );
    }
    if retained_terms.len() > radscore_core::model::MAX_CLINICAL {
        bail!(
            "{} clinical model terms retained ({}); a model holds at most {}",
            retained_terms.len(),
            retained_terms.join(", "),
            radscore_core::model::MAX_CLINICAL
        );
    }
    let mut features = heapless::Vec::new();
    for &(c, b) in &mm.selected {
        let col = &cohort.feature_names[c];
        // the name is stored as text: whether a core can recompute it from images is decided
        // from the name when the model is used (a core that learns a class later computes it)
        let (seq, fname) = radiomics_column(col);
        let recipe = FeatureRecipe {
            sequence: short(seq, "sequence")?,
            name: short(fname, "feature name")?,
            bin_width: opts.bin_width,
            label: opts.mask_label,
            mean: zs.mean[z_col[c]],
            sd: zs.sd[z_col[c]],
            coefficient: b,
            settings: radscore_core::model::DEFAULT_SETTINGS,
        };
        features
            .push(recipe)
            .map_err(|_| anyhow::anyhow!("too many features"))?;
    }
    let train_vals = |col: &[f64]| -> Vec<f64> { train_rows.iter().map(|&i| col[i]).collect() };
    let radscore_axis = axis(&train_vals(&mm.radscore));
    let mut clinical = heapless::Vec::new();
    let mut ranges = vec![comb_fit.coef[0].abs() * (radscore_axis[1] - radscore_axis[0])];
    let mut k = 0;
    for v in &retained_all {
        // a factor's levels share one nomogram axis: its range is that of its level effects
        // and the reference (0), as rms scales a factor
        if v.is_factor() {
            let b = &comb_fit.coef[k + 1..k + 1 + v.columns.len()];
            let hi = b.iter().copied().fold(0.0, f64::max);
            let lo = b.iter().copied().fold(0.0, f64::min);
            ranges.push(hi - lo);
        }
        for (col, term) in v.columns.iter().zip(v.terms()) {
            let vals = train_vals(col);
            let binary = v.is_factor() || vals.iter().all(|&x| x == 0.0 || x == 1.0);
            let ax = if binary { [0.0, 1.0] } else { axis(&vals) };
            let b = comb_fit.coef[k + 1];
            if !v.is_factor() {
                ranges.push(b.abs() * (ax[1] - ax[0]));
            }
            let pred = ClinicalPredictor {
                name: short(&term, "clinical model term")?,
                kind: if binary {
                    PredictorKind::Binary
                } else {
                    PredictorKind::Continuous
                },
                unit: if v.is_factor() {
                    short(
                        &format!("{}{}", crate::report::input::REFERENCE_PREFIX, v.levels[0]),
                        "factor reference level",
                    )?
                } else {
                    heapless::String::new()
                },
                coefficient: b,
                axis_min: ax[0],
                axis_max: ax[1],
            };
            clinical
                .push(pred)
                .map_err(|_| anyhow::anyhow!("too many clinical predictors"))?;
            k += 1;
        }
    }
    let max_range = ranges.iter().copied().fold(0.0, f64::max);
    if !(max_range > 0.0 && max_range.is_finite()) {
        bail!("the combined model has no predictor with a non-zero effect: no nomogram scale");
    }
    let pos_test = y_test.iter().filter(|&&v| v == 1).count();
    let mut model = Model {
        features,
        radscore_intercept: mm.lasso.intercept,
        combined_intercept: comb_fit.intercept,
        radscore_coefficient: comb_fit.coef[0],
        radscore_axis,
        clinical,
        points_per_unit: 100.0 / max_range,
        threshold: threshold.clamp(1e-12, 1.0 - 1e-12),
        meta: Metadata {
            model_id: heapless::String::new(),
            created_unix: opts.created_unix,
            trainer_version: short(env!("CARGO_PKG_VERSION"), "version")?,
            n_train: train_rows.len() as u32,
            n_test: test_rows.len() as u32,
            n_positive_train: pos_train as u32,
            n_positive_test: pos_test as u32,
            auc_train: comb_tr.as_ref().map_or(-1.0, |m| m.auc),
            auc_test: comb_te.as_ref().map_or(-1.0, |m| m.auc),
        },
        settings: heapless::Vec::new(),
    };

    // 7. summary --------------------------------------------------------------------------------
    let names_of = |cols: &[usize]| -> Vec<String> {
        cols.iter()
            .map(|&c| cohort.feature_names[c].clone())
            .collect()
    };
    let mut lasso_coefs = Map::new();
    for &(c, b) in &mm.selected {
        lasso_coefs.insert(cohort.feature_names[c].clone(), json!(b));
    }
    let mut summary = Map::new();
    summary.insert(
        "schema_version".into(),
        json!(crate::summary::SCHEMA_VERSION),
    );
    summary.insert("trainer_version".into(), json!(env!("CARGO_PKG_VERSION")));
    summary.insert("class_names".into(), json!(class_names));
    let count = |rows: &[usize]| {
        json!({
            "patients": rows.len(),
            "positive": rows.iter().filter(|&&i| cohort.labels[i] == 1).count(),
        })
    };
    let mut factor_levels = Map::new();
    for (j, name) in cohort.clinical_names.iter().enumerate() {
        if cohort.is_factor(j) {
            factor_levels.insert(name.clone(), json!(cohort.clinical_levels[j]));
        }
    }
    summary.insert(
        "input".into(),
        json!({
            "patients": n,
            "positive": cohort.labels.iter().filter(|&&v| v == 1).count(),
            "radiomics_columns": cohort.feature_names.len(),
            "clinical_columns": cohort.clinical_names,
            "factor_levels": Value::Object(factor_levels),
            "skipped_columns": cohort.skipped.len(),
            "external_cohorts": cohort.external_names,
        }),
    );
    let mut settings =
        serde_json::to_value(opts).context("cannot serialise the training options")?;
    if let Value::Object(m) = &mut settings {
        // the date is `created`, outside the model id's digest
        m.remove("created_unix");
    }
    summary.insert("settings".into(), settings);
    let mut counts = Map::new();
    counts.insert("train".into(), count(&train_rows));
    counts.insert("test".into(), count(&test_rows));
    let mut external_counts = Map::new();
    for (k, rows) in external_rows.iter().enumerate() {
        external_counts.insert(cohort.set_name(Set::External(k as u8)), count(rows));
    }
    counts.insert("external".into(), Value::Object(external_counts));
    let mut assignment = Map::new();
    for (id, &set) in cohort.ids.iter().zip(&sets) {
        assignment.insert(id.clone(), json!(cohort.set_name(set)));
    }
    summary.insert(
        "split".into(),
        json!({
            "method": if cohort.split.is_some() { "split column" } else { "stratified train_test_split" },
            "seed": cohort.split.is_none().then_some(opts.seed),
            "test_size": cohort.split.is_none().then_some(opts.test_size),
            "counts": Value::Object(counts),
            "assignment": Value::Object(assignment),
        }),
    );
    summary.insert("constant_dropped".into(), json!(constant_dropped));
    summary.insert("spearman_kept".into(), json!(names_of(&mm.spearman_kept)));
    summary.insert("anova_f_kept".into(), json!(names_of(&mm.fclassif_kept)));
    summary.insert(
        "lasso".into(),
        json!({
            "alpha": mm.lasso.alpha,
            "alpha_index": mm.lasso.alpha_index,
            "alphas": mm.lasso.alphas,
            "cv_mse": mm.lasso.mse_path,
            "cv_mse_layout": "cv_mse[i][f]: held-out mean squared error (binomial deviance with --selection l1-logistic) at alphas[i] on fold f",
            "cv_mean_mse": mm.lasso.mean_mse,
            "intercept": mm.lasso.intercept,
            "coefficients": Value::Object(lasso_coefs),
        }),
    );
    let mut clin = match clinical_summary {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    clin.insert("univariate".into(), or_json(&univariate));
    clin.insert("multivariate".into(), or_json(&multivariate));
    let mut skipped_json = Map::new();
    for (name, reason) in &skipped {
        skipped_json.insert(name.clone(), json!(reason));
    }
    if !skipped_json.is_empty() {
        clin.insert("skipped".into(), Value::Object(skipped_json));
    }
    summary.insert("clinical".into(), Value::Object(clin));
    for (name, s) in model_summaries {
        summary.insert(name, s);
    }
    summary.insert("combined".into(), with_fit(comb_summary, comb_how));
    // the model id is a digest of everything above (selection, fits, split assignment), not of
    // the creation date: retraining on the same input gives the same id
    let id = fnv1a(
        serde_json::to_string(&summary)
            .unwrap_or_default()
            .as_bytes(),
    );
    model.meta.model_id = short(&format!("radscore-{id:016x}"), "model id")?;
    summary.insert("model_id".into(), json!(model.meta.model_id.as_str()));
    summary.insert(
        "created".into(),
        json!(crate::summary::created(opts.created_unix)),
    );
    let summary = Value::Object(summary);
    model
        .validate()
        .map_err(|e| anyhow::anyhow!("the trained model is invalid: {}", e.message()))?;
    progress("model built");

    let radscore = (0..n)
        .map(|i| Prediction {
            patient_id: cohort.ids[i].clone(),
            label: cohort.labels[i],
            set: sets[i],
            value: mm.radscore[i],
        })
        .collect();
    Ok(TrainResult {
        model,
        models,
        radscore,
        lasso_features: names_of(&mm.fclassif_kept),
        spearman_kept: names_of(&mm.spearman_kept),
        fclassif_kept: names_of(&mm.fclassif_kept),
        lasso: mm.lasso,
        lasso_coef_path,
        univariate,
        multivariate,
        sets,
        constant_dropped,
        class_names,
        summary,
        cohort,
    })
}
