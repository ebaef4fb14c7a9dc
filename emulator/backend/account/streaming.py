"""Adaptive streaming profiles: the built-in ones and the account's own (``streaming_profiles``)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from emulator.backend.account import codec
from emulator.backend.account.store import AccountStore
from emulator.errors import AlreadyExists, BadRequest, NotFound

KIND = "streaming_profile"
_NAME = re.compile(r"^[\w\-]{1,255}$")
_LADDER = [(3840, 2160, "18m"), (2560, 1440, "12m"), (1920, 1080, "5.5m"), (1280, 720, "3.5m"),
           (960, 540, "2m"), (640, 360, "800k"), (480, 270, "500k"), (320, 240, "192k")]
_LEAN = [(1920, 1080, "4.5m"), (1280, 720, "2.5m"), (960, 540, "1.5m"), (640, 360, "600k")]
# name: (display name, its rungs) — illustrative bit rates in the spirit of Cloudinary's documented ladders.
BUILT_IN: dict[str, tuple[str, list[tuple[int, int, str]]]] = {
    "4k": ("4K (2160p)", _LADDER),
    "full_hd": ("Full HD (1080p)", _LADDER[2:]),
    "hd": ("HD (720p)", _LADDER[3:]),
    "sd": ("SD (540p)", _LADDER[4:]),
    "full_hd_wifi": ("Full HD WiFi (1080p)", _LADDER[2:6]),
    "full_hd_lean": ("Full HD Lean (1080p)", _LEAN),
    "hd_lean": ("HD Lean (720p)", _LEAN[1:]),
}


def _built_in(name: str) -> dict[str, Any]:
    display, rungs = BUILT_IN[name]
    reps = [{"transformation": [{"width": w, "height": h, "bit_rate": br, "video_codec": "h264:main:3.1",
                                 "crop": "limit"}]} for w, h, br in rungs]
    return {"name": name, "display_name": display, "predefined": True, "representations": reps}


class StreamingProfiles:
    def __init__(self, store: AccountStore) -> None:
        self.store = store

    def list(self, cloud: str) -> list[dict[str, Any]]:
        own = {d["name"]: d for d in self.store.list(cloud, KIND)}
        names = [*BUILT_IN, *(n for n in own if n not in BUILT_IN)]
        return [{k: v for k, v in self.get(cloud, n).items() if k != "representations"} for n in names]

    def get(self, cloud: str, name: str) -> dict[str, Any]:
        doc = self.store.get(cloud, KIND, name)
        if doc is not None:
            return dict(doc)
        if name in BUILT_IN:
            return _built_in(name)
        raise NotFound(f"Streaming profile {name} not found")

    def create(self, cloud: str, name: str, display_name: str | None, representations: str | None) -> dict[str, Any]:
        if not _NAME.match(name):
            raise BadRequest(f"Invalid streaming profile name - {name}")
        if name in BUILT_IN:
            raise AlreadyExists(f"Streaming profile {name} already exists")
        profile = {"name": name, "display_name": display_name, "predefined": False,
                   "representations": parse_representations(representations, required=True)}
        if not self.store.insert(cloud, KIND, name, profile):
            raise AlreadyExists(f"Streaming profile {name} already exists")
        return profile

    def update(self, cloud: str, name: str, display_name: str | None, representations: str | None) -> dict[str, Any]:
        profile = self.get(cloud, name)
        if display_name is not None:
            profile["display_name"] = display_name
        if representations is not None:
            profile["representations"] = parse_representations(representations, required=True)
        self.store.put(cloud, KIND, name, profile)
        return profile

    def delete(self, cloud: str, name: str) -> str:
        """``deleted`` for the account's own; a built-in one edited is ``reverted``; an unedited built-in stays."""
        if self.store.delete(cloud, KIND, name):
            return "reverted" if name in BUILT_IN else "deleted"
        if name in BUILT_IN:
            raise BadRequest(f"Streaming profile {name} is built in and cannot be deleted")
        raise NotFound(f"Streaming profile {name} not found")


def parse_representations(text: str | None, *, required: bool) -> list[dict[str, Any]]:
    """``[{"transformation": "br_5m,c_limit,h_1200,w_1200"}, ...]`` (a string or objects per item)."""
    if text is None:
        if required:
            raise BadRequest("Missing required parameter - representations")
        return []
    try:
        items = json.loads(text)
    except json.JSONDecodeError:
        raise BadRequest(f"Invalid representations - {text[:64]}") from None
    if not isinstance(items, list) or not items:
        raise BadRequest("Invalid representations - expected a non-empty JSON array")
    return [{"transformation": _transformation(item)} for item in items]


def _transformation(item: Any) -> list[dict[str, Any]]:
    value = item.get("transformation") if isinstance(item, Mapping) else None
    if isinstance(value, str) and value:
        return codec.info(value)
    if isinstance(value, Mapping):
        return [dict(value)]
    if isinstance(value, list) and all(isinstance(v, Mapping) for v in value) and value:
        return [dict(v) for v in value]
    raise BadRequest(f"Invalid representation - {item}. Each needs a transformation")
