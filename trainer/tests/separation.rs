//! The paper-shaped cohort with its own `split` column: radscore + texture + volume separate the
//! training set completely, so the combined model has no maximum-likelihood estimate
//! (statsmodels/scikit-learn agree). Training must still complete: the combined model falls back
//! to scikit-learn's default L2 logistic regression (C = 1), the summary says so, and the
//! exported model scores every patient exactly like the trainer. A synthetic separated cohort
//! shows the whole path end to end (the paper cohort then hits the model's feature capacity).

use flate2::read::GzDecoder;
use radscore_trainer::cohort::{Cohort, CohortSpec, Set};
use radscore_trainer::logistic::{fit_logistic, fit_logistic_l2, no_mle};
use radscore_trainer::pipeline::{train, TrainOptions, FIT_L2_SEPARATION};
use radscore_trainer::preprocess::Matrix;
use std::io::Read;
use std::path::PathBuf;

fn cohort() -> Cohort {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/paper_cohort.csv.gz");
    let mut text = String::new();
    GzDecoder::new(std::fs::File::open(path).expect("open csv.gz"))
        .read_to_string(&mut text)
        .expect("gunzip");
    let mut spec = CohortSpec::new("label");
    spec.split_column = Some("split".into());
    spec.clinical_columns = vec!["texture".into(), "volume".into()];
    Cohort::from_reader(text.as_bytes(), &spec).expect("cohort")
}

/// Deterministic noise in [0, 1).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// 40 patients (28 train / 12 test by the split column): `t2_…_Mean` separates the outcome
/// completely; clinical `const` is constant, `marker` equals the label, `age` is noise.
fn separated_csv() -> String {
    let mut g = Lcg(7);
    let mut s = String::from(
        "patient_id,label,split,const,marker,age,t2_original_firstorder_Mean,t2_original_firstorder_Median,dwi_original_firstorder_Energy\n",
    );
    for i in 0..40 {
        let y = u8::from(i % 2 == 1);
        let split = if i < 28 { "train" } else { "test" };
        let mean = 2.0 * f64::from(y) + g.next();
        let (median, energy, age) = (g.next(), 10.0 + g.next(), 40.0 + 20.0 * g.next());
        s.push_str(&format!(
            "p{i},{y},{split},1.0,{y},{age},{mean},{median},{energy}\n"
        ));
    }
    s
}

#[test]
fn separated_synthetic_cohort_trains_with_l2_fallback_and_clinical_notes() {
    let mut spec = CohortSpec::new("label");
    spec.split_column = Some("split".into());
    spec.clinical_columns = vec!["const".into(), "marker".into(), "age".into()];
    let text = separated_csv();
    let cohort = Cohort::from_reader(text.as_bytes(), &spec).expect("cohort");
    let notes = std::cell::RefCell::new(Vec::<String>::new());
    let r = train(cohort, &TrainOptions::default(), &|m: &str| {
        notes.borrow_mut().push(m.to_string())
    })
    .expect("train");
    let notes = notes.into_inner();
    let s = &r.summary;
    assert_eq!(s["combined"]["fit"], FIT_L2_SEPARATION, "{}", s["combined"]);
    assert_eq!(s["multimodal"]["fit"], FIT_L2_SEPARATION);
    assert!(
        notes.iter().any(|m| m.contains("combined model")
            && m.contains("separation")
            && m.contains("C = 1")),
        "{notes:?}"
    );
    let sk = s["clinical"]["skipped"].as_object().expect("skipped");
    assert!(sk["const"].as_str().expect("reason").contains("constant"));
    assert!(sk["marker"]
        .as_str()
        .expect("reason")
        .contains("separates the outcome completely"));
    assert!(!sk.contains_key("age"));
    assert!(s["clinical"]["univariate"]
        .as_object()
        .expect("univariate")
        .contains_key("age"));
    assert!(
        notes.iter().any(|m| m.contains("'marker' skipped")),
        "{notes:?}"
    );

    // the combined model is the L2 (C = 1) fit on the training radscore (and retained clinical
    // variables), which exists although the MLE does not
    let m = &r.model;
    let train_rows: Vec<usize> = (0..r.cohort.len())
        .filter(|&i| r.sets[i] == Set::Train)
        .collect();
    let clin_cols: Vec<usize> = m
        .clinical
        .iter()
        .map(|c| {
            r.cohort
                .clinical_names
                .iter()
                .position(|n| n.as_str() == c.name.as_str())
                .expect("clinical column")
        })
        .collect();
    let mut cols = vec![train_rows
        .iter()
        .map(|&i| r.radscore[i].value)
        .collect::<Vec<f64>>()];
    for &j in &clin_cols {
        cols.push(
            train_rows
                .iter()
                .map(|&i| r.cohort.clinical.get(i, j))
                .collect(),
        );
    }
    let x = Matrix::from_columns(&cols);
    let y: Vec<u8> = train_rows.iter().map(|&i| r.cohort.labels[i]).collect();
    let e = fit_logistic(&x, &y).expect_err("the MLE does not exist");
    assert!(no_mle(&e).is_some_and(|k| k.is_separation()), "{e:#}");
    let l2 = fit_logistic_l2(&x, &y, 1.0).expect("l2");
    assert_eq!(m.combined_intercept, l2.intercept);
    assert_eq!(m.radscore_coefficient, l2.coef[0]);
    assert!(l2.coef[0].is_finite() && l2.coef[0] > 0.0);

    // the core scores every patient like the trainer
    let feat_cols: Vec<usize> = m
        .features
        .iter()
        .map(|f| {
            let name = format!("{}_{}", f.sequence, f.name);
            r.cohort
                .feature_names
                .iter()
                .position(|n| *n == name)
                .expect("feature column")
        })
        .collect();
    let comb = r
        .models
        .iter()
        .find(|e| e.name == "combined")
        .expect("combined");
    let mut checked = 0;
    for p in comb.train.iter().chain(&comb.test) {
        let i = r
            .cohort
            .ids
            .iter()
            .position(|x| *x == p.patient_id)
            .expect("patient");
        let feats: Vec<f64> = feat_cols
            .iter()
            .map(|&j| r.cohort.features.get(i, j))
            .collect();
        let clin: Vec<f64> = clin_cols
            .iter()
            .map(|&j| r.cohort.clinical.get(i, j))
            .collect();
        let sc = m.score(&feats, &clin).expect("score");
        assert!(
            (sc.probability - p.value).abs() <= 1e-12,
            "{}: core {} trainer {}",
            p.patient_id,
            sc.probability,
            p.value
        );
        checked += 1;
    }
    assert_eq!(checked, 40);
}

/// On the paper-shaped cohort with its `split` column the combined model (radscore + texture +
/// volume) separates the training set; the fit falls back to L2 (C = 1) instead of failing, and
/// the multimodal LASSO's 54 features fit in the model (capacity `MAX_FEATURES`), so training
/// completes and the exported model scores every patient as the trainer does.
#[test]
fn paper_cohort_with_split_column_trains_through_the_separated_combined_fit() {
    let notes = std::cell::RefCell::new(Vec::<String>::new());
    let r = train(cohort(), &TrainOptions::default(), &|m: &str| {
        notes.borrow_mut().push(m.to_string())
    })
    .expect("training completes");
    let notes = notes.into_inner();
    assert!(
        notes.iter().any(|m| m.contains("combined model")
            && m.contains("separation")
            && m.contains("C = 1")),
        "{notes:?}"
    );
    assert!(
        r.model.features.len() > 32,
        "{} features",
        r.model.features.len()
    );
    assert_eq!(r.summary["combined"]["fit"], "l2_c1_separation");
}
