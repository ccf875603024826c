#!/usr/bin/env python
"""PyRadiomics 3.0.1's three LBP3D images (getLBP3DImage, default settings) at every ROI voxel of
a few reference cases, for a voxel-by-voxel comparison (tests/tests/lbp3d_images.rs).

Writes tests/fixtures/pyradiomics/lbp3d-images/<case>.csv: z,y,x (numpy index of the voxel),
m1, m2, k ('%.17g', exact float64). lbp-3D-m2 depends on the CPU numpy runs on (SIMD arccos and
arctan2, fused complex products; see core/src/filters/lbp3d.rs): run on an x86-64 with AVX-512,
as the other references. Usage (from the repository's root, with the python install_all.sh
prints: scipy 1.14.1, trimesh 5.2.0):
  python tests/oracles/pyradiomics/lbp3d_images.py [OUT_DIR]
"""
import csv
import os
import sys

import SimpleITK as sitk
from numpy.core._multiarray_umath import __cpu_features__ as cpu
from radiomics import imageoperations

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
DATA = os.path.join(ROOT, 'tests', 'fixtures', 'reference', 'pyradiomics', 'data')
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'tests', 'fixtures', 'pyradiomics', 'lbp3d-images')
CASES = ['breast1', 'brain2', 'syn2']

if not cpu.get('AVX512_SKX'):
  sys.exit('numpy found no AVX512_SKX here: lbp-3D-m2 would differ from the references')
os.makedirs(OUT, exist_ok=True)
for case in CASES:
  img = sitk.ReadImage(os.path.join(DATA, '%s_image.nrrd' % case))
  msk = sitk.ReadImage(os.path.join(DATA, '%s_label.nrrd' % case))
  ims = {name: sitk.GetArrayFromImage(im) for im, name, _ in imageoperations.getLBP3DImage(img, msk, label=1)}
  roi = sitk.GetArrayFromImage(msk) == 1
  with open(os.path.join(OUT, '%s.csv' % case), 'w', newline='') as fh:
    w = csv.writer(fh, lineterminator='\n')
    w.writerow(['z', 'y', 'x', 'm1', 'm2', 'k'])
    for z, y, x in zip(*roi.nonzero()):
      w.writerow([z, y, x] + ['%.17g' % ims[n][z, y, x] for n in ('lbp-3D-m1', 'lbp-3D-m2', 'lbp-3D-k')])
  print(case, int(roi.sum()), 'voxels')
