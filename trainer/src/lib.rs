//! # radscore-trainer
//!
//! Host side of radscore: cohort tables, the study's selection pipeline (z-score → Spearman →
//! ANOVA F → LASSO-CV), logistic models, validation statistics, the report, the synthetic cohort,
//! and the model export (the only producer of model artifacts).

pub mod clinical;
pub mod cohort;
pub mod example;
pub mod export;
pub mod fclassif;
pub mod lasso;
pub mod logistic;
pub mod outfile;
pub mod pipeline;
pub mod preprocess;
pub mod report;
pub mod spearman;
pub mod split;
pub mod stats;
pub mod summary;
pub mod synth;
