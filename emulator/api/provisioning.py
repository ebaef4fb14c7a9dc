"""The Account Provisioning API (``/v1_1/provisioning/accounts/<account_id>/...``): HTTP Basic with the
account's provisioning key and secret. See Cloudinary's https://cloudinary.com/documentation/provisioning_api."""

from __future__ import annotations

from flask import Response, jsonify, request

from emulator.api import families
from emulator.api import provisioning_params as pp
from emulator.api.operations import operation
from emulator.backend.provisioning.models import SubAccount, User
from emulator.backend.provisioning.service import Provisioning
from emulator.runtime import current

bp = families.PROVISIONING  # its hook authenticates with the account's provisioning key (but the public calls)


def _service() -> Provisioning:
    return current().provisioning


def _sub(sub: SubAccount) -> Response:
    return jsonify(sub.render())


def _users(users: list[User]) -> Response:
    return jsonify(users=[u.brief() for u in users])


# -- sub-accounts ----------------------------------------------------------------------------------------------

@operation(bp, "sub_accounts")
def sub_accounts(account_id: str) -> Response:
    found = _service().sub_accounts(pp.sub_account_filter(pp.body(request)))
    return jsonify(sub_accounts=[s.render() for s in found])


@operation(bp, "create_sub_account")
def create_sub_account(account_id: str) -> Response:
    return _sub(_service().create_sub_account(pp.sub_account_spec(pp.body(request))))


@operation(bp, "sub_account")
def sub_account(account_id: str, sub_account_id: str) -> Response:
    return _sub(_service().sub_account(sub_account_id))


@operation(bp, "update_sub_account")
def update_sub_account(account_id: str, sub_account_id: str) -> Response:
    return _sub(_service().update_sub_account(sub_account_id, pp.sub_account_spec(pp.body(request))))


@operation(bp, "delete_sub_account")
def delete_sub_account(account_id: str, sub_account_id: str) -> Response:
    _service().delete_sub_account(sub_account_id)
    return jsonify(message="ok")


# -- access keys -----------------------------------------------------------------------------------------------

@operation(bp, "access_keys")
def access_keys(account_id: str, sub_account_id: str) -> Response:
    keys, total = _service().access_keys(sub_account_id, pp.key_listing(pp.body(request)))
    return jsonify(access_keys=[k.render() for k in keys], total=total)


@operation(bp, "generate_access_key")
def generate_access_key(account_id: str, sub_account_id: str) -> Response:
    return jsonify(_service().generate_access_key(sub_account_id, pp.key_spec(pp.body(request))).render())


@operation(bp, "update_access_key")
def update_access_key(account_id: str, sub_account_id: str, api_key: str) -> Response:
    key = _service().update_access_key(sub_account_id, api_key, pp.key_spec(pp.body(request)))
    return jsonify(key.render())


@operation(bp, "delete_access_key")
def delete_access_key(account_id: str, sub_account_id: str, api_key: str) -> Response:
    _service().delete_access_key(sub_account_id, api_key, None)
    return jsonify(message="ok")


@operation(bp, "delete_access_key_by_name")
def delete_access_key_by_name(account_id: str, sub_account_id: str) -> Response:
    _service().delete_access_key(sub_account_id, None, pp.text(pp.body(request), "name"))
    return jsonify(message="ok")


# -- users -----------------------------------------------------------------------------------------------------

@operation(bp, "users")
def users(account_id: str) -> Response:
    return jsonify(users=_service().users(pp.user_filter(pp.body(request))))


@operation(bp, "create_user")
def create_user(account_id: str) -> Response:
    return jsonify(_service().create_user(pp.user_spec(pp.body(request))))


@operation(bp, "user")
def user(account_id: str, user_id: str) -> Response:
    return jsonify(_service().user(user_id))


@operation(bp, "update_user")
def update_user(account_id: str, user_id: str) -> Response:
    return jsonify(_service().update_user(user_id, pp.user_spec(pp.body(request))))


@operation(bp, "delete_user")
def delete_user(account_id: str, user_id: str) -> Response:
    _service().delete_user(user_id)
    return jsonify(message="ok")


@operation(bp, "user_in_user_groups")
def user_in_user_groups(account_id: str, user_id: str) -> Response:
    return jsonify(user_groups=[g.render() for g in _service().groups_of(user_id)])


# -- user groups -----------------------------------------------------------------------------------------------

@operation(bp, "user_groups")
def user_groups(account_id: str) -> Response:
    extended = pp.boolean(pp.body(request), "extended_details") or False
    return jsonify(user_groups=_service().user_groups(extended=extended))


@operation(bp, "create_user_group")
def create_user_group(account_id: str) -> Response:
    return jsonify(_service().create_user_group(pp.text(pp.body(request), "name")).render())


@operation(bp, "user_group")
def user_group(account_id: str, group_id: str) -> Response:
    extended = pp.boolean(pp.body(request), "extended_details") or False
    return jsonify(_service().user_group_answer(group_id, extended=extended))


@operation(bp, "update_user_group")
def update_user_group(account_id: str, group_id: str) -> Response:
    return jsonify(_service().update_user_group(group_id, pp.text(pp.body(request), "name")).render())


@operation(bp, "delete_user_group")
def delete_user_group(account_id: str, group_id: str) -> Response:
    _service().delete_user_group(group_id)
    return jsonify(ok=True)


@operation(bp, "user_group_users")
def user_group_users(account_id: str, group_id: str) -> Response:
    return _users(_service().group_users(group_id))


@operation(bp, "add_user_to_group")
def add_user_to_group(account_id: str, group_id: str, user_id: str) -> Response:
    return _users(_service().add_user_to_group(group_id, user_id))


@operation(bp, "remove_user_from_group")
def remove_user_from_group(account_id: str, group_id: str, user_id: str) -> Response:
    return _users(_service().remove_user_from_group(group_id, user_id))


# -- public ----------------------------------------------------------------------------------------------------

@operation(bp, "create_cloud")
def create_cloud() -> Response:
    cloud = pp.cloud_request(pp.body(request), request.remote_addr or "127.0.0.1")
    return jsonify(_service().create_cloud(cloud, request.host_url))


@operation(bp, "create_agent_account")
def create_agent_account() -> Response:
    return jsonify(_service().create_agent_account(pp.agent_account_request(pp.body(request))))
