#!/usr/bin/env bash
# Installs the trainer oracle's Python (scikit-learn, scipy, statsmodels, pandas at the versions
# recorded in tests/fixtures/reference/trainer/oracle_breast_cancer.json) into a virtual
# environment, by default `.venv-trainer` at the repository's root (ignored by git). Needs python3
# (3.11 was used) and access to PyPI.
# Usage: bash tests/oracles/trainer/install.sh [VENV]   (prints the venv's python at the end)
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
VENV="${1:-$root/.venv-trainer}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import sklearn, statsmodels, pandas" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q numpy==2.4.6 scipy==1.17.1 scikit-learn==1.9.1 statsmodels==0.15.0 pandas==2.3.3
fi
"$VENV/bin/python" -c "import sklearn, scipy, statsmodels, pandas; print('scikit-learn', sklearn.__version__)" >&2
echo "$VENV/bin/python"
