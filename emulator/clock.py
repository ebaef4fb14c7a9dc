"""The emulator's two sources of non-determinism, injectable so tests can pin them."""

from __future__ import annotations

import os
import random
import string
import threading
import time
import weakref
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


_POOL = 4096  # bytes of the operating system's randomness drawn at once: ~200 identifiers


class IdSource:
    """Random identifiers; seeded, the sequence is reproducible.

    Unseeded, the bytes come from the operating system, drawn :data:`_POOL` at a time (a ``SystemRandom`` draws
    once per character: three ids per upload cost ~150 system calls; one draw per id, three). A forked worker
    process starts with an empty pool, so no two processes hand out the same bytes.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed) if seed is not None else None
        self._lock = threading.Lock()
        self._pool, self._used = b"", 0
        if self._random is None:
            _SOURCES.add(self)

    def hex(self, length: int = 32) -> str:
        if self._random is None:
            return self._system((length + 1) // 2).hex()[:length]
        with self._lock:
            return "".join(self._random.choice("0123456789abcdef") for _ in range(length))

    def alnum(self, length: int) -> str:
        """Lower-case letters and digits, the alphabet of Cloudinary's generated public ids."""
        if self._random is None:
            out: list[str] = []
            while len(out) < length:
                out.extend(_ALNUM[b % len(_ALNUM)] for b in self._system(length * 2) if b < _UNBIASED)
            return "".join(out[:length])
        with self._lock:
            return "".join(self._random.choice(_ALNUM) for _ in range(length))

    def _system(self, size: int) -> bytes:
        """``size`` bytes of the operating system's randomness, each handed out once."""
        if size > _POOL // 4:
            return os.urandom(size)
        with self._lock:
            if self._used + size > len(self._pool):
                self._pool, self._used = os.urandom(_POOL), 0
            start, self._used = self._used, self._used + size
            return self._pool[start:self._used]

    def forget(self) -> None:
        """Drop the bytes drawn so far (a forked child must not hand out its parent's)."""
        self._pool, self._used = b"", 0
        self._lock = threading.Lock()  # held by another thread of the parent at the fork, it would never be released


_UNBIASED = 256 - 256 % len(_ALNUM)  # bytes at or above this would favour the first characters
_SOURCES: weakref.WeakSet[IdSource] = weakref.WeakSet()  # the unseeded sources of this process


def _forget_all() -> None:
    for source in list(_SOURCES):
        source.forget()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forget_all)
