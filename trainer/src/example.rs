//! Illustrative model builder (the study's seven published LASSO coefficients with placeholder parameters).
