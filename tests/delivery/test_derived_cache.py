"""The derived-image cache is bounded in bytes: least recently used renderings are dropped first."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask

from emulator.app import create_app
from emulator.backend.models import Resource, ResourceKey
from emulator.config import load_config
from emulator.server import EmulatorServer
from emulator.storage import derived_sql
from emulator.storage.sqlite import SQLiteStorage

KEY = ResourceKey("demo", "a")


def _resource() -> Resource:
    return Resource(key=KEY, asset_id="1" * 32, version=1, version_id="2" * 32, format="jpg", width=3, height=2,
                    bytes=4, etag="e", sha256="f" * 64, created_at=1.0, original_filename="a")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStorage]:
    opened = SQLiteStorage(tmp_path, derived_cache_size=1000)
    opened.put(_resource(), b"data")
    yield opened
    opened.close()


def _used(store: SQLiteStorage, variant: str, at: float) -> None:
    with store.db.tx() as db:
        db.execute("UPDATE derived SET used_at=? WHERE variant=?", (at, variant))


def test_the_least_recently_used_rendering_goes_first(store: SQLiteStorage) -> None:
    cache = store.derived
    cache.put(KEY, "f" * 64, "one", b"1" * 400)
    cache.put(KEY, "f" * 64, "two", b"2" * 400)
    _used(store, "one", 2.0)
    _used(store, "two", 1.0)  # "two" is older
    cache.put(KEY, "f" * 64, "three", b"3" * 400)
    assert cache.get(KEY, "f" * 64, "two") is None
    assert cache.get(KEY, "f" * 64, "one") == b"1" * 400 and cache.get(KEY, "f" * 64, "three") == b"3" * 400
    assert cache.total() == 800


def test_a_rendering_larger_than_the_cache_is_not_kept(store: SQLiteStorage) -> None:
    store.derived.put(KEY, "f" * 64, "huge", b"x" * 1001)
    assert store.derived.get(KEY, "f" * 64, "huge") is None and store.derived.total() == 0


def test_an_old_data_dir_gets_the_new_columns(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "emulator.sqlite3")
    db.execute("CREATE TABLE derived (cloud TEXT NOT NULL, resource_type TEXT NOT NULL, type TEXT NOT NULL, "
               "public_id TEXT NOT NULL, sha256 TEXT NOT NULL, variant TEXT NOT NULL, data BLOB NOT NULL, "
               "PRIMARY KEY (cloud, resource_type, type, public_id, sha256, variant))")
    db.execute("INSERT INTO derived VALUES ('demo', 'image', 'upload', 'a', ?, 'v', x'0102')", ("f" * 64,))
    db.commit()
    db.close()
    store = SQLiteStorage(tmp_path)
    try:
        assert store.derived.total() == 2
    finally:
        store.close()


def test_a_rendering_is_kept_only_while_its_original_holds_its_bytes(store: SQLiteStorage) -> None:
    other = ResourceKey("demo", "not-uploaded")
    store.derived.put(other, "f" * 64, "v", b"1")  # no resource of that key
    store.derived.put(KEY, "e" * 64, "v", b"2")  # the resource holds other bytes
    store.eager.put(other, "f" * 64, "v", "d1", b"3")
    store.eager.put(KEY, "e" * 64, "v", "d2", b"4")
    assert store.derived.count(other) == 0 and store.derived.count(KEY) == 0
    assert store.eager.get(other, "f" * 64, "v") is None and store.eager.get(KEY, "e" * 64, "v") is None


def test_a_key_uploaded_again_after_a_delete_has_no_renderings(store: SQLiteStorage) -> None:
    store.derived.put(KEY, "f" * 64, "v", b"1")
    assert store.derived.count(KEY) == 1
    store.delete([KEY])
    store.put(_resource(), b"data")
    assert store.derived.count(KEY) == 0 and store.derived.get(KEY, "f" * 64, "v") is None


def test_an_old_data_dir_loses_the_insert_triggers(tmp_path: Path) -> None:
    """Earlier schemas also dropped renderings on insert, which never found any: opening drops those triggers."""
    SQLiteStorage(tmp_path).close()
    db = sqlite3.connect(tmp_path / "emulator.sqlite3")
    for table in ("derived", "eager"):
        db.execute(f"CREATE TRIGGER {table}_on_insert AFTER INSERT ON resources BEGIN DELETE FROM {table} "
                   f"WHERE cloud=NEW.cloud AND public_id=NEW.public_id AND sha256<>NEW.sha256; END")
    db.commit()
    db.close()
    SQLiteStorage(tmp_path).close()
    db = sqlite3.connect(tmp_path / "emulator.sqlite3")
    try:
        triggers = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                                 "AND tbl_name = 'resources'")}
    finally:
        db.close()
    assert triggers == {"derived_on_update", "derived_on_delete", "eager_on_update", "eager_on_delete"}


@pytest.fixture
def small_cache_app() -> Iterator[Flask]:
    app = create_app(load_config({"derived_cache_size": 60_000}, env={}))
    yield app
    app.extensions["cloudinary_emulator"].close()


def test_over_a_socket_the_cache_stays_within_its_size(small_cache_app: Flask) -> None:
    storage = small_cache_app.extensions["cloudinary_emulator"].storage
    with EmulatorServer(small_cache_app) as server:
        for width in range(200, 320, 10):
            r = requests.get(f"{server.url}/demo/image/upload/w_{width}/sample.png", timeout=30)
            assert r.status_code == 200
        assert 0 < storage.derived.total() <= 60_000
        latest = requests.get(f"{server.url}/demo/image/upload/w_310/sample.png", timeout=30)
        assert latest.status_code == 200
    assert storage.derived.get(ResourceKey("demo", "sample"), _sample_sha(storage), "w_310.png") is not None
    assert derived_sql.SQLiteDerivedCache(storage.db, 0).max_bytes == 0


def _sample_sha(storage: SQLiteStorage) -> str:
    found = storage.get(ResourceKey("demo", "sample"))
    assert found is not None
    return found.sha256
