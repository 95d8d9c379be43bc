"""Honest figures: leave-one-document-out cross-validation, per theme, beside the baseline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import LeaveOneGroupOut

from classifier.data.taxonomy import Taxonomy
from classifier.training.baseline import keyword_predictions
from classifier.training.fitting import Corpus, TrainSettings, predict_scores, train
from classifier.training.thresholds import tune_thresholds


@dataclass(frozen=True)
class ThemeFigures:
    id: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Figures:
    """Per-theme and averaged figures of one predictor on one labelled set."""

    themes: tuple[ThemeFigures, ...]
    micro_f1: float
    macro_f1: float

    def to_dict(self) -> dict:
        return {"micro_f1": self.micro_f1, "macro_f1": self.macro_f1,
                "themes": [vars(t) for t in self.themes]}


def figures(Y: np.ndarray, P: np.ndarray, theme_ids) -> Figures:
    p, r, f, s = precision_recall_fscore_support(Y, P, average=None, zero_division=0)
    themes = tuple(ThemeFigures(tid, float(p[j]), float(r[j]), float(f[j]), int(s[j]))
                   for j, tid in enumerate(theme_ids))
    micro = f1_score(Y, P, average="micro", zero_division=0)
    # Macro over themes with support, so an absent theme does not count as a zero.
    present = [t.f1 for t in themes if t.support]
    return Figures(themes, float(micro), float(np.mean(present)) if present else 0.0)


@dataclass
class CrossValidation:
    model: Figures
    baseline: Figures
    oof_scores: np.ndarray
    predictions: np.ndarray
    fold_thresholds: np.ndarray

    def to_dict(self) -> dict:
        return {"scheme": "leave-one-document-out", "model": self.model.to_dict(),
                "baseline": self.baseline.to_dict(),
                "threshold_spread": self.fold_thresholds.std(axis=0).round(4).tolist()}


def cross_validate(corpus: Corpus, taxonomy: Taxonomy, settings: TrainSettings, segmenter,
                   _thresholds_from: str = "train") -> CrossValidation:
    """Leave-one-document-out; thresholds are tuned inside each training fold only.

    ``_thresholds_from="test"`` tunes them on the held-out document instead: a leak that
    exists only so a test can show the honest figures differ from leaky ones.
    """
    scores = np.zeros(corpus.Y.shape)
    predictions = np.zeros(corpus.Y.shape, dtype=np.int8)
    fold_thresholds = []
    for train_idx, test_idx in LeaveOneGroupOut().split(corpus.Y, groups=corpus.groups):
        trained = train(corpus.subset(train_idx), taxonomy, settings, segmenter)
        test = corpus.subset(test_idx)
        scores[test_idx] = predict_scores(trained.estimator, test.prepared, settings)
        thresholds = (tune_thresholds(test.Y, scores[test_idx])
                      if _thresholds_from == "test" else trained.thresholds)
        predictions[test_idx] = scores[test_idx] >= thresholds
        fold_thresholds.append(thresholds)
    baseline = keyword_predictions(corpus.prepared.normalized, taxonomy)
    return CrossValidation(figures(corpus.Y, predictions, taxonomy.ids),
                           figures(corpus.Y, baseline, taxonomy.ids), scores, predictions,
                           np.array(fold_thresholds))
