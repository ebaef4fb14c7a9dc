"""`make bench` for test-suite use: fixture start/stop and reset (`serve --workers` 1 vs 2 is in bench/run.py).

Prints medians over repeated runs; the targets (start + stop ≤ 50 ms, reset ≤ 10 ms) are read off the table,
not asserted in unit tests.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import requests
from common import print_table

from emulator.testing import emulate_cloudinary

ROOT = Path(__file__).resolve().parent.parent
TURTLES = str(ROOT / "fixtures" / "images" / "turtles.jpg")
RUNS = 20


def fixture_timings() -> tuple[float, float, float]:
    """Median start + stop of the context manager, and median reset with a few resources stored."""
    cycles, resets = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        with emulate_cloudinary(configure_sdk=False) as cld:
            pass
        cycles.append(time.perf_counter() - started)
    with emulate_cloudinary(configure_sdk=False) as cld:
        for _ in range(RUNS):
            requests.post(f"{cld.url}/_emulator/seed", json={"resources": [
                {"public_id": f"r{i}", "file": TURTLES, "tags": "t"} for i in range(5)]}, timeout=10)
            t = time.perf_counter()
            cld.reset()
            resets.append(time.perf_counter() - t)
    return statistics.median(cycles), statistics.median(resets), max(cycles)


def main() -> None:
    cycle, reset, worst = fixture_timings()
    rows = [
        ("emulate_cloudinary() start + stop (median of 20)", f"{cycle * 1000:.1f} ms", "≤ 50 ms",
         f"max {worst * 1000:.1f} ms"),
        ("reset with 5 resources stored (median of 20)", f"{reset * 1000:.1f} ms", "≤ 10 ms", ""),
    ]
    header = ("measure", "figure", "target", "note")
    print_table(header, rows)


if __name__ == "__main__":
    main()
