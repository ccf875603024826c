#!/usr/bin/env bash
# Installs the PyRadiomics oracle into a virtual environment, by default `.venv-pyradiomics` at the
# repository's root (ignored by git). Needs python3 (3.11 was used) and access to PyPI.
# PyRadiomics 3.0.1 is the version every reference value in tests/fixtures was produced with;
# `pip install pyradiomics` alone fails on Python 3.11 (the 3.1.0 sdist has inconsistent metadata
# and the 3.0.1 sdist needs numpy at build time), hence the two steps.
# Usage: bash tests/oracles/pyradiomics/install.sh [VENV]   (prints the venv's python at the end)
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
VENV="${1:-$root/.venv-pyradiomics}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import radiomics" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "numpy<2" setuptools wheel versioneer
  "$VENV/bin/pip" install -q --no-build-isolation "pyradiomics==3.0.1"
fi
"$VENV/bin/python" -c "import radiomics, SimpleITK, pywt; print('pyradiomics', radiomics.__version__)" >&2
echo "$VENV/bin/python"
