"""Features of a paragraph: word TF-IDF, character n-gram TF-IDF and taxonomy keyword matches."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp

from classifier.model.segmentation import Segmenter
from classifier.model.text import normalize
from classifier.model.vocabulary import (
    CharVocabulary,
    KeywordScanner,
    WordVocabulary,
    counts,
    weigh,
)


@dataclass(frozen=True)
class FeatureSettings:
    """Feature choices, chosen by grouped cross-validation (see the report)."""

    char_ngrams: tuple[int, int] = (2, 3)
    sublinear_tf: bool = True
    min_df: int = 1
    # Scale of the per-theme keyword-count features relative to the unit-norm TF-IDF blocks.
    keyword_weight: float = 0.5

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> FeatureSettings:
        return cls(**{**data, "char_ngrams": tuple(data["char_ngrams"])})


@dataclass
class Prepared:
    """Paragraphs after normalisation and segmentation: what every feature block reads."""

    normalized: list[str]
    segmented: list[str]


def prepare(texts, segmenter: Segmenter, segmented: list[str] | None = None) -> Prepared:
    """Normalised paragraphs and their tokens; ``segmented`` when they were segmented before."""
    normalized = [normalize(t) for t in texts]
    if segmented is None:
        return Prepared(normalized, [segmenter.segment(t) for t in normalized])
    if len(segmented) != len(normalized):
        raise ValueError(f"{len(segmented)} segmented paragraphs for {len(normalized)} paragraphs")
    return Prepared(normalized, list(segmented))


def keyword_theme_matrix(themes) -> tuple[list[str], sp.csr_matrix]:
    """Keyword vocabulary and its keyword-by-theme incidence matrix, from taxonomy themes."""
    vocabulary = sorted({kw for theme in themes for kw in theme.keywords})
    index = {kw: i for i, kw in enumerate(vocabulary)}
    rows, cols = [], []
    for col, theme in enumerate(themes):
        for kw in set(theme.keywords):
            rows.append(index[kw])
            cols.append(col)
    shape = (len(vocabulary), len(themes))
    return vocabulary, sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)


@dataclass
class Counts:
    """Term counts of the word and character blocks and keyword presence, per text."""

    word: sp.csr_matrix
    char: sp.csr_matrix
    keywords: sp.csr_matrix

    def summed(self, groups: sp.csr_matrix) -> Counts:
        """Counts of groups of texts (``groups`` is groups x texts), such as articles."""
        return Counts(groups @ self.word, groups @ self.char, groups @ self.keywords)


class Features:
    """The fitted feature blocks: word and character vocabularies with their idf, and the
    taxonomy keywords with the themes each one counts for."""

    ARRAYS = ("word_terms", "word_idf", "char_terms", "char_idf", "keywords", "keyword_themes")

    def __init__(self, settings: FeatureSettings, word_terms, word_idf, char_terms, char_idf,
                 keywords, keyword_themes: sp.csr_matrix):
        self.settings = settings
        self.word = WordVocabulary(word_terms)
        self.char = CharVocabulary(char_terms, settings.char_ngrams)
        self.word_idf = np.asarray(word_idf, dtype=np.float64)
        self.char_idf = np.asarray(char_idf, dtype=np.float64)
        self.keywords = np.asarray(keywords, dtype=str)
        self.keyword_themes = sp.csr_matrix(keyword_themes)
        self._scanner = KeywordScanner(self.keywords.tolist())

    @property
    def n_features(self) -> int:
        return len(self.word) + len(self.char) + self.keyword_themes.shape[1]

    def keyword_presence(self, normalized: list[str]) -> sp.csr_matrix:
        """Paragraph-by-keyword matrix, 1 where the keyword occurs anywhere in the paragraph."""
        return self._scanner.presence(normalized)

    def counts(self, prepared: Prepared) -> Counts:
        """Raw counts of every block: they add up over an article's paragraphs."""
        return Counts(counts(self.word, prepared.segmented), counts(self.char, prepared.normalized),
                      self.keyword_presence(prepared.normalized))

    def weigh(self, found: Counts) -> sp.csr_matrix:
        """The feature matrix of counts: TF-IDF blocks and log-scaled keyword counts per theme."""
        sublinear = self.settings.sublinear_tf
        word = weigh(found.word, self.word_idf, sublinear)
        char = weigh(found.char, self.char_idf, sublinear)
        return sp.hstack([word, char, self.keyword_block(found.keywords)], format="csr")

    def keyword_block(self, presence: sp.csr_matrix) -> sp.csr_matrix:
        """Per theme, the log-scaled number of its keywords present, at the block's weight."""
        counts = sp.csr_matrix(presence @ self.keyword_themes).log1p()
        return counts * self.settings.keyword_weight

    def transform(self, prepared: Prepared) -> sp.csr_matrix:
        return self.weigh(self.counts(prepared))

    def names(self, theme_ids) -> np.ndarray:
        """A readable name per column; keyword columns are named ``keywords:<theme id>``."""
        return np.concatenate([self.word.terms.astype(object), self.char.terms.astype(object),
                               np.array([f"keywords:{t}" for t in theme_ids], dtype=object)])

    def to_arrays(self) -> dict[str, np.ndarray]:
        incidence = self.keyword_themes.tocoo()
        return {"word_terms": self.word.terms, "word_idf": self.word_idf,
                "char_terms": self.char.terms, "char_idf": self.char_idf,
                "keywords": self.keywords,
                "keyword_themes": np.stack([incidence.row, incidence.col]).astype(np.int64)}

    @classmethod
    def from_arrays(cls, arrays, settings: FeatureSettings, n_themes: int) -> Features:
        rows, cols = arrays["keyword_themes"]
        incidence = sp.csr_matrix((np.ones(len(rows)), (rows, cols)),
                                  shape=(len(arrays["keywords"]), n_themes))
        return cls(settings, *(arrays[name] for name in cls.ARRAYS[:-1]), incidence)
