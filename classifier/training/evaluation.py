"""Honest figures: cross-validation over whole articles, per theme, beside the baseline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support

from classifier.data.taxonomy import Taxonomy
from classifier.model.context import Evidence
from classifier.training import context
from classifier.training.baseline import keyword_predictions
from classifier.training.crossval import article_folds
from classifier.training.fitting import Corpus, TrainSettings, fit_linear, with_keywords
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
    if not len(Y):
        return Figures(tuple(ThemeFigures(t, 0.0, 0.0, 0.0, 0) for t in theme_ids), 0.0, 0.0)
    p, r, f, s = precision_recall_fscore_support(Y, P, average=None, zero_division=0)
    themes = tuple(ThemeFigures(tid, float(p[j]), float(r[j]), float(f[j]), int(s[j]))
                   for j, tid in enumerate(theme_ids))
    micro = f1_score(Y, P, average="micro", zero_division=0)
    # Macro over themes with support, so an absent theme does not count as a zero.
    present = [t.f1 for t in themes if t.support]
    return Figures(themes, float(micro), float(np.mean(present)) if present else 0.0)


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


def calibration_error(Y: np.ndarray, P: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over every paragraph-theme score: the gap between score
    and observed frequency, weighted by how many scores fall in each bin."""
    return float(sum(abs(score - seen) * count for score, seen, count in reliability(Y, P, bins))
                 / Y.size)


def tagged_share(predictions: np.ndarray, rows: np.ndarray) -> float | None:
    """Share of the given paragraphs that got any theme."""
    return float(predictions[rows].any(axis=1).mean()) if rows.any() else None


@dataclass
class CrossValidation:
    """Out-of-fold scores and what they say; every score of a paragraph comes from models
    that never saw its article."""

    model: Figures        # paragraphs of union articles, read in their articles
    baseline: Figures     # the keyword baseline on the same paragraphs
    alone: Figures        # the same paragraphs, each sent as a text of its own
    seeds: tuple[Figures, Figures] | None  # model and baseline on the seed articles
    general_tagged: float | None           # share of non-union paragraphs given a theme
    general_tagged_alone: float | None
    calibration_error: float
    evidence: Evidence
    probabilities: np.ndarray
    probabilities_alone: np.ndarray
    fold_thresholds: np.ndarray            # folds x (in article, alone) x themes
    counts: dict

    def to_dict(self) -> dict:
        seeds = None if self.seeds is None else {"model": self.seeds[0].to_dict(),
                                                 "baseline": self.seeds[1].to_dict()}
        return {"scheme": f"{self.counts['folds']}-fold cross-validation by article",
                **self.counts, "model": self.model.to_dict(),
                "baseline": self.baseline.to_dict(), "alone": self.alone.to_dict(),
                "seeds": seeds, "general_tagged": self.general_tagged,
                "general_tagged_alone": self.general_tagged_alone,
                "calibration_error": round(self.calibration_error, 4),
                "threshold_spread": self.fold_thresholds[:, 0].std(axis=0).round(4).tolist()}


def out_of_fold_evidence(corpus: Corpus, taxonomy: Taxonomy, settings: TrainSettings,
                         segmenter, folds) -> Evidence:
    """The heads' inputs for every paragraph, from a paragraph model and gate fitted on the
    other folds' articles."""
    n, t = corpus.Y.shape
    scores, article_gate, paragraph_gate = np.zeros((n, t)), np.zeros(n), np.zeros(n)
    names = np.zeros(n, dtype=bool)
    for train_idx, test_idx in folds:
        train = corpus.subset(train_idx)
        linear = fit_linear(with_keywords(train, taxonomy, segmenter, settings), taxonomy,
                            settings)
        gate = context.fit_gate(linear, train, settings)
        found = context.evidence(linear, gate, taxonomy.union_bodies, corpus.subset(test_idx))
        scores[test_idx], names[test_idx] = found.scores, found.names_union
        article_gate[test_idx], paragraph_gate[test_idx] = found.article_gate, found.paragraph_gate
    article_of, n_articles = corpus.articles()
    return Evidence(scores, names, article_gate, paragraph_gate, article_of, n_articles)


def tuned_thresholds(Y, P, PA, in_article, settings: TrainSettings) -> np.ndarray:
    """(in article, alone) x themes thresholds, F1-best on the given scores."""
    return np.vstack([tune_thresholds(Y[in_article], P[in_article], settings.threshold_pooling),
                      tune_thresholds(Y, PA, settings.threshold_pooling)])


def cross_validate(corpus: Corpus, taxonomy: Taxonomy, settings: TrainSettings,
                   segmenter) -> CrossValidation:
    """Folds of whole articles; the heads and thresholds that score a fold are fitted on the
    other folds' out-of-fold scores only."""
    folds = list(article_folds(corpus.groups, settings.folds))
    found = out_of_fold_evidence(corpus, taxonomy, settings, segmenter, folds)
    Y = corpus.Y
    P, PA = np.zeros(Y.shape), np.zeros(Y.shape)
    for train_idx, test_idx in folds:
        heads = context.fit_heads(context.take(found, train_idx), Y[train_idx], settings)
        P[test_idx], PA[test_idx] = context.probabilities(heads, context.take(found, test_idx))
    in_article = ~found.alone()
    predicted, predicted_alone = np.zeros(Y.shape, bool), np.zeros(Y.shape, bool)
    fold_thresholds = []
    for train_idx, test_idx in folds:
        thresholds = tuned_thresholds(Y[train_idx], P[train_idx], PA[train_idx],
                                      in_article[train_idx], settings)
        predicted[test_idx] = P[test_idx] >= thresholds[0]
        predicted_alone[test_idx] = PA[test_idx] >= thresholds[1]
        fold_thresholds.append(thresholds)
    return _summary(corpus, taxonomy, found, (P, PA), (predicted, predicted_alone),
                    np.array(fold_thresholds), len(folds))


def _summary(corpus, taxonomy, found, scores, predictions, fold_thresholds, n_folds):
    Y, ids = corpus.Y, taxonomy.ids
    union = corpus.kinds != "general"
    general = (corpus.kinds == "general") & (Y.sum(axis=1) == 0)
    seeds = np.array([str(g).endswith(".txt") for g in corpus.groups])
    baseline = keyword_predictions(corpus.prepared.normalized, taxonomy)
    predicted, predicted_alone = predictions
    kinds = {g: k for g, k in zip(corpus.groups, corpus.kinds, strict=True)}
    counts = {"folds": n_folds, "articles": len(kinds),
              "union_articles": sum(k != "general" for k in kinds.values()),
              "general_articles": sum(k == "general" for k in kinds.values()),
              "paragraphs": len(Y), "seed_articles": len({g for g, s in zip(
                  corpus.groups, seeds, strict=True) if s})}
    return CrossValidation(
        figures(Y[union], predicted[union], ids), figures(Y[union], baseline[union], ids),
        figures(Y[union], predicted_alone[union], ids),
        (figures(Y[seeds], predicted[seeds], ids), figures(Y[seeds], baseline[seeds], ids))
        if seeds.any() else None,
        tagged_share(predicted, general), tagged_share(predicted_alone, general),
        calibration_error(Y, scores[0]), found, scores[0], scores[1], fold_thresholds, counts)
