"""Reading batch input into records, each located, each read with a bound."""

from __future__ import annotations

import math
import os

import pytest

from classifier.batch.records import Fields, Line, parsed, read_records
from classifier.errors import TaggerError


def _write(path, data: str | bytes):
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def _read(path, **kwargs) -> list[tuple]:
    return [(r.id, r.text, r.line, r.error) for r in read_records([path], **kwargs)]


def test_jsonl_lines_become_records_with_their_line_numbers(tmp_path):
    path = _write(tmp_path / "a.jsonl", '{"id": "a", "text": "甲"}\n\n{"id": 7, "text": "乙"}\n')
    assert _read(path) == [("a", "甲", 1, None), (7, "乙", 3, None)]


@pytest.mark.parametrize("line, error", [
    ('{"id": "a", "text": "甲"', "invalid JSON: Expecting ',' delimiter (column 24)"),
    ('["a", "甲"]', "record is not a JSON object"),
    ('{"text": "甲"}', "field 'id' missing or not a string or integer"),
    ('{"id": true, "text": "甲"}', "field 'id' missing or not a string or integer"),
    ('{"id": "a"}', "field 'text' missing or not a non-empty string"),
    ('{"id": "a", "text": "  "}', "field 'text' missing or not a non-empty string"),
    ('{"id": "a", "text": "甲\\ud800"}',
     "field 'text' holds a lone surrogate (a \\ud800-style escape), which is no character"),
    ('{"id": "\\udfff", "text": "甲"}',
     "field 'id' holds a lone surrogate (a \\ud800-style escape), which is no character"),
])
def test_a_malformed_jsonl_line_is_a_located_error(tmp_path, line, error):
    path = _write(tmp_path / "a.jsonl", f'{{"id": "ok", "text": "甲"}}\n{line}\n')
    record = list(read_records([path]))[1]
    assert (record.line, record.error) == (2, error)
    assert str(record.problem) == f"{path}:2: {error}"


@pytest.mark.parametrize("line, meta", [
    ('{"id": "a", "text": "甲", "n": 123456789012345678901234567890}',
     {"n": 123456789012345678901234567890}),
    ('{"id": "a", "text": "甲", "n": [{"m": 123456789012345678901234567890}]}',
     {"n": [{"m": 123456789012345678901234567890}]}),
    ('{"id": "a", "text": "甲", "n": 1e400}', {"n": math.inf}),
    ('{"id": "a", "text": "甲", "n": 0.1, "n": 2}', {"n": 2}),
    ('{"id": "a", "text": "甲", "n": "\\u4e59"}', {"n": "乙"}),
], ids=["big-integer", "nested-big-integer", "infinity", "repeated-key", "escape"])
def test_a_jsonl_line_is_read_as_the_json_module_reads_it(tmp_path, line, meta):
    path = _write(tmp_path / "a.jsonl", line + "\n")
    assert [(r.error, r.meta) for r in read_records([path])] == [(None, meta)]


def test_an_id_beyond_64_bits_is_refused_not_rounded(tmp_path):
    path = _write(tmp_path / "a.jsonl", '{"id": 123456789012345678901234567890, "text": "甲"}\n')
    assert _read(path)[0][3] == "field 'id' is an integer beyond ±9223372036854775807"


def _mixed(tmp_path):
    """JSONL with every kind of line: good, broken, undecodable, over the bound, blank."""
    return _write(tmp_path / "a.jsonl", b'{"id": "a", "text": "\xe7\x94\xb2", "date": "5"}\n\n'
                  b'{"id": "b", "text": \n{"id": "c", "text": "\xff"}\n'
                  b'{"id": "d", "text": "' + b"x" * 100 + b'"}\n{"id": 5, "text": "z"}\n')


def test_deferred_lines_parse_to_the_records_read_at_once(tmp_path):
    path = _mixed(tmp_path)
    items = list(read_records([path], max_chars=10, deferred=True))
    assert [type(item).__name__ for item in items] == ["Line", "Line", "Line", "Record", "Line"]
    assert list(map(parsed, items)) == list(read_records([path], max_chars=10))


def test_deferred_lines_of_a_file_in_another_encoding_say_it_when_parsed(tmp_path):
    path = _write(tmp_path / "a.jsonl", '{"id": "a", "text": "工会驿站"}\n'.encode("gb18030"))
    item, = read_records([path], encoding="gb18030", deferred=True)
    assert isinstance(item, Line)
    assert (item.record().text, item.record().encoding) == ("工会驿站", "gb18030")


def test_an_undecodable_jsonl_line_spoils_only_itself(tmp_path):
    path = _write(tmp_path / "a.jsonl", b'{"id": "a", "text": "\xff"}\n{"id": "b", "text": "x"}\n')
    assert _read(path) == [(None, None, 1, "not UTF-8: invalid start byte at byte 22"),
                           ("b", "x", 2, None)]


def test_a_byte_order_mark_is_not_an_error(tmp_path):
    path = _write(tmp_path / "a.jsonl", b'\xef\xbb\xbf{"id": "a", "text": "x"}\n')
    assert _read(path) == [("a", "x", 1, None)]


def test_field_names_are_configurable(tmp_path):
    path = _write(tmp_path / "a.jsonl", '{"doc": "d1", "body": "甲", "id": "ignored"}\n')
    assert _read(path, fields=Fields("doc", "body")) == [("d1", "甲", 1, None)]


def test_csv_rows_are_records_located_by_their_first_line(tmp_path):
    path = _write(tmp_path / "a.csv", 'id,text\na,"第一段\n第二段"\nb,乙\n')
    assert _read(path) == [("a", "第一段\n第二段", 2, None), ("b", "乙", 4, None)]


@pytest.mark.parametrize("row, rid, error", [
    ("b,乙,extra", None, "3 fields where the header has 2"),
    ('b,"乙"x', None, "invalid CSV: ',' expected after '\"'"),
    ("b,", "b", "field 'text' missing or not a non-empty string"),
    (",乙", None, "field 'id' missing or not a string or integer"),
])
def test_a_malformed_csv_row_is_a_located_error_and_reading_goes_on(tmp_path, row, rid, error):
    path = _write(tmp_path / "a.csv", f"id,text\na,甲\n{row}\nc,丙\n")
    assert _read(path) == [("a", "甲", 2, None), (rid, None, 3, error), ("c", "丙", 4, None)]


def test_undecodable_bytes_spoil_only_their_csv_row(tmp_path):
    path = _write(tmp_path / "a.csv", b"id,text\na,\xff\nb,x\n")
    assert _read(path) == [(None, None, 2, "not UTF-8"), ("b", "x", 3, None)]


def test_a_text_file_is_one_article_whose_id_is_its_path(tmp_path):
    path = _write(tmp_path / "a.txt", "第一段\n\n第二段\n")
    assert _read(path) == [(str(path), "第一段\n\n第二段\n", None, None)]


@pytest.mark.parametrize("data, line, error", [
    (b"", None, "empty file"),
    (b"ok\nok\n\xff\n", 3, "not UTF-8: invalid start byte"),
])
def test_an_unusable_text_file_is_an_error_with_its_id(tmp_path, data, line, error):
    path = _write(tmp_path / "a.txt", data)
    assert _read(path) == [(str(path), None, line, error)]


def test_a_missing_file_is_an_error(tmp_path):
    assert _read(tmp_path / "none.jsonl") == [(None, None, None,
                                               "cannot read: No such file or directory")]


def test_a_directory_is_read_recursively_in_name_order_by_suffix(tmp_path):
    _write(tmp_path / "b.jsonl", '{"id": "j", "text": "乙"}\n')
    (tmp_path / "a").mkdir()
    _write(tmp_path / "a" / "x.txt", "甲")
    _write(tmp_path / "c.csv", "id,text\nc,丙\n")
    _write(tmp_path / "notes.md", "不读")
    assert [r.id for r in read_records([tmp_path])] == [str(tmp_path / "a" / "x.txt"), "j", "c"]


def test_input_format_overrides_the_suffix(tmp_path):
    path = _write(tmp_path / "export.dat", "id,text\na,甲\n")
    assert _read(path, kind="csv") == [("a", "甲", 2, None)]
    assert _read(path) == [(str(path), "id,text\na,甲\n", None, None)]


def test_a_directory_reads_regular_files_only_and_says_what_it_skipped(tmp_path):
    os.mkfifo(tmp_path / "a-pipe.jsonl")
    _write(tmp_path / "b.jsonl", '{"id": "b", "text": "乙"}\n')
    (tmp_path / "c-zero.txt").symlink_to("/dev/zero")
    skipped = "not a regular file (a FIFO, a device or a broken link); skipped"
    assert [(r.path, r.id, r.error) for r in read_records([tmp_path])] == [
        (str(tmp_path / "a-pipe.jsonl"), None, skipped), (str(tmp_path / "b.jsonl"), "b", None),
        (str(tmp_path / "c-zero.txt"), None, skipped)]


def _over(what: str, max_chars: int) -> str:
    return (f"{what} over {8 * max_chars} bytes, more than a record of {max_chars} characters "
            "takes (TAGGER_MAX_RECORD_CHARS); skipped")


def test_a_line_over_the_bound_is_skipped_unread_and_reading_goes_on(tmp_path):
    path = _write(tmp_path / "a.jsonl", '{"id": "a", "text": "甲"}\n'
                  f'{{"id": "b", "text": "{"乙" * 30}"}}\n{{"id": "c", "text": "丙"}}\n')
    assert _read(path, max_chars=10) == [("a", "甲", 1, None), (None, None, 2, _over("line", 10)),
                                         ("c", "丙", 3, None)]


def test_a_text_over_the_limit_is_an_error_record_with_its_id(tmp_path):
    path = _write(tmp_path / "a.jsonl", f'{{"id": "a", "text": "{"甲" * 11}"}}\n')
    assert _read(path, max_chars=10) == [
        ("a", None, 1, "field 'text' has 11 characters; the limit is 10")]


@pytest.mark.parametrize("field, next_line", [
    ("甲" * 30 + "\n甲", 4),  # a line over the bound
    ("甲\n" * 30, 33),  # short lines, a row over it
])
def test_a_csv_row_over_the_bound_is_skipped_and_rows_after_it_keep_their_lines(
        tmp_path, field, next_line):
    path = _write(tmp_path / "a.csv", f'id,text\na,"{field}"\nb,乙\n')
    assert _read(path, max_chars=10) == [(None, None, 2, _over("row", 10)),
                                         ("b", "乙", next_line, None)]


def test_csv_lines_may_end_in_a_lone_carriage_return(tmp_path):
    path = _write(tmp_path / "a.csv", "id,text\ra,甲\rb,乙\r")
    assert _read(path) == [("a", "甲", 2, None), ("b", "乙", 3, None)]


@pytest.mark.parametrize("data, error", [
    ("甲" * 11, "field 'text' has 11 characters; the limit is 10"),
    ("x" * 81, _over("file", 10)),
])
def test_a_text_file_over_the_limit_is_an_error_record(tmp_path, data, error):
    path = _write(tmp_path / "a.txt", data)
    assert _read(path, max_chars=10) == [(str(path), None, None, error)]


def test_an_endless_input_ends_in_an_error_record():
    assert _read("/dev/zero", max_chars=1000) == [("/dev/zero", None, None, _over("file", 1000))]


def test_the_limit_is_a_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("TAGGER_MAX_RECORD_CHARS", "5")
    path = _write(tmp_path / "a.jsonl", '{"id": "a", "text": "abcdef"}\n')
    assert _read(path)[0][3] == "field 'text' has 6 characters; the limit is 5"


STATION = "工会驿站为户外劳动者提供歇脚、饮水和热饭的地方。"


@pytest.mark.parametrize("encoding, read_as", [("gbk", "gb18030"), ("gb18030", "gb18030"),
                                                ("utf-16", "utf-16"), ("utf-8-sig", "utf-8")])
def test_a_text_file_is_read_in_its_detected_encoding(tmp_path, encoding, read_as):
    path = _write(tmp_path / "a.txt", STATION.encode(encoding))
    [record] = read_records([path])
    assert (record.text, record.error, record.encoding) == (STATION, None, read_as)


def test_jsonl_and_csv_files_are_read_in_their_detected_encoding(tmp_path):
    jsonl = _write(tmp_path / "a.jsonl", f'{{"id": "a", "text": "{STATION}"}}\n'.encode("gbk"))
    csv = _write(tmp_path / "b.csv", f"id,text\nb,{STATION}\n".encode("utf-16"))
    assert [(r.id, r.text, r.encoding) for r in read_records([jsonl, csv])] == [
        ("a", STATION, "gb18030"), ("b", STATION, "utf-16")]


def test_a_forced_encoding_is_used_instead_of_detection(tmp_path):
    path = _write(tmp_path / "a.txt", "驛站".encode("big5"))
    [record] = read_records([path], encoding="big5")
    assert (record.text, record.encoding) == ("驛站", "big5")


def test_bytes_the_forced_encoding_cannot_decode_are_an_error_record(tmp_path):
    path = _write(tmp_path / "a.jsonl", f'{{"id": "a", "text": "{STATION}"}}\n'.encode("gbk")
                  + b'{"id": "b", "text": "x"}\n')
    assert _read(path, encoding="utf-8") == [
        (None, None, 1, "not UTF-8: invalid start byte at byte 22"), ("b", "x", 2, None)]
    assert _read(path, encoding="utf-16") == [
        (None, None, None, "not UTF-16: UTF-16 stream does not start with BOM")]


def test_an_unknown_forced_encoding_stops_the_run(tmp_path):
    with pytest.raises(TaggerError, match="unknown encoding: klingon"):
        read_records([_write(tmp_path / "a.txt", "甲")], encoding="klingon")


def test_undecodable_bytes_in_a_gbk_csv_spoil_only_their_row_when_it_is_forced(tmp_path):
    # A broken GBK file is not detected as GBK: every row of it is "not UTF-8" unless forced.
    data = f"id,text\na,{STATION}\n".encode("gbk") + b"b,\x81\x20\nc,x\n"
    assert _read(_write(tmp_path / "a.csv", data), encoding="gbk") == [
        ("a", STATION, 2, None), (None, None, 3, "not GBK"), ("c", "x", 4, None)]


def test_other_fields_of_jsonl_objects_and_csv_rows_are_kept(tmp_path):
    jsonl = _write(tmp_path / "a.jsonl", '{"id": "a", "text": "甲", "date": "2024-05-01", '
                   '"region": "海淀"}\n')
    csv = _write(tmp_path / "b.csv", "doc,title,body,url\nb,标题,乙,\n")
    assert [r.meta for r in read_records([jsonl])] == [{"date": "2024-05-01", "region": "海淀"}]
    assert [r.meta for r in read_records([csv], Fields("doc", "body"))] == [{"title": "标题"}]


def test_the_records_to_expect_are_counted_ahead_except_from_stdin(tmp_path):
    from classifier.batch.records import expected_records

    (tmp_path / "a.jsonl").write_text('{"id": 1, "text": "甲"}\n\n{"id": 2, "text": "乙"}\n'
                                      'not json\n', encoding="utf-8")
    (tmp_path / "b.txt").write_text("丙\n丁\n", encoding="utf-8")
    assert expected_records([str(tmp_path)]) == 4  # three lines of a.jsonl, one text file
    assert expected_records([str(tmp_path / "b.txt"), "-"]) is None
