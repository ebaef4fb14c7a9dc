"""What upload's analysis flags report, computed from the image itself (never constants).

* ``colors``: the image's own palette (Pillow's median-cut quantizer over a thumbnail) as ``["#RRGGBB", percent]``
  pairs, and the ``predominant`` named colours (nearest of a named palette, the fixtures' vocabulary colours).
* ``phash``: a 64-bit DCT perceptual hash (32×32 greyscale → the 8×8 lowest frequencies → bits above their
  median), 16 hex digits: visually similar images have hashes a few bits apart.
* ``quality_analysis.focus``: sharpness in [0, 1] from the variance of the Laplacian of a greyscale copy.
* ``image_metadata``: what Pillow reads from the file (format, colour space, DPI, EXIF tags by name), as strings.
* ``faces``: boxes clipped to the image, from ``face_coordinates`` or a fixture (see ``emulator.tagging``).

Every function takes the stored bytes and is pure, so an answer is the same on every machine.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import ExifTags, Image, ImageFilter, ImageOps, ImageStat

_THUMB = 64  # colours and focus are measured on at most 64×64 / 512×512 copies: bounded time for any image
_FOCUS_SIDE = 512
_PALETTE_SIZE = 32
_MIN_SHARE = 0.5  # percent: smaller palette entries are left out, as noise
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Colors:
    colors: list[tuple[str, float]]  # ["#RRGGBB", percent], largest first
    predominant: list[tuple[str, float]]  # [name, percent], largest first


def _open_rgb(data: bytes, side: int) -> Image.Image:
    with Image.open(io.BytesIO(data)) as opened:
        opened.seek(0)
        opened.draft("RGB", (side, side))
        im = ImageOps.exif_transpose(opened)
        flat = Image.new("RGBA", im.size, (255, 255, 255, 255))
        flat.alpha_composite(im.convert("RGBA"))
        rgb = flat.convert("RGB")
    rgb.thumbnail((side, side))
    return rgb


def colors(data: bytes, palette: Mapping[str, tuple[int, int, int]]) -> Colors:
    """The image's palette and its predominant named colours (percentages with one decimal)."""
    thumb = _open_rgb(data, _THUMB)
    quantized = thumb.quantize(_PALETTE_SIZE, method=Image.Quantize.MEDIANCUT)
    entries = quantized.getpalette() or []
    counts = quantized.getcolors(_PALETTE_SIZE) or []
    total = sum(n for n, _ in counts) or 1
    found: Counter[str] = Counter()
    for n, index in counts:
        assert isinstance(index, int)
        r, g, b = entries[3 * index:3 * index + 3]
        found[f"#{r:02X}{g:02X}{b:02X}"] += n
    own = [(hex_, _percent(n, total)) for hex_, n in found.most_common() if _percent(n, total) >= _MIN_SHARE]
    return Colors(colors=own, predominant=_named(thumb, palette))


def _named(thumb: Image.Image, palette: Mapping[str, tuple[int, int, int]]) -> list[tuple[str, float]]:
    pixels = thumb.getcolors(_THUMB * _THUMB) or []
    counts: Counter[str] = Counter()
    for n, rgb in pixels:
        assert isinstance(rgb, tuple)
        counts[_nearest((rgb[0], rgb[1], rgb[2]), palette)] += n
    total = sum(counts.values()) or 1
    return [(name, _percent(n, total)) for name, n in counts.most_common() if _percent(n, total) >= _MIN_SHARE]


def _nearest(rgb: tuple[int, int, int], palette: Mapping[str, tuple[int, int, int]]) -> str:
    return min(palette, key=lambda name: sum((a - b) ** 2 for a, b in zip(rgb, palette[name], strict=True)))


def _percent(part: int, total: int) -> float:
    return round(100.0 * part / total, 1)


# -- perceptual hash --------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _cosines() -> tuple[tuple[float, ...], ...]:
    """cos((2x + 1) u π / 64) for the 8 lowest frequencies u of a 32-point DCT."""
    return tuple(tuple(math.cos((2 * x + 1) * u * math.pi / 64) for x in range(32)) for u in range(8))


def phash(data: bytes) -> str:
    """16 hex digits: bit i is set when the i-th low-frequency DCT coefficient exceeds their median."""
    with Image.open(io.BytesIO(data)) as opened:
        opened.seek(0)
        grey = ImageOps.exif_transpose(opened).convert("L").resize((32, 32), Image.Resampling.LANCZOS)
    pixels = grey.tobytes()
    rows = [pixels[y * 32:(y + 1) * 32] for y in range(32)]
    cos = _cosines()
    by_row = [[sum(row[x] * cos[u][x] for x in range(32)) for u in range(8)] for row in rows]  # 32 × 8
    coeffs = [sum(by_row[y][u] * cos[v][y] for y in range(32)) for v in range(8) for u in range(8)]
    considered = coeffs[1:]  # the DC term is the mean brightness: left out of the median
    median = sorted(considered)[len(considered) // 2]
    bits = "".join("1" if c > median else "0" for c in coeffs)
    return f"{int(bits, 2):016x}"


def hamming(a: str, b: str) -> int:
    """How many bits two hashes differ in."""
    return bin(int(a, 16) ^ int(b, 16)).count("1")


# -- quality ----------------------------------------------------------------------------------------------------

def focus(data: bytes) -> float:
    """Sharpness in [0, 1]: the Laplacian's standard deviation over a greyscale copy, squashed smoothly."""
    grey = _open_rgb(data, _FOCUS_SIDE).convert("L")
    if min(grey.size) < 3:
        return 0.0
    edges = grey.filter(ImageFilter.Kernel((3, 3), (0, 1, 0, 1, -4, 1, 0, 1, 0), scale=1, offset=128))
    edges = edges.crop((1, 1, edges.width - 1, edges.height - 1))  # Pillow leaves the border unfiltered
    spread = ImageStat.Stat(edges).stddev[0]
    return round(1.0 - math.exp(-spread / 12.0), 2)


def quality_analysis(data: bytes) -> dict[str, float]:
    return {"focus": focus(data)}


# -- metadata ---------------------------------------------------------------------------------------------------

def image_metadata(data: bytes) -> dict[str, str]:
    """What the file says about itself: format facts from Pillow, then every readable EXIF tag by name."""
    with Image.open(io.BytesIO(data)) as im:
        out = {"FileType": str(im.format), "MIMEType": im.get_format_mimetype() or "",
               "ImageWidth": str(im.width), "ImageHeight": str(im.height),
               "ColorMode": im.mode, "Colorspace": _colorspace(im)}
        dpi = im.info.get("dpi")
        if isinstance(dpi, tuple) and dpi:
            out["DPI"] = str(round(float(dpi[0])))
        exif = im.getexif()
        tags = dict(exif.items())
        for ifd in (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo):
            tags.update(exif.get_ifd(ifd).items())
    for tag, value in tags.items():
        name = ExifTags.TAGS.get(tag) or ExifTags.GPSTAGS.get(tag)
        if name and name not in ("ExifOffset", "GPSInfo"):
            text = _text(value)
            if text:
                out[name] = text
    return out


def _colorspace(im: Image.Image) -> str:
    if im.mode in ("L", "LA", "1", "I;16"):
        return "Gray"
    if im.mode == "CMYK":
        return "CMYK"
    return "sRGB"


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii", errors="ignore").strip("\x00 ")[:256]
    if isinstance(value, tuple):
        return " ".join(_text(v) for v in value)[:256]
    return str(value).strip("\x00 ")[:256]


# -- faces ------------------------------------------------------------------------------------------------------

def clip_boxes(boxes: Sequence[Sequence[int]], width: int, height: int) -> list[list[int]]:
    """``[x, y, w, h]`` boxes kept inside the image: each side at most the image's, the origin inside it."""
    out = []
    for x, y, w, h in (tuple(b) for b in boxes):
        x, y = min(max(0, x), max(0, width - 1)), min(max(0, y), max(0, height - 1))
        out.append([x, y, max(0, min(w, width)), max(0, min(h, height))])
    return out
