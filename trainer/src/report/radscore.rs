//! Radscore figures: waterfall (one bar per patient, sorted, coloured by class) and violin plots
//! of the radscore by class with the Mann–Whitney p, per set.

use plotters::prelude::*;

use super::plot::{self, LegendItem, Swatch};
use super::{calc, fmt, Figure, Part, ReportInput, ScoredCase};

fn part_cases(input: &ReportInput, part: Part) -> Vec<&ScoredCase> {
    input
        .radscore
        .iter()
        .filter(|c| c.part == part && c.value.is_finite())
        .collect()
}

fn parts(input: &ReportInput) -> Vec<Part> {
    input
        .parts()
        .into_iter()
        .filter(|&p| !part_cases(input, p).is_empty())
        .collect()
}

/// Mann–Whitney p of the radscore between classes in one set.
pub(crate) fn mann_whitney_p(input: &ReportInput, part: Part) -> f64 {
    let cases = part_cases(input, part);
    let a: Vec<f64> = cases
        .iter()
        .filter(|c| c.label != 1)
        .map(|c| c.value)
        .collect();
    let b: Vec<f64> = cases
        .iter()
        .filter(|c| c.label == 1)
        .map(|c| c.value)
        .collect();
    calc::mann_whitney(&a, &b).1
}

fn p_text(p: f64) -> String {
    let s = fmt::pvalue(p);
    match s.strip_prefix('<') {
        Some(v) => format!("p < {v}"),
        None => format!("p = {s}"),
    }
}

fn class_legend(input: &ReportInput) -> Vec<LegendItem> {
    vec![
        LegendItem::new(input.class_names[0].clone(), Swatch::Box(plot::CLASS[0])),
        LegendItem::new(input.class_names[1].clone(), Swatch::Box(plot::CLASS[1])),
    ]
}

/// Waterfall and violin figures.
pub fn figures(input: &ReportInput) -> anyhow::Result<Vec<Figure>> {
    let ps = parts(input);
    if ps.is_empty() {
        return Ok(Vec::new());
    }
    let cut = input.radscore_cutoff.filter(|c| c.is_finite());
    let wf_caption = match cut {
        Some(c) => format!("Radscore waterfall: one bar per patient, radscore minus the cut-off {} (Youden index on the training set, or on all patients when there is none), sorted, coloured by true class.", fmt::fixed(c, 3)),
        None => "Radscore waterfall: one bar per patient, sorted, coloured by true class.".to_string(),
    };
    let tests: Vec<String> = ps
        .iter()
        .map(|&p| {
            format!(
                "{} {}",
                input.part_phrase(p),
                p_text(mann_whitney_p(input, p))
            )
        })
        .collect();
    Ok(vec![
        Figure { file: "radscore_waterfall.svg".into(), section: "radscore", caption: wf_caption, svg: waterfall(input, &ps, cut)? },
        Figure {
            file: "radscore_violin.svg".into(),
            section: "radscore",
            caption: format!(
                "Radscore by class: violin (Gaussian kernel density), box (median and interquartile range) and patients; two-sided Mann–Whitney U test ({}).",
                tests.join("; ")
            ),
            svg: violin(input, &ps)?,
        },
    ])
}

fn waterfall(input: &ReportInput, ps: &[Part], cut: Option<f64>) -> anyhow::Result<String> {
    let items = class_legend(input);
    let most = ps
        .iter()
        .map(|&p| part_cases(input, p).len())
        .max()
        .unwrap_or(0);
    let w: u32 = if most > 200 { 1300 } else { 900 };
    let panel_h = 380;
    let h = panel_h * ps.len() as u32 + plot::legend_height(&items, w) + 10;
    let c0 = cut.unwrap_or(0.0);
    plot::svg(w, h, |root| {
        let area = plot::with_legend(root, &items)?;
        let panels = area.split_evenly((ps.len(), 1));
        for (panel, &part) in panels.iter().zip(ps) {
            let mut cases: Vec<(f64, u8, &str)> = part_cases(input, part)
                .iter()
                .map(|c| (c.value - c0, c.label, c.id.as_str()))
                .collect();
            cases.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.2.cmp(b.2)));
            let lo = cases.iter().map(|c| c.0).fold(0.0f64, f64::min);
            let hi = cases.iter().map(|c| c.0).fold(0.0f64, f64::max);
            let pad = 0.06 * (hi - lo).max(1e-9);
            let n = cases.len() as f64;
            // Gaps between bars only where a bar is several pixels wide (else they alias away).
            let px_per_bar = f64::from(panel.dim_in_pixel().0.saturating_sub(110)) / n.max(1.0);
            let gap = if px_per_bar >= 5.0 { 0.12 } else { 0.0 };
            let mut chart = plot::chart_sized(
                panel,
                &format!("{} (n = {})", input.part_title(part), cases.len()),
                0.0..n.max(1.0),
                (lo - pad)..(hi + pad),
                30,
            )?;
            let ydesc = if cut.is_some() {
                "Radscore − cut-off"
            } else {
                "Radscore"
            };
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(0)
                .x_desc("Patients, sorted by radscore")
                .y_desc(ydesc)
                .axis_desc_style(plot::font(plot::AXIS))
                .label_style(plot::font(plot::TICK))
                .bold_line_style(plot::GRID)
                .light_line_style(TRANSPARENT)
                .y_labels(6)
                .y_label_formatter(&plot::tick_label)
                .axis_style(BLACK)
                .draw()?;
            chart.draw_series(cases.iter().enumerate().map(|(i, c)| {
                let x = i as f64;
                Rectangle::new(
                    [(x + gap, 0.0), (x + 1.0 - gap, c.0)],
                    plot::CLASS[usize::from(c.1 == 1)].filled(),
                )
            }))?;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (n.max(1.0), 0.0)],
                ShapeStyle::from(&BLACK).stroke_width(1),
            )))?;
        }
        Ok(())
    })
}

fn violin(input: &ReportInput, ps: &[Part]) -> anyhow::Result<String> {
    let items = class_legend(input);
    let w = 460 * ps.len() as u32;
    let h = 520 + plot::legend_height(&items, w);
    let all: Vec<f64> = input
        .radscore
        .iter()
        .map(|c| c.value)
        .filter(|v| v.is_finite())
        .collect();
    let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = 0.08 * (hi - lo).max(1e-9);
    plot::svg(w, h, |root| {
        let area = plot::with_legend(root, &items)?;
        let panels = area.split_evenly((1, ps.len()));
        for (panel, &part) in panels.iter().zip(ps) {
            let cases = part_cases(input, part);
            let title = format!(
                "{}, Mann–Whitney {}",
                input.part_title(part),
                p_text(mann_whitney_p(input, part))
            );
            let mut chart = plot::chart(panel, &title, -0.6..1.6, (lo - pad)..(hi + pad))?;
            let names = [input.class_names[0].clone(), input.class_names[1].clone()];
            let counts = [
                cases.iter().filter(|c| c.label != 1).count(),
                cases.iter().filter(|c| c.label == 1).count(),
            ];
            let fmt_x = |v: &f64| -> String {
                let k = v.round();
                if (v - k).abs() < 1e-9 && (k == 0.0 || k == 1.0) {
                    let i = k as usize;
                    format!("{} (n = {})", names[i], counts[i])
                } else {
                    String::new()
                }
            };
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(3)
                .x_label_formatter(&fmt_x)
                .y_desc("Radscore")
                .axis_desc_style(plot::font(plot::AXIS))
                .label_style(plot::font(plot::TICK))
                .bold_line_style(plot::GRID)
                .light_line_style(TRANSPARENT)
                .y_labels(6)
                .y_label_formatter(&plot::tick_label)
                .axis_style(BLACK)
                .draw()?;
            for class in 0..2u8 {
                let v: Vec<f64> = cases
                    .iter()
                    .filter(|c| u8::from(c.label == 1) == class)
                    .map(|c| c.value)
                    .collect();
                if v.is_empty() {
                    continue;
                }
                let s = calc::sorted_finite(&v);
                let xc = f64::from(class);
                let col = plot::CLASS[usize::from(class)];
                let (vmin, vmax) = (s[0], s[s.len() - 1]);
                if vmax > vmin {
                    let grid: Vec<f64> = (0..=120)
                        .map(|k| vmin + (vmax - vmin) * f64::from(k) / 120.0)
                        .collect();
                    let d = calc::kde(&s, &grid);
                    let dmax = d.iter().copied().fold(0.0f64, f64::max).max(1e-300);
                    let mut poly: Vec<(f64, f64)> = grid
                        .iter()
                        .zip(&d)
                        .map(|(&g, &di)| (xc - 0.38 * di / dmax, g))
                        .collect();
                    poly.extend(
                        grid.iter()
                            .zip(&d)
                            .rev()
                            .map(|(&g, &di)| (xc + 0.38 * di / dmax, g)),
                    );
                    chart.draw_series(std::iter::once(Polygon::new(
                        poly.clone(),
                        col.mix(0.3).filled(),
                    )))?;
                    poly.push(poly[0]);
                    chart.draw_series(std::iter::once(PathElement::new(
                        poly,
                        ShapeStyle::from(&col).stroke_width(2),
                    )))?;
                }
                // Patients (deterministic jitter).
                chart.draw_series(v.iter().enumerate().map(|(i, &y)| {
                    let j = ((i as f64 * 0.618_033_988_749_895).fract() - 0.5) * 0.3;
                    Circle::new((xc + j, y), 2, col.mix(0.55).filled())
                }))?;
                let (q1, med, q3) = (
                    calc::quantile_sorted(&s, 0.25),
                    calc::quantile_sorted(&s, 0.5),
                    calc::quantile_sorted(&s, 0.75),
                );
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(xc - 0.06, q1), (xc + 0.06, q3)],
                    ShapeStyle::from(&BLACK).stroke_width(2),
                )))?;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(xc - 0.1, med), (xc + 0.1, med)],
                    ShapeStyle::from(&BLACK).stroke_width(3),
                )))?;
            }
        }
        Ok(())
    })
}
