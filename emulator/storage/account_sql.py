"""The account's documents (metadata fields, presets, mappings, transformations, folders, profiles, triggers)
in one SQLite table of the emulator's database: ``account_documents``, created on start when missing, so an
existing data directory is upgraded in place.

Every upload lists two kinds (the metadata fields, the upload triggers), which rarely change: each kind's list is
kept as read (the documents' text, so no caller can change what the next one gets) until it may have changed. A
write through this store, or a reset of the database's tables, forgets the lists; a commit by another connection
(a worker of ``serve --workers``) is seen as a new ``PRAGMA data_version``, and then the ``account_version``
counter, which triggers bump on every change of a document, says whether the documents changed or only other
tables did. A temporary database has no other connection: no statement at all for a kept list.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from emulator import jsontext
from emulator.backend.account.store import Document
from emulator.storage import schema
from emulator.storage.db import Database

_LISTS_KEPT = 1024  # (cloud, kind) lists kept at most: sub-accounts' clouds are many; past it, all start again


class SQLiteAccountStore:
    """Implements :class:`emulator.backend.account.store.AccountStore` on a shared connection and lock."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._read = db.read
        self._lists: dict[tuple[str, str], tuple[str, ...]] = {}  # (cloud, kind) → the bodies, in order
        self._data_version, self._counter = -1, -1
        with db.tx() as conn:
            conn.execute(schema.ACCOUNT)
            for statement in schema.ACCOUNT_VERSION:
                conn.execute(statement)
        with db.lock:
            self._seen = self._versions()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, which makes every store over this database forget its lists once it ends (before
        this thread lets another one read: a list read inside it, by a ``modify`` callback, is not kept)."""
        with self._db.lock:  # the writer's own re-entrant lock, taken first as the transaction takes it
            try:
                with self._db.tx() as conn:
                    yield conn
            finally:
                self._db.generation += 1

    def get(self, cloud: str, kind: str, name: str) -> Document | None:
        rows = self._read("SELECT body FROM account_documents WHERE cloud = ? AND kind = ? AND name = ?",
                          (cloud, kind, name))
        return _load(rows[0][0]) if rows else None

    def list(self, cloud: str, kind: str) -> list[Document]:
        return [_load(body) for body in self._bodies(cloud, kind)]

    def _bodies(self, cloud: str, kind: str) -> tuple[str, ...]:
        with self._db.lock:
            versions = self._versions()
            if versions != self._seen:
                self._lists.clear()
                self._seen = versions
            found = self._lists.get((cloud, kind))
            if found is None:
                if len(self._lists) >= _LISTS_KEPT:
                    self._lists.clear()
                rows = self._read("SELECT body FROM account_documents WHERE cloud = ? AND kind = ? ORDER BY seq",
                                  (cloud, kind))
                found = self._lists[(cloud, kind)] = tuple(row[0] for row in rows)
            return found

    def _versions(self) -> tuple[int, int]:
        """What tells kept lists from stale ones: resets of the database's tables in this process, and the
        documents' counter as committed by other connections (read only once the file changed)."""
        db = self._db
        if not db.shared:
            return db.generation, 0
        changed = int(db.conn.execute("PRAGMA data_version").fetchone()[0])
        if changed == self._data_version:
            return db.generation, self._counter
        self._data_version = changed
        self._counter = int(db.conn.execute("SELECT n FROM account_version WHERE id = 1").fetchone()[0])
        return db.generation, self._counter

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
    return jsontext.text(document)


def _load(text: str) -> Document:
    loaded: Document = json.loads(text)
    return loaded
