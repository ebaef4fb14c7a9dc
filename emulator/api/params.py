"""Parameters, parsed once (reference §5.4): every encoding the SDKs use → raw strings → typed requests.

``collect`` merges the query string and the body (multipart, urlencoded or JSON) into one mapping, folding
``k``, ``k[]`` and ``k[<n>]`` into a list and dropping JSON ``null``. The raw mapping is what signatures are
checked against; the ``*_request`` functions turn it into the backend's typed records.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Request
from werkzeug.datastructures import FileStorage

from emulator import media
from emulator.backend.models import (
    Categorize,
    DataUri,
    EngineRequest,
    FilePart,
    FileSource,
    RemoteFile,
    UpdateRequest,
    UploadRequest,
)
from emulator.config import ENGINES
from emulator.errors import BadRequest
from emulator.tagging.languages import SUPPORTED_LANGUAGES

RawValue = str | list[str]
_INDEXED = re.compile(r"^(?P<name>.+?)\[(?P<index>\d*)\]$")


@dataclass
class Params:
    raw: dict[str, RawValue] = field(default_factory=dict)
    files: dict[str, FileStorage] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        """The value as sent; an array is joined with commas, as it is signed."""
        value = self.raw.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else ",".join(value)

    def values(self, name: str) -> list[str] | None:
        value = self.raw.get(name)
        if value is None:
            return None
        return [value] if isinstance(value, str) else value


def collect(request: Request) -> Params:
    params = Params()
    for name, value in request.args.items(multi=True):
        _put(params.raw, name, value)
    for name, value in request.form.items(multi=True):
        _put(params.raw, name, value)
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        for name, value in body.items():
            for item in value if isinstance(value, list) else [value]:
                if item is not None:
                    _put(params.raw, name if not isinstance(value, list) else f"{name}[]", _text(item))
    for name, storage in request.files.items():
        params.files[name] = storage
    return params


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _put(raw: dict[str, RawValue], name: str, value: str) -> None:
    match = _INDEXED.match(name)
    if match is None:
        raw[name] = value
        return
    key = match["name"]
    current = raw.get(key)
    raw[key] = [*([current] if isinstance(current, str) else current or []), value]


# -- typed values -------------------------------------------------------------------------------------------

_TRUE = {"1", "true"}
_FALSE = {"0", "false", ""}


def boolean(params: Params, name: str, default: bool) -> bool:
    value = params.text(name)
    if value is None:
        return default
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadRequest(f"Invalid boolean parameter {name} - {value}. Must be true or false")


def tags(params: Params, name: str = "tags") -> tuple[str, ...] | None:
    values = params.values(name)
    if values is None:
        return None
    split = [t.strip() for v in values for t in v.split(",")]
    return tuple(dict.fromkeys(t for t in split if t))


def context(params: Params, name: str = "context") -> dict[str, str] | None:
    value = params.text(name)
    if value is None:
        return None
    if value.startswith("{"):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict):
            return {str(k): _text(v) for k, v in parsed.items()}
    return parse_context(value)


def parse_context(text: str) -> dict[str, str]:
    """``k=v|k2=v2`` where ``\\=`` and ``\\|`` are literal; a pair without ``=`` is a key with no value."""
    pairs: dict[str, str] = {}
    for item in re.split(r"(?<!\\)\|", text):
        if item:
            key, *value = re.split(r"(?<!\\)=", item, maxsplit=1)
            pairs[_unescape(key)] = _unescape(value[0] if value else "")
    return pairs


def _unescape(text: str) -> str:
    return re.sub(r"\\([=|\\])", r"\1", text)


def categorize(params: Params, *, illegal_prefix: bool) -> Categorize:
    """``categorization`` and ``auto_tagging``; messages differ between Upload and Admin API (§11.7)."""
    spec = params.text("categorization")
    engines = _engines(spec, illegal_prefix) if spec else ()
    threshold = _threshold(params.text("auto_tagging"))
    if threshold is not None and not engines:
        raise BadRequest("Must use categorization or detection with auto_tagging")
    return Categorize(engines=engines, auto_tagging=threshold)


def _engines(spec: str, illegal_prefix: bool) -> tuple[EngineRequest, ...]:
    out: list[EngineRequest] = []
    for item in (part.strip() for part in spec.split(",")):
        engine, *languages = item.split(":")
        if engine not in ENGINES:
            raise BadRequest(f"Illegal value {item} for parameter categorization" if illegal_prefix
                             else f"Categorization item {item} is not valid")
        for code in languages:
            if code not in SUPPORTED_LANGUAGES:
                raise BadRequest(f"Invalid language code {code!r} in categorization {item}. "
                                 f"Supported: {', '.join(SUPPORTED_LANGUAGES)}")
        if any(e.engine == engine for e in out):
            raise BadRequest(f"Categorization {engine} is given more than once")
        out.append(EngineRequest(engine, tuple(dict.fromkeys(languages))))
    return tuple(out)


def _threshold(value: str | None) -> float | None:
    if value is None or value.strip() == "":
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not 0.0 <= number <= 1.0:  # also false for NaN
        raise BadRequest(f"Invalid auto_tagging value {value}. Must be a number between 0 and 1")
    return number


# -- requests -----------------------------------------------------------------------------------------------

def upload_request(params: Params) -> UploadRequest:
    return UploadRequest(
        file=_file(params),
        public_id=params.text("public_id") or None,
        folder=params.text("folder") or None,
        tags=tags(params) or (),
        context=context(params) or {},
        categorize=categorize(params, illegal_prefix=False),
        overwrite=boolean(params, "overwrite", True),
        unique_filename=boolean(params, "unique_filename", True),
        use_filename=boolean(params, "use_filename", False),
        notification_url=params.text("notification_url") or None,
    )


def update_request(params: Params) -> UpdateRequest:
    return UpdateRequest(
        tags=tags(params),
        context=context(params),
        categorize=categorize(params, illegal_prefix=True),
    )


def _file(params: Params) -> FileSource:
    part = params.files.get("file")
    if part is not None:
        return FilePart(part.read(), part.filename)
    value = params.text("file")
    if not value:
        raise BadRequest("Missing required parameter - file")
    if value.startswith("data:"):
        return DataUri(media.decode_data_uri(value))
    if re.match(r"^https?://", value, re.IGNORECASE):
        return RemoteFile(value)
    raise BadRequest(f"Invalid file parameter - expected a file, a data URI or an http(s) URL, got {value[:64]!r}")


def with_defaults(params: Params, defaults: Mapping[str, str]) -> Params:
    """A preset's parameters under the request's own."""
    return Params(raw={**defaults, **params.raw}, files=params.files)
