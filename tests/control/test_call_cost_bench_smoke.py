"""bench/call_cost.py's counted process runs (without valgrind: the smoke test only checks it works)."""

from __future__ import annotations

import pytest

from tests.helpers import run_bench


@pytest.mark.parametrize("kind", ["emulator", "bare"])
@pytest.mark.parametrize("call", ["get", "tag"])
def test_a_counted_process_makes_its_calls(kind: str, call: str) -> None:
    run_bench("call_cost.py", "--child", kind, call, "25", timeout=120)
