"""bench/chunked.py runs end to end on a small file (the 1 GB run is `make bench`, not `make test`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "chunked.py"


def test_the_chunked_upload_bench_runs_on_a_small_file() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--size-mb", "6", "--part-mb", "2"],
                          capture_output=True, text=True, timeout=120, check=False)
    # Speed is measured, not asserted: the bench must run, round-trip the bytes and print its table.
    assert done.returncode in (0, 1), done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for row in ("plain sequential write", "chunked upload", "delivery download", "server peak RSS growth"):
        assert any(line.startswith(f"| {row}") for line in lines), row
    assert "bytes and sha256 round-trip" in done.stdout
