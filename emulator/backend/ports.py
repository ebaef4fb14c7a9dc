"""Ports of the upload extras (issue 12): derived images kept on request, and backed-up versions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from emulator.backend.models import Resource, ResourceKey


class EagerStore(Protocol):
    """Renderings made by ``eager`` and responsive breakpoints: kept (never evicted) until deleted, and dropped
    with the original's bytes (an overwrite with other bytes, a rename, a deletion)."""

    def put(self, key: ResourceKey, sha256: str, variant: str, derived_id: str, data: bytes) -> None:
        """Keep a rendering of the bytes ``sha256``, unless the resource no longer holds them."""
        ...

    def get(self, key: ResourceKey, sha256: str, variant: str) -> bytes | None: ...

    def owner(self, cloud: str, derived_id: str) -> ResourceKey | None:
        """The resource a derived image belongs to."""
        ...

    def drop(self, key: ResourceKey, derived_ids: Sequence[str] | None) -> None:
        """Forget some (or, with None, all) of a resource's renderings."""
        ...


@dataclass(frozen=True)
class Version:
    """A backed-up version of an asset: the record as it was, and its bytes."""

    resource: Resource
    data: bytes
    backed_up_at: float


class Backups(Protocol):
    """Versions of assets uploaded with ``backup=true``: kept across overwrites and deletion."""

    def keep(self, resource: Resource, data: bytes, at: float) -> None:
        """Back up this version (a no-op if it is already kept)."""
        ...

    def versions(self, key: ResourceKey) -> list[Version]:
        """Every kept version of the asset at this key, newest first (bytes not loaded: ``data`` is empty)."""
        ...

    def version(self, key: ResourceKey, version_id: str | None) -> Version | None:
        """One kept version with its bytes: the given one, or the newest."""
        ...


class ResourceRepository(Protocol):  # (stand-in until the architecture's ports land)
    def get(self, key: ResourceKey) -> Resource | None: ...


class BlobStore(Protocol):  # (stand-in until the architecture's ports land)
    def get(self, sha256: str) -> bytes | None: ...
