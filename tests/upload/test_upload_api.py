"""Upload API over HTTP (Flask test client): shapes, categorization, naming, errors."""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask.testing import FlaskClient
from PIL import Image

from emulator import signing
from emulator.app import create_app
from emulator.clock import FrozenClock, IdSource
from emulator.config import load_config
from tests.conftest import KEY, SECRET, TURTLES, basic, signed
from tests.helpers import UPLOAD, file_part, upload

RESPONSE_FIELDS = {"asset_id", "public_id", "version", "version_id", "signature", "width", "height", "format",
                   "resource_type", "created_at", "tags", "bytes", "type", "etag", "placeholder", "url",
                   "secure_url", "folder", "original_filename", "access_mode", "api_key"}


def _png(colour: tuple[int, int, int] = (10, 200, 30), size: tuple[int, int] = (50, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def test_signed_upload_answers_every_field(client: FlaskClient) -> None:
    r = upload(client, {"categorization": "imagga_tagging"})
    assert r.status_code == 200, r.json
    body = r.json
    assert set(body) >= RESPONSE_FIELDS and "error" not in body
    assert (body["width"], body["height"], body["format"], body["bytes"]) == (320, 240, "jpg", 5591)
    assert body["info"]["categorization"]["imagga_tagging"]["status"] == "complete"
    assert body["tags"] == [] and body["original_filename"] == "turtles"
    assert body["access_mode"] == client.get(f"/v1_1/demo/resources/image/upload/{body['public_id']}",
                                             headers=basic()).json["access_mode"] == "public"
    assert body["signature"] == signing.response_signature(body["public_id"], body["version"], SECRET)
    assert body["url"] == f"http://localhost/demo/image/upload/v{body['version']}/{body['public_id']}.jpg"
    assert r.headers["Content-Type"] == "application/json; charset=utf-8" and r.headers["X-Request-Id"]


def test_without_categorization_there_is_no_info(client: FlaskClient) -> None:
    assert "info" not in upload(client, {}).json


def test_auto_tagging_is_strictly_greater_than(client: FlaskClient) -> None:
    assert upload(client, {"categorization": "imagga_tagging", "auto_tagging": "0.4"}).json["tags"] == [
        "sea turtle", "loggerhead", "turtle"]
    at_turtle = upload(client, {"categorization": "imagga_tagging", "auto_tagging": "0.8903"}).json
    assert at_turtle["tags"] == ["sea turtle", "loggerhead"]
    assert upload(client, {"categorization": "imagga_tagging", "auto_tagging": "1"}).json["tags"] == []
    assert len(upload(client, {"categorization": "imagga_tagging", "auto_tagging": "0"}).json["tags"]) == 12


def test_explicit_tags_come_first_without_duplicates(client: FlaskClient) -> None:
    body = upload(client, {"categorization": "imagga_tagging", "auto_tagging": "0.4",
                           "tags": "turtle,Mine"}).json
    assert body["tags"] == ["turtle", "Mine", "sea turtle", "loggerhead"]


def test_languages_tag_objects_and_auto_tags_in_each_language(client: FlaskClient) -> None:
    body = upload(client, {"categorization": "imagga_tagging:fi:da", "auto_tagging": "0.4"}).json
    data = body["info"]["categorization"]["imagga_tagging"]["data"]
    assert [list(d["tag"]) for d in data] == [["fi", "da"]] * 12
    assert [d["confidence"] for d in data][:3] == [1.0, 1.0, 0.8903]
    expected = [d["tag"][code].lower() for d in data[:3] for code in ("fi", "da")]
    assert body["tags"] == list(dict.fromkeys(expected))


def test_several_engines_each_get_a_block_and_tags_merge(client: FlaskClient) -> None:
    body = upload(client, {"categorization": "google_tagging,imagga_tagging", "auto_tagging": "0.85"}).json
    assert list(body["info"]["categorization"]) == ["google_tagging", "imagga_tagging"]
    assert body["tags"] == ["sea turtle", "loggerhead", "turtle"]


def test_public_id_folder_context_and_notification_url(client: FlaskClient) -> None:
    body = upload(client, {"public_id": "my_turtle", "folder": "animals", "context": "alt=a turtle|caption=x\\=y",
                           "notification_url": "http://127.0.0.1:9/hook?a=1&b=2"}).json
    assert body["public_id"] == "animals/my_turtle" and body["folder"] == "animals"
    assert body["context"] == {"custom": {"alt": "a turtle", "caption": "x=y"}}


def test_use_filename_with_and_without_unique_suffix(client: FlaskClient) -> None:
    unique = upload(client, {"use_filename": "1"}, name="dir/my photo.jpg").json["public_id"]
    assert unique.startswith("my_photo_") and len(unique) == len("my_photo_") + 6
    exact = upload(client, {"use_filename": "1", "unique_filename": "0"}, name="my photo.jpg").json
    assert exact["public_id"] == "my_photo"


def test_generated_public_id_is_20_lowercase_alphanumerics(client: FlaskClient) -> None:
    pid = upload(client, {}).json["public_id"]
    assert len(pid) == 20 and pid.isalnum() and pid == pid.lower()


def test_overwrite_false_returns_the_existing_resource(client: FlaskClient) -> None:
    first = upload(client, {"public_id": "keep", "tags": "one"}).json
    again = upload(client, {"public_id": "keep", "tags": "two", "overwrite": "0"}, data=_png()).json
    assert again["existing"] is True and again["tags"] == ["one"] and again["version"] == first["version"]


def test_overwrite_replaces_keeps_asset_id_and_bumps_version(client: FlaskClient) -> None:
    first = upload(client, {"public_id": "swap"}).json
    second = upload(client, {"public_id": "swap"}, data=_png(), name="x.png").json
    assert second["overwritten"] is True and second["asset_id"] == first["asset_id"]
    assert second["version"] > first["version"] and second["format"] == "png"


def test_data_uri_upload(client: FlaskClient) -> None:
    uri = "data:image/png;base64," + base64.b64encode(_png()).decode()
    r = client.post(UPLOAD, data=signed({"public_id": "from_datauri"}) | {"file": uri})
    assert r.status_code == 200 and (r.json["width"], r.json["format"]) == (50, "png")


@pytest.fixture
def file_server() -> Iterator[str]:
    handler = partial(SimpleHTTPRequestHandler, directory=str(TURTLES.parent))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined, method-assign]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_remote_url_upload_is_fetched(client: FlaskClient, file_server: str) -> None:
    r = client.post(UPLOAD, data=signed({"categorization": "imagga_tagging", "auto_tagging": "0.4"})
                    | {"file": f"{file_server}/turtles.jpg"})
    assert r.status_code == 200, r.json
    assert r.json["original_filename"] == "turtles" and r.json["tags"][0] == "sea turtle"


def test_remote_url_that_fails_is_a_400(client: FlaskClient, file_server: str) -> None:
    r = client.post(UPLOAD, data=signed({}) | {"file": f"{file_server}/missing.jpg"})
    assert r.status_code == 400
    assert r.json["error"]["message"] == f"Error in loading {file_server}/missing.jpg - 404 File not found"


def test_not_an_image(client: FlaskClient) -> None:
    r = upload(client, {}, data=b"hello, world", name="notes.txt")
    assert (r.status_code, r.json) == (400, {"error": {"message": "Invalid image file"}})


def test_file_above_the_limit(clock: FrozenClock) -> None:
    app = create_app(load_config({"max_file_size": 1000}, env={}), clock=clock, ids=IdSource(1))
    r = upload(app.test_client(), {})
    assert r.status_code == 400
    assert r.json["error"]["message"] == "File size too large. Got 5591. Maximum is 1000."


def test_missing_file(client: FlaskClient) -> None:
    r = client.post(UPLOAD, data=signed({}))
    assert (r.status_code, r.json["error"]["message"]) == (400, "Missing required parameter - file")


def test_unsupported_resource_type(client: FlaskClient) -> None:
    r = client.post("/v1_1/demo/document/upload", data=signed({}) | {"file": file_part()})
    assert r.status_code == 400
    assert r.json["error"]["message"] == "Invalid resource type document. Must be one of: image, video, raw, auto"


def test_auto_resource_type_answers_image(client: FlaskClient) -> None:
    r = client.post("/v1_1/demo/auto/upload", data=signed({}) | {"file": file_part()})
    assert r.status_code == 200 and r.json["resource_type"] == "image"


def test_unknown_categorization_and_lonely_auto_tagging(client: FlaskClient) -> None:
    r = upload(client, {"categorization": "bogus"})
    assert (r.status_code, r.json["error"]["message"]) == (400, "Categorization item bogus is not valid")
    r = upload(client, {"auto_tagging": "0.5"})
    assert r.json["error"]["message"] == "Must use categorization or detection with auto_tagging"
    r = upload(client, {"categorization": "imagga_tagging:xx"})
    assert r.status_code == 400 and "Invalid language code 'xx'" in r.json["error"]["message"]


def test_disabled_add_on_is_a_420(clock: FrozenClock) -> None:
    config = load_config({"clouds": {"demo": {"addons": ["google_tagging"]}}}, env={})
    client = create_app(config, clock=clock, ids=IdSource(1)).test_client()
    r = upload(client, {"categorization": "imagga_tagging"})
    assert r.status_code == 420
    assert r.json["error"]["message"] == "You don't have an active subscription for the Imagga Auto Tagging add-on"
    assert upload(client, {"categorization": "google_tagging"}).status_code == 200


# -- authentication ---------------------------------------------------------------------------------------


def test_wrong_signature_is_a_401_without_the_string_to_sign(client: FlaskClient) -> None:
    r = upload(client, {"public_id": "x"}, secret="wrong")
    assert r.status_code == 401
    message = r.json["error"]["message"]
    assert message.startswith("Invalid Signature ") and "String to sign" not in message


def test_debug_signatures_shows_the_string_to_sign(clock: FrozenClock) -> None:
    client = create_app(load_config({"debug_signatures": True}, env={}), clock=clock).test_client()
    r = upload(client, {"public_id": "x"}, secret="wrong", timestamp=clock.now())
    assert r.status_code == 401
    assert f"String to sign - 'public_id=x&timestamp={int(clock.now())}'." in r.json["error"]["message"]


def test_sha256_signatures_are_accepted(client: FlaskClient) -> None:
    assert upload(client, {"public_id": "s256"}, algorithm="sha256").status_code == 200


def test_stale_timestamp_is_a_400(client: FlaskClient, clock: FrozenClock) -> None:
    r = upload(client, {}, timestamp=clock.now() - 3601)
    assert r.status_code == 400
    assert r.json["error"]["message"].startswith("Stale request - reported time is ")
    assert upload(client, {}, timestamp=clock.now() - 3599).status_code == 200


def test_unknown_api_key_and_missing_timestamp(client: FlaskClient) -> None:
    fields = signed({}) | {"api_key": "999", "file": file_part()}
    r = client.post(UPLOAD, data=fields)
    assert (r.status_code, r.json["error"]["message"]) == (401, "Unknown API key 999")
    r = client.post(UPLOAD, data={"signature": "a" * 40, "api_key": KEY, "file": file_part()})
    assert (r.status_code, r.json["error"]["message"]) == (400, "Missing required parameter - timestamp")


def test_unknown_cloud_is_a_401(client: FlaskClient) -> None:
    r = client.post("/v1_1/nope/image/upload", data=signed({}) | {"file": file_part()})
    assert r.status_code == 401 and r.json["error"]["message"].startswith("Invalid cloud_name nope")


def test_unsigned_upload_needs_an_unsigned_preset(clock: FrozenClock) -> None:
    presets = {"open": {"unsigned": True, "folder": "incoming", "tags": ["from-preset"]}, "closed": {}}
    client = create_app(load_config({"clouds": {"demo": {"presets": presets}}}, env={}), clock=clock).test_client()
    r = client.post(UPLOAD, data={"file": file_part()})
    assert (r.status_code, r.json["error"]["message"]) == (
        400, "Upload preset must be specified when using unsigned upload")
    r = client.post(UPLOAD, data={"file": file_part(), "upload_preset": "ghost"})
    assert (r.status_code, r.json["error"]["message"]) == (400, "Upload preset not found - ghost")
    r = client.post(UPLOAD, data={"file": file_part(), "upload_preset": "closed"})
    assert r.json["error"]["message"] == "Upload preset must be whitelisted for unsigned uploads"
    ok = client.post(UPLOAD, data={"file": file_part(), "upload_preset": "open", "public_id": "p"}).json
    assert ok["public_id"] == "incoming/p" and ok["tags"] == ["from-preset"]


def test_a_form_part_without_a_name_is_ignored(client: FlaskClient) -> None:
    fields = signed({"public_id": "nameless"})
    boundary = "b0undary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    parts.append(f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nstray\r\n")
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="t.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n").encode()
    body = "".join(parts).encode() + head + TURTLES.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    r = client.post(UPLOAD, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert r.status_code == 200 and r.json["public_id"] == "nameless"
