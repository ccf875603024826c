//! Feature classes, one file per class as in PyRadiomics: first order, GLSZM, GLRLM.
