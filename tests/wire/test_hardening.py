"""Smaller faults: large data URIs, aborted uploads, future timestamps."""

from __future__ import annotations

import base64
import io
import logging
import os
import socket
import time
from typing import Any

import cloudinary.api
import cloudinary.uploader
import pytest
import requests
from PIL import Image

from emulator.server import EmulatorServer
from tests.conftest import TURTLES, signed


def _noisy_png(side: int) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def test_a_data_uri_of_a_few_megabytes_uploads_through_the_sdk(sdk: Any) -> None:
    data = _noisy_png(700)
    assert len(data) > 1_000_000
    uri = "data:image/png;base64," + base64.b64encode(data).decode()
    assert sdk.uploader.upload(uri, public_id="big_uri")["bytes"] == len(data)


def test_a_data_uri_over_the_file_size_limit_names_the_decoded_size(sdk: Any, server: EmulatorServer) -> None:
    limit = server.app.extensions["cloudinary_emulator"].config.max_file_size
    uri = "data:image/png;base64," + base64.b64encode(b"\0" * (limit + 10)).decode()
    with pytest.raises(sdk.exceptions.Error, match=rf"^File size too large. Got \d+. Maximum is {limit}.$"):
        sdk.uploader.upload(uri)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_an_upload_aborted_mid_body_is_journalled_as_aborted_with_one_log_line(server: EmulatorServer) -> None:
    fields = signed({"public_id": "cut"})
    boundary = "xyz"
    head = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                   for k, v in fields.items())
    head += f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="t.jpg"\r\n\r\n'
    logger, seen = logging.getLogger("emulator"), _Records()
    logger.addHandler(seen)
    logger.disabled = False  # a logging configuration loaded earlier in the session may have disabled it
    with socket.create_connection((server.host, server.port)) as s:
        s.sendall((f"POST /v1_1/demo/image/upload HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
                   f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 1000000\r\n\r\n"
                   ).encode() + head.encode() + b"\xff\xd8" * 1000)
        s.shutdown(socket.SHUT_WR)
        s.recv(65536)
    control = server.app.extensions["cloudinary_emulator"].control
    for _ in range(200):  # the server finishes the request after the client has gone
        entries = control.journal.entries(operation="upload")
        if entries:
            break
        time.sleep(0.01)
    assert [e["status"] for e in entries] == ["aborted"]
    logger.removeHandler(seen)
    records = seen.records
    assert [r.getMessage() for r in records] == [
        "client disconnected before sending the whole body of POST /v1_1/demo/image/upload"]
    assert all(r.exc_info is None for r in records)


def test_a_timestamp_in_the_future_is_accepted_as_cloudinary_documents_only_staleness(sdk: Any) -> None:
    """Only a timestamp more than an hour old is refused; a client clock ahead of ours is not an error."""
    future = time.time() + 10 * 365 * 24 * 3600
    fields = signed({"public_id": "ahead"}, timestamp=future)
    url = cloudinary.config().upload_prefix + "/v1_1/demo/image/upload"
    r = requests.post(url, data=fields, files={"file": TURTLES.read_bytes()}, timeout=10)
    assert (r.status_code, r.json()["public_id"]) == (200, "ahead")


def test_a_public_id_with_a_leading_slash_is_stored_without_it_and_read_back(sdk: Any) -> None:
    answer = sdk.uploader.upload(str(TURTLES), public_id="/lead/x")
    assert answer["public_id"] == "lead/x"
    assert cloudinary.api.resource("lead/x")["public_id"] == "lead/x"
