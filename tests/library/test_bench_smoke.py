"""bench/library.py runs end to end on a small library (the 100k run is `make bench`, not `make test`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "library.py"


def test_the_library_bench_runs_on_a_small_library() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--resources", "300", "--requests", "20"],
                          capture_output=True, text=True, timeout=120, check=False)
    # Speed is measured, not asserted: the bench must run and print its table, whatever the machine's figures.
    assert done.returncode in (0, 1), done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("media library, 300 resources") for line in lines)
    for row in ("resource GET", "list by tag", "two-clause search", "bare Flask JSON route", "peak RSS (MB)"):
        assert any(line.startswith(f"| {row}") for line in lines), row
    assert lines[-1] == ("targets met" if done.returncode == 0 else "TARGETS MISSED")
