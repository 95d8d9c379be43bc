"""The served model: loaded once per process, swapped as one reference on reload.

Under gunicorn every worker holds its own reference to the model the master preloaded. A reload
reaches one worker, so the holder also keeps a reload generation in memory shared by the forked
workers: a worker that sees a newer generation reloads in the background and keeps serving its
current model until the new one is in place.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading

from flask import Flask, current_app

import classifier

from .errors import APIError

log = logging.getLogger(__name__)


class LoadFailure(Exception):
    """A model directory that did not load; the holder keeps serving what it had.

    ``artifact`` is true when the artifact itself is at fault (missing, incomplete, tampered,
    built for other libraries), as the loader said in ``reason``; false for an unexpected
    error, whose traceback is in the log.
    """

    def __init__(self, path: str, reason: str, artifact: bool = True):
        self.path = path
        self.reason = reason
        self.artifact = artifact
        super().__init__(reason)


def _failure(path: str, exc: Exception) -> LoadFailure:
    if isinstance(exc, classifier.TaggerError):
        return LoadFailure(path, str(exc))
    return LoadFailure(path, f"{path}: loading failed unexpectedly ({type(exc).__name__}); "
                             "see the server log", artifact=False)


class ModelHolder:
    """The model a process serves, the reason it has none, and the shared reload generation."""

    def __init__(self, path: str, generation=None):
        self.path = path
        self.model = None
        self.error: str | None = None
        self._lock = threading.Lock()
        self._generation = multiprocessing.Value("Q", 0) if generation is None else generation
        self._seen = self._generation.value
        self._catching_up = False
        self._catch_up_lock = threading.Lock()

    def load(self) -> classifier.Model:
        """Load the model directory and serve it; raise LoadFailure and keep the old one if not."""
        with self._lock:
            try:
                model = classifier.load_model(self.path)
            except Exception as exc:
                failure = _failure(self.path, exc)
                if not failure.artifact:
                    log.exception("loading %s failed", self.path)
                self.error = failure.reason
                raise failure from exc
            self.model, self.error = model, None
            return model

    def reload(self) -> classifier.Model:
        """Load again, then tell the other workers to follow."""
        model = self.load()
        with self._generation.get_lock():
            self._generation.value += 1
            self._seen = self._generation.value
        return model

    def current(self) -> classifier.Model:
        """The model to serve this request with; 503 when there is none."""
        if self._seen != self._generation.value:
            self._catch_up()
        model = self.model
        if model is None:
            raise APIError(503, "not_ready", f"no model loaded: {self.error or 'not loaded yet'}")
        return model

    def _catch_up(self) -> None:
        with self._catch_up_lock:
            if self._catching_up:
                return
            self._catching_up = True
        threading.Thread(target=self._follow, name="model-reload", daemon=True).start()

    def _follow(self) -> None:
        target = self._generation.value
        try:
            self.load()
            log.info("model %s loaded after a reload elsewhere", self.model.version)
        except LoadFailure as exc:
            log.error("reload after a reload elsewhere failed; serving the old model: %s", exc)
        finally:
            self._seen = target
            self._catching_up = False


def init_app(app: Flask) -> ModelHolder:
    holder = ModelHolder(app.config["MODEL_DIR"])
    app.extensions["model_holder"] = holder
    try:
        model = holder.load()
        app.logger.info("serving model %s from %s", model.version, holder.path)
    except LoadFailure as exc:
        app.logger.error("not ready: no model loaded: %s", exc)
    return holder


def get_holder(app: Flask | None = None) -> ModelHolder:
    return (app or current_app).extensions["model_holder"]
