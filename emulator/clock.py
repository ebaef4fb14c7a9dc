"""The emulator's two sources of non-determinism, injectable so tests can pin them."""

from __future__ import annotations

import os
import random
import string
import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Unix seconds."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class FrozenClock:
    """A clock that moves only when told to."""

    def __init__(self, at: float) -> None:
        self._at = at
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._at

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._at += seconds

    def set(self, at: float) -> None:
        with self._lock:
            self._at = at


_ALNUM = string.ascii_lowercase + string.digits


class IdSource:
    """Random identifiers; seeded, the sequence is reproducible.

    Unseeded, the bytes come from the operating system in one call per identifier (a ``SystemRandom`` draws
    once per character: three ids per upload cost ~150 system calls).
    """

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed) if seed is not None else None
        self._lock = threading.Lock()

    def hex(self, length: int = 32) -> str:
        if self._random is None:
            return os.urandom((length + 1) // 2).hex()[:length]
        with self._lock:
            return "".join(self._random.choice("0123456789abcdef") for _ in range(length))

    def alnum(self, length: int) -> str:
        """Lower-case letters and digits, the alphabet of Cloudinary's generated public ids."""
        if self._random is None:
            return _system_alnum(length)
        with self._lock:
            return "".join(self._random.choice(_ALNUM) for _ in range(length))


_UNBIASED = 256 - 256 % len(_ALNUM)  # bytes at or above this would favour the first characters


def _system_alnum(length: int) -> str:
    out: list[str] = []
    while len(out) < length:
        out.extend(_ALNUM[b % len(_ALNUM)] for b in os.urandom(length * 2) if b < _UNBIASED)
    return "".join(out[:length])
