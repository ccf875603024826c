//! Shared helpers for the cross-crate tests (reference data locations, CSV loading).
