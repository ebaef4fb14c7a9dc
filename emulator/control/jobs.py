"""Deferred categorization: jobs due at an instant of the emulator's clock, claimed so one worker runs each."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, TypeAlias

from emulator.control.store import ControlStore, dumps

if TYPE_CHECKING:
    from emulator.backend.models import Categorize, ResourceKey

Runner: TypeAlias = "Callable[[ResourceKey, Categorize, str], None]"
CLAIM_SECONDS = 30.0


class Jobs:
    def __init__(self, store: ControlStore) -> None:
        self._store = store

    def schedule(self, key: ResourceKey, request: Categorize, due_at: float, origin: str) -> None:
        payload = {"categorize": asdict(request), "origin": origin}
        with self._store.tx() as db:
            db.execute("INSERT INTO jobs (cloud, public_id, resource_type, type, request, due_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       (key.cloud, key.public_id, key.resource_type, key.type, dumps(payload), due_at))

    def pending(self) -> int:
        row = self._store.one("SELECT COUNT(*) FROM jobs")
        return int(row[0]) if row else 0

    def run_due(self, now: float | None, wall: float, run: Runner) -> int:
        """Run each job due by ``now`` (every job when None); returns how many ran."""
        done = 0
        while (job := self._claim(now, wall)) is not None:
            job_id, key, request, origin = job
            try:
                run(key, request, origin)
            finally:
                with self._store.tx() as db:
                    db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
            done += 1
        return done

    def _claim(self, now: float | None, wall: float) -> tuple[int, ResourceKey, Categorize, str] | None:
        with self._store.tx() as db:
            row = db.execute(
                "SELECT id, cloud, public_id, resource_type, type, request FROM jobs "
                "WHERE (? IS NULL OR due_at <= ?) AND (claimed_until IS NULL OR claimed_until < ?) "
                "ORDER BY due_at, id LIMIT 1", (now, now, wall)).fetchone()
            if row is None:
                return None
            db.execute("UPDATE jobs SET claimed_until = ? WHERE id = ?", (wall + CLAIM_SECONDS, row[0]))
        from emulator.backend.models import ResourceKey  # a job exists: the backend is loaded to run it anyway

        job_id, cloud, public_id, resource_type, type_, payload = row
        data = json.loads(payload)
        return job_id, ResourceKey(cloud, public_id, resource_type, type_), _categorize(data["categorize"]), \
            data["origin"]


def _categorize(raw: dict[str, Any]) -> Categorize:
    from emulator.backend.models import Categorize, EngineRequest

    engines = tuple(EngineRequest(e["engine"], tuple(e["languages"])) for e in raw["engines"])
    return Categorize(engines=engines, auto_tagging=raw["auto_tagging"], asynchronous=raw["asynchronous"])
