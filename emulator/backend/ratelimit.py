"""Admin API rate limits: an hourly budget per cloud, reset at the top of each hour.

See the "Usage limits" section of Cloudinary's Admin API reference. The budget is the cloud's
``admin_rate_limit`` unless the control plane set another one at run time (until the next reset), so a test can
provoke rate limiting on purpose.
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from typing import Protocol

from emulator.clock import Clock
from emulator.config import CloudConfig
from emulator.errors import RateLimited

HOUR = 3600


@dataclass(frozen=True)
class RateStatus:
    """What the ``X-FeatureRateLimit-*`` headers report after a call."""

    limit: int  # 0: unlimited
    remaining: int
    reset_at: int  # Unix seconds: the next top of the hour

    def as_json(self) -> dict[str, int]:
        return {"admin_rate_limit": self.limit, "remaining": self.remaining, "reset_at": self.reset_at}

    def headers(self) -> dict[str, str]:
        if not self.limit:
            return {}
        return {
            "X-FeatureRateLimit-Limit": str(self.limit),
            "X-FeatureRateLimit-Remaining": str(self.remaining),
            "X-FeatureRateLimit-Reset": _http_date(self.reset_at),
        }


@functools.lru_cache(maxsize=4)
def _http_date(at: int) -> str:
    """The top of an hour as an HTTP date: the same for every call of that hour."""
    return formatdate(at, usegmt=True)


class CallCounter(Protocol):
    """Where calls are counted: in memory, or in the control store so every worker process shares one count."""

    def used(self, cloud: str, hour: int) -> int: ...

    def take(self, cloud: str, hour: int, limit: int) -> tuple[int, bool]:
        """Count one call unless ``limit`` (0: none) is reached; return (calls used, refused)."""
        ...

    def override(self, cloud: str) -> int | None:
        """The budget set at run time for ``cloud``, or ``None`` for the configured one."""
        ...

    def set_override(self, cloud: str, limit: int | None) -> None:
        """Budget ``cloud`` at ``limit`` (``None``: as configured), counting its calls afresh."""
        ...


class MemoryCounter:
    def __init__(self) -> None:
        self._used: dict[str, tuple[int, int]] = {}  # cloud → (hour, calls)
        self._overrides: dict[str, int] = {}
        self._lock = threading.Lock()

    def override(self, cloud: str) -> int | None:
        return self._overrides.get(cloud)

    def set_override(self, cloud: str, limit: int | None) -> None:
        with self._lock:
            self._used.pop(cloud, None)
            if limit is None:
                self._overrides.pop(cloud, None)
            else:
                self._overrides[cloud] = limit

    def used(self, cloud: str, hour: int) -> int:
        with self._lock:
            seen_hour, calls = self._used.get(cloud, (hour, 0))
        return calls if seen_hour == hour else 0

    def take(self, cloud: str, hour: int, limit: int) -> tuple[int, bool]:
        with self._lock:
            seen_hour, calls = self._used.get(cloud, (hour, 0))
            used = calls if seen_hour == hour else 0
            if limit and used >= limit:
                return used, True
            self._used[cloud] = (hour, used + 1)
            return used + 1, False


class AdminBudget:
    """Counts Admin API calls per cloud and clock hour."""

    def __init__(self, clock: Clock, counter: CallCounter | None = None) -> None:
        self._clock = clock
        self._counter: CallCounter = counter or MemoryCounter()

    def limit(self, cloud: CloudConfig) -> int:
        """Calls allowed per hour (0: unlimited): the one set at run time, else the configured one."""
        override = self._counter.override(cloud.name)
        return cloud.admin_rate_limit if override is None else override

    def set_limit(self, cloud: CloudConfig, limit: int | None) -> RateStatus:
        """Another budget for ``cloud`` from now on (``None``: back to the configured one), with no calls counted
        yet: ``set_limit(cloud, 3)`` lets exactly three more Admin calls through this hour."""
        self._counter.set_override(cloud.name, limit)
        return self.peek(cloud)

    def peek(self, cloud: CloudConfig) -> RateStatus:
        hour = self._hour()
        return self._status(self.limit(cloud), hour, self._counter.used(cloud.name, hour))

    def consume(self, cloud: CloudConfig) -> RateStatus:
        """Count one call; past the budget it is refused with 420 (and not counted). An unlimited cloud's calls
        are not counted: nothing reports them (a budget set later counts afresh)."""
        hour, limit = self._hour(), self.limit(cloud)
        if not limit:
            return self._status(0, hour, 0)
        used, over = self._counter.take(cloud.name, hour, limit)
        status = self._status(limit, hour, used)
        if over:
            again = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(status.reset_at))
            raise RateLimited(f"Rate Limit Exceeded. Limit of {limit} api operations reached. Try again on {again}")
        return status

    def _hour(self) -> int:
        return int(self._clock.now() // HOUR)

    @staticmethod
    def _status(limit: int, hour: int, used: int) -> RateStatus:
        return RateStatus(limit, max(limit - used, 0), (hour + 1) * HOUR)
