"""Load benchmark of the HTTP service: the real gunicorn server (`tagger serve`) over loopback.

The load comes from ``wrk`` (Debian's package ``wrk``), a compiled client that costs little of
the cores it measures. It posts one 3-paragraph union-news text to ``/v1/tag`` at concurrency 1
and 50 and reports requests/s and p50/p99 latency, each the median of a few short runs, beside
the in-process ``Model.tag()`` latency of the same text; the difference at concurrency 1 is what
HTTP adds to a request. ``GET /healthz`` under the same load gives the server's own cost, with
no tagging. Then it times ``/healthz`` and one paragraph, one request at a time, while 200
connections stall in their headers or say nothing.

    python benchmarks/bench_service.py [--workers 2] [--model DIR] [--runs 3] [--seconds 3]

``run(model_dir)`` does the same for ``benchmarks/bench_model.py`` and returns the lines.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"
TAGGER = Path(sys.executable).with_name("tagger")
WORKERS = 2
RUNS = 3
SECONDS = 3
WARMUP_SECONDS = 1
CONCURRENCIES = (1, 50)
IN_PROCESS_CALLS = 200
# Three paragraphs of union news (the first two from seeds/000_d5e17816fe3f100d.txt).
ARTICLE = "\n".join([
    "当日,安康市总工会举行安康市货车司机集中入会暨关爱服务活动、恒口示范区毛绒玩具企业集中建会"
    "授牌仪式。今年以来,安康市新发展货车司机会员243人。",
    "今年,安康市总工会预算200万元用于“小三级”工会阵地建设,依托党群和便民服务中心资源优势,"
    "把爱心驿站、子女托管班、职工书屋、母婴关爱室等“工”字元素融入其中,弥补了工会阵地建设场地"
    "限制短板。",
    "市总工会联合市人社局举办全市职工职业技能大赛，设置电工、焊工、数控车工等8个工种，"
    "吸引来自120家企业的600余名职工参赛，获奖选手将按规定晋升相应职业技能等级。",
])
PARAGRAPH = ARTICLE.splitlines()[-1]
# Issue 13's targets for the 3-paragraph text on 2 workers, 2 cores.
P50_TARGET_MS = 3.0
RATE_TARGET = 1000
# Stalled clients held open while /healthz and one paragraph are timed, one request at a time.
STALLED = 200
STALLED_REQUESTS = 50
STALLED_TIMEOUT = 10
STALLED_TARGET_MS = 1000

# wrk's script: POST the body (or GET); at the end, one JSON line of the figures (latency in µs).
_WRK_POST = """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = "%s"
"""
_WRK_DONE = """\
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nWRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"errors": %d, "non_2xx": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def wrk_script(body: bytes | None = None) -> str:
    """The Lua script that posts ``body`` (every byte as a decimal escape, so any UTF-8 fits),
    or GETs without it, and prints the figures at the end."""
    if body is None:
        return _WRK_DONE
    return _WRK_POST % "".join(f"\\{byte:03d}" for byte in body) + _WRK_DONE


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int, model_dir, log) -> subprocess.Popen:
    command = [str(TAGGER), "serve", "--host", HOST, "--port", str(port),
               "--workers", str(workers)]
    if model_dir:
        command += ["--model", str(model_dir)]
    return subprocess.Popen(command, stdout=log, stderr=log)


def _get(port: int, path: str) -> int | None:
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=2)
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None


def wait_ready(port: int, server: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited with status {server.returncode}")
        if _get(port, "/readyz") == 200:
            return
        time.sleep(0.2)
    raise SystemExit(f"server not ready after {timeout:.0f} s")


def check_answer(port: int, body: bytes, model) -> None:
    """The server tags the text as the model does in-process, before any load is timed."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request("POST", "/v1/tag", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    answer = json.loads(response.read())
    expected = model.tag([json.loads(body)["text"]])[0].to_dict()
    if response.status != 200 or answer != json.loads(json.dumps(expected)):
        raise SystemExit(f"the server answered {response.status}: {answer}")


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server: its master process and the workers it forked."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk(url: str, script: Path, concurrency: int, seconds: int, pid: int) -> dict:
    """One wrk run on one thread: requests/s, p50 and p99 in ms, failed requests, and the
    server's CPU time per request in ms, which other load on the machine changes little."""
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(script), url]
    cpu = server_cpu(pid)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = server_cpu(pid) - cpu
    line = next(line for line in out.splitlines() if line.startswith("WRK "))
    figures = json.loads(line[4:])
    return {"rate": figures["requests"] / (figures["duration_us"] / 1e6),
            "p50_ms": figures["p50_us"] / 1000, "p99_ms": figures["p99_us"] / 1000,
            "cpu_ms": cpu * 1000 / max(figures["requests"], 1),
            "failed": figures["errors"] + figures["non_2xx"]}


def load(url: str, script: Path, pid: int, runs: int, seconds: int,
         beside=None) -> dict[int, dict]:
    """Per concurrency, the median of each figure over ``runs`` runs (failures summed).

    With ``beside`` (a round of in-process timing, its p50 in ms), each run at concurrency 1
    follows such a round, so that both meet the same machine load: ``in_process_ms`` is the
    median of the rounds, ``overhead_ms`` that of the run's p50 minus its round's.
    """
    figures = {}
    for concurrency in CONCURRENCIES:
        wrk(url, script, concurrency, WARMUP_SECONDS, pid)
        measured, local = [], []
        for _ in range(runs):
            if beside is not None and concurrency == 1:
                local.append(beside())
            measured.append(wrk(url, script, concurrency, seconds, pid))
        figures[concurrency] = {key: statistics.median(m[key] for m in measured)
                                for key in ("rate", "p50_ms", "p99_ms", "cpu_ms")}
        figures[concurrency]["failed"] = sum(m["failed"] for m in measured)
        if local:
            figures[concurrency]["in_process_ms"] = statistics.median(local)
            figures[concurrency]["overhead_ms"] = statistics.median(
                m["p50_ms"] - ms for m, ms in zip(measured, local, strict=True))
    return figures


def in_process(model, text: str) -> float:
    """The p50 of ``model.tag([text])`` over a round of calls, in ms."""
    timings = []
    for _ in range(IN_PROCESS_CALLS):
        started = time.perf_counter()
        model.tag([text])
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


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


def stalled(port: int, count: int) -> dict[str, list[float | None]]:
    """Seconds to each answer of /healthz and of one paragraph while ``count`` connections
    stall (None for a failure)."""
    body = json.dumps({"text": PARAGRAPH}, ensure_ascii=False).encode()
    requests = {
        "healthz": b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "paragraph": b"POST /v1/tag HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(body), body)}
    sockets = _stall(port, count)
    try:
        return {name: [_exchange(port, raw) for _ in range(STALLED_REQUESTS)]
                for name, raw in requests.items()}
    finally:
        for sock in sockets:
            sock.close()


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(figures: dict, slow: dict, workers: int) -> tuple[
        list[str], bool]:
    """The lines to print, and whether every target was met with no failed request."""
    one, fifty = figures["tag"][1], figures["tag"][50]
    floor = figures["healthz"]
    lines = [f"HTTP: gunicorn, service.worker.TaggerWorker, {workers} workers, "
             f"{os.cpu_count()} CPUs, wrk on 1 thread; 3-paragraph text "
             f"({len(ARTICLE)} characters); medians of runs",
             f"HTTP c=1  p50 {one['p50_ms']:.2f} ms (target <= {P50_TARGET_MS:g} ms)  "
             f"{_verdict(one['p50_ms'] <= P50_TARGET_MS)}",
             f"HTTP c=1  p99 {one['p99_ms']:.2f} ms, {one['rate']:.0f} requests/s",
             f"HTTP c=50 {fifty['rate']:.0f} requests/s (target >= {RATE_TARGET})  "
             f"{_verdict(fifty['rate'] >= RATE_TARGET)}",
             f"HTTP c=50 p50 {fifty['p50_ms']:.2f} ms, p99 {fifty['p99_ms']:.2f} ms; server CPU "
             f"{fifty['cpu_ms']:.2f} ms a request (c=1: {one['cpu_ms']:.2f} ms)",
             f"HTTP in-process tag() p50 {one['in_process_ms']:.2f} ms; per-request HTTP "
             f"overhead (c=1 p50 minus it, run by run) {one['overhead_ms']:.2f} ms",
             f"HTTP GET /healthz, no tagging: c=1 p50 {floor[1]['p50_ms']:.2f} ms, c=50 "
             f"{floor[50]['rate']:.0f} requests/s, server CPU {floor[50]['cpu_ms']:.2f} ms a "
             "request (the server's own cost)"]
    failed = sum(run["failed"] for runs in figures.values() for run in runs.values())
    ok = one["p50_ms"] <= P50_TARGET_MS and fifty["rate"] >= RATE_TARGET
    for name, got in slow.items():
        answered = sorted(t * 1000 for t in got if t is not None)
        errors = len(got) - len(answered)
        failed += errors
        slowest = answered[-1] if answered else float("inf")
        figures_text = (f"p50 {statistics.median(answered):.2f} ms, max {slowest:.2f} ms"
                        if answered else "no answer")
        lines.append(f"HTTP {STALLED} stalled connections: {name} {figures_text}, {errors} "
                     f"failed (target: max < {STALLED_TARGET_MS} ms)  "
                     f"{_verdict(slowest < STALLED_TARGET_MS)}")
        ok &= slowest < STALLED_TARGET_MS
    lines.append(f"HTTP failed requests: {failed}")
    return lines, ok and not failed


def run(model_dir=None, workers: int = WORKERS, runs: int = RUNS,
        seconds: int = SECONDS) -> dict:
    """Serve ``model_dir`` (default ``models/current``) with gunicorn and measure it.

    Returns ``{"lines": [...], "ok": bool, "figures": {...}}``: the report's lines, whether
    every target was met with no failed request, and the figures (none without wrk): for
    ``"tag"`` and ``"healthz"`` by concurrency (1, 50) the medians of ``rate`` (requests/s),
    ``p50_ms``, ``p99_ms`` and ``cpu_ms`` (the server's CPU time a request), with ``failed``
    requests summed; ``figures["tag"][1]`` also has ``in_process_ms`` and ``overhead_ms``.
    """
    if shutil.which("wrk") is None:
        return {"lines": ["HTTP: not measured: the load generator wrk is not installed "
                          "(apt-get install wrk, or `make wrk` as root)"], "ok": False,
                "figures": {}}
    import jieba  # imported before quietening: importing it resets its logger

    jieba.setLogLevel(logging.WARNING)
    import classifier

    model = classifier.load_model(model_dir)
    body = json.dumps({"text": ARTICLE}, ensure_ascii=False).encode()
    port = free_port()
    with tempfile.TemporaryDirectory() as scratch, open(Path(scratch) / "log", "w+") as log:
        scripts = {"tag": Path(scratch) / "tag.lua", "healthz": Path(scratch) / "get.lua"}
        scripts["tag"].write_text(wrk_script(body), encoding="ascii")
        scripts["healthz"].write_text(wrk_script(), encoding="ascii")
        server = start_server(port, workers, model_dir, log)
        try:
            wait_ready(port, server)
            check_answer(port, body, model)
            model.tag([ARTICLE])
            url = f"http://{HOST}:{port}"
            figures = {"tag": load(url + "/v1/tag", scripts["tag"], server.pid, runs, seconds,
                                   beside=lambda: in_process(model, ARTICLE)),
                       "healthz": load(url + "/healthz", scripts["healthz"], server.pid, runs,
                                       seconds)}
            slow = stalled(port, STALLED)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    lines, ok = report(figures, slow, workers)
    return {"lines": lines, "ok": ok, "figures": figures}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--model", default=None, help="artifact directory")
    parser.add_argument("--runs", type=int, default=RUNS, help="runs per figure (median)")
    parser.add_argument("--seconds", type=int, default=SECONDS, help="length of one run")
    args = parser.parse_args(argv)
    result = run(args.model, args.workers, args.runs, args.seconds)
    print("\n".join(result["lines"]))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
