//! Replays every committed fuzz input (`fuzz/corpus/<target>/` and `fuzz/seeds/<target>/`) through
//! the same function the cargo-fuzz target runs (`radscore_cli::fuzzing`), on stable Rust: a
//! regression of any reader on an input the fuzzer once found interesting fails here, without
//! nightly or libFuzzer. The corpora are minimised (`cargo fuzz cmin`) and small.

use std::path::Path;

#[test]
fn every_committed_fuzz_input_is_handled() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut total = 0;
    for (name, run) in radscore_cli::fuzzing::TARGETS {
        let mut count = 0;
        for folder in ["corpus", "seeds"] {
            let dir = root.join(folder).join(name);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            files.sort();
            for f in files {
                // `corpus/` is the local, uncommitted working corpus: a fuzzer running meanwhile
                // removes the inputs it reduces, so one may be gone by now.
                let data = match std::fs::read(&f) {
                    Ok(d) => d,
                    Err(e) if folder == "corpus" && e.kind() == std::io::ErrorKind::NotFound => {
                        continue
                    }
                    Err(e) => panic!("{name}: cannot read {}: {e}", f.display()),
                };
                // Ok or Err are both fine; a panic fails the test and names the file.
                let r = std::panic::catch_unwind(|| run(&data));
                assert!(r.is_ok(), "{name}: {} panicked", f.display());
                count += 1;
            }
        }
        assert!(count > 0, "no committed inputs for fuzz target {name}");
        total += count;
    }
    println!("replayed {total} fuzz inputs");
}
