//! Z-score standardisation (population sd, training statistics) and constant-column removal.
