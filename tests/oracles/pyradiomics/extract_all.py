#!/usr/bin/env python
"""Compute PyRadiomics reference values (numeric oracle) for the FULL feature set.

PyRadiomics 3.0.1 with params_all.yaml: shape (3-D, Original only), firstorder, glcm, glrlm, glszm,
gldm, ngtdm on Original, LoG (sigma 1, 3, 5 mm), Wavelet (8 sub-bands), Square, SquareRoot,
Logarithm, Exponential, Gradient and LBP3D (m1, m2, k); every setting a PyRadiomics default.

Usage:
  python extract_all.py [--out DIR] [--params YAML] [--check-against OLD_DIR] [case ...]
      cases named in extract_reference.CASES (default: all of them; images from $PYRAD_DATA_DIR,
      default tests/fixtures/reference/pyradiomics/data)
  python extract_all.py [--out DIR] ... --case NAME --image IMG --mask MASK [--label N]
      one explicit case (hidden cases, converted DICOM, ...)

Writes into DIR (default $PYRAD_REF_DIR or tests/fixtures/reference/pyradiomics-all):
  <case>.csv              feature,value  -- every feature PyRadiomics returns except diagnostics_*,
                          in PyRadiomics' order, value '%.17g' (round-trips a float64 exactly; nan as 'nan')
  <case>_diagnostics.csv  key,value      -- PyRadiomics' diagnostics_* provenance entries (strings)
  extraction_log.csv      one row per case (updated in place): wall and CPU seconds of the
                          extractor.execute() call, number of features, NaN features, PyRadiomics
                          warnings logged during the extraction and Python warnings (numpy
                          RuntimeWarnings) raised during it, de-duplicated
  versions.txt            python, pyradiomics, SimpleITK, PyWavelets, numpy, scipy, trimesh

--check-against OLD_DIR: every feature that OLD_DIR/<case>.csv (an older, smaller reference made with
the same PyRadiomics) also contains must have the identical '%.17g' string; exits 1 otherwise.
"""
import argparse
import csv
import importlib.metadata as md
import logging
import os
import sys
import time
import warnings as pywarnings

import numpy
import pywt
import SimpleITK as sitk

import radiomics
from radiomics import featureextractor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from extract_reference import CASES, fmt  # noqa: E402  (same case table and number format)

LOG_FIELDS = ['case', 'image', 'mask', 'label', 'wall_s', 'cpu_s', 'features', 'nan_features', 'warnings']


class _Collect(logging.Handler):
  """Collects the WARNING+ records PyRadiomics logs during one extraction."""

  def __init__(self):
    super().__init__(level=logging.WARNING)
    self.records = []

  def emit(self, record):
    try:
      self.records.append('%s: %s' % (record.levelname, record.getMessage()))
    except Exception:  # pragma: no cover
      self.records.append('%s: %r' % (record.levelname, record.msg))


def _version(dist):
  try:
    return md.version(dist)
  except md.PackageNotFoundError:
    return 'not installed'


def write_versions(out):
  with open(os.path.join(out, 'versions.txt'), 'w') as fh:
    fh.write('python %s\n' % sys.version.split()[0])
    fh.write('pyradiomics %s\n' % radiomics.__version__)
    fh.write('SimpleITK %s\n' % sitk.Version_VersionString())
    fh.write('PyWavelets dist %s (pywt.__version__ reports %s)\n' % (_version('PyWavelets'), pywt.__version__))
    fh.write('numpy %s\n' % numpy.__version__)
    fh.write('scipy %s (LBP3D: map_coordinates, sph_harm, kurtosis)\n' % _version('scipy'))
    fh.write('trimesh %s (LBP3D: icosphere)\n' % _version('trimesh'))


def numeric_items(res):
  for k, v in res.items():
    if k.startswith('diagnostics_'):
      continue
    try:
      yield k, float(v)
    except (TypeError, ValueError):
      raise RuntimeError('non-numeric feature %s = %r' % (k, v))


def update_log(out, row):
  path = os.path.join(out, 'extraction_log.csv')
  rows = []
  if os.path.exists(path):
    with open(path, newline='') as fh:
      rows = [r for r in csv.DictReader(fh) if r['case'] != row['case']]
  rows.append(row)
  with open(path, 'w', newline='') as fh:
    w = csv.DictWriter(fh, fieldnames=LOG_FIELDS)
    w.writeheader()
    for r in rows:
      w.writerow(r)


def check_against(old_dir, case, values):
  """Compare with an older reference; returns a list of mismatch strings."""
  path = os.path.join(old_dir, '%s.csv' % case)
  if not os.path.exists(path):
    return ['%s: no old reference %s' % (case, path)]
  bad = []
  n = 0
  with open(path, newline='') as fh:
    for r in csv.DictReader(fh):
      n += 1
      new = values.get(r['feature'])
      if new is None:
        bad.append('%s %s: missing in new extraction' % (case, r['feature']))
      elif new != r['value']:
        bad.append('%s %s: old %s new %s' % (case, r['feature'], r['value'], new))
  print('%s: %d features compared with %s, %d differ' % (case, n, path, len(bad)), flush=True)
  return bad


def extract(extractor, out, case, img, msk, label, old_dir=None):
  collector = _Collect()
  rlogger = logging.getLogger('radiomics')
  rlogger.addHandler(collector)
  try:
    with pywarnings.catch_warnings(record=True) as caught:  # numpy RuntimeWarnings (0/0, log(0), ...)
      pywarnings.simplefilter('always')
      t0, c0 = time.perf_counter(), time.process_time()
      res = extractor.execute(img, msk, label=label)
      wall, cpu = time.perf_counter() - t0, time.process_time() - c0
  finally:
    rlogger.removeHandler(collector)
  for wm in caught:
    collector.records.append('%s: %s (%s:%d)' % (wm.category.__name__, wm.message,
                                                 os.path.basename(wm.filename), wm.lineno))

  values = {}
  nan = []
  with open(os.path.join(out, '%s.csv' % case), 'w', newline='') as fh:
    w = csv.writer(fh)
    w.writerow(['feature', 'value'])
    for k, v in numeric_items(res):
      s = fmt(v)
      values[k] = s
      if numpy.isnan(v):
        nan.append(k)
      w.writerow([k, s])
  with open(os.path.join(out, '%s_diagnostics.csv' % case), 'w', newline='') as fh:
    w = csv.writer(fh)
    w.writerow(['key', 'value'])
    for k, v in res.items():
      if k.startswith('diagnostics_'):
        w.writerow([k, str(v)])

  # de-duplicate repeated warnings (e.g. the same message per image type) but keep their order
  warnings = list(dict.fromkeys(collector.records))
  update_log(out, {'case': case, 'image': os.path.basename(img), 'mask': os.path.basename(msk), 'label': label,
                   'wall_s': '%.2f' % wall, 'cpu_s': '%.2f' % cpu, 'features': len(values),
                   'nan_features': ' '.join(nan), 'warnings': ' | '.join(warnings)})
  print('%s: %d features (%d NaN) in %.1f s wall / %.1f s CPU; %d warnings'
        % (case, len(values), len(nan), wall, cpu, len(warnings)), flush=True)
  for wmsg in warnings:
    print('  ' + wmsg, flush=True)
  bad = check_against(old_dir, case, values) if old_dir else []
  for b in bad[:20]:
    print('  DIFF ' + b, flush=True)
  return bad


def main(argv):
  ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
  ap.add_argument('cases', nargs='*', help='case names from extract_reference.CASES (default: all)')
  ap.add_argument('--out', default=os.environ.get('PYRAD_REF_DIR', os.path.join(HERE, '..', '..', 'fixtures', 'reference', 'pyradiomics-all')))
  ap.add_argument('--params', default=os.path.join(HERE, 'params_all.yaml'))
  ap.add_argument('--case', help='name of an explicit case (with --image/--mask)')
  ap.add_argument('--image')
  ap.add_argument('--mask')
  ap.add_argument('--label', type=int, default=1)
  ap.add_argument('--check-against', metavar='OLD_DIR')
  a = ap.parse_args(argv)

  radiomics.setVerbosity(logging.ERROR)  # console: errors only; warnings go to extraction_log.csv
  os.makedirs(a.out, exist_ok=True)
  extractor = featureextractor.RadiomicsFeatureExtractor(a.params)

  if a.case or a.image or a.mask:
    if not (a.case and a.image and a.mask) or a.cases:
      ap.error('--case, --image and --mask go together, without positional case names')
    todo = [(a.case, a.image, a.mask, a.label)]
  else:
    todo = [(c,) + tuple(CASES[c]) for c in (a.cases or list(CASES))]

  write_versions(a.out)
  bad = []
  for case, img, msk, label in todo:
    bad += extract(extractor, a.out, case, img, msk, label, a.check_against)
  if bad:
    print('%d features differ from the old reference' % len(bad), flush=True)
    return 1
  return 0


if __name__ == '__main__':
  sys.exit(main(sys.argv[1:]))
