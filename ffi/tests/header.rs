//! The committed header `ffi/include/radscore.h` must be exactly what cbindgen generates from
//! the crate today. Regenerate with `RADSCORE_BLESS=1 cargo test -p radscore-ffi --test header`.
//! Also checks that the header compiles as strict C99 and as C++, and that the soname in
//! `build.rs` follows the ABI major version.

use std::path::PathBuf;
use std::process::Command;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generate() -> String {
    let m = manifest();
    let config = cbindgen::Config::from_file(m.join("cbindgen.toml")).expect("read cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(m.join("src").join("lib.rs"))
        .generate()
        .expect("cbindgen failed on ffi/src");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("header is UTF-8")
}

#[test]
fn header_is_current() {
    let fresh = generate();
    let path = manifest().join("include").join("radscore.h");
    if std::env::var_os("RADSCORE_BLESS").is_some() {
        let tmp = path.with_extension("h.tmp");
        std::fs::write(&tmp, &fresh).expect("write header");
        std::fs::rename(&tmp, &path).expect("rename header");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let first = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(fresh.lines().count()));
        panic!(
            "ffi/include/radscore.h is stale (first difference at line {}): regenerate with\n  \
             RADSCORE_BLESS=1 cargo test -p radscore-ffi --test header\ncommitted: {:?}\nfresh:     {:?}",
            first + 1,
            committed.lines().nth(first),
            fresh.lines().nth(first)
        );
    }
}

#[test]
fn header_compiles_as_strict_c99_and_cpp() {
    let inc = manifest().join("include");
    let src = "#include \"radscore.h\"\nint main(void) { return radscore_abi_version() == RADSCORE_ABI_VERSION ? 0 : 1; }\n";
    for (compiler, args) in [
        (
            "gcc",
            &[
                "-std=c99",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-pedantic",
                "-x",
                "c",
            ][..],
        ),
        (
            "g++",
            &[
                "-std=c++11",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-pedantic",
                "-x",
                "c++",
            ][..],
        ),
    ] {
        let available = Command::new(compiler)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if compiler == "g++" && !available {
            eprintln!("g++ not installed: skipping the C++ check");
            continue;
        }
        assert!(available, "`{compiler}` not found (apt-get install -y gcc)");
        let mut child = Command::new(compiler)
            .args(args)
            .arg("-fsyntax-only")
            .arg("-I")
            .arg(&inc)
            .arg("-")
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn compiler");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(src.as_bytes())
            .expect("write source");
        let o = child.wait_with_output().expect("compiler output");
        assert!(
            o.status.success(),
            "radscore.h does not compile with {compiler} {args:?}:\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn soname_follows_abi_major() {
    let build = std::fs::read_to_string(manifest().join("build.rs")).expect("read build.rs");
    let want = format!("libradscore.so.{}", radscore::RADSCORE_ABI_MAJOR);
    assert!(build.contains(&want), "build.rs must set the soname {want}");
}
