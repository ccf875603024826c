#!/usr/bin/env python
"""Reference outputs of PyRadiomics 3.0.1's Python API, for radscore's Python package tests.

* default.json: ``RadiomicsFeatureExtractor().execute(image, mask, label=...)`` (no params: the
  original image, every feature class but shape2D) for the eight reference cases: the keys in
  PyRadiomics' order and the values (features as '%.17g' strings; diagnostics as str()).
* batch.csv + batch_input.csv: PyRadiomics' own batch mode (``pyradiomics batch_input.csv -o
  batch.csv -f csv``) on three of the cases, with an ``ID`` column: the shape of a batch output
  (input columns, then diagnostics, then features). PyRadiomics writes the resolved absolute
  paths into Image and Mask; they are made relative to OUT_DIR again afterwards.

Usage (from the repository's root, with the python that install.sh prints):
  python tests/oracles/pyradiomics/python_api.py [OUT_DIR]
OUT_DIR defaults to tests/fixtures/reference/pyradiomics-python. Images are the reference cases
in tests/fixtures/reference/pyradiomics/data (named relative to OUT_DIR in batch_input.csv).
"""
import csv
import json
import logging
import os
import subprocess
import sys

import radiomics
from radiomics import featureextractor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
sys.path.insert(0, HERE)
from extract_reference import CASES, fmt  # noqa: E402

OUT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      os.path.join(ROOT, 'tests', 'fixtures', 'reference', 'pyradiomics-python'))
BATCH_CASES = ['breast1', 'syn2', 'prostate_phantom_L8']


def main():
  logging.getLogger('radiomics').setLevel(logging.ERROR)
  os.makedirs(OUT, exist_ok=True)
  ext = featureextractor.RadiomicsFeatureExtractor()
  doc = {'pyradiomics': radiomics.__version__, 'cases': {}}
  for case, (img, msk, label) in CASES.items():
    res = ext.execute(img, msk, label=label)
    items = []
    for k, v in res.items():
      if k.startswith('diagnostics_'):
        items.append([k, str(v)])
      else:
        items.append([k, fmt(v)])
    doc['cases'][case] = {
      'image': os.path.relpath(img, OUT), 'mask': os.path.relpath(msk, OUT), 'label': label,
      'items': items}
  with open(os.path.join(OUT, 'default.json'), 'w') as fh:
    json.dump(doc, fh, indent=0)
    fh.write('\n')

  inp = os.path.join(OUT, 'batch_input.csv')
  with open(inp, 'w', newline='') as fh:
    w = csv.writer(fh)
    w.writerow(['ID', 'Image', 'Mask', 'Label'])
    for case in BATCH_CASES:
      img, msk, label = CASES[case]
      w.writerow([case, os.path.relpath(img, OUT), os.path.relpath(msk, OUT), label])
  # PyRadiomics' batch mode resolves relative paths against the input file's folder
  exe = os.path.join(os.path.dirname(sys.executable), 'pyradiomics')
  out = os.path.join(OUT, 'batch.csv')
  if os.path.exists(out):
    os.remove(out)  # PyRadiomics appends to an existing output file
  subprocess.run([exe, inp, '-o', out, '-f', 'csv'], check=True, cwd=OUT)
  # PyRadiomics writes the resolved (absolute) paths into Image and Mask: keep the fixture free of
  # this machine's folders by writing them relative to OUT again
  with open(out, newline='') as fh:
    rows = list(csv.reader(fh))
  for r in rows[1:]:
    for i in (1, 2):
      r[i] = os.path.relpath(r[i], OUT)
  with open(out, 'w', newline='') as fh:
    csv.writer(fh, lineterminator='\n').writerows(rows)


if __name__ == '__main__':
  main()
