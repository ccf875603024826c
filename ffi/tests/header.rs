//! Fails when the committed header `ffi/include/radscore.h` is stale: every status code, the ABI
//! version macros and every exported function of `src/lib.rs` must appear in it.

use radscore::{RadscoreStatus, RADSCORE_ABI_MAJOR, RADSCORE_ABI_MINOR};

fn header() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/radscore.h"))
        .expect("read ffi/include/radscore.h")
}

#[test]
fn header_has_every_status_code() {
    let h = header();
    for s in RadscoreStatus::ALL {
        let line = format!("#define {s:?} {}", *s as u32);
        assert!(
            h.contains(&line),
            "ffi/include/radscore.h is stale: missing `{line}`"
        );
    }
    let n = h.matches("#define RADSCORE_STATUS_").count();
    assert_eq!(
        n,
        RadscoreStatus::ALL.len(),
        "header has extra or missing status defines"
    );
}

#[test]
fn header_has_abi_version() {
    let h = header();
    for line in [
        format!("#define RADSCORE_ABI_MAJOR {RADSCORE_ABI_MAJOR}"),
        format!("#define RADSCORE_ABI_MINOR {RADSCORE_ABI_MINOR}"),
    ] {
        assert!(
            h.contains(&line),
            "ffi/include/radscore.h is stale: missing `{line}`"
        );
    }
}

#[test]
fn header_declares_every_exported_function() {
    let h = header();
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs"))
        .expect("read ffi/src/lib.rs");
    let mut n = 0;
    let mut lines = src.lines();
    while let Some(l) = lines.next() {
        if l.trim() == "#[unsafe(no_mangle)]" {
            let sig = lines.next().unwrap_or_default();
            let name = sig
                .split("fn ")
                .nth(1)
                .and_then(|r| r.split('(').next())
                .unwrap_or_default();
            assert!(!name.is_empty(), "cannot parse exported fn from `{sig}`");
            assert!(
                h.contains(&format!(" {name}(")) || h.contains(&format!("*{name}(")),
                "ffi/include/radscore.h is stale: `{name}` is not declared"
            );
            n += 1;
        }
    }
    let declared = h.matches("radscore_").filter(|_| true).count();
    assert!(n > 0 && declared >= n);
}
