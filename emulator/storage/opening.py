"""A data directory's database, opened with every table current: what a start must do, and nothing more.

A start opens it (so a database that cannot be opened or upgraded fails the start, as it always has) without
loading the backend's records or the adapters; :class:`~emulator.storage.sqlite.SQLiteStorage` is built over it
when a request first needs the library. A data directory of schema 1 or 2 (resources without row ids, bytes in a
``blobs`` table) needs the records to be upgraded: it is left to ``SQLiteStorage``, which a start then builds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from emulator.storage import schema
from emulator.storage.db import Database, directory_for


class OpenedStorage:
    def __init__(self, data_dir: Path | None) -> None:
        self.directory, self.cleanup = directory_for(self, data_dir)
        self.path = self.directory / "emulator.sqlite3"
        # A temporary database dies with the process anyway; a --data-dir one must survive a power cut.
        self.temporary = self.cleanup is not None
        self.db = Database(self.path, synchronous="OFF" if self.temporary else "FULL", temporary=self.temporary)
        self.db.conn.execute("PRAGMA cache_size=-16000")  # 16 MB of pages: the hot indexes of a 100k library
        self.db.conn.execute("PRAGMA temp_store=MEMORY")
        self.upgrade_pending = schema.needs_records_to_upgrade(self.db)
        if not self.upgrade_pending:
            with self.db.tx() as db:
                schema.create(db)
                schema.pin_statistics(db)
            schema.create_beside(self.db)

    def close(self) -> None:
        """Close the database; a temporary directory is removed."""
        self.db.close()
        cleanup: Callable[[], object] | None = self.cleanup
        if cleanup is not None:
            cleanup()
