"""The public calls (``create_cloud``, ``create_agent_account``), the encodings other SDKs send, persistence
across a restart and the control plane's reset."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.config import DEFAULT_PROVISIONING_API_KEY, DEFAULT_PROVISIONING_API_SECRET, load_config
from emulator.errors import ConfigError
from emulator.runtime import EXTENSION

A = "/v1_1/provisioning/accounts/emulator-account"


def _basic(key: str = DEFAULT_PROVISIONING_API_KEY, secret: str = DEFAULT_PROVISIONING_API_SECRET, *,
           urlsafe: bool = False) -> dict[str, str]:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    return {"Authorization": "Basic " + encode(f"{key}:{secret}".encode()).decode()}


def test_create_cloud_answers_working_credentials(account: Any, sdk: Any) -> None:
    import cloudinary.api

    cloud = account.create_cloud(["8.8.8.8", "requester_ip"], email="jane@example.com")
    assert (cloud["claimed"], cloud["email"], cloud["delivery_ips"]) == (False, "jane@example.com",
                                                                         ["8.8.8.8", "127.0.0.1"])
    assert cloud["api_environment_variable"] == (
        f"CLOUDINARY_URL=cloudinary://{cloud['api_key']}:{cloud['api_secret']}@{cloud['cloud_name']}")
    assert cloud["claim_url"].endswith(f"/console/{cloud['cloud_name']}") and "expires_at" in cloud
    sdk.config(cloud_name=cloud["cloud_name"], api_key=cloud["api_key"], api_secret=cloud["api_secret"])
    assert cloudinary.api.ping()["status"] == "ok"


def test_create_cloud_without_arguments_generates_an_email(account: Any) -> None:
    cloud = account.create_cloud()
    assert cloud["email"].endswith("@cloud.cloudinary.invalid") and cloud["delivery_ips"] == ["127.0.0.1"]


@pytest.mark.parametrize(("ips", "message"), [
    (["not-an-ip"], "delivery_ips must be an array of IP addresses: 'not-an-ip' is not one"),
    (["10.0.0.0/8"], "delivery_ips must be an array of IP addresses: '10.0.0.0/8' is not one"),
    (["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"], "delivery_ips may hold at most 3 IP addresses, got 4"),
])
def test_bad_delivery_ips_are_a_400(account: Any, ips: list[str], message: str) -> None:
    import cloudinary.exceptions

    with pytest.raises(cloudinary.exceptions.BadRequest, match=message):
        account.create_cloud(ips)


def test_a_comma_joined_string_is_refused(client: FlaskClient) -> None:
    answer = client.post("/v1_1/provisioning/clouds", json={"delivery_ips": "8.8.8.8,1.1.1.1"})
    assert (answer.status_code, answer.json) == (400, {"error": {"message": "delivery_ips must be an array of "
                                                                             "IP addresses"}})


def test_create_agent_account_answers_inert_credentials(account: Any) -> None:
    res = account.create_agent_account("jane@example.com", agent_framework="langchain",
                                       agent_llm_model="claude", agent_goal="A gallery", sdk_framework="python")
    assert (res["email"], res["plan_name"]) == ("jane@example.com", "free") and "guidance" in res
    [environment] = res["product_environments"]
    assert environment["api_environment_variable"].startswith("CLOUDINARY_URL=cloudinary://")
    assert account.sub_accounts()["sub_accounts"] == []


def test_agent_account_input_is_checked(client: FlaskClient) -> None:
    answer = client.post("/v1_1/provisioning/agents/accounts", json={"email": "jane@example.com"})
    assert (answer.status_code, answer.json["error"]["message"]) == (
        400, "Missing required parameter - agent_framework")
    answer = client.post("/v1_1/provisioning/agents/accounts", json={
        "email": "jane@example.com", "agent_framework": "x", "agent_llm_model": "claude", "agent_goal": "goal"})
    assert (answer.status_code, answer.json["error"]["message"]) == (
        400, "agent_framework must be between 2 and 100 characters")


# -- what other SDKs send -------------------------------------------------------------------------------------

def test_ruby_sends_json_on_get_and_url_safe_basic(client: FlaskClient) -> None:
    made = client.post(f"{A}/sub_accounts", json={"name": "Shop", "enabled": True}, headers=_basic()).json
    listed = client.get(f"{A}/sub_accounts", json={"ids": [made["id"]], "enabled": False},
                        headers=_basic(urlsafe=True))
    assert listed.status_code == 200 and [s["id"] for s in listed.json["sub_accounts"]] == [made["id"]]


def test_node_sends_forms_and_repeated_query_parameters(client: FlaskClient) -> None:
    h = _basic()
    group = client.post(f"{A}/user_groups", json={"name": "Editors"}, headers=h).json
    renamed = client.put(f"{A}/user_groups/{group['id']}", data={"name": "Writers"}, headers=h)
    assert renamed.json == {"id": group["id"], "name": "Writers"}
    one = client.post(f"{A}/users", json={"name": "A", "email": "a@example.com", "role": "admin"}, headers=h).json
    two = client.post(f"{A}/users", json={"name": "B", "email": "b@example.com", "role": "admin"}, headers=h).json
    found = client.get(f"{A}/users?ids={one['id']}&ids={two['id']}&pending=true", headers=h).json
    assert [u["id"] for u in found["users"]] == [one["id"], two["id"]]
    sub = client.post(f"{A}/sub_accounts", json={"name": "Shop"}, headers=h).json
    client.post(f"{A}/sub_accounts/{sub['id']}/access_keys", json={"name": "ci"}, headers=h)
    gone = client.delete(f"{A}/sub_accounts/{sub['id']}/access_keys", data={"name": "ci"}, headers=h)
    assert gone.json == {"message": "ok"}


def test_a_bad_boolean_is_a_400(client: FlaskClient) -> None:
    answer = client.get(f"{A}/sub_accounts?enabled=maybe", headers=_basic())
    assert (answer.status_code, answer.json["error"]["message"]) == (400, "Invalid boolean parameter enabled - "
                                                                          "maybe. Must be true or false")


@pytest.mark.parametrize(("query", "message"), [
    ("page_size=%C2%B2", "Invalid page_size - \u00b2. Must be an integer between 1 and 10000"),
    ("page_size=0", "Invalid page_size - 0. Must be an integer between 1 and 10000"),
    ("page=101", "Invalid page - 101. Must be an integer between 1 and 100"),
    ("sort_order=up", "Invalid sort_order - up. Must be asc or desc"),
    ("sort_by=size", "Invalid sort_by - size. Possible values: "),
])
def test_bad_access_key_listings_are_a_400(client: FlaskClient, query: str, message: str) -> None:
    sub = client.post(f"{A}/sub_accounts", json={"name": "Shop"}, headers=_basic()).json
    answer = client.get(f"{A}/sub_accounts/{sub['id']}/access_keys?{query}", headers=_basic())
    assert answer.status_code == 400
    assert answer.json["error"]["message"].startswith(message)


# -- state ----------------------------------------------------------------------------------------------------

def test_everything_survives_a_restart_and_the_cloud_is_served_again(tmp_path: Path) -> None:
    app = create_app(load_config({"data_dir": str(tmp_path)}, env={}))
    client = app.test_client()
    sub = client.post(f"{A}/sub_accounts", json={"name": "Shop", "cloud_name": "shop2"}, headers=_basic()).json
    user = client.post(f"{A}/users", json={"name": "A", "email": "a@example.com", "role": "admin"},
                       headers=_basic()).json
    app.extensions[EXTENSION].close()
    again = create_app(load_config({"data_dir": str(tmp_path)}, env={}))
    client = again.test_client()
    assert client.get(f"{A}/sub_accounts/{sub['id']}", headers=_basic()).json == sub
    assert client.get(f"{A}/users/{user['id']}", headers=_basic()).json == user
    key = sub["api_access_keys"][0]
    assert client.get("/v1_1/shop2/ping", headers=_basic(key["key"], key["secret"])).json == {"status": "ok"}
    again.extensions[EXTENSION].close()


def test_reset_of_every_cloud_forgets_the_account(client: FlaskClient) -> None:
    client.post(f"{A}/sub_accounts", json={"name": "Shop", "cloud_name": "shop2"}, headers=_basic())
    assert client.post("/_emulator/reset", json={}).status_code == 200
    assert client.get(f"{A}/sub_accounts", headers=_basic()).json == {"sub_accounts": []}


def test_settings_from_the_environment(tmp_path: Path) -> None:
    config = load_config(env={"EMULATOR_ACCOUNT_ID": "acme", "EMULATOR_PROVISIONING_API_KEY": "k",
                              "EMULATOR_PROVISIONING_API_SECRET": "s"})
    app = create_app(config)
    answer = app.test_client().get("/v1_1/provisioning/accounts/acme/users", headers=_basic("k", "s"))
    assert answer.json == {"users": []}
    app.extensions[EXTENSION].close()


@pytest.mark.parametrize(("values", "message"), [
    ({"account_id": "my account"}, "account_id: expected 1-64 letters, digits, '-' or '_', got 'my account'"),
    ({"provisioning_api_key": "a:b"}, "provisioning_api_key: must be a non-empty string without ':'"),
    ({"provisioning_api_secret": ""}, "provisioning_api_secret: must be a non-empty string"),
])
def test_bad_account_settings_stop_the_start(values: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(values, env={})


def test_emulate_cloudinary_points_the_provisioning_api_at_the_emulator() -> None:
    import os

    import cloudinary.provisioning

    from emulator.testing import emulate_cloudinary

    before = os.environ.get("CLOUDINARY_ACCOUNT_URL")
    with emulate_cloudinary() as handle:
        assert os.environ["CLOUDINARY_ACCOUNT_URL"] == handle.account_url
        made = cloudinary.provisioning.create_sub_account("Shop", cloud_name="shop2")
        assert cloudinary.provisioning.sub_accounts()["sub_accounts"] == [made]
    assert os.environ.get("CLOUDINARY_ACCOUNT_URL") == before


def test_reset_of_one_cloud(client: FlaskClient) -> None:
    """A sub-account's cloud alone, or the config file's cloud alone: the other keeps its assets and the account
    its sub-accounts."""
    sub = client.post(f"{A}/sub_accounts", json={"name": "Shop", "cloud_name": "shop2"}, headers=_basic()).json
    key = _basic(sub["api_access_keys"][0]["key"], sub["api_access_keys"][0]["secret"])
    assert client.post("/v1_1/shop2/resources/image/upload/sample", json={"tags": "kept"}, headers=key).status_code \
        == 200
    assert client.post("/_emulator/reset?cloud=demo", json={}).json == {"reset": ["demo"]}
    assert client.get("/v1_1/shop2/resources/image/upload/sample", headers=key).json["tags"] == ["kept"]
    assert client.post("/_emulator/reset?cloud=shop2", json={}).json == {"reset": ["shop2"]}
    assert "tags" not in client.get("/v1_1/shop2/resources/image/upload/sample", headers=key).json  # sample anew
    assert [s["id"] for s in client.get(f"{A}/sub_accounts", headers=_basic()).json["sub_accounts"]] == [sub["id"]]
    answer = client.post("/_emulator/reset?cloud=nope", json={})
    assert (answer.status_code, answer.json["error"]["message"]) == (400, "Unknown cloud nope. Configured: demo")
