//! Unpenalised logistic regression (Newton/IRLS) with Wald odds ratios, CIs and p-values; optional L2 (scikit-learn C=1).
