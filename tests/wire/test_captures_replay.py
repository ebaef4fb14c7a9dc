"""Replays the requests the official clients really sent (tests/vectors) against the app.

The recorded timestamps are honoured by freezing the clock at each request's recorded time; the file part is
our own turtles.jpg (the captured file is not stored, and the signature does not cover it).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.clock import FrozenClock, IdSource
from emulator.config import load_config
from tests.conftest import TURTLES

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
CREDS = {"api_key": "123456789012345", "api_secret": "s3cr3t-API-secret",
         "presets": {"my_preset": {"unsigned": True}}}
CLOUDS = {"demo-cloud": CREDS, "env-cloud": CREDS, "other-cloud": {"api_key": "k2", "api_secret": "sec2"}}
# Operations that exist in this emulator build; the others are covered where they are implemented.
ROUTES = re.compile(r"^/v1_1/[^/]+/((image|auto)/upload|resources/image/upload/.+|ping)$")
EXPECTED = {  # label → (status, message start) where a replay must not succeed
    # Not uploaded in a fresh emulator; the message proves both path encodings decode to the same id.
    "api.resource(folder/id)": (404, "Resource not found - animals/my turtle"),
    "upload remote url": (400, "Error in loading https://127.0.0.1/turtles.jpg"),
    "ERROR 400 on upload": (400, "Categorization item bogus is not valid"),
    "ERROR 401 on upload": (400, "Categorization item bogus is not valid"),
    "ERROR 404 on upload": (400, "Categorization item bogus is not valid"),
    "ERROR 500 on upload": (400, "Categorization item bogus is not valid"),
}


def _requests() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for name in ("python", "node", "cli"):
        for call in json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))["calls"]:
            for req in call.get("requests", []):
                if ROUTES.match(req["path"]):
                    out.append((f"{name}: {call['label']}", req))
    return out


REQUESTS = _requests()


def _client(at: float) -> FlaskClient:
    config = load_config({"clouds": CLOUDS, "fetch_timeout": 2}, env={})
    return create_app(config, clock=FrozenClock(at), ids=IdSource(7)).test_client()


def _replay(client: FlaskClient, req: dict[str, Any]) -> Any:
    headers = {k: v for k, v in req["headers"] if k.lower() in ("authorization", "user-agent")}
    body = req["body"]
    kwargs: dict[str, Any] = {"headers": headers, "query_string": req["query_string"]}
    if body["kind"] == "multipart":
        data: dict[str, Any] = {}
        for name, value in body["fields"]:
            data.setdefault(name, []).append(value)
        for part in body["files"]:
            data[part["name"]] = (io.BytesIO(TURTLES.read_bytes()), part["filename"])
        kwargs.update(data=data, content_type="multipart/form-data")
    elif body["kind"] == "json":
        kwargs["json"] = body["json"]
    elif body["kind"] == "urlencoded":
        kwargs.update(data=body["raw"], content_type="application/x-www-form-urlencoded")
    return client.open(req["path"], method=req["method"], **kwargs)


def test_the_replayed_set_covers_all_three_clients() -> None:
    sdks = {label.split(":")[0] for label, _ in REQUESTS}
    assert sdks == {"python", "node", "cli"} and len(REQUESTS) >= 60


@pytest.mark.parametrize(("label", "req"), REQUESTS, ids=[label for label, _ in REQUESTS])
def test_captured_request_is_answered_like_the_real_service(label: str, req: dict[str, Any]) -> None:
    response = _replay(_client(req["time"]), req)
    call = label.split(": ", 1)[1]
    if call in EXPECTED:
        status, message = EXPECTED[call]
        assert response.status_code == status, response.json
        assert response.json["error"]["message"].startswith(message)
    elif call.startswith("ERROR"):  # api.resource('nope')
        assert (response.status_code, response.json) == (404, {"error": {"message": "Resource not found - nope"}})
    else:
        assert response.status_code == 200, (label, response.json)
        assert "error" not in response.json
