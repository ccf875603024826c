//! Turns the fixture written by the host tool (`cargo run -p radscore-tests --bin
//! firmware_fixture -- --out DIR`) into static arrays in flash: the test volume (i16 LE), its mask
//! (u8), the model artifact, and the numbers of `fixture.txt`. The folder is `$FW_FIXTURE_DIR`
//! (scripts/qemu-check.sh sets it).
//!
//! `fixture.txt` lines (all written by the host tool):
//! * `dims X Y Z`, `spacing SX SY SZ` (f64, shortest round-trip form);
//! * `clinical <hex bits>...` — clinical values in model order;
//! * `features <hex bits>...` — the host's feature values (only the `scoring-only` build uses them);
//! * `scratch N` — f64 elements of scratch the extraction needs (sizes the static buffer).
//!
//! `FW_BENCH_DECODE`, `FW_BENCH_SCORE`, `FW_BENCH_EXTRACT` (default 0): extra repetitions of each
//! step, for per-call instruction counts by difference between two builds.
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

fn bits_list<'a>(it: impl Iterator<Item = &'a str>) -> Vec<u64> {
    it.map(|v| {
        u64::from_str_radix(v.trim_start_matches("0x"), 16)
            .unwrap_or_else(|e| panic!("fixture.txt: bad hex bits {v:?}: {e}"))
    })
    .collect()
}

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out.join("memory.x"), include_bytes!("memory.x")).expect("write memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-env-changed=FW_FIXTURE_DIR");
    for v in ["FW_BENCH_DECODE", "FW_BENCH_SCORE", "FW_BENCH_EXTRACT"] {
        println!("cargo:rerun-if-env-changed={v}");
    }

    let dir = PathBuf::from(env::var("FW_FIXTURE_DIR").unwrap_or_else(|_| {
        panic!(
            "FW_FIXTURE_DIR is not set: run scripts/qemu-check.sh, which writes the fixture first"
        )
    }));
    for f in ["image.raw", "mask.raw", "fixture.txt", "model.rsm"] {
        println!("cargo:rerun-if-changed={}", dir.join(f).display());
    }
    let text = fs::read_to_string(dir.join("fixture.txt")).expect("fixture.txt");
    let mut dims = [0usize; 3];
    let mut spacing = [0f64; 3];
    let mut clinical = Vec::new();
    let mut features = Vec::new();
    let mut scratch = 0usize;
    for (row, line) in text.lines().enumerate() {
        let mut it = line.split_whitespace();
        let bad = |what: &str| -> ! { panic!("fixture.txt: line {}: bad {what}", row + 1) };
        match it.next() {
            Some("dims") => {
                for d in dims.iter_mut() {
                    *d = it
                        .next()
                        .and_then(|v| v.parse().ok())
                        .unwrap_or_else(|| bad("dims"));
                }
            }
            Some("spacing") => {
                for s in spacing.iter_mut() {
                    *s = it
                        .next()
                        .and_then(|v| v.parse().ok())
                        .unwrap_or_else(|| bad("spacing"));
                }
            }
            Some("clinical") => clinical = bits_list(it),
            Some("features") => features = bits_list(it),
            Some("scratch") => {
                scratch = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| bad("scratch"))
            }
            _ => {}
        }
    }
    let n = dims[0] * dims[1] * dims[2];
    assert!(n > 0, "fixture.txt: dims missing");
    let image = fs::read(dir.join("image.raw")).expect("image.raw");
    let mask = fs::read(dir.join("mask.raw")).expect("mask.raw");
    let model = fs::read(dir.join("model.rsm")).expect("model.rsm");
    assert_eq!(
        image.len(),
        2 * n,
        "image.raw must hold dims product i16 values"
    );
    assert_eq!(mask.len(), n, "mask.raw must hold dims product u8 values");
    // The scoring-only build has no extraction, hence no scratch buffer.
    if env::var_os("CARGO_FEATURE_SCORING_ONLY").is_some() {
        scratch = 0;
    }

    let mut src = String::new();
    let w = &mut src;
    writeln!(w, "pub const DIMS: [usize; 3] = {dims:?};").unwrap();
    // `{:?}` of f64 is the shortest exact round-trip form.
    writeln!(w, "pub const SPACING: [f64; 3] = {spacing:?};").unwrap();
    let f64s = |v: &[u64]| -> String {
        v.iter()
            .map(|b| format!("f64::from_bits(0x{b:016x}),"))
            .collect()
    };
    writeln!(
        w,
        "pub static CLINICAL: [f64; {}] = [{}];",
        clinical.len(),
        f64s(&clinical)
    )
    .unwrap();
    writeln!(
        w,
        "pub static FEATURES: [f64; {}] = [{}];",
        features.len(),
        f64s(&features)
    )
    .unwrap();
    writeln!(w, "pub const SCRATCH_LEN: usize = {scratch};").unwrap();
    writeln!(w, "pub static IMAGE: [i16; {n}] = [").unwrap();
    for c in image.chunks_exact(2) {
        write!(w, "{},", i16::from_le_bytes([c[0], c[1]])).unwrap();
    }
    writeln!(w, "];").unwrap();
    writeln!(w, "pub static MASK: [u8; {n}] = {mask:?};").unwrap();
    writeln!(w, "pub const MODEL_LEN: usize = {};", model.len()).unwrap();
    writeln!(w, "pub static MODEL: [u8; MODEL_LEN] = {model:?};").unwrap();
    for (name, var) in [
        ("BENCH_DECODE", "FW_BENCH_DECODE"),
        ("BENCH_SCORE", "FW_BENCH_SCORE"),
        ("BENCH_EXTRACT", "FW_BENCH_EXTRACT"),
    ] {
        let k: u32 = env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(0);
        writeln!(w, "pub const {name}: u32 = {k};").unwrap();
    }
    fs::write(out.join("fixture.rs"), src).expect("write fixture.rs");
}
