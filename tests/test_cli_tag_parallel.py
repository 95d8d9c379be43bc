"""``tagger tag --jobs 2`` and ``--dask`` write exactly what one local process writes."""

from __future__ import annotations

import json

import pytest
from conftest import LABELS, read_jsonl, tagger

BATCH = ("--batch-size", "8")


# Lines no worker can tag: broken JSON, no text, bytes that are not UTF-8, a line over the bound.
UNREADABLE = [b'{"id": "broken", "text": ', b'{"id": "no-text"}', b'{"id": "x", "text": "\xff"}',
              b'{"id": "long", "text": "' + b"\\u5de5" * 20_000 + b'"}']


@pytest.fixture(scope="module", autouse=True)
def _record_bound():
    """Records of at most 10,000 characters, so that the long line is over the bound."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TAGGER_MAX_RECORD_CHARS", "10000")
        yield


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """Sixty articles of one to three paragraphs, some with fields of their own (one that only
    the json module writes), and the unreadable lines among them."""
    paragraphs = [r["text"] for r in read_jsonl(LABELS)]
    records = [{"id": f"n{i}", "text": "\n".join(paragraphs[3 * i:3 * i + 1 + i % 3])}
               for i in range(60)]
    records[5]["date"], records[6]["note"] = "2024-05-01", "\ud800"
    # The lone surrogate as JSON's escape for it, \\ud800.
    lines = [json.dumps(r, ensure_ascii=False).encode("utf-8", "backslashreplace")
             for r in records]
    for i, line in enumerate(UNREADABLE):
        lines.insert(10 * i + 3, line)
    path = tmp_path_factory.mktemp("parallel") / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _tag(*args):
    """Run ``tagger tag``, which exits 3 for the unreadable lines, having written every record."""
    result = tagger("tag", *args, *BATCH)
    assert result.returncode == 3, result.stderr
    return result


@pytest.fixture(scope="module")
def local_output(source, model_dir) -> str:
    return _tag(source, "--model", model_dir).stdout


def test_the_local_output_has_a_record_per_input_line(local_output):
    out = [json.loads(line) for line in local_output.splitlines()]
    assert len(out) == 64
    assert [r["id"] for r in out if "error" in r] == [None, "no-text", None, None]
    assert (out[6]["date"], out[7]["note"]) == ("2024-05-01", "\ud800")


@pytest.mark.parametrize("output_format", ["jsonl", "csv"])
def test_two_local_processes_write_what_one_writes(tmp_path, source, model_dir, output_format):
    outputs = [tmp_path / f"jobs{jobs}.{output_format}" for jobs in (1, 2)]
    for jobs, output in zip((1, 2), outputs, strict=True):
        _tag(source, "--model", model_dir, "--jobs", jobs, "--format", output_format,
             "-o", output)
    assert outputs[0].read_bytes() == outputs[1].read_bytes()


def test_a_dask_cluster_writes_what_a_local_run_writes(source, model_dir, local_output):
    from distributed import LocalCluster

    # No dashboard; the scheduler's HTTP server (health, metrics) on a free port, not 8787,
    # which another cluster on the machine may hold.
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": ":0"}) as cluster:
        result = _tag(source, "--model", model_dir, "--dask", cluster.scheduler_address)
    assert result.stdout == local_output
    assert "records: 64   errors: 4" in result.stderr


def test_a_missing_model_is_a_clean_error_with_several_processes(source, tmp_path):
    result = tagger("tag", source, "--model", tmp_path / "nowhere", "--jobs", "2")
    assert result.returncode == 1
    assert "no such model directory" in result.stderr
    assert "Traceback" not in result.stderr
