"""Users and user groups through pycloudinary's ``cloudinary.provisioning``, and who may call the API."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import requests

from contracts import schemas
from emulator.config import DEFAULT_ACCOUNT_ID, DEFAULT_PROVISIONING_API_KEY, DEFAULT_PROVISIONING_API_SECRET
from emulator.server import EmulatorServer


def test_create_user_answers_a_pending_user_with_access_to_every_sub_account(account: Any) -> None:
    user = account.create_user("Jane", "jane@example.com", "billing")
    assert schemas.violations("provisioning-user", dict(user)) == []
    assert re.fullmatch(r"[0-9a-f]{30}", user["id"])
    assert {k: user[k] for k in ("name", "email", "role", "pending", "enabled", "last_login", "all_sub_accounts",
                                 "sub_account_ids", "groups")} == {
        "name": "Jane", "email": "jane@example.com", "role": "billing", "pending": True, "enabled": True,
        "last_login": None, "all_sub_accounts": True, "sub_account_ids": [], "groups": []}
    assert account.user(user["id"]) == user


def test_update_user_and_find_them_listed(account: Any) -> None:
    sub = account.create_sub_account("Shop")
    user = account.create_user("Jane", "jane@example.com", account.Role.ADMIN)
    updated = account.update_user(user["id"], "Janet", "janet@example.com", sub_account_ids=[sub["id"]])
    assert (updated["name"], updated["email"], updated["role"]) == ("Janet", "janet@example.com", "admin")
    assert (updated["all_sub_accounts"], updated["sub_account_ids"]) == (False, [sub["id"]])
    assert [u["id"] for u in account.users()["users"]] == [user["id"]]


def test_users_are_filtered(account: Any) -> None:
    sub = account.create_sub_account("Shop")
    other = account.create_sub_account("Other")
    jane = account.create_user("Jane Doe", "jane@example.com", "admin", sub_account_ids=[sub["id"]])
    john = account.create_user("John", "jd@example.com", "reports", sub_account_ids=[other["id"]])
    boss = account.create_user("Boss", "boss@example.com", "master_admin", sub_account_ids=[other["id"]])
    ids = lambda res: [u["id"] for u in res["users"]]  # noqa: E731
    assert ids(account.users(user_ids=[john["id"], jane["id"]])) == [jane["id"], john["id"]]
    assert ids(account.users(status="pending")) == [jane["id"], john["id"], boss["id"]]
    assert ids(account.users(status="active")) == []
    assert ids(account.users(prefix="j")) == [jane["id"], john["id"]]  # name or email, any case
    assert ids(account.users(prefix="JD@")) == [john["id"]]
    assert ids(account.users(sub_account_id=sub["id"])) == [jane["id"], boss["id"]]  # a master admin: all


def test_no_one_logs_in_so_last_login_true_finds_no_one(account: Any) -> None:
    user = account.create_user("Jane", "jane@example.com", "billing")
    today = dt.datetime.today()
    assert account.users(user_ids=[user["id"]], last_login="true", from_date=today, to_date=today)["users"] == []
    found = account.users(user_ids=[user["id"]], last_login="false", from_date=today, to_date=today)["users"]
    assert [u["id"] for u in found] == [user["id"]]


def test_users_of_an_unknown_sub_account_is_a_404(account: Any) -> None:
    import cloudinary.exceptions

    with pytest.raises(cloudinary.exceptions.NotFound, match="Cannot find sub account with id nope"):
        account.users(sub_account_id="nope")


def test_bad_user_input(account: Any) -> None:
    import cloudinary.exceptions

    with pytest.raises(cloudinary.exceptions.BadRequest, match=re.escape("Invalid role boss. Possible values: ")):
        account.create_user("Jane", "jane@example.com", "boss")
    with pytest.raises(cloudinary.exceptions.BadRequest, match="Invalid email jane"):
        account.create_user("Jane", "jane", "admin")
    with pytest.raises(cloudinary.exceptions.NotFound, match="Cannot find sub account with id nope"):
        account.create_user("Jane", "jane@example.com", "admin", sub_account_ids=["nope"])
    with pytest.raises(cloudinary.exceptions.BadRequest, match="Invalid from - yesterday"):
        account.users(last_login="true", from_date="yesterday")


def test_an_email_belongs_to_one_user(account: Any) -> None:
    import cloudinary.exceptions

    account.create_user("Jane", "jane@example.com", "admin")
    other = account.create_user("John", "john@example.com", "admin")
    taken = cloudinary.exceptions.AlreadyExists
    with pytest.raises(taken, match=re.escape("User with email JANE@example.com already exists")):
        account.create_user("Jane 2", "JANE@example.com", "admin")
    with pytest.raises(taken, match=re.escape("User with email jane@example.com already exists")):
        account.update_user(other["id"], email="jane@example.com")


def test_delete_user(account: Any) -> None:
    import cloudinary.exceptions

    user = account.create_user("Jane", "jane@example.com", "admin")
    group = account.create_user_group("Editors")
    account.add_user_to_group(group["id"], user["id"])
    assert account.delete_user(user["id"]) == {"message": "ok"}
    assert account.user_group_users(group["id"]) == {"users": []}
    with pytest.raises(cloudinary.exceptions.NotFound, match=f"Cannot find user with id {user['id']}"):
        account.user(user["id"])


# -- user groups ----------------------------------------------------------------------------------------------

def test_user_groups_lifecycle(account: Any) -> None:
    import cloudinary.exceptions

    group = account.create_user_group("Editors")
    assert set(group) == {"id", "name"} and group["name"] == "Editors"
    assert account.user_groups() == {"user_groups": [group]}
    assert account.update_user_group(group["id"], "Writers") == {"id": group["id"], "name": "Writers"}
    assert account.user_group(group["id"]) == {"id": group["id"], "name": "Writers"}
    assert account.delete_user_group(group["id"]) == {"ok": True}
    with pytest.raises(cloudinary.exceptions.NotFound, match=f"Cannot find user group with id {group['id']}"):
        account.user_group(group["id"])


def test_members_of_a_group(account: Any) -> None:
    user = account.create_user("Jane", "jane@example.com", "admin")
    group = account.create_user_group("Editors")
    brief = {"id": user["id"], "name": "Jane", "email": "jane@example.com"}
    assert account.add_user_to_group(group["id"], user["id"]) == {"users": [brief]}
    assert account.add_user_to_group(group["id"], user["id"]) == {"users": [brief]}  # once only
    assert account.user_group_users(group["id"]) == {"users": [brief]}
    assert account.user_in_user_groups(user["id"]) == {"user_groups": [group]}
    assert account.user(user["id"])["groups"] == [group]
    assert account.remove_user_from_group(group["id"], user["id"]) == {"users": []}


def test_group_errors(account: Any) -> None:
    import cloudinary.exceptions

    group = account.create_user_group("Editors")
    with pytest.raises(cloudinary.exceptions.AlreadyExists, match="User group with name editors already exists"):
        account.create_user_group("editors")
    with pytest.raises(cloudinary.exceptions.NotFound, match="Cannot find user with id nope"):
        account.add_user_to_group(group["id"], "nope")
    user = account.create_user("Jane", "jane@example.com", "admin")
    with pytest.raises(cloudinary.exceptions.NotFound, match=f"Cannot find user with id {user['id']} in user group"):
        account.remove_user_from_group(group["id"], user["id"])
    with pytest.raises(cloudinary.exceptions.BadRequest, match="Missing required parameter - name"):
        account.create_user_group("")


# -- who may call ---------------------------------------------------------------------------------------------

def test_wrong_credentials_are_a_401(account: Any) -> None:
    import cloudinary.exceptions

    with pytest.raises(cloudinary.exceptions.AuthorizationRequired, match="Unknown API key abc"):
        account.sub_accounts(provisioning_api_key="abc", provisioning_api_secret="abc")
    with pytest.raises(cloudinary.exceptions.AuthorizationRequired, match="Invalid credentials"):
        account.users(provisioning_api_secret="wrong")


def test_another_account_is_a_404(account: Any) -> None:
    import cloudinary.exceptions

    with pytest.raises(cloudinary.exceptions.NotFound, match="Cannot find account with id other"):
        account.user_groups(account_id="other")


def test_no_credentials_is_a_401_in_the_envelope(server: EmulatorServer) -> None:
    answer = requests.get(f"{server.url}/v1_1/provisioning/accounts/{DEFAULT_ACCOUNT_ID}/users", timeout=5)
    assert (answer.status_code, answer.json()) == (401, {"error": {"message": "Must supply provisioning_api_key"}})


def test_extended_details_add_the_members_and_dates(account: Any, server: EmulatorServer, clock: Any) -> None:
    user = account.create_user("Jane", "jane@example.com", "admin")
    group = account.create_user_group("Editors")
    clock.advance(60)
    account.add_user_to_group(group["id"], user["id"])
    auth = (DEFAULT_PROVISIONING_API_KEY, DEFAULT_PROVISIONING_API_SECRET)
    base = f"{server.url}/v1_1/provisioning/accounts/{DEFAULT_ACCOUNT_ID}/user_groups"
    one = requests.get(f"{base}/{group['id']}?extended_details=true", auth=auth, timeout=5).json()
    assert one["users"] == [{"id": user["id"], "name": "Jane", "email": "jane@example.com"}]
    assert one["created_at"] < one["updated_at"]  # adding a member changed the group
    listed = requests.get(f"{base}?extended_details=true", auth=auth, timeout=5).json()
    assert listed == {"user_groups": [one]}
