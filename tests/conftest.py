"""Shared fixtures: one real model trained by the real CLI per test session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "labels" / "paragraphs.jsonl"
TAXONOMY = REPO / "labels" / "taxonomy.toml"
SEEDS = REPO / "seeds"
TAGGER = Path(sys.executable).with_name("tagger")


def run_tagger(*args, input=None, check=False, timeout=600, env=None):
    """Run the installed ``tagger`` console script as a real subprocess."""
    result = subprocess.run([str(TAGGER), *map(str, args)], input=input, capture_output=True,
                            text=True, timeout=timeout, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"tagger {args} failed ({result.returncode}):\n{result.stderr}")
    return result


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("models")
    run_tagger("train", "--data", LABELS, "--models-dir", directory, check=True)
    return directory


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
