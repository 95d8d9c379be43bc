"""Normalisation, paragraph splitting and segmentation with the domain dictionary."""

from __future__ import annotations

import json
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from classifier.model.segmentation import (
    COMPILED,
    REFERENCE,
    Segmenter,
    get_segmenter,
    segmenter_from_spec,
    term_frequencies,
)
from classifier.model.text import normalize, split_paragraphs

LABELS = Path(__file__).resolve().parent.parent / "labels"


@pytest.mark.parametrize("raw, expected", [
    ("１２３５１热线", "12351热线"),
    ("驿站（暖心）：开放！", "驿站(暖心):开放!"),
    ("  工会\u3000驿站 \t开放  ", "工会 驿站 开放"),
    ("ＡＢＣ", "ABC"),
])
def test_normalize_makes_full_width_half_width_and_collapses_spaces(raw, expected):
    assert normalize(raw) == expected


def test_split_paragraphs_drops_blank_lines_and_strips():
    assert split_paragraphs("  第一段\n\n \t\n第二段  \r\n") == ["第一段", "第二段"]


@pytest.fixture(scope="module")
def segmenter(taxonomy):
    return get_segmenter(taxonomy.dictionary_terms())


@pytest.mark.parametrize("term, sentence", [
    ("工会驿站", "市总工会新建工会驿站二十家"),
    ("新就业形态", "推动新就业形态劳动者入会"),
    ("小三级工会", "推进小三级工会建设"),
    ("产改", "深化产改走深走实"),
    ("12351", "拨打12351职工服务热线"),
    ("县级工会加强年", "开展县级工会加强年专项工作"),
])
def test_domain_dictionary_terms_stay_whole(segmenter, term, sentence):
    tokens = segmenter.tokens(normalize(sentence))
    assert any(term in token for token in tokens)
    assert not any(token != term and token in term and len(token) > 0 for token in tokens
                   if term not in token), tokens


def test_segment_joins_every_token_with_spaces_and_tokens_keeps_the_words(segmenter):
    assert segmenter.segment("工会驿站,开放!") == "工会驿站 , 开放 !"
    assert segmenter.tokens("工会驿站,开放!") == ["工会驿站", "开放"]


def test_segmenter_is_shared_per_dictionary(taxonomy):
    assert get_segmenter(taxonomy.dictionary_terms()) is get_segmenter(
        list(reversed(taxonomy.dictionary_terms())))


def test_tokenizing_from_threads_gives_the_serial_result(segmenter):
    texts = [f"第{i}个工会驿站为外卖骑手提供热饭和休息,推进小三级工会建设" for i in range(200)]
    serial = [segmenter.tokens(t) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        parallel = list(pool.map(segmenter.tokens, texts))
    assert parallel == serial


def test_the_compiled_segmenter_cuts_every_labelled_paragraph_as_the_reference(segmenter):
    """rjieba serves, jieba is the reference and the fallback: they must give the same tokens."""
    texts = [normalize(json.loads(line)["text"]) for path in sorted(LABELS.glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    reference = Segmenter(segmenter.terms, REFERENCE)
    assert segmenter.implementation == COMPILED
    assert len(texts) > 3000
    differing = [t for t in texts if segmenter.segment(t) != reference.segment(t)]
    assert differing == []


def test_domain_terms_get_the_same_frequencies_from_either_implementation(taxonomy):
    terms = taxonomy.dictionary_terms()
    assert term_frequencies(terms, COMPILED) == term_frequencies(terms, REFERENCE)


def test_without_the_compiled_segmenter_the_reference_serves_with_a_warning(
        segmenter, monkeypatch, caplog):
    spec = segmenter.spec()
    monkeypatch.setitem(sys.modules, COMPILED, None)  # as if rjieba were not installed
    with caplog.at_level(logging.WARNING):
        fallback = segmenter_from_spec(spec, "model")
    assert fallback.implementation == REFERENCE
    assert "rjieba is not installed" in caplog.text
    sentence = "市总工会新建工会驿站二十家,推动新就业形态劳动者入会"
    assert fallback.tokens(sentence) == segmenter.tokens(sentence)
