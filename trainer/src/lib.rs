//! # radscore-trainer
//!
//! Host side of radscore: cohort tables, the study's selection pipeline (z-score → Spearman →
//! ANOVA F → LASSO-CV), logistic models, validation statistics, the report, the synthetic cohort,
//! and the model export (the only producer of model artifacts).
