"""extract_batch: PyRadiomics' batch output shape and values; local threads vs a Dask
LocalCluster (2 worker processes), value for value; a bad case is reported in its row."""
import math
import os
import shutil

import numpy as np
import pandas as pd
import pytest

import radscore
from conftest import PYRAD_PY, case_paths, close

BATCH_INPUT = os.path.join(PYRAD_PY, "batch_input.csv")
BATCH_REF = os.path.join(PYRAD_PY, "batch.csv")


def feature_columns(df):
    return [c for c in df.columns if "_" in c and not c.startswith("diagnostics_") and c != radscore.batch.ERROR_COLUMN]


def assert_frames_equal_values(a, b):
    """Same columns, same cells; floats bit for bit (NaN == NaN)."""
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for c in a.columns:
        for x, y in zip(a[c], b[c]):
            if isinstance(x, float) and isinstance(y, float):
                assert (math.isnan(x) and math.isnan(y)) or x == y, (c, x, y)
            else:
                assert str(x) == str(y), (c, x, y)


@pytest.fixture(scope="module")
def local_result():
    return radscore.extract_batch(BATCH_INPUT)


def test_local_batch_matches_pyradiomics_batch(local_result):
    """A CSV path (relative image paths resolved against its folder) gives PyRadiomics' batch
    columns: the input's, then diagnostics, then the same features in the same order and values."""
    ref = pd.read_csv(BATCH_REF)
    got = local_result
    assert list(got.columns[:4]) == ["ID", "Image", "Mask", "Label"]
    assert feature_columns(got) == feature_columns(ref)
    assert list(got["ID"]) == list(ref["ID"])
    # as PyRadiomics' batch mode, the paths read (resolved against the CSV's folder)
    for col in ("Image", "Mask"):
        assert [os.path.relpath(p, PYRAD_PY) for p in got[col]] == list(ref[col])
        assert all(os.path.isabs(p) for p in got[col])
    assert (got[radscore.batch.ERROR_COLUMN] == "").all()
    for c in feature_columns(ref):
        for x, y in zip(got[c], ref[c]):
            assert close(x, y), (c, x, y)
    n_in, n_diag = 4, sum(c.startswith("diagnostics_") for c in got.columns)
    assert all(c.startswith("diagnostics_") for c in got.columns[n_in : n_in + n_diag])
    assert got.columns[-1] == radscore.batch.ERROR_COLUMN


def test_dataframe_input_and_threads(local_result):
    df = pd.read_csv(BATCH_INPUT)
    df["Image"] = [os.path.join(PYRAD_PY, p) for p in df["Image"]]
    df["Mask"] = [os.path.join(PYRAD_PY, p) for p in df["Mask"]]
    one = radscore.extract_batch(df, threads=1)
    assert_frames_equal_values(one[feature_columns(one)], local_result[feature_columns(local_result)])


def test_batch_goes_on_past_a_bad_case(tmp_path):
    img, msk, _ = case_paths("syn1")
    img2, msk2, _ = case_paths("syn3")
    df = pd.DataFrame(
        {
            "ID": ["a", "missing", "wrong-label", "b"],
            "Image": [img, str(tmp_path / "missing.nrrd"), img, img2],
            "Mask": [msk, msk, msk, msk2],
            "Label": [1, 1, 7, ""],
        }
    )
    out = radscore.extract_batch(df, binWidth=25)
    err = out[radscore.batch.ERROR_COLUMN]
    assert err[0] == "" and err[3] == ""
    assert "missing.nrrd" in err[1]
    assert "label" in err[2]
    feats = feature_columns(out)
    assert len(feats) == 107
    assert out.loc[[1, 2], feats].isna().all().all()
    assert not out.loc[[0, 3], feats].isna().any().any()


def test_batch_table_errors(tmp_path):
    with pytest.raises(radscore.RadscoreError, match="Image and Mask"):
        radscore.extract_batch(pd.DataFrame({"ID": [1], "Img": ["x"], "Mask": ["y"]}))
    with pytest.raises(radscore.RadscoreError, match="duplicates"):
        radscore.extract_batch(pd.DataFrame({"ID": [1, 1], "Image": ["x", "y"], "Mask": ["y", "z"]}))
    with pytest.raises(radscore.RadscoreError, match="cannot read"):
        radscore.extract_batch(str(tmp_path / "none.csv"))


def test_dask_local_cluster_equals_local_batch(local_result):
    """Two worker processes, one task per case: the same table, value for value."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        got = radscore.extract_batch(BATCH_INPUT, client=client)
        assert_frames_equal_values(got, local_result)
        # a failing case on the cluster is reported in its row too
        df = pd.read_csv(BATCH_INPUT)
        df["Image"] = [os.path.join(PYRAD_PY, p) for p in df["Image"]]
        df["Mask"] = [os.path.join(PYRAD_PY, p) for p in df["Mask"]]
        df.loc[1, "Mask"] = "/nonexistent/mask.nrrd"
        bad = radscore.extract_batch(df, client=client)
        assert "nonexistent" in bad[radscore.batch.ERROR_COLUMN][1]
        assert (bad[radscore.batch.ERROR_COLUMN][[0, 2]] == "").all()


def test_batch_where_every_case_fails_keeps_its_columns(tmp_path):
    df = pd.DataFrame({"ID": ["x", "y"], "Image": ["/nonexistent/a.nrrd"] * 2, "Mask": ["/nonexistent/b.nrrd"] * 2})
    out = radscore.extract_batch(df)
    assert len(feature_columns(out)) == 107
    assert out[feature_columns(out)].isna().all().all()
    assert all("/nonexistent/" in e and "No such file" in e for e in out[radscore.batch.ERROR_COLUMN])


def test_gather_reports_failed_tasks_per_row():
    """A task that fails on the cluster itself (not a radscore error) lands in its row."""
    distributed = pytest.importorskip("distributed")

    def boom(x):
        if x == 1:
            raise MemoryError("worker ran out of memory")
        return True, [("original_firstorder_Mean", float(x))]

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cl, distributed.Client(cl) as client:
        futures = client.map(boom, [0, 1, 2], pure=False)
        res = radscore.batch._gather_each(futures)
    assert res[0] == (True, [("original_firstorder_Mean", 0.0)])
    assert res[1][0] is False and "MemoryError" in res[1][1] and "out of memory" in res[1][1]
    assert res[2][0] is True
