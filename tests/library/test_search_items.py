"""Search items are built from the record directly, for speed; they must hold exactly the values a resource's
details give (same URLs, dates, folders, dimensions), field for field and in the same order."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.api import render
from emulator.api.render_library import SEARCH_ALWAYS, search_item
from emulator.backend.models import Resource
from tests.helpers import resource_kinds

HOST = "res.example.test"


def _from_details(resource: Resource, with_field: tuple[str, ...], fields: tuple[str, ...]) -> dict[str, Any]:
    """A search item cut from the resource's details: the shape the search answer has always had."""
    full = render.details(resource, HOST)
    stamp = render.iso(resource.created_at).replace("Z", "+00:00")
    item: dict[str, Any] = {
        "asset_id": full["asset_id"], "public_id": full["public_id"], "folder": full["folder"],
        "filename": full["display_name"], "format": full.get("format"), "version": full["version"],
        "resource_type": full["resource_type"], "type": full["type"], "created_at": stamp, "uploaded_at": stamp,
        "bytes": full["bytes"], "width": full.get("width"), "height": full.get("height"),
        "aspect_ratio": round(resource.width / resource.height, 5) if resource.height else 0,
        "pixels": resource.width * resource.height, "status": "active", "access_mode": full["access_mode"],
        "url": full["url"], "secure_url": full["secure_url"],
    }
    for name in ("format", "width", "height"):
        if name not in full:
            del item[name]
    if "width" not in full:
        del item["aspect_ratio"], item["pixels"]
    if "tags" in with_field or "tags" in fields:
        item["tags"] = list(resource.tags)
    if ("context" in with_field or "context" in fields) and "context" in full:
        item["context"] = full["context"]["custom"]
    if "metadata" in with_field or "metadata" in fields:
        item["metadata"] = full.get("metadata", {})
    if fields:
        item = {name: value for name, value in item.items() if name in set(fields) | set(SEARCH_ALWAYS)}
    return item


@pytest.mark.parametrize("resource", resource_kinds(), ids=lambda r: f"{r.key.resource_type}:{r.public_id}")
@pytest.mark.parametrize(("with_field", "fields"), [
    ((), ()), (("tags", "context", "metadata"), ()), ((), ("tags", "width", "context", "metadata")),
    (("tags",), ("bytes",)),
])
def test_a_search_item_holds_the_values_of_the_resources_details(resource: Resource, with_field: tuple[str, ...],
                                                                 fields: tuple[str, ...]) -> None:
    expected = _from_details(resource, with_field, fields)
    item = search_item(resource, HOST, with_field, fields)
    assert list(item.items()) == list(expected.items())
