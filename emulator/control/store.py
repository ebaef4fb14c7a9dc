"""SQLite tables of the control plane. One connection, one lock; WAL so readers never wait for writers.

Durability matters less here than for the library (a lost journal line is harmless), so commits do not fsync.

Every API call reads the control plane's settings (the clock, whether any fault is set, the Admin budget and
its count), which rarely change. They are read once and kept (:meth:`ControlStore.cached`) until they may have
changed: a write through this connection that is not declared harmless to them empties the cache, and so does a
commit by any other connection (another worker process, another emulator on the same data directory), which
SQLite reports by a new ``PRAGMA data_version``. An API call checks that once, when it starts (:meth:`hold`).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

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


T = TypeVar("T")


class ControlStore:
    """In ``data_dir`` (shared by every worker process), or in a temporary directory removed on close."""

    def __init__(self, data_dir: Path | None) -> None:
        directory, self._cleanup = directory_for(self, data_dir)
        path = self.path = directory / "control.sqlite3"
        temporary = self._cleanup is not None
        self._conn = open_database(path, synchronous="OFF", temporary=temporary)
        self._writer = WriterLock(path, shared=not temporary)  # one writer at a time, across worker processes too
        self._lock = self.lock = self._writer.thread  # guards the connection and the cache
        self._cache: dict[str, Any] = {}
        self._thread = threading.local()  # .held: the cache checked for this call; .deferred: writes waiting
        self._conn.executescript(_SCHEMA)
        self._upgrade()
        self._version = self._data_version()

    def _upgrade(self) -> None:
        """Data directories from before the journal was bounded in bytes get its ``size`` column."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(journal)")}
        if "size" not in columns:
            with self.tx() as db:
                db.execute("ALTER TABLE journal ADD COLUMN size INTEGER NOT NULL DEFAULT 0")
                db.execute("UPDATE journal SET size = length(params) + length(warnings) + length(path) + 64")

    @contextmanager
    def tx(self, *, invalidates: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction. Writes this thread deferred (:meth:`defer`) go first, in it. ``invalidates``:
        whether it may change a value read through :meth:`cached` (only the journal and call counts say no)."""
        deferred: list[tuple[str, tuple[Any, ...]]] = getattr(self._thread, "deferred", None) or []
        self._thread.deferred = None
        try:
            with write_transaction(self._conn, self._writer) as db:
                try:
                    for sql, args in deferred:
                        db.execute(sql, args)
                    yield db
                finally:
                    if invalidates:
                        self._cache.clear()
        except BaseException:
            if deferred:  # rolled back: they wait for the next transaction of this thread
                self._thread.deferred = deferred + (getattr(self._thread, "deferred", None) or [])
            raise

    def defer(self, sql: str, args: tuple[Any, ...]) -> None:
        """A write that can wait for this thread's next transaction (the journal entry of the same call): one
        commit instead of two. :meth:`flush` writes it if none comes."""
        waiting = getattr(self._thread, "deferred", None)
        if waiting is None:
            waiting = self._thread.deferred = []
        waiting.append((sql, args))

    def flush(self) -> None:
        """Write what this thread deferred, if anything (the end of every API call)."""
        if getattr(self._thread, "deferred", None):
            with self.tx(invalidates=False):
                pass

    def cached(self, key: str, load: Callable[[], T]) -> T:
        """``load()``'s value, kept until the control store may have changed it (see the module's docstring)."""
        with self._lock:
            if not getattr(self._thread, "held", False):
                self._revalidate()
            if key in self._cache:
                value: T = self._cache[key]
                return value
            value = self._cache[key] = load()
            return value

    def remember(self, key: str, value: Any) -> None:
        """What this process just decided a cached value is (a call count taken, written with its journal
        entry)."""
        with self._lock:
            self._cache[key] = value

    def hold(self) -> None:
        """For this thread until :meth:`release` (one API call), check once whether the cache is still good."""
        with self._lock:
            self._revalidate()
        self._thread.held = True

    def release(self) -> None:
        self._thread.held = False

    def _revalidate(self) -> None:
        version = self._data_version()
        if version != self._version:
            self._cache.clear()
            self._version = version

    def _data_version(self) -> int:
        """Changes when another connection commits to the file (never for this connection's own commits)."""
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

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

    def trace(self, callback: Callable[[str], object] | None) -> None:
        """Diagnostics: ``callback`` gets each SQL statement this store runs from now on (``None``: stop)."""
        with self._lock:
            self._conn.set_trace_callback(callback)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            self._writer.close()
        if self._cleanup is not None:
            self._cleanup()


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
