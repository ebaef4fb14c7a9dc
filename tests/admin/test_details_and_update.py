"""Admin API over HTTP: Basic auth, details, update in every encoding the SDKs use, ping, envelopes."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import basic
from tests.helpers import upload

SAMPLE = "/v1_1/demo/resources/image/upload/sample"


def test_every_cloud_starts_with_sample(client: FlaskClient) -> None:
    r = client.get(SAMPLE, headers=basic())
    assert r.status_code == 200
    body = r.json
    assert (body["public_id"], body["format"], body["width"], body["height"]) == ("sample", "jpg", 864, 576)
    assert "tags" not in body and body["derived"] == [] and "info" not in body  # no tags: no "tags" key


def test_update_sample_as_the_python_sdk_sends_it(client: FlaskClient) -> None:
    r = client.post(SAMPLE, json={"categorization": "imagga_tagging", "auto_tagging": "0.5"}, headers=basic())
    assert r.status_code == 200, r.json
    assert r.json["tags"] == ["pink", "flower"]
    data = r.json["info"]["categorization"]["imagga_tagging"]["data"]
    assert data[:4] == [{"tag": "pink", "confidence": 0.822}, {"tag": "flower", "confidence": 0.6306},
                        {"tag": "flowers", "confidence": 0.3778}, {"tag": "plant", "confidence": 0.3667}]
    details = client.get(SAMPLE, headers=basic()).json
    assert details["info"] == r.json["info"] and details["tags"] == ["flower", "pink"]  # details: alphabetical


def test_update_urlencoded_as_node_sends_it(client: FlaskClient) -> None:
    r = client.post(SAMPLE, data="context=k%3Dv&tags=x%2Cy", headers=basic(),
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200
    assert (r.json["tags"], r.json["context"]) == (["x", "y"], {"custom": {"k": "v"}})


def test_update_tags_replace_then_auto_tags_append(client: FlaskClient) -> None:
    client.post(SAMPLE, json={"tags": "mine"}, headers=basic())
    r = client.post(SAMPLE, data={"categorization": "imagga_tagging", "auto_tagging": "0.6"}, headers=basic())
    assert r.json["tags"] == ["mine", "pink", "flower"]


def test_update_keeps_other_engines_blocks(client: FlaskClient) -> None:
    client.post(SAMPLE, json={"categorization": "google_tagging"}, headers=basic())
    r = client.post(SAMPLE, json={"categorization": "imagga_tagging"}, headers=basic())
    assert set(r.json["info"]["categorization"]) == {"google_tagging", "imagga_tagging"}


def test_update_rejects_a_bad_categorization_with_admin_wording(client: FlaskClient) -> None:
    r = client.post(SAMPLE, json={"categorization": "bogus"}, headers=basic())
    assert (r.status_code, r.json) == (400, {"error": {"message": "Illegal value bogus for parameter categorization"}})


def test_folder_ids_and_percent_encoded_slashes(client: FlaskClient) -> None:
    upload(client, {"public_id": "my turtle", "folder": "animals"})
    for path in ("animals/my%20turtle", "animals%2Fmy%20turtle"):
        r = client.get(f"/v1_1/demo/resources/image/upload/{path}", headers=basic())
        assert r.status_code == 200 and r.json["public_id"] == "animals/my turtle"


def test_unknown_resource_is_a_404(client: FlaskClient) -> None:
    r = client.get("/v1_1/demo/resources/image/upload/nope", headers=basic())
    assert (r.status_code, r.json) == (404, {"error": {"message": "Resource not found - nope"}})
    r = client.post("/v1_1/demo/resources/image/upload/nope", json={"tags": "a"}, headers=basic())
    assert r.status_code == 404


def test_basic_auth_failures_are_401(client: FlaskClient) -> None:
    assert client.get("/v1_1/demo/ping").json == {"error": {"message": "Must supply api_key"}}
    r = client.get("/v1_1/demo/ping", headers=basic(secret="wrong"))
    assert (r.status_code, r.json["error"]["message"]) == (401, "Invalid credentials")
    r = client.get("/v1_1/demo/ping", headers=basic(key="999"))
    assert (r.status_code, r.json["error"]["message"]) == (401, "Unknown API key 999")
    r = client.get("/v1_1/demo/ping", headers={"Authorization": "Basic !!!"})
    assert r.status_code == 401


def test_ping(client: FlaskClient) -> None:
    r = client.get("/v1_1/demo/ping", headers=basic())
    assert (r.status_code, r.json) == (200, {"status": "ok"})


def test_unknown_routes_and_methods_get_the_json_envelope(client: FlaskClient) -> None:
    r = client.get("/nothing/here")
    assert (r.status_code, r.json) == (404, {"error": {"message": "Not found - GET /nothing/here"}})
    r = client.put("/v1_1/demo/ping", headers=basic())
    assert (r.status_code, r.json) == (405, {"error": {"message": "Method not allowed - PUT /v1_1/demo/ping. "
                                                                  "Allowed: GET, HEAD, OPTIONS"}})


def test_malformed_json_body_is_not_a_crash(client: FlaskClient) -> None:
    r = client.post(SAMPLE, data="{oops", content_type="application/json", headers=basic())
    assert r.status_code == 200 and r.json["public_id"] == "sample"
