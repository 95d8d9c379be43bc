"""Batch output: a record per input record as JSONL or CSV, read back to resume a run."""

from __future__ import annotations

import io

import pytest

from classifier.batch.output import CsvFormat, JsonlFormat, Written, output_record, text_hash
from classifier.batch.records import Record


def test_an_error_record_keeps_its_location():
    out = output_record(Record("in.jsonl", 3, "a", error="field 'text' missing"))
    assert out == {"id": "a", "error": "in.jsonl:3: field 'text' missing", "path": "in.jsonl",
                   "line": 3}


def test_a_tagged_record_carries_the_hash_of_its_text():
    out = output_record(Record("in.jsonl", 1, "a", "甲"), {"themes": [], "model_version": "v1"})
    assert out == {"id": "a", "themes": [], "model_version": "v1", "text_hash": text_hash("甲")}
    assert len(text_hash("甲")) == 16 and text_hash("甲") != text_hash("乙")


TAGGED = {"id": "a", "themes": [{"id": "legal_aid", "name": "法律援助与维权", "score": 0.9,
                                  "paragraphs": [0]}],
          "paragraphs": [], "model_version": "v1", "text_hash": "h1"}


def test_csv_output_has_a_score_column_per_theme_empty_when_absent():
    fmt = CsvFormat(["worker_station", "legal_aid"])
    assert fmt.header == "id,model_version,error,worker_station,legal_aid,text_hash\n"
    assert fmt.line(TAGGED) == "a,v1,,,0.9,h1\n"
    error = output_record(Record("in.csv", 2, "b", error="bad"))
    assert fmt.line(error) == "b,,in.csv:2: bad,,,\n"


@pytest.mark.parametrize("fmt", [JsonlFormat(), CsvFormat(["worker_station", "legal_aid"])],
                         ids=["jsonl", "csv"])
def test_written_output_is_read_back_up_to_a_broken_last_line(fmt):
    error = output_record(Record("in", 2, None, error="bad"))
    data = fmt.header + fmt.line(TAGGED) + fmt.line(error)
    written = list(fmt.written(io.BytesIO(data.encode() + b'half a li')))
    assert [(w.id, w.error, w.model_version, w.themes, w.text_hash) for w, _ in written] == [
        ("a", False, "v1", ("legal_aid",), "h1"), (None, True, None, (), None)]
    assert written[-1][1] == len(data.encode())


@pytest.mark.parametrize("text, matches", [("甲", True), ("甲。", False)])
def test_a_written_record_is_reused_only_for_the_same_text(text, matches):
    written = Written("a", False, "v1", False, (), text_hash("甲"))
    assert written.matches(Record("in.jsonl", 1, "a", text), "v1", False) is matches
