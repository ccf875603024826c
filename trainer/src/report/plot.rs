//! Shared drawing conventions: fonts, colours, SVG canvas, chart frame and legend blocks.
//!
//! Legends are drawn in their own strip under the plot, never on top of the data. Text widths
//! are estimated (no font files are read), generously, so labels keep clear of each other.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::fmt;

/// Font family of every text in every figure.
pub(crate) const FONT: &str = "Arial, Helvetica, sans-serif";
/// Title size (plotters units; the SVG font-size is this / 1.24).
pub(crate) const TITLE: f64 = 22.0;
/// Axis-title size.
pub(crate) const AXIS: f64 = 18.0;
/// Tick-label size.
pub(crate) const TICK: f64 = 15.0;
/// Legend and annotation size.
pub(crate) const LEGEND: f64 = 16.0;

/// Colour-blind safe palette (Okabe–Ito, without yellow), then greys.
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(120, 120, 120),
];

/// Ten distinguishable colours for many series (coefficient paths).
pub(crate) const MANY: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(140, 86, 75),
    RGBColor(148, 103, 189),
    RGBColor(188, 189, 34),
];

/// Colour of class 0 and class 1.
pub(crate) const CLASS: [RGBColor; 2] = [RGBColor(0, 114, 178), RGBColor(213, 94, 0)];
/// Reference lines (diagonals, treat-none).
pub(crate) const REF: RGBColor = RGBColor(110, 110, 110);
/// Grid lines.
pub(crate) const GRID: RGBColor = RGBColor(228, 228, 228);

/// Colour of the i-th series.
pub(crate) fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Colour of model `i`: black for the reference (combined) model, the palette for the others.
pub(crate) fn model_color(i: usize, reference: Option<usize>) -> RGBColor {
    match reference {
        Some(r) if r == i => BLACK,
        Some(r) if i > r => PALETTE[(i - 1) % 6],
        _ => PALETTE[i % 6],
    }
}

/// Estimated width in pixels of `text` drawn at plotters size `size`.
pub(crate) fn text_width(text: &str, size: f64) -> i32 {
    (text.chars().count() as f64 * size / 1.24 * 0.58).ceil() as i32
}

/// A text style.
pub(crate) fn font(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

/// A text style anchored at `h`/`v`.
pub(crate) fn anchored(size: f64, h: HPos, v: VPos) -> TextStyle<'static> {
    font(size).pos(Pos::new(h, v))
}

/// Draws into a fresh SVG canvas and returns the document.
pub(crate) fn svg<F>(w: u32, h: u32, draw: F) -> anyhow::Result<String>
where
    F: FnOnce(&DrawingArea<SVGBackend, Shift>) -> anyhow::Result<()>,
{
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (w, h)).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    Ok(s)
}

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Swatch {
    /// A line segment (width, dashed).
    Line(RGBColor, u32, bool),
    /// A filled square.
    Box(RGBColor),
    /// A filled circle.
    Dot(RGBColor),
}

/// One legend entry.
#[derive(Clone, Debug)]
pub(crate) struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
}

impl LegendItem {
    pub(crate) fn new(label: impl Into<String>, swatch: Swatch) -> Self {
        LegendItem {
            label: label.into(),
            swatch,
        }
    }
}

const ROW_H: i32 = 22;
const SWATCH_W: i32 = 30;

fn legend_layout(items: &[LegendItem], width: i32) -> (usize, i32, i32) {
    let col_w = items
        .iter()
        .map(|i| text_width(&i.label, LEGEND))
        .max()
        .unwrap_or(0)
        + SWATCH_W
        + 28;
    let ncols = ((width - 20) / col_w.max(1)).clamp(1, 3) as usize;
    let ncols = ncols.min(items.len().max(1));
    let rows = items.len().div_ceil(ncols) as i32;
    (ncols, col_w, rows * ROW_H + 12)
}

/// Height a legend strip needs at this canvas width.
pub(crate) fn legend_height(items: &[LegendItem], width: u32) -> u32 {
    if items.is_empty() {
        return 0;
    }
    // The strip is drawn with 10 px side margins (see `with_legend`).
    legend_layout(items, width as i32 - 20).2 as u32
}

/// Draws a legend (framed, centred) filling `area`.
pub(crate) fn draw_legend(
    area: &DrawingArea<SVGBackend, Shift>,
    items: &[LegendItem],
) -> anyhow::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let (w, _) = area.dim_in_pixel();
    let (ncols, col_w, h) = legend_layout(items, w as i32);
    let total_w = col_w * ncols as i32;
    let x0 = ((w as i32 - total_w) / 2).max(4);
    area.draw(&Rectangle::new(
        [(x0 - 6, 2), (x0 + total_w - 8, h - 4)],
        ShapeStyle::from(&RGBColor(160, 160, 160)).stroke_width(1),
    ))?;
    for (k, it) in items.iter().enumerate() {
        let col = (k % ncols) as i32;
        let row = (k / ncols) as i32;
        let x = x0 + col * col_w;
        let y = 6 + row * ROW_H + ROW_H / 2;
        match it.swatch {
            Swatch::Line(c, width, dashed) => {
                let st = ShapeStyle::from(&c).stroke_width(width);
                if dashed {
                    area.draw(&PathElement::new(vec![(x, y), (x + 8, y)], st))?;
                    area.draw(&PathElement::new(vec![(x + 12, y), (x + 20, y)], st))?;
                    area.draw(&PathElement::new(
                        vec![(x + 24, y), (x + SWATCH_W - 2, y)],
                        st,
                    ))?;
                } else {
                    area.draw(&PathElement::new(vec![(x, y), (x + SWATCH_W - 2, y)], st))?;
                }
            }
            Swatch::Box(c) => {
                area.draw(&Rectangle::new(
                    [(x + 6, y - 7), (x + 20, y + 7)],
                    c.filled(),
                ))?;
            }
            Swatch::Dot(c) => {
                area.draw(&Circle::new((x + 13, y), 5, c.filled()))?;
            }
        }
        area.draw(&Text::new(
            it.label.clone(),
            (x + SWATCH_W + 6, y),
            anchored(LEGEND, HPos::Left, VPos::Center),
        ))?;
    }
    Ok(())
}

/// Splits `root` into the plot area and a legend strip under it, and draws the legend.
pub(crate) fn with_legend<'a>(
    root: &DrawingArea<SVGBackend<'a>, Shift>,
    items: &[LegendItem],
) -> anyhow::Result<DrawingArea<SVGBackend<'a>, Shift>> {
    let (w, h) = root.dim_in_pixel();
    let lh = legend_height(items, w);
    if lh == 0 {
        return Ok(root.clone());
    }
    let (top, bottom) = root.split_vertically(h.saturating_sub(lh + 6));
    draw_legend(&bottom.margin(0, 6, 10, 10), items)?;
    Ok(top)
}

/// Tick labels formatter for chart meshes.
pub(crate) fn tick_label(v: &f64) -> String {
    fmt::tick(*v)
}

/// Dashed polyline in data coordinates, as separate short segments (robust in every viewer).
pub(crate) fn dashed(points: &[(f64, f64)], n_dashes: usize) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        for k in 0..n_dashes {
            let t0 = k as f64 / n_dashes as f64;
            let t1 = (k as f64 + 0.55) / n_dashes as f64;
            out.push(vec![
                (a.0 + (b.0 - a.0) * t0, a.1 + (b.1 - a.1) * t0),
                (a.0 + (b.0 - a.0) * t1, a.1 + (b.1 - a.1) * t1),
            ]);
        }
    }
    out
}

/// A chart with two continuous axes.
pub(crate) type Chart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Builds a framed chart with a title in `area`.
pub(crate) fn chart<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
) -> anyhow::Result<Chart<'a, 'b>> {
    chart_sized(area, title, x, y, 52)
}

/// [`chart`] with a given height of the x-axis label strip.
pub(crate) fn chart_sized<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    x_label_area: u32,
) -> anyhow::Result<Chart<'a, 'b>> {
    chart_top(area, title, x, y, x_label_area, 44)
}

/// [`chart_sized`] with a given top margin (room for a top axis under the title).
pub(crate) fn chart_top<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    x_label_area: u32,
    margin_top: u32,
) -> anyhow::Result<Chart<'a, 'b>> {
    let (w, _) = area.dim_in_pixel();
    area.draw(&Text::new(
        title.to_string(),
        (w as i32 / 2, 8),
        anchored(TITLE, HPos::Center, VPos::Top),
    ))?;
    Ok(ChartBuilder::on(area)
        .margin_top(margin_top)
        .margin_left(10)
        .margin_right(22)
        .margin_bottom(6)
        .x_label_area_size(x_label_area)
        .y_label_area_size(70)
        .build_cartesian_2d(x, y)?)
}

/// Draws the axes, ticks, axis titles and a light grid.
pub(crate) fn mesh(chart: &mut Chart, x_desc: &str, y_desc: &str) -> anyhow::Result<()> {
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(font(AXIS))
        .label_style(font(TICK))
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&tick_label)
        .y_label_formatter(&tick_label)
        .axis_style(BLACK)
        .draw()?;
    Ok(())
}

/// Draws a dashed polyline (data coordinates).
pub(crate) fn draw_dashed(
    chart: &mut Chart,
    points: &[(f64, f64)],
    n_dashes: usize,
    style: ShapeStyle,
) -> anyhow::Result<()> {
    chart.draw_series(
        dashed(points, n_dashes)
            .into_iter()
            .map(|seg| PathElement::new(seg, style)),
    )?;
    Ok(())
}

/// Splits a polyline into the pieces with y ≥ `ymin` (cut at the crossings).
pub(crate) fn clip_below(points: &[(f64, f64)], ymin: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    for (k, &p) in points.iter().enumerate() {
        let inside = p.1 >= ymin;
        if k > 0 {
            let q = points[k - 1];
            let was = q.1 >= ymin;
            if inside != was && p.1 != q.1 {
                let t = (ymin - q.1) / (p.1 - q.1);
                cur.push((q.0 + t * (p.0 - q.0), ymin));
                if !inside {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
        if inside {
            cur.push(p);
        }
    }
    if cur.len() > 1 {
        out.push(cur);
    }
    out.retain(|v| v.len() > 1);
    out
}
