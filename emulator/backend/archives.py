"""``generate_archive`` (``create_archive``, ``create_zip``, ``download_zip_url``, ``download_folder``): a real
zip or tgz of stored files, answered as bytes (``mode=download``) or stored as a raw asset (``mode=create``)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from emulator.backend import archive, eager, transform
from emulator.backend.archive import Archive, ArchiveRequest, Entry
from emulator.backend.models import EagerItem, Resource, ResourceKey
from emulator.backend.ports import BlobStore, ResourceRepository
from emulator.backend.queries import Listing
from emulator.clock import Clock, IdSource
from emulator.errors import BadRequest, NotFound

MAX_BYTES = 200 * 1024 * 1024  # an archive's uncompressed content, at most
_RESOURCE_TYPES = ("image", "raw")
Store = Callable[[Resource, bytes], None]


@dataclass(frozen=True)
class Generated:
    archive: Archive
    resource: Resource | None = None  # the stored raw asset (create mode)

    @property
    def mimetype(self) -> str:
        return archive.MIME[self.resource.format if self.resource else "zip"]


class Archives:
    def __init__(self, repo: ResourceRepository, blobs: BlobStore, clock: Clock, ids: IdSource) -> None:
        self.repo = repo
        self.blobs = blobs
        self.clock = clock
        self.ids = ids

    def generate(self, cloud: str, request: ArchiveRequest, store: Store) -> Generated:
        archive.check(request)
        now = self.clock.now()
        if request.expires_at is not None and request.expires_at < now:
            raise BadRequest(f"Archive link expired at {request.expires_at}")
        resources = self._select(cloud, request)
        if not resources:
            raise NotFound("No resources found for the archive")
        made = archive.build(request, self._entries(resources, request), now)
        if request.mode == "download":
            return Generated(made)
        return Generated(made, self._keep(cloud, request, made, store))

    # -- which assets ----------------------------------------------------------------------------------------

    def _select(self, cloud: str, request: ArchiveRequest) -> list[Resource]:
        found: dict[ResourceKey, Resource] = {}
        types = _RESOURCE_TYPES if request.resource_type == "all" else (request.resource_type,)
        delivery = request.type or "upload"
        missing = []
        for public_id in request.public_ids:
            hit = next((r for rt in types if (r := self.repo.get(ResourceKey(cloud, public_id, rt, delivery)))), None)
            if hit is None:
                missing.append(public_id)
            else:
                found[hit.key] = hit
        for qualified in request.fully_qualified_public_ids:
            rt, _, rest = qualified.partition("/")
            typ, _, public_id = rest.partition("/")
            hit = self.repo.get(ResourceKey(cloud, public_id, rt, typ)) if public_id else None
            if hit is None:
                missing.append(qualified)
            else:
                found[hit.key] = hit
        if missing and not request.allow_missing:
            raise NotFound(f"Resource not found - {', '.join(missing)}")
        for rt in types:
            for listing in [Listing(cloud, rt, type=request.type, prefix=p) for p in request.prefixes] + \
                    [Listing(cloud, rt, tag=t) for t in request.tags]:
                for resource in self._all(listing):
                    found[resource.key] = resource
        return sorted(found.values(), key=lambda r: (r.key.resource_type, r.public_id))

    def _all(self, listing: Listing) -> Iterator[Resource]:
        after, seen = None, 0
        while True:
            page = self.repo.list_resources(replace(listing, limit=500, after=after))
            for resource in page.items:
                if listing.tag is None or listing.type is None or resource.key.type == listing.type:
                    seen += 1
                    if seen > archive.MAX_FILES:
                        raise BadRequest(f"Too many files for one archive. Maximum is {archive.MAX_FILES}")
                    yield resource
            if page.next_key is None:
                return
            after = page.next_key

    # -- what goes in ------------------------------------------------------------------------------------------

    def _entries(self, resources: list[Resource], request: ArchiveRequest) -> list[Entry]:
        items = eager.parse("|".join(request.transformations)) if request.transformations else ()
        entries: list[Entry] = []
        total = 0
        for resource in resources:
            original = self.blobs.get(resource.sha256)
            if original is None:
                continue
            # A raw file's public id is its whole name (it keeps its extension): no format is added to it.
            fmt = "" if resource.key.resource_type == "raw" else resource.format
            made = [Entry(resource.public_id, fmt, resource.original_filename, original)]
            if items and resource.key.resource_type == "image":
                made = [self._derived(resource, original, item) for item in items]
            total += sum(len(e.data) for e in made)
            if total > MAX_BYTES:
                raise BadRequest(f"Archive too large - more than {MAX_BYTES} bytes of files")
            entries.extend(made)
        return entries

    @staticmethod
    def _derived(resource: Resource, original: bytes, item: EagerItem) -> Entry:
        chain = eager.renderable(item)
        if chain is None:
            raise BadRequest(f"Transformation {item.transformation} is not supported by the emulator")
        fmt = item.format or (resource.format if resource.format in transform.FORMATS else "png")
        try:
            data = transform.render(original, chain, fmt)
        except (OSError, ValueError) as exc:
            raise BadRequest(f"Cannot transform {resource.public_id} - {exc}") from exc
        return Entry(resource.public_id, fmt, resource.original_filename, data, item.transformation)

    # -- create mode: a raw asset ------------------------------------------------------------------------------

    def _keep(self, cloud: str, request: ArchiveRequest, made: Archive, store: Store) -> Resource:
        suffix = f".{request.target_format}"
        public_id = request.target_public_id or self.ids.alnum(20)
        if not public_id.endswith(suffix):
            public_id += suffix
        folder = (request.target_asset_folder or "").strip("/")
        if folder and "/" not in public_id:
            public_id = f"{folder}/{public_id}"
        key = ResourceKey(cloud, public_id, "raw", "upload")
        previous = self.repo.get(key)
        now = self.clock.now()
        version = int(now) if previous is None or int(now) > previous.version else previous.version + 1
        resource = Resource(
            key=key, asset_id=previous.asset_id if previous else self.ids.hex(32), version=version,
            version_id=self.ids.hex(32), format=request.target_format, width=0, height=0, bytes=len(made.data),
            etag=hashlib.md5(made.data).hexdigest(), sha256=hashlib.sha256(made.data).hexdigest(), created_at=now,
            original_filename=public_id.rpartition("/")[2].rpartition(".")[0], tags=request.target_tags,
        )
        store(resource, made.data)
        return resource
