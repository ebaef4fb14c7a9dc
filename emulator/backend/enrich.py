"""What upload, explicit and update do with the extras: the file before it is stored (allowed formats, incoming
transformation, conversion), the lifecycle fields of the record, and the analyses answered from the image."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from PIL import Image

from emulator import media
from emulator.backend import analysis, transform
from emulator.backend.models import Analyses, Box, Moderation, Resource, UploadExtras
from emulator.errors import BadRequest

Faces = Callable[[Resource, bytes], tuple[Box, ...]]  # the fixture engine's faces for stored bytes


@dataclass(frozen=True)
class Prepared:
    data: bytes
    facts: media.ImageFacts


def prepare(data: bytes, facts: media.ImageFacts, extras: UploadExtras) -> Prepared:
    """The bytes to store: ``allowed_formats`` checked against the format they will have, the incoming
    ``transformation`` applied, then ``format`` converted to (a re-encoding, as the real service stores)."""
    target = extras.format or facts.format
    if extras.allowed_formats is not None and target not in extras.allowed_formats:
        raise BadRequest(f"Image file format {target} not allowed")
    if extras.transformation is None and target == facts.format:
        return Prepared(data, facts)
    chain = transform.parse(extras.transformation.split("/")) if extras.transformation else transform.parse([])
    fmt = target if target in transform.FORMATS else "png"
    try:
        out = transform.render(data, chain, fmt)
    except (OSError, ValueError) as exc:
        raise BadRequest(f"Cannot convert the file to {fmt} - {exc}") from exc
    return Prepared(out, media.inspect(out))


def lifecycle(resource: Resource, extras: UploadExtras, now: float,
              previous: Resource | None = None) -> Resource:
    """Moderation, access, backup and coordinates from the request; the rest of ``resource`` kept."""
    changes: dict[str, Any] = {}
    if extras.moderation:
        changes["moderation"] = (Moderation(extras.moderation, "pending", now),)
    if extras.moderation_status:
        kinds = resource.moderation or (Moderation("manual", "pending"),)
        changes["moderation"] = (replace(kinds[0], status=extras.moderation_status, updated_at=now), *kinds[1:])
    if extras.access_mode:
        changes["access_mode"] = extras.access_mode
    if extras.access_control is not None:
        changes["access_control"] = extras.access_control
    if extras.backup is not None:
        changes["backup"] = extras.backup
    elif previous is not None:
        changes["backup"] = previous.backup  # an overwrite keeps backing up
    if extras.face_coordinates is not None:
        changes["faces"] = extras.face_coordinates  # stored as given; the upload answer shows them clipped
    if extras.custom_coordinates is not None:
        changes["custom_coordinates"] = extras.custom_coordinates
    return replace(resource, **changes) if changes else resource


def _clipped(boxes: tuple[Box, ...], r: Resource) -> tuple[Box, ...]:
    return tuple((b[0], b[1], b[2], b[3]) for b in analysis.clip_boxes(boxes, r.width, r.height))


def analyse(resource: Resource, data: bytes, asked: Analyses, palette: Mapping[str, tuple[int, int, int]],
            faces: Faces, *, clip: bool = False) -> dict[str, Any]:
    """The answer's analysis fields, each computed from the stored bytes; ``clip`` keeps face boxes inside the
    image (upload's answer does, details answer the coordinates as they were given)."""
    out: dict[str, Any] = {}
    if not asked.any:
        return out
    if asked.colors:
        found = analysis.colors(data, palette)
        out["colors"] = [list(c) for c in found.colors]
        out["predominant"] = {"google": [list(c) for c in found.predominant],
                              "cloudinary": [list(c) for c in found.predominant]}
    if asked.phash:
        out["phash"] = analysis.phash(data)
    if asked.quality_analysis:
        out["quality_analysis"] = analysis.quality_analysis(data)
    if asked.image_metadata:
        out["image_metadata"] = analysis.image_metadata(data)
    if asked.faces or asked.coordinates:
        given = resource.faces or faces(resource, data)
        boxes = [list(b) for b in (_clipped(given, resource) if clip else given)]
        if asked.faces:
            out["faces"] = boxes
        if asked.coordinates:
            out["coordinates"] = {"faces": boxes, "custom": [list(b) for b in resource.custom_coordinates]}
    return out


def dimensions(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as im:
        return im.width, im.height


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
