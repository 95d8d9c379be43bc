"""The gunicorn worker of ``tagger serve``: connections on gevent, the app on native threads.

A connection costs a greenlet while its request arrives, never a thread: the request's head must
arrive within ``HEADER_TIMEOUT`` seconds (also the longest a kept-alive connection may idle) and
its body within ``BODY_TIMEOUT``, or the connection is closed (408 for a body). Only a request
whose body is in memory, at most ``MAX_BODY_BYTES + 1`` bytes of it, reaches the app, which runs
on a pool of ``threads`` native threads, so slow or idle clients cannot take the threads that
tag, and the app never waits on a socket.

Nothing is monkey-patched: the app keeps real threads and locks (the batcher and the model
holder rely on them), and only this module touches gevent.
"""

from __future__ import annotations

import io
import socket
import time
from functools import partial

import gevent
from gevent import socket as gevent_socket
from gevent.pool import Pool
from gevent.server import StreamServer
from gevent.threadpool import ThreadPool
from gunicorn.http.errors import NoMoreData, ParseException
from gunicorn.workers.ggevent import GeventWorker

from .errors import APIError

# How often the worker looks whether it was told to stop: a stopping worker closes its
# listening sockets within this time, so that new connections are refused, not left waiting.
_STOP_POLL = 0.1
# After answering a request whose body was left unread: how long, and how much of it, to read
# and discard, so that closing does not reset the connection before the client has the answer.
_LINGER_SECONDS = 2
_LINGER_BYTES = 16 * 1024 * 1024


class _Unreadable(io.RawIOBase):
    """The body of a request whose body could not be read: reading it raises the error."""

    def __init__(self, error: APIError):
        self.error = error

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        raise self.error


def _call(app, environ: dict) -> tuple[str, list, list[bytes]]:
    """The app's whole answer to one request, on a native thread."""
    answer: dict = {}
    chunks: list[bytes] = []

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, headers
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return answer["status"], answer["headers"], chunks


class TaggerWorker(GeventWorker):
    """gunicorn's gevent worker, without monkey-patching, that reads each body before the app."""

    def patch(self) -> None:
        self.sockets = [gevent_socket.socket(s.FAMILY, socket.SOCK_STREAM, fileno=s.sock.detach())
                        for s in self.sockets]

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.application = self.wsgi
        config = self.application.config
        self.max_body = config["MAX_BODY_BYTES"]
        self.header_timeout = config["HEADER_TIMEOUT"]
        self.body_timeout = config["BODY_TIMEOUT"]
        self.pool = ThreadPool(self.cfg.threads)
        self.wsgi = self._offload

    def timeout_ctx(self):
        # Around the reading of every request's head, the first on a connection included.
        return gevent.Timeout(self.header_timeout, False)

    def handle_request(self, listener_name, req, sock, addr):
        req.body, complete = self._read_body(req, sock)
        if complete:
            return super().handle_request(listener_name, req, sock, addr)
        req.must_close = True  # the rest of the body is still on the socket: never reuse it
        try:
            return super().handle_request(listener_name, req, sock, addr)
        finally:
            _linger(sock)

    def _read_body(self, req, sock) -> tuple[io.RawIOBase, bool]:
        """The body in memory, and whether it was read to its end."""
        declared = [value for name, value in req.headers if name == "CONTENT-LENGTH"]
        if declared and int(declared[0]) > self.max_body:
            return io.BytesIO(), False  # refused by its Content-Length alone
        _continue(req, sock)
        try:
            with gevent.Timeout(self.body_timeout):
                data = req.body.read(self.max_body + 1)
        except gevent.Timeout:
            return _Unreadable(APIError(
                408, "body_timeout", f"body: not received within {self.body_timeout} s")), False
        except (ParseException, NoMoreData) as exc:
            return _Unreadable(APIError(400, "malformed_body", f"body: {exc}")), False
        return io.BytesIO(data), len(data) <= self.max_body

    def _offload(self, environ, start_response):
        status, headers, chunks = self.pool.apply(_call, (self.application, environ))
        start_response(status, headers)
        return chunks

    def run(self) -> None:
        servers = []
        for listener in self.sockets:
            listener.setblocking(1)
            server = StreamServer(listener, handle=partial(self.handle, listener),
                                  spawn=Pool(self.worker_connections))
            server.max_accept = 1 if self.cfg.workers > 1 else server.max_accept
            server.start()
            servers.append(server)
        while self.alive:
            self.notify()
            gevent.sleep(_STOP_POLL)
        for server in servers:  # refuse new connections at once
            server.close()
        self._finish(servers)

    def _finish(self, servers) -> None:
        """Let the requests in flight finish, for at most the graceful timeout."""
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while any(server.pool.free_count() != server.pool.size for server in servers):
            if time.monotonic() > deadline:
                self.log.warning("Worker graceful timeout (pid:%s)", self.pid)
                for server in servers:
                    server.stop(timeout=1)
                return
            self.notify()
            gevent.sleep(_STOP_POLL)


def _continue(req, sock) -> None:
    """Answer ``Expect: 100-continue`` before reading the body, and only here: gunicorn would
    answer it again when it builds the environ, after the body was read."""
    if req._expected_100_continue:
        sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        req._expected_100_continue = False


def _linger(sock) -> None:
    """Close our side, then read and drop what the client still sends, for a while."""
    try:
        sock.shutdown(socket.SHUT_WR)
        with gevent.Timeout(_LINGER_SECONDS, False):
            discarded = 0
            while discarded < _LINGER_BYTES:
                data = sock.recv(65536)
                if not data:
                    return
                discarded += len(data)
    except OSError:
        pass
