"""The ports the backend needs from persistence, each small and named after its role.

The backend declares them here, beside its models; :mod:`emulator.storage` implements them and imports nothing
else of the backend (models and query records aside); ``create_app`` wires an implementation into each service.
A feature that persists new state adds its own small port (next to its models) rather than widening these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from emulator.backend.models import ByteRange, FilePart, PartReceipt, Resource, ResourceKey, StagedBlob
from emulator.backend.queries import Listing, Page, Removal, RenameOutcome, SearchPage, SearchSpec, Selection, Usage


class MissingBlob(Exception):
    """A resource was written whose bytes are not (any more) in the blob store: store them again and retry.

    Bytes are reclaimed as soon as no resource refers to them, so between storing bytes and committing the
    resource that refers to them a concurrent deletion may have taken them; the repository refuses the write.
    """


class ResourceRepository(Protocol):
    """The media library's records: one resource per key, with the indexes lists and search need."""

    def get(self, key: ResourceKey) -> Resource | None: ...

    def find_by_sha256(self, cloud: str, sha256: str) -> Resource | None:
        """The newest resource of the cloud holding exactly these bytes."""
        ...

    def find_by_asset_id(self, cloud: str, asset_id: str) -> Resource | None: ...

    def put(self, resource: Resource) -> None:
        """Insert or replace the resource durably; raises :class:`MissingBlob` if its bytes are not stored."""
        ...

    def put_many(self, resources: Iterable[Resource]) -> None:
        """Store many resources in one transaction (bulk loading); their bytes must be stored first."""
        ...

    def modify(self, keys: Sequence[ResourceKey], change: Callable[[Resource], Resource]) -> list[Resource]:
        """Read-modify-write each existing key atomically; the resources after the change, in key order."""
        ...

    def delete(self, keys: Sequence[ResourceKey]) -> list[bool]:
        """Delete each key (True where it existed); bytes no resource refers to any more are reclaimed."""
        ...

    def rename(self, old: ResourceKey, new: ResourceKey, overwrite: bool) -> RenameOutcome: ...

    def list_resources(self, query: Listing) -> Page:
        """A keyset page of resources by type/prefix, ids, tag or context, ordered by (created_at, id)."""
        ...

    def tags(self, cloud: str, resource_type: str, prefix: str | None, after: str | None,
             limit: int) -> tuple[list[str], bool]:
        """Tag names in order after ``after``, and whether more follow."""
        ...

    def search(self, spec: SearchSpec) -> SearchPage:
        """The parsed expression evaluated by the database: a keyset page, the total and aggregations."""
        ...

    def remove(self, selection: Selection) -> Removal:
        """Delete a batch of resources by prefix or tag, in public-id order."""
        ...

    def usage(self, cloud: str) -> Usage: ...

    def claim_cloud(self, name: str, at: float) -> bool:
        """Record that a cloud exists; True only the first time, so its defaults are created once."""
        ...

    def reset(self, cloud: str | None = None) -> None:
        """Forget everything stored for one cloud (or all): resources, caches, uploads, claims."""
        ...


class BlobTooLarge(Exception):
    """More bytes were offered than the limit; ``args[0]`` is how many had been read."""


class BlobStore(Protocol):
    """File bytes, content-addressed by their sha256 (many resources may share one blob), on disk so big files
    stream in and out. New bytes are *staged* (hashed, and held in memory when small or written to a
    temporary file), checked by the caller, then *kept*; the staged bytes stay until the resource is committed,
    so bytes a concurrent reclaim took can be kept again (see :class:`MissingBlob`)."""

    def put(self, sha256: str, data: bytes) -> None:
        """Store the bytes (a no-op when they are already there)."""
        ...

    def get(self, sha256: str) -> bytes | None: ...

    def path(self, sha256: str) -> Path | None:
        """Where the bytes are on disk, to stream them; None when absent."""
        ...

    def stage(self, source: IO[bytes], limit: int) -> StagedBlob:
        """Hash a stream, held in memory when small and copied into a temporary file otherwise; more than
        ``limit`` bytes raises BlobTooLarge."""
        ...

    def on_disk(self, staged: StagedBlob) -> StagedBlob:
        """The staged bytes in a temporary file (written now when they were held in memory)."""
        ...

    def adopt(self, path: Path) -> StagedBlob:
        """Take over a file already on disk (an assembled chunked upload): moved in, not copied."""
        ...

    def keep(self, staged: StagedBlob) -> None:
        """Make staged bytes stored under their sha256 (a no-op when they are already there)."""
        ...

    def discard(self, staged: StagedBlob) -> None:
        """Forget the staged file (bytes already kept stay)."""
        ...


class UploadParts(Protocol):
    """The parts of chunked uploads, on disk until the file is whole (``emulator/storage/parts.py``)."""

    def receive(self, upload_id: str, byte_range: ByteRange, part: IO[bytes]) -> PartReceipt:
        """Write one part at its offset and record it; the receipt carries the whole file from the part that
        completed it. Raises :class:`~emulator.backend.models.PartRejected` for a part that contradicts
        earlier ones."""
        ...

    def release(self, assembled: Path) -> None:
        """Remove an assembled file the upload did not take over (it failed)."""
        ...

    def sweep(self) -> int:
        """Remove uploads untouched for the timeout; how many."""
        ...

    def pending(self) -> int: ...


class DerivedCache(Protocol):
    """Renderings of a resource's bytes (delivery transformations), dropped when the original changes."""

    def get(self, key: ResourceKey, sha256: str, variant: str) -> bytes | None:
        """A rendering of the bytes ``sha256``; ``variant`` names the transformation and format."""
        ...

    def put(self, key: ResourceKey, sha256: str, variant: str, data: bytes) -> None:
        """Keep a rendering, unless the resource no longer holds ``sha256`` (then it is dropped)."""
        ...

    def count(self, key: ResourceKey) -> int: ...


class ImaggaUploads(Protocol):
    """Images sent to Imagga's ``POST /v2/uploads``, kept until they expire."""

    def put(self, cloud: str, upload_id: str, upload: FilePart, *, now: float, expires_at: float) -> None: ...

    def get(self, cloud: str, upload_id: str, now: float) -> FilePart | None: ...

    def delete(self, cloud: str, upload_id: str) -> bool: ...


# -- the upload extras: derived images kept on request, backed-up versions ----------------------------------

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

    def by_asset_id(self, cloud: str, asset_id: str, version_id: str) -> Version | None:
        """One kept version with its bytes, by the asset's id (whatever its public id, deleted or not)."""
        ...

    def key_of(self, cloud: str, asset_id: str) -> ResourceKey | None:
        """Where the asset with this id was last kept (its newest backed-up version), if any."""
        ...
