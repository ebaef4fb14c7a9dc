"""The provisioning records, their documents and their answers (Cloudinary's "Account Provisioning API"
reference: https://cloudinary.com/documentation/provisioning_api)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from emulator.backend.provisioning.store import Document

ROLES = ("master_admin", "admin", "billing", "technical_admin", "reports", "media_library_admin",
         "media_library_user")
KEY_SORTS = ("api_key", "created_at", "name", "enabled")
DEDICATED = ("webhooks",)


def iso(ts: float | None) -> str | None:
    return None if ts is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


@dataclass(frozen=True)
class AccessKey:
    api_key: str
    api_secret: str
    name: str
    enabled: bool
    created_at: float
    updated_at: float
    dedicated_for: tuple[str, ...] = ()

    def render(self) -> dict[str, Any]:
        return {"name": self.name, "api_key": self.api_key, "api_secret": self.api_secret,
                "created_at": iso(self.created_at), "updated_at": iso(self.updated_at), "enabled": self.enabled,
                "dedicated_for": list(self.dedicated_for)}

    def document(self) -> dict[str, Any]:
        return {**self.render(), "created_at": self.created_at, "updated_at": self.updated_at}

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> AccessKey:
        return cls(api_key=doc["api_key"], api_secret=doc["api_secret"], name=doc["name"], enabled=doc["enabled"],
                   created_at=doc["created_at"], updated_at=doc["updated_at"],
                   dedicated_for=tuple(doc.get("dedicated_for", ())))


@dataclass(frozen=True)
class SubAccount:
    id: str
    name: str
    cloud_name: str
    enabled: bool
    created_at: float
    custom_attributes: Mapping[str, Any] = field(default_factory=dict)
    description: str | None = None
    keys: tuple[AccessKey, ...] = ()
    updated_at: float | None = None  # None: never changed

    def render(self) -> dict[str, Any]:
        return {"cloud_name": self.cloud_name, "name": self.name, "enabled": self.enabled, "id": self.id,
                "api_access_keys": [{"key": k.api_key, "secret": k.api_secret, "enabled": k.enabled}
                                    for k in self.keys],
                "created_at": iso(self.created_at), "updated_at": iso(self.updated_at or self.created_at),
                "description": self.description, "custom_attributes": dict(self.custom_attributes)}

    def document(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "cloud_name": self.cloud_name, "enabled": self.enabled,
                "created_at": self.created_at, "custom_attributes": dict(self.custom_attributes),
                "description": self.description, "keys": [k.document() for k in self.keys],
                "updated_at": self.updated_at}

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> SubAccount:
        return cls(id=doc["id"], name=doc["name"], cloud_name=doc["cloud_name"], enabled=doc["enabled"],
                   created_at=doc["created_at"], custom_attributes=doc.get("custom_attributes") or {},
                   description=doc.get("description"),
                   keys=tuple(AccessKey.from_document(k) for k in doc.get("keys", ())),
                   updated_at=doc.get("updated_at"))

    def key(self, api_key: str) -> AccessKey | None:
        return next((k for k in self.keys if k.api_key == api_key), None)

    def with_keys(self, keys: tuple[AccessKey, ...]) -> SubAccount:
        return replace(self, keys=keys)


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str
    role: str
    created_at: float
    updated_at: float
    sub_account_ids: tuple[str, ...] = ()
    pending: bool = True  # until the user sets a password, which never happens here
    enabled: bool = True
    last_login: float | None = None

    @property
    def all_sub_accounts(self) -> bool:
        """A user given no sub-accounts, and every master admin, may access them all."""
        return self.role == "master_admin" or not self.sub_account_ids

    def render(self, groups: list[dict[str, str]]) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role, "email": self.email, "pending": self.pending,
                "enabled": self.enabled, "created_at": iso(self.created_at), "updated_at": iso(self.updated_at),
                "last_login": iso(self.last_login), "all_sub_accounts": self.all_sub_accounts,
                "sub_account_ids": [] if self.all_sub_accounts else list(self.sub_account_ids), "groups": groups}

    def brief(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "email": self.email}

    def document(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "email": self.email, "role": self.role,
                "created_at": self.created_at, "updated_at": self.updated_at,
                "sub_account_ids": list(self.sub_account_ids), "pending": self.pending, "enabled": self.enabled,
                "last_login": self.last_login}

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> User:
        return cls(id=doc["id"], name=doc["name"], email=doc["email"], role=doc["role"],
                   created_at=doc["created_at"], updated_at=doc["updated_at"],
                   sub_account_ids=tuple(doc.get("sub_account_ids", ())), pending=doc.get("pending", True),
                   enabled=doc.get("enabled", True), last_login=doc.get("last_login"))


@dataclass(frozen=True)
class UserGroup:
    id: str
    name: str
    user_ids: tuple[str, ...] = ()
    created_at: float = 0.0
    updated_at: float = 0.0

    def render(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}

    def extended(self, members: list[User]) -> dict[str, Any]:
        """With ``extended_details=true``: the members and the group's dates too."""
        return {**self.render(), "users": [u.brief() for u in members], "created_at": iso(self.created_at),
                "updated_at": iso(self.updated_at)}

    def document(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "user_ids": list(self.user_ids), "created_at": self.created_at,
                "updated_at": self.updated_at}

    @classmethod
    def from_document(cls, doc: Document) -> UserGroup:
        return cls(id=doc["id"], name=doc["name"], user_ids=tuple(doc.get("user_ids", ())),
                   created_at=doc.get("created_at", 0.0), updated_at=doc.get("updated_at", 0.0))


# -- requests ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SubAccountSpec:
    name: str | None = None
    cloud_name: str | None = None
    custom_attributes: Mapping[str, Any] | None = None
    enabled: bool | None = None
    base_sub_account_id: str | None = None  # only on create


@dataclass(frozen=True)
class SubAccountFilter:
    enabled: bool | None = None
    ids: tuple[str, ...] = ()
    prefix: str | None = None


@dataclass(frozen=True)
class UserSpec:
    name: str | None = None
    email: str | None = None
    role: str | None = None
    sub_account_ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class UserFilter:
    ids: tuple[str, ...] = ()
    pending: bool | None = None
    prefix: str | None = None
    sub_account_id: str | None = None
    last_login: bool | None = None
    since: float | None = None  # ``from``: the start of that day
    until: float | None = None  # ``to``: the end of that day


@dataclass(frozen=True)
class KeyListing:
    page_size: int | None = None
    page: int | None = None
    sort_by: str = "created_at"
    descending: bool = True


@dataclass(frozen=True)
class KeySpec:
    name: str | None = None
    enabled: bool | None = None
    dedicated_for: tuple[str, ...] | None = None  # only on update


@dataclass(frozen=True)
class CloudRequest:
    """``create_cloud`` (public): a claimable cloud whose delivery is limited to some addresses."""

    delivery_ips: tuple[str, ...] | None
    requester_ip: str
    email: str | None = None


@dataclass(frozen=True)
class AgentAccountRequest:
    email: str
    agent_framework: str
    agent_llm_model: str
    agent_goal: str
    sdk_framework: str | None = None
