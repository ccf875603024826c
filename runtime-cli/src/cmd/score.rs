//! `radscore score`: scores a features table with a model file.
//!
//! Input: a CSV with a header row holding `patient_id`, one column per model feature named
//! `<sequence>_<pyradiomics name>` (e.g. `dce_exponential_firstorder_Kurtosis`) and one per
//! clinical predictor (its name in the model; a factor level `<var>=<level>` is read from its own
//! 0/1 column or, without one, from the column `<var>` holding the levels); other columns are
//! ignored. Output: `patient_id,
//! radscore, linear_predictor, probability, predicted_class, total_points`, then
//! `points_radscore` and `points_<predictor>` for each clinical predictor.
//!
//! The table is read with [`crate::fastcsv`] (the `csv` crate's dialect; fields are byte
//! slices, only the model's columns are parsed) and streamed record by record (memory does not
//! grow with the number of rows). The output is written to a temporary file next to `--out` and
//! renamed over it only when every row has been scored: on any error there is no partial output.

use super::verify::{load_model, read_public_key};
use crate::fastcsv::{self, Record};
use anyhow::{bail, Context};
use radscore_core::model::{Model, PredictorKind};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `radscore score`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Model file (`.rsm`).
    #[arg(long)]
    pub model: PathBuf,
    /// Features table (CSV with a header row).
    #[arg(long)]
    pub input: PathBuf,
    /// Output scores table (CSV); written atomically.
    #[arg(long)]
    pub out: PathBuf,
    /// Require a valid Ed25519 signature by this public key (64 hex digits, or a file holding
    /// them or the 32 raw bytes).
    #[arg(long)]
    pub public_key: Option<String>,
}

/// The input column of every model feature: `<sequence>_<pyradiomics name>` (any feature,
/// whether the core can recompute it from images or not).
pub fn feature_columns(model: &Model) -> Vec<String> {
    model
        .features
        .iter()
        .map(|f| f.column().to_string())
        .collect()
}

/// The output header for a model.
pub fn output_header(model: &Model) -> Vec<String> {
    let mut h: Vec<String> = [
        "patient_id",
        "radscore",
        "linear_predictor",
        "probability",
        "predicted_class",
        "total_points",
        "points_radscore",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    h.extend(model.clinical.iter().map(|c| format!("points_{}", c.name)));
    h
}

/// Where each needed column is in the input header.
struct Columns {
    id: usize,
    features: Vec<usize>,
    clinical: Vec<usize>,
    /// For a factor level `<var>=<level>` read from the column `<var>`: the level (the predictor
    /// is 1 where the cell is that level, else 0).
    levels: Vec<Option<String>>,
    names: Vec<String>,
}

fn locate(header: &[String], model: &Model, input: &Path) -> anyhow::Result<Columns> {
    let find = |name: &str| -> Result<Option<usize>, String> {
        let mut hits = header.iter().enumerate().filter(|(_, h)| {
            // A UTF-8 byte-order mark (spreadsheet exports) is not part of the first name.
            h.trim_start_matches('\u{feff}').trim() == name
        });
        match (hits.next(), hits.next()) {
            (None, _) => Ok(None),
            (Some((i, _)), None) => Ok(Some(i)),
            (Some(_), Some(_)) => Err(name.to_owned()),
        }
    };
    let feature_names = feature_columns(model);
    let clinical_names: Vec<String> = model.clinical.iter().map(|c| c.name.to_string()).collect();
    let mut missing = Vec::new();
    let mut duplicated = Vec::new();
    let mut idx = |name: &str| match find(name) {
        Ok(Some(i)) => i,
        Ok(None) => {
            missing.push(name.to_owned());
            usize::MAX
        }
        Err(n) => {
            duplicated.push(n);
            usize::MAX
        }
    };
    let id = idx("patient_id");
    let features: Vec<usize> = feature_names.iter().map(|n| idx(n)).collect();
    // a factor level `<var>=<level>` comes from its own 0/1 column, or else from the column
    // `<var>` holding the levels
    let mut levels = Vec::with_capacity(clinical_names.len());
    let mut clinical = Vec::with_capacity(clinical_names.len());
    for n in &clinical_names {
        let from_var = match (find(n), n.split_once('=')) {
            (Ok(None), Some((var, level))) => match find(var) {
                Ok(Some(i)) => Some((i, level.to_string())),
                _ => None,
            },
            _ => None,
        };
        match from_var {
            Some((i, level)) => {
                clinical.push(i);
                levels.push(Some(level));
            }
            None => {
                clinical.push(idx(n));
                levels.push(None);
            }
        }
    }
    if !missing.is_empty() {
        bail!(
            "{}: missing column{} {} (the model needs patient_id, its {} feature column(s) and its \
             clinical predictor(s))",
            input.display(),
            if missing.len() > 1 { "s" } else { "" },
            missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", "),
            model.features.len()
        );
    }
    if !duplicated.is_empty() {
        bail!(
            "{}: column{} {} appear{} more than once in the header",
            input.display(),
            if duplicated.len() > 1 { "s" } else { "" },
            duplicated
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if duplicated.len() > 1 { "" } else { "s" },
        );
    }
    let mut names = feature_names;
    names.extend(clinical_names);
    Ok(Columns {
        id,
        features,
        clinical,
        levels,
        names,
    })
}

/// Parses a trimmed numeric cell: `Ok` for a finite number, `Err(true)` for NaN or an infinity,
/// `Err(false)` for anything that is not a number. Accepts exactly what `str::parse::<f64>`
/// accepts, with the same value: `fast-float2` (no UTF-8 check, no allocation) takes the common
/// case, and anything it does not turn into a finite number goes through `str::parse`.
#[inline]
fn parse_f64(raw: &[u8]) -> Result<f64, bool> {
    if let Ok(v) = fast_float2::parse::<f64, _>(raw) {
        if v.is_finite() {
            return Ok(v);
        }
    }
    match std::str::from_utf8(raw).map(str::parse::<f64>) {
        Ok(Ok(v)) if v.is_finite() => Ok(v),
        Ok(Ok(_)) => Err(true),
        _ => Err(false),
    }
}

/// Parses one numeric cell; NaN, infinities, empty and non-numeric cells are errors naming the
/// row and column.
#[inline]
fn number(
    record: &Record<'_>,
    col: usize,
    name: &str,
    row: u64,
    input: &Path,
    id_col: usize,
) -> anyhow::Result<f64> {
    let raw = match record.get(col).unwrap_or(b"") {
        // Machine-written cells have no surrounding blanks: skip the trimming call for them.
        r @ [a, .., z] if !a.is_ascii_whitespace() && !z.is_ascii_whitespace() => r,
        r => r.trim_ascii(),
    };
    match parse_f64(raw) {
        Ok(v) => Ok(v),
        Err(non_finite) => Err(cell_error(
            record, raw, non_finite, name, row, input, id_col,
        )),
    }
}

/// The error for a cell that is not a finite number (kept out of the hot loop).
#[cold]
#[inline(never)]
fn cell_error(
    record: &Record<'_>,
    raw: &[u8],
    non_finite: bool,
    name: &str,
    row: u64,
    input: &Path,
    id_col: usize,
) -> anyhow::Error {
    let id = String::from_utf8_lossy(record.get(id_col).unwrap_or(b""));
    let shown = String::from_utf8_lossy(raw);
    let what = if non_finite {
        "is not a finite number"
    } else {
        "is not a number"
    };
    anyhow::anyhow!(
        "{}: row {row} (line {}, patient_id `{}`), column `{name}`: `{}` {what}",
        input.display(),
        record.line(),
        id.trim(),
        shown.trim()
    )
}

/// Appends `,` and the shortest representation of `x` that parses back to the same f64, in
/// ryu's format (`0.1`, `1.0`, `1e16`, `1.5e-7`, `NaN`, `inf`), which the output has always had.
/// zmij computes the same digits about twice as fast but writes a positive exponent as `e+16`;
/// the `+` is dropped (both switch to an exponent from 1e16 on, below that nothing to drop).
#[inline]
fn push_f64(out: &mut Vec<u8>, buf: &mut zmij::Buffer, x: f64) {
    out.push(b',');
    let s = buf.format(x).as_bytes();
    if x.abs() < 1e16 {
        out.extend_from_slice(s);
    } else {
        out.extend(s.iter().filter(|&&b| b != b'+'));
    }
}

/// Output is handed to the writer in blocks of about this size.
const OUT_BLOCK: usize = 1 << 18;

/// Scores every row of `input` into `out` (not atomic; see [`run`]). Returns the number of rows.
pub fn score_stream(
    model: &Model,
    input: &Path,
    reader: impl std::io::Read,
    out: &mut impl Write,
) -> anyhow::Result<u64> {
    let mut rdr = fastcsv::Reader::new(reader);
    let header: Vec<String> = match rdr
        .next_record()
        .with_context(|| format!("{}: reading the header row", input.display()))?
    {
        None => Vec::new(),
        Some(h) => h
            .iter()
            .map(|f| String::from_utf8(f.to_vec()))
            .collect::<Result<_, _>>()
            .with_context(|| format!("{}: the header row is not valid UTF-8", input.display()))?,
    };
    let cols = locate(&header, model, input)?;
    writeln!(out, "{}", output_header(model).join(","))?;
    let nf = cols.features.len();
    let mut x = vec![0.0f64; nf];
    let mut c = vec![0.0f64; cols.clinical.len()];
    // Output rows are assembled here and handed to `out` in large blocks.
    let mut line = Vec::with_capacity(OUT_BLOCK + 4096);
    let mut fmt = zmij::Buffer::new();
    let mut row = 0u64;
    loop {
        let record = match rdr.next_record() {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => {
                return Err(anyhow::Error::new(e).context(format!(
                    "{}: reading row {}",
                    input.display(),
                    row + 1
                )))
            }
        };
        row += 1;
        if record.len() != header.len() {
            bail!(
                "{}: row {row} (line {}) has {} field(s), but the header has {}",
                input.display(),
                record.line(),
                record.len(),
                header.len()
            );
        }
        for ((v, &col), name) in x.iter_mut().zip(&cols.features).zip(&cols.names) {
            *v = number(&record, col, name, row, input, cols.id)?;
        }
        for ((((v, &col), name), p), level) in c
            .iter_mut()
            .zip(&cols.clinical)
            .zip(cols.names.iter().skip(nf))
            .zip(&model.clinical)
            .zip(&cols.levels)
        {
            if let Some(level) = level {
                let cell = String::from_utf8_lossy(record.get(col).unwrap_or(b""));
                let cell = cell.trim();
                if cell.is_empty() {
                    let id = String::from_utf8_lossy(record.get(cols.id).unwrap_or(b""));
                    bail!(
                        "{}: row {row} (patient_id `{}`), column `{}`: missing value (factor level `{name}`)",
                        input.display(),
                        id.trim(),
                        name.split_once('=').map_or(name.as_str(), |x| x.0)
                    );
                }
                let same = cell == level
                    || matches!((cell.parse::<f64>(), level.parse::<f64>()), (Ok(a), Ok(b)) if a == b);
                *v = f64::from(u8::from(same));
                continue;
            }
            *v = number(&record, col, name, row, input, cols.id)?;
            if p.kind == PredictorKind::Binary && *v != 0.0 && *v != 1.0 {
                let id = String::from_utf8_lossy(record.get(cols.id).unwrap_or(b""));
                bail!(
                    "{}: row {row} (patient_id `{}`), column `{name}`: binary predictor must be \
                     0 or 1, found `{}`",
                    input.display(),
                    id.trim(),
                    String::from_utf8_lossy(record.get(col).unwrap_or(b"")).trim()
                );
            }
        }
        let s = model.score(&x, &c).map_err(|e| {
            let id = String::from_utf8_lossy(record.get(cols.id).unwrap_or(b""));
            anyhow::anyhow!(
                "{}: row {row} (patient_id `{}`): {e}",
                input.display(),
                id.trim()
            )
        })?;
        let id = record.get(cols.id).unwrap_or(b"").trim_ascii();
        if id.iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
            line.push(b'"');
            for &b in id {
                if b == b'"' {
                    line.push(b'"');
                }
                line.push(b);
            }
            line.push(b'"');
        } else {
            line.extend_from_slice(id);
        }
        push_f64(&mut line, &mut fmt, s.radscore);
        push_f64(&mut line, &mut fmt, s.linear_predictor);
        push_f64(&mut line, &mut fmt, s.probability);
        line.extend_from_slice(if s.predicted_class == 1 { b",1" } else { b",0" });
        push_f64(&mut line, &mut fmt, s.total_points);
        for p in s.points() {
            push_f64(&mut line, &mut fmt, *p);
        }
        line.push(b'\n');
        if line.len() >= OUT_BLOCK {
            out.write_all(&line)?;
            line.clear();
        }
    }
    out.write_all(&line)?;
    Ok(row)
}

/// The output file, remembering whether a write to it failed (to tell output errors from input
/// errors in what [`score_stream`] returns).
struct Tracked<'a> {
    f: &'a mut File,
    failed: bool,
}

impl Write for Tracked<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.f.write(buf);
        self.failed |= r.is_err();
        r
    }
    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.f.flush();
        self.failed |= r.is_err();
        r
    }
}

/// Runs `radscore score`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let key = args
        .public_key
        .as_deref()
        .map(read_public_key)
        .transpose()?;
    let model = load_model(&args.model, key.as_ref())?;
    let input = File::open(&args.input)
        .with_context(|| format!("{}: cannot open the input table", args.input.display()))?;
    // Both sides buffer already: the CSV reader has its own buffer and score_stream writes
    // 256 KiB blocks, so neither a BufReader nor a BufWriter is needed. A scoring error is kept
    // aside whole (the writer's error only stops the write and removes the temporary file).
    let mut rows = 0;
    let mut failed = None;
    let written = radscore_trainer::outfile::write_with(&args.out, |w| {
        let mut out = Tracked {
            f: w,
            failed: false,
        };
        match score_stream(&model, &args.input, input, &mut out) {
            Ok(n) => {
                rows = n;
                Ok(())
            }
            // The output itself failed (a full disk): reported as a write error of `--out`.
            Err(e) if out.failed => Err(std::io::Error::other(format!("{e:#}"))),
            Err(e) => {
                failed = Some(e);
                Err(std::io::Error::other("scoring failed"))
            }
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    written.with_context(|| format!("{}: cannot write the output", args.out.display()))?;
    eprintln!("scored {rows} row(s) → {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::{parse_f64, push_f64};

    /// What the reader accepted before `fast-float2`: `str::parse` on the trimmed cell.
    fn std_parse(s: &str) -> Result<f64, bool> {
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            Ok(_) => Err(true),
            Err(_) => Err(false),
        }
    }

    fn same(s: &str) {
        let got = parse_f64(s.as_bytes());
        let want = std_parse(s);
        match (got, want) {
            (Ok(g), Ok(w)) => assert_eq!(g.to_bits(), w.to_bits(), "{s:?}: {g:e} vs {w:e}"),
            (g, w) => assert_eq!(g, w, "{s:?}"),
        }
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn parses_exactly_what_str_parse_accepts() {
        for s in [
            "",
            ".",
            "+",
            "-",
            "+-1",
            "--1",
            "1.",
            ".5",
            "+.5",
            "-.5e3",
            "e5",
            "E5",
            ".e5",
            "1e",
            "1e+",
            "1e-",
            "1E5",
            "1e+05",
            "1e-05",
            "1.e5",
            "0x10",
            "1_0",
            "1,5",
            "1 5",
            "٣",
            "nan",
            "NaN",
            "+nan",
            "-NAN",
            "nan1",
            "inf",
            "-inf",
            "+inf",
            "Infinity",
            "-infinity",
            "infinit",
            "infinityy",
            "in",
            "1e400",
            "-1e400",
            "1e-400",
            "-0",
            "-0.0",
            "0e999999",
            "1e-99999999999",
            "1e99999999999",
            "4.9e-324",
            "5e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "9007199254740993",
            "9007199254740992.5",
            "00000000000000000000001.5",
            "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124",
            "1.00000000000000011102230246251565404236316680908203126",
            "123456789012345678901234567890",
            "0.000000000000000000000000000001e30",
            "1e-7",
            "1e16",
            "0.1",
            "0.3",
            "3.141592653589793",
            "12345678901234567890e-20",
        ] {
            same(s);
        }
        // A 800-digit mantissa (beyond every fast path).
        same(&format!("0.{}1e5", "0".repeat(800)));
        same(&format!("{}e-790", "7".repeat(800)));
    }

    #[test]
    fn parses_random_floats_and_strings_like_str_parse() {
        let mut r = Rng(0x9E37_79B9_7F4A_7C15);
        for i in 0..200_000 {
            let bits = r.next();
            // Every exponent, subnormals included; some near-integers and small decimals.
            let x = match i % 4 {
                0 => f64::from_bits(bits),
                1 => f64::from_bits(bits & 0x800F_FFFF_FFFF_FFFF), // subnormals and zeros
                2 => (bits % 1_000_000) as f64 / 1000.0 - 500.0,
                _ => f64::from_bits(bits) * 1e-300,
            };
            if !x.is_finite() {
                continue;
            }
            let mut b = ryu::Buffer::new();
            for s in [
                format!("{x}"),
                format!("{x:?}"),
                format!("{x:e}"),
                format!("{x:.3e}"),
                format!("{x:.20e}"),
                format!("{x:E}"),
                b.format(x).to_owned(),
            ] {
                same(&s);
            }
        }
        let alphabet = b"0123456789..eE+-naif";
        for _ in 0..200_000 {
            let n = (r.next() % 12) as usize;
            let s: String = (0..n)
                .map(|_| char::from(alphabet[(r.next() % alphabet.len() as u64) as usize]))
                .collect();
            same(&s);
        }
    }

    fn ryu_cell(x: f64) -> Vec<u8> {
        let mut v = vec![b','];
        v.extend_from_slice(ryu::Buffer::new().format(x).as_bytes());
        v
    }

    /// The output cells are byte-identical to ryu's (the format before zmij), on edge cases and
    /// on random values of every magnitude, subnormals included.
    #[test]
    fn prints_exactly_like_ryu() {
        let mut z = zmij::Buffer::new();
        let mut check = |x: f64| {
            let mut got = Vec::new();
            push_f64(&mut got, &mut z, x);
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&ryu_cell(x)),
                "{x:e}"
            );
        };
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.3,
            123.0,
            1e-7,
            1.5e-7,
            1e-5,
            1e-4,
            1e15,
            9_999_999_999_999_998.0,
            1e16,
            -1e16,
            1.5e16,
            1e17,
            1e21,
            1e22,
            1e100,
            1e-100,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            5e-324,
            -5e-324,
            2.225_073_858_507_201e-308,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            check(x);
        }
        let mut r = Rng(0xD1B5_4A32_D192_ED03);
        for i in 0..1_000_000 {
            let bits = r.next();
            check(match i % 5 {
                0 => f64::from_bits(bits),
                1 => f64::from_bits(bits & 0x800F_FFFF_FFFF_FFFF),
                2 => (bits >> 11) as f64 / (1u64 << 53) as f64 * 100.0 - 20.0,
                3 => (bits % 1_000_000) as f64 * 0.25,
                _ => f64::from_bits(bits) * 1e-300,
            });
        }
    }

    fn score_text(table: &str) -> anyhow::Result<String> {
        let m = radscore_trainer::example::illustrative_model();
        let mut out = Vec::new();
        super::score_stream(
            &m,
            std::path::Path::new("t.csv"),
            table.as_bytes(),
            &mut out,
        )?;
        Ok(String::from_utf8(out)?)
    }

    /// Records with quotes or `\r\n` ends (csv-core's path) score exactly like plain ones (the
    /// fast path), and every output row holds `Model::score`'s values.
    #[test]
    fn quoted_and_crlf_tables_score_like_plain_ones() {
        let m = radscore_trainer::example::illustrative_model();
        let mut head: Vec<String> = vec!["patient_id".into(), "note".into()];
        head.extend(super::feature_columns(&m));
        head.extend(["texture".into(), "volume".into()]);
        let mut r = Rng(7);
        let mut rows = Vec::new();
        for i in 0..300 {
            let mut row = vec![format!("P{i}"), "n/a".to_owned()];
            for f in &m.features {
                let u = (r.next() >> 11) as f64 / (1u64 << 53) as f64;
                row.push(format!("{:?}", f.mean + f.sd * (4.0 * u - 2.0)));
            }
            row.push((i % 2).to_string());
            row.push(format!("{}", 500 + i * 37));
            rows.push(row);
        }
        let plain: String = std::iter::once(&head)
            .chain(&rows)
            .map(|r| r.join(",") + "\n")
            .collect();
        // Every field quoted, CRLF line ends, an empty line in between.
        let quoted: String = std::iter::once(&head)
            .chain(&rows)
            .enumerate()
            .map(|(i, r)| {
                let q: Vec<String> = r.iter().map(|f| format!("\"{f}\"")).collect();
                q.join(",") + if i == 5 { "\r\n\r\n" } else { "\r\n" }
            })
            .collect();
        let a = score_text(&plain).unwrap();
        let b = score_text(&quoted).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.lines().count(), rows.len() + 1);
        for (line, row) in a.lines().skip(1).zip(&rows) {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells[0], row[0]);
            let x: Vec<f64> = row[2..9].iter().map(|v| v.parse().unwrap()).collect();
            let c: Vec<f64> = row[9..].iter().map(|v| v.parse().unwrap()).collect();
            let want = m.score(&x, &c).unwrap();
            let got: Vec<f64> = cells[1..].iter().map(|v| v.parse().unwrap()).collect();
            assert_eq!(got[0].to_bits(), want.radscore.to_bits());
            assert_eq!(got[2].to_bits(), want.probability.to_bits());
            assert_eq!(got[4].to_bits(), want.total_points.to_bits());
        }
        // A quoted id holding a comma and a quote is written quoted.
        let row: Vec<String> = rows[0]
            .iter()
            .enumerate()
            .map(|(k, f)| {
                if k == 0 {
                    "\"P,\"\"1\"".into()
                } else {
                    f.clone()
                }
            })
            .collect();
        let t = format!("{}\n{}\n", head.join(","), row.join(","));
        let out = score_text(&t).unwrap();
        assert!(
            out.lines().nth(1).unwrap().starts_with("\"P,\"\"1\","),
            "{out}"
        );
        // Errors in a quoted record name its row, line and column.
        let mut bad = rows[1].clone();
        bad[4] = "\"x\"".into();
        let t = format!(
            "{}\n{}\n\n{}\n",
            head.join(","),
            rows[0].join(","),
            bad.join(",")
        );
        let e = score_text(&t).unwrap_err().to_string();
        assert!(e.contains("row 2 (line 4, patient_id `P1`)"), "{e}");
        assert!(e.contains(&format!("column `{}`", head[4])), "{e}");
    }
}
