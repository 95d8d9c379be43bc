"""Shared fixtures: one real model trained by the CLI per test session, and two ways to run
``tagger``: ``tagger`` calls ``main(argv)`` in this process; ``run_tagger`` runs the installed
console script, for the few tests that need a real process of its own."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "labels" / "paragraphs.jsonl"
TAXONOMY = REPO / "labels" / "taxonomy.toml"
SEEDS = REPO / "seeds"
TAGGER = Path(sys.executable).with_name("tagger")


def _checked(result, args, check: bool):
    if check and result.returncode != 0:
        raise AssertionError(f"tagger {args} failed ({result.returncode}):\n{result.stderr}")
    return result


def run_tagger(*args, input=None, check=False, timeout=600, env=None):
    """Run the installed ``tagger`` console script as a real subprocess."""
    result = subprocess.run([str(TAGGER), *map(str, args)], input=input, capture_output=True,
                            text=True, timeout=timeout, env=env)
    return _checked(result, args, check)


@dataclass(frozen=True)
class Ran:
    """What a ``tagger`` run left: its exit status and what it wrote to stdout and stderr."""

    returncode: int
    stdout: str
    stderr: str


def _stream(data: bytes = b"") -> io.TextIOWrapper:
    # A text stream over bytes, with the .buffer that binary input and output use.
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=None)


def _text(stream: io.TextIOWrapper) -> str:
    """What was written, read back with universal newlines as ``subprocess.run(text=True)``."""
    stream.flush()
    return _stream(stream.buffer.getvalue()).read()


def tagger(*args, input=None, check=False) -> Ran:
    """Run ``tagger`` in this process: ``main(argv)`` with its own stdin, stdout and stderr.

    An argparse error (or ``--help``) ends in SystemExit, which becomes the exit status, as
    it would for the console script.
    """
    from classifier.cli import main

    stdin, stdout, stderr = _stream((input or "").encode("utf-8")), _stream(), _stream()
    with mock.patch.object(sys, "stdin", stdin), redirect_stdout(stdout), \
            redirect_stderr(stderr):
        try:
            returncode = main([str(a) for a in args])
        except SystemExit as exc:
            if isinstance(exc.code, int) or exc.code is None:
                returncode = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
                returncode = 1
    return _checked(Ran(returncode, _text(stdout), _text(stderr)), args, check)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def training_run(tmp_path_factory) -> tuple[Path, Ran]:
    """The session's one training run on the seeds' labels: where it wrote, what it said."""
    directory = tmp_path_factory.mktemp("models")
    return directory, tagger("train", "--data", LABELS, "--models-dir", directory, check=True)


@pytest.fixture(scope="session")
def models_dir(training_run) -> Path:
    return training_run[0]


@pytest.fixture(scope="session")
def shipped_dir() -> Path:
    """The shipped model, trained on every labelled file: for what a reader expects of
    tagging, which a small session model cannot learn from the seeds alone."""
    return (REPO / "models" / "current").resolve()


@pytest.fixture(scope="session")
def shipped(shipped_dir):
    from classifier import load_model

    return load_model(shipped_dir)


@pytest.fixture(scope="session")
def model_dir(models_dir) -> Path:
    return (models_dir / "current").resolve()


@pytest.fixture(scope="session")
def model(model_dir):
    from classifier import load_model

    return load_model(model_dir)


@pytest.fixture(scope="session")
def taxonomy():
    from classifier.data.taxonomy import load_taxonomy

    return load_taxonomy(TAXONOMY)


def point(link: Path, target: Path) -> None:
    """Switch a symlink atomically, as ``tagger train`` switches ``models/current``."""
    staging = link.with_name(link.name + ".new")
    staging.symlink_to(target)
    os.replace(staging, link)


@pytest.fixture
def current(tmp_path, model_dir) -> Path:
    """A ``current`` symlink to the session's model, for reload tests to switch."""
    link = tmp_path / "current"
    link.symlink_to(model_dir)
    return link
