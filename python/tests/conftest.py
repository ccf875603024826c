"""Shared helpers of the radscore Python tests: fixture paths, reference readers, comparisons."""
import csv
import gzip
import json
import math
import os

import numpy as np
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "reference")
PYRAD = os.path.join(FIXTURES, "pyradiomics")
PYRAD_ALL = os.path.join(FIXTURES, "pyradiomics-all")
PYRAD_PY = os.path.join(FIXTURES, "pyradiomics-python")
DATA = os.path.join(PYRAD, "data")

#: The reference cases: image, mask, label (as tests/oracles/pyradiomics/extract_reference.py).
CASES = {
    "brain1": ("brain1_image.nrrd", "brain1_label.nrrd", 1),
    "breast1": ("breast1_image.nrrd", "breast1_label.nrrd", 1),
    "brain2": ("brain2_image.nrrd", "brain2_label.nrrd", 1),
    "prostate_phantom": ("prostate_phantom_subvolume.nrrd", "prostate_phantom_subvolume-label.nrrd", 1),
    "prostate_phantom_L8": ("prostate_phantom_subvolume.nrrd", "prostate_phantom_subvolume-label.nrrd", 8),
    "syn1": ("syn1_image.nrrd", "syn1_label.nrrd", 1),
    "syn2": ("syn2_image.nrrd", "syn2_label.nrrd", 1),
    "syn3": ("syn3_image.nrrd", "syn3_label.nrrd", 1),
}
#: Small cases for the slower tests (brain1 is 1.6 M voxels).
SMALL = ["breast1", "prostate_phantom_L8", "syn1", "syn2", "syn3"]

RTOL = 1e-9


def case_paths(case):
    img, msk, label = CASES[case]
    return os.path.join(DATA, img), os.path.join(DATA, msk), label


def close(a, b, rtol=RTOL):
    """Equal within rtol relative (absolute near 0), NaN equal to NaN only."""
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rtol * max(abs(a), abs(b), 1e-300) or abs(a - b) <= 1e-300


def assert_features_match(got, want, what=""):
    """``got``: (name, value) pairs; ``want``: (name, value) pairs: same names, same order, values
    within RTOL."""
    got, want = list(got), list(want)
    assert [k for k, _ in got] == [k for k, _ in want], f"{what}: feature names or order differ"
    bad = [(k, g, w) for (k, g), (_, w) in zip(got, want) if not close(g, w)]
    assert not bad, f"{what}: {len(bad)} of {len(want)} values differ, e.g. {bad[:5]}"


def default_reference():
    with open(os.path.join(PYRAD_PY, "default.json")) as f:
        return json.load(f)["cases"]


def read_feature_csv(path):
    with open(path, newline="") as f:
        return [(r["feature"], float(r["value"])) for r in csv.DictReader(f)]


def read_nrrd(path):
    """A minimal reader for the fixtures' NRRD files (raw or gzip, little endian, 3-D): returns
    the array indexed [z, y, x] and (spacing, origin, direction) as SimpleITK reports them."""
    with open(path, "rb") as f:
        raw = f.read()
    head, _, body = raw.partition(b"\n\n")
    fields = {}
    for line in head.decode("ascii").splitlines()[1:]:
        if line.startswith("#") or ":" not in line:
            continue
        k, v = line.split(":", 1)
        fields[k.strip().lower()] = v.lstrip("=").strip()
    types = {
        "short": "<i2", "int16": "<i2", "signed short": "<i2", "ushort": "<u2", "unsigned short": "<u2",
        "uint16": "<u2", "int": "<i4", "int32": "<i4", "uint": "<u4", "unsigned int": "<u4",
        "float": "<f4", "double": "<f8", "uchar": "u1", "unsigned char": "u1", "uint8": "u1",
        "char": "i1", "signed char": "i1", "int8": "i1",
    }
    dtype = np.dtype(types[fields["type"]])
    if fields.get("endian", "little") == "big":
        dtype = dtype.newbyteorder(">")
    if fields.get("encoding", "raw") in ("gzip", "gz"):
        body = gzip.decompress(body)
    sizes = [int(s) for s in fields["sizes"].split()]
    arr = np.frombuffer(body, dtype=dtype, count=int(np.prod(sizes))).reshape(sizes[::-1])
    vecs = [
        [float(t) for t in v.strip("()").split(",")]
        for v in fields["space directions"].replace(") (", ")|(").split("|")
    ]
    spacing = tuple(math.sqrt(sum(t * t for t in v)) for v in vecs)
    direction = [[v[i] / s for i in range(3)] for v, s in zip(vecs, spacing)]
    origin = [float(t) for t in fields["space origin"].strip("()").split(",")]
    space = fields.get("space", "left-posterior-superior")
    if space in ("right-anterior-superior", "RAS"):
        flip = [-1, -1, 1]
        origin = [o * f for o, f in zip(origin, flip)]
        direction = [[d * f for d, f in zip(row, flip)] for row in direction]
    # SimpleITK's GetDirection: row-major matrix whose columns are the axes' directions
    flat = tuple(direction[c][r] for r in range(3) for c in range(3))
    return arr, (spacing, tuple(origin), flat)


def cli_binary():
    """The `radscore` CLI for comparisons: $RADSCORE_CLI, else one on PATH."""
    import shutil

    exe = os.environ.get("RADSCORE_CLI") or shutil.which("radscore")
    if not exe:
        pytest.skip("no radscore CLI (set RADSCORE_CLI to the binary; .ci/run does)")
    return exe
