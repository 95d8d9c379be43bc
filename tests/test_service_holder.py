"""The model holder: loads, failures, and workers following a reload made elsewhere."""

from __future__ import annotations

import multiprocessing
import time

import pytest
from conftest import point

from service.errors import APIError
from service.holder import LoadFailure, ModelHolder


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_load_failure_names_the_directory_and_keeps_no_model(tmp_path):
    holder = ModelHolder(str(tmp_path / "missing"))
    with pytest.raises(LoadFailure, match="no such model directory"):
        holder.load()
    assert holder.model is None
    assert str(tmp_path / "missing") in holder.error


def test_current_without_a_model_is_503(tmp_path):
    holder = ModelHolder(str(tmp_path / "missing"))
    with pytest.raises(APIError) as raised:
        holder.current()
    assert (raised.value.status, raised.value.code) == (503, "not_ready")


def test_failed_load_keeps_the_model_it_had(current, tmp_path):
    holder = ModelHolder(str(current))
    model = holder.load()
    point(current, tmp_path / "missing")
    with pytest.raises(LoadFailure):
        holder.reload()
    assert holder.current() is model


def test_worker_follows_a_reload_made_in_another(current):
    shared = multiprocessing.Value("Q", 0)
    here, there = ModelHolder(str(current), shared), ModelHolder(str(current), shared)
    old = there.load()
    here.load()
    here.reload()
    assert there.current() is old  # served at once while the new model loads behind
    assert wait_for(lambda: there.model is not old)
    assert there.current() is there.model


def test_worker_that_cannot_follow_keeps_its_model_and_stops_trying(current, tmp_path):
    shared = multiprocessing.Value("Q", 0)
    here, there = ModelHolder(str(current), shared), ModelHolder(str(current), shared)
    old = there.load()
    here.reload()
    point(current, tmp_path / "missing")
    there.current()
    assert wait_for(lambda: there.error is not None and not there._catching_up)
    assert there.current() is old
    assert not there._catching_up
