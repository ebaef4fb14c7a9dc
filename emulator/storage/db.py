"""The two SQLite habits every database of the emulator shares: how it is opened, how it is written."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import weakref
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any


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
