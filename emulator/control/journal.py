"""The request journal: what each call sent and got, secrets and signatures redacted.

Bounded on disk: a parameter longer than :data:`MAX_VALUE` characters (a data URI, a long expression) is kept as
its beginning, its size and its sha256; the journal keeps at most ``max_bytes`` of entries (and
:data:`MAX_ENTRIES`), dropping the oldest. Reads are paginated, newest page first, and bounded in bytes too.
"""

from __future__ import annotations

import hashlib
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
MAX_VALUE = 1024  # characters of one parameter kept whole
HEAD = 64  # characters kept of a longer one
MAX_PAGE_BYTES = 4 * 1024 * 1024  # a page of entries read at once stops here (with a cursor to the rest)
_TRIM_EVERY = 50  # inserts between two checks of the journal's total size
_ENTRY_FLOOR = 1024  # bytes an entry is assumed to take at least, when the next check of the total is planned


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


@dataclass(frozen=True)
class JournalPage:
    entries: list[dict[str, Any]]  # oldest first
    next_before: int | None  # pass as ``before`` for the page of older entries; None when there are none


def redact(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (REDACTED if k in _SECRET_FIELDS else shorten(v)) for k, v in params.items()}


def shorten(value: Any) -> Any:
    """A long text as its beginning, size and sha256: ``data:image/png;base64,iVBOR… [1964162 bytes, sha256 …]``."""
    if isinstance(value, list):
        return [shorten(v) for v in value]
    if not isinstance(value, str) or len(value) <= MAX_VALUE:
        return value
    data = value.encode("utf-8", "surrogatepass")
    return f"{value[:HEAD]}… [{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}]"


class Journal:
    def __init__(self, store: ControlStore, max_bytes: int = 16 * 1024 * 1024) -> None:
        self._store = store
        self.max_bytes = max_bytes
        self._sum_at = 0  # the entry id from which the journal's byte total is worth reading (see _trim)
        self._largest = _ENTRY_FLOOR  # the largest entry this process wrote, in bytes

    def record(self, entry: Entry) -> None:
        params = dumps(redact(entry.params)) if entry.params else "{}"
        warnings = dumps(list(entry.warnings)) if entry.warnings else "[]"
        size = len(params) + len(warnings) + len(entry.path) + 64
        if size > self._largest:  # the next look at the total was planned for smaller entries: look soon
            self._largest, self._sum_at = size, 0
        # with the call's count, if it was an Admin call (see emulator.control.calls)
        newest = self._store.write(
            "INSERT INTO journal (at, cloud, operation, method, path, params, status, duration_ms, warnings, "
            "size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry.at, entry.cloud, entry.operation, entry.method, entry.path, params,
             str(entry.status), round(entry.duration_ms, 3), warnings, size))
        if newest % _TRIM_EVERY == 0:
            with self._store.tx(invalidates=False) as db:
                self._trim(db, newest)

    def _trim(self, db: Any, newest: int) -> None:
        """Drop the oldest entries beyond the entry count, then beyond the byte budget. The running sums that find
        the byte cutoff are computed only when the total is over budget: done every time, they held the write
        lock for ~7 ms in a full journal (every worker process waits on it).

        The total itself (a scan of the whole journal, ~1 ms at 10,000 entries) is read again only once enough
        entries were written since, by any process (ids are shared), that the budget could be reached: half the
        room left, in entries as large as the largest this process wrote; at least every :data:`_TRIM_EVERY`."""
        if newest > MAX_ENTRIES:
            db.execute("DELETE FROM journal WHERE id <= ?", (newest - MAX_ENTRIES,))
        if newest < self._sum_at:
            return
        total = int(db.execute("SELECT COALESCE(SUM(size), 0) FROM journal").fetchone()[0])
        self._sum_at = newest + max(_TRIM_EVERY, (self.max_bytes - total) // (2 * self._largest))
        if total <= self.max_bytes:
            return
        over = db.execute("SELECT id FROM (SELECT id, SUM(size) OVER (ORDER BY id DESC) AS total FROM journal) "
                          "WHERE total > ? ORDER BY id DESC LIMIT 1", (self.max_bytes,)).fetchone()
        if over:
            db.execute("DELETE FROM journal WHERE id <= ?", (over[0],))

    def entries(self, *, operation: str | None = None, cloud: str | None = None, status: str | None = None,
                limit: int = 100) -> list[dict[str, Any]]:
        """Newest last; ``status`` may be exact (``404``) or a class (``4xx``)."""
        return self.page(operation=operation, cloud=cloud, status=status, limit=limit).entries

    def page(self, *, operation: str | None = None, cloud: str | None = None, status: str | None = None,
             limit: int = 100, before: int | None = None) -> JournalPage:
        """The newest ``limit`` entries older than ``before`` (an entry id), oldest first, at most
        :data:`MAX_PAGE_BYTES` of them; ``next_before`` continues with older ones."""
        if not 1 <= limit <= MAX_ENTRIES:
            raise BadRequest(f"limit must be between 1 and {MAX_ENTRIES}")
        where: list[str] = ["1 = 1"]
        args: list[Any] = []
        if before is not None:
            where.append("id < ?")
            args.append(before)
        for column, value in (("operation", operation), ("cloud", cloud)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        if status:
            where.append("status LIKE ?" if status.endswith("xx") else "status = ?")
            args.append(status[0] + "__" if status.endswith("xx") else status)
        rows = self._store.rows(
            "SELECT id, size, at, cloud, operation, method, path, params, status, duration_ms, warnings "
            f"FROM journal WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?", [*args, limit + 1])
        kept: list[tuple[Any, ...]] = []
        total = 0
        for row in rows[:limit]:
            if kept and total + row[1] > MAX_PAGE_BYTES:
                break
            kept.append(row)
            total += row[1]
        more = len(kept) < len(rows)
        return JournalPage([_render(row[2:], row[0]) for row in reversed(kept)], kept[-1][0] if more else None)

    def clear(self) -> int:
        with self._store.tx() as db:
            return db.execute("DELETE FROM journal").rowcount


def _render(row: tuple[Any, ...], entry_id: int) -> dict[str, Any]:
    at, cloud, operation, method, path, params, status, duration_ms, warnings = row
    return {
        "id": entry_id,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + f".{int(at % 1 * 1000):03d}Z",
        "cloud": cloud, "operation": operation, "method": method, "path": path, "params": json.loads(params),
        "status": int(status) if status.isdigit() else status, "duration_ms": duration_ms,
        "warnings": json.loads(warnings),
    }
