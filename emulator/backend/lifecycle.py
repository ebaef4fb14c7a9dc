"""The asset lifecycle beyond upload's basics: derived images kept on request, analyses, moderation, access,
backups and restore, derived-image deletion. A service built once in ``create_app``; :class:`Assets` calls it
around storing a resource, and the Upload / Admin API views call its own operations."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from emulator.backend import enrich
from emulator.backend.derivatives import Derivatives, Made
from emulator.backend.models import (
    Analyses,
    Box,
    BulkSelection,
    DetailsRequest,
    Resource,
    ResourceKey,
    UploadExtras,
)
from emulator.backend.ports import Backups, BlobStore, ResourceRepository, Version
from emulator.backend.queries import Listing
from emulator.clock import Clock, IdSource
from emulator.errors import BadRequest, NotFound
from emulator.tagging.engine import ImageRef, TaggingEngine

MAX_RESTORE = 100
MAX_BULK = 1000  # assets per access-mode change or publish call
Store = Callable[[Resource, bytes], None]  # Assets' store: bytes, then the record


@dataclass(frozen=True)
class Details:
    resource: Resource
    analysis: Mapping[str, Any]
    versions: list[Version] | None


@dataclass(frozen=True)
class Restored:
    resource: Resource | None
    error: str | None = None


def _check_restore(name: str, count: int, version_ids: Sequence[str]) -> None:
    if not count:
        raise BadRequest(f"Missing required parameter - {name}")
    if count > MAX_RESTORE:
        raise BadRequest(f"Too many {name} - {count}. Maximum is {MAX_RESTORE}")
    if version_ids and len(version_ids) != count:
        raise BadRequest(f"versions must list one version id per {name.removesuffix('s').replace('_', ' ')}")


class Lifecycle:
    def __init__(self, repo: ResourceRepository, blobs: BlobStore, derivatives: Derivatives, backups: Backups,
                 engine: TaggingEngine, clock: Clock, ids: IdSource) -> None:
        self.repo = repo
        self.blobs = blobs
        self.derivatives = derivatives
        self.backups = backups
        self.engine = engine
        self.clock = clock
        self.ids = ids

    # -- around Assets' writes -----------------------------------------------------------------------------------

    def before_store(self, resource: Resource, data: bytes, extras: UploadExtras,
                     previous: Resource | None = None, *, video: Path | None = None) -> tuple[Resource, Made]:
        """The record as it will be stored (lifecycle fields, derived images) and the renderings to keep;
        ``video``: a video's file, whose frames eager thumbnails are made of."""
        resource = enrich.lifecycle(resource, extras, self.clock.now(), previous)
        if previous is not None and previous.sha256 == resource.sha256 and previous.key == resource.key:
            resource = replace(resource, derived=previous.derived)  # the same bytes keep their derived images
        made = self.derivatives.make(resource, data, extras, video=video)
        return self.derivatives.with_derived(resource, made), made

    def after_store(self, resource: Resource, data: bytes, made: Made) -> None:
        self.derivatives.keep(resource, made)
        if resource.backup:
            self.backups.keep(resource, data, self.clock.now())

    def analyse(self, resource: Resource, data: bytes, asked: Analyses, *, clip: bool = False) -> dict[str, Any]:
        return enrich.analyse(resource, data, asked, self.engine.fixtures.colors, self._faces, clip=clip)

    def analyse_all(self, resources: Sequence[Resource], asked: Analyses) -> dict[str, dict[str, Any]]:
        """Search's ``with_field`` analyses, per asset id."""
        return {r.asset_id: self.analyse(r, self.blobs.get(r.sha256) or b"", asked) for r in resources}

    def _faces(self, resource: Resource, data: bytes) -> tuple[Box, ...]:
        return self.engine.faces(ImageRef(data, resource.sha256, resource.public_id, resource.original_filename))

    # -- Admin API ------------------------------------------------------------------------------------------------

    def details(self, key: ResourceKey, request: DetailsRequest) -> Details:
        """A resource, or the placeholder a backed-up deleted asset leaves; with the analyses asked for."""
        found = self.repo.get(key)
        if found is None:
            kept = self.backups.version(key, None)
            if kept is None:
                raise NotFound(f"Resource not found - {key.public_id}")
            found = replace(kept.resource, placeholder=True, derived=())
        analysis: dict[str, Any] = {}
        if request.analyses.any and not found.placeholder:
            analysis = self.analyse(found, self.blobs.get(found.sha256) or b"", request.analyses)
        versions = self.backups.versions(key) if request.versions else None
        return Details(found, analysis, versions)

    def restore(self, keys: Sequence[ResourceKey], version_ids: Sequence[str], store: Store) -> dict[str, Restored]:
        """Bring back each asset's newest backed-up version (or the given version ids, in the same order)."""
        _check_restore("public_ids", len(keys), version_ids)
        out: dict[str, Restored] = {}
        for index, key in enumerate(keys):
            out[key.public_id] = self._restore_one(key, version_ids[index] if version_ids else None, store)
        return out

    def restore_asset_ids(self, cloud: str, asset_ids: Sequence[str], version_ids: Sequence[str],
                          store: Store) -> dict[str, Restored]:
        """``POST /resources/restore``: :meth:`restore` by asset id (an asset deleted or alive), answered by asset
        id; an id no backup knows is ``no backup found``."""
        _check_restore("asset_ids", len(asset_ids), version_ids)
        out: dict[str, Restored] = {}
        for index, asset_id in enumerate(asset_ids):
            alive = self.repo.find_by_asset_id(cloud, asset_id)
            key = alive.key if alive is not None else self.backups.key_of(cloud, asset_id)
            version_id = version_ids[index] if version_ids else None
            out[asset_id] = Restored(None, "no backup found") if key is None \
                else self._restore_one(key, version_id, store)
        return out

    def _restore_one(self, key: ResourceKey, version_id: str | None, store: Store) -> Restored:
        kept = self.backups.version(key, version_id)
        if kept is None:
            return Restored(None, "no backup found" if version_id is None else f"version {version_id} not found")
        current = self.repo.get(key)
        now = self.clock.now()
        version = int(now) if current is None or int(now) > current.version else current.version + 1
        restored = replace(kept.resource, version=version, version_id=self.ids.hex(32), derived=(),
                           placeholder=False, backup=True,
                           asset_id=current.asset_id if current is not None else kept.resource.asset_id)
        store(restored, kept.data)
        self.backups.keep(restored, kept.data, now)
        return Restored(restored)

    def delete_derived(self, cloud: str, derived_ids: Sequence[str]) -> dict[str, str]:
        """``DELETE /derived_resources``: each id ``deleted`` or ``not_found``."""
        if not derived_ids:
            raise BadRequest("Missing required parameter - derived_resource_ids")
        out: dict[str, str] = {}
        for derived_id in dict.fromkeys(derived_ids):
            key = self.derivatives.store.owner(cloud, derived_id)
            found = False
            if key is not None:
                found = bool(self.repo.modify([key], functools.partial(self.derivatives.without, ids=[derived_id])))
                self.derivatives.forget(key, [derived_id])
            out[derived_id] = "deleted" if found else "not_found"
        return out

    def keep_original(self, keys: Sequence[ResourceKey]) -> dict[str, int]:
        """``keep_original=true`` deletions: every derived image of these resources; counts per public id."""
        counts: dict[str, int] = {}
        for key in keys:
            before = self.repo.get(key)
            if before is None:
                continue
            self.repo.modify([key], lambda r: self.derivatives.without(r, None))
            self.derivatives.forget(key, None)
            counts[key.public_id] = len(before.derived)
        return counts

    def explode(self, key: ResourceKey, transformation: str, fmt: str | None) -> Resource:
        """Upload API ``explode``: every page rendered and kept as a derived image of the resource (listed in
        ``derived``, served by delivery); the resource as it then is."""
        for _ in range(3):
            found = self.repo.get(key)
            if found is None:
                raise NotFound(f"Resource not found - {key.public_id}")
            made = self.derivatives.explode(found, self.blobs.get(found.sha256) or b"", transformation, fmt)
            attached = self._attach(found, made)
            if attached is not None:
                self.derivatives.keep(attached, made)
                return attached
        raise BadRequest(f"Resource {key.public_id} kept changing while it was exploded; try again")

    def _attach(self, read: Resource, made: Made) -> Resource | None:
        """The derived images listed on the resource as stored, if it still holds the bytes they were made
        from (None: overwritten meanwhile)."""
        applied: list[Resource] = []

        def edit(stored: Resource) -> Resource:
            if stored.sha256 != read.sha256:
                return stored
            applied.append(self.derivatives.with_derived(stored, made))
            return applied[0]

        self.repo.modify([read.key], edit)
        return applied[0] if applied else None

    # -- by asset id --------------------------------------------------------------------------------------------

    def details_by_asset_id(self, cloud: str, asset_id: str, request: DetailsRequest) -> Details:
        found = self.repo.find_by_asset_id(cloud, asset_id)
        if found is None:
            raise NotFound(f"Resource not found - {asset_id}")
        return self.details(found.key, request)

    def backed_up(self, cloud: str, asset_id: str, version_id: str) -> Version:
        """A backed-up version's record and bytes (``download_backup``), also of a deleted asset."""
        kept = self.backups.by_asset_id(cloud, asset_id, version_id)
        if kept is None:
            raise NotFound(f"Version not found - {version_id} of asset_id {asset_id}")
        return kept

    def resources_by_asset_ids(self, cloud: str, asset_ids: Sequence[str]) -> list[Resource]:
        if not asset_ids:
            raise BadRequest("Missing required parameter - asset_ids")
        if len(asset_ids) > MAX_RESTORE:
            raise BadRequest(f"Too many asset_ids - {len(asset_ids)}. At most {MAX_RESTORE}")
        found = (self.repo.find_by_asset_id(cloud, a) for a in dict.fromkeys(asset_ids))
        return sorted((r for r in found if r is not None), key=lambda r: -r.created_at)

    def restore_public_ids(self, cloud: str, resource_type: str, type: str, public_ids: Sequence[str],
                           version_ids: Sequence[str], store: Store) -> dict[str, Restored]:
        return self.restore([ResourceKey(cloud, p, resource_type, type) for p in public_ids], version_ids, store)

    # -- access mode and publishing ------------------------------------------------------------------------------

    def update_access_mode(self, cloud: str, resource_type: str, type: str,
                           selection: BulkSelection) -> list[Resource]:
        mode = selection.access_mode or "public"
        return self.repo.modify(self._select(cloud, resource_type, type, selection),
                                lambda r: replace(r, access_mode=mode))

    def publish(self, cloud: str, resource_type: str, selection: BulkSelection) -> list[Resource]:
        keys = self._select(cloud, resource_type, selection.type or "upload", selection)
        return self.repo.modify(keys, lambda r: replace(r, access_mode="public"))

    def _select(self, cloud: str, resource_type: str, type: str, selection: BulkSelection) -> list[ResourceKey]:
        if selection.public_ids:
            if len(selection.public_ids) > MAX_BULK:
                raise BadRequest(f"Too many public_ids - {len(selection.public_ids)}. At most {MAX_BULK}")
            return [ResourceKey(cloud, p, resource_type, type) for p in selection.public_ids]
        listing = Listing(cloud, resource_type, type=type if selection.prefix else None,
                          prefix=selection.prefix, tag=selection.tag, limit=MAX_BULK)
        page = self.repo.list_resources(listing)
        return [r.key for r in page.items if r.key.type == type]
