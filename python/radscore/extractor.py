"""PyRadiomics-compatible feature extractor (``radiomics.featureextractor`` API)."""
from __future__ import annotations

import collections
import copy
import json
import logging
import os
import pathlib
import sys
from typing import Any, Mapping

from . import _radscore
from ._radscore import RadscoreError

logger = logging.getLogger("radscore")

#: PyRadiomics 3.0.1's feature classes, in its order (``radiomics.getFeatureClasses``).
FEATURE_CLASSES = ["firstorder", "glcm", "gldm", "glrlm", "glszm", "ngtdm", "shape", "shape2D"]
#: PyRadiomics 3.0.1's image types, in its order (``radiomics.getImageTypes``).
IMAGE_TYPES = [
    "Exponential",
    "Gradient",
    "LBP2D",
    "LBP3D",
    "LoG",
    "Logarithm",
    "Original",
    "Square",
    "SquareRoot",
    "Wavelet",
]


def _default_settings() -> dict:
    """PyRadiomics' ``RadiomicsFeatureExtractor._getDefaultSettings()``."""
    return {
        "minimumROIDimensions": 2,
        "minimumROISize": None,
        "normalize": False,
        "normalizeScale": 1,
        "removeOutliers": None,
        "resampledPixelSpacing": None,
        "interpolator": "sitkBSpline",
        "preCrop": False,
        "padDistance": 5,
        "distances": [1],
        "force2D": False,
        "force2Ddimension": 0,
        "resegmentRange": None,
        "label": 1,
        "additionalInfo": True,
    }


def _load_params_file(path) -> tuple[dict, str]:
    """Reads a PyRadiomics params file (YAML, or JSON for a ``.json`` name)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise IOError("Parameter file %s does not exist." % path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.lower().endswith(".json"):
        try:
            doc = json.loads(text)
        except ValueError as e:
            raise RadscoreError(f"params file {path}: not valid JSON: {e}") from None
    else:
        try:
            import yaml
        except ImportError:  # pragma: no cover - PyYAML is a dependency
            raise RadscoreError(
                f"params file {path}: reading YAML needs PyYAML (pip install pyyaml)"
            ) from None
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise RadscoreError(f"params file {path}: not valid YAML: {e}") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise RadscoreError(
            f"params file {path}: expected a mapping with imageType/featureClass/setting, "
            f"found {type(doc).__name__}"
        )
    return doc, path


def _jsonable(x: Any) -> Any:
    """Settings values as JSON (numpy scalars and tuples included)."""
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if hasattr(x, "item") and callable(x.item):  # numpy scalar
        return x.item()
    if isinstance(x, pathlib.PurePath):
        return str(x)
    return x


def params_document(image_types: Mapping, features: Mapping, settings: Mapping) -> dict:
    """The params document (PyRadiomics schema) of an extractor's current state."""
    feats = collections.OrderedDict(features)
    return {
        "imageType": _jsonable(image_types),
        "featureClass": _jsonable(feats),
        "setting": _jsonable(settings),
    }


class RadiomicsFeatureExtractor:
    """Drop-in replacement of ``radiomics.featureextractor.RadiomicsFeatureExtractor``.

    ``RadiomicsFeatureExtractor()`` (PyRadiomics' defaults: the original image, every feature
    class but shape2D), ``RadiomicsFeatureExtractor("params.yaml")`` (a YAML or JSON params
    file), ``RadiomicsFeatureExtractor({"setting": {...}, ...})`` (a params dict) or
    ``RadiomicsFeatureExtractor(params=...)``; keyword arguments override settings
    (``binWidth=10``). ``settings``, ``enabledImagetypes`` and ``enabledFeatures`` are plain
    dicts, as in PyRadiomics, and may be edited.

    Params are validated by radscore's params reader when given and again at ``execute``; a
    setting radscore does not implement raises :class:`RadscoreError` naming it (never silently
    ignored).
    """

    def __init__(self, *args, params=None, threads: int | None = None, **kwargs):
        if params is not None:
            if args:
                raise TypeError("give params either positionally or as params=, not both")
            args = (params,)
        self.settings: dict = {}
        self.enabledImagetypes: dict = {}
        self.enabledFeatures: dict = {}
        self.featureClassNames = list(FEATURE_CLASSES)
        #: threads per ``execute`` call (image types in parallel); default: the CPUs.
        self.threads = threads or os.cpu_count() or 1
        self._source = "<defaults>"
        if len(args) == 1 and isinstance(args[0], dict):
            self._applyParams(copy.deepcopy(args[0]), "<params dict>")
        elif len(args) == 1 and isinstance(args[0], (str, pathlib.PurePath)):
            self._applyParams(*_load_params_file(args[0]))
        elif len(args) > 1:
            raise TypeError("RadiomicsFeatureExtractor takes at most one positional argument (params)")
        else:
            self.settings = _default_settings()
            self.enabledImagetypes = {"Original": {}}
            for name in self.featureClassNames:
                if name != "shape2D":
                    self.enabledFeatures[name] = []
        if kwargs:
            self.settings.update(kwargs)
        self._validate()

    # ---- params -------------------------------------------------------------------------
    def _applyParams(self, doc: dict, source: str) -> None:
        # radscore's reader validates the whole document (keys, types, implemented settings)
        _radscore.Params.from_json(json.dumps(_jsonable(doc)), source).check()
        self._source = source
        image_types = doc.get("imageType") or {}
        features = doc.get("featureClass") or {}
        self.enabledImagetypes = (
            {k: (v or {}) for k, v in image_types.items()} if image_types else {"Original": {}}
        )
        if features:
            self.enabledFeatures = {k: v for k, v in features.items()}
        else:
            self.enabledFeatures = {name: [] for name in self.featureClassNames}
        self.settings = _default_settings()
        self.settings.update(doc.get("setting") or {})
        self.settings.update(doc.get("voxelSetting") or {})

    def _params(self, settings: Mapping | None = None):
        doc = params_document(
            self.enabledImagetypes, self.enabledFeatures, settings if settings is not None else self.settings
        )
        return _radscore.Params.from_json(json.dumps(doc), self._source), doc

    def _validate(self) -> None:
        if self.enabledFeatures:
            self._params()[0].check()

    def loadParams(self, paramsFile) -> None:
        """Reads a params file (YAML or JSON) and applies it, as PyRadiomics does."""
        self._applyParams(*_load_params_file(paramsFile))

    def loadJSONParams(self, JSON_configuration: str) -> None:
        """Applies a params document given as a JSON string."""
        self._applyParams(json.loads(JSON_configuration), "<JSON params>")

    def addProvenance(self, provenance_on: bool = True) -> None:
        """Turns the ``diagnostics_*`` entries on or off (``additionalInfo``)."""
        self.settings["additionalInfo"] = provenance_on

    # ---- image types and feature classes ------------------------------------------------
    def enableAllImageTypes(self) -> None:
        for t in IMAGE_TYPES:
            self.enabledImagetypes[t] = {}

    def disableAllImageTypes(self) -> None:
        self.enabledImagetypes = {}

    def enableImageTypeByName(self, imageType: str, enabled: bool = True, customArgs=None) -> None:
        if imageType not in IMAGE_TYPES:
            logger.warning("Image type %s is not recognized", imageType)
            return
        if enabled:
            self.enabledImagetypes[imageType] = {} if customArgs is None else customArgs
        elif imageType in self.enabledImagetypes:
            del self.enabledImagetypes[imageType]

    def enableImageTypes(self, **enabledImagetypes) -> None:
        self.enabledImagetypes.update(enabledImagetypes)

    def enableAllFeatures(self) -> None:
        for name in self.featureClassNames:
            self.enabledFeatures[name] = []

    def disableAllFeatures(self) -> None:
        self.enabledFeatures = {}

    def enableFeatureClassByName(self, featureClass: str, enabled: bool = True) -> None:
        if featureClass not in self.featureClassNames:
            logger.warning("Feature class %s is not recognized", featureClass)
            return
        if enabled:
            self.enabledFeatures[featureClass] = []
        elif featureClass in self.enabledFeatures:
            del self.enabledFeatures[featureClass]

    def enableFeaturesByName(self, **enabledFeatures) -> None:
        self.enabledFeatures.update(enabledFeatures)

    # ---- extraction ---------------------------------------------------------------------
    def execute(
        self,
        imageFilepath,
        maskFilepath,
        label=None,
        label_channel=None,
        voxelBased=False,
        *,
        spacing=None,
        origin=None,
        direction=None,
    ) -> "collections.OrderedDict[str, Any]":
        """Computes the features of one image and mask.

        ``imageFilepath``/``maskFilepath``: file paths (NRRD, NIfTI, DICOM file or series
        folder; DICOM-SEG masks), numpy arrays indexed ``[z, y, x]`` (as
        ``SimpleITK.GetArrayFromImage`` returns them; give ``spacing`` as (x, y, z) mm and
        optionally ``origin`` and ``direction`` as SimpleITK's ``GetOrigin``/``GetDirection``),
        or SimpleITK images. Returns an ``OrderedDict``: the ``diagnostics_*`` entries (with
        ``additionalInfo``), then the features in PyRadiomics' names and order, as floats.
        """
        if voxelBased:
            raise RadscoreError("voxel-based extraction is not implemented by radscore")
        if label_channel not in (None, 0):
            raise RadscoreError(
                f"label_channel {label_channel}: radscore reads scalar masks only (channel 0)"
            )
        settings = dict(self.settings)
        if label is not None:
            settings["label"] = label
        else:
            label = settings.get("label", 1)
        label = _as_label(label)
        out: "collections.OrderedDict[str, Any]" = collections.OrderedDict()
        additional = settings.get("additionalInfo", False)
        if additional:
            out.update(_static_diagnostics(settings, self.enabledImagetypes))
        if not self.enabledFeatures:
            return out
        params, _ = self._params(settings)
        features, diagnostics, warnings = _run_case(
            imageFilepath, maskFilepath, label, params, self.threads, spacing, origin, direction
        )
        for w in warnings:
            logger.warning("%s", w)
        if additional:
            out = merge_diagnostics(out, diagnostics)
        for k, v in features:
            out[k] = v
        return out

def _as_label(label) -> int:
    try:
        n = int(label)
    except (TypeError, ValueError):
        raise RadscoreError(f"label: expected a whole number >= 1, found {label!r}") from None
    if n != label or n < 1:
        raise RadscoreError(f"label: expected a whole number >= 1, found {label!r}")
    return n


def _static_diagnostics(settings: Mapping, image_types: Mapping) -> "collections.OrderedDict[str, Any]":
    """The diagnostics radscore states without looking at the images."""
    d: "collections.OrderedDict[str, Any]" = collections.OrderedDict()
    d["diagnostics_Versions_radscore"] = _radscore.version()
    try:
        import numpy

        d["diagnostics_Versions_Numpy"] = numpy.__version__
    except ImportError:  # pragma: no cover
        pass
    d["diagnostics_Versions_Python"] = "%i.%i.%i" % sys.version_info[:3]
    d["diagnostics_Configuration_Settings"] = dict(settings)
    d["diagnostics_Configuration_EnabledImageTypes"] = dict(image_types)
    return d


def merge_diagnostics(static, diagnostics):
    """The host's diagnostics in its order, with the settings and image types as the Python
    objects PyRadiomics reports and the numpy/Python versions after the other versions."""
    out: "collections.OrderedDict[str, Any]" = collections.OrderedDict()
    pending = [(k, v) for k, v in static.items() if "_Versions_" in k]
    for k, v in diagnostics:
        if pending and "_Versions_" not in k:
            for pk, pv in pending:
                out.setdefault(pk, pv)
            pending = []
        out[k] = static[k] if k in static else _diagnostic_value(v)
    for k, v in pending + list(static.items()):
        out.setdefault(k, v)
    return out


def _diagnostic_value(v: str):
    """Diagnostics from Rust come as text; numbers become numbers, tuples tuples."""
    try:
        import ast

        x = ast.literal_eval(v)
        if isinstance(x, (int, float, tuple)):
            return x
    except (ValueError, SyntaxError):
        pass
    return v


def _is_sitk_image(x) -> bool:
    mod = type(x).__module__ or ""
    return mod.startswith("SimpleITK") and hasattr(x, "GetSpacing")


def _array_volume(x, what: str, spacing, origin, direction):
    """(bytes, dtype name, geometry) of a numpy array or SimpleITK image."""
    import numpy as np

    if _is_sitk_image(x):
        import SimpleITK as sitk

        if x.GetNumberOfComponentsPerPixel() != 1:
            raise RadscoreError(f"{what}: a vector image; expected scalar voxels")
        arr = sitk.GetArrayViewFromImage(x)
        sp, org, dr = x.GetSpacing(), x.GetOrigin(), x.GetDirection()
        if x.GetDimension() == 2:
            sp, org = tuple(sp) + (1.0,), tuple(org) + (0.0,)
            dr = (dr[0], dr[1], 0.0, dr[2], dr[3], 0.0, 0.0, 0.0, 1.0)
        spacing, origin, direction = sp, org, dr
    else:
        arr = np.asarray(x)
        if spacing is None:
            raise RadscoreError(
                f"{what}: a numpy array needs spacing=(x, y, z) in mm (the array is indexed [z, y, x])"
            )
    if arr.ndim == 2:
        arr = arr[np.newaxis]
    if arr.ndim != 3:
        raise RadscoreError(f"{what}: expected a 3-D array indexed [z, y, x], found shape {arr.shape}")
    if arr.dtype == np.bool_:
        arr = arr.astype(np.uint8)
    if arr.dtype.kind not in "iuf":
        raise RadscoreError(f"{what}: voxel type {arr.dtype} is not supported (integers or floats)")
    arr = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
    dims = (int(arr.shape[2]), int(arr.shape[1]), int(arr.shape[0]))

    def triple(v, name, default):
        v = default if v is None else tuple(float(t) for t in v)
        if len(v) == 2:
            v = tuple(v) + (default[2],)
        if len(v) != 3:
            raise RadscoreError(f"{what}: {name}: expected 3 numbers (x, y, z), found {len(v)}")
        return tuple(v)

    sp = triple(spacing, "spacing", (1.0, 1.0, 1.0))
    og = triple(origin, "origin", (0.0, 0.0, 0.0))
    if direction is None:
        dr = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    else:
        flat = [float(t) for t in np.asarray(direction).ravel()]
        if len(flat) != 9:
            raise RadscoreError(f"{what}: direction: expected 9 numbers (a 3x3 matrix), found {len(flat)}")
        # SimpleITK's GetDirection is the matrix row by row; its columns are the axes' directions
        dr = tuple(tuple(flat[j * 3 + i] for j in range(3)) for i in range(3))
    return arr.tobytes(), arr.dtype.name, (dims, sp, og, dr)


def _run_case(image, mask, label, params, threads, spacing=None, origin=None, direction=None):
    """(features, diagnostics) of one case from paths, arrays or SimpleITK images."""
    is_path = lambda x: isinstance(x, (str, pathlib.PurePath))  # noqa: E731
    if is_path(image) and is_path(mask):
        return _radscore.extract_files(os.fspath(image), os.fspath(mask), params, label, threads)
    if is_path(image) or is_path(mask):
        raise RadscoreError(
            "image and mask: give both as file paths or both as arrays/SimpleITK images"
        )
    ib, idt, igeo = _array_volume(image, "image", spacing, origin, direction)
    if not _is_sitk_image(mask):
        # a numpy mask lies on the image's grid (SimpleITK images carry their own geometry)
        spacing, origin, direction = igeo[1], igeo[2], _flat_direction(igeo[3])
    mb, mdt, mgeo = _array_volume(mask, "mask", spacing, origin, direction)
    if igeo[0] != mgeo[0]:
        raise RadscoreError(f"mask size {mgeo[0]} differs from image size {igeo[0]} (x, y, z)")
    return _radscore.extract_arrays(ib, idt, igeo, mb, mdt, mgeo, params, label, threads)


def _flat_direction(rows):
    """Axis unit vectors back to SimpleITK's row-major direction matrix."""
    return tuple(rows[c][r] for r in range(3) for c in range(3))
