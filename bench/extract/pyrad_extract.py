#!/usr/bin/env python3
"""PyRadiomics 3.0.1 on one image/mask with a params file, single-threaded. Writes feature,value
rows (17 significant digits): the study's seven features with --seven (params_seven.yaml), every
feature of the extraction otherwise (the diagnostics_* entries left out).
Usage: python pyrad_extract.py PARAMS IMAGE MASK OUT.csv [--seven]"""
import logging
import sys

import SimpleITK as sitk
import radiomics
from radiomics import featureextractor

SEVEN = [
    "exponential_firstorder_Kurtosis",
    "exponential_firstorder_Minimum",
    "gradient_firstorder_Variance",
    "log-sigma-3-0-mm-3D_glszm_SmallAreaEmphasis",
    "wavelet-LHH_glszm_HighGrayLevelZoneEmphasis",
    "wavelet-LHL_glrlm_RunLengthNonUniformityNormalized",
    "wavelet-LLH_glrlm_ShortRunHighGrayLevelEmphasis",
]
params, image, mask, out = sys.argv[1:5]
seven = sys.argv[5:] == ["--seven"]
sitk.ProcessObject.SetGlobalDefaultNumberOfThreads(1)
radiomics.setVerbosity(logging.ERROR)
ext = featureextractor.RadiomicsFeatureExtractor(params)
res = ext.execute(image, mask, label=1)
names = SEVEN if seven else [k for k in res if not k.startswith("diagnostics_")]
with open(out, "w") as fh:
    fh.write("feature,value\n")
    for f in names:
        fh.write("%s,%.17g\n" % (f, float(res[f])))
