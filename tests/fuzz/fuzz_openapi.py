"""Never a 500: schemathesis generates requests from the emulator's own OpenAPI document, in-process.

Run in a pytest process of its own by tests/test_fuzz.py: schemathesis replaces Hypothesis's repr printer
process-wide, which would blank the falsifying examples of every other Hypothesis test in the session.

Admin calls carry valid Basic credentials and the configured cloud, so the fuzzing gets past authentication;
the control endpoints whose purpose is to change behaviour (faults, clock, reset, seed) are left out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from emulator.app import create_app
from emulator.config import load_config
from tests.conftest import basic


def _app() -> Flask:
    return create_app(load_config({"clouds": {"demo": {"admin_rate_limit": 0}}}, env={}))


APP = _app()
SCHEMA = schemathesis.openapi.from_wsgi("/_emulator/openapi.json", APP).exclude(
    path_regex=r"^/_emulator/(faults|clock|reset|seed)")


@pytest.fixture(scope="module", autouse=True)
def _close() -> Iterator[None]:
    yield
    APP.extensions["cloudinary_emulator"].close()


@SCHEMA.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case: schemathesis.Case) -> None:
    if "cloud_name" in (case.path_parameters or {}):
        case.path_parameters["cloud_name"] = "demo"
    if "resource_type" in (case.path_parameters or {}):
        case.path_parameters["resource_type"] = "image"
    response = case.call(headers=basic())
    case.validate_response(response, checks=[not_a_server_error])
    if case.method.upper() != "OPTIONS":  # Flask's automatic OPTIONS answer has no body
        content_type = {k.lower(): v for k, v in response.headers.items()}["content-type"]
        assert "application/json" in str(content_type), case.as_curl_command()  # never an HTML page
