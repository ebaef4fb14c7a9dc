"""The account APIs over HTTP: encodings other SDKs use, error envelopes, strict clients, unknown routes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.clock import FrozenClock
from emulator.config import load_config
from tests.conftest import basic

V = "/v1_1/demo"


@pytest.fixture
def strict(clock: FrozenClock) -> Iterator[FlaskClient]:
    app = create_app(load_config({"strict_clients": True}, env={}), clock=clock)
    yield app.test_client()
    app.extensions["cloudinary_emulator"].close()


def test_strict_mode_flags_unknown_and_ignored_parameters(strict: FlaskClient) -> None:
    r = strict.post(f"{V}/triggers", json={"uri": "https://example.com/h", "event_typ": "upload"}, headers=basic())
    assert (r.status_code, r.json["error"]["message"]) == (
        400, "Unknown parameter event_typ for create_trigger - did you mean event_type?")
    r = strict.post(f"{V}/upload_presets", json={"name": "p", "live": True}, headers=basic())
    assert (r.status_code, r.json["error"]["message"]) == (
        400, "Parameter live of create_upload_preset is accepted but has no effect in the emulator")


def test_node_sends_metadata_fields_as_json_and_presets_urlencoded(client: FlaskClient) -> None:
    r = client.post(f"{V}/metadata_fields", json={"external_id": "e", "label": "E", "type": "enum",
                                                  "datasource": {"values": [{"value": "a"}]}}, headers=basic())
    assert r.status_code == 200 and r.json["datasource"]["values"][0]["value"] == "a"
    r = client.put(f"{V}/metadata_fields/e/datasource", json={"values": [{"value": "b"}]}, headers=basic())
    assert [v["value"] for v in r.json["values"]] == ["a", "b"]
    r = client.post(f"{V}/upload_presets", data="name=web&unsigned=true&tags=a%2Cb&overwrite=false",
                    content_type="application/x-www-form-urlencoded", headers=basic())
    assert r.json == {"message": "created", "name": "web"}
    assert client.get(f"{V}/upload_presets/web", headers=basic()).json == {
        "name": "web", "unsigned": True, "settings": {"tags": ["a", "b"], "overwrite": False}}


def test_form_encoded_metadata_field_with_nested_json(client: FlaskClient) -> None:
    r = client.post(f"{V}/metadata_fields", data={"label": "N", "type": "integer",
                                                  "validation": '{"type": "greater_than", "value": 1}'},
                    headers=basic())
    assert r.status_code == 200 and r.json["validation"] == {"type": "greater_than", "value": 1}
    assert len(r.json["external_id"]) == 32  # generated
    r = client.post(f"{V}/metadata_fields", data={"label": "N", "type": "integer", "validation": "{nope"},
                    headers=basic())
    assert (r.status_code, r.json["error"]["message"]) == (400, "Invalid JSON in validation - {nope")


@pytest.mark.parametrize("body", [{"label": 5, "type": "string"}, {"label": "L", "type": ["x"]},
                                  {"label": "L", "type": "set", "datasource": "x"},
                                  {"label": "L", "type": "set", "datasource": {"values": [5]}},
                                  {"label": "L", "type": "integer", "validation": [1]},
                                  {"label": "L", "type": "integer", "mandatory": "maybe"},
                                  {"label": "L", "type": "date", "validation": {"type": "and", "rules": "x"}}])
def test_odd_json_is_a_400_never_a_500(client: FlaskClient, body: dict[str, object]) -> None:
    r = client.post(f"{V}/metadata_fields", json=body, headers=basic())
    assert r.status_code == 400 and r.json["error"]["message"]


def test_admin_basic_auth_is_required(client: FlaskClient) -> None:
    r = client.get(f"{V}/metadata_fields")
    assert (r.status_code, r.json["error"]["message"]) == (401, "Must supply api_key")


@pytest.mark.parametrize("path", ["/resources/image/bogus/x", "/metadata_fields/x/nope"])
def test_routes_not_emulated_are_404s_naming_the_route(client: FlaskClient, path: str) -> None:
    r = client.get(V + path, headers=basic())
    assert (r.status_code, r.json["error"]["message"]) == (404, f"Not found - GET {V}{path}")


def test_upload_metadata_signed_and_unknown_ids(client: FlaskClient) -> None:
    from tests.conftest import signed

    client.post(f"{V}/metadata_fields", json={"external_id": "s", "label": "S", "type": "string"}, headers=basic())
    fields: dict[str, object] = dict(signed({"metadata": "s=x", "public_ids": "sample,nope"}))
    fields["public_ids[]"] = str(fields.pop("public_ids")).split(",")  # as the SDKs send it (signed joined)
    r = client.post(f"{V}/image/metadata", data=fields)
    assert (r.status_code, r.json) == (200, {"public_ids": ["sample"]})
    r = client.post(f"{V}/image/metadata", data=signed({"public_ids": "sample"}))
    assert (r.status_code, r.json["error"]["message"]) == (400, "Missing required parameter - metadata")
    r = client.post(f"{V}/image/metadata", data={"metadata": "s=x", "public_ids[]": "sample"})
    assert r.status_code == 401


def test_streaming_profile_representations_as_a_json_array(client: FlaskClient) -> None:
    body = {"name": "arr", "representations": [{"transformation": "c_limit,w_100"}, {"transformation": "w_50"}]}
    r = client.post(f"{V}/streaming_profiles", json=body, headers=basic())
    assert r.status_code == 200
    assert [rep["transformation"] for rep in r.json["data"]["representations"]] == [
        [{"crop": "limit", "width": 100}], [{"width": 50}]]
    r = client.post(f"{V}/streaming_profiles", data={"name": "bad", "representations": "nope"}, headers=basic())
    assert (r.status_code, r.json["error"]["message"]) == (400, "Invalid representations - nope")
