"""SQLite tables for delivery and the Imagga API: derived images (a cache) and Imagga uploads.

Two adapters over the storage's one :class:`~emulator.storage.db.Database`. Derived images are keyed by the
resource and the sha256 of the original they were rendered from; triggers on ``resources`` drop them as soon as
the original's bytes change, the resource is renamed or it is deleted, however the row is written.
"""

from __future__ import annotations

from emulator.backend.models import FilePart, ResourceKey
from emulator.storage.db import Database
from emulator.storage.rows import key_columns

_OLD_KEY = "cloud=OLD.cloud AND resource_type=OLD.resource_type AND type=OLD.type AND public_id=OLD.public_id"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS derived (
    cloud TEXT NOT NULL, resource_type TEXT NOT NULL, type TEXT NOT NULL, public_id TEXT NOT NULL,
    sha256 TEXT NOT NULL, variant TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (cloud, resource_type, type, public_id, sha256, variant)
);
CREATE TRIGGER IF NOT EXISTS derived_on_insert AFTER INSERT ON resources BEGIN
    DELETE FROM derived WHERE cloud=NEW.cloud AND resource_type=NEW.resource_type AND type=NEW.type
        AND public_id=NEW.public_id AND sha256<>NEW.sha256;
END;
CREATE TRIGGER IF NOT EXISTS derived_on_update AFTER UPDATE ON resources
WHEN OLD.sha256<>NEW.sha256 OR OLD.cloud<>NEW.cloud OR OLD.resource_type<>NEW.resource_type
    OR OLD.type<>NEW.type OR OLD.public_id<>NEW.public_id BEGIN
    DELETE FROM derived WHERE {_OLD_KEY};
END;
CREATE TRIGGER IF NOT EXISTS derived_on_delete AFTER DELETE ON resources BEGIN
    DELETE FROM derived WHERE {_OLD_KEY};
END;
CREATE TABLE IF NOT EXISTS imagga_uploads (
    cloud TEXT NOT NULL, upload_id TEXT NOT NULL, filename TEXT NOT NULL, expires_at REAL NOT NULL,
    data BLOB NOT NULL, PRIMARY KEY (cloud, upload_id)
);
"""
_KEY = "cloud=? AND resource_type=? AND type=? AND public_id=?"


def create_schema(db: Database) -> None:
    with db.lock:
        db.conn.executescript(SCHEMA)


class SQLiteDerivedCache:
    """The :class:`~emulator.backend.ports.DerivedCache` port."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: ResourceKey, sha256: str, variant: str) -> bytes | None:
        row = self._db.one(f"SELECT data FROM derived WHERE {_KEY} AND sha256=? AND variant=?",
                           (*key_columns(key), sha256, variant))
        return bytes(row[0]) if row else None

    def put(self, key: ResourceKey, sha256: str, variant: str, data: bytes) -> None:
        with self._db.tx() as db:
            # Only while the resource still holds these bytes: a concurrent overwrite must not be cached over.
            db.execute(f"INSERT OR REPLACE INTO derived (cloud, resource_type, type, public_id, sha256, variant, "
                       f"data) SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS "
                       f"(SELECT 1 FROM resources WHERE {_KEY} AND sha256=?)",
                       (*key_columns(key), sha256, variant, data, *key_columns(key), sha256))

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
