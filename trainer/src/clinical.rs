//! Clinical predictor screening: univariate then multivariate logistic, keep p < 0.05.
