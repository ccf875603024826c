"""Seeded paper-shaped synthetic radiomics cohort (numpy only).

Shape of the study: 190 patients (108 positive), features per sequence t2/dwi/dce named
`<seq>_<PyRadiomics name>` (20 image types x 50 features = 1000 names per sequence available),
correlated blocks (each feature loads on one latent factor of its sequence, then goes through a
monotone transform so Spearman sees the block), a few label-related factors, constant columns,
and clinical columns: `texture` (0/1), `volume` (mm3), `age`, `ki67` (0/1), `density` (0/1).

    python make_cohort.py OUT.csv [--patients 190 --positives 108 --features 2971 --constant 25
                                   --seed 7 --digits 17 --split]
With --split a `split` column (train/test) from scikit-learn's stratified 70/30 split is written.
"""
import argparse

import numpy as np

CLASSES = (
    "firstorder_10Percentile firstorder_90Percentile firstorder_Energy firstorder_Entropy "
    "firstorder_InterquartileRange firstorder_Kurtosis firstorder_Maximum firstorder_MeanAbsoluteDeviation "
    "firstorder_Mean firstorder_Median firstorder_Minimum firstorder_Range firstorder_RobustMeanAbsoluteDeviation "
    "firstorder_RootMeanSquared firstorder_Skewness firstorder_TotalEnergy firstorder_Uniformity firstorder_Variance "
    "glszm_GrayLevelNonUniformity glszm_GrayLevelNonUniformityNormalized glszm_GrayLevelVariance "
    "glszm_HighGrayLevelZoneEmphasis glszm_LargeAreaEmphasis glszm_LargeAreaHighGrayLevelEmphasis "
    "glszm_LargeAreaLowGrayLevelEmphasis glszm_LowGrayLevelZoneEmphasis glszm_SizeZoneNonUniformity "
    "glszm_SizeZoneNonUniformityNormalized glszm_SmallAreaEmphasis glszm_SmallAreaHighGrayLevelEmphasis "
    "glszm_SmallAreaLowGrayLevelEmphasis glszm_ZoneEntropy glszm_ZonePercentage glszm_ZoneVariance "
    "glrlm_GrayLevelNonUniformity glrlm_GrayLevelNonUniformityNormalized glrlm_GrayLevelVariance "
    "glrlm_HighGrayLevelRunEmphasis glrlm_LongRunEmphasis glrlm_LongRunHighGrayLevelEmphasis "
    "glrlm_LongRunLowGrayLevelEmphasis glrlm_LowGrayLevelRunEmphasis glrlm_RunEntropy "
    "glrlm_RunLengthNonUniformity glrlm_RunLengthNonUniformityNormalized glrlm_RunPercentage glrlm_RunVariance "
    "glrlm_ShortRunEmphasis glrlm_ShortRunHighGrayLevelEmphasis glrlm_ShortRunLowGrayLevelEmphasis"
).split()
IMAGE_TYPES = (["original", "exponential", "gradient"]
               + [f"log-sigma-{s // 2}-{5 * (s % 2)}-mm-3D" for s in range(2, 11)]
               + [f"wavelet-{b}" for b in ("LLH", "LHL", "LHH", "HLL", "HLH", "HHL", "HHH", "LLL")])
SEQUENCES = ("t2", "dwi", "dce")


def feature_names(per_seq):
    out = []
    for seq, k in zip(SEQUENCES, per_seq):
        names = [f"{seq}_{t}_{c}" for t in IMAGE_TYPES for c in CLASSES]
        assert k <= len(names)
        out.extend(names[:k])
    return out


def generate(patients=190, positives=108, features=2971, constant=25, seed=7, factors_per_seq=40):
    rng = np.random.default_rng(seed)
    y = np.zeros(patients, dtype=int)
    y[rng.permutation(patients)[:positives]] = 1
    per_seq = [features // 3 + (1 if i < features % 3 else 0) for i in range(3)]
    names = feature_names(per_seq)
    cols = []
    for s, k in enumerate(per_seq):
        F = rng.standard_normal((patients, factors_per_seq))
        # two factors differ between the classes (the signal), weaker in later sequences
        for f in range(2):
            F[:, f] += (0.55 - 0.2 * f) * (y - y.mean())
        for j in range(k):
            f = int(rng.integers(factors_per_seq))
            w = rng.uniform(0.93, 0.999) if rng.uniform() < 0.7 else rng.uniform(0.4, 0.93)
            z = w * F[:, f] + np.sqrt(1 - w * w) * rng.standard_normal(patients)
            kind = j % 4
            if kind == 0:
                v = z
            elif kind == 1:
                v = np.exp(0.5 * z) * 100.0
            elif kind == 2:
                v = np.tanh(z / 2.0) + 3.0
            else:
                v = (z + 6.0) ** 3 / 50.0
            cols.append(v * rng.uniform(0.5, 20.0) + rng.uniform(-5.0, 5.0))
    X = np.column_stack(cols)
    const_idx = rng.choice(features, size=constant, replace=False)
    for j in const_idx:
        X[:, j] = float(rng.integers(0, 3))
    clin = {
        "texture": (rng.uniform(size=patients) < np.where(y == 1, 0.55, 0.3)).astype(int),
        "volume": np.round(np.exp(rng.normal(np.where(y == 1, 8.6, 9.2), 0.8)), 1),
        "age": np.round(rng.normal(47, 10, patients)),
        "ki67": (rng.uniform(size=patients) < 0.5).astype(int),
        "density": (rng.uniform(size=patients) < 0.4).astype(int),
    }
    return y, names, X, clin


def write_csv(path, y, names, X, clin, digits=17, split=None):
    fmt = f"%.{digits}g"
    with open(path, "w") as f:
        head = ["patient_id", "label"] + (["split"] if split is not None else []) + list(clin) + names
        f.write(",".join(head) + "\n")
        for i in range(len(y)):
            row = [f"P{i:04d}", str(y[i])] + ([split[i]] if split is not None else [])
            row += [fmt % clin[c][i] for c in clin]
            row += [fmt % v for v in X[i]]
            f.write(",".join(row) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--patients", type=int, default=190)
    ap.add_argument("--positives", type=int, default=108)
    ap.add_argument("--features", type=int, default=2971)
    ap.add_argument("--constant", type=int, default=25)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--digits", type=int, default=17)
    ap.add_argument("--split", action="store_true")
    a = ap.parse_args()
    y, names, X, clin = generate(a.patients, a.positives, a.features, a.constant, a.seed)
    split = None
    if a.split:
        from sklearn.model_selection import train_test_split
        tr, _ = train_test_split(np.arange(len(y)), test_size=0.3, stratify=y, random_state=a.seed)
        split = np.array(["test"] * len(y), dtype=object)
        split[tr] = "train"
    write_csv(a.out, y, names, X, clin, a.digits, split)


if __name__ == "__main__":
    main()
