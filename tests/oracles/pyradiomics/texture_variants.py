#!/usr/bin/env python
"""PyRadiomics 3.0.1 reference values for the texture settings the public variants do not cover.

Usage (from the repository root, with the oracle's virtual environment, `install.sh`):

  .venv-pyradiomics/bin/python tests/oracles/pyradiomics/texture_variants.py \
      --outdir tests/fixtures/pyradiomics/texture-variants

Variants (everything else PyRadiomics' default, binWidth 25, label 1, image type Original):

  weight-manhattan / weight-euclidean / weight-infinity / weight-none
      weightingNorm manhattan / euclidean / infinity / no_weighting (distances [1]); glcm, glrlm
  asymmetric        symmetricalGLCM false; glcm
  gldm-a1 / gldm-a2 gldm_a 1 / 2; gldm
  distances-2       distances [2]; glcm, gldm, ngtdm
  distances-1-3     distances [1, 3] (no weighting); glcm, gldm, ngtdm
  distances-dup     distances [1, 1] (a repeated distance: PyRadiomics repeats angles); glcm, gldm, ngtdm
  force2d-dim1 / force2d-dim2
      force2D true, force2Ddimension 1 / 2; firstorder, glcm, glrlm, glszm, gldm, ngtdm
  force2d-shape2d-dim2
      force2D true, force2Ddimension 2 + shape2D (computed only for an ROI one x-column thick and
      more than one slice in z: sf_plane_x; the others raise, see README)
  force2d-shape2d-dim0 / force2d-shape2d-dim1
      the same with force2Ddimension 0 / 1; shape2D, firstorder (dimension 0: computed for
      sf_one_slice and syn3; skipped without error for sf_plane_x, one voxel wide in x although
      several slices thick; dimension 1: never computed)
  force2d-weighted  force2D true (dimension 0), distances [1, 2], weightingNorm manhattan; glcm, glrlm,
                    glszm, gldm, ngtdm
  mcc-levels        binWidth 1; glcm, on its own cases (below): GLCMs over hundreds of gray levels, where
                    MCC's eigenvalues crowd together and PyRadiomics' eps moves them beyond first order
                    (radscore's symmetric MCC path refines or declines there)

Cases: brain1 breast1 syn1 syn2 syn3 (tests/fixtures/reference/pyradiomics/data) and sf_plane_x
sf_one_slice (tests/fixtures/pyradiomics: small anisotropic int16/uint16 images; sf_plane_x's ROI is
one x-column thick, sf_one_slice's one z-slice thick). mcc-levels runs on mcc_g256, mcc_g256_rare and
mcc_g600 instead, which this script writes to tests/fixtures/pyradiomics (24^3 int16, spacing 1 mm, a
20^3 cube ROI; uniform random levels 0..G-1 averaged with three rolled copies, rescaled to G levels;
numpy default_rng seeds 2, 3, 4; mcc_g256_rare adds one voxel of level G + 500).

Output, per variant v: OUT/v/params.yaml (the settings as a PyRadiomics params file), OUT/v/cases.csv
(case,image,mask,label,status,n_features; paths relative to OUT), and per case OUT/v/<case>.csv
('feature,value', '%.17g') or OUT/v/<case>.error.txt ('<ExceptionType>: <message>' where PyRadiomics
raises). OUT/versions.txt: software versions.
"""
import argparse
import csv
import logging
import os
import sys

import numpy
import SimpleITK as sitk

import radiomics
from radiomics import featureextractor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
PUBLIC = os.path.join(ROOT, 'tests', 'fixtures', 'reference', 'pyradiomics', 'data')
EXTRA = os.path.join(ROOT, 'tests', 'fixtures', 'pyradiomics')

CASES = [
  ('brain1', os.path.join(PUBLIC, 'brain1_image.nrrd'), os.path.join(PUBLIC, 'brain1_label.nrrd')),
  ('breast1', os.path.join(PUBLIC, 'breast1_image.nrrd'), os.path.join(PUBLIC, 'breast1_label.nrrd')),
  ('syn1', os.path.join(PUBLIC, 'syn1_image.nrrd'), os.path.join(PUBLIC, 'syn1_label.nrrd')),
  ('syn2', os.path.join(PUBLIC, 'syn2_image.nrrd'), os.path.join(PUBLIC, 'syn2_label.nrrd')),
  ('syn3', os.path.join(PUBLIC, 'syn3_image.nrrd'), os.path.join(PUBLIC, 'syn3_label.nrrd')),
  ('sf_plane_x', os.path.join(EXTRA, 'sf_plane_x_image.nrrd'), os.path.join(EXTRA, 'sf_plane_x_mask.nrrd')),
  ('sf_one_slice', os.path.join(EXTRA, 'sf_one_slice_image.nrrd'), os.path.join(EXTRA, 'sf_one_slice_mask.nrrd')),
]

TEXTURE = ['glcm', 'glrlm', 'glszm', 'gldm', 'ngtdm']

VARIANTS = {
  'weight-manhattan': ({'weightingNorm': 'manhattan'}, ['glcm', 'glrlm']),
  'weight-euclidean': ({'weightingNorm': 'euclidean'}, ['glcm', 'glrlm']),
  'weight-infinity': ({'weightingNorm': 'infinity'}, ['glcm', 'glrlm']),
  'weight-none': ({'weightingNorm': 'no_weighting'}, ['glcm', 'glrlm']),
  'asymmetric': ({'symmetricalGLCM': False}, ['glcm']),
  'gldm-a1': ({'gldm_a': 1}, ['gldm']),
  'gldm-a2': ({'gldm_a': 2}, ['gldm']),
  'distances-2': ({'distances': [2]}, ['glcm', 'gldm', 'ngtdm']),
  'distances-1-3': ({'distances': [1, 3]}, ['glcm', 'gldm', 'ngtdm']),
  'distances-dup': ({'distances': [1, 1]}, ['glcm', 'gldm', 'ngtdm']),
  'force2d-dim1': ({'force2D': True, 'force2Ddimension': 1}, ['firstorder'] + TEXTURE),
  'force2d-dim2': ({'force2D': True, 'force2Ddimension': 2}, ['firstorder'] + TEXTURE),
  'force2d-shape2d-dim2': ({'force2D': True, 'force2Ddimension': 2}, ['shape2D', 'firstorder', 'glcm']),
  'force2d-shape2d-dim0': ({'force2D': True, 'force2Ddimension': 0}, ['shape2D', 'firstorder']),
  'force2d-shape2d-dim1': ({'force2D': True, 'force2Ddimension': 1}, ['shape2D', 'firstorder']),
  'force2d-weighted': ({'force2D': True, 'force2Ddimension': 0, 'distances': [1, 2],
                        'weightingNorm': 'manhattan'}, TEXTURE),
  'mcc-levels': ({'binWidth': 1}, ['glcm']),
}


# the many-level cases of mcc-levels: (name, G, seed, rare voxel)
MCC_CASES = [('mcc_g256', 256, 2, False), ('mcc_g256_rare', 256, 3, True), ('mcc_g600', 600, 4, False)]


def make_mcc_case(name, levels, seed, rare):
  """Writes EXTRA/<name>_image.nrrd and _mask.nrrd; returns (name, image, mask)."""
  rng = numpy.random.default_rng(seed)
  n = 24
  base = rng.integers(0, levels, size=(n, n, n)).astype(numpy.float64)
  sm = (base + numpy.roll(base, 1, 0) + numpy.roll(base, 1, 1) + numpy.roll(base, 1, 2)) / 4
  img = numpy.clip(numpy.round(sm * (levels - 1) / sm.max()), 0, levels - 1).astype(numpy.int16)
  if rare:
    img[5, 5, 5] = levels + 500
  mask = numpy.zeros(img.shape, dtype=numpy.uint8)
  mask[2:-2, 2:-2, 2:-2] = 1
  im = sitk.GetImageFromArray(img)
  im.SetSpacing((1.0, 1.0, 1.0))
  mk = sitk.GetImageFromArray(mask)
  mk.CopyInformation(im)
  paths = (os.path.join(EXTRA, name + '_image.nrrd'), os.path.join(EXTRA, name + '_mask.nrrd'))
  sitk.WriteImage(im, paths[0], True)
  sitk.WriteImage(mk, paths[1], True)
  return (name, paths[0], paths[1])


def scalar(v):
  if isinstance(v, bool):
    return 'true' if v else 'false'
  if isinstance(v, list):
    return '[%s]' % ', '.join(scalar(x) for x in v)
  return str(v)


def to_yaml(params):
  """The params dict as a PyRadiomics params file (two levels of mappings)."""
  lines = []
  for section, body in params.items():
    lines.append('%s:' % section)
    for k, v in body.items():
      lines.append('  %s: %s' % (k, '{}' if v == {} else scalar(v)))
  return '\n'.join(lines) + '\n'


def main():
  ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
  ap.add_argument('--outdir', required=True)
  ap.add_argument('--variants', default=','.join(VARIANTS))
  args = ap.parse_args()
  radiomics.setVerbosity(logging.ERROR)
  out = os.path.abspath(args.outdir)
  os.makedirs(out, exist_ok=True)
  with open(os.path.join(out, 'versions.txt'), 'w') as fh:
    fh.write('python %s\n' % sys.version.split()[0])
    fh.write('pyradiomics %s\n' % radiomics.__version__)
    fh.write('SimpleITK %s\n' % sitk.Version_VersionString())
    fh.write('numpy %s\n' % numpy.__version__)
  for v in args.variants.split(','):
    settings, classes = VARIANTS[v]
    params = {
      'imageType': {'Original': {}},
      'featureClass': {c: [] for c in classes},
      'setting': dict(settings, binWidth=settings.get('binWidth', 25), label=1),
    }
    vdir = os.path.join(out, v)
    os.makedirs(vdir, exist_ok=True)
    with open(os.path.join(vdir, 'params.yaml'), 'w') as fh:
      fh.write('# Variant "%s" (texture_variants.py)\n' % v)
      fh.write(to_yaml(params))
    extractor = featureextractor.RadiomicsFeatureExtractor(os.path.join(vdir, 'params.yaml'))
    rows = []
    cases = [make_mcc_case(*c) for c in MCC_CASES] if v == 'mcc-levels' else CASES
    for case, img, msk in cases:
      for suffix in ('.csv', '.error.txt'):
        p = os.path.join(vdir, case + suffix)
        if os.path.exists(p):
          os.remove(p)
      try:
        res = extractor.execute(img, msk, label=1)
      except Exception as e:
        with open(os.path.join(vdir, case + '.error.txt'), 'w') as fh:
          fh.write('%s: %s\n' % (type(e).__name__, e))
        status, n = 'error', 0
      else:
        n = 0
        with open(os.path.join(vdir, case + '.csv'), 'w', newline='') as fh:
          w = csv.writer(fh)
          w.writerow(['feature', 'value'])
          for k, val in res.items():
            if k.startswith('diagnostics_'):
              continue
            w.writerow([k, '%.17g' % float(val)])
            n += 1
        status = 'ok'
      rows.append([case, os.path.relpath(img, out), os.path.relpath(msk, out), 1, status, n])
      print(v, case, status, n)
    with open(os.path.join(vdir, 'cases.csv'), 'w', newline='') as fh:
      w = csv.writer(fh)
      w.writerow(['case', 'image', 'mask', 'label', 'status', 'n_features'])
      w.writerows(rows)


if __name__ == '__main__':
  main()
