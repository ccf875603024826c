#!/usr/bin/env bash
# Installs the PyRadiomics oracle for the FULL feature set (extract_all.py / params_all.yaml):
# install.sh (numpy<2, PyRadiomics 3.0.1) plus what the LBP3D filter needs. scipy is pinned:
# PyRadiomics 3.0.1's LBP3D imports scipy.special.sph_harm (deprecated from scipy 1.15, slated for
# removal) and scipy.ndimage.interpolation.map_coordinates (deprecated namespace); when the import
# fails PyRadiomics drops the three lbp-3D-* image types (one warning in the log).
# Usage: bash tests/oracles/pyradiomics/install_all.sh [VENV]   (prints the venv's python at the end)
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="${1:-$root/.venv-pyradiomics}"
bash "$HERE/install.sh" "$VENV" >/dev/null
"$VENV/bin/pip" install -q "numpy==1.26.4" "scipy==1.14.1" "trimesh==5.2.0" "pydicom==3.0.2"
"$VENV/bin/python" -c "import radiomics, scipy, trimesh; print('pyradiomics', radiomics.__version__, 'scipy', scipy.__version__, 'trimesh', trimesh.__version__)" >&2
echo "$VENV/bin/python"
