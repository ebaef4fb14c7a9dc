"""The Account Provisioning API over one account: sub-accounts (each served as a cloud), their access keys,
users and user groups; and the public ``create_cloud`` / ``create_agent_account`` calls."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from emulator import credentials
from emulator.backend.provisioning import public
from emulator.backend.provisioning.models import (
    ROLES,
    AccessKey,
    AgentAccountRequest,
    CloudRequest,
    KeyListing,
    KeySpec,
    SubAccount,
    SubAccountFilter,
    SubAccountSpec,
    User,
    UserFilter,
    UserGroup,
    UserSpec,
)
from emulator.backend.provisioning.store import Claimed, Document, ProvisioningStore, UniqueTaken
from emulator.clock import Clock, IdSource
from emulator.config import AccountSettings, CloudConfig
from emulator.errors import AlreadyExists, BadRequest, NotFound

SUB = "sub_account"
USER = "user"
GROUP = "user_group"
CLAIMABLE = "claimable_cloud"
PUBLIC = ""  # the account of claimable clouds: none
CLOUD_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_WHAT = {SUB: "sub account", USER: "user", GROUP: "user group"}
_TAKEN = {SUB: "Cloud name {} is already taken", USER: "User with email {} already exists",
          GROUP: "User group with name {} already exists"}


class Provisioning:
    def __init__(self, store: ProvisioningStore, account: AccountSettings, clock: Clock, ids: IdSource, *,
                 configured: Callable[[str], bool], started: Callable[[CloudConfig], None]) -> None:
        """``configured(name)``: whether the config file serves that cloud; ``started(cloud)``: a new cloud."""
        self.store = store
        self.account = account
        self.clock = clock
        self.ids = ids
        self._configured = configured
        self._started = started

    # -- who may call -------------------------------------------------------------------------------------------

    def authenticate(self, account_id: str, key: str, secret: str) -> None:
        """The account's provisioning key and secret (a 401 otherwise), then its id (a 404 otherwise)."""
        account = self.account
        credentials.check(key, secret, account.provisioning_api_secret if key == account.provisioning_api_key else None)
        if account_id != self.account.account_id:
            raise NotFound(f"Cannot find account with id {account_id}")

    # -- sub-accounts ------------------------------------------------------------------------------------------

    def sub_accounts(self, query: SubAccountFilter) -> list[SubAccount]:
        every = [SubAccount.from_document(d) for d in self.store.list(self._id, SUB)]
        if query.ids:
            return [s for s in every if s.id in query.ids]
        prefix = (query.prefix or "").lower()
        return [s for s in every if query.enabled in (None, s.enabled) and s.name.lower().startswith(prefix)]

    def sub_account(self, sub_account_id: str) -> SubAccount:
        found = self.store.get(self._id, SUB, sub_account_id)
        if found is None:
            raise NotFound(f"Cannot find sub account with id {sub_account_id}")
        return SubAccount.from_document(found)

    def create_sub_account(self, spec: SubAccountSpec) -> SubAccount:
        if not spec.name:
            raise BadRequest("Missing required parameter - name")
        base = self.sub_account(spec.base_sub_account_id) if spec.base_sub_account_id else None
        cloud_name = self._free_cloud_name(spec.cloud_name or f"c-{self.ids.alnum(10)}")
        now = self.clock.now()
        sub = SubAccount(id=self.ids.hex(32), name=spec.name, cloud_name=cloud_name,
                         enabled=True if spec.enabled is None else spec.enabled, created_at=now,
                         custom_attributes=dict(spec.custom_attributes or (base.custom_attributes if base else {})),
                         keys=(self._new_key(None, True, now),))
        if not self.store.insert(self._id, SUB, sub.id, Claimed(cloud_name.lower(), sub.document())):
            raise AlreadyExists(_TAKEN[SUB].format(cloud_name))
        self._started(served(sub))
        return sub

    def update_sub_account(self, sub_account_id: str, spec: SubAccountSpec) -> SubAccount:
        cloud_name = spec.cloud_name
        if cloud_name is not None and cloud_name.lower() != self.sub_account(sub_account_id).cloud_name.lower():
            self._free_cloud_name(cloud_name)

        now = self.clock.now()

        def change(doc: Document) -> Claimed:
            sub = SubAccount.from_document(doc)
            sub = replace(sub, name=spec.name or sub.name, cloud_name=cloud_name or sub.cloud_name, updated_at=now,
                          enabled=sub.enabled if spec.enabled is None else spec.enabled,
                          custom_attributes=sub.custom_attributes if spec.custom_attributes is None
                          else dict(spec.custom_attributes))
            return Claimed(sub.cloud_name.lower(), sub.document())

        updated = SubAccount.from_document(self._modify(SUB, sub_account_id, change))
        if cloud_name is not None:
            self._started(served(updated))
        return updated

    def delete_sub_account(self, sub_account_id: str) -> None:
        if self.store.delete(self._id, SUB, sub_account_id) is None:
            raise NotFound(f"Cannot find sub account with id {sub_account_id}")
        def without(user: User) -> User:
            return replace(user, sub_account_ids=tuple(i for i in user.sub_account_ids if i != sub_account_id))

        for user in self._users():
            if sub_account_id in user.sub_account_ids:
                self._modify(USER, user.id, _user_change(without))

    def _free_cloud_name(self, name: str) -> str:
        if not CLOUD_NAME.match(name):
            raise BadRequest(f"Invalid cloud_name {name}: use letters, digits, '_' and '-' (at most 64)")
        if self._configured(name) or any(self.store.find(account, kind, name.lower()) is not None
                                         for account, kind in self._clouds):
            raise AlreadyExists(_TAKEN[SUB].format(name))
        return name

    def served_cloud(self, name: str) -> CloudConfig | None:
        """The cloud of an enabled sub-account or claimable cloud, authenticated by its enabled access keys."""
        for account, kind in self._clouds:
            found = self.store.find(account, kind, name.lower())
            if found is not None:
                sub = SubAccount.from_document(found)
                return served(sub) if sub.enabled and sub.cloud_name == name else None
        return None

    @property
    def _clouds(self) -> tuple[tuple[str, str], ...]:
        """Where clouds are kept: the account's sub-accounts, and the claimable clouds of no account."""
        return (self._id, SUB), (PUBLIC, CLAIMABLE)

    # -- the public calls --------------------------------------------------------------------------------------

    def create_cloud(self, request: CloudRequest, base_url: str) -> dict[str, Any]:
        """A claimable cloud, served at once (its delivery is not limited to ``delivery_ips`` here)."""
        addresses = public.delivery_ips(request)
        email = public.email(request.email) if request.email else f"cloud-{self.ids.hex(16)}@cloud.cloudinary.invalid"
        now = self.clock.now()
        name = self._free_cloud_name(f"cloud-{self.ids.alnum(10)}")
        sub = SubAccount(id=self.ids.hex(32), name=name, cloud_name=name, enabled=True, created_at=now,
                         keys=(self._new_key(None, True, now),))
        if not self.store.insert(PUBLIC, CLAIMABLE, sub.id, Claimed(name.lower(), sub.document())):
            raise AlreadyExists(_TAKEN[SUB].format(name))
        self._started(served(sub))
        return public.cloud_answer(sub, email, addresses, now, base_url, account_id=str(uuid.UUID(sub.id)))

    def create_agent_account(self, request: AgentAccountRequest) -> dict[str, Any]:
        """An agent's account: its product environment's credentials stay inert (no email is ever verified
        here), so nothing is stored and no cloud is served."""
        public.check_agent(request)
        key = self._new_key(None, False, self.clock.now())
        return public.agent_answer(request, self.ids.hex(32), self.ids.hex(31), f"c-{self.ids.alnum(10)}", key)

    # -- access keys -------------------------------------------------------------------------------------------

    def access_keys(self, sub_account_id: str, listing: KeyListing) -> tuple[list[AccessKey], int]:
        keys = sorted(self.sub_account(sub_account_id).keys, key=lambda k: _sort_value(k, listing.sort_by),
                      reverse=listing.descending)
        if listing.page_size is None:
            return keys, len(keys)
        start = ((listing.page or 1) - 1) * listing.page_size
        return keys[start:start + listing.page_size], len(keys)

    def generate_access_key(self, sub_account_id: str, spec: KeySpec) -> AccessKey:
        key = self._new_key(spec.name, True if spec.enabled is None else spec.enabled, self.clock.now())

        def add(sub: SubAccount) -> SubAccount:
            _unique_key_name(sub, key.name, key.api_key)
            return sub.with_keys((*sub.keys, key))

        self._change_sub(sub_account_id, add)
        return key

    def update_access_key(self, sub_account_id: str, api_key: str, spec: KeySpec) -> AccessKey:
        now = self.clock.now()

        def update(sub: SubAccount) -> SubAccount:
            old = _key_of(sub, api_key)
            name = old.name if spec.name is None else spec.name
            _unique_key_name(sub, name, api_key)
            new = replace(old, name=name, enabled=old.enabled if spec.enabled is None else spec.enabled,
                          dedicated_for=old.dedicated_for if spec.dedicated_for is None else spec.dedicated_for,
                          updated_at=now)
            # a purpose has one dedicated key: giving it to this key takes it from the others
            others = [replace(k, dedicated_for=tuple(p for p in k.dedicated_for if p not in new.dedicated_for))
                      for k in sub.keys]
            return sub.with_keys(tuple(new if k.api_key == api_key else k for k in others))

        return _key_of(self._change_sub(sub_account_id, update), api_key)

    def delete_access_key(self, sub_account_id: str, api_key: str | None, name: str | None) -> None:
        if not api_key and not name:
            raise BadRequest("Missing required parameter - api_key or name")

        def remove(sub: SubAccount) -> SubAccount:
            doomed = _key_of(sub, api_key) if api_key else _key_named(sub, str(name))
            return sub.with_keys(tuple(k for k in sub.keys if k.api_key != doomed.api_key))

        self._change_sub(sub_account_id, remove)

    def _new_key(self, name: str | None, enabled: bool, now: float) -> AccessKey:
        digits = str(10**14 + int(self.ids.hex(15), 16) % (9 * 10**14))
        return AccessKey(api_key=digits, api_secret=self.ids.alnum(27), name=name or f"key-{digits[-6:]}",
                         enabled=enabled, created_at=now, updated_at=now)

    def _change_sub(self, sub_account_id: str, change: Callable[[SubAccount], SubAccount]) -> SubAccount:
        def claimed(doc: Document) -> Claimed:
            sub = change(SubAccount.from_document(doc))
            return Claimed(sub.cloud_name.lower(), sub.document())

        return SubAccount.from_document(self._modify(SUB, sub_account_id, claimed))

    # -- users -------------------------------------------------------------------------------------------------

    def users(self, query: UserFilter) -> list[dict[str, Any]]:
        if query.sub_account_id is not None:
            self.sub_account(query.sub_account_id)
        groups = self._groups()
        return [self._render(u, groups) for u in self._users() if _matches(u, query)]

    def user(self, user_id: str) -> dict[str, Any]:
        return self._render(self._user(user_id), self._groups())

    def create_user(self, spec: UserSpec) -> dict[str, Any]:
        for field_name in ("name", "email", "role"):
            if not getattr(spec, field_name):
                raise BadRequest(f"Missing required parameter - {field_name}")
        now = self.clock.now()
        user = User(id=self.ids.hex(30), name=str(spec.name), email=_email(str(spec.email)),
                    role=_role(str(spec.role)), created_at=now, updated_at=now,
                    sub_account_ids=self._known_subs(spec.sub_account_ids or ()))
        if not self.store.insert(self._id, USER, user.id, Claimed(user.email.lower(), user.document())):
            raise AlreadyExists(_TAKEN[USER].format(user.email))
        return self._render(user, self._groups())

    def update_user(self, user_id: str, spec: UserSpec) -> dict[str, Any]:
        email = _email(spec.email) if spec.email else None
        role = _role(spec.role) if spec.role else None
        subs = self._known_subs(spec.sub_account_ids) if spec.sub_account_ids is not None else None
        now = self.clock.now()

        def change(user: User) -> User:
            return replace(user, name=spec.name or user.name, email=email or user.email, role=role or user.role,
                           sub_account_ids=user.sub_account_ids if subs is None else subs, updated_at=now)

        doc = self._modify(USER, user_id, _user_change(change))
        return self._render(User.from_document(doc), self._groups())

    def delete_user(self, user_id: str) -> None:
        if self.store.delete(self._id, USER, user_id) is None:
            raise NotFound(f"Cannot find user with id {user_id}")
        for group in self._groups():
            if user_id in group.user_ids:
                self._change_group(group.id, lambda g: replace(g, user_ids=tuple(i for i in g.user_ids
                                                                                   if i != user_id)))

    def _user(self, user_id: str) -> User:
        found = self.store.get(self._id, USER, user_id)
        if found is None:
            raise NotFound(f"Cannot find user with id {user_id}")
        return User.from_document(found)

    def _users(self) -> list[User]:
        return [User.from_document(d) for d in self.store.list(self._id, USER)]

    def _render(self, user: User, groups: Iterable[UserGroup]) -> dict[str, Any]:
        return user.render([g.render() for g in groups if user.id in g.user_ids])

    def _known_subs(self, ids: Iterable[str]) -> tuple[str, ...]:
        for sub_account_id in ids:
            self.sub_account(sub_account_id)
        return tuple(dict.fromkeys(ids))

    # -- user groups -------------------------------------------------------------------------------------------

    def user_groups(self, *, extended: bool = False) -> list[dict[str, Any]]:
        """Every group as answered; ``extended``: with its members and dates (``extended_details=true``), the
        users read once for all of them."""
        groups = self._groups()
        if not extended:
            return [g.render() for g in groups]
        users = self._users_by_id()
        return [g.extended(self._members(g, users)) for g in groups]

    def user_group_answer(self, group_id: str, *, extended: bool = False) -> dict[str, Any]:
        """One group as answered (``extended``: with its members and dates)."""
        group = self.user_group(group_id)
        return group.extended(self._members(group)) if extended else group.render()

    def user_group(self, group_id: str) -> UserGroup:
        found = self.store.get(self._id, GROUP, group_id)
        if found is None:
            raise NotFound(f"Cannot find user group with id {group_id}")
        return UserGroup.from_document(found)

    def create_user_group(self, name: str | None) -> UserGroup:
        if not name:
            raise BadRequest("Missing required parameter - name")
        now = self.clock.now()
        group = UserGroup(id=self.ids.hex(32), name=name, created_at=now, updated_at=now)
        if not self.store.insert(self._id, GROUP, group.id, Claimed(name.lower(), group.document())):
            raise AlreadyExists(_TAKEN[GROUP].format(name))
        return group

    def update_user_group(self, group_id: str, name: str | None) -> UserGroup:
        if not name:
            raise BadRequest("Missing required parameter - name")
        return self._change_group(group_id, lambda g: replace(g, name=name))

    def delete_user_group(self, group_id: str) -> None:
        if self.store.delete(self._id, GROUP, group_id) is None:
            raise NotFound(f"Cannot find user group with id {group_id}")

    def add_user_to_group(self, group_id: str, user_id: str) -> list[User]:
        self._user(user_id)
        group = self._change_group(group_id, lambda g: replace(g, user_ids=tuple(dict.fromkeys((*g.user_ids,
                                                                                                   user_id)))))
        return self._members(group)

    def remove_user_from_group(self, group_id: str, user_id: str) -> list[User]:
        group = self.user_group(group_id)
        if user_id not in group.user_ids:
            raise NotFound(f"Cannot find user with id {user_id} in user group {group_id}")
        group = self._change_group(group_id, lambda g: replace(g, user_ids=tuple(i for i in g.user_ids
                                                                                 if i != user_id)))
        return self._members(group)

    def group_users(self, group_id: str) -> list[User]:
        return self._members(self.user_group(group_id))

    def groups_of(self, user_id: str) -> list[UserGroup]:
        self._user(user_id)
        return [g for g in self._groups() if user_id in g.user_ids]

    def _groups(self) -> list[UserGroup]:
        return [UserGroup.from_document(d) for d in self.store.list(self._id, GROUP)]

    def _users_by_id(self) -> dict[str, User]:
        return {u.id: u for u in self._users()}

    def _members(self, group: UserGroup, users: dict[str, User] | None = None) -> list[User]:
        """The group's users that still exist, in its order (``users``: all of them, read already)."""
        known = self._users_by_id() if users is None else users
        return [known[i] for i in group.user_ids if i in known]

    def _change_group(self, group_id: str, change: Callable[[UserGroup], UserGroup]) -> UserGroup:
        now = self.clock.now()

        def claimed(doc: Document) -> Claimed:
            group = replace(change(UserGroup.from_document(doc)), updated_at=now)
            return Claimed(group.name.lower(), group.document())

        return UserGroup.from_document(self._modify(GROUP, group_id, claimed))

    # -- shared ------------------------------------------------------------------------------------------------

    @property
    def _id(self) -> str:
        return self.account.account_id

    def _modify(self, kind: str, id: str, change: Callable[[Document], Claimed]) -> Document:
        try:
            changed = self.store.modify(self._id, kind, id, change)
        except UniqueTaken as exc:
            raise AlreadyExists(_TAKEN[kind].format(exc.args[0])) from exc
        if changed is None:
            raise NotFound(f"Cannot find {_WHAT[kind]} with id {id}")
        return changed

    def reset(self) -> None:
        self.store.reset()


def served(sub: SubAccount) -> CloudConfig:
    """A sub-account as the cloud the Upload, Admin and delivery routes serve: its first enabled key is the
    cloud's own, the other enabled keys authenticate as well; the key dedicated to webhooks signs notifications."""
    enabled = [k for k in sub.keys if k.enabled]
    first = enabled[0] if enabled else None
    webhooks = next((k.api_secret for k in sub.keys if "webhooks" in k.dedicated_for), "")
    return CloudConfig(name=sub.cloud_name, api_key=first.api_key if first else "",
                       api_secret=first.api_secret if first else "",
                       other_keys={k.api_key: k.api_secret for k in enabled[1:]}, webhook_secret=webhooks)


def _user_change(change: Callable[[User], User]) -> Callable[[Document], Claimed]:
    def claimed(doc: Document) -> Claimed:
        user = change(User.from_document(doc))
        return Claimed(user.email.lower(), user.document())

    return claimed


def _matches(user: User, query: UserFilter) -> bool:
    if query.ids and user.id not in query.ids:
        return False
    if query.pending is not None and user.pending != query.pending:
        return False
    prefix = (query.prefix or "").lower()
    if prefix and not (user.name.lower().startswith(prefix) or user.email.lower().startswith(prefix)):
        return False
    if query.sub_account_id and not (user.all_sub_accounts or query.sub_account_id in user.sub_account_ids):
        return False
    if query.last_login is not None:
        return _logged_in(user, query) == query.last_login
    return True


def _logged_in(user: User, query: UserFilter) -> bool:
    """Whether the user last logged in within the query's dates (never, here: no one logs in)."""
    at = user.last_login
    return at is not None and (query.since is None or at >= query.since) and (query.until is None
                                                                                 or at <= query.until)


def _email(value: str) -> str:
    return public.email(value)


def _role(value: str) -> str:
    if value not in ROLES:
        raise BadRequest(f"Invalid role {value}. Possible values: {', '.join(ROLES)}")
    return value


def _sort_value(key: AccessKey, sort_by: str) -> Any:
    return {"api_key": key.api_key, "created_at": key.created_at, "name": key.name.lower(),
            "enabled": key.enabled}[sort_by]


def _key_of(sub: SubAccount, api_key: str) -> AccessKey:
    key = sub.key(api_key)
    if key is None:
        raise NotFound(f"Cannot find access key {api_key} in sub account {sub.id}")
    return key


def _key_named(sub: SubAccount, name: str) -> AccessKey:
    key = next((k for k in sub.keys if k.name == name), None)
    if key is None:
        raise NotFound(f"Cannot find access key named {name} in sub account {sub.id}")
    return key


def _unique_key_name(sub: SubAccount, name: str, api_key: str) -> None:
    if any(k.name == name and k.api_key != api_key for k in sub.keys):
        raise AlreadyExists(f"Access key with name {name} already exists")

