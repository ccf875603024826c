"""Cohort extraction: a table of cases to a PyRadiomics-shaped pandas DataFrame, on local
threads or on a Dask cluster (one task per case)."""
from __future__ import annotations

import collections
import json
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import _radscore
from ._radscore import RadscoreError
from .extractor import RadiomicsFeatureExtractor, _as_label, _static_diagnostics, merge_diagnostics

#: The column that holds a failed case's error message (empty for cases that succeeded).
ERROR_COLUMN = "radscore_error"


def _extract_case(image: str, mask: str, label, params_json: str, source: str, threads: int):
    """One case, as run on a worker: ``(True, [(name, value), ...])`` or ``(False, message)``.

    Never raises for a bad case, so that one case's failure does not stop the batch (Dask
    would otherwise cancel the gather).
    """
    try:
        doc = json.loads(params_json)
        settings = doc.get("setting", {})
        lab = _as_label(settings.get("label", 1) if label is None else label)
        params = _radscore.Params.from_json(params_json, source)
        features, diagnostics, _warnings = _radscore.extract_files(image, mask, params, lab, threads)
        items = []
        if settings.get("additionalInfo", False):
            s = dict(settings)
            s["label"] = lab
            static = _static_diagnostics(s, doc.get("imageType", {}))
            items.extend(merge_diagnostics(static, diagnostics).items())
        items.extend(features)
        return True, items
    except RadscoreError as e:
        return False, str(e)
    except Exception as e:  # noqa: BLE001 - reported in the case's row
        return False, f"{type(e).__name__}: {e}"


def _read_table(table):
    import pandas as pd

    if isinstance(table, pd.DataFrame):
        # relative paths are the caller's: resolve them here, not in the workers' folders
        return table.reset_index(drop=True).copy(), os.getcwd()
    path = os.fspath(table)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as e:
        raise RadscoreError(f"cannot read the batch table {path}: {e}") from None
    return df, os.path.dirname(os.path.abspath(path))


def extract_batch(
    table,
    params=None,
    client=None,
    id_column: str = "ID",
    *,
    threads: int | None = None,
    threads_per_case: int = 1,
    **settings,
):
    """Extracts every case of a cohort table; returns a pandas DataFrame.

    ``table``: a DataFrame or the path of a CSV with ``Image`` and ``Mask`` columns (file paths;
    in a CSV, relative paths are relative to the CSV's folder, as in PyRadiomics' batch mode; in
    a DataFrame, to the current folder — resolved before the cases are sent to workers)
    and an optional ``Label`` column (empty: the params' ``label``, default 1). ``params``: a
    params file, a params dict or None (PyRadiomics' defaults); ``settings`` override settings
    (``binWidth=10``).

    With ``client`` (a ``dask.distributed.Client``) each case is one task on the cluster's
    workers (the workers need radscore installed and must see the image paths); without it,
    ``threads`` local threads (default: the CPUs) extract the cases, ``threads_per_case``
    threads each.

    The result has one row per input row, in input order: the input's columns (from a CSV,
    ``Image`` and ``Mask`` resolved to the paths read, as PyRadiomics writes them), then the
    ``diagnostics_*`` entries and the features in PyRadiomics' order (the order of the first
    case that succeeded), then ``radscore_error``: empty where the case succeeded, the error
    message where it failed (its feature cells are then NaN). ``id_column``, when present, must
    not hold duplicates.
    """
    import pandas as pd

    df, base = _read_table(table)
    from_csv = not isinstance(table, pd.DataFrame)
    for col in ("Image", "Mask"):
        if col not in df.columns:
            raise RadscoreError(
                f"batch table: expected columns Image and Mask (optional Label), found {list(df.columns)}"
            )
    if id_column in df.columns:
        dup = df[id_column][df[id_column].duplicated()].tolist()
        if dup:
            raise RadscoreError(f"batch table: column {id_column} has duplicates: {dup[:5]}")
    if params is None:
        extractor = RadiomicsFeatureExtractor(**settings)
    else:
        extractor = RadiomicsFeatureExtractor(params, **settings)
    checked, doc = extractor._params()
    names = list(checked.feature_names())
    params_json = json.dumps(doc)
    source = extractor._source

    def path_of(v):
        v = "" if v is None else str(v)
        if base is not None and v and not os.path.isabs(v):
            v = os.path.join(base, v)
        return v

    cases = []
    for _, row in df.iterrows():
        label = row["Label"] if "Label" in df.columns else None
        if label is not None and (str(label).strip() == "" or (isinstance(label, float) and label != label)):
            label = None
        if label is not None:
            try:
                label = int(float(label))
            except ValueError:
                pass  # reported by the case
        cases.append((path_of(row["Image"]), path_of(row["Mask"]), label))
    if from_csv:
        # as PyRadiomics' batch mode: the output names the files it read
        df["Image"] = [c[0] for c in cases]
        df["Mask"] = [c[1] for c in cases]

    if client is not None:
        # keys unique to this call (a key the scheduler still holds would return its old result);
        # named by row so that a case is found on the dashboard
        token = uuid.uuid4().hex[:12]
        futures = client.map(
            _extract_case,
            [c[0] for c in cases],
            [c[1] for c in cases],
            [c[2] for c in cases],
            params_json=params_json,
            source=source,
            threads=threads_per_case,
            pure=False,
            key=[f"radscore-case-{token}-{i}" for i in range(len(cases))],
        )
        results = _gather_each(futures)
    else:
        n = threads or os.cpu_count() or 1
        with ThreadPoolExecutor(max_workers=max(1, min(n, len(cases) or 1))) as pool:
            results = list(
                pool.map(
                    lambda c: _extract_case(c[0], c[1], c[2], params_json, source, threads_per_case),
                    cases,
                )
            )
    return _assemble(df, results, names)


def _gather_each(futures):
    """Each case's result; a task that failed on the cluster itself (a worker killed by the
    system, radscore missing on a worker) is reported in its row like any failing case."""
    from distributed import wait

    wait(futures)
    results = []
    for f in futures:
        try:
            results.append(f.result())
        except Exception as e:  # noqa: BLE001 - reported in the case's row
            results.append((False, f"the Dask task failed: {type(e).__name__}: {e}"))
    return results


def _assemble(df, results, names):
    import numpy as np
    import pandas as pd

    # diagnostics of the first cases that succeeded, then the params' features in PyRadiomics'
    # order (stable even when the first cases fail), then any a case added
    columns: "collections.OrderedDict[str, None]" = collections.OrderedDict()
    for ok, items in results:
        if ok:
            for k, _ in items:
                if k.startswith("diagnostics_"):
                    columns.setdefault(k, None)
    for k in names:
        columns.setdefault(k, None)
    for ok, items in results:
        if ok:
            for k, _ in items:
                columns.setdefault(k, None)
    rows: list[dict[str, Any]] = []
    errors = []
    for ok, items in results:
        if ok:
            rows.append(dict(items))
            errors.append("")
        else:
            rows.append({})
            errors.append(items)
    data = {}
    for k in columns:
        vals = [r.get(k, np.nan) for r in rows]
        if k.startswith("diagnostics_"):
            data[k] = pd.Series(vals, dtype=object)
        else:
            data[k] = pd.Series(vals, dtype="float64")
    feats = pd.DataFrame(data, index=df.index)
    feats[ERROR_COLUMN] = errors
    clash = [c for c in feats.columns if c in df.columns]
    if clash:
        raise RadscoreError(f"batch table: input columns {clash} clash with output columns")
    return pd.concat([df, feats], axis=1)
