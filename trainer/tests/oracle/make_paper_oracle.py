#!/usr/bin/env python3
"""Paper-shaped cohort + scikit-learn reference run of the radiomics selection pipeline.

The breast-cancer oracle (30 features, n > p) does not exercise what a real radiomics table does:
p >> n, blocks of strongly correlated features (the same feature over LoG sigmas / wavelet
bands), constant and train-only-constant columns, exact duplicates (rho = +-1), heavily tied
(discretised, count, binary) and heavy-tailed columns. This script builds such a cohort with a
fixed seed and runs the study's pipeline through scikit-learn / scipy exactly as
the trainer's documentation describes it:

  1. train_test_split(arange(190), test_size=0.3, stratify=y, random_state=SEED)
  2. constant columns (zero training variance, exact: VarianceThreshold(0) uses peak-to-peak) dropped
  3. StandardScaler fitted on the training rows
  4. Spearman (scipy.stats.spearmanr) |rho| >= 0.9, greedy keep-first in column order
  5. SelectKBest(f_classif, k = n_kept // 2)
  6. LassoCV(cv=KFold(5) without shuffle, alphas=100, eps=1e-3, default tol / max_iter)
  7. radscore = intercept + sum(beta_i z_i); AUC (roc_auc_score) on train and test

Outputs (next to this script unless PAPER_ORACLE_OUT is set):
  paper_cohort.csv.gz   patient_id,label,split,texture,volume,<seq>_<pyradiomics name>...
                        (values are written with repr(), so every reader gets the same doubles)
  paper_oracle.json     kept indices at every stage, F scores, alphas, mse_path, alpha index,
                        coefficients, intercept, AUCs and the decision margins (how far the data
                        are from a threshold / tie, so that a disagreement is a bug, not noise)

Run: <python of tests/oracles/trainer/install.sh> make_paper_oracle.py   (scikit-learn 1.9.1, scipy 1.17.1, numpy 2.4.6)
"""
import gzip
import io
import json
import os
import platform
import sys
import time

import numpy as np
import scipy
import sklearn
from scipy import stats
from sklearn.feature_selection import SelectKBest, VarianceThreshold, f_classif
from sklearn.linear_model import LassoCV
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import KFold, train_test_split
from sklearn.preprocessing import StandardScaler

SEED = int(os.environ.get("PAPER_ORACLE_SEED", "20260211"))    # data generator and split seed
# multiplies the label signal (1 = the committed fixture; ~0.2 puts the CV minimum at small alphas
# where the path hits max_iter, 0 = no signal)
SIGNAL = float(os.environ.get("PAPER_ORACLE_SIGNAL", "1"))
N, N_POS = 190, 108      # 108 HER-2-low (label 1), 82 HER-2-zero
N_FEATURES = 2971
TEST_SIZE = 0.3
RHO_T = 0.9
SIG_DIGITS = 5           # values are rounded to 5 significant digits (keeps the gzip small)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.environ.get("PAPER_ORACLE_OUT", HERE)

FIRSTORDER = ["10Percentile", "90Percentile", "Energy", "Entropy", "InterquartileRange", "Kurtosis",
              "Maximum", "MeanAbsoluteDeviation", "Mean", "Median", "Minimum", "Range",
              "RobustMeanAbsoluteDeviation", "RootMeanSquared", "Skewness", "TotalEnergy",
              "Uniformity", "Variance"]
GLSZM = ["GrayLevelNonUniformity", "GrayLevelNonUniformityNormalized", "GrayLevelVariance",
         "HighGrayLevelZoneEmphasis", "LargeAreaEmphasis", "LargeAreaHighGrayLevelEmphasis",
         "LargeAreaLowGrayLevelEmphasis", "LowGrayLevelZoneEmphasis", "SizeZoneNonUniformity",
         "SizeZoneNonUniformityNormalized", "SmallAreaEmphasis", "SmallAreaHighGrayLevelEmphasis",
         "SmallAreaLowGrayLevelEmphasis", "ZoneEntropy", "ZonePercentage", "ZoneVariance"]
GLRLM = ["GrayLevelNonUniformity", "GrayLevelNonUniformityNormalized", "GrayLevelVariance",
         "HighGrayLevelRunEmphasis", "LongRunEmphasis", "LongRunHighGrayLevelEmphasis",
         "LongRunLowGrayLevelEmphasis", "LowGrayLevelRunEmphasis", "RunEntropy",
         "RunLengthNonUniformity", "RunLengthNonUniformityNormalized", "RunPercentage", "RunVariance",
         "ShortRunEmphasis", "ShortRunHighGrayLevelEmphasis", "ShortRunLowGrayLevelEmphasis"]
FEATURES = ([f"firstorder_{f}" for f in FIRSTORDER] + [f"glszm_{f}" for f in GLSZM]
            + [f"glrlm_{f}" for f in GLRLM])                                   # 50
SIGMAS = ["1-0", "1-5", "2-0", "2-5", "3-0", "3-5", "4-0", "4-5", "5-0"]
BANDS = ["LLH", "LHL", "LHH", "HLL", "HLH", "HHL", "HHH", "LLL"]
IMAGE_TYPES = (["original", "exponential", "gradient"] + [f"log-sigma-{s}-mm-3D" for s in SIGMAS]
               + [f"wavelet-{b}" for b in BANDS])                              # 20 -> 1000 / sequence
SEQUENCES = ["t2", "dwi", "dce"]


def round_sig(x, digits=SIG_DIGITS):
    """Round to `digits` significant digits through the decimal string (exact, like the CSV)."""
    return np.array([float(f"{v:.{digits}g}") for v in np.ravel(x)]).reshape(np.shape(x))


def make_cohort(rng):
    y = np.zeros(N, dtype=int)
    y[rng.choice(N, N_POS, replace=False)] = 1
    idx_tr, idx_te = train_test_split(np.arange(N), test_size=TEST_SIZE, stratify=y, random_state=SEED)
    yc = y - y.mean()

    names, cols, kinds = [], [], []
    for seq in SEQUENCES:
        # one factor per group of 3 feature names (related features share a factor); each image
        # type adds its own factor; the label signal sits in 3 factors that reach only a few columns
        n_groups = (len(FEATURES) + 2) // 3
        g = rng.standard_normal((N, n_groups))
        g[:, rng.integers(n_groups)] += SIGNAL * 0.2 * yc / yc.std()
        g /= g.std(0)
        sig = rng.standard_normal((N, 3)) + SIGNAL * rng.uniform(0.2, 0.4, 3) * (yc / yc.std())[:, None]
        sig /= sig.std(0)
        sig_cols = {int(c): int(i % 3) for i, c in enumerate(rng.choice(len(FEATURES) * len(IMAGE_TYPES), 12, replace=False))}
        h = rng.standard_normal((N, len(IMAGE_TYPES)))
        # sigma-continuous noise: AR(1) over the LoG sigmas per feature
        for fi, feat in enumerate(FEATURES):
            ar = rng.uniform(0.9, 0.995)
            e_prev = rng.standard_normal(N)
            for ti, itype in enumerate(IMAGE_TYPES):
                if itype.startswith("log-sigma"):
                    e = ar * e_prev + np.sqrt(1 - ar * ar) * rng.standard_normal(N)
                    e_prev = e
                else:
                    e = rng.standard_normal(N)
                lam = rng.uniform(0.93, 0.999) if not itype.startswith("wavelet") else rng.uniform(0.7, 0.99)
                mu = rng.uniform(0.0, 0.2)
                lat = lam * g[:, fi // 3] + mu * h[:, ti] + np.sqrt(max(1 - lam * lam - mu * mu, 0.02)) * e
                c = fi * len(IMAGE_TYPES) + ti
                if c in sig_cols:
                    w = rng.uniform(0.4, 0.8)
                    lat = np.sqrt(1 - w * w) * lat + w * sig[:, sig_cols[c]]
                u = rng.uniform()
                scale = 10.0 ** rng.uniform(-3, 6)
                if u < 0.35:
                    kind, x = "lognormal", scale * np.exp(rng.uniform(0.2, 1.0) * lat)
                elif u < 0.50:
                    kind, x = "heavy_tail", scale * (lat + 0.15 * rng.standard_t(2, N))
                elif u < 0.65:
                    kind, x = "linear", rng.uniform(-5, 5) * scale + scale * lat
                elif u < 0.75:
                    levels = int(rng.integers(3, 13))
                    q = np.quantile(lat, np.linspace(0, 1, levels + 1)[1:-1])
                    kind, x = f"discrete{levels}", np.searchsorted(q, lat).astype(float) * rng.choice([1.0, 0.25, 0.1])
                elif u < 0.82:
                    kind, x = "counts", rng.poisson(np.exp(0.8 * lat + rng.uniform(-1, 2))).astype(float)
                elif u < 0.92:
                    kind, x = "unit_interval", 1.0 / (1.0 + np.exp(-1.5 * lat))
                else:
                    kind, x = "square", scale * (lat + 0.5) ** 2
                names.append(f"{seq}_{itype}_{feat}")
                cols.append(x)
                kinds.append(kind)
    X = np.column_stack(cols)
    # drop 29 columns (deterministically) to reach the study's 2 971
    drop = set(rng.choice(X.shape[1], X.shape[1] - N_FEATURES, replace=False).tolist())
    keep = [j for j in range(X.shape[1]) if j not in drop]
    X = X[:, keep]
    names = [names[j] for j in keep]
    kinds = [kinds[j] for j in keep]
    p = X.shape[1]

    # ---- traps, written over randomly chosen columns --------------------------------------
    slots = iter(rng.permutation(np.arange(100, p)).tolist())
    tr = np.zeros(N, dtype=bool)
    tr[idx_tr] = True

    def put(kind, values):
        j = next(slots)
        X[:, j] = values
        kinds[j] = kind
        return j

    for v in [0.0, 1.0, 0.1, 3.14159, 1e-5, 123456.0, -2.5] * 3 + [0.3, 7.0, 2e-3, 5.5]:
        put("constant", np.full(N, v))                                     # 25 constant columns
    for v in [0.0, 1.0, 0.7, 42.0]:                                        # constant on train only
        x = np.full(N, v)
        x[~tr] = v + rng.integers(1, 4, (~tr).sum())
        put("train_constant", x)
    x = np.zeros(N)
    x[idx_tr[5]] = 1.0                                                     # one non-zero train value
    put("single_nonzero", x)
    srcs = rng.choice(np.arange(0, 90), 60, replace=False)
    for i, s in enumerate(srcs):                                           # later copies of earlier columns
        if i < 36:
            put("duplicate", X[:, s].copy())
        elif i < 48:
            put("negated", -X[:, s])
        else:
            put("affine", 2.5 * X[:, s] + 7.0)
    # binary columns in groups with identical class counts on train (candidate F ties)
    for grp in range(6):
        base = (rng.uniform(size=N) < rng.uniform(0.2, 0.5)).astype(float)
        put("binary", base)
        for _ in range(2):
            x = base.copy()
            for cls in (0, 1):                                             # permute within class (train and test separately)
                for part in (tr, ~tr):
                    m = np.where((y == cls) & part)[0]
                    x[m] = x[rng.permutation(m)]
            put("binary_permuted", x)
    # near-threshold pairs: rho tuned around 0.9
    for i in range(20):
        base = rng.standard_normal(N)
        r = rng.uniform(0.86, 0.94)
        put("pair_base", np.exp(base))
        put("pair_partner", r * base + np.sqrt(1 - r * r) * rng.standard_normal(N))
    # big offset, small spread (z-score precision)
    for i in range(6):
        put("big_offset", 1.0e6 * (i + 1) + rng.standard_normal(N) * 10.0 ** rng.uniform(0, 2))

    X = round_sig(X)
    texture = ((0.9 * yc + rng.standard_normal(N)) > 0).astype(int)
    volume = np.round(np.exp(8.8 - 0.6 * y + 0.8 * rng.standard_normal(N)), 1)
    return y, idx_tr, idx_te, names, kinds, X, texture, volume


def write_csv(path, y, split, names, X, texture, volume):
    buf = io.StringIO()
    buf.write(",".join(["patient_id", "label", "split", "texture", "volume"] + names) + "\n")
    for i in range(N):
        row = [f"P{i + 1:03d}", str(int(y[i])), split[i], str(int(texture[i])), repr(float(volume[i]))]
        row += [repr(float(v)) for v in X[i]]
        buf.write(",".join(row) + "\n")
    data = buf.getvalue().encode()
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as f:
        f.write(data)


def spearman_greedy(Z, t):
    rho = stats.spearmanr(Z).statistic
    kept = []
    for j in range(Z.shape[1]):
        if not kept or np.all(np.abs(rho[j, kept]) < t):
            kept.append(j)
    return rho, kept


def pipeline(X, y, idx_tr, idx_te):
    """Stages 2-7 on the given training / test rows (in that order)."""
    X_tr, X_te, y_tr, y_te = X[idx_tr], X[idx_te], y[idx_tr], y[idx_te]
    # 2. constant columns (exact, peak-to-peak == 0 on the training rows)
    vt = VarianceThreshold(0.0).fit(X_tr)
    nonconst = np.where(vt.get_support())[0]
    constant = np.where(~vt.get_support())[0]
    # 3. z-score
    sc = StandardScaler().fit(X_tr[:, nonconst])
    Z_tr = sc.transform(X_tr[:, nonconst])
    Z_te = sc.transform(X_te[:, nonconst])
    # 4. Spearman greedy
    rho, kept_local = spearman_greedy(Z_tr, RHO_T)
    kept = nonconst[kept_local]
    # 5. ANOVA F, top 50 %
    Zk = Z_tr[:, kept_local]
    F, Fp = f_classif(Zk, y_tr)
    k = len(kept_local) // 2
    skb = SelectKBest(f_classif, k=k).fit(Zk, y_tr)
    sel_local = np.where(skb.get_support())[0]
    sel = kept[sel_local]
    # 6. LassoCV
    Zs_tr = Zk[:, sel_local]
    Zs_te = Z_te[:, kept_local][:, sel_local]
    las = LassoCV(cv=KFold(5), alphas=100, eps=1e-3).fit(Zs_tr, y_tr)
    mean_mse = las.mse_path_.mean(1)
    ib = int(np.argmin(mean_mse))
    assert las.alpha_ == las.alphas_[ib]
    # 7. radscore, AUC
    rad_tr = las.intercept_ + Zs_tr @ las.coef_
    rad_te = las.intercept_ + Zs_te @ las.coef_
    auc_tr = float(roc_auc_score(y_tr, rad_tr))
    auc_te = float(roc_auc_score(y_te, rad_te))

    return {"constant": constant, "nonconst": nonconst, "sc": sc, "rho": rho, "kept": kept, "F": F, "k": k,
            "sel": sel, "las": las, "mean_mse": mean_mse, "ib": ib, "auc_tr": auc_tr, "auc_te": auc_te}


def main():
    t0 = time.time()
    rng = np.random.default_rng(SEED)
    y, idx_tr, idx_te, names, kinds, X, texture, volume = make_cohort(rng)
    split = np.array(["train"] * N, dtype=object)
    split[idx_te] = "test"
    os.makedirs(OUT, exist_ok=True)
    write_csv(os.path.join(OUT, "paper_cohort.csv.gz"), y, split, names, X, texture, volume)

    P = pipeline(X, y, idx_tr, idx_te)
    # the same pipeline on the training rows in file order: what a split column gives
    # (KFold without shuffle depends on the row order, the other stages do not)
    Q = pipeline(X, y, np.sort(idx_tr), np.sort(idx_te))
    (constant, nonconst, sc, rho, kept, F, k, sel, las, mean_mse, ib, auc_tr, auc_te) = (
        P[key] for key in ("constant", "nonconst", "sc", "rho", "kept", "F", "k", "sel", "las", "mean_mse", "ib",
                           "auc_tr", "auc_te"))

    # ---- margins: how far the decisions are from a threshold / tie ---------------------------
    iu = np.triu_indices(len(nonconst), 1)
    a = np.abs(rho[iu])
    rho_margin = float(np.min(np.abs(a - RHO_T)))
    order = np.argsort(F, kind="mergesort")
    f_in, f_out = F[order[-k]], F[order[-k - 1]]
    others = np.delete(mean_mse, ib)
    nz = np.where(las.coef_ != 0)[0]
    res = {
        "meta": {
            "generator": "make_paper_oracle.py", "seed": SEED, "signal": SIGNAL, "n": N, "n_pos": N_POS,
            "n_features": len(names), "sig_digits": SIG_DIGITS,
            "versions": {"python": platform.python_version(), "numpy": np.__version__,
                         "scipy": scipy.__version__, "scikit-learn": sklearn.__version__},
            "pipeline": "train_test_split(stratify, 0.3, seed) -> VarianceThreshold(0) -> StandardScaler(train) -> "
                        "spearmanr |rho|>=0.9 greedy keep-first -> SelectKBest(f_classif, k=n_kept//2) -> "
                        "LassoCV(cv=KFold(5), alphas=100, eps=1e-3) -> radscore -> roc_auc_score",
            "kind_counts": {kd: kinds.count(kd) for kd in sorted(set(kinds))},
        },
        "split": {"seed": SEED, "train": idx_tr.tolist(), "test": idx_te.tolist()},
        "constant_dropped": constant.tolist(),
        "zscore": {"columns": nonconst.tolist(), "mean": sc.mean_.tolist(), "scale": sc.scale_.tolist()},
        "spearman": {"threshold": RHO_T, "kept": kept.tolist(), "min_abs_margin": rho_margin},
        "anova": {"columns": kept.tolist(), "F": F.tolist(), "k": k, "selected": sel.tolist(),
                  "f_last_in": float(f_in), "f_first_out": float(f_out),
                  "n_exact_ties_in_F": int(len(F) - len(np.unique(F)))},
        "lasso": {"columns": sel.tolist(), "alphas": las.alphas_.tolist(), "mse_path": las.mse_path_.tolist(),
                  "alpha_index": ib, "alpha": float(las.alpha_), "coef": las.coef_.tolist(),
                  "intercept": float(las.intercept_), "n_iter": int(las.n_iter_),
                  "nonzero": sel[nz].tolist(), "nonzero_names": [names[j] for j in sel[nz]],
                  "mean_mse_margin": float(np.min(others - mean_mse[ib]))},
        "auc": {"train": auc_tr, "test": auc_te},
        "file_order": {
            "train": np.sort(idx_tr).tolist(), "constant_dropped": Q["constant"].tolist(),
            "spearman_kept": Q["kept"].tolist(), "selected": Q["sel"].tolist(),
            "lasso": {"alphas": Q["las"].alphas_.tolist(), "mse_path": Q["las"].mse_path_.tolist(),
                      "alpha_index": Q["ib"], "coef": Q["las"].coef_.tolist(),
                      "intercept": float(Q["las"].intercept_),
                      "nonzero": Q["sel"][np.where(Q["las"].coef_ != 0)[0]].tolist()},
            "auc": {"train": Q["auc_tr"], "test": Q["auc_te"]},
        },
    }
    with open(os.path.join(OUT, "paper_oracle.json"), "w") as f:
        json.dump(res, f, separators=(",", ":"))
    print(f"{len(names)} features, constant {len(constant)}, spearman kept {len(kept)}, k {k}, "
          f"lasso alpha idx {ib} ({las.alpha_:.6g}), nonzero {len(nz)}, n_iter {las.n_iter_}")
    print(f"AUC train {auc_tr:.4f} test {auc_te:.4f}; rho margin {rho_margin:.3g}; F in/out {f_in:.6g}/{f_out:.6g}; "
          f"F exact ties {res['anova']['n_exact_ties_in_F']}; mse margin {res['lasso']['mean_mse_margin']:.3g}")
    print(f"file order: alpha idx {Q['ib']}, nonzero {int(np.sum(Q['las'].coef_ != 0))}, AUC train {Q['auc_tr']:.4f} "
          f"test {Q['auc_te']:.4f}")
    print("kinds", res["meta"]["kind_counts"])
    print(f"{time.time() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
