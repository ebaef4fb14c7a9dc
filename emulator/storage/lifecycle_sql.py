"""SQLite tables of the upload extras: derived images kept on request (``eager``) and backed-up versions.

``eager`` rows are keyed like delivery's cache (resource, the original's sha256, variant) but are never evicted:
triggers drop them with the original's bytes (overwrite with other bytes, rename, deletion). ``backups`` rows
hold a version's record and its bytes, keyed by the asset and version id; they outlive the resource.
``related_assets`` holds each relation in both directions, by asset id (readers skip assets that are gone).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from emulator.backend.models import Resource, ResourceKey
from emulator.backend.ports import Version
from emulator.storage.db import Database
from emulator.storage.rows import COLUMNS, key_columns, to_resource, to_row

_KEY = "cloud=? AND resource_type=? AND type=? AND public_id=?"


class SQLiteEagerStore:
    """The :class:`~emulator.backend.ports.EagerStore` port."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def put(self, key: ResourceKey, sha256: str, variant: str, derived_id: str, data: bytes) -> None:
        with self._db.tx() as db:
            db.execute(f"INSERT OR REPLACE INTO eager (cloud, resource_type, type, public_id, sha256, variant, "
                       f"derived_id, data) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS "
                       f"(SELECT 1 FROM resources WHERE {_KEY} AND sha256=?)",
                       (*key_columns(key), sha256, variant, derived_id, data, *key_columns(key), sha256))

    def get(self, key: ResourceKey, sha256: str, variant: str) -> bytes | None:
        row = self._db.one(f"SELECT data FROM eager WHERE {_KEY} AND sha256=? AND variant=?",
                           (*key_columns(key), sha256, variant))
        return bytes(row[0]) if row else None

    def owner(self, cloud: str, derived_id: str) -> ResourceKey | None:
        row = self._db.one("SELECT resource_type, type, public_id FROM eager WHERE cloud=? AND derived_id=?",
                           (cloud, derived_id))
        return ResourceKey(cloud, row[2], row[0], row[1]) if row else None

    def drop(self, key: ResourceKey, derived_ids: Sequence[str] | None) -> None:
        with self._db.tx() as db:
            if derived_ids is None:
                db.execute(f"DELETE FROM eager WHERE {_KEY}", key_columns(key))
            else:
                db.executemany(f"DELETE FROM eager WHERE {_KEY} AND derived_id=?",
                               [(*key_columns(key), i) for i in derived_ids])


class SQLiteBackups:
    """The :class:`~emulator.backend.ports.Backups` port."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def keep(self, resource: Resource, data: bytes, at: float) -> None:
        k = resource.key
        with self._db.tx() as db:
            db.execute("INSERT OR IGNORE INTO backups (cloud, resource_type, type, public_id, asset_id, version_id, "
                       "version, backed_up_at, record, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (*key_columns(k), resource.asset_id, resource.version_id, resource.version, at,
                        json.dumps(to_row(resource)), data))

    def versions(self, key: ResourceKey) -> list[Version]:
        rows = self._db.read(f"SELECT record, backed_up_at FROM backups WHERE {_KEY} "
                             f"ORDER BY version DESC, backed_up_at DESC", key_columns(key))
        return [Version(_record(row[0]), b"", row[1]) for row in rows]

    def version(self, key: ResourceKey, version_id: str | None) -> Version | None:
        sql = f"SELECT record, backed_up_at, data FROM backups WHERE {_KEY}"
        params: list[object] = list(key_columns(key))
        if version_id is not None:
            sql += " AND version_id=?"
            params.append(version_id)
        row = self._db.one(sql + " ORDER BY version DESC, backed_up_at DESC LIMIT 1", params)
        return Version(_record(row[0]), bytes(row[2]), row[1]) if row else None

    def by_asset_id(self, cloud: str, asset_id: str, version_id: str) -> Version | None:
        row = self._db.one("SELECT record, backed_up_at, data FROM backups WHERE cloud=? AND asset_id=? "
                           "AND version_id=? ORDER BY backed_up_at DESC LIMIT 1", (cloud, asset_id, version_id))
        return Version(_record(row[0]), bytes(row[2]), row[1]) if row else None

    def key_of(self, cloud: str, asset_id: str) -> ResourceKey | None:
        row = self._db.one("SELECT resource_type, type, public_id FROM backups WHERE cloud=? AND asset_id=? "
                           "ORDER BY version DESC, backed_up_at DESC LIMIT 1", (cloud, asset_id))
        return ResourceKey(cloud, row[2], row[0], row[1]) if row else None


class SQLiteRelations:
    """The :class:`~emulator.backend.related.Relations` port."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def relate(self, cloud: str, asset_id: str, others: Sequence[str]) -> None:
        pairs = [(cloud, a, b) for other in others for a, b in ((asset_id, other), (other, asset_id))]
        with self._db.tx() as db:
            db.executemany("INSERT OR IGNORE INTO related_assets (cloud, asset_id, other) VALUES (?, ?, ?)", pairs)

    def unrelate(self, cloud: str, asset_id: str, others: Sequence[str]) -> None:
        pairs = [(cloud, a, b) for other in others for a, b in ((asset_id, other), (other, asset_id))]
        with self._db.tx() as db:
            db.executemany("DELETE FROM related_assets WHERE cloud=? AND asset_id=? AND other=?", pairs)

    def related(self, cloud: str, asset_id: str) -> list[str]:
        rows = self._db.read("SELECT other FROM related_assets WHERE cloud=? AND asset_id=? ORDER BY rowid",
                             (cloud, asset_id))
        return [row[0] for row in rows]


def _record(text: str) -> Resource:
    values = json.loads(text)
    assert len(values) == len(COLUMNS)
    return to_resource(values)
