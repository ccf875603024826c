//! ANOVA F (scikit-learn f_classif) and SelectKBest-style top-k selection.
