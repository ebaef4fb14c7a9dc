"""SQLite tables for delivery and the Imagga API: derived images (a cache) and Imagga uploads.

Two adapters over the storage's one :class:`~emulator.storage.db.Database`. Derived images are keyed by the
resource and the sha256 of the original they were rendered from; triggers on ``resources`` drop them as soon as
the original's bytes change, the resource is renamed or it is deleted, however the row is written.

The cache is bounded: it keeps at most ``max_bytes`` of renderings, dropping the least recently used first (the
time of last use is refreshed at most once a minute per rendering, so a cache hit rarely costs a write).
"""

from __future__ import annotations

import time
from typing import Any

from emulator.backend.models import FilePart, ResourceKey
from emulator.storage.db import Database
from emulator.storage.rows import key_columns

_KEY = "cloud=? AND resource_type=? AND type=? AND public_id=?"


_REFRESH = 60.0  # seconds between two refreshes of one rendering's time of last use


class SQLiteDerivedCache:
    """The :class:`~emulator.backend.ports.DerivedCache` port: least recently used renderings dropped first once
    the cache holds more than ``max_bytes`` (0: nothing is cached)."""

    def __init__(self, db: Database, max_bytes: int = 256 * 1024 * 1024) -> None:
        self._db = db
        self.max_bytes = max_bytes

    def get(self, key: ResourceKey, sha256: str, variant: str) -> bytes | None:
        where = (*key_columns(key), sha256, variant)
        row = self._db.one(f"SELECT data, used_at FROM derived WHERE {_KEY} AND sha256=? AND variant=?", where)
        if row is None:
            return None
        now = time.time()
        if now - row[1] > _REFRESH:
            with self._db.tx() as db:
                db.execute(f"UPDATE derived SET used_at=? WHERE {_KEY} AND sha256=? AND variant=?", (now, *where))
        return bytes(row[0])

    def put(self, key: ResourceKey, sha256: str, variant: str, data: bytes) -> None:
        if len(data) > self.max_bytes:
            return  # larger than the whole cache: served, never kept
        with self._db.tx() as db:
            # Only while the resource still holds these bytes: a concurrent overwrite must not be cached over.
            db.execute(f"INSERT OR REPLACE INTO derived (cloud, resource_type, type, public_id, sha256, variant, "
                       f"data, size, used_at) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS "
                       f"(SELECT 1 FROM resources WHERE {_KEY} AND sha256=?)",
                       (*key_columns(key), sha256, variant, data, len(data), time.time(), *key_columns(key), sha256))
            self._evict(db)

    def _evict(self, db: Any) -> None:
        """Drop the least recently used renderings until the cache is within its budget."""
        total = int(db.execute("SELECT COALESCE(SUM(size), 0) FROM derived").fetchone()[0])
        if total <= self.max_bytes:
            return
        doomed, freed = [], 0
        for rowid, size in db.execute("SELECT rowid, size FROM derived ORDER BY used_at, rowid"):
            if total - freed <= self.max_bytes:
                break
            doomed.append((rowid,))
            freed += size
        db.executemany("DELETE FROM derived WHERE rowid = ?", doomed)

    def total(self) -> int:
        """Bytes held by the cache."""
        return int(self._db.one("SELECT COALESCE(SUM(size), 0) FROM derived")[0])

    def count(self, key: ResourceKey) -> int:
        return int(self._db.one(f"SELECT COUNT(*) FROM derived WHERE {_KEY}", key_columns(key))[0])


class SQLiteImaggaUploads:
    """The :class:`~emulator.backend.ports.ImaggaUploads` port."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def put(self, cloud: str, upload_id: str, upload: FilePart, *, now: float, expires_at: float) -> None:
        with self._db.tx() as db:
            db.execute("DELETE FROM imagga_uploads WHERE expires_at <= ?", (now,))  # expired ones go first
            db.execute("INSERT OR REPLACE INTO imagga_uploads (cloud, upload_id, filename, expires_at, data) "
                       "VALUES (?, ?, ?, ?, ?)", (cloud, upload_id, upload.filename or "", expires_at, upload.data))

    def get(self, cloud: str, upload_id: str, now: float) -> FilePart | None:
        row = self._db.one("SELECT data, filename FROM imagga_uploads WHERE cloud=? AND upload_id=? "
                           "AND expires_at > ?", (cloud, upload_id, now))
        return FilePart(bytes(row[0]), row[1] or None) if row else None

    def delete(self, cloud: str, upload_id: str) -> bool:
        with self._db.tx() as db:
            return db.execute("DELETE FROM imagga_uploads WHERE cloud=? AND upload_id=?",
                              (cloud, upload_id)).rowcount == 1
