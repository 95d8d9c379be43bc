"""Load benchmark of the HTTP service: the real gunicorn server (`tagger serve`) over loopback.

Sends bounded load of single-paragraph and 20-item requests at concurrency 1 and 50 with httpx
and prints requests/s, p50/p99 latency and errors beside the in-process ``Model.tag()`` latency
of the same texts. At concurrency 1 the HTTP requests and the in-process calls alternate in
rounds, so that both meet the same machine load; at concurrency 50 the client is one connection
per thread, the threads spread over a few processes. Then it times ``/healthz`` and one
paragraph, one request at a time, while 200 connections stall. Targets on a 2-core machine,
client included: no errors, HTTP overhead (p50 at concurrency 1 minus in-process p50) under
2 ms, at least 400 single-paragraph requests/s at concurrency 50, answers under 1 s beside
the stalled connections.

    python benchmarks/bench_service.py [--workers 2] [--model DIR]
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

HOST = "127.0.0.1"
TAGGER = Path(sys.executable).with_name("tagger")
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PARAGRAPH = ("市总工会联合市人社局举办全市职工职业技能大赛，设置电工、焊工、数控车工等8个工种，"
             "吸引来自120家企业的600余名职工参赛，获奖选手将按规定晋升相应职业技能等级。")
# (body, concurrency, most requests, at most seconds)
SCENARIOS = [("single", 1, 1000, 30), ("single", 50, 3000, 30),
             ("items20", 1, 300, 30), ("items20", 50, 800, 30)]
ROUNDS = 10
WARMUP = 50
# Client processes at concurrency 50: the client is Python too, and shares the machine.
CLIENT_PROCESSES = 5
JSON = {"Content-Type": "application/json"}
OVERHEAD_TARGET_MS = 2.0
THROUGHPUT_TARGET = 400
# Stalled clients held open while /healthz and one paragraph are timed, one request at a time.
STALLED = 200
STALLED_REQUESTS = 50
STALLED_TIMEOUT = 10


@dataclass
class Run:
    name: str
    concurrency: int
    latencies: list[float]
    errors: int
    seconds: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def seed_paragraphs(count: int) -> list[str]:
    lines = [line.strip() for path in sorted(SEEDS.glob("*.txt"))
             for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 20]
    return (lines * (count // max(len(lines), 1) + 1))[:count]


def start_server(port: int, workers: int, model: str | None, log) -> subprocess.Popen:
    command = [str(TAGGER), "serve", "--host", HOST, "--port", str(port),
               "--workers", str(workers)]
    if model:
        command += ["--model", model]
    return subprocess.Popen(command, stdout=log, stderr=log)


def wait_ready(url: str, server: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited with status {server.returncode}")
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server not ready after {timeout:.0f} s")


def _post(client: httpx.Client, content: bytes) -> float | None:
    """Seconds to an answer of 200, or None for any other outcome."""
    started = time.perf_counter()
    try:
        ok = client.post("/v1/tag", content=content, headers=JSON).status_code == 200
    except httpx.HTTPError:
        ok = False
    return time.perf_counter() - started if ok else None


def _timed(call, times: int) -> list[float]:
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return timings


def sequential(url: str, name: str, body: dict, model, requests: int,
               seconds: float) -> tuple[Run, float]:
    """Concurrency 1, alternating with in-process ``tag()``: the run and the in-process p50."""
    texts = [body["text"]] if "text" in body else [item["text"] for item in body["items"]]
    content = json.dumps(body, ensure_ascii=False).encode()
    latencies, errors, local = [], 0, []
    with httpx.Client(base_url=url, timeout=60) as client:
        _timed(lambda: (client.post("/v1/tag", content=content, headers=JSON),
                        model.tag(texts)), WARMUP)
        started = time.perf_counter()
        for _ in range(ROUNDS):
            local += _timed(lambda: model.tag(texts), max(requests // ROUNDS // 2, 10))
            answers = [_post(client, content) for _ in range(requests // ROUNDS)]
            latencies += [a for a in answers if a is not None]
            errors += answers.count(None)
            if time.perf_counter() - started > seconds:
                break
    elapsed = sum(latencies)  # requests/s of the HTTP part alone
    return Run(name, 1, latencies, errors, elapsed), statistics.median(local) * 1000


def _thread(url, content, budget, lock, deadline, latencies, errors) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        while time.perf_counter() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            answer = _post(client, content)
            (errors if answer is None else latencies).append(answer)


def _client_process(url: str, content: bytes, threads: int, requests: int,
                    seconds: float) -> tuple[list[float], int]:
    """One client process: ``threads`` connections, each sending one request at a time."""
    budget, lock, latencies, errors = [requests], threading.Lock(), [], []
    deadline = time.perf_counter() + seconds
    workers = [threading.Thread(target=_thread, args=(url, content, budget, lock, deadline,
                                                      latencies, errors))
               for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, len(errors)


def concurrent(url: str, name: str, body: dict, concurrency: int, requests: int,
               seconds: float) -> Run:
    """Sync httpx clients in threads, spread over processes so that no GIL caps the client."""
    content = json.dumps(body, ensure_ascii=False).encode()
    processes = max(1, min(CLIENT_PROCESSES, concurrency // 10))
    shares = [(url, content, concurrency // processes + (i < concurrency % processes),
               requests // processes, seconds) for i in range(processes)]
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_client_process, *zip(*[(url, content, 1, WARMUP // processes, seconds)
                                               for _ in range(processes)], strict=True)))
        started = time.perf_counter()
        parts = list(pool.map(_client_process, *zip(*shares, strict=True)))
        elapsed = time.perf_counter() - started
    latencies = [latency for part, _ in parts for latency in part]
    return Run(name, concurrency, latencies, sum(errors for _, errors in parts), elapsed)


def measure(url: str, model, bodies: dict) -> tuple[list[Run], dict[str, float]]:
    runs, in_process = [], {}
    for name, concurrency, requests, seconds in SCENARIOS:
        if concurrency == 1:
            run, in_process[name] = sequential(url, name, bodies[name], model, requests, seconds)
        else:
            run = concurrent(url, name, bodies[name], concurrency, requests, seconds)
        runs.append(run)
    return runs, in_process


def _stall(port: int, count: int) -> list[socket.socket]:
    """Connections that send half a request head, or nothing, and wait."""
    stalled = []
    for n in range(count):
        sock = socket.create_connection((HOST, port), timeout=10)
        if n % 2:
            sock.sendall(b"POST /v1/tag HTTP/1.1\r\nHost: x\r\n")
        stalled.append(sock)
    return stalled


def _exchange(port: int, raw: bytes) -> float | None:
    """Seconds to a 200 on a new connection, or None."""
    started = time.perf_counter()
    try:
        with socket.create_connection((HOST, port), timeout=STALLED_TIMEOUT) as sock:
            sock.sendall(raw)
            response = http.client.HTTPResponse(sock)
            response.begin()
            response.read()
    except OSError:
        return None
    return time.perf_counter() - started if response.status == 200 else None


def stalled(port: int, count: int) -> dict[str, Run]:
    """Latency of /healthz and of one paragraph while ``count`` connections stall."""
    body = json.dumps({"text": PARAGRAPH}, ensure_ascii=False).encode()
    requests = {
        "healthz": b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "single": b"POST /v1/tag HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                  b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                  % (len(body), body)}
    sockets = _stall(port, count)
    try:
        answers = {name: [_exchange(port, raw) for _ in range(STALLED_REQUESTS)]
                   for name, raw in requests.items()}
    finally:
        for sock in sockets:
            sock.close()
    return {name: Run(name, 1, [a for a in got if a is not None], got.count(None), 1.0)
            for name, got in answers.items()}


def report_stalled(runs: dict[str, Run], count: int) -> int:
    """Print the latencies beside stalled connections; the number of failed requests."""
    print(f"\nwith {count} stalled connections (half a request head, or nothing):")
    for run in runs.values():
        figures = (f"p50 {run.percentile(0.5):.2f} ms, max {run.percentile(1.0):.2f} ms"
                   if run.latencies else "no answer")
        print(f"{run.name:<9} {figures}, {run.errors} failed (target: max < 1000 ms)")
    return sum(run.errors for run in runs.values())


def report(runs: list[Run], in_process: dict[str, float], workers: int) -> int:
    """Print the figures; the number of failed requests."""
    print(f"\ngunicorn, service.worker.TaggerWorker, {workers} worker(s), {os.cpu_count()} "
          "CPU(s), client included")
    print(f"{'request':<9} {'conc':>4} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'errors':>6}")
    for run in runs:
        print(f"{run.name:<9} {run.concurrency:>4} {len(run.latencies):>8} {run.rate:>8.1f} "
              f"{run.percentile(0.5):>8.2f} {run.percentile(0.99):>8.2f} {run.errors:>6}")
    ok = True
    for name, p50 in in_process.items():
        http = next(r for r in runs if r.name == name and r.concurrency == 1).percentile(0.5)
        print(f"{name}: in-process tag() p50 {p50:.2f} ms; HTTP overhead at concurrency 1 "
              f"{http - p50:.2f} ms" + (f" (target < {OVERHEAD_TARGET_MS} ms)"
                                       if name == "single" else ""))
        ok &= name != "single" or http - p50 < OVERHEAD_TARGET_MS
    rate = next(r for r in runs if r.name == "single" and r.concurrency == 50).rate
    print(f"single at concurrency 50: {rate:.0f} requests/s (target >= {THROUGHPUT_TARGET})")
    errors = sum(run.errors for run in runs)
    print(f"errors: {errors}")
    ok &= rate >= THROUGHPUT_TARGET and not errors
    print("targets met" if ok else "targets missed")
    return errors


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--model", default=None, help="artifact directory")
    args = parser.parse_args(argv)
    import jieba  # imported before quietening: importing it resets its logger

    jieba.setLogLevel(logging.WARNING)
    import classifier

    model = classifier.load_model(args.model)
    bodies = {"single": {"text": PARAGRAPH},
              "items20": {"items": [{"id": str(i), "text": t}
                                    for i, t in enumerate(seed_paragraphs(20))]}}
    port = free_port()
    url = f"http://{HOST}:{port}"
    with tempfile.TemporaryFile("w+") as log:
        server = start_server(port, args.workers, args.model, log)
        try:
            wait_ready(url, server)
            runs, in_process = measure(url, model, bodies)
            slow = stalled(port, STALLED)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    failed = report(runs, in_process, args.workers) + report_stalled(slow, STALLED)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
