//! Validation statistics (pROC, rms, ResourceSelection, dcurves, scipy semantics).
