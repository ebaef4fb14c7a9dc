"""The OpenAPI 3.1 document: valid, in step with the schemas, self-contained, served by the emulator, and
describing only routes the emulator has."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from werkzeug.exceptions import MethodNotAllowed, NotFound

from contracts import openapi, schemas


def test_the_document_is_valid_openapi_3_1() -> None:
    doc = openapi.load()
    assert doc["openapi"] == "3.1.0"
    validate(doc)


def test_components_are_the_schema_files() -> None:
    assert openapi.main(["--check"]) == 0
    components = openapi.load()["components"]["schemas"]
    for name in schemas.NAMES:
        assert components[openapi.component_name(name)] == openapi.bundled(name)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for v in node.values() for r in _refs(v)]
    return [r for v in node for r in _refs(v)] if isinstance(node, list) else []


def test_every_reference_resolves_inside_the_document() -> None:
    doc = openapi.load()
    refs = _refs(doc)
    assert refs and all(r.startswith("#/") for r in refs)
    for ref in set(refs):
        node: Any = doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]


@pytest.mark.parametrize("name", sorted(openapi.components()))
def test_each_bundled_component_is_a_valid_schema(name: str) -> None:
    Draft202012Validator.check_schema(openapi.components()[name])


def test_the_emulator_serves_the_document_as_json(emulator_app: Flask) -> None:
    answer = emulator_app.test_client().get("/_emulator/openapi.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.get_json() == openapi.load()


_SAMPLE = {"cloud_name": "demo", "resource_type": "image", "type": "upload", "public_id": "animals/my turtle",
           "tag": "turtle", "rule_id": "1", "external_id": "rating", "name": "web", "path": "animals/sea",
           "trigger_id": "5f4dcc3b5aa765d61d8327deb882cf99", "asset_id": "0" * 32, "kind": "manual",
           "status": "pending", "account_id": "emulator-account", "sub_account_id": "1" * 32, "user_id": "2" * 30,
           "group_id": "3" * 32, "api_key": "123456789012345"}


def _operations() -> list[tuple[str, str, str]]:
    return [(method.upper(), path, op["operationId"]) for path, item in openapi.load()["paths"].items()
            for method, op in item.items() if method in ("get", "post", "delete", "put")]


@pytest.mark.parametrize(("method", "path", "operation_id"), _operations())
def test_every_documented_operation_is_routed_by_the_emulator(emulator_app: Flask, method: str, path: str,
                                                             operation_id: str) -> None:
    concrete = re.sub(r"\{(\w+)\}", lambda m: _SAMPLE[m[1]], path)
    adapter = emulator_app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(concrete, method=method)
    except (NotFound, MethodNotAllowed) as exc:
        raise AssertionError(f"{method} {path} is documented but not routed") from exc
    assert not endpoint.startswith(("delivery.", "imagga.")), endpoint
    assert endpoint.rpartition(".")[2] == operation_id, "operationId must be the emulator's operation name"


@pytest.mark.parametrize(("method", "path", "operation_id"), _operations())
def test_every_operation_documents_the_refusals_any_request_can_meet(method: str, path: str,
                                                                     operation_id: str) -> None:
    """400 (a body or parameter the emulator cannot read), 403 (a Host it does not serve); on the control plane
    also 401 (its token)."""
    responses = openapi.load()["paths"][path][method.lower()]["responses"]
    expected = {"400", "403"} | ({"401"} if path.startswith("/_emulator/") and not path.endswith(
        ("/health", "/openapi.json")) else set())
    assert expected <= set(responses), f"{method} {path} does not document {sorted(expected - set(responses))}"


def test_a_documented_path_with_another_method_is_a_405_with_allow(emulator_app: Flask) -> None:
    answer = emulator_app.test_client().delete("/_emulator/health")
    assert answer.status_code == 405 and answer.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert answer.get_json() == {"error": {"message": "Method not allowed - DELETE /_emulator/health. "
                                                      "Allowed: GET, HEAD, OPTIONS"}}
