"""bench/chunked.py runs end to end on a small file (the 1 GB run is `make bench`, not `make test`)."""

from __future__ import annotations

from tests.helpers import run_bench


def test_the_chunked_upload_bench_runs_on_a_small_file() -> None:
    # Speed is measured, not asserted: the bench must run, round-trip the bytes and print its table.
    lines = run_bench("chunked.py", "--size-mb", "6", "--part-mb", "2", ok=(0, 1), timeout=120).stdout.splitlines()
    for row in ("plain sequential write", "chunked upload", "delivery download", "server peak RSS growth"):
        assert any(line.startswith(f"| {row}") for line in lines), row
    assert any("bytes and sha256 round-trip" in line for line in lines)
