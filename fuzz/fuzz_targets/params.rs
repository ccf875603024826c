//! Fuzz target `params`: `radscore_cli::fuzzing::params` (the same function the stable replay
//! test `runtime-cli/tests/fuzz_replay.rs` runs on the committed corpus) must never panic: a
//! PyRadiomics params document (YAML or JSON) is read, validated and mapped to core settings,
//! and whatever is wrong with it is an error naming the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = radscore_cli::fuzzing::params(data);
});
