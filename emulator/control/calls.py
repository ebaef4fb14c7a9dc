"""Admin API call counts (and budgets set at run time) in the control store, so every worker process draws on
one hourly budget."""

from __future__ import annotations

from emulator.control.store import ControlStore


class StoreCounter:
    def __init__(self, store: ControlStore) -> None:
        self._store = store

    def used(self, cloud: str, hour: int) -> int:
        row = self._store.one("SELECT hour, calls FROM admin_calls WHERE cloud = ?", (cloud,))
        return int(row[1]) if row and row[0] == hour else 0

    def take(self, cloud: str, hour: int, limit: int) -> tuple[int, bool]:
        with self._store.tx() as db:
            row = db.execute("SELECT hour, calls FROM admin_calls WHERE cloud = ?", (cloud,)).fetchone()
            used = int(row[1]) if row and row[0] == hour else 0
            if limit and used >= limit:
                return used, True
            db.execute("INSERT OR REPLACE INTO admin_calls (cloud, hour, calls) VALUES (?, ?, ?)",
                       (cloud, hour, used + 1))
        return used + 1, False

    def override(self, cloud: str) -> int | None:
        row = self._store.one("SELECT calls_per_hour FROM admin_limits WHERE cloud = ?", (cloud,))
        return int(row[0]) if row else None

    def set_override(self, cloud: str, limit: int | None) -> None:
        with self._store.tx() as db:
            db.execute("DELETE FROM admin_calls WHERE cloud = ?", (cloud,))
            if limit is None:
                db.execute("DELETE FROM admin_limits WHERE cloud = ?", (cloud,))
            else:
                db.execute("INSERT OR REPLACE INTO admin_limits (cloud, calls_per_hour) VALUES (?, ?)",
                           (cloud, limit))
