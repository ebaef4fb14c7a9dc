"""The SQLite schema of the emulator's storage, its planner statistics, and the upgrades from older schemas.

Nothing of the backend is loaded here (but to read a schema-1 database's rows): a start creates and upgrades the
tables with this module alone (:mod:`emulator.storage.opening`).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from emulator.storage.db import Database

if TYPE_CHECKING:
    from emulator.backend.models import Resource

SCHEMA_VERSION = 9
# Schema 8: a tag row carries the columns a search most often tests beside a tag, so a search that requires a tag
# tests and sorts that tag's rows without reading its resources' rows (one page of the table each, at a million).
TAG_ROW_COLUMNS = (
    ("width", "INTEGER NOT NULL DEFAULT 0"), ("height", "INTEGER NOT NULL DEFAULT 0"),
    ("bytes", "INTEGER NOT NULL DEFAULT 0"), ("format", "TEXT NOT NULL DEFAULT ''"),
)
TAG_ROW_NAMES = tuple(name for name, _ in TAG_ROW_COLUMNS)
_TABLES = """
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
CREATE TABLE IF NOT EXISTS resource_tags (
    cloud TEXT NOT NULL, tag TEXT NOT NULL, resource_type TEXT NOT NULL, created_at REAL NOT NULL,
    id INTEGER NOT NULL, """ + ", ".join(f"{name} {definition}" for name, definition in TAG_ROW_COLUMNS) + """,
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
CREATE TABLE IF NOT EXISTS resource_terms (
    cloud TEXT NOT NULL, field TEXT NOT NULL, term TEXT NOT NULL, id INTEGER NOT NULL,
    PRIMARY KEY (cloud, field, term, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS resource_metadata (
    cloud TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, number REAL, id INTEGER NOT NULL,
    PRIMARY KEY (cloud, field, value, id)
) WITHOUT ROWID;
"""
# Secondary indexes by name (a bulk load drops most of them and builds them again at the end: storage/bulk.py).
INDEXES: dict[str, str] = {
    "resources_by_type_created": "resources (cloud, resource_type, type, created_at, id)",
    "resources_by_created": "resources (cloud, created_at, id)",
    "resources_by_folder": "resources (cloud, folder)",
    "resources_by_filename": "resources (cloud, filename)",
    "resources_by_sha256_created": "resources (sha256, cloud, created_at)",
    "resources_by_asset_folder": "resources (cloud, asset_folder)",
    "resources_by_asset_id": "resources (cloud, asset_id)",
    "resource_context_by_key": "resource_context (cloud, key, resource_type, created_at, id)",
    "resource_metadata_by_number": "resource_metadata (cloud, field, number)",
}
SCHEMA = _TABLES + "".join(f"CREATE INDEX IF NOT EXISTS {name} ON {on};\n" for name, on in INDEXES.items())
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
    add_tag_row_columns(db)
    if version < 9:
        drop_file_name_words(db)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def add_tag_row_columns(db: sqlite3.Connection) -> None:
    """Schema 7 → 8: the tag rows get the columns of :data:`TAG_ROW_COLUMNS`, filled from their resources."""
    present = {row[1] for row in db.execute("PRAGMA table_info(resource_tags)")}
    missing = [(name, definition) for name, definition in TAG_ROW_COLUMNS if name not in present]
    for name, definition in missing:
        db.execute(f"ALTER TABLE resource_tags ADD COLUMN {name} {definition}")
    if missing:
        names = ", ".join(TAG_ROW_NAMES)
        db.execute(f"UPDATE resource_tags SET ({names}) = (SELECT {names} FROM resources r "
                   "WHERE r.id = resource_tags.id)")


def drop_file_name_words(db: sqlite3.Connection) -> None:
    """Schema 8 → 9: a ``public_id`` or ``filename`` word row that is its resource's whole file name goes (searches
    compare the ``filename`` column), so the rows left are exactly those a schema-9 write would have made."""
    db.execute("DELETE FROM resource_terms WHERE field IN ('public_id', 'filename') AND term = "
               "(SELECT r.filename FROM resources r WHERE r.id = resource_terms.id)")


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


def needs_records_to_upgrade(db: Database) -> bool:
    """A schema-1 ``resources`` table (no ``id``) or a schema-2 ``blobs`` table: upgraded by reading records."""
    with db.lock:
        columns = [row[1] for row in db.conn.execute("PRAGMA table_info(resources)")]
        tables = {row[0] for row in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return bool(columns and "id" not in columns) or "blobs" in tables


def legacy_rows(db: sqlite3.Connection) -> list[Resource]:
    """Resources of a schema-1 database (no ``id`` column); its tables are dropped to be rebuilt."""
    columns = [row[1] for row in db.execute("PRAGMA table_info(resources)")]
    if not columns or "id" in columns:
        return []
    from emulator.storage.rows import COLUMNS, to_resource  # the records, for this one upgrade

    legacy = ", ".join(COLUMNS[:19])
    rows = [to_resource(row) for row in db.execute(f"SELECT {legacy} FROM resources")]
    db.execute("DROP TABLE resources")
    db.execute("DROP TABLE IF EXISTS resource_tags")
    return rows


# -- the tables beside resources --------------------------------------------------------------------------------------

_OLD_KEY = "cloud=OLD.cloud AND resource_type=OLD.resource_type AND type=OLD.type AND public_id=OLD.public_id"


def dropped_with_original(table: str) -> str:
    """Triggers that delete ``table``'s renderings of a resource once its bytes change, or it is renamed or deleted,
    however the row is written (the table has the resource's key columns and ``sha256``).

    A rendering is stored only while a resource row of its key holds its bytes (the ``INSERT ... WHERE EXISTS`` of
    emulator/storage/derived_sql.py and lifecycle_sql.py), and these triggers drop it when that row changes or
    goes, so a key that is inserted anew has no renderings. The insert trigger earlier schemas had never found one,
    and cost a bulk load of a million resources 9 s of its 70: it is dropped.
    """
    return f"""DROP TRIGGER IF EXISTS {table}_on_insert;
CREATE TRIGGER IF NOT EXISTS {table}_on_update AFTER UPDATE ON resources
WHEN OLD.sha256<>NEW.sha256 OR OLD.cloud<>NEW.cloud OR OLD.resource_type<>NEW.resource_type
    OR OLD.type<>NEW.type OR OLD.public_id<>NEW.public_id BEGIN
    DELETE FROM {table} WHERE {_OLD_KEY};
END;
CREATE TRIGGER IF NOT EXISTS {table}_on_delete AFTER DELETE ON resources BEGIN
    DELETE FROM {table} WHERE {_OLD_KEY};
END;
"""


DERIVED = f"""
CREATE TABLE IF NOT EXISTS derived (
    cloud TEXT NOT NULL, resource_type TEXT NOT NULL, type TEXT NOT NULL, public_id TEXT NOT NULL,
    sha256 TEXT NOT NULL, variant TEXT NOT NULL, data BLOB NOT NULL,
    size INTEGER NOT NULL DEFAULT 0, used_at REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (cloud, resource_type, type, public_id, sha256, variant)
);
{dropped_with_original('derived')}CREATE TABLE IF NOT EXISTS imagga_uploads (
    cloud TEXT NOT NULL, upload_id TEXT NOT NULL, filename TEXT NOT NULL, expires_at REAL NOT NULL,
    data BLOB NOT NULL, PRIMARY KEY (cloud, upload_id)
);
"""


ACCOUNT = """
CREATE TABLE IF NOT EXISTS account_documents (
    seq INTEGER PRIMARY KEY,
    cloud TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,
    UNIQUE (cloud, kind, name)
)
"""
# A counter every change of an account document bumps, whoever writes it (another worker, an older emulator on
# the same data directory, a reset of every table): a process keeps the documents it read until the counter moves.
ACCOUNT_VERSION = (
    "CREATE TABLE IF NOT EXISTS account_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO account_version (id, n) VALUES (1, 0)",
    *(f"CREATE TRIGGER IF NOT EXISTS account_documents_on_{event.lower()} AFTER {event} ON account_documents "
      "BEGIN UPDATE account_version SET n = n + 1 WHERE id = 1; END" for event in ("INSERT", "UPDATE", "DELETE")),
)
# The Account Provisioning API's documents; a partial unique index holds each kind's unique names (cloud names,
# emails, group names).
PROVISIONING = """
CREATE TABLE IF NOT EXISTS provisioning_documents (
    seq INTEGER PRIMARY KEY,
    account TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, uniq TEXT, body TEXT NOT NULL,
    UNIQUE (account, kind, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS provisioning_unique
    ON provisioning_documents (account, kind, uniq) WHERE uniq IS NOT NULL;
"""
LIFECYCLE = f"""
CREATE TABLE IF NOT EXISTS eager (
    cloud TEXT NOT NULL, resource_type TEXT NOT NULL, type TEXT NOT NULL, public_id TEXT NOT NULL,
    sha256 TEXT NOT NULL, variant TEXT NOT NULL, derived_id TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (cloud, resource_type, type, public_id, sha256, variant)
);
CREATE INDEX IF NOT EXISTS eager_by_id ON eager (cloud, derived_id);
{dropped_with_original('eager')}CREATE TABLE IF NOT EXISTS backups (
    cloud TEXT NOT NULL, resource_type TEXT NOT NULL, type TEXT NOT NULL, public_id TEXT NOT NULL,
    asset_id TEXT NOT NULL, version_id TEXT NOT NULL, version INTEGER NOT NULL, backed_up_at REAL NOT NULL,
    record TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (cloud, asset_id, version_id)
);
CREATE INDEX IF NOT EXISTS backups_by_key ON backups (cloud, resource_type, type, public_id, version);
CREATE TABLE IF NOT EXISTS related_assets (
    cloud TEXT NOT NULL, asset_id TEXT NOT NULL, other TEXT NOT NULL,
    UNIQUE (cloud, asset_id, other)
);
"""


_INDEX = "CREATE INDEX IF NOT EXISTS derived_used_at ON derived (used_at)"


def create_beside(db: Database) -> None:
    """The tables beside ``resources`` (delivery's cache, Imagga uploads, eager renderings, backups, relations,
    the account's documents, the provisioning account's), and the upgrade of a derived cache from before it was
    bounded."""
    with db.lock:
        db.conn.executescript(DERIVED)
        db.conn.executescript(LIFECYCLE)
        db.conn.execute(ACCOUNT)
        for statement in ACCOUNT_VERSION:
            db.conn.execute(statement)
        db.conn.executescript(PROVISIONING)
    _upgrade_derived(db)


def _upgrade_derived(db: Database) -> None:
    """Data directories from before the cache was bounded get its ``size`` and ``used_at`` columns."""
    with db.tx() as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(derived)")}
        if "size" not in columns:
            conn.execute("ALTER TABLE derived ADD COLUMN size INTEGER NOT NULL DEFAULT 0")
            conn.execute("UPDATE derived SET size = length(data)")
        if "used_at" not in columns:
            conn.execute("ALTER TABLE derived ADD COLUMN used_at REAL NOT NULL DEFAULT 0")
        conn.execute(_INDEX)
