"""Admin API of the media library through the Flask client: lists, tags, context, usage, deletion, search."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.backend.queries import DELETE_BATCH
from tests.conftest import SECRET, basic
from tests.helpers import ADMIN, make, upload_ok

AUTH = basic()


def get(client: FlaskClient, path: str, **query: Any) -> Any:
    response = client.get(f"{ADMIN}{path}", query_string=query, headers=AUTH)
    return response.status_code, response.get_json()


def error(client: FlaskClient, method: str, path: str, **kwargs: Any) -> tuple[int, str]:
    response = client.open(f"{ADMIN}{path}", method=method, headers=AUTH, **kwargs)
    return response.status_code, response.get_json()["error"]["message"]


def pids(body: dict[str, Any]) -> list[str]:
    return [r["public_id"] for r in body["resources"]]


@pytest.fixture
def library(client: FlaskClient) -> FlaskClient:
    upload_ok(client, "animals/turtle", tags="sea turtle,reptile", context="alt=a turtle|shop=north")
    upload_ok(client, "animals/cat", tags="cat,pet")
    upload_ok(client, "dog", tags="pet,a b/c")
    return client


def test_resources_list_newest_first_with_the_list_shape(library: FlaskClient) -> None:
    status, body = get(library, "/resources/image/upload")
    assert status == 200
    assert pids(body) == ["dog", "animals/cat", "animals/turtle", "sample"]
    item = body["resources"][1]
    assert set(item) == {"asset_id", "public_id", "format", "version", "resource_type", "type", "created_at",
                         "bytes", "width", "height", "folder", "asset_folder", "display_name", "backup",
                         "access_mode", "url", "secure_url"}
    assert item["folder"] == "animals" and item["display_name"] == "cat" and "next_cursor" not in body


def test_tags_and_context_only_when_asked(library: FlaskClient) -> None:
    _, body = get(library, "/resources/image/upload", prefix="animals/", tags="true", context="true")
    assert pids(body) == ["animals/cat", "animals/turtle"]
    assert body["resources"][0]["tags"] == ["cat", "pet"] and "context" not in body["resources"][0]
    assert body["resources"][1]["context"] == {"custom": {"alt": "a turtle", "shop": "north"}}


def test_resources_of_every_type_by_ids_and_ascending(library: FlaskClient) -> None:
    _, every = get(library, "/resources/image", direction="asc")
    assert pids(every) == ["sample", "animals/turtle", "animals/cat", "dog"]
    response = library.get(f"{ADMIN}/resources/image/upload?public_ids[]=dog&public_ids[]=nope&public_ids[]=sample",
                           headers=AUTH)
    assert pids(response.get_json()) == ["dog", "sample"]


def test_start_at_lists_what_was_created_since(app: Flask, client: FlaskClient) -> None:
    storage = app.extensions["cloudinary_emulator"].storage
    storage.put_many([make("old", created_at=1_600_000_000), make("new", created_at=1_700_000_000)])
    assert pids(get(client, "/resources/image/upload", start_at="2023-01-01 00:00:00")[1])[-1] == "new"
    assert "old" not in pids(get(client, "/resources/image/upload", start_at="Sun, 01 Jan 2023 00:00:00 GMT")[1])
    assert error(client, "GET", "/resources/image/upload?start_at=soon") == (
        400, "Invalid start_at - soon. Use 2023-11-14T22:13:20Z or an RFC 1123 date")


def test_max_results_and_next_cursor_walk_everything(library: FlaskClient) -> None:
    seen, cursor = [], None
    while True:
        _, body = get(library, "/resources/image/upload", max_results=3, **({"next_cursor": cursor} if cursor else {}))
        seen += pids(body)
        cursor = body.get("next_cursor")
        if cursor is None:
            break
    assert seen == ["dog", "animals/cat", "animals/turtle", "sample"]


@pytest.mark.parametrize("value", ["0", "501", "ten", "-3"])
def test_max_results_out_of_range_is_400(library: FlaskClient, value: str) -> None:
    assert error(library, "GET", f"/resources/image/upload?max_results={value}") == (
        400, f"Invalid max_results - {value}. Must be an integer between 1 and 500")


def test_a_bad_cursor_is_400(library: FlaskClient) -> None:
    assert error(library, "GET", "/resources/image/upload?next_cursor=garbage") == (
        400, "Invalid next_cursor - garbage")
    _, tags = get(library, "/tags/image", max_results=1)
    assert error(library, "GET", f"/resources/image/upload?next_cursor={tags['next_cursor']}") == (
        400, f"Invalid next_cursor - {tags['next_cursor']}")


def test_bad_direction_and_resource_type_are_400(library: FlaskClient) -> None:
    assert error(library, "GET", "/resources/image/upload?direction=up") == (
        400, "Invalid direction - up. Must be asc or desc")
    assert error(library, "GET", "/resources/pdf/upload") == (
        400, "Invalid resource type - pdf. Must be one of: image, raw, video")


def test_resources_by_tag_including_spaces_and_slashes(library: FlaskClient) -> None:
    assert pids(get(library, "/resources/image/tags/pet")[1]) == ["dog", "animals/cat"]
    assert pids(get(library, "/resources/image/tags/a%20b/c")[1]) == ["dog"]
    assert pids(get(library, "/resources/image/tags/a%20b%2Fc")[1]) == ["dog"]  # Node's encoding


def test_an_unknown_tag_lists_nothing(library: FlaskClient) -> None:
    assert get(library, "/resources/image/tags/unknown") == (200, {"resources": []})


def test_resources_by_context(library: FlaskClient) -> None:
    assert pids(get(library, "/resources/image/context", key="shop")[1]) == ["animals/turtle"]
    assert pids(get(library, "/resources/image/context/", key="shop", value="north")[1]) == ["animals/turtle"]
    assert pids(get(library, "/resources/image/context", key="shop", value="south")[1]) == []
    assert error(library, "GET", "/resources/image/context") == (400, "Missing required parameter - key")


def test_tags_list_with_prefix_and_pages(library: FlaskClient) -> None:
    assert get(library, "/tags/image") == (200, {"tags": ["a b/c", "cat", "pet", "reptile", "sea turtle"]})
    _, first = get(library, "/tags/image", max_results=2)
    _, second = get(library, "/tags/image", max_results=2, next_cursor=first["next_cursor"])
    assert first["tags"] == ["a b/c", "cat"] and second["tags"] == ["pet", "reptile"]
    assert get(library, "/tags/image", prefix="re") == (200, {"tags": ["reptile"]})
    assert get(library, "/tags/video") == (200, {"tags": []})


def test_resource_types_and_usage(library: FlaskClient) -> None:
    assert get(library, "/resources") == (200, {"resource_types": ["image", "raw", "video"]})
    status, usage = get(library, "/usage")
    assert status == 200 and usage["resources"] == 4 and usage["objects"] == {"usage": 4}
    first = usage["storage"]["usage"]
    library.delete(f"{ADMIN}/resources/image/upload", json={"public_ids": ["dog"]}, headers=AUTH)
    _, after = get(library, "/usage/2023-11")
    assert after["resources"] == 3 and after["storage"]["usage"] < first and after["tags"] == 4


def test_delete_by_public_ids_in_every_encoding(library: FlaskClient) -> None:
    python = library.delete(f"{ADMIN}/resources/image/upload", json={"transformations": None,
                                                                     "public_ids": ["dog", "nope"]}, headers=AUTH)
    assert python.status_code == 200
    assert python.get_json() == {"deleted": {"dog": "deleted", "nope": "not_found"},
                                 "deleted_counts": {"dog": {"original": 1, "derived": 0},
                                                    "nope": {"original": 0, "derived": 0}},
                                 "partial": False}
    node = library.delete(f"{ADMIN}/resources/image/upload", data={"public_ids[]": ["animals/cat"]}, headers=AUTH)
    old_python = library.delete(f"{ADMIN}/resources/image/upload?public_ids[0]=sample", headers=AUTH)
    assert node.get_json()["deleted"] == {"animals/cat": "deleted"}
    assert old_python.get_json()["deleted"] == {"sample": "deleted"}
    assert pids(get(library, "/resources/image/upload")[1]) == ["animals/turtle"]


def test_delete_by_prefix_all_and_tag(library: FlaskClient) -> None:
    by_prefix = library.delete(f"{ADMIN}/resources/image/upload", json={"prefix": "animals/"}, headers=AUTH)
    assert by_prefix.get_json()["deleted"] == {"animals/cat": "deleted", "animals/turtle": "deleted"}
    by_tag = library.delete(f"{ADMIN}/resources/image/tags/pet", headers=AUTH)
    assert by_tag.get_json() == {"deleted": {"dog": "deleted"}, "deleted_counts": {"dog": {"original": 1,
                                                                                           "derived": 0}},
                                 "partial": False}
    assert library.delete(f"{ADMIN}/resources/image/tags/unknown", headers=AUTH).get_json()["deleted"] == {}
    everything = library.delete(f"{ADMIN}/resources/image/upload", json={"all": True}, headers=AUTH)
    assert everything.get_json()["deleted"] == {"sample": "deleted"}


def test_delete_stops_after_1000_with_next_cursor(app: Flask, client: FlaskClient) -> None:
    storage = app.extensions["cloudinary_emulator"].storage
    storage.put_many([make(f"bulk/{i:04d}") for i in range(DELETE_BATCH + 3)])
    first = client.delete(f"{ADMIN}/resources/image/upload", json={"prefix": "bulk/"}, headers=AUTH).get_json()
    assert len(first["deleted"]) == DELETE_BATCH and first["partial"] is True and first["next_cursor"]
    rest = client.delete(f"{ADMIN}/resources/image/upload", json={"prefix": "bulk/", "next_cursor":
                                                                  first["next_cursor"]}, headers=AUTH).get_json()
    assert list(rest["deleted"]) == ["bulk/1000", "bulk/1001", "bulk/1002"]
    assert rest["partial"] is False and "next_cursor" not in rest


def test_delete_needs_a_selector(library: FlaskClient) -> None:
    assert error(library, "DELETE", "/resources/image/upload") == (
        400, "Missing required parameter - public_ids, prefix or all")
    assert error(library, "DELETE", "/resources/image/upload", json={"keep_original": True}) == (
        400, "Missing required parameter - public_ids, prefix or all")
    assert error(library, "DELETE", "/resources/image/upload", json={"public_ids": [str(i) for i in range(101)]}) == (
        400, "Too many public_ids - 101. At most 100")


# -- search -------------------------------------------------------------------------------------------------

def search(client: FlaskClient, **body: Any) -> Any:
    response = client.post(f"{ADMIN}/resources/search", json=body, headers=AUTH)
    return response.status_code, response.get_json()


def test_search_answers_with_the_search_shape(library: FlaskClient) -> None:
    status, body = search(library, expression="tags=pet", with_field=["tags", "context"])
    assert status == 200 and body["total_count"] == 2 and isinstance(body["time"], int)
    item = body["resources"][0]
    assert item["public_id"] == "dog" and item["tags"] == ["pet", "a b/c"] and item["filename"] == "dog"
    assert item["created_at"].endswith("+00:00") and item["aspect_ratio"] == 1.33333 and item["status"] == "active"
    assert "context" not in body["resources"][0] and "next_cursor" not in body and "aggregations" not in body


def test_search_sort_pages_aggregate_and_fields(library: FlaskClient) -> None:
    _, first = search(library, expression="resource_type:image", sort_by=[{"public_id": "asc"}], max_results=2,
                      aggregate=["format"], fields=["tags"])
    assert pids(first) == ["animals/cat", "animals/turtle"] and first["total_count"] == 4
    assert first["aggregations"] == {"format": {"jpg": 4}}
    assert set(first["resources"][0]) == {"asset_id", "public_id", "folder", "type", "resource_type", "created_at",
                                          "status", "tags"}
    _, second = search(library, expression="resource_type:image", sort_by=[{"public_id": "asc"}], max_results=2,
                       next_cursor=first["next_cursor"])
    assert pids(second) == ["dog", "sample"] and "next_cursor" not in second


def test_search_get_form_and_nodes_encoded_path(library: FlaskClient) -> None:
    response = library.get(f"{ADMIN}/resources/search", query_string={"expression": "cat OR turtle",
                                                                      "sort_by": "public_id:desc"}, headers=AUTH)
    assert pids(response.get_json()) == ["animals/turtle", "animals/cat"]
    node = library.post(f"{ADMIN}/resources%2Fsearch", json={"expression": "dog"}, headers=AUTH)
    assert node.status_code == 200 and pids(node.get_json()) == ["dog"]


def test_search_accepts_the_aggregate_object_form_and_comma_lists(library: FlaskClient) -> None:
    _, body = search(library, expression="tags=pet", aggregate=[{"type": "format", "ranges": []}])
    assert body["aggregations"] == {"format": {"jpg": 2}}
    response = library.get(f"{ADMIN}/resources/search?expression=dog&with_field=tags,context", headers=AUTH)
    assert response.get_json()["resources"][0]["tags"] == ["pet", "a b/c"]


def test_a_bad_expression_is_400_with_the_position(library: FlaskClient) -> None:
    assert search(library, expression="tags=pet AND (format:jpg")[1] == {"error": {"message": (
        "Query Error (at position 25): expected ')' to close the '(' at position 14, found end of expression")}}
    assert error(library, "POST", "/resources/search", json={"expression": "*cat"}) == (
        400, "Query Error (at position 1): a leading wildcard is not allowed")


@pytest.mark.parametrize(("body", "message"), [
    ({"max_results": 501}, "Invalid max_results - 501. Must be an integer between 1 and 500"),
    ({"sort_by": [{"colour": "asc"}]}, "Invalid sort_by field - colour. Sortable: created_at, uploaded_at, "
                                       "public_id, filename, folder, format, bytes, width, height, pixels, "
                                       "resource_type, type"),
    ({"sort_by": [{"public_id": "up"}]}, "Invalid sort_by direction - up. Must be asc or desc"),
    ({"aggregate": ["bytes"]}, "Unsupported aggregate field - bytes. Supported: format, resource_type, type"),
    ({"with_field": ["phash"]},
     "Unsupported with_field - phash. Supported: tags, context, metadata, image_metadata, quality_analysis"),
    ({"next_cursor": "nope"}, "Invalid next_cursor - nope"),
])
def test_search_parameter_errors(library: FlaskClient, body: dict[str, Any], message: str) -> None:
    assert error(library, "POST", "/resources/search", json=body) == (400, message)


def test_a_cursor_is_bound_to_its_sort_order(library: FlaskClient) -> None:
    _, first = search(library, max_results=1, sort_by=[{"public_id": "asc"}])
    assert error(library, "POST", "/resources/search", json={"next_cursor": first["next_cursor"]}) == (
        400, f"Invalid next_cursor - {first['next_cursor']}")


def _search_url(query: dict[str, Any], *, ttl: int = 300, standard_b64: bool = False) -> str:
    text = json.dumps(query, sort_keys=True, separators=(",", ":"))
    encoded = (base64.b64encode if standard_b64 else base64.urlsafe_b64encode)(text.encode()).decode()
    signature = hashlib.sha256(f"{ttl}{encoded}{SECRET}".encode()).hexdigest()
    return f"/demo/search/{signature}/{ttl}/{encoded}"


def test_cacheable_search_urls(library: FlaskClient) -> None:
    url = _search_url({"expression": "tags=pet", "max_results": 1, "sort_by": [{"public_id": "asc"}]})
    first = library.get(url)
    assert first.status_code == 200 and pids(first.get_json()) == ["animals/cat"]
    second = library.get(f"{url}/{first.get_json()['next_cursor']}").get_json()
    assert pids(second) == ["dog"]
    assert pids(library.get(url.replace("/demo/search/", "/search/")).get_json()) == ["animals/cat"]  # private CDN
    assert library.get(url.replace("/300/", "/301/")).get_json()["error"]["message"].startswith(
        "Invalid search URL signature")


def test_cacheable_search_url_in_standard_base64_with_a_slash(library: FlaskClient) -> None:
    query = {"expression": "tags:pet?>"}  # chosen so the standard base64 holds a '/'
    url = _search_url(query, standard_b64=True)
    assert "/" in url.rsplit("/300/", 1)[1]
    response = library.get(url)
    assert response.status_code == 400  # '?' and '>' make a bad expression: the URL itself was understood
    assert response.get_json()["error"]["message"].startswith("Query Error")


def test_admin_calls_need_basic_auth(library: FlaskClient) -> None:
    response = library.get(f"{ADMIN}/resources/image/upload")
    assert response.status_code == 401 and response.get_json() == {"error": {"message": "Must supply api_key"}}
