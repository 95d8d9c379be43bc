"""Where batches run: in this process, in local worker processes, or on Dask."""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass, field

from classifier.errors import TaggerError


@dataclass
class Ahead:
    """Work on the first tasks that needs no model, which a pool may do while the model loads.

    ``prepare(task)`` gives what ``function(task, *args, early)`` then starts from; tasks the
    pool took are in ``done`` as ``(task, early)``, in order, and the rest stay in ``tasks``.
    ``setup()`` loads, before helpers start, what they share (the segmenter).
    """

    prepare: Callable
    tasks: Iterator
    setup: Callable | None = None
    done: list = field(default_factory=list)


def _load_for_good(load, *args):
    """``load(*args)`` for a model that lives as long as this process, without the collector.

    Loading makes objects that are never freed (the vocabularies' dicts among them):
    collections while they are made, and collections that walk them later (the last at exit),
    find nothing and only cost time. Once loaded they are moved out of its sight (gc.freeze),
    which also keeps forked workers from copying the pages that hold them. That is done once
    per process: a process that runs many jobs (tests, a notebook) then keeps the objects of
    later ones, and their garbage, collectable.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        result = load(*args)
        if not gc.get_freeze_count():
            gc.freeze()
        return result
    finally:
        if enabled:
            gc.enable()


class _Inline:
    """``--jobs 1``: each batch is tagged at once, in this process."""

    window = 1

    def submit(self, function, *args) -> Future:
        future = Future()
        future.set_result(function(*args))
        return future

    def warm(self, function, *args, ahead: Ahead | None = None):
        return _load_for_good(function, *args)

    def close(self) -> None:
        pass


class _Processes:
    """``--jobs N`` off Linux: joblib's (loky) workers, each loading the model itself."""

    def __init__(self, jobs: int):
        from joblib.externals.loky import get_reusable_executor

        self.workers, self.window = jobs, 2 * jobs
        self._executor = get_reusable_executor(max_workers=jobs)
        self._warming = []

    def submit(self, function, *args) -> Future:
        return self._executor.submit(function, *args)

    def warm(self, function, *args, ahead: Ahead | None = None):
        """Run ``function`` in each worker at once (it loads the model) and give the first
        result; each worker's batches wait behind its own load, none behind another's."""
        self._warming = [self.submit(function, *args) for _ in range(self.workers)]
        done, _ = wait(self._warming, return_when=FIRST_COMPLETED)
        return done.pop().result()

    def close(self) -> None:
        # Every result is in (or none is wanted): the workers have nothing left to finish.
        self._executor.shutdown(wait=True, kill_workers=True)


def _child_of(parent: int) -> None:
    """Set up a forked helper or worker: Ctrl-C is the parent's to handle, and the parent's
    death must end it (it holds the parent's end of its task pipe, so would wait for ever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class _Forked:
    """``--jobs N`` on Linux, where processes fork: the model is loaded once, here, and N workers
    forked after the load share it, where loky's workers would each import and load it again.
    While it loads, helpers forked before the load take the first tasks' model-free work
    (``Ahead``: segmentation), so no core waits for the model."""

    def __init__(self, jobs: int):
        self.workers, self.window = jobs, 2 * jobs
        self.helpers = max(1, jobs - 1)  # the cores the load leaves free
        self._fork = multiprocessing.get_context("fork")
        self._executor = None

    def warm(self, function, *args, ahead: Ahead | None = None):
        """``function(*args)`` here (it loads the model), then fork the workers."""
        if ahead is not None and not _set_up(ahead):
            ahead = None
        if ahead is None:
            result = _load_for_good(function, *args)
        else:
            result = self._load_with_helpers(function, args, ahead)
        # No thread of ours runs now: forking is safe, and shares all that is loaded.
        self._executor = self._processes(self.workers)
        return result

    def _processes(self, count: int) -> ProcessPoolExecutor:
        executor = ProcessPoolExecutor(count, mp_context=self._fork, initializer=_child_of,
                                       initargs=(os.getpid(),))
        try:
            executor.submit(int).result()  # fork them all now, before any thread of ours starts
        except BaseException:
            executor.shutdown(wait=True, cancel_futures=True)
            raise
        return executor

    def _load_with_helpers(self, function, args, ahead: Ahead):
        helpers = self._processes(self.helpers)
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="load") as loader:
                loading = loader.submit(_load_for_good, function, *args)
                self._prepare_ahead(helpers, ahead, loading)
                result = loading.result()
            # A helper's failure costs only its head start: the worker segments that batch.
            ahead.done = [(task, None if early.exception() else early.result())
                          for task, early in ahead.done]
        finally:
            helpers.shutdown(wait=True, cancel_futures=True)
        return result

    def _prepare_ahead(self, helpers, ahead: Ahead, loading: Future) -> None:
        """Give each helper a task at a time until the model has loaded (or tasks run out):
        the load then waits for one task at most."""
        while not loading.done():
            busy = [early for _, early in ahead.done if not early.done()]
            if len(busy) < self.helpers:
                task = next(ahead.tasks, None)
                if task is None:
                    return
                try:
                    ahead.done.append((task, helpers.submit(ahead.prepare, task)))
                except BrokenExecutor:  # a helper died: the workers segment the rest
                    ahead.tasks = itertools.chain([task], ahead.tasks)
                    return
            else:
                wait([loading, *busy], return_when=FIRST_COMPLETED)

    def submit(self, function, *args) -> Future:
        return self._executor.submit(function, *args)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)


class _Dask:
    """``--dask ADDRESS``: the workers of an existing distributed cluster."""

    def __init__(self, address: str):
        from distributed import Client

        try:
            self._client = Client(address, timeout="20s")
        except OSError as exc:
            raise TaggerError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        self.window = 2 * max(1, sum(self._client.nthreads().values()))
        # Loads still running after the first is done; kept, as Dask cancels released futures.
        self._warming = []

    def submit(self, function, *args):
        return self._client.submit(function, *args, pure=False)

    def warm(self, function, *args, ahead: Ahead | None = None):
        """As for local processes, with a task pinned to each worker; workers that join later
        load the model with their first batch."""
        from distributed import wait as wait_dask

        self._warming = [self._client.submit(function, *args, pure=False, workers=[w])
                         for w in self._client.nthreads()] or [self.submit(function, *args)]
        done, _ = wait_dask(self._warming, return_when="FIRST_COMPLETED")
        return done.pop().result()

    def close(self) -> None:
        self._client.close()


def _set_up(ahead: Ahead) -> bool:
    """Run ``ahead.setup``; if it fails, the load will say why, and there is no head start."""
    try:
        if ahead.setup is not None:
            ahead.setup()
    except Exception:  # the model's own load reports the problem
        return False
    return True


def make_pool(jobs: int, dask: str | None, fork: bool | None = None):
    """The pool for a run; ``fork`` chooses forked or loky workers (default: fork on Linux,
    where forking after numpy is loaded is safe; macOS's frameworks are not)."""
    if dask:
        return _Dask(dask)
    if jobs == 1:
        return _Inline()
    if fork is None:
        fork = sys.platform.startswith("linux")
    return _Forked(jobs) if fork else _Processes(jobs)


def in_order(pool, function, calls) -> Iterator:
    """``function(*call)`` of each call, in order, with at most ``pool.window`` in flight."""
    pending = deque()
    for call in calls:
        pending.append(pool.submit(function, *call))
        if len(pending) >= pool.window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
