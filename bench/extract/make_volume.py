#!/usr/bin/env python3
"""Writes a benchmark case: an int16 volume (0.7x0.7x1.2 mm, raw NRRD) with a smooth textured
background and an ellipsoidal enhancing lesion with a heterogeneous interior, and its label map
(uint8, label 1).
  python make_volume.py OUT_DIR            -> dce_image.nrrd, dce_label.nrrd: 512x512x120, the
                                              lesion filling a 40x40x30-voxel box (24 948 voxels)
  python make_volume.py OUT_DIR --large    -> large_image.nrrd, large_label.nrrd: 512x512x200, the
                                              lesion filling a 320x320x180-voxel box (~9.6 M voxels)
(numpy + SimpleITK)."""
import os
import sys

import numpy as np
import SimpleITK as sitk

out = sys.argv[1]
large = sys.argv[2:] == ["--large"]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(3)
if large:
    name, nz, (rz, ry, rx), (cz, cy, cx) = "large", 200, (90, 160, 160), (100, 256, 256)
else:
    name, nz, (rz, ry, rx), (cz, cy, cx) = "dce", 120, (15, 20, 20), (60, 250, 270)
ny, nx = 512, 512
# background: low-frequency field (upsampled coarse noise) + fine noise, values like a T1w DCE phase
coarse = rng.normal(size=(nz // 8 + 2, ny // 32 + 2, nx // 32 + 2))
zi = np.linspace(0, coarse.shape[0] - 1.001, nz)
yi = np.linspace(0, coarse.shape[1] - 1.001, ny)
xi = np.linspace(0, coarse.shape[2] - 1.001, nx)
field = coarse[np.ix_(np.round(zi).astype(int), np.round(yi).astype(int), np.round(xi).astype(int))]
img = 300 + 80 * field.astype(np.float32) + rng.normal(0, 25, (nz, ny, nx)).astype(np.float32)
# lesion: ellipsoid inscribed in a (2rz)x(2ry)x(2rx) box, enhancing with a heterogeneous interior
z, y, x = np.ogrid[-rz:rz, -ry:ry, -rx:rx]
r = (z / float(rz)) ** 2 + (y / float(ry)) ** 2 + (x / float(rx)) ** 2
lesion = r <= 1.0
box = (slice(cz - rz, cz + rz), slice(cy - ry, cy + ry), slice(cx - rx, cx + rx))
sub = img[box]
sub[lesion] = (900 - 300 * r[lesion] + rng.normal(0, 60, lesion.sum())).astype(np.float32)
img = np.clip(np.round(img), -32768, 32767).astype(np.int16)
mask = np.zeros((nz, ny, nx), np.uint8)
mask[box][lesion] = 1
for suffix, a in (("image", img), ("label", mask)):
    im = sitk.GetImageFromArray(a)
    im.SetSpacing((0.7, 0.7, 1.2))
    im.SetOrigin((-179.0, -179.0, -70.0))
    sitk.WriteImage(im, os.path.join(out, "%s_%s.nrrd" % (name, suffix)), False)
print("lesion voxels:", int(mask.sum()), "bounding box:", [s.stop - s.start for s in box][::-1])
