"""The two SQLite habits every database of the emulator shares: how it is opened, how it is written."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any


def open_database(path: Path, *, synchronous: str) -> sqlite3.Connection:
    """One connection usable from every thread (callers hold a lock), in WAL mode so readers never wait.

    ``timeout`` lets worker processes of ``serve --workers`` queue for the write lock instead of failing.
    """
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    return conn


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
