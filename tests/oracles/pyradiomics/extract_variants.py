#!/usr/bin/env python
"""PyRadiomics reference values for non-default SETTINGS (one params file per family of settings).

Usage:
  python extract_variants.py --outdir DIR [--data DIR] [--variants v1,v2,...] [case ...]

  * params files:  variants/<variant>.yaml next to this script (complete PyRadiomics params files)
  * cases:         case <c> is read from <data>/<c>_image.nrrd + <data>/<c>_label.nrrd, --data defaulting to
                   ../../fixtures/reference/pyradiomics/data; default cases: brain1 breast1 syn1 syn2 syn3
                   (--data DIR case ... for other cases).
  * --timeout S:   per (variant, case) wall-clock limit; on expiry NOTHING is written for the pair and its
                   status is 'timeout' (raised as a BaseException so PyRadiomics cannot turn it into a NaN).
  * label:         1, except where LABELS below overrides it for a (variant, case) pair.

For every variant v and case c it writes (same conventions as extract_reference.py):
  DIR/v/c.csv              'feature,value', every numeric feature, value as '%.17g' (exact float64)
  DIR/v/c_diagnostics.csv  'key,value', PyRadiomics' diagnostics_* entries (strings)
  DIR/v/c.error.txt        INSTEAD of the two files above when PyRadiomics raises: first line
                           '<ExceptionType>: <message>' (the Rust tool must refuse this case, too)
  DIR/v/c.warnings.txt     only if PyRadiomics logged warnings for this case (one per line; the warning
                           'GLCM is symmetrical, therefore Sum Average = ...' that every GLCM run logs is left out)
  DIR/v/cases.csv          case,image,mask,label,status,n_features (paths relative to DIR); status 'timeout'
                           means the run was cut by --timeout: no reference exists for that pair
  DIR/v/params.yaml        copy of the params file used
  DIR/versions.txt         software versions
  DIR/run_log.csv          variant,case,status,n_features,n_nan,seconds (timings: informative only)
"""
import argparse
import contextlib
import csv
import fcntl
import logging
import os
import shutil
import signal
import sys
import time

import numpy
import pywt
import SimpleITK as sitk

import radiomics
from radiomics import featureextractor

HERE = os.path.dirname(os.path.abspath(__file__))
VARIANT_DIR = os.path.join(HERE, 'variants')
PUBLIC_DATA = os.path.join(HERE, '..', '..', 'fixtures', 'reference', 'pyradiomics', 'data')

# Order in which variants are run (each is VARIANT_DIR/<name>.yaml).
VARIANTS = [
  'default',          # baseline: defaults, Original, all seven classes
  'bincount',         # binCount 32
  'normalize',        # normalize, normalizeScale 100, removeOutliers 3
  'resample',         # 1x1x1 mm, sitkBSpline, padDistance 5
  'resample-aniso',   # 0.8x0.8x2.0 mm, sitkLinear, preCrop
  'resegment',        # resegmentRange [-3, 3] sigma
  'resegment-tight',  # resegmentRange [-1.5, 2] sigma (removes voxels; [-3, 3] removes none)
  'resegment-shape',  # as resegment-tight + resegmentShape true
  'resegment-relative',  # resegmentRange [0.6] relative (lower bound only)
  'resegment-abs',    # resegmentRange [0, 1200] absolute
  'distances',        # distances [1, 2, 3], weightingNorm euclidean
  'force2d',          # force2D, force2Ddimension 0 (no shape class)
  'force2d-shape2d',  # force2D + shape2D (fails on multi-slice ROIs)
  'filters',          # LoG sigma 1.0/2.5 + Wavelet db2 level 2; firstorder+glcm
  'shift',            # voxelArrayShift 300, Square/SquareRoot/Logarithm/Exponential, binWidth 10, firstorder
  'geometry',         # minimumROIDimensions 1, minimumROISize 5, label 2 for h4
  'geometry-strict',  # minimumROIDimensions 3, minimumROISize 150 (fails on small / single-slice ROIs)
]

PUBLIC_CASES = ['brain1', 'breast1', 'brain2', 'syn1', 'syn2', 'syn3']

# (variant, case) -> label; everything else uses label 1.  Only h4 has other labels (2: 7x7x2, 3: 10x10x2).
LABELS = {
  ('geometry', 'h4'): 2,
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


# Logged by every GLCM extraction (SumAverage is enabled by default); not recorded in *.warnings.txt.
IGNORED_WARNING = 'GLCM is symmetrical, therefore Sum Average = 2 * Joint Average'


class ListHandler(logging.Handler):
  def __init__(self):
    super().__init__(level=logging.WARNING)
    self.records = []

  def emit(self, record):
    try:
      msg = record.getMessage()
      if msg.startswith(IGNORED_WARNING):
        return
      self.records.append('%s: %s' % (record.levelname, msg))
    except Exception:  # never let logging break the extraction
      self.records.append('%s: %r %r' % (record.levelname, record.msg, record.args))


class CaseTimeout(BaseException):
  """Raised by SIGALRM when --timeout is exceeded (NOT a PyRadiomics error: nothing is written).

  A BaseException on purpose: PyRadiomics' RadiomicsFeaturesBase._calculateFeatures catches Exception per
  feature, logs 'FAILED: ...' and stores NaN -- a timeout must abort the case instead of turning into NaN."""


def _alarm(signum, frame):
  raise CaseTimeout()


@contextlib.contextmanager
def locked(outdir):
  """Serialises the read-merge-write of cases.csv / run_log.csv between concurrent runs on one outdir."""
  with open(os.path.join(outdir, '.lock'), 'w') as fh:
    fcntl.flock(fh, fcntl.LOCK_EX)
    try:
      yield
    finally:
      fcntl.flock(fh, fcntl.LOCK_UN)


def case_files(data, case):
  return os.path.join(data, '%s_image.nrrd' % case), os.path.join(data, '%s_label.nrrd' % case)


def remove_outputs(vdir, case):
  for suffix in ('.csv', '_diagnostics.csv', '.error.txt', '.warnings.txt'):
    p = os.path.join(vdir, case + suffix)
    if os.path.exists(p):
      os.remove(p)


def run_one(extractor, img, msk, label, vdir, case, handler, timeout=0):
  """Returns (status, n_features, n_nan); status is 'ok', 'error' or 'timeout' (no files written)."""
  remove_outputs(vdir, case)
  handler.records = []
  try:
    if timeout:
      signal.alarm(timeout)
    try:
      res = extractor.execute(img, msk, label=label)
    finally:
      signal.alarm(0)
  except CaseTimeout:
    return 'timeout', 0, 0
  except Exception as e:  # PyRadiomics raises ValueError (mostly) for invalid ROI / settings combinations
    with open(os.path.join(vdir, '%s.error.txt' % case), 'w') as fh:
      fh.write('%s: %s\n' % (type(e).__name__, e))
    status, n, n_nan = 'error', 0, 0
  else:
    n = n_nan = 0
    with open(os.path.join(vdir, '%s.csv' % case), 'w', newline='') as fh:
      w = csv.writer(fh)
      w.writerow(['feature', 'value'])
      for k, v in res.items():
        if is_numeric_feature(k, v):
          w.writerow([k, fmt(v)])
          n += 1
          n_nan += int(numpy.isnan(float(v)))
    with open(os.path.join(vdir, '%s_diagnostics.csv' % case), 'w', newline='') as fh:
      w = csv.writer(fh)
      w.writerow(['key', 'value'])
      for k, v in res.items():
        if k.startswith('diagnostics_'):
          w.writerow([k, str(v)])
    status = 'ok'
  if any('CaseTimeout' in r for r in handler.records):  # belt and braces: never keep a timeout-made NaN
    remove_outputs(vdir, case)
    return 'timeout', 0, 0
  if handler.records:
    with open(os.path.join(vdir, '%s.warnings.txt' % case), 'w') as fh:
      for r in handler.records:
        fh.write(r.replace('\n', ' ') + '\n')
  return status, n, n_nan


def write_versions(outdir):
  import importlib.metadata as md
  with open(os.path.join(outdir, 'versions.txt'), 'w') as fh:
    fh.write('python %s\n' % sys.version.split()[0])
    fh.write('pyradiomics %s\n' % radiomics.__version__)
    fh.write('SimpleITK %s\n' % sitk.Version_VersionString())
    fh.write('PyWavelets dist %s (pywt.__version__ reports %s)\n' % (md.version('PyWavelets'), pywt.__version__))
    fh.write('numpy %s\n' % numpy.__version__)


def main():
  ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
  ap.add_argument('--outdir', required=True)
  ap.add_argument('--data', default=PUBLIC_DATA)
  ap.add_argument('--variants', default=','.join(VARIANTS))
  ap.add_argument('--timeout', type=int, default=0,
                  help='seconds per (variant, case); on timeout nothing is written and status is "timeout"')
  ap.add_argument('cases', nargs='*')
  a = ap.parse_args()
  cases = a.cases or PUBLIC_CASES
  variants = [v for v in a.variants.split(',') if v]

  signal.signal(signal.SIGALRM, _alarm)
  radiomics.setVerbosity(logging.ERROR)   # console: errors only
  handler = ListHandler()
  logging.getLogger('radiomics').addHandler(handler)

  os.makedirs(a.outdir, exist_ok=True)
  write_versions(a.outdir)
  log_path = os.path.join(a.outdir, 'run_log.csv')
  rows = []

  for variant in variants:
    params = os.path.join(VARIANT_DIR, '%s.yaml' % variant)
    vdir = os.path.join(a.outdir, variant)
    os.makedirs(vdir, exist_ok=True)
    shutil.copyfile(params, os.path.join(vdir, 'params.yaml'))
    extractor = featureextractor.RadiomicsFeatureExtractor(params)
    case_rows = []
    t_variant = time.time()
    for case in cases:
      img, msk = case_files(a.data, case)
      label = LABELS.get((variant, case), 1)
      t0 = time.time()
      status, n, n_nan = run_one(extractor, img, msk, label, vdir, case, handler, a.timeout)
      dt = time.time() - t0
      rows.append({'variant': variant, 'case': case, 'status': status, 'n_features': n, 'n_nan': n_nan,
                   'seconds': '%.2f' % dt})
      case_rows.append({'case': case,
                        'image': os.path.relpath(img, a.outdir), 'mask': os.path.relpath(msk, a.outdir),
                        'label': label, 'status': status, 'n_features': n})
      msg = status
      if status == 'error':
        with open(os.path.join(vdir, '%s.error.txt' % case)) as fh:
          msg += ' (' + fh.readline().strip() + ')'
      print('%-16s %-8s label %d  %-60s %4d features %3d NaN  %6.1fs' % (variant, case, label, msg[:60], n, n_nan, dt),
            flush=True)
    # merge with cases of this variant written by earlier runs (e.g. the public and the hidden set share nothing,
    # but re-running a subset must not drop the other cases' rows)
    cpath = os.path.join(vdir, 'cases.csv')
    with locked(a.outdir):
      if os.path.exists(cpath):
        with open(cpath) as fh:
          keep = [r for r in csv.DictReader(fh) if r['case'] not in cases]
        case_rows = sorted(keep + case_rows, key=lambda r: r['case'])
      with open(cpath, 'w', newline='') as fh:
        w = csv.DictWriter(fh, fieldnames=['case', 'image', 'mask', 'label', 'status', 'n_features'])
        w.writeheader()
        w.writerows(case_rows)
    print('%-16s total %.1fs' % (variant, time.time() - t_variant), flush=True)

  with locked(a.outdir):
    old_rows = []
    if os.path.exists(log_path):  # keep rows of (variant, case) pairs not re-run now
      with open(log_path) as fh:
        old_rows = [r for r in csv.DictReader(fh) if not (r['variant'] in variants and r['case'] in cases)]
    order = {v: i for i, v in enumerate(VARIANTS)}
    all_rows = sorted(old_rows + rows, key=lambda r: (order.get(r['variant'], 99), r['variant'], r['case']))
    with open(log_path, 'w', newline='') as fh:
      w = csv.DictWriter(fh, fieldnames=['variant', 'case', 'status', 'n_features', 'n_nan', 'seconds'])
      w.writeheader()
      w.writerows(all_rows)


if __name__ == '__main__':
  main()
