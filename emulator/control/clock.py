"""The emulator's clock as the control plane sets it: an offset from a base clock, or frozen at an instant."""

from __future__ import annotations

import threading
from typing import Any

from emulator.clock import Clock
from emulator.control.store import ControlStore
from emulator.errors import BadRequest

# The instants every part of the emulator can render (ISO dates, RFC 1123 headers): 1970 to 9999.
EARLIEST, LATEST = 0.0, 253402300799.0


def check_instant(at: float, what: str) -> None:
    if not EARLIEST <= at <= LATEST:
        raise BadRequest(f"{what} must stay between {EARLIEST:.0f} and {LATEST:.0f} (Unix seconds, 1970 to 9999), "
                         f"got {at:.0f}")


class ControlledClock:
    """``now()`` = frozen instant, or base time + offset. State in the control store, shared by all workers.

    Between :meth:`hold` and :meth:`release` (one API request, in its thread) the setting is read once: the
    request's instants all follow the same setting. The store keeps it between requests until it may have changed
    (:meth:`ControlStore.cached`).
    """

    def __init__(self, base: Clock, store: ControlStore) -> None:
        self._base = base
        self._store = store
        self._held = threading.local()

    def now(self) -> float:
        held: tuple[float, float | None] | None = getattr(self._held, "setting", None)
        offset, frozen_at = held if held is not None else self._setting()
        return frozen_at if frozen_at is not None else self._base.now() + offset

    def hold(self) -> None:
        """Read the setting once for this thread until :meth:`release` (the base clock keeps running)."""
        self._held.setting = self._setting()

    def release(self) -> None:
        self._held.setting = None

    def _write(self, sql: str, args: tuple[float, ...] = ()) -> None:
        with self._store.tx() as db:
            db.execute(sql, args)
        self.release()  # a setting held by this thread would be stale

    def _setting(self) -> tuple[float, float | None]:
        return self._store.cached("clock", self._read)

    def _read(self) -> tuple[float, float | None]:
        row = self._store.one("SELECT offset, frozen_at FROM clock WHERE id = 1")
        if not row:
            return 0.0, None
        return float(row[0]), None if row[1] is None else float(row[1])

    def state(self) -> dict[str, Any]:
        offset, frozen_at = self._setting()
        return {"now": self.now(), "frozen": frozen_at is not None, "offset": offset}

    def freeze(self, at: float | None = None) -> None:
        moment = self.now() if at is None else at
        check_instant(moment, "at")
        self._write("UPDATE clock SET frozen_at = ? WHERE id = 1", (moment,))

    def unfreeze(self) -> None:
        """Run again from the frozen instant (the offset absorbs the pause)."""
        moment = self.now()
        self._write("UPDATE clock SET frozen_at = NULL, offset = ? WHERE id = 1", (moment - self._base.now(),))

    def advance(self, seconds: float) -> None:
        check_instant(self.now() + seconds, "the clock after advance")
        self._write("UPDATE clock SET offset = offset + ?, frozen_at = frozen_at + ? WHERE id = 1",
                    (seconds, seconds))

    def set(self, at: float) -> None:
        """Jump to ``at``, keeping frozen or running as it was."""
        check_instant(at, "at")
        self._write("UPDATE clock SET offset = ?, frozen_at = CASE WHEN frozen_at IS NULL THEN NULL ELSE ? END "
                    "WHERE id = 1", (at - self._base.now(), at))

    def reset(self) -> None:
        self._write("UPDATE clock SET offset = 0, frozen_at = NULL WHERE id = 1")
