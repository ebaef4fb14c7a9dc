"""Checking clients: strict mode refuses what the real service would silently ignore; otherwise the journal warns."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from emulator import signing
from emulator.app import create_app
from emulator.clock import FrozenClock
from emulator.config import load_config
from tests.conftest import KEY, SECRET, basic, signed
from tests.helpers import UPLOAD, file_part, upload


@pytest.fixture
def strict(clock: FrozenClock) -> Iterator[FlaskClient]:
    app = create_app(load_config({"strict_clients": True}, env={}), clock=clock)
    yield app.test_client()
    app.extensions["cloudinary_emulator"].close()


def _stamped(clock: FrozenClock, fields: dict[str, str]) -> dict[str, str]:
    return {**fields, "timestamp": str(int(clock.now()))}


def test_unknown_parameter_with_did_you_mean(strict: FlaskClient, clock: FrozenClock) -> None:
    r = upload(strict, {"categorisation": "imagga_tagging"}, timestamp=clock.now())
    assert (r.status_code, r.json["error"]["message"]) == (
        400, "Unknown parameter categorisation for upload - did you mean categorization?")


def test_boolean_as_yes_and_tags_as_json(strict: FlaskClient, clock: FrozenClock) -> None:
    r = upload(strict, {"overwrite": "yes", "tags": '["a", "b"]'}, timestamp=clock.now())
    assert r.status_code == 400
    assert r.json["error"]["message"] == ("Parameter overwrite must be true/false or 1/0, got 'yes'; "
                                          "Parameter tags must be a comma-separated list, not JSON: '[\"a\", \"b\"]'")


def test_update_with_an_unknown_parameter(strict: FlaskClient) -> None:
    r = strict.post("/v1_1/demo/resources/image/upload/sample", json={"tagz": "a"}, headers=basic())
    assert r.json["error"]["message"] == "Unknown parameter tagz for update - did you mean tags?"


def test_signature_over_the_wrong_fields_says_which_were_expected(strict: FlaskClient, clock: FrozenClock) -> None:
    fields = _stamped(clock, {"public_id": "x", "tags": "a"})
    bad = signing.digest(f"public_id=x&timestamp={fields['timestamp']}" + SECRET)  # forgot tags
    r = strict.post(UPLOAD, data={**fields, "signature": bad, "api_key": KEY, "file": file_part()})
    assert r.status_code == 401
    assert r.json["error"]["message"].endswith(
        "tags was sent but not signed. Expected a signature over: public_id, tags, timestamp.")
    with_key = signing.digest(f"api_key={KEY}&public_id=x&tags=a&timestamp={fields['timestamp']}" + SECRET)
    r = strict.post(UPLOAD, data={**fields, "signature": with_key, "api_key": KEY, "file": file_part()})
    assert "api_key was signed, but it must not be." in r.json["error"]["message"]


def test_version_1_signature_is_refused_only_when_strict(strict: FlaskClient, client: FlaskClient,
                                                         clock: FrozenClock) -> None:
    fields = _stamped(clock, {"public_id": "amp", "context": "caption=fish & chips"})
    v1 = signing.sign(fields, SECRET, version=1)
    body = {**fields, "signature": v1, "api_key": KEY}
    r = strict.post(UPLOAD, data={**body, "file": file_part()})
    assert r.status_code == 400 and "signature is version 1" in r.json["error"]["message"]
    assert client.post(UPLOAD, data={**body, "file": file_part()}).status_code == 200
    warnings = client.get("/_emulator/requests").json["requests"][-1]["warnings"]
    assert warnings == ["The signature is version 1: '&' in values must be escaped as %26 (version 2)"]


def test_lenient_mode_accepts_and_journals_the_same_mistakes(client: FlaskClient) -> None:
    r = upload(client, {"categorisation": "imagga_tagging", "overwrite": "yes"})
    assert r.status_code == 200 and "info" not in r.json
    warnings = client.get("/_emulator/requests").json["requests"][-1]["warnings"]
    assert warnings == ["Unknown parameter categorisation for upload - did you mean categorization?",
                        "Parameter overwrite must be true/false or 1/0, got 'yes'"]


def test_a_correct_sdk_request_passes_strict_mode(strict: FlaskClient, clock: FrozenClock) -> None:
    body = signed({"categorization": "imagga_tagging", "auto_tagging": "0.4", "tags": "a,b",
                   "overwrite": "1"}, timestamp=clock.now())
    assert strict.post(UPLOAD, data={**body, "file": file_part()}).status_code == 200


def test_per_cloud_strict_setting(clock: FrozenClock) -> None:
    config = load_config({"clouds": {"demo": {}, "strict": {"strict_clients": True}}}, env={})
    app = create_app(config, clock=clock)
    try:
        c = app.test_client()
        assert upload(c, {"bogus": "1"}, timestamp=clock.now()).status_code == 200
        r = c.post("/v1_1/strict/image/upload", data={**signed({"bogus": "1"}, timestamp=clock.now()),
                                                       "file": file_part()})
        assert r.status_code == 400 and r.json["error"]["message"].startswith("Unknown parameter bogus")
    finally:
        app.extensions["cloudinary_emulator"].close()
