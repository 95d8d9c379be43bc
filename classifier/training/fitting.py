"""Fitting the linear multi-label model, and thresholds tuned on out-of-fold scores."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from classifier.data.taxonomy import Taxonomy
from classifier.model.features import (
    Features,
    FeatureSettings,
    Prepared,
    keyword_incidence,
    prepare,
)
from classifier.model.linear import LinearModel
from classifier.model.vocabulary import WORD_TOKEN

TAXONOMY_GROUP = "<taxonomy>"


@dataclass(frozen=True)
class TrainSettings:
    """Model choices, chosen by cross-validation over whole articles (see the report)."""

    features: FeatureSettings = field(default_factory=FeatureSettings)
    C: float = 10.0
    class_weight: str | None = "balanced"
    # Weight of each taxonomy keyword as a one-word example of its theme (0 turns it off).
    # Leave-one-document-out macro-F1 is flat from 0.5 to 1.5; without these examples it drops.
    keyword_example_weight: float = 1.0
    # Share of the all-themes pooled threshold in each theme's threshold (0: per theme only).
    threshold_pooling: float = 0.5
    # Articles are split into this many cross-validation folds (fewer when there are fewer).
    folds: int = 5
    # Inverse regularisation of the union-work gate and of the heads that weigh the context.
    gate_C: float = 1.0
    head_C: float = 100.0
    # Weight of single paragraphs beside whole articles when the gate learns union work.
    gate_paragraph_weight: float = 0.3

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainSettings:
        return cls(**{**data, "features": FeatureSettings.from_dict(data["features"])})


@dataclass
class Corpus:
    """Prepared paragraphs in article order, with their labels, articles (groups), sample
    weights and the kind of their article: "union", "general", or "" when unknown."""

    prepared: Prepared
    Y: np.ndarray
    groups: np.ndarray
    weights: np.ndarray
    kinds: np.ndarray

    def __len__(self) -> int:
        return len(self.groups)

    def subset(self, index) -> Corpus:
        index = np.asarray(index)
        return Corpus(Prepared([self.prepared.normalized[i] for i in index],
                               [self.prepared.segmented[i] for i in index]),
                      self.Y[index], self.groups[index], self.weights[index], self.kinds[index])

    def concat(self, other: Corpus) -> Corpus:
        return Corpus(Prepared(self.prepared.normalized + other.prepared.normalized,
                               self.prepared.segmented + other.prepared.segmented),
                      np.vstack([self.Y, other.Y]), np.concatenate([self.groups, other.groups]),
                      np.concatenate([self.weights, other.weights]),
                      np.concatenate([self.kinds, other.kinds]))

    def articles(self) -> tuple[np.ndarray, int]:
        """Each paragraph's article index (in order of first appearance) and their number."""
        _, first, index = np.unique(self.groups, return_index=True, return_inverse=True)
        order = np.argsort(np.argsort(first))
        return order[index], len(first)


def label_matrix(labels, taxonomy: Taxonomy) -> np.ndarray:
    index = {tid: j for j, tid in enumerate(taxonomy.ids)}
    Y = np.zeros((len(labels), len(index)), dtype=np.int8)
    for i, row in enumerate(labels):
        for label in row:
            Y[i, index[label]] = 1
    return Y


def make_corpus(texts, labels, groups, taxonomy: Taxonomy, segmenter, weight=1.0,
                kinds=None) -> Corpus:
    prepared = prepare(texts, segmenter)
    kinds = np.full(len(texts), "", dtype=object) if kinds is None else np.asarray(kinds,
                                                                                   dtype=object)
    return Corpus(prepared, label_matrix(labels, taxonomy), np.asarray(groups, dtype=object),
                  np.full(len(prepared.normalized), float(weight)), kinds)


def keyword_corpus(taxonomy: Taxonomy, segmenter, weight: float) -> Corpus:
    """Each keyword and Chinese theme name as a weak one-line example of its theme."""
    texts, labels = [], []
    for theme in taxonomy.themes:
        for phrase in dict.fromkeys((theme.name_zh, *theme.keywords)):
            texts.append(phrase)
            labels.append([theme.id])
    return make_corpus(texts, labels, [TAXONOMY_GROUP] * len(texts), taxonomy, segmenter, weight)


def vectorizers(settings: FeatureSettings) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """The word and character vectorizers whose fitted vocabularies and idf the model keeps."""
    word = TfidfVectorizer(token_pattern=WORD_TOKEN, lowercase=False,
                           sublinear_tf=settings.sublinear_tf, min_df=settings.min_df)
    char = TfidfVectorizer(analyzer="char", ngram_range=settings.char_ngrams, lowercase=False,
                           sublinear_tf=settings.sublinear_tf, min_df=settings.min_df)
    return word, char


def fit_features(prepared: Prepared, taxonomy: Taxonomy,
                 settings: FeatureSettings) -> tuple[Features, sp.csr_matrix]:
    """Vocabularies and idf fitted by scikit-learn, kept as plain arrays, and the training
    matrix they give."""
    word, char = vectorizers(settings)
    X_word = word.fit_transform(prepared.segmented)
    X_char = char.fit_transform(prepared.normalized)
    keywords, incidence = keyword_incidence(taxonomy.themes)
    fitted = Features(settings, word.get_feature_names_out(), word.idf_,
                      char.get_feature_names_out(), char.idf_, keywords, incidence,
                      len(taxonomy.themes))
    X_keywords = sp.csr_matrix(fitted.keyword_block(fitted.keyword_counts(prepared.normalized)))
    return fitted, sp.hstack([X_word, X_char, X_keywords], format="csr")


def fit_linear(corpus: Corpus, taxonomy: Taxonomy, settings: TrainSettings) -> LinearModel:
    """Features and one stacked coefficient matrix, so scoring is one sparse product."""
    fitted, X = fit_features(corpus.prepared, taxonomy, settings.features)
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
    return LinearModel(fitted, coef, intercept)


def with_keywords(corpus: Corpus, taxonomy: Taxonomy, segmenter, settings) -> Corpus:
    if settings.keyword_example_weight <= 0:
        return corpus
    return corpus.concat(keyword_corpus(taxonomy, segmenter, settings.keyword_example_weight))
