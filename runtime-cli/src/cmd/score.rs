//! `radscore score`: scores a features table with a model file.
//!
//! Input: a CSV with a header row holding `patient_id`, one column per model feature named
//! `<sequence>_<pyradiomics name>` (e.g. `dce_exponential_firstorder_Kurtosis`) and one per
//! clinical predictor (its name in the model); other columns are ignored. Output: `patient_id,
//! radscore, linear_predictor, probability, predicted_class, total_points`, then
//! `points_radscore` and `points_<predictor>` for each clinical predictor.
//!
//! The table is streamed record by record (memory does not grow with the number of rows). The
//! output is written to a temporary file next to `--out` and renamed over it only when every row
//! has been scored: on any error there is no partial output.

use super::verify::{load_model, read_public_key};
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

/// The input column of every model feature: `<sequence>_<pyradiomics name>`.
pub fn feature_columns(model: &Model) -> Vec<String> {
    model
        .features
        .iter()
        .map(|f| format!("{}_{}", f.sequence, f.name))
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
    names: Vec<String>,
}

fn locate(header: &csv::StringRecord, model: &Model, input: &Path) -> anyhow::Result<Columns> {
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
    let clinical: Vec<usize> = clinical_names.iter().map(|n| idx(n)).collect();
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
        names,
    })
}

/// Parses one numeric cell; NaN, infinities, empty and non-numeric cells are errors naming the
/// row and column.
fn number(
    record: &csv::ByteRecord,
    col: usize,
    name: &str,
    row: u64,
    input: &Path,
    id_col: usize,
) -> anyhow::Result<f64> {
    let raw = record.get(col).unwrap_or(b"").trim_ascii();
    match std::str::from_utf8(raw).map(str::parse::<f64>) {
        Ok(Ok(v)) if v.is_finite() => Ok(v),
        parsed => {
            let line = record.position().map_or(0, |p| p.line());
            let id = String::from_utf8_lossy(record.get(id_col).unwrap_or(b""));
            let shown = String::from_utf8_lossy(raw);
            let what = if matches!(parsed, Ok(Ok(_))) {
                "is not a finite number"
            } else {
                "is not a number"
            };
            bail!(
                "{}: row {row} (line {line}, patient_id `{}`), column `{name}`: `{}` {what}",
                input.display(),
                id.trim(),
                shown.trim()
            )
        }
    }
}

/// Appends `,` and the shortest representation of `x` that parses back to the same f64.
fn push_f64(out: &mut Vec<u8>, buf: &mut ryu::Buffer, x: f64) {
    out.push(b',');
    out.extend_from_slice(buf.format(x).as_bytes());
}

/// Scores every row of `input` into `out` (not atomic; see [`run`]). Returns the number of rows.
pub fn score_stream(
    model: &Model,
    input: &Path,
    reader: impl std::io::Read,
    out: &mut impl Write,
) -> anyhow::Result<u64> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .buffer_capacity(1 << 17)
        .from_reader(reader);
    let header = rdr
        .headers()
        .with_context(|| format!("{}: reading the header row", input.display()))?
        .clone();
    let cols = locate(&header, model, input)?;
    writeln!(out, "{}", output_header(model).join(","))?;
    let nf = cols.features.len();
    let mut x = vec![0.0f64; nf];
    let mut c = vec![0.0f64; cols.clinical.len()];
    let mut record = csv::ByteRecord::new();
    // Output rows are assembled here and handed to `out` in large blocks.
    let mut line = Vec::with_capacity(1 << 16);
    let mut fmt = ryu::Buffer::new();
    let mut row = 0u64;
    while rdr
        .read_byte_record(&mut record)
        .with_context(|| format!("{}: reading row {}", input.display(), row + 1))?
    {
        row += 1;
        for ((v, &col), name) in x.iter_mut().zip(&cols.features).zip(&cols.names) {
            *v = number(&record, col, name, row, input, cols.id)?;
        }
        for (((v, &col), name), p) in c
            .iter_mut()
            .zip(&cols.clinical)
            .zip(cols.names.iter().skip(nf))
            .zip(&model.clinical)
        {
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
        if line.len() >= (1 << 16) - 512 {
            out.write_all(&line)?;
            line.clear();
        }
    }
    out.write_all(&line)?;
    Ok(row)
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
    let tmp = radscore_trainer::export::temp_path(&args.out);
    let result = (|| -> anyhow::Result<u64> {
        let f = File::create(&tmp)
            .with_context(|| format!("{}: cannot create the output", tmp.display()))?;
        // Both sides buffer already: the csv reader has its own buffer and score_stream writes
        // 64 KiB blocks, so neither a BufReader nor a BufWriter is needed.
        let mut w = f;
        let rows = score_stream(&model, &args.input, input, &mut w)?;
        w.sync_all()
            .with_context(|| format!("{}: writing the output", tmp.display()))?;
        drop(w);
        std::fs::rename(&tmp, &args.out)
            .with_context(|| format!("{}: cannot write the output", args.out.display()))?;
        Ok(rows)
    })();
    match result {
        Ok(rows) => {
            eprintln!("scored {rows} row(s) → {}", args.out.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}
