"""``tagger tag`` as a real subprocess: input kinds, unreadable records, CSV, explanations."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import read_jsonl, run_tagger, write_jsonl

RIDERS = "5月31日，30名外卖骑手集中入会，领到了工会会员证，有了自己的“娘家”。"
STATION = "市总工会在城区建成24个工会驿站，为环卫工人、快递员提供饮水、热饭、休息和手机充电。"
CONTEST = "举办全市焊工职业技能大赛，200余名选手同台竞技。"
BYLINE = "本报记者 郝佳伟"
ARTICLES = {"a1": f"{RIDERS}\n{BYLINE}", "a2": STATION, "a3": f"{CONTEST}\n\n{BYLINE}"}
THEMES = {"a1": "new_employment_membership", "a2": "worker_station", "a3": "skills_competition"}


def _jsonl(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [{"id": k, "text": v} for k, v in ARTICLES.items()])
    return [path], None


def _csv(tmp_path):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["doc", "body"], *ARTICLES.items()])
    (tmp_path / "in.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return [tmp_path / "in.csv", "--id-field", "doc", "--text-field", "body"], None


def _directory(tmp_path):
    for i, (key, text) in enumerate(ARTICLES.items()):
        folder = tmp_path / "archive" / f"2024-0{i + 1}"
        folder.mkdir(parents=True)
        (folder / f"{key}.txt").write_text(text, encoding="utf-8")
    return [tmp_path / "archive"], None


def _stdin(tmp_path):
    lines = "".join(json.dumps({"id": k, "text": v}, ensure_ascii=False) + "\n"
                    for k, v in ARTICLES.items())
    return ["-"], lines


def _tag(tmp_path, model_dir, *args, input=None):
    result = run_tagger("tag", *args, "--model", model_dir, input=input)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()], result.stderr


@pytest.mark.parametrize("make_input", [_jsonl, _csv, _directory, _stdin],
                         ids=["jsonl", "csv", "txt-directory", "stdin"])
def test_each_input_kind_gives_one_tagged_record_per_article(tmp_path, model_dir, make_input):
    args, stdin = make_input(tmp_path)
    out, _ = _tag(tmp_path, model_dir, *args, input=stdin)
    assert [Path(str(r["id"])).stem for r in out] == list(ARTICLES)
    for record in out:
        assert THEMES[Path(record["id"]).stem] in {t["id"] for t in record["themes"]}
        assert record["model_version"] == model_dir.name
    assert [p["text"] for p in out[0]["paragraphs"]] == [RIDERS, BYLINE]


def _malformed(tmp_path) -> list[Path]:
    (tmp_path / "a.jsonl").write_text(
        f'{{"id": "a1", "text": "{RIDERS}"}}\n{{"id": "a2", "text": \n{{"id": "a3"}}\n',
        encoding="utf-8")
    (tmp_path / "b.csv").write_text(f"id,text\nb1,{STATION},extra\nb2,{CONTEST}\n",
                                    encoding="utf-8")
    (tmp_path / "c.txt").write_bytes(b"\xff\xfe")
    return [tmp_path / "a.jsonl", tmp_path / "b.csv", tmp_path / "c.txt"]


def test_unreadable_records_become_located_errors_and_the_run_goes_on(tmp_path, model_dir):
    a, b, c = _malformed(tmp_path)
    out, stderr = _tag(tmp_path, model_dir, a, b, c)
    assert [(r["id"], r.get("path"), r.get("line")) for r in out] == [
        ("a1", None, None), (None, str(a), 2), ("a3", str(a), 3),
        (None, str(b), 2), ("b2", None, None), (str(c), str(c), 1)]
    assert out[1]["error"].startswith(f"{a}:2: invalid JSON")
    assert out[2]["error"] == f"{a}:3: field 'text' missing or not a non-empty string"
    assert out[3]["error"] == f"{b}:2: 3 fields where the header has 2"
    assert out[5]["error"] == f"{c}:1: not UTF-8: invalid start byte"
    assert "records: 6   errors: 4" in stderr


def test_strict_stops_at_the_first_unreadable_record(tmp_path, model_dir):
    a, b, c = _malformed(tmp_path)
    result = run_tagger("tag", a, b, c, "--strict", "-o", tmp_path / "out.jsonl",
                        "--model", model_dir)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith(f"tagger: error: {a}:2: invalid JSON")
    assert not (tmp_path / "out.jsonl").exists()


def test_csv_output_has_a_row_per_article_and_a_score_column_per_theme(tmp_path, model_dir):
    args, _ = _jsonl(tmp_path)
    out = tmp_path / "out.csv"
    run_tagger("tag", *args, "--format", "csv", "-o", out, "--model", model_dir, check=True)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == list(ARTICLES)
    assert float(rows[1]["worker_station"]) > 0.5
    assert rows[0]["worker_station"] == "" and rows[0]["error"] == ""
    assert {r["model_version"] for r in rows} == {model_dir.name}


def test_explain_adds_the_terms_behind_each_theme(tmp_path, model_dir):
    args, _ = _jsonl(tmp_path)
    out, _ = _tag(tmp_path, model_dir, *args, "--explain")
    for record in out:
        explained = [e["theme"] for e in record["explanations"]]
        assert explained == [t["id"] for t in record["themes"]]
        for explanation in record["explanations"]:
            assert explanation["up"]
            assert all(term["term"] in ARTICLES[record["id"]].replace(" ", "")
                       for term in explanation["up"])


def test_an_output_file_is_complete_and_nothing_is_left_beside_it(tmp_path, model_dir):
    args, _ = _jsonl(tmp_path)
    result = run_tagger("tag", *args, "-o", tmp_path / "out.jsonl", "--model", model_dir,
                        check=True)
    assert result.stdout == ""
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == list(ARTICLES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]
