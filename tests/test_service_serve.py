"""`tagger serve` (gunicorn) and `flask --app service` as real processes on loopback."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

HOST = "127.0.0.1"
TOKEN = "serve-token"
STATION = "建成工会驿站24家。"
TAGGER = Path(sys.executable).with_name("tagger")
FLASK = Path(sys.executable).with_name("flask")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited with {process.returncode}"
        try:
            if httpx.get(url + "/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} not ready after {timeout} s")


def start(model_dir, log: Path, workers: int = 2, **settings) -> tuple[str, subprocess.Popen]:
    port = free_port()
    env = {**os.environ, "TAGGER_ADMIN_TOKEN": TOKEN,
           **{f"TAGGER_{name}": str(value) for name, value in settings.items()}}
    with open(log, "w") as handle:
        process = subprocess.Popen([str(TAGGER), "serve", "--host", HOST, "--port", str(port),
                                    "--workers", str(workers), "--model", str(model_dir)],
                                   stdout=handle, stderr=subprocess.STDOUT, env=env)
    url = f"http://{HOST}:{port}"
    try:
        wait_ready(url, process)
    except AssertionError:
        process.kill()
        process.wait()
        raise AssertionError(log.read_text()) from None
    return url, process


def stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


@pytest.fixture(scope="module")
def log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("serve") / "server.log"


@pytest.fixture(scope="module")
def server(model_dir, log):
    url, process = start(model_dir, log)
    yield url
    stop(process)


def test_serves_the_page_and_the_api(server):
    assert httpx.get(server + "/").text.startswith("<!doctype html>")
    response = httpx.post(server + "/v1/tag", json={"text": STATION})
    assert response.status_code == 200
    assert response.json()["themes"][0]["id"] == "worker_station"


def access_line(log: Path, marker: str) -> str:
    """The access log line holding ``marker``, once the server has written it."""
    deadline = time.monotonic() + 10
    while marker not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    return next(line for line in log.read_text().splitlines() if marker in line)


def test_request_id_is_answered_and_in_the_access_log(server, log):
    response = httpx.get(server + "/healthz", headers={"X-Request-ID": "desk-7f3a"})
    assert response.headers["X-Request-ID"] == "desk-7f3a"
    assert '"GET /healthz HTTP/1.1" 200' in access_line(log, "rid=desk-7f3a")


def test_access_line_gives_address_request_status_bytes_time_and_request_id(server, log):
    response = httpx.post(server + "/v1/tag", json={"text": STATION},
                          headers={"X-Request-ID": "desk-line"})
    assert re.fullmatch(rf'127\.0\.0\.1 "POST /v1/tag HTTP/1\.1" 200 {len(response.content)} '
                        r"\d+ms rid=desk-line", access_line(log, "rid=desk-line"))


def test_access_line_escapes_quotes_in_the_request_line(server, log):
    connection = http.client.HTTPConnection(server.removeprefix("http://"), timeout=10)
    try:
        connection.request("GET", '/no"where?q="x"', headers={"X-Request-ID": "desk-quote"})
        assert connection.getresponse().status == 404
    finally:
        connection.close()
    assert '"GET /no\\"where?q=\\"x\\" HTTP/1.1" 404' in access_line(log, "rid=desk-quote")


def test_reload_through_gunicorn_keeps_every_worker_serving(server):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.post(server + "/v1/admin/reload", headers=headers).status_code == 200
    with httpx.Client(base_url=server) as client:
        for _ in range(20):  # new connections, spread over the workers
            response = client.post("/v1/tag", json={"text": STATION},
                                   headers={"Connection": "close"})
            assert response.status_code == 200


def test_sigterm_refuses_new_connections_and_finishes_the_request_in_flight(model_dir,
                                                                            tmp_path):
    url, process = start(model_dir, tmp_path / "server.log", workers=1)
    port = int(url.rsplit(":", 1)[1])
    body = json.dumps({"text": STATION}).encode()
    with socket.create_connection((HOST, port), timeout=30) as sock:
        sock.sendall(_head("/v1/tag", f"Content-Length: {len(body)}") + body[:5])
        time.sleep(0.3)  # the request is in the worker, half of its body still to come
        process.send_signal(signal.SIGTERM)
        refused = _refused_within(port, 1.0)
        sock.sendall(body[5:])
        answer = _answer(sock)
    assert refused and answer[0] == 200
    assert process.wait(timeout=30) == 0


def _refused_within(port: int, seconds: float) -> bool:
    """Whether a new connection is refused within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
        except ConnectionRefusedError:
            return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def test_flask_finds_the_app_factory(tmp_path):
    env = {**os.environ, "TAGGER_MODEL_DIR": str(tmp_path / "missing")}
    result = subprocess.run([str(FLASK), "--app", "service", "routes"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "/v1/tag" in result.stdout and "/readyz" in result.stdout


def healthz_count(url: str) -> float:
    text = httpx.get(url + "/metrics").text
    line = 'tagger_http_requests_total{endpoint="/healthz",method="GET",status="200"} '
    return sum(float(row[len(line):]) for row in text.splitlines() if row.startswith(line))


def test_metrics_sum_the_counts_of_every_worker(server):
    before = healthz_count(server)
    for _ in range(20):  # new connections, spread over the workers
        httpx.get(server + "/healthz", headers={"Connection": "close"})
    assert [healthz_count(server) - before for _ in range(4)] == [20] * 4


# Slow, idle and malformed clients, against a server with short timeouts and a small body limit.
TIMEOUT = 2
LIMIT = 100_000


@pytest.fixture(scope="module")
def feedback_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("feedback") / "feedback.jsonl"


@pytest.fixture(scope="module")
def guarded(model_dir, tmp_path_factory, feedback_file):
    """(host, port) of a server whose clients get TIMEOUT seconds for a head and for a body."""
    log = tmp_path_factory.mktemp("guarded") / "server.log"
    url, process = start(model_dir, log, HEADER_TIMEOUT=TIMEOUT, BODY_TIMEOUT=TIMEOUT,
                         MAX_BODY_BYTES=LIMIT, FEEDBACK_FILE=feedback_file)
    yield int(url.rsplit(":", 1)[1]), log
    stop(process)


def _head(path: str, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: tagger", "Content-Type: application/json", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _chunked(*parts: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


def _answer(sock: socket.socket) -> tuple[int, dict]:
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, json.loads(response.read())


def exchange(port: int, raw: bytes, timeout: float = 10) -> tuple[int, dict]:
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(raw)
        return _answer(sock)


def _timed(port: int, raw: bytes) -> tuple[float, int]:
    started = time.monotonic()
    status, _ = exchange(port, raw, timeout=5)
    return time.monotonic() - started, status


def _stall(port: int, count: int) -> list[socket.socket]:
    """Connections that send half a request head, or nothing at all, and wait."""
    stalled = []
    for n in range(count):
        sock = socket.create_connection((HOST, port), timeout=5)
        if n % 2:
            sock.sendall(b"POST /v1/tag HTTP/1.1\r\nHost: x\r\n")
        stalled.append(sock)
    return stalled


def _closed_after(sockets: list[socket.socket], started: float, limit: float) -> list[float]:
    """Seconds from ``started`` until the server closed each connection (EOF), up to ``limit``."""
    closed = []
    for sock in sockets:
        sock.settimeout(max(0.01, started + limit - time.monotonic()))
        try:
            assert sock.recv(1024) == b""
            closed.append(time.monotonic() - started)
        except TimeoutError:
            closed.append(float("inf"))
    return closed


def test_stalled_connections_leave_the_service_answering(guarded):
    port, _ = guarded
    tag = json.dumps({"text": STATION}).encode()
    healthz = b"GET /healthz HTTP/1.1\r\nHost: tagger\r\nConnection: close\r\n\r\n"
    started = time.monotonic()
    stalled = _stall(port, 200)
    try:
        answers = [_timed(port, healthz) for _ in range(5)]
        answers += [_timed(port, _head("/v1/tag", f"Content-Length: {len(tag)}",
                                       "Connection: close") + tag) for _ in range(5)]
        closed = _closed_after(stalled, started, TIMEOUT + 3)
    finally:
        for sock in stalled:
            sock.close()
    assert [status for _, status in answers] == [200] * 10
    assert max(seconds for seconds, _ in answers) < 1
    assert TIMEOUT - 0.5 < min(closed) and max(closed) < TIMEOUT + 3


def test_a_body_that_stops_coming_is_408_after_the_body_timeout(guarded):
    port, _ = guarded
    started = time.monotonic()
    status, body = exchange(port, _head("/v1/tag", "Content-Length: 100") + b'{"text": ')
    assert (status, body["error"]["code"]) == (408, "body_timeout")
    assert TIMEOUT - 0.5 < time.monotonic() - started < TIMEOUT + 3


def test_a_chunked_body_within_the_limit_is_read(guarded):
    port, _ = guarded
    body = json.dumps({"text": STATION}, ensure_ascii=False).encode()
    status, answer = exchange(port, _head("/v1/tag", "Transfer-Encoding: chunked")
                              + _chunked(body[:7], body[7:]))
    assert status == 200 and answer["themes"][0]["id"] == "worker_station"


# Over the limit as one JSON value, or as a small value followed by blanks.
OVERSIZED = [
    [b'{"text": "', b"a" * LIMIT, b'"}'],
    [b'{"text": "\\u5efa\\u6210", "themes": ["worker_station"]}', b" " * LIMIT],
]


@pytest.mark.parametrize("path", ["/v1/tag", "/v1/feedback"])
@pytest.mark.parametrize("parts", OVERSIZED, ids=["value", "blanks"])
def test_a_chunked_body_over_the_limit_is_413_and_not_stored(guarded, feedback_file, path,
                                                             parts):
    port, _ = guarded
    status, answer = exchange(port, _head(path, "Transfer-Encoding: chunked") + _chunked(*parts))
    assert (status, answer["error"]["code"]) == (413, "body_too_large")
    assert not feedback_file.exists()


@pytest.mark.parametrize("chunks", [b"zz\r\nabc\r\n0\r\n\r\n", b"3\r\nabcde\r\n0\r\n\r\n"])
def test_a_malformed_chunk_is_400_without_a_traceback(guarded, chunks):
    port, log = guarded
    status, answer = exchange(port, _head("/v1/tag", "Transfer-Encoding: chunked") + chunks)
    assert (status, answer["error"]["code"]) == (400, "malformed_body")
    time.sleep(0.2)  # the access log line is written after the answer
    assert "Traceback" not in log.read_text()


def test_expect_100_continue_is_answered_once_before_the_body(guarded):
    port, _ = guarded
    body = json.dumps({"text": STATION}).encode()
    with socket.create_connection((HOST, port), timeout=5) as sock:
        sock.sendall(_head("/v1/tag", f"Content-Length: {len(body)}", "Expect: 100-continue"))
        assert sock.recv(1024) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        assert _answer(sock)[0] == 200
