//! Helpers shared by the CLI's end-to-end tests (`mod common;` in each test file).
#![allow(dead_code)] // each test binary uses its own subset

use std::path::PathBuf;
use std::process::Command;

/// A fresh folder `<temp>/radscore-<prefix>-<tag>-<pid>`.
pub fn tmpdir(prefix: &str, tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("radscore-{prefix}-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs the `radscore` binary built for these tests.
pub fn radscore(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_radscore"))
        .args(args)
        .output()
        .expect("run radscore")
}

/// Equal within 1e-9 relative (or 1e-12 absolute); NaN equals NaN only.
pub fn close(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    let d = (a - b).abs();
    d <= 1e-12 || d <= 1e-9 * a.abs().max(b.abs())
}
