"""Per-theme decision thresholds chosen to maximise F1 on out-of-fold scores."""

from __future__ import annotations

import numpy as np

DEFAULT = 0.5


def best_threshold(y_true: np.ndarray, scores: np.ndarray) -> float:
    """The F1-best cut, placed midway in its interval so it does not hug a training score."""
    y_true = np.asarray(y_true, dtype=bool)
    if not y_true.any() or y_true.all():
        return DEFAULT
    order = np.unique(scores)
    cuts = np.concatenate([[order[0] / 2], (order[:-1] + order[1:]) / 2, [(order[-1] + 1) / 2]])
    positives = y_true.sum()
    best, best_f1 = DEFAULT, -1.0
    for cut in cuts:
        predicted = scores >= cut
        tp = np.sum(predicted & y_true)
        f1 = 2 * tp / (predicted.sum() + positives)
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(cut), f1
    return best


def tune_thresholds(Y: np.ndarray, scores: np.ndarray, pooled_weight: float = 0.0) -> np.ndarray:
    """One threshold per theme (column), pulled towards the threshold best for all themes pooled.

    A theme with a handful of positives gets a noisy F1-best cut; mixing in the pooled cut
    (``pooled_weight`` of it) trades a little fit for thresholds that hold on new documents.
    """
    own = np.array([best_threshold(Y[:, j], scores[:, j]) for j in range(Y.shape[1])])
    if pooled_weight <= 0:
        return own
    pooled = best_threshold(Y.ravel(), scores.ravel())
    return (1 - pooled_weight) * own + pooled_weight * pooled
