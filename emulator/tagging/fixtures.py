"""Loading and validating fixture directories (format documented in the README, "Fixtures").

A fixtures directory may hold:

* ``images/<name>.<ext>`` with ``images/<name>.json`` beside it: an entry matched by the image's sha256;
* ``tags/*.json``: a JSON array of entries, each with a ``match`` of ``sha256``, ``public_id`` or ``filename``;
* ``translations/<code>.json``: English tag → text in that language;
* ``vocabulary.json``: the colour names and tags the fallback draws from.

Later directories override earlier ones, so a user's directory extends the bundled one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from emulator.config import ENGINES
from emulator.errors import ConfigError
from emulator.media import IMAGE_SUFFIXES
from emulator.tagging.languages import SUPPORTED_LANGUAGES

MATCH_KINDS = ("sha256", "public_id", "filename")


@dataclass(frozen=True)
class Category:
    tag: str
    confidence: float


Categories = tuple[Category, ...]


Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Entry:
    engines: Mapping[str, Categories]
    source: str
    faces: tuple[Box, ...] = ()  # [x, y, width, height] boxes reported by ``faces=true``


@dataclass
class FixtureSet:
    """Everything read from the fixture directories, indexed for the three kinds of match."""

    by: dict[str, dict[str, Entry]] = field(default_factory=lambda: {k: {} for k in MATCH_KINDS})
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    colors: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    vocabulary: tuple[str, ...] = ()

    def lookup(self, kind: str, key: str) -> Entry | None:
        return self.by[kind].get(key)

    def emitted_tags(self) -> set[str]:
        """Every English tag the engine can produce, for checking translation coverage."""
        tags = {c.tag.lower() for index in self.by.values() for e in index.values()
                for cats in e.engines.values() for c in cats}
        return tags | set(self.colors) | set(self.vocabulary)

    def missing_translations(self) -> dict[str, list[str]]:
        tags = self.emitted_tags()
        return {code: sorted(tags - set(self.translations.get(code, {})))
                for code in SUPPORTED_LANGUAGES if code != "en" and tags - set(self.translations.get(code, {}))}


def load_fixtures(dirs: Iterable[Path]) -> FixtureSet:
    """Read every directory in order; raise :class:`ConfigError` naming the file and the problem."""
    fixtures = FixtureSet()
    for directory in dirs:
        if not directory.is_dir():
            raise ConfigError(f"fixtures directory {directory} does not exist")
        _load_images(fixtures, directory / "images")
        for path in sorted((directory / "tags").glob("*.json")):
            entries = _read_json(path)
            if not isinstance(entries, list):
                raise ConfigError(f"{path}: expected a JSON array of entries")
            for i, raw in enumerate(entries):
                _add(fixtures, raw, f"{path}[{i}]", sha256=None)
        _load_translations(fixtures, directory / "translations")
        _load_vocabulary(fixtures, directory / "vocabulary.json")
    if not fixtures.colors or not fixtures.vocabulary:
        raise ConfigError("no vocabulary.json with 'colors' and 'tags' in any fixtures directory")
    return fixtures


def _load_images(fixtures: FixtureSet, images: Path) -> None:
    for path in sorted(images.glob("*")):
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        sidecar = path.with_suffix(".json")
        if not sidecar.exists():
            raise ConfigError(f"{path}: no {sidecar.name} beside it with the image's categories")
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        _add(fixtures, _read_json(sidecar), str(sidecar), sha256=sha)


def _add(fixtures: FixtureSet, raw: Any, where: str, *, sha256: str | None) -> None:
    match, entry = parse_entry(raw, where, sha256=sha256)
    for kind, key in match.items():
        fixtures.by[kind][key] = entry


def parse_entry(raw: Any, where: str, *, sha256: str | None = None) -> tuple[dict[str, str], Entry]:
    """Validate one entry (schema, lower case, ≤ 4 decimals); return how it is matched and its categories."""
    error = best_match(_validator().iter_errors(raw))
    if error is not None:
        path = "/".join(str(p) for p in error.path) or "(entry)"
        raise ConfigError(f"{where}: {path}: {error.message}")
    match = dict(raw.get("match", {}))
    if sha256:
        match["sha256"] = sha256
    if not match:
        raise ConfigError(f"{where}: an entry needs a 'match' with one of {', '.join(MATCH_KINDS)}")
    engines = {name: _categories(raw[name], f"{where}: {name}", name) for name in ENGINES if name in raw}
    faces = tuple((b[0], b[1], b[2], b[3]) for b in raw.get("faces", ()))
    return match, Entry(engines=engines, source=where, faces=faces)


def parse_results(raw: Any, where: str, engine: str) -> Categories:
    """One engine's data list, validated like a fixture entry's."""
    return parse_entry({"match": {"public_id": "-"}, engine: raw}, where)[1].engines[engine]


def _categories(items: list[dict[str, Any]], where: str, engine: str) -> Categories:
    out = []
    for i, item in enumerate(items):
        tag, confidence = item["tag"], item["confidence"]
        if engine == "imagga_tagging" and tag != tag.lower():
            raise ConfigError(f"{where}[{i}]: Imagga tags are lower-case, got {tag!r}")
        if -Decimal(str(confidence)).as_tuple().exponent > 4:  # type: ignore[operator]
            raise ConfigError(f"{where}[{i}]: confidence {confidence} has more than 4 decimals")
        out.append(Category(tag, float(confidence)))
    return tuple(sorted(out, key=lambda c: -c.confidence))


def _load_translations(fixtures: FixtureSet, directory: Path) -> None:
    for path in sorted(directory.glob("*.json")):
        code = path.stem
        if code not in SUPPORTED_LANGUAGES:
            raise ConfigError(f"{path}: {code!r} is not a supported language code")
        table = _read_json(path)
        if not isinstance(table, dict) or not all(isinstance(v, str) and v for v in table.values()):
            raise ConfigError(f"{path}: expected an object of English tag → non-empty text")
        fixtures.translations.setdefault(code, {}).update(table)


def _load_vocabulary(fixtures: FixtureSet, path: Path) -> None:
    if not path.exists():
        return
    raw = _read_json(path)
    colors, tags = raw.get("colors"), raw.get("tags")
    if not isinstance(colors, dict) or not isinstance(tags, list) or not tags:
        raise ConfigError(f"{path}: expected {{'colors': {{name: [r, g, b]}}, 'tags': [...]}}")
    for name, rgb in colors.items():
        if not (isinstance(rgb, list) and len(rgb) == 3 and all(isinstance(v, int) and 0 <= v <= 255 for v in rgb)):
            raise ConfigError(f"{path}: colors.{name}: expected [r, g, b] with values 0-255")
    fixtures.colors = {name: (rgb[0], rgb[1], rgb[2]) for name, rgb in colors.items()}
    fixtures.vocabulary = tuple(str(t) for t in tags)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc


_VALIDATOR: list[Draft202012Validator] = []


def _validator() -> Draft202012Validator:
    if not _VALIDATOR:
        text = resources.files("emulator.tagging").joinpath("fixture.schema.json").read_text(encoding="utf-8")
        _VALIDATOR.append(Draft202012Validator(json.loads(text)))
    return _VALIDATOR[0]
