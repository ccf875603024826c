"""Reference resampled volumes: PyRadiomics 3.0.1 `imageoperations.resampleImage` (SimpleITK 2.5.7)
and `cropToTumorMask` (preCrop), voxel by voxel, for radscore's resampler (`core/src/resample`).

For every (case, spacing, interpolator, padDistance) the script writes one row to
`<out>/resampled.csv`: the output size, and FNV-1a 64-bit hashes of the resampled image's voxel bytes
(little endian, x fastest, in the image's own pixel type, as SimpleITK returns it) and of the resampled
mask as bytes 0/1 (1 = label). The Rust test recomputes both from its own resampler; a hash mismatch
means at least one voxel differs in at least one bit. `sum` (float64 sum of the image voxels) and
`roi` (mask voxel count) help locate a difference.

Inputs: the PyRadiomics test cases of `tests/fixtures/reference/pyradiomics/data` and small synthetic
volumes written by this script to `<out>/` (float32, float64, int32, int16; an ROI touching the
image border, a single-slice ROI), deterministic (numpy default_rng, fixed seeds).

Usage (from the repository root):
    py="$(bash tests/oracles/pyradiomics/install.sh)"
    "$py" tests/oracles/resample/dump_resampled.py tests/fixtures/resample
"""
import csv
import os
import sys

import numpy as np
import SimpleITK as sitk
from radiomics import imageoperations

import logging
logging.getLogger('radiomics').setLevel(logging.ERROR)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
DATA = os.path.join(ROOT, 'tests', 'fixtures', 'reference', 'pyradiomics', 'data')


def fnv1a64(b):
    h = 0xcbf29ce484222325
    for byte in b:
        h ^= byte
        h = (h * 0x100000001b3) & 0xffffffffffffffff
    return '%016x' % h


def fnv_fast(arr):
    # Same as fnv1a64 over arr.tobytes(), vectorised over 8 interleaved... no: keep it exact and simple
    return fnv1a64(arr.tobytes())


def synthetic(out):
    """Small synthetic volumes; returns [(name, image path, mask path)]."""
    cases = []
    rng = np.random.default_rng(20261204)
    z, y, x = np.mgrid[0:11, 0:13, 0:17]
    smooth = 300 + 120 * np.sin(x / 2.3) * np.cos(y / 3.1) + 40 * z + rng.normal(0, 15, x.shape)
    # ROI touching the x = 0 border and the last z slice.
    mask = ((x - 2) ** 2 / 16 + (y - 6) ** 2 / 20 + (z - 9) ** 2 / 6 <= 1).astype(np.uint8)
    geoms = {
        'f32': (np.float32, (0.9, 1.1, 2.0), (-10.25, 33.5, 7.0), (1, 0, 0, 0, 1, 0, 0, 0, 1)),
        'f64': (np.float64, (0.6, 0.6, 1.5), (3.0, -4.0, 120.5), (1, 0, 0, 0, -1, 0, 0, 0, 1)),
        'i32': (np.int32, (1.3, 0.7, 2.2), (0.0, 0.0, 0.0), (-1, 0, 0, 0, -1, 0, 0, 0, 1)),
        'i16': (np.int16, (0.75, 0.75, 3.0), (-99.609375, 99.609375, -78.0), (1, 0, 0, 0, -1, 0, 0, 0, 1)),
    }
    for name, (dt, sp, org, dirn) in geoms.items():
        arr = smooth.astype(dt) if dt in (np.float32, np.float64) else np.round(smooth - 250).astype(dt)
        img = sitk.GetImageFromArray(arr)
        msk = sitk.GetImageFromArray(mask)
        for im in (img, msk):
            im.SetSpacing(sp)
            im.SetOrigin(org)
            im.SetDirection(dirn)
        ip = os.path.join(out, 'synth_%s_image.nrrd' % name)
        mp = os.path.join(out, 'synth_%s_label.nrrd' % name)
        sitk.WriteImage(img, ip, False)
        sitk.WriteImage(msk, mp, True)
        cases.append(('synth_' + name, ip, mp))
    return cases


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    cases = [(c, os.path.join(DATA, c + '_image.nrrd'), os.path.join(DATA, c + '_label.nrrd'))
             for c in ('brain1', 'breast1', 'syn1', 'syn2', 'syn3')]
    cases += synthetic(out)
    spacings = [(1, 1, 1), (0.8, 0.8, 2.0), (0.5, 0.5, 0), (2, 2, 3), (1.7, 0.45, 1.1)]
    interps = ['sitkNearestNeighbor', 'sitkLinear', 'sitkBSpline']
    # The other interpolators PyRadiomics accepts (SimpleITK's CreateInterpolator: Gaussian with
    # sigma 0.8 x spacing, label Gaussian with sigma = spacing, alpha 1; windowed sincs of radius 5
    # with a zero-flux Neumann boundary).
    more = ['sitkGaussian', 'sitkLabelGaussian', 'sitkHammingWindowedSinc', 'sitkCosineWindowedSinc',
            'sitkWelchWindowedSinc', 'sitkLanczosWindowedSinc', 'sitkBlackmanWindowedSinc']
    raw = os.environ.get('RADSCORE_RESAMPLE_RAW')  # optional: also write each volume's raw bytes
    rows = []
    for case, ip, mp in cases:
        image = sitk.ReadImage(ip)
        mask = imageoperations.getMask(sitk.ReadImage(mp), label=1)
        todo = [(s, i, 5) for s in spacings for i in interps]
        todo += [((1, 1, 1), 'sitkBSpline', 0), ((0.8, 0.8, 2.0), 'sitkLinear', 2)]
        # spacing equal to the image's: PyRadiomics only crops (bounding box + padDistance)
        todo += [(tuple(image.GetSpacing()), 'sitkBSpline', 5)]
        todo += [(s, i, 5) for s in spacings for i in more]
        todo += [((0.8, 0.8, 2.0), i, 0) for i in more]
        for sp, interp, pad in todo:
            kw = dict(resampledPixelSpacing=list(sp), interpolator=interp, padDistance=pad, label=1)
            ri, rm = imageoperations.resampleImage(image, mask, **kw)
            rows.append(row(case, 'resample', sp, interp, pad, ri, rm))
            if raw:
                os.makedirs(raw, exist_ok=True)
                name = '%s_%s_%s_%d' % (case, '-'.join(repr(float(v)) for v in sp), interp, pad)
                sitk.GetArrayFromImage(ri).tofile(os.path.join(raw, name + '.raw'))
        for pad in (0, 3, 5):
            bb, _ = imageoperations.checkMask(image, mask, label=1)
            ci, cm = imageoperations.cropToTumorMask(image, mask, bb, padDistance=pad)
            rows.append(row(case, 'precrop', (0, 0, 0), '', pad, ci, cm))
        print(case, len(rows), file=sys.stderr)
    with open(os.path.join(out, 'resampled.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['case', 'op', 'spacing', 'interpolator', 'pad', 'dtype', 'size', 'image_fnv',
                    'mask_fnv', 'sum', 'roi'])
        w.writerows(rows)


def row(case, op, sp, interp, pad, ri, rm):
    a = sitk.GetArrayFromImage(ri)
    m = (sitk.GetArrayFromImage(rm) == 1).astype(np.uint8)
    return [case, op, ' '.join(repr(float(s)) for s in sp), interp, pad, a.dtype.name,
            ' '.join(str(s) for s in ri.GetSize()), fnv_fast(a), fnv_fast(m),
            repr(float(a.astype(np.float64).sum())), int(m.sum())]


if __name__ == '__main__':
    main()
