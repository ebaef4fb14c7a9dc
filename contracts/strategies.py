"""Hypothesis strategies: real PNG/JPEG bytes, public ids with folders and unicode, tags, contexts,
thresholds, language sets, and the invalid inputs the bad-input property sends.

Images are generated as :class:`ImageSpec` values and rendered with Pillow, so a shrunk failure reads as
``ImageSpec(fmt='PNG', width=1, height=1, ...)`` rather than a wall of bytes.
"""

from __future__ import annotations

import io
import string
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from hypothesis import strategies as st
from PIL import Image, ImageDraw, UnidentifiedImageError

from contracts.languages import KNOWN_ENGINES, SUPPORTED
from contracts.transport import FilePart

RGB = tuple[int, int, int]
_EXT = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg")}


@dataclass(frozen=True)
class ImageSpec:
    fmt: str
    width: int
    height: int
    colours: tuple[RGB, ...]
    pattern: str = "solid"

    @property
    def format(self) -> str:
        """The ``format`` a conforming answer reports."""
        return _EXT[self.fmt][0]

    def render(self) -> bytes:
        return _render(self)

    def part(self) -> FilePart:
        ext, content_type = _EXT[self.fmt]
        return FilePart("file", f"cck.{ext}", content_type, self.render())


@lru_cache(maxsize=256)
def _render(spec: ImageSpec) -> bytes:
    image = Image.new("RGB", (spec.width, spec.height), spec.colours[0])
    draw = ImageDraw.Draw(image)
    n = len(spec.colours)
    if spec.pattern == "stripes" and n > 1:
        for x in range(spec.width):
            draw.line([(x, 0), (x, spec.height - 1)], fill=spec.colours[x % n])
    elif spec.pattern == "checks" and n > 1:
        for x in range(0, spec.width, 4):
            for y in range(0, spec.height, 4):
                draw.rectangle([x, y, x + 3, y + 3], fill=spec.colours[(x // 4 + y // 4) % n])
    out = io.BytesIO()
    image.save(out, format=spec.fmt, **({"quality": 90} if spec.fmt == "JPEG" else {}))
    return out.getvalue()


colours = st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
images = st.builds(ImageSpec, fmt=st.sampled_from(["PNG", "JPEG"]), width=st.integers(1, 160),
                   height=st.integers(1, 160), colours=st.lists(colours, min_size=1, max_size=3).map(tuple),
                   pattern=st.sampled_from(["solid", "stripes", "checks"]))

# Pinned images: the smallest PNG, and a 64×48 JPEG (the size of the emulator's turtles fixture).
TINY_PNG = ImageSpec("PNG", 1, 1, ((255, 255, 255),))
TURTLE_SIZED_JPEG = ImageSpec("JPEG", 64, 48, ((20, 90, 160), (200, 180, 120)), "checks")

# -- names ----------------------------------------------------------------------------------------------------

_ID_CHARS = string.ascii_letters + string.digits + "_-" + "éüßçñøåæœ日本語кот"
segments = st.text(alphabet=_ID_CHARS, min_size=1, max_size=12)
public_id_stems = st.lists(segments, min_size=1, max_size=3).map("/".join)

_WORD = st.text(alphabet=string.ascii_lowercase + string.digits + "éüñø", min_size=1, max_size=8)
tag_names = st.lists(_WORD, min_size=1, max_size=3).map(" ".join)
tag_lists = st.lists(tag_names, max_size=4, unique=True)

_CONTEXT_KEYS = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8)
_CONTEXT_VALUES = st.text(alphabet=string.ascii_letters + string.digits + " =|é日", min_size=1, max_size=16).map(
    str.strip).filter(bool)
contexts = st.dictionaries(_CONTEXT_KEYS, _CONTEXT_VALUES, max_size=3)


def context_field(context: dict[str, str]) -> str:
    """``k=v|k2=v2`` with ``=`` and ``|`` inside values escaped by a backslash, as the SDKs send it."""
    def escape(text: str) -> str:
        return text.replace("=", "\\=").replace("|", "\\|")

    return "|".join(f"{k}={escape(v)}" for k, v in context.items())


# -- thresholds -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Returned:
    """The threshold equal to the confidence of data entry ``index`` (modulo its length) the target returned."""

    index: int


@dataclass(frozen=True)
class Fixed:
    value: float


# Any number in [0, 1], kept to 9 decimals so it travels as a short decimal string (never 5e-324).
unit_floats = st.floats(0, 1).map(lambda x: round(x, 9))
thresholds = st.one_of(
    st.builds(Returned, st.integers(0, 30)),
    st.builds(Fixed, unit_floats),
    st.builds(Fixed, st.decimals(0, 1, places=4).map(float)),
)


def wire(value: float) -> str:
    """A number as a positional decimal string (never ``1e-05``)."""
    text = format(Decimal(repr(value)), "f")
    return text


def resolve(choice: Returned | Fixed, confidences: list[float]) -> float:
    if isinstance(choice, Fixed):
        return choice.value
    return confidences[choice.index % len(confidences)] if confidences else 0.5


# -- languages and engines -----------------------------------------------------------------------------------

language_sets = st.lists(st.sampled_from(SUPPORTED), min_size=1, max_size=4, unique=True)
engine_pairs = st.permutations(["imagga_tagging", "google_tagging"])

# -- invalid input ---------------------------------------------------------------------------------------------

_unknown_engines = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=20).filter(
    lambda s: s not in KNOWN_ENGINES)
_unknown_codes = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=4).filter(
    lambda s: s not in SUPPORTED)
bad_categorizations = st.one_of(
    _unknown_engines,
    _unknown_codes.map(lambda c: f"imagga_tagging:{c}"),
    _unknown_engines.map(lambda e: f"imagga_tagging,{e}"),
)
bad_thresholds = st.one_of(
    st.floats(min_value=1.0001, max_value=1e6).map(wire),
    st.floats(min_value=-1e6, max_value=-0.0001).map(wire),
    st.text(alphabet=string.ascii_letters, min_size=1, max_size=8).filter(
        lambda s: s.lower() not in {"nan", "inf", "infinity"}),
)


def _not_an_image(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return True
    return False


bad_files = st.binary(min_size=1, max_size=256).filter(_not_an_image)


# -- raw files and splits into parts --------------------------------------------------------------------------

@dataclass(frozen=True)
class RawSpec:
    """A raw file (uploaded with resource_type ``raw``): its bytes are kept as they are."""

    data: bytes
    extension: str = "bin"

    def part(self) -> FilePart:
        return FilePart("file", f"cck.{self.extension}", "application/octet-stream", self.data)


raw_files = st.builds(RawSpec, st.binary(min_size=1, max_size=3000), st.sampled_from(["bin", "txt", "csv"]))


def cuts(size: int) -> st.SearchStrategy[list[int]]:
    """Where to split a file of ``size`` bytes into parts: sorted, distinct offsets strictly inside it (none:
    a single part carrying the whole file with its Content-Range)."""
    if size < 2:
        return st.just([])
    return st.lists(st.integers(1, size - 1), max_size=6, unique=True).map(sorted)
