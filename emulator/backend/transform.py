"""Delivery transformations: parsing URL components (``c_fill,g_north,h_200,w_300``) and rendering with Pillow.

A transformation is a chain of components separated by ``/``; each component is comma-separated
``key_value`` tokens. The subset emulated is listed in :data:`PARAMETERS`; real Cloudinary parameters the
emulator does not render are refused with a message that says so, anything else is an invalid component.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageChops, ImageColor, ImageDraw, ImageOps

from emulator import media
from emulator.backend import geometry
from emulator.backend.gate import RenderGate
from emulator.errors import BadRequest

# The output formats a URL extension or ``f_`` may ask for, with the Pillow format and MIME type.
FORMATS: dict[str, tuple[str, str]] = {
    "jpg": ("JPEG", "image/jpeg"), "png": ("PNG", "image/png"),
    "webp": ("WEBP", "image/webp"), "gif": ("GIF", "image/gif"),
}
FORMAT_ALIASES = {"jpeg": "jpg", "jpe": "jpg"}
CROPS = ("scale", "fit", "limit", "fill", "pad", "crop", "thumb")
GRAVITIES = ("north_west", "north", "north_east", "west", "center", "east", "south_west", "south", "south_east",
             "auto")
PARAMETERS = {"w": "width", "h": "height", "c": "crop", "g": "gravity", "q": "quality", "f": "format",
              "e": "effect", "r": "radius", "a": "angle", "b": "background", "pg": "page"}
# Real Cloudinary parameters the emulator recognises but does not render (refused with a clear message).
NOT_EMULATED = frozenset({"ar", "bo", "co", "dl", "dn", "dpr", "du", "eo", "fl", "fn", "fps", "ki", "l", "o",
                          "p", "so", "sp", "t", "u", "vc", "vs", "x", "y", "z", "ac", "af", "br", "cs",
                          "d", "if", "$"})
QUALITY_LEVELS = {"auto": 80, "auto:best": 90, "auto:good": 80, "auto:eco": 70, "auto:low": 60}
DEFAULT_QUALITY = 80
MAX_PIXELS = 25_000_000  # Cloudinary's "Maximum image size is 25 Megapixels" for derived images
MAX_COMPONENTS = 20  # chained components rendered for one URL
_COMPONENT = re.compile(r"^[a-z$]{1,3}_[^,]*(,[a-z$]{1,3}_[^,]*)*$")
_RGBA = tuple[int, int, int, int]


@dataclass(frozen=True)
class Component:
    """One ``/``-separated part of a transformation, with typed values."""

    width: float | None = None  # ints are pixels; a decimal (``0.5``) is relative to the current width
    height: float | None = None
    crop: str = "scale"
    gravity: str = "center"
    quality: int | None = None
    format: str | None = None  # ``auto`` or a key of FORMATS
    effect: str | None = None
    radius: int | str | None = None  # pixels or ``max``
    angle: int | str | None = None  # degrees clockwise, ``hflip`` or ``vflip``
    background: _RGBA | None = None
    page: int | str | None = None  # a page (frame) of a multi-page original, from 1; ``all`` in explode only
    source: str = field(default="", compare=False)


@dataclass(frozen=True)
class Transformation:
    components: tuple[Component, ...] = ()

    @property
    def canonical(self) -> str:
        """Components with their tokens sorted, as the SDKs write them; the cache and ETag key."""
        return "/".join(c.source for c in self.components)

    @property
    def quality(self) -> int | None:
        return next((c.quality for c in reversed(self.components) if c.quality is not None), None)

    @property
    def format(self) -> str | None:
        return next((c.format for c in reversed(self.components) if c.format is not None), None)

    @property
    def page(self) -> int | str | None:
        return next((c.page for c in self.components if c.page is not None), None)


def looks_like_component(segment: str) -> bool:
    """Whether a URL segment has the ``key_value[,key_value…]`` shape of a transformation component."""
    return bool(_COMPONENT.match(segment))


def parse(segments: list[str]) -> Transformation:
    """Typed components from URL segments; a bad or unsupported token is a :class:`BadRequest`."""
    components = [s for s in segments if s]
    if len(components) > MAX_COMPONENTS:
        raise BadRequest(f"Too many chained transformations - {len(components)}. "
                         f"The emulator renders at most {MAX_COMPONENTS} per URL")
    return Transformation(tuple(_component(s) for s in components))


def _component(segment: str) -> Component:
    values: dict[str, object] = {}
    tokens = segment.split(",")
    for token in tokens:
        key, sep, value = token.partition("_")
        if not sep or not value:
            raise BadRequest(f"Invalid transformation component - {token}")
        if key in NOT_EMULATED:
            raise BadRequest(f"Transformation parameter {key}_ is not supported by the emulator - {token}")
        if key not in PARAMETERS:
            raise BadRequest(f"Invalid transformation component - {token}")
        name = PARAMETERS[key]
        if name in values:
            raise BadRequest(f"Duplicate transformation parameter {key}_ in {segment}")
        values[name] = _PARSERS[name](value)
    return Component(**values, source=",".join(sorted(tokens)))  # type: ignore[arg-type]


def _dimension(name: str) -> Callable[[str], float]:
    def parse_value(value: str) -> float:
        if re.fullmatch(r"\d+", value) and int(value) > 0:
            return int(value)
        if re.fullmatch(r"\d*\.\d+", value) and float(value) > 0:
            return float(value)
        raise BadRequest(f"Invalid {name} - {value}. Use pixels (w_300) or a ratio of the current size (w_0.5)")
    return parse_value


def _choice(name: str, allowed: tuple[str, ...]) -> Callable[[str], str]:
    def parse_value(value: str) -> str:
        if value not in allowed:
            raise BadRequest(f"Invalid {name} - {value}. Supported: {', '.join(allowed)}")
        return value
    return parse_value


def _quality(value: str) -> int:
    if value in QUALITY_LEVELS:
        return QUALITY_LEVELS[value]
    if re.fullmatch(r"\d+", value) and 1 <= int(value) <= 100:
        return int(value)
    raise BadRequest(f"Invalid quality - {value}. Use 1 to 100 or auto[:best|good|eco|low]")


def _format(value: str) -> str:
    value = FORMAT_ALIASES.get(value, value)
    if value != "auto" and value not in FORMATS:
        raise BadRequest(f"Invalid format - {value}. Supported: auto, {', '.join(FORMATS)}")
    return value


def _radius(value: str) -> int | str:
    if value == "max" or (value.isascii() and value.isdigit() and len(value) < 6):
        return value if value == "max" else int(value)
    raise BadRequest(f"Invalid radius - {value}. Use pixels (r_20) or r_max")


def _angle(value: str) -> int | str:
    if value in ("hflip", "vflip"):
        return value
    if re.fullmatch(r"-?\d{1,4}", value):
        return int(value) % 360
    raise BadRequest(f"Invalid angle - {value}. Use degrees (a_90, a_-45), a_hflip or a_vflip")


def _page(value: str) -> int | str:
    if value == "all":
        return value
    if re.fullmatch(r"\d{1,5}", value) and int(value) >= 1:
        return int(value)
    raise BadRequest(f"Invalid page - {value}. Use a page number from 1 (pg_2), or pg_all in explode")


def parse_color(value: str) -> _RGBA:
    """``rgb:RRGGBB``, ``rgb:RRGGBBAA``, ``rgb:RGB``, ``transparent`` or a colour name (``white``)."""
    if value == "transparent":
        return (0, 0, 0, 0)
    text = "#" + value[4:] if value.startswith("rgb:") else value
    if value.startswith("rgb:") and not re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})", text):
        raise BadRequest(f"Invalid background - {value}. Use rgb:RRGGBB, rgb:RRGGBBAA or a colour name")
    try:
        rgba = ImageColor.getcolor(text, "RGBA")
    except ValueError as exc:
        raise BadRequest(f"Invalid background - {value}. Use rgb:RRGGBB, rgb:RRGGBBAA or a colour name") from exc
    assert isinstance(rgba, tuple)
    return (rgba[0], rgba[1], rgba[2], rgba[3])


_PARSERS: dict[str, Callable[[str], object]] = {
    "width": _dimension("width"), "height": _dimension("height"),
    "crop": _choice("crop mode", CROPS), "gravity": _choice("gravity", GRAVITIES),
    "quality": _quality, "format": _format, "page": _page, "effect": _choice("effect", ("grayscale",)),
    "radius": _radius, "angle": _angle, "background": parse_color,
}


# -- rendering -----------------------------------------------------------------------------------------------

WHITE: _RGBA = (255, 255, 255, 255)


@dataclass(frozen=True)
class Limits:
    """The pixel budget of every image a chain allocates, and the gate bounding renderings at once."""

    max_pixels: int = MAX_PIXELS
    gate: RenderGate | None = None


def render(data: bytes, transformation: Transformation, fmt: str, limits: Limits | None = None) -> bytes:
    """Apply every component in order, then encode as ``fmt`` (a key of :data:`FORMATS`).

    Every intermediate size is planned from the original's header and checked against the budget before any
    pixel is decoded; the rendering then waits for room in the gate.
    """
    limits = limits or Limits()
    with _opened(data, limits.max_pixels) as opened:
        _seek(opened, transformation.page)  # animated or multi-page originals: the first frame unless pg_<n>
        planned = geometry.plan(_oriented_size(opened), transformation.components)
        geometry.check(planned, limits.max_pixels)
        with limits.gate.reserve(geometry.peak(planned)) if limits.gate else nullcontext():
            # One name holds the current image, so each step's input is freed as soon as its output exists.
            im = _decoded(opened)
            for c in transformation.components:
                im = _resize(im, c)
                if c.effect == "grayscale":
                    im = _grayscale(im)
                if c.radius is not None:
                    im = _round(im, c.radius)
                if c.angle is not None:
                    im = _rotate(im, c.angle)
            owned = [im]
            del im
            return encode(owned.pop(), fmt, transformation.quality or DEFAULT_QUALITY)


def pages(data: bytes) -> int:
    """How many pages (frames) an image holds: 1 for a still image."""
    with Image.open(io.BytesIO(data)) as opened:
        return int(getattr(opened, "n_frames", 1))


def _seek(opened: Image.Image, page: int | str | None) -> None:
    if page == "all":
        raise BadRequest("pg_all is explode's: a delivery URL names one page (pg_2)")
    count = int(getattr(opened, "n_frames", 1))
    if isinstance(page, int) and page > count:
        raise BadRequest(f"Invalid page - {page}. The image has {count} page{'s' if count != 1 else ''}")
    opened.seek(page - 1 if isinstance(page, int) else 0)


def _opened(data: bytes, max_pixels: int) -> Image.Image:
    """The original, its header read; one whose size trips Pillow's decompression-bomb guard is over budget."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise media.bomb(exc, max_pixels) from exc


def _oriented_size(im: Image.Image) -> tuple[int, int]:
    """The size after EXIF orientation: orientations 5 to 8 turn the image a quarter."""
    orientation = im.getexif().get(0x0112)
    return (im.height, im.width) if orientation in (5, 6, 7, 8) else im.size


def _decoded(opened: Image.Image) -> Image.Image:
    """RGB, or RGBA when the original has transparency: a step that needs alpha adds it (a quarter more memory)."""
    upright = ImageOps.exif_transpose(opened)
    transparent = upright.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in upright.info
    return upright.convert("RGBA" if transparent else "RGB")


def _with_alpha(im: Image.Image) -> Image.Image:
    return im if im.mode == "RGBA" else im.convert("RGBA")


def _grayscale(im: Image.Image) -> Image.Image:
    if im.mode == "RGB":
        return ImageOps.grayscale(im).convert("RGB")
    alpha = im.getchannel("A")
    gray = ImageOps.grayscale(im)
    del im
    out = gray.convert("RGBA")
    out.putalpha(alpha)
    return out


def _target(im: Image.Image, c: Component) -> tuple[int | None, int | None]:
    """Pixel sizes asked for, relative values resolved against the current image."""
    return geometry.resolve(c.width, im.width), geometry.resolve(c.height, im.height)


def _resize(im: Image.Image, c: Component) -> Image.Image:
    width, height = _target(im, c)
    if width is None and height is None:
        return im
    if c.crop == "crop":  # a region of the original, never scaled
        return _cut(im, min(width or im.width, im.width), min(height or im.height, im.height), c.gravity)
    if width is None or height is None:  # one side given: every mode keeps the aspect ratio
        factor = width / im.width if width is not None else (height or 0) / im.height
        if c.crop == "limit":
            factor = min(factor, 1.0)
        return _scaled(im, (round(im.width * factor), round(im.height * factor)))
    if c.crop == "scale":
        return _scaled(im, (width, height))
    return _two_sided(im, c, width, height)


def _two_sided(im: Image.Image, c: Component, width: int, height: int) -> Image.Image:
    """fit, limit, fill, thumb and pad with both sides given."""
    fit = min(width / im.width, height / im.height)
    if c.crop in ("fit", "limit", "pad"):
        factor = min(fit, 1.0) if c.crop == "limit" else fit
        scaled = _scaled(im, (round(im.width * factor), round(im.height * factor)))
        if c.crop != "pad":
            return scaled
        background = c.background or WHITE
        x, y = _offset(width - scaled.width, height - scaled.height, c.gravity)
        if scaled.mode == "RGB" and background[3] == 255:  # opaque on opaque: no alpha needed
            canvas = Image.new("RGB", (width, height), background[:3])
            canvas.paste(scaled, (x, y))
            return canvas
        canvas = Image.new("RGBA", (width, height), background)
        canvas.alpha_composite(_with_alpha(scaled), (x, y))
        return canvas
    factor = max(width / im.width, height / im.height)  # fill, thumb: cover, then cut at the gravity
    scaled = _scaled(im, (math.ceil(im.width * factor), math.ceil(im.height * factor)))
    return _cut(scaled, width, height, c.gravity)


def _scaled(im: Image.Image, size: tuple[int, int]) -> Image.Image:
    size = (max(1, size[0]), max(1, size[1]))
    return im if size == im.size else im.resize(size, Image.Resampling.LANCZOS)


def _offset(spare_x: int, spare_y: int, gravity: str) -> tuple[int, int]:
    """Where a region goes along each axis: 0, the middle or the far end, from the compass point."""
    x = 0 if "west" in gravity else spare_x if "east" in gravity else spare_x // 2
    y = 0 if "north" in gravity else spare_y if "south" in gravity else spare_y // 2
    return x, y


def _cut(im: Image.Image, width: int, height: int, gravity: str) -> Image.Image:
    x, y = _offset(im.width - width, im.height - height, gravity)
    return im.crop((x, y, x + width, y + height))


def _round(im: Image.Image, radius: int | str) -> Image.Image:
    """Rounded corners (``r_max``: an ellipse) cut into the image's alpha (in place when it has one)."""
    mask = Image.new("L", im.size, 0)
    draw = ImageDraw.Draw(mask)
    box = (0, 0, im.width - 1, im.height - 1)
    if radius == "max":
        draw.ellipse(box, fill=255)
    else:
        assert isinstance(radius, int)
        draw.rounded_rectangle(box, radius=min(radius, min(im.size) // 2), fill=255)
    if im.mode == "RGB":  # opaque: the mask is the alpha (Pillow adds the band in place)
        im.putalpha(mask)
    else:
        im.putalpha(ImageChops.multiply(im.getchannel("A"), mask))
    return im


def _rotate(im: Image.Image, angle: int | str) -> Image.Image:
    if angle == "hflip":
        return ImageOps.mirror(im)
    if angle == "vflip":
        return ImageOps.flip(im)
    assert isinstance(angle, int)
    if angle % 90 == 0:  # exact, no resampling
        return im.rotate(-angle, expand=True) if angle else im
    turned = _with_alpha(im).rotate(-angle, expand=True, resample=Image.Resampling.BICUBIC, fillcolor=(0, 0, 0, 0))
    # Pillow rounds each corner outwards (241×51 at 45° would be 207 wide where the box is 206.5); Cloudinary
    # answers the rounded box, so the canvas is cut down to it, about the centre.
    width, height = geometry.rotated_box(im.size, angle)
    return _cut(turned, width, height, "center")


def encode(im: Image.Image, fmt: str, quality: int) -> bytes:
    """Encode an RGB or RGBA image; formats without alpha are flattened onto white."""
    pillow_format, _ = FORMATS[fmt]
    out = io.BytesIO()
    if fmt in ("jpg", "gif"):
        rgb = _flattened(im)
        del im  # the caller handed its only reference over: the RGBA image is freed before encoding
        if fmt == "jpg":
            rgb.save(out, pillow_format, quality=quality)
        else:  # the web palette, dithered: no colour histogram of the whole image in memory
            rgb.convert("P").save(out, pillow_format)
    elif fmt == "png":
        if im.mode != "RGB" and _opaque(im):
            im = im.convert("RGB")
        im.save(out, pillow_format, optimize=False)
    else:
        im.save(out, pillow_format, quality=quality)
    return out.getvalue()


def _opaque(im: Image.Image) -> bool:
    if im.mode == "RGB":
        return True
    bands: Any = im.getextrema()  # per band, without copying the alpha channel out
    return bool(bands[3][0] == 255)


def _flattened(im: Image.Image) -> Image.Image:
    """RGB on white. The image is the caller's to change: white is blended in place where it is transparent
    (out = image × alpha + white × (1 - alpha), as compositing over white), so no second full canvas is made."""
    if _opaque(im):
        return im if im.mode == "RGB" else im.convert("RGB")
    im.paste(WHITE, mask=ImageChops.invert(im.getchannel("A")))
    return im.convert("RGB")
