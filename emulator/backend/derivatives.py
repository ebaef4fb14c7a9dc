"""Derived images made on request: ``eager`` and responsive breakpoints, kept until deleted.

Unlike delivery's cache (which may drop renderings at any time and make them again), these are the resource's
own derived assets: listed in ``derived``, deleted only by ``delete_derived_resources``, ``keep_original=true``
deletions, an overwrite with new bytes, a rename or the resource's deletion. Delivery serves them first.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from emulator.backend import breakpoints, eager, thumbnails, transform
from emulator.backend.enrich import dimensions
from emulator.backend.models import (
    Breakpoint,
    BreakpointSet,
    BreakpointSettings,
    DerivedImage,
    EagerItem,
    Resource,
    ResourceKey,
    UploadExtras,
)
from emulator.backend.ports import EagerStore
from emulator.errors import BadRequest

MAX_PAGES = 100  # pages one explode renders
_ALL_PAGES = re.compile(r"(^|[,/])pg_all(?=[,/]|$)")


def variant(canonical: str, fmt: str) -> str:
    """How delivery names a rendering: the canonical transformation and the output format."""
    return f"{canonical}.{fmt}"


def output_format(requested: str | None, resource: Resource) -> str:
    if requested:
        return requested
    return resource.format if resource.format in transform.FORMATS else "png"


@dataclass(frozen=True)
class Rendering:
    derived: DerivedImage
    variant: str
    data: bytes


@dataclass
class Made:
    """What a request made: the derived records (eager first), the breakpoints, and the bytes to keep."""

    eager: list[DerivedImage] = field(default_factory=list)
    breakpoints: list[BreakpointSet] = field(default_factory=list)
    renderings: list[Rendering] = field(default_factory=list)


class Derivatives:
    def __init__(self, store: EagerStore) -> None:
        self.store = store

    def make(self, resource: Resource, original: bytes, extras: UploadExtras, *, video: Path | None = None) -> Made:
        """Render every eager item the emulator can render and every breakpoint set (nothing stored yet); of a
        video (``video``: its file), the eager items with an image format are thumbnails, the others named."""
        made = Made()
        for item in extras.eager:
            if resource.key.resource_type != "image":
                made.eager.append(self._video_eager(resource, item, made, video))
                continue
            made.eager.append(self._eager(resource, original, item, made))
        for settings in extras.responsive_breakpoints:
            made.breakpoints.append(self._breakpoints(resource, original, settings, made))
        return made

    def with_derived(self, resource: Resource, made: Made) -> Resource:
        """The resource listing the new derived images (replacing same-named ones it already had)."""
        new = [r.derived for r in made.renderings if r.derived.sha256] + [d for d in made.eager if not d.sha256]
        if not new:
            return resource  # most uploads: nothing rendered, nothing replaced
        names = {(d.transformation, d.format) for d in new}
        kept = tuple(d for d in resource.derived if (d.transformation, d.format) not in names)
        return replace(resource, derived=kept + tuple(new))

    def keep(self, resource: Resource, made: Made) -> None:
        """Store the renderings; call after the resource itself is stored (its bytes' sha256 keys them)."""
        for rendering in made.renderings:
            self.store.put(resource.key, resource.sha256, rendering.variant, rendering.derived.id, rendering.data)

    def delivered(self, resource: Resource, canonical: str, fmt: str) -> bytes | None:
        return self.store.get(resource.key, resource.sha256, variant(canonical, fmt))

    @staticmethod
    def without(resource: Resource, ids: Sequence[str] | None) -> Resource:
        """The record without some derived images (all when ``ids`` is None); see :meth:`forget` for bytes."""
        gone = set(ids) if ids is not None else {d.id for d in resource.derived}
        return replace(resource, derived=tuple(d for d in resource.derived if d.id not in gone))

    def forget(self, key: ResourceKey, ids: Sequence[str] | None) -> None:
        self.store.drop(key, ids)

    def explode(self, resource: Resource, original: bytes, transformation: str, fmt: str | None) -> Made:
        """``explode``: one derived image per page of a multi-page original, ``pg_all`` in ``transformation``
        naming each page in turn (``pg_1``, ``pg_2`` ...), as delivery URLs name them."""
        if not _ALL_PAGES.search(transformation):
            raise BadRequest("Invalid transformation - explode needs pg_all in the transformation")
        try:
            count = transform.pages(original)
        except (OSError, ValueError) as exc:
            raise BadRequest(f"Cannot explode {resource.public_id} - {exc}") from exc
        if count > MAX_PAGES:
            raise BadRequest(f"Cannot explode {resource.public_id} - it has {count} pages. The emulator explodes "
                             f"at most {MAX_PAGES}")
        made = Made()
        out = output_format(fmt, resource)
        for page in range(1, count + 1):
            named = _ALL_PAGES.sub(rf"\g<1>pg_{page}", transformation)
            chain = _chain(named, "explode")
            record = DerivedImage(chain.canonical, out, id=_derived_id(resource, chain.canonical, out))
            rendering = self._render(resource, original, chain, record)
            made.renderings.append(rendering)
            made.eager.append(rendering.derived)
        return made

    # -- making ---------------------------------------------------------------------------------------------

    def _eager(self, resource: Resource, original: bytes, item: EagerItem, made: Made) -> DerivedImage:
        fmt = output_format(item.format, resource)
        record = DerivedImage(item.transformation, fmt, id=_derived_id(resource, item.transformation, fmt))
        chain = eager.renderable(item)
        if chain is None:
            return record  # named, not rendered: delivering it answers why
        rendering = self._render(resource, original, chain, record)
        made.renderings.append(rendering)
        return rendering.derived

    def _video_eager(self, resource: Resource, item: EagerItem, made: Made, video: Path | None) -> DerivedImage:
        """An eager item of a video: a thumbnail (a frame at ``so_``, the middle by default, transformed) when
        its format is an image format; any other is named, not rendered (delivering it answers why)."""
        fmt = item.format or resource.format
        record = DerivedImage(item.transformation, fmt, id=_derived_id(resource, item.transformation, fmt))
        if fmt not in transform.FORMATS or video is None or resource.media.get("is_audio"):
            return record
        offset, rest = thumbnails.split_offset([s for s in item.transformation.split("/") if s])
        at = thumbnails.seconds(offset, float(resource.media.get("duration") or 0.0))
        try:
            chain = transform.parse(rest)
        except BadRequest:
            return record  # a component the emulator does not render: named, as for images
        rendering = self._render(resource, thumbnails.frame_png(video, at, transform.MAX_PIXELS), chain, record)
        rendering = replace(rendering, variant=variant(thumbnails.variant_name(at, chain.canonical), fmt))
        made.renderings.append(rendering)
        return rendering.derived

    def _render(self, resource: Resource, original: bytes, chain: transform.Transformation,
                record: DerivedImage) -> Rendering:
        try:
            data = transform.render(original, chain, record.format)
        except (OSError, ValueError) as exc:
            raise BadRequest(f"Cannot make derived image {record.transformation} - {exc}") from exc
        width, height = dimensions(data)
        sha = hashlib.sha256(data).hexdigest()
        derived = replace(record, bytes=len(data), width=width, height=height, sha256=sha)
        return Rendering(derived, variant(chain.canonical, record.format), data)

    def _breakpoints(self, resource: Resource, original: bytes, settings: BreakpointSettings,
                     made: Made) -> BreakpointSet:
        fmt = output_format(settings.format, resource)

        def render(transformation: str) -> tuple[bytes, int, int]:
            chain = _chain(transformation)
            data = transform.render(original, chain, fmt)
            return (data, *dimensions(data))

        found = breakpoints.compute(settings, render)
        if settings.create_derived:
            for point in found:
                record = DerivedImage(point.transformation, fmt, id=_derived_id(resource, point.transformation, fmt))
                chain = _chain(point.transformation)
                derived = replace(record, bytes=point.size, width=point.width, height=point.height,
                                  sha256=hashlib.sha256(point.data).hexdigest())
                made.renderings.append(Rendering(derived, variant(chain.canonical, fmt), point.data))
        points = tuple(Breakpoint(p.width, p.height, p.size, p.transformation, fmt) for p in found)
        return BreakpointSet(settings, points)


def _chain(transformation: str, operation: str = "responsive_breakpoints") -> transform.Transformation:
    try:
        return transform.parse(transformation.split("/"))
    except BadRequest as exc:
        raise BadRequest(f"{operation}: {exc.message}") from exc


def _derived_id(resource: Resource, transformation: str, fmt: str) -> str:
    return hashlib.md5(f"{resource.asset_id}/{transformation}.{fmt}".encode()).hexdigest()
