"""The two SQLite habits every database of the emulator shares: how it is opened, how it is written."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

try:
    import fcntl
except ImportError:  # Windows: no flock; SQLite's busy handler alone queues the writers
    fcntl = None  # type: ignore[assignment]


def directory_for(owner: object, data_dir: Path | None) -> tuple[Path, Callable[[], object] | None]:
    """``data_dir`` (created if needed), or a temporary directory and the call that removes it.

    The removal also runs when ``owner`` is garbage-collected or the interpreter exits, so a store that is
    never closed (a test, Ctrl-C) leaves nothing behind in /tmp.
    """
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        return data_dir, None
    tmp = Path(tempfile.mkdtemp(prefix="cloudinary-emulator-"))
    return tmp, weakref.finalize(owner, shutil.rmtree, tmp, ignore_errors=True)


def open_database(path: Path, *, synchronous: str, temporary: bool = False) -> sqlite3.Connection:
    """One connection usable from every thread (callers hold a lock), in WAL mode so readers never wait.

    ``timeout`` lets worker processes of ``serve --workers`` queue for the write lock instead of failing.
    A ``temporary`` database (removed on close, only ever opened by this one connection) keeps its rollback
    journal in memory instead: no other connection reads it, nothing of it outlives the process, and creating
    a WAL file and its shared-memory index was most of what starting an emulator cost.
    """
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute(f"PRAGMA journal_mode={'MEMORY' if temporary else 'WAL'}")
    if temporary:  # and it holds its file lock from the first use on: no lock and unlock calls around each statement
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    return conn


class WriterLock:
    """Who may write a database file: one thread of this process (a re-entrant lock, which also guards the shared
    connection), then one process of those sharing the file (``serve --workers``).

    Between processes, ``flock`` on ``<database>-writer`` queues the writers in the kernel, which wakes the next one
    the moment the lock is free. Left to SQLite, a writer that finds the file locked polls it, asleep 1, 2, 5, 10 …
    ms between tries: two workers writing a journal line per request spent much of their time asleep that way.
    """

    def __init__(self, path: Path, *, shared: bool = True) -> None:
        """``shared``: other processes may open the file (a temporary database never is: no lock file)."""
        self.thread = threading.RLock()
        self._fd = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600) if fcntl and shared \
            else -1

    def __enter__(self) -> None:
        self.thread.acquire()
        if self._fd >= 0:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except BaseException:
                self.thread.release()
                raise

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if self._fd >= 0:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self.thread.release()

    def close(self) -> None:
        with self.thread:
            if self._fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(self._fd)
                self._fd = -1


class HeldTransaction(Protocol):
    thread: int

    def step(self, *, flush: bool = True) -> AbstractContextManager[sqlite3.Connection]: ...

    def defer(self, first_id: int, write: Callable[[sqlite3.Connection, int, Any], None],
              counts: Mapping[Any, int]) -> None: ...

    def flush(self) -> None: ...


class Database:
    """One connection to one SQLite file, shared by the adapters of each port, and the lock that guards it."""

    def __init__(self, path: Path, *, synchronous: str, temporary: bool = False) -> None:
        self.path = path
        self.shared = not temporary  # other connections (worker processes) may commit to the file
        # Bumped by a write that may change what an adapter keeps of this database in memory (an account document,
        # a reset of every table of a cloud): whatever any adapter over this connection kept starts again.
        self.generation = 0
        self.conn = open_database(path, synchronous=synchronous, temporary=temporary)
        self.writer = WriterLock(path, shared=not temporary)
        self.lock = self.writer.thread  # readers: this process's threads take turns on the one connection
        # A transaction a bulk load holds open across many writes of its thread (emulator/storage/bulk.py).
        self.held: HeldTransaction | None = None

    def tx(self, *, deferring: bool = False) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``), one writer at a time across threads and processes; in
        the thread of a bulk load, a step of the transaction it holds, which first writes the rows the load
        deferred (but for a ``deferring`` step: one that adds to them)."""
        held = self.bulk()
        if held is not None:
            return held.step(flush=not deferring)
        return write_transaction(self.conn, self.writer)

    def bulk(self) -> HeldTransaction | None:
        """The transaction a bulk load of this thread holds (None: no load, or another thread's)."""
        held = self.held
        return held if held is not None and held.thread == threading.get_ident() else None

    def read(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        with self.lock:
            self._flush()
            return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[object] = ()) -> Any:
        with self.lock:
            self._flush()
            return self.conn.execute(sql, params).fetchone()

    def _flush(self) -> None:
        """In the thread of a bulk load, the rows it deferred are written before a read: it reads what it wrote."""
        held = self.bulk() if self.held is not None else None  # most reads: no load, one attribute test
        if held is not None:
            held.flush()

    def close(self) -> None:
        with self.lock:
            self.conn.close()
            self.writer.close()


@contextmanager
def write_transaction(conn: sqlite3.Connection, lock: AbstractContextManager[Any]) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE``: the write lock is taken up front, so concurrent writers serialise, never deadlock."""
    with lock:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
