#!/usr/bin/env python3
"""scikit-learn / scipy side of the `radscore train` benchmark (run.sh + compare.py; see README.md).

Reads the cohort CSV (gzip or plain), takes the training rows of the seed's stratified split and times the
study's selection pipeline exactly as the reference oracle runs it
(`trainer/tests/oracle/make_paper_oracle.py`, `bench/train/README.md`):

  constant columns dropped -> StandardScaler -> scipy.stats.spearmanr + greedy |rho| >= 0.9 ->
  f_classif / SelectKBest(k = n_kept // 2) -> LassoCV(cv=KFold(5)) -> radscore ->
  unpenalised LogisticRegression on the radscore

Two workloads are timed (median of --repeat runs, CSV parsing excluded and reported separately):
  multimodal  one selection over all radiomics columns (what trainer-notes timed: 3.8 s there)
  full        the same work `radscore train` does: t2, dwi, dce and multimodal selections, each
              followed by a logistic model, plus the clinical and combined logistic models

Prints one JSON object on stdout.
"""
import argparse
import json
import statistics
import sys
import time
import warnings

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.feature_selection import SelectKBest, VarianceThreshold, f_classif
from sklearn.linear_model import LassoCV, LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import KFold, train_test_split
from sklearn.preprocessing import StandardScaler


def select(Z_tr, y_tr, t):
    """Spearman greedy -> SelectKBest -> LassoCV; returns (kept, selected, lasso, seconds per stage)."""
    t0 = time.perf_counter()
    c0 = time.process_time()
    rho = stats.spearmanr(Z_tr).statistic
    kept = []
    for j in range(Z_tr.shape[1]):
        if not kept or np.all(np.abs(rho[j, kept]) < 0.9):
            kept.append(j)
    t1 = time.perf_counter()
    t["spearman_cpu"] += time.process_time() - c0
    Zk = Z_tr[:, kept]
    skb = SelectKBest(f_classif, k=len(kept) // 2).fit(Zk, y_tr)
    sel = np.where(skb.get_support())[0]
    t2 = time.perf_counter()
    c2 = time.process_time()
    las = LassoCV(cv=KFold(5), alphas=100, eps=1e-3).fit(Zk[:, sel], y_tr)
    t3 = time.perf_counter()
    t["lasso_cv_cpu"] += time.process_time() - c2
    t["spearman"] += t1 - t0
    t["fclassif"] += t2 - t1
    t["lasso_cv"] += t3 - t2
    return kept, sel, las


def run(df, names, workload, seed):
    t = {"zscore": 0.0, "spearman": 0.0, "fclassif": 0.0, "lasso_cv": 0.0, "logistic": 0.0,
         "spearman_cpu": 0.0, "lasso_cv_cpu": 0.0}
    t_start = time.perf_counter()
    c_start = time.process_time()
    y = df["label"].to_numpy().astype(int)
    # the seed's stratified split, rows in train_test_split's order (what `radscore train --seed` uses)
    train, _ = train_test_split(np.arange(len(y)), test_size=0.3, stratify=y, random_state=seed)
    y_tr = y[train]
    X_tr = df[names].to_numpy(dtype=float)[train]
    t0 = time.perf_counter()
    vt = VarianceThreshold(0.0).fit(X_tr)
    live = np.where(vt.get_support())[0]
    Z_tr = StandardScaler().fit_transform(X_tr[:, live])
    t["zscore"] += time.perf_counter() - t0
    live_names = [names[j] for j in live]
    groups = {"multimodal": np.arange(len(live))}
    if workload == "full":
        groups = {s: np.array([i for i, n in enumerate(live_names) if n.startswith(s + "_")]) for s in ("t2", "dwi", "dce")}
        groups["multimodal"] = np.arange(len(live))
    out = {}
    rad_mm = None
    for g, cols in groups.items():
        Zg = Z_tr[:, cols]
        kept, sel, las = select(Zg, y_tr, t)
        rad = las.intercept_ + Zg[:, kept][:, sel] @ las.coef_
        t0 = time.perf_counter()
        lr = LogisticRegression(C=np.inf, max_iter=1000).fit(rad[:, None], y_tr)
        t["logistic"] += time.perf_counter() - t0
        out[g] = {"spearman_kept": len(kept), "fclassif_kept": len(sel), "lasso_nonzero": int(np.sum(las.coef_ != 0)),
                  "alpha_index": int(np.argmin(las.mse_path_.mean(1))),
                  "auc_train": float(roc_auc_score(y_tr, lr.decision_function(rad[:, None])))}
        if g == "multimodal":
            rad_mm = rad
    if workload == "full":
        t0 = time.perf_counter()
        clin = df[["texture", "volume"]].to_numpy(dtype=float)[train]
        for c in range(clin.shape[1]):                         # univariate screen
            LogisticRegression(C=np.inf, max_iter=1000).fit(clin[:, [c]], y_tr)
        LogisticRegression(C=np.inf, max_iter=1000).fit(clin, y_tr)
        LogisticRegression(C=np.inf, max_iter=1000).fit(np.column_stack([rad_mm, clin]), y_tr)
        t["logistic"] += time.perf_counter() - t0
    t["total"] = time.perf_counter() - t_start
    t["total_cpu"] = time.process_time() - c_start
    return t, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20260211)
    ap.add_argument("--workload", choices=["multimodal", "full"], default="multimodal")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    df = pd.read_csv(a.input, float_precision="round_trip")
    t_read = time.perf_counter() - t0
    names = [c for c in df.columns if c.split("_", 1)[0] in ("t2", "dwi", "dce")]
    runs = []
    for _ in range(a.repeat):
        t, out = run(df, names, a.workload, a.seed)
        runs.append(t)
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    json.dump({"workload": a.workload, "n_train": int(len(df) - -(-3 * len(df) // 10)), "n_features": len(names),
               "csv_read_s": t_read, "median_s": med, "runs_total_s": [r["total"] for r in runs], "models": out},
              sys.stdout)
    print()


if __name__ == "__main__":
    main()
