"""Fitting the article context: the union-work gate and the heads that weigh the evidence."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from classifier.model.context import Context, Evidence, read
from classifier.model.linear import LinearModel
from classifier.model.vocabulary import KeywordScanner
from classifier.training.fitting import Corpus, TrainSettings

# A constant log-odds for a gate or head with nothing to learn (one class only).
_SURE = 10.0


def fit_gate(linear: LinearModel, corpus: Corpus, settings: TrainSettings) -> tuple:
    """(coefficients, intercept) of "this text reports union work", learnt from whole articles
    of known kind and, at a lower weight, their single paragraphs."""
    known = np.flatnonzero(corpus.kinds != "")
    features = linear.features
    if not len(known):
        return np.zeros(features.n_features), _SURE
    part = corpus.subset(known)
    found = features.counts(part.prepared)
    article_of, n_articles = part.articles()
    articles = features.weigh(found.summed(article_of, n_articles))
    union = part.kinds == "union"
    article_union = np.zeros(n_articles, dtype=bool)
    article_union[article_of] = union
    X = sp.vstack([articles.tocsr(), features.weigh(found).tocsr()], format="csr")
    y = np.concatenate([article_union, union])
    if y.min() == y.max():
        return np.zeros(features.n_features), _SURE if y[0] else -_SURE
    weights = np.concatenate([np.ones(n_articles),
                              np.full(len(union), settings.gate_paragraph_weight)])
    clf = LogisticRegression(C=settings.gate_C, class_weight="balanced", solver="liblinear",
                             dual=True, max_iter=1000, random_state=0)
    clf.fit(X, y, sample_weight=weights)
    return clf.coef_[0], float(clf.intercept_[0])


def evidence(linear: LinearModel, gate: tuple, union_bodies, corpus: Corpus) -> Evidence:
    """What the heads read of a corpus, its paragraphs grouped into their articles."""
    coef, intercept = gate
    scanner = KeywordScanner(list(union_bodies))
    article_of, _ = corpus.articles()
    return read(linear, lambda X: X @ coef + intercept,
                lambda texts: np.array([scanner.occurs(t) for t in texts], dtype=bool),
                corpus.prepared, article_of)[0]


def alone(evidence: Evidence) -> Evidence:
    """The same paragraphs, each read as a text of its own."""
    n = len(evidence.article_of)
    return Evidence(evidence.scores, evidence.names_union, evidence.paragraph_gate,
                    evidence.paragraph_gate, np.arange(n), n)


def take(evidence: Evidence, index) -> Evidence:
    """The evidence of some paragraphs, their articles kept as they were."""
    index = np.asarray(index)
    return Evidence(evidence.scores[index], evidence.names_union[index],
                    evidence.article_gate[index], evidence.paragraph_gate[index],
                    evidence.article_of[index], evidence.n_articles)


def _fit_head(inputs: np.ndarray, Y: np.ndarray, C: float) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression over every paragraph-theme pair: the weights of the evidence
    are shared by the themes, each theme has its own intercept and its own slope on the
    paragraph model's score. Unweighted, so its output is a calibrated probability; shared,
    so a theme with few examples borrows the others' evidence."""
    n, n_themes, width = inputs.shape
    if not n:
        return np.zeros((n_themes, width)), np.full(n_themes, -_SURE)
    present = Y.any(axis=0)
    rows = np.repeat(np.arange(n_themes)[None, :], n, axis=0).ravel()
    theme = sp.csr_matrix((np.ones(n * n_themes), (np.arange(n * n_themes), rows)),
                          shape=(n * n_themes, n_themes))
    score = sp.csr_matrix((inputs[:, :, 0].ravel(), (np.arange(n * n_themes), rows)),
                          shape=(n * n_themes, n_themes))
    X = sp.hstack([sp.csr_matrix(inputs.reshape(n * n_themes, width)), theme, score],
                  format="csr")
    y = Y.ravel()
    if y.min() == y.max():
        return np.zeros((n_themes, width)), np.full(n_themes, _SURE if y[0] else -_SURE)
    clf = LogisticRegression(C=C, max_iter=5000, fit_intercept=False).fit(X, y)
    w = clf.coef_[0]
    coef = np.tile(w[:width], (n_themes, 1))
    coef[:, 0] += w[width + n_themes:]
    intercept = np.where(present, w[width:width + n_themes], -_SURE)
    return coef, intercept


def fit_heads(found: Evidence, Y: np.ndarray, settings: TrainSettings) -> dict:
    """The in-article head from paragraphs of articles of two or more paragraphs, and the
    alone head from every paragraph read as a text of its own."""
    in_article = found.inputs[0]
    rows = ~found.alone()
    article_coef, article_intercept = _fit_head(in_article[rows], Y[rows], settings.head_C)
    alone_coef, alone_intercept = _fit_head(alone(found).inputs[1], Y, settings.head_C)
    return {"in_article_coef": article_coef, "in_article_intercept": article_intercept,
            "alone_coef": alone_coef, "alone_intercept": alone_intercept}


def context(union_bodies, gate: tuple, heads: dict, thresholds: np.ndarray) -> Context:
    return Context(list(union_bodies), gate[0], gate[1], heads["in_article_coef"],
                   heads["in_article_intercept"], heads["alone_coef"],
                   heads["alone_intercept"], thresholds)


def probabilities(heads: dict, found: Evidence) -> tuple[np.ndarray, np.ndarray]:
    """(in their articles, each alone) probabilities of the heads for some evidence; the gate
    and union bodies are already read into the evidence."""
    n_themes = heads["alone_intercept"].shape[0]
    scorer = context((), (np.zeros(0), 0.0), heads, np.full((2, n_themes), 0.5))
    return scorer.probabilities(found), scorer.probabilities(alone(found))
