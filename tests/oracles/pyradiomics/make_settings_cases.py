#!/usr/bin/env python
"""Edge cases for the intensity and ROI settings that the public cases do not exercise.

Usage (from the repository's root):
  py="$(bash tests/oracles/pyradiomics/install.sh)"
  "$py" tests/oracles/pyradiomics/make_settings_cases.py [--outdir tests/fixtures/pyradiomics-settings]

Writes, under OUTDIR:
  data/<case>_image.nrrd, data/<case>_label.nrrd   small synthetic volumes (numpy default_rng, fixed seeds),
                                                  20 x 18 x 10 voxels, spacing 0.7 x 0.8 x 2.0 mm, label 1
  <group>/params.yaml                             the PyRadiomics params of the group
  <group>/cases.csv                               case,image,mask,label,status,n_features (paths relative to OUTDIR)
  <group>/<case>.csv                              'feature,value' ('%.17g') where PyRadiomics succeeded
  <group>/<case>.error.txt                        '<ExceptionType>: <message>' where it raised
  versions.txt

What the groups exercise (tests/tests/pyradiomics_settings.rs builds the same settings by hand):
  bincount7          binCount 7 (inexact edge step) on flat int16 / uint16 / float32 ROIs (numpy's float32 edges
                     of a flat integer ROI), negative float32, float64, int32; with LoG and gradient (float32 images),
                     wavelet (float32 for float32 input) and square (float64)
  normalize-clip     normalize + removeOutliers 1.5 (many voxels clipped), scale 1, binWidth 0.25, on float32,
                     int32, float64 and int16 images, with every filter reading the normalised image
  normalize-scale    normalize, normalizeScale 500, binCount 16 (flat ROI of a normalised image: float64 edges)
  reseg-sigma        resegmentRange [-1, 1] sigma: float32 mean/std (numpy float32 sums), float64, int32, flat ROI
  reseg-bright       resegmentRange [1000] absolute: 1 voxel left (error), 2 voxels in a line (too few dimensions
                     after resegmentation), 0 left (error), 4 voxels in a square (ok)
  reseg-relative     resegmentRange [0.5, 0.9] relative: negative ROI maximum (bounds cross: nothing left), positive
  reseg-shape-bbox   resegmentRange [0.5] relative, resegmentShape false: the resegmented bounding box is smaller, so
                     shape uses the original mask cropped to it
  reseg-shape-true   the same with resegmentShape true
  reseg-norm-size    normalize, then resegmentRange [-0.5, 2] absolute on the normalised values, minimumROISize 40,
                     minimumROIDimensions 3 (checked again after resegmentation)
"""
import argparse
import csv
import json
import logging
import os
import sys

import numpy
import SimpleITK as sitk

import radiomics
from radiomics import featureextractor

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, '..', '..', 'fixtures', 'pyradiomics-settings')
SHAPE = (10, 18, 20)  # numpy (z, y, x)
SPACING = (0.7, 0.8, 2.0)  # (x, y, z)

ALL7 = {'shape': [], 'firstorder': [], 'glcm': [], 'glrlm': [], 'glszm': [], 'gldm': [], 'ngtdm': []}


def ellipsoid(center=(5, 9, 10), radii=(3, 5, 6)):
  z, y, x = numpy.indices(SHAPE)
  d = sum(((a - c) / r) ** 2 for a, c, r in zip((z, y, x), center, radii))
  return (d <= 1.0).astype(numpy.uint8)


def make_cases():
  """case -> (image array (z, y, x) in its numpy type, mask array uint8)."""
  roi = ellipsoid()
  cases = {}
  rng = numpy.random.default_rng(18001)
  a = rng.integers(0, 500, SHAPE).astype(numpy.int16)
  a[roi == 1] = 137
  cases['flat_i16'] = (a, roi)
  a = rng.integers(0, 3000, SHAPE).astype(numpy.uint16)
  a[roi == 1] = 2500
  cases['flat_u16'] = (a, roi)
  a = (rng.normal(0, 50, SHAPE)).astype(numpy.float32)
  a[roi == 1] = 12.375
  cases['flat_f32'] = (a, roi)
  cases['neg_f32'] = (rng.normal(-200, 80, SHAPE).astype(numpy.float32), roi)
  cases['f64_vals'] = (rng.uniform(-5, 5, SHAPE).astype(numpy.float64), roi)
  cases['i32_vals'] = (rng.integers(0, 100000, SHAPE).astype(numpy.int32), roi)
  cases['pos_u16'] = (rng.integers(100, 4000, SHAPE).astype(numpy.uint16), roi)
  base = rng.integers(0, 500, SHAPE).astype(numpy.int16)
  for name, pts in [('one_bright', [(5, 9, 10)]), ('two_bright', [(5, 9, 10), (5, 9, 11)]), ('none_bright', []),
                    ('four_bright', [(5, 9, 10), (5, 9, 11), (5, 10, 10), (5, 10, 11)])]:
    a = base.copy()
    for k, p in enumerate(pts):
      a[p] = 1500 + 100 * k
    cases[name] = (a, roi)
  a = rng.integers(100, 300, SHAPE).astype(numpy.int16)
  bright = rng.integers(800, 1000, SHAPE).astype(numpy.int16)
  a[:, :, 10:] = bright[:, :, 10:]
  cases['bbox_shrink'] = (a, roi)
  small = numpy.zeros(SHAPE, numpy.uint8)
  small[4:7, 7:11, 8:12] = 1  # 3 x 4 x 4 = 48 voxels
  cases['small_roi'] = (rng.normal(0, 1, SHAPE).astype(numpy.float32), small)
  return cases


GROUPS = {
  'bincount7': ({'Original': {}, 'LoG': {'sigma': [1.0]}, 'Wavelet': {}, 'Gradient': {}, 'Square': {}},
                {'firstorder': [], 'glcm': [], 'glszm': []},
                {'binCount': 7},
                ['flat_i16', 'flat_u16', 'flat_f32', 'neg_f32', 'f64_vals', 'i32_vals']),
  'normalize-clip': ({'Original': {}, 'LoG': {'sigma': [1.0]}, 'Wavelet': {}, 'Exponential': {}, 'Square': {},
                      'SquareRoot': {}, 'Logarithm': {}, 'Gradient': {}},
                     {'firstorder': [], 'glszm': []},
                     {'normalize': True, 'removeOutliers': 1.5, 'binWidth': 0.25},
                     ['neg_f32', 'i32_vals', 'f64_vals', 'flat_i16']),
  'normalize-scale': ({'Original': {}}, ALL7,
                      {'normalize': True, 'normalizeScale': 500, 'binCount': 16},
                      ['neg_f32', 'i32_vals', 'flat_f32']),
  'reseg-sigma': ({'Original': {}, 'LoG': {'sigma': [1.0]}}, {'firstorder': [], 'shape': [], 'glcm': []},
                  {'resegmentRange': [-1, 1], 'resegmentMode': 'sigma', 'binCount': 8},
                  ['neg_f32', 'f64_vals', 'i32_vals', 'flat_i16']),
  'reseg-bright': ({'Original': {}}, {'firstorder': [], 'shape': []},
                   {'resegmentRange': [1000], 'resegmentMode': 'absolute'},
                   ['one_bright', 'two_bright', 'none_bright', 'four_bright']),
  'reseg-relative': ({'Original': {}}, {'firstorder': [], 'glszm': []},
                     {'resegmentRange': [0.5, 0.9], 'resegmentMode': 'relative', 'binCount': 8},
                     ['neg_f32', 'pos_u16']),
  'reseg-shape-bbox': ({'Original': {}}, ALL7,
                       {'resegmentRange': [0.5], 'resegmentMode': 'relative'},
                       ['bbox_shrink']),
  'reseg-shape-true': ({'Original': {}}, ALL7,
                       {'resegmentRange': [0.5], 'resegmentMode': 'relative', 'resegmentShape': True},
                       ['bbox_shrink']),
  'reseg-norm-size': ({'Original': {}}, {'firstorder': [], 'shape': [], 'glrlm': []},
                      {'normalize': True, 'resegmentRange': [-0.5, 2], 'resegmentMode': 'absolute',
                       'minimumROISize': 40, 'minimumROIDimensions': 3, 'binWidth': 0.2},
                      ['neg_f32', 'i32_vals', 'f64_vals', 'small_roi']),
}


def main():
  ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
  ap.add_argument('--outdir', default=DEFAULT_OUT)
  a = ap.parse_args()
  out = os.path.abspath(a.outdir)
  data = os.path.join(out, 'data')
  os.makedirs(data, exist_ok=True)
  radiomics.setVerbosity(logging.ERROR)
  cases = make_cases()
  for name, (arr, roi) in cases.items():
    for suffix, x in (('image', arr), ('label', roi)):
      im = sitk.GetImageFromArray(x)
      im.SetSpacing(SPACING)
      sitk.WriteImage(im, os.path.join(data, '%s_%s.nrrd' % (name, suffix)), True)
  with open(os.path.join(out, 'versions.txt'), 'w') as fh:
    fh.write('python %s\npyradiomics %s\nSimpleITK %s\nnumpy %s\n' % (
      sys.version.split()[0], radiomics.__version__, sitk.Version_VersionString(), numpy.__version__))
  for group, (image_types, classes, setting, group_cases) in GROUPS.items():
    gdir = os.path.join(out, group)
    os.makedirs(gdir, exist_ok=True)
    for f in os.listdir(gdir):
      os.remove(os.path.join(gdir, f))
    params = {'imageType': image_types, 'featureClass': classes, 'setting': dict(setting, label=1)}
    ppath = os.path.join(gdir, 'params.yaml')
    with open(ppath, 'w') as fh:  # JSON is YAML: PyRadiomics reads it as a params file
      json.dump(params, fh, indent=2)
      fh.write('\n')
    ex = featureextractor.RadiomicsFeatureExtractor(ppath)
    rows = []
    for case in group_cases:
      img = os.path.join(data, '%s_image.nrrd' % case)
      msk = os.path.join(data, '%s_label.nrrd' % case)
      try:
        res = ex.execute(img, msk, label=1)
      except Exception as e:
        with open(os.path.join(gdir, '%s.error.txt' % case), 'w') as fh:
          fh.write('%s: %s\n' % (type(e).__name__, e))
        status, n = 'error', 0
      else:
        n = 0
        with open(os.path.join(gdir, '%s.csv' % case), 'w', newline='') as fh:
          w = csv.writer(fh)
          w.writerow(['feature', 'value'])
          for k, v in res.items():
            if k.startswith('diagnostics_'):
              continue
            w.writerow([k, '%.17g' % float(v)])
            n += 1
        status = 'ok'
      rows.append([case, os.path.relpath(img, out), os.path.relpath(msk, out), 1, status, n])
      print('%-18s %-12s %s %d' % (group, case, status, n), flush=True)
    with open(os.path.join(gdir, 'cases.csv'), 'w', newline='') as fh:
      w = csv.writer(fh)
      w.writerow(['case', 'image', 'mask', 'label', 'status', 'n_features'])
      w.writerows(rows)


if __name__ == '__main__':
  main()
