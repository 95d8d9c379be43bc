"""Article context: does a text report union work, and how does that move its paragraphs'
themes? The themes are themes of union work: the same words in a court report or a school
sports day carry none, and a paragraph of a union article carries its theme without naming
the union again."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from classifier.model.vocabulary import KeywordScanner

# Inputs of the head that scores a paragraph inside an article of two or more paragraphs.
IN_ARTICLE = ("score", "article_names_union", "article_union_share", "paragraph_names_union",
              "score_if_article_names_union", "score_if_paragraph_names_union",
              "article_gate", "paragraph_gate", "neighbours_if_article_names_union")
# Inputs of the head that scores a text of one paragraph, which is its own context.
ALONE = ("score", "paragraph_names_union", "score_if_paragraph_names_union", "paragraph_gate")
_CLIP = 8.0


def _clip(values: np.ndarray) -> np.ndarray:
    """np.clip to [-_CLIP, _CLIP], as two ufuncs: np.clip's own overhead is several times theirs."""
    return np.minimum(np.maximum(values, -_CLIP), _CLIP)


@dataclass
class Evidence:
    """What the heads read, per paragraph (rows) and theme (columns where it varies)."""

    scores: np.ndarray        # the paragraph model's log-odds, paragraphs x themes
    names_union: np.ndarray   # 1 where the paragraph names a union body
    article_gate: np.ndarray  # the union-work gate's log-odds of the whole article
    paragraph_gate: np.ndarray
    article_of: np.ndarray    # article index of each paragraph
    n_articles: int

    def alone(self) -> np.ndarray:
        """Which paragraphs are a text of their own."""
        return self._alone

    @functools.cached_property
    def _alone(self) -> np.ndarray:
        sizes = np.bincount(self.article_of, minlength=self.n_articles)
        return sizes[self.article_of] == 1

    @functools.cached_property
    def _article_union(self) -> tuple[np.ndarray, np.ndarray]:
        sizes = np.bincount(self.article_of, minlength=self.n_articles)
        named = np.bincount(self.article_of, weights=self.names_union, minlength=self.n_articles)
        share = named / np.maximum(sizes, 1)
        return (named > 0)[self.article_of].astype(float)[:, None], share[self.article_of]

    def _neighbours(self) -> np.ndarray:
        """The larger log-odds of the paragraphs before and after, within the article."""
        s = self._score
        before = np.full_like(s, -_CLIP)
        after = np.full_like(s, -_CLIP)
        same_prev = self.article_of[1:] == self.article_of[:-1]
        before[1:][same_prev] = s[:-1][same_prev]
        after[:-1][same_prev] = s[1:][same_prev]
        return np.maximum(before, after)

    @property
    def inputs(self) -> tuple[np.ndarray, np.ndarray]:
        """(paragraphs x themes x IN_ARTICLE, paragraphs x themes x ALONE) head inputs."""
        return self.in_article_inputs, self.alone_inputs

    @functools.cached_property
    def in_article_inputs(self) -> np.ndarray:
        """What the in-article head reads, made once: tagging and each explained theme read it."""
        return self._stack(IN_ARTICLE)

    @functools.cached_property
    def alone_inputs(self) -> np.ndarray:
        """What the head for a text of one paragraph reads."""
        return self._stack(ALONE)

    @functools.cached_property
    def _score(self) -> np.ndarray:
        return _clip(self.scores)

    def _column(self, name: str) -> np.ndarray:
        """One head input, paragraphs x themes or paragraphs x 1; made only when a head reads
        it (a text of one paragraph needs four of the nine)."""
        match name:
            case "score":
                return self._score
            case "article_names_union":
                return self._article_union[0]
            case "article_union_share":
                return self._article_union[1][:, None]
            case "paragraph_names_union":
                return self.names_union.astype(float)[:, None]
            case "score_if_article_names_union":
                return self._score * self._article_union[0]
            case "score_if_paragraph_names_union":
                return self._score * self.names_union.astype(float)[:, None]
            case "article_gate":
                return _clip(self.article_gate)[:, None]
            case "paragraph_gate":
                return _clip(self.paragraph_gate)[:, None]
            case "neighbours_if_article_names_union":
                return self._neighbours() * self._article_union[0]
        raise KeyError(name)

    def _stack(self, names) -> np.ndarray:
        stacked = np.empty((*self.scores.shape, len(names)))
        for k, name in enumerate(names):
            stacked[:, :, k] = self._column(name)
        return stacked


def read(linear, gate, names_union, prepared, article_of) -> tuple[Evidence, object]:
    """The evidence the heads read of prepared paragraphs grouped into articles by
    ``article_of``, and the paragraphs' feature matrix; ``gate`` maps feature rows to log-odds
    of union work, ``names_union`` normalised texts to whether they name a union body."""
    found = linear.features.counts(prepared)
    X = linear.features.weigh(found)
    article_of = np.asarray(article_of, dtype=np.int64)
    n_articles = int(article_of.max()) + 1 if len(article_of) else 0
    # Texts of one paragraph are their own article: no second weighing.
    articles = X if n_articles == len(article_of) else linear.features.weigh(
        found.summed(article_of, n_articles))
    paragraph_gate = gate(X)
    article_gate = paragraph_gate if articles is X else gate(articles)[article_of]
    return Evidence(linear.decision(X), names_union(prepared.normalized), article_gate,
                    paragraph_gate, article_of, n_articles), X


class Context:
    """The union-body terms, the union-work gate over the shared features, and the two heads
    that turn a paragraph's evidence into a calibrated probability per theme."""

    def __init__(self, union_bodies, gate_coef, gate_intercept, in_article_coef,
                 in_article_intercept, alone_coef, alone_intercept, thresholds):
        self.union_bodies = np.asarray(union_bodies, dtype=str)
        self.gate_coef_ = np.asarray(gate_coef, dtype=np.float64)
        self.gate_intercept_ = float(np.asarray(gate_intercept).reshape(-1)[0])
        self.in_article_coef_ = np.asarray(in_article_coef, dtype=np.float64)
        self.in_article_intercept_ = np.asarray(in_article_intercept, dtype=np.float64)
        self.alone_coef_ = np.asarray(alone_coef, dtype=np.float64)
        self.alone_intercept_ = np.asarray(alone_intercept, dtype=np.float64)
        # Row 0 in articles, row 1 for a text of one paragraph.
        self.thresholds_ = np.asarray(thresholds, dtype=np.float64)
        self._scanner = KeywordScanner(self.union_bodies.tolist())

    def cutoffs(self, evidence: Evidence) -> np.ndarray:
        """Each paragraph's threshold per theme, by the head that scores it."""
        return self.thresholds_[evidence.alone().astype(int)]

    def names_union(self, normalized: list[str]) -> np.ndarray:
        return np.fromiter(map(self._scanner.occurs, normalized), dtype=bool,
                           count=len(normalized))

    def gate(self, X) -> np.ndarray:
        """Log-odds that a text (a row of features) reports union work."""
        return np.asarray(X @ self.gate_coef_).ravel() + self.gate_intercept_

    def probabilities(self, evidence: Evidence) -> np.ndarray:
        """Calibrated probability per paragraph and theme: the in-article head, or the alone
        head for a text of one paragraph."""
        single = evidence.alone()
        if single.all():  # texts of one paragraph only: the in-article head has nothing to do
            z = np.einsum("ntk,tk->nt", evidence.alone_inputs, self.alone_coef_)
            z += self.alone_intercept_
        else:
            z = (np.einsum("ntk,tk->nt", evidence.in_article_inputs, self.in_article_coef_)
                 + self.in_article_intercept_)
            if single.any():
                z[single] = (np.einsum("ntk,tk->nt", evidence.alone_inputs[single],
                                       self.alone_coef_) + self.alone_intercept_)
        return 1.0 / (1.0 + np.exp(-z))

    def explain_weights(self, evidence: Evidence, i: int, j: int) -> tuple[float, float]:
        """For paragraph ``i`` and theme ``j``: how much one unit of the paragraph model's
        log-odds moves the final log-odds, and what the rest of the evidence adds."""
        if evidence.alone()[i]:
            names, x, coef, intercept = (ALONE, evidence.alone_inputs[i, j], self.alone_coef_[j],
                                         self.alone_intercept_[j])
        else:
            names, x, coef, intercept = (IN_ARTICLE, evidence.in_article_inputs[i, j],
                                         self.in_article_coef_[j], self.in_article_intercept_[j])
        weight, value = dict(zip(names, coef, strict=True)), dict(zip(names, x, strict=True))
        slope = (weight["score"] + weight["score_if_paragraph_names_union"]
                 * value["paragraph_names_union"]
                 + weight.get("score_if_article_names_union", 0.0)
                 * value.get("article_names_union", 0.0))
        return float(slope), float(x @ coef + intercept - slope * value["score"])

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"union_bodies": self.union_bodies, "gate_coef": self.gate_coef_,
                "gate_intercept": np.array([self.gate_intercept_]),
                "in_article_coef": self.in_article_coef_,
                "in_article_intercept": self.in_article_intercept_,
                "alone_coef": self.alone_coef_, "alone_intercept": self.alone_intercept_,
                "thresholds": self.thresholds_}

    ARRAYS = ("union_bodies", "gate_coef", "gate_intercept", "in_article_coef",
              "in_article_intercept", "alone_coef", "alone_intercept", "thresholds")

    @classmethod
    def from_arrays(cls, arrays, n_features: int, n_themes: int) -> Context:
        context = cls(*(arrays[name] for name in cls.ARRAYS))
        expected = {"gate_coef": (n_features,),
                    "in_article_coef": (n_themes, len(IN_ARTICLE)),
                    "in_article_intercept": (n_themes,),
                    "alone_coef": (n_themes, len(ALONE)), "alone_intercept": (n_themes,),
                    "thresholds": (2, n_themes)}
        for name, shape in expected.items():
            if arrays[name].shape != shape:
                raise ValueError(f"{name} has shape {arrays[name].shape}, expected {shape}")
        if not np.all((context.thresholds_ > 0) & (context.thresholds_ < 1)):
            raise ValueError("thresholds must lie strictly between 0 and 1")
        return context
