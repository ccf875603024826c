//! Where `--out` may point (issue 21, items 1 and 8): special files are written through and never
//! replaced, symbolic links are followed, write errors fail the run, an interrupted run leaves no
//! temporary file, and stale temporary files of dead runs are removed. Linux/Unix only: devices,
//! FIFOs and signals.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use radscore_core::model::Model;
use radscore_trainer::example::illustrative_model;
use radscore_trainer::export;
use std::io::{Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_radscore");

fn workdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("radscore-outputs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn header(m: &Model) -> String {
    let cols: Vec<String> = m
        .features
        .iter()
        .map(|f| format!("{}_{}", f.sequence, f.name))
        .collect();
    format!("patient_id,{},texture,volume\n", cols.join(","))
}

fn row(m: &Model, i: usize) -> String {
    let xs: Vec<String> = m
        .features
        .iter()
        .enumerate()
        .map(|(k, f)| format!("{:?}", f.mean + f.sd * ((i + k) as f64).sin()))
        .collect();
    format!("P{i:05},{},{},{}\n", xs.join(","), i % 2, 1000 + i)
}

/// A model file and a 40-row features table in `d`.
fn setup(d: &Path) -> (PathBuf, PathBuf, Model) {
    let m = illustrative_model();
    let model = d.join("m.rsm");
    export::write_model(&model, &m).unwrap();
    let mut t = header(&m);
    for i in 0..40 {
        t.push_str(&row(&m, i));
    }
    let input = d.join("in.csv");
    std::fs::write(&input, t).unwrap();
    (model, input, m)
}

fn score(model: &Path, input: &Path, out: &str) -> Output {
    Command::new(BIN)
        .args([
            "score",
            "--model",
            s(model),
            "--input",
            s(input),
            "--out",
            out,
        ])
        .output()
        .unwrap()
}

fn mkfifo(p: &Path) {
    let st = Command::new("mkfifo").arg(p).status().unwrap();
    assert!(st.success(), "mkfifo {}", p.display());
}

/// Files in `d` whose name marks a temporary output.
fn temps(d: &Path) -> Vec<String> {
    std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

#[test]
fn a_full_device_fails_the_run_and_stays_a_device() {
    let d = workdir("full");
    let (model, input, _) = setup(&d);
    let o = score(&model, &input, "/dev/full");
    assert!(!o.status.success(), "exit 0 on /dev/full");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("/dev/full") && err.contains("space"), "{err}");
    assert!(std::fs::metadata("/dev/full")
        .unwrap()
        .file_type()
        .is_char_device());
    // /dev/null takes it and stays a device too.
    let o = score(&model, &input, "/dev/null");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn fifos_stdout_and_symlinks_are_written_through() {
    let d = workdir("through");
    let (model, input, _) = setup(&d);
    let plain = d.join("plain.csv");
    assert!(score(&model, &input, s(&plain)).status.success());
    let want = std::fs::read(&plain).unwrap();
    assert!(want.len() > 1000);

    // A named pipe: read by another thread while radscore writes into it.
    let fifo = d.join("pipe");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut v = Vec::new();
            std::fs::File::open(fifo)
                .unwrap()
                .read_to_end(&mut v)
                .unwrap();
            v
        })
    };
    let o = score(&model, &input, s(&fifo));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(reader.join().unwrap(), want);
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());

    // `-` and /dev/stdout: the standard output.
    for out in ["-", "/dev/stdout"] {
        let o = score(&model, &input, out);
        assert!(
            o.status.success(),
            "{out}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(o.stdout, want, "{out}");
    }

    // A symbolic link (relative, through a second link) stays a link; its target gets the table.
    let sub = d.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(sub.join("target.csv"), b"old").unwrap();
    std::os::unix::fs::symlink("sub/target.csv", d.join("link1")).unwrap();
    std::os::unix::fs::symlink(d.join("link1"), d.join("link2")).unwrap();
    let o = score(&model, &input, s(&d.join("link2")));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for l in ["link1", "link2"] {
        let m = std::fs::symlink_metadata(d.join(l)).unwrap();
        assert!(m.file_type().is_symlink(), "{l} replaced by a file");
    }
    assert_eq!(std::fs::read(sub.join("target.csv")).unwrap(), want);
    assert!(temps(&d).is_empty() && temps(&sub).is_empty());
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn sigterm_removes_the_temporary_output() {
    let d = workdir("sigterm");
    let (model, _, m) = setup(&d);
    // The input is a pipe kept open, so the run is still scoring (its temporary output open)
    // when the signal arrives.
    let input = d.join("in.pipe");
    mkfifo(&input);
    let out = d.join("scores.csv");
    std::fs::write(&out, b"previous scores\n").unwrap();
    let mut child = Command::new(BIN)
        .args([
            "score",
            "--model",
            s(&model),
            "--input",
            s(&input),
            "--out",
            s(&out),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut w = std::fs::OpenOptions::new()
        .write(true)
        .open(&input)
        .unwrap();
    w.write_all(header(&m).as_bytes()).unwrap();
    w.write_all(row(&m, 1).as_bytes()).unwrap();
    w.flush().unwrap();
    let t0 = Instant::now();
    while temps(&d).is_empty() {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "no temporary output appeared"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let st = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let status = child.wait().unwrap();
    drop(w);
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert!(temps(&d).is_empty(), "left behind: {:?}", temps(&d));
    assert_eq!(std::fs::read(&out).unwrap(), b"previous scores\n");
    std::fs::remove_dir_all(&d).unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn stale_temporary_outputs_of_dead_runs_are_removed() {
    let d = workdir("stale");
    let (model, input, _) = setup(&d);
    // 4194304 = 2^22 is above Linux's largest PID: no such process runs.
    let stale = d.join(".scores.csv.tmp-4194304");
    std::fs::write(&stale, vec![0u8; 4096]).unwrap();
    let o = score(&model, &input, s(&d.join("scores.csv")));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!stale.exists(), "stale temporary file kept");
    std::fs::remove_dir_all(&d).unwrap();
}
