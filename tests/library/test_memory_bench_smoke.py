"""bench/memory.py runs end to end (the full burst is `make bench`): it starts `serve`, reads its peak RSS, prints."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "memory.py"


def test_the_memory_bench_runs_on_a_small_burst() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--refused-only", "--rounds", "1", "--uploads", "4",
                           "--threads", "2"], capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any("3 hostile delivery URLs" in line and "statuses {400: 3}" in line for line in lines), done.stdout
    assert any("+ 4 uploads of 1.4 MB" in line and "statuses {200: 4}" in line for line in lines), done.stdout
