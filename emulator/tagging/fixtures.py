"""Loading and validating fixture directories (format documented in the README, "Fixtures").

A fixtures directory may hold:

* ``images/<name>.<ext>`` with ``images/<name>.json`` beside it: an entry matched by the image's sha256;
* ``tags/*.json``: a JSON array of entries, each with a ``match`` of ``sha256``, ``public_id`` or ``filename``;
* ``translations/<code>.json``: English tag → text in that language;
* ``vocabulary.json``: the colour names and tags the fallback draws from.

Later directories override earlier ones, so a user's directory extends the bundled one.

Each directory is read into a partial set, kept for the process while its files are unchanged (size and
modification time), so a test suite starting many emulators reads and validates the files once. The bundled
directory's partial set is also written, after validation, to a compact file in the user's cache directory
(``$XDG_CACHE_HOME/cloudinary-emulator``, default ``~/.cache``): a later start reads that one file instead of
every fixture and never imports the schema validator. The files stay the source of truth: any change to them
(or a cache that cannot be read or written) means they are read and validated again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulator.config import BUNDLED_FIXTURES, ENGINES
from emulator.errors import ConfigError
from emulator.media_limits import IMAGE_SUFFIXES
from emulator.tagging.languages import SUPPORTED_LANGUAGES

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

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


def load_fixtures(dirs: Iterable[Path], *, cache_dir: Path | None = None) -> FixtureSet:
    """Read every directory in order; raise :class:`ConfigError` naming the file and the problem.

    ``cache_dir`` is where the bundled directory's compact copy is kept (default: :func:`default_cache_dir`).
    """
    fixtures = FixtureSet()
    for directory in dirs:
        if not directory.is_dir():
            raise ConfigError(f"fixtures directory {directory} does not exist")
        part = _directory(directory, cache_dir)
        for kind, index in part.by.items():
            fixtures.by[kind].update(index)
        for code, table in part.translations.items():
            fixtures.translations.setdefault(code, {}).update(table)
        if part.vocabulary:  # the directory has a (validated, non-empty) vocabulary.json
            fixtures.colors, fixtures.vocabulary = dict(part.colors), part.vocabulary
    if not fixtures.colors or not fixtures.vocabulary:
        raise ConfigError("no vocabulary.json with 'colors' and 'tags' in any fixtures directory")
    return fixtures


def default_cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/cloudinary-emulator`` (default ``~/.cache``); None without a home directory."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cloudinary-emulator" if os.path.isabs(base) else None


_READ: dict[tuple[str, str], FixtureSet] = {}  # (directory, signature) → its partial set, never mutated
_READ_LOCK = threading.Lock()
_CACHE_FORMAT = 1
# One cache file per installation of the package; each new virtualenv (CI jobs, tox) is another. The most
# recently written are kept, older ones removed, so the directory cannot grow with every install ever made.
CACHE_FILES_KEPT = 8


def _directory(directory: Path, cache_dir: Path | None) -> FixtureSet:
    """One directory's partial set: from this process's memory, the cache file (bundled only) or its files."""
    signature = _signature(directory)
    key = (str(directory), signature)
    with _READ_LOCK:
        found = _READ.get(key)
    if found is not None:
        return found
    cache = _cache_file(directory, cache_dir or default_cache_dir()) if directory == BUNDLED_FIXTURES else None
    part = _read_cache(cache, signature) if cache is not None else None
    if part is None:
        part = _read_directory(directory)
        if cache is not None:
            _write_cache(cache, signature, part)
    with _READ_LOCK:
        _READ[key] = part
    return part


def _signature(directory: Path) -> str:
    """Name, size and modification time of every file the directory's fixtures are read from."""
    stats: list[object] = []
    for sub in ("images", "tags", "translations"):
        with contextlib.suppress(FileNotFoundError, NotADirectoryError), os.scandir(directory / sub) as found:
            for item in sorted(found, key=lambda e: e.name):
                st = item.stat()
                stats.append([sub, item.name, st.st_size, st.st_mtime_ns])
    with contextlib.suppress(FileNotFoundError):
        st = (directory / "vocabulary.json").stat()
        stats.append(["vocabulary.json", st.st_size, st.st_mtime_ns])
    return hashlib.sha256(json.dumps(stats).encode()).hexdigest()


def _read_directory(directory: Path) -> FixtureSet:
    fixtures = FixtureSet()
    _load_images(fixtures, directory / "images")
    for path in sorted((directory / "tags").glob("*.json")):
        entries = _read_json(path)
        if not isinstance(entries, list):
            raise ConfigError(f"{path}: expected a JSON array of entries")
        for i, raw in enumerate(entries):
            _add(fixtures, raw, f"{path}[{i}]", sha256=None)
    _load_translations(fixtures, directory / "translations")
    _load_vocabulary(fixtures, directory / "vocabulary.json")
    return fixtures


def _cache_file(directory: Path, cache_dir: Path | None) -> Path | None:
    if cache_dir is None:
        return None
    name = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:16]
    return cache_dir / f"fixtures-{name}.json"


def _read_cache(path: Path, signature: str) -> FixtureSet | None:
    """The cached partial set if it was written for exactly these files (anything else: None, read them)."""
    try:
        raw = json.loads(path.read_bytes())
        if raw.get("format") != _CACHE_FORMAT or raw.get("signature") != signature:
            return None
        by = {kind: {key: _entry(e) for key, e in raw["by"][kind].items()} for kind in MATCH_KINDS}
        colors = {name: (rgb[0], rgb[1], rgb[2]) for name, rgb in raw["colors"].items()}
        return FixtureSet(by=by, translations=raw["translations"], colors=colors, vocabulary=tuple(raw["vocabulary"]))
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def _entry(raw: dict[str, Any]) -> Entry:
    engines = {name: tuple(Category(tag, confidence) for tag, confidence in cats)
               for name, cats in raw["engines"].items()}
    return Entry(engines=engines, source=raw["source"], faces=tuple((b[0], b[1], b[2], b[3]) for b in raw["faces"]))


def _write_cache(path: Path, signature: str, part: FixtureSet) -> None:
    """Written whole under a temporary name, then renamed: a reader sees the old file or the new one."""
    document = {
        "format": _CACHE_FORMAT, "signature": signature,
        "by": {kind: {key: {"engines": {name: [[c.tag, c.confidence] for c in cats]
                                        for name, cats in e.engines.items()},
                            "source": e.source, "faces": [list(b) for b in e.faces]}
                      for key, e in index.items()} for kind, index in part.by.items()},
        "translations": part.translations, "colors": {k: list(v) for k, v in part.colors.items()},
        "vocabulary": list(part.vocabulary)}
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # a read-only home: the files are simply read again next time
        with contextlib.suppress(OSError):
            tmp.unlink()
        return
    _prune(path)


def _prune(written: Path) -> None:
    """Remove all but the :data:`CACHE_FILES_KEPT` most recently written cache files (``written`` among them)."""
    def age(file: Path) -> float:
        try:
            return file.stat().st_mtime
        except OSError:
            return 0.0

    others = sorted((f for f in written.parent.glob("fixtures-*.json") if f != written), key=age, reverse=True)
    for stale in others[CACHE_FILES_KEPT - 1:]:
        with contextlib.suppress(OSError):
            stale.unlink()


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
    from jsonschema.exceptions import best_match  # only when an entry is validated: not on a cached start

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
    from jsonschema import Draft202012Validator

    if not _VALIDATOR:
        text = resources.files("emulator.tagging").joinpath("fixture.schema.json").read_text(encoding="utf-8")
        _VALIDATOR.append(Draft202012Validator(json.loads(text)))
    return _VALIDATOR[0]
