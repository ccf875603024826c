//! Calibration of the reference (combined) model, one figure per set, and the calibration table.
//!
//! Training set: rms `calibrate(fit, B)` — the apparent curve (`lowess(p, y, iter = 0)` on rms's
//! grid of 50 predicted probabilities) and the bootstrap bias-corrected curve
//! ([`crate::stats::bootstrap`]). Test set: the same lowess of the test predictions (rms
//! `val.prob`'s nonparametric curve). Both show the ideal line, deciles of predicted probability
//! with exact 95 % confidence intervals of the observed fraction, and a rug of the predictions.

use plotters::prelude::*;

use super::plot::{self, LegendItem, Swatch};
use super::roc::{both_classes, split_obs};
use super::{fmt, Figure, Part, ReportInput, Table};
use crate::stats::binom::clopper_pearson;
use crate::stats::bootstrap::Validation;
use crate::stats::calibration::{bins_with, lowess, val_prob, BinStrategy};
use crate::stats::hl::hosmer_lemeshow;

/// Number of risk groups (deciles of predicted probability; also Hosmer–Lemeshow's g).
pub const GROUPS: usize = 10;

/// The model the calibration plot shows: the reference model, else the last probability model.
pub(crate) fn calibrated_model(input: &ReportInput) -> Option<usize> {
    input
        .reference
        .filter(|&i| input.models.get(i).is_some_and(|m| m.probability))
        .or_else(|| input.models.iter().rposition(|m| m.probability))
}

/// Calibration figures (training set, test set), without the bootstrap.
pub fn figures(input: &ReportInput) -> anyhow::Result<Vec<Figure>> {
    figures_with(input, None)
}

fn stats_text(y: &[u8], p: &[f64]) -> String {
    let v = val_prob(y, p);
    let hl = hosmer_lemeshow(y, p, GROUPS);
    format!(
        "Calibration-in-the-large {}, slope {}, Brier score {}, Hosmer–Lemeshow χ² = {} (df {}), p {}",
        fmt::fixed(v.citl, 3),
        fmt::fixed(v.slope, 3),
        fmt::fixed(v.brier, 3),
        fmt::fixed(hl.chi2, 2),
        hl.df,
        {
            let t = fmt::pvalue(hl.p);
            if let Some(rest) = t.strip_prefix('<') {
                format!("< {rest}")
            } else {
                format!("= {t}")
            }
        }
    )
}

/// Calibration figures with the bootstrap validation `v` of the reference model (adds the
/// bias-corrected curve to the training-set figure).
pub fn figures_with(input: &ReportInput, v: Option<&Validation>) -> anyhow::Result<Vec<Figure>> {
    let Some(mi) = calibrated_model(input) else {
        return Ok(Vec::new());
    };
    let m = &input.models[mi];
    let mut out = Vec::new();
    for part in input.parts() {
        let obs = m.part(part);
        if !both_classes(obs) {
            continue;
        }
        let (y, p) = split_obs(obs);
        let boot = v.filter(|_| part == Part::Train && Some(mi) == input.reference);
        let curves = if let Some(v) = boot {
            format!(
                "apparent and bootstrap bias-corrected calibration curves (rms calibrate: lowess, iter = 0, on {} predicted probabilities; B = {}, seed {}, {} refits; mean absolute error {})",
                v.calibration.predicted.len(),
                v.b,
                v.seed,
                v.b_used,
                fmt::fixed(v.calibration.mean_abs_error, 3)
            )
        } else {
            "apparent calibration curve (lowess, f = 2/3, iter = 0, as rms val.prob)".to_string()
        };
        out.push(Figure {
            file: format!("calibration_{}.svg", input.part_key(part)),
            section: "calibration",
            caption: format!(
                "Calibration of the {} model, {} (n = {}): {curves}; observed fraction of {} in deciles of predicted probability with exact 95 % CIs; ideal line; rug of the predictions. {}.",
                m.name,
                input.part_phrase(part),
                y.len(),
                input.class_names[1],
                stats_text(&y, &p)
            ),
            svg: draw(&m.name, &input.class_names[1], mi, input.reference, &input.part_phrase(part), &y, &p, boot)?,
        });
    }
    Ok(out)
}

/// The calibration table: val.prob intercept/slope, calibration-in-the-large, Brier, Eavg/Emax,
/// Hosmer–Lemeshow, per set.
pub fn table(input: &ReportInput) -> Option<Table> {
    let mi = calibrated_model(input)?;
    let m = &input.models[mi];
    let mut rows = Vec::new();
    let mut csv_rows = Vec::new();
    for part in input.parts() {
        let obs = m.part(part);
        if !both_classes(obs) {
            continue;
        }
        let (y, p) = split_obs(obs);
        let v = val_prob(&y, &p);
        let hl = hosmer_lemeshow(&y, &p, GROUPS);
        rows.push(vec![
            m.name.clone(),
            input.part_title(part),
            y.len().to_string(),
            fmt::fixed(v.citl, 3),
            fmt::fixed(v.intercept, 3),
            fmt::fixed(v.slope, 3),
            fmt::fixed(v.brier, 3),
            fmt::fixed(v.eavg, 3),
            fmt::fixed(v.emax, 3),
            format!("{} ({})", fmt::fixed(hl.chi2, 2), hl.df),
            fmt::pvalue(hl.p),
        ]);
        csv_rows.push(vec![
            m.name.clone(),
            input.part_key(part),
            y.len().to_string(),
            fmt::exact(v.citl),
            fmt::exact(v.intercept),
            fmt::exact(v.slope),
            fmt::exact(v.brier),
            fmt::exact(v.eavg),
            fmt::exact(v.emax),
            fmt::exact(hl.chi2),
            fmt::exact(hl.df),
            fmt::exact(hl.p),
        ]);
    }
    if rows.is_empty() {
        return None;
    }
    Some(Table {
        file: "calibration.csv".into(),
        title: "Calibration".into(),
        header: ["Model", "Set", "n", "CITL", "Intercept", "Slope", "Brier", "Eavg", "Emax", "HL χ² (df)", "HL p"]
            .map(String::from)
            .to_vec(),
        rows,
        csv_header: ["model", "set", "n", "citl", "intercept", "slope", "brier", "eavg", "emax", "hl_chi2", "hl_df", "hl_p"]
            .map(String::from)
            .to_vec(),
        csv_rows,
        note: format!(
            "rms val.prob: intercept and slope of the logistic recalibration y ~ a + b·logit(p) (ideal 0 and 1); CITL = calibration-in-the-large, the intercept with the slope fixed at 1 (glm(y ~ 1, offset = logit(p))); Brier score; Eavg/Emax = mean/maximum |p − lowess(p)|. Hosmer–Lemeshow test with g = {GROUPS} groups at deciles of p (ResourceSelection hoslem.test, df = g − 2). On the training set a maximum-likelihood model has intercept 0 and slope 1 by construction; see the bootstrap internal validation for the optimism-corrected slope."
        ),
    })
}

#[allow(clippy::too_many_arguments)]
fn draw(
    name: &str,
    positive: &str,
    mi: usize,
    reference: Option<usize>,
    part: &str,
    y: &[u8],
    p: &[f64],
    boot: Option<&Validation>,
) -> anyhow::Result<String> {
    let c = plot::model_color(mi, reference);
    let corrected_color = RGBColor(213, 94, 0);
    let mut items = vec![
        LegendItem::new("Ideal", Swatch::Line(plot::REF, 1, true)),
        LegendItem::new("Apparent", Swatch::Line(c, 2, false)),
    ];
    if boot.is_some() {
        items.push(LegendItem::new(
            "Bias-corrected (bootstrap)",
            Swatch::Line(corrected_color, 2, true),
        ));
    }
    items.push(LegendItem::new(
        "Deciles, observed (95 % CI)",
        Swatch::Dot(c),
    ));
    let w = 620;
    let h = 560 + plot::legend_height(&items, w);
    let groups = bins_with(y, p, GROUPS, BinStrategy::Quantile);
    // The apparent curve is always that of the model's own predictions; the bias-corrected one
    // subtracts the bootstrap optimism of the refitted model at each grid point (identical
    // predictions when the model is the maximum-likelihood fit the bootstrap refits).
    let apparent: Vec<(f64, f64)> = match boot {
        Some(v) => {
            let g = &v.calibration.predicted;
            g.iter()
                .copied()
                .zip(crate::stats::bootstrap::apparent_on_grid(p, y, g))
                .collect()
        }
        None => {
            let yf: Vec<f64> = y.iter().map(|&l| f64::from(l)).collect();
            lowess(p, &yf, 2.0 / 3.0, 0)
        }
    };
    plot::svg(w, h, |root| {
        let area = plot::with_legend(root, &items)?;
        let title = format!("Calibration, {name} model, {}", part);
        let mut chart = plot::chart(&area, &title, 0.0..1.0, 0.0..1.0)?;
        plot::mesh(
            &mut chart,
            "Predicted probability",
            &format!("Observed fraction of {positive}"),
        )?;
        plot::draw_dashed(
            &mut chart,
            &[(0.0, 0.0), (1.0, 1.0)],
            30,
            ShapeStyle::from(&plot::REF).stroke_width(1),
        )?;
        for g in &groups {
            let k = (g.frac_pos * g.n as f64).round() as usize;
            let ci = clopper_pearson(k, g.n, 0.95);
            let x = g.mean_pred;
            let st = ShapeStyle::from(&c.mix(0.6)).stroke_width(1);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x, ci.low), (x, ci.high)],
                st,
            )))?;
            chart.draw_series(
                [ci.low, ci.high]
                    .map(|e| PathElement::new(vec![(x - 0.008, e), (x + 0.008, e)], st)),
            )?;
        }
        chart.draw_series(
            groups
                .iter()
                .map(|g| Circle::new((g.mean_pred, g.frac_pos), 4, c.filled())),
        )?;
        let ap: Vec<(f64, f64)> = apparent
            .iter()
            .filter(|q| q.1.is_finite())
            .map(|&(a, b)| (a, b.clamp(0.0, 1.0)))
            .collect();
        chart.draw_series(LineSeries::new(ap, ShapeStyle::from(&c).stroke_width(2)))?;
        if let Some(v) = boot {
            let c = &v.calibration;
            let cc: Vec<(f64, f64)> = (0..c.predicted.len())
                .map(|k| {
                    let optimism = c.apparent[k] - c.corrected[k];
                    (c.predicted[k], apparent[k].1 - optimism)
                })
                .filter(|q| q.1.is_finite())
                .map(|(a, b)| (a, b.clamp(0.0, 1.0)))
                .collect();
            plot::draw_dashed(
                &mut chart,
                &cc,
                2,
                ShapeStyle::from(&corrected_color).stroke_width(2),
            )?;
        }
        chart.draw_series(p.iter().map(|&v| {
            PathElement::new(
                vec![(v, 0.0), (v, 0.025)],
                ShapeStyle::from(&BLACK.mix(0.5)).stroke_width(1),
            )
        }))?;
        Ok(())
    })
}
