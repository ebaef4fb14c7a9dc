"""The request journal: what each call sent and got, secrets and signatures redacted."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.control.store import ControlStore, dumps
from emulator.errors import BadRequest

REDACTED = "[redacted]"
_SECRET_FIELDS = frozenset({"signature", "api_secret", "oauth_token"})
MAX_ENTRIES = 10_000  # the oldest entries are dropped past this


@dataclass(frozen=True)
class Entry:
    at: float
    operation: str
    method: str
    path: str
    status: int | str
    duration_ms: float
    cloud: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def redact(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (REDACTED if k in _SECRET_FIELDS else v) for k, v in params.items()}


class Journal:
    def __init__(self, store: ControlStore) -> None:
        self._store = store

    def record(self, entry: Entry) -> None:
        with self._store.tx() as db:
            cur = db.execute(
                "INSERT INTO journal (at, cloud, operation, method, path, params, status, duration_ms, warnings) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (entry.at, entry.cloud, entry.operation, entry.method, entry.path, dumps(redact(entry.params)),
                 str(entry.status), round(entry.duration_ms, 3), dumps(list(entry.warnings))))
            if (cur.lastrowid or 0) % 1000 == 0:
                db.execute("DELETE FROM journal WHERE id <= ?", ((cur.lastrowid or 0) - MAX_ENTRIES,))

    def entries(self, *, operation: str | None = None, cloud: str | None = None, status: str | None = None,
                limit: int = 100) -> list[dict[str, Any]]:
        """Newest last; ``status`` may be exact (``404``) or a class (``4xx``)."""
        if not 1 <= limit <= MAX_ENTRIES:
            raise BadRequest(f"limit must be between 1 and {MAX_ENTRIES}")
        where, args = ["1 = 1"], []
        for column, value in (("operation", operation), ("cloud", cloud)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        if status:
            where.append("status LIKE ?" if status.endswith("xx") else "status = ?")
            args.append(status[0] + "__" if status.endswith("xx") else status)
        rows = self._store.rows(
            "SELECT at, cloud, operation, method, path, params, status, duration_ms, warnings FROM ("
            f"SELECT * FROM journal WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?) ORDER BY id",
            [*args, limit])
        return [_render(row) for row in rows]

    def clear(self) -> int:
        with self._store.tx() as db:
            return db.execute("DELETE FROM journal").rowcount


def _render(row: tuple[Any, ...]) -> dict[str, Any]:
    at, cloud, operation, method, path, params, status, duration_ms, warnings = row
    return {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + f".{int(at % 1 * 1000):03d}Z",
        "cloud": cloud, "operation": operation, "method": method, "path": path, "params": json.loads(params),
        "status": int(status) if status.isdigit() else status, "duration_ms": duration_ms,
        "warnings": json.loads(warnings),
    }
