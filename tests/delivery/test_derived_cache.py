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
