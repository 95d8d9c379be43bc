"""Fast vocabulary lookups give exactly scikit-learn's matrices and every keyword in a text."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import LABELS
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from classifier.model import features
from classifier.model.text import normalize
from classifier.model.vocabulary import KeywordScanner, counts, tfidf

TRAIN = ["工会驿站 建成 投用", "外卖骑手集中入会", "职工 技能 大赛 举办", "abc 12351 热线"]
# Unseen text: out-of-vocabulary n-grams, runs of spaces, a tab, Latin, digits, an emoji, empty.
NEW = ["工会驿站为骑手提供热饭", "技能  大赛\t举办了", "", "abc  ABC 12351", "骑手😀入会", "驿",
       "会\ud800站"]  # and a lone surrogate


def _same(fast: sp.csr_matrix, reference) -> None:
    reference = sp.csr_matrix(reference)
    reference.sort_indices()
    assert fast.has_sorted_indices
    assert fast.shape == reference.shape
    assert np.array_equal(fast.indptr, reference.indptr)
    assert np.array_equal(fast.indices, reference.indices)
    assert np.array_equal(fast.data, reference.data)


@pytest.mark.parametrize("options", [
    {"analyzer": "char", "ngram_range": (2, 3)},
    {"analyzer": "char", "ngram_range": (1, 3), "sublinear_tf": True},
    {"analyzer": "char", "ngram_range": (2, 4)},  # beyond the packed codes: the generic lookup
    {"analyzer": "char", "ngram_range": (1, 2), "lowercase": True},
    {"analyzer": "char", "ngram_range": (2, 3), "vocabulary": ["工会驿站", "驿站", "骑手"]},
    {"token_pattern": r"(?u)\S+", "sublinear_tf": True},
    {"token_pattern": r"(?u)\S+", "ngram_range": (1, 2), "use_idf": False},
])
def test_tfidf_equals_scikit_learns_transform(options):
    vectorizer = TfidfVectorizer(**{"lowercase": False, **options}).fit(TRAIN)
    _same(tfidf(vectorizer, NEW), vectorizer.transform(NEW))


@pytest.mark.parametrize("binary", [False, True])
def test_counts_equal_scikit_learns_counts(binary):
    vectorizer = CountVectorizer(analyzer="char", ngram_range=(2, 3), lowercase=False,
                                 binary=binary).fit(TRAIN + ["驿站驿站驿站"])
    texts = [*NEW, "驿站驿站驿站驿站"]
    _same(counts(vectorizer, texts), vectorizer.transform(texts))
    assert counts(vectorizer, texts)[-1, vectorizer.vocabulary_["驿站"]] == (1 if binary else 4)


def test_a_refitted_vectorizer_is_looked_up_with_its_new_vocabulary():
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), lowercase=False)
    vectorizer.fit(TRAIN)
    tfidf(vectorizer, NEW)
    vectorizer.fit(["完全不同的文字"])
    _same(tfidf(vectorizer, ["不同的"]), vectorizer.transform(["不同的"]))


def test_model_features_equal_scikit_learns_on_the_labelled_paragraphs(model):
    texts = [json.loads(line)["text"] for line in LABELS.read_text(encoding="utf-8").splitlines()]
    prepared = features.prepare([f"{t}（{i}日）" for i, t in enumerate(texts)], model.segmenter)
    parts = model.estimator
    _same(tfidf(parts["word"], prepared.segmented), parts["word"].transform(prepared.segmented))
    _same(tfidf(parts["char"], prepared.normalized), parts["char"].transform(prepared.normalized))
    # The artifact's scikit-learn form: the longest keyword at each position, then the keywords
    # inside it.
    reference = sp.csr_matrix(parts["keywords"].transform(prepared.normalized)
                              @ parts["keyword_contains"])
    reference.data[:] = 1
    _same(features.keyword_presence(parts, prepared.normalized), reference)


KEYWORDS = ["建会", "建会率", "会率", "工会驿站", "驿站", "12351", "户外劳动者"]


@pytest.mark.parametrize("text, found", [
    ("新建会率达到90%", {"建会", "建会率", "会率"}),
    ("工会驿站里的驿站长", {"工会驿站", "驿站"}),
    ("拨打１２３５１热线", {"12351"}),
    ("户外劳动", set()),
    ("", set()),
])
def test_scanner_finds_every_keyword_in_the_text(text, found):
    scanner = KeywordScanner(KEYWORDS)
    assert {KEYWORDS[i] for i in scanner.find(normalize(text))} == found


def test_scanner_presence_matrix_marks_each_text_row():
    scanner = KeywordScanner(KEYWORDS)
    matrix = scanner.presence(["驿站", "", "建会率"])
    assert matrix.shape == (3, len(KEYWORDS))
    assert [sorted(KEYWORDS[i] for i in row.indices) for row in matrix] == [
        ["驿站"], [], ["会率", "建会", "建会率"]]
