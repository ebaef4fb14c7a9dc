"""Never a 500: schemathesis generates requests from the emulator's own OpenAPI document, in-process.

Run in a pytest process of its own by tests/test_fuzz.py: schemathesis replaces Hypothesis's repr printer
process-wide, which would blank the falsifying examples of every other Hypothesis test in the session.

Every call carries valid Basic credentials, the configured cloud (in the path, and as the control plane's
``cloud`` query or body field) and the control plane's request header, with the rate limit off, so the fuzzing
reaches the logic rather than stopping at 401 or 403. The control plane is fuzzed too; whatever a case changed
there (fault rules, the clock, registrations) is cleared after it, so one case's fault is not the next one's 500.
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
SCHEMA = schemathesis.openapi.from_wsgi("/_emulator/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _close() -> Iterator[None]:
    yield
    APP.extensions["cloudinary_emulator"].close()


def _pin_cloud(case: schemathesis.Case) -> None:
    """The control plane names clouds in ``?cloud=`` and in JSON bodies: always the configured one."""
    if isinstance(case.query, dict) and "cloud" in case.query:
        case.query["cloud"] = "demo"
    if isinstance(case.body, dict) and "cloud" in case.body:
        case.body["cloud"] = "demo"


@SCHEMA.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case: schemathesis.Case) -> None:
    if "cloud_name" in (case.path_parameters or {}):
        case.path_parameters["cloud_name"] = "demo"
    if "resource_type" in (case.path_parameters or {}):
        case.path_parameters["resource_type"] = "image"
    if case.path.startswith("/_emulator/"):
        _pin_cloud(case)
    try:
        response = case.call(headers={**basic(), "X-Emulator-Request": "1"})
    finally:
        APP.extensions["cloudinary_emulator"].control.reset()
    case.validate_response(response, checks=[not_a_server_error])
    if case.method.upper() != "OPTIONS":  # Flask's automatic OPTIONS answer has no body
        content_type = {k.lower(): v for k, v in response.headers.items()}["content-type"]
        assert "application/json" in str(content_type), case.as_curl_command()  # never an HTML page
