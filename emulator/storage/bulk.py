"""Bulk loading: many resources into the database at the speed of sorted appends rather than of index upkeep.

While a load runs, the secondary indexes are dropped and built again at the end in one sorted pass each (all
the schema's ``CREATE INDEX`` but two that queries name and that a load in creation order only appends to; the
primary keys and the unique key stay: inserts need them), writes are not synced, and the page cache is large
(small while SQLite sorts). ``put_many`` inserts the rows of the ``WITHOUT ROWID`` tables in key order, in bulk
mode or not; in bulk mode the tag rows of its batches are deferred (:meth:`Held.defer`) and written for many
batches at once, before the load reads, writes otherwise or commits.

A crash mid-load loses nothing that was committed (a commit includes the deferred rows): the next open runs the
schema's ``CREATE INDEX IF NOT EXISTS`` statements (emulator/storage/schema.py), which build the dropped indexes
again, and restores the planner statistics. Queries during a load give the same answers, only without the dropped
indexes' help.
"""

from __future__ import annotations

import gc
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from emulator.storage import schema
from emulator.storage.db import Database

# The connection's settings while loading, restored after: no sync per commit; a page cache that holds the pages a
# batch's inserts land on (the unique key's are most: a page for each folder receiving resources, 86 MB for a
# million resources in 21,000 folders); sorts spilled to temporary files, not kept whole in memory.
RELAXED = {"synchronous": 0, "cache_size": -100_000, "temp_store": 1}
# The page cache while SQLite sorts (the deferred tag rows, the indexes built at the end): its sorter keeps up to a
# page cache's worth of rows in memory before spilling them, on top of the cache itself.
SORTING_CACHE = -8_000
COMMIT_EVERY = 1_000_000  # changed rows (some 170,000 resources with their word rows; their tag rows come after)
# The deferred writer: (connection, first row id, summed counts).
Write = Callable[[sqlite3.Connection, int, Any], None]
# Kept: queries name them (``INDEXED BY``), and a load in creation order only appends to them.
KEPT = frozenset({"resources_by_created", "resources_by_type_created"})
def deferred_indexes() -> list[tuple[str, str]]:
    """The schema's secondary indexes a load drops: (name, its ``CREATE INDEX IF NOT EXISTS`` statement)."""
    return [(name, f"CREATE INDEX IF NOT EXISTS {name} ON {on}") for name, on in schema.INDEXES.items()
            if name not in KEPT]


@contextmanager
def loading(db: Database) -> Iterator[None]:
    """Drop the secondary indexes, relax syncing and pause the garbage collector for the duration, and hold one
    transaction open across the load's writes; commit, build the indexes and restore the rest on the way out,
    also when the load fails."""
    conn = db.conn
    if db.bulk() is not None:  # a load within a load: the outer one's
        yield
        return
    with db.lock, _collector_paused():
        saved = {name: int(conn.execute(f"PRAGMA {name}").fetchone()[0]) for name in RELAXED}
        for name, value in RELAXED.items():
            conn.execute(f"PRAGMA {name}={value}")
        try:
            with db.tx() as tx:
                for name, _ in deferred_indexes():
                    tx.execute(f"DROP INDEX IF EXISTS {name}")
            with _held(db):
                yield
        finally:
            try:
                with db.tx() as tx, sorting(tx):
                    rebuild(tx)
            finally:
                for name, value in saved.items():
                    conn.execute(f"PRAGMA {name}={value}")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@contextmanager
def _held(db: Database) -> Iterator[None]:
    held = Held(db)
    db.held = held
    try:
        yield
    finally:
        db.held = None
        held.commit()


class Held:
    """One write transaction across the load's writes, each a savepoint in it (a write that fails leaves nothing
    behind, as its own transaction would), committed every ``COMMIT_EVERY`` changed rows and at the end.

    Committing each batch of a load wrote most pages of the tag and word tables out again every time (a batch
    adds a row or two to each of thousands of pages); fewer, larger commits write each page once per many rows.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.thread = threading.get_ident()
        self._open = False
        self._mark = 0
        self._pending: tuple[int, Write] | None = None
        self._counts: Counter[Hashable] = Counter()

    def defer(self, first_id: int, write: Write, counts: Mapping[Any, int]) -> None:
        """Leave the rows ``write(conn, first_id, counts)`` makes for the resources of row id ``first_id`` on (and
        of those inserted later) until the load reads, writes otherwise, or commits: then one statement writes
        them for many batches, in key order (the tag rows of 5,000 resources touched a page of the tag index for
        nearly every row; of 100,000, most pages get many rows at once). ``counts`` are summed over the batches
        (the tag counts: a few thousand rows, updated once per flush rather than once per batch)."""
        if self._pending is None:  # later batches' rows come after it: ids only grow within a load
            self._pending = (first_id, write)
        self._counts.update(counts)

    def flush(self) -> None:
        """Write the deferred rows (in a savepoint of their own)."""
        pending = self._pending
        if pending is None:
            return
        with self._savepoint() as conn, sorting(conn):
            pending[1](conn, pending[0], self._counts)
            self._pending, self._counts = None, Counter()

    @contextmanager
    def step(self, *, flush: bool = True) -> Iterator[sqlite3.Connection]:
        """One write of the load; ``flush``: the deferred rows are written first."""
        if flush:
            self.flush()
        with self._savepoint() as conn:
            deferred = (self._pending, self._counts.copy())  # as the step begins (the savepoint may drop them)
            try:
                yield conn
            except BaseException:
                # the step's writes are undone, and so are the deferred rows it added or flushed (a flush in a
                # step writes in the step's savepoint): they wait again as before the step
                self._pending, self._counts = deferred
                raise
        if conn.total_changes - self._mark >= COMMIT_EVERY:
            self.commit()

    @contextmanager
    def _savepoint(self) -> Iterator[sqlite3.Connection]:
        conn = self.db.conn
        if self._open and not conn.in_transaction:
            # SQLite rolled the transaction back itself (a full disk, an I/O error): the rows and counts waiting
            # went with the resources they were for; begin again (this process still holds the writer lock)
            self._pending, self._counts = None, Counter()
            conn.execute("BEGIN IMMEDIATE")
            self._mark = conn.total_changes
        if not self._open:
            self._begin()
        conn.execute("SAVEPOINT bulk_step")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK TO bulk_step")
                conn.execute("RELEASE bulk_step")
            raise
        conn.execute("RELEASE bulk_step")

    def _begin(self) -> None:
        self.db.writer.__enter__()
        try:
            self.db.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.db.writer.__exit__(None, None, None)
            raise
        self._open, self._mark = True, self.db.conn.total_changes

    def commit(self) -> None:
        """Commit what the steps wrote with the rows they deferred (between commits the writer lock is free for
        other processes). When the deferred rows cannot be written, nothing since the last commit is kept: a
        resource is never committed without its tag rows."""
        if not self._open:
            return
        conn = self.db.conn
        try:
            self.flush()
        except BaseException:
            self._pending, self._counts = None, Counter()
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            if conn.in_transaction:  # an error can have rolled it all back already
                conn.execute("COMMIT")
        finally:
            self._open = False
            self.db.writer.__exit__(None, None, None)


@contextmanager
def sorting(conn: sqlite3.Connection) -> Iterator[None]:
    """A small page cache for the duration of a large sort, so the sorter's memory stays small too (the pages it
    drops are read again after, from the operating system's cache)."""
    size = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    conn.execute(f"PRAGMA cache_size={SORTING_CACHE}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size={size}")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the load: a load makes millions of short-lived tuples, which
    reference counting frees, yet their numbers set off full collections of the whole heap (a fifth of the CPU
    a load took). Cycles made meanwhile are collected once it is back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def rebuild(tx: sqlite3.Connection) -> None:
    """Every secondary index the schema declares and the database lacks, and the pinned planner statistics."""
    for _, statement in deferred_indexes():
        tx.execute(statement)
    schema.pin_statistics(tx)
