"""`tagger serve` (gunicorn) and `flask --app service` as real processes on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
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


def start(model_dir, log: Path, workers: int = 2) -> tuple[str, subprocess.Popen]:
    port = free_port()
    env = {**os.environ, "TAGGER_ADMIN_TOKEN": TOKEN}
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


def test_request_id_is_answered_and_in_the_access_log(server, log):
    response = httpx.get(server + "/healthz", headers={"X-Request-ID": "desk-7f3a"})
    assert response.headers["X-Request-ID"] == "desk-7f3a"
    deadline = time.monotonic() + 10
    while "rid=desk-7f3a" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    line = next(line for line in log.read_text().splitlines() if "rid=desk-7f3a" in line)
    assert '"GET /healthz HTTP/1.1" 200' in line


def test_reload_through_gunicorn_keeps_every_worker_serving(server):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.post(server + "/v1/admin/reload", headers=headers).status_code == 200
    with httpx.Client(base_url=server) as client:
        for _ in range(20):  # new connections, spread over the workers
            response = client.post("/v1/tag", json={"text": STATION},
                                   headers={"Connection": "close"})
            assert response.status_code == 200


def test_sigterm_lets_the_request_in_flight_finish(model_dir, tmp_path):
    url, process = start(model_dir, tmp_path / "server.log", workers=1)
    article = "\n".join([STATION * 40] * 20)
    body = {"items": [{"text": article}] * 40, "explain": True}  # seconds of work
    answers = []
    request = threading.Thread(target=lambda: answers.append(
        httpx.post(url + "/v1/tag", json=body, timeout=120).status_code))
    request.start()
    time.sleep(0.3)  # the request is in the worker, far from done
    status = stop(process)
    request.join()
    assert (answers, status) == ([200], 0)


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
