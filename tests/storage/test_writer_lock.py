"""One writer at a time per database file, across connections and processes (``serve --workers``)."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

from emulator.control.store import ControlStore
from emulator.storage.db import Database


def _table(path: Path) -> Database:
    db = Database(path, synchronous="OFF")
    with db.tx() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
    return db


def test_a_second_writer_waits_for_the_first_to_commit_and_sees_its_row(tmp_path: Path) -> None:
    first, second = _table(tmp_path / "x.sqlite3"), _table(tmp_path / "x.sqlite3")
    inside, seen = threading.Event(), []

    def write_after_first() -> None:
        inside.wait()
        with second.tx() as conn:
            seen.append(conn.execute("SELECT count(*) FROM t").fetchone()[0])
            conn.execute("INSERT INTO t VALUES (2)")

    writer = threading.Thread(target=write_after_first)
    writer.start()
    with first.tx() as conn:
        conn.execute("INSERT INTO t VALUES (1)")
        inside.set()
        writer.join(0.3)  # it must still be waiting: the first transaction holds the file
        assert writer.is_alive() and seen == []
    writer.join(10)
    assert seen == [1]
    assert first.read("SELECT n FROM t ORDER BY n") == [(1,), (2,)]
    first.close()
    second.close()


def _count_to(path: str, times: int) -> None:
    db = Database(Path(path), synchronous="OFF")
    for _ in range(times):
        with db.tx() as conn:  # read-modify-write: lost updates would show if two processes interleaved
            (n,) = conn.execute("SELECT n FROM t").fetchone()
            conn.execute("UPDATE t SET n = ?", (n + 1,))
    db.close()


def test_writers_in_two_processes_lose_no_update(tmp_path: Path) -> None:
    db = _table(tmp_path / "x.sqlite3")
    with db.tx() as conn:
        conn.execute("INSERT INTO t VALUES (0)")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_count_to, args=(str(db.path), 200)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert db.one("SELECT n FROM t") == (400,)
    db.close()


def test_only_a_database_others_may_open_has_a_lock_file(tmp_path: Path) -> None:
    shared = ControlStore(tmp_path)
    assert (tmp_path / "control.sqlite3-writer").exists()
    temporary = ControlStore(None)
    assert not Path(f"{temporary.path}-writer").exists()
    shared.close()
    temporary.close()
