//! Fuzz target `dicom`: `radscore_cli::fuzzing::dicom` (the same function the stable replay test
//! `runtime-cli/tests/fuzz_replay.rs` runs on the committed corpus) must never panic.
//!
//! The reader turns a panic inside dicom-rs's pixel decoders into an error (`catch_unwind`;
//! their RLE decoder panics on malformed segments). libfuzzer-sys's panic hook would abort even
//! on that caught panic, so this target installs a hook that only prints: a panic the reader
//! does not catch still ends the closure with a panic, which libfuzzer-sys reports as a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| std::panic::set_hook(Box::new(|info| eprintln!("panic: {info}"))));
    let _ = radscore_cli::fuzzing::dicom(data);
});
