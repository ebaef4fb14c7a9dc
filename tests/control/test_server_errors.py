"""Two ways to a 500 found by fuzzing, now 400s in the envelope: deeply nested JSON and an overflowing rule id."""

from __future__ import annotations

import pytest
import requests
from flask.testing import FlaskClient

from emulator.server import EmulatorServer
from tests.conftest import basic

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("path", ["/v1_1/demo/image/upload", "/v1_1/demo/resources/image/tags/x",
                                  "/v1_1/demo/resources/search", "/_emulator/faults"])
def test_deeply_nested_json_body_is_a_400_even_without_credentials(client: FlaskClient, path: str) -> None:
    r = client.post(path, data=DEEP, content_type="application/json")
    assert r.status_code == 400
    assert r.json == {"error": {"message": "Invalid JSON - nested too deeply"}}


def test_deeply_nested_json_inside_a_parameter_is_a_400(client: FlaskClient) -> None:
    r = client.post("/v1_1/demo/resources/search", json={"expression": "x", "aggregate": DEEP}, headers=basic())
    assert (r.status_code, r.json) == (400, {"error": {"message": "Invalid JSON - nested too deeply"}})


def test_deeply_nested_json_over_a_socket(server: EmulatorServer) -> None:
    r = requests.post(f"{server.url}/v1_1/demo/image/upload", data=DEEP,
                      headers={"Content-Type": "application/json"}, timeout=30)
    assert (r.status_code, r.json()) == (400, {"error": {"message": "Invalid JSON - nested too deeply"}})


def test_a_fault_rule_id_beyond_sqlite_integers_is_a_400(client: FlaskClient) -> None:
    r = client.delete("/_emulator/faults/9223372036854775808")
    assert r.status_code == 400
    assert r.json == {"error": {"message": "Invalid fault rule id - 9223372036854775808. "
                                           "Rule ids are whole numbers up to 9223372036854775807"}}


def test_the_largest_rule_id_is_simply_not_found(client: FlaskClient) -> None:
    r = client.delete("/_emulator/faults/9223372036854775807")
    assert (r.status_code, r.json) == (404, {"error": {"message": "Fault rule not found - 9223372036854775807"}})
