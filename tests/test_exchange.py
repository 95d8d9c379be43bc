"""Reading labelled files for training: repeats are warned about, and the later text wins."""

from __future__ import annotations

import logging

from conftest import write_jsonl

from classifier.data.exchange import load_examples


def test_a_repeated_text_with_other_labels_is_warned_about_and_the_later_wins(tmp_path, caplog,
                                                                              taxonomy):
    first = write_jsonl(tmp_path / "a.jsonl", [
        {"id": "1", "doc": "d", "text": "建成工会驿站", "labels": ["worker_station"]},
        {"id": "2", "doc": "d", "text": "本报记者", "labels": []}])
    later = write_jsonl(tmp_path / "b.jsonl", [
        {"id": "1", "doc": "e", "text": "建成工会驿站", "labels": ["worker_care"]}])
    with caplog.at_level(logging.WARNING, logger="classifier"):
        examples = load_examples([first, later], taxonomy)
    assert [(e.text, e.labels) for e in examples] == [("建成工会驿站", ("worker_care",)),
                                                     ("本报记者", ())]
    messages = [r.getMessage() for r in caplog.records]
    assert f"{later}:1: same text as {first}:1 with other labels; the later one, {later}:1, " \
           "wins" in messages
    assert f"{later}:1: id '1' repeats {first}:1; both records are kept" in messages


def test_the_same_text_with_the_same_labels_is_no_warning(tmp_path, caplog, taxonomy):
    record = {"doc": "d", "text": "建成工会驿站", "labels": ["worker_station"]}
    path = write_jsonl(tmp_path / "a.jsonl", [record, record])
    with caplog.at_level(logging.WARNING, logger="classifier"):
        assert len(load_examples([path], taxonomy)) == 1
    assert caplog.records == []
