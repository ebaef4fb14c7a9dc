"""bench/coldstart.py starts each server it compares and sees its first 200 on ping (figures are `make bench`'s)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "coldstart.py"


@pytest.mark.parametrize("kind", ["emulator", "flask"])
def test_the_cold_start_probe_reaches_a_first_ping(kind: str) -> None:
    done = subprocess.run([sys.executable, str(BENCH), kind], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.fullmatch(r"\d+ ms", done.stdout.strip()), done.stdout
