//! Tables: baseline characteristics, odds ratios, model performance, DeLong comparisons and the
//! selected features. Each is shown rounded in the page and written at full precision as CSV.

use super::roc::{both_classes, split_obs};
use super::{calc, fmt, Baseline, Part, ReportInput, Table, VarKind};
use crate::stats::binom::{clopper_pearson, Proportion};
use crate::stats::roc::confusion;

/// Every table of the report (in page order); tables without data are left out. Runs the
/// bootstrap internal validation ([`super::internal`]).
pub fn tables(input: &ReportInput) -> Vec<Table> {
    tables_with(input, super::internal::validation(input).as_ref())
}

/// [`tables`] with the bootstrap validation already computed.
pub(crate) fn tables_with(
    input: &ReportInput,
    v: Option<&crate::stats::bootstrap::Validation>,
) -> Vec<Table> {
    let mut out = Vec::new();
    if let Some(b) = input.baseline.as_ref().filter(|b| !b.labels.is_empty()) {
        out.push(baseline(input, b));
    }
    if !input.univariate.is_empty() || !input.multivariate.is_empty() {
        out.push(odds_ratios(input));
    }
    if input
        .models
        .iter()
        .any(|m| input.parts().iter().any(|&p| both_classes(m.part(p))))
    {
        out.push(performance(input));
    }
    if let Some(t) = delong(input) {
        out.push(t);
    }
    if let Some(v) = v {
        out.push(super::internal::table(input, v));
    }
    if let Some(t) = super::calibration::table(input) {
        out.push(t);
    }
    if !input.features.is_empty() {
        out.push(features(input));
    }
    out
}

fn s(x: impl Into<String>) -> String {
    x.into()
}

/// Decimals for a summary of values around `x`.
fn decimals(x: f64) -> usize {
    let a = x.abs();
    if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        3
    }
}

/// A p-value and the test that gave it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Tested {
    pub p: f64,
    pub test: &'static str,
}

impl Tested {
    const NONE: Tested = Tested {
        p: f64::NAN,
        test: "",
    };

    fn display(self) -> String {
        if self.test.is_empty() {
            String::new()
        } else {
            format!("{} ({})", fmt::pvalue(self.p), short(self.test))
        }
    }
}

fn short(test: &str) -> &'static str {
    match test {
        "Mann-Whitney U" => "MW",
        "chi-square" => "χ²",
        "Fisher exact" => "Fisher",
        _ => "",
    }
}

/// Compares a continuous variable between two groups.
pub(crate) fn compare_continuous(a: &[f64], b: &[f64]) -> Tested {
    let (a, b) = (calc::sorted_finite(a), calc::sorted_finite(b));
    if a.is_empty() || b.is_empty() {
        return Tested::NONE;
    }
    Tested {
        p: calc::mann_whitney(&a, &b).1,
        test: "Mann-Whitney U",
    }
}

/// Compares a categorical variable between two groups: chi-square, or Fisher exact for a 2×2
/// table with an expected count below 5.
pub(crate) fn compare_categorical(a: &[f64], b: &[f64], levels: &[f64]) -> Tested {
    let count = |v: &[f64], l: f64| v.iter().filter(|&&x| x == l).count() as f64;
    let table: Vec<Vec<f64>> = levels
        .iter()
        .map(|&l| vec![count(a, l), count(b, l)])
        .filter(|r| r[0] + r[1] > 0.0)
        .collect();
    let na: f64 = table.iter().map(|r| r[0]).sum();
    let nb: f64 = table.iter().map(|r| r[1]).sum();
    if table.len() < 2 || na == 0.0 || nb == 0.0 {
        return Tested::NONE;
    }
    let (_, p, min_e) = calc::chi_square(&table);
    if table.len() == 2 && min_e < 5.0 {
        let t = [
            [table[0][0] as u64, table[0][1] as u64],
            [table[1][0] as u64, table[1][1] as u64],
        ];
        return Tested {
            p: calc::fisher_exact(t),
            test: "Fisher exact",
        };
    }
    Tested {
        p,
        test: "chi-square",
    }
}

fn median_iqr(v: &[f64]) -> (f64, f64, f64) {
    let s = calc::sorted_finite(v);
    (
        calc::quantile_sorted(&s, 0.5),
        calc::quantile_sorted(&s, 0.25),
        calc::quantile_sorted(&s, 0.75),
    )
}

fn median_iqr_text(v: &[f64], d: usize) -> String {
    let (m, q1, q3) = median_iqr(v);
    if !m.is_finite() {
        return "NA".into();
    }
    format!(
        "{} ({}, {})",
        fmt::fixed(m, d),
        fmt::fixed(q1, d),
        fmt::fixed(q3, d)
    )
}

fn n_pct(v: &[f64], level: f64) -> (usize, usize) {
    let n = v.iter().filter(|x| x.is_finite()).count();
    (v.iter().filter(|&&x| x == level).count(), n)
}

fn n_pct_text(k: usize, n: usize) -> String {
    if n == 0 {
        return "0".into();
    }
    format!("{} ({})", k, fmt::fixed(100.0 * k as f64 / n as f64, 1))
}

/// Baseline characteristics: training vs test, and the classes within each set.
pub fn baseline(input: &ReportInput, b: &Baseline) -> Table {
    let class_names = &input.class_names;
    // The parts that have patients; the training-vs-test comparison only when both do (they are
    // then the first two parts).
    let parts: Vec<Part> = input
        .parts()
        .into_iter()
        .filter(|p| b.parts.contains(p))
        .collect();
    let has_test = parts.starts_with(&[Part::Train, Part::Test]);
    // Group index lists: [train all, test all], per part [class0, class1].
    let idx = |f: &dyn Fn(usize) -> bool| -> Vec<usize> {
        (0..b.labels.len()).filter(|&i| f(i)).collect()
    };
    let part_all: Vec<Vec<usize>> = parts.iter().map(|&p| idx(&|i| b.parts[i] == p)).collect();
    let part_cls: Vec<[Vec<usize>; 2]> = parts
        .iter()
        .map(|&p| {
            [
                idx(&|i| b.parts[i] == p && b.labels[i] != 1),
                idx(&|i| b.parts[i] == p && b.labels[i] == 1),
            ]
        })
        .collect();
    let pick = |v: &[f64], ix: &[usize]| -> Vec<f64> { ix.iter().map(|&i| v[i]).collect() };

    let mut header = vec![s("Characteristic")];
    let mut csv_header = vec![s("variable"), s("level"), s("summary")];
    if has_test {
        header.extend([
            format!("Training set (n = {})", part_all[0].len()),
            format!("Test set (n = {})", part_all[1].len()),
            s("p, training vs test"),
        ]);
        csv_header.extend([
            s("train"),
            s("test"),
            s("p_train_vs_test"),
            s("test_train_vs_test"),
        ]);
    }
    for (k, &p) in parts.iter().enumerate() {
        for c in 0..2 {
            header.push(format!(
                "{}: {} (n = {})",
                input.part_title(p),
                class_names[c],
                part_cls[k][c].len()
            ));
            csv_header.push(format!("{}_class{}", input.part_key(p), c));
        }
        header.push(format!("p, {}", input.part_phrase(p)));
        csv_header.push(format!("p_{}", input.part_key(p)));
        csv_header.push(format!("test_{}", input.part_key(p)));
    }

    let mut rows = Vec::new();
    let mut csv_rows = Vec::new();
    // Outcome row.
    {
        let lab: Vec<f64> = b
            .labels
            .iter()
            .map(|&l| f64::from(u8::from(l == 1)))
            .collect();
        let mut row = vec![format!("{}, n (%)", class_names[1])];
        let mut crow = vec![s("outcome"), s("1"), s("n (%)")];
        if has_test {
            let (k0, n0) = n_pct(&pick(&lab, &part_all[0]), 1.0);
            let (k1, n1) = n_pct(&pick(&lab, &part_all[1]), 1.0);
            let t = compare_categorical(
                &pick(&lab, &part_all[0]),
                &pick(&lab, &part_all[1]),
                &[0.0, 1.0],
            );
            row.extend([n_pct_text(k0, n0), n_pct_text(k1, n1), t.display()]);
            crow.extend([
                n_pct_text(k0, n0),
                n_pct_text(k1, n1),
                fmt::exact(t.p),
                s(t.test),
            ]);
        }
        // per set: the class-1 column holds the set's count of the class (n, % of the set)
        for ix in &part_all {
            let (k, n) = n_pct(&pick(&lab, ix), 1.0);
            row.extend([s("—"), n_pct_text(k, n), s("")]);
            crow.extend([s(""), n_pct_text(k, n), s(""), s("")]);
        }
        rows.push(row);
        csv_rows.push(crow);
    }
    for var in &b.vars {
        match var.kind {
            VarKind::Continuous => {
                let all = calc::sorted_finite(&var.values);
                let d = decimals(calc::quantile_sorted(&all, 0.5));
                let mut row = vec![format!("{}, median (Q1, Q3)", var.name)];
                let mut crow = vec![var.name.clone(), s(""), s("median (Q1, Q3)")];
                if has_test {
                    let (a, c) = (
                        pick(&var.values, &part_all[0]),
                        pick(&var.values, &part_all[1]),
                    );
                    let t = compare_continuous(&a, &c);
                    row.extend([median_iqr_text(&a, d), median_iqr_text(&c, d), t.display()]);
                    crow.extend([
                        median_iqr_text(&a, d),
                        median_iqr_text(&c, d),
                        fmt::exact(t.p),
                        s(t.test),
                    ]);
                }
                for cls in &part_cls {
                    let (a, c) = (pick(&var.values, &cls[0]), pick(&var.values, &cls[1]));
                    let t = compare_continuous(&a, &c);
                    row.extend([median_iqr_text(&a, d), median_iqr_text(&c, d), t.display()]);
                    crow.extend([
                        median_iqr_text(&a, d),
                        median_iqr_text(&c, d),
                        fmt::exact(t.p),
                        s(t.test),
                    ]);
                }
                rows.push(row);
                csv_rows.push(crow);
            }
            VarKind::Categorical => {
                let mut levels = calc::sorted_finite(&var.values);
                levels.dedup();
                let mut row = vec![format!("{}, n (%)", var.name)];
                let mut crow = vec![var.name.clone(), s(""), s("p")];
                if has_test {
                    let t = compare_categorical(
                        &pick(&var.values, &part_all[0]),
                        &pick(&var.values, &part_all[1]),
                        &levels,
                    );
                    row.extend([s(""), s(""), t.display()]);
                    crow.extend([s(""), s(""), fmt::exact(t.p), s(t.test)]);
                }
                for cls in &part_cls {
                    let t = compare_categorical(
                        &pick(&var.values, &cls[0]),
                        &pick(&var.values, &cls[1]),
                        &levels,
                    );
                    row.extend([s(""), s(""), t.display()]);
                    crow.extend([s(""), s(""), fmt::exact(t.p), s(t.test)]);
                }
                rows.push(row);
                csv_rows.push(crow);
                for &l in &levels {
                    let name = var
                        .levels
                        .get(l as usize)
                        .filter(|_| l >= 0.0 && l.fract() == 0.0)
                        .cloned()
                        .unwrap_or_else(|| fmt::tick(l));
                    let mut row = vec![format!("\u{a0}\u{a0}\u{a0}\u{a0}{name}")];
                    let mut crow = vec![var.name.clone(), name, s("n (%)")];
                    let mut cells = Vec::new();
                    if has_test {
                        for g in &part_all {
                            let (k, n) = n_pct(&pick(&var.values, g), l);
                            cells.push(n_pct_text(k, n));
                        }
                        row.extend([cells[0].clone(), cells[1].clone(), s("")]);
                        crow.extend([cells[0].clone(), cells[1].clone(), s(""), s("")]);
                    }
                    for cls in &part_cls {
                        let a = n_pct(&pick(&var.values, &cls[0]), l);
                        let c = n_pct(&pick(&var.values, &cls[1]), l);
                        row.extend([n_pct_text(a.0, a.1), n_pct_text(c.0, c.1), s("")]);
                        crow.extend([n_pct_text(a.0, a.1), n_pct_text(c.0, c.1), s(""), s("")]);
                    }
                    rows.push(row);
                    csv_rows.push(crow);
                }
            }
        }
    }
    Table {
        file: "baseline.csv".into(),
        title: "Baseline characteristics".into(),
        header,
        rows,
        csv_header,
        csv_rows,
        note: "Continuous variables: median (Q1, Q3) (R quantile type 7), two-sided Mann–Whitney U test with tie and continuity correction (MW). Categorical variables: n (%), Pearson chi-square test (χ², Yates-corrected for 2×2 tables), or Fisher exact test (Fisher) for 2×2 tables with an expected count below 5. Missing values are excluded.".into(),
    }
}

fn or_text(or: f64, lo: f64, hi: f64) -> String {
    let d = if or.abs() >= 100.0 { 1 } else { 3 };
    format!(
        "{} ({}–{})",
        fmt::fixed(or, d),
        fmt::fixed(lo, d),
        fmt::fixed(hi, d)
    )
}

/// Univariate and multivariate odds ratios.
pub fn odds_ratios(input: &ReportInput) -> Table {
    // rows keyed by (variable, level): a factor's variable row, then one row per level
    let key = |r: &super::OddsRow| (r.name.clone(), r.level.clone());
    let mut keys: Vec<(String, Option<String>)> = input.univariate.iter().map(key).collect();
    for r in &input.multivariate {
        let k = key(r);
        if !keys.contains(&k) {
            // a level missing from the univariate list goes after its variable's other rows
            let pos = keys
                .iter()
                .rposition(|q| q.0 == k.0)
                .map_or(keys.len(), |p| p + 1);
            keys.insert(pos, k);
        }
    }
    let find = |list: &[super::OddsRow], k: &(String, Option<String>)| {
        list.iter()
            .find(|r| r.name == k.0 && r.level == k.1)
            .cloned()
    };
    let mut rows = Vec::new();
    let mut any_factor = false;
    for k in &keys {
        let any = find(&input.univariate, k).or_else(|| find(&input.multivariate, k));
        let reference = any.as_ref().and_then(|r| r.reference.clone());
        let label = match (&k.1, &reference) {
            (None, Some(_)) => {
                any_factor = true;
                k.0.clone()
            }
            (Some(level), _) => format!("\u{a0}\u{a0}\u{a0}\u{a0}{level}"),
            (None, None) => k.0.clone(),
        };
        let mut row = vec![label];
        for list in [&input.univariate, &input.multivariate] {
            match find(list, k) {
                Some(r) if r.or.is_nan() => {
                    row.extend([s("likelihood-ratio test"), fmt::pvalue(r.p)])
                }
                Some(r) => row.extend([or_text(r.or, r.ci_low, r.ci_high), fmt::pvalue(r.p)]),
                None => row.extend([s(""), s("")]),
            }
        }
        rows.push(row);
        // a factor's reference level, as R/SPSS tables list it: OR 1
        if let (None, Some(r)) = (&k.1, &reference) {
            let in_list = |list: &[super::OddsRow]| find(list, k).is_some();
            let cell = |l: &[super::OddsRow]| {
                if in_list(l) {
                    s("1 (reference)")
                } else {
                    s("")
                }
            };
            rows.push(vec![
                format!("\u{a0}\u{a0}\u{a0}\u{a0}{r}"),
                cell(&input.univariate),
                s(""),
                cell(&input.multivariate),
                s(""),
            ]);
        }
    }
    let mut csv_rows = Vec::new();
    for (analysis, list) in [
        ("univariate", &input.univariate),
        ("multivariate", &input.multivariate),
    ] {
        for r in list {
            csv_rows.push(vec![
                s(analysis),
                r.name.clone(),
                r.level.clone().unwrap_or_default(),
                r.reference.clone().unwrap_or_default(),
                fmt::exact(r.or),
                fmt::exact(r.ci_low),
                fmt::exact(r.ci_high),
                fmt::exact(r.p),
                s(if r.reference.is_some() && r.level.is_none() {
                    "likelihood ratio"
                } else {
                    "Wald"
                }),
            ]);
        }
    }
    let mut note = "Unpenalised logistic regression on the training set; OR per unit of the variable, Wald 95 % confidence interval and p-value.".to_string();
    if any_factor {
        note.push_str(" A categorical variable is coded as R's glm codes a factor (treatment contrasts): one OR per level against the reference level, with its Wald CI and p; the p on the variable's own row is the likelihood-ratio test of all its levels (anova / drop1 with test = \"Chisq\"), which decides the screening.");
    }
    Table {
        file: "odds_ratios.csv".into(),
        title: "Univariate and multivariate logistic regression".into(),
        header: vec![
            s("Variable"),
            s("Univariate OR (95 % CI)"),
            s("p"),
            s("Multivariate OR (95 % CI)"),
            s("p"),
        ],
        rows,
        csv_header: vec![
            s("analysis"),
            s("variable"),
            s("level"),
            s("reference"),
            s("or"),
            s("ci_low"),
            s("ci_high"),
            s("p"),
            s("p_test"),
        ],
        csv_rows,
        note,
    }
}

/// A proportion with its exact 95 % CI, as shown: "0.812 (0.750–0.864)".
fn prop_text(p: Proportion) -> String {
    format!(
        "{} ({}–{})",
        fmt::fixed(p.estimate, 3),
        fmt::fixed(p.low, 3),
        fmt::fixed(p.high, 3)
    )
}

/// Model performance: AUC (95 % DeLong CI); accuracy, sensitivity, specificity, PPV and NPV at
/// the training threshold, each with an exact (Clopper–Pearson) 95 % CI.
pub fn performance(input: &ReportInput) -> Table {
    let mut rows = Vec::new();
    let mut csv_rows = Vec::new();
    for m in &input.models {
        for part in input.parts() {
            let obs = m.part(part);
            if !both_classes(obs) {
                continue;
            }
            let (y, v) = split_obs(obs);
            let d = calc::delong(&y, &v);
            let c = confusion(&y, &v, m.threshold);
            let props = [
                clopper_pearson(c.tp + c.tn, y.len(), 0.95),
                clopper_pearson(c.tp, c.tp + c.fn_, 0.95),
                clopper_pearson(c.tn, c.tn + c.fp, 0.95),
                clopper_pearson(c.tp, c.tp + c.fp, 0.95),
                clopper_pearson(c.tn, c.tn + c.fn_, 0.95),
            ];
            let npos = y.iter().filter(|&&l| l == 1).count();
            let mut row = vec![
                m.name.clone(),
                input.part_title(part),
                format!("{} / {}", y.len(), npos),
                format!(
                    "{} ({}–{})",
                    fmt::fixed(d.auc, 3),
                    fmt::fixed(d.ci[0], 3),
                    fmt::fixed(d.ci[1], 3)
                ),
            ];
            row.extend(props.iter().map(|&p| prop_text(p)));
            row.push(fmt::tick(m.threshold));
            rows.push(row);
            let mut csv = vec![
                m.name.clone(),
                input.part_key(part),
                y.len().to_string(),
                npos.to_string(),
                fmt::exact(d.auc),
                fmt::exact(d.ci[0]),
                fmt::exact(d.ci[1]),
                fmt::exact(m.threshold),
                c.tp.to_string(),
                c.fp.to_string(),
                c.tn.to_string(),
                c.fn_.to_string(),
            ];
            for p in props {
                csv.extend([
                    fmt::exact(p.estimate),
                    fmt::exact(p.low),
                    fmt::exact(p.high),
                ]);
            }
            csv_rows.push(csv);
        }
    }
    let mut csv_header: Vec<String> = [
        "model",
        "set",
        "n",
        "n_positive",
        "auc",
        "ci_low",
        "ci_high",
        "threshold",
        "tp",
        "fp",
        "tn",
        "fn",
    ]
    .map(String::from)
    .to_vec();
    for k in ["accuracy", "sensitivity", "specificity", "ppv", "npv"] {
        csv_header.extend([k.to_string(), format!("{k}_ci_low"), format!("{k}_ci_high")]);
    }
    Table {
        file: "performance.csv".into(),
        title: "Model performance".into(),
        header: vec![
            s("Model"), s("Set"), s("n / positive"), s("AUC (95 % CI)"), s("Accuracy (95 % CI)"), s("Sensitivity (95 % CI)"),
            s("Specificity (95 % CI)"), s("PPV (95 % CI)"), s("NPV (95 % CI)"), s("Threshold"),
        ],
        rows,
        csv_header,
        csv_rows,
        note: format!(
            "AUC with 95 % DeLong confidence interval (pROC ci.auc). Accuracy, sensitivity, specificity, PPV (positive predictive value) and NPV (negative predictive value) with exact Clopper–Pearson 95 % confidence intervals (R binom.test); {} is predicted iff the model output ≥ the threshold, chosen on the training set (Youden index; for the combined model of a saved model file, the one stored in it) and applied unchanged to every other set.",
            input.class_names[1]
        ),
    }
}

/// Paired DeLong tests: the reference model against each other model, per set.
pub fn delong(input: &ReportInput) -> Option<Table> {
    let r = input.reference?;
    let reference = input.models.get(r)?;
    let mut rows = Vec::new();
    let mut csv_rows = Vec::new();
    for (i, m) in input.models.iter().enumerate() {
        if i == r {
            continue;
        }
        for part in input.parts() {
            let (a, b) = (reference.part(part), m.part(part));
            if !both_classes(a)
                || a.len() != b.len()
                || a.iter().zip(b).any(|(x, y)| x.label != y.label)
            {
                continue;
            }
            let (y, s1) = split_obs(a);
            let (_, s2) = split_obs(b);
            let (a1, a2) = (calc::delong(&y, &s1).auc, calc::delong(&y, &s2).auc);
            let (z, p) = calc::delong_test(&y, &s1, &s2);
            rows.push(vec![
                format!("{} vs {}", reference.name, m.name),
                input.part_title(part),
                fmt::fixed(a1, 3),
                fmt::fixed(a2, 3),
                fmt::fixed(z, 3),
                fmt::pvalue(p),
            ]);
            csv_rows.push(vec![
                reference.name.clone(),
                m.name.clone(),
                input.part_key(part),
                fmt::exact(a1),
                fmt::exact(a2),
                fmt::exact(z),
                fmt::exact(p),
            ]);
        }
    }
    if rows.is_empty() {
        return None;
    }
    Some(Table {
        file: "delong.csv".into(),
        title: "DeLong comparisons".into(),
        header: vec![
            s("Comparison"),
            s("Set"),
            s("AUC 1"),
            s("AUC 2"),
            s("z"),
            s("p"),
        ],
        rows,
        csv_header: vec![
            s("model_1"),
            s("model_2"),
            s("set"),
            s("auc_1"),
            s("auc_2"),
            s("z"),
            s("p"),
        ],
        csv_rows,
        note: "Two-sided paired DeLong test of equal AUCs (pROC roc.test, method = \"delong\")."
            .into(),
    })
}

/// Selected radiomics features and their LASSO coefficients.
pub fn features(input: &ReportInput) -> Table {
    let mut rows = Vec::new();
    let mut csv_rows = Vec::new();
    if let Some(b0) = input.radscore_intercept {
        rows.push(vec![s("(intercept)"), s(""), s(""), fmt::fixed(b0, 6)]);
        csv_rows.push(vec![s("(intercept)"), s(""), s(""), fmt::exact(b0)]);
    }
    for f in &input.features {
        let (seq, name) = f.name.split_once('_').unwrap_or(("", f.name.as_str()));
        rows.push(vec![
            f.name.clone(),
            s(seq),
            s(name),
            fmt::fixed(f.value, 6),
        ]);
        csv_rows.push(vec![f.name.clone(), s(seq), s(name), fmt::exact(f.value)]);
    }
    Table {
        file: "features.csv".into(),
        title: "Selected radiomics features".into(),
        header: vec![s("Column"), s("Sequence"), s("PyRadiomics feature"), s("Coefficient")],
        rows,
        csv_header: vec![s("column"), s("sequence"), s("feature"), s("coefficient")],
        csv_rows,
        note: "radscore = intercept + Σ coefficient × z-scored feature (z-score with the training mean and SD).".into(),
    }
}
