"""``restore_by_asset_ids``, ``resources_by_asset_folder`` and ``visual_search`` through the official SDKs."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from tests.conftest import CLOUD, KEY, SAMPLE, SECRET, TURTLES

pytestmark = pytest.mark.e2e


def _variant(path: Any, scale: float) -> bytes:
    """The same picture resized and re-encoded: a near-duplicate."""
    with Image.open(path) as im:
        out = io.BytesIO()
        im.convert("RGB").resize((int(im.width * scale), int(im.height * scale))).save(out, "PNG")
    return out.getvalue()


# -- restore_by_asset_ids -----------------------------------------------------------------------------------------

def test_restore_by_asset_ids_brings_back_a_deleted_asset(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    up = cloudinary.uploader.upload(str(SAMPLE), public_id="byid/gone", backup=True)
    cloudinary.api.delete_resources(["byid/gone"])
    answer = cloudinary.api.restore_by_asset_ids([up["asset_id"], "0" * 32])
    assert answer[up["asset_id"]]["public_id"] == "byid/gone" and answer[up["asset_id"]]["bytes"] == up["bytes"]
    assert answer["0" * 32] == {"error": "no backup found"}
    assert cloudinary.api.resource("byid/gone")["asset_id"] == up["asset_id"]


def test_restore_by_asset_ids_with_a_version(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    first = cloudinary.uploader.upload(str(SAMPLE), public_id="byid/over", backup=True)
    cloudinary.uploader.upload(str(TURTLES), public_id="byid/over", backup=True)
    answer = cloudinary.api.restore_by_asset_ids([first["asset_id"]], versions=[first["version_id"]])
    assert answer[first["asset_id"]]["etag"] == first["etag"]
    assert cloudinary.api.resource("byid/over")["width"] == first["width"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"asset_ids": []}, "Missing required parameter - asset_ids"),
    ({"asset_ids": ["a" * 32], "versions": ["v1", "v2"]}, "versions must list one version id per asset id"),
    ({"asset_ids": [f"{n:032x}" for n in range(101)]}, "Too many asset_ids - 101. Maximum is 100"),
])
def test_restore_by_asset_ids_refuses_bad_input(sdk: Any, kwargs: dict[str, Any], message: str) -> None:
    import cloudinary.api
    from cloudinary.exceptions import BadRequest

    with pytest.raises(BadRequest) as raised:
        cloudinary.api.restore_by_asset_ids(**kwargs)
    assert str(raised.value) == f"Error 400 - {message}"  # the SDK's wording around the message


# -- resources_by_asset_folder ------------------------------------------------------------------------------------

def test_resources_by_asset_folder_lists_every_type_of_that_folder_only(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    cloudinary.uploader.upload(str(SAMPLE), public_id="af1", asset_folder="shelf", tags=["x"])
    cloudinary.uploader.upload(io.BytesIO(b"plain text"), public_id="af2.txt", resource_type="raw",
                               asset_folder="shelf")
    cloudinary.uploader.upload(str(SAMPLE), public_id="af3", asset_folder="shelf/deeper")
    cloudinary.uploader.upload(str(SAMPLE), public_id="shelf/af4")  # folder: also its asset folder
    listed = cloudinary.api.resources_by_asset_folder("shelf", tags=True)["resources"]
    assert sorted((r["public_id"], r["resource_type"]) for r in listed) == [
        ("af1", "image"), ("af2.txt", "raw"), ("shelf/af4", "image")]
    assert {r["asset_folder"] for r in listed} == {"shelf"} and all("tags" in r for r in listed)
    first = cloudinary.api.resources_by_asset_folder("shelf", max_results=2)
    rest = cloudinary.api.resources_by_asset_folder("shelf", max_results=2, next_cursor=first["next_cursor"])
    assert len(first["resources"]) == 2 and len(rest["resources"]) == 1 and "next_cursor" not in rest


def test_resources_by_asset_folder_needs_the_folder(server: Any) -> None:
    import requests

    answer = requests.get(f"{server.url}/v1_1/{CLOUD}/resources/by_asset_folder", auth=(KEY, SECRET), timeout=10)
    assert answer.status_code == 400
    assert answer.json() == {"error": {"message": "Missing required parameter - asset_folder"}}


# -- visual_search ------------------------------------------------------------------------------------------------

def test_visual_search_finds_near_duplicates(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    original = cloudinary.uploader.upload(str(TURTLES), public_id="vs/turtles")
    cloudinary.uploader.upload(_variant(TURTLES, 0.5), public_id="vs/small_turtles")
    cloudinary.uploader.upload(str(SAMPLE), public_id="vs/other")
    by_id = cloudinary.api.visual_search(image_asset_id=original["asset_id"])
    assert {r["public_id"] for r in by_id["resources"]} == {"vs/turtles", "vs/small_turtles"}
    assert by_id["total_count"] == 2
    by_file = cloudinary.api.visual_search(image_file=_variant(TURTLES, 0.7))
    assert {r["public_id"] for r in by_file["resources"]} == {"vs/turtles", "vs/small_turtles"}
    by_url = cloudinary.api.visual_search(image_url=original["secure_url"].replace("https://", "http://"))
    assert {r["public_id"] for r in by_url["resources"]} == {"vs/turtles", "vs/small_turtles"}


def test_visual_search_by_text_matches_tags_most_words_first(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    cloudinary.uploader.upload(str(SAMPLE), public_id="vt/one", tags=["red car"])
    cloudinary.uploader.upload(str(SAMPLE), public_id="vt/two", tags=["red", "boat"])
    cloudinary.uploader.upload(str(SAMPLE), public_id="vt/three", tags=["blue"])
    found = cloudinary.api.visual_search(text="Red boat")["resources"]
    assert [r["public_id"] for r in found] == ["vt/two", "vt/one"]


@pytest.mark.parametrize(("kwargs", "status", "message"), [
    ({}, 400, "Missing required parameter - image_url, image_asset_id, image_file or text"),
    ({"text": "cat", "image_asset_id": "a" * 32}, 400,
     "Exactly one of image_url, image_asset_id, image_file or text must be given"),
    ({"image_asset_id": "f" * 32}, 404, "Resource not found - " + "f" * 32),
    ({"image_url": "ftp://example.com/a.jpg"}, 400,
     "Invalid image_url - ftp://example.com/a.jpg. Must be an http(s) URL"),
    ({"text": "!!!"}, 400, "Invalid text - '!!!' has no words to search for"),
])
def test_visual_search_refuses_bad_queries(server: Any, kwargs: dict[str, str], status: int, message: str) -> None:
    import requests

    answer = requests.post(f"{server.url}/v1_1/{CLOUD}/resources/visual_search", data=kwargs, auth=(KEY, SECRET),
                           timeout=10)
    assert (answer.status_code, answer.json()) == (status, {"error": {"message": message}})


def test_visual_search_refuses_a_file_that_is_no_image(server: Any) -> None:
    import requests

    answer = requests.post(f"{server.url}/v1_1/{CLOUD}/resources/visual_search", auth=(KEY, SECRET),
                           files={"image_file": ("a.jpg", b"not an image")}, timeout=10)
    assert answer.status_code == 400 and "Invalid image file" in answer.json()["error"]["message"]


# -- the Node SDK, and a restart --------------------------------------------------------------------------------

def test_node_sdk_visual_search_and_restore_by_asset_ids(node: Any) -> None:
    result = node(f"""
        const up = await cloudinary.uploader.upload({str(TURTLES)!r}, {{public_id: 'node/vs', backup: true,
                                                                       asset_folder: 'nodes'}});
        await cloudinary.api.delete_resources(['node/vs']);
        const restored = await cloudinary.api.restore_by_asset_ids([up.asset_id]);
        const similar = await cloudinary.api.visual_search({{image_asset_id: up.asset_id}});
        const folder = await cloudinary.api.resources_by_asset_folder('nodes');
        return {{restored: restored[up.asset_id].public_id, similar: similar.resources.map(r => r.public_id),
                 folder: folder.resources.map(r => r.public_id)}};
    """)
    assert result == {"restored": "node/vs", "similar": ["node/vs"], "folder": ["node/vs"]}


def test_restore_by_asset_id_after_a_restart(tmp_path: Any) -> None:
    import cloudinary
    import cloudinary.api
    import cloudinary.uploader

    from emulator.app import create_app
    from emulator.config import load_config
    from emulator.server import EmulatorServer

    def serve() -> Any:
        return EmulatorServer(create_app(load_config({"data_dir": str(tmp_path)}, env={})))

    with serve() as running:
        cloudinary.config(cloud_name=CLOUD, api_key=KEY, api_secret=SECRET, upload_prefix=running.url)
        up = cloudinary.uploader.upload(str(SAMPLE), public_id="kept/byid", backup=True, asset_folder="kept")
        cloudinary.api.delete_resources(["kept/byid"])
        running.app.extensions["cloudinary_emulator"].close()
    with serve() as running:
        cloudinary.config(upload_prefix=running.url)
        assert cloudinary.api.restore_by_asset_ids([up["asset_id"]])[up["asset_id"]]["public_id"] == "kept/byid"
        assert [r["public_id"] for r in cloudinary.api.resources_by_asset_folder("kept")["resources"]] == ["kept/byid"]
        running.app.extensions["cloudinary_emulator"].close()
    cloudinary.reset_config()


def test_visual_search_as_the_java_sdk_sends_it(server: Any, sdk: Any) -> None:
    import cloudinary.uploader
    import requests

    cloudinary.uploader.upload(str(SAMPLE), public_id="java/one", tags=["java"])
    answer = requests.get(f"{server.url}/v1_1/{CLOUD}/resources/visual_search/image", params={"text": "java"},
                          auth=(KEY, SECRET), timeout=10)
    assert [r["public_id"] for r in answer.json()["resources"]] == ["java/one"]
