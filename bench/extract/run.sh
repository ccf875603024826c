#!/usr/bin/env bash
# Extraction benchmark: radscore against PyRadiomics 3.0.1 with the same settings, same machine,
# one run. Two modes (MODE, default seven):
#   seven  the study's seven features (`radscore extract --features seven`; PyRadiomics with
#          tests/oracles/pyradiomics/params_seven.yaml: exponential, gradient, LoG sigma 3, wavelet;
#          bin width 25);
#   full   PyRadiomics' full extraction: tests/oracles/pyradiomics/params_all.yaml without its
#          LBP3D line (1 595 values), `radscore extract --param` with --jobs 1 (the single-thread
#          comparison) and with --jobs 2 (both CPUs: image types in parallel);
#   resampled  the same full extraction after resampling to 1 x 1 x 1 mm (resampledPixelSpacing;
#          INTERPOLATOR, default sitkBSpline, PyRadiomics' default; padDistance 5), issue 18's goal.
#
# Cases (CASES, default "brain1 dce"): brain1 (tests/fixtures/reference/pyradiomics/data, 256x256x25
# int16, 4 137 ROI voxels), dce (512x512x120 int16 + a lesion filling a 40x40x30 box) and large
# (512x512x200 int16 + a 9.6 M-voxel lesion filling a 320x320x180 box), written by make_volume.py.
# PyRadiomics runs on the large case only with LARGE_PYRADIOMICS=1 (its full extraction of a
# 9.6 M-voxel ROI needs tens of GiB).
# Each program runs RUNS times (default 3) per case (wall clock, rusage CPU time, /usr/bin/time
# peak RSS); reported: the fastest wall time, the smallest CPU time (user + sys) and the largest
# peak RSS. PyRadiomics is single-threaded (SimpleITK's global thread count 1, OMP/BLAS threads 1).
#
# Usage: [MODE=full] [CASES="brain1 dce large"] [RUNS=3] bash bench/extract/run.sh [OUT_DIR]
#        (default OUT_DIR: a temporary folder; the table is printed and written to
#        OUT_DIR/results.md). Needs the PyRadiomics venv: PYRAD_VENV, default .venv-pyradiomics at
#        the repository's root, created by tests/oracles/pyradiomics/install.sh when missing
#        (needs access to PyPI).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${PYRAD_VENV:-$root/.venv-pyradiomics}"
runs="${RUNS:-3}"
mode="${MODE:-seven}"
cases="${CASES:-brain1 dce}"
case "$mode" in seven|full|resampled) ;; *) echo "MODE must be seven, full or resampled, not $mode" >&2; exit 2;; esac
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
py="$(bash "$root/tests/oracles/pyradiomics/install.sh" "$venv")"

echo "== build radscore (release)"
(cd "$root" && cargo build --release -p radscore-cli --quiet)
target="${CARGO_TARGET_DIR:-$root/target}"
radscore="$target/release/radscore"

echo "== synthetic cases"
case " $cases " in *" dce "*) [ -f "$out/dce_image.nrrd" ] || "$py" "$here/make_volume.py" "$out";; esac
case " $cases " in *" large "*) [ -f "$out/large_image.nrrd" ] || "$py" "$here/make_volume.py" "$out" --large;; esac

data="$root/tests/fixtures/reference/pyradiomics/data"
if [ "$mode" = seven ]; then
  params="$root/tests/oracles/pyradiomics/params_seven.yaml"
elif [ "$mode" = full ]; then
  params="$out/params_all_no_lbp3d.yaml"
  grep -v '^  LBP3D:' "$root/tests/oracles/pyradiomics/params_all.yaml" > "$params"
else
  interp="${INTERPOLATOR:-sitkBSpline}"
  params="$out/params_all_no_lbp3d_resampled_$interp.yaml"
  grep -v '^  LBP3D:' "$root/tests/oracles/pyradiomics/params_all.yaml" \
    | sed -e "s/^  resampledPixelSpacing:.*/  resampledPixelSpacing: [1, 1, 1]/" \
          -e "s/^  interpolator:.*/  interpolator: $interp/" > "$params"
  grep -q "resampledPixelSpacing: \[1, 1, 1\]" "$params" && grep -q "interpolator: $interp" "$params" \
    || { echo "cannot set the resampling in $params" >&2; exit 1; }
fi
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
row() { # NAME LABEL: a table row from $out/NAME.txt
  local w c m
  read -r w c m < <(best "$out/$1.txt")
  printf "| %s | %s | %s | %s | %.1f |\n" "$case" "$2" "$w" "$c" "$(echo "$m / 1024" | bc -l)" >> "$out/table.md"
}
for case in $cases; do
  case "$case" in
    brain1) img="$data/brain1_image.nrrd"; msk="$data/brain1_label.nrrd";;
    dce|large) img="$out/${case}_image.nrrd"; msk="$out/${case}_label.nrrd";;
    *) echo "unknown case $case (brain1, dce, large)" >&2; exit 2;;
  esac
  echo "== $case ($mode)"
  if [ "$mode" = seven ]; then
    measure "radscore_$case" "$radscore" extract --image "$img" --mask "$msk" --features seven --out "$out/radscore_$case.csv"
    row "radscore_$case" radscore
  else
    measure "radscore_$case" "$radscore" extract --image "$img" --mask "$msk" --param "$params" --jobs 1 --out "$out/radscore_$case.csv"
    measure "radscore2_$case" "$radscore" extract --image "$img" --mask "$msk" --param "$params" --jobs 2 --out "$out/radscore2_$case.csv"
    cmp -s "$out/radscore_$case.csv" "$out/radscore2_$case.csv" || { echo "--jobs 1 and --jobs 2 differ" >&2; exit 1; }
    row "radscore_$case" "radscore, 1 thread"
    row "radscore2_$case" "radscore, 2 threads"
  fi
  if [ "$case" = large ] && [ "${LARGE_PYRADIOMICS:-0}" != 1 ]; then
    echo "| $case | PyRadiomics | not run (LARGE_PYRADIOMICS=1) | | |" >> "$out/table.md"
    continue
  fi
  seven_flag=()
  [ "$mode" = seven ] && seven_flag=(--seven)
  measure "pyradiomics_$case" "$py" "$here/pyrad_extract.py" "$params" "$img" "$msk" "$out/pyradiomics_$case.csv" "${seven_flag[@]}"
  "$py" - "$out/radscore_$case.csv" "$out/pyradiomics_$case.csv" <<'EOF'
import csv, math, sys
a = {r[0]: float(r[1]) for r in list(csv.reader(open(sys.argv[1])))[1:]}
b = {r[0]: float(r[1]) for r in list(csv.reader(open(sys.argv[2])))[1:]}
assert list(a) == list(b), "names or order differ: %s" % sorted(set(a) ^ set(b))[:10]
def rel(x, y):
    if math.isnan(x) or math.isnan(y):
        return 0.0 if math.isnan(x) and math.isnan(y) else math.inf
    return abs(x - y) / max(abs(y), 1e-300)
worst = max(rel(a[k], b[k]) for k in b)
print("  values: %d features, largest relative difference %.2e" % (len(b), worst))
assert worst <= 1e-9, "radscore and PyRadiomics disagree"
EOF
  row "pyradiomics_$case" PyRadiomics
  read -r rw rc rm < <(best "$out/radscore_$case.txt")
  read -r pw pc pm < <(best "$out/pyradiomics_$case.txt")
  awk -v c="$case" -v rw="$rw" -v rc="$rc" -v rm="$rm" -v pw="$pw" -v pc="$pc" -v pm="$pm" 'BEGIN {
    printf "%s: %.1fx faster (wall, 1 thread), %.1fx less CPU, %.1fx less peak memory (goals: time >= 20x, memory >= 20x)\n",
      c, pw / rw, pc / rc, pm / rm }' >> "$out/ratios.md"
done
{
  echo "mode $mode; radscore $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo '?'), $(getconf _NPROCESSORS_ONLN) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each"
  echo
  echo "executable: the plain release build (cargo build --release -p radscore-cli), $(rustc --version)"
  echo
  cat "$out/table.md"
  echo
  cat "$out/ratios.md"
} | tee "$out/results.md"
