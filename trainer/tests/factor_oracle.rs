//! Categorical clinical variables against R's glm with factors (issue 22):
//! `trainer/tests/oracle/make_factor_oracle.R` wrote `factor_cohort.csv` (text labels, a text
//! factor, a factor of numeric codes with a chosen reference) and `factor_oracle.json`. The
//! cohort is read as `radscore train` reads it (`--positive-class malignant --factor-columns
//! signal,tic --reference-level tic=2`), and the clinical screen's odds ratios, Wald CIs and
//! p-values, the factors' likelihood-ratio p-values and the multivariate model's probabilities
//! must equal R's within 1e-9: relative for odds ratios, CI limits, probabilities and the
//! log-likelihood, absolute for p-values (a p-value of 1e-12 carries the last digits of a z of 7,
//! where a relative 1e-9 would ask for 1e-17 in z).

use radscore_trainer::clinical::{design, screen_vars, ClinVar, OrRow};
use radscore_trainer::cohort::{Cohort, CohortSpec, Set};
use serde_json::Value;
use std::path::PathBuf;

fn oracle_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle")
}

fn cohort() -> Cohort {
    let mut spec = CohortSpec::new("label");
    spec.split_column = Some("split".into());
    spec.clinical_columns = vec!["texture".into(), "signal".into(), "tic".into()];
    spec.factor_columns = vec!["signal".into(), "tic".into()];
    spec.reference_levels = vec![("tic".into(), "2".into())];
    spec.positive_class = Some("malignant".into());
    Cohort::from_csv(&oracle_dir().join("factor_cohort.csv"), &spec).expect("cohort")
}

fn vars(c: &Cohort, rows: &[usize]) -> Vec<ClinVar> {
    (0..c.clinical_names.len())
        .map(|j| {
            let v: Vec<f64> = rows.iter().map(|&i| c.clinical.get(i, j)).collect();
            if c.is_factor(j) {
                ClinVar::factor(&c.clinical_names[j], &v, &c.clinical_levels[j])
            } else {
                ClinVar::numeric(&c.clinical_names[j], v)
            }
        })
        .collect()
}

/// Largest relative difference (estimates) and absolute difference (p-values) seen.
#[derive(Default)]
struct Diff {
    rel: f64,
    p_abs: f64,
}

impl Diff {
    fn check(&mut self, what: &str, got: f64, want: f64) {
        let a = (got - want).abs();
        if what.ends_with(" p") {
            self.p_abs = self.p_abs.max(a);
            assert!(
                a <= 1e-9,
                "{what}: radscore {got:e}, R {want:e} (|diff| {a:e})"
            );
        } else {
            let r = a / want.abs().max(1e-300);
            self.rel = self.rel.max(r);
            assert!(
                r <= 1e-9,
                "{what}: radscore {got:e}, R {want:e} (relative {r:e})"
            );
        }
    }
}

fn compare(rows: &[OrRow], o: &Value, analysis: &str, d: &mut Diff) {
    for (name, v) in o.as_object().expect("variables") {
        let mine: Vec<&OrRow> = rows.iter().filter(|r| &r.name == name).collect();
        let want = v["rows"].as_array().expect("rows");
        if let Some(reference) = v.get("reference") {
            // the factor's own row: likelihood-ratio p, then one row per level
            assert_eq!(mine[0].level, None);
            assert_eq!(mine[0].reference.as_deref(), reference.as_str());
            d.check(
                &format!("{analysis} {name} LR p"),
                mine[0].p,
                v["p_lr"].as_f64().expect("p_lr"),
            );
            assert_eq!(mine.len(), want.len() + 1, "{analysis} {name}");
        } else {
            assert_eq!(mine.len(), 1, "{analysis} {name}");
        }
        let levels = &mine[mine.len() - want.len()..];
        for (r, w) in levels.iter().zip(want) {
            assert_eq!(r.level.as_deref(), w["level"].as_str(), "{analysis} {name}");
            for (k, got) in [
                ("or", r.or),
                ("ci_low", r.ci_low),
                ("ci_high", r.ci_high),
                ("p", r.p),
            ] {
                d.check(
                    &format!("{analysis} {name} {:?} {k}", r.level),
                    got,
                    w[k].as_f64().expect("number"),
                );
            }
        }
    }
}

#[test]
fn factor_odds_ratios_match_r_glm() {
    let o: Value = serde_json::from_str(
        &std::fs::read_to_string(oracle_dir().join("factor_oracle.json")).expect("oracle"),
    )
    .expect("json");
    let c = cohort();
    assert_eq!(
        c.class_names,
        Some(["benign".to_string(), "malignant".to_string()])
    );
    // R's factor() levels (C locale) and relevel(ref = "2")
    assert_eq!(c.clinical_levels[1], ["hyper", "hypo", "iso"]);
    assert_eq!(c.clinical_levels[2], ["2", "1", "3", "4"]);
    assert!(c.clinical_levels[0].is_empty());
    let split = c.split.as_ref().expect("split column");
    let train: Vec<usize> = (0..c.len()).filter(|&i| split[i] == Set::Train).collect();
    assert_eq!(train.len() as u64, o["n_train"].as_u64().expect("n"));
    let y: Vec<u8> = train.iter().map(|&i| c.labels[i]).collect();
    let s = screen_vars(&vars(&c, &train), &y, 1.0).expect("screen");
    let mut d = Diff::default();
    compare(&s.univariate, &o["univariate"], "univariate", &mut d);
    compare(&s.multivariate, &o["multivariate"], "multivariate", &mut d);
    // the model on every retained variable (p_max = 1): R's predictions on every patient
    assert_eq!(s.retained, [0, 1, 2]);
    let fit = s.model.expect("model");
    let all: Vec<usize> = (0..c.len()).collect();
    let va = vars(&c, &all);
    let p = fit.predict(&design(&va.iter().collect::<Vec<_>>()));
    for (i, w) in o["probability"].as_array().expect("p").iter().enumerate() {
        d.check(&format!("probability {i}"), p[i], w.as_f64().expect("p"));
    }
    d.check("loglik", fit.loglik, o["loglik"].as_f64().expect("ll"));
    println!(
        "factor oracle: max relative difference (ORs, CIs, probabilities, loglik) {:e}, max |diff| of p-values {:e}",
        d.rel, d.p_abs
    );
}

#[test]
fn factor_and_label_errors_name_the_problem() {
    let text = std::fs::read_to_string(oracle_dir().join("factor_cohort.csv")).expect("csv");
    let mut spec = CohortSpec::new("label");
    spec.split_column = Some("split".into());
    spec.clinical_columns = vec!["texture".into(), "signal".into()];
    // text labels without --positive-class
    let e = format!(
        "{:#}",
        Cohort::from_reader(text.as_bytes(), &spec).unwrap_err()
    );
    assert!(
        e.contains("--positive-class") && e.contains("'label'"),
        "{e}"
    );
    spec.positive_class = Some("malignant".into());
    // a text clinical column that is not declared a factor
    let e = format!(
        "{:#}",
        Cohort::from_reader(text.as_bytes(), &spec).unwrap_err()
    );
    assert!(e.contains("'signal'") && e.contains("'hyper'"), "{e}");
    spec.factor_columns = vec!["signal".into()];
    spec.reference_levels = vec![("signal".into(), "medium".into())];
    let e = format!(
        "{:#}",
        Cohort::from_reader(text.as_bytes(), &spec).unwrap_err()
    );
    assert!(
        e.contains("'medium'") && e.contains("hyper, hypo, iso"),
        "{e}"
    );
    // a third class
    let three = text.replacen("benign", "unknown", 1);
    spec.reference_levels.clear();
    let e = format!(
        "{:#}",
        Cohort::from_reader(three.as_bytes(), &spec).unwrap_err()
    );
    assert!(e.contains("third class"), "{e}");
}
