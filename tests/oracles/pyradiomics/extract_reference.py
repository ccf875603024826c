#!/usr/bin/env python
"""Compute PyRadiomics reference values (numeric oracle) for the breast-MRI nomogram features.

Usage:  python extract_reference.py [case ...]   (writes $PYRAD_REF_DIR, default ./out/*.csv;
        reads images from $PYRAD_DATA_DIR, default tests/fixtures/reference/pyradiomics/data)

For every case:
  * reference/<case>.csv             all firstorder/glszm/glrlm features on original, exponential,
                                     gradient, log-sigma-3-0-mm-3D and the 8 wavelet-* images
                                     (params_full.yaml = PyRadiomics defaults), value printed with
                                     17 significant digits ('%.17g', round-trips a float64 exactly)
  * reference/<case>_diagnostics.csv PyRadiomics' diagnostics_* provenance entries (strings)
  * reference/seven_features.csv     one row per case: the seven nomogram features, extracted with
                                     params_seven.yaml; checked to be bit-identical to the values in
                                     the full extraction.
Each case's single image is used as the DCE, DWI and T2WI input alike.
"""
import csv
import logging
import os
import sys

import numpy
import pywt
import SimpleITK as sitk

import radiomics
from radiomics import featureextractor

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get('PYRAD_DATA_DIR', os.path.join(HERE, '..', '..', 'fixtures', 'reference', 'pyradiomics', 'data'))
SYN = DATA
REF = os.environ.get('PYRAD_REF_DIR', os.path.join(HERE, 'out'))

SEVEN = [
  'exponential_firstorder_Kurtosis',
  'exponential_firstorder_Minimum',
  'gradient_firstorder_Variance',
  'log-sigma-3-0-mm-3D_glszm_SmallAreaEmphasis',
  'wavelet-LHH_glszm_HighGrayLevelZoneEmphasis',
  'wavelet-LHL_glrlm_RunLengthNonUniformityNormalized',
  'wavelet-LLH_glrlm_ShortRunHighGrayLevelEmphasis',
]

# case name -> (image, mask, label)
CASES = {
  'brain1': (os.path.join(DATA, 'brain1_image.nrrd'), os.path.join(DATA, 'brain1_label.nrrd'), 1),
  'breast1': (os.path.join(DATA, 'breast1_image.nrrd'), os.path.join(DATA, 'breast1_label.nrrd'), 1),
  'brain2': (os.path.join(DATA, 'brain2_image.nrrd'), os.path.join(DATA, 'brain2_label.nrrd'), 1),
  'prostate_phantom': (os.path.join(DATA, 'prostate_phantom_subvolume.nrrd'),
                       os.path.join(DATA, 'prostate_phantom_subvolume-label.nrrd'), 1),
  'prostate_phantom_L8': (os.path.join(DATA, 'prostate_phantom_subvolume.nrrd'),
                          os.path.join(DATA, 'prostate_phantom_subvolume-label.nrrd'), 8),
  'syn1': (os.path.join(SYN, 'syn1_image.nrrd'), os.path.join(SYN, 'syn1_label.nrrd'), 1),
  'syn2': (os.path.join(SYN, 'syn2_image.nrrd'), os.path.join(SYN, 'syn2_label.nrrd'), 1),
  'syn3': (os.path.join(SYN, 'syn3_image.nrrd'), os.path.join(SYN, 'syn3_label.nrrd'), 1),
}


def fmt(v):
  return '%.17g' % float(v)


def is_numeric_feature(name, value):
  if name.startswith('diagnostics_'):
    return False
  try:
    float(value)
    return True
  except (TypeError, ValueError):
    return False


def main(cases):
  radiomics.setVerbosity(logging.ERROR)
  os.makedirs(REF, exist_ok=True)
  full_ext = featureextractor.RadiomicsFeatureExtractor(os.path.join(HERE, 'params_full.yaml'))
  seven_ext = featureextractor.RadiomicsFeatureExtractor(os.path.join(HERE, 'params_seven.yaml'))

  rows = []
  for case in cases:
    img, msk, label = CASES[case]
    res = full_ext.execute(img, msk, label=label)
    with open(os.path.join(REF, '%s.csv' % case), 'w', newline='') as fh:
      w = csv.writer(fh)
      w.writerow(['feature', 'value'])
      for k, v in res.items():
        if is_numeric_feature(k, v):
          w.writerow([k, fmt(v)])
    with open(os.path.join(REF, '%s_diagnostics.csv' % case), 'w', newline='') as fh:
      w = csv.writer(fh)
      w.writerow(['key', 'value'])
      for k, v in res.items():
        if k.startswith('diagnostics_'):
          w.writerow([k, str(v)])

    res7 = seven_ext.execute(img, msk, label=label)
    row = {'case': case}
    for f in SEVEN:
      a = float(res[f])
      b = float(res7[f])
      if not (a == b or (numpy.isnan(a) and numpy.isnan(b))):
        raise RuntimeError('%s %s: full=%r seven=%r differ' % (case, f, a, b))
      row[f] = fmt(b)
    rows.append(row)
    print(case, ' '.join('%s=%s' % (f.split('_')[-1], row[f]) for f in SEVEN), flush=True)

  with open(os.path.join(REF, 'seven_features.csv'), 'w', newline='') as fh:
    w = csv.DictWriter(fh, fieldnames=['case'] + SEVEN)
    w.writeheader()
    for r in rows:
      w.writerow(r)

  with open(os.path.join(REF, 'versions.txt'), 'w') as fh:
    import importlib.metadata as md
    fh.write('python %s\n' % sys.version.split()[0])
    fh.write('pyradiomics %s\n' % radiomics.__version__)
    fh.write('SimpleITK %s\n' % sitk.Version_VersionString())
    fh.write('PyWavelets dist %s (pywt.__version__ reports %s)\n' % (md.version('PyWavelets'), pywt.__version__))
    fh.write('numpy %s\n' % numpy.__version__)


if __name__ == '__main__':
  main(sys.argv[1:] or list(CASES))
