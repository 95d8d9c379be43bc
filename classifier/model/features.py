"""Features of a paragraph: word TF-IDF, character n-gram TF-IDF and taxonomy keyword matches."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from classifier.model.segmentation import Segmenter
from classifier.model.text import normalize
from classifier.model.vocabulary import (
    Cells,
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


def keyword_incidence(themes) -> tuple[list[str], np.ndarray]:
    """Keyword vocabulary and its (keyword, theme) pairs, from taxonomy themes."""
    vocabulary = sorted({kw for theme in themes for kw in theme.keywords})
    index = {kw: i for i, kw in enumerate(vocabulary)}
    pairs = sorted((index[kw], col) for col, theme in enumerate(themes)
                   for kw in set(theme.keywords))
    return vocabulary, np.array(pairs, dtype=np.int64).reshape(-1, 2).T


@dataclass
class Counts:
    """Term counts of the word and character blocks, and per theme the number of its keywords
    present, per text: raw counts, so they add up over an article's paragraphs."""

    word: Cells
    char: Cells
    keywords: np.ndarray  # texts x themes

    def summed(self, group_of: np.ndarray, n_groups: int) -> Counts:
        """Counts of groups of texts, such as articles; ``group_of`` gives each text's group."""
        keywords = np.zeros((n_groups, self.keywords.shape[1]))
        np.add.at(keywords, group_of, self.keywords)
        return Counts(self.word.grouped(group_of, n_groups),
                      self.char.grouped(group_of, n_groups), keywords)


class Features:
    """The fitted feature blocks: word and character vocabularies with their idf, and the
    taxonomy keywords with the themes each one counts for."""

    ARRAYS = ("word_terms", "word_idf", "char_terms", "char_idf", "keywords", "keyword_themes")

    def __init__(self, settings: FeatureSettings, word_terms, word_idf, char_terms, char_idf,
                 keywords, keyword_themes: np.ndarray, n_themes: int):
        self.settings = settings
        self.word = WordVocabulary(word_terms)
        self.char = CharVocabulary(char_terms, settings.char_ngrams)
        self.word_idf = np.asarray(word_idf, dtype=np.float64)
        self.char_idf = np.asarray(char_idf, dtype=np.float64)
        self._idf = np.concatenate([self.word_idf, self.char_idf])
        self.keywords = np.asarray(keywords, dtype=str)
        # (keyword, theme) pairs: which themes each keyword counts for.
        self.keyword_themes = np.asarray(keyword_themes, dtype=np.int64).reshape(2, -1)
        self.n_themes = n_themes
        self._themes_of: list[list[int]] = [[] for _ in self.keywords]
        for keyword, theme in self.keyword_themes.T.tolist():
            self._themes_of[keyword].append(theme)
        self._scanner = KeywordScanner(self.keywords.tolist())

    @property
    def n_features(self) -> int:
        return len(self.word) + len(self.char) + self.n_themes

    def keyword_counts(self, normalized: list[str]) -> np.ndarray:
        """Per text and theme, how many of the theme's keywords occur in the text."""
        n_themes = self.n_themes
        cells = [i * n_themes + theme for i, text in enumerate(normalized)
                 for keyword in self._scanner.find(text) for theme in self._themes_of[keyword]]
        return np.bincount(np.array(cells, dtype=np.int64), minlength=len(normalized) * n_themes
                           ).reshape(len(normalized), n_themes).astype(np.float64)

    def counts(self, prepared: Prepared) -> Counts:
        """Raw counts of every block."""
        return Counts(counts(self.word, prepared.segmented), counts(self.char, prepared.normalized),
                      self.keyword_counts(prepared.normalized))

    def keyword_block(self, keyword_counts: np.ndarray) -> np.ndarray:
        """Per theme, the log-scaled number of its keywords present, at the block's weight."""
        return np.log1p(keyword_counts) * self.settings.keyword_weight

    def weigh(self, found: Counts) -> Cells:
        """The feature matrix of counts: TF-IDF blocks and log-scaled keyword counts per theme,
        side by side."""
        n_word, n_texts = len(self.word), found.word.shape[0]
        # The word and character blocks weighed in one pass, each row of each unit length.
        text = weigh(Cells(np.concatenate([found.word.rows, found.char.rows]),
                           np.concatenate([found.word.columns, found.char.columns + n_word]),
                           np.concatenate([found.word.values, found.char.values]),
                           (n_texts, n_word + len(self.char))),
                     self._idf, self.settings.sublinear_tf,
                     np.repeat(np.array([0, 1]), [len(found.word.rows), len(found.char.rows)]), 2)
        block = self.keyword_block(found.keywords)
        kw_rows, kw_columns = np.nonzero(block)
        rows = np.concatenate([text.rows, kw_rows])
        columns = np.concatenate([text.columns, kw_columns + n_word + len(self.char)])
        values = np.concatenate([text.values, block[kw_rows, kw_columns]])
        if n_texts > 1:
            # Row by row, in column order: word, then character, then keyword columns.
            order = np.argsort(rows, kind="stable")
            rows, columns, values = rows[order], columns[order], values[order]
        return Cells(rows, columns, values, (n_texts, self.n_features))

    def transform(self, prepared: Prepared):
        """The feature matrix as a scipy CSR matrix, as training reads it."""
        return self.weigh(self.counts(prepared)).tocsr()

    def names(self, theme_ids) -> np.ndarray:
        """A readable name per column; keyword columns are named ``keywords:<theme id>``."""
        return np.concatenate([self.word.terms.astype(object), self.char.terms.astype(object),
                               np.array([f"keywords:{t}" for t in theme_ids], dtype=object)])

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"word_terms": self.word.terms, "word_idf": self.word_idf,
                "char_terms": self.char.terms, "char_idf": self.char_idf,
                "keywords": self.keywords, "keyword_themes": self.keyword_themes}

    @classmethod
    def from_arrays(cls, arrays, settings: FeatureSettings, n_themes: int) -> Features:
        """Rebuild from stored arrays; a ValueError says what does not fit."""
        keyword_themes = arrays["keyword_themes"]
        if keyword_themes.size and not (
                keyword_themes.shape[0] == 2 and 0 <= keyword_themes.min()
                and keyword_themes[0].max() < len(arrays["keywords"])
                and keyword_themes[1].max() < n_themes):
            raise ValueError("keyword_themes pairs do not fit the keywords and themes")
        return cls(settings, *(arrays[name] for name in cls.ARRAYS), n_themes)
