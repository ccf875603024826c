//! ROC curves of every model, one figure per set, legend with AUC (95 % DeLong CI).

use plotters::prelude::*;

use super::plot::{self, LegendItem, Swatch};
use super::{calc, fmt, Figure, Part, ReportInput};

/// Labels and values of a list of observations.
pub(crate) fn split_obs(obs: &[super::Obs]) -> (Vec<u8>, Vec<f64>) {
    (
        obs.iter().map(|o| o.label).collect(),
        obs.iter().map(|o| o.value).collect(),
    )
}

/// Whether the observations contain both classes.
pub(crate) fn both_classes(obs: &[super::Obs]) -> bool {
    obs.iter().any(|o| o.label == 1) && obs.iter().any(|o| o.label != 1)
}

/// "AUC 0.930 (0.880–0.981)".
pub(crate) fn auc_label(obs: &[super::Obs]) -> String {
    let (y, s) = split_obs(obs);
    let d = calc::delong(&y, &s);
    format!(
        "AUC {} ({}–{})",
        fmt::fixed(d.auc, 3),
        fmt::fixed(d.ci[0], 3),
        fmt::fixed(d.ci[1], 3)
    )
}

/// ROC figures (training set, test set).
pub fn figures(input: &ReportInput) -> anyhow::Result<Vec<Figure>> {
    let mut out = Vec::new();
    for part in input.parts() {
        if !input.models.iter().any(|m| both_classes(m.part(part))) {
            continue;
        }
        out.push(Figure {
            file: format!("roc_{}.svg", input.part_key(part)),
            section: "roc",
            caption: format!(
                "ROC curves, {}: every model; AUC with 95 % DeLong confidence interval in the legend.",
                input.part_phrase(part)
            ),
            svg: draw(input, part)?,
        });
    }
    Ok(out)
}

fn draw(input: &ReportInput, part: Part) -> anyhow::Result<String> {
    let models: Vec<(usize, &super::ModelCurves)> = input
        .models
        .iter()
        .enumerate()
        .filter(|(_, m)| both_classes(m.part(part)))
        .collect();
    let mut items: Vec<LegendItem> = models
        .iter()
        .map(|(i, m)| {
            let wide = Some(*i) == input.reference;
            LegendItem::new(
                format!("{}: {}", m.name, auc_label(m.part(part))),
                Swatch::Line(
                    plot::model_color(*i, input.reference),
                    if wide { 3 } else { 2 },
                    false,
                ),
            )
        })
        .collect();
    items.push(LegendItem::new("Chance", Swatch::Line(plot::REF, 1, true)));
    let w = 620;
    let h = 560 + plot::legend_height(&items, w);
    plot::svg(w, h, |root| {
        let area = plot::with_legend(root, &items)?;
        let mut chart = plot::chart(
            &area,
            &format!("ROC curves, {}", input.part_phrase(part)),
            0.0..1.0,
            0.0..1.0,
        )?;
        plot::mesh(&mut chart, "1 − Specificity", "Sensitivity")?;
        plot::draw_dashed(
            &mut chart,
            &[(0.0, 0.0), (1.0, 1.0)],
            30,
            ShapeStyle::from(&plot::REF).stroke_width(1),
        )?;
        // Reference model last, so it is drawn on top.
        let mut order: Vec<&(usize, &super::ModelCurves)> = models.iter().collect();
        order.sort_by_key(|(i, _)| (Some(*i) == input.reference, *i));
        for (i, m) in order {
            let (y, s) = split_obs(m.part(part));
            let pts = calc::roc_points(&y, &s);
            let wide = Some(*i) == input.reference;
            chart.draw_series(LineSeries::new(
                pts,
                ShapeStyle::from(&plot::model_color(*i, input.reference)).stroke_width(if wide {
                    3
                } else {
                    2
                }),
            ))?;
        }
        Ok(())
    })
}
