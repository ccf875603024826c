//! Fuzz target `cohort_csv`: `radscore_cli::fuzzing::cohort_csv` (the same function the stable replay test
//! `runtime-cli/tests/fuzz_replay.rs` runs on the committed corpus) must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = radscore_cli::fuzzing::cohort_csv(data);
});
