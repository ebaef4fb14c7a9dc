"""Bad input that once reached a 500 or did damage, found by review and fuzzing; each now gets a clear 4xx."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image

from emulator.config import load_config
from emulator.errors import ConfigError
from tests.conftest import KEY, SECRET, TURTLES, basic, signed
from tests.helpers import UPLOAD, file_part, upload


def _jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def test_a_truncated_image_is_invalid_not_a_crash(client: FlaskClient) -> None:
    cut = _jpeg((200, 150))[:-200]
    r = upload(client, {"categorization": "imagga_tagging"}, data=cut, name="cut.jpg")
    assert (r.status_code, r.json) == (400, {"error": {"message": "Invalid image file"}})


def test_an_empty_prefix_deletes_nothing(client: FlaskClient) -> None:
    upload(client, {"public_id": "keep_me"})
    r = client.delete("/v1_1/demo/resources/image/upload?prefix=", headers=basic())
    assert r.status_code == 400 and r.json["error"]["message"].startswith("Missing required parameter")
    assert client.get("/v1_1/demo/resources/image/upload/keep_me", headers=basic()).status_code == 200


@pytest.mark.parametrize("path", [
    "/_emulator/state?max_results=%C2%B2",
    "/v1_1/demo/resources/search?expression=created_at%3E%C2%B2",
])
def test_superscript_digits_are_not_numbers(client: FlaskClient, path: str) -> None:
    r = client.get(path, headers=basic())
    assert r.status_code == 400 and r.is_json


def test_an_absurd_timestamp_is_a_400(client: FlaskClient) -> None:
    fields = {"public_id": "x", "timestamp": "-100000000000000000", "api_key": KEY, "signature": "a" * 40}
    r = client.post(UPLOAD, data={**fields, "file": file_part()})
    assert (r.status_code, r.json["error"]["message"]) == (
        400, "Invalid timestamp - -100000000000000000. Must be Unix seconds")


def test_notification_url_must_be_http(client: FlaskClient) -> None:
    r = upload(client, {"notification_url": "file:///etc/passwd"})
    assert (r.status_code, r.json["error"]["message"]) == (
        400, "Invalid notification_url - file:///etc/passwd. Must be an http(s) URL")


def test_tag_limits_hold_on_upload_and_update(client: FlaskClient) -> None:
    r = upload(client, {"tags": "x" * 256})
    assert r.status_code == 400 and r.json["error"]["message"].startswith("Tag is too long")
    many = ",".join(f"t{i}" for i in range(1001))
    r = client.post("/v1_1/demo/resources/image/upload/sample", json={"tags": many}, headers=basic())
    assert (r.status_code, r.json["error"]["message"]) == (400, "Too many tags on sample - 1001. At most 1000")


def test_seed_refuses_a_bad_image_before_storing_anything(client: FlaskClient, tmp_path: Path) -> None:
    bad = "data:image/jpeg;base64,bm90IGFuIGltYWdl"
    r = client.post("/_emulator/seed", json={"resources": [{"public_id": "first", "file": str(TURTLES)},
                                                           {"public_id": "second", "file": bad}]})
    assert (r.status_code, r.json["error"]["message"]) == (400, "resources[1]: Invalid image file")
    assert client.get("/v1_1/demo/resources/image/upload/first", headers=basic()).status_code == 404


def test_seed_with_a_non_string_cloud(client: FlaskClient) -> None:
    r = client.post("/_emulator/seed", json={"cloud": ["demo"], "resources": [{"file": str(TURTLES)}]})
    assert r.status_code == 400 and "Unknown cloud" in r.json["error"]["message"]


def test_tags_list_and_tags_command_are_different_operations(client: FlaskClient) -> None:
    client.post(UPLOAD, data={**signed({"public_id": "t"}), "file": file_part()})
    client.get("/v1_1/demo/tags/image?max_results=5", headers=basic())
    client.post("/v1_1/demo/image/tags", data=signed({"command": "add", "tag": "x", "public_ids": "t"}))
    operations = [e["operation"] for e in client.get("/_emulator/requests").json["requests"]]
    assert operations == ["upload", "tags", "tags_command"]
    assert all(e["warnings"] == [] for e in client.get("/_emulator/requests").json["requests"])


@pytest.mark.parametrize(("values", "message"), [
    ({"fetch_timeout": "soon"}, "fetch_timeout: expected a number of seconds"),
    ({"clouds": "demo"}, "clouds: expected a table"),
    ({"clouds": {"demo": {"presets": ["p"]}}}, "clouds.demo.presets: expected a table"),
])
def test_config_mistakes_are_config_errors(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(values, env={})


def test_credentials_are_compared_whole(client: FlaskClient) -> None:
    assert client.get("/v1_1/demo/ping", headers=basic(secret=SECRET + "x")).status_code == 401


def test_more_superscript_digits(client: FlaskClient) -> None:
    assert client.get("/demo/image/upload/r_%C2%B2/sample.jpg").status_code == 400
    imagga = {"Authorization": "Basic YWNjX2RlbW86ZW11bGF0b3JfaW1hZ2dhX3NlY3JldA=="}  # acc_demo:emulator_imagga_secret
    r = client.get("/v2/tags?image_upload_id=x&limit=%C2%B2", headers=imagga)
    assert r.status_code == 400 and r.json["status"]["type"] == "error"


def test_a_write_based_on_a_version_that_was_overwritten_is_not_applied(client: FlaskClient) -> None:
    from emulator.backend.assets import _Change
    from emulator.backend.models import ResourceKey

    em = client.application.extensions["cloudinary_emulator"]
    backend = em.assets
    upload(client, {"public_id": "raced"})
    stale = backend.resource(ResourceKey("demo", "raced"))
    upload(client, {"public_id": "raced"}, data=_jpeg())  # an overwrite lands between read and write
    assert backend._apply(stale, _Change(tags=("late",))) is None
    now = backend.resource(ResourceKey("demo", "raced"))
    assert now.sha256 != stale.sha256 and now.tags == () and em.storage.blobs.get(now.sha256) is not None
