"""RadiomicsFeatureExtractor: parity with PyRadiomics 3.0.1's Python API on the reference cases."""
import collections
import math

import numpy as np
import pytest

import radscore
from conftest import (
    CASES,
    SMALL,
    assert_features_match,
    case_paths,
    close,
    default_reference,
    read_nrrd,
)

REF = default_reference()


def features_of(result):
    return [(k, v) for k, v in result.items() if not k.startswith("diagnostics_")]


def ref_features(case):
    return [(k, float(v)) for k, v in REF[case]["items"] if not k.startswith("diagnostics_")]


def ref_diagnostics(case):
    return {k: v for k, v in REF[case]["items"] if k.startswith("diagnostics_")}


@pytest.mark.parametrize("case", list(CASES))
def test_default_extractor_matches_pyradiomics(case):
    """RadiomicsFeatureExtractor() with no params: PyRadiomics' keys, order and values."""
    img, msk, label = case_paths(case)
    ext = radscore.RadiomicsFeatureExtractor()
    res = ext.execute(img, msk, label=label)
    assert isinstance(res, collections.OrderedDict)
    feats = features_of(res)
    assert len(feats) == 107
    assert all(isinstance(v, float) for _, v in feats)
    assert_features_match(feats, ref_features(case), case)


@pytest.mark.parametrize("case", ["breast1", "prostate_phantom_L8"])
def test_diagnostics_radscore_states(case):
    """Every PyRadiomics diagnostics entry radscore emits under PyRadiomics' key has its value;
    versions name radscore; the diagnostics come first, as in PyRadiomics."""
    img, msk, label = case_paths(case)
    res = radscore.RadiomicsFeatureExtractor().execute(img, msk, label=label)
    keys = list(res)
    n_diag = sum(k.startswith("diagnostics_") for k in keys)
    assert all(k.startswith("diagnostics_") for k in keys[:n_diag])
    assert res["diagnostics_Versions_radscore"] == radscore.__version__
    want = ref_diagnostics(case)
    # the settings as PyRadiomics prints them (same dict, same order, label applied)
    assert str(res["diagnostics_Configuration_Settings"]) == want["diagnostics_Configuration_Settings"]
    assert str(res["diagnostics_Configuration_EnabledImageTypes"]) == want[
        "diagnostics_Configuration_EnabledImageTypes"
    ]
    for k, v in res.items():
        if not k.startswith("diagnostics_") or k not in want or "Versions" in k:
            continue
        if isinstance(v, float):
            assert close(v, float(want[k])), k
        elif isinstance(v, tuple) and all(isinstance(t, float) for t in v):
            w = [float(t) for t in want[k].strip("()").split(",")]
            assert all(close(a, b) for a, b in zip(v, w)), k
        else:
            assert str(v) == want[k], k


def test_settings_kwargs_and_attributes():
    """Keyword settings override; settings/enabledImagetypes/enabledFeatures are PyRadiomics'."""
    ext = radscore.RadiomicsFeatureExtractor(binWidth=10)
    assert ext.settings["binWidth"] == 10
    assert ext.settings["label"] == 1 and ext.settings["additionalInfo"] is True
    assert ext.enabledImagetypes == {"Original": {}}
    assert list(ext.enabledFeatures) == ["firstorder", "glcm", "gldm", "glrlm", "glszm", "ngtdm", "shape"]
    ext.disableAllFeatures()
    ext.enableFeatureClassByName("firstorder")
    img, msk, label = case_paths("breast1")
    res = ext.execute(img, msk, label=label)
    names = [k for k, _ in features_of(res)]
    assert names and all(n.startswith("original_firstorder_") for n in names)
    # bin width 10 changes the entropy (PyRadiomics default 25 gives the reference value)
    ref = dict(ref_features("breast1"))
    assert not close(res["original_firstorder_Entropy"], ref["original_firstorder_Entropy"])
    # first-order features that do not depend on the binning are unchanged
    assert close(res["original_firstorder_Mean"], ref["original_firstorder_Mean"])


def test_params_dict_and_feature_subset():
    params = {"featureClass": {"glcm": ["Contrast", "Idm"], "firstorder": ["Mean"]}}
    ext = radscore.RadiomicsFeatureExtractor(params)
    img, msk, label = case_paths("syn1")
    res = ext.execute(img, msk, label=label)
    ref = dict(ref_features("syn1"))
    feats = features_of(res)
    assert [k for k, _ in feats] == ["original_glcm_Contrast", "original_glcm_Idm", "original_firstorder_Mean"]
    for k, v in feats:
        assert close(v, ref[k]), k


def test_add_provenance_off():
    ext = radscore.RadiomicsFeatureExtractor(additionalInfo=False)
    img, msk, label = case_paths("syn3")
    res = ext.execute(img, msk, label=label)
    assert not any(k.startswith("diagnostics_") for k in res)
    assert_features_match(features_of(res), ref_features("syn3"), "syn3")


@pytest.mark.parametrize("case", ["breast1", "syn2", "prostate_phantom"])
def test_numpy_arrays_match_files(case):
    """numpy arrays [z, y, x] with spacing give the file's values."""
    img, msk, label = case_paths(case)
    iarr, (sp, org, dr) = read_nrrd(img)
    marr, _ = read_nrrd(msk)
    ext = radscore.RadiomicsFeatureExtractor(additionalInfo=False)
    res = ext.execute(iarr, marr, label=label, spacing=sp, origin=org, direction=dr)
    assert_features_match(features_of(res), ref_features(case), case)


def test_simpleitk_images_match_files():
    sitk = pytest.importorskip("SimpleITK")
    img, msk, label = case_paths("breast1")
    ext = radscore.RadiomicsFeatureExtractor(additionalInfo=False)
    res = ext.execute(sitk.ReadImage(img), sitk.ReadImage(msk), label=label)
    assert_features_match(features_of(res), ref_features("breast1"), "breast1 (SimpleITK)")
