"""Media-library records → the JSON the real service answers with (Cloudinary's Admin API reference).

List items are cut from :func:`emulator.api.render.details`, so every shape shares one source of field values
(URLs, dates, folders); search items take the same values from the record directly (a test holds them to the cut
from details).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from emulator.api import render
from emulator.backend.models import Resource
from emulator.backend.queries import DeleteOutcome, ResourcePage, SearchResult, TagPage, Usage
from emulator.config import Config

# What a list item carries (tags and context only when asked for).
LIST_FIELDS = ("asset_id", "public_id", "format", "version", "resource_type", "type", "created_at", "bytes",
               "width", "height", "folder", "asset_folder", "display_name", "backup", "access_mode", "url",
               "secure_url")
# Search items; ``fields`` narrows them, but these always stay.
SEARCH_ALWAYS = ("asset_id", "public_id", "folder", "type", "resource_type", "created_at", "status")
# ``fields`` on lists narrows the items the same way; these always stay.
LIST_ALWAYS = ("asset_id", "public_id", "folder", "asset_folder", "display_name", "type", "resource_type",
               "created_at")
# What ``fields`` may name on a list beyond LIST_FIELDS: details' fields answered on request.
LIST_ON_REQUEST = ("tags", "context", "moderation", "moderation_status", "moderation_kind", "etag", "placeholder",
                   "version_id", "original_filename", "access_control")


def resource_page(page: ResourcePage, host: str, *, with_tags: bool, with_context: bool,
                  with_metadata: bool = False, fields: tuple[str, ...] = (),
                  with_moderations: bool = False) -> dict[str, Any]:
    if not with_moderations and not set(fields) & _FROM_DETAILS:
        keep = set(fields) | set(LIST_ALWAYS) if fields else None
        tags, context = with_tags or "tags" in fields, with_context or "context" in fields
        return _paged({"resources": [list_item(r, host, with_tags=tags, with_context=context,
                                               with_metadata=with_metadata, keep=keep) for r in page.resources]},
                      page.next_cursor)
    items = []
    for resource in page.resources:
        full = render.details(resource, host)
        item = {k: full[k] for k in LIST_FIELDS if k in full}
        wanted = {"tags": with_tags, "context": with_context, "moderation_status": with_moderations,
                  "moderation_kind": with_moderations, "moderation": with_moderations}
        wanted.update({name: True for name in fields if name in LIST_ON_REQUEST})
        item.update({k: full[k] for k, asked in wanted.items() if asked and k in full})
        if with_tags:
            item["tags"] = list(resource.tags)
        if with_metadata:
            item["metadata"] = full.get("metadata", {})
        if fields:
            keep = set(fields) | set(LIST_ALWAYS)
            item = {k: v for k, v in item.items() if k in keep}
        items.append(item)
    return _paged({"resources": items}, page.next_cursor)


_FROM_DETAILS = frozenset(LIST_ON_REQUEST) - {"tags", "context"}  # list items cut from whole details for these


def list_item(resource: Resource, host: str, *, with_tags: bool = False, with_context: bool = False,
              with_metadata: bool = False, keep: set[str] | None = None) -> dict[str, Any]:
    """A list item: :data:`LIST_FIELDS` of :func:`emulator.api.render.details`, taken from the record directly,
    as :func:`search_item` is (a test holds the two to the cut from details); ``keep``: the fields to keep."""
    k = resource.key
    item: dict[str, Any] = {"asset_id": resource.asset_id, "public_id": k.public_id}
    if k.resource_type != "raw":  # raw files have no format
        item["format"] = resource.format
    item.update(version=resource.version, resource_type=k.resource_type, type=k.type,
                created_at=render.iso(resource.created_at), bytes=0 if resource.placeholder else resource.bytes)
    if render.has_dimensions(resource):
        item.update(width=resource.width, height=resource.height)
    item.update(folder=resource.folder, asset_folder=resource.effective_asset_folder,
                display_name=resource.effective_display_name, backup=resource.backup,
                access_mode=resource.access_mode, **render.urls(resource, host))
    if with_tags:
        item["tags"] = list(resource.tags)
    if with_context and resource.context:
        item["context"] = {"custom": dict(resource.context)}
    if with_metadata:
        item["metadata"] = dict(resource.metadata)
    if keep is not None:
        item = {name: value for name, value in item.items() if name in keep}
    return item


def tag_page(page: TagPage) -> dict[str, Any]:
    return _paged({"tags": page.tags}, page.next_cursor)


def search_result(result: SearchResult, host: str, *, with_field: tuple[str, ...],
                  fields: tuple[str, ...], analyses: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """``analyses``: per asset id, the analysis fields ``with_field`` asked for (``image_metadata`` ...)."""
    items = []
    for r in result.resources:
        item = search_item(r, host, with_field, fields)
        item.update((analyses or {}).get(r.asset_id, {}))
        items.append(item)
    body: dict[str, Any] = {"total_count": result.total_count, "time": result.time, "resources": items}
    if result.aggregations:
        body["aggregations"] = result.aggregations
    return _paged(body, result.next_cursor)


def search_item(resource: Resource, host: str, with_field: tuple[str, ...] = (),
                fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """A search result: the fields :func:`emulator.api.render.details` gives, taken from the record directly (a
    page holds up to 500 of them; building each one's whole details first cost more than the query)."""
    k = resource.key
    stamp = _iso_offset(resource.created_at)
    kind = k.resource_type
    # one dict display, then single stores: cheaper than merging literals (a page holds up to 500 items)
    item: dict[str, Any] = {
        "asset_id": resource.asset_id, "public_id": k.public_id, "folder": resource.folder,
        "filename": resource.effective_display_name, "format": resource.format, "version": resource.version,
        "resource_type": kind, "type": k.type, "created_at": stamp, "uploaded_at": stamp,
        "bytes": 0 if resource.placeholder else resource.bytes,
    }
    if kind == "raw":  # raw files have no format
        del item["format"]
    if render.has_dimensions(resource):
        width, height = resource.width, resource.height
        item["width"] = width
        item["height"] = height
        item["aspect_ratio"] = round(width / height, 5) if height else 0
        item["pixels"] = width * height
    item["status"] = "active"
    item["access_mode"] = resource.access_mode
    item |= render.urls(resource, host)
    if "tags" in with_field or "tags" in fields:
        item["tags"] = list(resource.tags)
    if ("context" in with_field or "context" in fields) and resource.context:
        item["context"] = dict(resource.context)
    if "metadata" in with_field or "metadata" in fields:
        item["metadata"] = dict(resource.metadata)
    if fields:
        keep = set(fields) | set(SEARCH_ALWAYS)
        item = {k: v for k, v in item.items() if k in keep}
    return item


def deleted(outcome: DeleteOutcome) -> dict[str, Any]:
    counts = {pid: {"original": 1 if state == "deleted" and not outcome.originals_kept else 0,
                    "derived": outcome.derived.get(pid, 0)} for pid, state in outcome.deleted.items()}
    return _paged({"deleted": outcome.deleted, "deleted_counts": counts, "partial": outcome.partial},
                  outcome.next_cursor)


def usage(found: Usage, config: Config) -> dict[str, Any]:
    """``GET /usage``: counts and bytes from the library itself; nothing is billed, so credits stay 0."""
    day = time.strftime("%Y-%m-%d", time.gmtime(found.at))
    return {
        "plan": "Emulator",
        "last_updated": day,
        "date_requested": render.iso(found.at),
        "transformations": {"usage": 0, "credits_usage": 0},
        "objects": {"usage": found.resources},
        "bandwidth": {"usage": 0, "credits_usage": 0},
        "storage": {"usage": found.bytes, "credits_usage": 0},
        "credits": {"usage": 0},
        "requests": 0,
        "resources": found.resources,
        "derived_resources": 0,
        "tags": found.tags,
        "media_limits": {"image_max_size_bytes": config.max_file_size},
    }


def _paged(body: dict[str, Any], next_cursor: str | None) -> dict[str, Any]:
    """``next_cursor`` only while more results follow."""
    if next_cursor:
        body["next_cursor"] = next_cursor
    return body


def _iso_offset(ts: float) -> str:
    """Search dates are written ``2023-11-14T22:13:20+00:00``."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ts))
