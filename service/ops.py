"""Operations: liveness, readiness, Prometheus metrics and the request id of every response.

Metrics live in a registry of the app, so every app (and every test) counts on its own. Under
gunicorn (``tagger serve``) every worker process counts for itself, so ``PROMETHEUS_MULTIPROC_DIR``
is set before the app is built: the workers then write their counts to files there, and a
scrape, whichever worker answers it, sums them all. The model version and readiness are those of
the answering worker.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections import Counter as Tally

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from classifier import TaggerError, settings
from classifier.data.taxonomy import load_taxonomy

from .holder import ModelHolder, get_holder

bp = Blueprint("ops", __name__)

# A request id from the client is kept when it is short and plain, so that logs stay parseable.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Label values come from a fixed set, so that odd requests cannot grow the series without bound.
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _ModelCollector(Collector):
    """Version and readiness of the served model, read at scrape time."""

    def __init__(self, holder: ModelHolder):
        self.holder = holder

    def collect(self):
        model = self.holder.model
        yield GaugeMetricFamily("tagger_model_ready", "1 when a model is loaded and served",
                                value=0 if model is None else 1)
        if model is not None:
            yield InfoMetricFamily("tagger_model", "The served model",
                                   value={"version": model.version})


class Metrics:
    """The app's Prometheus registry and the series the service records."""

    def __init__(self, holder: ModelHolder):
        self.registry = CollectorRegistry()
        self.requests = Counter("tagger_http_requests", "HTTP requests answered",
                                ("endpoint", "method", "status"), registry=self.registry)
        self.latency = Histogram("tagger_http_request_duration_seconds",
                                 "Time to answer an HTTP request", ("endpoint",),
                                 buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.themes = Counter("tagger_themes_tagged", "Article themes tagged, by theme",
                              ("theme",), registry=self.registry)
        self.texts = Counter("tagger_texts_tagged", "Texts tagged", registry=self.registry)
        self.feedback = Counter("tagger_feedback", "Editors' corrections posted, by outcome: "
                                "stored, refused, unauthorized or not_ready", ("outcome",),
                                registry=self.registry)
        self.feedback_bytes = Counter("tagger_feedback_bytes", "Bytes appended to the "
                                      "feedback file", registry=self.registry)
        self.model = _ModelCollector(holder)
        self.registry.register(self.model)
        # Labelled series by their labels, looked up once: labels() takes a lock and checks
        # its arguments on every call. The labels come from fixed sets, so these stay small.
        self._answers: dict[tuple, tuple] = {}
        self._themes: dict[str, object] = {}

    def answered(self, endpoint: str, method: str, status: int, seconds: float | None) -> None:
        """Count an answer, and time it unless ``seconds`` is None."""
        key = (endpoint, method, status)
        series = self._answers.get(key)
        if series is None:
            series = self._answers[key] = (self.requests.labels(endpoint, method, str(status)),
                                           self.latency.labels(endpoint))
        series[0].inc()
        if seconds is not None:
            series[1].observe(seconds)

    def tagged(self, results) -> None:
        """Count the texts tagged and the article themes they were given."""
        self.texts.inc(len(results))
        for theme, count in Tally(t.id for result in results for t in result.themes).items():
            series = self._themes.get(theme)
            if series is None:
                series = self._themes[theme] = self.themes.labels(theme)
            series.inc(count)

    def scrape(self) -> bytes:
        """The exposition: this app's series, or those of every worker process under gunicorn."""
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if not directory:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)
        registry.register(self.model)
        return generate_latest(registry)


def get_metrics() -> Metrics:
    return current_app.extensions["tagger_metrics"]


def count_themes(results) -> None:
    get_metrics().tagged(results)


def _new_request_id() -> str:
    # Unique, not secret: the random module's generator, reseeded in every forked worker,
    # costs no system call (uuid4 reads the kernel's random source on every request).
    return f"{random.getrandbits(128):032x}"


def _start() -> None:
    g.started = time.perf_counter()
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.fullmatch(given) else _new_request_id()


def _finish(response: Response) -> Response:
    context = g._get_current_object()
    response.headers["X-Request-ID"] = context.get("request_id") or _new_request_id()
    started = context.get("started")
    rule, method = request.url_rule, request.method
    get_metrics().answered(rule.rule if rule else "unmatched",
                           method if method in _METHODS else "other", response.status_code,
                           None if started is None else time.perf_counter() - started)
    return response


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


def _taxonomy_version() -> str | None:
    """Version of the configured taxonomy file, read once per app; None when unreadable."""
    cache = current_app.extensions.setdefault("taxonomy_version", {})
    if "version" not in cache:
        path = current_app.config["TAXONOMY"] or settings.default_taxonomy()
        try:
            cache["version"] = load_taxonomy(path).version
        except TaggerError as exc:
            current_app.logger.warning("taxonomy for /readyz: %s", exc)
            cache["version"] = None
    return cache["version"]


@bp.get("/readyz")
def readyz():
    model = get_holder().current()
    current = _taxonomy_version()
    stale = model.stale_reason(current) is not None
    return {"status": "ready", "model_version": model.version,
            "taxonomy": {"model": model.taxonomy.version, "current": current, "stale": stale}}


@bp.get("/metrics")
def metrics():
    return Response(get_metrics().scrape(), content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    app.extensions["tagger_metrics"] = Metrics(get_holder(app))
    app.before_request(_start)
    app.after_request(_finish)
    app.register_blueprint(bp)
