"""Caching headers, 304, the derived-image cache and its invalidation, 404 for unknown ids and versions."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from emulator.backend.models import ResourceKey
from tests.conftest import SAMPLE, TURTLES, signed

UPLOAD = "/v1_1/demo/image/upload"


def _upload(client: FlaskClient, public_id: str, data: bytes) -> dict[str, Any]:
    body: dict[str, Any] = {**signed({"public_id": public_id}), "file": (io.BytesIO(data), "x.jpg")}
    r = client.post(UPLOAD, data=body, content_type="multipart/form-data")
    assert r.status_code == 200, r.json
    result: dict[str, Any] = r.json
    return result


def _size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


def test_etag_and_304(client: FlaskClient) -> None:
    _upload(client, "t", TURTLES.read_bytes())
    first = client.get("/demo/image/upload/c_scale,w_100/t.jpg")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and first.headers["Last-Modified"]
    again = client.get("/demo/image/upload/c_scale,w_100/t.jpg", headers={"If-None-Match": etag})
    assert (again.status_code, again.data, again.headers["ETag"]) == (304, b"", etag)
    star = client.get("/demo/image/upload/c_scale,w_100/t.jpg", headers={"If-None-Match": "*"})
    other = client.get("/demo/image/upload/c_scale,w_100/t.jpg", headers={"If-None-Match": '"nope"'})
    assert (star.status_code, other.status_code) == (304, 200)


def test_etag_differs_per_transformation_and_format(client: FlaskClient) -> None:
    _upload(client, "t", TURTLES.read_bytes())
    tags = {client.get(f"/demo/image/upload/{path}").headers["ETag"]
            for path in ("t.jpg", "t.png", "c_scale,w_100/t.jpg", "c_scale,w_101/t.jpg")}
    assert len(tags) == 4


def test_token_order_does_not_matter(client: FlaskClient) -> None:
    _upload(client, "t", TURTLES.read_bytes())
    a = client.get("/demo/image/upload/c_fill,h_50,w_60/t.jpg")
    b = client.get("/demo/image/upload/w_60,c_fill,h_50/t.jpg")
    assert a.headers["ETag"] == b.headers["ETag"] and a.data == b.data


def test_cache_control_depends_on_the_version_in_the_url(client: FlaskClient) -> None:
    up = _upload(client, "t", TURTLES.read_bytes())
    versioned = client.get(f"/demo/image/upload/v{up['version']}/t.jpg")
    plain = client.get("/demo/image/upload/t.jpg")
    assert versioned.headers["Cache-Control"] == "public, max-age=2592000, immutable"
    assert plain.headers["Cache-Control"] == "public, no-cache"


def test_derived_images_are_cached_and_dropped_when_the_original_changes(app: Flask, client: FlaskClient) -> None:
    storage = app.extensions["cloudinary_emulator"].storage
    key = ResourceKey("demo", "t")
    _upload(client, "t", TURTLES.read_bytes())
    assert _size(client.get("/demo/image/upload/c_scale,w_100/t.jpg").data) == (100, 75)
    client.get("/demo/image/upload/c_scale,w_50/t.png")
    assert storage.derived.count(key) == 2
    _upload(client, "t", SAMPLE.read_bytes())  # overwrite: 864×576
    assert storage.derived.count(key) == 0
    assert _size(client.get("/demo/image/upload/c_scale,w_100/t.jpg").data) == (100, 67)
    assert storage.derived.count(key) == 1


def test_cached_rendering_is_served_again(app: Flask, client: FlaskClient) -> None:
    storage = app.extensions["cloudinary_emulator"].storage
    up = _upload(client, "t", TURTLES.read_bytes())
    first = client.get("/demo/image/upload/e_grayscale/t.png").data
    sha = storage.get(ResourceKey("demo", "t")).sha256
    assert storage.derived.get(ResourceKey("demo", "t"), sha, "e_grayscale.png") == first
    assert client.get(f"/demo/image/upload/e_grayscale/v{up['version']}/t.png").data == first


def test_the_original_is_served_byte_for_byte(client: FlaskClient) -> None:
    _upload(client, "t", TURTLES.read_bytes())
    r = client.get("/demo/image/upload/t.jpg?_a=BAMAROfk0")
    assert (r.status_code, r.mimetype, r.data) == (200, "image/jpeg", TURTLES.read_bytes())
    assert client.get("/demo/image/upload/t").data == TURTLES.read_bytes()  # no extension: as stored
    assert client.get("/demo/image/upload/t.jpeg").data == TURTLES.read_bytes()


def test_unknown_public_id_is_404(client: FlaskClient) -> None:
    r = client.get("/demo/image/upload/c_scale,w_10/nope.jpg")
    assert r.status_code == 404
    assert r.json == {"error": {"message": "Resource not found - nope"}}
    assert r.headers["X-Cld-Error"] == "Resource not found - nope"


def test_unknown_or_old_version_is_404(client: FlaskClient) -> None:
    old = _upload(client, "t", TURTLES.read_bytes())
    new = _upload(client, "t", SAMPLE.read_bytes())
    assert new["version"] > old["version"]
    r = client.get(f"/demo/image/upload/v{old['version']}/t.jpg")
    assert r.status_code == 404
    assert r.headers["X-Cld-Error"] == (f"Resource not found - t version {old['version']} "
                                        f"(the current version is {new['version']})")
    assert client.get(f"/demo/image/upload/v{new['version']}/t.jpg").status_code == 200
    assert client.get("/demo/image/upload/v1/t.jpg").status_code == 200  # the SDKs' placeholder


def test_unknown_cloud_is_404(client: FlaskClient) -> None:
    r = client.get("/nocloud/image/upload/sample.jpg")
    assert (r.status_code, r.json["error"]["message"]) == (404, "Cloud not found - nocloud")
    assert r.headers["X-Cld-Error"] == "Cloud not found - nocloud"


def test_unicode_public_id_round_trips_and_the_error_header_stays_latin1(client: FlaskClient) -> None:
    _upload(client, "tortue é", TURTLES.read_bytes())
    assert client.get("/demo/image/upload/tortue%20%C3%A9.jpg").status_code == 200
    r = client.get("/demo/image/upload/tortue%20%C3%A8.jpg")
    assert r.status_code == 404 and r.json["error"]["message"] == "Resource not found - tortue è"
    assert r.headers["X-Cld-Error"] == "Resource not found - tortue %C3%A8"


def test_head_answers_headers_only(client: FlaskClient) -> None:
    r = client.head("/demo/image/upload/sample.jpg")
    assert r.status_code == 200 and r.data == b"" and r.headers["ETag"]


def test_destroy_and_rename_drop_derived_images(app: Flask, client: FlaskClient) -> None:
    storage = app.extensions["cloudinary_emulator"].storage
    for public_id in ("gone", "moved"):
        _upload(client, public_id, TURTLES.read_bytes())
        assert client.get(f"/demo/image/upload/c_scale,w_30/{public_id}.png").status_code == 200
        assert storage.derived.count(ResourceKey("demo", public_id)) == 1
    destroyed = client.post("/v1_1/demo/image/destroy", data=signed({"public_id": "gone"}))
    renamed = client.post("/v1_1/demo/image/rename",
                          data=signed({"from_public_id": "moved", "to_public_id": "there"}))
    assert (destroyed.status_code, renamed.status_code) == (200, 200), (destroyed.json, renamed.json)
    assert storage.derived.count(ResourceKey("demo", "gone")) == 0
    assert storage.derived.count(ResourceKey("demo", "moved")) == 0
    assert client.get("/demo/image/upload/c_scale,w_30/gone.png").status_code == 404
    assert client.get("/demo/image/upload/c_scale,w_30/moved.png").status_code == 404
    assert _size(client.get("/demo/image/upload/c_scale,w_30/there.png").data) == (30, 22)
