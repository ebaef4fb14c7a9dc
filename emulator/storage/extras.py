"""A resource's lifecycle state (derived images, moderation, access, backup, faces) ⇄ one JSON column.

Absent keys read as the model's defaults, so rows written before the column existed read as before.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from emulator import jsontext
from emulator.backend.models import Box, DerivedImage, Moderation, Resource


def dump(r: Resource) -> str:
    if not (r.derived or r.moderation or r.access_control or r.backup or r.faces or r.custom_coordinates
            or r.access_mode != "public"):
        return "{}"  # most resources: no encoder call
    out: dict[str, Any] = {}
    if r.derived:
        out["derived"] = [[d.transformation, d.format, d.bytes, d.width, d.height, d.sha256, d.id]
                          for d in r.derived]
    if r.moderation:
        out["moderation"] = [[m.kind, m.status, m.updated_at] for m in r.moderation]
    if r.access_mode != "public":
        out["access_mode"] = r.access_mode
    if r.access_control:
        out["access_control"] = [dict(rule) for rule in r.access_control]
    if r.backup:
        out["backup"] = True
    if r.faces:
        out["faces"] = [list(b) for b in r.faces]
    if r.custom_coordinates:
        out["custom_coordinates"] = [list(b) for b in r.custom_coordinates]
    return jsontext.text(out)


def load(r: Resource, text: str | None) -> Resource:
    if not text or text == "{}":
        return r
    raw: dict[str, Any] = json.loads(text)
    return replace(
        r,
        derived=tuple(DerivedImage(*item) for item in raw.get("derived", ())),
        moderation=tuple(Moderation(*item) for item in raw.get("moderation", ())),
        access_mode=str(raw.get("access_mode", "public")),
        access_control=tuple(raw.get("access_control", ())),
        backup=bool(raw.get("backup", False)),
        faces=_boxes(raw.get("faces", ())),
        custom_coordinates=_boxes(raw.get("custom_coordinates", ())),
    )


def _boxes(items: Any) -> tuple[Box, ...]:
    return tuple((int(b[0]), int(b[1]), int(b[2]), int(b[3])) for b in items)
