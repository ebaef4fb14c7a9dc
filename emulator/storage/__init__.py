"""The persistence seam: the backend talks to :class:`Storage`, never to SQLite directly."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Protocol

from emulator.backend.models import FilePart, Resource, ResourceKey, StagedBlob
from emulator.backend.queries import Listing, Page, Removal, RenameOutcome, SearchPage, SearchSpec, Selection, Usage


class Storage(Protocol):
    directory: Path  # where the database and the files live (a temporary folder without --data-dir)

    def get(self, key: ResourceKey) -> Resource | None: ...

    def put(self, resource: Resource, blob: bytes | None = None) -> None:
        """Store the resource (and its bytes, content-addressed) in one durable transaction."""
        ...

    def blob(self, sha256: str) -> bytes | None: ...

    def blob_path(self, sha256: str) -> Path | None:
        """Where the bytes are on disk, to stream them (None when absent)."""
        ...

    def stage_blob(self, source: IO[bytes], limit: int) -> StagedBlob:
        """Stream bytes into a temporary file, hashed; more than ``limit`` raises BlobTooLarge."""
        ...

    def adopt_blob(self, path: Path) -> StagedBlob:
        """Take over a file already on disk (moved, not copied) as staged bytes."""
        ...

    def keep_blob(self, staged: StagedBlob) -> None:
        """Make staged bytes stored (content-addressed); then :meth:`put` may refer to them."""
        ...

    def discard_blob(self, staged: StagedBlob) -> None: ...

    def claim_cloud(self, name: str, at: float) -> bool:
        """Record that a cloud exists; True only the first time, so its defaults are created once."""
        ...

    # -- derived images (delivery cache) and Imagga uploads ------------------------------------------------

    def derived(self, key: ResourceKey, sha256: str, variant: str) -> bytes | None:
        """A cached derived image of the resource's bytes ``sha256``; ``variant`` names transformation+format."""
        ...

    def put_derived(self, key: ResourceKey, sha256: str, variant: str, data: bytes) -> None:
        """Cache a derived image, unless the resource no longer holds ``sha256`` (then it is dropped)."""
        ...

    def derived_count(self, key: ResourceKey) -> int: ...

    def find_by_sha256(self, cloud: str, sha256: str) -> Resource | None:
        """The newest resource of the cloud holding exactly these bytes."""
        ...

    def put_imagga_upload(self, cloud: str, upload_id: str, upload: FilePart, *, now: float,
                          expires_at: float) -> None: ...

    def imagga_upload(self, cloud: str, upload_id: str, now: float) -> FilePart | None: ...

    def delete_imagga_upload(self, cloud: str, upload_id: str) -> bool: ...

    def reset(self, cloud: str | None = None) -> None:
        """Forget everything stored for one cloud, or for all clouds."""
        ...

    # -- the media library (issue 3): lists, search, bulk changes -------------------------------------------

    def put_many(self, resources: Iterable[Resource], blobs: Mapping[str, bytes] | None = None) -> None:
        """Store many resources (and bytes by sha256) in one transaction: bulk loading."""
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

    def close(self) -> None: ...
