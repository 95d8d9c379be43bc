"""The batch job in this process: output in input order, errors counted, resume, strict mode."""

from __future__ import annotations

import fcntl
import json

import pytest
from conftest import read_jsonl

from classifier.batch.job import BATCH_BYTES, Job, Segmented, run, segment_batch, tag_batch
from classifier.batch.records import Record, read_records
from classifier.errors import DataError, TaggerError

RIDERS = "5月31日，30名外卖骑手集中入会，领到了工会会员证，有了自己的“娘家”。"
STATION = "市总工会在城区建成24个工会驿站，为环卫工人、快递员提供饮水、热饭、休息和手机充电。"
BYLINE = "本报记者 郝佳伟"
RECORDS = [Record("in.jsonl", 1, "a", f"{RIDERS}\n{BYLINE}"),
           Record("in.jsonl", 2, "b", error="invalid JSON: Expecting value (column 1)"),
           Record("in.jsonl", 3, "c", STATION),
           Record("in.jsonl", 4, "d", BYLINE)]


@pytest.fixture
def job(model_dir) -> Job:
    return Job(str(model_dir))


@pytest.fixture
def clean(tmp_path, job) -> str:
    """The output of a complete run on RECORDS."""
    run(RECORDS, job, tmp_path / "clean.jsonl", batch_size=2)
    return (tmp_path / "clean.jsonl").read_text(encoding="utf-8")


def test_every_record_has_an_output_record_in_input_order(tmp_path, job):
    run(RECORDS, job, tmp_path / "out.jsonl", batch_size=3)
    out = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in out] == ["a", "b", "c", "d"]
    assert out[1] == {"id": "b", "error": "in.jsonl:2: invalid JSON: Expecting value (column 1)",
                      "path": "in.jsonl", "line": 2}
    assert [p["text"] for p in out[0]["paragraphs"]] == [RIDERS, BYLINE]


def test_the_summary_counts_records_errors_and_articles_per_theme(tmp_path, job):
    summary = run(RECORDS, job, tmp_path / "out.jsonl")
    assert (summary.records, summary.errors, summary.reused, summary.paragraphs) == (4, 1, 0, 4)
    assert summary.themes["new_employment_membership"] == 1
    assert summary.themes["worker_station"] == 1
    assert "records: 4   errors: 1   reused: 0" in str(summary)


def test_strict_raises_at_the_first_unreadable_record_and_writes_no_output(tmp_path, job):
    with pytest.raises(DataError, match="in.jsonl:2: invalid JSON"):
        run(RECORDS, job, tmp_path / "out.jsonl", strict=True)
    assert not (tmp_path / "out.jsonl").exists()


def _part(tmp_path, lines: list[str], tail: str = "") -> None:
    (tmp_path / "out.jsonl.part").write_text("".join(lines) + tail, encoding="utf-8")


def test_resume_keeps_the_records_a_stopped_run_wrote_and_tags_the_rest(tmp_path, job, clean):
    _part(tmp_path, clean.splitlines(keepends=True)[:2], tail='{"id": "c", "themes": [{"i')
    summary = run(RECORDS, job, tmp_path / "out.jsonl", resume=True)
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == clean
    assert not (tmp_path / "out.jsonl.part").exists()
    assert (summary.records, summary.reused, summary.errors) == (4, 2, 1)


def test_resume_of_a_complete_output_tags_nothing(tmp_path, job, clean):
    (tmp_path / "out.jsonl").write_text(clean, encoding="utf-8")
    summary = run(RECORDS, job, tmp_path / "out.jsonl", resume=True)
    assert (summary.reused, summary.paragraphs) == (4, 0)
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == clean


def test_resume_tags_again_what_another_model_tagged(tmp_path, job, clean):
    older = [json.dumps({**json.loads(line), "model_version": "older"}, ensure_ascii=False)
             + "\n" for line in clean.splitlines()[:1]]
    _part(tmp_path, older)
    summary = run(RECORDS, job, tmp_path / "out.jsonl", resume=True)
    assert summary.reused == 0
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == clean


def test_resume_stops_reusing_where_the_input_differs(tmp_path, job, clean):
    _part(tmp_path, clean.splitlines(keepends=True))
    changed = [*RECORDS[:2], Record("in.jsonl", 3, "new", STATION), RECORDS[3]]
    summary = run(changed, job, tmp_path / "out.jsonl", resume=True)
    assert summary.reused == 2
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["a", "b", "new", "d"]


def test_resume_tags_again_a_record_whose_text_changed_under_the_same_id(tmp_path, job, clean):
    (tmp_path / "out.jsonl").write_text(clean, encoding="utf-8")
    edited = [*RECORDS[:2], Record("in.jsonl", 3, "c", RIDERS), RECORDS[3]]
    summary = run(edited, job, tmp_path / "out.jsonl", resume=True)
    assert summary.reused == 2
    run(edited, job, tmp_path / "fresh.jsonl")
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == (
        tmp_path / "fresh.jsonl").read_text(encoding="utf-8")
    assert "new_employment_membership" in {t["id"] for t in read_jsonl(
        tmp_path / "out.jsonl")[2]["themes"]}


def test_a_run_without_resume_starts_over(tmp_path, job, clean):
    _part(tmp_path, ["stale\n"])
    run(RECORDS, job, tmp_path / "out.jsonl")
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == clean


def test_an_output_another_run_is_writing_is_refused(tmp_path, job):
    with open(tmp_path / "out.jsonl.part", "wb") as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(TaggerError, match="being written by another run"):
            run(RECORDS, job, tmp_path / "out.jsonl")


def test_resume_needs_an_output_file(job):
    with pytest.raises(TaggerError, match="--resume needs an output file"):
        run(RECORDS, job, None, resume=True)


def test_loky_workers_write_what_one_process_writes(tmp_path, job, clean):
    run(RECORDS, job, tmp_path / "out.jsonl", jobs=2, fork=False, batch_size=1)
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == clean


def test_a_batch_segmented_ahead_is_tagged_as_it_would_be_otherwise(job):
    ahead = segment_batch(RECORDS, job)
    assert len(ahead.paragraphs) == 4  # a: two paragraphs, b: unreadable, c and d: one each
    assert tag_batch(RECORDS, job, ahead) == tag_batch(RECORDS, job)


def test_tokens_segmented_ahead_are_what_the_batch_is_tagged_from(job):
    segmenter = segment_batch(RECORDS, job).segmenter
    other_tokens = Segmented(segmenter, ["骑手"] * 4)
    assert tag_batch(RECORDS, job, other_tokens) != tag_batch(RECORDS, job)


def test_tokens_of_another_segmenter_are_not_used(job):
    foreign = Segmented(("another dictionary",), ["骑手"] * 4)
    assert tag_batch(RECORDS, job, foreign) == tag_batch(RECORDS, job)


def test_a_batch_of_long_records_ends_at_its_bytes_before_its_count(tmp_path, job):
    # Each text is half a batch's bytes (three UTF-8 bytes a Chinese character).
    text = STATION * (BATCH_BYTES // 6 // len(STATION) + 1)
    counts = []
    run([Record("in.jsonl", i, str(i), text) for i in range(5)], job, tmp_path / "out.jsonl",
        progress=counts.append)
    assert counts == [0, 2, 2, 1]


def test_lines_parsed_in_the_batch_are_tagged_as_records_read_at_once(tmp_path, job):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": r.id, "text": r.text}, ensure_ascii=False)
                              + "\n" if r.error is None else "{broken\n" for r in RECORDS),
                      encoding="utf-8")
    lines = list(read_records([source], deferred=True))
    records = list(read_records([source]))
    assert tag_batch(lines, job) == tag_batch(records, job)
    assert tag_batch(lines, job).errors == 1
