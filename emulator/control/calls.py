"""Admin API call counts (and budgets set at run time) in the control store, so every worker process draws on
one hourly budget.

A call is decided on the count before it (read from the store's cache, see :mod:`emulator.control.store`) and
counted with its journal entry, in the one transaction that writes both after the answer: the increment is
atomic (``calls = calls + 1``), so no count is ever lost between workers. The window this leaves: a call running
at the same moment in another worker process is not yet counted when this one is decided, so a burst of
concurrent calls right at the end of the budget may let through as many calls beyond it as other workers have
in flight (the threads of one process are decided on a count that includes each other's calls).
"""

from __future__ import annotations

from emulator.control.store import ControlStore

_COUNT = ("INSERT INTO admin_calls (cloud, hour, calls) VALUES (?, ?, 1) ON CONFLICT (cloud) DO UPDATE SET "
          "calls = CASE WHEN hour = excluded.hour THEN calls + 1 ELSE 1 END, hour = excluded.hour")


class StoreCounter:
    def __init__(self, store: ControlStore) -> None:
        self._store = store
        # Calls this process counted whose increment is not committed yet, by (cloud, hour): the stored count
        # read back meanwhile does not hold them.
        self._pending: dict[tuple[str, int], int] = {}

    def used(self, cloud: str, hour: int) -> int:
        with self._store.lock:
            seen_hour, calls = self._store.cached(f"calls:{cloud}", lambda: self._read(cloud), volatile=True)
            return (calls if seen_hour == hour else 0) + self._pending.get((cloud, hour), 0)

    def _read(self, cloud: str) -> tuple[int, int]:
        row = self._store.one("SELECT hour, calls FROM admin_calls WHERE cloud = ?", (cloud,))
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def take(self, cloud: str, hour: int, limit: int) -> tuple[int, bool]:
        with self._store.lock:  # the threads of this process count exactly: check and count at once
            used = self.used(cloud, hour)
            if limit and used >= limit:
                return used, True
            self._pending[(cloud, hour)] = self._pending.get((cloud, hour), 0) + 1
            self._store.defer(_COUNT, (cloud, hour), lambda: self._counted(cloud, hour))
        return used + 1, False

    def _counted(self, cloud: str, hour: int) -> None:
        """The increment is committed (the store's lock is held): the cached count holds it now, as the row does
        (the same change as :data:`_COUNT`'s)."""
        left = self._pending.pop((cloud, hour), 1) - 1
        if left:
            self._pending[(cloud, hour)] = left
        self._store.update_cached(f"calls:{cloud}", lambda seen: (hour, seen[1] + 1 if seen[0] == hour else 1))

    def override(self, cloud: str) -> int | None:
        return self._store.cached(f"limit:{cloud}", lambda: self._override(cloud))

    def _override(self, cloud: str) -> int | None:
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
