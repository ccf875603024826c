//! Cohort tables from CSV: patient ids, labels, split, clinical and radiomics columns.
