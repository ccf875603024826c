#!/usr/bin/env bash
# Dask benchmark: radscore.extract_batch vs PyRadiomics 3.0.1 on one LocalCluster (README.md).
# Makes one virtualenv holding both (BENCH_VENV, default .venv-bench at the repository's root):
# PyRadiomics 3.0.1 as tests/oracles/pyradiomics/install.sh installs it, dask[distributed],
# pandas, and radscore built from python/ (release). Arguments go to bench_dask.py.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${BENCH_VENV:-$root/.venv-bench}"
bash "$root/tests/oracles/pyradiomics/install.sh" "$venv" >/dev/null
# PyRadiomics 3.0.1 is built against numpy 1.x: keep numpy (and a pandas that supports it) below 2/3
"$venv/bin/pip" install -q "numpy<2" "pandas<3" "dask[distributed]" pyyaml "maturin>=1.7,<2"
"$venv/bin/pip" install -q "$root/python"
cd "$root"
"$venv/bin/python" bench/python/bench_dask.py "$@"
