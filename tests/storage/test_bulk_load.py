"""``bulk_load``: the secondary indexes dropped for a load and built at its end. Whatever the path, the database
must end as a plain load leaves it, answer every query the same, and survive a crash in the middle."""

from __future__ import annotations

import contextlib
import gc
import pickle
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from emulator.backend.models import Resource
from emulator.backend.queries import Listing
from emulator.storage import bulk, schema
from emulator.storage.sqlite import SQLiteStorage
from tests.helpers import make, search_pages

T0 = 1_700_000_000.0
BLOB = b"bytes of every resource"
TABLES = ("resources", "resource_tags", "tag_counts", "resource_context", "resource_terms", "resource_metadata")


def _snapshot(store: SQLiteStorage) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the resource tables, the schema (indexes included) and the planner statistics."""
    out = {t: sorted(tuple(row) for row in store._read(f"SELECT * FROM {t}")) for t in TABLES}
    out["schema"] = sorted(tuple(row) for row in store._read("SELECT type, name, sql FROM sqlite_master"))
    out["statistics"] = sorted(tuple(row) for row in store._read("SELECT * FROM sqlite_stat1"))
    return out


def _indexes(store: SQLiteStorage) -> set[str]:
    return {row[0] for row in store._read("SELECT name FROM sqlite_master WHERE type = 'index'")}


def _library(start: int, count: int) -> list[Resource]:
    """Resources in nested folders with shared tags, context on some, ties in created_at."""
    return [make(f"f{i % 3}/s{i % 2}/img_{i:03d}", created_at=T0 + i // 2, width=400 + 150 * (i % 6),
                 tags=(f"t{i % 4}", "all") + (("rare",) if i % 11 == 0 else ()),
                 context={"shop": ("north", "south")[i % 2]} if i % 3 == 0 else {}) for i in range(start, count)]


def _batches() -> list[list[Resource]]:
    """Two batches of new keys, then one that replaces some of them and repeats a key."""
    again = [replace(make("f1/s1/img_001", created_at=T0 + 0.5, tags=("t9",)), width=999),
             make("new/one", created_at=T0 + 100, tags=("all",)), make("new/one", created_at=T0 + 101, tags=("t1",))]
    return [_library(0, 30), _library(30, 60), again]


def _load(store: SQLiteStorage, batches: list[list[Resource]]) -> None:
    for batch in batches:
        store.put_many(batch, {batch[0].sha256: BLOB})


def _listing(store: SQLiteStorage, **query: object) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        page = store.list_resources(Listing("demo", "image", limit=4, after=after, **query))  # type: ignore[arg-type]
        seen += [r.public_id for r in page.items]
        if page.next_key is None:
            return seen
        after = page.next_key


def _answers(store: SQLiteStorage) -> dict[str, object]:
    """What lists, tags, folders, searches (every page, with its total) and lookups answer."""
    return {
        "all": _listing(store), "by tag": _listing(store, tag="t1"), "by prefix": _listing(store, prefix="f1/"),
        "by context": _listing(store, context_key="shop", context_value="north"),
        "tags": store.tags("demo", "image", None, None, 100),
        "folders": sorted(store.asset_folders("demo")), "in folder": store.count_in_folder("demo", "f2"),
        "usage": store.usage("demo"),
        **{f"search {e}": search_pages(store, e, 4, now=T0) for e in (
            "tags=all AND width>700", "tags=rare", "tags:t1", "folder=f1/s0", "public_id:img_00*",
            "context.shop=north AND NOT tags=t2")},
        "by sha256": store.find_by_sha256("demo", make("x").sha256),
        "by asset id": store.find_by_asset_id("demo", make("f0/s0/img_000").asset_id),
    }


def test_a_bulk_load_leaves_the_database_a_plain_load_leaves() -> None:
    plain, loaded = SQLiteStorage(None), SQLiteStorage(None)
    try:
        _load(plain, _batches()[:1])
        _load(loaded, _batches()[:1])  # bulk loading into a library that holds resources already
        _load(plain, _batches()[1:])
        with loaded.bulk_load():
            _load(loaded, _batches()[1:])
        assert _snapshot(loaded) == _snapshot(plain)
        assert _answers(loaded) == _answers(plain)
    finally:
        plain.close()
        loaded.close()


def test_queries_during_a_bulk_load_answer_as_after_it(store: SQLiteStorage) -> None:
    with store.bulk_load():
        _load(store, _batches())
        during = _answers(store)
    assert during == _answers(store)


def test_the_indexes_and_settings_are_away_during_the_load_only(store: SQLiteStorage) -> None:
    before = _indexes(store)
    deferred = {name for name, _ in bulk.deferred_indexes()}
    assert deferred and deferred <= before
    synchronous, cache = (store._read(f"PRAGMA {p}")[0][0] for p in ("synchronous", "cache_size"))
    with store.bulk_load():
        assert _indexes(store) == before - deferred
        assert store._read("PRAGMA synchronous")[0][0] == 0
        assert not gc.isenabled()
    assert _indexes(store) == before
    assert gc.isenabled()
    assert (store._read("PRAGMA synchronous")[0][0], store._read("PRAGMA cache_size")[0][0]) == (synchronous, cache)


def test_a_load_within_a_load_is_part_of_the_outer_one(store: SQLiteStorage) -> None:
    deferred = {name for name, _ in bulk.deferred_indexes()}
    with store.bulk_load():
        _load(store, _batches()[:1])
        with store.bulk_load():
            _load(store, _batches()[1:2])
        assert not _indexes(store) & deferred  # still loading
        _load(store, _batches()[2:])
    assert deferred <= _indexes(store)
    plain = SQLiteStorage(None)
    try:
        _load(plain, _batches())
        assert _snapshot(store) == _snapshot(plain)
    finally:
        plain.close()


def test_a_failed_load_keeps_its_committed_batches_and_the_indexes(store: SQLiteStorage) -> None:
    before = _indexes(store)
    with pytest.raises(RuntimeError, match="the loader failed"), store.bulk_load():
        _load(store, _batches()[:1])
        raise RuntimeError("the loader failed")
    assert _indexes(store) == before
    assert len(_listing(store)) == 30


# Loads the pickled batch in bulk mode (committed at once), then a second one that is never committed, and dies
# before the load ends: no index is built again, nothing is closed.
CRASH = """
import os, pickle, sys
from pathlib import Path
from emulator.storage import bulk
from emulator.storage.sqlite import SQLiteStorage
batch, uncommitted = pickle.loads(Path(sys.argv[2]).read_bytes())
store = SQLiteStorage(Path(sys.argv[1]))
with store.bulk_load():
    bulk.COMMIT_EVERY = 1
    store.put_many(batch, {batch[0].sha256: sys.argv[3].encode()})
    bulk.COMMIT_EVERY = 10**9
    store.put_many(uncommitted)
    os._exit(3)
"""


def test_a_crash_mid_load_leaves_a_database_whose_next_open_restores_the_indexes(tmp_path: Path) -> None:
    batch = _library(0, 30)
    reference = SQLiteStorage(tmp_path / "reference")
    _load(reference, [batch])
    (tmp_path / "batch.pickle").write_bytes(pickle.dumps((batch, _library(30, 40))))
    crashed = tmp_path / "crashed"
    done = subprocess.run([sys.executable, "-c", CRASH, str(crashed), str(tmp_path / "batch.pickle"), BLOB.decode()],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 3, done.stderr
    with contextlib.closing(sqlite3.connect(crashed / "emulator.sqlite3")) as raw:
        left = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert not left & {name for name, _ in bulk.deferred_indexes()}  # it did die mid-load
    reopened = SQLiteStorage(crashed)
    try:
        assert _indexes(reopened) == _indexes(reference)
        assert _snapshot(reopened) == _snapshot(reference)
        assert _answers(reopened) == _answers(reference)
    finally:
        reopened.close()
        reference.close()


def _plan(store: SQLiteStorage, sql: str, params: tuple[object, ...]) -> str:
    return " ".join(str(row[-1]) for row in store._read(f"EXPLAIN QUERY PLAN {sql}", params))


def test_a_write_that_fails_during_a_load_leaves_nothing_and_the_others_stay(store: SQLiteStorage,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise OSError("disk trouble")

    with store.bulk_load():
        _load(store, _batches()[:1])
        with monkeypatch.context() as patched:
            patched.setattr(store, "_index_words", broken)  # after the resources rows are in
            with pytest.raises(OSError, match="disk trouble"):
                _load(store, _batches()[1:2])
        _load(store, _batches()[2:])
    plain = SQLiteStorage(None)
    try:
        _load(plain, [_batches()[0], _batches()[2]])
        assert _snapshot(store) == _snapshot(plain)
    finally:
        plain.close()


def test_a_schema_6_data_dir_gets_the_index_that_finds_the_newest_copy_of_some_bytes(tmp_path: Path) -> None:
    store = SQLiteStorage(tmp_path)
    store.put_many([make("old", created_at=T0, sha="c" * 64), make("new", created_at=T0 + 5, sha="c" * 64),
                    make("elsewhere", created_at=T0 + 9, sha="c" * 64, cloud="other"), make("x", sha="d" * 64)])
    with store._tx() as db:  # what schema 6 had: an index of the bytes' sha256 alone
        db.execute("DROP INDEX resources_by_sha256_created")
        db.execute("CREATE INDEX resources_by_sha256 ON resources (sha256)")
        db.execute("PRAGMA user_version=6")
    store.close()
    upgraded = SQLiteStorage(tmp_path)
    try:
        assert upgraded._read("PRAGMA user_version")[0][0] == schema.SCHEMA_VERSION
        assert "resources_by_sha256" not in _indexes(upgraded)
        found = upgraded.find_by_sha256("demo", "c" * 64)
        assert found is not None and found.public_id == "new"
        plan = _plan(upgraded, "SELECT id FROM resources r WHERE r.sha256=? AND r.cloud=? "
                     "ORDER BY r.created_at DESC, r.id DESC LIMIT 1", ("c" * 64, "demo"))
        assert "resources_by_sha256_created" in plan and "TEMP B-TREE" not in plan  # a seek, no sort
    finally:
        upgraded.close()


def test_a_batch_that_fails_after_writing_the_deferred_rows_leaves_them_deferred(
        store: SQLiteStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    """The third batch replaces keys, so the tag rows and counts the first two deferred are written in its step;
    when it then fails, its step is undone, and those rows and counts are written later all the same."""
    def broken(*args: object) -> None:
        raise OSError("disk trouble")

    first, second, replacing = _batches()
    with store.bulk_load():
        _load(store, [first, second])
        with monkeypatch.context() as patched:
            patched.setattr(store, "_upsert", broken)  # after the deferred rows were flushed for the upserts
            with pytest.raises(OSError, match="disk trouble"):
                _load(store, [replacing])
    plain = SQLiteStorage(None)
    try:
        _load(plain, [first, second])
        assert _snapshot(store) == _snapshot(plain)
        assert _answers(store) == _answers(plain)
    finally:
        plain.close()


def test_what_waits_goes_with_a_transaction_sqlite_rolled_back_itself(store: SQLiteStorage) -> None:
    """SQLite ends the transaction by itself on a full disk or an I/O error: the tag rows and counts the batches
    in it left waiting went with it, and must not be written into the next one."""
    first, second, _ = _batches()
    with store.bulk_load():
        _load(store, [first])
        store.db.conn.execute("ROLLBACK")  # as SQLite does on SQLITE_FULL
        _load(store, [second])
    plain = SQLiteStorage(None)
    try:
        _load(plain, [second])
        assert _snapshot(store) == _snapshot(plain)
    finally:
        plain.close()
