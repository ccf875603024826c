//! End-to-end tests of `radscore score`, `inspect` and `verify` on a model written by the
//! trainer's illustrative-model builder.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use radscore_core::model::Model;
use radscore_trainer::example::illustrative_model;
use radscore_trainer::export;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_radscore");

fn workdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("radscore-score-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn columns(m: &Model) -> Vec<String> {
    m.features.iter().map(|f| f.column().to_string()).collect()
}

/// A table with an extra column and the model's columns in reverse order.
fn write_table(path: &Path, m: &Model, rows: &[(String, Vec<f64>, [f64; 2])]) {
    let mut cols = columns(m);
    cols.reverse();
    // A UTF-8 byte-order mark, as spreadsheet programs write it, must not hide the first column.
    let mut out = format!(
        "\u{feff}patient_id,note,volume,{},texture\n",
        cols.join(",")
    );
    for (id, x, c) in rows {
        let mut xr = x.clone();
        xr.reverse();
        let xs: Vec<String> = xr.iter().map(|v| format!("{v:?}")).collect();
        out.push_str(&format!("{id},n/a,{},{},{}\n", c[1], xs.join(","), c[0]));
    }
    std::fs::write(path, out).unwrap();
}

fn sample_rows(m: &Model, n: usize) -> Vec<(String, Vec<f64>, [f64; 2])> {
    (0..n)
        .map(|i| {
            let t = i as f64 / n as f64;
            let x = m
                .features
                .iter()
                .enumerate()
                .map(|(k, f)| f.mean + f.sd * ((t * 7.0 + k as f64).sin() * 2.0))
                .collect();
            (
                format!("P{i:03}"),
                x,
                [(i % 2) as f64, 1_000.0 + 997.0 * i as f64],
            )
        })
        .collect()
}

#[test]
fn scores_a_table() {
    let d = workdir("ok");
    let m = illustrative_model();
    let model = d.join("m.rsm");
    export::write_model(&model, &m).unwrap();
    let rows = sample_rows(&m, 25);
    let input = d.join("in.csv");
    write_table(&input, &m, &rows);
    let out = d.join("scores.csv");
    let o = run(&[
        "score",
        "--model",
        s(&model),
        "--input",
        s(&input),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "patient_id,radscore,linear_predictor,probability,predicted_class,total_points,\
         points_radscore,points_texture,points_volume"
    );
    let mut n = 0;
    for (line, (id, x, c)) in lines.zip(&rows) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), 9);
        assert_eq!(cells[0], id);
        let want = m.score(x, c).unwrap();
        let got: Vec<f64> = cells[1..].iter().map(|v| v.parse().unwrap()).collect();
        assert_eq!(got[0], want.radscore);
        assert_eq!(got[1], want.linear_predictor);
        assert_eq!(got[2], want.probability);
        assert_eq!(got[3], f64::from(want.predicted_class));
        assert_eq!(got[4], want.total_points);
        assert_eq!(&got[5..], want.points());
        // The points add up to the total.
        let sum: f64 = got[5..].iter().sum();
        assert!((sum - got[4]).abs() < 1e-9);
        n += 1;
    }
    assert_eq!(n, rows.len());
    std::fs::remove_dir_all(&d).unwrap();
}

/// The error cases: exit code ≠ 0, a message naming what is wrong, no output (a pre-existing
/// output file is left as it was) and no temporary file left behind.
fn assert_fails(d: &Path, model: &Path, table: &str, needles: &[&str]) {
    let input = d.join("bad.csv");
    std::fs::write(&input, table).unwrap();
    let out = d.join("scores.csv");
    std::fs::write(&out, "previous").unwrap();
    let o = run(&[
        "score",
        "--model",
        s(model),
        "--input",
        s(&input),
        "--out",
        s(&out),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "should fail: {table}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks `{n}`: {err}");
    }
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
    let names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains(".tmp")),
        "temporary file left: {names:?}"
    );
}

#[test]
fn rejects_bad_tables_without_output() {
    let d = workdir("bad");
    let m = illustrative_model();
    let model = d.join("m.rsm");
    export::write_model(&model, &m).unwrap();
    let cols = columns(&m);
    let header = format!("patient_id,{},texture,volume", cols.join(","));
    let good = |id: &str| format!("{id},{},1,5000", ["1.5"; 7].join(","));

    // Missing column: named.
    let no_volume = format!(
        "patient_id,{},texture\nA,{},1\n",
        cols.join(","),
        ["1"; 7].join(",")
    );
    assert_fails(&d, &model, &no_volume, &["missing column", "`volume`"]);
    let no_feature = format!(
        "patient_id,{},texture,volume\nA,{},1,2\n",
        cols[1..].join(","),
        ["1"; 6].join(",")
    );
    assert_fails(
        &d,
        &model,
        &no_feature,
        &["missing column", &format!("`{}`", cols[0])],
    );

    // Non-numeric cell in row 3: row and column named (after two good rows were scored).
    let mut bad = format!("{header}\n{}\n{}\n", good("A"), good("B"));
    bad.push_str(&format!("C,1,2,three,4,5,6,7,1,5000\n{}\n", good("D")));
    assert_fails(
        &d,
        &model,
        &bad,
        &["row 3", &format!("`{}`", cols[2]), "`three`", "`C`"],
    );

    // NaN, infinity and empty cells.
    for cell in ["NaN", "nan", "inf", ""] {
        let t = format!("{header}\n{}\nZ,1,2,3,4,5,6,7,1,{cell}\n", good("A"));
        assert_fails(&d, &model, &t, &["row 2", "`volume`"]);
    }
    // Binary predictor outside {0, 1}.
    let t = format!("{header}\nA,1,2,3,4,5,6,7,0.5,100\n");
    assert_fails(&d, &model, &t, &["row 1", "`texture`", "0 or 1"]);
    // Ragged row.
    let t = format!("{header}\n{}\nB,1,2\n", good("A"));
    assert_fails(&d, &model, &t, &["row 2"]);
    // Corrupted model.
    let mut bytes = std::fs::read(&model).unwrap();
    bytes[20] ^= 0xff;
    let broken = d.join("broken.rsm");
    std::fs::write(&broken, &bytes).unwrap();
    assert_fails(
        &d,
        &broken,
        &format!("{header}\n{}\n", good("A")),
        &["CRC", "code 103"],
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn inspect_and_verify() {
    let d = workdir("inspect");
    let m = illustrative_model();
    let model = d.join("m.rsm");
    export::write_model(&model, &m).unwrap();

    let o = run(&["inspect", s(&model)]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    for c in columns(&m) {
        assert!(text.contains(&c), "inspect lacks {c}");
    }
    assert!(text.contains("texture") && text.contains("volume"));

    let o = run(&["inspect", "--json", s(&model)]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["features"].as_array().unwrap().len(), 7);
    assert_eq!(v["features"][0]["column"], columns(&m)[0]);
    assert_eq!(v["features"][0]["coefficient"], m.features[0].coefficient);
    assert_eq!(v["clinical"][1]["name"], "volume");
    assert_eq!(v["threshold"], m.threshold);
    assert_eq!(v["artifact"]["signed"], false);

    let o = run(&["verify", s(&model)]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("OK"));

    // Every single-byte corruption makes verify fail.
    let bytes = std::fs::read(&model).unwrap();
    let bad = d.join("bad.rsm");
    for at in [0, 4, 6, 8, 10, 14, bytes.len() / 2, bytes.len() - 1] {
        let mut b = bytes.clone();
        b[at] ^= 0x01;
        std::fs::write(&bad, &b).unwrap();
        let o = run(&["verify", s(&bad)]);
        assert!(!o.status.success(), "corruption at {at} accepted");
        assert!(String::from_utf8_lossy(&o.stderr).contains("code 1"));
    }

    // Signatures.
    let seed = [42u8; 32];
    let pk: String = export::public_key(&seed)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let signed = d.join("signed.rsm");
    export::write_model_signed(&signed, &m, &seed).unwrap();
    let o = run(&["verify", s(&signed), "--public-key", &pk]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("signature verified"));
    let key_file = d.join("key.pub");
    std::fs::write(&key_file, format!("{pk}\n")).unwrap();
    assert!(run(&["verify", s(&signed), "--public-key", s(&key_file)])
        .status
        .success());
    let other: String = export::public_key(&[7u8; 32])
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let o = run(&["verify", s(&signed), "--public-key", &other]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("code 110"));
    let o = run(&["verify", s(&model), "--public-key", &pk]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("code 113"));
    std::fs::remove_dir_all(&d).unwrap();
}

/// Model and key files are read up to the largest valid size, never whole (issue 21, item 6):
/// `/dev/zero` and a 2 GB sparse file fail at once with a message naming the file.
#[test]
fn oversized_model_and_key_files_are_refused_without_reading_them() {
    let d = workdir("oversized");
    let m = illustrative_model();
    let model = d.join("m.rsm");
    export::write_model(&model, &m).unwrap();
    let input = d.join("in.csv");
    write_table(&input, &m, &sample_rows(&m, 3));
    let sparse = d.join("huge.rsm");
    let f = std::fs::File::create(&sparse).unwrap();
    f.set_len(2_000_000_000).unwrap();
    drop(f);
    let mut models = vec![sparse.clone()];
    if Path::new("/dev/zero").exists() {
        models.push(PathBuf::from("/dev/zero"));
    }
    for bad in &models {
        let t0 = std::time::Instant::now();
        let o = run(&["inspect", s(bad)]);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(s(bad)) && err.contains("larger than"), "{err}");
        // Reading 2 GB takes seconds; the bounded read takes microseconds. Generous margin.
        assert!(t0.elapsed().as_secs_f64() < 5.0);
        let o = run(&[
            "score",
            "--model",
            s(bad),
            "--input",
            s(&input),
            "--out",
            s(&d.join("o.csv")),
        ]);
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains("larger than"));
    }
    let o = run(&["verify", s(&model), "--public-key", s(&sparse)]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("larger than"), "{err}");
    std::fs::remove_dir_all(&d).unwrap();
}

/// A model with features the core cannot compute (LBP2D, shape2D: stored by name) is shown by
/// `inspect` as scored from a features table, and `radscore score` scores it from a CSV with the
/// core's numbers, like any model.
#[test]
fn table_only_features_inspect_and_score() {
    let d = workdir("table-only");
    let mut m = illustrative_model();
    for (i, name) in [
        (2, "lbp-2D_firstorder_Mean"),
        (5, "original_shape2D_Perimeter"),
    ] {
        m.features[i].name.clear();
        m.features[i].name.push_str(name).unwrap();
    }
    let model = d.join("m.rsm");
    export::write_model(&model, &m).unwrap();

    let o = run(&["inspect", s(&model)]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    let line_of = |col: &str| {
        text.lines()
            .find(|l| l.contains(&format!(" {col} ")))
            .unwrap_or_else(|| panic!("no line for {col} in {text}"))
            .to_string()
    };
    let cols = columns(&m);
    for (i, c) in cols.iter().enumerate() {
        let l = line_of(c);
        if i == 2 || i == 5 {
            assert!(l.contains("features table"), "{l}");
        } else {
            assert!(l.contains("images") && !l.contains("features table"), "{l}");
        }
    }
    assert!(
        text.contains("(2 of 7 features); extraction from images refuses this model"),
        "{text}"
    );
    let o = run(&["inspect", "--json", s(&model)]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let flags: Vec<bool> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["recomputable"].as_bool().unwrap())
        .collect();
    assert_eq!(flags, [true, true, false, true, true, false, true]);
    assert_eq!(v["features"][2]["name"], "lbp-2D_firstorder_Mean");
    assert_eq!(v["features"][2]["source"], "features table");
    assert_eq!(v["artifact"]["format_version"], 2);

    // the unmodified model: every feature from images, nothing refused
    let plain = d.join("plain.rsm");
    export::write_model(&plain, &illustrative_model()).unwrap();
    let text = String::from_utf8_lossy(&run(&["inspect", s(&plain)]).stdout).to_string();
    assert!(
        text.contains("(0 of 7 features)") && !text.contains("refuses"),
        "{text}"
    );

    // score from a features CSV: equal to the core's own scoring
    let rows = sample_rows(&m, 5);
    let input = d.join("in.csv");
    write_table(&input, &m, &rows);
    let out = d.join("out.csv");
    let o = run(&[
        "score",
        "--model",
        s(&model),
        "--input",
        s(&input),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let decoded = Model::decode(&std::fs::read(&model).unwrap()).unwrap();
    for ((id, x, c), line) in rows.iter().zip(text.lines().skip(1)) {
        let want = decoded.score(x, c).unwrap();
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[0], id);
        assert_eq!(cells[3].parse::<f64>().unwrap(), want.probability, "{id}");
    }
    std::fs::remove_dir_all(&d).unwrap();
}
