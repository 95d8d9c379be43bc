"""``tagger serve``: the service under gunicorn, with the model loaded once before the fork.

One worker process per core runs the CPU-bound tagging. Each worker is ``service.worker``'s:
connections wait on gevent, so a slow or idle client costs a connection and no thread, and a
request reaches the app only once its body is in memory; the app runs on ``THREADS`` native
threads. Threads hold the requests that wait while the model is busy, so that they are tagged
together in the next model call (``service.batching``). With fewer threads the batches are
smaller: single paragraphs from 50 clients on two cores went from about 470 requests/s with 4
threads to 620 with 16, and more threads added little but longer tails
(``benchmarks/bench_service.py``).

On SIGTERM every worker closes its listening socket at once, lets requests in flight finish for
up to ``GRACEFUL_TIMEOUT`` seconds, then exits.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

THREADS = 16
WORKER_CONNECTIONS = 1000
GRACEFUL_TIMEOUT = 30
# Client address, request line, status, bytes, milliseconds and the request id we answer with.
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
# Settings of newer gunicorn releases, left out on older ones.
_NEWER_SETTINGS = {"control_socket_disable"}


class AccessLogger(Logger):
    """gunicorn's logger, whose access line is built from the atoms of ``ACCESS_LOG_FORMAT``
    alone: gunicorn's own builds every atom, request header and environ entry for each request,
    which took about 0.1 ms of the worker's event loop per request."""

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        atoms = {
            "h": environ.get("REMOTE_ADDR", "-"),
            "r": f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} {environ['SERVER_PROTOCOL']}",
            "s": status,
            "b": "-" if resp.sent is None else str(resp.sent),
            "M": request_time.seconds * 1000 + request_time.microseconds // 1000,
            "{x-request-id}o": next((value for name, value in resp.headers
                                     if name.lower() == "x-request-id"), "-"),
        }
        try:
            line = self.cfg.access_log_format % {  # quotes escaped, as gunicorn escapes them
                key: value.replace('"', '\\"') if isinstance(value, str) else value
                for key, value in atoms.items()}
        except KeyError:  # a format with other atoms than ours
            super().access(resp, req, environ, request_time)
            return
        try:
            self.access_log.info(line)
        except Exception:
            self.error(traceback.format_exc())


class _Server(BaseApplication):
    """gunicorn around an app that is already built (and so already holds its model)."""

    def __init__(self, app, options: dict):
        self.app = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings or key not in _NEWER_SETTINGS:
                self.cfg.set(key, value)

    def load(self):
        return self.app


def gunicorn_options(host: str, port: int, workers: int, config) -> dict:
    """gunicorn's settings for an app of this configuration."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "service.worker.TaggerWorker",
        "threads": THREADS,
        # Connections per worker, stalled ones included; over it, new ones wait to be accepted.
        "worker_connections": WORKER_CONNECTIONS,
        "preload_app": True,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "timeout": 60,
        # On or off only: the worker closes idle connections after HEADER_TIMEOUT.
        "keepalive": config["HEADER_TIMEOUT"],
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "logger_class": AccessLogger,
        "loglevel": config["LOG_LEVEL"].lower(),
        "proc_name": "tagger",
        # No runtime control socket: nothing uses it, and servers side by side would share it.
        "control_socket_disable": True,
        # Heartbeat files on tmpfs: a slow disk must not get workers killed as stuck.
        "worker_tmp_dir": "/dev/shm" if Path("/dev/shm").is_dir() else None,
    }


def _metrics_dir() -> str | None:
    """A fresh directory for the workers' metric files, unless one is configured; before any
    import of prometheus_client, which chooses its storage on import."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    directory = tempfile.mkdtemp(prefix="tagger-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    return directory


def run(host: str, port: int, workers: int, model_dir=None) -> int:
    """Serve until stopped; the exit status of gunicorn."""
    created, master = _metrics_dir(), os.getpid()
    try:
        return _serve(host, port, workers, model_dir)
    finally:
        # Worker processes leave through here too (gunicorn forks inside _serve).
        if created and os.getpid() == master:
            shutil.rmtree(created, ignore_errors=True)
            os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)  # it named the directory removed


def _serve(host: str, port: int, workers: int, model_dir) -> int:
    from . import create_app

    config = {"MODEL_DIR": str(model_dir)} if model_dir else {}
    try:
        app = create_app(config)
    except ValueError as exc:
        print(f"tagger serve: error: {exc}", file=sys.stderr)
        return 2
    logging.getLogger("service").info("starting %d worker(s) on %s:%d", workers, host, port)
    try:
        _Server(app, gunicorn_options(host, port, workers, app.config)).run()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
