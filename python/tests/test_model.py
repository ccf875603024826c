"""radscore.Model: scores equal to the CLI's `radscore score` on the same table."""
import os
import subprocess

import numpy as np
import pandas as pd
import pytest

import radscore
from conftest import ROOT, cli_binary

MODEL = os.path.join(ROOT, "core", "tests", "data", "format1-illustrative.rsm")


@pytest.fixture(scope="module")
def model():
    return radscore.Model(MODEL)


def table(model, n=40, seed=7):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"patient_id": [f"p{i:03d}" for i in range(n)]})
    for f in model.features:
        df[f["column"]] = rng.normal(f["mean"], f["sd"] * 1.5, n)
    for c in model.info()["clinical"]:
        lo, hi = c["axis"]
        df[c["name"]] = rng.integers(0, 2, n) if c["kind"] == "binary" else rng.uniform(lo, hi, n)
    return df


def exact_csv(path):
    """A CSV with every numeric cell parsed by Python's float (correctly rounded)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for c in df.columns:
        if c != "patient_id":
            df[c] = [float(v) for v in df[c]]
    return df


def test_info_and_recipes(model):
    info = model.info()
    assert info["artifact"]["format_version"] in (1, 2)
    assert len(model.features) == len(model.feature_columns) > 0
    for f, col in zip(model.features, model.feature_columns):
        assert f["column"] == col
        assert {"sequence", "name", "bin_width", "label", "mean", "sd", "coefficient", "source"} <= set(f)
    assert model.clinical_columns == [c["name"] for c in info["clinical"]]
    assert 0 < model.threshold < 1


def test_scores_equal_cli(model, tmp_path):
    df = table(model)
    inp, out = tmp_path / "features.csv", tmp_path / "scores.csv"
    df.to_csv(inp, index=False, float_format="%.17g")
    subprocess.run([cli_binary(), "score", "--model", MODEL, "--input", str(inp), "--out", str(out)], check=True)
    cli = exact_csv(out)
    # the table as the CLI read it (the same decimal text, parsed exactly)
    df = exact_csv(inp)
    got = model.score(df)
    assert list(cli.columns) == ["patient_id"] + list(got.columns)
    for c in got.columns:
        assert np.array_equal(got[c].to_numpy(), cli[c].to_numpy()), c
    assert np.array_equal(model.predict_proba(df)[:, 1], cli["probability"].to_numpy())
    assert np.array_equal(model.radscore(df), cli["radscore"].to_numpy())
    assert np.array_equal(model.predict(df), cli["predicted_class"].to_numpy())


def test_missing_column_and_bad_value(model):
    df = table(model, n=3)
    with pytest.raises(radscore.RadscoreError, match="missing column"):
        model.score(df.drop(columns=[model.feature_columns[0]]))
    df.loc[1, model.feature_columns[0]] = np.nan
    with pytest.raises(radscore.RadscoreError, match=r"row 1 \(p001\)"):
        model.predict_proba(df)


def test_bad_model_file(tmp_path):
    p = tmp_path / "bad.rsm"
    p.write_bytes(b"RSM1garbage")
    with pytest.raises(radscore.RadscoreError, match="bad.rsm"):
        radscore.Model(str(p))
