"""Sub-accounts and their access keys through pycloudinary's ``cloudinary.provisioning``; each sub-account is a
cloud the emulator serves, authenticated by its enabled keys."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from contracts import schemas
from emulator.server import EmulatorServer
from tests.conftest import TURTLES


def _no_violations(name: str, answer: Any) -> None:
    assert schemas.violations(name, dict(answer)) == []


def _use(cloudinary: Any, sub: Any, key: Any = None) -> None:
    first = key or {"api_key": sub["api_access_keys"][0]["key"], "api_secret": sub["api_access_keys"][0]["secret"]}
    cloudinary.config(cloud_name=sub["cloud_name"], api_key=first["api_key"], api_secret=first["api_secret"])


def test_create_answers_the_documented_shape_with_one_enabled_key(account: Any) -> None:
    sub = account.create_sub_account("Shop", cloud_name="shop2", custom_attributes={"tier": "gold"})
    _no_violations("sub-account", sub)
    assert (sub["name"], sub["cloud_name"], sub["enabled"], sub["custom_attributes"]) == (
        "Shop", "shop2", True, {"tier": "gold"})
    assert re.fullmatch(r"[0-9a-f]{32}", sub["id"])
    [key] = sub["api_access_keys"]
    assert key["enabled"] is True and re.fullmatch(r"[1-9][0-9]{14}", key["key"])
    assert account.sub_account(sub["id"]) == sub


def test_a_generated_cloud_name_and_disabled_creation(account: Any) -> None:
    sub = account.create_sub_account("Later", enabled=False)
    assert re.fullmatch(r"c-[a-z0-9]{10}", sub["cloud_name"]) and sub["enabled"] is False


def test_list_filters_by_ids_enabled_and_prefix(account: Any) -> None:
    a = account.create_sub_account("Alpha one")
    b = account.create_sub_account("alpha two", enabled=False)
    c = account.create_sub_account("Beta")
    ids = lambda res: [s["id"] for s in res["sub_accounts"]]  # noqa: E731
    assert ids(account.sub_accounts()) == [a["id"], b["id"], c["id"]]
    assert ids(account.sub_accounts(enabled=True)) == [a["id"], c["id"]]
    assert ids(account.sub_accounts(prefix="ALPHA")) == [a["id"], b["id"]]
    assert ids(account.sub_accounts(enabled=False, ids=[c["id"], a["id"]])) == [a["id"], c["id"]]  # ids win


def test_update_changes_only_what_is_sent(account: Any, clock: Any) -> None:
    sub = account.create_sub_account("Shop", custom_attributes={"a": 1})
    assert sub["updated_at"] == sub["created_at"]
    clock.advance(60)
    updated = account.update_sub_account(sub["id"], name="Store", enabled=False)
    assert (updated["name"], updated["enabled"], updated["custom_attributes"]) == ("Store", False, {"a": 1})
    assert updated["cloud_name"] == sub["cloud_name"] and account.sub_account(sub["id"]) == updated
    assert updated["updated_at"] > updated["created_at"] == sub["created_at"]


def test_the_sub_account_is_a_served_cloud(account: Any, sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    sub = account.create_sub_account("Shop", cloud_name="shop2")
    _use(sdk, sub)
    assert cloudinary.api.ping()["status"] == "ok"
    assert cloudinary.api.resource("sample")["public_id"] == "sample"  # a new cloud starts with sample
    uploaded = cloudinary.uploader.upload(str(TURTLES), public_id="turtles")  # signed with the key's secret
    assert uploaded["public_id"] == "turtles" and "/shop2/image/upload/" in uploaded["secure_url"]
    assert sorted(r["public_id"] for r in cloudinary.api.resources()["resources"]) == ["sample", "turtles"]


def test_delivery_serves_the_sub_accounts_assets(account: Any, sdk: Any, server: EmulatorServer) -> None:
    import cloudinary.uploader

    _use(sdk, account.create_sub_account("Shop", cloud_name="shop2"))
    cloudinary.uploader.upload(str(TURTLES), public_id="turtles")
    assert requests.get(f"{server.url}/shop2/image/upload/turtles.jpg", timeout=5).status_code == 200


def test_every_enabled_key_authenticates_and_a_disabled_one_does_not(account: Any, sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.exceptions

    sub = account.create_sub_account("Shop", cloud_name="shop2")
    second = account.generate_access_key(sub["id"], name="ci")
    _use(sdk, sub, second)
    assert cloudinary.api.ping()["status"] == "ok"
    account.update_access_key(sub["id"], second["api_key"], enabled=False)
    with pytest.raises(cloudinary.exceptions.AuthorizationRequired, match=f"Unknown API key {second['api_key']}"):
        cloudinary.api.ping()


def test_a_disabled_or_deleted_sub_account_is_no_longer_served(account: Any, sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.exceptions

    sub = account.create_sub_account("Shop", cloud_name="shop2")
    _use(sdk, sub)
    account.update_sub_account(sub["id"], enabled=False)
    with pytest.raises(cloudinary.exceptions.AuthorizationRequired, match="Invalid cloud_name shop2"):
        cloudinary.api.ping()
    account.update_sub_account(sub["id"], enabled=True)
    assert cloudinary.api.ping()["status"] == "ok"
    assert account.delete_sub_account(sub["id"]) == {"message": "ok"}
    with pytest.raises(cloudinary.exceptions.AuthorizationRequired, match="Invalid cloud_name shop2"):
        cloudinary.api.ping()


def test_renaming_the_cloud_serves_it_under_the_new_name(account: Any, sdk: Any) -> None:
    import cloudinary.api

    sub = account.create_sub_account("Shop", cloud_name="shop2")
    renamed = account.update_sub_account(sub["id"], cloud_name="shop3")
    _use(sdk, renamed)
    assert renamed["cloud_name"] == "shop3" and cloudinary.api.ping()["status"] == "ok"


@pytest.mark.parametrize("cloud_name", ["demo", "SHOP2"])
def test_a_taken_cloud_name_is_a_409(account: Any, cloud_name: str) -> None:
    import cloudinary.exceptions

    account.create_sub_account("Shop", cloud_name="shop2")
    with pytest.raises(cloudinary.exceptions.AlreadyExists, match=f"Cloud name {cloud_name} is already taken"):
        account.create_sub_account("Other", cloud_name=cloud_name)


def test_bad_input_is_a_400(account: Any) -> None:
    import cloudinary.exceptions

    with pytest.raises(cloudinary.exceptions.BadRequest, match="Invalid cloud_name my cloud"):
        account.create_sub_account("Shop", cloud_name="my cloud")
    with pytest.raises(cloudinary.exceptions.BadRequest, match="Invalid custom_attributes - expected a JSON object"):
        account.create_sub_account("Shop", custom_attributes=["a"])


def test_unknown_ids_are_a_404(account: Any) -> None:
    import cloudinary.exceptions

    for call in (account.sub_account, account.delete_sub_account, account.access_keys):
        with pytest.raises(cloudinary.exceptions.NotFound, match="Cannot find sub account with id nope"):
            call("nope")


# -- access keys ----------------------------------------------------------------------------------------------

def test_access_keys_are_listed_sorted_and_paged_with_the_total(account: Any, clock: Any) -> None:
    sub = account.create_sub_account("Shop")
    for name in ("b", "a", "c"):
        clock.advance(1)
        key = account.generate_access_key(sub["id"], name=name, enabled=name != "c")
        _no_violations("access-key", key)
    listed = account.access_keys(sub["id"])
    assert listed["total"] == 4 and [k["name"] for k in listed["access_keys"]][:3] == ["c", "a", "b"]  # newest first
    by_name = account.access_keys(sub["id"], sort_by="name", sort_order="asc", page_size=2, page=1)
    assert by_name["total"] == 4 and [k["name"] for k in by_name["access_keys"]] == ["a", "b"]
    second = account.access_keys(sub["id"], sort_by="name", sort_order="asc", page_size=2, page=2)
    assert next(k["name"] for k in second["access_keys"]) == "c"


def test_a_bad_listing_parameter_is_a_400(account: Any) -> None:
    import cloudinary.exceptions

    sub = account.create_sub_account("Shop")
    with pytest.raises(cloudinary.exceptions.BadRequest, match="Invalid sort_by - secret"):
        account.access_keys(sub["id"], sort_by="secret")
    with pytest.raises(cloudinary.exceptions.BadRequest, match="Invalid page_size - 0"):
        account.access_keys(sub["id"], page_size=0)


def test_dedicating_a_key_to_webhooks_takes_it_from_the_others(account: Any) -> None:
    sub = account.create_sub_account("Shop")
    one = account.generate_access_key(sub["id"], name="one")
    two = account.generate_access_key(sub["id"], name="two")
    assert account.update_access_key(sub["id"], one["api_key"], dedicated_for="webhooks")["dedicated_for"] == [
        "webhooks"]
    updated = account.update_access_key(sub["id"], two["api_key"], name="zwei", enabled=False,
                                        dedicated_for="webhooks")
    assert (updated["name"], updated["enabled"], updated["dedicated_for"]) == ("zwei", False, ["webhooks"])
    keys = {k["api_key"]: k for k in account.access_keys(sub["id"])["access_keys"]}
    assert keys[one["api_key"]]["dedicated_for"] == []


def test_delete_a_key_by_api_key_or_by_name(account: Any) -> None:
    import cloudinary.exceptions

    sub = account.create_sub_account("Shop")
    one = account.generate_access_key(sub["id"], name="one")
    account.generate_access_key(sub["id"], name="two")
    assert account.delete_access_key(sub["id"], one["api_key"]) == {"message": "ok"}
    assert account.delete_access_key(sub["id"], name="two") == {"message": "ok"}
    assert account.access_keys(sub["id"])["total"] == 1
    with pytest.raises(cloudinary.exceptions.NotFound, match="Cannot find access key named two"):
        account.delete_access_key(sub["id"], name="two")
    with pytest.raises(cloudinary.exceptions.NotFound, match=f"Cannot find access key {one['api_key']}"):
        account.update_access_key(sub["id"], one["api_key"], name="x")


def test_key_names_are_unique_within_a_sub_account(account: Any) -> None:
    import cloudinary.exceptions

    sub = account.create_sub_account("Shop")
    account.generate_access_key(sub["id"], name="ci")
    with pytest.raises(cloudinary.exceptions.AlreadyExists, match="Access key with name ci already exists"):
        account.generate_access_key(sub["id"], name="ci")
    with pytest.raises(cloudinary.exceptions.BadRequest, match="Invalid dedicated_for - email"):
        account.update_access_key(sub["id"], sub["api_access_keys"][0]["key"], dedicated_for="email")


def test_base_sub_account_gives_its_custom_attributes(account: Any) -> None:
    import cloudinary.exceptions

    base = account.create_sub_account("Base", custom_attributes={"tier": "gold"})
    assert account.create_sub_account("Copy", base_account=base["id"])["custom_attributes"] == {"tier": "gold"}
    with pytest.raises(cloudinary.exceptions.NotFound, match="Cannot find sub account with id nope"):
        account.create_sub_account("Copy", base_account="nope")


def test_a_recreated_cloud_name_serves_the_assets_again(account: Any, sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    first = account.create_sub_account("Shop", cloud_name="shop2")
    _use(sdk, first)
    cloudinary.uploader.upload(str(TURTLES), public_id="turtles")
    account.delete_sub_account(first["id"])
    _use(sdk, account.create_sub_account("Shop again", cloud_name="shop2"))
    assert cloudinary.api.resource("turtles")["public_id"] == "turtles"


def test_notifications_of_the_sub_accounts_cloud_are_signed_with_its_secret(account: Any, sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader
    import cloudinary.utils

    _use(sdk, account.create_sub_account("Shop", cloud_name="shop2"))
    cloudinary.api.create_trigger("poll://orders", "upload", uri_type="poll")
    cloudinary.uploader.upload(str(TURTLES), public_id="polled")
    messages = cloudinary.api.notifications(channel="orders", wait_seconds=5)["messages"]
    assert [m["payload"]["public_id"] for m in messages] == ["polled"]
    assert cloudinary.utils.verify_notification(messages[0])  # with the sub-account key's secret


def test_the_console_shows_the_sub_accounts_cloud(account: Any, server: EmulatorServer) -> None:
    cloud = account.create_cloud()
    page = requests.get(cloud["claim_url"], timeout=5)
    assert page.status_code == 200 and cloud["cloud_name"] in page.text


def test_answers_are_signed_with_the_secret_of_the_key_that_called(account: Any, sdk: Any) -> None:
    import cloudinary.uploader
    import cloudinary.utils

    sub = account.create_sub_account("Shop", cloud_name="shop2")
    _use(sdk, sub, account.generate_access_key(sub["id"], name="ci"))
    result = cloudinary.uploader.upload(str(TURTLES), public_id="turtles")
    assert cloudinary.utils.verify_api_response_signature(result["public_id"], result["version"],
                                                          result["signature"])


def test_the_key_dedicated_to_webhooks_signs_notifications(account: Any, sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader
    import cloudinary.utils

    sub = account.create_sub_account("Shop", cloud_name="shop2")
    hooks = account.generate_access_key(sub["id"], name="hooks")
    account.update_access_key(sub["id"], hooks["api_key"], dedicated_for="webhooks")
    _use(sdk, sub)
    cloudinary.api.create_trigger("poll://orders", "upload", uri_type="poll")
    cloudinary.uploader.upload(str(TURTLES), public_id="polled")
    [message] = cloudinary.api.notifications(channel="orders", wait_seconds=5)["messages"]
    assert not cloudinary.utils.verify_notification(message)  # not with the cloud's first key
    sdk.config(api_secret=hooks["api_secret"])
    assert cloudinary.utils.verify_notification(message)
