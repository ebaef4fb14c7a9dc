"""The account's documents (metadata fields, presets, mappings, transformations, folders, profiles, triggers)
in one SQLite table of the emulator's database: ``account_documents``, created on start when missing, so an
existing data directory is upgraded in place."""

from __future__ import annotations

import json
from collections.abc import Callable

from emulator.backend.account.store import Document
from emulator.storage import schema
from emulator.storage.db import Database


class SQLiteAccountStore:
    """Implements :class:`emulator.backend.account.store.AccountStore` on a shared connection and lock."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._tx = db.tx
        self._read = db.read
        with self._tx() as conn:
            conn.execute(schema.ACCOUNT)

    def get(self, cloud: str, kind: str, name: str) -> Document | None:
        rows = self._read("SELECT body FROM account_documents WHERE cloud = ? AND kind = ? AND name = ?",
                          (cloud, kind, name))
        return _load(rows[0][0]) if rows else None

    def list(self, cloud: str, kind: str) -> list[Document]:
        rows = self._read("SELECT body FROM account_documents WHERE cloud = ? AND kind = ? ORDER BY seq",
                          (cloud, kind))
        return [_load(row[0]) for row in rows]

    def insert(self, cloud: str, kind: str, name: str, document: Document) -> bool:
        with self._tx() as db:
            cursor = db.execute("INSERT OR IGNORE INTO account_documents (cloud, kind, name, body) "
                                "VALUES (?, ?, ?, ?)", (cloud, kind, name, _dump(document)))
            return cursor.rowcount == 1

    def put(self, cloud: str, kind: str, name: str, document: Document) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO account_documents (cloud, kind, name, body) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (cloud, kind, name) DO UPDATE SET body = excluded.body",
                       (cloud, kind, name, _dump(document)))

    def modify(self, cloud: str, kind: str, name: str,
               change: Callable[[Document], Document]) -> Document | None:
        with self._tx() as db:
            rows = db.execute("SELECT body FROM account_documents WHERE cloud = ? AND kind = ? AND name = ?",
                              (cloud, kind, name)).fetchall()
            if not rows:
                return None
            changed = change(_load(rows[0][0]))
            db.execute("UPDATE account_documents SET body = ? WHERE cloud = ? AND kind = ? AND name = ?",
                       (_dump(changed), cloud, kind, name))
            return changed

    def delete(self, cloud: str, kind: str, name: str) -> bool:
        with self._tx() as db:
            cursor = db.execute("DELETE FROM account_documents WHERE cloud = ? AND kind = ? AND name = ?",
                                (cloud, kind, name))
            return cursor.rowcount == 1

    def rename(self, cloud: str, kind: str, old: str, new: str, document: Document) -> bool:
        with self._tx() as db:
            taken = db.execute("SELECT 1 FROM account_documents WHERE cloud = ? AND kind = ? AND name = ?",
                               (cloud, kind, new)).fetchall()
            if taken and old != new:
                return False
            cursor = db.execute("UPDATE account_documents SET name = ?, body = ? "
                                "WHERE cloud = ? AND kind = ? AND name = ?",
                                (new, _dump(document), cloud, kind, old))
            return cursor.rowcount == 1

    def reset(self, cloud: str | None = None) -> None:
        with self._tx() as db:
            if cloud is None:
                db.execute("DELETE FROM account_documents")
            else:
                db.execute("DELETE FROM account_documents WHERE cloud = ?", (cloud,))


def _dump(document: Document) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _load(text: str) -> Document:
    loaded: Document = json.loads(text)
    return loaded
