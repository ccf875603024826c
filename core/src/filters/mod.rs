//! Image types (PyRadiomics `imageoperations.get*Image`), one file per filter, each computed only
//! over the ROI bounding box (plus the halo the filter needs).
