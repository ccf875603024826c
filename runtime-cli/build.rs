//! Link-time layout of the `radscore` executable: the functions a `radscore extract` run
//! executes are placed next to each other at the start of `.text` (`link/text-order.txt`, made
//! by `scripts/text-order.sh` from valgrind runs of the extraction).
//!
//! Why: Linux maps an executable's code on demand, but 64 KiB around each touched page at a time
//! (fault-around). Left in crate order, the ~0.6 MB of code an extraction runs is spread over
//! most of the 4 MB of text (clap, the NRRD reader, the core, zlib, std and libc are far apart),
//! so a short run such as brain1 mapped ~2.6 MB of code; grouped, it maps ~0.7 MB. Peak RSS of
//! `radscore extract` on brain1, one thread: 7.9 → 6.1 MiB (bench/extract/README.md). The order changes
//! only where functions sit, never what they compute.
//!
//! The file names symbols as the linker sees them (mangled, with crate hashes): after a toolchain
//! or dependency update some names no longer exist and are skipped (`--no-warn-symbol-ordering`),
//! so a stale file costs memory, never correctness; `scripts/text-order.sh --check` says how much
//! of it still matches and `.ci/run` fails when less than half does.
//!
//! Only for x86_64 Linux/glibc with rustc's default linker there (rust-lld, which understands
//! `--symbol-ordering-file`); a configured linker (`-C linker=…`, `-C linker-features=-lld`) or
//! `RADSCORE_NO_TEXT_ORDER=1` turns it off.
use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=link/text-order.txt");
    println!("cargo:rerun-if-env-changed=RADSCORE_NO_TEXT_ORDER");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    let target = env::var("TARGET").unwrap_or_default();
    let flags = env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let own_linker = env::var_os("RUSTC_LINKER").is_some()
        || flags.contains("linker=")
        || flags.contains("linker-features")
        || flags.contains("linker-flavor");
    if target != "x86_64-unknown-linux-gnu"
        || own_linker
        || env::var_os("RADSCORE_NO_TEXT_ORDER").is_some()
    {
        return;
    }
    let Some(dir) = env::var_os("CARGO_MANIFEST_DIR") else {
        return;
    };
    let order = PathBuf::from(dir).join("link").join("text-order.txt");
    if order.is_file() {
        // `-Xlinker` pairs rather than `-Wl,`, which would split a path at its commas.
        for arg in [
            format!("--symbol-ordering-file={}", order.display()),
            "--no-warn-symbol-ordering".to_string(),
        ] {
            println!("cargo:rustc-link-arg-bin=radscore=-Xlinker");
            println!("cargo:rustc-link-arg-bin=radscore={arg}");
        }
    }
}
