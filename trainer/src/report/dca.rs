//! Decision curves: net benefit of every probability model, treat-all and treat-none, one figure
//! per set (Vickers & Elkin; thresholds 0.01–0.99).

use plotters::prelude::*;

use super::plot::{self, LegendItem, Swatch};
use super::roc::{both_classes, split_obs};
use super::{calc, Figure, Part, ReportInput};

/// Threshold probabilities of the curves.
pub(crate) fn thresholds() -> Vec<f64> {
    (1..100).map(|k| k as f64 / 100.0).collect()
}

/// Decision-curve figures (training set, test set).
pub fn figures(input: &ReportInput) -> anyhow::Result<Vec<Figure>> {
    let mut out = Vec::new();
    for part in Part::ALL {
        let models: Vec<usize> = (0..input.models.len())
            .filter(|&i| input.models[i].probability && both_classes(input.models[i].part(part)))
            .collect();
        if models.is_empty() {
            continue;
        }
        out.push(Figure {
            file: format!("dca_{}.svg", part.key()),
            section: "dca",
            caption: format!(
                "Decision curves, {}: net benefit of treating patients whose predicted probability is at least the threshold, against treating all and treating none.",
                part.title().to_lowercase()
            ),
            svg: draw(input, part, &models)?,
        });
    }
    Ok(out)
}

fn draw(input: &ReportInput, part: Part, models: &[usize]) -> anyhow::Result<String> {
    let th = thresholds();
    let mut curves = Vec::new();
    let mut all = Vec::new();
    for &i in models {
        let (y, p) = split_obs(input.models[i].part(part));
        let nb = calc::net_benefit(&y, &p, &th);
        if all.is_empty() {
            all = nb.iter().map(|r| (r.0, r.2)).collect();
        }
        curves.push((i, nb.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>()));
    }
    let top = all
        .iter()
        .map(|p| p.1)
        .chain(curves.iter().flat_map(|c| c.1.iter().map(|p| p.1)))
        .fold(0.0f64, f64::max);
    let ymax = (top * 1.1).max(0.05);
    let ymin = -0.1 * ymax.max(0.5);
    let mut items: Vec<LegendItem> = models
        .iter()
        .map(|&i| {
            LegendItem::new(
                input.models[i].name.clone(),
                Swatch::Line(
                    plot::model_color(i, input.reference),
                    if Some(i) == input.reference { 3 } else { 2 },
                    false,
                ),
            )
        })
        .collect();
    items.push(LegendItem::new(
        "Treat all",
        Swatch::Line(plot::REF, 2, false),
    ));
    items.push(LegendItem::new("Treat none", Swatch::Line(BLACK, 1, true)));
    let w = 620;
    let h = 560 + plot::legend_height(&items, w);
    plot::svg(w, h, |root| {
        let area = plot::with_legend(root, &items)?;
        let mut chart = plot::chart(
            &area,
            &format!("Decision curves, {}", part.title().to_lowercase()),
            0.0..1.0,
            ymin..ymax,
        )?;
        plot::mesh(&mut chart, "Threshold probability", "Net benefit")?;
        for seg in plot::clip_below(&all, ymin) {
            chart.draw_series(LineSeries::new(
                seg,
                ShapeStyle::from(&plot::REF).stroke_width(2),
            ))?;
        }
        plot::draw_dashed(
            &mut chart,
            &[(0.0, 0.0), (1.0, 0.0)],
            40,
            ShapeStyle::from(&BLACK).stroke_width(1),
        )?;
        let mut order: Vec<&(usize, Vec<(f64, f64)>)> = curves.iter().collect();
        order.sort_by_key(|(i, _)| (Some(*i) == input.reference, *i));
        for (i, pts) in order {
            let wide = Some(*i) == input.reference;
            for seg in plot::clip_below(pts, ymin) {
                chart.draw_series(LineSeries::new(
                    seg,
                    ShapeStyle::from(&plot::model_color(*i, input.reference))
                        .stroke_width(if wide { 3 } else { 2 }),
                ))?;
            }
        }
        Ok(())
    })
}
