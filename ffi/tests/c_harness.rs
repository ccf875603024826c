//! Builds the C tests in `ffi/tests/c/` with `gcc -std=c99 -Wall -Wextra -Werror -pedantic`
//! against the static library and the committed header, and runs each under valgrind
//! (`--error-exitcode=1 --leak-check=full --errors-for-leak-kinds=all`).
//!
//! The library is built by a nested `cargo build -p radscore-ffi` into `<target>/c-harness`
//! (a separate target dir, so it never waits on the outer cargo's lock). If gcc or valgrind is
//! missing the test fails with a message naming the package to install (CI installs both in
//! `.ci/run`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn target_root() -> PathBuf {
    // <target>/<profile>/deps/c_harness-XXXX
    let exe = std::env::current_exe().expect("current_exe");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .expect("test executable lives in <target>/<profile>/deps")
}

fn require(tool: &str, package: &str) {
    let ok = Command::new(tool)
        .arg("--version")
        .output()
        .map(|o| o.status.success());
    assert!(
        matches!(ok, Ok(true)),
        "`{tool}` not found: the C harness needs it (apt-get install -y {package}); CI installs it in .ci/run"
    );
}

fn build_staticlib() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let tdir = target_root().join("c-harness");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let st = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "-p",
            "radscore-ffi",
            "--lib",
            "--target-dir",
        ])
        .arg(&tdir)
        .current_dir(&manifest)
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .expect("spawn cargo build");
    assert!(st.success(), "nested cargo build of radscore-ffi failed");
    let lib = tdir.join("debug").join("libradscore.a");
    assert!(lib.exists(), "expected {} after cargo build", lib.display());
    lib
}

fn compile_and_run(lib: &Path, src: &str) {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = target_root()
        .join("c-harness")
        .join(src.trim_end_matches(".c"));
    let o = Command::new("gcc")
        .args([
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-g",
            "-I",
        ])
        .arg(manifest.join("include"))
        .arg(manifest.join("tests").join("c").join(src))
        .arg(lib)
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&out)
        .output()
        .expect("spawn gcc");
    assert!(
        o.status.success(),
        "gcc failed on {src}:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = Command::new("valgrind")
        .args([
            "--quiet",
            "--error-exitcode=1",
            "--leak-check=full",
            "--errors-for-leak-kinds=all",
        ])
        .arg(&out)
        .current_dir(&manifest)
        .output()
        .expect("spawn valgrind");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.success() && stdout.trim_end().ends_with("ok"),
        "{src} under valgrind: status {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        o.status.code()
    );
}

#[test]
fn c_tests_pass_under_valgrind() {
    require("gcc", "gcc");
    require("valgrind", "valgrind");
    let lib = build_staticlib();
    compile_and_run(&lib, "test_basic.c");
}
