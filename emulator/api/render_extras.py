"""The answer's fields for the upload extras: eager and derived images, breakpoints, moderation, access,
analyses, versions; and the shapes of restore, archives, sprites, multi and derived deletion."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from emulator.backend.models import BreakpointSet, DerivedImage, Resource, UploadOutcome
from emulator.backend.ports import Version


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def derived_urls(resource: Resource, transformation: str, fmt: str, host: str) -> dict[str, str]:
    k = resource.key
    path = f"{k.cloud}/{k.resource_type}/{k.type}/{transformation}/v{resource.version}/{k.public_id}.{fmt}"
    return {"url": f"http://{host}/{path}", "secure_url": f"https://{host}/{path}"}


def derived(resource: Resource, host: str) -> list[dict[str, Any]]:
    """Details' ``derived``: every derived image the resource keeps."""
    return [{"transformation": d.transformation, "format": d.format, "bytes": d.bytes, "id": d.id,
             **derived_urls(resource, d.transformation, d.format, host)} for d in resource.derived]


def eager(resource: Resource, made: tuple[DerivedImage, ...], host: str) -> list[dict[str, Any]]:
    """Upload's ``eager``: the derived images this request made (dimensions when the emulator rendered them)."""
    out = []
    for d in made:
        item: dict[str, Any] = {"transformation": d.transformation, "format": d.format}
        if d.sha256:
            item.update(width=d.width, height=d.height, bytes=d.bytes)
        out.append({**item, **derived_urls(resource, d.transformation, d.format, host)})
    return out


def breakpoints(resource: Resource, sets: tuple[BreakpointSet, ...], host: str) -> list[dict[str, Any]]:
    return [{"breakpoints": [{"width": p.width, "height": p.height, "bytes": p.size,
                              **derived_urls(resource, p.transformation, p.format, host)} for p in s.breakpoints],
             "transformation": s.settings.transformation} for s in sets]


def moderation(resource: Resource, *, details: bool) -> dict[str, Any]:
    if not resource.moderation:
        return {}
    items = []
    for m in resource.moderation:
        item: dict[str, Any] = {"kind": m.kind, "status": m.status}
        if details and m.updated_at is not None:
            item["updated_at"] = _iso(m.updated_at)
        items.append(item)
    out: dict[str, Any] = {"moderation": items}
    if details:
        out.update(moderation_kind=resource.moderation[0].kind, moderation_status=resource.moderation[0].status)
    return out


def access(resource: Resource) -> dict[str, Any]:
    out: dict[str, Any] = {"access_mode": resource.access_mode}
    if resource.access_control:
        out["access_control"] = [dict(rule) for rule in resource.access_control]
    return out


def upload(outcome: UploadOutcome, host: str) -> dict[str, Any]:
    """What upload / explicit add to their answer."""
    r = outcome.resource
    out: dict[str, Any] = {**moderation(r, details=False), **dict(outcome.analysis)}
    if r.access_mode != "public" or r.access_control:
        out.update(access(r))
    if outcome.eager:
        out["eager"] = eager(r, outcome.eager, host)
    if outcome.breakpoints:
        out["responsive_breakpoints"] = breakpoints(r, outcome.breakpoints, host)
    if r.backup:
        out["backup"] = True
    return out


def details(resource: Resource, host: str, analysis: Mapping[str, Any],
            versions: list[Version] | None) -> dict[str, Any]:
    """What details (and Admin update) add: derived, lifecycle fields, requested analyses and versions."""
    out: dict[str, Any] = {"backup": resource.backup, "derived": derived(resource, host),
                           "placeholder": resource.placeholder, **access(resource),
                           **moderation(resource, details=True), **dict(analysis)}
    if resource.placeholder:
        out["bytes"] = 0
    if versions is not None:
        out["versions"] = [{"version_id": v.resource.version_id, "version": v.resource.version,
                            "format": v.resource.format, "size": v.resource.bytes, "time": _iso(v.backed_up_at),
                            "restorable": True} for v in versions]
    return out
