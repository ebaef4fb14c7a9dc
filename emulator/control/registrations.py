"""Categories registered at run time: for one image (by sha256, public id or filename), or queued per engine.

Registered entries take precedence over the fixtures; a queued result is used by the next categorization
with that engine, whatever the image, as moto does for its AI services.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from emulator.config import ENGINES
from emulator.control.store import ControlStore, dumps
from emulator.errors import BadRequest, ConfigError
from emulator.tagging.fixtures import Categories, Category, Entry, parse_entry, parse_results


class Registrations:
    def __init__(self, store: ControlStore) -> None:
        self._store = store

    def register(self, raw: Any) -> dict[str, str]:
        """A fixture-format entry (``match`` + engine lists); returns its match keys. Bad input is a 400."""
        try:
            match, _ = parse_entry(raw, "categorization")
        except ConfigError as exc:
            raise BadRequest(str(exc)) from exc
        with self._store.tx() as db:
            for kind, key in match.items():
                db.execute("INSERT OR REPLACE INTO registrations (kind, key, entry) VALUES (?, ?, ?)",
                           (kind, key, dumps(raw)))
        return match

    def queue(self, engine: str, results: Sequence[Any]) -> int:
        """Queue the next ``len(results)`` answers of ``engine``; returns how many are queued now."""
        if engine not in ENGINES:
            raise BadRequest(f"Unknown engine {engine}. Known: {', '.join(ENGINES)}")
        try:
            parsed = [parse_results(r, f"results[{i}]", engine) for i, r in enumerate(results)]
        except ConfigError as exc:
            raise BadRequest(str(exc)) from exc
        with self._store.tx() as db:
            for categories in parsed:
                db.execute("INSERT INTO queued_results (engine, data) VALUES (?, ?)",
                           (engine, dumps([[c.tag, c.confidence] for c in categories])))
            row = db.execute("SELECT COUNT(*) FROM queued_results WHERE engine = ?", (engine,)).fetchone()
        return int(row[0])

    def next_result(self, engine: str) -> Categories | None:
        if not self._store.cached("queued_results", lambda: self._any("queued_results")):
            return None  # the common case: no query, no write lock
        if self._store.one("SELECT 1 FROM queued_results WHERE engine = ? LIMIT 1", (engine,)) is None:
            return None
        with self._store.tx() as db:
            row = db.execute("SELECT id, data FROM queued_results WHERE engine = ? ORDER BY id LIMIT 1",
                             (engine,)).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM queued_results WHERE id = ?", (row[0],))
        return tuple(Category(tag, conf) for tag, conf in json.loads(row[1]))

    def matches(self, keys: Sequence[tuple[str, str]]) -> list[Entry]:
        """The entries registered under any of the ``(kind, key)`` pairs, in the pairs' order (one query)."""
        if not keys or not self._store.cached("registrations", lambda: self._any("registrations")):
            return []
        found = dict(((kind, key), entry) for kind, key, entry in self._store.rows(
            "SELECT kind, key, entry FROM registrations WHERE " + " OR ".join(["(kind = ? AND key = ?)"] * len(keys)),
            [value for pair in keys for value in pair]))
        return [parse_entry(json.loads(found[pair]), "registered")[1] for pair in keys if pair in found]

    def _any(self, table: str) -> bool:
        """Whether anything is registered (or queued): kept by the store until a write may have changed it."""
        return self._store.one(f"SELECT 1 FROM {table} LIMIT 1") is not None

    def listing(self) -> dict[str, Any]:
        registered: Mapping[str, Any] = {f"{k}:{key}": json.loads(e) for k, key, e in
                                         self._store.rows("SELECT kind, key, entry FROM registrations")}
        queued = dict(self._store.rows("SELECT engine, COUNT(*) FROM queued_results GROUP BY engine"))
        return {"registered": registered, "queued": queued}
