#!/usr/bin/env python
"""Cases per second on one Dask LocalCluster: radscore.extract_batch vs PyRadiomics 3.0.1, both
one task per case on the same workers, in one run.

Usage: python bench/python/bench_dask.py [--copies K] [--workers W] [--params FILE] [--out JSON]
The batch is the reference cases of tests/fixtures/reference/pyradiomics (all seven, brain1
included) repeated K times. Needs radscore, PyRadiomics 3.0.1, dask[distributed] and pandas in
one environment (bench/python/run.sh makes it).
"""
import argparse
import json
import logging
import math
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "tests", "fixtures", "reference", "pyradiomics", "data")
CASES = [
    ("brain1", "brain1_image.nrrd", "brain1_label.nrrd", 1),
    ("breast1", "breast1_image.nrrd", "breast1_label.nrrd", 1),
    ("prostate_phantom", "prostate_phantom_subvolume.nrrd", "prostate_phantom_subvolume-label.nrrd", 1),
    ("prostate_phantom_L8", "prostate_phantom_subvolume.nrrd", "prostate_phantom_subvolume-label.nrrd", 8),
    ("syn1", "syn1_image.nrrd", "syn1_label.nrrd", 1),
    ("syn2", "syn2_image.nrrd", "syn2_label.nrrd", 1),
    ("syn3", "syn3_image.nrrd", "syn3_label.nrrd", 1),
]


def pyradiomics_case(image, mask, label, params):
    """One PyRadiomics case on a worker (the same work as a radscore task)."""
    import logging as lg

    import SimpleITK as sitk
    from radiomics import featureextractor

    lg.getLogger("radiomics").setLevel(lg.ERROR)
    sitk.ProcessObject.SetGlobalDefaultNumberOfThreads(1)
    ext = featureextractor.RadiomicsFeatureExtractor(params) if params else featureextractor.RadiomicsFeatureExtractor()
    try:
        res = ext.execute(image, mask, label=label)
    except Exception as e:  # noqa: BLE001
        return False, str(e)
    return True, [(k, float(v)) for k, v in res.items() if not k.startswith("diagnostics_")]


def workers_cpu(client):
    """User + system CPU seconds of every worker process so far (load-independent cost)."""

    def cpu():
        import psutil

        t = psutil.Process().cpu_times()
        return t.user + t.system

    return sum(client.run(cpu).values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--params", default=None, help="a params file (default: PyRadiomics' defaults)")
    ap.add_argument(
        "--full",
        action="store_true",
        help="PyRadiomics' full extraction: tests/oracles/pyradiomics/params_all.yaml without LBP3D",
    )
    ap.add_argument("--out", default=None)
    a = ap.parse_args()

    import dask
    import distributed
    import pandas as pd
    import radiomics

    import radscore

    params, params_label = a.params, (os.path.relpath(a.params, ROOT) if a.params else "PyRadiomics defaults")
    if a.full:
        import yaml

        with open(os.path.join(ROOT, "tests", "oracles", "pyradiomics", "params_all.yaml")) as f:
            params = yaml.safe_load(f)
        params["imageType"].pop("LBP3D", None)
        params_label = "params_all.yaml without LBP3D (1 595 features)"
    rows = []
    for k in range(a.copies):
        for name, img, msk, label in CASES:
            rows.append({"ID": f"{name}-{k}", "Image": os.path.join(DATA, img), "Mask": os.path.join(DATA, msk), "Label": label})
    table = pd.DataFrame(rows)
    n = len(table)
    env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    os.environ.update(env)
    with distributed.LocalCluster(
        n_workers=a.workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        # warm-up: imports on every worker, one small case each way
        small = table[table["ID"].str.startswith("syn1")].head(1)
        radscore.extract_batch(small, params, client=client)
        client.run(lambda: __import__("radiomics.featureextractor"))

        c0 = workers_cpu(client)
        t0 = time.perf_counter()
        rs = radscore.extract_batch(table, params, client=client)
        t_rs = time.perf_counter() - t0
        cpu_rs = workers_cpu(client) - c0

        c0 = workers_cpu(client)
        t0 = time.perf_counter()
        futs = client.map(
            pyradiomics_case,
            list(table["Image"]),
            list(table["Mask"]),
            list(table["Label"]),
            params=params,
            pure=False,
            key=[f"pyrad-{time.time_ns()}-{i}" for i in range(n)],
        )
        pr = client.gather(futs)
        t_pr = time.perf_counter() - t0
        cpu_pr = workers_cpu(client) - c0
        load = os.getloadavg()

    failed_rs = int((rs[radscore.batch.ERROR_COLUMN] != "").sum())
    failed_pr = sum(not ok for ok, _ in pr)
    # the two give the same values (PyRadiomics' order and names)
    worst, compared = 0.0, 0
    for i, (ok, items) in enumerate(pr):
        if not ok:
            continue
        for k, v in items:
            g = rs.at[i, k]
            if math.isnan(v) and math.isnan(g):
                continue
            worst = max(worst, abs(g - v) / max(abs(v), 1e-300))
            compared += 1
    res = {
        "cases": n,
        "workers": a.workers,
        "threads_per_worker": 1,
        "params": params_label,
        "radscore_seconds": round(t_rs, 3),
        "radscore_cases_per_s": round(n / t_rs, 2),
        "pyradiomics_seconds": round(t_pr, 3),
        "pyradiomics_cases_per_s": round(n / t_pr, 2),
        "speedup": round(t_pr / t_rs, 1),
        "radscore_worker_cpu_s_per_case": round(cpu_rs / n, 4),
        "pyradiomics_worker_cpu_s_per_case": round(cpu_pr / n, 4),
        "cpu_ratio": round(cpu_pr / cpu_rs, 1),
        "load_average_after": [round(x, 1) for x in load],
        "failed": {"radscore": failed_rs, "pyradiomics": failed_pr},
        "values_compared": compared,
        "max_relative_difference": worst,
        "versions": {
            "radscore": radscore.__version__,
            "pyradiomics": radiomics.__version__,
            "dask": dask.__version__,
            "python": platform.python_version(),
        },
        "cpus": os.cpu_count(),
    }
    print(json.dumps(res, indent=2))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=2)
    if worst > 1e-9 or failed_rs or failed_pr:
        sys.exit("radscore and PyRadiomics disagree (see above)")


if __name__ == "__main__":
    main()
