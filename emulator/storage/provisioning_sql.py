"""The provisioning account's documents in one SQLite table of the emulator's database: ``provisioning_documents``
(created with the other tables at start, so an existing data directory is upgraded in place: storage/schema.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from emulator import jsontext
from emulator.backend.provisioning.store import Claimed, Document, UniqueTaken
from emulator.storage.db import Database

_WHERE = "account = ? AND kind = ? AND id = ?"


class SQLiteProvisioningStore:
    """Implements :class:`emulator.backend.provisioning.store.ProvisioningStore` on the shared connection."""

    def __init__(self, db: Database) -> None:
        self._db = db  # the table is created with the others at start (storage/schema.py)

    def get(self, account: str, kind: str, id: str) -> Document | None:
        rows = self._db.read(f"SELECT body FROM provisioning_documents WHERE {_WHERE}", (account, kind, id))
        return _load(rows[0][0]) if rows else None

    def find(self, account: str, kind: str, unique: str) -> Document | None:
        rows = self._db.read("SELECT body FROM provisioning_documents WHERE account = ? AND kind = ? AND uniq = ?",
                             (account, kind, unique))
        return _load(rows[0][0]) if rows else None

    def list(self, account: str, kind: str) -> list[Document]:
        rows = self._db.read("SELECT body FROM provisioning_documents WHERE account = ? AND kind = ? ORDER BY seq",
                             (account, kind))
        return [_load(row[0]) for row in rows]

    def insert(self, account: str, kind: str, id: str, document: Claimed) -> bool:
        with self._db.tx() as conn:
            try:
                conn.execute("INSERT INTO provisioning_documents (account, kind, id, uniq, body) "
                             "VALUES (?, ?, ?, ?, ?)", (account, kind, id, document.unique, _dump(document.body)))
            except sqlite3.IntegrityError:
                return False
            return True

    def modify(self, account: str, kind: str, id: str,
               change: Callable[[Document], Claimed]) -> Document | None:
        with self._db.tx() as conn:
            rows = conn.execute(f"SELECT body FROM provisioning_documents WHERE {_WHERE}",
                                (account, kind, id)).fetchall()
            if not rows:
                return None
            changed = change(_load(rows[0][0]))
            try:
                conn.execute(f"UPDATE provisioning_documents SET uniq = ?, body = ? WHERE {_WHERE}",
                             (changed.unique, _dump(changed.body), account, kind, id))
            except sqlite3.IntegrityError as exc:
                raise UniqueTaken(changed.unique) from exc
            return changed.body

    def delete(self, account: str, kind: str, id: str) -> Document | None:
        with self._db.tx() as conn:
            rows = conn.execute(f"SELECT body FROM provisioning_documents WHERE {_WHERE}",
                                (account, kind, id)).fetchall()
            if not rows:
                return None
            conn.execute(f"DELETE FROM provisioning_documents WHERE {_WHERE}", (account, kind, id))
            return _load(rows[0][0])

    def reset(self) -> None:
        with self._db.tx() as conn:
            conn.execute("DELETE FROM provisioning_documents")


def _dump(document: Document) -> str:
    return jsontext.text(document)


def _load(text: str) -> Document:
    loaded: Document = json.loads(text)
    return loaded
