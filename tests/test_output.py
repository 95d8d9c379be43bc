"""Batch output: a record per input record as JSONL or CSV, read back to resume a run."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest

from classifier.batch.output import (
    CsvFormat,
    JsonlFormat,
    Written,
    output_record,
    text_hash,
)
from classifier.batch.records import Record


def test_an_error_record_keeps_its_location():
    out = output_record(Record("in.jsonl", 3, "a", error="field 'text' missing"))
    assert out == {"id": "a", "error": "in.jsonl:3: field 'text' missing", "path": "in.jsonl",
                   "line": 3}


def test_a_tagged_record_carries_the_hash_of_its_text():
    out = output_record(Record("in.jsonl", 1, "a", "甲"), {"themes": [], "model_version": "v1"})
    assert out == {"id": "a", "themes": [], "model_version": "v1", "text_hash": text_hash("甲")}
    assert len(text_hash("甲")) == 16 and text_hash("甲") != text_hash("乙")


RIDERS = "5月31日，30名外卖骑手集中入会，领到了工会会员证，有了自己的“娘家”。"
TAGGED = {"id": "a", "themes": [{"id": "legal_aid", "name": "法律援助与维权", "score": 0.9,
                                  "paragraphs": [0]}],
          "paragraphs": [], "model_version": "v1", "text_hash": "h1"}


def test_csv_output_has_a_score_column_per_theme_empty_when_absent():
    fmt = CsvFormat(["worker_station", "legal_aid"])
    assert fmt.header == (b"id,title,text,model_version,error,themes,worker_station,legal_aid,"
                          b"encoding,text_hash\n")
    assert fmt.line(TAGGED) == "a,,,v1,,法律援助与维权,,0.9,,h1\n".encode()
    error = output_record(Record("in.csv", 2, "b", error="bad"))
    assert fmt.line(error) == b"b,,,,in.csv:2: bad,,,,,\n"


def test_csv_output_carries_the_title_and_text_it_was_given():
    record = Record("in.csv", 2, "a", "甲", meta={"title": "标题", "date": "2024-05-01"})
    out = output_record(record, {"themes": TAGGED["themes"], "model_version": "v1"})
    line = CsvFormat(["legal_aid"]).line(out, record.text)
    assert line == f"a,标题,甲,v1,,法律援助与维权,0.9,,{text_hash('甲')}\n".encode()


def test_other_input_fields_pass_through_but_never_replace_the_output_own():
    record = Record("in.jsonl", 1, "a", "甲", meta={"date": "2024-05-01", "themes": "x"})
    out = output_record(record, {"themes": [], "model_version": "v1"})
    assert out == {"id": "a", "date": "2024-05-01", "themes": [], "model_version": "v1",
                   "text_hash": text_hash("甲")}
    assert list(out)[:2] == ["id", "date"]


def test_the_encoding_is_recorded_where_it_was_not_utf8():
    record = Record("in.txt", None, "in.txt", error="empty file", encoding="gb18030")
    assert output_record(record)["encoding"] == "gb18030"
    assert "encoding" not in output_record(Record("in.txt", None, "in.txt", error="empty file"))


@pytest.mark.parametrize("fmt", [JsonlFormat(), CsvFormat(["worker_station", "legal_aid"])],
                         ids=["jsonl", "csv"])
def test_written_output_is_read_back_up_to_a_broken_last_line(fmt):
    error = output_record(Record("in", 2, None, error="bad"))
    data = fmt.header + fmt.line(TAGGED) + fmt.line(error)
    written = list(fmt.written(io.BytesIO(data + b'half a li')))
    assert [(w.id, w.error, w.model_version, w.themes, w.text_hash) for w, _ in written] == [
        ("a", False, "v1", ("legal_aid",), "h1"), (None, True, None, (), None)]
    assert written[-1][1] == len(data)


@pytest.mark.parametrize("text, matches", [("甲", True), ("甲。", False)])
def test_a_written_record_is_reused_only_for_the_same_text(text, matches):
    written = Written("a", False, "v1", False, (), text_hash("甲"))
    assert written.matches(Record("in.jsonl", 1, "a", text), "v1", False) is matches


def test_a_jsonl_line_is_compact_utf8_json():
    out = output_record(Record("in.jsonl", 1, "a", "甲"), {"themes": [], "model_version": "v1"})
    assert JsonlFormat().line(out) == (
        f'{{"id":"a","themes":[],"model_version":"v1","text_hash":"{text_hash("甲")}"}}\n'
        ).encode()


@pytest.mark.parametrize("field", ["\ud800", 2**70], ids=["lone-surrogate", "big-integer"])
def test_an_input_field_orjson_cannot_write_is_written_escaped_and_reads_back(field):
    out = output_record(Record("in.jsonl", 1, "a", "甲", meta={"note": field}),
                        {"themes": [], "model_version": "v1"})
    line = JsonlFormat().line(out)
    line.decode("utf-8")
    assert json.loads(line) == out


def test_a_results_dict_holds_every_field_of_the_result(shipped):
    """``Result.to_dict`` is built field by field; it must say what the dataclasses hold."""
    text = (f"{RIDERS}\n市总工会在城区建成24个工会驿站，为环卫工人提供饮水、休息。\n"
            "本报记者 郝佳伟")
    results = shipped.tag([text, RIDERS, "今天天气晴。"])
    assert len(results[0].theme_ids) >= 2 and not results[2].theme_ids
    for result in results:
        fields = dataclasses.asdict(result)
        for paragraph in fields["paragraphs"]:
            for theme in paragraph["themes"]:
                del theme["paragraphs"], theme["main"]  # article-level fields only
        assert json.dumps(result.to_dict()) == json.dumps(fields)
