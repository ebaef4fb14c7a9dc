"""Admin API call counts in the control store, so every worker process draws on one hourly budget."""

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
