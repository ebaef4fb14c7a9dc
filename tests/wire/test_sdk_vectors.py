"""Replays, byte for byte over a socket, the requests PHP, Ruby and Java build (tests/vectors/{php,ruby,java}.json,
derived from their sources; ruby_gem.json, captured from the Ruby gem itself: see docs/sdk-wire.md). Each file is
one session on a fresh emulator whose clock stands at the vectors' timestamp; later calls see what earlier ones did."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.app import create_app
from emulator.clock import FrozenClock, IdSource
from emulator.config import load_config
from emulator.server import EmulatorServer

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
SDKS = ("php", "ruby", "java", "ruby_gem")


def _load(sdk: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((VECTORS / f"{sdk}.json").read_text(encoding="utf-8"))
    return doc


@pytest.fixture(params=SDKS)
def session(request: pytest.FixtureRequest) -> Iterator[tuple[dict[str, Any], EmulatorServer]]:
    doc = _load(request.param)
    config = load_config({"clouds": {doc["cloud"]: {"api_key": doc["api_key"], "api_secret": doc["api_secret"]}}},
                         env={})
    app = create_app(config, clock=FrozenClock(doc["timestamp"] + 5), ids=IdSource(seed=7))
    with EmulatorServer(app) as server:
        yield doc, server
    app.extensions["cloudinary_emulator"].close()


def _send(server: EmulatorServer, call: dict[str, Any], seen: dict[str, str]) -> tuple[int, Any]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        body = call["body"].replace("{{delete_token}}", seen.get("delete_token", "")).encode("utf-8")
        # skip_accept_encoding/skip_host keep the SDK's own header set; Content-Length is what every client sends.
        conn.putrequest(call["method"], call["path"], skip_accept_encoding=True)
        for name, value in call["headers"].items():
            conn.putheader(name, value)
        if body or call["method"] != "GET":
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _contains(actual[k], v) for k, v in expected.items())
    return bool(actual == expected)


def test_every_call_of_the_sdk_succeeds_as_its_source_sends_it(
        session: tuple[dict[str, Any], EmulatorServer]) -> None:
    doc, server = session
    seen: dict[str, str] = {}  # values later calls quote ({{delete_token}}: the last one answered)
    for call in doc["calls"]:
        status, body = _send(server, call, seen)
        assert status == call["expect"]["status"], f"{doc['sdk']} {call['label']}: {status} {body}"
        assert _contains(body, call["expect"]["json"]), f"{doc['sdk']} {call['label']}: {body}"
        for key in call["expect"].get("present", ()):
            assert body.get(key), f"{doc['sdk']} {call['label']}: no {key} in {body}"
        if isinstance(body, dict) and "delete_token" in body:
            seen["delete_token"] = body["delete_token"]


def test_php_sends_upload_api_bodies_without_a_content_type() -> None:
    """The case that silently did nothing before: Guzzle's raw ``body`` carries no Content-Type header."""
    calls = [c for c in _load("php")["calls"] if c["path"].startswith("/v1_1/demo/image/")]
    assert calls and all("Content-Type" not in c["headers"] for c in calls)
