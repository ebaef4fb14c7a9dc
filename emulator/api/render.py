"""Backend records → the JSON shapes the real service answers with (Cloudinary's Upload and Admin API references)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from emulator import signing
from emulator.api import render_extras
from emulator.backend.models import Resource, UploadOutcome
from emulator.backend.ports import Version
from emulator.config import CloudConfig


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def urls(resource: Resource, host: str) -> dict[str, str]:
    k = resource.key
    # A raw file's public id keeps its extension; images and videos get theirs from ``format``.
    suffix = f".{resource.format}" if resource.format and k.resource_type != "raw" else ""
    path = f"{k.cloud}/{k.resource_type}/{k.type}/v{resource.version}/{k.public_id}{suffix}"
    return {"url": f"http://{host}/{path}", "secure_url": f"https://{host}/{path}"}


def _common(resource: Resource, host: str) -> dict[str, Any]:
    """The fields every answer about a resource has; raw files have no format or dimensions, audio files
    (filed under ``video``) no dimensions, as the real service answers."""
    k = resource.key
    body: dict[str, Any] = {
        "asset_id": resource.asset_id,
        "public_id": k.public_id,
        "version": resource.version,
        "version_id": resource.version_id,
    }
    if k.resource_type != "raw":
        body["format"] = resource.format
    if has_dimensions(resource):
        body.update(width=resource.width, height=resource.height)
    body.update({
        "resource_type": k.resource_type,
        "created_at": iso(resource.created_at),
        "tags": list(resource.tags),
        "bytes": resource.bytes,
        "type": k.type,
        "etag": resource.etag,
        "placeholder": resource.placeholder,
        **urls(resource, host),
    })
    return body


def has_dimensions(resource: Resource) -> bool:
    """Whether answers about the resource give its width and height: images and videos, not audio or raw files."""
    kind = resource.key.resource_type
    return kind == "image" or (kind == "video" and not resource.media.get("is_audio"))


def _media(resource: Resource) -> dict[str, Any]:
    """A video's or audio file's facts (duration, bit_rate, frame_rate, codecs), read from the file."""
    return {k: v for k, v in resource.media.items() if k not in ("width", "height")}


def _extras(resource: Resource) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if resource.context:
        out["context"] = {"custom": dict(resource.context)}
    if resource.metadata:
        out["metadata"] = dict(resource.metadata)
    if resource.info:
        out["info"] = dict(resource.info)
    return out


def upload(outcome: UploadOutcome, cloud: CloudConfig, host: str) -> dict[str, Any]:
    """The upload answer, also used by ``explicit`` and ``rename``."""
    r = outcome.resource
    body = _common(r, host)
    body["signature"] = signing.response_signature(r.public_id, r.version, cloud.api_secret,
                                                   cloud.signature_algorithm)
    if r.key.resource_type == "image":
        body["pages"] = 1
    body.update(_media(r))
    body.update(folder=r.folder, asset_folder=r.effective_asset_folder,
                display_name=r.effective_display_name, original_filename=r.original_filename, access_mode="public",
                **_extras(r))
    body.update(render_extras.upload(outcome, host))
    if outcome.existing:
        body["existing"] = True
    if outcome.overwritten:
        body["overwritten"] = True
    body["api_key"] = cloud.api_key
    return body


def part(received: int, upload_id: str | None, public_id: str | None) -> dict[str, Any]:
    """A part of a chunked upload that did not complete it (docs/sdk-wire.md, "Chunked uploads"): the
    requested ``public_id`` is echoed, none is invented."""
    body: dict[str, Any] = {"done": False}
    if upload_id:
        body["upload_id"] = upload_id
    body["bytes"] = received
    if public_id:
        body["public_id"] = public_id
    return body


def details(resource: Resource, host: str, analysis: Mapping[str, Any] | None = None,
            versions: list[Version] | None = None) -> dict[str, Any]:
    """Resource details, also the answer of Admin ``update``; with the analyses and versions asked for
    (``colors=true``, ``versions=true`` ...)."""
    body = _common(resource, host)
    body.update(_media(resource))
    body.update(folder=resource.folder, asset_folder=resource.effective_asset_folder,
                display_name=resource.effective_display_name, original_filename=resource.original_filename,
                **_extras(resource))
    body.update(render_extras.details(resource, host, analysis or {}, versions))
    return body


def resource_details(resource: Resource, host: str, analysis: Mapping[str, Any] | None = None,
                     versions: list[Version] | None = None) -> dict[str, Any]:
    """``GET`` details: as :func:`details`, but tags in alphabetical order and left out when there are none
    (the real service's answer; update and upload answers keep the order the tags were given in)."""
    body = details(resource, host, analysis, versions)
    if resource.tags:
        body["tags"] = sorted(resource.tags)
    else:
        del body["tags"]
    return body
