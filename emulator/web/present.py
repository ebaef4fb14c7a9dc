"""What the console's templates show, computed from backend records: delivery paths and categorization tables.

No Flask here; the templates receive plain values and Jinja escapes every one of them.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from emulator.backend import transform
from emulator.backend.models import Resource
from emulator.config import ADDON_NAMES

THUMBNAIL = "c_fill,g_auto,h_240,w_240"
PREVIEW = "c_limit,h_520,w_760"


def delivery_path(resource: Resource, transformation: str = "") -> str:
    """The emulator's own delivery URL path for ``resource``, versioned so browsers may cache it for good."""
    k = resource.key
    fmt = resource.format if resource.format in transform.FORMATS else "png"
    parts = [k.cloud, k.resource_type, k.type, *([transformation] if transformation else []),
             f"v{resource.version}", f"{k.public_id}.{fmt}"]
    return "/" + "/".join(quote(part, safe="/,:") for part in parts)


@dataclass(frozen=True)
class CategoryRow:
    labels: tuple[str, ...]  # one per language of the table
    confidence: float  # 0–1

    @property
    def percent(self) -> str:
        return f"{self.confidence * 100:.2f}%"


@dataclass(frozen=True)
class EngineTable:
    engine: str
    name: str
    status: str
    languages: tuple[str, ...]
    rows: tuple[CategoryRow, ...]


def categorization_tables(resource: Resource) -> list[EngineTable]:
    """One table per engine in ``info.categorization``, in stored order, with the languages it ran in."""
    blocks: Mapping[str, Any] = resource.info.get("categorization", {}) if resource.info else {}
    return [_table(engine, block) for engine, block in blocks.items() if isinstance(block, Mapping)]


def _table(engine: str, block: Mapping[str, Any]) -> EngineTable:
    data = block.get("data")
    items = [item for item in data if isinstance(item, Mapping)] if isinstance(data, list) else []
    first = items[0].get("tag") if items else None
    languages = tuple(first) if isinstance(first, Mapping) else ("en",)
    rows = tuple(CategoryRow(_labels(item.get("tag"), languages), float(item.get("confidence", 0)))
                 for item in items)
    return EngineTable(engine, ADDON_NAMES.get(engine, engine), str(block.get("status", "")), languages, rows)


def _labels(tag: Any, languages: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(tag, Mapping):
        return tuple(str(tag.get(code, "")) for code in languages)
    return (str(tag),)


def human_bytes(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def iso_time(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))
