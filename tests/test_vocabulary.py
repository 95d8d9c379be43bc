"""Vocabulary lookups give exactly scikit-learn's matrices, and every keyword in a text."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import LABELS
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from classifier.model.features import prepare
from classifier.model.text import normalize
from classifier.model.vocabulary import (
    CharVocabulary,
    KeywordScanner,
    WordVocabulary,
    counts,
    weigh,
)
from classifier.training.fitting import TrainSettings, fit_features, vectorizers

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


def _vocabulary(vectorizer):
    terms = vectorizer.get_feature_names_out()
    if vectorizer.analyzer == "char":
        return CharVocabulary(terms, vectorizer.ngram_range)
    return WordVocabulary(terms)


@pytest.mark.parametrize("options", [
    {"analyzer": "char", "ngram_range": (2, 3)},
    {"analyzer": "char", "ngram_range": (1, 3), "sublinear_tf": True},
    {"analyzer": "char", "ngram_range": (1, 1)},
    {"token_pattern": r"(?u)\S+", "sublinear_tf": True},
    {"token_pattern": r"(?u)\S+"},
])
def test_tfidf_equals_scikit_learns_transform(options):
    vectorizer = TfidfVectorizer(**{"lowercase": False, **options}).fit(TRAIN)
    found = counts(_vocabulary(vectorizer), NEW)
    fast = weigh(found, vectorizer.idf_, vectorizer.sublinear_tf)
    _same(fast.tocsr(), vectorizer.transform(NEW))


def test_counts_equal_scikit_learns_counts():
    vectorizer = CountVectorizer(analyzer="char", ngram_range=(2, 3), lowercase=False).fit(
        TRAIN + ["驿站驿站驿站"])
    texts = [*NEW, "驿站驿站驿站驿站"]
    found = counts(_vocabulary(vectorizer), texts)
    _same(found.tocsr(), vectorizer.transform(texts))
    assert found.tocsr()[-1, vectorizer.vocabulary_["驿站"]] == 4


def test_character_n_grams_beyond_three_are_refused():
    with pytest.raises(ValueError, match="up to 3"):
        CharVocabulary(["工会驿站"], (2, 4))


def test_inference_features_equal_scikit_learns_on_the_labelled_paragraphs(taxonomy, model):
    """The numpy path that tags and the scikit-learn path that trains agree to the bit."""
    texts = [json.loads(line)["text"] for line in LABELS.read_text(encoding="utf-8").splitlines()]
    prepared = prepare([f"{t}（{i}日）" for i, t in enumerate(texts)], model.segmenter)
    settings = TrainSettings().features
    fitted, X = fit_features(prepared, taxonomy, settings)
    word, char = vectorizers(settings)
    word.fit(prepared.segmented)
    char.fit(prepared.normalized)
    ours = fitted.transform(prepared)
    n_word, n_char = len(fitted.word), len(fitted.char)
    _same(ours[:, :n_word], word.transform(prepared.segmented))
    _same(ours[:, n_word:n_word + n_char], char.transform(prepared.normalized))
    # fit_transform sums each row's norm in another order: equal to rounding.
    assert abs(ours - X).max() < 1e-12


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


def test_keyword_counts_give_per_theme_how_many_of_its_keywords_occur(model):
    texts = [normalize("市总工会新建工会驿站二十家,组织外卖骑手集中入会,开展劳动和技能竞赛"), "",
             normalize("拨打12351职工服务热线获得法律援助")]
    found = model.linear.features.keyword_counts(texts)
    expected = [[len({k for k in model.taxonomy[tid].keywords if k in text})
                 for tid in model.theme_ids] for text in texts]
    assert found.tolist() == expected
    assert found.sum() > 3


def test_a_scanner_without_keywords_finds_nothing():
    assert KeywordScanner([]).find("工会驿站") == set()
    assert not KeywordScanner([]).occurs("工会驿站")


@pytest.mark.parametrize("text", ["新建会率达到90%", "工会驿站里的驿站长", "户外劳动", "", "率"])
def test_a_keyword_occurs_where_the_scanner_finds_one(text):
    scanner = KeywordScanner(KEYWORDS)
    assert scanner.occurs(text) == bool(scanner.find(text))


def test_terms_of_a_batch_are_found_as_those_of_each_paragraph(model):
    texts = [normalize(json.loads(line)["text"])
             for line in LABELS.read_text(encoding="utf-8").splitlines()][:120]
    prepared = prepare(texts, model.segmenter)
    for vocabulary, documents in ((model.linear.features.char, prepared.normalized),
                                  (model.linear.features.word, prepared.segmented)):
        rows, columns = vocabulary.find(documents)  # numpy, for a batch
        assert len(columns) > 1000
        for i, document in enumerate(documents):  # Python, for a few paragraphs
            assert sorted(vocabulary.columns(document)) == sorted(columns[rows == i].tolist())


def test_a_few_paragraphs_are_counted_as_in_a_batch(model):
    texts = [normalize(json.loads(line)["text"])
             for line in LABELS.read_text(encoding="utf-8").splitlines()][:200]
    vocabulary = model.linear.features.char
    batch = counts(vocabulary, texts).tocsr()
    assert sum(map(len, texts)) > 2000  # counted in numpy
    for i, text in enumerate(texts[:50]):
        one = counts(vocabulary, [text]).tocsr()  # counted in Python
        assert (one != batch[i]).nnz == 0 and one.has_sorted_indices
