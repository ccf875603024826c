//! `summary.json`: the schema version, dates and the readers of what a report needs back from it
//! (class names, the patient → set assignment). The layout is documented in
//! `docs/summary-json.md`.

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// Version of the `summary.json` layout (absent in the unversioned first layout = 1).
pub const SCHEMA_VERSION: u64 = 2;

/// `YYYY-MM-DDThh:mm:ssZ` of a Unix time (UTC, proleptic Gregorian calendar).
pub fn iso_utc(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let rem = unix % 86_400;
    // Howard Hinnant's civil_from_days
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

/// The creation time of a training run: `SOURCE_DATE_EPOCH` when set (reproducible builds: the
/// same input gives the same bytes), else the current time; seconds since the Unix epoch.
pub fn creation_time() -> Result<u64> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse()
            .with_context(|| format!("SOURCE_DATE_EPOCH='{v}' is not a number of seconds")),
        Err(_) => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())),
    }
}

/// The ISO date of a model's `created_unix`, or `None` when it was not recorded (0).
pub fn created(unix: u64) -> Option<String> {
    (unix != 0).then(|| iso_utc(unix))
}

/// Schema version of a parsed summary (1 when the key is absent: the unversioned layout).
pub fn schema_version(summary: &Value) -> u64 {
    summary
        .get("schema_version")
        .and_then(Value::as_u64)
        .unwrap_or(1)
}

/// Class names (label 0, label 1) recorded in a summary.
pub fn class_names(summary: &Value) -> Option<[String; 2]> {
    let a = summary.get("class_names")?.as_array()?;
    match a.as_slice() {
        [Value::String(n), Value::String(p)] => Some([n.clone(), p.clone()]),
        _ => None,
    }
}

/// The recorded patient → set assignment (`split.assignment`: id → `train`, `test` or an
/// external cohort's name). An error if the summary has none (schema version 1 did not record
/// it) or a value is not text.
pub fn assignment(summary: &Value) -> Result<Vec<(String, String)>> {
    let Some(a) = summary.get("split").and_then(|s| s.get("assignment")) else {
        bail!(
            "the summary has no split.assignment (schema version {}; summaries of version 2 and later record it)",
            schema_version(summary)
        );
    };
    let a = a
        .as_object()
        .context("split.assignment is not an object of patient id → set")?;
    a.iter()
        .map(|(id, set)| {
            set.as_str()
                .map(|s| (id.clone(), s.to_string()))
                .with_context(|| format!("split.assignment['{id}'] is not text"))
        })
        .collect()
}

/// Keys of schema version 2 that version 1 did not have (top level).
pub const ADDED_IN_2: [&str; 8] = [
    "schema_version",
    "model_id",
    "created",
    "trainer_version",
    "class_names",
    "input",
    "settings",
    "split",
];

/// A version-2 summary in the version-1 layout (for tools written against it): the added keys
/// removed, `anova_f_kept` → `fclassif_kept`, `lasso.cv_mse` → `lasso.mse_path` (the added LASSO
/// keys removed), and the models' `external` metrics removed. A version-1 summary is returned
/// unchanged.
pub fn to_schema_1(summary: &Value) -> Value {
    let mut v = summary.clone();
    if schema_version(summary) < 2 {
        return v;
    }
    if let Value::Object(m) = &mut v {
        for k in ADDED_IN_2 {
            m.remove(k);
        }
        if let Some(a) = m.remove("anova_f_kept") {
            m.insert("fclassif_kept".into(), a);
        }
        if let Some(Value::Object(l)) = m.get_mut("lasso") {
            if let Some(p) = l.remove("cv_mse") {
                l.insert("mse_path".into(), p);
            }
            for k in ["cv_mse_layout", "cv_mean_mse", "alpha_index"] {
                l.remove(k);
            }
        }
        for (_, model) in m.iter_mut() {
            if let Value::Object(e) = model {
                e.remove("external");
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        // date -u -d @951782400 +%FT%TZ (a leap day) and @1796466845
        assert_eq!(iso_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(1_796_466_845), "2026-12-05T10:34:05Z");
        assert_eq!(created(0), None);
    }
}
