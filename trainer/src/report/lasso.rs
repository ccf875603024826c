//! LASSO figures: cross-validated MSE (mean ± SD over folds) against log10(alpha) with the chosen
//! alpha marked, and the coefficient path.

use plotters::prelude::*;

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
            "LASSO {}-alpha cross-validation: mean held-out MSE ± SD over folds; chosen alpha {} (log10 = {}).",
            t.alphas.len(),
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

fn cv_curve(t: &LassoTrace) -> anyhow::Result<String> {
    let c = plot::color(1);
    let items = vec![
        LegendItem::new("Mean CV MSE", Swatch::Dot(c)),
        LegendItem::new("± 1 SD over folds", Swatch::Line(plot::REF, 1, false)),
        LegendItem::new(
            format!("Chosen alpha = {}", fmt::tick(t.alphas[t.chosen])),
            Swatch::Line(BLACK, 1, true),
        ),
    ];
    let sd = |i: usize| {
        t.sd_mse
            .get(i)
            .copied()
            .filter(|v| v.is_finite())
            .unwrap_or(0.0)
    };
    let lo = (0..t.alphas.len())
        .map(|i| t.mean_mse[i] - sd(i))
        .fold(f64::INFINITY, f64::min);
    let hi = (0..t.alphas.len())
        .map(|i| t.mean_mse[i] + sd(i))
        .fold(f64::NEG_INFINITY, f64::max);
    let pad = 0.06 * (hi - lo).max(1e-9);
    let w = 680;
    let h = 520 + plot::legend_height(&items, w);
    plot::svg(w, h, |root| {
        let area = plot::with_legend(root, &items)?;
        let mut chart = plot::chart(
            &area,
            "LASSO cross-validation",
            x_range(t),
            (lo - pad)..(hi + pad),
        )?;
        plot::mesh(&mut chart, "log10(alpha)", "Mean squared error")?;
        let st = ShapeStyle::from(&plot::REF).stroke_width(1);
        chart.draw_series((0..t.alphas.len()).map(|i| {
            let x = t.alphas[i].log10();
            PathElement::new(
                vec![(x, t.mean_mse[i] - sd(i)), (x, t.mean_mse[i] + sd(i))],
                st,
            )
        }))?;
        chart.draw_series(
            (0..t.alphas.len())
                .map(|i| Circle::new((t.alphas[i].log10(), t.mean_mse[i]), 3, c.filled())),
        )?;
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
