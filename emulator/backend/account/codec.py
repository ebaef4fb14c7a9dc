"""Transformation strings ↔ the ``info`` objects the Admin API answers with (``c_scale,w_100`` ↔
``{"crop": "scale", "width": 100}``), using the SDKs' parameter names."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from emulator.errors import BadRequest

NAMES = {
    "a": "angle", "ac": "audio_codec", "af": "audio_frequency", "ar": "aspect_ratio", "b": "background",
    "bo": "border", "br": "bit_rate", "c": "crop", "co": "color", "cs": "color_space", "d": "default_image",
    "dl": "delay", "dn": "density", "dpr": "dpr", "du": "duration", "e": "effect", "eo": "end_offset",
    "f": "fetch_format", "fl": "flags", "fn": "custom_function", "fps": "fps", "g": "gravity", "h": "height",
    "if": "if", "ki": "keyframe_interval", "l": "overlay", "o": "opacity", "p": "prefix", "pg": "page",
    "q": "quality", "r": "radius", "so": "start_offset", "sp": "streaming_profile", "t": "transformation",
    "u": "underlay", "vc": "video_codec", "vs": "video_sampling", "w": "width", "x": "x", "y": "y", "z": "zoom",
}
KEYS = {name: key for key, name in NAMES.items()}
_TOKEN = re.compile(r"^(\$?[a-z]{1,3})_(.*)$", re.DOTALL)
_INT = re.compile(r"^-?\d+$")
_FLOAT = re.compile(r"^-?\d+\.\d+$")


def info(text: str) -> list[dict[str, Any]]:
    """The components of a transformation string as objects; a trailing ``/ext`` becomes ``format``."""
    components = [c for c in text.split("/")]
    out: list[dict[str, Any]] = []
    for index, component in enumerate(components):
        if index == len(components) - 1 and index > 0 and not _TOKEN.match(component.split(",")[0]):
            if out:
                out[-1]["format"] = component
            continue
        out.append(_component(component, text))
    return out


def _component(component: str, whole: str) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for token in component.split(","):
        match = _TOKEN.match(token)
        if match is None:
            raise BadRequest(f"Invalid transformation - {whole}")
        key, value = match.group(1), match.group(2)
        item[NAMES.get(key, key)] = _typed(value)
    return item


def _typed(value: str) -> Any:
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value


def to_string(items: Sequence[Mapping[str, Any]]) -> str:
    """The canonical string of ``info`` objects (tokens sorted by key, as the SDKs write them)."""
    parts = []
    for item in items:
        tokens = sorted(f"{KEYS.get(k, k)}_{v}" for k, v in item.items() if k != "format")
        parts.append(",".join(tokens))
    fmt = next((str(i["format"]) for i in reversed(items) if "format" in i), None)
    return "/".join(parts) + (f"/{fmt}" if fmt is not None else "")


def canonical(text: str) -> str:
    """A transformation string with each component's tokens in the SDKs' order (sorted)."""
    return to_string(info(text))
