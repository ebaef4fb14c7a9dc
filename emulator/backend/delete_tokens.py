"""Delete tokens: ``return_delete_token`` on upload, ``POST /v1_1/<cloud>/delete_by_token`` to use one.

Cloudinary's client-side flow (the jQuery plugin's ``$.cloudinary.delete_by_token``, cloudinary_js's
``delete_by_token``, the Java SDK's ``Uploader.deleteByToken``): an upload that asks for it answers a
``delete_token``; posting that token, unsigned, within 10 minutes deletes the asset it was issued for.

A token is self-contained, so nothing is stored: the cloud name, the asset id and the expiry, signed with the
cloud's API secret (HMAC-SHA256). It deletes the asset it names only, even after a rename, and never an asset
uploaded later under the same public id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Protocol

from emulator.backend.models import Resource, ResourceKey
from emulator.clock import Clock
from emulator.config import CloudConfig
from emulator.errors import BadRequest

VALID_FOR = 600  # seconds: "valid for 10 minutes" (Cloudinary's upload API reference, return_delete_token)


class AssetsById(Protocol):
    def find_by_asset_id(self, cloud: str, asset_id: str) -> Resource | None: ...

    def delete(self, keys: list[ResourceKey]) -> list[bool]: ...


class DeleteTokens:
    def __init__(self, repo: AssetsById, clock: Clock) -> None:
        self.repo = repo
        self.clock = clock

    def issue(self, cloud: CloudConfig, resource: Resource) -> str:
        payload = json.dumps({"c": cloud.name, "a": resource.asset_id, "e": int(self.clock.now()) + VALID_FOR},
                             separators=(",", ":")).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{_mac(cloud, body)}"

    def delete(self, cloud: CloudConfig, token: str) -> bool:
        """Delete the token's asset: True if it was there, False if it is already gone."""
        claims = _claims(cloud, token)
        if claims.expires < self.clock.now():
            raise BadRequest("Stale delete token - it was valid for 10 minutes after the upload")
        found = self.repo.find_by_asset_id(cloud.name, claims.asset_id)
        if found is None or found.placeholder:
            return False
        return self.repo.delete([found.key])[0]


def _mac(cloud: CloudConfig, body: str) -> str:
    return hmac.new(cloud.api_secret.encode(), f"delete_token:{body}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class _Claims:
    asset_id: str
    expires: int


def _claims(cloud: CloudConfig, token: str) -> _Claims:
    body, _, mac = token.strip().partition(".")
    if not body or not hmac.compare_digest(mac.encode(), _mac(cloud, body).encode()):  # bytes: any text
        raise BadRequest("Invalid token")
    try:
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise BadRequest("Invalid token") from exc
    if not isinstance(claims, dict) or claims.get("c") != cloud.name or not isinstance(claims.get("e"), int) \
            or not isinstance(claims.get("a"), str):
        raise BadRequest("Invalid token")
    return _Claims(claims["a"], claims["e"])
