"""``tagger tag -o`` killed mid-run leaves no output, and ``--resume`` completes it."""

from __future__ import annotations

import signal
import subprocess
import time

from conftest import LABELS, TAGGER, read_jsonl, run_tagger, write_jsonl

ARTICLES = 1000


def _articles(path):
    paragraphs = [r["text"] for r in read_jsonl(LABELS)]
    n = len(paragraphs)
    return write_jsonl(path, [{"id": f"n{i}", "text": f"{paragraphs[i % n]}\n"
                               f"{paragraphs[(7 * i + 1) % n]}"} for i in range(ARTICLES)])


def _complete_lines(path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _kill_once_written(args, part, timeout=120.0) -> None:
    process = subprocess.Popen([str(TAGGER), *map(str, args)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while _complete_lines(part) == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_a_killed_run_leaves_no_output_and_resume_completes_it(tmp_path, model_dir):
    source, out = _articles(tmp_path / "in.jsonl"), tmp_path / "out.jsonl"
    part = tmp_path / "out.jsonl.part"
    args = ["tag", source, "-o", out, "--model", model_dir, "--batch-size", "10"]
    _kill_once_written(args, part)
    assert not out.exists()
    kept = _complete_lines(part)
    assert 0 < kept < ARTICLES

    resumed = run_tagger(*args, "--resume", check=True)
    clean = run_tagger("tag", source, "--model", model_dir, check=True)
    assert out.read_text(encoding="utf-8") == clean.stdout
    assert f"records: {ARTICLES}   errors: 0   reused: {kept}" in resumed.stderr
    assert not part.exists()
