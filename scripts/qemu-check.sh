#!/usr/bin/env bash
# Bare-metal proof: the radscore core on an emulated Cortex-M4F (QEMU mps2-an386) computes the
# same numbers as the host, bit for bit.
#
#   scripts/qemu-check.sh            build fixture + host output, build and run the firmware
#                                    images (full extraction of the seven features, scoring only,
#                                    and the coverage model: one shape, GLCM (MCC too), GLDM and
#                                    NGTDM feature), compare, check sizes
#   scripts/qemu-check.sh --bench    additionally count guest instructions per decode / score /
#                                    feature extraction (QEMU TCG plugin; needs gcc) on Cortex-M4F
#                                    and, where QEMU has mps2-an500, on a Cortex-M7 (double FPU)
#
# Fails (non-zero) if any printed value differs from the host's, a corrupted artifact is accepted,
# the firmware exits non-zero or times out, or a budget is exceeded: the scoring path's flash
# (.text + .rodata of the scoring-only image minus the embedded fixture data and the test harness,
# attributed by symbol) > FW_MAX_SCORING_FLASH (16 KiB), or the full build's RAM (.data + .bss
# incl. the static scratch + measured stack high-water) > FW_MAX_RAM (256 KiB).
#
# Environment: FW_TARGET_DIR (firmware target dir, default tests/firmware/target), FW_WORK
# (fixture/output dir, default a fresh temp dir), FW_TIMEOUT (seconds per QEMU run, default 120),
# FW_DATA_DIR (folder of <case>_image.nrrd / <case>_label.nrrd; default the PyRadiomics reference
# data in tests/fixtures/reference/pyradiomics/data).
# Installs qemu-system-arm and binutils-arm-none-eabi with apt-get when they are missing.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export CARGO_TERM_COLOR=never

bench=0
for a in "$@"; do
  case "$a" in
    --bench) bench=1 ;;
    *) echo "usage: $0 [--bench]" >&2; exit 2 ;;
  esac
done

fw_dir="$repo/tests/firmware"
fw_target="${FW_TARGET_DIR:-$fw_dir/target}"
work="${FW_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/radscore-qemu.XXXXXX")}"
mkdir -p "$work"
timeout_s="${FW_TIMEOUT:-120}"
max_flash="${FW_MAX_SCORING_FLASH:-16384}"
max_ram="${FW_MAX_RAM:-262144}"
triple=thumbv7em-none-eabihf

echo "== tools"
missing=()
command -v qemu-system-arm >/dev/null || missing+=(qemu-system-arm)
command -v arm-none-eabi-size >/dev/null || missing+=(binutils-arm-none-eabi)
if [ "$bench" = 1 ] && ! command -v gcc >/dev/null; then missing+=(gcc libc6-dev); fi
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if command -v rustup >/dev/null && ! (cd "$fw_dir" && rustup target list --installed | grep -qx "$triple"); then
  (cd "$fw_dir" && rustup target add "$triple")
fi
qemu-system-arm --version | head -n 1

echo "== host: fixture and expected output"
data_args=()
[ -z "${FW_DATA_DIR:-}" ] || data_args=(--data "$FW_DATA_DIR")
cargo run --quiet -p radscore-tests --bin firmware_fixture -- --out "$work/fixture" "${data_args[@]}" >"$work/host.txt"
export FW_FIXTURE_DIR="$work/fixture"

# build_fw NAME TARGET_DIR [cargo args...] -> path of a copy of the ELF (in $work) on stdout.
# The builds share TARGET_DIR (only the firmware crate itself differs between them), hence the copy.
build_fw() {
  local name="$1" tdir="$2"; shift 2
  (cd "$fw_dir" && cargo build --quiet --release --target-dir "$tdir" "$@") >&2
  cp "$tdir/$triple/release/radscore-firmware" "$work/$name.elf"
  echo "$work/$name.elf"
}

# run_fw ELF OUT MACHINE CPU [extra qemu args...] -> exit status of QEMU
run_fw() {
  local elf="$1" out="$2" machine="$3" cpu="$4"; shift 4
  local rc=0
  timeout "$timeout_s" qemu-system-arm -machine "$machine" -cpu "$cpu" -nographic \
    -monitor none -serial none -semihosting-config enable=on,target=native "$@" \
    -kernel "$elf" </dev/null >"$out" 2>"$out.err" || rc=$?
  return "$rc"
}

fail=0
# check_output NAME FW_OUT [compact] [HOST_OUT]: compare all non-# lines with the host's
# (HOST_OUT, default host.txt); "compact" = the scoring-only firmware, which prints no scratch size,
# feature names or decimal text
check_output() {
  local name="$1" out="$2" compact="${3:-}" host="${4:-$work/host.txt}"
  if [ -n "$compact" ]; then
    grep -v -E '^(#|scratch_len)' "$host" \
      | sed -E 's/^(feature\[[0-9]+\]) [^ ]+ = /\1 = /; s/ \(.*\)$//' >"$work/$name.expected"
  else
    grep -v '^#' "$host" >"$work/$name.expected"
  fi
  grep -v '^#' "$out" >"$work/$name.actual" || true
  if ! diff -u "$work/$name.expected" "$work/$name.actual" >"$work/$name.diff"; then
    echo "FAIL $name: firmware output differs from the host's:"
    head -n 40 "$work/$name.diff"
    fail=1
    return
  fi
  local values rejected
  values=$(grep -c ' = 0x' "$work/$name.actual" || true)
  rejected=$(grep -c '^corrupt .* = rejected' "$work/$name.actual" || true)
  if ! grep -qx 'result = ok' "$work/$name.actual" || [ "$rejected" -lt 6 ] || [ "$values" -lt 10 ]; then
    echo "FAIL $name: incomplete output ($values values, $rejected corruptions rejected)"
    fail=1
    return
  fi
  echo "ok $name: $values values bit-identical to the host, $rejected corrupted artifacts rejected"
}

# section_size ELF SECTION -> bytes (0 if absent)
section_size() {
  arm-none-eabi-size -A "$1" | awk -v s="$2" '$1 == s { print $2; found = 1 } END { if (!found) print 0 }'
}
# symbols_size ELF REGEX -> total bytes of the flash symbols (.text/.rodata) whose demangled name
# matches REGEX
symbols_size() {
  arm-none-eabi-nm -S -C -t d "$1" | awk -v re="$2" '
    NF >= 4 && $3 ~ /^[tTrR]$/ { name = substr($0, index($0, $4)); if (name ~ re) s += $2 + 0 }
    END { print s + 0 }'
}
# The embedded inputs (volume, mask, artifact, clinical and feature values) are data, not program.
fixture_re='^radscore_firmware::fixture::'
# The test program around the core: startup, semihosting output, printing (incl. core::fmt's float
# formatting in the full build), stack painting, the corruption self-test. `check::decode` and
# `check::score` (never inlined) hold the core's decode and score and are NOT harness.
harness_re='^(radscore_firmware::(__cortex_m_rt_main|Out|paint_stack|stack_|panic|check::(put|print|reject|corruptions|run|extract_step|views|for_each_group))|<radscore_firmware::|cortex_m|Reset$|main$|DefaultHandler|HardFault|DefaultPreInit|core::fmt|core::num::(flt2dec|bignum|fmt)|<.* as core::fmt::|core::panicking|core::str::count|core::unicode)'

kib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }

report_sizes() {
  local name="$1" elf="$2" hw="$3"
  local vt text ro data bss fixture harness program ram
  vt=$(section_size "$elf" .vector_table)
  text=$(section_size "$elf" .text)
  ro=$(section_size "$elf" .rodata)
  data=$(section_size "$elf" .data)
  bss=$(section_size "$elf" .bss)
  fixture=$(symbols_size "$elf" "$fixture_re")
  harness=$(symbols_size "$elf" "$harness_re")
  program=$((text + ro - fixture - harness))
  ram=$((data + bss + hw))
  printf '%s: .text %d + .rodata %d = %d B (+ vector table %d, .data %d); of which embedded fixture data %d B, test harness %d B -> core path %d B (%s KiB)\n' \
    "$name" "$text" "$ro" "$((text + ro))" "$vt" "$data" "$fixture" "$harness" "$program" "$(kib "$program")"
  printf '%s: RAM %d B (%s KiB) = .data %d + .bss %d (static scratch and artifact copy) + stack high-water %d\n' \
    "$name" "$ram" "$(kib "$ram")" "$data" "$bss" "$hw"
  eval "${name//-/_}_program=$program; ${name//-/_}_ram=$ram"
}

stack_of() { sed -n 's/^# stack high-water = \([0-9]*\) bytes.*/\1/p' "$1"; }

echo "== firmware: extraction + scoring (Cortex-M4F, mps2-an386)"
elf_full=$(build_fw full "$fw_target")
rc=0; run_fw "$elf_full" "$work/full.txt" mps2-an386 cortex-m4 || rc=$?
cat "$work/full.txt.err" >&2
if [ "$rc" != 0 ]; then echo "FAIL full: QEMU exit status $rc (124 = timeout)"; fail=1; fi
check_output full "$work/full.txt"

echo "== firmware: scoring only"
elf_score=$(build_fw scoring-only "$fw_target" --features scoring-only)
rc=0; run_fw "$elf_score" "$work/score.txt" mps2-an386 cortex-m4 || rc=$?
cat "$work/score.txt.err" >&2
if [ "$rc" != 0 ]; then echo "FAIL scoring-only: QEMU exit status $rc"; fail=1; fi
check_output scoring-only "$work/score.txt" compact

echo "== firmware: coverage model (shape, GLCM incl. MCC, GLDM, NGTDM; extraction + scoring)"
cargo run --quiet -p radscore-tests --bin firmware_fixture -- --out "$work/coverage-fixture" \
  --coverage "${data_args[@]}" >"$work/host-coverage.txt"
elf_cov=$(export FW_FIXTURE_DIR="$work/coverage-fixture"; build_fw coverage "$fw_target")
rc=0; run_fw "$elf_cov" "$work/coverage.txt" mps2-an386 cortex-m4 || rc=$?
cat "$work/coverage.txt.err" >&2
if [ "$rc" != 0 ]; then echo "FAIL coverage: QEMU exit status $rc"; fail=1; fi
check_output coverage "$work/coverage.txt" "" "$work/host-coverage.txt"
for cls in shape glcm gldm ngtdm; do
  grep -q "^feature\[[0-9]*\] [a-z0-9]*_original_${cls}_" "$work/coverage.txt" \
    || { echo "FAIL coverage: no $cls feature checked"; fail=1; }
done

echo "== sizes"
report_sizes full "$elf_full" "$(stack_of "$work/full.txt")"
report_sizes scoring-only "$elf_score" "$(stack_of "$work/score.txt")"
report_sizes coverage "$elf_cov" "$(stack_of "$work/coverage.txt")"
grep '^scratch_len' "$work/full.txt" | sed 's/$/ f64 elements (static scratch)/'
grep -E '^# (stack|size_of)' "$work/full.txt" | sed 's/^# /full: /'
grep -E '^# (stack|size_of)' "$work/score.txt" | sed 's/^# /scoring-only: /'
if [ "$scoring_only_program" -gt "$max_flash" ]; then
  echo "FAIL scoring path flash $scoring_only_program B > $max_flash B"; fail=1
fi
if [ "$full_ram" -gt "$max_ram" ]; then
  echo "FAIL full build RAM $full_ram B > $max_ram B"; fail=1
fi

if [ "$bench" = 1 ]; then
  echo "== instruction counts (QEMU TCG plugin, differences between builds)"
  plugin_src="$fw_dir/insncount/insncount.c"
  plugin="$work/libinsncount.so"
  gcc -shared -fPIC -O2 -Wall -o "$plugin" "$plugin_src" -Wl,--unresolved-symbols=ignore-all
  # insns TARGET_DIR MACHINE CPU [env...] -> total guest instructions of one run
  insns() {
    local tdir="$1" machine="$2" cpu="$3"; shift 3
    local elf
    elf=$(if [ $# -gt 0 ]; then export "$@"; fi; build_fw bench "$tdir")
    run_fw "$elf" "$work/bench.txt" "$machine" "$cpu" -plugin "$plugin" -d plugin >/dev/null || {
      echo "bench run failed" >&2; cat "$work/bench.txt.err" >&2; return 1; }
    sed -n 's/^insns: //p' "$work/bench.txt.err"
  }
  n_dec=20; n_sc=200; n_ex=2
  bench_cpu() {
    local label="$1" tdir="$2" machine="$3" cpu="$4"; shift 4
    local base dec sc ex
    base=$(insns "$tdir" "$machine" "$cpu" "$@")
    dec=$(insns "$tdir" "$machine" "$cpu" "$@" FW_BENCH_DECODE=$n_dec)
    sc=$(insns "$tdir" "$machine" "$cpu" "$@" FW_BENCH_SCORE=$n_sc)
    ex=$(insns "$tdir" "$machine" "$cpu" "$@" FW_BENCH_EXTRACT=$n_ex)
    echo "$label: whole check $base insns; decode $(((dec - base) / n_dec)) insns/call;" \
      "score $(((sc - base) / n_sc)) insns/case; seven-feature extraction $(((ex - base) / n_ex)) insns/set"
  }
  bench_cpu "cortex-m4 (FPv4-SP, f64 in software)" "$fw_target" mps2-an386 cortex-m4
  # Per image type: sub-models holding one feature group of the illustrative model.
  for only in 0,1 2 3 4 5 6; do
    cargo run --quiet -p radscore-tests --bin firmware_fixture -- --out "$work/only-$only" \
      "${data_args[@]}" --only "$only" >"$work/only-$only.txt"
    base=$(insns "$fw_target" mps2-an386 cortex-m4 FW_FIXTURE_DIR="$work/only-$only")
    one=$(insns "$fw_target" mps2-an386 cortex-m4 FW_FIXTURE_DIR="$work/only-$only" FW_BENCH_EXTRACT=1)
    echo "cortex-m4 extraction of features [$only] ($(sed -n 's/^feature\[[0-9]*\] \([^ ]*\) = .*/\1/p' "$work/only-$only.txt" | paste -sd ' ')): $((one - base)) insns"
  done
  if qemu-system-arm -machine help | grep -q '^mps2-an500'; then
    bench_cpu "cortex-m7 (FPv5-D16, f64 in hardware)" "$fw_target/cortex-m7" mps2-an500 cortex-m7 \
      RUSTFLAGS="-C link-arg=-Tlink.x -C target-cpu=cortex-m7"
    elf_m7=$(export RUSTFLAGS="-C link-arg=-Tlink.x -C target-cpu=cortex-m7"; build_fw cortex-m7 "$fw_target/cortex-m7")
    rc=0; run_fw "$elf_m7" "$work/m7.txt" mps2-an500 cortex-m7 || rc=$?
    if [ "$rc" != 0 ]; then echo "FAIL cortex-m7: QEMU exit status $rc"; fail=1; fi
    check_output cortex-m7 "$work/m7.txt"
    report_sizes cortex-m7 "$elf_m7" "$(stack_of "$work/m7.txt")"
  fi
fi

if [ "$fail" != 0 ]; then
  echo "qemu-check: FAILED (outputs kept in $work)"
  exit 1
fi
if [ -z "${FW_WORK:-}" ]; then rm -rf "$work"; else echo "outputs in $work"; fi
echo "qemu-check: passed"
