"""``return_delete_token`` and ``POST /v1_1/<cloud>/delete_by_token``: the client-side deletion the jQuery plugin,
cloudinary_js and the Java SDK (``Uploader.deleteByToken``) use. Uploads through the official Python SDK."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from flask.testing import FlaskClient

from emulator.clock import FrozenClock
from emulator.server import EmulatorServer
from tests.conftest import SAMPLE, basic
from tests.helpers import ADMIN


def _post(url: str, body: bytes, content_type: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": content_type, "X-Requested-With": "XMLHttpRequest"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as failed:
        return failed.code, json.loads(failed.read())


def _form(server: EmulatorServer, token: str, path: str = "/delete_by_token") -> tuple[int, dict[str, Any]]:
    """What ``$.cloudinary.delete_by_token`` posts: a urlencoded ``token``, no signature."""
    return _post(f"{server.url}{ADMIN}{path}", urllib.parse.urlencode({"token": token}).encode(),
                 "application/x-www-form-urlencoded")


def _uploaded(sdk: Any, public_id: str) -> dict[str, Any]:
    import cloudinary.uploader  # noqa: F401  (sdk.uploader)

    result: dict[str, Any] = sdk.uploader.upload(str(SAMPLE), public_id=public_id, return_delete_token=True)
    return result


def test_an_upload_that_asks_answers_a_delete_token_that_deletes_it(
        sdk: Any, server: EmulatorServer, client: FlaskClient) -> None:
    import cloudinary.uploader

    result = _uploaded(cloudinary, "by_token")
    assert isinstance(result["delete_token"], str) and result["delete_token"]
    assert _form(server, result["delete_token"]) == (200, {"result": "ok"})
    assert client.get(f"{ADMIN}/resources/image/upload/by_token", headers=basic()).status_code == 404
    assert "delete_token" not in cloudinary.uploader.upload(str(SAMPLE), public_id="no_token")


def test_the_java_sdk_route_under_the_resource_type_and_a_json_body_work_too(
        sdk: Any, server: EmulatorServer) -> None:
    first, second = _uploaded(sdk, "java_token"), _uploaded(sdk, "json_token")
    assert _form(server, first["delete_token"], "/image/delete_by_token") == (200, {"result": "ok"})
    body = json.dumps({"token": second["delete_token"]}).encode()
    assert _post(f"{server.url}{ADMIN}/delete_by_token", body, "application/json") == (200, {"result": "ok"})


def test_a_used_token_finds_nothing_the_second_time(sdk: Any, server: EmulatorServer) -> None:
    token = _uploaded(sdk, "twice")["delete_token"]
    assert _form(server, token) == (200, {"result": "ok"})
    assert _form(server, token) == (200, {"result": "not found"})


def test_a_token_never_deletes_a_later_upload_under_the_same_public_id(
        sdk: Any, server: EmulatorServer, client: FlaskClient) -> None:
    import cloudinary.api  # noqa: F401  (sdk.api)

    old = _uploaded(sdk, "reused")["delete_token"]
    sdk.api.delete_resources(["reused"])
    sdk.uploader.upload(str(SAMPLE), public_id="reused")
    assert _form(server, old) == (200, {"result": "not found"})
    assert client.get(f"{ADMIN}/resources/image/upload/reused", headers=basic()).status_code == 200


def test_a_token_expires_after_ten_minutes(sdk: Any, server: EmulatorServer, clock: FrozenClock,
                                           client: FlaskClient) -> None:
    token = _uploaded(sdk, "stale")["delete_token"]
    clock.advance(601)
    status, body = _form(server, token)
    assert status == 400 and body["error"]["message"].startswith("Stale delete token")
    assert client.get(f"{ADMIN}/resources/image/upload/stale", headers=basic()).status_code == 200


def test_a_forged_or_missing_token_is_a_400(sdk: Any, server: EmulatorServer) -> None:
    token = _uploaded(sdk, "forged")["delete_token"]
    body, _, mac = token.partition(".")
    assert _form(server, f"{body}.{'0' * len(mac)}") == (400, {"error": {"message": "Invalid token"}})
    assert _form(server, "not-a-token") == (400, {"error": {"message": "Invalid token"}})
    assert _form(server, "é.ü") == (400, {"error": {"message": "Invalid token"}})  # found by the fuzzer: no 500
    assert _post(f"{server.url}{ADMIN}/delete_by_token", b"", "application/x-www-form-urlencoded") == (
        400, {"error": {"message": "Missing required parameter - token"}})


def test_a_page_of_another_origin_may_call_it(client: FlaskClient) -> None:
    """The preflight of ``$.cloudinary.delete_by_token`` (it sends ``X-Requested-With``)."""
    answer = client.options(f"{ADMIN}/delete_by_token", headers={
        "Origin": "http://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-requested-with"})
    assert answer.status_code in (200, 204)
    assert answer.headers["Access-Control-Allow-Origin"] == "http://app.example"
    assert "x-requested-with" in answer.headers["Access-Control-Allow-Headers"].lower()
