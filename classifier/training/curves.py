"""Is more labelling worth it? A learning curve from cross-validation by article."""

from __future__ import annotations

import numpy as np

from classifier.data.taxonomy import Taxonomy
from classifier.training.crossval import article_folds
from classifier.training.evaluation import figures
from classifier.training.fitting import Corpus, TrainSettings, fit_linear, with_keywords
from classifier.training.thresholds import tune_thresholds

FRACTIONS = (0.25, 0.5, 0.75, 1.0)


def _subsample(index: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    keep = max(1, round(len(index) * fraction))
    return np.sort(rng.choice(index, size=keep, replace=False))


def learning_curve(corpus: Corpus, taxonomy: Taxonomy, settings: TrainSettings, segmenter,
                   seed: int = 0) -> list[tuple[float, int, float]]:
    """(fraction, mean training paragraphs, macro-F1 of the paragraph model) with each fold's
    training paragraphs cut to a share; thresholds from the other folds' scores."""
    folds = list(article_folds(corpus.groups, settings.folds))
    union = corpus.kinds != "general"
    points = []
    for fraction in FRACTIONS:
        rng = np.random.default_rng(seed)
        scores, sizes = np.zeros(corpus.Y.shape), []
        for train_idx, test_idx in folds:
            kept = _subsample(train_idx, fraction, rng)
            sizes.append(len(kept))
            linear = fit_linear(with_keywords(corpus.subset(kept), taxonomy, segmenter,
                                              settings), taxonomy, settings)
            scores[test_idx] = linear.scores(corpus.subset(test_idx).prepared)
        predicted = np.zeros(corpus.Y.shape, dtype=bool)
        for train_idx, test_idx in folds:
            thresholds = tune_thresholds(corpus.Y[train_idx], scores[train_idx],
                                         settings.threshold_pooling)
            predicted[test_idx] = scores[test_idx] >= thresholds
        macro = figures(corpus.Y[union], predicted[union], taxonomy.ids).macro_f1
        points.append((fraction, int(np.mean(sizes)), macro))
    return points
