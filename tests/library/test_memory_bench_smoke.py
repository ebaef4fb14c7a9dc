"""bench/memory.py runs end to end (the full burst is `make bench`): it starts `serve`, reads its peak RSS, prints."""

from __future__ import annotations

from tests.helpers import run_bench


def test_the_memory_bench_runs_on_a_small_burst() -> None:
    done = run_bench("memory.py", "--refused-only", "--rounds", "1", "--uploads", "4", "--threads", "2")
    lines = done.stdout.splitlines()
    assert any("3 hostile delivery URLs" in line and "statuses {400: 3}" in line for line in lines), lines
    assert any("+ 4 uploads of 1.4 MB" in line and "statuses {200: 4}" in line for line in lines), lines
