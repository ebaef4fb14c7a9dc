"""`make bench` for test-suite use: fixture start/stop and reset, and 1 vs 2 `serve --workers`.

Prints medians over repeated runs, the fixture's start + stop next to a bare Flask app started and stopped the same
way in the same run (werkzeug's threaded server in this process); the goals (start + stop ≤ 20 ms, reset ≤ 10 ms)
are read off the table, not asserted in unit tests.
"""

from __future__ import annotations

import concurrent.futures
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests
from common import free_port, print_table
from flask import Flask, jsonify

from emulator.server import EmulatorServer
from emulator.testing import emulate_cloudinary

ROOT = Path(__file__).resolve().parent.parent
TURTLES = str(ROOT / "fixtures" / "images" / "turtles.jpg")
RUNS = 20
REQUESTS = 400
CONCURRENCY = 8


def bare_app() -> Flask:
    app = Flask("bare")

    @app.get("/v1_1/demo/ping")
    def ping() -> object:
        return jsonify(status="ok")

    return app


def fixture_timings() -> tuple[float, float, float, float]:
    """Median start + stop of the context manager and of a bare Flask app served the same way (in turn), the
    median of their ratios, and median reset with a few resources stored."""
    cycles, bare, resets = [], [], []
    with emulate_cloudinary(configure_sdk=False):
        pass  # the first start of a process also imports the modules: the table is about the later ones
    for _ in range(RUNS):
        started = time.perf_counter()
        with emulate_cloudinary(configure_sdk=False) as cld:
            pass
        cycles.append(time.perf_counter() - started)
        started = time.perf_counter()
        with EmulatorServer(bare_app()):
            pass
        bare.append(time.perf_counter() - started)
    with emulate_cloudinary(configure_sdk=False) as cld:
        for _ in range(RUNS):
            requests.post(f"{cld.url}/_emulator/seed", json={"resources": [
                {"public_id": f"r{i}", "file": TURTLES, "tags": "t"} for i in range(5)]}, timeout=10)
            t = time.perf_counter()
            cld.reset()
            resets.append(time.perf_counter() - t)
    return (statistics.median(cycles), statistics.median(bare),
            statistics.median(a / b for a, b in zip(cycles, bare, strict=True)), statistics.median(resets))


def workers_throughput(workers: int) -> float:
    """Resource-details GETs per second from 8 concurrent clients against `serve --workers N`."""
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "cloudinary-emulator"), "serve", "--port", str(port),
                             "--workers", str(workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1_1/demo/resources/image/upload/sample"
    auth = ("123456789012345", "emulator_secret")
    try:
        _wait(url, auth)
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=CONCURRENCY, pool_maxsize=CONCURRENCY)
        session.mount("http://", adapter)
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(CONCURRENCY) as pool:
            codes = list(pool.map(lambda _: session.get(url, auth=auth, timeout=10).status_code, range(REQUESTS)))
        elapsed = time.perf_counter() - started
        assert set(codes) == {200}, set(codes)
        return REQUESTS / elapsed
    finally:
        proc.terminate()
        proc.wait()


def _wait(url: str, auth: tuple[str, str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url, auth=auth, timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("the emulator did not start")


def main() -> None:
    cycle, bare, ratio, reset = fixture_timings()
    one, two = workers_throughput(1), workers_throughput(2)
    rows = [
        (f"emulate_cloudinary() start + stop (median of {RUNS})", f"{cycle * 1000:.1f} ms",
         f"{bare * 1000:.1f} ms (bare Flask app, same server)", f"{ratio:.1f}", "≤ 20 ms"),
        (f"reset with 5 resources stored (median of {RUNS})", f"{reset * 1000:.1f} ms", "", "", "≤ 10 ms"),
        (f"details GET/s, {CONCURRENCY} clients, --workers 1", f"{one:.0f} req/s", "", "", ""),
        (f"details GET/s, {CONCURRENCY} clients, --workers 2", f"{two:.0f} req/s", "--workers 1", f"{two / one:.2f}",
         "≥ 1.7×"),
    ]
    header = ("measure", "figure", "baseline, same run", "ratio", "goal")
    print_table(header, rows)


if __name__ == "__main__":
    main()
