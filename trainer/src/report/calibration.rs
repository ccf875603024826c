//! Calibration plot of the reference (combined) model: binned observed fraction, lowess
//! smoother and the ideal line, one figure per set.

use plotters::prelude::*;

use super::plot::{self, LegendItem, Swatch};
use super::roc::{both_classes, split_obs};
use super::{calc, fmt, Figure, Part, ReportInput};

/// Number of equal-width probability bins.
pub const BINS: usize = 10;

/// The model the calibration plot shows: the reference model, else the last probability model.
pub(crate) fn calibrated_model(input: &ReportInput) -> Option<usize> {
    input
        .reference
        .filter(|&i| input.models.get(i).is_some_and(|m| m.probability))
        .or_else(|| input.models.iter().rposition(|m| m.probability))
}

/// Brier score.
pub(crate) fn brier(y: &[u8], p: &[f64]) -> f64 {
    y.iter()
        .zip(p)
        .map(|(&l, &v)| (v - f64::from(l)).powi(2))
        .sum::<f64>()
        / y.len().max(1) as f64
}

/// Calibration figures (training set, test set).
pub fn figures(input: &ReportInput) -> anyhow::Result<Vec<Figure>> {
    let Some(mi) = calibrated_model(input) else {
        return Ok(Vec::new());
    };
    let m = &input.models[mi];
    let mut out = Vec::new();
    for part in Part::ALL {
        let obs = m.part(part);
        if !both_classes(obs) {
            continue;
        }
        let (y, p) = split_obs(obs);
        out.push(Figure {
            file: format!("calibration_{}.svg", part.key()),
            section: "calibration",
            caption: format!(
                "Calibration of the {} model, {} (n = {}): observed fraction of {} in {BINS} equal-width bins of predicted probability, lowess smoother (f = 2/3), ideal line. Brier score {}.",
                m.name,
                part.title().to_lowercase(),
                input.class_names[1],
                y.len(),
                fmt::fixed(brier(&y, &p), 3)
            ),
            svg: draw(&m.name, &input.class_names[1], mi, input.reference, part, &y, &p)?,
        });
    }
    Ok(out)
}

fn draw(
    name: &str,
    positive: &str,
    mi: usize,
    reference: Option<usize>,
    part: Part,
    y: &[u8],
    p: &[f64],
) -> anyhow::Result<String> {
    let c = plot::model_color(mi, reference);
    let items = vec![
        LegendItem::new("Ideal", Swatch::Line(plot::REF, 1, true)),
        LegendItem::new(
            format!("Grouped observations ({BINS} bins)"),
            Swatch::Dot(c),
        ),
        LegendItem::new("Lowess smoother", Swatch::Line(c, 2, false)),
    ];
    let w = 620;
    let h = 560 + plot::legend_height(&items, w);
    let bins = calc::calibration_bins(y, p, BINS);
    let yf: Vec<f64> = y.iter().map(|&l| f64::from(l)).collect();
    let smooth = calc::lowess(p, &yf, 2.0 / 3.0);
    plot::svg(w, h, |root| {
        let area = plot::with_legend(root, &items)?;
        let title = format!("Calibration, {name} model, {}", part.title().to_lowercase());
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
        let pts: Vec<(f64, f64)> = bins.iter().map(|b| (b.0, b.1)).collect();
        chart.draw_series(LineSeries::new(
            pts.clone(),
            ShapeStyle::from(&c.mix(0.5)).stroke_width(1),
        ))?;
        chart.draw_series(pts.iter().map(|&q| Circle::new(q, 5, c.filled())))?;
        let sm: Vec<(f64, f64)> = smooth
            .iter()
            .map(|&(a, b)| (a, b.clamp(0.0, 1.0)))
            .collect();
        chart.draw_series(LineSeries::new(sm, ShapeStyle::from(&c).stroke_width(2)))?;
        // Rug of the predictions along the bottom axis.
        chart.draw_series(p.iter().map(|&v| {
            PathElement::new(
                vec![(v, 0.0), (v, 0.025)],
                ShapeStyle::from(&BLACK.mix(0.5)).stroke_width(1),
            )
        }))?;
        Ok(())
    })
}
