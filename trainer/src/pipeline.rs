//! The study's whole pipeline: split, selection, radscore, models, summary.
