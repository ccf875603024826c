"""Params files through the Python API: PyRadiomics' full extraction (every class and filter
radscore implements) equal to the PyRadiomics 3.0.1 references, locally and on Dask."""
import json
import os

import pandas as pd
import pytest
import yaml

import radscore
from conftest import (
    CASES,
    PYRAD_ALL,
    ROOT,
    SMALL,
    assert_features_match,
    case_paths,
    close,
    read_feature_csv,
)

PARAMS_ALL = os.path.join(ROOT, "tests", "oracles", "pyradiomics", "params_all.yaml")


def without_lbp(doc):
    doc = dict(doc)
    doc["imageType"] = {k: v for k, v in doc["imageType"].items() if not k.startswith("LBP")}
    return doc


@pytest.fixture(scope="module")
def params_file(tmp_path_factory):
    """params_all.yaml (PyRadiomics' reference run) without LBP3D, which radscore does not
    implement."""
    with open(PARAMS_ALL) as f:
        doc = without_lbp(yaml.safe_load(f))
    p = tmp_path_factory.mktemp("params") / "params_all_no_lbp.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    return str(p)


def reference(case):
    return [(k, v) for k, v in read_feature_csv(os.path.join(PYRAD_ALL, f"{case}.csv")) if "lbp-3D" not in k]


@pytest.mark.parametrize("case", list(CASES))
def test_full_params_file_matches_pyradiomics(case, params_file):
    img, msk, label = case_paths(case)
    res = radscore.RadiomicsFeatureExtractor(params_file).execute(img, msk, label=label)
    feats = [(k, v) for k, v in res.items() if not k.startswith("diagnostics_")]
    assert len(feats) == 1595
    assert_features_match(feats, reference(case), case)


def test_json_params_and_dict_equal_yaml(params_file, tmp_path):
    with open(params_file) as f:
        doc = yaml.safe_load(f)
    pj = tmp_path / "params.json"
    pj.write_text(json.dumps(doc))
    img, msk, label = case_paths("syn2")
    a = radscore.RadiomicsFeatureExtractor(params_file, additionalInfo=False).execute(img, msk, label=label)
    b = radscore.RadiomicsFeatureExtractor(str(pj), additionalInfo=False).execute(img, msk, label=label)
    c = radscore.RadiomicsFeatureExtractor(doc, additionalInfo=False).execute(img, msk, label=label)
    assert list(a.items()) == list(b.items()) == list(c.items())


def test_unknown_setting_lbp2d_and_non_default_lbp3d_refused(tmp_path):
    with pytest.raises(radscore.RadscoreError, match="binWidht"):
        radscore.RadiomicsFeatureExtractor({"setting": {"binWidht": 5}})
    with pytest.raises(radscore.RadscoreError, match="LBP2D"):
        radscore.RadiomicsFeatureExtractor({"imageType": {"LBP2D": {}}})
    # LBP3D runs with PyRadiomics' defaults only (core/src/filters/lbp3d.rs).
    with pytest.raises(radscore.RadscoreError, match="lbp3DLevels"):
        radscore.RadiomicsFeatureExtractor({"imageType": {"LBP3D": {"lbp3DLevels": 3}}})


def test_enable_methods_follow_pyradiomics_order():
    ext = radscore.RadiomicsFeatureExtractor(additionalInfo=False)
    ext.enableImageTypeByName("Square")
    ext.enableImageTypeByName("LoG", customArgs={"sigma": [2.0]})
    ext.disableAllFeatures()
    ext.enableFeaturesByName(firstorder=["Mean", "Maximum"], glszm=[])
    img, msk, label = case_paths("breast1")
    res = ext.execute(img, msk, label=label)
    types = []
    for k in res:
        t = k.split("_")[0]
        if t not in types:
            types.append(t)
    assert types == ["original", "square", "log-sigma-2-0-mm-3D"]
    assert [k for k in res if k.startswith("original_")][:2] == ["original_firstorder_Mean", "original_firstorder_Maximum"]
    ref = dict(read_feature_csv(os.path.join(PYRAD_ALL, "breast1.csv")))
    for k, v in res.items():
        if k in ref:
            assert close(v, ref[k]), k


def test_dask_batch_full_params_matches_pyradiomics(params_file):
    """The issue's check: extract_batch(..., client=Client(LocalCluster(n_workers=2))) equals
    PyRadiomics within 1e-9."""
    distributed = pytest.importorskip("distributed")
    cases = ["breast1", "syn3", "prostate_phantom_L8"]
    df = pd.DataFrame(
        [dict(zip(("Image", "Mask", "Label"), case_paths(c)), ID=c) for c in cases]
    )[["ID", "Image", "Mask", "Label"]]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cl, distributed.Client(cl) as client:
        out = radscore.extract_batch(df, params=params_file, client=client)
    assert (out[radscore.batch.ERROR_COLUMN] == "").all()
    for i, c in enumerate(cases):
        want = reference(c)
        got = [(k, out.at[i, k]) for k, _ in want]
        assert_features_match(got, want, c)


def test_extraction_releases_the_gil(params_file):
    """While a thread extracts (brain1, full params: ~0.2 CPU s), the main thread keeps running
    Python: the longest pause it sees is a small part of the extraction's time. With the GIL held
    by the extraction, the pause would span all of it."""
    import threading
    import time

    img, msk, label = case_paths("brain1")
    ext = radscore.RadiomicsFeatureExtractor(params_file, threads=1, additionalInfo=False)
    ext.execute(img, msk, label=label)  # warm the file cache
    done = threading.Event()
    params, _ = ext._params()

    def work():
        radscore._radscore.extract_files(img, msk, params, label, 1)
        done.set()

    t = threading.Thread(target=work)
    t0 = last = time.perf_counter()
    longest = 0.0
    t.start()
    while True:
        # a pause of the main thread shows as a gap between two iterations (a GIL held during
        # the extraction would make one gap as long as the extraction)
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
        if done.is_set():
            break
    t.join()
    total = time.perf_counter() - t0
    print(f"longest pause {longest:.4f} s of {total:.4f} s")
    assert longest < 0.5 * total, f"main thread paused {longest:.3f} s of {total:.3f} s"
