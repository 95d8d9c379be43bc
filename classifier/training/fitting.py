"""Fitting the linear multi-label model, and thresholds tuned on out-of-fold scores."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import LeaveOneGroupOut

from classifier.data.taxonomy import Taxonomy
from classifier.model import features
from classifier.model.features import FeatureSettings, Prepared
from classifier.training.thresholds import tune_thresholds

TAXONOMY_GROUP = "<taxonomy>"


@dataclass(frozen=True)
class TrainSettings:
    """Model choices, chosen by leave-one-document-out cross-validation (see the report)."""

    features: FeatureSettings = field(default_factory=FeatureSettings)
    C: float = 10.0
    class_weight: str | None = "balanced"
    # Weight of each taxonomy keyword as a one-word example of its theme (0 turns it off).
    # Leave-one-document-out macro-F1 is flat from 0.5 to 1.5; without these examples it drops.
    keyword_example_weight: float = 1.0
    # Share of the all-themes pooled threshold in each theme's threshold (0: per theme only).
    threshold_pooling: float = 0.5

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainSettings:
        return cls(**{**data, "features": FeatureSettings.from_dict(data["features"])})


@dataclass
class Corpus:
    """Prepared paragraphs with their label matrix, groups and sample weights."""

    prepared: Prepared
    Y: np.ndarray
    groups: np.ndarray
    weights: np.ndarray

    def __len__(self) -> int:
        return len(self.groups)

    def subset(self, index) -> Corpus:
        index = np.asarray(index)
        return Corpus(Prepared([self.prepared.normalized[i] for i in index],
                               [self.prepared.segmented[i] for i in index]),
                      self.Y[index], self.groups[index], self.weights[index])

    def concat(self, other: Corpus) -> Corpus:
        return Corpus(Prepared(self.prepared.normalized + other.prepared.normalized,
                               self.prepared.segmented + other.prepared.segmented),
                      np.vstack([self.Y, other.Y]), np.concatenate([self.groups, other.groups]),
                      np.concatenate([self.weights, other.weights]))


def label_matrix(labels, taxonomy: Taxonomy) -> np.ndarray:
    index = {tid: j for j, tid in enumerate(taxonomy.ids)}
    Y = np.zeros((len(labels), len(index)), dtype=np.int8)
    for i, row in enumerate(labels):
        for label in row:
            Y[i, index[label]] = 1
    return Y


def make_corpus(texts, labels, groups, taxonomy: Taxonomy, segmenter, weight=1.0) -> Corpus:
    prepared = features.prepare(texts, segmenter)
    return Corpus(prepared, label_matrix(labels, taxonomy), np.asarray(groups, dtype=object),
                  np.full(len(prepared.normalized), float(weight)))


def keyword_corpus(taxonomy: Taxonomy, segmenter, weight: float) -> Corpus:
    """Each keyword and Chinese theme name as a weak one-line example of its theme."""
    texts, labels = [], []
    for theme in taxonomy.themes:
        for phrase in dict.fromkeys((theme.name_zh, *theme.keywords)):
            texts.append(phrase)
            labels.append([theme.id])
    return make_corpus(texts, labels, [TAXONOMY_GROUP] * len(texts), taxonomy, segmenter, weight)


def fit_estimator(corpus: Corpus, taxonomy: Taxonomy, settings: TrainSettings) -> dict:
    """Vectorizers and one stacked coefficient matrix, so scoring is one sparse product."""
    parts = features.build_vectorizers(settings.features, taxonomy)
    X = features.fit_transform(parts, corpus.prepared, settings.features)
    coef = np.zeros((X.shape[1], corpus.Y.shape[1]))
    intercept = np.zeros(corpus.Y.shape[1])
    for j in range(corpus.Y.shape[1]):
        y = corpus.Y[:, j]
        if y.min() == y.max():
            intercept[j] = 10.0 if y[0] else -10.0
            continue
        # The dual solver: far fewer samples than features, so the same fit about 50x faster.
        clf = LogisticRegression(C=settings.C, class_weight=settings.class_weight,
                                 solver="liblinear", dual=True, max_iter=1000,
                                 random_state=0)
        clf.fit(X, y, sample_weight=corpus.weights)
        coef[:, j] = clf.coef_[0]
        intercept[j] = clf.intercept_[0]
    return {**parts, "coef": coef, "intercept": intercept}


def scores_of(estimator: dict, X) -> np.ndarray:
    """Probability-like score per row of a feature matrix and theme: one stacked product."""
    return 1.0 / (1.0 + np.exp(-(X @ estimator["coef"] + estimator["intercept"])))


def predict_scores(estimator: dict, prepared: Prepared, settings: TrainSettings) -> np.ndarray:
    """Probability-like score per paragraph and theme."""
    return scores_of(estimator, features.transform(estimator, prepared, settings.features))


def with_keywords(corpus: Corpus, taxonomy: Taxonomy, segmenter, settings) -> Corpus:
    if settings.keyword_example_weight <= 0:
        return corpus
    return corpus.concat(keyword_corpus(taxonomy, segmenter, settings.keyword_example_weight))


def out_of_fold_scores(corpus: Corpus, taxonomy: Taxonomy, settings: TrainSettings,
                       segmenter) -> np.ndarray:
    """Scores of each paragraph from a model that never saw its document."""
    scores = np.zeros(corpus.Y.shape, dtype=float)
    if len(set(corpus.groups)) < 2:
        return np.full(corpus.Y.shape, np.nan)
    for train_idx, test_idx in LeaveOneGroupOut().split(corpus.Y, groups=corpus.groups):
        train = with_keywords(corpus.subset(train_idx), taxonomy, segmenter, settings)
        estimator = fit_estimator(train, taxonomy, settings)
        scores[test_idx] = predict_scores(estimator, corpus.subset(test_idx).prepared, settings)
    return scores


@dataclass
class Trained:
    estimator: dict
    thresholds: np.ndarray
    oof_scores: np.ndarray


def train(corpus: Corpus, taxonomy: Taxonomy, settings: TrainSettings, segmenter,
          oof: np.ndarray | None = None) -> Trained:
    """Thresholds from out-of-fold scores of ``corpus`` alone, then a fit on all of it.

    ``oof`` passes in those scores when cross-validation has already computed them.
    """
    if oof is None:
        oof = out_of_fold_scores(corpus, taxonomy, settings, segmenter)
    thresholds = (np.full(corpus.Y.shape[1], 0.5) if np.isnan(oof).any()
                  else tune_thresholds(corpus.Y, oof, settings.threshold_pooling))
    estimator = fit_estimator(with_keywords(corpus, taxonomy, segmenter, settings),
                              taxonomy, settings)
    return Trained(estimator, thresholds, oof)
