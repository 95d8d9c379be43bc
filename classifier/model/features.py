"""Features of a paragraph: word TF-IDF, character n-gram TF-IDF and taxonomy keyword matches."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from classifier.data.taxonomy import Taxonomy
from classifier.model import vocabulary as lookup
from classifier.model.segmentation import Segmenter
from classifier.model.text import normalize

_TOKENS = r"(?u)\S+"


@dataclass(frozen=True)
class FeatureSettings:
    """Feature choices, chosen by leave-one-document-out cross-validation (see the report)."""

    char_ngrams: tuple[int, int] = (2, 3)
    # jieba dictionary words rarer than this are left out of the segmenter (faster loading).
    min_word_freq: int = 5
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
    """Paragraphs after normalisation and segmentation: what every vectorizer reads."""

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


def keyword_theme_matrix(taxonomy: Taxonomy) -> tuple[list[str], sp.csr_matrix]:
    """Keyword vocabulary and its keyword-by-theme incidence matrix."""
    vocabulary = sorted({kw for theme in taxonomy.themes for kw in theme.keywords})
    index = {kw: i for i, kw in enumerate(vocabulary)}
    rows, cols = [], []
    for col, theme in enumerate(taxonomy.themes):
        for kw in set(theme.keywords):
            rows.append(index[kw])
            cols.append(col)
    data = np.ones(len(rows))
    shape = (len(vocabulary), len(taxonomy.themes))
    return vocabulary, sp.csr_matrix((data, (rows, cols)), shape=shape)


def _trie_regex(node: dict) -> str:
    branches = [re.escape(char) + _trie_regex(child) for char, child in sorted(node.items())
                if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def keyword_pattern(keywords) -> str:
    """A regex matching any keyword, the longest where several start at the same character.

    Branches of a trie start with distinct characters, so matching never backtracks far:
    one scan of the text instead of every character n-gram up to the longest keyword.
    """
    trie: dict = {}
    for keyword in keywords:
        node = trie
        for char in keyword:
            node = node.setdefault(char, {})
        node[""] = {}
    return f"(?=({_trie_regex(trie)}))"


def containment_matrix(vocabulary: list[str]) -> sp.csr_matrix:
    """[i, j] = 1 when keyword j occurs inside keyword i (itself included).

    The keyword pattern finds the longest keyword at each position; this puts back the shorter
    ones hidden in it (建会 in 建会率), so every keyword in the text counts, as in the rules.
    """
    rows, cols = [], []
    for i, outer in enumerate(vocabulary):
        for j, inner in enumerate(vocabulary):
            if inner in outer:
                rows.append(i)
                cols.append(j)
    shape = (len(vocabulary), len(vocabulary))
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)


def build_vectorizers(settings: FeatureSettings, taxonomy: Taxonomy) -> dict:
    """Unfitted feature parts: scikit-learn, numpy and scipy types only, so skops can trust them."""
    vocabulary, incidence = keyword_theme_matrix(taxonomy)
    return {
        "word": TfidfVectorizer(token_pattern=_TOKENS, lowercase=False,
                                sublinear_tf=settings.sublinear_tf, min_df=settings.min_df),
        "char": TfidfVectorizer(analyzer="char", ngram_range=settings.char_ngrams,
                                lowercase=False, sublinear_tf=settings.sublinear_tf,
                                min_df=settings.min_df),
        # Matched in the text like the keyword rules, not in jieba's tokens, so that a keyword
        # inside a longer word still counts; one pass of a trie-shaped regular expression.
        "keywords": CountVectorizer(token_pattern=keyword_pattern(vocabulary), lowercase=False,
                                    binary=True, vocabulary=vocabulary),
        "keyword_contains": containment_matrix(vocabulary),
        "keyword_themes": incidence,
    }


def keyword_presence(parts: dict, normalized) -> sp.csr_matrix:
    """Paragraph-by-keyword matrix, 1 where the keyword occurs anywhere in the paragraph.

    Equal to ``keywords.transform`` (longest keyword at each position) times the containment
    matrix, the scikit-learn form the artifact keeps; found by a faster scan.
    """
    return lookup.keyword_scanner(tuple(parts["keywords"].vocabulary)).presence(normalized)


def _keyword_block(parts: dict, normalized, weight: float) -> sp.csr_matrix:
    counts = keyword_presence(parts, normalized) @ parts["keyword_themes"]
    return sp.csr_matrix(counts).log1p() * weight


def fit_transform(parts: dict, prepared: Prepared, settings: FeatureSettings) -> sp.csr_matrix:
    word = parts["word"].fit_transform(prepared.segmented)
    char = parts["char"].fit_transform(prepared.normalized)
    keywords = _keyword_block(parts, prepared.normalized, settings.keyword_weight)
    return sp.hstack([word, char, keywords], format="csr")


def transform(parts: dict, prepared: Prepared, settings: FeatureSettings) -> sp.csr_matrix:
    word = lookup.tfidf(parts["word"], prepared.segmented)
    char = lookup.tfidf(parts["char"], prepared.normalized)
    keywords = _keyword_block(parts, prepared.normalized, settings.keyword_weight)
    return sp.hstack([word, char, keywords], format="csr")


def feature_names(parts: dict, taxonomy: Taxonomy) -> np.ndarray:
    """A readable name per column; keyword columns are named ``keywords:<theme id>``."""
    return np.concatenate([
        parts["word"].get_feature_names_out(),
        parts["char"].get_feature_names_out(),
        np.array([f"keywords:{tid}" for tid in taxonomy.ids], dtype=object),
    ])
