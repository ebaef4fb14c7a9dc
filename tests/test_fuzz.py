"""Runs the schemathesis fuzzing (tests/fuzz/) in its own pytest process, with schemathesis's plugin enabled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parent / "fuzz" / "fuzz_openapi.py"


def test_no_generated_request_gets_a_server_error_or_html() -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", str(FUZZ), "-q", "-o", "addopts=", "-p", "no:cacheprovider"],
                          cwd=FUZZ.parents[2], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert " passed" in done.stdout.splitlines()[-1], done.stdout[-2000:]
