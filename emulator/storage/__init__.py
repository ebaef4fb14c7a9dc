"""The persistence seam: the backend talks to :class:`Storage`, never to SQLite directly."""

from __future__ import annotations

from typing import Protocol

from emulator.backend.models import Resource, ResourceKey


class Storage(Protocol):
    def get(self, key: ResourceKey) -> Resource | None: ...

    def put(self, resource: Resource, blob: bytes | None = None) -> None:
        """Store the resource (and its bytes, content-addressed) in one durable transaction."""
        ...

    def blob(self, sha256: str) -> bytes | None: ...

    def claim_cloud(self, name: str, at: float) -> bool:
        """Record that a cloud exists; True only the first time, so its defaults are created once."""
        ...

    def close(self) -> None: ...
