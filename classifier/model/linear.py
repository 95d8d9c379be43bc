"""The paragraph model: features and one logistic-regression column per theme."""

from __future__ import annotations

import numpy as np

from classifier.model.features import Features, FeatureSettings, Prepared


class LinearModel:
    """Everything fitted for reading one paragraph, as numpy arrays: its log-odds per theme
    are one sparse product.

    It owns its parts and their persisted form (``to_arrays``/``from_arrays``); nothing
    outside it knows their names.
    """

    ARRAYS = ("coef", "intercept", *Features.ARRAYS)

    def __init__(self, features: Features, coef: np.ndarray, intercept: np.ndarray):
        self.features = features
        self.coef_ = np.asarray(coef, dtype=np.float64)
        self.intercept_ = np.asarray(intercept, dtype=np.float64)

    @property
    def n_themes(self) -> int:
        return len(self.intercept_)

    def transform(self, prepared: Prepared):
        return self.features.transform(prepared)

    def decision(self, X) -> np.ndarray:
        """Log-odds per row of a feature matrix and theme."""
        return np.asarray(X @ self.coef_) + self.intercept_

    def scores(self, prepared: Prepared) -> np.ndarray:
        """Probability-like score per paragraph and theme, each paragraph read alone."""
        return 1.0 / (1.0 + np.exp(-self.decision(self.transform(prepared))))

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {**self.features.to_arrays(), "coef": self.coef_, "intercept": self.intercept_}

    @classmethod
    def from_arrays(cls, arrays: dict, settings: FeatureSettings, n_themes: int) -> LinearModel:
        """Rebuild from stored arrays; a ValueError says which part does not fit the others."""
        features = Features.from_arrays(arrays, settings, n_themes)
        model = cls(features, arrays["coef"], arrays["intercept"])
        expected = {"coef": (features.n_features, n_themes), "intercept": (n_themes,),
                    "word_idf": (len(features.word),), "char_idf": (len(features.char),)}
        actual = {"coef": model.coef_.shape, "intercept": model.intercept_.shape,
                  "word_idf": features.word_idf.shape, "char_idf": features.char_idf.shape}
        for name, shape in expected.items():
            if actual[name] != shape:
                raise ValueError(f"{name} has shape {actual[name]}, expected {shape}")
        return model
