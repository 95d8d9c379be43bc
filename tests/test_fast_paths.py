"""The shortcuts that make a tagging call cheap change no result: the feature cells' products
equal scipy's to the bit, and the shipped model scores every labelled paragraph exactly as the
plain scipy path over scikit-learn-equal features does, one text at a time or in a batch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classifier.model.context import Evidence
from classifier.model.features import prepare
from classifier.model.text import split_paragraphs

LABELS = Path(__file__).resolve().parent.parent / "labels"


def _articles() -> list[str]:
    articles: dict[str, list[str]] = {}
    for path in sorted(LABELS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                articles.setdefault(record.get("doc") or record["id"], []).append(record["text"])
    return ["\n".join(paragraphs) for paragraphs in articles.values()]


ARTICLES = _articles()


def _plain_scores(model, texts: list[str]) -> np.ndarray:
    """Probabilities computed the plain way: one scipy matrix for the paragraphs and one for
    the articles, scipy's products, every head input made."""
    split = [split_paragraphs(t) for t in texts]
    paragraphs = [p for part in split for p in part]
    article_of = np.repeat(np.arange(len(split)), [len(part) for part in split])
    features = model.linear.features
    prepared = prepare(paragraphs, model.segmenter)
    found = features.counts(prepared)
    X = features.weigh(found).tocsr()
    articles = features.weigh(found.summed(article_of, len(split))).tocsr()
    gate = model.context
    evidence = Evidence(np.asarray(X @ model.linear.coef_) + model.linear.intercept_,
                        gate.names_union(prepared.normalized),
                        (articles @ gate.gate_coef_ + gate.gate_intercept_)[article_of],
                        X @ gate.gate_coef_ + gate.gate_intercept_, article_of, len(split))
    in_article, alone = evidence.inputs  # both heads' inputs, for every paragraph
    single = evidence.alone()
    z = np.einsum("ntk,tk->nt", in_article, gate.in_article_coef_) + gate.in_article_intercept_
    z[single] = np.einsum("ntk,tk->nt", alone[single], gate.alone_coef_) + gate.alone_intercept_
    return 1.0 / (1.0 + np.exp(-z))


@pytest.mark.parametrize("rows", [1, 3, 16, 17, 200])
def test_products_of_feature_cells_equal_scipys_to_the_bit(shipped, rows):
    features = shipped.linear.features
    texts = [p for a in ARTICLES for p in split_paragraphs(a)][:rows]
    cells = features.weigh(features.counts(prepare(texts, shipped.segmenter)))
    matrix = cells.tocsr()
    assert np.array_equal(cells @ shipped.linear.coef_, matrix @ shipped.linear.coef_)
    gate = shipped.context.gate_coef_
    assert np.array_equal(cells @ gate, matrix @ gate)
    assert cells.shape == (rows, features.n_features) and len(cells.values) > rows


def test_every_labelled_article_scores_as_the_plain_path_does(shipped):
    scores = shipped.scores(
        [p for a in ARTICLES for p in split_paragraphs(a)],
        article_of=np.repeat(np.arange(len(ARTICLES)),
                             [len(split_paragraphs(a)) for a in ARTICLES]))
    assert np.array_equal(scores, _plain_scores(shipped, ARTICLES))


def test_paragraphs_sent_one_at_a_time_score_as_in_a_batch_and_as_the_plain_path(shipped):
    paragraphs = [p for a in ARTICLES[:60] for p in split_paragraphs(a)]
    one_by_one = np.vstack([shipped.scores([p]) for p in paragraphs])
    assert np.array_equal(one_by_one, shipped.scores(paragraphs))
    assert np.array_equal(one_by_one, _plain_scores(shipped, paragraphs))
    assert [shipped.tag(p)[0] for p in paragraphs[:100]] == shipped.tag(paragraphs[:100])


def test_texts_without_a_known_term_score_as_the_plain_path(shipped):
    texts = ["😀😀\n🙂", "😀", "工会驿站\n😀"]
    paragraphs = [p for t in texts for p in split_paragraphs(t)]
    scores = shipped.scores(paragraphs, article_of=np.array([0, 0, 1, 2, 2]))
    assert np.array_equal(scores, _plain_scores(shipped, texts))
    assert shipped.tag(texts[0])[0].theme_ids == []
