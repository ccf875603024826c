"""Paper-shaped parity fixture for `radscore train` (committed output, regenerate with this script).

    python bench/train/make_fixture.py   # writes bench/train/fixture/{cohort.csv.gz,expected.json}

Cohort: make_cohort.generate(190 patients, 108 positive, 450 radiomics columns in correlated blocks,
12 constant columns, seed 12, 25 factors per sequence), values rounded to 6 significant digits (the CSV is the data).
Expected: pipeline_sklearn.run (scikit-learn 1.9 / scipy / statsmodels, pROC conventions via the
oracle's stats_ref) with train_test_split(stratify, 0.3, random_state=42) and clinical candidates
texture, volume, age, ki67, density — shaped like summary.json, plus lasso.alpha_index.
"""
import gzip
import io
import json
import os
import sys

import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ORACLES = os.path.join(HERE, "..", "..", "tests", "oracles", "trainer")
sys.path.insert(0, ORACLES)
import make_cohort  # noqa: E402
import pipeline_sklearn  # noqa: E402
import stats_ref  # noqa: E402

CLINICAL = ["texture", "volume", "age", "ki67", "density"]


def main():
    out = os.path.join(HERE, "fixture")
    os.makedirs(out, exist_ok=True)
    y, names, X, clin = make_cohort.generate(patients=190, positives=108, features=450, constant=12, seed=12,
                                             factors_per_seq=25)
    buf = os.path.join(out, "cohort.csv")
    make_cohort.write_csv(buf, y, names, X, clin, digits=6)
    raw = open(buf, "rb").read()
    os.remove(buf)
    with gzip.GzipFile(os.path.join(out, "cohort.csv.gz"), "wb", compresslevel=9, mtime=0) as g:
        g.write(raw)
    df = pd.read_csv(io.BytesIO(raw))
    ref = pipeline_sklearn.run(df, seed=42, clinical=CLINICAL, sr=stats_ref)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
    print("kept", len(ref["spearman_kept"]), len(ref["fclassif_kept"]), "lasso", len(ref["lasso"]["coefficients"]),
          "alpha index", ref["lasso"]["alpha_index"], "constant", len(ref["constant_dropped"]))
    for m in ("clinical", "t2", "dwi", "dce", "multimodal", "combined"):
        e = ref[m]
        print(m, None if not e or "train" not in e else (round(e["train"]["auc"], 3), round(e["test"]["auc"], 3)))


if __name__ == "__main__":
    main()
