"""Video thumbnails: a frame of a video as an image, at a start offset (``so_``), shared by delivery (a video URL
with an image extension) and eager derived images of a video upload."""

from __future__ import annotations

import io
import re
from pathlib import Path

from emulator.errors import BadRequest


def split_offset(components: list[str]) -> tuple[str | None, list[str]]:
    """A thumbnail's ``so_`` (the first one given) and the components left without it."""
    offset: str | None = None
    rest: list[str] = []
    for component in components:
        tokens = component.split(",")
        for token in tokens:
            if token.startswith("so_") and offset is None:
                offset = token[3:]
        kept = [t for t in tokens if not t.startswith("so_")]
        if kept:
            rest.append(",".join(kept))
    return offset, rest


def seconds(offset: str | None, duration: float) -> float:
    """``so_`` as seconds into the video: seconds (``2.5``), a percentage (``10p``) or ``auto``; the middle by
    default, as Cloudinary picks a video thumbnail's frame."""
    if offset is None or offset == "auto":
        return round(duration / 2, 3)
    percent = re.fullmatch(r"(\d{1,3}(?:\.\d+)?)p", offset)
    if percent and float(percent[1]) <= 100:
        return round(duration * float(percent[1]) / 100, 3)
    if not re.fullmatch(r"\d{1,6}(\.\d+)?", offset):
        raise BadRequest(f"Invalid start offset - {offset}. Use seconds (so_2.5), a percentage (so_10p) or auto")
    if duration and float(offset) > duration:
        raise BadRequest(f"Invalid start offset - {offset}. The video is {duration:g} s long")
    return float(offset)


def variant_name(at: float, canonical: str) -> str:
    """How a thumbnail rendering is named beside the video (before ``.<format>``)."""
    return f"so_{at:g}/{canonical}"


def frame_png(path: Path, at: float, max_pixels: int) -> bytes:
    """The frame at ``at`` seconds, as PNG bytes (the image transformations read it like any image)."""
    from emulator import mediafile

    out = io.BytesIO()
    mediafile.frame(path, at, max_pixels).save(out, "PNG")
    return out.getvalue()
