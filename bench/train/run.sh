#!/usr/bin/env bash
# Times `radscore train` against the scikit-learn pipeline on the same 133 x 2971 training data,
# in one run. Usage: bench/train/run.sh [cohort.csv[.gz]] [repeats]
#   PYTHON   python with scikit-learn/scipy/pandas (default: the venv of tests/oracles/trainer/install.sh,
#            created at the repository's root when missing)
#   CARGO_TARGET_DIR as usual. BLAS is pinned to one thread for scikit-learn (as in trainer-notes).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
input="${1:-$root/trainer/tests/oracle/paper_cohort.csv.gz}"
repeat="${2:-3}"
python="${PYTHON:-$(bash "$root/tests/oracles/trainer/install.sh")}"
target="${CARGO_TARGET_DIR:-$root/target}"

(cd "$root" && cargo build --release -q -p radscore-cli)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
case "$input" in
  *.gz) gzip -dc "$input" > "$work/cohort.csv" ;;
  *) cp "$input" "$work/cohort.csv" ;;
esac
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
"$python" "$here/compare.py" --csv "$work/cohort.csv" --radscore "$target/release/radscore" \
  --work "$work" --repeat "$repeat" --sklearn "$here/sklearn_selection.py"
