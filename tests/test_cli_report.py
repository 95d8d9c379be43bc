"""``tagger report``: theme counts of a tag output as a table, and a PNG bar chart."""

from __future__ import annotations

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
