"""Times `radscore train` against the same pipeline in scikit-learn/scipy/statsmodels on one
paper-shaped synthetic cohort (190 patients -> 133 training rows x 2971 radiomics columns).

    python bench/train/bench.py [--radscore target/release/radscore] [--repeats 3] [--keep DIR]

Needs numpy, pandas, scipy, scikit-learn, statsmodels. BLAS/OpenMP are pinned to one thread (as in
the reference timing of docs); `radscore train` may use two threads for the CV folds. Prints the
median wall time of each and the ratio, plus whether both kept the same features.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(v, "1")

import pandas as pd  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_cohort  # noqa: E402
import pipeline_sklearn  # noqa: E402

CLINICAL = ["texture", "volume", "age", "ki67", "density"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--radscore", default=os.path.join(HERE, "..", "..", "target", "release", "radscore"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--keep", default=None, help="folder to keep the cohort and outputs in")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="radscore-bench-train-")
    os.makedirs(work, exist_ok=True)
    cohort = os.path.join(work, "cohort.csv")
    y, names, X, clin = make_cohort.generate(seed=7)
    make_cohort.write_csv(cohort, y, names, X, clin)
    df = pd.read_csv(cohort)
    print(f"cohort: {len(y)} patients ({int(y.sum())} positive), {X.shape[1]} radiomics columns -> "
          f"{len(y) - -(-3 * len(y) // 10)} training rows", flush=True)

    rs_times, sk_times = [], []
    for r in range(a.repeats):
        out = os.path.join(work, f"model{r}.rsm")
        t0 = time.perf_counter()
        p = subprocess.run([a.radscore, "train", "--input", cohort, "--label-column", "label", "--seed", str(a.seed),
                            "--clinical-columns", ",".join(CLINICAL), "--out", out, "--quiet"],
                           capture_output=True, text=True)
        rs_times.append(time.perf_counter() - t0)
        if p.returncode != 0:
            sys.exit(f"radscore train failed: {p.stderr}")
        t0 = time.perf_counter()
        ref = pipeline_sklearn.run(df, seed=a.seed, clinical=CLINICAL, with_metrics=False)
        sk_times.append(time.perf_counter() - t0)
    summary = json.load(open(os.path.join(work, "summary.json")))
    rs, sk = statistics.median(rs_times), statistics.median(sk_times)
    print(f"radscore train : {rs:.3f} s (runs {', '.join(f'{t:.3f}' for t in rs_times)}) incl. CSV parsing")
    print(f"scikit-learn   : {sk:.3f} s (runs {', '.join(f'{t:.3f}' for t in sk_times)}) on a parsed DataFrame")
    print(f"speed-up       : {sk / rs:.1f}x")
    same = {k: summary[k] == ref[k] for k in ("constant_dropped", "spearman_kept", "fclassif_kept")}
    same["lasso features"] = sorted(summary["lasso"]["coefficients"]) == sorted(ref["lasso"]["coefficients"])
    same["alpha"] = abs(summary["lasso"]["alpha"] - ref["lasso"]["alpha"]) <= 1e-12 * ref["lasso"]["alpha"]
    print("same selections:", same, f"(kept: Spearman {len(ref['spearman_kept'])}, F {len(ref['fclassif_kept'])}, "
          f"LASSO {len(ref['lasso']['coefficients'])})")


if __name__ == "__main__":
    main()
