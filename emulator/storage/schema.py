"""The SQLite schema of the emulator's storage, its planner statistics, and the upgrade from schema 1."""

from __future__ import annotations

import sqlite3

from emulator.backend.models import Resource
from emulator.storage.rows import COLUMNS, to_resource

SCHEMA_VERSION = 3
SCHEMA = """
CREATE TABLE IF NOT EXISTS clouds (name TEXT PRIMARY KEY, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
    id INTEGER PRIMARY KEY,
    cloud TEXT NOT NULL, resource_type TEXT NOT NULL, type TEXT NOT NULL, public_id TEXT NOT NULL,
    asset_id TEXT NOT NULL, version INTEGER NOT NULL, version_id TEXT NOT NULL, format TEXT NOT NULL,
    width INTEGER NOT NULL, height INTEGER NOT NULL, bytes INTEGER NOT NULL, etag TEXT NOT NULL,
    sha256 TEXT NOT NULL, created_at REAL NOT NULL, original_filename TEXT NOT NULL,
    tags TEXT NOT NULL, context TEXT NOT NULL, info TEXT NOT NULL, notification_url TEXT,
    folder TEXT NOT NULL, filename TEXT NOT NULL, media TEXT NOT NULL DEFAULT '{}',
    UNIQUE (cloud, resource_type, type, public_id)
);
CREATE INDEX IF NOT EXISTS resources_by_type_created ON resources (cloud, resource_type, type, created_at, id);
CREATE INDEX IF NOT EXISTS resources_by_created ON resources (cloud, created_at, id);
CREATE INDEX IF NOT EXISTS resources_by_folder ON resources (cloud, folder);
CREATE INDEX IF NOT EXISTS resources_by_filename ON resources (cloud, filename);
CREATE INDEX IF NOT EXISTS resources_by_sha256 ON resources (sha256);
CREATE TABLE IF NOT EXISTS resource_tags (
    cloud TEXT NOT NULL, tag TEXT NOT NULL, resource_type TEXT NOT NULL, created_at REAL NOT NULL,
    id INTEGER NOT NULL,
    PRIMARY KEY (cloud, tag, resource_type, created_at, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tag_counts (
    cloud TEXT NOT NULL, resource_type TEXT NOT NULL, tag TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (cloud, resource_type, tag)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS resource_context (
    cloud TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, resource_type TEXT NOT NULL,
    created_at REAL NOT NULL, id INTEGER NOT NULL,
    PRIMARY KEY (cloud, key, value, resource_type, created_at, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS resource_context_by_key ON resource_context (cloud, key, resource_type, created_at, id);
CREATE TABLE IF NOT EXISTS resource_terms (
    cloud TEXT NOT NULL, field TEXT NOT NULL, term TEXT NOT NULL, id INTEGER NOT NULL,
    PRIMARY KEY (cloud, field, term, id)
) WITHOUT ROWID;
"""
# sqlite_stat1 rows for a library of a million resources: rows, then rows per distinct prefix of the index key.
_M = 1_000_000
STATISTICS = [
    ("resources", "sqlite_autoindex_resources_1", f"{_M} {_M} {_M} {_M} 1"),
    ("resources", "resources_by_type_created", f"{_M} {_M} {_M} {_M} 1 1"),
    ("resources", "resources_by_created", f"{_M} {_M} 1 1"),
    ("resources", "resources_by_folder", f"{_M} {_M} 100"),
    ("resources", "resources_by_filename", f"{_M} {_M} 2"),
    ("resources", "resources_by_sha256", f"{_M} 2"),
    ("resource_tags", "resource_tags", f"{5 * _M} {5 * _M} 100 100 1 1"),
    ("resource_terms", "resource_terms", f"{8 * _M} {8 * _M} {_M} 20 1"),
    ("resource_context", "resource_context", f"{_M // 5} {_M // 5} 20000 5 5 1 1"),
    ("resource_context", "resource_context_by_key", f"{_M // 5} {_M // 5} 20000 20000 1 1"),
    ("tag_counts", "tag_counts", "50000 50000 50000 1"),
]


def create(db: sqlite3.Connection) -> None:
    for statement in SCHEMA.split(";"):
        db.execute(statement)
    _add_columns(db)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def _add_columns(db: sqlite3.Connection) -> None:
    """Schema 2 → 3: a video's facts (``media``) beside the image columns."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(resources)")}
    if "media" not in columns:
        db.execute("ALTER TABLE resources ADD COLUMN media TEXT NOT NULL DEFAULT '{}'")


def pin_statistics(db: sqlite3.Connection) -> None:
    """Planner statistics of a large library, so plans do not depend on when ANALYZE last ran.

    Without them SQLite takes ``cloud = ?`` for a selective condition and walks the created_at index
    probing a tag subquery row by row (26 ms at 100k); with them a search drives from the tag index (1 ms).
    ``ANALYZE clouds`` creates ``sqlite_stat1`` cheaply; ``ANALYZE sqlite_schema`` reloads it.
    """
    db.execute("ANALYZE clouds")
    db.executemany("DELETE FROM sqlite_stat1 WHERE tbl = ? AND idx = ?", [s[:2] for s in STATISTICS])
    db.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", STATISTICS)
    db.execute("ANALYZE sqlite_schema")


def legacy_rows(db: sqlite3.Connection) -> list[Resource]:
    """Resources of a schema-1 database (no ``id`` column); its tables are dropped to be rebuilt."""
    columns = [row[1] for row in db.execute("PRAGMA table_info(resources)")]
    if not columns or "id" in columns:
        return []
    legacy = ", ".join(COLUMNS[:19])
    rows = [to_resource(row) for row in db.execute(f"SELECT {legacy} FROM resources")]
    db.execute("DROP TABLE resources")
    db.execute("DROP TABLE IF EXISTS resource_tags")
    return rows
