"""Scoring with a radscore model file (``.rsm``)."""
from __future__ import annotations

import json
import os

from . import _radscore
from ._radscore import RadscoreError

_SCORE_COLUMNS = ["radscore", "linear_predictor", "probability", "predicted_class", "total_points"]


class Model:
    """A radscore model file: the radscore's features (recipes), the combined logistic model and
    its nomogram.

    ``Model(path, public_key=None)``; with ``public_key`` (64 hex digits or a key file) the
    file's Ed25519 signature must verify. Tables are pandas DataFrames with one column per model
    feature (``<sequence>_<pyradiomics name>``, see :attr:`feature_columns`) and per clinical
    predictor (:attr:`clinical_columns`); other columns are ignored. Scores are computed by the
    same core code as ``radscore score`` and the C library.
    """

    def __init__(self, path, public_key=None):
        self.path = os.fspath(path)
        self._raw = _radscore.RawModel(self.path, public_key)
        self._info = json.loads(self._raw.info_json())

    def info(self) -> dict:
        """The model as a dict (``radscore inspect --json``): artifact framing, features with their
        recipes, intercepts, clinical predictors, nomogram, threshold, training metadata."""
        return json.loads(json.dumps(self._info))

    @property
    def features(self) -> list:
        """Feature recipes: column, sequence, PyRadiomics name, bin width, label, z-score mean and
        sd, LASSO coefficient, and whether radscore recomputes it from images."""
        return self.info()["features"]

    @property
    def feature_columns(self) -> list:
        return list(self._raw.feature_columns())

    @property
    def clinical_columns(self) -> list:
        return list(self._raw.clinical_columns())

    @property
    def threshold(self) -> float:
        return self._info["threshold"]

    def __repr__(self) -> str:
        return (
            f"Model({self.path!r}: {len(self.feature_columns)} feature(s), "
            f"{len(self.clinical_columns)} clinical predictor(s))"
        )

    def _columns(self, df, names):
        missing = [c for c in names if c not in df.columns]
        if missing:
            raise RadscoreError(
                f"missing column(s) {missing} (the model needs its {len(self.feature_columns)} "
                f"feature column(s) and its clinical predictor(s))"
            )
        import numpy as np

        out = []
        for c in names:
            try:
                out.append(np.asarray(df[c], dtype="float64"))
            except (TypeError, ValueError) as e:
                raise RadscoreError(f"column {c}: expected numbers: {e}") from None
        return out

    def _score(self, df):
        import numpy as np

        fcols = self._columns(df, self.feature_columns)
        ccols = self._columns(df, self.clinical_columns)
        n = len(df)
        x = np.column_stack(fcols).reshape(n, -1) if fcols else np.zeros((n, 0))
        c = np.column_stack(ccols).reshape(n, -1) if ccols else np.zeros((n, 0))
        try:
            return self._raw.score(x.ravel().tolist(), c.ravel().tolist(), n)
        except RadscoreError as e:
            msg = str(e)
            if msg.startswith("row "):
                i = int(msg.split(":", 1)[0][4:])
                ident = df.index[i]
                for col in ("patient_id", "ID"):
                    if col in df.columns:
                        ident = df[col].iloc[i]
                        break
                raise RadscoreError(f"row {i} ({ident}): {msg.split(':', 1)[1].strip()}") from None
            raise

    def score(self, df):
        """Every score of each row: a DataFrame with ``radscore``, ``linear_predictor``,
        ``probability``, ``predicted_class``, ``total_points``, ``points_radscore`` and
        ``points_<predictor>`` (the columns of ``radscore score``), on ``df``'s index."""
        import pandas as pd

        rows = self._score(df)
        names = ["points_radscore"] + [f"points_{c}" for c in self.clinical_columns]
        data = {k: [r[i] for r in rows] for i, k in enumerate(_SCORE_COLUMNS)}
        for j, k in enumerate(names):
            data[k] = [r[5][j] for r in rows]
        out = pd.DataFrame(data, index=df.index)
        out["predicted_class"] = out["predicted_class"].astype("int64")
        return out

    def predict_proba(self, df):
        """scikit-learn style probabilities: an (n, 2) array of [P(class 0), P(class 1)]."""
        import numpy as np

        p = np.array([r[2] for r in self._score(df)], dtype="float64")
        return np.column_stack([1.0 - p, p])

    def predict(self, df):
        """The predicted class (1 iff the probability reaches the model's threshold)."""
        import numpy as np

        return np.array([r[3] for r in self._score(df)], dtype="int64")

    def radscore(self, df):
        """The radscore (intercept + Σ coefficient × z-score) of each row."""
        import numpy as np

        return np.array([r[0] for r in self._score(df)], dtype="float64")
