//! Image readers and writers: NRRD, NIfTI, DICOM (series, enhanced multi-frame, DICOM-SEG).
