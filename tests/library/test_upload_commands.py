"""Upload-API operations of the media library: tags and context commands, destroy, rename, explicit."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator import signing
from emulator.backend.models import ResourceKey
from tests.conftest import KEY, SECRET, basic
from tests.helpers import ADMIN, signed_form, upload_ok


def post(client: FlaskClient, operation: str, fields: dict[str, Any], *, sign: bool = True) -> tuple[int, Any]:
    response = client.post(f"{ADMIN}/image/{operation}", data=signed_form(fields) if sign else fields)
    return response.status_code, response.get_json()


def tags_of(app: Flask, public_id: str) -> tuple[str, ...]:
    found = app.extensions["cloudinary_emulator"].storage.get(ResourceKey("demo", public_id))
    return found.tags if found else ()


@pytest.fixture
def library(client: FlaskClient) -> FlaskClient:
    upload_ok(client, "a", tags="one")
    upload_ok(client, "b", tags="one,two")
    return client


# -- tags ---------------------------------------------------------------------------------------------------

def test_add_tag_answers_with_the_ids_it_applied_to(app: Flask, library: FlaskClient) -> None:
    assert post(library, "tags", {"command": "add", "tag": "new,x", "public_ids": ["b", "nope", "a"]}) == (
        200, {"public_ids": ["b", "a"]})
    assert tags_of(app, "a") == ("one", "new", "x") and tags_of(app, "b") == ("one", "two", "new", "x")


def test_remove_replace_and_remove_all(app: Flask, library: FlaskClient) -> None:
    assert post(library, "tags", {"command": "remove", "tag": "one", "public_ids": ["a", "b"]})[0] == 200
    assert tags_of(app, "a") == () and tags_of(app, "b") == ("two",)
    post(library, "tags", {"command": "replace", "tag": "r1,r2", "public_ids": ["a"]})
    assert tags_of(app, "a") == ("r1", "r2")
    assert post(library, "tags", {"command": "remove_all", "public_ids": ["a", "b"]}) == (
        200, {"public_ids": ["a", "b"]})
    assert tags_of(app, "a") == () and tags_of(app, "b") == ()


def test_set_exclusive_moves_the_tag(app: Flask, library: FlaskClient) -> None:
    assert post(library, "tags", {"command": "set_exclusive", "tag": "one", "public_ids": ["b"]}) == (
        200, {"public_ids": ["b"]})
    assert tags_of(app, "a") == () and tags_of(app, "b") == ("one", "two")
    assert tags_of(app, "sample") == ()


@pytest.mark.parametrize(("fields", "message"), [
    ({"command": "bogus", "tag": "x", "public_ids": ["a"]},
     "Invalid command - bogus. Must be one of: add, remove, replace, remove_all"),
    ({"command": "add", "public_ids": ["a"]}, "Missing required parameter - tag"),
    ({"command": "add", "tag": "x"}, "Missing required parameter - public_ids"),
    ({"tag": "x", "public_ids": ["a"]}, "Missing required parameter - command"),
    ({"command": "add", "tag": "x" * 256, "public_ids": ["a"]},
     f"Tag is too long (more than 255 characters) - {'x' * 40}..."),
])
def test_tags_command_errors(library: FlaskClient, fields: dict[str, Any], message: str) -> None:
    assert post(library, "tags", fields) == (400, {"error": {"message": message}})


def test_an_unsigned_call_is_refused(app: Flask, library: FlaskClient) -> None:
    assert post(library, "tags", {"command": "add", "tag": "x", "public_ids[]": ["a"]}, sign=False) == (
        401, {"error": {"message": "Must supply api_key"}})
    assert post(library, "destroy", {"public_id": "a"}, sign=False)[0] == 401
    assert tags_of(app, "a") == ("one",)


def test_a_wrong_signature_is_refused(library: FlaskClient) -> None:
    fields = signed_form({"public_id": "a"})
    fields["signature"] = "0" * 40
    response = library.post(f"{ADMIN}/image/destroy", data=fields)
    assert response.status_code == 401
    assert response.get_json()["error"]["message"].startswith(f"Invalid Signature {'0' * 40}.")


def test_python_leaves_notification_url_unsigned_on_tags(app: Flask, library: FlaskClient) -> None:
    fields: dict[str, Any] = {"command": "add", "tag": "n", "public_ids": "a", "timestamp": "1"}
    fields["timestamp"] = str(int(app.extensions["cloudinary_emulator"].clock.now()))
    fields["signature"] = signing.sign(fields, SECRET)
    response = library.post(f"{ADMIN}/image/tags", data={**fields, "api_key": KEY,
                                                         "notification_url": "http://example.invalid/hook"})
    assert response.status_code == 200 and tags_of(app, "a") == ("one", "n")


# -- context ------------------------------------------------------------------------------------------------

def test_context_add_merges_and_an_empty_value_removes(app: Flask, library: FlaskClient) -> None:
    storage = app.extensions["cloudinary_emulator"].storage
    assert post(library, "context", {"command": "add", "context": "alt=x|k=v", "public_ids": ["a", "zz"]}) == (
        200, {"public_ids": ["a"]})
    post(library, "context", {"command": "add", "context": "alt=|k2=w\\=1", "public_ids": ["a"]})
    assert storage.get(ResourceKey("demo", "a")).context == {"k": "v", "k2": "w=1"}
    assert post(library, "context", {"command": "remove_all", "public_ids": ["a"]}) == (200, {"public_ids": ["a"]})
    assert storage.get(ResourceKey("demo", "a")).context == {}


def test_context_errors(library: FlaskClient) -> None:
    assert post(library, "context", {"command": "add", "public_ids": ["a"]}) == (
        400, {"error": {"message": "Missing required parameter - context"}})
    assert post(library, "context", {"command": "remove", "context": "k", "public_ids": ["a"]}) == (
        400, {"error": {"message": "Invalid command - remove. Must be one of: add, remove_all"}})


# -- destroy ------------------------------------------------------------------------------------------------

def test_destroy_ok_then_not_found_and_bytes_are_reclaimed(app: Flask, library: FlaskClient) -> None:
    storage = app.extensions["cloudinary_emulator"].storage
    sha = storage.get(ResourceKey("demo", "a")).sha256
    assert post(library, "destroy", {"public_id": "a"}) == (200, {"result": "ok"})
    assert storage.blobs.get(sha) is not None  # "b" holds the same bytes
    assert post(library, "destroy", {"public_id": "b", "invalidate": "true"}) == (200, {"result": "ok"})
    assert storage.blobs.get(sha) is None
    assert post(library, "destroy", {"public_id": "b"}) == (200, {"result": "not found"})
    assert post(library, "destroy", {}) == (400, {"error": {"message": "Missing required parameter - public_id"}})


# -- rename -------------------------------------------------------------------------------------------------

def test_rename_answers_with_the_upload_shape(app: Flask, library: FlaskClient) -> None:
    before = library.get(f"{ADMIN}/resources/image/upload/a", headers=basic()).get_json()
    status, body = post(library, "rename", {"from_public_id": "a", "to_public_id": "folder/renamed"})
    assert status == 200 and body["public_id"] == "folder/renamed" and body["folder"] == "folder"
    assert body["asset_id"] == before["asset_id"] and body["tags"] == ["one"] and "signature" in body
    assert post(library, "destroy", {"public_id": "a"})[1] == {"result": "not found"}


def test_rename_onto_an_existing_id_needs_overwrite(app: Flask, library: FlaskClient) -> None:
    assert post(library, "rename", {"from_public_id": "a", "to_public_id": "b"}) == (
        400, {"error": {"message": "Resource already exists - b. Pass overwrite=true to replace it"}})
    status, body = post(library, "rename", {"from_public_id": "a", "to_public_id": "b", "overwrite": "true"})
    assert status == 200 and body["tags"] == ["one"] and tags_of(app, "a") == ()


def test_rename_unknown_and_to_type(library: FlaskClient) -> None:
    assert post(library, "rename", {"from_public_id": "nope", "to_public_id": "x"}) == (
        404, {"error": {"message": "Resource not found - nope"}})
    status, body = post(library, "rename", {"from_public_id": "a", "to_public_id": "a", "to_type": "private"})
    assert status == 200 and body["type"] == "private"
    assert post(library, "rename", {"from_public_id": "a"}) == (
        400, {"error": {"message": "Missing required parameter - to_public_id"}})


# -- explicit -----------------------------------------------------------------------------------------------

def test_explicit_reruns_categorization_with_the_upload_shape(library: FlaskClient) -> None:
    status, body = post(library, "explicit", {"public_id": "sample", "type": "upload",
                                              "categorization": "imagga_tagging", "auto_tagging": "0.5"})
    assert status == 200
    assert body["tags"] == ["pink", "flower"] and body["info"]["categorization"]["imagga_tagging"]["status"] == (
        "complete")
    assert body["api_key"] == KEY and body["signature"] == signing.response_signature("sample", body["version"],
                                                                                      SECRET)
    listed = library.get(f"{ADMIN}/resources/image/tags/flower", headers=basic()).get_json()
    assert [r["public_id"] for r in listed["resources"]] == ["sample"]


def test_explicit_tags_and_context_replace(library: FlaskClient) -> None:
    status, body = post(library, "explicit", {"public_id": "b", "tags": "t1", "context": "k=v"})
    assert status == 200 and body["tags"] == ["t1"] and body["context"] == {"custom": {"k": "v"}}


def test_explicit_errors(library: FlaskClient) -> None:
    assert post(library, "explicit", {"public_id": "nope"}) == (
        404, {"error": {"message": "Resource not found - nope"}})
    assert post(library, "explicit", {"public_id": "a", "categorization": "magic"}) == (
        400, {"error": {"message": "Categorization item magic is not valid"}})
    assert post(library, "explicit", {"categorization": "imagga_tagging"}) == (
        400, {"error": {"message": "Missing required parameter - public_id"}})
