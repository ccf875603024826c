//! Fuzz target `cohort_join`: `radscore_cli::fuzzing::cohort_join` (the same function the stable replay test
//! `runtime-cli/tests/fuzz_replay.rs` runs on the committed corpus) must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = radscore_cli::fuzzing::cohort_join(data);
});
