"""Where batches run: in this process, in local worker processes (joblib), or on Dask."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait

from .errors import TaggerError


class _Inline:
    """``--jobs 1``: each batch is tagged at once, in this process."""

    window = 1

    def submit(self, function, *args) -> Future:
        future = Future()
        future.set_result(function(*args))
        return future

    def warm(self, function, *args):
        return function(*args)

    def close(self) -> None:
        pass


def _quiet_worker() -> None:
    import jieba  # it sets its own logger to DEBUG on import, so import it first

    jieba.setLogLevel(logging.WARNING)


class _Processes:
    """``--jobs N``: joblib's (loky) worker processes, each loading the model once."""

    def __init__(self, jobs: int):
        from joblib.externals.loky import get_reusable_executor

        self.workers, self.window = jobs, 2 * jobs
        self._executor = get_reusable_executor(max_workers=jobs, initializer=_quiet_worker)
        self._warming = []

    def submit(self, function, *args) -> Future:
        return self._executor.submit(function, *args)

    def warm(self, function, *args):
        """Run ``function`` in each worker at once (it loads the model) and give the first
        result; each worker's batches wait behind its own load, none behind another's."""
        self._warming = [self.submit(function, *args) for _ in range(self.workers)]
        done, _ = wait(self._warming, return_when=FIRST_COMPLETED)
        return done.pop().result()

    def close(self) -> None:
        # Every result is in (or none is wanted): the workers have nothing left to finish.
        self._executor.shutdown(wait=True, kill_workers=True)


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

    def warm(self, function, *args):
        """As for local processes, with a task pinned to each worker; workers that join later
        load the model with their first batch."""
        from distributed import wait as wait_dask

        self._warming = [self._client.submit(function, *args, pure=False, workers=[w])
                         for w in self._client.nthreads()] or [self.submit(function, *args)]
        done, _ = wait_dask(self._warming, return_when="FIRST_COMPLETED")
        return done.pop().result()

    def close(self) -> None:
        self._client.close()


def make_pool(jobs: int, dask: str | None):
    if dask:
        return _Dask(dask)
    return _Processes(jobs) if jobs > 1 else _Inline()


def in_order(pool, function, tasks, *args) -> Iterator:
    """``function(task, *args)`` of each task, in order, with at most ``pool.window`` in flight."""
    pending = deque()
    for task in tasks:
        pending.append(pool.submit(function, task, *args))
        if len(pending) >= pool.window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
