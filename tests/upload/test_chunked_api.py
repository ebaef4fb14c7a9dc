"""Chunked uploads over the Upload API: parts of one upload share ``X-Unique-Upload-Id`` and carry
``Content-Range``; the part that completes the file answers the whole upload (docs/sdk-wire.md)."""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from emulator.config import Config, load_config
from tests.conftest import CLOUD, TURTLES, basic, signed

IMAGE = TURTLES.read_bytes()
Send = Callable[..., TestResponse]


@pytest.fixture
def config() -> Config:
    return load_config({"clouds": {CLOUD: {"presets": {"browser": {"unsigned": True, "tags": "from_preset"}}}},
                        "max_file_size": 200_000}, env={})


def post_part(client: FlaskClient, data: bytes, first: int, total: int | str, *, upload_id: str = "u-1",
              resource_type: str = "image", fields: dict[str, str] | None = None, sign: bool = True,
              last: int | None = None, name: str = "turtles.jpg") -> TestResponse:
    chunk = data[first:(last + 1 if last is not None else len(data))]
    end = first + len(chunk) - 1 if last is None else last
    form: dict[str, Any] = signed(fields or {}) if sign else dict(fields or {})
    form["file"] = (io.BytesIO(chunk), name)
    return client.post(f"/v1_1/{CLOUD}/{resource_type}/upload", data=form, content_type="multipart/form-data",
                       headers={"Content-Range": f"bytes {first}-{end}/{total}", "X-Unique-Upload-Id": upload_id})


def in_parts(client: FlaskClient, data: bytes, size: int, *, order: list[int] | None = None,
             **kw: Any) -> list[TestResponse]:
    starts = list(range(0, len(data), size))
    return [post_part(client, data[:s + size], s, len(data), **kw) for s in (order or starts)]


def test_a_non_final_part_answers_done_false_and_the_last_the_whole_upload(client: FlaskClient) -> None:
    responses = in_parts(client, IMAGE, 400, fields={"public_id": "chunky"})
    *first, last = responses
    for r in first:
        assert r.status_code == 200
        assert r.json == {"done": False, "upload_id": "u-1", "bytes": r.json["bytes"], "public_id": "chunky"}
    assert last.status_code == 200, last.json
    assert last.json["public_id"] == "chunky"
    assert (last.json["width"], last.json["height"], last.json["bytes"]) == (320, 240, len(IMAGE))
    assert last.json["original_filename"] == "turtles"


def test_a_non_final_part_invents_no_public_id(client: FlaskClient) -> None:
    """PHP adds an answer's ``public_id`` to later parts it already signed: inventing one would break them."""
    first = post_part(client, IMAGE[:500], 0, len(IMAGE))
    assert first.json == {"done": False, "upload_id": "u-1", "bytes": 500}


def test_parts_in_any_order_assemble_the_same_file(client: FlaskClient, app: Flask) -> None:
    starts = list(range(0, len(IMAGE), 700))
    order = starts[::2][::-1] + starts[1::2]  # backwards through the even parts, then the odd ones
    responses = in_parts(client, IMAGE, 700, order=order, fields={"public_id": "shuffled"})
    assert [r.json.get("done") for r in responses] == [False] * (len(starts) - 1) + [None]
    assert responses[-1].json["etag"] == hashlib.md5(IMAGE).hexdigest()


def test_concurrent_parts_make_one_resource(client: FlaskClient, app: Flask) -> None:
    answers: list[TestResponse] = []
    lock = threading.Lock()

    def send(start: int) -> None:
        r = post_part(app.test_client(), IMAGE[:start + 200], start, len(IMAGE), upload_id="conc",
                      fields={"public_id": "concurrent"})
        with lock:
            answers.append(r)

    threads = [threading.Thread(target=send, args=(s,)) for s in range(0, len(IMAGE), 200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status_code == 200 for r in answers), [r.json for r in answers]
    finals = [r.json for r in answers if "done" not in r.json]
    assert len(finals) == 1 and finals[0]["bytes"] == len(IMAGE)


def test_node_style_unknown_totals_until_the_last_part(client: FlaskClient) -> None:
    """Node's upload_chunked_stream sends ``/-1`` until the last part; browsers may send ``/*``."""
    assert post_part(client, IMAGE[:400], 0, -1).json["done"] is False
    assert post_part(client, IMAGE[:800], 400, "*").json["done"] is False
    done = post_part(client, IMAGE, 800, len(IMAGE))
    assert done.json["bytes"] == len(IMAGE)


def test_a_whole_file_in_one_part_is_a_plain_upload(client: FlaskClient) -> None:
    r = post_part(client, IMAGE, 0, len(IMAGE), fields={"public_id": "single"})
    assert r.json["public_id"] == "single" and r.json["width"] == 320


def test_chunked_image_upload_runs_categorization_and_auto_tagging(client: FlaskClient) -> None:
    fields = {"public_id": "tagged", "categorization": "imagga_tagging", "auto_tagging": "0.4", "tags": "mine"}
    last = in_parts(client, IMAGE, 500, fields=fields)[-1]
    assert last.json["tags"] == ["mine", "sea turtle", "loggerhead", "turtle"]
    assert last.json["info"]["categorization"]["imagga_tagging"]["status"] == "complete"


def test_unsigned_parts_through_a_preset(client: FlaskClient) -> None:
    last = in_parts(client, IMAGE, 500, sign=False, fields={"upload_preset": "browser"})[-1]
    assert last.status_code == 200 and last.json["tags"] == ["from_preset"]


def test_every_part_is_authenticated(client: FlaskClient) -> None:
    r = post_part(client, IMAGE[:400], 0, len(IMAGE), sign=False)
    assert r.status_code == 400
    assert r.json["error"]["message"] == "Upload preset must be specified when using unsigned upload"
    form = {**signed({}), "signature": "0" * 40, "file": (io.BytesIO(IMAGE[:10]), "x")}
    bad = client.post(f"/v1_1/{CLOUD}/image/upload", data=form, content_type="multipart/form-data",
                      headers={"Content-Range": "bytes 0-9/100", "X-Unique-Upload-Id": "x"})
    assert bad.status_code == 401 and bad.json["error"]["message"].startswith("Invalid Signature")


@pytest.mark.parametrize(("header", "message"), [
    ("bytes 10-5/100", "Invalid Content-Range header - bytes 10-5/100"),
    ("bytes=0-9/100", "Invalid Content-Range header - bytes=0-9/100"),
    ("bytes 0-9/ten", "Invalid Content-Range header - bytes 0-9/ten"),
    ("bytes 95-104/100", "Content-Range bytes 95-104 end past the total 100"),
    ("lines 0-9/100", "Invalid Content-Range header - lines 0-9/100"),
])
def test_a_bad_range_is_a_clear_400(client: FlaskClient, header: str, message: str) -> None:
    form = {**signed({}), "file": (io.BytesIO(b"0123456789"), "x.bin")}
    r = client.post(f"/v1_1/{CLOUD}/raw/upload", data=form, content_type="multipart/form-data",
                    headers={"Content-Range": header, "X-Unique-Upload-Id": "bad"})
    assert r.status_code == 400
    assert r.json["error"]["message"].startswith(message)


def test_parts_without_a_total_wait_for_the_part_that_announces_it(client: FlaskClient) -> None:
    """PHP 3 formats ``bytes <first>-<last>`` with no ``/<total>`` when the stream's size is unknown (it then
    posts in one request, but the form is accepted like Node's ``-1``): the upload completes with the part
    whose Content-Range names the total."""
    half = len(IMAGE) // 2
    form = {**signed({"public_id": "no_total"}), "file": (io.BytesIO(IMAGE[:half]), "turtles.jpg")}
    first = client.post(f"/v1_1/{CLOUD}/image/upload", data=form, content_type="multipart/form-data",
                        headers={"Content-Range": f"bytes 0-{half - 1}", "X-Unique-Upload-Id": "php-1"})
    assert first.status_code == 200 and first.json == {"done": False, "upload_id": "php-1", "bytes": half,
                                                       "public_id": "no_total"}
    last = post_part(client, IMAGE, half, len(IMAGE), upload_id="php-1", fields={"public_id": "no_total"})
    assert last.status_code == 200, last.json
    assert (last.json["public_id"], last.json["bytes"], last.json["width"]) == ("no_total", len(IMAGE), 320)


def test_a_part_whose_size_differs_from_its_range_is_a_400(client: FlaskClient) -> None:
    r = post_part(client, IMAGE[:300], 0, len(IMAGE), last=499)
    assert r.status_code == 400
    assert r.json["error"]["message"] == "Content-Range bytes 0-499 announces 500 bytes, the part has 300"


def test_a_total_that_changes_between_parts_is_a_400(client: FlaskClient) -> None:
    post_part(client, IMAGE[:400], 0, len(IMAGE))
    r = post_part(client, IMAGE[:800], 400, len(IMAGE) + 5)
    assert r.status_code == 400 and "differs from the total" in r.json["error"]["message"]


def test_the_size_limit_applies_to_the_total(client: FlaskClient) -> None:
    r = post_part(client, IMAGE[:400], 0, 300_000)
    assert r.status_code == 400
    assert r.json["error"]["message"] == "File size too large. Got 300000. Maximum is 200000."


def test_a_part_without_an_upload_id_or_public_id_is_a_400(client: FlaskClient) -> None:
    form = {**signed({}), "file": (io.BytesIO(IMAGE[:400]), "t.jpg")}
    r = client.post(f"/v1_1/{CLOUD}/image/upload", data=form, content_type="multipart/form-data",
                    headers={"Content-Range": f"bytes 0-399/{len(IMAGE)}"})
    assert r.status_code == 400
    assert r.json["error"]["message"] == ("Missing required header - X-Unique-Upload-Id "
                                          "(or a public_id to group the parts by)")


def test_an_assembled_file_that_is_not_an_image_stores_nothing(client: FlaskClient) -> None:
    junk = b"not an image " * 100
    responses = in_parts(client, junk, 600, fields={"public_id": "junk"}, name="junk.jpg")
    assert responses[-1].status_code == 400
    assert responses[-1].json["error"]["message"] == "Invalid image file"
    r = client.get(f"/v1_1/{CLOUD}/resources/image/upload/junk", headers=basic())
    assert r.status_code == 404


def test_an_abandoned_upload_is_cleaned_after_the_timeout(client: FlaskClient, app: Flask, clock: Any) -> None:
    post_part(client, IMAGE[:400], 0, len(IMAGE), upload_id="abandoned")
    uploads = app.extensions["cloudinary_emulator"].uploads
    assert uploads.pending() == 1
    clock.advance(app.extensions["cloudinary_emulator"].config.chunk_timeout + 1)
    assert uploads.sweep() == 1
    assert uploads.pending() == 0
