"""Responsive breakpoints: the widths at which an image's file size changes by about ``bytes_step``.

Cloudinary's documented settings (``min_width`` 50, ``max_width`` 1000, ``bytes_step`` 20000, ``max_images`` 20)
are applied to real renderings: the image (after the setting's own ``transformation``) is scaled to candidate
widths from the widest down, each is encoded, and a width is kept when its file is at least ``bytes_step`` smaller
than the last kept one. The widest and the narrowest widths are always kept (as on the real service).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.backend.models import BreakpointSettings
from emulator.errors import BadRequest

_CANDIDATES = 16  # renderings per setting at most, whatever the range: bounded time
Render = Callable[[str], tuple[bytes, int, int]]  # transformation string → (bytes, width, height)


Settings = BreakpointSettings


@dataclass(frozen=True)
class Rendered:
    """A breakpoint and its encoded bytes."""

    width: int
    height: int
    size: int
    transformation: str  # the full derived transformation: the setting's, then ``c_scale,w_<width>``
    data: bytes


def parse(text: str) -> tuple[Settings, ...]:
    """The JSON every SDK sends: one object or an array of them."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise BadRequest(f"Invalid responsive_breakpoints - {text[:80]}. Must be JSON") from None
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(i, dict) for i in items):
        raise BadRequest("Invalid responsive_breakpoints - must be an object or an array of objects")
    return tuple(_settings(item) for item in items)


def _settings(item: dict[str, Any]) -> Settings:
    numbers = {name: _int(item, name, default) for name, default in
               (("min_width", 50), ("max_width", 1000), ("bytes_step", 20000), ("max_images", 20))}
    if numbers["min_width"] > numbers["max_width"]:
        raise BadRequest("Invalid responsive_breakpoints - min_width must not exceed max_width")
    fmt = item.get("format")
    return Settings(transformation=str(item.get("transformation") or ""),
                    format=str(fmt) if fmt else None,
                    create_derived=_bool(item.get("create_derived", True)), **numbers)


def _int(item: dict[str, Any], name: str, default: int) -> int:
    value = item.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1 or isinstance(value, bool):
        raise BadRequest(f"Invalid responsive_breakpoints {name} - {value}. Must be a positive integer")
    return number


def _bool(value: object) -> bool:
    return value not in (False, 0, "0", "false", "False", None, "")


def scaled(transformation: str, width: int) -> str:
    scale = f"c_scale,w_{width}"
    return f"{transformation}/{scale}" if transformation else scale


def compute(settings: Settings, render: Render) -> list[Rendered]:
    """Widest first, as the real service lists them."""
    _, full_width, _ = render(settings.transformation or "c_scale")
    widest = max(1, min(settings.max_width, full_width))
    narrowest = min(settings.min_width, widest)
    kept = [_at(settings, render, widest)]
    for width in _candidates(widest, narrowest):
        if len(kept) >= settings.max_images - 1:
            break
        candidate = _at(settings, render, width)
        if kept[-1].size - candidate.size >= settings.bytes_step:
            kept.append(candidate)
    if narrowest < widest and len(kept) < settings.max_images and kept[-1].width != narrowest:
        kept.append(_at(settings, render, narrowest))
    return kept


def _candidates(widest: int, narrowest: int) -> list[int]:
    step = max(1, (widest - narrowest) // _CANDIDATES)
    return list(range(widest - step, narrowest, -step))


def _at(settings: Settings, render: Render, width: int) -> Rendered:
    transformation = scaled(settings.transformation, width)
    data, actual_width, height = render(transformation)
    return Rendered(actual_width, height, len(data), transformation, data)
