#!/usr/bin/env python
"""PyRadiomics 3.0.1 reference values for the filter settings: wavelet family / start_level / level
and gradientUseSpacing false (firstorder + glcm on the affected image types).

Run from the repository root with the oracle environment (tests/oracles/pyradiomics/install.sh):

    .venv-pyradiomics/bin/python tests/oracles/pyradiomics/extract_filter_options.py

Cases: breast1 and syn2 of tests/fixtures/reference/pyradiomics/data (label 1; syn2 has odd sizes
on every axis, so the wavelet's wrap padding is exercised). For each variant V below it writes
tests/fixtures/reference/pyradiomics-filter-options/V/{params.yaml,<case>.csv} ('feature,value',
every numeric feature, '%.17g') and versions.txt one level up.
"""
import csv
import importlib.metadata
import logging
import os
import sys

import numpy
import SimpleITK as sitk

import radiomics
from radiomics import featureextractor

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..'))
DATA = os.path.join(ROOT, 'tests', 'fixtures', 'reference', 'pyradiomics', 'data')
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'reference', 'pyradiomics-filter-options')
CASES = ['breast1', 'syn2']


def wavelet(**opts):
  return {'imageType': {'Wavelet': opts}}


VARIANTS = {
  'wavelet-haar': wavelet(wavelet='haar'),
  'wavelet-db1': wavelet(wavelet='db1'),
  'wavelet-db4': wavelet(wavelet='db4'),
  'wavelet-sym4': wavelet(wavelet='sym4'),
  'wavelet-coif2': wavelet(wavelet='coif2'),
  'wavelet-start1': wavelet(wavelet='coif1', start_level=1, level=1),
  'wavelet-level3': wavelet(wavelet='coif1', start_level=0, level=3),
  'gradient-nospacing': {'imageType': {'Gradient': {'gradientUseSpacing': False}}},
}


def scalar(v):
  return str(v).lower() if isinstance(v, bool) else str(v)


def to_yaml(params):
  """The params dict as a PyRadiomics params file (two levels of mappings; lists stay empty)."""
  lines = []
  for section, entries in params.items():
    lines.append('%s:' % section)
    for k, v in entries.items():
      if isinstance(v, dict):
        lines.append('  %s:%s' % (k, '' if v else ' {}'))
        lines += ['    %s: %s' % (kk, scalar(vv)) for kk, vv in v.items()]
      elif isinstance(v, list):
        lines.append('  %s: [%s]' % (k, ', '.join(scalar(x) for x in v)))
      else:
        lines.append('  %s: %s' % (k, scalar(v)))
  return '\n'.join(lines) + '\n'


def main():
  logging.getLogger('radiomics').setLevel(logging.ERROR)
  os.makedirs(OUT, exist_ok=True)
  with open(os.path.join(OUT, 'versions.txt'), 'w') as f:
    f.write('python %d.%d.%d\n' % sys.version_info[:3])
    f.write('pyradiomics %s\n' % radiomics.__version__)
    f.write('SimpleITK %s\n' % sitk.Version.VersionString())
    f.write('PyWavelets dist %s\n' % importlib.metadata.version('pywavelets'))
    f.write('numpy %s\n' % numpy.__version__)
  for name, params in sorted(VARIANTS.items()):
    params = dict(params)
    params['featureClass'] = {'firstorder': [], 'glcm': []}
    params['setting'] = {'binWidth': 25, 'label': 1}
    vdir = os.path.join(OUT, name)
    os.makedirs(vdir, exist_ok=True)
    with open(os.path.join(vdir, 'params.yaml'), 'w') as f:
      f.write(to_yaml(params))
    extractor = featureextractor.RadiomicsFeatureExtractor(os.path.join(vdir, 'params.yaml'))
    for case in CASES:
      res = extractor.execute(os.path.join(DATA, case + '_image.nrrd'),
                              os.path.join(DATA, case + '_label.nrrd'))
      with open(os.path.join(vdir, case + '.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['feature', 'value'])
        n = 0
        for k, v in res.items():
          if k.startswith('diagnostics_'):
            continue
          w.writerow([k, '%.17g' % float(v)])
          n += 1
      print(name, case, n, file=sys.stderr)


if __name__ == '__main__':
  main()
