"""Admin API rate limits: headers on every Admin answer, an hourly budget per cloud, 420 past it."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from emulator.clock import FrozenClock
from emulator.config import Config, load_config
from emulator.errors import ConfigError
from tests.conftest import basic
from tests.helpers import ADMIN, signed_form

START = 1_700_000_000.0  # Tue, 14 Nov 2023 22:13:20 GMT
LIMIT = "X-FeatureRateLimit-Limit"
REMAINING = "X-FeatureRateLimit-Remaining"
RESET = "X-FeatureRateLimit-Reset"


@pytest.fixture
def config() -> Config:
    return load_config({"clouds": {"demo": {"admin_rate_limit": 3}, "free": {"api_key": "k2", "api_secret": "s2",
                                                                             "admin_rate_limit": 500},
                                   "open": {"api_key": "k3", "api_secret": "s3", "admin_rate_limit": 0}}}, env={})


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


def test_every_admin_answer_carries_the_headers(client: FlaskClient) -> None:
    ok = client.get(f"{ADMIN}/ping", headers=basic())
    missing = client.get(f"{ADMIN}/resources/image/upload/nope", headers=basic())
    assert ok.status_code == 200 and missing.status_code == 404
    assert (ok.headers[LIMIT], ok.headers[REMAINING], ok.headers[RESET]) == ("3", "2", "Tue, 14 Nov 2023 23:00:00 GMT")
    assert (missing.headers[LIMIT], missing.headers[REMAINING]) == ("3", "1")
    assert ok.headers["X-Request-Id"] != missing.headers["X-Request-Id"]
    refused = client.get(f"{ADMIN}/ping", headers=basic(secret="wrong"))
    assert refused.status_code == 401 and refused.headers[REMAINING] == "1"  # reported, not counted


def test_past_the_budget_420_until_the_next_hour(client: FlaskClient, clock: FrozenClock) -> None:
    for _ in range(3):
        assert client.get(f"{ADMIN}/resources/image", headers=basic()).status_code == 200
    refused = client.get(f"{ADMIN}/resources/image", headers=basic())
    assert refused.status_code == 420
    assert refused.get_json() == {"error": {"message": "Rate Limit Exceeded. Limit of 3 api operations reached. "
                                                       "Try again on 2023-11-14 23:00:00 UTC"}}
    assert (refused.headers[LIMIT], refused.headers[REMAINING]) == ("3", "0")
    clock.set(START + 2800)  # 23:00:00 exactly: a new hour
    again = client.get(f"{ADMIN}/resources/image", headers=basic())
    assert again.status_code == 200 and again.headers[REMAINING] == "2"
    assert again.headers[RESET] == "Wed, 15 Nov 2023 00:00:00 GMT"


def test_budgets_are_per_cloud_and_zero_is_unlimited(client: FlaskClient) -> None:
    for _ in range(4):
        client.get(f"{ADMIN}/ping", headers=basic())
    other = client.get("/v1_1/free/ping", headers=basic("k2", "s2"))
    assert other.status_code == 200 and (other.headers[LIMIT], other.headers[REMAINING]) == ("500", "499")
    for _ in range(5):
        unlimited = client.get("/v1_1/open/ping", headers=basic("k3", "s3"))
        assert unlimited.status_code == 200 and LIMIT not in unlimited.headers
        assert "X-Request-Id" in unlimited.headers


def test_the_upload_api_is_not_rate_limited(client: FlaskClient) -> None:
    for _ in range(5):
        response = client.post(f"{ADMIN}/image/destroy", data=signed_form({"public_id": "nope"}))
        assert response.status_code == 200 and LIMIT not in response.headers


@pytest.mark.parametrize("value", [-1, "many", 2.5, True])
def test_a_bad_budget_is_a_config_error(value: object) -> None:
    with pytest.raises(ConfigError, match=r"clouds\.demo\.admin_rate_limit: expected a whole number of calls per hour"):
        load_config({"clouds": {"demo": {"admin_rate_limit": value}}}, env={})


def test_the_default_budget_is_out_of_reach_of_a_development_loop() -> None:
    from emulator.config import DEFAULT_ADMIN_RATE_LIMIT

    cloud = load_config({}, env={}).clouds["demo"]
    assert cloud.admin_rate_limit == DEFAULT_ADMIN_RATE_LIMIT >= 1_000_000  # a kit run makes ~180 Admin calls


def test_a_budget_set_through_the_control_plane_counts_afresh_until_reset(client: FlaskClient) -> None:
    for _ in range(2):
        client.get(f"{ADMIN}/ping", headers=basic())  # 2 of the configured 3 spent
    set_limit = client.post("/_emulator/rate-limits", json={"cloud": "demo", "admin_rate_limit": 2})
    assert set_limit.status_code == 200
    assert set_limit.get_json() == {"cloud": "demo", "admin_rate_limit": 2, "remaining": 2,
                                    "reset_at": 1_700_002_800}
    assert [client.get(f"{ADMIN}/ping", headers=basic()).status_code for _ in range(3)] == [200, 200, 420]
    listing = client.get("/_emulator/rate-limits").get_json()["clouds"]
    assert listing["demo"] == {"admin_rate_limit": 2, "remaining": 0, "reset_at": 1_700_002_800}
    assert listing["free"]["admin_rate_limit"] == 500 and listing["open"]["admin_rate_limit"] == 0
    assert client.post("/_emulator/reset", json={}).status_code == 200
    assert client.get("/_emulator/rate-limits").get_json()["clouds"]["demo"]["admin_rate_limit"] == 3


def test_null_restores_the_configured_budget_and_zero_lifts_it(client: FlaskClient) -> None:
    client.post("/_emulator/rate-limits", json={"cloud": "demo", "admin_rate_limit": 0})
    assert all(client.get(f"{ADMIN}/ping", headers=basic()).status_code == 200 for _ in range(5))
    back = client.post("/_emulator/rate-limits", json={"cloud": "demo", "admin_rate_limit": None})
    assert back.get_json()["admin_rate_limit"] == 3 and back.get_json()["remaining"] == 3


@pytest.mark.parametrize(("body", "message"), [
    ({"cloud": "demo"}, "Missing admin_rate_limit: calls per hour (0 = unlimited, null = as configured)"),
    ({"admin_rate_limit": -1}, "admin_rate_limit must be a whole number of calls per hour from 0 (unlimited) to "
                               "1000000000000, or null, got -1"),
    ({"admin_rate_limit": "5"}, "admin_rate_limit must be a whole number of calls per hour from 0 (unlimited) to "
                                "1000000000000, or null, got '5'"),
    ({"admin_rate_limit": True}, "admin_rate_limit must be a whole number of calls per hour from 0 (unlimited) to "
                                 "1000000000000, or null, got True"),
    ({"admin_rate_limit": 10**13}, "admin_rate_limit must be a whole number of calls per hour from 0 (unlimited) "
                                   "to 1000000000000, or null, got 10000000000000"),
    ({"cloud": "nope", "admin_rate_limit": 1}, "Unknown cloud nope. Configured: demo, free, open"),
])
def test_a_bad_budget_is_a_400_and_changes_nothing(client: FlaskClient, body: dict[str, object],
                                                   message: str) -> None:
    response = client.post("/_emulator/rate-limits", json=body)
    assert (response.status_code, response.get_json()) == (400, {"error": {"message": message}})
    assert client.get("/_emulator/rate-limits").get_json()["clouds"]["demo"]["admin_rate_limit"] == 3


def test_the_handle_sets_a_budget_for_its_cloud() -> None:
    import cloudinary.api
    import cloudinary.exceptions

    from emulator.testing import emulate_cloudinary

    with emulate_cloudinary() as cld:
        assert cld.set_rate_limit(1)["remaining"] == 1
        cloudinary.api.ping()
        with pytest.raises(cloudinary.exceptions.RateLimited, match="Limit of 1 api operations reached"):
            cloudinary.api.ping()
        cld.reset()
        assert cloudinary.api.ping()["status"] == "ok"
