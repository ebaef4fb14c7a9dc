"""Images made from other images or from text, with Pillow: sprites, ``multi`` (animated GIF or PDF), ``text``.

* A sprite stacks the images top to bottom (each after the request's transformation), records each one's box,
  and writes the CSS that shows each box as a class ``.<public_id>``.
* ``multi`` makes one frame per image (after the transformation), all the size of the first; GIF frames last
  ``delay`` milliseconds; a PDF has one page per image.
* ``text`` draws the text in Pillow's own font (the only one bundled: the font family is accepted, not used).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageColor, ImageDraw, ImageFont

from emulator.backend import transform
from emulator.errors import BadRequest

MAX_IMAGES = 100
MAX_TEXT = 1000
MULTI_FORMATS = ("gif", "pdf", "png", "webp")


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Sprite:
    image: bytes
    boxes: dict[str, Box]

    def css(self, image_url: str) -> str:
        rules = [f".{_css_class(pid)} {{ background: url('{image_url}') -{b.x}px -{b.y}px; width: {b.width}px; "
                 f"height: {b.height}px; }}" for pid, b in self.boxes.items()]
        return "\n".join(rules) + "\n"


def _css_class(public_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", public_id)


def _frames(images: Sequence[bytes], chain: transform.Transformation) -> list[Image.Image]:
    if not images:
        raise BadRequest("No images found")
    if len(images) > MAX_IMAGES:
        raise BadRequest(f"Too many images - {len(images)}. Maximum is {MAX_IMAGES}")
    out = []
    for data in images:
        rendered = transform.render(data, chain, "png")
        with Image.open(io.BytesIO(rendered)) as im:
            out.append(im.convert("RGBA"))
    return out


def sprite(images: Sequence[tuple[str, bytes]], chain: transform.Transformation, fmt: str) -> Sprite:
    frames = _frames([data for _, data in images], chain)
    width, height = max(f.width for f in frames), sum(f.height for f in frames)
    _check(width, height)
    canvas = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    boxes, y = {}, 0
    for (public_id, _), frame in zip(images, frames, strict=True):
        canvas.alpha_composite(frame, (0, y))
        boxes[public_id] = Box(0, y, frame.width, frame.height)
        y += frame.height
    return Sprite(transform.encode(canvas, fmt, transform.DEFAULT_QUALITY), boxes)


def sprite_css(name: str, image_url: str, boxes: dict[str, Box]) -> str:
    """A class per image, ``.<sprite>-<image>`` (``/`` and other non-word characters as ``_``): the sprite as
    its background, moved to the image's box, sized to it."""
    prefix = _css_name(name)
    rules = [f".{prefix}-{_css_name(pid)} {{ background: url('{image_url}') no-repeat; "
             f"background-position: {-b.x}px {-b.y}px; width: {b.width}px; height: {b.height}px; }}"
             for pid, b in boxes.items()]
    return "\n".join(rules) + "\n"


def sprite_json(image_url: str, boxes: dict[str, Box]) -> str:
    """The sprite's image URL and each image's box, as the create answer's ``image_infos``."""
    infos = {pid: {"x": b.x, "y": b.y, "width": b.width, "height": b.height} for pid, b in boxes.items()}
    return json.dumps({"image_url": image_url, "image_infos": infos})


def _css_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def multi(images: Sequence[bytes], chain: transform.Transformation, fmt: str, delay: int = 500) -> bytes:
    if fmt not in MULTI_FORMATS:
        raise BadRequest(f"Invalid format - {fmt}. multi makes: {', '.join(MULTI_FORMATS)}")
    frames = _frames(images, chain)
    size = frames[0].size
    frames = [f if f.size == size else f.resize(size) for f in frames]
    out = io.BytesIO()
    first, rest = frames[0], frames[1:]
    if fmt == "pdf":
        first.convert("RGB").save(out, "PDF", save_all=True, append_images=[f.convert("RGB") for f in rest])
    elif fmt == "gif":
        first.convert("RGB").save(out, "GIF", save_all=True, append_images=[f.convert("RGB") for f in rest],
                                  duration=delay, loop=0)
    else:
        first.save(out, fmt.upper(), save_all=True, append_images=rest, duration=delay, loop=0)
    return out.getvalue()


@dataclass(frozen=True)
class TextStyle:
    font_size: int = 12
    font_color: str = "black"
    background: str | None = None  # transparent when None
    text_align: str = "left"


def text(content: str, style: TextStyle) -> bytes:
    """A PNG of the text: its own size plus a small margin."""
    if not content:
        raise BadRequest("Missing required parameter - text")
    if len(content) > MAX_TEXT:
        raise BadRequest(f"Text too long - {len(content)} characters. Maximum is {MAX_TEXT}")
    if not 1 <= style.font_size <= 500:
        raise BadRequest(f"Invalid font_size - {style.font_size}. Must be between 1 and 500")
    font = ImageFont.load_default(style.font_size)
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    left, top, right, bottom = probe.multiline_textbbox((0, 0), content, font=font, align=style.text_align)
    width, height = max(1, int(right - left) + 4), max(1, int(bottom - top) + 4)
    _check(width, height)
    canvas = Image.new("RGBA", (width, height), _color(style.background) if style.background else (0, 0, 0, 0))
    ImageDraw.Draw(canvas).multiline_text((2 - left, 2 - top), content, font=font, fill=_color(style.font_color),
                                          align=style.text_align)
    return transform.encode(canvas, "png", transform.DEFAULT_QUALITY)


def _check(width: int, height: int) -> None:
    if width * height > transform.MAX_PIXELS:
        raise BadRequest(f"Image size {width}x{height} exceeds the emulator's limit of "
                         f"{transform.MAX_PIXELS // 1_000_000} megapixels")


def _color(value: str) -> tuple[int, int, int, int]:
    text_value = "#" + value[1:] if value.startswith("#") else value
    try:
        rgba = ImageColor.getcolor(text_value, "RGBA")
    except ValueError:
        raise BadRequest(f"Invalid color - {value}") from None
    assert isinstance(rgba, tuple)
    return (rgba[0], rgba[1], rgba[2], rgba[3])
