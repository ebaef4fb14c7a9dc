"""Imagga's own REST API v2 on the emulator: endpoints, auth, parameters, errors, agreement with the add-on."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.clock import FrozenClock, IdSource
from emulator.config import DEFAULT_IMAGGA_API_SECRET, load_config
from emulator.server import EmulatorServer
from tests.conftest import SAMPLE, TURTLES, basic, signed

IMAGGA_KEY = "acc_demo"  # the default for cloud "demo": acc_<cloud name>
TURTLE_TAGS = [("sea turtle", 100.0), ("loggerhead", 100.0), ("turtle", 89.03), ("crab", 30.89)]


def auth(key: str = IMAGGA_KEY, secret: str = DEFAULT_IMAGGA_API_SECRET) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


def post_image(client: FlaskClient, path: str, data: bytes, name: str = "turtles.jpg",
               headers: dict[str, str] | None = None) -> Any:
    return client.post(path, data={"image": (io.BytesIO(data), name)}, content_type="multipart/form-data",
                       headers=auth() if headers is None else headers)


def pairs(body: dict[str, Any], language: str = "en") -> list[tuple[str, float]]:
    return [(t["tag"][language], t["confidence"]) for t in body["result"]["tags"]]


def addon(client: FlaskClient, public_id: str, data: bytes, name: str, categorization: str) -> list[Any]:
    fields = signed({"public_id": public_id, "categorization": categorization})
    r = client.post("/v1_1/demo/image/upload", data={**fields, "file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")
    assert r.status_code == 200, r.json
    data_list: list[Any] = r.json["info"]["categorization"]["imagga_tagging"]["data"]
    return data_list


# -- endpoints ----------------------------------------------------------------------------------------------

def test_post_tags_answers_in_imaggas_shape(client: FlaskClient) -> None:
    r = post_image(client, "/v2/tags", TURTLES.read_bytes())
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json; charset=utf-8"
    assert r.json["status"] == {"text": "", "type": "success"}
    assert pairs(r.json)[:4] == TURTLE_TAGS
    assert all(set(t) == {"confidence", "tag"} for t in r.json["result"]["tags"])


def test_upload_then_tag_by_upload_id(client: FlaskClient) -> None:
    up = post_image(client, "/v2/uploads", TURTLES.read_bytes())
    assert up.status_code == 200 and up.json["status"]["type"] == "success"
    upload_id = up.json["result"]["upload_id"]
    r = client.get(f"/v2/tags?image_upload_id={upload_id}&limit=4", headers=auth())
    assert (r.status_code, pairs(r.json)) == (200, TURTLE_TAGS)


def test_uploads_expire_after_24_hours(client: FlaskClient, clock: FrozenClock) -> None:
    upload_id = post_image(client, "/v2/uploads", TURTLES.read_bytes()).json["result"]["upload_id"]
    clock.advance(24 * 3600 + 1)
    r = client.get(f"/v2/tags?image_upload_id={upload_id}", headers=auth())
    assert r.status_code == 400
    assert r.json == {"status": {"text": f"Unknown or expired image_upload_id - {upload_id}", "type": "error"}}


def test_delete_upload(client: FlaskClient) -> None:
    upload_id = post_image(client, "/v2/uploads", TURTLES.read_bytes()).json["result"]["upload_id"]
    assert client.delete(f"/v2/uploads/{upload_id}", headers=auth()).json == {
        "status": {"text": "", "type": "success"}}
    again = client.delete(f"/v2/uploads/{upload_id}", headers=auth())
    assert again.status_code == 404 and again.json["status"]["text"] == f"Upload not found - {upload_id}"


def test_image_url_of_the_emulators_own_delivery_url(app: Any, client: FlaskClient) -> None:
    """The fetch goes back into the same (threaded) server: it must not deadlock, and it must agree with the
    add-on even though the URL's file name (``t1``) says nothing: the bytes identify the stored image."""
    expected = addon(client, "t1", TURTLES.read_bytes(), "turtles.jpg", "imagga_tagging")
    with EmulatorServer(app) as server:
        url = f"{server.url}/demo/image/upload/t1.jpg"
        r = requests.get(f"{server.url}/v2/tags", params={"image_url": url}, headers=auth(), timeout=20)
        resized = requests.get(f"{server.url}/v2/tags", headers=auth(), timeout=20,
                               params={"image_url": f"{server.url}/demo/image/upload/c_scale,w_50/t1.jpg"})
    assert r.status_code == 200, r.text
    assert pairs(r.json()) == [(d["tag"], round(d["confidence"] * 100, 4)) for d in expected]
    assert resized.status_code == 200 and resized.json()["result"]["tags"]  # other bytes: other tags, but tags


def test_unreachable_image_url_is_an_imagga_error(client: FlaskClient) -> None:
    r = client.get("/v2/tags?image_url=http://127.0.0.1:9/nothing.jpg", headers=auth())
    assert r.status_code == 400 and r.json["status"]["type"] == "error"
    assert r.json["status"]["text"].startswith("Error in loading http://127.0.0.1:9/nothing.jpg")


# -- consistency with the Cloudinary add-on -----------------------------------------------------------------

@pytest.mark.parametrize("image", [TURTLES, SAMPLE], ids=["turtles", "sample"])
def test_same_tags_as_the_addon_times_100(client: FlaskClient, image: Any) -> None:
    data = image.read_bytes()
    expected = addon(client, "x", data, image.name, "imagga_tagging")
    r = post_image(client, "/v2/tags", data, name=image.name)
    assert pairs(r.json) == [(d["tag"], round(d["confidence"] * 100, 4)) for d in expected]


def test_languages_agree_with_the_addon(client: FlaskClient) -> None:
    expected = addon(client, "x", TURTLES.read_bytes(), "turtles.jpg", "imagga_tagging:fi:de")
    r = post_image(client, "/v2/tags?language=fi,de", TURTLES.read_bytes())
    assert [t["tag"] for t in r.json["result"]["tags"]] == [d["tag"] for d in expected]
    assert r.json["result"]["tags"][0]["tag"] == {"fi": "merikilpikonna", "de": "meeresschildkröte"}


def test_an_unknown_image_gets_the_same_fallback_tags_from_both(client: FlaskClient) -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (250, 200, 10)).save(out, "PNG")
    expected = addon(client, "", out.getvalue(), "", "imagga_tagging")
    r = post_image(client, "/v2/tags", out.getvalue(), name="")
    assert pairs(r.json) == [(d["tag"], round(d["confidence"] * 100, 4)) for d in expected]


# -- parameters ---------------------------------------------------------------------------------------------

def test_language_repeated_or_comma_separated(client: FlaskClient) -> None:
    upload_id = post_image(client, "/v2/uploads", TURTLES.read_bytes()).json["result"]["upload_id"]
    comma = client.get(f"/v2/tags?image_upload_id={upload_id}&language=en,fi", headers=auth()).json
    repeated = client.get(f"/v2/tags?image_upload_id={upload_id}&language=en&language=fi", headers=auth()).json
    assert comma == repeated
    assert comma["result"]["tags"][2]["tag"] == {"en": "turtle", "fi": "kilpikonna"}


def test_threshold_on_the_0_to_100_scale_and_limit(client: FlaskClient) -> None:
    r = post_image(client, "/v2/tags?threshold=30.89", TURTLES.read_bytes())
    assert pairs(r.json) == TURTLE_TAGS  # threshold keeps confidences >= the value
    r = post_image(client, "/v2/tags?threshold=50&limit=2", TURTLES.read_bytes())
    assert pairs(r.json) == TURTLE_TAGS[:2]
    assert len(post_image(client, "/v2/tags?limit=-1", TURTLES.read_bytes()).json["result"]["tags"]) == 12


@pytest.mark.parametrize(("query", "message"), [
    ("language=xx", "Unsupported language - xx. Supported: "),
    ("limit=0", "Invalid limit - 0. Use a positive whole number, or -1 for all tags"),
    ("limit=many", "Invalid limit - many. Use a positive whole number, or -1 for all tags"),
    ("threshold=101", "Invalid threshold - 101. Use a number from 0 to 100"),
    ("threshold=0.5x", "Invalid threshold - 0.5x. Use a number from 0 to 100"),
])
def test_bad_parameters_are_400(client: FlaskClient, query: str, message: str) -> None:
    r = post_image(client, f"/v2/tags?{query}", TURTLES.read_bytes())
    assert r.status_code == 400 and r.json["status"]["type"] == "error"
    assert r.json["status"]["text"].startswith(message)


@pytest.mark.parametrize(("query", "message"), [
    ("", "Missing image: give image_url or image_upload_id (or POST an image)"),
    ("image_url=http://a/b.jpg&image_upload_id=i1", "Give either image_url or image_upload_id, not both"),
    ("image_url=ftp://a/b.jpg", "Invalid image_url - ftp://a/b.jpg. Must be an http(s) URL"),
])
def test_bad_image_sources_are_400(client: FlaskClient, query: str, message: str) -> None:
    r = client.get(f"/v2/tags?{query}", headers=auth())
    assert (r.status_code, r.json) == (400, {"status": {"text": message, "type": "error"}})


def test_not_an_image_is_400(client: FlaskClient) -> None:
    r = post_image(client, "/v2/tags", b"hello", name="a.txt")
    assert (r.status_code, r.json["status"]) == (400, {"text": "Invalid image file", "type": "error"})


# -- auth and errors ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("headers", "message"), [
    ({}, "Missing credentials: use HTTP Basic with your Imagga api_key and api_secret"),
    (auth(secret="wrong"), "Invalid credentials: unknown api_key or wrong api_secret"),
    (auth(key="acc_other"), "Invalid credentials: unknown api_key or wrong api_secret"),
    (basic(), "Invalid credentials: unknown api_key or wrong api_secret"),  # Cloudinary's key is not Imagga's
    ({"Authorization": "Basic !!!"}, "Invalid Authorization header - expected Basic base64(api_key:api_secret)"),
    # URL-safe base64 (the Ruby SDK's) is held to the same alphabet: nothing is silently dropped
    ({"Authorization": "Basic az!4-OnM_Pw=="},
     "Invalid Authorization header - expected Basic base64(api_key:api_secret)"),
])
def test_auth_failures_are_401_in_imaggas_envelope(client: FlaskClient, headers: dict[str, str],
                                                   message: str) -> None:
    r = client.get("/v2/tags?image_url=http://127.0.0.1:9/x.jpg", headers=headers)
    assert r.status_code == 401
    assert r.json == {"status": {"text": message, "type": "error"}}


def test_unknown_endpoint_and_method_answer_in_imaggas_envelope(client: FlaskClient) -> None:
    for r in (client.get("/v2/colors", headers=auth()), client.put("/v2/tags", headers=auth()),
              client.get("/v2"), client.get("/v2/")):
        assert r.status_code == 404 and r.is_json and r.json["status"]["type"] == "error"
        assert "error" not in r.json
    assert client.put("/v2/tags").json["status"]["text"].startswith("Unknown endpoint - PUT /v2/tags")


@pytest.fixture
def two_clouds() -> Iterator[FlaskClient]:
    config = load_config({"clouds": {"a": {"imagga_api_key": "acc_a1", "imagga_api_secret": "s-a"}, "b": {}}},
                         env={})
    app = create_app(config, clock=FrozenClock(1_700_000_000), ids=IdSource(seed=1))
    yield app.test_client()
    app.extensions["cloudinary_emulator"].storage.close()


def test_per_cloud_credentials_from_config(two_clouds: FlaskClient) -> None:
    ok_a = post_image(two_clouds, "/v2/tags", TURTLES.read_bytes(), headers=auth("acc_a1", "s-a"))
    ok_b = post_image(two_clouds, "/v2/tags", TURTLES.read_bytes(), headers=auth("acc_b"))
    wrong = post_image(two_clouds, "/v2/tags", TURTLES.read_bytes(), headers=auth("acc_a1"))
    assert (ok_a.status_code, ok_b.status_code, wrong.status_code) == (200, 200, 401)


def test_uploads_belong_to_their_cloud(two_clouds: FlaskClient) -> None:
    up = post_image(two_clouds, "/v2/uploads", TURTLES.read_bytes(), headers=auth("acc_a1", "s-a"))
    upload_id = up.json["result"]["upload_id"]
    r = two_clouds.get(f"/v2/tags?image_upload_id={upload_id}", headers=auth("acc_b"))
    assert r.status_code == 400 and r.json["status"]["text"].startswith("Unknown or expired image_upload_id")
