//! Fixed-bin-width discretisation (PyRadiomics `imageoperations.getBinEdges` / `binImage`).
