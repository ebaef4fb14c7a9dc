"""SQLite tables of the control plane. One connection, one lock; WAL so readers never wait for writers.

Durability matters less here than for the library (a lost journal line is harmless), so commits do not fsync.

Every API call reads the control plane's settings (the clock, whether any fault is set, the Admin budget and
its count), which rarely change. They are read once and kept (:meth:`ControlStore.cached`) until they may have
changed: a write through this connection that is not declared harmless to them empties the cache. A commit by any
other connection (another worker process, another emulator on the same data directory) is seen as a new
``PRAGMA data_version``, checked once when an API call starts (:meth:`hold`); as the other workers commit a
journal entry with every call, the settings' own counter (``settings_version``, bumped by every write that is not
declared harmless) then says whether they changed or only the volatile values (call counts) may have.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from emulator import jsontext
from emulator.storage.db import WriterLock, directory_for, open_database, write_transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT OR IGNORE INTO settings_version (id, n) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS clock (id INTEGER PRIMARY KEY CHECK (id = 1), offset REAL NOT NULL, frozen_at REAL);
INSERT OR IGNORE INTO clock (id, offset, frozen_at) VALUES (1, 0, NULL);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, cloud TEXT, operation TEXT NOT NULL,
    method TEXT NOT NULL, path TEXT NOT NULL, params TEXT NOT NULL, status TEXT NOT NULL,
    duration_ms REAL NOT NULL, warnings TEXT NOT NULL, size INTEGER NOT NULL DEFAULT 0
);
-- No index on operation: every call writes a journal entry, and a second B-tree to update cost each a quarter
-- more; a read filtered by operation scans at most the journal's 10,000 newest entries.
DROP INDEX IF EXISTS journal_operation;
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


@dataclass(frozen=True)
class Deferred:
    sql: str
    args: tuple[Any, ...]
    done: Callable[[], None] | None = None


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
        self._volatile: set[str] = set()  # keys whose values writes declared harmless may change (call counts)
        self._shared = not temporary  # a temporary store is this connection's alone: nobody else commits to it
        self._thread = threading.local()  # .held: the cache checked for this call; .deferred: writes waiting
        self._conn.executescript(_SCHEMA)
        self._upgrade()
        self._version, self._settings = self._data_version(), self._settings_version()

    def _upgrade(self) -> None:
        """Data directories from before the journal was bounded in bytes get its ``size`` column."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(journal)")}
        if "size" not in columns:
            with self.tx() as db:
                db.execute("ALTER TABLE journal ADD COLUMN size INTEGER NOT NULL DEFAULT 0")
                db.execute("UPDATE journal SET size = length(params) + length(warnings) + length(path) + 64")

    @contextmanager
    def tx(self, *, invalidates: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction. Writes this thread deferred (:meth:`defer`) go first, in it, and their ``done``
        calls run once it is committed, before any other thread of this process reads. ``invalidates``: whether
        it may change a value read through :meth:`cached` (only the journal and call counts say no)."""
        deferred: list[Deferred] = getattr(self._thread, "deferred", None) or []
        self._thread.deferred = None
        with self._lock:
            try:
                with write_transaction(self._conn, self._writer) as db:
                    try:
                        for write in deferred:
                            db.execute(write.sql, write.args)
                        yield db
                        if invalidates:
                            db.execute("UPDATE settings_version SET n = n + 1")
                    finally:
                        if invalidates:
                            self._cache.clear()
            except BaseException:
                if deferred:  # rolled back: they wait for the next transaction of this thread
                    self._thread.deferred = deferred + (getattr(self._thread, "deferred", None) or [])
                raise
            for write in deferred:  # committed, and no other thread of this process has read since
                if write.done is not None:
                    write.done()

    def write(self, sql: str, args: tuple[Any, ...]) -> int:
        """One statement that changes no value read through :meth:`cached` (a journal entry), in a transaction of
        its own, with what this thread deferred; the row id it inserted."""
        if getattr(self._thread, "deferred", None):
            with self.tx(invalidates=False) as db:
                return int(db.execute(sql, args).lastrowid or 0)
        with self._writer:  # a statement alone is a transaction: no BEGIN and COMMIT to run
            return int(self._conn.execute(sql, args).lastrowid or 0)

    def defer(self, sql: str, args: tuple[Any, ...], done: Callable[[], None] | None = None) -> None:
        """A write that can wait for this thread's next transaction (the journal entry of the same call): one
        commit instead of two. :meth:`flush` writes it if none comes. ``done`` runs once it is committed."""
        waiting = getattr(self._thread, "deferred", None)
        if waiting is None:
            waiting = self._thread.deferred = []
        waiting.append(Deferred(sql, args, done))

    def flush(self) -> None:
        """Write what this thread deferred, if anything (the end of every API call)."""
        if getattr(self._thread, "deferred", None):
            with self.tx(invalidates=False):
                pass

    def cached(self, key: str, load: Callable[[], T], *, volatile: bool = False) -> T:
        """``load()``'s value, kept until the control store may have changed it (see the module's docstring);
        ``volatile``: a value that writes declared harmless (``invalidates=False``) change."""
        with self._lock:
            if volatile:
                self._volatile.add(key)
            if not getattr(self._thread, "held", False):
                self._revalidate()
            if key in self._cache:
                value: T = self._cache[key]
                return value
            value = self._cache[key] = load()
            return value

    def update_cached(self, key: str, change: Callable[[Any], Any]) -> None:
        """Apply to a cached value a change this process just committed (a call counted), if it is cached."""
        with self._lock:
            if key in self._cache:
                self._cache[key] = change(self._cache[key])

    def hold(self) -> None:
        """For this thread until :meth:`release` (one API call), check once whether the cache is still good."""
        with self._lock:
            self._revalidate()
        self._thread.held = True

    def release(self) -> None:
        self._thread.held = False

    def _revalidate(self) -> None:
        if not self._shared:
            return
        version = self._data_version()
        if version == self._version:
            return
        self._version = version
        settings = self._settings_version()
        if settings != self._settings:
            self._cache.clear()
            self._settings = settings
            return
        for key in self._volatile:  # another connection wrote call counts or journal entries, no setting
            self._cache.pop(key, None)

    def _settings_version(self) -> int:
        row = self._conn.execute("SELECT n FROM settings_version WHERE id = 1").fetchone()
        return int(row[0]) if row else 0

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
    return jsontext.text(value)
