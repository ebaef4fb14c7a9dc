"""Backend records → the JSON shapes the real service answers with (Cloudinary's Upload and Admin API references)."""

from __future__ import annotations

import time
from typing import Any

from emulator import signing
from emulator.backend.models import Resource, UploadOutcome
from emulator.config import CloudConfig


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _urls(resource: Resource, host: str) -> dict[str, str]:
    k = resource.key
    path = f"{k.cloud}/{k.resource_type}/{k.type}/v{resource.version}/{k.public_id}.{resource.format}"
    return {"url": f"http://{host}/{path}", "secure_url": f"https://{host}/{path}"}


def _common(resource: Resource, host: str) -> dict[str, Any]:
    k = resource.key
    return {
        "asset_id": resource.asset_id,
        "public_id": k.public_id,
        "version": resource.version,
        "version_id": resource.version_id,
        "format": resource.format,
        "width": resource.width,
        "height": resource.height,
        "resource_type": k.resource_type,
        "created_at": iso(resource.created_at),
        "tags": list(resource.tags),
        "bytes": resource.bytes,
        "type": k.type,
        "etag": resource.etag,
        "placeholder": False,
        **_urls(resource, host),
    }


def _extras(resource: Resource) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if resource.context:
        out["context"] = {"custom": dict(resource.context)}
    if resource.info:
        out["info"] = dict(resource.info)
    return out


def upload(outcome: UploadOutcome, cloud: CloudConfig, host: str) -> dict[str, Any]:
    """The upload answer, also used by ``explicit`` and ``rename``."""
    r = outcome.resource
    body = _common(r, host)
    body["signature"] = signing.response_signature(r.public_id, r.version, cloud.api_secret,
                                                   cloud.signature_algorithm)
    body.update(pages=1, folder=r.folder, original_filename=r.original_filename, **_extras(r))
    if outcome.existing:
        body["existing"] = True
    if outcome.overwritten:
        body["overwritten"] = True
    body["api_key"] = cloud.api_key
    return body


def details(resource: Resource, host: str) -> dict[str, Any]:
    """Resource details, also the answer of Admin ``update``."""
    body = _common(resource, host)
    body.update(folder=resource.folder, asset_folder=resource.folder,
                display_name=resource.public_id.rpartition("/")[2], original_filename=resource.original_filename,
                backup=False, access_mode="public", derived=[], **_extras(resource))
    return body
