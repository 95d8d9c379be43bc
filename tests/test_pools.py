"""Local pools: forked workers share what the parent loaded; helpers work ahead while it loads."""

from __future__ import annotations

import os
import time

import pytest

from classifier.batch.pools import Ahead, in_order, make_pool

_LOADED: dict = {}


def _load(seconds: float) -> str:
    time.sleep(seconds)
    _LOADED["model"] = f"loaded by {os.getpid()}"
    return "ready"


def _double(task: int) -> int:
    if task == 3:
        raise ValueError("task 3 cannot be prepared")
    return 2 * task


def _what_was_loaded(task: int, early: int | None = None) -> tuple:
    return task, early, _LOADED.get("model"), os.getpid()


@pytest.fixture
def forked():
    pool = make_pool(2, None, fork=True)
    yield pool
    pool.close()


def test_helpers_prepare_the_first_tasks_in_order_while_the_model_loads(forked):
    ahead = Ahead(_double, iter(range(100_000)))
    assert forked.warm(_load, 1.0, ahead=ahead) == "ready"
    tasks = [task for task, _ in ahead.done]
    assert 4 < len(tasks) < 100_000
    assert tasks == list(range(len(tasks)))
    assert next(ahead.tasks) == len(tasks)
    assert [early for _, early in ahead.done[:3]] == [0, 2, 4]


def test_a_task_a_helper_fails_on_only_loses_its_head_start(forked):
    ahead = Ahead(_double, iter(range(5)))
    forked.warm(_load, 1.0, ahead=ahead)
    assert ahead.done == [(0, 0), (1, 2), (2, 4), (3, None), (4, 8)]


def _broken_setup() -> None:
    raise FileNotFoundError("metadata.json")


def test_a_failed_set_up_leaves_the_load_to_report_and_the_tasks_to_the_workers(forked):
    ahead = Ahead(_double, iter(range(3)), setup=_broken_setup)
    assert forked.warm(_load, 0.0, ahead=ahead) == "ready"
    assert ahead.done == []
    assert list(ahead.tasks) == [0, 1, 2]


def test_workers_are_forked_after_the_load_and_share_it(forked):
    forked.warm(_load, 0.0)
    calls = [(task, 2 * task) for task in range(6)]
    results = list(in_order(forked, _what_was_loaded, calls))
    assert [(task, early) for task, early, _, _ in results] == calls
    assert {loaded for _, _, loaded, _ in results} == {f"loaded by {os.getpid()}"}
    assert os.getpid() not in {pid for *_, pid in results}


@pytest.mark.parametrize("jobs, fork", [(1, None), (2, False)])
def test_pools_that_load_in_each_process_leave_the_work_ahead_to_the_workers(jobs, fork):
    pool = make_pool(jobs, None, fork=fork)
    try:
        ahead = Ahead(_double, iter(range(3)))
        assert pool.warm(_load, 0.0, ahead=ahead) == "ready"
        assert ahead.done == []
        assert list(ahead.tasks) == [0, 1, 2]
    finally:
        pool.close()
