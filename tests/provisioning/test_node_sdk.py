"""A representative subset of the Account Provisioning API through the official Node SDK (JSON and urlencoded
bodies, repeated query parameters)."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.config import DEFAULT_ACCOUNT_ID, DEFAULT_PROVISIONING_API_KEY, DEFAULT_PROVISIONING_API_SECRET
from tests.conftest import TURTLES

pytestmark = pytest.mark.e2e
OPTIONS = (f"{{account_id: '{DEFAULT_ACCOUNT_ID}', provisioning_api_key: '{DEFAULT_PROVISIONING_API_KEY}', "
           f"provisioning_api_secret: '{DEFAULT_PROVISIONING_API_SECRET}'}}")


def test_sub_accounts_users_groups_and_keys(node: Any) -> None:
    result = node(f"""
        const account = cloudinary.provisioning.account;
        const o = () => ({OPTIONS});
        const sub = await account.create_sub_account('Shop', 'shop2', {{tier: 'gold'}}, true, undefined, o());
        const key = await account.generate_access_key(sub.id, {{...o(), name: 'ci', enabled: true}});
        const keys = await account.access_keys(sub.id, {{...o(), sort_by: 'name', sort_order: 'asc'}});
        const jane = await account.create_user('Jane', 'jane@example.com', 'admin', [sub.id], o());
        const john = await account.create_user('John', 'john@example.com', 'billing', [], o());
        const both = await account.users(true, [jane.id, john.id], undefined, sub.id, o());
        const group = await account.create_user_group('Editors', o());
        const renamed = await account.update_user_group(group.id, 'Writers', o());
        const members = await account.add_user_to_group(group.id, jane.id, o());
        const byName = await account.delete_access_key_by_name(sub.id, {{...o(), name: 'ci'}});
        let refused = null;
        try {{ await account.sub_account('nope', o()); }} catch (e) {{ refused = e.error; }}
        return {{sub: [sub.cloud_name, sub.custom_attributes], key: [key.name, key.enabled],
                 keys: keys.access_keys.map(k => k.name), total: keys.total, both: both.users.map(u => u.name),
                 renamed: renamed.name, members: members.users.map(u => u.email), byName, refused}};
    """)
    assert result["keys"][0] == "ci" and result["keys"][1].startswith("key-")  # the first key's generated name
    assert result == {
        "sub": ["shop2", {"tier": "gold"}], "key": ["ci", True], "keys": result["keys"],
        "total": 2, "both": ["Jane", "John"], "renamed": "Writers", "members": ["jane@example.com"],
        "byName": {"message": "ok"},
        "refused": {"message": "Cannot find sub account with id nope", "http_code": 404}}


def test_the_sub_accounts_cloud_takes_node_uploads(node: Any) -> None:
    result = node(f"""
        const sub = await cloudinary.provisioning.account.create_sub_account('Shop', 'shop3', {{}}, true,
            undefined, {OPTIONS});
        const k = sub.api_access_keys[0];
        const up = await cloudinary.uploader.upload({str(TURTLES)!r},
            {{cloud_name: 'shop3', api_key: k.key, api_secret: k.secret, public_id: 'dot'}});
        return up.public_id;
    """)
    assert result == "dot"
