//! LASSO figures: cross-validated MSE (mean ± SD over folds) against log10(alpha) with the chosen
//! alpha marked, and the coefficient path.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::plot::{self, LegendItem, Swatch};
use super::{fmt, Figure, LassoTrace, ReportInput};

/// Most features named in the path legend; the others are drawn in grey.
pub const MAX_NAMED: usize = 10;

fn usable(t: &LassoTrace) -> bool {
    !t.alphas.is_empty()
        && t.alphas.iter().all(|a| *a > 0.0 && a.is_finite())
        && t.mean_mse.len() == t.alphas.len()
        && t.chosen < t.alphas.len()
}

/// LASSO CV-curve and coefficient-path figures.
pub fn figures(input: &ReportInput) -> anyhow::Result<Vec<Figure>> {
    let Some(t) = input.lasso.as_ref().filter(|t| usable(t)) else {
        return Ok(Vec::new());
    };
    let alpha = t.alphas[t.chosen];
    let mut out = vec![Figure {
        file: "lasso_cv.svg".into(),
        section: "lasso",
        caption: format!(
            "LASSO {}-alpha cross-validation ({} folds), as glmnet's plot(cv.glmnet): mean held-out MSE ± 1 SE (SD over folds / √folds); dashed lines at alpha_min (smallest mean MSE) and alpha_1se (largest alpha within 1 SE of the minimum); number of non-zero coefficients (refit on all training rows) along the top; chosen alpha {} (log10 = {}).",
            t.alphas.len(),
            t.n_folds,
            fmt::tick(alpha),
            fmt::fixed(alpha.log10(), 3)
        ),
        svg: cv_curve(t)?,
    }];
    if t.path.len() == t.alphas.len()
        && !t.features.is_empty()
        && t.path.iter().all(|r| r.len() == t.features.len())
    {
        let nz = t.path[t.chosen].iter().filter(|c| **c != 0.0).count();
        out.push(Figure {
            file: "lasso_path.svg".into(),
            section: "lasso",
            caption: format!(
                "LASSO coefficient path of the {} candidate features; {} non-zero at the chosen alpha (dashed line).",
                t.features.len(),
                nz
            ),
            svg: path(t)?,
        });
    }
    Ok(out)
}

fn x_range(t: &LassoTrace) -> std::ops::Range<f64> {
    let lx: Vec<f64> = t.alphas.iter().map(|a| a.log10()).collect();
    let lo = lx.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = lx.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = 0.03 * (hi - lo).max(1e-3);
    (lo - pad)..(hi + pad)
}

/// Non-zero coefficients at each alpha (from the coefficient path; empty without one).
fn nonzero_counts(t: &LassoTrace) -> Vec<usize> {
    if t.path.len() != t.alphas.len() {
        return Vec::new();
    }
    t.path
        .iter()
        .map(|r| r.iter().filter(|c| **c != 0.0).count())
        .collect()
}

/// Standard error of the CV MSE at alpha `i` (SD over folds / √folds; 0 when unknown).
fn se(t: &LassoTrace, i: usize) -> f64 {
    let sd = t
        .sd_mse
        .get(i)
        .copied()
        .filter(|v| v.is_finite())
        .unwrap_or(0.0);
    if t.n_folds > 0 {
        sd / (t.n_folds as f64).sqrt()
    } else {
        sd
    }
}

fn cv_curve(t: &LassoTrace) -> anyhow::Result<String> {
    let c = plot::color(1);
    let min_i = t.min_index.min(t.alphas.len() - 1);
    let se_i = t.one_se_index.min(t.alphas.len() - 1);
    let mark = |i: usize| {
        if i == t.chosen {
            " (chosen)"
        } else {
            ""
        }
    };
    let items = vec![
        LegendItem::new("Mean CV MSE", Swatch::Dot(c)),
        LegendItem::new("± 1 SE over folds", Swatch::Line(plot::REF, 1, false)),
        LegendItem::new(
            format!("alpha_min = {}{}", fmt::tick(t.alphas[min_i]), mark(min_i)),
            Swatch::Line(BLACK, 1, true),
        ),
        LegendItem::new(
            format!("alpha_1se = {}{}", fmt::tick(t.alphas[se_i]), mark(se_i)),
            Swatch::Line(plot::color(0), 1, true),
        ),
    ];
    let lo = (0..t.alphas.len())
        .map(|i| t.mean_mse[i] - se(t, i))
        .fold(f64::INFINITY, f64::min);
    let hi = (0..t.alphas.len())
        .map(|i| t.mean_mse[i] + se(t, i))
        .fold(f64::NEG_INFINITY, f64::max);
    let pad = 0.06 * (hi - lo).max(1e-9);
    let counts = nonzero_counts(t);
    let w = 680;
    let h = 550 + plot::legend_height(&items, w);
    plot::svg(w, h, |root| {
        let area = plot::with_legend(root, &items)?;
        let mut chart = plot::chart_top(
            &area,
            "LASSO cross-validation",
            x_range(t),
            (lo - pad)..(hi + pad),
            52,
            if counts.is_empty() { 44 } else { 74 },
        )?;
        plot::mesh(&mut chart, "log10(alpha)", "Mean squared error")?;
        let st = ShapeStyle::from(&plot::REF).stroke_width(1);
        chart.draw_series((0..t.alphas.len()).map(|i| {
            let x = t.alphas[i].log10();
            PathElement::new(
                vec![(x, t.mean_mse[i] - se(t, i)), (x, t.mean_mse[i] + se(t, i))],
                st,
            )
        }))?;
        chart.draw_series(
            (0..t.alphas.len())
                .map(|i| Circle::new((t.alphas[i].log10(), t.mean_mse[i]), 3, c.filled())),
        )?;
        for (i, col) in [(min_i, BLACK), (se_i, plot::color(0))] {
            let xa = t.alphas[i].log10();
            plot::draw_dashed(
                &mut chart,
                &[(xa, lo - pad), (xa, hi + pad)],
                30,
                ShapeStyle::from(&col).stroke_width(1),
            )?;
        }
        if !counts.is_empty() {
            // glmnet: the number of non-zero coefficients along the top axis, labels thinned to
            // every k-th alpha so that they keep clear of each other.
            let top = hi + pad;
            let px: Vec<(i32, i32)> = t
                .alphas
                .iter()
                .map(|a| chart.backend_coord(&(a.log10(), top)))
                .collect();
            let widest = counts
                .iter()
                .map(|c| plot::text_width(&c.to_string(), plot::TICK))
                .max()
                .unwrap_or(0);
            let step = (1..=t.alphas.len())
                .find(|&k| {
                    (0..t.alphas.len())
                        .step_by(k)
                        .collect::<Vec<_>>()
                        .windows(2)
                        .all(|w| (px[w[0]].0 - px[w[1]].0).abs() >= widest + 10)
                })
                .unwrap_or(t.alphas.len());
            let font = plot::anchored(plot::TICK, HPos::Center, VPos::Bottom);
            for i in (0..t.alphas.len()).step_by(step) {
                root.draw(&Text::new(
                    counts[i].to_string(),
                    (px[i].0, px[i].1 - 4),
                    font.clone(),
                ))?;
            }
            let y0 = px[0].1;
            root.draw(&Text::new(
                "Non-zero coefficients",
                ((px[0].0 + px[px.len() - 1].0) / 2, y0 - 24),
                plot::anchored(plot::TICK, HPos::Center, VPos::Bottom),
            ))?;
        }
        Ok(())
    })
}

fn path(t: &LassoTrace) -> anyhow::Result<String> {
    // Named features: non-zero at the chosen alpha, largest |coefficient| first.
    let mut named: Vec<usize> = (0..t.features.len())
        .filter(|&j| t.path[t.chosen][j] != 0.0)
        .collect();
    named.sort_by(|&a, &b| {
        t.path[t.chosen][b]
            .abs()
            .total_cmp(&t.path[t.chosen][a].abs())
            .then(a.cmp(&b))
    });
    named.truncate(MAX_NAMED);
    let mut items: Vec<LegendItem> = named
        .iter()
        .enumerate()
        .map(|(k, &j)| {
            LegendItem::new(
                t.features[j].clone(),
                Swatch::Line(plot::MANY[k % 10], 2, false),
            )
        })
        .collect();
    if named.len() < t.features.len() {
        items.push(LegendItem::new(
            "Other features",
            Swatch::Line(RGBColor(190, 190, 190), 1, false),
        ));
    }
    items.push(LegendItem::new(
        format!("Chosen alpha = {}", fmt::tick(t.alphas[t.chosen])),
        Swatch::Line(BLACK, 1, true),
    ));
    let lo = t.path.iter().flatten().copied().fold(0.0f64, f64::min);
    let hi = t.path.iter().flatten().copied().fold(0.0f64, f64::max);
    let pad = 0.06 * (hi - lo).max(1e-9);
    let w = 760;
    let h = 520 + plot::legend_height(&items, w);
    plot::svg(w, h, |root| {
        let area = plot::with_legend(root, &items)?;
        let mut chart = plot::chart(
            &area,
            "LASSO coefficient path",
            x_range(t),
            (lo - pad)..(hi + pad),
        )?;
        plot::mesh(&mut chart, "log10(alpha)", "Coefficient")?;
        let line = |j: usize| -> Vec<(f64, f64)> {
            t.alphas
                .iter()
                .zip(&t.path)
                .map(|(a, r)| (a.log10(), r[j]))
                .collect()
        };
        for j in (0..t.features.len()).filter(|j| !named.contains(j)) {
            chart.draw_series(LineSeries::new(
                line(j),
                ShapeStyle::from(&RGBColor(190, 190, 190)).stroke_width(1),
            ))?;
        }
        for (k, &j) in named.iter().enumerate().rev() {
            chart.draw_series(LineSeries::new(
                line(j),
                ShapeStyle::from(&plot::MANY[k % 10]).stroke_width(2),
            ))?;
        }
        let xa = t.alphas[t.chosen].log10();
        plot::draw_dashed(
            &mut chart,
            &[(xa, lo - pad), (xa, hi + pad)],
            30,
            ShapeStyle::from(&BLACK).stroke_width(1),
        )?;
        Ok(())
    })
}
