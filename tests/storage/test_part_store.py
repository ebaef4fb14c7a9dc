"""Parts of chunked uploads on disk: any order, concurrent, assembled once, abandoned ones swept."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest

from emulator.backend.models import ByteRange, PartRejected
from emulator.storage.parts import PartStore

DATA = os.urandom(10_000)


@pytest.fixture
def parts(tmp_path: Path) -> PartStore:
    return PartStore(tmp_path / "uploads", timeout=60)


def send(parts: PartStore, first: int, last: int, total: int | None, upload: str = "u1"):  # type: ignore[no-untyped-def]
    return parts.receive(upload, ByteRange(first, last, total), io.BytesIO(DATA[first:last + 1]))


def test_parts_in_order_assemble_the_file_on_the_last_one(parts: PartStore) -> None:
    assert send(parts, 0, 3999, 10_000).assembled is None
    middle = send(parts, 4000, 7999, 10_000)
    assert (middle.received, middle.total, middle.assembled) == (8000, 10_000, None)
    done = send(parts, 8000, 9999, 10_000)
    assert done.assembled is not None and done.assembled.read_bytes() == DATA
    assert parts.pending() == 0


def test_parts_out_of_order_assemble_when_the_gaps_are_filled(parts: PartStore) -> None:
    assert send(parts, 8000, 9999, 10_000).assembled is None
    assert send(parts, 0, 3999, 10_000).assembled is None
    done = send(parts, 4000, 7999, 10_000)
    assert done.assembled is not None and done.assembled.read_bytes() == DATA


def test_an_unknown_total_waits_for_the_part_that_tells_it(parts: PartStore) -> None:
    """Node's upload_chunked_stream and Java's uploadLarge of a stream send ``/-1`` until the last part."""
    assert send(parts, 0, 4999, None).total is None
    done = send(parts, 5000, 9999, 10_000)
    assert done.assembled is not None and done.assembled.read_bytes() == DATA


def test_concurrent_parts_assemble_exactly_once(parts: PartStore) -> None:
    size = 500
    results = []
    lock = threading.Lock()

    def part(first: int) -> None:
        receipt = send(parts, first, first + size - 1, len(DATA), upload="concurrent")
        with lock:
            results.append(receipt)

    threads = [threading.Thread(target=part, args=(first,)) for first in range(0, len(DATA), size)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assembled = [r.assembled for r in results if r.assembled is not None]
    assert len(assembled) == 1
    assert assembled[0].read_bytes() == DATA


def test_uploads_with_different_ids_do_not_mix(parts: PartStore) -> None:
    send(parts, 0, 4999, 10_000, upload="a")
    assert send(parts, 5000, 9999, 10_000, upload="b").assembled is None
    assert parts.pending() == 2


def test_a_total_that_contradicts_an_earlier_part_is_rejected(parts: PartStore) -> None:
    send(parts, 0, 4999, 10_000)
    with pytest.raises(PartRejected, match="differs from the total 10000"):
        send(parts, 5000, 9999, 20_000)


def test_a_range_past_the_known_total_is_rejected(parts: PartStore) -> None:
    send(parts, 0, 4999, None)
    with pytest.raises(PartRejected, match="end past the total 4000"):
        send(parts, 0, 4999, 4000)


def test_abandoned_uploads_are_swept_after_the_timeout(tmp_path: Path) -> None:
    now = [1e12]
    parts = PartStore(tmp_path / "uploads", timeout=60, now=lambda: now[0])
    send(parts, 0, 4999, 10_000)
    assert parts.pending() == 1
    assert parts.sweep() == 1
    assert parts.pending() == 0


def test_a_recent_upload_is_not_swept(parts: PartStore) -> None:
    send(parts, 0, 4999, 10_000)
    assert parts.sweep() == 0
    assert parts.pending() == 1
