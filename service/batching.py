"""Small requests that arrive together are tagged in one call of the model.

Most of the cost of ``Model.tag()`` on a paragraph is fixed per call (vectorizer set-up and
checks), so one call on the texts of eight waiting requests costs little more than a call on
one. Nothing waits on purpose: a request thread that finds the model idle tags at once, on its
own thread, together with whatever requests queued while the model was busy; the others wait
for it. Large requests skip the queue, so that they never hold small ones back.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from flask import Flask, current_app

# Requests above either bound are tagged on their own, outside any batch.
MAX_BATCH_TEXTS = 64
MAX_BATCHED_CHARS = 4_000


@dataclass(eq=False)
class _Job:
    model: object
    texts: list[str]
    min_score: float | None
    results: list | None = None
    error: BaseException | None = None
    done: bool = False


class Batcher:
    """Tags queued small requests in batches, on the thread of whichever request leads."""

    def __init__(self, max_texts: int = MAX_BATCH_TEXTS, max_chars: int = MAX_BATCHED_CHARS):
        self.max_texts = max_texts
        self.max_chars = max_chars
        self.batches = 0  # calls of the model made for batched requests
        self._pending: deque[_Job] = deque()
        self._busy = False
        self._changed = threading.Condition()

    def tag(self, model, texts: list[str], min_score: float | None = None) -> list:
        """``model.tag(texts, min_score)``, batched with other requests when it is small."""
        if len(texts) > self.max_texts or sum(map(len, texts)) > self.max_chars:
            return model.tag(texts, min_score=min_score)
        job = _Job(model, list(texts), min_score)
        with self._changed:
            self._pending.append(job)
        while self._lead_until(job):
            pass
        if job.error is not None:
            raise job.error
        return job.results

    def _lead_until(self, job: _Job) -> bool:
        """Wait for the job, or tag the next batch if nobody is; True while the job is not done."""
        with self._changed:
            while self._busy and not job.done:
                self._changed.wait()
            if job.done:
                return False
            self._busy = True
            batch = self._take()
        try:
            for group in _groups(batch):
                _tag(group)
                self.batches += 1
        finally:
            with self._changed:
                for other in batch:  # left undone only if tagging was interrupted
                    if not other.done:
                        other.error, other.done = RuntimeError("tagging was interrupted"), True
                self._busy = False
                self._changed.notify_all()
        return not job.done

    def _take(self) -> list[_Job]:
        batch, size = [], 0
        while self._pending and (not batch or size + len(self._pending[0].texts)
                                 <= self.max_texts):
            batch.append(self._pending.popleft())
            size += len(batch[-1].texts)
        return batch


def _groups(batch: list[_Job]) -> list[list[_Job]]:
    """Jobs that one call can serve: the same model object and the same min_score."""
    groups: dict[tuple, list[_Job]] = {}
    for job in batch:
        groups.setdefault((id(job.model), job.min_score), []).append(job)
    return list(groups.values())


def _tag(group: list[_Job]) -> None:
    texts = [text for job in group for text in job.texts]
    try:
        results = group[0].model.tag(texts, min_score=group[0].min_score)
    except Exception as exc:
        if len(group) > 1:  # one bad request must not fail the others: tag each alone
            for job in group:
                _tag([job])
            return
        group[0].error, group[0].done = exc, True
        return
    start = 0
    for job in group:
        job.results, job.done = results[start:start + len(job.texts)], True
        start += len(job.texts)

def init_app(app: Flask) -> Batcher:
    app.extensions["tagger_batcher"] = batcher = Batcher()
    return batcher


def get_batcher() -> Batcher:
    return current_app.extensions["tagger_batcher"]
