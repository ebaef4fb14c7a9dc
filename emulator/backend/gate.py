"""A bound on the transformations computed at once: by count, and by the pixels they hold together."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class RenderGate:
    """At most ``slots`` renderings at once, holding at most ``pixels`` pixels between them.

    A rendering reserves the peak pixel count of its plan (capped at the capacity, so the largest allowed
    rendering runs alone); requests over the bound wait their turn instead of adding to the memory in use.
    """

    def __init__(self, slots: int, pixels: int) -> None:
        self.slots, self.capacity = slots, pixels
        self._running = 0
        self._used = 0
        self._changed = threading.Condition()

    @contextmanager
    def reserve(self, pixels: int) -> Iterator[None]:
        need = max(0, min(pixels, self.capacity))
        with self._changed:
            self._changed.wait_for(lambda: self._running < self.slots and self._used + need <= self.capacity)
            self._running += 1
            self._used += need
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._used -= need
                self._changed.notify_all()

    @property
    def running(self) -> int:
        with self._changed:
            return self._running
