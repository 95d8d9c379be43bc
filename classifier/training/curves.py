"""Is more labelling worth it? A learning curve and a reliability table from cross-validation."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import LeaveOneGroupOut

from classifier.data.taxonomy import Taxonomy
from classifier.training.evaluation import figures
from classifier.training.fitting import Corpus, TrainSettings, predict_scores, train

FRACTIONS = (0.25, 0.5, 0.75)


def _subsample(index: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    keep = max(1, round(len(index) * fraction))
    return np.sort(rng.choice(index, size=keep, replace=False))


def learning_curve(corpus: Corpus, taxonomy: Taxonomy, settings: TrainSettings, segmenter,
                   full_macro_f1: float, seed: int = 0) -> list[tuple[float, int, float]]:
    """(fraction, mean training paragraphs, LODO macro-F1) with each fold's training data cut."""
    points = []
    for fraction in FRACTIONS:
        rng = np.random.default_rng(seed)
        predictions = np.zeros(corpus.Y.shape, dtype=np.int8)
        sizes = []
        for train_idx, test_idx in LeaveOneGroupOut().split(corpus.Y, groups=corpus.groups):
            kept = _subsample(train_idx, fraction, rng)
            sizes.append(len(kept))
            trained = train(corpus.subset(kept), taxonomy, settings, segmenter)
            scores = predict_scores(trained.estimator, corpus.subset(test_idx).prepared, settings)
            predictions[test_idx] = scores >= trained.thresholds
        macro = figures(corpus.Y, predictions, taxonomy.ids).macro_f1
        points.append((fraction, int(np.mean(sizes)), macro))
    full = int(np.mean([len(t) for t, _ in LeaveOneGroupOut().split(corpus.Y,
                                                                     groups=corpus.groups)]))
    return [*points, (1.0, full, full_macro_f1)]


def reliability(Y: np.ndarray, scores: np.ndarray, bins: int = 10) -> list[tuple]:
    """(mean score, observed frequency, count) per score bin, all themes pooled."""
    flat_y, flat_s = Y.ravel(), scores.ravel()
    which = np.minimum((flat_s * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            rows.append((float(flat_s[mask].mean()), float(flat_y[mask].mean()), int(mask.sum())))
    return rows
