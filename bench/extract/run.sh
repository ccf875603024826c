#!/usr/bin/env bash
# Benchmark of issue 3: `radscore extract --features seven` against PyRadiomics 3.0.1 (same
# settings: exponential, gradient, LoG sigma 3, wavelet; bin width 25), same machine, one run.
#
# Cases: brain1 (tests/fixtures/reference/pyradiomics/data, 256x256x25 int16, 4 137 ROI voxels) and a
# DCE-sized synthetic volume (512x512x120 int16 + a lesion filling a 40x40x30 box), written by
# make_volume.py. Each program runs RUNS times (default 3) per case (wall clock, rusage CPU time,
# /usr/bin/time peak RSS); reported: the fastest wall time, the smallest CPU time (user + sys) and the largest peak RSS.
# PyRadiomics is single-threaded (SimpleITK's global thread count 1, OMP/BLAS threads 1).
#
# Usage: bash bench/extract/run.sh [OUT_DIR]   (default: a temporary folder; the table is printed
#        and written to OUT_DIR/results.md). Needs the PyRadiomics venv: PYRAD_VENV, default
#        .venv-pyradiomics at the repository's root, created by tests/oracles/pyradiomics/install.sh
#        when missing (needs access to PyPI).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${PYRAD_VENV:-$root/.venv-pyradiomics}"
runs="${RUNS:-3}"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
py="$(bash "$root/tests/oracles/pyradiomics/install.sh" "$venv")"

echo "== build radscore (release)"
(cd "$root" && cargo build --release -p radscore-cli --quiet)
target="${CARGO_TARGET_DIR:-$root/target}"
radscore="$target/release/radscore"

echo "== synthetic DCE-sized case"
[ -f "$out/dce_image.nrrd" ] || "$py" "$here/make_volume.py" "$out"

data="$root/tests/fixtures/reference/pyradiomics/data"
params="$root/tests/oracles/pyradiomics/params_seven.yaml"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

# measure NAME CMD...: runs CMD $runs times, appends "wall cpu rss" (s, s, KiB) to $out/NAME.txt.
# Wall time from a monotonic clock and CPU time (user + sys) from rusage (wait4), at microsecond
# resolution (/usr/bin/time's 10 ms steps are too coarse for radscore's ~0.05 s on brain1); the
# peak RSS from /usr/bin/time, which starts the program: a child forked from Python would report
# Python's own pages as its peak.
measure() {
  local name="$1"; shift
  : > "$out/$name.txt"
  for _ in $(seq "$runs"); do
    python3 - "$out/$name.rss" "$@" >> "$out/$name.txt" <<'EOF'
import os, subprocess, sys, time
rss_file, cmd = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd, stdout=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
wall = time.perf_counter() - t0
if status != 0:
    sys.exit("command failed (status %d): %s" % (status, " ".join(cmd)))
rss = int(open(rss_file).read().split()[-1])
print("%.4f %.4f %d" % (wall, ru.ru_utime + ru.ru_stime, rss))
EOF
  done
}
best() { # file -> "min_wall min_cpu max_rss"
  sort -n "$1" | awk 'NR == 1 { w = $1 } { c = (NR == 1 || $2 < c) ? $2 : c; m = ($3 > m) ? $3 : m }
    END { printf "%s %s %s\n", w, c, m }'
}

{
  echo "| case | program | wall (s) | CPU (s) | peak RSS (MiB) |"
  echo "|---|---|---|---|---|"
} > "$out/table.md"
: > "$out/ratios.md"
for case in brain1 dce; do
  if [ "$case" = brain1 ]; then img="$data/brain1_image.nrrd"; msk="$data/brain1_label.nrrd"
  else img="$out/dce_image.nrrd"; msk="$out/dce_label.nrrd"; fi
  echo "== $case"
  measure "radscore_$case" "$radscore" extract --image "$img" --mask "$msk" --features seven --out "$out/radscore_$case.csv"
  measure "pyradiomics_$case" "$py" "$here/pyrad_seven.py" "$params" "$img" "$msk" "$out/pyradiomics_$case.csv"
  "$py" - "$out/radscore_$case.csv" "$out/pyradiomics_$case.csv" <<'EOF'
import csv, math, sys
a = {r[0]: float(r[1]) for r in list(csv.reader(open(sys.argv[1])))[1:]}
b = {r[0]: float(r[1]) for r in list(csv.reader(open(sys.argv[2])))[1:]}
assert a.keys() == b.keys(), (a.keys(), b.keys())
worst = max(abs(a[k] - b[k]) / max(abs(b[k]), 1e-300) for k in b)
print("  values: %d features, largest relative difference %.2e" % (len(b), worst))
assert worst <= 1e-9, "radscore and PyRadiomics disagree"
EOF
  read -r rw rc rm < <(best "$out/radscore_$case.txt")
  read -r pw pc pm < <(best "$out/pyradiomics_$case.txt")
  printf "| %s | radscore | %s | %s | %.1f |\n| %s | PyRadiomics | %s | %s | %.1f |\n" \
    "$case" "$rw" "$rc" "$(echo "$rm / 1024" | bc -l)" "$case" "$pw" "$pc" "$(echo "$pm / 1024" | bc -l)" >> "$out/table.md"
  awk -v c="$case" -v rw="$rw" -v rc="$rc" -v rm="$rm" -v pw="$pw" -v pc="$pc" -v pm="$pm" 'BEGIN {
    printf "%s: %.1fx faster (wall), %.1fx less CPU, %.1fx less peak memory (goals: time >= 20x, memory >= 20x)\n",
      c, pw / rw, pc / rc, pm / rm }' >> "$out/ratios.md"
done
{
  echo "radscore $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo '?'), $(getconf _NPROCESSORS_ONLN) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each"
  echo
  echo "executable: the plain release build (cargo build --release -p radscore-cli), $(rustc --version)"
  echo
  cat "$out/table.md"
  echo
  cat "$out/ratios.md"
} | tee "$out/results.md"
