#!/usr/bin/env python3
"""Turns a paper-shaped cohort into what PyRadiomics users have: real PyRadiomics names of every
class and image type, and one batch table per sequence plus a clinical table (for timing
`radscore cohort` and `radscore train` on real names; same values as the input cohort).

    python3 bench/train/pyradiomics_batch.py trainer/tests/oracle/paper_cohort.csv.gz OUT_DIR

Writes OUT_DIR/{clinical.csv, t2.csv, dwi.csv, dce.csv} (batch tables: ID, Image, Mask,
diagnostics_*, unprefixed features; rows shuffled) and OUT_DIR/cohort_names.csv (the input cohort
with the new names, in the order `radscore cohort` writes them). The clinical column `texture`
becomes `t2_signal`; `patient_id` becomes `ID`. Name lists: tests/fixtures/pyradiomics-batch/make_fixture.py.
Needs only the Python standard library.
"""
import csv
import gzip
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "fixtures", "pyradiomics-batch"))
SEQS = ["t2", "dwi", "dce"]


def main():
    src, out = sys.argv[1], sys.argv[2]
    # make_fixture imports numpy/pandas/sklearn at the top; only its name generator is needed
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "names", os.path.join(HERE, "..", "..", "tests", "fixtures", "pyradiomics-batch", "make_fixture.py"))
    text = open(spec.origin).read()
    start = text.index("SEQS = ")
    end = text.index("def main():")
    ns = {}
    exec(text[start:end], ns)
    os.makedirs(out, exist_ok=True)
    opener = gzip.open if src.endswith(".gz") else open
    with opener(src, "rt", newline="") as f:
        rows = list(csv.reader(f))
    header, data = rows[0], rows[1:]
    seq_cols = {s: [j for j, h in enumerate(header) if h.startswith(s + "_")] for s in SEQS}
    clin = [j for j, h in enumerate(header) if not any(j in c for c in seq_cols.values())]
    rename = {"patient_id": "ID", "texture": "t2_signal"}
    names = {}
    # every name PyRadiomics 3.0.1 writes for these image types (shape on original only), in
    # its order; each sequence takes a seeded sample of it, kept in that order
    every = [f"original_shape_{f}" for f in ns["FEATURES"]["shape"]]
    every += [f"{it}_{c}_{f}" for it in ns["IMAGE_TYPES"] for c in ns["TEXTURE"] for f in ns["FEATURES"][c]]
    for k, s in enumerate(SEQS):
        pick = sorted(random.Random(k).sample(range(len(every)), len(seq_cols[s])))
        names[s] = [every[i] for i in pick]
    ch = [rename.get(header[j], header[j]) for j in clin]
    with open(os.path.join(out, "clinical.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(ch)
        for r in data:
            w.writerow([r[j] for j in clin])
    id_col = header.index("patient_id")
    for k, s in enumerate(SEQS):
        order = list(range(len(data)))
        random.Random(16 + k).shuffle(order)
        with open(os.path.join(out, f"{s}.csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["ID", "Image", "Mask", "diagnostics_Versions_PyRadiomics",
                        "diagnostics_Configuration_Settings", "diagnostics_Mask-original_VoxelNum"] + names[s])
            for i in order:
                r = data[i]
                w.writerow([r[id_col], f"images/{r[id_col]}_{s}.nrrd", f"images/{r[id_col]}_mask.nrrd", "v3.0.1",
                            "{'minimumROIDimensions': 2, 'binWidth': 25}", str(100 + i)]
                           + [r[j] for j in seq_cols[s]])
    with open(os.path.join(out, "cohort_names.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(ch + [f"{s}_{n}" for s in SEQS for n in names[s]])
        for r in data:
            w.writerow([r[j] for j in clin] + [r[j] for s in SEQS for j in seq_cols[s]])
    print(f"{len(data)} rows, {sum(len(v) for v in names.values())} features -> {out}")


if __name__ == "__main__":
    main()
