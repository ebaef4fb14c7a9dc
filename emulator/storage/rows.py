"""Resource ⇄ table rows, and the index rows (tags, context, search words) derived from a resource.

Index rows are a pure function of the resource, so an old resource's rows can be deleted by primary key
without an extra index on ``id``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import MISSING, fields
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any, NamedTuple

from emulator import jsontext
from emulator.backend.models import Resource, ResourceKey
from emulator.backend.search.fields import words
from emulator.storage import extras

COLUMNS = (
    "cloud", "resource_type", "type", "public_id", "asset_id", "version", "version_id", "format", "width",
    "height", "bytes", "etag", "sha256", "created_at", "original_filename", "tags", "context", "info",
    "notification_url", "folder", "filename", "metadata", "asset_folder", "display_name", "media", "extra",
)
SELECT = ", ".join(f"r.{c}" for c in COLUMNS)
# The fields a bare search term (no ``field:``) is looked up in.
BARE_TERM_FIELDS = ("public_id", "tags", "context")


def to_row(r: Resource) -> tuple[object, ...]:
    k = r.key
    return (
        k.cloud, k.resource_type, k.type, k.public_id, r.asset_id, r.version, r.version_id, r.format,
        r.width, r.height, r.bytes, r.etag, r.sha256, r.created_at, r.original_filename,
        _encode(list(r.tags)) if r.tags else "[]", _object(r.context), _object(r.info), r.notification_url,
        r.folder, filename(r.public_id), _object(r.metadata), r.effective_asset_folder, r.display_name,
        _object(r.media), extras.dump(r),
    )


_encode = jsontext.text
_raw_decode = json.JSONDecoder().raw_decode


def _object(value: Mapping[str, Any]) -> str:
    """A mapping as JSON text, without the encoder for the empty one most resources hold."""
    return _encode(dict(value)) if value else "{}"


def to_resource(row: tuple[Any, ...] | Any) -> Resource:
    """A resource from the ``COLUMNS`` of a row (extra trailing columns are ignored)."""
    values = tuple(row)
    if len(values) < len(COLUMNS):
        return _older(values)
    (cloud, rt, typ, pid, asset_id, version, version_id, fmt, width, height, size, etag, sha, created, original,
     tags, context, info, notification_url, _, _, metadata, asset_folder, display_name, media, extra) = values[:26]
    resource = _restored({
        **_unset(),
        "key": _key(cloud, pid, rt, typ),
        "asset_id": asset_id, "version": version, "version_id": version_id, "format": fmt, "width": width,
        "height": height, "bytes": size, "etag": etag, "sha256": sha, "created_at": created,
        "original_filename": original, "tags": tuple(_decode(tags)) if tags != "[]" else (),
        "context": _mapping(context), "info": _mapping(info), "notification_url": notification_url,
        "metadata": _mapping(metadata), "display_name": display_name, "media": _mapping(media) if media else {},
        "asset_folder": None if asset_folder == pid.rpartition("/")[0] else asset_folder,
    })
    return extras.load(resource, extra)


_FROM_COLUMNS = frozenset({
    "key", "asset_id", "version", "version_id", "format", "width", "height", "bytes", "etag", "sha256", "created_at",
    "original_filename", "tags", "context", "info", "notification_url", "metadata", "asset_folder", "display_name",
    "media",
})


@cache
def _unset() -> dict[str, Any]:
    """The resource fields the columns do not give (``extra``'s, set by emulator/storage/extras.py), at their
    defaults. Each must have a plain default, shared safely: an immutable value, never a factory's."""
    out = {}
    for spec in fields(Resource):
        if spec.name not in _FROM_COLUMNS:
            if spec.default is MISSING or isinstance(spec.default, (dict, list, set)):
                raise TypeError(f"Resource.{spec.name} needs a value in to_resource")
            out[spec.name] = spec.default
    return out


def _restored(state: dict[str, Any]) -> Resource:
    """A resource from every field's value without the dataclass ``__init__``, whose one ``setattr`` per field
    of a frozen record cost about half of reading a row back (50 rows per page of a search): the dict becomes
    the instance's own."""
    resource = object.__new__(Resource)
    object.__setattr__(resource, "__dict__", state)  # the frozen class refuses its own __setattr__
    return resource


def _key(cloud: str, public_id: str, resource_type: str, type_: str) -> ResourceKey:
    """A resource key without the frozen dataclass's ``__init__`` (a ``setattr`` per field), as :func:`_restored`."""
    key = object.__new__(ResourceKey)
    object.__setattr__(key, "__dict__", {"cloud": cloud, "public_id": public_id, "resource_type": resource_type,
                                         "type": type_})
    return key


# What the columns an older schema lacks read as: folder, filename, metadata, asset_folder, display_name, media,
# extra (19 columns in schema 1, 24 before ``media``).
_OLDER_DEFAULTS = (None, None, "{}", None, None, "{}", "{}")


def _older(values: tuple[Any, ...]) -> Resource:
    """A resource from the columns of an older schema."""
    return to_resource(values + _OLDER_DEFAULTS[len(values) - len(COLUMNS):])


def _decode(text: str) -> Any:
    """``json.loads`` of a value this module wrote: the decoder's scanner alone, without ``loads``'s checks of its
    arguments and ``decode``'s two whitespace matches (a page of 50 resources decodes 50 tag lists)."""
    return _raw_decode(text)[0]


def _mapping(text: str) -> Any:
    """``json.loads`` of a stored mapping, without the decoder for the empty one most resources hold."""
    return _decode(text) if text != "{}" else {}


def filename(public_id: str) -> str:
    return public_id.rpartition("/")[2]


class IndexRows(NamedTuple):
    """A resource's rows in the index tables (a tuple: a bulk load makes one per resource). The rows of each
    table are in no particular order: writers sort a batch's rows of a table once, in its key order."""

    tags: list[tuple[object, ...]]  # (cloud, tag, resource_type, created_at, id, width, height, bytes, format)
    context: list[tuple[object, ...]]  # (cloud, key, value, resource_type, created_at, id)
    terms: list[tuple[object, ...]]  # (cloud, field, term, id)
    tag_names: list[tuple[str, str, str]]  # (cloud, resource_type, tag) for tag_counts
    metadata: list[tuple[object, ...]]  # (cloud, field, value, number, id)


def distinct_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    """The tags, each once (a tag a resource repeats makes one row and counts once), in their order."""
    return tags if len(set(tags)) == len(tags) else tuple(dict.fromkeys(tags))


def index_rows(rid: int, r: Resource, *, tags: bool = True) -> IndexRows:
    """The index rows of a resource (``tags=False``: without its tag rows and tag names, which ``put_many`` makes
    in SQLite and counts apart)."""
    k = r.key
    cloud, rt, created = k.cloud, k.resource_type, r.created_at
    names = distinct_tags(r.tags) if tags else ()
    return IndexRows(
        tags=[(cloud, tag, rt, created, rid, r.width, r.height, r.bytes, r.format) for tag in names],
        context=[(cloud, key, value, rt, created, rid) for key, value in r.context.items()],
        terms=[(cloud, f, term, rid) for f, term in _terms(r)],
        tag_names=[(cloud, rt, tag) for tag in names],
        metadata=[(cloud, f, value, number, rid) for f, value, number in sorted(_metadata(r), key=str)]
        if r.metadata else [],
    )


def _metadata(r: Resource) -> set[tuple[str, str, float | None]]:
    """Each structured-metadata value as text and, for integers and dates, as a number (dates: Unix seconds)."""
    out = set()
    for external_id, value in r.metadata.items():
        for item in value if isinstance(value, list) else [value]:
            out.add((external_id, str(item), _number(item)))
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return datetime.fromisoformat(value).replace(tzinfo=UTC).timestamp()
        except ValueError:
            return None
    return None


@lru_cache(maxsize=65536)
def _tag_words(tag: str) -> tuple[str, ...]:
    """A tag's words but the tag itself (one-word tags have none): a library repeats a few thousand tags."""
    return tuple(w for w in dict.fromkeys(words(tag)) if w != tag)


@lru_cache(maxsize=65536)
def _folder_terms(folder: str) -> tuple[tuple[str, str], ...]:
    """A folder's words as ``public_id`` words: thousands of resources share each folder."""
    return tuple(("public_id", w) for w in words(folder))


def _terms(r: Resource) -> set[tuple[str, str]]:
    """The lower-cased words a ``field:word`` search finds this resource by, but for the ``tags`` words that
    are whole tags of the resource: a search looks those up in ``resource_tags`` (most tags are one word, so
    this halves the word rows of a tagged library); and but for a ``public_id`` or ``filename`` word that is the
    whole file name: a search compares those with the ``filename`` column (most file names are one word: two
    of a resource's five word rows, the two no other resource shares).

    A public id's words are its folder's then its file name's: ``/`` splits words and no case mapping looks
    across it, so each half is worded alone (and the folder's words come from a cache).
    """
    folder, _, name = r.public_id.rpartition("/")
    out = set(_folder_terms(folder))
    named = words(name)
    for w in named:
        out.add(("public_id", w))
        out.add(("filename", w))
    if name in named:  # the file name is one lower-case word: the ``filename`` column finds it (schema 9)
        out.discard(("public_id", name))
        out.discard(("filename", name))
    tags = r.tags
    for tag in tags:
        for w in _tag_words(tag):
            if w not in tags:
                out.add(("tags", w))
    for key, value in r.context.items():
        found = words(value)
        out |= {(f"context.{key}", w) for w in found} | {("context", w) for w in found}
    for external_id, value in r.metadata.items():
        for item in value if isinstance(value, list) else [value]:
            out |= {(f"metadata.{external_id}", w) for w in words(str(item))}
    return out


def successor(prefix: str) -> str | None:
    """The smallest string greater than every string starting with ``prefix`` (None: no upper bound)."""
    while prefix:
        last = ord(prefix[-1])
        if last < 0x10FFFF:
            bumped = last + 1 if not 0xD800 <= last + 1 <= 0xDFFF else 0xE000
            return prefix[:-1] + chr(bumped)
        prefix = prefix[:-1]
    return None


def key_columns(k: ResourceKey) -> tuple[str, str, str, str]:
    """A resource key as the values of the key columns, in their order."""
    return (k.cloud, k.resource_type, k.type, k.public_id)
