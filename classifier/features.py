"""Features of a paragraph: word TF-IDF, character n-gram TF-IDF and taxonomy keyword matches."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from .segment import Segmenter
from .taxonomy import Taxonomy
from .text import normalize

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


def prepare(texts, segmenter: Segmenter) -> Prepared:
    normalized = [normalize(t) for t in texts]
    return Prepared(normalized, [segmenter.segment(t) for t in normalized])


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


def build_vectorizers(settings: FeatureSettings, taxonomy: Taxonomy) -> dict:
    """Unfitted feature parts: scikit-learn, numpy and scipy types only, so skops can trust them."""
    vocabulary, incidence = keyword_theme_matrix(taxonomy)
    return {
        "word": TfidfVectorizer(token_pattern=_TOKENS, lowercase=False,
                                sublinear_tf=settings.sublinear_tf, min_df=settings.min_df),
        "char": TfidfVectorizer(analyzer="char", ngram_range=settings.char_ngrams,
                                lowercase=False, sublinear_tf=settings.sublinear_tf,
                                min_df=settings.min_df),
        # Substring matches, like the keyword rules: a keyword inside a longer word still counts.
        "keywords": CountVectorizer(analyzer="char", lowercase=False, binary=True,
                                    ngram_range=(min(map(len, vocabulary)),
                                                 max(map(len, vocabulary))),
                                    vocabulary=vocabulary),
        "keyword_themes": incidence,
    }


def _keyword_block(parts: dict, normalized, weight: float) -> sp.csr_matrix:
    counts = parts["keywords"].transform(normalized) @ parts["keyword_themes"]
    return sp.csr_matrix(counts).log1p() * weight


def fit_transform(parts: dict, prepared: Prepared, settings: FeatureSettings) -> sp.csr_matrix:
    word = parts["word"].fit_transform(prepared.segmented)
    char = parts["char"].fit_transform(prepared.normalized)
    keywords = _keyword_block(parts, prepared.normalized, settings.keyword_weight)
    return sp.hstack([word, char, keywords], format="csr")


def transform(parts: dict, prepared: Prepared, settings: FeatureSettings) -> sp.csr_matrix:
    word = parts["word"].transform(prepared.segmented)
    char = parts["char"].transform(prepared.normalized)
    keywords = _keyword_block(parts, prepared.normalized, settings.keyword_weight)
    return sp.hstack([word, char, keywords], format="csr")


def feature_names(parts: dict, taxonomy: Taxonomy) -> np.ndarray:
    """A readable name per column; keyword columns are named ``keywords:<theme id>``."""
    return np.concatenate([
        parts["word"].get_feature_names_out(),
        parts["char"].get_feature_names_out(),
        np.array([f"keywords:{tid}" for tid in taxonomy.ids], dtype=object),
    ])
