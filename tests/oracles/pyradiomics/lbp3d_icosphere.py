#!/usr/bin/env python
"""Prints the two vertex tables of `core/src/filters/lbp3d.rs`:

* ICOSPHERE: the 42 vertices of trimesh.creation.icosphere(subdivisions=1, radius=1), in trimesh's
  order, each coordinate as the exact float64 PyRadiomics 3.0.1's getLBP3DImage adds to the voxel
  indices (default lbp3DIcosphereRadius 1, lbp3DIcosphereSubdivision 1);
* ANGLES: per vertex the angles getLBP3DImage hands to scipy.special.sph_harm,
  theta = numpy.arccos(z / radius) and phi = numpy.arctan2(y, x), as numpy computes them.

numpy's float64 arccos and arctan2 are CPU-dependent: on a machine with AVX-512 (SKX) numpy 1.26
runs SIMD kernels that are not correctly rounded (14 of the 42 vertices get another last bit
than glibc's acos/atan2), elsewhere it calls the C library. The references in
tests/fixtures/reference were made on an AVX-512 machine; run this there too (the script prints
whether numpy found AVX512_SKX, and refuses to run without it unless --any-cpu is given).

Run with the python install_all.sh prints (trimesh 5.2.0, numpy 1.26.4); the tables in lbp3d.rs
must equal this output.
"""
import sys

import numpy
from numpy.core._multiarray_umath import __cpu_features__ as cpu
from trimesh.creation import icosphere

if not cpu.get('AVX512_SKX') and '--any-cpu' not in sys.argv:
  sys.exit('numpy found no AVX512_SKX here: its arccos/arctan2 would differ from the references')
print('// numpy %s, AVX512_SKX %s' % (numpy.__version__, bool(cpu.get('AVX512_SKX'))))

v = numpy.array(icosphere(1, 1).vertices)
assert v.shape == (42, 3) and v.dtype == numpy.float64
print('// ICOSPHERE')
for x, y, z in v:
  print('    [%r, %r, %r],' % (float(x), float(y), float(z)))
theta = numpy.arccos(numpy.true_divide(v[:, 2], 1))
phi = numpy.arctan2(v[:, 1], v[:, 0])
print('// ANGLES')
for t, p in zip(theta, phi):
  print('    [%r, %r],' % (float(t), float(p)))

if '--sph-harm' in sys.argv:
  # the harmonics getLBP3DImage computes from these angles (scipy 1.14.1's sph_harm), one vertex a
  # line: Y00 Y1-1 Y10 Y11, each as the hex bits of its real and imaginary parts
  # (core/tests/data/lbp3d_sph_harm.txt)
  import struct
  from scipy.special import sph_harm
  Y = numpy.column_stack([sph_harm(m, n, theta, phi) for m, n in ((0, 0), (-1, 1), (0, 1), (1, 1))])
  print('// SPH_HARM')
  bits = lambda x: '%016x' % struct.unpack('<Q', struct.pack('<d', x))[0]
  for row in Y:
    print(' '.join('%s %s' % (bits(c.real), bits(c.imag)) for c in row))
