#!/usr/bin/env python3
"""Driver of bench/train/run.sh (oracle cohort, wall and CPU time): scikit-learn pipeline and `radscore train` on the same cohort.

* scikit-learn: `sklearn_selection.py` (in a subprocess, BLAS pinned to one thread), two workloads:
  `multimodal` (one selection over all columns, what trainer-notes timed) and `full` (the work
  `radscore train` does: t2/dwi/dce/multimodal selections and the logistic models).
  Median of --repeat runs, CSV parsing excluded.
* Rust: wall time of the whole `radscore train` process (CSV parsing, all selections, logistic
  models, DeLong statistics, model file, summary.json and the HTML/SVG report), median of --repeat
  runs; the per-stage seconds it prints on stderr are collected too.
"""
import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--radscore", required=True)
    ap.add_argument("--sklearn", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20260211)
    a = ap.parse_args()

    sk = {}
    for wl in ("multimodal", "full"):
        out = subprocess.run([sys.executable, a.sklearn, "--input", a.csv, "--repeat", str(a.repeat), "--workload", wl,
                              "--seed", str(a.seed)],
                             check=True, capture_output=True, text=True).stdout
        sk[wl] = json.loads(out)

    cmd = [a.radscore, "train", "--input", a.csv, "--label-column", "label", "--seed", str(a.seed),
           "--clinical-columns", "texture,volume", "--out", f"{a.work}/model.rsm", "--report-dir", f"{a.work}/report"]
    walls, cpus, stages = [], [], []
    for _ in range(a.repeat):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        p = subprocess.run(cmd, check=True, capture_output=True, text=True)
        walls.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
        stages.append(p.stderr)
    rs_wall = statistics.median(walls)
    # "multimodal: ... (alpha index i; a s + b s)" -> Spearman and LASSO-CV seconds of the selection
    sel = {}
    for line in stages[walls.index(rs_wall)].splitlines():
        m = re.search(r"radscore train: (\w+): .*\(alpha index (\d+); ([0-9.]+) s \+ ([0-9.]+) s\)", line)
        if m:
            sel[m.group(1)] = {"alpha_index": int(m.group(2)), "spearman_s": float(m.group(3)), "lasso_cv_s": float(m.group(4))}
    with open(f"{a.work}/report/summary.json") as f:
        summary = json.load(f)

    mm, full = sk["multimodal"]["median_s"], sk["full"]["median_s"]
    rs_mm = sel.get("multimodal", {})
    rs_mm_sel = rs_mm.get("spearman_s", float("nan")) + rs_mm.get("lasso_cv_s", float("nan"))
    sk_mm_sel = mm["spearman"] + mm["lasso_cv"]
    res = {
        "data": {"n_train": sk["full"]["n_train"], "n_features": sk["full"]["n_features"]},
        "sklearn_multimodal_s": mm, "sklearn_full_s": full, "sklearn_csv_read_s": sk["full"]["csv_read_s"],
        "sklearn_models": sk["full"]["models"],
        "radscore_train_wall_s": walls, "radscore_train_cpu_s": cpus, "radscore_selection_s": sel,
        "radscore_lasso_alpha_index": summary.get("lasso", {}).get("alpha_index"),
        "ratio_full_vs_radscore_train": full["total"] / rs_wall,
        "ratio_cpu_full_vs_radscore_train": full["total_cpu"] / statistics.median(cpus),
        "ratio_full_plus_csv_vs_radscore_train": (full["total"] + sk["full"]["csv_read_s"]) / rs_wall,
        "ratio_multimodal_vs_radscore_train": mm["total"] / rs_wall,
        "ratio_multimodal_selection_spearman_plus_lassocv": sk_mm_sel / rs_mm_sel if rs_mm_sel > 0 else None,
    }
    print(json.dumps(res, indent=1))
    print(f"\nscikit-learn multimodal pipeline  : {mm['total']:.3f} s (spearman {mm['spearman']:.3f}, "
          f"f_classif {mm['fclassif']:.4f}, LassoCV {mm['lasso_cv']:.3f})")
    print(f"scikit-learn full (= radscore work): {full['total']:.3f} s (+ CSV read {sk['full']['csv_read_s']:.3f} s)")
    print(f"radscore train (whole process)     : {rs_wall:.3f} s (runs {', '.join(f'{w:.3f}' for w in walls)}; "
          f"CPU {statistics.median(cpus):.3f} s)")
    print(f"scikit-learn CPU (full / multimodal): {full['total_cpu']:.3f} / {mm['total_cpu']:.3f} s; load average "
          f"{' '.join(f'{v:.1f}' for v in __import__('os').getloadavg())}")
    print(f"radscore multimodal selection      : spearman {rs_mm.get('spearman_s')} s + LassoCV {rs_mm.get('lasso_cv_s')} s")
    print(f"speed-up full / radscore train     : {res['ratio_full_vs_radscore_train']:.1f}x (goal 10x; "
          f"CPU time {res['ratio_cpu_full_vs_radscore_train']:.1f}x)")
    print(f"speed-up multimodal / radscore train: {res['ratio_multimodal_vs_radscore_train']:.1f}x")
    if res["ratio_multimodal_selection_spearman_plus_lassocv"]:
        print(f"speed-up multimodal Spearman+LassoCV stage by stage: {res['ratio_multimodal_selection_spearman_plus_lassocv']:.1f}x")


if __name__ == "__main__":
    main()
