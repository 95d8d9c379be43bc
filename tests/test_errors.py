"""Errors print as ``path:line: what`` and cross process boundaries intact."""

from __future__ import annotations

import pickle

import pytest

from classifier.errors import ArtifactError, DataError, Problem, UnknownThemeError


def test_problem_prints_path_and_line():
    assert str(Problem("a.jsonl", 3, "bad")) == "a.jsonl:3: bad"
    assert str(Problem("a.jsonl", None, "bad")) == "a.jsonl: bad"


@pytest.mark.parametrize("error", [
    DataError([Problem("a.jsonl", 3, "bad"), Problem("b.csv", None, "worse")]),
    ArtifactError("models/x", "model.skops is missing"),
    UnknownThemeError("nope", ["legal_aid", "worker_care"]),
])
def test_errors_survive_pickling(error):
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)
