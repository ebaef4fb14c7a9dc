"""Asynchronous categorization and signed webhooks, verified with the official SDK's own function."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.clock import FrozenClock
from emulator.config import load_config
from tests.conftest import CONTROL, SECRET, basic
from tests.helpers import free_port, upload


class Receiver:
    """A webhook receiver on loopback that records what it gets."""

    def __init__(self, port: int = 0) -> None:
        self.received: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append({"body": body, "headers": dict(self.headers)})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def _verified(note: dict[str, Any]) -> bool:
    import cloudinary
    import cloudinary.utils

    cloudinary.config(api_secret=SECRET)
    headers = note["headers"]
    return bool(cloudinary.utils.verify_notification_signature(
        note["body"].decode(), int(headers["X-Cld-Timestamp"]), headers["X-Cld-Signature"]))


def test_upload_notification_is_signed_like_the_real_service(client: FlaskClient, receiver: Receiver) -> None:
    body = upload(client, {"public_id": "hooked", "notification_url": receiver.url}).json
    wait_for(lambda: len(receiver.received) == 1)
    note = receiver.received[0]
    payload = json.loads(note["body"])
    assert payload["notification_type"] == "upload" and payload["public_id"] == "hooked"
    assert payload["version"] == body["version"]
    assert _verified(note)
    tampered = {**note, "body": note["body"].replace(b"hooked", b"hacked")}
    assert not _verified(tampered)


def test_async_categorization_is_pending_then_completes_on_advance(client: FlaskClient, receiver: Receiver) -> None:
    body = upload(client, {"public_id": "later", "categorization": "imagga_tagging", "auto_tagging": "0.4",
                           "async": "true", "notification_url": receiver.url}).json
    assert body["info"]["categorization"]["imagga_tagging"] == {"status": "pending"} and body["tags"] == []
    details = client.get("/v1_1/demo/resources/image/upload/later", headers=basic()).json
    assert details["info"]["categorization"]["imagga_tagging"]["status"] == "pending"
    assert client.post("/_emulator/advance", headers=CONTROL).json["completed"] == 1
    details = client.get("/v1_1/demo/resources/image/upload/later", headers=basic()).json
    assert details["tags"] == ["loggerhead", "sea turtle", "turtle"]  # details list tags alphabetically
    assert details["info"]["categorization"]["imagga_tagging"]["status"] == "complete"
    wait_for(lambda: len(receiver.received) == 2)
    kinds = sorted(json.loads(n["body"])["notification_type"] for n in receiver.received)
    assert kinds == ["info", "upload"]
    info = next(json.loads(n["body"]) for n in receiver.received if b'"info"' in n["body"][:40])
    assert info["info_kind"] == "categorization" and sorted(info["tags"]) == details["tags"]
    assert all(_verified(n) for n in receiver.received)


def test_cloud_configured_async_completes_after_its_delay(clock: FrozenClock, receiver: Receiver) -> None:
    config = load_config({"clouds": {"demo": {"categorization": "async", "async_delay": 5,
                                              "notification_url": receiver.url}}}, env={})
    app = create_app(config, clock=clock)
    try:
        client = app.test_client()
        body = upload(client, {"public_id": "slow", "categorization": "imagga_tagging"}, timestamp=clock.now()).json
        assert body["info"]["categorization"]["imagga_tagging"]["status"] == "pending"
        time.sleep(0.2)
        state = client.get("/v1_1/demo/resources/image/upload/slow", headers=basic()).json
        assert state["info"]["categorization"]["imagga_tagging"]["status"] == "pending"
        client.post("/_emulator/clock", json={"advance": 5})
        wait_for(lambda: client.get("/v1_1/demo/resources/image/upload/slow", headers=basic()).json[
            "info"]["categorization"]["imagga_tagging"]["status"] == "complete")
        wait_for(lambda: len(receiver.received) == 2)  # the upload, then the categorization
    finally:
        app.extensions["cloudinary_emulator"].close()


def test_a_receiver_that_is_down_then_up_loses_nothing(client: FlaskClient) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    body = upload(client, {"public_id": "patient", "notification_url": url}).json
    assert body["public_id"] == "patient"  # the upload did not wait for or fail on the webhook
    wait_for(lambda: len(client.get("/_emulator/notifications").json["notifications"][0]["attempts"]) >= 2)
    note = client.get("/_emulator/notifications").json["notifications"][0]
    assert note["state"] == "pending" and note["attempts"][0]["status"] is None and note["attempts"][0]["error"]
    late = Receiver(port)
    try:
        wait_for(lambda: len(late.received) == 1)
        assert json.loads(late.received[0]["body"])["public_id"] == "patient"
        wait_for(lambda: client.get("/_emulator/notifications").json["notifications"][0]["state"] == "delivered")
    finally:
        late.close()


def test_async_upload_of_a_disabled_add_on_is_still_a_420(clock: FrozenClock) -> None:
    config = load_config({"clouds": {"demo": {"addons": ["google_tagging"]}}}, env={})
    app = create_app(config, clock=clock)
    try:
        r = upload(app.test_client(), {"categorization": "imagga_tagging", "async": "1"}, timestamp=clock.now())
        assert r.status_code == 420
    finally:
        app.extensions["cloudinary_emulator"].close()


def test_update_and_explicit_defer_too(client: FlaskClient) -> None:
    r = client.post("/v1_1/demo/resources/image/upload/sample",
                    json={"categorization": "imagga_tagging", "auto_tagging": "0.5", "async": "true"}, headers=basic())
    assert r.json["info"]["categorization"]["imagga_tagging"] == {"status": "pending"} and r.json["tags"] == []
    assert client.post("/_emulator/advance", headers=CONTROL).json["completed"] == 1
    done = client.get("/v1_1/demo/resources/image/upload/sample", headers=basic()).json
    assert done["tags"] == ["flower", "pink"]
    assert done["info"]["categorization"]["imagga_tagging"]["status"] == "complete"
