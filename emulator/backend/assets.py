"""The asset operations: upload, details, update, explicit, and asynchronous categorization's completion.

One method per API operation, named after it; raises :mod:`emulator.errors`. Lists, search and bulk changes
are :class:`~emulator.backend.library.Library`'s."""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import PurePath
from typing import Any

from emulator import media
from emulator.backend import addons, categorization, enrich, intake, scripts
from emulator.backend.account import values as metadata_values
from emulator.backend.events import Events, NoEvents
from emulator.backend.lifecycle import Lifecycle
from emulator.backend.models import (
    Categorize,
    DataUri,
    FilePart,
    FileSource,
    Resource,
    ResourceKey,
    StagedBlob,
    StagedFile,
    StreamedFile,
    UpdateRequest,
    UploadExtras,
    UploadOutcome,
    UploadRequest,
)
from emulator.backend.ports import BlobStore, MissingBlob, ResourceRepository
from emulator.clock import Clock, IdSource
from emulator.config import BUNDLED_FIXTURES, CloudConfig, Config
from emulator.errors import AlreadyExists, ApiError, BadRequest, NotFound, error_for
from emulator.tagging.engine import ImageRef, TaggingEngine


@dataclass(frozen=True)
class Categorized:
    """What a categorization run changes on a resource: its ``info``, and the tags ``auto_tagging`` adds."""

    info: dict[str, Any]
    auto_tags: list[str]


SAMPLE_IMAGE = BUNDLED_FIXTURES / "images" / "sample.jpg"
_ATTEMPTS = 3  # an update that raced an overwrite is recomputed; a write that raced a reclaim is retried


WebhookUrls = Callable[[str, str], tuple[str, ...]]  # (cloud, event type) → the triggers' webhook URLs


class Assets:
    def __init__(self, config: Config, repo: ResourceRepository, blobs: BlobStore, engine: TaggingEngine,
                 clock: Clock, ids: IdSource, events: Events | None = None,
                 metadata: metadata_values.MetadataFields | None = None,
                 triggers: WebhookUrls | None = None, lifecycle: Lifecycle | None = None) -> None:
        self.config = config
        self.lifecycle = lifecycle  # eager, analyses, moderation, backups (None: the basics only)
        self.repo = repo
        self.blobs = blobs
        self.engine = engine
        self.clock = clock
        self.ids = ids
        self.events: Events = events or NoEvents()
        self.metadata = metadata or metadata_values.NoMetadataFields()
        self.triggers: WebhookUrls = triggers or (lambda cloud, event: ())

    # -- clouds -------------------------------------------------------------------------------------------

    def ensure_cloud(self, cloud: CloudConfig) -> None:
        """A cloud starts, like a new account, with the image ``sample`` (created once, not on every start)."""
        if self.repo.claim_cloud(cloud.name, self.clock.now()):
            data, facts = _sample()
            stored = _Stored(hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest(), len(data),
                             facts.format, facts.width, facts.height, {})
            resource = self._build(ResourceKey(cloud.name, "sample"), stored, "sample", (), {}, {}, None, None)
            self._store(resource, data)

    def reset(self, clouds: list[CloudConfig], *, every: bool) -> None:
        """Back to a fresh account: everything of these clouds forgotten, ``sample`` created again. ``every``:
        the whole library (also clouds not listed, such as sub-accounts')."""
        if every:
            self.repo.reset(None)
        for cloud in clouds:
            if not every:
                self.repo.reset(cloud.name)
            self.ensure_cloud(cloud)

    # -- Upload API -----------------------------------------------------------------------------------------

    def upload(self, cloud: CloudConfig, request: UploadRequest, *, origin: str = "") -> UploadOutcome:
        """Store an image, video or raw file; ``origin`` is the host the caller reached us on (for URLs in
        notifications). The bytes are staged first and kept only once they proved valid."""
        addons.check(request.extras.addons, admin=False)
        if _empty(request.file):
            raise BadRequest("Empty file")
        incoming = intake.take_in(self.blobs, request.file, request.resource_type, self.config,
                                  allow_local=cloud.fetch_local_urls)
        try:
            request = self._evaluated(cloud, request, incoming)
            incoming = self._prepare(incoming, request.extras)
            return self._upload(cloud, request, incoming, origin)
        finally:
            self.blobs.discard(incoming.staged)

    def _prepare(self, incoming: intake.Incoming, extras: UploadExtras) -> intake.Incoming:
        """``allowed_formats``, then an image converted (``format``) or transformed (``transformation``) before
        it is stored: the new bytes are staged in place of the sent ones; ``filename_override`` names it."""
        if extras.filename_override:
            incoming = replace(incoming, name=extras.filename_override + PurePath(incoming.name).suffix)
        if incoming.data is None:
            target = extras.format or incoming.format
            if extras.allowed_formats is not None and target not in extras.allowed_formats:
                raise BadRequest(f"Image file format {target} not allowed")
            return incoming
        facts = media.ImageFacts(incoming.format, incoming.width, incoming.height)
        prepared = enrich.prepare(incoming.data, facts, extras)
        if prepared.data is incoming.data:
            return incoming
        staged = self.blobs.stage(io.BytesIO(prepared.data), intake.limit_for("image", self.config))
        self.blobs.discard(incoming.staged)
        return replace(incoming, staged=staged, data=prepared.data, format=prepared.facts.format,
                       width=prepared.facts.width, height=prepared.facts.height)

    def _upload(self, cloud: CloudConfig, request: UploadRequest, incoming: intake.Incoming,
                origin: str) -> UploadOutcome:
        key = ResourceKey(cloud.name, self._public_id(request, incoming), incoming.kind, request.type)
        previous = self.repo.get(key)
        if previous is not None and not request.overwrite:
            return UploadOutcome(previous, existing=True)
        placed = self._placement(cloud, request, incoming.original_filename)
        categorize = self._mode(cloud, request.categorize)
        _images_only(categorize, incoming.kind)
        found = Categorized({}, [])
        if incoming.data is not None:
            image = ImageRef(incoming.data, incoming.staged.sha256, key.public_id, incoming.original_filename)
            found = self._categorize(cloud, image, categorize, {})
        tags = categorization.merge_tags(request.tags, found.auto_tags)
        categorization.check_tags(key.public_id, tags)
        stored = _Stored(incoming.staged.sha256, incoming.staged.md5, incoming.staged.size, incoming.format,
                         incoming.width, incoming.height, dict(incoming.media))
        resource = self._build(key, stored, incoming.original_filename, tags, request.context, found.info,
                               request.notification_url, previous, placed)
        resource = self._on_success(cloud, request, resource)
        outcome = self._keep_with_extras(resource, incoming, request.extras, previous)
        outcome = replace(outcome, overwritten=previous is not None)
        urls = _notification_urls(cloud, request.notification_url) + self.triggers(cloud.name, "upload")
        self.events.uploaded(cloud, outcome, urls, origin)
        self._defer(cloud, key, categorize, urls, origin)
        return outcome

    def _evaluated(self, cloud: CloudConfig, request: UploadRequest, incoming: intake.Incoming) -> UploadRequest:
        """The upload as its ``eval`` script changed its options. ``resource_info``: the file's facts, and the
        analyses the upload asked for (``faces``, ``colors``, ``phash``, ``quality_analysis`` ...)."""
        found = request.scripts
        if found is None or found.eval is None or found.reparse is None:
            return request
        info = {"resource_type": incoming.kind, "format": incoming.format, "bytes": incoming.staged.size,
                "etag": incoming.staged.md5, "filename": incoming.original_filename,
                "original_filename": incoming.original_filename, **dict(incoming.media)}
        if incoming.kind != "raw":
            info.update(width=incoming.width, height=incoming.height)
        if self.lifecycle is not None and incoming.data is not None and request.extras.analyses.any:
            provisional = Resource(  # not stored: what the analyses read (no ids are drawn for it)
                key=ResourceKey(cloud.name, request.public_id or incoming.original_filename), asset_id="",
                version=0, version_id="", format=incoming.format, width=incoming.width, height=incoming.height,
                bytes=incoming.staged.size, etag=incoming.staged.md5, sha256=incoming.staged.sha256,
                created_at=self.clock.now(), original_filename=incoming.original_filename,
                faces=request.extras.face_coordinates or ())
            info.update(self.lifecycle.analyse(provisional, incoming.data, request.extras.analyses, clip=True))
        changed = found.reparse(scripts.run_eval(found.eval, info, found.options))
        addons.check(changed.extras.addons, admin=False)
        return replace(changed, file=request.file)  # the file taken in (a chunked upload's assembled file)

    def _on_success(self, cloud: CloudConfig, request: UploadRequest, resource: Resource) -> Resource:
        """The resource as the upload's ``on_success`` script's ``current_asset.update`` calls leave it; run
        before anything is stored, so that a failing script stores nothing."""
        code = request.scripts.on_success if request.scripts else None
        if code is None:
            return resource
        asset = _asset_info(resource)
        for update in scripts.run_on_success(code, asset, {"notification_type": "upload", "upload_info": asset}):
            resource = self._updated(cloud, resource, update)
        return resource

    def _updated(self, cloud: CloudConfig, resource: Resource, update: scripts.AssetUpdate) -> Resource:
        if update.tags is not None:
            resource = replace(resource, tags=categorization.check_tags(resource.public_id, update.tags))
        if update.context is not None:
            resource = replace(resource, context=dict(update.context))
        if update.metadata is not None:
            assignment = metadata_values.Assignment(update.metadata, False)
            fields = self.metadata.by_id(cloud.name)
            resource = replace(resource, metadata=metadata_values.assign(fields, resource.metadata, assignment))
        return resource

    def _keep(self, resource: Resource, staged: StagedBlob) -> None:
        """Keep the bytes, then write the row; a reclaim that took the bytes in between makes us keep them
        again (the staged file is still there) and retry."""
        for _ in range(_ATTEMPTS):
            self.blobs.keep(staged)
            try:
                self.repo.put(resource)
                return
            except MissingBlob:
                continue
        raise AlreadyExists(f"Resource {resource.public_id} kept losing its bytes to deletions; try again")

    def seed(self, cloud: CloudConfig, requests: list[UploadRequest], *, origin: str = "") -> list[UploadOutcome]:
        """Upload many at once (the control plane's seed): each exactly as a single upload.

        A failure names the item (``resources[i]: …``); the items before it stay stored.
        """
        outcomes = []
        for index, request in enumerate(requests):
            try:
                outcomes.append(self.upload(cloud, request, origin=origin))
            except ApiError as exc:
                raise error_for(exc.status, f"resources[{index}]: {exc.message}") from exc
        return outcomes

    def complete_categorization(self, cloud: CloudConfig, key: ResourceKey, request: Categorize,
                                origin: str = "") -> Resource | None:
        """Finish deferred categorization: real blocks replace the pending ones, auto tags are applied.

        None when the resource is gone (deleted or renamed) in the meantime.
        """
        current = self.repo.get(key)
        if current is None:
            return None
        found = self._categorize(cloud, self._image_of(current), request, {})
        done = self._apply(current, _Change(found=found))
        if done is None:
            return None  # overwritten meanwhile: these results describe bytes that are gone
        self.events.categorized(cloud, done, _notification_urls(cloud, current.notification_url), origin)
        return done

    # -- Admin API ------------------------------------------------------------------------------------------

    def resource(self, key: ResourceKey) -> Resource:
        found = self.repo.get(key)
        if found is None:
            raise NotFound(f"Resource not found - {key.public_id}")
        return found

    def update(self, cloud: CloudConfig, key: ResourceKey, request: UpdateRequest, *, origin: str = "") -> Resource:
        addons.check(request.extras.addons, admin=True)
        categorize = self._mode(cloud, request.categorize)
        for _ in range(_ATTEMPTS):
            current = self.resource(key)
            found = Categorized({}, [])
            if categorize.engines:  # the slow part, outside the write transaction
                _images_only(categorize, key.resource_type)
                found = self._categorize(cloud, self._image_of(current), categorize, {})
            self._replacement(cloud, current, request)  # a bad metadata value fails before anything is written
            updated = self._apply(current, _Change(request.tags, request.context, found,
                                                   functools.partial(self._replacement, cloud, request=request),
                                                   functools.partial(enrich.lifecycle, extras=request.extras,
                                                                     now=self.clock.now())))
            if updated is not None:
                self._defer(cloud, key, categorize, _notification_urls(cloud, current.notification_url), origin)
                return updated
        raise AlreadyExists(f"Resource {key.public_id} kept changing while it was updated; try again")

    def update_metadata(self, cloud: CloudConfig, resource_type: str, type: str, public_ids: tuple[str, ...],
                        values: dict[str, Any], clear_invalid: bool) -> list[str]:
        """Upload API ``metadata``: set values on each asset that exists; the public ids changed."""
        fields = self.metadata.by_id(cloud.name)
        assignment = metadata_values.Assignment(values, clear_invalid)
        metadata_values.assign(fields, {}, assignment)  # a bad value fails the call before anything changes
        keys = [ResourceKey(cloud.name, pid, resource_type, type) for pid in public_ids]

        def change(stored: Resource) -> Resource:
            return replace(stored, metadata=metadata_values.assign(fields, stored.metadata, assignment))

        return [r.public_id for r in self.repo.modify(keys, change)]

    # -- structured metadata and dynamic folders -----------------------------------------------------------

    def _placement(self, cloud: CloudConfig, request: UploadRequest, filename: str) -> dict[str, Any]:
        """A new asset's metadata, asset folder and display name (checked before anything is stored)."""
        fields = self.metadata.by_id(cloud.name)
        display = request.display_name or (filename if request.use_filename_as_display_name else None)
        folder = request.asset_folder if request.asset_folder is not None else request.folder
        return {"metadata": metadata_values.for_upload(fields, request.metadata, request.clear_invalid),
                "asset_folder": folder.strip("/") if folder is not None else None, "display_name": display}

    def _replacement(self, cloud: CloudConfig, current: Resource, request: UpdateRequest) -> dict[str, Any]:
        """Metadata, asset folder and display name as ``request`` changes them on ``current`` (as stored)."""
        out: dict[str, Any] = {}
        if request.metadata is not None:
            assignment = metadata_values.Assignment(request.metadata, request.clear_invalid)
            out["metadata"] = metadata_values.assign(self.metadata.by_id(cloud.name), current.metadata, assignment)
        if request.asset_folder is not None:
            out["asset_folder"] = request.asset_folder
        if request.display_name is not None:
            out["display_name"] = request.display_name
        return out

    def _apply(self, read: Resource, change: _Change) -> Resource | None:
        """Apply ``change`` to the resource as stored, inside the write transaction, so that tags, context or
        metadata written meanwhile by anyone else survive; only if it still holds the bytes that were read (an
        overwrite in between makes categorization results stale). None when it does not, or is gone."""
        applied: list[Resource] = []

        def edit(stored: Resource) -> Resource:
            if (stored.version, stored.sha256) != (read.version, read.sha256):
                return stored
            applied.append(change.applied_to(stored))
            return applied[0]

        self.repo.modify([read.key], edit)
        return applied[0] if applied else None

    def _apply_lifecycle(self, read: Resource, made: Resource) -> Resource | None:
        """Explicit's derived images and lifecycle fields onto the resource as stored (what else changed
        meanwhile survives), only while it holds the bytes they were made from; None when it does not."""
        applied: list[Resource] = []

        def edit(stored: Resource) -> Resource:
            if (stored.version, stored.sha256) != (read.version, read.sha256):
                return stored
            applied.append(replace(stored, derived=made.derived, moderation=made.moderation,
                                   access_mode=made.access_mode, access_control=made.access_control,
                                   backup=made.backup, faces=made.faces, custom_coordinates=made.custom_coordinates))
            return applied[0]

        self.repo.modify([read.key], edit)
        return applied[0] if applied else None

    def explicit(self, cloud: CloudConfig, key: ResourceKey, request: UpdateRequest, *,
                 origin: str = "") -> UploadOutcome:
        """Upload API ``explicit``: ``update``'s categorization / auto-tagging / tags / context, upload-shaped,
        plus eager derived images, breakpoints and analyses made from the stored bytes."""
        addons.check(request.extras.addons, admin=False)
        updated = self.update(cloud, key, replace(request, extras=UploadExtras()), origin=origin)
        if self.lifecycle is None:
            return UploadOutcome(updated)
        data = self.blobs.get(updated.sha256) or b""
        for _ in range(_ATTEMPTS):
            made_on = self.resource(key)
            video = self.blobs.path(made_on.sha256) if key.resource_type == "video" else None
            resource, made = self.lifecycle.before_store(made_on, data, request.extras, made_on, video=video)
            stored = self._apply_lifecycle(made_on, resource)
            if stored is not None:
                self.lifecycle.after_store(stored, data, made)
                return UploadOutcome(stored, eager=tuple(made.eager), breakpoints=tuple(made.breakpoints),
                                     analysis=self.lifecycle.analyse(stored, data, request.extras.analyses))
        raise AlreadyExists(f"Resource {key.public_id} kept changing while it was updated; try again")

    def _defer(self, cloud: CloudConfig, key: ResourceKey, categorize: Categorize, urls: tuple[str, ...],
               origin: str) -> None:
        """Pending categorization is completed later, by the control plane's worker or ``/_emulator/advance``."""
        if categorize.asynchronous and categorize.engines:
            self.events.schedule_categorization(cloud, key, replace(categorize, asynchronous=False),
                                                self.clock.now() + cloud.async_delay, urls, origin)

    # -- helpers --------------------------------------------------------------------------------------------

    def _public_id(self, request: UploadRequest, incoming: intake.Incoming) -> str:
        """The requested id, or one made from the file name or at random; a raw file's keeps its extension."""
        # A leading "/" names no folder: "/a/b" is stored as "a/b", so that every SDK can address it again.
        if request.public_id and request.public_id.lstrip("/"):
            base = request.public_id.lstrip("/")
        else:
            if request.use_filename:
                base = _sanitize(incoming.original_filename)
                if request.unique_filename:
                    base = f"{base}_{self.ids.alnum(6)}"
            else:
                base = self.ids.alnum(20)
            if incoming.kind == "raw" and incoming.extension:
                base = f"{base}.{incoming.extension}"
        prefixes = [request.folder or "", request.public_id_prefix or ""]
        if request.use_asset_folder_as_public_id_prefix:
            prefixes.append(request.asset_folder or "")
        parts = [p.strip("/") for p in prefixes if p.strip("/")]
        return "/".join([*parts, base])

    @staticmethod
    def _mode(cloud: CloudConfig, request: Categorize) -> Categorize:
        """A cloud configured for asynchronous categorization defers every request."""
        return replace(request, asynchronous=True) if cloud.categorization == "async" else request

    def _categorize(self, cloud: CloudConfig, image: ImageRef, request: Categorize,
                    previous: Mapping[str, Any]) -> Categorized:
        """The resource's new ``info`` (earlier engines' blocks kept, re-run engines replaced) and the auto tags
        of this run."""
        if not request.engines:
            return Categorized(dict(previous), [])
        if request.asynchronous:
            categorization.check_subscriptions(cloud, request)
            blocks = {item.engine: categorization.PENDING for item in request.engines}
        else:
            blocks = categorization.run(self.engine, cloud, image, request)
        merged = {**previous.get("categorization", {}), **{name: b.as_json() for name, b in blocks.items()}}
        auto = ([] if request.auto_tagging is None or request.asynchronous
                else categorization.auto_tags(blocks, request.auto_tagging))
        return Categorized({**previous, "categorization": merged}, auto)

    def _keep_with_extras(self, resource: Resource, incoming: intake.Incoming, extras: UploadExtras,
                          previous: Resource | None) -> UploadOutcome:
        """Keep the resource with its lifecycle fields and derived images; the answer's extras."""
        if self.lifecycle is None:
            self._keep(resource, incoming.staged)
            return UploadOutcome(resource)
        data = incoming.data if incoming.data is not None else b""
        video = incoming.staged.path if incoming.kind == "video" else None  # eager thumbnails read its frames
        resource, made = self.lifecycle.before_store(resource, data, extras, previous, video=video)
        self._keep(resource, incoming.staged)
        if resource.backup and incoming.data is None:
            data = incoming.staged.read()  # a video or raw file backed up
        self.lifecycle.after_store(resource, data, made)
        return UploadOutcome(resource, eager=tuple(made.eager), breakpoints=tuple(made.breakpoints),
                             analysis=self.lifecycle.analyse(resource, data, extras.analyses, clip=True))

    def store(self, resource: Resource, data: bytes) -> None:
        """Store a resource made elsewhere (restore, archives, compositions): bytes, then the record."""
        self._store(resource, data)

    def _store(self, resource: Resource, data: bytes) -> None:
        """Bytes first, then the record; bytes a concurrent deletion reclaimed in between are stored again."""
        for attempt in range(_ATTEMPTS):
            self.blobs.put(resource.sha256, data)
            try:
                self.repo.put(resource)
                return
            except MissingBlob:
                if attempt == _ATTEMPTS - 1:
                    raise

    def _image_of(self, resource: Resource) -> ImageRef:
        data = self.blobs.get(resource.sha256) or b""
        return ImageRef(data, resource.sha256, resource.public_id, resource.original_filename)

    def _build(self, key: ResourceKey, stored: _Stored, filename: str, tags: tuple[str, ...], context: Any,
               info: dict[str, Any], notification_url: str | None, previous: Resource | None,
               placed: Mapping[str, Any] | None = None) -> Resource:
        """A new record of the bytes ``stored``; ``placed``: its metadata, asset folder and display name."""
        now = self.clock.now()
        version = int(now)
        if previous is not None and version <= previous.version:
            version = previous.version + 1  # versions only grow, even within one second
        return Resource(
            key=key, asset_id=previous.asset_id if previous else self.ids.hex(32), version=version,
            version_id=self.ids.hex(32), format=stored.format, width=stored.width, height=stored.height,
            bytes=stored.size, etag=stored.md5, sha256=stored.sha256, created_at=now,
            original_filename=filename, tags=tags, context=dict(context), info=info,
            notification_url=notification_url, media=stored.media, **(placed or {}),
        )


@dataclass(frozen=True)
class _Stored:
    """The facts of stored bytes a resource records."""

    sha256: str
    md5: str
    size: int
    format: str
    width: int
    height: int
    media: dict[str, Any]


def _images_only(request: Categorize, kind: str) -> None:
    """The categorization engines emulated (Imagga, Google, Amazon Rekognition tagging) read images only."""
    if request.engines and kind != "image":
        raise BadRequest(f"Categorization {request.engines[0].engine} is not supported for {kind} files "
                         "(only for images)")


@dataclass(frozen=True)
class _Change:
    """An update to a resource, applied to its stored state: tags/context replaced when given, this run's
    categorization blocks merged into ``info``, its auto tags added to whatever tags the resource holds then, and
    ``placed`` (metadata, folder, display name) computed from the stored resource."""

    tags: tuple[str, ...] | None = None
    context: Mapping[str, str] | None = None
    found: Categorized = field(default_factory=lambda: Categorized({}, []))
    placed: Callable[[Resource], dict[str, Any]] | None = None
    lifecycle: Callable[[Resource], Resource] | None = None  # moderation status, access, coordinates

    def applied_to(self, stored: Resource) -> Resource:
        blocks = self.found.info.get("categorization", {})
        info = {**stored.info, "categorization": {**stored.info.get("categorization", {}), **blocks}} \
            if blocks else dict(stored.info)
        tags = stored.tags if self.tags is None else self.tags
        tags = categorization.check_tags(stored.public_id, categorization.merge_tags(tags, self.found.auto_tags))
        context = stored.context if self.context is None else self.context
        placed = self.placed(stored) if self.placed else {}
        changed = replace(stored, tags=tags, context=dict(context), info=info, **placed)
        return self.lifecycle(changed) if self.lifecycle else changed


@lru_cache(maxsize=1)
def _sample() -> tuple[bytes, media.ImageFacts]:
    data = SAMPLE_IMAGE.read_bytes()
    return data, media.inspect(data)


def _empty(source: FileSource) -> bool:
    """A zero-byte file (the real service's ``Empty file``), told before the bytes are inspected."""
    if isinstance(source, FilePart | DataUri):
        return not source.data
    if isinstance(source, StreamedFile):
        position = source.stream.tell()
        first = source.stream.read(1)
        source.stream.seek(position)
        return not first
    if isinstance(source, StagedFile):
        return source.path.stat().st_size == 0
    return False


def _asset_info(resource: Resource) -> dict[str, Any]:
    """``current_asset`` / ``event_info.upload_info`` of an ``on_success`` script: the upload answer's facts."""
    return {"asset_id": resource.asset_id, "public_id": resource.public_id, "version": resource.version,
            "version_id": resource.version_id, "resource_type": resource.key.resource_type, "type": resource.key.type,
            "format": resource.format, "width": resource.width, "height": resource.height, "bytes": resource.bytes,
            "etag": resource.etag, "tags": list(resource.tags), "context": dict(resource.context),
            "metadata": dict(resource.metadata), "original_filename": resource.original_filename,
            "asset_folder": resource.effective_asset_folder, "display_name": resource.effective_display_name}


def _notification_urls(cloud: CloudConfig, requested: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(u for u in (requested, cloud.notification_url) if u))


def _sanitize(filename: str) -> str:
    """Cloudinary keeps letters, digits, ``-`` and ``_`` of a filename; anything else becomes ``_``."""
    return re.sub(r"[^\w\-]", "_", filename) or "file"
