"""``tagger tag`` on inputs as newsrooms have them: other encodings, extra fields."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import SEEDS, read_jsonl, tagger, write_jsonl

STATION = "市总工会在城区建成24个工会驿站，为环卫工人、快递员提供饮水、热饭、休息和手机充电。"


def _tag(model_dir, *args) -> list[dict]:
    result = tagger("tag", *args, "--model", model_dir, check=True)
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize("encoding, recorded", [("gbk", "gb18030"), ("utf-16", "utf-16")])
def test_a_text_file_not_in_utf8_is_tagged_and_says_its_encoding(tmp_path, model_dir,
                                                                 encoding, recorded):
    (tmp_path / "a.txt").write_bytes(STATION.encode(encoding))
    [out] = _tag(model_dir, tmp_path / "a.txt")
    assert (out["encoding"], out["paragraphs"][0]["text"]) == (recorded, STATION)
    assert "worker_station" in {t["id"] for t in out["themes"]}


def test_a_utf8_record_has_no_encoding_field(tmp_path, model_dir):
    (tmp_path / "a.txt").write_text(STATION, encoding="utf-8")
    assert "encoding" not in _tag(model_dir, tmp_path / "a.txt")[0]


def test_a_forced_encoding_reads_a_file_detection_would_not(tmp_path, model_dir):
    # One broken byte keeps a GBK file from being detected as GBK; forced, only its row fails.
    data = f"id,text\na,{STATION}\n".encode("gbk") + b"b,\x81\x20\n"
    (tmp_path / "a.csv").write_bytes(data)
    detected = tagger("tag", tmp_path / "a.csv", "--model", model_dir)
    assert [json.loads(line)["error"].endswith("not UTF-8")
            for line in detected.stdout.splitlines()] == [True, True]
    result = tagger("tag", tmp_path / "a.csv", "--encoding", "gbk", "--model", model_dir)
    assert result.returncode == 3
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["encoding"], "error" in r) for r in out] == [("a", "gbk", False),
                                                                     (None, "gbk", True)]


def test_an_unknown_encoding_is_a_clean_error(tmp_path, model_dir):
    (tmp_path / "a.txt").write_text(STATION, encoding="utf-8")
    result = tagger("tag", tmp_path / "a.txt", "--encoding", "klingon", "--model", model_dir)
    assert (result.returncode, result.stderr.strip()) == (1, "tagger: error: unknown encoding: "
                                                             "klingon")


def test_extra_jsonl_fields_pass_through_next_to_the_id(tmp_path, model_dir):
    path = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a", "date": "2024-05-01", "region": "海淀", "text": STATION},
        {"id": "b", "region": "朝阳", "text": " "}])
    result = tagger("tag", path, "--model", model_dir)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert list(out[0])[:3] == ["id", "date", "region"]
    assert (out[0]["date"], out[0]["region"], out[1]["region"]) == ("2024-05-01", "海淀", "朝阳")
    assert "error" in out[1]


def test_csv_output_carries_the_title_and_text_it_was_given(tmp_path, model_dir):
    (tmp_path / "in.csv").write_text(f"doc,title,body,url\nd1,驿站建成,{STATION},http://x\n",
                                     encoding="utf-8")
    out = tmp_path / "out.csv"
    tagger("tag", tmp_path / "in.csv", "--id-field", "doc", "--text-field", "body",
           "--format", "csv", "-o", out, "--model", model_dir, check=True)
    [row] = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    assert (row["id"], row["title"], row["text"]) == ("d1", "驿站建成", STATION)
    assert "工会驿站" in row["themes"].split("、")
    assert float(row["worker_station"]) > 0.5


def test_resume_reuses_records_with_metadata(tmp_path, model_dir):
    path = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "date": "2024-05-01",
                                                "text": STATION}])
    out = tmp_path / "out.jsonl"
    tagger("tag", path, "-o", out, "--model", model_dir, check=True)
    again = tagger("tag", path, "-o", out, "--resume", "--model", model_dir, check=True)
    assert "reused: 1" in again.stderr
    assert read_jsonl(out)[0]["date"] == "2024-05-01"


# Two seed articles as a news site serves them: menu, tracking script, copyright footer.
PAGES = [("000_d5e17816fe3f100d.txt", "凝聚“工”力量 建设“新”安康",
          '<meta property="article:published_time" content="2024-06-21">', "2024-06-21"),
         ("001_86f1adba2de0a87b.txt", "湖南工会：瞄准“六强” 打造“桥头堡”",
          '<meta name="date" content="2023-06-07">', "2023-06-07")]
FURNITURE = ("首页", "综合新闻", "统计代码", "版权所有", "京ICP备12345678号")


def _body(seed: str) -> list[str]:
    """The first long paragraphs of a seed article: its body, not its site's own lines."""
    lines = (SEEDS / seed).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if len(line.strip()) > 60][:3]


def _page(title: str, date_meta: str, body: list[str]) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} - 中工网</title>'
            f"{date_meta}</head><body><nav><ul><li><a href='/'>首页</a></li><li><a href='/n'>"
            "综合新闻</a></li></ul></nav><script>var tracker = '统计代码';</script>"
            f"<article><h1>{title}</h1>{paragraphs}</article>"
            "<footer><p>版权所有 © 2024 中工网 京ICP备12345678号</p></footer></body></html>")


@pytest.mark.parametrize("seed, title, date_meta, date", PAGES)
def test_a_web_page_is_tagged_by_its_article_with_title_and_date(tmp_path, model_dir, seed,
                                                                  title, date_meta, date):
    body = _body(seed)
    (tmp_path / "page.html").write_text(_page(title, date_meta, body), encoding="utf-8")
    [out] = _tag(model_dir, tmp_path / "page.html")
    text = "\n".join(p["text"] for p in out["paragraphs"])
    assert (out["title"], out["date"]) == (title, date)
    assert all(paragraph in text for paragraph in body)
    assert [word for word in FURNITURE if word in text] == []


def test_web_pages_in_a_directory_are_read_by_suffix(tmp_path, model_dir):
    seed, title, date_meta, _ = PAGES[1]
    (tmp_path / "a.htm").write_text(_page(title, date_meta, _body(seed)), encoding="utf-8")
    (tmp_path / "b.html").write_text(_page(title, date_meta, [STATION * 3]), encoding="utf-8")
    out = _tag(model_dir, tmp_path)
    assert [Path(r["id"]).name for r in out] == ["a.htm", "b.html"]
    assert "worker_station" in {t["id"] for t in out[1]["themes"]}


def test_a_web_page_without_article_text_is_an_error_record(tmp_path, model_dir):
    (tmp_path / "empty.html").write_text("<html><head><script>var a = 1;</script></head>"
                                         "<body><nav><a href='/'>首页</a></nav></body></html>",
                                         encoding="utf-8")
    result = tagger("tag", tmp_path / "empty.html", "--model", model_dir)
    [out] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (result.returncode, out["error"]) == (3, f"{tmp_path / 'empty.html'}: no article "
                                                    "text in the page")
