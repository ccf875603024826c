//! Turns the fixture written by the host tool (`radscore-tests --bin firmware-fixture`) into static
//! arrays in flash: the test volume (i16), its mask (u8), the geometry and the model artifact.
//! The fixture folder is `$FW_FIXTURE_DIR` (scripts/qemu-check.sh sets it).
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out.join("memory.x"), include_bytes!("memory.x")).expect("write memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-env-changed=FW_FIXTURE_DIR");
    println!("cargo:rerun-if-env-changed=FW_ITERS");

    let dir = PathBuf::from(env::var("FW_FIXTURE_DIR").unwrap_or_else(|_| {
        panic!("FW_FIXTURE_DIR is not set: run scripts/qemu-check.sh, which writes the fixture first")
    }));
    for f in ["image.raw", "mask.raw", "geometry.txt", "model.rsm"] {
        println!("cargo:rerun-if-changed={}", dir.join(f).display());
    }
    let geometry = fs::read_to_string(dir.join("geometry.txt")).expect("geometry.txt");
    // geometry.txt: "dims X Y Z\nspacing SX SY SZ\nlabel L\n"
    let mut dims = [0usize; 3];
    let mut spacing = [0f64; 3];
    let mut label = 1u32;
    for line in geometry.lines() {
        let mut it = line.split_whitespace();
        match it.next() {
            Some("dims") => {
                for d in dims.iter_mut() {
                    *d = it.next().and_then(|v| v.parse().ok()).expect("dims");
                }
            }
            Some("spacing") => {
                for s in spacing.iter_mut() {
                    *s = it.next().and_then(|v| v.parse().ok()).expect("spacing");
                }
            }
            Some("label") => label = it.next().and_then(|v| v.parse().ok()).expect("label"),
            _ => {}
        }
    }
    let n = dims[0] * dims[1] * dims[2];
    let image = fs::read(dir.join("image.raw")).expect("image.raw");
    let mask = fs::read(dir.join("mask.raw")).expect("mask.raw");
    let model = fs::read(dir.join("model.rsm")).expect("model.rsm");
    assert_eq!(image.len(), 2 * n, "image.raw must hold dims product i16 values");
    assert_eq!(mask.len(), n, "mask.raw must hold dims product u8 values");

    let mut src = String::new();
    writeln!(src, "pub const DIMS: [usize; 3] = {dims:?};").unwrap();
    // `{:?}` of f64 is the shortest exact round-trip form.
    writeln!(src, "pub const SPACING: [f64; 3] = {spacing:?};").unwrap();
    writeln!(src, "pub const LABEL: u32 = {label};").unwrap();
    writeln!(src, "pub static IMAGE: [i16; {n}] = [").unwrap();
    for c in image.chunks_exact(2) {
        write!(src, "{},", i16::from_le_bytes([c[0], c[1]])).unwrap();
    }
    writeln!(src, "];").unwrap();
    writeln!(src, "pub static MASK: [u8; {n}] = {mask:?};").unwrap();
    writeln!(src, "pub static MODEL: [u8; {}] = {model:?};", model.len()).unwrap();
    let iters: u32 = env::var("FW_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    writeln!(src, "pub const ITERS: u32 = {iters};").unwrap();
    fs::write(out.join("fixture.rs"), src).expect("write fixture.rs");
}
