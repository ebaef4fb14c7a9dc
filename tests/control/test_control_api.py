"""The control plane over HTTP: reset, journal, faults, clock, registered categories; each with bad input."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import CONTROL, basic
from tests.helpers import upload

SAMPLE = "/v1_1/demo/resources/image/upload/sample"


def test_health(client: FlaskClient) -> None:
    assert client.get("/_emulator/health").json["status"] == "ok"


def test_reset_forgets_uploads_and_recreates_sample(client: FlaskClient) -> None:
    upload(client, {"public_id": "gone"})
    client.post(SAMPLE, json={"tags": "x"}, headers=basic())
    r = client.post("/_emulator/reset", headers=CONTROL)
    assert (r.status_code, r.json) == (200, {"reset": ["demo"]})
    assert client.get("/v1_1/demo/resources/image/upload/gone", headers=basic()).status_code == 404
    assert "tags" not in client.get(SAMPLE, headers=basic()).json


def test_reset_of_an_unknown_cloud_is_a_400(client: FlaskClient) -> None:
    r = client.post("/_emulator/reset?cloud=nope", headers=CONTROL)
    assert (r.status_code, r.json["error"]["message"]) == (400, "Unknown cloud nope. Configured: demo")


def test_journal_records_redacted_calls_and_filters(client: FlaskClient) -> None:
    upload(client, {"public_id": "j", "tags": "a"})
    client.get("/v1_1/demo/resources/image/upload/nope", headers=basic())
    entries = client.get("/_emulator/requests").json["requests"]
    assert [(e["operation"], e["status"]) for e in entries] == [("upload", 200), ("resource", 404)]
    first = entries[0]
    assert first["params"]["signature"] == "[redacted]" and first["params"]["tags"] == "a"
    assert first["params"]["file"] == "<file turtles.jpg, 5591 bytes>" and first["cloud"] == "demo"
    assert first["method"] == "POST" and first["duration_ms"] >= 0
    only = client.get("/_emulator/requests?status=4xx").json["requests"]
    assert [e["operation"] for e in only] == ["resource"]
    assert client.get("/_emulator/requests?operation=upload&limit=1").json["requests"][0]["path"].endswith("/upload")
    assert client.delete("/_emulator/requests").json == {"deleted": 2}
    assert client.get("/_emulator/requests").json == {"requests": [], "next_before": None}


def test_journal_bad_limit(client: FlaskClient) -> None:
    assert client.get("/_emulator/requests?limit=x").json["error"]["message"] == "limit must be a whole number"
    assert client.get("/_emulator/requests?limit=0").status_code == 400


def test_fault_rule_answers_with_an_error_then_runs_out(client: FlaskClient) -> None:
    rule = client.post("/_emulator/faults", json={"operation": "resource", "status": 420, "message": "slow down",
                                                  "count": 1}).json
    assert rule["id"] >= 1 and rule["fired"] == 0
    r = client.get(SAMPLE, headers=basic())
    assert (r.status_code, r.json) == (420, {"error": {"message": "slow down"}})
    assert client.get(SAMPLE, headers=basic()).status_code == 200
    assert client.get("/_emulator/faults").json["faults"] == [rule | {"checked": 1, "fired": 1}]


def test_fault_rules_match_cloud_and_public_id(client: FlaskClient) -> None:
    client.post("/_emulator/faults", json={"public_id": "other", "status": 404})
    assert client.get(SAMPLE, headers=basic()).status_code == 200
    client.post("/_emulator/faults", json={"cloud": "demo", "public_id": "sample", "status": 503})
    assert client.get(SAMPLE, headers=basic()).status_code == 503


def test_probability_is_seeded(client: FlaskClient) -> None:
    client.post("/_emulator/faults", json={"operation": "ping", "status": 500, "probability": 0.5})
    pattern = [client.get("/v1_1/demo/ping", headers=basic()).status_code for _ in range(20)]
    client.delete("/_emulator/faults")
    client.post("/_emulator/faults", json={"operation": "ping", "status": 500, "probability": 0.5})
    again = [client.get("/v1_1/demo/ping", headers=basic()).status_code for _ in range(20)]
    assert set(pattern) == {200, 500}
    assert again == pattern


def test_header_fault_for_one_request(client: FlaskClient) -> None:
    r = client.get(SAMPLE, headers={**basic(), "X-Emulator-Fault": "status=409; message=taken"})
    assert (r.status_code, r.json["error"]["message"]) == (409, "taken")
    assert client.get(SAMPLE, headers=basic()).status_code == 200


@pytest.mark.parametrize(("rule", "message"), [
    ({"status": 418}, "status must be one of"),
    ({"operation": "upload"}, "A fault rule needs an effect"),
    ({"status": 400, "drop": True}, "cannot both answer with a status and drop"),
    ({"status": 400, "probability": 2}, "probability must be between 0 and 1"),
    ({"status": 400, "count": 0}, "count must be a positive whole number"),
    ({"status": 400, "bogus": 1}, "Unknown fault rule field(s): bogus"),
    ({"latency_ms": "slow"}, "latency_ms must be a number"),
])
def test_bad_fault_rules(client: FlaskClient, rule: dict[str, Any], message: str) -> None:
    r = client.post("/_emulator/faults", json=rule)
    assert r.status_code == 400 and message in r.json["error"]["message"]


def test_bad_fault_header_and_missing_rule(client: FlaskClient) -> None:
    r = client.get(SAMPLE, headers={**basic(), "X-Emulator-Fault": "explode"})
    assert r.status_code == 400 and "unknown part 'explode'" in r.json["error"]["message"]
    r = client.delete("/_emulator/faults/99")
    assert (r.status_code, r.json["error"]["message"]) == (404, "Fault rule not found - 99")
    refused = client.post("/_emulator/faults", data="x", headers=CONTROL)
    assert refused.json["error"]["message"] == "Expected a JSON object body"


def test_clock_freeze_advance_drives_a_stale_signature(client: FlaskClient) -> None:
    state = client.post("/_emulator/clock", json={"freeze": True}).json
    assert state["frozen"] is True
    stamp = state["now"]
    assert upload(client, {}, timestamp=stamp).status_code == 200
    moved = client.post("/_emulator/clock", json={"advance": 3601}).json
    assert moved["now"] == pytest.approx(stamp + 3601)
    r = upload(client, {}, timestamp=stamp)
    assert r.status_code == 400 and r.json["error"]["message"].startswith("Stale request")
    assert client.post("/_emulator/clock", json={"freeze": False}).json["frozen"] is False


def test_clock_versions_follow_the_clock(client: FlaskClient) -> None:
    client.post("/_emulator/clock", json={"freeze": True, "at": 1800000000})
    body = upload(client, {}, timestamp=1800000000).json
    assert body["version"] == 1800000000 and body["created_at"] == "2027-01-15T08:00:00Z"


@pytest.mark.parametrize(("body", "message"), [
    ({}, "Expected any of freeze"), ({"advance": "x"}, "advance must be a number"),
    ({"at": -1}, "the clock must stay between 0 and 253402300799"),
    ({"at": 1e300}, "the clock must stay between 0 and 253402300799"),
    ({"advance": 1e12}, "the clock must stay between 0 and 253402300799"),
    ({"freeze": "yes"}, "freeze must be true or false"), ({"rewind": 1}, "unknown: rewind"),
])
def test_bad_clock_requests(client: FlaskClient, body: dict[str, Any], message: str) -> None:
    before = client.get("/_emulator/clock").json["offset"]
    r = client.post("/_emulator/clock", json=body)
    assert r.status_code == 400 and message in r.json["error"]["message"]
    assert client.get("/_emulator/clock").json["offset"] == before


def test_registered_categories_win_over_fixtures(client: FlaskClient) -> None:
    r = client.post("/_emulator/categorizations", json={
        "match": {"filename": "turtles"}, "imagga_tagging": [{"tag": "tortoise", "confidence": 0.77}]})
    assert r.json == {"registered": {"filename": "turtles"}}
    body = upload(client, {"categorization": "imagga_tagging", "auto_tagging": "0.5"}).json
    assert body["tags"] == ["tortoise"]


def test_categories_registered_after_an_upload_of_the_image_win_over_its_fixture(client: FlaskClient) -> None:
    fixture = upload(client, {"categorization": "imagga_tagging", "auto_tagging": "0.5"}).json["tags"]
    assert fixture == ["sea turtle", "loggerhead", "turtle"]
    client.post("/_emulator/categorizations", json={
        "match": {"filename": "turtles"}, "imagga_tagging": [{"tag": "tortoise", "confidence": 0.77}]})
    assert upload(client, {"categorization": "imagga_tagging", "auto_tagging": "0.5"}).json["tags"] == ["tortoise"]


def test_queued_results_are_used_once_each(client: FlaskClient) -> None:
    r = client.post("/_emulator/categorizations", json={"engine": "imagga_tagging", "results": [
        [{"tag": "first", "confidence": 0.9}], [{"tag": "second", "confidence": 0.8}]]})
    assert r.json == {"engine": "imagga_tagging", "queued": 2}
    tags = [upload(client, {"categorization": "imagga_tagging", "auto_tagging": "0.1"}).json["tags"] for _ in "abc"]
    assert tags == [["first"], ["second"], ["sea turtle", "loggerhead", "turtle", "crab", "king crab",
                                             "crustacean", "dungeness crab", "sea"]]


@pytest.mark.parametrize(("body", "message"), [
    ({"engine": "bogus", "results": [[{"tag": "x", "confidence": 0.5}]]}, "Unknown engine bogus"),
    ({"engine": "imagga_tagging", "results": []}, "results must be a non-empty array"),
    ({"engine": "imagga_tagging", "results": [[{"tag": "x", "confidence": 3}]]}, "greater than the maximum"),
    ({"imagga_tagging": [{"tag": "x", "confidence": 0.5}]}, "needs a 'match'"),
])
def test_bad_registrations(client: FlaskClient, body: dict[str, Any], message: str) -> None:
    r = client.post("/_emulator/categorizations", json=body)
    assert r.status_code == 400 and message in r.json["error"]["message"]


def test_control_calls_are_not_journaled(client: FlaskClient) -> None:
    client.get("/_emulator/faults")
    assert client.get("/_emulator/requests").json["requests"] == []


def test_state_lists_the_library_and_the_control_plane(client: FlaskClient) -> None:
    upload(client, {"public_id": "s1", "tags": "a", "context": "k=v"})
    client.post("/_emulator/faults", json={"operation": "ping", "latency_ms": 1})
    body = client.get("/_emulator/state").json
    resources = body["clouds"]["demo"]["resources"]
    assert sorted(r["public_id"] for r in resources) == ["s1", "sample"]
    s1 = next(r for r in resources if r["public_id"] == "s1")
    assert (s1["tags"], s1["context"]) == (["a"], {"custom": {"k": "v"}})
    assert body["clouds"]["demo"]["next_cursor"] is None
    assert body["control"]["faults"][0]["operation"] == "ping" and body["control"]["clock"]["frozen"] is False


def test_state_pages_one_cloud(client: FlaskClient) -> None:
    for i in range(3):
        upload(client, {"public_id": f"p{i}"})
    first = client.get("/_emulator/state?cloud=demo&max_results=2").json["clouds"]["demo"]
    rest = client.get(f"/_emulator/state?cloud=demo&max_results=2&next_cursor={first['next_cursor']}").json
    seen = [r["public_id"] for r in first["resources"] + rest["clouds"]["demo"]["resources"]]
    assert sorted(seen) == ["p0", "p1", "p2", "sample"]


@pytest.mark.parametrize(("query", "message"), [
    ("max_results=0", "max_results must be a whole number from 1 to 500"),
    ("next_cursor=abc", "Invalid next_cursor - abc"),
    ("cloud=nope", "Unknown cloud nope"),
])
def test_bad_state_queries(client: FlaskClient, query: str, message: str) -> None:
    r = client.get(f"/_emulator/state?{query}")
    assert r.status_code == 400 and message in r.json["error"]["message"]


def test_drop_and_latency_over_a_real_socket(server: Any) -> None:
    import time

    import requests

    auth = ("123456789012345", "emulator_secret")
    url = f"{server.url}/v1_1/demo/resources/image/upload/sample"
    requests.post(f"{server.url}/_emulator/faults", json={"public_id": "sample", "drop": True, "count": 1}, timeout=5)
    with pytest.raises(requests.ConnectionError):
        requests.get(url, auth=auth, timeout=5)
    started = time.monotonic()
    r = requests.get(url, auth=auth, headers={"X-Emulator-Fault": "latency_ms=300"}, timeout=5)
    assert r.status_code == 200 and time.monotonic() - started >= 0.3
    statuses = [e["status"] for e in requests.get(f"{server.url}/_emulator/requests", timeout=5).json()["requests"]]
    assert statuses == ["dropped", 200]
