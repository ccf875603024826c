#!/usr/bin/env python3
"""Second reference for `radscore_trainer::stats`: cases the breast-cancer oracle does not cover
(ties, small samples, r x c tables, distribution tails, robust lowess, pretty() ranges).

Inputs are generated here (numpy default_rng, fixed seeds) and written into the JSON together with
the reference outputs, so the Rust test reads both from `stats_oracle.json`.

References: scipy.stats (norm, chi2, t, f, mannwhitneyu, chi2_contingency, fisher_exact),
sklearn (roc_auc_score, calibration_curve), statsmodels lowess, and the numpy ports of pROC DeLong,
ResourceSelection Hosmer-Lemeshow, the ICC formulas and R's pretty() in
tests/oracles/trainer/stats_ref.py (cross-checked there against R).

Usage: <python of tests/oracles/trainer/install.sh> make_stats_oracle.py  (writes stats_oracle.json next
to this script). Environment of the committed JSON: see its "meta".
"""
import json, os, platform, sys
import numpy as np
import scipy
import sklearn
import statsmodels
from scipy import stats
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score
from statsmodels.nonparametric.smoothers_lowess import lowess

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "oracles", "trainer"))
import stats_ref as sr  # noqa: E402


def fl(a):
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


out = {"meta": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                "scikit-learn": sklearn.__version__, "statsmodels": statsmodels.__version__}}

# --- distributions ---------------------------------------------------------------------------
z = [-38.0, -20.0, -8.5, -3.0, -1.96, -0.5, 0.0, 0.3, 1.0, 2.5, 6.0, 12.0, 25.0]
ps = [1e-300, 1e-100, 1e-20, 1e-8, 1e-4, 0.01, 0.025, 0.2, 0.5, 0.8, 0.975, 0.99, 0.9999999]
chi = [(0.001, 1), (0.5, 1), (3.84, 1), (10.0, 2), (2.0, 5), (15.5, 8), (40.0, 8), (200.0, 8), (7.0, 30), (120.0, 60)]
tt = [(-3.0, 4), (0.5, 1), (2.0, 10), (2.5, 2.5), (6.0, 30), (40.0, 100)]
ff = [(0.975, 7, 21), (0.975, 7, 23.997525280220316), (0.975, 1, 1), (0.025, 3, 40), (0.5, 10, 5.5), (0.99, 2, 200)]
out["dist"] = {
    "norm": [{"z": v, "cdf": float(stats.norm.cdf(v)), "sf": float(stats.norm.sf(v))} for v in z],
    "norm_ppf": [{"p": v, "ppf": float(stats.norm.ppf(v))} for v in ps],
    "chi2": [{"x": x, "df": d, "sf": float(stats.chi2.sf(x, d)), "cdf": float(stats.chi2.cdf(x, d))} for x, d in chi],
    "t": [{"t": x, "df": d, "sf": float(stats.t.sf(x, d))} for x, d in tt],
    "f_ppf": [{"p": p, "d1": a, "d2": b, "ppf": float(stats.f.ppf(p, a, b)), "sf_at_2": float(stats.f.sf(2.0, a, b))}
              for p, a, b in ff],
}

# --- ROC with heavy ties ---------------------------------------------------------------------
rng = np.random.default_rng(7)
roc_cases = []
for n, levels in [(60, 5), (40, 3), (200, 12), (25, 25)]:
    y = (rng.random(n) < 0.4).astype(int)
    y[0], y[1] = 0, 1
    s1 = np.round(rng.normal(size=n) + 0.8 * y, 0) if levels < 25 else rng.normal(size=n) + y
    s1 = np.clip(s1, -levels, levels)
    s2 = np.round(0.5 * s1 + rng.normal(size=n) * 0.7, 1)
    ci = sr.auc_ci_delong(y, s1)
    te = sr.delong_test(y, s1, s2)
    yd = sr.youden(y, s1)
    roc_cases.append({"y": y.tolist(), "s1": fl(s1), "s2": fl(s2), "auc_sklearn": float(roc_auc_score(y, s1)),
                      "delong": ci, "test": te, "youden": yd})
out["roc"] = roc_cases

# --- Mann-Whitney with ties, chi-square, Fisher ----------------------------------------------
mw = []
for n1, n2, k in [(5, 7, 3), (30, 25, 6), (12, 40, 50), (100, 80, 4)]:
    a = rng.integers(0, k, n1).astype(float)
    b = (rng.integers(0, k, n2) + (1 if k < 10 else 0)).astype(float)
    r = stats.mannwhitneyu(a, b, method="asymptotic", use_continuity=True, alternative="two-sided")
    mw.append({"a": fl(a), "b": fl(b), "U1": float(r.statistic), "p": float(r.pvalue), "ref": sr.mann_whitney(a, b)})
out["mann_whitney"] = mw

# exact Mann-Whitney (no ties) and Welch t-test
ex = []
for n1, n2 in [(3, 4), (8, 6), (12, 15), (30, 25)]:
    a = np.round(rng.normal(size=n1) + 0.6, 6)
    b = np.round(rng.normal(size=n2), 6)
    r = stats.mannwhitneyu(a, b, method="exact", alternative="two-sided")
    w = stats.ttest_ind(a, b, equal_var=False)
    ex.append({"a": fl(a), "b": fl(b), "U1": float(r.statistic), "p_exact": float(r.pvalue),
               "welch_t": float(w.statistic), "welch_p": float(w.pvalue)})
out["mann_whitney_exact_welch"] = ex

chis = []
for t in [[[12, 5], [7, 15]], [[3, 9], [10, 2]], [[40, 60], [38, 62]], [[1, 30], [0, 29]],
          [[10, 20, 30], [15, 15, 25]], [[5, 0, 7, 3], [2, 9, 1, 8], [4, 4, 4, 4]]]:
    r = stats.chi2_contingency(np.array(t, dtype=float), correction=True)
    chis.append({"table": t, "statistic": float(r.statistic), "p": float(r.pvalue), "df": int(r.dof)})
out["chi_square"] = chis

fis = []
for t in [[[3, 1], [1, 3]], [[12, 5], [7, 15]], [[0, 10], [9, 1]], [[1, 30], [0, 29]], [[20, 25], [22, 23]],
          [[100, 3], [80, 12]], [[0, 0], [4, 5]]]:
    r = stats.fisher_exact(t, alternative="two-sided")
    fis.append({"table": t, "p": float(r.pvalue)})
out["fisher"] = fis

# --- Hosmer-Lemeshow with tied quantiles, binned calibration with ties -----------------------
hl = []
for n, ties in [(50, False), (120, True), (31, True)]:
    p = rng.uniform(0.01, 0.95, n)
    if ties:
        p = np.round(p, 1)
        p[:n // 4] = 0.1
    p = np.clip(p, 0.01, 0.99)
    y = (rng.random(n) < p).astype(int)
    h = sr.hosmer_lemeshow(y, p, 10)
    bins = {s: sr.binned_calibration(y, p, 10, s) for s in ["uniform", "quantile"]}
    hl.append({"y": y.tolist(), "p": fl(p), "hl": h, "bins": bins, "brier": sr.brier(y, p)})
# fixed case with an empty group: breaks 0.1, 0.3, 0.6, 0.67 (between 0.6 and 0.7), 0.7 -> (0.6, 0.67]
# holds nobody; R's hoslem.test then gives 0/0 = NaN (stored as null)
p = np.array([0.1] * 5 + [0.6] * 3 + [0.7] * 4)
y = np.array([0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1])
with np.errstate(invalid="ignore", divide="ignore"):
    hl.append({"y": y.tolist(), "p": fl(p), "hl": sr.hosmer_lemeshow(y, p, 10),
               "bins": {s_: sr.binned_calibration(y, p, 10, s_) for s_ in ["uniform", "quantile"]},
               "brier": sr.brier(y, p)})
out["hosmer_lemeshow"] = hl

# --- lowess: statsmodels with robustness iterations, delta 0 and 0.01 range --------------------
lw = []
for n, it, ties in [(40, 3, False), (97, 3, True), (150, 0, True), (12, 2, False)]:
    x = rng.uniform(0, 10, n)
    if ties:
        x = np.round(x, 0)
    y = np.sin(x) + rng.normal(size=n) * 0.3
    y[3] += 4.0  # outlier for the robustness steps
    for delta in [0.0, 0.01 * (x.max() - x.min())]:
        fit = lowess(y, x, frac=2.0 / 3.0, it=it, delta=delta, return_sorted=True)
        lw.append({"x": fl(x), "y": fl(y), "iter": it, "delta": float(delta), "fit_x": fl(fit[:, 0]),
                   "fit_y": fl(fit[:, 1])})
out["lowess_statsmodels"] = lw

# --- ICC on random tables ---------------------------------------------------------------------
icc = []
for n, k in [(10, 2), (20, 3), (6, 5)]:
    true = rng.normal(size=(n, 1)) * 2.0
    Y = true + rng.normal(size=(n, k)) + rng.normal(size=(1, k)) * 0.5
    Y = np.round(Y, 2)
    icc.append({"data": Y.tolist(), "ref": {kk: (fl(v) if isinstance(v, (list, np.ndarray)) else float(v))
                                            for kk, v in sr.icc(Y).items()}})
out["icc"] = icc

# --- R pretty() via the port of R_pretty --------------------------------------------------------
pr = []
for lo, hi, n in [(0, 1, 5), (-0.37, 1.53, 10), (1, 99, 5), (0.0012, 0.0789, 10), (-1234.5, 987.2, 10),
                  (17.2, 17.2, 5), (0, 0, 5), (-3.2e-5, 4.1e-5, 10), (2.5, 5.5, 10), (-1.45, 5.38, 10),
                  (151.3, 2501.0, 10), (0.2, 0.21, 4)]:
    pr.append({"lo": lo, "hi": hi, "n": n, "ticks": fl(sr.r_pretty(lo, hi, n=n))})
out["pretty"] = pr

def clean(v):
    """NaN (e.g. Hosmer-Lemeshow with an empty group: 0/0, as in R) -> null; JSON has no NaN."""
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    return v


with open(os.path.join(HERE, "stats_oracle.json"), "w") as fh:
    json.dump(clean(out), fh, indent=1, allow_nan=False)
print("wrote", os.path.join(HERE, "stats_oracle.json"))
