#!/usr/bin/env bash
# Fuzzes every reader target for SECONDS each (default 600) with a memory and input-size limit,
# then keeps the minimised corpus's small inputs in seeds/<target>/ (committed; replayed on stable
# Rust by runtime-cli/tests/fuzz_replay.rs). Crashes land in artifacts/<target>/.
#
# Usage: fuzz/run.sh [SECONDS] [TARGET...]     (needs a nightly toolchain and `cargo install cargo-fuzz`)
# Writes a summary line per target (executions, coverage, corpus size, crashes) to logs/summary.txt.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(nrrd nifti dicom score_csv cohort_csv cohort_join extract decode params)
mkdir -p logs
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "seeds/$t"
  echo "== $t: ${secs} s"
  status=0
  started=$SECONDS
  cargo +nightly fuzz run -O --debug-assertions "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=65536 -timeout=20 \
    -print_final_stats=1 > "logs/$t.log" 2>&1 || status=$?
  # libFuzzer's own time when it ran to the end; the wall time (build included) when a crash
  # stopped it early.
  ran="$(grep -o 'Done [0-9]* runs in [0-9]* second' "logs/$t.log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' || true)"
  [ -n "$ran" ] || ran="stopped early, $((SECONDS - started)) s wall incl. build,"
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' || echo '?')"
  cov="$(grep -o 'cov: [0-9]*' "logs/$t.log" | tail -n 1 || true)"
  crashes="$(find "artifacts/$t" -type f 2>/dev/null | wc -l || true)"
  # Minimise and keep the small inputs (<= 4 KiB, at most 150) as committed seeds.
  rm -rf "min/$t" && mkdir -p "min/$t"
  cargo +nightly fuzz cmin -O --debug-assertions "$t" "corpus/$t" -- -rss_limit_mb=2048 -timeout=20 \
    > "logs/$t.cmin.log" 2>&1 || true
  # (a list first: `sort | head` under pipefail ended the script with SIGPIPE once the corpus
  # held more than 150 small inputs)
  mapfile -t small < <(find "corpus/$t" -type f -size -4097c | sort)
  for f in "${small[@]:0:150}"; do
    cp "$f" "seeds/$t/$(basename "$f")"
  done
  printf '%s: exit %s, %s executions in %s s, %s, corpus %s files, seeds %s, crashes %s\n' \
    "$t" "$status" "$execs" "$ran" "$cov" "$(find "corpus/$t" -type f | wc -l)" \
    "$(find "seeds/$t" -type f | wc -l)" "$crashes" | tee -a logs/summary.txt
done
