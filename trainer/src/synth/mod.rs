//! Synthetic breast-MRI cohort generator (deterministic with a seed).
