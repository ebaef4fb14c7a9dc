"""A data dir written before file storage (schema 2: bytes in a ``blobs`` table, no ``media`` column) keeps
working: on start its bytes move into the file store and its resources read as before."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from flask import Flask

from emulator.app import create_app
from emulator.backend.models import ResourceKey
from emulator.clock import FrozenClock, IdSource
from emulator.config import load_config
from emulator.storage.schema import SCHEMA_VERSION
from emulator.storage.sqlite import SQLiteStorage
from tests.conftest import SAMPLE, basic

# The resources table of schema 2 (before the media column), as a data dir of that version holds it.
SCHEMA_2 = """
CREATE TABLE clouds (name TEXT PRIMARY KEY, created_at REAL NOT NULL);
CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE resources (
    id INTEGER PRIMARY KEY,
    cloud TEXT NOT NULL, resource_type TEXT NOT NULL, type TEXT NOT NULL, public_id TEXT NOT NULL,
    asset_id TEXT NOT NULL, version INTEGER NOT NULL, version_id TEXT NOT NULL, format TEXT NOT NULL,
    width INTEGER NOT NULL, height INTEGER NOT NULL, bytes INTEGER NOT NULL, etag TEXT NOT NULL,
    sha256 TEXT NOT NULL, created_at REAL NOT NULL, original_filename TEXT NOT NULL,
    tags TEXT NOT NULL, context TEXT NOT NULL, info TEXT NOT NULL, notification_url TEXT,
    folder TEXT NOT NULL, filename TEXT NOT NULL,
    UNIQUE (cloud, resource_type, type, public_id)
);
"""


def _schema_2_data_dir(folder: Path, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    db = sqlite3.connect(folder / "emulator.sqlite3")
    db.executescript(SCHEMA_2)
    db.execute("INSERT INTO clouds VALUES ('demo', 1.0)")
    db.execute("INSERT INTO blobs VALUES (?, ?)", (sha, data))
    db.execute("INSERT INTO resources (cloud, resource_type, type, public_id, asset_id, version, version_id, "
               "format, width, height, bytes, etag, sha256, created_at, original_filename, tags, context, info, "
               "notification_url, folder, filename) VALUES ('demo', 'image', 'upload', 'old/photo', ?, 1700000000,"
               " ?, 'jpg', 864, 576, ?, ?, ?, 1700000000, 'photo', ?, '{}', '{}', NULL, 'old', 'photo')",
               ("a" * 32, "b" * 32, len(data), hashlib.md5(data).hexdigest(), sha, json.dumps(["kept"])))
    db.execute("PRAGMA user_version=2")
    db.commit()
    db.close()
    return sha


def test_blobs_move_into_the_file_store_and_the_table_goes(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes()
    sha = _schema_2_data_dir(tmp_path, data)
    store = SQLiteStorage(tmp_path)
    assert store.blob(sha) == data
    assert (tmp_path / "files" / sha[:2] / sha[2:4] / sha).is_file()
    with store._lock:
        tables = {row[0] for row in store._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = store._conn.execute("PRAGMA user_version").fetchone()[0]
    assert "blobs" not in tables and version == SCHEMA_VERSION
    old = store.get(ResourceKey("demo", "old/photo"))
    assert old is not None and old.tags == ("kept",) and old.media == {}
    store.close()


def test_an_upgraded_data_dir_serves_its_old_resources(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes()
    _schema_2_data_dir(tmp_path, data)
    app: Flask = create_app(load_config({"data_dir": str(tmp_path)}, env={}), clock=FrozenClock(1.8e9),
                            ids=IdSource(3))
    client = app.test_client()
    details = client.get("/v1_1/demo/resources/image/upload/old/photo", headers=basic()).json
    assert details["tags"] == ["kept"] and details["width"] == 864
    delivered = client.get("/demo/image/upload/v1700000000/old/photo.jpg")
    assert delivered.status_code == 200 and delivered.data == data
    app.extensions["cloudinary_emulator"].close()
