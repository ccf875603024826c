//! The model: feature recipes, z-score and LASSO parameters, the combined logistic model and the
//! nomogram scales; artifact decoding and scoring.
