"""Categorization as a pure function of (image bytes, public id, filename, engine, languages) over fixtures.

Matching, in order: a result queued for the engine at run time → categories registered at run time, then the
fixtures, each by the image's sha256 → the public id → the original filename without extension → a fallback
derived from the image itself (its dominant colours, plus a stable pick from the vocabulary keyed by its hash).
The same bytes give the same answer on every run and machine.
"""

from __future__ import annotations

import io
import itertools
import random
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from PIL import Image

from emulator.tagging.fixtures import Box, Categories, Category, Entry, FixtureSet

FALLBACK_CACHE = 1024  # images whose fallback categories are remembered
LABELLED_CACHE = 1024  # answers kept as labelled in the languages asked for


class Overrides(Protocol):
    """Categories registered at run time (the control plane): consulted before the fixtures."""

    def next_result(self, engine: str) -> Categories | None:
        """A queued result for ``engine``, consumed by this call."""
        ...

    def matches(self, keys: Sequence[tuple[str, str]]) -> list[Entry]:
        """The entries registered under any of the ``(kind, key)`` pairs, in the pairs' order."""
        ...


@dataclass(frozen=True)
class Labelled:
    """One entry of an engine's answer: the tag (a string, or its text per requested language) and confidence."""

    tag: str | Mapping[str, str]
    confidence: float  # 0–1, at most 4 decimals

    def as_json(self) -> dict[str, Any]:
        # ``str`` tested first: an ABC's isinstance costs a dozen times more, for each entry of every answer
        return {"tag": self.tag if isinstance(self.tag, str) else dict(self.tag), "confidence": self.confidence}


@dataclass(frozen=True)
class ImageRef:
    """What the engine may look at: the bytes and the names the image was given."""

    data: bytes
    sha256: str
    public_id: str
    filename: str


class TaggingEngine:
    def __init__(self, fixtures: FixtureSet, overrides: Overrides | None = None) -> None:
        self.fixtures = fixtures
        self.overrides = overrides
        self._fallbacks: OrderedDict[str, Categories] = OrderedDict()  # by sha256 only: never keep the bytes
        # ``data`` of an answer as labelled before, by the answer and the languages: the standard library's LRU
        # cache hashes the answer's dozen records once per call, where a dict's get and move_to_end hashed twice
        self._labelled = lru_cache(maxsize=LABELLED_CACHE)(self._labelled_uncached)
        self._lock = threading.Lock()

    def categorize(self, image: ImageRef, engine: str) -> Categories:
        """English categories for one engine, highest confidence first."""
        if self.overrides is not None and (queued := self.overrides.next_result(engine)) is not None:
            return queued
        entry = self._entry(image, lambda e: bool(e.engines))
        if entry is not None:
            return _for_engine(entry.engines, engine)
        return _for_engine({"imagga_tagging": self._fallback(image.sha256, image.data)}, engine)

    def faces(self, image: ImageRef) -> tuple[Box, ...]:
        """Face boxes a fixture declares for the image; none otherwise (faces are never invented)."""
        entry = self._entry(image, lambda e: bool(e.faces))
        return entry.faces if entry is not None else ()

    def labels(self, image: ImageRef) -> tuple[str, ...]:
        """The categories fixtures declare for the image, every engine's (none without a fixture; nothing is
        computed or consumed: visual search's text matching reads these)."""
        entry = self._entry(image, lambda e: bool(e.engines))
        if entry is None:
            return ()
        return tuple(dict.fromkeys(c.tag for categories in entry.engines.values() for c in categories))

    def _entry(self, image: ImageRef, wanted: Callable[[Entry], bool]) -> Entry | None:
        """The first entry matching the image (run-time registrations first) that holds what is wanted."""
        keys = (("sha256", image.sha256), ("public_id", image.public_id), ("filename", image.filename))
        registered = self.overrides.matches(keys) if self.overrides is not None else []
        fixtures = (self.fixtures.lookup(kind, key) for kind, key in keys)
        return next((entry for entry in itertools.chain(registered, fixtures)
                     if entry is not None and wanted(entry)), None)

    def data(self, image: ImageRef, engine: str, languages: tuple[str, ...]) -> tuple[Labelled, ...]:
        """The ``data`` of an ``info.categorization`` block, in the requested languages."""
        return self._labelled(self.categorize(image, engine), languages)

    def _labelled_uncached(self, categories: Categories, languages: tuple[str, ...]) -> tuple[Labelled, ...]:
        return tuple(Labelled(self._label(c.tag, languages), c.confidence) for c in categories)

    def translate(self, tag: str, language: str) -> str:
        """A tag's text in ``language``; the English text where a user fixture has no translation."""
        if language == "en":
            return tag
        return self.fixtures.translations.get(language, {}).get(tag.lower(), tag)

    def _label(self, tag: str, languages: tuple[str, ...]) -> str | dict[str, str]:
        if not languages:
            return tag
        return {code: self.translate(tag, code) for code in languages}

    def _fallback(self, sha256: str, data: bytes) -> Categories:
        with self._lock:
            if sha256 in self._fallbacks:
                self._fallbacks.move_to_end(sha256)
                return self._fallbacks[sha256]
        found = self._fallback_uncached(sha256, data)
        with self._lock:
            self._fallbacks[sha256] = found
            if len(self._fallbacks) > FALLBACK_CACHE:
                self._fallbacks.popitem(last=False)
        return found

    def _fallback_uncached(self, sha256: str, data: bytes) -> Categories:
        colours = _dominant_colours(data, self.fixtures.colors)
        rng = random.Random(int(sha256[:16], 16))
        picks = rng.sample(self.fixtures.vocabulary, min(5, len(self.fixtures.vocabulary)))
        found = [Category(name, round(0.3 + 0.65 * share, 4)) for name, share in colours]
        found += [Category(tag, round(rng.uniform(0.05, 0.55), 4)) for tag in picks]
        return tuple(sorted(found, key=lambda c: -c.confidence))


def _for_engine(engines: Mapping[str, Categories], engine: str) -> Categories:
    """An engine's own fixture data, or one derived from Imagga's: Google capitalises, AWS title-cases."""
    if engine in engines:
        return engines[engine]
    base = engines.get("imagga_tagging") or next(iter(engines.values()))
    if engine == "google_tagging":
        return tuple(Category(c.tag[:1].upper() + c.tag[1:], c.confidence) for c in base)
    if engine == "aws_rek_tagging":
        return tuple(Category(c.tag.title(), c.confidence) for c in base)
    return tuple(Category(c.tag.lower(), c.confidence) for c in base)


def _dominant_colours(data: bytes, palette: Mapping[str, tuple[int, int, int]]) -> list[tuple[str, float]]:
    """Named colours covering at least 5% of a 32×32 thumbnail, largest share first."""
    with Image.open(io.BytesIO(data)) as im:
        im.draft("RGB", (64, 64))
        thumb = im.convert("RGB")
        thumb.thumbnail((32, 32))
        colours = thumb.getcolors(maxcolors=32 * 32) or []
    counts: Counter[str] = Counter()
    for count, rgb in colours:
        counts[_nearest(tuple(rgb), palette)] += count  # type: ignore[arg-type]  # RGB after convert()
    total = sum(counts.values())
    shares = [(name, n / total) for name, n in counts.most_common() if n / total >= 0.05]
    return shares or [(counts.most_common(1)[0][0], 1.0)]


def _nearest(rgb: tuple[int, int, int], palette: Mapping[str, tuple[int, int, int]]) -> str:
    return min(palette, key=lambda name: sum((a - b) ** 2 for a, b in zip(rgb, palette[name], strict=True)))
