//! Deterministic number formatting, CSV and HTML text, atomic file writes.

use std::path::Path;

use anyhow::Context;

/// `x` with `d` decimals; "NA" if not finite; never "-0.000".
pub(crate) fn fixed(x: f64, d: usize) -> String {
    if !x.is_finite() {
        return "NA".into();
    }
    let s = format!("{x:.d$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Full-precision value for CSV files (shortest round-trip representation); "NA" if not finite.
pub(crate) fn exact(x: f64) -> String {
    if !x.is_finite() {
        return "NA".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    if x.abs() < 1e-4 || x.abs() >= 1e15 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A p-value for display: "<0.001" or three decimals.
pub(crate) fn pvalue(p: f64) -> String {
    if !p.is_finite() {
        "NA".into()
    } else if p < 0.001 {
        "<0.001".into()
    } else {
        fixed(p, 3)
    }
}

/// A short tick label: at most 4 significant decimals, trailing zeros removed.
pub(crate) fn tick(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let a = x.abs();
    if a < 1e-10 {
        return "0".into();
    }
    let s = if a != 0.0 && !(1e-4..1e6).contains(&a) {
        format!("{x:.1e}")
    } else {
        let d = if a >= 100.0 {
            0
        } else if a >= 10.0 {
            1
        } else if a >= 1.0 {
            2
        } else {
            4
        };
        let s = fixed(x, d);
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// Labels for a set of ticks, with just enough decimals to tell neighbours apart.
pub(crate) fn tick_labels(ticks: &[f64]) -> Vec<String> {
    for d in 0..8usize {
        let labels: Vec<String> = ticks.iter().map(|&t| fixed(t, d)).collect();
        let distinct = labels.windows(2).all(|w| w[0] != w[1]);
        let exact_enough = ticks.iter().zip(&labels).all(|(t, l)| {
            l.parse::<f64>()
                .is_ok_and(|v| (v - t).abs() <= 1e-9 * t.abs().max(1.0))
        });
        if distinct && exact_enough {
            return labels;
        }
    }
    ticks.iter().map(|&t| tick(t)).collect()
}

/// One CSV document (RFC 4180 quoting, `\n` line ends).
pub(crate) fn csv(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let v: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&v.join(","));
        out.push('\n');
    };
    line(header);
    for r in rows {
        line(r);
    }
    out
}

fn csv_cell(c: &str) -> String {
    if c.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", c.replace('"', "\"\""))
    } else {
        c.to_string()
    }
}

/// HTML text escaping (also safe inside attribute values).
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// Writes `bytes` to `path` through a temporary file in the same directory, flushed, and a
/// rename ([`crate::export::write_atomic`]), with the path in the error.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    crate::export::write_atomic(path, bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_stable() {
        assert_eq!(fixed(-0.0001, 3), "0.000");
        assert_eq!(fixed(0.12345, 3), "0.123");
        assert_eq!(pvalue(0.0004), "<0.001");
        assert_eq!(pvalue(0.0151), "0.015");
        assert_eq!(tick(0.30000000000000004), "0.3");
        assert_eq!(tick(11409.0), "11409");
        assert_eq!(exact(0.000000014159780373054992), "1.4159780373054992e-8");
        assert_eq!(exact(0.25), "0.25");
        assert_eq!(tick_labels(&[0.0, 0.5, 1.0]), vec!["0.0", "0.5", "1.0"]);
        assert_eq!(tick_labels(&[0.0, 20.0, 40.0]), vec!["0", "20", "40"]);
        assert_eq!(
            csv(
                &["a".into(), "b,c".into()],
                &[vec!["1".into(), "x\"y".into()]]
            ),
            "a,\"b,c\"\n1,\"x\"\"y\"\n"
        );
    }
}

/// A unit as typeset: `mm3` → `mm³`, `cm2` → `cm²`, `1e-3 mm2/s` → `×10⁻³ mm²/s`; level codings
/// (`0=soft,1=stiff`) and other text unchanged.
pub(crate) fn unit(u: &str) -> String {
    if u.contains('=') {
        return u.to_string();
    }
    let sup = |c: char| match c {
        '-' => '⁻',
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        '9' => '⁹',
        c => c,
    };
    u.split(' ')
        .map(|w| {
            if let Some(exp) = w.strip_prefix("1e") {
                if !exp.is_empty()
                    && exp
                        .trim_start_matches('-')
                        .chars()
                        .all(|c| c.is_ascii_digit())
                {
                    return format!("×10{}", exp.chars().map(sup).collect::<String>());
                }
            }
            // a digit right after a letter is a power: mm3, mm2/s, m-2
            let mut out = String::new();
            let mut prev_letter = false;
            for c in w.chars() {
                if prev_letter && c.is_ascii_digit() {
                    out.push(sup(c));
                } else {
                    out.push(c);
                    prev_letter = c.is_ascii_alphabetic();
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod unit_tests {
    #[test]
    fn units_are_typeset() {
        assert_eq!(super::unit("mm3"), "mm³");
        assert_eq!(super::unit("cm3"), "cm³");
        assert_eq!(super::unit("1e-3 mm2/s"), "×10⁻³ mm²/s");
        assert_eq!(super::unit("years"), "years");
        assert_eq!(super::unit("0=soft,1=stiff"), "0=soft,1=stiff");
    }
}
