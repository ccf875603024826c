//! Gives the shared library a soname carrying the ABI major version (`libradscore.so.0`), so a
//! binary linked against one ABI never loads an incompatible one.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        // Keep in sync with RADSCORE_ABI_MAJOR in src/lib.rs (checked by tests/header.rs).
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libradscore.so.0");
    }
}
