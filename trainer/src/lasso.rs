//! LASSO with K-fold cross-validation (scikit-learn LassoCV semantics) and the L1 logistic variant.
