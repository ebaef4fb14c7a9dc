"""The answer's fields for the upload extras: eager and derived images, breakpoints, moderation, access,
analyses, versions; and the shapes of restore, archives, sprites, multi and derived deletion."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from emulator import signing
from emulator.backend.archives import Generated
from emulator.backend.compositions import Made
from emulator.backend.lifecycle import Restored
from emulator.backend.models import BreakpointSet, DerivedImage, Resource, UploadOutcome
from emulator.backend.ports import Version
from emulator.backend.queries import ResourcePage
from emulator.backend.related import RelationOutcome, TargetResult
from emulator.backend.visual import Match
from emulator.config import CloudConfig


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


# -- operations' answers ------------------------------------------------------------------------------------------

def _raw_urls(resource: Resource, host: str, transformation: str = "", ext: str | None = None) -> dict[str, str]:
    k = resource.key
    middle = f"{transformation}/" if transformation else ""
    name = f"{k.public_id}.{ext}" if ext else k.public_id
    path = f"{k.cloud}/{k.resource_type}/{k.type}/{middle}v{resource.version}/{name}"
    return {"url": f"http://{host}/{path}", "secure_url": f"https://{host}/{path}"}


def visual_matches(matches: Sequence[Match], host: str) -> dict[str, Any]:
    """``visual_search``: the matching images, most similar first, as a resource list shows them (with tags)."""
    from emulator.api import render_library

    page = render_library.resource_page(ResourcePage([m.resource for m in matches], None), host, with_tags=True,
                                        with_context=False)
    return {"resources": page["resources"], "total_count": len(matches)}


def archive(made: Generated, cloud: CloudConfig, host: str) -> dict[str, Any]:
    """``generate_archive`` in create mode: the stored raw asset, with the counts."""
    r = made.resource
    assert r is not None
    return {"asset_id": r.asset_id, "public_id": r.public_id, "version": r.version, "version_id": r.version_id,
            "signature": signing.response_signature(r.public_id, r.version, cloud.api_secret,
                                                    cloud.signature_algorithm),
            "resource_type": r.key.resource_type, "type": r.key.type, "created_at": _iso(r.created_at),
            "tags": list(r.tags), "bytes": r.bytes, "etag": r.etag, "placeholder": False, "format": r.format,
            **_raw_urls(r, host), "resource_count": made.archive.resource_count,
            "file_count": made.archive.file_count}


def sprite(made: Made, host: str) -> dict[str, Any]:
    r = made.resource
    assert r is not None
    urls = {kind: _raw_urls(r, host, made.transformation, ext)
            for kind, ext in (("css", "css"), ("image", r.format), ("json", "json"))}
    return {"css_url": urls["css"]["url"], "secure_css_url": urls["css"]["secure_url"],
            "image_url": urls["image"]["url"], "secure_image_url": urls["image"]["secure_url"],
            "json_url": urls["json"]["url"], "secure_json_url": urls["json"]["secure_url"],
            "version": r.version, "public_id": r.public_id, "asset_id": r.asset_id,
            "image_infos": {pid: {"width": b.width, "height": b.height, "x": b.x, "y": b.y}
                            for pid, b in made.boxes.items()}}


def multi(made: Made, host: str) -> dict[str, Any]:
    r = made.resource
    assert r is not None
    return {"url": _raw_urls(r, host, made.transformation, r.format)["url"],
            "secure_url": _raw_urls(r, host, made.transformation, r.format)["secure_url"],
            "public_id": r.public_id, "version": r.version, "asset_id": r.asset_id}


def restored(found: Mapping[str, Restored], host: str) -> dict[str, Any]:
    from emulator.api import render

    return {pid: (render.details(item.resource, host) if item.resource is not None else {"error": item.error})
            for pid, item in found.items()}


def access_mode_updated(updated: list[Resource]) -> dict[str, Any]:
    return {"updated": [{"public_id": r.public_id, "access_mode": r.access_mode} for r in updated], "failed": []}


def published(found: list[Resource], host: str) -> dict[str, Any]:
    return {"published": [{"public_id": r.public_id, "access_mode": r.access_mode, "type": r.key.type,
                           "resource_type": r.key.resource_type, **_raw_urls(r, host, ext=r.format)}
                          for r in found], "failed": []}


def relations(outcome: RelationOutcome) -> dict[str, Any]:
    """``add_related_assets`` / ``delete_related_assets``: each target in ``success`` or ``failed``."""
    def entry(result: TargetResult) -> dict[str, Any]:
        return {"message": result.message, "code": "success_ids" if result.ok else "failed_ids",
                "asset": result.asset, "status": result.status}

    return {"success": [entry(r) for r in outcome.results if r.ok],
            "failed": [entry(r) for r in outcome.results if not r.ok]}


def related_assets(found: list[Resource], host: str) -> list[dict[str, Any]]:
    """Details with ``related=true``: the related assets that still exist."""
    return [{"asset_id": r.asset_id, "public_id": r.public_id, "resource_type": r.key.resource_type,
             "type": r.key.type, **_raw_urls(r, host, ext=r.format if r.key.resource_type != "raw" else None)}
            for r in found]
