"""``tagger tag -o`` killed mid-run leaves no output, and ``--resume`` completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from conftest import LABELS, TAGGER, read_jsonl, tagger, write_jsonl

ARTICLES = 1000


def _articles(path):
    paragraphs = [r["text"] for r in read_jsonl(LABELS)]
    n = len(paragraphs)
    return write_jsonl(path, [{"id": f"n{i}", "text": f"{paragraphs[i % n]}\n"
                               f"{paragraphs[(7 * i + 1) % n]}"} for i in range(ARTICLES)])


def _complete_lines(path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _kill_once_written(args, part, timeout=120.0) -> list[int]:
    """Start ``tagger``, SIGKILL it once it has written a line; gives its child processes."""
    process = subprocess.Popen([str(TAGGER), *map(str, args)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while _complete_lines(part) == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    children = _children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return children


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name, or None once the process has gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def _children(pid: int) -> list[int]:
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    return [child for child in pids if (_stat(child) or ["", ""])[1] == str(pid)]


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def test_a_killed_run_leaves_no_output_and_resume_completes_it(tmp_path, model_dir):
    source, out = _articles(tmp_path / "in.jsonl"), tmp_path / "out.jsonl"
    part = tmp_path / "out.jsonl.part"
    args = ["tag", source, "-o", out, "--model", model_dir, "--batch-size", "10"]
    _kill_once_written(args, part)
    assert not out.exists()
    kept = _complete_lines(part)
    assert 0 < kept < ARTICLES

    resumed = tagger(*args, "--resume", check=True)
    clean = tagger("tag", source, "--model", model_dir, check=True)
    assert out.read_text(encoding="utf-8") == clean.stdout
    assert f"records: {ARTICLES}   errors: 0   reused: {kept}" in resumed.stderr
    assert not part.exists()


def test_workers_of_a_killed_parallel_run_exit_with_it(tmp_path, model_dir):
    source, out = _articles(tmp_path / "in.jsonl"), tmp_path / "out.jsonl"
    args = ["tag", source, "-o", out, "--model", model_dir, "--batch-size", "10", "--jobs", "2"]
    children = _kill_once_written(args, tmp_path / "out.jsonl.part")
    assert len(children) >= 2
    deadline = time.monotonic() + 10
    while any(map(_alive, children)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(_alive, children))


def test_ctrl_c_stops_a_parallel_run_cleanly(tmp_path, model_dir):
    source, out = _articles(tmp_path / "in.jsonl"), tmp_path / "out.jsonl"
    part = tmp_path / "out.jsonl.part"
    args = ["tag", source, "-o", out, "--model", model_dir, "--batch-size", "10", "--jobs", "2"]
    # Its own process group, as a terminal's foreground job: Ctrl-C reaches every process.
    process = subprocess.Popen([str(TAGGER), *map(str, args)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while _complete_lines(part) == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    children = _children(process.pid)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "tagger: interrupted" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()
    assert not any(map(_alive, children))
