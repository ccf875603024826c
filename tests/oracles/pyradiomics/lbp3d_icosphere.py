#!/usr/bin/env python
"""Prints the vertex table of `core/src/filters/lbp3d.rs` (ICOSPHERE): the 42 vertices of
trimesh.creation.icosphere(subdivisions=1, radius=1), in trimesh's order, each coordinate as the
exact float64 PyRadiomics 3.0.1's getLBP3DImage adds to the voxel indices (default
lbp3DIcosphereRadius 1, lbp3DIcosphereSubdivision 1). Run with the python install_all.sh prints
(trimesh 5.2.0); the table in lbp3d.rs must equal this output.
"""
import numpy
from trimesh.creation import icosphere

v = numpy.array(icosphere(1, 1).vertices)
assert v.shape == (42, 3) and v.dtype == numpy.float64
for x, y, z in v:
  print('    [%r, %r, %r],' % (float(x), float(y), float(z)))
