"""List items (resources, by tag, by context, ...) are built from the record directly, for speed; they must hold
exactly the fields of a resource's details that lists have always been cut from, field for field and in order."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.api import render
from emulator.api.render_library import LIST_ALWAYS, LIST_FIELDS, LIST_ON_REQUEST, resource_page
from emulator.backend.models import Resource
from emulator.backend.queries import ResourcePage
from tests.helpers import resource_kinds

HOST = "res.example.test"


def _cut_from_details(resource: Resource, *, with_tags: bool, with_context: bool, with_metadata: bool,
                      fields: tuple[str, ...], with_moderations: bool) -> dict[str, Any]:
    """A list item as lists have always been made: the resource's whole details, cut."""
    full = render.details(resource, HOST)
    item = {k: full[k] for k in LIST_FIELDS if k in full}
    wanted = {"tags": with_tags, "context": with_context, "moderation_status": with_moderations,
              "moderation_kind": with_moderations, "moderation": with_moderations}
    wanted.update({name: True for name in fields if name in LIST_ON_REQUEST})
    item.update({k: full[k] for k, asked in wanted.items() if asked and k in full})
    if with_metadata:
        item["metadata"] = full.get("metadata", {})
    if fields:
        item = {k: v for k, v in item.items() if k in set(fields) | set(LIST_ALWAYS)}
    return item


@pytest.mark.parametrize("resource", resource_kinds(), ids=lambda r: f"{r.key.resource_type}:{r.public_id}")
@pytest.mark.parametrize(("options", "fields"), [
    ({}, ()), ({"with_tags": True, "with_context": True, "with_metadata": True}, ()),
    ({}, ("tags", "width", "context")), ({"with_tags": True, "with_metadata": True}, ("bytes", "metadata")),
    ({"with_moderations": True}, ()), ({}, ("etag", "moderation_status", "original_filename")),
])
def test_a_list_item_holds_the_values_of_the_resources_details(resource: Resource, options: dict[str, bool],
                                                              fields: tuple[str, ...]) -> None:
    settings = {"with_tags": False, "with_context": False, "with_metadata": False, "with_moderations": False,
                **options}
    expected = _cut_from_details(resource, fields=fields, **settings)
    page = resource_page(ResourcePage([resource], None), HOST, fields=fields, **settings)
    assert [list(item.items()) for item in page["resources"]] == [list(expected.items())]
