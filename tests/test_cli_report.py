"""``tagger report``: theme counts of a tag output as a table, and a PNG bar chart."""

from __future__ import annotations

import csv

import pytest
from conftest import tagger, write_jsonl

STATION = {"id": "worker_station", "name": "工会驿站", "score": 0.9}
LEGAL = {"id": "legal_aid", "name": "法律援助与维权", "score": 0.8}
OUTPUT = [
    {"id": "a", "themes": [{**STATION, "paragraphs": [0, 1]}, {**LEGAL, "paragraphs": [1]}],
     "paragraphs": [{"index": 0, "text": "甲", "themes": [STATION]},
                    {"index": 1, "text": "乙", "themes": [STATION, LEGAL]}],
     "model_version": "v1"},
    {"id": "b", "themes": [{**STATION, "paragraphs": [0]}],
     "paragraphs": [{"index": 0, "text": "丙", "themes": [STATION]}], "model_version": "v1"},
    {"id": None, "error": "in.jsonl:3: invalid JSON", "path": "in.jsonl", "line": 3},
]


def _rows(stdout: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split()[1:] for line in stdout.splitlines()[1:-1]}


def test_report_counts_articles_and_paragraphs_per_theme_and_errors(tmp_path):
    result = tagger("report", write_jsonl(tmp_path / "out.jsonl", OUTPUT), check=True)
    rows = _rows(result.stdout)
    assert rows["worker_station"] == ["工会驿站", "2", "3"]
    assert rows["legal_aid"] == ["法律援助与维权", "1", "1"]
    assert rows["skills_competition"][1:] == ["0", "0"]
    assert len(rows) == 13
    assert result.stdout.splitlines()[-1] == "records: 3   errors: 1   model: v1"


def test_report_writes_a_png_bar_chart(tmp_path):
    chart = tmp_path / "month.png"
    tagger("report", write_jsonl(tmp_path / "out.jsonl", OUTPUT), "--plot", chart, check=True)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_locates_lines_that_are_not_output_records(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text('{"id": "a", "themes": 3}\nnot json\n', encoding="utf-8")
    result = tagger("report", path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"tagger: error: {path}:1: not an output record of tagger tag",
        f"{path}:2: not an output record of tagger tag"]


def _article(rid, themes, **fields) -> dict:
    """An output record of tagger tag with these themes and input fields."""
    return {"id": rid, **fields, "themes": [{**t, "paragraphs": [0]} for t in themes],
            "paragraphs": [{"index": 0, "text": "甲", "themes": themes}],
            "model_version": "v1"}


DATED = [
    _article("a", [STATION], date="2024-01-15", region="北京"),
    _article("b", [STATION, LEGAL], date="2024-03-02", region="上海"),
    _article("c", [LEGAL], date="2024/4/9", region="北京"),
    _article("d", [STATION], region="北京"),
    _article("e", [], date="2024年5月1日"),
]


def test_report_by_quarter_counts_articles_per_theme_with_unknown_last(tmp_path):
    out = write_jsonl(tmp_path / "out.jsonl", DATED)
    result = tagger("report", out, "--by", "date", "--period", "quarter", check=True)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["theme", "2024-Q1", "2024-Q2", "unknown", "total"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:-1]}
    assert rows["工会驿站"] == ["2", "0", "1", "3"]
    assert rows["法律援助与维权"] == ["1", "1", "0", "2"]
    assert rows["articles"] == ["2", "2", "1", "5"]
    assert lines[1].split()[0] == "工会驿站"  # most articles first


@pytest.mark.parametrize(("period", "columns"), [
    ("month", ["2024-01", "2024-03", "2024-04", "2024-05", "unknown"]),
    ("year", ["2024", "unknown"]),
])
def test_report_groups_dates_by_month_or_year(tmp_path, period, columns):
    out = write_jsonl(tmp_path / "out.jsonl", DATED)
    result = tagger("report", out, "--by", "date", "--period", period, check=True)
    assert result.stdout.splitlines()[0].split() == ["theme", *columns, "total"]


def test_report_by_two_fields_writes_one_csv_row_per_group_and_theme(tmp_path):
    out, table = write_jsonl(tmp_path / "out.jsonl", DATED), tmp_path / "counts.csv"
    tagger("report", out, "--by", "date", "--period", "year", "--by", "region",
           "--csv", table, check=True)
    with open(table, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["date", "region", "theme", "name", "articles", "documents"]
    station = {(r["date"], r["region"]): int(r["articles"]) for r in rows
               if r["theme"] == "worker_station"}
    assert station == {("2024", "上海"): 1, ("2024", "北京"): 1, ("2024", "unknown"): 0,
                       ("unknown", "北京"): 1}
    assert len(rows) == 4 * 13


def test_report_by_field_writes_a_png_chart(tmp_path):
    out, chart = write_jsonl(tmp_path / "out.jsonl", DATED), tmp_path / "trend.png"
    tagger("report", out, "--by", "date", "--period", "quarter", "--by", "region",
           "--plot", chart, check=True)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_without_by_writes_the_totals_as_csv(tmp_path):
    table = tmp_path / "totals.csv"
    tagger("report", write_jsonl(tmp_path / "out.jsonl", OUTPUT), "--csv", table, check=True)
    lines = table.read_text(encoding="utf-8-sig").splitlines()
    assert lines[:2] == ["theme,name,articles,paragraphs", "worker_station,工会驿站,2,3"]


def test_report_refuses_a_period_without_a_field(tmp_path):
    result = tagger("report", write_jsonl(tmp_path / "out.jsonl", OUTPUT), "--period", "year")
    assert result.returncode == 1
    assert "--by date" in result.stderr
