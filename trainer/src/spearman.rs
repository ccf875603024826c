//! Spearman redundancy filter (|rho| >= 0.9).
