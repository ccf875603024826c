//! Cohort tables from CSV: patient ids, labels, split, clinical and radiomics columns.
//!
//! Columns:
//! * the id column (`patient_id` by default) — any text, must be unique;
//! * the label column — 0 or 1 (1 = positive class), or text labels with
//!   [`CohortSpec::positive_class`] naming the positive one (exactly two distinct values; the
//!   class names are then the two labels, [`Cohort::class_names`]);
//! * optionally a split column — `train`, `test` or an external validation cohort: `external`,
//!   `external-<name>` (e.g. `external-2`, `external-Centre B`) or `external:<name>`
//!   (case-insensitive keywords; each distinct external value is its own cohort, in order of first
//!   appearance);
//! * the clinical columns named by the caller, numeric (a clinical column keeps its role even when
//!   its name starts like a feature column, e.g. `t2_signal`); a clinical column listed in
//!   [`CohortSpec::factor_columns`] is categorical (any text or numbers): its levels are sorted as
//!   R's `factor()` sorts them (numerically when every level is a number, else by byte order) and
//!   the first is the reference unless [`CohortSpec::reference_levels`] names another; the
//!   clinical matrix then holds the level index (0 = reference), [`Cohort::clinical_levels`] the
//!   level names;
//! * the columns the caller asks to ignore ([`CohortSpec::ignore_columns`]), not read;
//! * PyRadiomics' `diagnostics_*` columns and the batch bookkeeping columns `Image`, `Mask`,
//!   `Label`, `Label_channel`, `Reader` (also behind a `<sequence>_` prefix) are skipped and
//!   counted ([`Cohort::skipped`]);
//! * every other column is a radiomics candidate, in header order, whatever its name: usually
//!   `<sequence>_<PyRadiomics name>` (e.g. `dce_exponential_firstorder_Kurtosis`,
//!   `t2_original_glcm_Contrast`, `dwi_original_shape_Sphericity`), numeric. Whether the core can
//!   recompute a selected feature from images is decided from its name when the model is used,
//!   not here.
//!
//! Every cell used must be a finite number: empty, `NA`, `nan` or text cells are errors naming the
//! 1-based data row, the patient id, the column and the value.

use crate::preprocess::Matrix;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The sequences that get their own radiomics model (`t2`, `dwi`, `dce` columns); columns with
/// another prefix enter the multimodal model only.
pub const SEQUENCES: [&str; 3] = ["t2", "dwi", "dce"];

/// PyRadiomics batch-mode bookkeeping columns (the batch input's columns), skipped as candidates.
pub const BOOKKEEPING_COLUMNS: [&str; 5] = ["Image", "Mask", "Label", "Label_channel", "Reader"];

/// PyRadiomics 3.0.1's feature classes, as they appear in feature names.
pub const PYRADIOMICS_CLASSES: [&str; 8] = [
    "firstorder",
    "shape",
    "shape2D",
    "glcm",
    "glrlm",
    "glszm",
    "gldm",
    "ngtdm",
];

/// Which columns play which role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortSpec {
    /// Outcome column (0/1).
    pub label_column: String,
    /// Optional `train`/`test` column.
    pub split_column: Option<String>,
    /// Patient identifier column.
    pub id_column: String,
    /// Clinical predictor columns, in this order.
    pub clinical_columns: Vec<String>,
    /// Columns that are neither predictors nor radiomics candidates (read past, never parsed),
    /// e.g. clinical variables that are not screened.
    #[serde(default)]
    pub ignore_columns: Vec<String>,
    /// Text label of the positive class (`HER2-low`): the label column is then read as text,
    /// this value = 1 and the one other value = 0. `None`: labels must be 0/1.
    #[serde(default)]
    pub positive_class: Option<String>,
    /// Clinical columns that are categorical (factors with a reference level).
    #[serde(default)]
    pub factor_columns: Vec<String>,
    /// (factor column, reference level) overriding the first sorted level.
    #[serde(default)]
    pub reference_levels: Vec<(String, String)>,
}

impl CohortSpec {
    /// `patient_id` ids, the given label column, no split column, no clinical columns.
    pub fn new(label_column: &str) -> Self {
        CohortSpec {
            label_column: label_column.to_string(),
            split_column: None,
            id_column: "patient_id".to_string(),
            clinical_columns: Vec::new(),
            ignore_columns: Vec::new(),
            positive_class: None,
            factor_columns: Vec::new(),
            reference_levels: Vec::new(),
        }
    }
}

/// Training, internal test or external validation set membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Set {
    /// Training set (everything is fitted here).
    Train,
    /// Held-out (internal) test set.
    Test,
    /// External validation cohort `k` (index into [`Cohort::external_names`]).
    External(u8),
}

impl Set {
    /// `"train"` or `"test"`; `"external"` for every external cohort (see [`Cohort::set_name`]).
    pub fn as_str(self) -> &'static str {
        match self {
            Set::Train => "train",
            Set::Test => "test",
            Set::External(_) => "external",
        }
    }
}

/// Most external validation cohorts in one table.
pub const MAX_EXTERNAL: usize = 16;

/// What a split cell names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SplitValue {
    /// `train`.
    Train,
    /// `test`.
    Test,
    /// An external cohort, by name: `external`, `external-2`, `external_B` as written;
    /// `external:Centre B` → `Centre B`.
    External(String),
}

/// Reads a split cell (keywords case-insensitive); `None` for anything else.
pub fn parse_split_value(cell: &str) -> Option<SplitValue> {
    let c = cell.trim();
    let t = c.to_ascii_lowercase();
    match t.as_str() {
        "train" => Some(SplitValue::Train),
        "test" => Some(SplitValue::Test),
        "external" => Some(SplitValue::External(c.to_string())),
        _ if t.starts_with("external") => {
            let rest = &c["external".len()..];
            if let Some(name) = rest.strip_prefix(':') {
                let name = name.trim();
                (!name.is_empty()).then(|| SplitValue::External(name.to_string()))
            } else if rest.len() > 1 && rest.starts_with(['-', '_']) {
                Some(SplitValue::External(c.to_string()))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// A cohort: one row per patient.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    /// Patient ids (file order).
    pub ids: Vec<String>,
    /// Outcome, 1 = positive.
    pub labels: Vec<u8>,
    /// Given split, if the table has a split column.
    pub split: Option<Vec<Set>>,
    /// Clinical column names (spec order).
    pub clinical_names: Vec<String>,
    /// Clinical values, rows = patients.
    pub clinical: Matrix,
    /// Radiomics column names `<seq>_<pyradiomics name>` (file order).
    pub feature_names: Vec<String>,
    /// Radiomics values, rows = patients.
    pub features: Matrix,
    /// PyRadiomics diagnostics and bookkeeping columns that were skipped (header order).
    #[serde(default)]
    pub skipped: Vec<String>,
    /// Names of the external validation cohorts ([`Set::External`] indices), first-appearance
    /// order.
    #[serde(default)]
    pub external_names: Vec<String>,
    /// Level names of each clinical column (reference first); empty for a numeric column.
    #[serde(default)]
    pub clinical_levels: Vec<Vec<String>>,
    /// Class names (label 0, label 1) when the labels are text ([`CohortSpec::positive_class`]).
    #[serde(default)]
    pub class_names: Option<[String; 2]>,
}

/// A feature column split into its sequence and feature name: `<sequence>_<name>` when the text
/// before the first `_` is `[a-z0-9]+` and something follows, else `("", column)`.
pub fn radiomics_column(column: &str) -> (&str, &str) {
    match column.split_once('_') {
        Some((seq, rest))
            if !seq.is_empty()
                && !rest.is_empty()
                && seq
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) =>
        {
            (seq, rest)
        }
        _ => ("", column),
    }
}

/// Whether `name` (without a sequence prefix) is shaped like a PyRadiomics feature name:
/// `<imageType>_<class>_<Feature>` with a PyRadiomics class (any image type).
pub fn is_pyradiomics_name(name: &str) -> bool {
    let mut parts = name.splitn(3, '_');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(image), Some(class), Some(feature)) => {
            !image.is_empty() && !feature.is_empty() && PYRADIOMICS_CLASSES.contains(&class)
        }
        _ => false,
    }
}

/// Whether a column is PyRadiomics output that is not a feature: `diagnostics_*` or a batch
/// bookkeeping column ([`BOOKKEEPING_COLUMNS`]), with or without a `<sequence>_` prefix.
pub fn is_skipped_column(column: &str) -> bool {
    let bare = |c: &str| c.starts_with("diagnostics_") || BOOKKEEPING_COLUMNS.contains(&c);
    bare(column) || {
        let (seq, rest) = radiomics_column(column);
        !seq.is_empty() && bare(rest)
    }
}

fn parse_number(cell: &str) -> Option<f64> {
    let t = cell.trim();
    let v: f64 = t.parse().ok()?;
    v.is_finite().then_some(v)
}

impl Cohort {
    /// Number of patients.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True if the cohort has no patients.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Display name of a set: `train`, `test`, or the external cohort's name.
    pub fn set_name(&self, s: Set) -> String {
        match s {
            Set::External(k) => self
                .external_names
                .get(usize::from(k))
                .cloned()
                .unwrap_or_else(|| format!("external-{}", k + 1)),
            other => other.as_str().to_string(),
        }
    }

    /// Whether clinical column `j` is a factor.
    pub fn is_factor(&self, j: usize) -> bool {
        self.clinical_levels.get(j).is_some_and(|l| !l.is_empty())
    }

    /// A model input column by name: a clinical column's values, or for `<factor>=<level>` the
    /// 0/1 indicator of that level (how factor levels enter a model, one binary predictor per
    /// non-reference level). `None` when there is no such column or level.
    pub fn design_column(&self, name: &str) -> Option<Vec<f64>> {
        if let Some(j) = self.clinical_names.iter().position(|n| n == name) {
            if !self.is_factor(j) {
                return Some(self.clinical.col(j).to_vec());
            }
        }
        let (var, level) = name.split_once('=')?;
        let j = self.clinical_names.iter().position(|n| n == var)?;
        let k = self
            .clinical_levels
            .get(j)?
            .iter()
            .position(|l| l == level)?;
        Some(
            self.clinical
                .col(j)
                .iter()
                .map(|&v| f64::from(u8::from(v == k as f64)))
                .collect(),
        )
    }

    /// Reads a cohort CSV (comma-separated, header row).
    pub fn from_csv(path: &Path, spec: &CohortSpec) -> Result<Cohort> {
        let file = std::fs::File::open(path)
            .with_context(|| format!("cannot open cohort table {}", path.display()))?;
        Self::from_reader(file, spec).with_context(|| format!("cohort table {}", path.display()))
    }

    /// Reads a cohort from any CSV reader (see [`Cohort::from_csv`]).
    pub fn from_reader<R: std::io::Read>(reader: R, spec: &CohortSpec) -> Result<Cohort> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(reader);
        let headers: Vec<String> = rdr
            .headers()
            .context("cannot read the header row")?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let find = |name: &str| -> Result<usize> {
            let hits: Vec<usize> = (0..headers.len()).filter(|&i| headers[i] == name).collect();
            match hits.len() {
                0 => bail!("column '{name}' not found in the header"),
                1 => Ok(hits[0]),
                _ => bail!("column '{name}' appears {} times in the header", hits.len()),
            }
        };
        let id_col = find(&spec.id_column)?;
        let label_col = find(&spec.label_column)?;
        let split_col = spec.split_column.as_deref().map(find).transpose()?;
        let mut clin_cols = Vec::with_capacity(spec.clinical_columns.len());
        for (k, c) in spec.clinical_columns.iter().enumerate() {
            if spec.clinical_columns[..k].contains(c) {
                bail!("clinical column '{c}' listed twice");
            }
            if *c == spec.label_column
                || Some(c) == spec.split_column.as_ref()
                || *c == spec.id_column
            {
                bail!("column '{c}' cannot be both a clinical predictor and the id/label/split column");
            }
            clin_cols.push(find(c)?);
        }
        let reserved: Vec<usize> = [Some(id_col), Some(label_col), split_col]
            .into_iter()
            .flatten()
            .chain(clin_cols.iter().copied())
            .collect();
        let mut ignored = Vec::with_capacity(spec.ignore_columns.len());
        for c in &spec.ignore_columns {
            let i = find(c)?;
            if reserved.contains(&i) {
                bail!("column '{c}' cannot be both ignored and the id/label/split or a clinical column");
            }
            ignored.push(i);
        }
        let mut feat_cols = Vec::new();
        let mut skipped = Vec::new();
        let mut seen = std::collections::HashSet::with_capacity(headers.len());
        for (i, h) in headers.iter().enumerate() {
            if reserved.contains(&i) || ignored.contains(&i) {
                continue;
            }
            if is_skipped_column(h) {
                skipped.push(h.clone());
                continue;
            }
            if h.is_empty() {
                bail!("header column {} has no name", i + 1);
            }
            // a set of the radiomics headers (scanning every earlier header was quadratic in
            // ~3 000 columns); a repeated reserved column was already refused by `find`
            if !seen.insert(h.as_str()) {
                bail!("radiomics column '{h}' appears more than once in the header");
            }
            feat_cols.push(i);
        }
        for f in &spec.factor_columns {
            if !spec.clinical_columns.contains(f) {
                bail!("factor column '{f}' is not one of the clinical columns");
            }
        }
        for (f, _) in &spec.reference_levels {
            if !spec.factor_columns.contains(f) {
                bail!("reference level given for '{f}', which is not a factor column");
            }
        }
        let is_factor: Vec<bool> = clin_cols
            .iter()
            .map(|&c| spec.factor_columns.contains(&headers[c]))
            .collect();
        let mut ids = Vec::new();
        let mut labels = Vec::new();
        let mut split = Vec::new();
        let mut external_names: Vec<String> = Vec::new();
        let mut negative_label: Option<String> = None;
        // factor cells as text (one list per clinical column; numeric columns stay empty)
        let mut factor_cells: Vec<Vec<String>> = vec![Vec::new(); clin_cols.len()];
        let mut clin_rows: Vec<Vec<f64>> = Vec::new();
        let mut feat_rows: Vec<Vec<f64>> = Vec::new();
        for (r, rec) in rdr.records().enumerate() {
            let row = r + 1;
            let rec = rec.with_context(|| format!("data row {row}: malformed CSV record"))?;
            let id = rec.get(id_col).unwrap_or("").trim().to_string();
            if id.is_empty() {
                bail!("data row {row}: empty '{}'", spec.id_column);
            }
            if let Some(prev) = ids.iter().position(|p| *p == id) {
                bail!(
                    "data row {row}: patient_id '{id}' already used by data row {}",
                    prev + 1
                );
            }
            let cell = |c: usize| rec.get(c).unwrap_or("");
            let number = |c: usize| -> Result<f64> {
                let s = cell(c);
                if s.trim().is_empty() {
                    bail!(
                        "data row {row} (patient '{id}'), column '{}': missing value",
                        headers[c]
                    );
                }
                parse_number(s).with_context(|| {
                    format!(
                        "data row {row} (patient '{id}'), column '{}': '{}' is not a finite number",
                        headers[c],
                        s.trim()
                    )
                })
            };
            let lab = match &spec.positive_class {
                Some(pos) => {
                    let t = cell(label_col).trim();
                    if t.is_empty() {
                        bail!(
                            "data row {row} (patient '{id}'), column '{}': missing label",
                            headers[label_col]
                        );
                    }
                    if t == pos.trim() {
                        1u8
                    } else {
                        match &negative_label {
                            None => negative_label = Some(t.to_string()),
                            Some(neg) if neg == t => {}
                            Some(neg) => bail!(
                                "data row {row} (patient '{id}'), column '{}': label '{t}' is a third class \
                                 (positive class '{}', other class '{neg}'); the outcome must have two classes",
                                headers[label_col],
                                pos.trim()
                            ),
                        }
                        0u8
                    }
                }
                None => {
                    let t = cell(label_col).trim();
                    if !t.is_empty() && parse_number(t).is_none() {
                        bail!(
                            "data row {row} (patient '{id}'), column '{}': label '{t}' is not 0 or 1 \
                             (text labels need the positive class named, e.g. --positive-class {t})",
                            headers[label_col]
                        );
                    }
                    let lab = number(label_col)?;
                    if lab == 0.0 {
                        0u8
                    } else if lab == 1.0 {
                        1u8
                    } else {
                        bail!(
                            "data row {row} (patient '{id}'), column '{}': label {lab} is not 0 or 1",
                            headers[label_col]
                        )
                    }
                }
            };
            if let Some(sc) = split_col {
                split.push(match parse_split_value(cell(sc)) {
                    Some(SplitValue::Train) => Set::Train,
                    Some(SplitValue::Test) => Set::Test,
                    Some(SplitValue::External(name)) => {
                        let k = match external_names.iter().position(|n| *n == name) {
                            Some(k) => k,
                            None => {
                                if external_names.len() == MAX_EXTERNAL {
                                    bail!(
                                        "data row {row} (patient '{id}'), column '{}': more than {MAX_EXTERNAL} external cohorts",
                                        headers[sc]
                                    );
                                }
                                external_names.push(name);
                                external_names.len() - 1
                            }
                        };
                        Set::External(k as u8)
                    }
                    None => bail!(
                        "data row {row} (patient '{id}'), column '{}': '{}' is not 'train', 'test' or an external \
                         cohort ('external', 'external-<name>', 'external:<name>')",
                        headers[sc],
                        cell(sc).trim()
                    ),
                });
            }
            let mut clin = Vec::with_capacity(clin_cols.len());
            for (k, &c) in clin_cols.iter().enumerate() {
                if is_factor[k] {
                    let t = cell(c).trim();
                    if t.is_empty() {
                        bail!(
                            "data row {row} (patient '{id}'), column '{}': missing value",
                            headers[c]
                        );
                    }
                    factor_cells[k].push(t.to_string());
                    clin.push(f64::NAN);
                } else {
                    clin.push(number(c)?);
                }
            }
            clin_rows.push(clin);
            feat_rows.push(
                feat_cols
                    .iter()
                    .map(|&c| number(c))
                    .collect::<Result<_>>()?,
            );
            ids.push(id);
            labels.push(lab);
        }
        if ids.is_empty() {
            bail!("the table has no data rows");
        }
        let class_names = match &spec.positive_class {
            Some(pos) => {
                let Some(neg) = negative_label else {
                    bail!(
                        "column '{}': every label is the positive class '{}'; the outcome needs two classes",
                        headers[label_col],
                        pos.trim()
                    );
                };
                if !labels.contains(&1) {
                    bail!(
                        "column '{}': no label is the positive class '{}' (the labels are '{neg}')",
                        headers[label_col],
                        pos.trim()
                    );
                }
                Some([neg, pos.trim().to_string()])
            }
            None => None,
        };
        // factor levels: R's factor() order, reference first
        let mut clinical_levels = vec![Vec::new(); clin_cols.len()];
        for (k, cells) in factor_cells.iter().enumerate() {
            if !is_factor[k] {
                continue;
            }
            let name = &headers[clin_cols[k]];
            let mut levels: Vec<String> = cells.clone();
            levels.sort();
            levels.dedup();
            if levels.iter().all(|l| parse_number(l).is_some()) {
                levels.sort_by(|a, b| {
                    parse_number(a)
                        .unwrap_or(0.0)
                        .total_cmp(&parse_number(b).unwrap_or(0.0))
                });
                // '1' and '1.0' are one level for R's factor(as.numeric(x))
                levels.dedup_by(|a, b| parse_number(a) == parse_number(b));
            }
            if levels.len() < 2 {
                bail!(
                    "factor column '{name}' has a single level ('{}')",
                    levels[0]
                );
            }
            if let Some((_, r)) = spec.reference_levels.iter().find(|(f, _)| f == name) {
                let same = |l: &String| {
                    l == r.trim()
                        || matches!((parse_number(l), parse_number(r)), (Some(a), Some(b)) if a == b)
                };
                let Some(p) = levels.iter().position(same) else {
                    bail!(
                        "reference level '{}' of factor column '{name}' does not occur (levels: {})",
                        r.trim(),
                        levels.join(", ")
                    );
                };
                let refl = levels.remove(p);
                levels.insert(0, refl);
            }
            let numeric = levels.iter().all(|l| parse_number(l).is_some());
            for (i, c) in cells.iter().enumerate() {
                let idx = levels
                    .iter()
                    .position(|l| l == c || (numeric && parse_number(l) == parse_number(c)))
                    .unwrap_or(0);
                clin_rows[i][k] = idx as f64;
            }
            if numeric {
                // numeric levels named as R's as.character(as.numeric(x)) names them: 2.0 -> "2"
                for l in &mut levels {
                    *l = format!("{}", parse_number(l).unwrap_or(0.0));
                }
            }
            clinical_levels[k] = levels;
        }
        let to_matrix = |rows: &[Vec<f64>], k: usize| {
            if k == 0 {
                Matrix::zeros(rows.len(), 0)
            } else {
                Matrix::from_rows(rows)
            }
        };
        Ok(Cohort {
            labels,
            split: split_col.map(|_| split),
            clinical_names: clin_cols.iter().map(|&c| headers[c].clone()).collect(),
            clinical: to_matrix(&clin_rows, clin_cols.len()),
            feature_names: feat_cols.iter().map(|&c| headers[c].clone()).collect(),
            features: to_matrix(&feat_rows, feat_cols.len()),
            ids,
            skipped,
            external_names,
            clinical_levels,
            class_names,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> CohortSpec {
        CohortSpec {
            label_column: "label".into(),
            split_column: Some("split".into()),
            id_column: "patient_id".into(),
            clinical_columns: vec!["volume".into()],
            ignore_columns: vec![],
            ..CohortSpec::new("label")
        }
    }

    #[test]
    fn reads_roles() {
        let csv = "patient_id,label,split,volume,age,t2_original_firstorder_Mean,dce_wavelet-LLH_glrlm_ShortRunHighGrayLevelEmphasis\n\
                   a,1,train,10.5,40,1,2\nb,0,TEST,3,50,4,5\n";
        let c = Cohort::from_reader(csv.as_bytes(), &spec()).expect("cohort");
        assert_eq!(c.ids, vec!["a", "b"]);
        assert_eq!(c.labels, vec![1, 0]);
        assert_eq!(c.split, Some(vec![Set::Train, Set::Test]));
        assert_eq!(c.clinical_names, vec!["volume"]);
        assert_eq!(c.clinical.col(0), &[10.5, 3.0]);
        // every column but the id, label, split and clinical ones is a candidate, in order
        assert_eq!(
            c.feature_names,
            vec![
                "age",
                "t2_original_firstorder_Mean",
                "dce_wavelet-LLH_glrlm_ShortRunHighGrayLevelEmphasis"
            ]
        );
        assert_eq!(c.features.col(2), &[2.0, 5.0]);
        assert!(c.skipped.is_empty());
    }

    #[test]
    fn any_pyradiomics_name_is_a_candidate_and_diagnostics_are_skipped() {
        let spec = CohortSpec {
            label_column: "label".into(),
            split_column: None,
            id_column: "ID".into(),
            clinical_columns: vec!["t2_signal".into()],
            ignore_columns: vec![],
            ..CohortSpec::new("label")
        };
        let csv = "ID,Image,Mask,diagnostics_Versions_PyRadiomics,t2_original_glcm_Contrast,label,\
                   t2_signal,dce_log-sigma-1-0-mm-3D_ngtdm_Busyness,t2_diagnostics_Mask-original_VoxelNum,\
                   dwi_original_shape_Sphericity,Label,Reader,dce_squareroot_gldm_DependenceEntropy\n\
                   a,a.nrrd,a_mask.nrrd,v3.0.1,1.5,1,7,2,100,0.5,1,Reader,3\n\
                   b,b.nrrd,b_mask.nrrd,v3.0.1,2.5,0,8,3,120,0.6,1,Reader,4\n";
        let c = Cohort::from_reader(csv.as_bytes(), &spec).expect("cohort");
        assert_eq!(
            c.feature_names,
            vec![
                "t2_original_glcm_Contrast",
                "dce_log-sigma-1-0-mm-3D_ngtdm_Busyness",
                "dwi_original_shape_Sphericity",
                "dce_squareroot_gldm_DependenceEntropy"
            ]
        );
        assert_eq!(c.clinical_names, vec!["t2_signal"]);
        assert_eq!(c.clinical.col(0), &[7.0, 8.0]);
        assert_eq!(
            c.skipped,
            vec![
                "Image",
                "Mask",
                "diagnostics_Versions_PyRadiomics",
                "t2_diagnostics_Mask-original_VoxelNum",
                "Label",
                "Reader"
            ]
        );
        assert_eq!(c.features.col(3), &[3.0, 4.0]);
        // without --clinical-columns, t2_signal is a candidate like any other column
        let spec = CohortSpec {
            clinical_columns: vec![],
            ..spec
        };
        let c = Cohort::from_reader(csv.as_bytes(), &spec).expect("cohort");
        assert_eq!(c.feature_names[1], "t2_signal");
        // an ignored column is neither
        let spec = CohortSpec {
            ignore_columns: vec!["t2_signal".into(), "Reader".into()],
            ..spec
        };
        let c = Cohort::from_reader(csv.as_bytes(), &spec).expect("cohort");
        assert!(!c.feature_names.iter().any(|f| f == "t2_signal"));
        assert!(!c.skipped.iter().any(|f| f == "Reader"));
        assert_eq!(c.feature_names.len(), 4);
    }

    #[test]
    fn split_of_columns() {
        assert_eq!(
            radiomics_column("t2_original_glcm_Contrast"),
            ("t2", "original_glcm_Contrast")
        );
        assert_eq!(radiomics_column("age"), ("", "age"));
        assert_eq!(radiomics_column("T2_x"), ("", "T2_x"));
        assert_eq!(radiomics_column("t2_"), ("", "t2_"));
        assert!(is_pyradiomics_name(
            "log-sigma-3-0-mm-3D_gldm_DependenceEntropy"
        ));
        assert!(is_pyradiomics_name("original_shape_Sphericity"));
        assert!(!is_pyradiomics_name("signal"));
        assert!(!is_pyradiomics_name("original_foo_Bar"));
    }

    #[test]
    fn errors_name_row_patient_and_column() {
        let csv = "patient_id,label,split,volume,t2_original_firstorder_Mean\na,1,train,1,2\nb,0,test,x,5\n";
        let e = format!(
            "{:#}",
            Cohort::from_reader(csv.as_bytes(), &spec()).unwrap_err()
        );
        assert!(
            e.contains("data row 2") && e.contains("'b'") && e.contains("'volume'"),
            "{e}"
        );
        let csv = "patient_id,label,split,volume,t2_original_firstorder_Mean\na,1,train,1,\n";
        let e = format!(
            "{:#}",
            Cohort::from_reader(csv.as_bytes(), &spec()).unwrap_err()
        );
        assert!(
            e.contains("data row 1")
                && e.contains("t2_original_firstorder_Mean")
                && e.contains("missing"),
            "{e}"
        );
        let csv = "patient_id,label,split,volume\na,2,train,1\n";
        let e = format!(
            "{:#}",
            Cohort::from_reader(csv.as_bytes(), &spec()).unwrap_err()
        );
        assert!(e.contains("not 0 or 1"), "{e}");
        let csv = "patient_id,label,split,volume,t2_original_firstorder_Mean,age,t2_original_firstorder_Mean\na,1,train,1,2,3,4\n";
        let e = format!(
            "{:#}",
            Cohort::from_reader(csv.as_bytes(), &spec()).unwrap_err()
        );
        assert!(e.contains("appears more than once"), "{e}");
        let csv = "patient_id,label,split,volume,t2_original_glcm_Contrast\na,1,train,1,2\nb,0,test,1,abc\n";
        let e = format!(
            "{:#}",
            Cohort::from_reader(csv.as_bytes(), &spec()).unwrap_err()
        );
        assert!(
            e.contains("data row 2")
                && e.contains("'b'")
                && e.contains("'t2_original_glcm_Contrast'")
                && e.contains("'abc'"),
            "{e}"
        );
    }
}
