//! The nomogram (rms layout): a Points axis 0–100, one axis per predictor (R `pretty()` ticks),
//! Total points, the linear predictor and the probability of class 1.
//!
//! points_k(x) = (b_k·x − min(b_k·lo_k, b_k·hi_k))·points_per_unit; total = Σ points_k;
//! LP = intercept + Σ_k min(b_k·lo_k, b_k·hi_k) + total / points_per_unit.
//!
//! A factor has one axis with a tick per level (rms): level l (coefficient b_l, reference 0) is at
//! (b_l − Σ_m min(0, b_m))·points_per_unit, the sum of the points the core gives its level
//! indicators, so the total points read off the figure are the device's.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::plot::{self, anchored};
use super::{calc, fmt, Figure, NomogramAxis, NomogramSpec, ReportInput};

const W: u32 = 1000;
const X0: i32 = 230;
const X1: i32 = 960;
const ROW: i32 = 64;
/// Rows of tick labels below an axis line, and their spacing (px): three fit in a [`ROW`].
const BELOW_TIERS: usize = 3;
const BELOW_STEP: i32 = 13;
const TOP: i32 = 64;

/// Nomogram figure.
pub fn figures(input: &ReportInput) -> anyhow::Result<Vec<Figure>> {
    let Some(spec) = &input.nomogram else {
        return Ok(Vec::new());
    };
    if spec.points_per_unit.is_nan()
        || spec.points_per_unit <= 0.0
        || spec.axes.is_empty()
        || !spec.intercept.is_finite()
    {
        return Ok(Vec::new());
    }
    Ok(vec![Figure {
        file: "nomogram.svg".into(),
        section: "nomogram",
        caption: format!(
            "Nomogram of the combined model. Read each predictor's points on the Points axis, add them, and read the linear predictor and the probability of {} under the Total points.",
            input.class_names[1]
        ),
        svg: draw(spec, &input.class_names[1])?,
    }])
}

/// Lowest b·x over the axis (a factor: Σ min(0, b_m) over its level indicators).
fn axis_min(a: &NomogramAxis) -> f64 {
    if a.levels.is_empty() {
        (a.beta * a.lo).min(a.beta * a.hi)
    } else {
        a.levels.iter().map(|l| l.1.min(0.0)).sum()
    }
}

/// Points of value `x` on axis `a` (a factor: `x` is the level's coefficient).
pub fn points(spec: &NomogramSpec, a: &NomogramAxis, x: f64) -> f64 {
    if a.levels.is_empty() {
        (a.beta * x - axis_min(a)) * spec.points_per_unit
    } else {
        (x - axis_min(a)) * spec.points_per_unit
    }
}

/// Largest total points.
pub fn max_total(spec: &NomogramSpec) -> f64 {
    spec.axes
        .iter()
        .map(|a| {
            if a.levels.is_empty() {
                (a.beta * (a.hi - a.lo)).abs() * spec.points_per_unit
            } else {
                let top = a
                    .levels
                    .iter()
                    .map(|l| l.1)
                    .fold(f64::NEG_INFINITY, f64::max);
                (top - axis_min(a)) * spec.points_per_unit
            }
        })
        .sum()
}

/// Display name of a factor level from a coding hint like "1=I,2=II,3=III" in the axis unit.
fn level_label(a: &NomogramAxis, level: &str) -> String {
    for part in a.unit.split([',', ';']) {
        if let Some((k, v)) = part.split_once('=') {
            if k.trim() == level {
                return v.trim().to_string();
            }
        }
    }
    level.to_string()
}

/// Linear predictor at total points `t`.
pub fn linear_predictor(spec: &NomogramSpec, t: f64) -> f64 {
    spec.intercept + spec.axes.iter().map(axis_min).sum::<f64>() + t / spec.points_per_unit
}

/// Level names of a binary predictor from a unit hint like "0=soft,1=stiff".
fn level_names(a: &NomogramAxis) -> [String; 2] {
    let mut names = ["0".to_string(), "1".to_string()];
    for part in a.unit.split([',', ';']) {
        if let Some((k, v)) = part.split_once('=') {
            match k.trim() {
                "0" => names[0] = v.trim().to_string(),
                "1" => names[1] = v.trim().to_string(),
                _ => {}
            }
        }
    }
    names
}

fn axis_title(a: &NomogramAxis) -> String {
    if a.binary || a.unit.is_empty() || !a.levels.is_empty() {
        a.name.clone()
    } else {
        format!("{} ({})", a.name, fmt::unit(&a.unit))
    }
}

/// Probability ticks of the nomogram in label priority: rms `fun.at = seq(.1, .9, .1)` first
/// (always drawn), then the extremes, kept only where their labels fit.
const PROB_MAIN: [f64; 9] = [0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6];
const PROB_EXTREME: [f64; 10] = [
    0.05, 0.95, 0.01, 0.99, 0.001, 0.999, 0.02, 0.98, 0.005, 0.995,
];

/// The horizontal extent a tick label at `x` takes, with 5 px of margin each side.
fn label_span(x: f64, label: &str) -> (f64, f64) {
    let half = f64::from(plot::text_width(label, plot::TICK)) / 2.0 + 5.0;
    (x - half, x + half)
}

/// Whether `span` keeps clear of every span of `row`.
fn clear_of(row: &[(f64, f64)], span: (f64, f64)) -> bool {
    row.iter().all(|s| span.1 <= s.0 || span.0 >= s.1)
}

/// Keeps the labels that fit (in priority order), returning (x, label, shown) per tick.
fn thin(ticks: &[(f64, String)], priority: &[usize]) -> Vec<bool> {
    let mut shown = vec![false; ticks.len()];
    let mut spans: Vec<(f64, f64)> = Vec::new();
    for &k in priority {
        let (x, ref l) = ticks[k];
        let span = label_span(x, l);
        if clear_of(&spans, span) {
            spans.push(span);
            shown[k] = true;
        }
    }
    shown
}

/// Labels of regular ticks: every `k`-th one from the first, with the smallest `k` whose labels
/// keep clear of each other (evenly spaced labels, like R's axis()).
fn regular_priority_for(ticks: &[(f64, String)]) -> Vec<usize> {
    let n = ticks.len();
    for k in 1..=n.max(1) {
        let idx: Vec<usize> = (0..n).step_by(k).collect();
        let sub: Vec<(f64, String)> = idx.iter().map(|&i| ticks[i].clone()).collect();
        if thin(&sub, &(0..sub.len()).collect::<Vec<_>>())
            .iter()
            .all(|&s| s)
        {
            return idx;
        }
    }
    vec![0]
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// Draws one axis row: title at the left, a line, ticks and labels.
fn row(
    area: &Area,
    y: i32,
    title: &str,
    ticks: &[(f64, String)],
    priority: &[usize],
    line: Option<(f64, f64)>,
    allow_below: bool,
) -> anyhow::Result<()> {
    area.draw(&Text::new(
        title.to_string(),
        (X0 - 18, y),
        anchored(plot::AXIS, HPos::Right, VPos::Center).color(&BLACK),
    ))?;
    let (a, b) = line.unwrap_or_else(|| {
        let xs = ticks.iter().map(|t| t.0);
        (
            xs.clone().fold(f64::INFINITY, f64::min),
            xs.fold(f64::NEG_INFINITY, f64::max),
        )
    });
    let st = ShapeStyle::from(&BLACK).stroke_width(1);
    area.draw(&PathElement::new(
        vec![(a.round() as i32, y), (b.round() as i32, y)],
        st,
    ))?;
    let shown = thin(ticks, priority);
    // Labels that do not fit above the line go below it, on the first of BELOW_TIERS rows
    // where they keep clear of the labels already there (short axes such as a binary predictor
    // with a small coefficient). A factor's level is never dropped: one that fits nowhere goes
    // on the last row. Regular numeric ticks of long axes are only thinned.
    let few = allow_below || ticks.len() <= 3;
    let mut tier: Vec<Option<usize>> = vec![None; ticks.len()];
    if few {
        let mut spans: Vec<Vec<(f64, f64)>> = vec![Vec::new(); BELOW_TIERS];
        for k in (0..ticks.len()).filter(|&k| !shown[k]) {
            let (x, ref l) = ticks[k];
            let span = label_span(x, l);
            let free = spans.iter().position(|t| clear_of(t, span));
            let t = match free {
                Some(t) => Some(t),
                None if allow_below => Some(BELOW_TIERS - 1),
                None => None,
            };
            if let Some(t) = t {
                spans[t].push(span);
                tier[k] = Some(t);
            }
        }
    }
    for (k, (x, l)) in ticks.iter().enumerate() {
        let xi = x.round() as i32;
        area.draw(&PathElement::new(vec![(xi, y - 6), (xi, y)], st))?;
        if shown[k] {
            area.draw(&Text::new(
                l.clone(),
                (xi, y - 9),
                anchored(plot::TICK, HPos::Center, VPos::Bottom),
            ))?;
        } else if let Some(t) = tier[k] {
            let top = y + 7 + BELOW_STEP * t as i32;
            area.draw(&PathElement::new(vec![(xi, y), (xi, top - 3)], st))?;
            area.draw(&Text::new(
                l.clone(),
                (xi, top),
                anchored(plot::TICK, HPos::Center, VPos::Top),
            ))?;
        }
    }
    Ok(())
}

fn draw(spec: &NomogramSpec, positive: &str) -> anyhow::Result<String> {
    let n_rows = spec.axes.len() as i32 + 4;
    // + room for probability labels placed below their line
    let h = (TOP + n_rows * ROW + 50) as u32;
    let width = f64::from(X1 - X0);
    let px_points = |p: f64| f64::from(X0) + p / 100.0 * width;
    let tmax = max_total(spec);
    let px_total = |t: f64| f64::from(X0) + t / tmax * width;
    plot::svg(W, h, |root| {
        root.draw(&Text::new(
            "Nomogram",
            (W as i32 / 2, 14),
            anchored(plot::TITLE, HPos::Center, VPos::Top),
        ))?;
        let mut y = TOP + ROW / 2 + 8;
        // Points axis with minor ticks every 5.
        let pts: Vec<f64> = (0..=10).map(|k| f64::from(k) * 10.0).collect();
        let ticks: Vec<(f64, String)> = pts.iter().map(|&p| (px_points(p), fmt::tick(p))).collect();
        row(
            root,
            y,
            "Points",
            &ticks,
            &(0..ticks.len()).collect::<Vec<_>>(),
            None,
            false,
        )?;
        for k in 0..10 {
            let xi = px_points(f64::from(k) * 10.0 + 5.0).round() as i32;
            root.draw(&PathElement::new(
                vec![(xi, y - 3), (xi, y)],
                ShapeStyle::from(&BLACK).stroke_width(1),
            ))?;
        }
        // Light vertical guides from the Points axis down through the predictor rows.
        let bottom_pred = y + ROW * spec.axes.len() as i32;
        for &p in &pts {
            let xi = px_points(p).round() as i32;
            root.draw(&PathElement::new(
                vec![(xi, y + 4), (xi, bottom_pred)],
                ShapeStyle::from(&plot::GRID).stroke_width(1),
            ))?;
        }
        for a in &spec.axes {
            y += ROW;
            if !a.levels.is_empty() {
                let ticks: Vec<(f64, String)> = a
                    .levels
                    .iter()
                    .map(|(l, b)| (px_points(points(spec, a, *b)), level_label(a, l)))
                    .collect();
                let xs = ticks.iter().map(|t| t.0);
                let line = (
                    xs.clone().fold(f64::INFINITY, f64::min),
                    xs.fold(f64::NEG_INFINITY, f64::max),
                );
                row(
                    root,
                    y,
                    &axis_title(a),
                    &ticks,
                    &(0..ticks.len()).collect::<Vec<_>>(),
                    Some(line),
                    true,
                )?;
                continue;
            }
            let values: Vec<f64> = if a.binary {
                [0.0, 1.0]
                    .into_iter()
                    .filter(|v| *v >= a.lo.min(a.hi) && *v <= a.hi.max(a.lo))
                    .collect()
            } else {
                calc::pretty(a.lo, a.hi, 10)
                    .into_iter()
                    .filter(|v| {
                        *v >= a.lo - 1e-9 * a.lo.abs().max(1.0)
                            && *v <= a.hi + 1e-9 * a.hi.abs().max(1.0)
                    })
                    .collect()
            };
            let labels: Vec<String> = if a.binary {
                let names = level_names(a);
                values
                    .iter()
                    .map(|&v| names[usize::from(v != 0.0)].clone())
                    .collect()
            } else {
                fmt::tick_labels(&values)
            };
            let ticks: Vec<(f64, String)> = values
                .iter()
                .zip(labels)
                .map(|(&v, l)| (px_points(points(spec, a, v)), l))
                .collect();
            let line = (
                px_points(points(spec, a, a.lo)),
                px_points(points(spec, a, a.hi)),
            );
            let line = (line.0.min(line.1), line.0.max(line.1));
            row(
                root,
                y,
                &axis_title(a),
                &ticks,
                &regular_priority_for(&ticks),
                Some(line),
                false,
            )?;
        }
        // Total points.
        y += ROW;
        let tv: Vec<f64> = calc::pretty(0.0, tmax, 10)
            .into_iter()
            .filter(|&t| t <= tmax * (1.0 + 1e-12))
            .collect();
        let tl = fmt::tick_labels(&tv);
        let ticks: Vec<(f64, String)> = tv.iter().zip(tl).map(|(&t, l)| (px_total(t), l)).collect();
        row(
            root,
            y,
            "Total points",
            &ticks,
            &regular_priority_for(&ticks),
            Some((f64::from(X0), f64::from(X1))),
            false,
        )?;
        // Linear predictor.
        y += ROW;
        let (lp0, lp1) = (linear_predictor(spec, 0.0), linear_predictor(spec, tmax));
        let lv: Vec<f64> = calc::pretty(lp0, lp1, 10)
            .into_iter()
            .filter(|&v| v >= lp0 - 1e-12 && v <= lp1 + 1e-12)
            .collect();
        let ll = fmt::tick_labels(&lv);
        let ticks: Vec<(f64, String)> = lv
            .iter()
            .zip(ll)
            .map(|(&v, l)| (px_total((v - lp0) * spec.points_per_unit), l))
            .collect();
        row(
            root,
            y,
            "Linear predictor",
            &ticks,
            &regular_priority_for(&ticks),
            Some((f64::from(X0), f64::from(X1))),
            false,
        )?;
        // Probability.
        y += ROW;
        let in_range = |p: f64| {
            let lp = (p / (1.0 - p)).ln();
            lp >= lp0 && lp <= lp1
        };
        let tick_at = |p: f64| {
            (
                px_total(((p / (1.0 - p)).ln() - lp0) * spec.points_per_unit),
                fmt::tick(p),
            )
        };
        let cands: Vec<f64> = PROB_MAIN
            .iter()
            .chain(&PROB_EXTREME)
            .copied()
            .filter(|&p| in_range(p))
            .collect();
        let ticks: Vec<(f64, String)> = cands.iter().map(|&p| tick_at(p)).collect();
        let above = thin(&ticks, &(0..ticks.len()).collect::<Vec<_>>());
        let rest: Vec<usize> = (0..ticks.len()).filter(|&k| !above[k]).collect();
        let rest_ticks: Vec<(f64, String)> = rest.iter().map(|&k| ticks[k].clone()).collect();
        let below = thin(&rest_ticks, &(0..rest_ticks.len()).collect::<Vec<_>>());
        // seq(.1, .9, .1) always; an extreme only where its label fits above or below the line
        let keep: Vec<bool> = (0..ticks.len())
            .map(|k| {
                PROB_MAIN.contains(&cands[k])
                    || above[k]
                    || rest.iter().position(|&r| r == k).is_some_and(|j| below[j])
            })
            .collect();
        let kept: Vec<(f64, String)> = ticks
            .into_iter()
            .zip(keep)
            .filter(|(_, s)| *s)
            .map(|(t, _)| t)
            .collect();
        let line = if kept.is_empty() {
            None
        } else {
            let xs = kept.iter().map(|t| t.0);
            Some((
                xs.clone().fold(f64::INFINITY, f64::min),
                xs.fold(f64::NEG_INFINITY, f64::max),
            ))
        };
        if line.is_some() {
            let title = if positive.chars().count() <= 12 {
                format!("Probability of {positive}")
            } else {
                "Probability".to_string()
            };
            row(
                root,
                y,
                &title,
                &kept,
                &(0..kept.len()).collect::<Vec<_>>(),
                line,
                true,
            )?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts of the probability row: everything drawn after its title.
    fn probability_labels(svg: &str) -> Vec<String> {
        let texts: Vec<String> = svg
            .split("<text")
            .skip(1)
            .filter_map(|t| t.split_once('>').map(|(_, r)| r))
            .filter_map(|r| r.split_once("</text>").map(|(a, _)| a.trim().to_string()))
            .collect();
        let at = texts
            .iter()
            .position(|t| t.starts_with("Probability"))
            .expect("probability row");
        texts[at + 1..].to_vec()
    }

    #[test]
    fn probability_axis_has_every_decile_and_units_are_typeset() {
        // A steep scale (0.1–0.9 spans a small part of the total points), as in the issue.
        let spec = NomogramSpec {
            intercept: -6.0,
            points_per_unit: 100.0 / 12.0,
            axes: vec![
                NomogramAxis {
                    name: "Radscore".into(),
                    unit: String::new(),
                    beta: 6.0,
                    lo: -1.0,
                    hi: 1.0,
                    binary: false,
                    levels: Vec::new(),
                },
                NomogramAxis {
                    name: "volume".into(),
                    unit: "mm3".into(),
                    beta: 0.0001,
                    lo: 0.0,
                    hi: 40_000.0,
                    binary: false,
                    levels: Vec::new(),
                },
            ],
        };
        let svg = draw(&spec, "HER-2-low").expect("svg");
        let labels = probability_labels(&svg);
        for k in 1..=9 {
            let want = format!("0.{k}");
            assert!(labels.contains(&want), "no {want} in {labels:?}");
        }
        assert!(svg.contains("volume (mm³)"), "unit not typeset");
    }

    /// A factor whose levels have nearly equal coefficients: every level keeps its label (rms
    /// labels each level), on rows below the line where they do not fit above.
    #[test]
    fn factor_levels_that_crowd_keep_every_label() {
        let spec = NomogramSpec {
            intercept: -1.0,
            points_per_unit: 10.0,
            axes: vec![
                NomogramAxis {
                    name: "Radscore".into(),
                    unit: String::new(),
                    beta: 10.0,
                    lo: -1.0,
                    hi: 1.0,
                    binary: false,
                    levels: Vec::new(),
                },
                NomogramAxis {
                    name: "T2 signal".into(),
                    unit: String::new(),
                    beta: 0.0,
                    lo: 0.0,
                    hi: 0.0,
                    binary: false,
                    levels: vec![
                        ("isointense".into(), 0.0),
                        ("hypointense".into(), 0.02),
                        ("hyperintense".into(), 0.04),
                        ("heterogeneous".into(), 0.05),
                    ],
                },
            ],
        };
        let svg = draw(&spec, "HER-2-low").expect("svg");
        for level in ["isointense", "hypointense", "hyperintense", "heterogeneous"] {
            assert!(svg.contains(level), "{level} dropped");
        }
    }
}
