"""bench/upload_cost.py's counted process runs each app (callgrind itself runs in `make bench`, not here)."""

from __future__ import annotations

import pytest

from tests.helpers import run_bench


@pytest.mark.parametrize("kind", ["emulator", "echo", "echo-multipart"])
@pytest.mark.parametrize("new_bytes", [[], ["--new-bytes"]])
def test_the_counted_uploads_answer_200(kind: str, new_bytes: list[str]) -> None:
    # Speed is measured, not asserted: every upload of the counted process must answer 200 (it exits 0).
    run_bench("upload_cost.py", "--child", kind, "7", *new_bytes, timeout=120)
