"""SQLite tables of the control plane. One connection, one lock; WAL so readers never wait for writers.

Durability matters less here than for the library (a lost journal line is harmless), so commits do not fsync.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from emulator.storage.db import WriterLock, directory_for, open_database, write_transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS clock (id INTEGER PRIMARY KEY CHECK (id = 1), offset REAL NOT NULL, frozen_at REAL);
INSERT OR IGNORE INTO clock (id, offset, frozen_at) VALUES (1, 0, NULL);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, cloud TEXT, operation TEXT NOT NULL,
    method TEXT NOT NULL, path TEXT NOT NULL, params TEXT NOT NULL, status TEXT NOT NULL,
    duration_ms REAL NOT NULL, warnings TEXT NOT NULL, size INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS journal_operation ON journal (operation);
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT, spec TEXT NOT NULL, checks INTEGER NOT NULL DEFAULT 0,
    fired INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS registrations (kind TEXT NOT NULL, key TEXT NOT NULL, entry TEXT NOT NULL,
    PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS queued_results (id INTEGER PRIMARY KEY AUTOINCREMENT, engine TEXT NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS admin_calls (cloud TEXT PRIMARY KEY, hour INTEGER NOT NULL, calls INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS admin_limits (cloud TEXT PRIMARY KEY, calls_per_hour INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, cloud TEXT NOT NULL, public_id TEXT NOT NULL,
    resource_type TEXT NOT NULL, type TEXT NOT NULL, request TEXT NOT NULL, due_at REAL NOT NULL,
    claimed_until REAL
);
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at REAL NOT NULL, cloud TEXT NOT NULL, url TEXT NOT NULL,
    kind TEXT NOT NULL, body TEXT NOT NULL, attempts TEXT NOT NULL DEFAULT '[]', state TEXT NOT NULL,
    next_attempt_at REAL NOT NULL, claimed_until REAL
);
"""


class ControlStore:
    """In ``data_dir`` (shared by every worker process), or in a temporary directory removed on close."""

    def __init__(self, data_dir: Path | None) -> None:
        directory, self._cleanup = directory_for(self, data_dir)
        path = self.path = directory / "control.sqlite3"
        temporary = self._cleanup is not None
        self._conn = open_database(path, synchronous="OFF", temporary=temporary)
        self._writer = WriterLock(path, shared=not temporary)  # one writer at a time, across worker processes too
        self._lock = self._writer.thread
        self._conn.executescript(_SCHEMA)
        self._upgrade()

    def _upgrade(self) -> None:
        """Data directories from before the journal was bounded in bytes get its ``size`` column."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(journal)")}
        if "size" not in columns:
            with self.tx() as db:
                db.execute("ALTER TABLE journal ADD COLUMN size INTEGER NOT NULL DEFAULT 0")
                db.execute("UPDATE journal SET size = length(params) + length(warnings) + length(path) + 64")

    def tx(self) -> AbstractContextManager[sqlite3.Connection]:
        return write_transaction(self._conn, self._writer)

    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, tuple(args)).fetchall()

    def one(self, sql: str, args: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        with self._lock:
            row: tuple[Any, ...] | None = self._conn.execute(sql, tuple(args)).fetchone()
            return row

    def leftovers(self) -> bool:
        """Whether categorization jobs or webhooks not yet delivered wait from before a restart."""
        row = self.one("SELECT EXISTS (SELECT 1 FROM jobs) OR "
                       "EXISTS (SELECT 1 FROM notifications WHERE state = 'pending')")
        return bool(row and row[0])

    def reset(self) -> None:
        """Forget everything but the clock: journal, faults, registrations, jobs, webhooks, rate-limit counts and
        budgets set at run time."""
        with self.tx() as db:
            for table in ("journal", "faults", "registrations", "queued_results", "jobs", "notifications",
                          "admin_calls", "admin_limits"):
                db.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            self._writer.close()
        if self._cleanup is not None:
            self._cleanup()


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
