"""An account store on a temporary SQLite database, and the services built on it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.backend.account.metadata_service import MetadataService
from emulator.clock import FrozenClock, IdSource
from emulator.storage.account_sql import SQLiteAccountStore
from emulator.storage.db import open_database


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_database(tmp_path / "emulator.sqlite3", synchronous="OFF")
    yield connection
    connection.close()


@pytest.fixture
def store(conn: sqlite3.Connection) -> SQLiteAccountStore:
    return SQLiteAccountStore(conn)


@pytest.fixture
def metadata(store: SQLiteAccountStore) -> MetadataService:
    return MetadataService(store, FrozenClock(1_700_000_000), IdSource(seed=7))
