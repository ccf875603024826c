//! Decision curves: net benefit of every probability model, treat-all and treat-none, one figure
//! per set (Vickers & Elkin; dcurves `dca`), on a grid of thresholds 0.01, 0.02, … with nothing
//! smoothed.
//!
//! Plotted range ([`plot_range`]): from 0 to the first multiple of 0.05 above the largest grid
//! threshold at which some curve (a model or treat-all) still has a positive net benefit, capped
//! at 0.99. Beyond it every strategy is no better than treating none, so the curves carry no
//! information there (dcurves' default range is 0–0.99; papers usually show ~0–0.8).

use plotters::prelude::*;

use super::plot::{self, LegendItem, Swatch};
use super::roc::{both_classes, split_obs};
use super::{calc, fmt, Figure, Part, ReportInput};

/// Threshold probabilities of the curves.
pub(crate) fn thresholds() -> Vec<f64> {
    (1..100).map(|k| k as f64 / 100.0).collect()
}

/// End of the plotted threshold range: the first grid threshold at which both the reference
/// model's net benefit and treat-all's are ≤ 0, rounded up to a multiple of 0.05, at most 0.99
/// (0.99 when the reference model stays positive). `reference` and `treat_all` are
/// `(threshold, net benefit)` on the same ascending grid.
pub fn plot_range(reference: &[(f64, f64)], treat_all: &[(f64, f64)]) -> f64 {
    let first = reference
        .iter()
        .zip(treat_all)
        .find(|(r, a)| r.1 <= 0.0 && a.1 <= 0.0)
        .map(|(r, _)| r.0);
    match first {
        // round against binary noise: 0.3 stays 0.3, 0.31 gives 0.35
        Some(t) => ((t / 0.05 - 1e-9).ceil() * 0.05).clamp(0.05, 0.99),
        None => 0.99,
    }
}

/// Decision-curve figures (training set, test set).
pub fn figures(input: &ReportInput) -> anyhow::Result<Vec<Figure>> {
    let mut out = Vec::new();
    for part in input.parts() {
        let models: Vec<usize> = (0..input.models.len())
            .filter(|&i| input.models[i].probability && both_classes(input.models[i].part(part)))
            .collect();
        if models.is_empty() {
            continue;
        }
        let (svg, end) = draw(input, part, &models)?;
        out.push(Figure {
            file: format!("dca_{}.svg", input.part_key(part)),
            section: "dca",
            caption: format!(
                "Decision curves, {}: net benefit of treating patients whose predicted probability is at least the threshold, against treating all and treating none, at thresholds 0.01, 0.02, …, unsmoothed. Shown for thresholds 0–{}: up to the first threshold where both the {} model's and treat-all's net benefit are ≤ 0, rounded up to 0.05 (at most 0.99; dcurves' default range is 0–0.99).",
                input.part_phrase(part),
                fmt::fixed(end, 2),
                input
                    .reference
                    .filter(|r| models.contains(r))
                    .or(models.last().copied())
                    .map_or("reference", |i| input.models[i].name.as_str())
            ),
            svg,
        });
    }
    Ok(out)
}

fn draw(input: &ReportInput, part: Part, models: &[usize]) -> anyhow::Result<(String, f64)> {
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
    // the reference (combined) model, else the last probability model plotted
    let refc = curves
        .iter()
        .find(|c| Some(c.0) == input.reference)
        .or(curves.last())
        .map(|c| c.1.clone())
        .unwrap_or_default();
    let end = plot_range(&refc, &all);
    let cut = |v: &[(f64, f64)]| -> Vec<(f64, f64)> {
        v.iter().copied().filter(|p| p.0 <= end + 1e-12).collect()
    };
    all = cut(&all);
    for c in curves.iter_mut() {
        c.1 = cut(&c.1);
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
    let svg = plot::svg(w, h, |root| {
        let area = plot::with_legend(root, &items)?;
        let mut chart = plot::chart(
            &area,
            &format!("Decision curves, {}", input.part_phrase(part)),
            0.0..end,
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
            &[(0.0, 0.0), (end, 0.0)],
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
    })?;
    Ok((svg, end))
}

#[cfg(test)]
mod tests {
    use super::plot_range;

    #[test]
    fn range_ends_where_model_and_treat_all_stop_being_useful() {
        let grid = |f: &dyn Fn(f64) -> f64| -> Vec<(f64, f64)> {
            (1..100)
                .map(|k| k as f64 / 100.0)
                .map(|t| (t, f(t)))
                .collect()
        };
        let all = grid(&|t| 0.5 - t); // ≤ 0 from 0.5
                                      // the model is positive up to 0.72, negative after, positive again at 0.9 (a jagged tail)
        let model = grid(&|t| if t <= 0.72 || t >= 0.9 { 0.1 } else { -0.01 });
        assert!((plot_range(&model, &all) - 0.75).abs() < 1e-12);
        // crossing exactly at a multiple of 0.05 keeps it
        let model = grid(&|t| if t < 0.795 { 0.1 } else { -0.01 });
        assert!((plot_range(&model, &all) - 0.8).abs() < 1e-12);
        // treat-all still positive where the model is not: wait for both
        let model = grid(&|t| if t < 0.2 { 0.1 } else { -0.01 });
        assert!((plot_range(&model, &all) - 0.5).abs() < 1e-12);
        // never ≤ 0: dcurves' 0.99
        assert_eq!(plot_range(&grid(&|_| 0.1), &all), 0.99);
    }
}
