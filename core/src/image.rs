//! Borrowed image and mask views (x fastest, then y, then z), the ROI bounding box and
//! PyRadiomics' mask checks.
