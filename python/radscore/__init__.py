"""radscore: PyRadiomics 3.0.1-exact radiomics feature extraction in Rust.

* :class:`RadiomicsFeatureExtractor` — a drop-in for
  ``radiomics.featureextractor.RadiomicsFeatureExtractor`` (same constructor, settings,
  enable/disable methods and ``execute`` output).
* :func:`extract_batch` — a cohort table (``Image``, ``Mask``, optional ``Label``) to a pandas
  DataFrame shaped like PyRadiomics' batch output, on local threads or on a Dask cluster.
* :class:`Model` — scores features tables with a radscore model file (``.rsm``).

Errors are raised as :class:`RadscoreError` (a ``ValueError``) carrying the Rust message.
"""
from ._radscore import RadscoreError, version as _version
from .extractor import RadiomicsFeatureExtractor
from .batch import extract_batch
from .model import Model

__version__ = _version()

__all__ = [
    "RadiomicsFeatureExtractor",
    "RadscoreError",
    "Model",
    "extract_batch",
    "__version__",
]
