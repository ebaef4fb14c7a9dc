"""The SQLite schema of the emulator's storage, its planner statistics, and the upgrades from older schemas."""

from __future__ import annotations

import sqlite3

from emulator.backend.models import Resource
from emulator.storage.rows import COLUMNS, to_resource

SCHEMA_VERSION = 7
SCHEMA = """
CREATE TABLE IF NOT EXISTS clouds (name TEXT PRIMARY KEY, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
    id INTEGER PRIMARY KEY,
    cloud TEXT NOT NULL, resource_type TEXT NOT NULL, type TEXT NOT NULL, public_id TEXT NOT NULL,
    asset_id TEXT NOT NULL, version INTEGER NOT NULL, version_id TEXT NOT NULL, format TEXT NOT NULL,
    width INTEGER NOT NULL, height INTEGER NOT NULL, bytes INTEGER NOT NULL, etag TEXT NOT NULL,
    sha256 TEXT NOT NULL, created_at REAL NOT NULL, original_filename TEXT NOT NULL,
    tags TEXT NOT NULL, context TEXT NOT NULL, info TEXT NOT NULL, notification_url TEXT,
    folder TEXT NOT NULL, filename TEXT NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}', asset_folder TEXT NOT NULL DEFAULT '', display_name TEXT,
    media TEXT NOT NULL DEFAULT '{}', extra TEXT NOT NULL DEFAULT '{}',
    UNIQUE (cloud, resource_type, type, public_id)
);
CREATE INDEX IF NOT EXISTS resources_by_type_created ON resources (cloud, resource_type, type, created_at, id);
CREATE INDEX IF NOT EXISTS resources_by_created ON resources (cloud, created_at, id);
CREATE INDEX IF NOT EXISTS resources_by_folder ON resources (cloud, folder);
CREATE INDEX IF NOT EXISTS resources_by_filename ON resources (cloud, filename);
CREATE INDEX IF NOT EXISTS resources_by_sha256_created ON resources (sha256, cloud, created_at);
CREATE INDEX IF NOT EXISTS resources_by_asset_folder ON resources (cloud, asset_folder);
CREATE INDEX IF NOT EXISTS resources_by_asset_id ON resources (cloud, asset_id);
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
CREATE TABLE IF NOT EXISTS resource_metadata (
    cloud TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, number REAL, id INTEGER NOT NULL,
    PRIMARY KEY (cloud, field, value, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS resource_metadata_by_number ON resource_metadata (cloud, field, number);
"""
# Columns added after schema 2, with what an existing row gets (schema 2 → 3: structured metadata, dynamic folders).
ADDED_COLUMNS = (
    ("metadata", "TEXT NOT NULL DEFAULT '{}'", None),
    ("asset_folder", "TEXT NOT NULL DEFAULT ''", "UPDATE resources SET asset_folder = folder"),
    ("display_name", "TEXT", None),
    ("media", "TEXT NOT NULL DEFAULT '{}'", None),  # a video's or audio file's facts
    ("extra", "TEXT NOT NULL DEFAULT '{}'", None),  # derived images, moderation, access, backup, faces
)
# sqlite_stat1 rows for a library of a million resources: rows, then rows per distinct prefix of the index key.
_M = 1_000_000
STATISTICS = [
    ("resources", "sqlite_autoindex_resources_1", f"{_M} {_M} {_M} {_M} 1"),
    ("resources", "resources_by_type_created", f"{_M} {_M} {_M} {_M} 1 1"),
    ("resources", "resources_by_created", f"{_M} {_M} 1 1"),
    ("resources", "resources_by_folder", f"{_M} {_M} 100"),
    ("resources", "resources_by_filename", f"{_M} {_M} 2"),
    ("resources", "resources_by_sha256_created", f"{_M} 2 2 1"),
    ("resources", "resources_by_asset_folder", f"{_M} {_M} 100"),
    ("resources", "resources_by_asset_id", f"{_M} {_M} 1"),
    ("resource_tags", "resource_tags", f"{5 * _M} {5 * _M} 100 100 1 1"),
    ("resource_terms", "resource_terms", f"{8 * _M} {8 * _M} {_M} 20 1"),
    ("resource_context", "resource_context", f"{_M // 5} {_M // 5} 20000 5 5 1 1"),
    ("resource_context", "resource_context_by_key", f"{_M // 5} {_M // 5} 20000 20000 1 1"),
    ("tag_counts", "tag_counts", "50000 50000 50000 1"),
]


def create(db: sqlite3.Connection) -> None:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    add_columns(db)
    for statement in SCHEMA.split(";"):
        db.execute(statement)
    if version < 6:
        drop_whole_tag_words(db)
    if version < 7:  # replaced by resources_by_sha256_created: the newest copy of some bytes is one seek
        db.execute("DROP INDEX IF EXISTS resources_by_sha256")
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def drop_whole_tag_words(db: sqlite3.Connection) -> None:
    """Schema 5 → 6: a ``tags`` word row that is a whole tag of its resource goes (searches look those up in
    ``resource_tags``), so the rows left are exactly those a schema-6 write would have made."""
    db.execute("DELETE FROM resource_terms WHERE field = 'tags' AND (cloud, term, id) IN "
               "(SELECT cloud, tag, id FROM resource_tags)")


def add_columns(db: sqlite3.Connection) -> None:
    """Upgrade a schema-2 ``resources`` table in place: the columns it lacks, filled for existing rows."""
    columns = [row[1] for row in db.execute("PRAGMA table_info(resources)")]
    if "id" not in columns:
        return  # no table yet (or a schema-1 one, rebuilt by legacy_rows)
    for name, definition, fill in ADDED_COLUMNS:
        if name not in columns:
            db.execute(f"ALTER TABLE resources ADD COLUMN {name} {definition}")
            if fill:
                db.execute(fill)


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
