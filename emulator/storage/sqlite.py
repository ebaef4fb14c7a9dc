"""Embedded SQLite storage: resources as rows, image bytes content-addressed, a tag index for lookups.

A request is answered only after its transaction committed, so a 200 survives ``kill -9``
(WAL mode; ``synchronous=FULL`` also survives power loss for a persistent ``--data-dir``).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from emulator.backend.models import Resource, ResourceKey

_SCHEMA = """
CREATE TABLE IF NOT EXISTS clouds (name TEXT PRIMARY KEY, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
    cloud TEXT NOT NULL, resource_type TEXT NOT NULL, type TEXT NOT NULL, public_id TEXT NOT NULL,
    asset_id TEXT NOT NULL, version INTEGER NOT NULL, version_id TEXT NOT NULL, format TEXT NOT NULL,
    width INTEGER NOT NULL, height INTEGER NOT NULL, bytes INTEGER NOT NULL, etag TEXT NOT NULL,
    sha256 TEXT NOT NULL, created_at REAL NOT NULL, original_filename TEXT NOT NULL,
    tags TEXT NOT NULL, context TEXT NOT NULL, info TEXT NOT NULL, notification_url TEXT,
    PRIMARY KEY (cloud, resource_type, type, public_id)
);
CREATE TABLE IF NOT EXISTS resource_tags (
    cloud TEXT NOT NULL, tag TEXT NOT NULL, resource_type TEXT NOT NULL, type TEXT NOT NULL,
    public_id TEXT NOT NULL,
    PRIMARY KEY (cloud, tag, resource_type, type, public_id)
);
"""

_COLUMNS = (
    "cloud, resource_type, type, public_id, asset_id, version, version_id, format, width, height, bytes, "
    "etag, sha256, created_at, original_filename, tags, context, info, notification_url"
)


class SQLiteStorage:
    """One connection guarded by a lock: simple, and SQLite serialises writers anyway."""

    def __init__(self, data_dir: Path | None) -> None:
        self._tmp = None if data_dir else Path(tempfile.mkdtemp(prefix="cloudinary-emulator-"))
        directory = data_dir or self._tmp
        assert directory is not None
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "emulator.sqlite3"
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(f"PRAGMA synchronous={'OFF' if self._tmp else 'FULL'}")
        self._conn.executescript(_SCHEMA)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def get(self, key: ResourceKey) -> Resource | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_COLUMNS} FROM resources WHERE cloud=? AND resource_type=? AND type=? AND public_id=?",
                (key.cloud, key.resource_type, key.type, key.public_id),
            ).fetchone()
        return _to_resource(row) if row else None

    def put(self, resource: Resource, blob: bytes | None = None) -> None:
        k = resource.key
        with self._tx() as db:
            if blob is not None:
                db.execute("INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)", (resource.sha256, blob))
            db.execute(f"INSERT OR REPLACE INTO resources ({_COLUMNS}) VALUES ({', '.join('?' * 19)})",
                       _to_row(resource))
            db.execute("DELETE FROM resource_tags WHERE cloud=? AND resource_type=? AND type=? AND public_id=?",
                       (k.cloud, k.resource_type, k.type, k.public_id))
            db.executemany(
                "INSERT OR IGNORE INTO resource_tags (cloud, tag, resource_type, type, public_id) "
                "VALUES (?, ?, ?, ?, ?)",
                [(k.cloud, tag, k.resource_type, k.type, k.public_id) for tag in resource.tags],
            )

    def blob(self, sha256: str) -> bytes | None:
        with self._lock:
            row = self._conn.execute("SELECT data FROM blobs WHERE sha256=?", (sha256,)).fetchone()
        return bytes(row[0]) if row else None

    def claim_cloud(self, name: str, at: float) -> bool:
        with self._tx() as db:
            cur = db.execute("INSERT OR IGNORE INTO clouds (name, created_at) VALUES (?, ?)", (name, at))
            return cur.rowcount == 1

    def close(self) -> None:
        with self._lock:
            self._conn.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)


def _to_row(r: Resource) -> tuple[object, ...]:
    k = r.key
    return (
        k.cloud, k.resource_type, k.type, k.public_id, r.asset_id, r.version, r.version_id, r.format,
        r.width, r.height, r.bytes, r.etag, r.sha256, r.created_at, r.original_filename,
        json.dumps(list(r.tags)), json.dumps(dict(r.context)), json.dumps(dict(r.info)), r.notification_url,
    )


def _to_resource(row: tuple[Any, ...]) -> Resource:
    (cloud, rt, typ, pid, asset_id, version, version_id, fmt, width, height, size, etag, sha, created,
     original, tags, context, info, notification_url) = row
    return Resource(
        key=ResourceKey(cloud, pid, rt, typ),
        asset_id=asset_id, version=version, version_id=version_id, format=fmt, width=width, height=height,
        bytes=size, etag=etag, sha256=sha, created_at=created, original_filename=original,
        tags=tuple(json.loads(tags)), context=json.loads(context), info=json.loads(info),
        notification_url=notification_url,
    )
