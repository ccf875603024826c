"""PyRadiomics settings variants (tests/fixtures/reference/pyradiomics-variants/<variant>/:
params.yaml, cases.csv, <case>.csv or <case>.error.txt) through extract_batch."""
import csv
import os

import pandas as pd
import pytest

import radscore
from conftest import FIXTURES, assert_features_match, read_feature_csv

VARIANTS = os.path.join(FIXTURES, "pyradiomics-variants")
#: Variants whose settings radscore implements (pyradiomics-variants/implemented.txt, shared with
#: runtime-cli/tests/cli_params.rs): every value must match, and a case PyRadiomics refuses must
#: fail with a message. The others are run and skipped with what differs.
with open(os.path.join(VARIANTS, "implemented.txt")) as _f:
    IMPLEMENTED_VARIANTS = {l.strip() for l in _f if l.strip() and not l.startswith("#")}


def variant_dirs():
    if not os.path.isdir(VARIANTS):
        return []
    return sorted(d for d in os.listdir(VARIANTS) if os.path.isfile(os.path.join(VARIANTS, d, "params.yaml")))


def test_implemented_variants_exist():
    assert IMPLEMENTED_VARIANTS
    assert IMPLEMENTED_VARIANTS <= set(variant_dirs())


@pytest.mark.parametrize("variant", variant_dirs())
def test_variant(variant):
    d = os.path.join(VARIANTS, variant)
    with open(os.path.join(d, "cases.csv"), newline="") as f:
        cases = list(csv.DictReader(f))
    table = pd.DataFrame(
        {
            "ID": [c["case"] for c in cases],
            "Image": [os.path.join(VARIANTS, c["image"]) for c in cases],
            "Mask": [os.path.join(VARIANTS, c["mask"]) for c in cases],
            "Label": [int(c["label"]) for c in cases],
        }
    )
    problems = []
    try:
        out = radscore.extract_batch(table, params=os.path.join(d, "params.yaml"))
    except radscore.RadscoreError as e:
        out, problems = None, [f"params refused: {e}"]
    for i, c in enumerate(cases if out is not None else []):
        err = out[radscore.batch.ERROR_COLUMN][i]
        if os.path.exists(os.path.join(d, f"{c['case']}.error.txt")):
            if not err:
                problems.append(f"{c['case']}: PyRadiomics failed, radscore succeeded")
            continue
        if err:
            problems.append(f"{c['case']}: {err}")
            continue
        want = read_feature_csv(os.path.join(d, f"{c['case']}.csv"))
        try:
            assert_features_match([(k, out.at[i, k] if k in out.columns else float("inf")) for k, _ in want], want, c["case"])
        except AssertionError as e:
            problems.append(str(e).splitlines()[0])
    if variant not in IMPLEMENTED_VARIANTS and problems:
        pytest.skip(f"variant {variant} not implemented yet: {problems[0]}")
    assert not problems, "\n".join(problems)
