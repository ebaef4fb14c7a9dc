"""List items (resources, by tag, by context, ...) are built from the record directly, for speed; they must hold
exactly the fields of a resource's details that lists have always been cut from, field for field and in order."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from emulator.api import render
from emulator.api.render_library import LIST_ALWAYS, LIST_FIELDS, LIST_ON_REQUEST, resource_page
from emulator.backend.models import Moderation, Resource, ResourceKey
from emulator.backend.queries import ResourcePage
from tests.helpers import make

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


def _kinds() -> list[Resource]:
    image = make("shop/shoes/red", tags=("b", "a"), context={"alt": "red shoes"}, width=1000, height=333)
    return [
        image,
        make("top", width=0, height=0),
        replace(image, key=ResourceKey("demo", "docs/readme.txt", "raw"), format="txt", width=0, height=0),
        replace(image, key=ResourceKey("demo", "clips/intro", "video"), format="mp4",
                media={"width": 1000, "height": 333, "duration": 2.5, "is_audio": False}),
        replace(image, key=ResourceKey("demo", "clips/song", "video"), format="mp3",
                media={"duration": 3.0, "is_audio": True}),
        replace(image, access_mode="authenticated", display_name="Shown", asset_folder="elsewhere",
                metadata={"sku": "42", "sizes": ["s", "m"]}, moderation=(Moderation("manual", "pending"),)),
        replace(image, placeholder=True, backup=True),
        replace(image, key=ResourceKey("demo", "private/one", "image", "private"), context={}, tags=()),
    ]


@pytest.mark.parametrize("resource", _kinds(), ids=lambda r: f"{r.key.resource_type}:{r.public_id}")
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
