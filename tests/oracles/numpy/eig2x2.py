#!/usr/bin/env python
"""Writes core/tests/data/eig2x2.txt: numpy.linalg.eigvals (LAPACK dgeev) of 2 x 2 matrices, for
radscore_core's dgeev_2x2 (GLCM MCC with two gray levels). Run with the PyRadiomics oracle's
python (numpy 1.26.4 and its bundled OpenBLAS):

    .venv-pyradiomics/bin/python tests/oracles/numpy/eig2x2.py

Lines: `a b c d re1 im1 re2 im2` as IEEE-754 hex bit patterns, the eigenvalues sorted as numpy
sorts complex numbers (real part, then imaginary part). Matrices: random, rank-one, badly scaled,
and MCC matrices of random symmetric 2-level GLCMs (fixed seed).
"""
import os
import struct

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..'))


def h(v):
  return '%016x' % struct.unpack('<Q', struct.pack('<d', float(v)))[0]


def main():
  rng = np.random.default_rng(20261204)
  lines = []
  t = 0
  while len(lines) < 400:
    kind = t % 4
    t += 1
    if kind == 0:
      m = rng.random((2, 2)) - 0.3
    elif kind == 1:
      m = np.outer(rng.random(2), rng.random(2))
    elif kind == 2:
      p = rng.integers(0, 6, (2, 2)).astype(float)
      p = p + p.T
      if p.sum() == 0:
        continue
      p /= p.sum()
      px, py = p.sum(1), p.sum(0)
      if (px == 0).any():
        continue
      m = np.zeros((2, 2))
      for k in range(2):
        m += np.outer(p[:, k], p[:, k]) / (px[:, None] * py[k] + np.spacing(1))
    else:
      m = rng.random((2, 2)) * 10.0 ** rng.integers(-8, 8, (2, 2))
    e = np.sort(np.linalg.eigvals(m).astype(complex))
    lines.append(' '.join([h(m[0, 0]), h(m[0, 1]), h(m[1, 0]), h(m[1, 1]),
                           h(e[0].real), h(e[0].imag), h(e[1].real), h(e[1].imag)]))
  path = os.path.join(ROOT, 'core', 'tests', 'data', 'eig2x2.txt')
  with open(path, 'w') as f:
    f.write('# numpy %s linalg.eigvals, made by tests/oracles/numpy/eig2x2.py\n' % np.__version__)
    f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
  main()
