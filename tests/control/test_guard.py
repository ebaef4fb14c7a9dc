"""Only the owner drives the emulator: Host checked, control plane and console closed to cross-site requests."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.config import load_config
from emulator.server import EmulatorServer
from tests.conftest import CONTROL, TURTLES, basic, signed

EVIL = "http://evil.example"
DETAILS = "/v1_1/demo/resources/image/upload/sample"


def _app(**values: Any) -> Iterator[Flask]:
    app = create_app(load_config(values, env={}))
    yield app
    app.extensions["cloudinary_emulator"].close()


@pytest.fixture
def token_app() -> Iterator[Flask]:
    yield from _app(control_token="s3cret-token")


@pytest.fixture
def exposed_app() -> Iterator[Flask]:
    yield from _app(host="0.0.0.0", control_token="s3cret-token")


# -- cross-site requests to the control plane ---------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"])
def test_a_form_post_cannot_reset_the_library(client: FlaskClient, content_type: str) -> None:
    r = client.post("/_emulator/reset", data="x=1", content_type=content_type)
    assert r.status_code == 403
    assert r.json == {"error": {"message": "The control plane accepts changes only with a JSON body or an "
                                           "X-Emulator-Request header (a cross-site form can send neither)"}}
    assert client.get(DETAILS, headers=basic()).status_code == 200


def test_a_json_request_from_another_origin_is_refused(client: FlaskClient) -> None:
    r = client.post("/_emulator/faults", json={"status": 500}, headers={"Origin": EVIL})
    assert (r.status_code, r.json) == (403, {"error": {"message": "Cross-origin request refused - "
                                                                  "http://evil.example may not change the emulator"}})
    assert client.get("/_emulator/faults").json == {"faults": []}


def test_a_request_the_browser_marks_cross_site_is_refused(client: FlaskClient) -> None:
    r = client.post("/_emulator/reset", headers={**CONTROL, "Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403 and r.json["error"]["message"].startswith("Cross-origin request refused")


def test_the_custom_header_or_a_json_body_is_enough_from_the_same_origin(client: FlaskClient) -> None:
    assert client.post("/_emulator/reset", headers={**CONTROL, "Origin": "http://localhost"}).status_code == 200
    assert client.post("/_emulator/clock", json={"freeze": True}).status_code == 200


def test_reads_stay_open_and_health_needs_nothing(client: FlaskClient) -> None:
    assert client.get("/_emulator/requests").status_code == 200
    assert client.get("/_emulator/health").status_code == 200


# -- the token ----------------------------------------------------------------------------------------------

def test_a_configured_token_is_required_for_every_control_call(token_app: Flask) -> None:
    client = token_app.test_client()
    r = client.get("/_emulator/requests")
    assert (r.status_code, r.json) == (401, {"error": {"message": "The control plane needs its token: send "
                                                                  "Authorization: Bearer <token> or "
                                                                  "X-Emulator-Token: <token>"}})
    assert client.get("/_emulator/requests", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/_emulator/requests", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    assert client.post("/_emulator/reset", headers={"X-Emulator-Token": "s3cret-token"}).status_code == 200
    assert client.get("/_emulator/health").status_code == 200


def test_beyond_loopback_the_control_plane_needs_a_token(exposed_app: Flask) -> None:
    client = exposed_app.test_client()
    assert client.post("/_emulator/reset", headers=CONTROL).status_code == 401
    assert client.post("/_emulator/reset", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200


def test_beyond_loopback_without_a_token_the_control_plane_is_closed() -> None:
    for app in _app(host="0.0.0.0"):
        r = app.test_client().get("/_emulator/requests", headers={"Authorization": "Bearer "})
        assert r.status_code == 403
        assert r.json["error"]["message"] == ("The control plane is disabled: the emulator listens on 0.0.0.0 and no "
                                              "control_token is configured (EMULATOR_CONTROL_TOKEN, "
                                              "serve --control-token)")


# -- the Host header ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [DETAILS, "/demo/image/upload/sample.jpg", "/_emulator/health", "/console/demo"])
def test_a_foreign_host_name_is_refused_everywhere(client: FlaskClient, path: str) -> None:
    r = client.get(path, headers={**basic(), "Host": "rebound.evil.example:9400"})
    assert r.status_code == 403
    text = html.unescape(r.get_data(as_text=True))  # the console answers with a page, the APIs with JSON
    assert "Host 'rebound.evil.example' is not served here (DNS rebinding protection)" in text


@pytest.mark.parametrize("host", ["localhost:9400", "127.0.0.1:9400", "[::1]:9400", "app.localhost", "10.1.2.3",
                                  "cloudinary:9400", "emulator"])
def test_addresses_and_localhost_are_served(client: FlaskClient, host: str) -> None:
    assert client.get(DETAILS, headers={**basic(), "Host": host}).status_code == 200


def test_configured_names_are_served() -> None:
    for app in _app(allowed_hosts=["emulator.test"]):
        client = app.test_client()
        assert client.get(DETAILS, headers={**basic(), "Host": "emulator.test:9400"}).status_code == 200
        assert client.get(DETAILS, headers={**basic(), "Host": "other.test"}).status_code == 403
        assert client.get(DETAILS, headers={**basic(), "Host": "cloudinary.:9400"}).status_code == 403
    for app in _app(allowed_hosts=["*"]):
        assert app.test_client().get(DETAILS, headers={**basic(), "Host": "other.test"}).status_code == 200


# -- the console --------------------------------------------------------------------------------------------

def _token(client: FlaskClient) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{32})"', client.get("/console/demo").get_data(as_text=True))
    assert found is not None
    return found.group(1)


def test_a_console_upload_without_the_form_token_stores_nothing(client: FlaskClient) -> None:
    r = client.post("/console/demo/upload", data={"file": (io.BytesIO(TURTLES.read_bytes()), "t.jpg"),
                                                  "public_id": "planted"}, content_type="multipart/form-data")
    assert r.status_code == 403
    assert "Missing or expired form token: reload the page and submit the form again" in r.get_data(as_text=True)
    assert client.get("/v1_1/demo/resources/image/upload/planted", headers=basic()).status_code == 404


def test_a_console_upload_with_another_browsers_token_is_refused(client: FlaskClient, app: Flask) -> None:
    other = app.test_client()
    r = client.post("/console/demo/upload", data={"file": (io.BytesIO(TURTLES.read_bytes()), "t.jpg"),
                                                  "csrf_token": _token(other)}, content_type="multipart/form-data")
    assert r.status_code == 403


def test_the_form_token_cookie_is_strict_and_http_only(client: FlaskClient) -> None:
    cookie = client.get("/console/demo").headers["Set-Cookie"]
    assert "emulator_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


# -- over a real socket -------------------------------------------------------------------------------------

def test_over_a_socket_a_cross_site_form_cannot_reset_or_upload(server: EmulatorServer, sdk: Any) -> None:
    reset = requests.post(f"{server.url}/_emulator/reset", data={"x": "1"}, headers={"Origin": EVIL}, timeout=10)
    assert reset.status_code == 403
    planted = requests.post(f"{server.url}/console/demo/upload", files={"file": ("t.jpg", TURTLES.read_bytes())},
                            data={"public_id": "planted"}, headers={"Origin": EVIL}, timeout=10)
    assert planted.status_code == 403
    rebound = requests.get(f"{server.url}/_emulator/state", headers={"Host": f"evil.example:{server.port}"},
                           timeout=10)
    assert rebound.status_code == 403
    assert requests.get(f"{server.url}{DETAILS}", headers=basic(), timeout=10).status_code == 200


def test_over_a_socket_a_cross_origin_browser_upload_to_the_upload_api_still_works(server: EmulatorServer) -> None:
    r = requests.post(f"{server.url}/v1_1/demo/image/upload", data=signed({"public_id": "from_browser"}),
                      files={"file": ("t.jpg", TURTLES.read_bytes())},
                      headers={"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"}, timeout=10)
    assert r.status_code == 200 and r.json()["public_id"] == "from_browser"
