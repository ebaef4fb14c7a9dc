"""Running categorization engines and turning their results into tags.

See Cloudinary's "Imagga Auto Tagging" add-on documentation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from emulator.backend.models import Categorize
from emulator.config import ADDON_NAMES, CloudConfig
from emulator.errors import BadRequest, RateLimited
from emulator.tagging.engine import ImageRef, Labelled, TaggingEngine

Status = Literal["complete", "pending"]


@dataclass(frozen=True)
class EngineBlock:
    """One engine's block under ``info.categorization``: its status and, once complete, its sorted data."""

    status: Status
    data: tuple[Labelled, ...] = ()

    def as_json(self) -> dict[str, Any]:
        if self.status == "pending":
            return {"status": "pending"}
        return {"status": self.status, "data": [item.as_json() for item in self.data]}


PENDING = EngineBlock("pending")


def run(engine: TaggingEngine, cloud: CloudConfig, image: ImageRef, request: Categorize) -> dict[str, EngineBlock]:
    """A complete block for each requested engine, in request order."""
    check_subscriptions(cloud, request)
    return {item.engine: EngineBlock("complete", engine.data(image, item.engine, item.languages))
            for item in request.engines}


def check_subscriptions(cloud: CloudConfig, request: Categorize) -> None:
    for item in request.engines:
        if item.engine not in cloud.addons:
            name = ADDON_NAMES[item.engine]
            raise RateLimited(f"You don't have an active subscription for the {name} add-on")


def auto_tags(blocks: Mapping[str, EngineBlock], threshold: float) -> list[str]:
    """Tags from every entry whose confidence is strictly greater than ``threshold``.

    Engines in order, each in ``data`` order; a language-keyed tag contributes each language's text.
    """
    out: list[str] = []
    for block in blocks.values():
        for item in block.data:
            if item.confidence > threshold:
                out.extend([item.tag] if isinstance(item.tag, str) else item.tag.values())
    return [t.lower() for t in out]


MAX_TAG_LENGTH = 255
MAX_TAGS = 1000


def merge_tags(*groups: Iterable[str]) -> tuple[str, ...]:
    """Concatenate, keeping the first occurrence of each tag."""
    return tuple(dict.fromkeys(tag for group in groups for tag in group))


def check_tags(public_id: str, tags: tuple[str, ...]) -> tuple[str, ...]:
    """Cloudinary's limits: a tag has at most 255 characters, a resource at most 1000 tags."""
    for tag in tags:
        if len(tag) > MAX_TAG_LENGTH:
            raise BadRequest(f"Tag is too long (more than {MAX_TAG_LENGTH} characters) - {tag[:40]}...")
    if len(tags) > MAX_TAGS:
        raise BadRequest(f"Too many tags on {public_id} - {len(tags)}. At most {MAX_TAGS}")
    return tags
