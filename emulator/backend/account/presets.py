"""Upload presets: the Admin API's ``upload_presets`` over the presets of the config file.

A preset is its upload parameters as the SDK sent them (merged under a request's own parameters when an upload
names the preset) and their typed ``settings`` (as the Admin API answers them). The config file's presets are
written to the store on every start, so the file wins for the names it declares; presets made over the API
persist in the data directory.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.backend.account.store import AccountStore, page_start
from emulator.clock import Clock, IdSource
from emulator.errors import AlreadyExists, BadRequest, NotFound

KIND = "upload_preset"
_NAME = re.compile(r"^[\w\-. ]{1,255}$")


@dataclass(frozen=True)
class PresetSpec:
    """A create or update request: ``params`` raw (as signed uploads would send them), ``settings`` typed."""

    name: str | None = None
    unsigned: bool | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Preset:
    name: str
    unsigned: bool
    params: Mapping[str, str]
    settings: Mapping[str, Any]
    created_at: float = 0.0

    def render(self) -> dict[str, Any]:
        return {"name": self.name, "unsigned": self.unsigned, "settings": dict(self.settings)}

    def document(self) -> dict[str, Any]:
        return {"name": self.name, "unsigned": self.unsigned, "params": dict(self.params),
                "settings": dict(self.settings), "created_at": self.created_at}

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Preset:
        return cls(doc["name"], doc["unsigned"], doc["params"], doc["settings"], doc["created_at"])


@dataclass(frozen=True)
class PresetPage:
    presets: list[Preset]
    next_cursor: str | None


class PresetService:
    def __init__(self, store: AccountStore, clock: Clock, ids: IdSource) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids

    def load_config(self, cloud: str, presets: list[PresetSpec]) -> None:
        """The config file's presets, written over any stored preset of the same name."""
        for spec in presets:
            assert spec.name is not None
            preset = Preset(spec.name, bool(spec.unsigned), spec.params, spec.settings, self.clock.now())
            self.store.put(cloud, KIND, spec.name, preset.document())

    def get(self, cloud: str, name: str) -> Preset:
        doc = self.store.get(cloud, KIND, name)
        if doc is None:
            raise NotFound(f"Upload preset {name} not found")
        return Preset.from_document(doc)

    def find(self, cloud: str, name: str) -> Preset | None:
        doc = self.store.get(cloud, KIND, name)
        return Preset.from_document(doc) if doc is not None else None

    def list(self, cloud: str, max_results: int, next_cursor: str | None) -> PresetPage:
        """Newest first, as the real service lists them."""
        presets = [Preset.from_document(d) for d in reversed(self.store.list(cloud, KIND))]
        start = page_start(next_cursor, len(presets))
        more = start + max_results < len(presets)
        return PresetPage(presets[start:start + max_results], str(start + max_results) if more else None)

    def create(self, cloud: str, spec: PresetSpec) -> Preset:
        name = spec.name or self.ids.alnum(8)
        if not _NAME.match(name):
            raise BadRequest(f"Invalid upload preset name - {name}")
        preset = Preset(name, bool(spec.unsigned), spec.params, spec.settings, self.clock.now())
        if not self.store.insert(cloud, KIND, name, preset.document()):
            raise AlreadyExists(f"Upload preset {name} already exists")
        return preset

    def update(self, cloud: str, name: str, spec: PresetSpec) -> Preset:
        """Given settings replace those of the same name; others are kept (``unsigned`` likewise)."""
        def change(doc: Mapping[str, Any]) -> Mapping[str, Any]:
            current = Preset.from_document(doc)
            unsigned = current.unsigned if spec.unsigned is None else spec.unsigned
            return Preset(name, unsigned, {**current.params, **spec.params}, {**current.settings, **spec.settings},
                          current.created_at).document()

        after = self.store.modify(cloud, KIND, name, change)
        if after is None:
            raise NotFound(f"Upload preset {name} not found")
        return Preset.from_document(after)

    def delete(self, cloud: str, name: str) -> None:
        if not self.store.delete(cloud, KIND, name):
            raise NotFound(f"Upload preset {name} not found")


def upload_defaults(preset: Preset) -> dict[str, str]:
    """The parameters an upload naming the preset inherits (``disallow_public_id`` drops a given public id)."""
    return {k: v for k, v in preset.params.items() if k not in ("disallow_public_id", "live")}

