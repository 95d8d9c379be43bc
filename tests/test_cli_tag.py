"""``tagger tag``: input kinds, unreadable records, CSV, explanations."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from conftest import read_jsonl, tagger, write_jsonl

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


def _tag(tmp_path, model_dir, *args, input=None, status=0):
    result = tagger("tag", *args, "--model", model_dir, input=input)
    assert result.returncode == status, result.stderr
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
    (tmp_path / "c.txt").write_bytes(b"\xff\xff")  # not \xff\xfe: an empty UTF-16 file
    return [tmp_path / "a.jsonl", tmp_path / "b.csv", tmp_path / "c.txt"]


def test_unreadable_records_become_located_errors_and_the_run_goes_on(tmp_path, model_dir):
    a, b, c = _malformed(tmp_path)
    out, stderr = _tag(tmp_path, model_dir, a, b, c, status=3)
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
    result = tagger("tag", a, b, c, "--strict", "-o", tmp_path / "out.jsonl",
                    "--model", model_dir)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith(f"tagger: error: {a}:2: invalid JSON")
    assert not (tmp_path / "out.jsonl").exists()


def test_csv_output_has_a_row_per_article_and_a_score_column_per_theme(tmp_path, model_dir):
    args, _ = _jsonl(tmp_path)
    out = tmp_path / "out.csv"
    tagger("tag", *args, "--format", "csv", "-o", out, "--model", model_dir, check=True)
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
    result = tagger("tag", *args, "-o", tmp_path / "out.jsonl", "--model", model_dir,
                    check=True)
    assert result.stdout == ""
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == list(ARTICLES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_a_run_with_unreadable_records_writes_them_all_and_exits_3(tmp_path, model_dir):
    a, b, c = _malformed(tmp_path)
    result = tagger("tag", a, b, c, "-o", tmp_path / "out.jsonl", "--model", model_dir)
    assert result.returncode == 3
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == [
        "a1", None, "a3", None, "b2", str(c)]


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _link(path: Path) -> Path:
    path.symlink_to(path.with_name("elsewhere.jsonl"))
    return path


@pytest.mark.parametrize("make, why", [
    (lambda path: path.parent, "it is a directory"),
    (_fifo, "it is not a regular file"),
    (_link, "it is a symbolic link"),
    (lambda path: path.with_name("in.jsonl"), "it is an input of this run"),
], ids=["directory", "fifo", "symlink", "input"])
def test_an_output_that_cannot_or_must_not_be_written_is_refused_before_any_work(
        tmp_path, make, why):
    args, _ = _jsonl(tmp_path)
    before = args[0].read_bytes()
    output = make(tmp_path / "out.jsonl")
    # No model at all: the output is checked before the model would load.
    result = tagger("tag", *args, "-o", output, "--model", tmp_path / "no-model")
    assert result.returncode == 1
    assert result.stderr.startswith(f"tagger: error: cannot write {output}: {why}")
    assert args[0].read_bytes() == before
    assert not (tmp_path / "out.jsonl.part").exists()


def test_an_earlier_output_inside_an_input_directory_is_not_overwritten(tmp_path):
    args, _ = _directory(tmp_path)
    earlier = write_jsonl(args[0] / "tagged.jsonl", [{"id": "x", "text": STATION}])
    result = tagger("tag", *args, "-o", earlier, "--model", tmp_path / "no-model")
    assert result.returncode == 1
    assert "it is an input of this run" in result.stderr


def test_an_oversized_record_is_an_error_record_and_the_run_goes_on(tmp_path, model_dir,
                                                                    monkeypatch):
    monkeypatch.setenv("TAGGER_MAX_RECORD_CHARS", "60")
    path = write_jsonl(tmp_path / "in.jsonl", [{"id": "long", "text": STATION * 2},
                                               {"id": "short", "text": STATION}])
    out, stderr = _tag(tmp_path, model_dir, path, status=3)
    assert out[0]["error"] == f"{path}:1: field 'text' has 84 characters; the limit is 60"
    assert "worker_station" in {t["id"] for t in out[1]["themes"]}
    assert "records: 2   errors: 1" in stderr


def test_an_endless_input_ends_quickly_in_an_error_record(tmp_path, model_dir):
    out, _ = _tag(tmp_path, model_dir, "/dev/zero", status=3)
    assert [(r["id"], r["error"].split(" bytes")[0]) for r in out] == [
        ("/dev/zero", "/dev/zero: file over 800000")]
