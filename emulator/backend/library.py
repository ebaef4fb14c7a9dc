"""The media library: lists, tags, context, search, destroy, rename, bulk deletion and usage.

:class:`Library` is built once with the resource repository and the clock; each method is one API operation,
named after it. Lists and search are keyset pages answered by storage indexes; cursors are opaque here.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import replace

from emulator.backend import categorization, cursor
from emulator.backend.derivatives import Derivatives
from emulator.backend.models import (
    MODERATION_KINDS,
    MODERATION_STATUSES,
    DerivedImage,
    EagerItem,
    Resource,
    ResourceKey,
)
from emulator.backend.ports import ResourceRepository
from emulator.backend.queries import (
    ALL_TYPES,
    DELETE_BATCH,
    MAX_COMMAND_IDS,
    MAX_PUBLIC_IDS,
    ContextCommand,
    DeleteOutcome,
    DeleteRequest,
    Listing,
    ListRequest,
    Page,
    RenameRequest,
    ResourcePage,
    SearchRequest,
    SearchResult,
    SearchSpec,
    Selection,
    TagPage,
    TagsCommand,
    TagsRequest,
    Usage,
)
from emulator.backend.search import parse
from emulator.clock import Clock
from emulator.config import CloudConfig
from emulator.errors import BadRequest, NotFound

RESOURCE_TYPES = ("image", "raw", "video")
# Sortable search fields and the JSON type of their cursor values (storage maps them to columns).
SORT_FIELDS: dict[str, type] = {
    "created_at": float, "uploaded_at": float, "public_id": str, "filename": str, "folder": str, "format": str,
    "bytes": float, "width": float, "height": float, "pixels": float, "resource_type": str, "type": str,
}
AGGREGATE_FIELDS = ("format", "resource_type", "type")
WITH_FIELDS = ("tags", "context", "metadata", "image_metadata", "quality_analysis")
_LIST = "list"


class Library:
    def __init__(self, repo: ResourceRepository, clock: Clock, derivatives: Derivatives | None = None) -> None:
        self.repo = repo
        self.clock = clock
        self.derivatives = derivatives  # keep_original deletions forget the derived images' bytes

    # -- lists ----------------------------------------------------------------------------------------------

    @staticmethod
    def resource_types() -> list[str]:
        return list(RESOURCE_TYPES)

    def resources(self, cloud: CloudConfig, resource_type: str, type: str | None,
                  request: ListRequest) -> ResourcePage:
        """``GET /resources/<rt>[/<type>]``: by ``prefix``, by ``public_ids``, or everything."""
        if request.public_ids is not None and len(request.public_ids) > MAX_PUBLIC_IDS:
            raise BadRequest(f"Too many public_ids - {len(request.public_ids)}. At most {MAX_PUBLIC_IDS}")
        return self._list(Listing(cloud.name, _resource_type(resource_type), type=type, prefix=request.prefix,
                                  public_ids=request.public_ids, start_at=request.start_at), request)

    def resources_by_tag(self, cloud: CloudConfig, resource_type: str, tag: str,
                         request: ListRequest) -> ResourcePage:
        return self._list(Listing(cloud.name, _resource_type(resource_type), tag=tag), request)

    def resources_by_context(self, cloud: CloudConfig, resource_type: str, key: str, value: str | None,
                             request: ListRequest) -> ResourcePage:
        if not key:
            raise BadRequest("Missing required parameter - key")
        return self._list(Listing(cloud.name, _resource_type(resource_type), context_key=key,
                                  context_value=value), request)

    def _list(self, listing: Listing, request: ListRequest) -> ResourcePage:
        after = cursor.decode(_LIST, request.next_cursor, (float, int)) if request.next_cursor else None
        query = replace(listing, direction=request.direction, limit=request.max_results, after=after)
        page: Page = self.repo.list_resources(query)
        return ResourcePage(page.items, _encode(_LIST, page.next_key))

    def tags(self, cloud: CloudConfig, resource_type: str, request: TagsRequest) -> TagPage:
        """``GET /tags/<rt>``: tag names in order, from the tag index."""
        after = cursor.decode("tags", request.next_cursor, (str,))[0] if request.next_cursor else None
        names, more = self.repo.tags(cloud.name, _resource_type(resource_type), request.prefix,
                                        str(after) if after is not None else None, request.max_results)
        return TagPage(names, cursor.encode("tags", [names[-1]]) if more and names else None)

    def usage(self, cloud: CloudConfig) -> Usage:
        return replace(self.repo.usage(cloud.name), at=self.clock.now())

    # -- search ---------------------------------------------------------------------------------------------

    def search(self, cloud: CloudConfig, request: SearchRequest) -> SearchResult:
        """``POST /resources/search``: the expression parsed, translated to SQL by storage, one keyset page."""
        started = self.clock.now()
        where = parse(request.expression, started)
        kind, types = _search_cursor(request)
        after = cursor.decode(kind, request.next_cursor, types) if request.next_cursor else None
        page = self.repo.search(SearchSpec(cloud.name, where, request.sort_by, request.max_results, after,
                                              request.aggregate))
        elapsed = max(0, round((self.clock.now() - started) * 1000))
        return SearchResult(page.total_count, elapsed, page.items, _encode(kind, page.next_key),
                            page.aggregations)

    # -- tags and context commands (Upload API) -------------------------------------------------------------

    def tags_command(self, cloud: CloudConfig, resource_type: str, command: TagsCommand) -> list[str]:
        """``POST /<rt>/tags``: the public ids the command applied to; unknown ids are left out."""
        _check_ids(command.public_ids)
        categorization.check_tags("", command.tags)
        keys = [ResourceKey(cloud.name, pid, _resource_type(resource_type), command.type)
                for pid in command.public_ids]
        if command.command == "set_exclusive":
            self._clear_tag_elsewhere(cloud, keys, command.tags)
        changed = self.repo.modify(keys, lambda r: _retag(r, command))
        return [r.public_id for r in changed]

    def _clear_tag_elsewhere(self, cloud: CloudConfig, keep: list[ResourceKey], tags: tuple[str, ...]) -> None:
        """``set_exclusive``: the tag leaves every other resource of the resource type."""
        keeping = set(keep)
        for tag in tags:
            after: tuple[float | int | str, ...] | None = None
            while True:
                listing = Listing(cloud.name, keep[0].resource_type, tag=tag, limit=500, after=after)
                page = self.repo.list_resources(listing)
                others = [r.key for r in page.items if r.key not in keeping]
                self.repo.modify(others, functools.partial(_without_tag, tag=tag))
                if page.next_key is None:
                    break
                after = page.next_key

    def context_command(self, cloud: CloudConfig, resource_type: str, command: ContextCommand) -> list[str]:
        """``POST /<rt>/context``: ``add`` merges keys (an empty value removes one), ``remove_all`` clears."""
        _check_ids(command.public_ids)
        keys = [ResourceKey(cloud.name, pid, _resource_type(resource_type), command.type)
                for pid in command.public_ids]
        changed = self.repo.modify(keys, lambda r: replace(r, context=_recontext(r.context, command)))
        return [r.public_id for r in changed]

    # -- destroy, rename, bulk deletion ---------------------------------------------------------------------

    def destroy(self, key: ResourceKey) -> bool:
        """``POST /<rt>/destroy``: True when the resource existed (and its unused bytes are reclaimed)."""
        return self.repo.delete([key])[0]

    def rename(self, cloud: CloudConfig, resource_type: str, request: RenameRequest) -> Resource:
        old = ResourceKey(cloud.name, request.from_public_id, _resource_type(resource_type), request.type)
        new = ResourceKey(cloud.name, request.to_public_id, old.resource_type, request.to_type or request.type)
        outcome = self.repo.rename(old, new, request.overwrite)
        if outcome.resource is None:
            raise NotFound(f"Resource not found - {request.from_public_id}")
        if outcome.conflict:
            raise BadRequest(f"Resource already exists - {request.to_public_id}. "
                             "Pass overwrite=true to replace it")
        if request.context is None:
            return outcome.resource
        context = dict(request.context)
        changed = self.repo.modify([new], lambda r: replace(r, context=context))
        if not changed:  # renamed or deleted again in between
            raise NotFound(f"Resource not found - {request.to_public_id}")
        return changed[0]

    def resources_by_asset_folder(self, cloud: CloudConfig, asset_folder: str | None,
                                  request: ListRequest) -> ResourcePage:
        """``GET /resources/by_asset_folder``: the assets (images, videos, raw files) directly in one asset folder
        (not in its subfolders), newest first."""
        if asset_folder is None:
            raise BadRequest("Missing required parameter - asset_folder")
        return self._list(Listing(cloud.name, ALL_TYPES, asset_folder=asset_folder), request)

    def resources_by_moderation(self, cloud: CloudConfig, resource_type: str, kind: str, status: str,
                                request: ListRequest) -> ResourcePage:
        """``GET /resources/<rt>/moderations/<kind>/<status>``: the moderation queue, newest first."""
        if kind not in MODERATION_KINDS:
            raise BadRequest(f"Invalid moderation kind - {kind}. The emulator moderates: {', '.join(MODERATION_KINDS)}")
        if status not in MODERATION_STATUSES:
            raise BadRequest(f"Invalid moderation status - {status}. Must be one of: {', '.join(MODERATION_STATUSES)}")
        return self._list(Listing(cloud.name, _resource_type(resource_type), type="upload",
                                  moderation=(kind, status)), request)

    def delete_resources(self, cloud: CloudConfig, resource_type: str, type: str,
                         request: DeleteRequest) -> DeleteOutcome:
        """``DELETE /resources/<rt>/<type>``: by ``public_ids`` (at most 100), by ``prefix``, or ``all``;
        with ``keep_original`` only their derived images."""
        rt = _resource_type(resource_type)
        if request.keep_original:
            return self._delete_derived(cloud, rt, type, request)
        if request.public_ids is not None:
            if len(request.public_ids) > MAX_PUBLIC_IDS:
                raise BadRequest(f"Too many public_ids - {len(request.public_ids)}. At most {MAX_PUBLIC_IDS}")
            ids = list(dict.fromkeys(request.public_ids))
            found = self.repo.delete([ResourceKey(cloud.name, pid, rt, type) for pid in ids])
            return DeleteOutcome({pid: "deleted" if ok else "not_found" for pid, ok in zip(ids, found, strict=True)})
        if request.prefix is None and not request.all:
            raise BadRequest("Missing required parameter - public_ids, prefix or all")
        return self._remove(Selection(cloud.name, rt, type=type, prefix=request.prefix or ""), request)

    def delete_resources_by_tag(self, cloud: CloudConfig, resource_type: str, tag: str,
                                request: DeleteRequest) -> DeleteOutcome:
        if request.keep_original:
            keys = [r.key for r in self.repo.list_resources(Listing(cloud.name, _resource_type(resource_type),
                                                                    tag=tag, limit=DELETE_BATCH)).items]
            return self._derived_of(keys, request)
        return self._remove(Selection(cloud.name, _resource_type(resource_type), tag=tag), request)

    def _delete_derived(self, cloud: CloudConfig, rt: str, type: str, request: DeleteRequest) -> DeleteOutcome:
        if request.public_ids is not None:
            if len(request.public_ids) > MAX_PUBLIC_IDS:
                raise BadRequest(f"Too many public_ids - {len(request.public_ids)}. At most {MAX_PUBLIC_IDS}")
            keys = [ResourceKey(cloud.name, pid, rt, type) for pid in dict.fromkeys(request.public_ids)]
        elif request.prefix is not None or request.all:
            listing = Listing(cloud.name, rt, type=type, prefix=request.prefix or None, limit=DELETE_BATCH)
            keys = [r.key for r in self.repo.list_resources(listing).items]
        else:
            raise BadRequest("Missing required parameter - public_ids, prefix or all")
        return self._derived_of(keys, request)

    def _derived_of(self, keys: list[ResourceKey], request: DeleteRequest) -> DeleteOutcome:
        """Delete the derived images of these resources (those made with ``transformations`` when given)."""
        deleted, counts = {}, {}
        for key in keys:
            current = self.repo.get(key)
            doomed = [d.id for d in (current.derived if current else ())
                      if not request.transformations or _matches(d, request.transformations)]
            if current is not None and doomed:
                self.repo.modify([key], functools.partial(Derivatives.without, ids=doomed))
                if self.derivatives is not None:
                    self.derivatives.forget(key, doomed)
            deleted[key.public_id] = "deleted" if current is not None else "not_found"
            counts[key.public_id] = len(doomed)
        return DeleteOutcome(deleted, derived=counts, originals_kept=True)

    def _remove(self, selection: Selection, request: DeleteRequest) -> DeleteOutcome:
        after = cursor.decode("delete", request.next_cursor, (str,))[0] if request.next_cursor else None
        removal = self.repo.remove(replace(selection, after=str(after) if after is not None else None))
        more = removal.more and bool(removal.public_ids)
        return DeleteOutcome({pid: "deleted" for pid in removal.public_ids},
                             cursor.encode("delete", [removal.public_ids[-1]]) if more else None)


# -- helpers ------------------------------------------------------------------------------------------------

def _resource_type(value: str) -> str:
    if value not in RESOURCE_TYPES:
        raise BadRequest(f"Invalid resource type - {value}. Must be one of: {', '.join(RESOURCE_TYPES)}")
    return value


def _encode(kind: str, key: tuple[float | int | str, ...] | None) -> str | None:
    return cursor.encode(kind, key) if key is not None else None


def _search_cursor(request: SearchRequest) -> tuple[str, tuple[type, ...]]:
    """A search cursor is bound to its sort order: its kind names it, its values follow it (and the id)."""
    for name, _ in request.sort_by:
        if name not in SORT_FIELDS:
            raise BadRequest(f"Invalid sort_by field - {name}. Sortable: {', '.join(SORT_FIELDS)}")
    for name in request.aggregate:
        if name not in AGGREGATE_FIELDS:
            raise BadRequest(f"Unsupported aggregate field - {name}. Supported: {', '.join(AGGREGATE_FIELDS)}")
    for name in request.with_field:
        if name not in WITH_FIELDS:
            raise BadRequest(f"Unsupported with_field - {name}. Supported: {', '.join(WITH_FIELDS)}")
    kind = "search:" + ",".join(f"{name} {direction}" for name, direction in request.sort_by)
    return kind, (*(SORT_FIELDS[name] for name, _ in request.sort_by), int)


def _check_ids(public_ids: tuple[str, ...]) -> None:
    if not public_ids:
        raise BadRequest("Missing required parameter - public_ids")
    if len(public_ids) > MAX_COMMAND_IDS:
        raise BadRequest(f"Too many public_ids - {len(public_ids)}. At most {MAX_COMMAND_IDS}")


def _retag(resource: Resource, command: TagsCommand) -> Resource:
    current = resource.tags
    if command.command in ("add", "set_exclusive"):
        tags = categorization.merge_tags(current, command.tags)
    elif command.command == "remove":
        tags = tuple(t for t in current if t not in command.tags)
    elif command.command == "replace":
        tags = categorization.merge_tags(command.tags)
    else:  # remove_all
        tags = ()
    return replace(resource, tags=categorization.check_tags(resource.public_id, tags))


def _without_tag(resource: Resource, tag: str) -> Resource:
    return replace(resource, tags=tuple(t for t in resource.tags if t != tag))


def _recontext(current: Mapping[str, str], command: ContextCommand) -> dict[str, str]:
    if command.command == "remove_all":
        return {}
    merged = {**current, **command.context}
    return {k: v for k, v in merged.items() if v != ""}


def _matches(derived: DerivedImage, wanted: tuple[EagerItem, ...]) -> bool:
    """Whether a derived image is one of ``wanted`` (tokens compared in any order, format when given)."""
    def canonical(text: str) -> str:
        return "/".join(",".join(sorted(segment.split(","))) for segment in text.split("/") if segment)

    return any(canonical(w.transformation) == canonical(derived.transformation)
               and w.format in (None, derived.format) for w in wanted)
