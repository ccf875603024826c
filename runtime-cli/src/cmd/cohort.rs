//! `radscore cohort`: joins per-sequence PyRadiomics feature tables and a clinical table into one
//! `radscore train` table.
//!
//! ```text
//! radscore cohort --id-column ID --clinical clinical.csv \
//!   --features t2=t2.csv --features dwi=dwi.csv --features dce=dce.csv --out cohort.csv
//! ```
//!
//! * `--features SEQ=FILE`: a PyRadiomics batch output (one row per case: the batch input's
//!   columns, `diagnostics_*`, then the features without a sequence prefix) or any table of
//!   features of sequence `SEQ` (`[a-z0-9]+`); its feature columns become `SEQ_<column>`. The same
//!   `SEQ` may be given several files (e.g. one batch run per site): their rows are pooled and
//!   they must have the same feature columns.
//! * `--features FILE`: a table whose feature columns already carry their sequence
//!   (`radscore extract --manifest` output: `patient_id`, `<seq>_<feature>` …); kept as named.
//! * In a features table, the id column is `--id-column`, or `patient_id` if the table has no
//!   such column (`radscore extract` output). `diagnostics_*` columns and the batch bookkeeping
//!   columns (`Image`, `Mask`, `Label`, `Label_channel`, `Reader`) are skipped (counted on
//!   stderr); every other column is a feature and each of its cells must be a finite number.
//!
//! Output: the id column, the clinical table's other columns in their order, then the features
//! in the order of the `--features` arguments and, within one, of that file's columns. Rows
//! follow the clinical table; clinical cells are copied as they are, feature cells as written
//! (checked to be finite numbers, not re-formatted, so no digit is lost).
//!
//! Errors name the file, the id (or data row) and the column, and nothing is written (the
//! output is written to a temporary file and renamed): an id missing from one table, a
//! duplicate id, a ragged row, a feature column present in one file of a sequence but not
//! another, a non-numeric value, two output columns with the same name.

use crate::io;
use anyhow::{bail, Context, Result};
use radscore_trainer::cohort::is_skipped_column;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `radscore cohort`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Id column (in the clinical table and in each features table; a features table without
    /// it may use `patient_id`, as `radscore extract` writes).
    #[arg(long, default_value = "patient_id")]
    pub id_column: String,
    /// Clinical table (CSV): the id, the label, optionally the split, and the clinical variables.
    #[arg(long)]
    pub clinical: PathBuf,
    /// `SEQ=FILE`: a PyRadiomics batch output of sequence SEQ (columns become `SEQ_<column>`);
    /// or `FILE`: a table whose columns already carry the sequence (`radscore extract
    /// --manifest` output). Repeatable; order is kept.
    #[arg(long = "features", required = true)]
    pub features: Vec<String>,
    /// Output cohort table (CSV); written atomically.
    #[arg(long)]
    pub out: PathBuf,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A CSV table read whole: header and records, every record as long as the header.
struct Table {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

fn read_table(path: &Path) -> Result<Table> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let header: Vec<String> = rdr
        .headers()
        .with_context(|| format!("{}: cannot read the header row", path.display()))?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                h
            };
            h.trim().to_string()
        })
        .collect();
    let mut rows = Vec::new();
    for (r, rec) in rdr.records().enumerate() {
        let rec = rec.with_context(|| {
            format!(
                "{}: data row {}: malformed CSV record",
                path.display(),
                r + 1
            )
        })?;
        if rec.len() != header.len() {
            bail!(
                "{}: data row {} (id '{}') has {} cells, the header has {} columns (ragged row)",
                path.display(),
                r + 1,
                rec.get(0).unwrap_or("").trim(),
                rec.len(),
                header.len()
            );
        }
        rows.push(rec);
    }
    Ok(Table {
        path: path.to_path_buf(),
        header,
        rows,
    })
}

/// Index of column `name` in `t`, which must occur once.
fn column(t: &Table, name: &str) -> Result<Option<usize>> {
    let hits: Vec<usize> = (0..t.header.len())
        .filter(|&i| t.header[i] == name)
        .collect();
    match hits.len() {
        0 => Ok(None),
        1 => Ok(Some(hits[0])),
        n => bail!(
            "{}: column '{name}' appears {n} times in the header",
            t.path.display()
        ),
    }
}

/// Row of each id of `t`'s id column `idc`; a duplicate or empty id is an error.
fn index_ids(t: &Table, idc: usize, id_name: &str) -> Result<HashMap<String, usize>> {
    let mut map = HashMap::with_capacity(t.rows.len());
    for (r, rec) in t.rows.iter().enumerate() {
        let id = rec.get(idc).unwrap_or("").trim();
        if id.is_empty() {
            bail!(
                "{}: data row {}: empty id in column '{id_name}'",
                t.path.display(),
                r + 1
            );
        }
        if let Some(prev) = map.insert(id.to_string(), r) {
            bail!(
                "{}: duplicate id '{id}' in column '{id_name}' (data rows {} and {})",
                t.path.display(),
                prev + 1,
                r + 1
            );
        }
    }
    Ok(map)
}

/// One `--features` argument, read.
struct Source {
    /// `Some(seq)` for `SEQ=FILE`.
    seq: Option<String>,
    table: Table,
    id_col: usize,
    id_name: String,
    /// Feature columns of the file, in order.
    feature_cols: Vec<usize>,
    skipped: usize,
}

fn parse_arg(arg: &str) -> Result<(Option<String>, PathBuf)> {
    match arg.split_once('=') {
        Some((seq, file)) if !seq.contains(['/', '\\']) => {
            if seq.is_empty()
                || !seq
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                bail!(
                    "--features {arg}: the sequence '{seq}' must be [a-z0-9]+ (e.g. t2, dwi, dce)"
                );
            }
            if file.is_empty() {
                bail!("--features {arg}: no file after '='");
            }
            Ok((Some(seq.to_string()), PathBuf::from(file)))
        }
        _ => Ok((None, PathBuf::from(arg))),
    }
}

fn read_source(arg: &str, id_column: &str) -> Result<Source> {
    let (seq, path) = parse_arg(arg)?;
    let table = read_table(&path)?;
    let (id_col, id_name) = match column(&table, id_column)? {
        Some(c) => (c, id_column.to_string()),
        None => match column(&table, "patient_id")? {
            Some(c) => (c, "patient_id".to_string()),
            None => bail!(
                "{}: no id column '{id_column}' (nor 'patient_id') in the header",
                path.display()
            ),
        },
    };
    let mut feature_cols = Vec::with_capacity(table.header.len());
    let mut skipped = 0;
    for (i, h) in table.header.iter().enumerate() {
        if i == id_col {
            continue;
        }
        if is_skipped_column(h) {
            skipped += 1;
            continue;
        }
        if h.is_empty() {
            bail!("{}: header column {} has no name", path.display(), i + 1);
        }
        feature_cols.push(i);
    }
    if feature_cols.is_empty() {
        bail!("{}: no feature columns", path.display());
    }
    Ok(Source {
        seq,
        table,
        id_col,
        id_name,
        feature_cols,
        skipped,
    })
}

/// Runs `radscore cohort`.
pub fn run(args: Args) -> Result<ExitCode> {
    let t0 = std::time::Instant::now();
    let progress = |msg: &str| {
        if !args.quiet {
            eprintln!("radscore cohort: {msg}");
        }
    };
    let clinical = read_table(&args.clinical)?;
    let cid = column(&clinical, &args.id_column)?.with_context(|| {
        format!(
            "{}: no id column '{}' in the header",
            args.clinical.display(),
            args.id_column
        )
    })?;
    let clinical_ids = index_ids(&clinical, cid, &args.id_column)?;
    if clinical.rows.is_empty() {
        bail!("{}: the table has no data rows", args.clinical.display());
    }
    progress(&format!(
        "{}: {} rows, {} clinical columns",
        args.clinical.display(),
        clinical.rows.len(),
        clinical.header.len() - 1
    ));

    let mut sources = Vec::with_capacity(args.features.len());
    for a in &args.features {
        let s = read_source(a, &args.id_column)?;
        progress(&format!(
            "{}{}: {} rows, {} feature columns{}",
            s.seq.as_deref().map_or(String::new(), |q| format!("{q}: ")),
            s.table.path.display(),
            s.table.rows.len(),
            s.feature_cols.len(),
            if s.skipped > 0 {
                format!(
                    "; {} PyRadiomics diagnostics/bookkeeping columns skipped",
                    s.skipped
                )
            } else {
                String::new()
            }
        ));
        sources.push(s);
    }

    // Groups: the files of one sequence (SEQ=FILE with the same SEQ) pool their rows; a plain
    // FILE is its own group. Groups are ordered by their first argument.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (k, s) in sources.iter().enumerate() {
        match s.seq.as_ref().and_then(|q| {
            groups
                .iter_mut()
                .find(|g| sources[g[0]].seq.as_ref() == Some(q))
        }) {
            Some(g) => g.push(k),
            None => groups.push(vec![k]),
        }
    }

    // Output columns and, per group, where each id's row is.
    let mut out_cols: Vec<String> = Vec::new();
    // per group, per file of the group: the file's column of each of the group's output columns
    let mut group_cols: Vec<Vec<Vec<usize>>> = Vec::with_capacity(groups.len());
    let mut group_rows: Vec<HashMap<String, (usize, usize)>> = Vec::with_capacity(groups.len());
    for g in &groups {
        let first = &sources[g[0]];
        let first_names: Vec<&str> = first
            .feature_cols
            .iter()
            .map(|&c| first.table.header[c].as_str())
            .collect();
        let mut at_per_file: Vec<Vec<usize>> = vec![first.feature_cols.clone()];
        for &k in &g[1..] {
            let s = &sources[k];
            let pos: HashMap<&str, usize> = s
                .feature_cols
                .iter()
                .map(|&c| (s.table.header[c].as_str(), c))
                .collect();
            let mut cols = Vec::with_capacity(first_names.len());
            for name in &first_names {
                match pos.get(name) {
                    Some(&c) => cols.push(c),
                    None => bail!(
                        "feature column '{name}' of sequence {} is in {} but not in {}",
                        s.seq.as_deref().unwrap_or(""),
                        first.table.path.display(),
                        s.table.path.display()
                    ),
                }
            }
            let first_set: HashSet<&str> = first_names.iter().copied().collect();
            if let Some(&c) = s
                .feature_cols
                .iter()
                .find(|&&c| !first_set.contains(s.table.header[c].as_str()))
            {
                bail!(
                    "feature column '{}' of sequence {} is in {} but not in {}",
                    s.table.header[c],
                    s.seq.as_deref().unwrap_or(""),
                    s.table.path.display(),
                    first.table.path.display()
                );
            }
            at_per_file.push(cols);
        }
        out_cols.extend(first_names.iter().map(|name| match &first.seq {
            Some(q) => format!("{q}_{name}"),
            None => (*name).to_string(),
        }));
        group_cols.push(at_per_file);
        // ids of the group: unique across its files
        let mut rows: HashMap<String, (usize, usize)> = HashMap::new();
        for &k in g {
            let s = &sources[k];
            let ids = index_ids(&s.table, s.id_col, &s.id_name)?;
            for (id, r) in ids {
                if let Some((k0, r0)) = rows.insert(id.clone(), (k, r)) {
                    bail!(
                        "duplicate id '{id}' in sequence {}: {} data row {} and {} data row {}",
                        s.seq.as_deref().unwrap_or(""),
                        sources[k0].table.path.display(),
                        r0 + 1,
                        s.table.path.display(),
                        r + 1
                    );
                }
            }
        }
        // every id of the group must be in the clinical table (report in file order)
        for &k in g {
            let s = &sources[k];
            for (r, rec) in s.table.rows.iter().enumerate() {
                let id = rec.get(s.id_col).unwrap_or("").trim();
                if !clinical_ids.contains_key(id) {
                    bail!(
                        "{}: id '{id}' (data row {}, column '{}') is not in the clinical table {}",
                        s.table.path.display(),
                        r + 1,
                        s.id_name,
                        args.clinical.display()
                    );
                }
            }
        }
        group_rows.push(rows);
    }

    // Output header: unique names.
    let mut header: Vec<&str> = Vec::with_capacity(clinical.header.len() + out_cols.len());
    header.push(&clinical.header[cid]);
    header.extend(
        clinical
            .header
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != cid)
            .map(|(_, h)| h.as_str()),
    );
    header.extend(out_cols.iter().map(String::as_str));
    let mut seen = HashSet::with_capacity(header.len());
    for h in &header {
        if !seen.insert(*h) {
            bail!("output column '{h}' would appear twice (clinical table and features tables, or two features tables, share it)");
        }
    }

    // Rows, clinical order; every cell checked before anything is written.
    let mut cells: Vec<Vec<&str>> = Vec::with_capacity(clinical.rows.len());
    for (r, rec) in clinical.rows.iter().enumerate() {
        let id = rec.get(cid).unwrap_or("").trim();
        let mut row: Vec<&str> = Vec::with_capacity(header.len());
        row.push(id);
        row.extend(
            rec.iter()
                .enumerate()
                .filter(|&(i, _)| i != cid)
                .map(|(_, v)| v),
        );
        for ((g, rows), cols) in groups.iter().zip(&group_rows).zip(&group_cols) {
            let Some(&(k, sr)) = rows.get(id) else {
                let files: Vec<String> = g
                    .iter()
                    .map(|&k| sources[k].table.path.display().to_string())
                    .collect();
                bail!(
                    "id '{id}' (data row {} of the clinical table {}, column '{}') is missing from {}",
                    r + 1,
                    args.clinical.display(),
                    args.id_column,
                    files.join(" and ")
                );
            };
            let s = &sources[k];
            let srec = &s.table.rows[sr];
            let fi = g.iter().position(|&x| x == k).unwrap_or(0);
            for &c in &cols[fi] {
                let v = srec.get(c).unwrap_or("").trim();
                if !v.parse::<f64>().is_ok_and(f64::is_finite) {
                    bail!(
                        "{}: id '{id}' (data row {}), column '{}': {} is not a finite number",
                        s.table.path.display(),
                        sr + 1,
                        s.table.header[c],
                        if v.is_empty() {
                            "an empty cell".to_string()
                        } else {
                            format!("'{v}'")
                        }
                    );
                }
                row.push(v);
            }
        }
        cells.push(row);
    }

    io::write_atomic(&args.out, |w| {
        let mut cw = csv::WriterBuilder::new().from_writer(w);
        cw.write_record(&header).map_err(std::io::Error::other)?;
        for row in &cells {
            cw.write_record(row).map_err(std::io::Error::other)?;
        }
        cw.flush()
    })?;
    progress(&format!(
        "wrote {}: {} rows, {} columns ({} clinical, {} features) in {:.2} s",
        args.out.display(),
        cells.len(),
        header.len(),
        clinical.header.len() - 1,
        out_cols.len(),
        t0.elapsed().as_secs_f64()
    ));
    Ok(ExitCode::SUCCESS)
}
