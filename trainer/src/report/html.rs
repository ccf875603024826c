//! The self-contained page: inline CSS and SVG, no scripts, no network.

use super::fmt::esc;
use super::{Figure, ReportInput, Table};

const CSS: &str = "body{font-family:Arial,Helvetica,sans-serif;color:#111;margin:24px auto;max-width:1320px;padding:0 16px;line-height:1.4}\
h1{font-size:26px;margin:0 0 6px}h2{font-size:20px;border-bottom:1px solid #bbb;padding-bottom:4px;margin-top:36px}\
p.note{color:#444;font-size:13px;margin:6px 0 0}ul.notes{color:#333;font-size:14px}\
table{border-collapse:collapse;font-size:13px;margin-top:8px}th,td{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left;vertical-align:top}td+td{white-space:nowrap}\
th{background:#f2f2f2;border-bottom:2px solid #999}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
.figs{display:flex;flex-wrap:wrap;gap:24px}figure{margin:8px 0;max-width:100%}figure svg{max-width:100%;height:auto;display:block}\
figcaption{font-size:13px;color:#333;max-width:640px;margin-top:4px}a{color:#0060a0}\
nav a{margin-right:14px;font-size:14px}.tablewrap{overflow-x:auto;max-width:100%;\
background:linear-gradient(to right,#fff 30%,rgba(255,255,255,0)) left center/40px 100% no-repeat local,\
linear-gradient(to left,#fff 30%,rgba(255,255,255,0)) right center/40px 100% no-repeat local,\
radial-gradient(farthest-side at 0 50%,rgba(0,0,0,.22),rgba(0,0,0,0)) left center/14px 100% no-repeat scroll,\
radial-gradient(farthest-side at 100% 50%,rgba(0,0,0,.22),rgba(0,0,0,0)) right center/14px 100% no-repeat scroll}\
.keep{display:contents}.keep>h2{flex:0 0 100%;margin-bottom:0}\
@media print{body{margin:0;max-width:none}.tablewrap{overflow:visible;background:none}table{font-size:9px}th,td{padding:2px 4px}figure{break-inside:avoid}\
.figs{display:block}.keep{display:block;break-inside:avoid}.keep>h2{margin-bottom:8px}}";

struct Section {
    id: &'static str,
    title: &'static str,
    tables: &'static [&'static str],
    figures: &'static [&'static str],
}

const SECTIONS: &[Section] = &[
    Section {
        id: "baseline",
        title: "Patients",
        tables: &["baseline.csv"],
        figures: &[],
    },
    Section {
        id: "logistic",
        title: "Clinical predictors",
        tables: &["odds_ratios.csv"],
        figures: &[],
    },
    Section {
        id: "features",
        title: "Radiomics features and LASSO",
        tables: &["features.csv"],
        figures: &["lasso"],
    },
    Section {
        id: "performance",
        title: "Discrimination",
        tables: &["performance.csv", "delong.csv", "internal_validation.csv"],
        figures: &["roc"],
    },
    Section {
        id: "calibration",
        title: "Calibration",
        tables: &["calibration.csv"],
        figures: &["calibration"],
    },
    Section {
        id: "dca",
        title: "Decision curves",
        tables: &[],
        figures: &["dca"],
    },
    Section {
        id: "nomogram",
        title: "Nomogram",
        tables: &[],
        figures: &["nomogram"],
    },
    Section {
        id: "radscore",
        title: "Radscore by class",
        tables: &[],
        figures: &["radscore"],
    },
];

fn is_number(s: &str) -> bool {
    let t = s.trim_start_matches('<');
    !t.is_empty()
        && t.split([' ', '(', ')', '–', ',', '/'])
            .filter(|p| !p.is_empty())
            .all(|p| p.parse::<f64>().is_ok() || p == "NA")
}

fn table_html(t: &Table, section_title: &str, out: &mut String) {
    if t.title != section_title {
        out.push_str(&format!("<h3>{}</h3>\n", esc(&t.title)));
    }
    out.push_str("<div class=\"tablewrap\"><table>\n<thead><tr>");
    for h in &t.header {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in &t.rows {
        out.push_str("<tr>");
        for (k, c) in r.iter().enumerate() {
            if k > 0 && is_number(c) {
                out.push_str(&format!("<td class=\"num\">{}</td>", esc(c)));
            } else {
                out.push_str(&format!("<td>{}</td>", esc(c)));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
    out.push_str(&format!(
        "<p class=\"note\">{} Full precision: <a href=\"{}\">{}</a>.</p>\n",
        esc(&t.note),
        esc(&t.file),
        esc(&t.file)
    ));
}

/// The SVG element of a figure, without any XML declaration.
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// The page.
pub fn page(input: &ReportInput, figures: &[Figure], tables: &[Table]) -> String {
    let mut o = String::new();
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str(&format!(
        "<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&input.title)
    ));
    o.push_str(&format!("<h1>{}</h1>\n", esc(&input.title)));
    if !input.notes.is_empty() {
        o.push_str("<ul class=\"notes\">\n");
        for n in &input.notes {
            o.push_str(&format!("<li>{}</li>\n", esc(n)));
        }
        o.push_str("</ul>\n");
    }
    let present: Vec<&Section> = SECTIONS
        .iter()
        .filter(|s| {
            s.tables.iter().any(|f| tables.iter().any(|t| t.file == *f))
                || s.figures
                    .iter()
                    .any(|f| figures.iter().any(|g| g.section == *f))
        })
        .collect();
    o.push_str("<nav>");
    for s in &present {
        o.push_str(&format!("<a href=\"#{}\">{}</a>", s.id, esc(s.title)));
    }
    o.push_str("</nav>\n");
    for s in present {
        o.push_str(&format!("<section id=\"{}\">\n", s.id));
        let heading = format!("<h2>{}</h2>\n", esc(s.title));
        let section_tables: Vec<&Table> = s
            .tables
            .iter()
            .filter_map(|f| tables.iter().find(|t| t.file == *f))
            .collect();
        // A section that opens with a figure keeps its heading with that figure (div.keep:
        // one unbreakable block in print, no box on screen); Chromium ignores
        // `break-after: avoid` on the heading and left it alone at the bottom of a page.
        let mut keep_heading = None;
        if section_tables.is_empty() {
            keep_heading = Some(heading);
        } else {
            o.push_str(&heading);
        }
        for t in section_tables {
            table_html(t, s.title, &mut o);
        }
        let figs: Vec<&Figure> = figures
            .iter()
            .filter(|g| s.figures.contains(&g.section))
            .collect();
        if !figs.is_empty() {
            o.push_str("<div class=\"figs\">\n");
            for g in figs {
                let kept = keep_heading.take();
                if let Some(h) = &kept {
                    o.push_str("<div class=\"keep\">\n");
                    o.push_str(h);
                }
                o.push_str(&format!(
                    "<figure id=\"fig-{}\">\n",
                    esc(g.file.trim_end_matches(".svg"))
                ));
                o.push_str(inline_svg(&g.svg));
                o.push_str(&format!(
                    "\n<figcaption>{} <a href=\"{}\">{}</a></figcaption>\n</figure>\n",
                    esc(&g.caption),
                    esc(&g.file),
                    esc(&g.file)
                ));
                if kept.is_some() {
                    o.push_str("</div>\n");
                }
            }
            o.push_str("</div>\n");
        }
        o.push_str("</section>\n");
    }
    o.push_str("</body>\n</html>\n");
    o
}
