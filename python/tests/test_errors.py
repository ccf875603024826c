"""Bad inputs raise radscore.RadscoreError (a ValueError) with the Rust message."""
import os

import numpy as np
import pytest

import radscore
from conftest import case_paths


def test_error_is_value_error():
    assert issubclass(radscore.RadscoreError, ValueError)


def test_missing_image_file(tmp_path):
    _, msk, _ = case_paths("syn1")
    missing = str(tmp_path / "nope.nrrd")
    with pytest.raises(radscore.RadscoreError, match="nope.nrrd"):
        radscore.RadiomicsFeatureExtractor().execute(missing, msk)


def test_not_an_image(tmp_path):
    bad = tmp_path / "bad.nrrd"
    bad.write_bytes(b"this is not an image\n")
    img, _, _ = case_paths("syn1")
    with pytest.raises(radscore.RadscoreError, match="bad.nrrd"):
        radscore.RadiomicsFeatureExtractor().execute(img, str(bad))


def test_label_not_in_mask():
    img, msk, _ = case_paths("syn1")
    with pytest.raises(radscore.RadscoreError, match="label"):
        radscore.RadiomicsFeatureExtractor().execute(img, msk, label=5)


@pytest.mark.parametrize("label", [0, -1, 1.5, "x"])
def test_bad_label_values(label):
    img, msk, _ = case_paths("syn1")
    with pytest.raises(radscore.RadscoreError, match="label"):
        radscore.RadiomicsFeatureExtractor().execute(img, msk, label=label)


def test_grids_differ():
    img, _, _ = case_paths("syn1")
    _, msk, _ = case_paths("breast1")
    with pytest.raises(radscore.RadscoreError):
        radscore.RadiomicsFeatureExtractor().execute(img, msk)


def test_array_without_spacing():
    a = np.zeros((4, 5, 6), dtype=np.int16)
    with pytest.raises(radscore.RadscoreError, match="spacing"):
        radscore.RadiomicsFeatureExtractor().execute(a, a.astype(np.uint8))


def test_array_shapes_differ():
    a = np.zeros((4, 5, 6), dtype=np.int16)
    m = np.zeros((4, 5, 7), dtype=np.uint8)
    with pytest.raises(radscore.RadscoreError, match="size"):
        radscore.RadiomicsFeatureExtractor().execute(a, m, spacing=(1, 1, 1))


def test_empty_mask_array():
    a = np.arange(4 * 5 * 6, dtype=np.int16).reshape(4, 5, 6)
    m = np.zeros_like(a, dtype=np.uint8)
    with pytest.raises(radscore.RadscoreError, match="label"):
        radscore.RadiomicsFeatureExtractor().execute(a, m, spacing=(1, 1, 1))


def test_missing_params_file(tmp_path):
    with pytest.raises(IOError):
        radscore.RadiomicsFeatureExtractor(str(tmp_path / "none.yaml"))


def test_params_unknown_top_level_key():
    with pytest.raises(radscore.RadscoreError, match="settings. is not known to PyRadiomics"):
        radscore.RadiomicsFeatureExtractor({"settings": {"binWidth": 5}})


def test_voxel_based_refused():
    img, msk, _ = case_paths("syn1")
    with pytest.raises(radscore.RadscoreError, match="voxel"):
        radscore.RadiomicsFeatureExtractor().execute(img, msk, voxelBased=True)
