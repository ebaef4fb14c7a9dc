"""`make bench` for test-suite use: fixture start/stop and reset (`serve --workers` 1 vs 2 is in bench/run.py).

Prints medians over repeated runs, the fixture's start + stop next to a bare Flask app started and stopped the same
way in the same run (werkzeug's threaded server in this process); the goals (start + stop ≤ 20 ms, reset ≤ 10 ms)
are read off the table, not asserted in unit tests.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import requests
from common import print_table
from flask import Flask, jsonify

from emulator.server import EmulatorServer
from emulator.testing import emulate_cloudinary

ROOT = Path(__file__).resolve().parent.parent
TURTLES = str(ROOT / "fixtures" / "images" / "turtles.jpg")
RUNS = 20


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


def main() -> None:
    cycle, bare, ratio, reset = fixture_timings()
    rows = [
        (f"emulate_cloudinary() start + stop (median of {RUNS})", f"{cycle * 1000:.1f} ms",
         f"{bare * 1000:.1f} ms (bare Flask app, same server)", f"{ratio:.1f}", "≤ 20 ms"),
        (f"reset with 5 resources stored (median of {RUNS})", f"{reset * 1000:.1f} ms", "", "", "≤ 10 ms"),
    ]
    header = ("measure", "figure", "baseline, same run", "ratio", "goal")
    print_table(header, rows)


if __name__ == "__main__":
    main()
