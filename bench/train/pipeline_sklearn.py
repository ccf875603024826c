"""The study's pipeline written the way a Python radiomics paper runs it (scikit-learn, scipy,
statsmodels), producing a dict shaped like `radscore train`'s summary.json.

Used by `bench.py` (timing) and `make_fixture.py` (the paper-shaped parity fixture). Stages, all
fitted on the training rows:
  split (split column, or train_test_split(stratify=y, test_size=0.3, random_state=seed)) ->
  drop constant radiomics columns -> z-score (ddof 0) -> per model (t2, dwi, dce, multimodal):
  Spearman |rho| >= 0.9 greedy keep-first (scipy.stats.spearmanr) -> SelectKBest(f_classif,
  k = n//2) -> LassoCV(cv=5) -> radscore -> statsmodels Logit on the radscore;
  clinical: univariate Logit p < 0.05 -> multivariate -> keep p < 0.05 -> refit;
  combined: Logit on radscore + retained clinical.
Metrics (AUC, DeLong CI, Youden on train, train cut-off applied to test) use the oracle's
stats_ref (pROC conventions) when `with_metrics=True`.
"""
import numpy as np
import statsmodels.api as sm
from scipy import stats
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LassoCV
from sklearn.model_selection import train_test_split

SEQUENCES = ("t2", "dwi", "dce")


def _logit(X, y):
    Xc = sm.add_constant(np.asarray(X, float), has_constant="add")
    return sm.Logit(np.asarray(y, float), Xc).fit(disp=0, method="newton", tol=1e-12, maxiter=100)


def _select(Ztr, y_tr, rho_t=0.9):
    if Ztr.shape[1] == 1:
        kept = [0]
    else:
        rho = stats.spearmanr(Ztr).statistic
        kept = []
        for j in range(Ztr.shape[1]):
            if all(abs(rho[j, k]) < rho_t for k in kept):
                kept.append(j)
    k = max(1, len(kept) // 2)
    skb = SelectKBest(f_classif, k=k).fit(Ztr[:, kept], y_tr)
    sel = [kept[i] for i in np.where(skb.get_support())[0]]
    las = LassoCV(cv=5).fit(Ztr[:, sel], y_tr)
    return kept, sel, las


def run(df, label="label", split_column=None, seed=42, clinical=(), with_metrics=True, sr=None):
    y = df[label].to_numpy().astype(int)
    n = len(y)
    if split_column:
        s = df[split_column].str.lower().to_numpy()
        idx_tr = np.where(s == "train")[0]
        idx_te = np.where(s == "test")[0]
    else:
        idx_tr, idx_te = train_test_split(np.arange(n), test_size=0.3, stratify=y, random_state=seed)
    y_tr, y_te = y[idx_tr], y[idx_te]
    rad_cols = [c for c in df.columns if c.split("_", 1)[0] in SEQUENCES and c not in clinical]
    X = df[rad_cols].to_numpy(float)
    Xtr = X[idx_tr]
    const = [j for j in range(X.shape[1]) if np.all(Xtr[:, j] == Xtr[0, j])]
    live = [j for j in range(X.shape[1]) if j not in set(const)]
    X = X[:, live]
    names = [rad_cols[j] for j in live]
    mu = X[idx_tr].mean(0)
    sd = X[idx_tr].std(0, ddof=0)
    Z = (X - mu) / sd
    out = {"constant_dropped": [rad_cols[j] for j in const]}

    def metrics(p):
        if not with_metrics:
            return None
        yd = sr.youden(y_tr, p[idx_tr])
        t = yd["threshold_pROC_midpoint"]
        a_tr, a_te = sr.auc_ci_delong(y_tr, p[idx_tr]), sr.auc_ci_delong(y_te, p[idx_te])
        cm = sr.confusion_metrics(y_te, p[idx_te], t)
        return {
            "train": {"auc": a_tr["auc"], "auc_ci": [a_tr["ci_low"], a_tr["ci_high"]],
                      "sensitivity": yd["sensitivity"], "specificity": yd["specificity"], "threshold": t},
            "test": {"auc": a_te["auc"], "auc_ci": [a_te["ci_low"], a_te["ci_high"]],
                     "sensitivity": cm["sensitivity"], "specificity": cm["specificity"], "threshold": t},
        }

    radscore_mm = None
    for model in SEQUENCES + ("multimodal",):
        cols = [j for j, c in enumerate(names) if model == "multimodal" or c.startswith(model + "_")]
        if not cols:
            out[model] = None
            continue
        kept, sel, las = _select(Z[idx_tr][:, cols], y_tr)
        nz = np.where(las.coef_ != 0)[0]
        if len(nz) == 0:
            out[model] = None
            continue
        rs = las.intercept_ + Z[:, [cols[i] for i in sel]] @ las.coef_
        m = _logit(rs[idx_tr][:, None], y_tr)
        p = m.predict(sm.add_constant(rs[:, None], has_constant="add"))
        entry = {"coefficients": {"(Intercept)": float(m.params[0]), "radscore": float(m.params[1])}}
        mt = metrics(p)
        if mt:
            entry.update(mt)
        out[model] = entry
        if model == "multimodal":
            radscore_mm = rs
            out["spearman_kept"] = [names[cols[i]] for i in kept]
            out["fclassif_kept"] = [names[cols[i]] for i in sel]
            out["lasso"] = {
                "alpha": float(las.alpha_), "alphas": las.alphas_.tolist(), "mse_path": las.mse_path_.tolist(),
                "intercept": float(las.intercept_),
                "coefficients": {names[cols[sel[i]]]: float(las.coef_[i]) for i in nz},
                "alpha_index": int(np.argmin(las.mse_path_.mean(1))),
            }
    # clinical
    C = df[list(clinical)].to_numpy(float) if clinical else np.zeros((n, 0))
    uni, kept = {}, []
    for j, c in enumerate(clinical):
        m = _logit(C[idx_tr][:, [j]], y_tr)
        ci = np.exp(m.conf_int(0.05))
        uni[c] = {"or": float(np.exp(m.params[1])), "ci_low": float(ci[1, 0]), "ci_high": float(ci[1, 1]),
                  "p": float(m.pvalues[1])}
        if m.pvalues[1] < 0.05:
            kept.append(j)
    multi, retained = {}, []
    if kept:
        m = _logit(C[idx_tr][:, kept], y_tr)
        ci = np.exp(m.conf_int(0.05))
        for k, j in enumerate(kept):
            multi[clinical[j]] = {"or": float(np.exp(m.params[k + 1])), "ci_low": float(ci[k + 1, 0]),
                                  "ci_high": float(ci[k + 1, 1]), "p": float(m.pvalues[k + 1])}
            if m.pvalues[k + 1] < 0.05:
                retained.append(j)
    clin = {"univariate": uni, "multivariate": multi}
    if retained:
        m = _logit(C[idx_tr][:, retained], y_tr)
        p = m.predict(sm.add_constant(C[:, retained], has_constant="add"))
        clin["coefficients"] = {"(Intercept)": float(m.params[0]),
                                **{clinical[j]: float(m.params[k + 1]) for k, j in enumerate(retained)}}
        mt = metrics(p)
        if mt:
            clin.update(mt)
    out["clinical"] = clin
    Xc = np.column_stack([radscore_mm] + [C[:, j] for j in retained])
    m = _logit(Xc[idx_tr], y_tr)
    p = m.predict(sm.add_constant(Xc, has_constant="add"))
    out["combined"] = {"coefficients": {"(Intercept)": float(m.params[0]), "radscore": float(m.params[1]),
                                        **{clinical[j]: float(m.params[k + 2]) for k, j in enumerate(retained)}}}
    mt = metrics(p)
    if mt:
        out["combined"].update(mt)
    return out
