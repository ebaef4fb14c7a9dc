"""An account store on a temporary SQLite database, and the services built on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.backend.account.metadata_service import MetadataService
from emulator.clock import FrozenClock, IdSource
from emulator.storage.account_sql import SQLiteAccountStore
from emulator.storage.db import Database


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(tmp_path / "emulator.sqlite3", synchronous="OFF")
    yield db
    db.close()


@pytest.fixture
def store(database: Database) -> SQLiteAccountStore:
    return SQLiteAccountStore(database)


@pytest.fixture
def metadata(store: SQLiteAccountStore) -> MetadataService:
    return MetadataService(store, FrozenClock(1_700_000_000), IdSource(seed=7))


@pytest.fixture
def cld(sdk: Any) -> Any:
    """The configured ``cloudinary`` package with ``api``, ``uploader``, ``exceptions`` and ``Search`` loaded."""
    import cloudinary.api
    import cloudinary.exceptions
    import cloudinary.search
    import cloudinary.uploader  # noqa: F401

    return sdk
