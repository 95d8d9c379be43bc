"""``tagger tag --jobs 2`` and ``--dask`` write exactly what one local process writes."""

from __future__ import annotations

import json

import pytest
from conftest import LABELS, read_jsonl, tagger

BATCH = ("--batch-size", "8")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """Sixty articles of three paragraphs, with an unreadable line among them."""
    paragraphs = [r["text"] for r in read_jsonl(LABELS)]
    lines = [json.dumps({"id": f"n{i}", "text": "\n".join(paragraphs[3 * i:3 * i + 3])},
                        ensure_ascii=False) for i in range(60)]
    lines.insert(30, '{"id": "broken", "text": ')
    path = tmp_path_factory.mktemp("parallel") / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _tag(*args):
    """Run ``tagger tag``, which exits 3 for the unreadable line, having written every record."""
    result = tagger("tag", *args, *BATCH)
    assert result.returncode == 3, result.stderr
    return result


@pytest.fixture(scope="module")
def local_output(source, model_dir) -> str:
    return _tag(source, "--model", model_dir).stdout


def test_the_local_output_has_a_record_per_input_line(local_output):
    assert len(local_output.splitlines()) == 61


def test_two_local_processes_write_what_one_writes(source, model_dir, local_output):
    result = _tag(source, "--model", model_dir, "--jobs", "2")
    assert result.stdout == local_output


def test_a_dask_cluster_writes_what_a_local_run_writes(source, model_dir, local_output):
    from distributed import LocalCluster

    # No dashboard; the scheduler's HTTP server (health, metrics) on a free port, not 8787,
    # which another cluster on the machine may hold.
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": ":0"}) as cluster:
        result = _tag(source, "--model", model_dir, "--dask", cluster.scheduler_address)
    assert result.stdout == local_output
    assert "records: 61   errors: 1" in result.stderr


def test_a_missing_model_is_a_clean_error_with_several_processes(source, tmp_path):
    result = tagger("tag", source, "--model", tmp_path / "nowhere", "--jobs", "2")
    assert result.returncode == 1
    assert "no such model directory" in result.stderr
    assert "Traceback" not in result.stderr
