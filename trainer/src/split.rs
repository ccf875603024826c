//! Stratified train/test split with scikit-learn's train_test_split(stratify=...) counts.
