"""CORS: the Upload API and delivery URLs answer pages of allowed origins; the Admin API never does."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.clock import FrozenClock, IdSource
from emulator.config import load_config
from tests.conftest import CLOUD, TURTLES, basic

PAGE = "http://127.0.0.1:8123"
PRESET = {"presets": {"browser": {"unsigned": True}}}


def _unsigned_upload(client: FlaskClient, origin: str = PAGE) -> object:
    form = {"upload_preset": "browser", "file": (io.BytesIO(TURTLES.read_bytes()), "t.jpg")}
    return client.post(f"/v1_1/{CLOUD}/image/upload", data=form, content_type="multipart/form-data",
                       headers={"Origin": origin})


@pytest.fixture
def client() -> FlaskClient:
    app = create_app(load_config({"clouds": {CLOUD: PRESET}}, env={}), clock=FrozenClock(1.7e9), ids=IdSource(1))
    return app.test_client()


def test_the_preflight_of_a_chunked_upload_is_allowed(client: FlaskClient) -> None:
    asked = "content-range, x-unique-upload-id, x-requested-with, content-disposition"
    r = client.options(f"/v1_1/{CLOUD}/auto/upload", headers={
        "Origin": PAGE, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": asked})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == PAGE and r.headers["Access-Control-Max-Age"] == "1728000"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-range", "x-unique-upload-id", "x-requested-with", "content-disposition"} <= allowed


def test_an_upload_answer_carries_allow_origin_and_exposed_headers(client: FlaskClient) -> None:
    r = _unsigned_upload(client)
    assert r.status_code == 200  # type: ignore[attr-defined]
    assert r.headers["Access-Control-Allow-Origin"] == PAGE  # type: ignore[attr-defined]
    assert "Origin" in r.headers["Vary"]  # type: ignore[attr-defined]
    assert "X-Request-Id" in r.headers["Access-Control-Expose-Headers"]  # type: ignore[attr-defined]


def test_an_error_answer_carries_them_too_so_the_page_can_read_it(client: FlaskClient) -> None:
    r = client.post(f"/v1_1/{CLOUD}/image/upload", data={"upload_preset": "nope"}, headers={"Origin": PAGE})
    assert r.status_code == 400 and r.headers["Access-Control-Allow-Origin"] == PAGE


def test_delivery_answers_carry_allow_origin(client: FlaskClient) -> None:
    r = client.get(f"/{CLOUD}/image/upload/sample.jpg", headers={"Origin": PAGE})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == PAGE
    assert "ETag" in r.headers["Access-Control-Expose-Headers"]


def test_the_admin_api_answers_no_cors(client: FlaskClient) -> None:
    r = client.get(f"/v1_1/{CLOUD}/resources/image", headers={**basic(), "Origin": PAGE})
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers
    pre = client.options(f"/v1_1/{CLOUD}/resources/image", headers={
        "Origin": PAGE, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"})
    assert "Access-Control-Allow-Origin" not in pre.headers


def test_requests_without_an_origin_are_untouched(client: FlaskClient) -> None:
    r = client.get(f"/{CLOUD}/image/upload/sample.jpg")
    assert "Access-Control-Allow-Origin" not in r.headers


@pytest.fixture
def strict() -> Flask:
    config = load_config({"clouds": {CLOUD: {**PRESET, "cors_origins": ["https://app.example.com"]}}}, env={})
    return create_app(config, clock=FrozenClock(1.7e9), ids=IdSource(1))


def test_configured_origins_are_echoed(strict: Flask) -> None:
    r = _unsigned_upload(strict.test_client(), "https://app.example.com")
    assert r.headers["Access-Control-Allow-Origin"] == "https://app.example.com"  # type: ignore[attr-defined]
    assert "Origin" in r.headers["Vary"]  # type: ignore[attr-defined]


def test_another_origin_is_refused_before_anything_is_stored(strict: Flask) -> None:
    client = strict.test_client()
    r = _unsigned_upload(client, "https://evil.example.com")
    assert r.status_code == 403  # type: ignore[attr-defined]
    assert r.json["error"]["message"] == ("Origin https://evil.example.com is not allowed "  # type: ignore[attr-defined]
                                          "(cors_origins of the cloud)")
    listed = client.get(f"/v1_1/{CLOUD}/resources/image", headers=basic()).json
    assert [x["public_id"] for x in listed["resources"]] == ["sample"]
