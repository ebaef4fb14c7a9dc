"""The size of every image a transformation chain allocates, computed before any pixel is decoded.

:func:`plan` walks the chain the way :mod:`emulator.backend.transform` renders it (resize, then rotation) and
returns each intermediate and final size, so a request over the pixel budget is refused before it costs memory.
A test renders chains with Pillow and checks that the plan predicted the sizes it produced.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from emulator import media
from emulator.errors import BadRequest

Size = tuple[int, int]


class Step(Protocol):
    """What the planner reads of a transformation component (see ``transform.Component``)."""

    @property
    def width(self) -> float | None: ...
    @property
    def height(self) -> float | None: ...
    @property
    def crop(self) -> str: ...
    @property
    def angle(self) -> int | str | None: ...
    @property
    def source(self) -> str: ...


@dataclass(frozen=True)
class Planned:
    size: Size
    step: str  # the component that allocates it ("" for the decoded original)


def plan(original: Size, steps: Sequence[Step]) -> list[Planned]:
    """The decoded original, then every image each component allocates, in order."""
    sizes = [Planned(original, "")]
    for step in steps:
        resized = resize(sizes[-1].size, step)
        turned = rotation(resized[-1] if resized else sizes[-1].size, step)
        sizes.extend(Planned(size, step.source) for size in [*resized, *turned])
    return sizes


def check(planned: Sequence[Planned], max_pixels: int) -> None:
    """Cloudinary's refusal for a derived image over the budget, naming the step that would exceed it."""
    for item in planned:
        width, height = item.size
        if width * height > max_pixels:
            where = f" after {item.step}" if item.step else " (the original)"
            raise BadRequest(f"{media.too_many_pixels(width * height, max_pixels)} ({width}x{height}{where})")


def peak(planned: Sequence[Planned]) -> int:
    """Pixels alive at once at worst: an image and the one made from it."""
    pixels = [w * h for w, h in (p.size for p in planned)]
    return max((a + b for a, b in itertools.pairwise(pixels)), default=pixels[0] if pixels else 0)


def resolve(value: float | None, current: int) -> int | None:
    """A pixel count as given, or a ratio (``0.5``) of the current side."""
    if value is None:
        return None
    return max(1, round(current * value)) if isinstance(value, float) else int(value)


def resize(size: Size, step: Step) -> list[Size]:
    """The images the crop/resize part of a component allocates (none when nothing is asked)."""
    width, height = resolve(step.width, size[0]), resolve(step.height, size[1])
    if width is None and height is None:
        return []
    if step.crop == "crop":
        return [(min(width or size[0], size[0]), min(height or size[1], size[1]))]
    if width is None or height is None:
        factor = width / size[0] if width is not None else (height or 0) / size[1]
        if step.crop == "limit":
            factor = min(factor, 1.0)
        return [scaled(size, factor, round)]
    if step.crop == "scale":
        return [(width, height)]
    if step.crop in ("fit", "limit", "pad"):
        factor = min(width / size[0], height / size[1])
        fitted = scaled(size, min(factor, 1.0) if step.crop == "limit" else factor, round)
        return [fitted, (width, height)] if step.crop == "pad" else [fitted]
    cover = scaled(size, max(width / size[0], height / size[1]), math.ceil)  # fill, thumb: cover, then cut
    return [cover, (width, height)]


def scaled(size: Size, factor: float, rounding: object) -> Size:
    assert callable(rounding)
    return max(1, int(rounding(size[0] * factor))), max(1, int(rounding(size[1] * factor)))


def rotation(size: Size, step: Step) -> list[Size]:
    """The rotated image: sides swapped at 90°/270°, the bounding box of the turned rectangle otherwise."""
    angle = step.angle
    if angle is None or isinstance(angle, str) or angle % 180 == 0:
        return [] if angle in (None, 0) else [size]
    if angle % 90 == 0:
        return [(size[1], size[0])]
    canvas, cut = _pillow_box(size, angle), rotated_box(size, angle)  # Pillow's canvas first, then the cut
    return [canvas] if canvas == cut else [canvas, cut]


def rotated_box(size: Size, angle: int) -> Size:
    """The turned image's size: the bounding box of the turned rectangle, rounded as Cloudinary does (241×51 at
    45° is 206 wide), never more than Pillow's ``rotate(-angle, expand=True)`` canvas, which the renderer cuts
    down to it (:func:`emulator.backend.transform._rotate`)."""
    width, height = _pillow_box(size, angle)
    radians = math.radians(angle)
    cos, sin = abs(math.cos(radians)), abs(math.sin(radians))
    w, h = size
    return min(width, max(1, round(w * cos + h * sin))), min(height, max(1, round(w * sin + h * cos)))


def _pillow_box(size: Size, angle: int) -> Size:
    """Pillow's ``rotate(-angle, expand=True)`` output size: the bounding box of the corners turned about the
    centre, with its (inverse) matrix and rounding."""
    radians = math.radians(angle)
    cos, sin = round(math.cos(radians), 15), round(math.sin(radians), 15)
    w, h = size
    cx, cy = w / 2, h / 2
    tx = cos * -cx + sin * -cy + cx
    ty = -sin * -cx + cos * -cy + cy
    corners = ((0, 0), (w, 0), (w, h), (0, h))
    xs = [cos * x + sin * y + tx for x, y in corners]
    ys = [-sin * x + cos * y + ty for x, y in corners]
    return math.ceil(max(xs)) - math.floor(min(xs)), math.ceil(max(ys)) - math.floor(min(ys))
