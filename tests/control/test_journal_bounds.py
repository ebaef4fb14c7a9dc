"""The journal is bounded: long parameters kept as head, size and sha256; oldest entries dropped by bytes; paged."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cloudinary.uploader  # noqa: F401  (the sdk fixture's attribute access)
import pytest
import requests
from flask import Flask

from emulator.app import create_app
from emulator.config import load_config
from emulator.control.journal import MAX_ENTRIES, MAX_VALUE, Entry, Journal
from emulator.control.store import ControlStore
from emulator.server import EmulatorServer
from tests.conftest import TURTLES


def test_a_data_uri_is_journalled_as_its_head_size_and_sha256(sdk: Any, server: EmulatorServer) -> None:
    uri = "data:image/jpeg;base64," + base64.b64encode(TURTLES.read_bytes()).decode()
    sdk.uploader.upload(uri, public_id="t")
    entry = server.app.extensions["cloudinary_emulator"].control.journal.entries(operation="upload")[-1]
    digest = hashlib.sha256(uri.encode()).hexdigest()
    assert entry["params"]["file"] == f"{uri[:64]}… [{len(uri)} bytes, sha256 {digest}]"
    assert entry["params"]["public_id"] == "t"


def _entry(i: int, value: str = "") -> Entry:
    return Entry(at=1_700_000_000 + i, operation="upload", method="POST", path=f"/p/{i}", status=200,
                 duration_ms=1.0, params={"n": str(i), "v": value})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ControlStore]:
    opened = ControlStore(tmp_path)
    yield opened
    opened.close()


def test_the_journal_keeps_its_newest_entries_within_its_byte_budget(store: ControlStore) -> None:
    journal = Journal(store, max_bytes=64 * 1024)
    for i in range(1, 401):
        journal.record(_entry(i, "x" * (MAX_VALUE - 24)))  # ~1 KB each: 400 KB written
    kept = journal.entries(limit=10_000)
    assert 50 <= len(kept) <= 64 + 50  # within the budget, give or take one trimming interval
    assert kept[-1]["params"]["n"] == "400" and [e["params"]["n"] for e in kept] == [
        str(i) for i in range(401 - len(kept), 401)]
    total = store.one("SELECT SUM(size) FROM journal")
    assert total is not None and total[0] <= 64 * 1024 + 50 * 1100


def test_the_journal_keeps_at_most_its_entry_count_of_small_entries(store: ControlStore) -> None:
    journal = Journal(store)  # the byte budget is far away: the count alone trims
    for i in range(1, MAX_ENTRIES + 101):
        journal.record(_entry(i))
    (count, oldest, newest) = store.one("SELECT count(*), min(id), max(id) FROM journal") or (0, 0, 0)
    assert MAX_ENTRIES <= count <= MAX_ENTRIES + 50 and newest == MAX_ENTRIES + 100
    assert oldest == newest - count + 1  # the oldest went, none in between


def test_a_journal_far_from_its_byte_budget_seldom_adds_up_its_size(store: ControlStore) -> None:
    """Adding up every entry's size scans the whole journal: far below the budget it waits until half the room
    left could have been written (in entries as large as the largest written), not every fifty entries."""
    journal = Journal(store)  # 16 MB
    sums: list[str] = []
    store.trace(lambda sql: sums.append(sql) if "SUM(size)" in sql else None)
    for i in range(1, 1001):
        journal.record(_entry(i))
    store.trace(None)
    assert len(sums) == 1  # at the fiftieth entry; every fifty before


def test_entries_larger_than_any_before_bring_the_next_look_at_the_total_forward(store: ControlStore) -> None:
    """Small entries plan the next look at the total far ahead; large ones after them must not wait for it."""
    journal = Journal(store, max_bytes=1024 * 1024)
    for i in range(1, 101):
        journal.record(_entry(i))
    large = {f"k{k}": "x" * (MAX_VALUE - 24) for k in range(40)}  # some 40 KB an entry
    for i in range(101, 201):
        journal.record(Entry(at=1_700_000_000 + i, operation="upload", method="POST", path=f"/p/{i}", status=200,
                             duration_ms=1.0, params=large))  # 4 MB written
    total = store.one("SELECT SUM(size) FROM journal")
    assert total is not None and total[0] <= 1024 * 1024 + 50 * 41_000


def test_two_workers_keep_the_journal_within_its_byte_budget(tmp_path: Path) -> None:
    """Two connections (as two worker processes have) write alternately: each plans its next look at the total by
    the shared entry ids, so the other's entries are counted too."""
    stores = [ControlStore(tmp_path), ControlStore(tmp_path)]
    try:
        journals = [Journal(s, max_bytes=64 * 1024) for s in stores]
        for i in range(1, 801):
            journals[i % 2].record(_entry(i, "x" * (MAX_VALUE - 24)))
            if i % 100 == 0:
                total = stores[0].one("SELECT SUM(size) FROM journal")
                assert total is not None and total[0] <= 64 * 1024 + 50 * 1100
    finally:
        for s in stores:
            s.close()


def test_pages_walk_back_through_the_journal_without_gaps(store: ControlStore) -> None:
    journal = Journal(store)
    for i in range(1, 26):
        journal.record(_entry(i))
    seen: list[str] = []
    page = journal.page(limit=10)
    while True:
        seen = [e["params"]["n"] for e in page.entries] + seen
        if page.next_before is None:
            break
        page = journal.page(limit=10, before=page.next_before)
    assert seen == [str(i) for i in range(1, 26)]


def test_the_http_journal_is_paged(server: EmulatorServer) -> None:
    for _ in range(3):
        requests.get(f"{server.url}/v1_1/demo/resources/image", timeout=5)
    first = requests.get(f"{server.url}/_emulator/requests?limit=2", timeout=5).json()
    assert len(first["requests"]) == 2 and first["next_before"] == first["requests"][0]["id"]
    rest = requests.get(f"{server.url}/_emulator/requests?limit=2&before={first['next_before']}", timeout=5).json()
    assert len(rest["requests"]) == 1 and rest["next_before"] is None
    bad = requests.get(f"{server.url}/_emulator/requests?before=x", timeout=5)
    assert (bad.status_code, bad.json()) == (400, {"error": {"message": "before must be a whole number"}})


def test_an_old_data_dir_gets_the_size_column(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "control.sqlite3")
    db.execute("CREATE TABLE journal (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, cloud TEXT, "
               "operation TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, params TEXT NOT NULL, "
               "status TEXT NOT NULL, duration_ms REAL NOT NULL, warnings TEXT NOT NULL)")
    db.execute("INSERT INTO journal (at, operation, method, path, params, status, duration_ms, warnings) "
               "VALUES (1, 'upload', 'POST', '/x', '{}', '200', 1, '[]')")
    db.commit()
    db.close()
    app: Flask = create_app(load_config({"data_dir": str(tmp_path)}, env={}))
    try:
        entries = app.extensions["cloudinary_emulator"].control.journal.entries()
        assert [e["path"] for e in entries] == ["/x"]
    finally:
        app.extensions["cloudinary_emulator"].close()
