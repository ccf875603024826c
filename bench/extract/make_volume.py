#!/usr/bin/env python3
"""Writes the DCE-sized benchmark case: a 512x512x120 int16 volume (0.7x0.7x1.2 mm, raw NRRD)
with a smooth textured background and a 40x40x30-voxel lesion (an ellipsoid filling that box),
and its label map (uint8, label 1).  Usage: python make_volume.py OUT_DIR  (numpy + SimpleITK)."""
import os
import sys

import numpy as np
import SimpleITK as sitk

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(3)
nz, ny, nx = 120, 512, 512
# background: low-frequency field (upsampled coarse noise) + fine noise, values like a T1w DCE phase
coarse = rng.normal(size=(nz // 8 + 2, ny // 32 + 2, nx // 32 + 2))
zi = np.linspace(0, coarse.shape[0] - 1.001, nz)
yi = np.linspace(0, coarse.shape[1] - 1.001, ny)
xi = np.linspace(0, coarse.shape[2] - 1.001, nx)
field = coarse[np.ix_(np.round(zi).astype(int), np.round(yi).astype(int), np.round(xi).astype(int))]
img = 300 + 80 * field.astype(np.float32) + rng.normal(0, 25, (nz, ny, nx)).astype(np.float32)
# lesion: ellipsoid inscribed in a 40x40x30 box, enhancing with a heterogeneous interior
cz, cy, cx = 60, 250, 270
z, y, x = np.ogrid[-15:15, -20:20, -20:20]
r = (z / 15.0) ** 2 + (y / 20.0) ** 2 + (x / 20.0) ** 2
lesion = r <= 1.0
box = (slice(cz - 15, cz + 15), slice(cy - 20, cy + 20), slice(cx - 20, cx + 20))
sub = img[box]
sub[lesion] = (900 - 300 * r[lesion] + rng.normal(0, 60, lesion.sum())).astype(np.float32)
img = np.clip(np.round(img), -32768, 32767).astype(np.int16)
mask = np.zeros((nz, ny, nx), np.uint8)
mask[box][lesion] = 1
for name, a in (("dce_image.nrrd", img), ("dce_label.nrrd", mask)):
    im = sitk.GetImageFromArray(a)
    im.SetSpacing((0.7, 0.7, 1.2))
    im.SetOrigin((-179.0, -179.0, -70.0))
    sitk.WriteImage(im, os.path.join(out, name), False)
print("lesion voxels:", int(mask.sum()), "bounding box:", [s.stop - s.start for s in box][::-1])
