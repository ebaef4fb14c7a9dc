"""bench/coldstart.py starts each server it compares and sees its first 200 on ping (figures are `make bench`'s)."""

from __future__ import annotations

import re

import pytest

from tests.helpers import run_bench


@pytest.mark.parametrize("kind", ["emulator", "flask"])
def test_the_cold_start_probe_reaches_a_first_ping(kind: str) -> None:
    lines = run_bench("coldstart.py", kind, timeout=120).stdout.splitlines()
    assert len(lines) == 1 and re.fullmatch(r"\d+ ms", lines[0].strip()), lines
