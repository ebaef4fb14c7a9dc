"""Parameters, parsed once: every encoding the SDKs use → raw strings → typed requests.

``collect`` merges the query string and the body (multipart, urlencoded or JSON) into one mapping, folding
``k``, ``k[]`` and ``k[<n>]`` into a list and dropping JSON ``null``. The raw mapping is what signatures are
checked against; the ``*_request`` functions turn it into the backend's typed records.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from emulator import media
from emulator.api import bodies
from emulator.api.collected import Params as Params  # re-exported: the views parse through this module
from emulator.api.collected import RawValue as RawValue
from emulator.api.collected import collect as collect
from emulator.api.collected import with_defaults as with_defaults
from emulator.backend import eager, scripts
from emulator.backend.models import (
    ByteRange,
    Categorize,
    DataUri,
    EngineRequest,
    FileSource,
    Part,
    RemoteFile,
    StreamedFile,
    UpdateRequest,
    UploadExtras,
    UploadRequest,
    UploadScripts,
)
from emulator.backend.queries import (
    MAX_RESULTS,
    ContextCommand,
    DeleteRequest,
    Direction,
    ExplicitRequest,
    ListRequest,
    RenameRequest,
    SearchRequest,
    TagsCommand,
    TagsRequest,
)
from emulator.config import ENGINES
from emulator.errors import BadRequest
from emulator.tagging.languages import SUPPORTED_LANGUAGES


def as_text(value: Any) -> str:
    """A JSON value as the string a form field would carry."""
    return bodies.as_text(value)


# -- typed values -------------------------------------------------------------------------------------------

# "yes"/"no" are taken as the real service is assumed to take them; strict mode flags them (api/lint.py).
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def boolean(params: Params, name: str, default: bool) -> bool:
    value = params.text(name)
    return default if value is None else truth(value, name)


def truth(value: str, name: str) -> bool:
    """A boolean parameter's text (``true``/``false``, ``1``/``0``, ``yes``/``no``, ``on``/``off``)."""
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
            return {str(k): as_text(v) for k, v in parsed.items()}
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


def metadata(params: Params, name: str = "metadata") -> dict[str, Any] | None:
    """Structured metadata as the SDKs send it: ``k=v|set=["a","b"]`` (escaped like context) or a JSON object."""
    text = params.text(name)
    if text is None:
        return None
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict):
            return {str(k): v for k, v in parsed.items()}
    return {k: _metadata_value(v) for k, v in parse_context(text).items()}


def _metadata_value(value: str) -> Any:
    if value.startswith("["):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return value
        if isinstance(parsed, list):
            return [as_text(v) for v in parsed]
    return value


def categorize(params: Params, *, illegal_prefix: bool) -> Categorize:
    """``categorization`` and ``auto_tagging``; messages differ between Upload and Admin API."""
    spec = params.text("categorization")
    engines = _engines(spec, illegal_prefix) if spec else ()
    threshold = _threshold(params.text("auto_tagging"))
    if threshold is not None and not engines:
        raise BadRequest("Must use categorization or detection with auto_tagging")
    return Categorize(engines=engines, auto_tagging=threshold, asynchronous=boolean(params, "async", False))


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
    return bounded_number(value, 0.0, 1.0, f"Invalid auto_tagging value {value}. Must be a number between 0 and 1")


def bounded_number(value: str | None, low: float, high: float, error: str) -> float | None:
    """A number in [low, high] from a parameter's text; None when absent; anything else is ``error`` (400)."""
    if value is None or value.strip() == "":
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not low <= number <= high:  # also false for NaN
        raise BadRequest(error)
    return number


# -- requests -----------------------------------------------------------------------------------------------

def upload_request(params: Params, resource_type: str = "image", *, file: FileSource | None = None,
                   evaluated: bool = False) -> UploadRequest:
    """``file`` given: the parameters an ``eval`` script left, for the file already taken in (``evaluated``)."""
    source = file if file is not None else _file(params)
    return UploadRequest(
        file=source,
        resource_type=resource_type,
        public_id=params.text("public_id") or None,
        folder=params.text("folder") or None,
        tags=tags(params) or (),
        context=context(params) or {},
        categorize=categorize(params, illegal_prefix=False),
        overwrite=boolean(params, "overwrite", True),
        unique_filename=boolean(params, "unique_filename", True),
        use_filename=boolean(params, "use_filename", False),
        notification_url=_http_url(params, "notification_url"),
        metadata=metadata(params),
        clear_invalid=boolean(params, "clear_invalid", False),
        asset_folder=_folder_path(params, "asset_folder"),
        display_name=params.text("display_name") or None,
        public_id_prefix=_folder_path(params, "public_id_prefix"),
        use_asset_folder_as_public_id_prefix=boolean(params, "use_asset_folder_as_public_id_prefix", False),
        use_filename_as_display_name=boolean(params, "use_filename_as_display_name", False),
        extras=_extras(params, admin=False),
        type=_upload_type(params),
        scripts=_scripts(params, resource_type, source, evaluated),
    )


UPLOAD_TYPES = ("upload", "private", "authenticated")


def _upload_type(params: Params) -> str:
    value = params.text("type") or "upload"
    if value not in UPLOAD_TYPES:
        raise BadRequest(f"Invalid type - {value}. Must be one of: {', '.join(UPLOAD_TYPES)}")
    return value


# What ``eval`` does not see in ``upload_options``: the file, the request's authentication, the script itself.
_NOT_OPTIONS = frozenset({"file", "timestamp", "signature", "signature_algorithm", "api_key", "eval"})


def _scripts(params: Params, resource_type: str, file: FileSource, evaluated: bool) -> UploadScripts | None:
    """``eval`` and ``on_success`` (checked for length); ``upload_options`` as sent, tags as an array."""
    code = None if evaluated else params.text("eval") or None
    on_success = params.text("on_success") or None
    if code is None and on_success is None:
        return None
    options: dict[str, Any] = {k: v for k, v in params.raw.items() if k not in _NOT_OPTIONS}
    if "tags" in options:
        options["tags"] = list(tags(params) or ())

    def reparse(changed: Mapping[str, Any]) -> UploadRequest:
        return upload_request(Params(raw=bodies.fold(bodies.json_pairs(dict(changed)))), resource_type,
                              file=file, evaluated=True)

    return UploadScripts(eval=scripts.check("eval", code) if code else None,
                         on_success=scripts.check("on_success", on_success) if on_success else None,
                         options=options, reparse=reparse)


def update_request(params: Params) -> UpdateRequest:
    return UpdateRequest(
        tags=tags(params),
        context=context(params),
        categorize=categorize(params, illegal_prefix=True),
        metadata=metadata(params),
        clear_invalid=boolean(params, "clear_invalid", False),
        asset_folder=_folder_path(params, "asset_folder"),
        display_name=params.text("display_name") or None,
        extras=_extras(params, admin=True),
    )


def _extras(params: Params, *, admin: bool) -> UploadExtras:
    """eager, breakpoints, analyses, add-ons, lifecycle: parsed in their own module (emulator/api/params_extras)."""
    from emulator.api import params_extras  # it builds on this module's helpers

    return params_extras.upload_extras(params, admin=admin)


def _folder_path(params: Params, name: str) -> str | None:
    """A folder-like value without surrounding slashes; ``/`` or empty is the root ("")."""
    value = params.text(name)
    if value is None:
        return None
    cleaned = value.strip().strip("/")
    if "//" in cleaned:
        raise BadRequest(f"Invalid {name} - {value}. Empty folder names are not allowed")
    return cleaned


def _http_url(params: Params, name: str) -> str | None:
    value = params.text(name) or None
    if value is not None and not re.match(r"^https?://[^\s/]+", value, re.IGNORECASE):
        raise BadRequest(f"Invalid {name} - {value}. Must be an http(s) URL")
    return value


def _file(params: Params) -> FileSource:
    part = params.files.get("file")
    if part is not None:
        return StreamedFile(part.stream, part.filename)  # a big part was spooled to disk: stream it
    value = params.text("file")
    if not value:
        raise BadRequest("Missing required parameter - file")
    if value.startswith("data:"):
        return DataUri(media.decode_data_uri(value))
    if re.match(r"^https?://", value, re.IGNORECASE):
        return RemoteFile(value)
    raise BadRequest(f"Invalid file parameter - expected a file, a data URI or an http(s) URL, got {value[:64]!r}")


_CONTENT_RANGE = re.compile(r"^bytes (?P<first>\d+)-(?P<last>\d+)(?:/(?P<total>\d+|\*|-1))?$")


def content_range(header: str) -> ByteRange:
    """``bytes first-last/total``; ``*`` (browsers), ``-1`` (Node, Java streams) or no ``/total`` at all
    (PHP 3's template for a stream of unknown size) while the total is unknown."""
    match = _CONTENT_RANGE.match(header.strip())
    if match is None or int(match["first"]) > int(match["last"]):
        raise BadRequest(f"Invalid Content-Range header - {header}. Expected bytes <first>-<last>/<total>")
    total = None if match["total"] in (None, "*", "-1") else int(match["total"])
    return ByteRange(int(match["first"]), int(match["last"]), total)


def chunk_part(params: Params, header: str, upload_id: str | None) -> Part | None:
    """One part of a chunked upload, or None when the range is the whole file (a plain upload)."""
    byte_range = content_range(header)
    whole = byte_range.first == 0 and byte_range.total is not None and byte_range.last == byte_range.total - 1
    storage = params.files.get("file")
    if storage is None:
        raise BadRequest("Missing required parameter - file (a part of a chunked upload must be a file part)")
    key = upload_id or (f"public_id:{params.text('public_id')}" if params.text("public_id") else None)
    if key is None:
        if whole:
            return None
        raise BadRequest("Missing required header - X-Unique-Upload-Id (or a public_id to group the parts by)")
    stream = storage.stream
    size = stream.seek(0, 2)
    stream.seek(0)
    return Part(key, byte_range, stream, size, storage.filename)


# -- the media library (lists, tags, search, delete, rename, explicit) ---------------------------------------

TAGS_COMMANDS = ("add", "remove", "replace", "remove_all", "set_exclusive")
CONTEXT_COMMANDS = ("add", "remove_all")
_DIRECTIONS: dict[str, Direction] = {"asc": "asc", "1": "asc", "desc": "desc", "-1": "desc"}


def max_results(params: Params, default: int, maximum: int = MAX_RESULTS) -> int:
    number = integer(params.text("max_results"), 1, maximum, "max_results")
    return default if number is None else number


def integer(value: str | None, low: int, high: int, name: str) -> int | None:
    """A whole number in [low, high] from a parameter's text; None when absent; anything else a 400."""
    if value is None or value.strip() == "":
        return None
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise BadRequest(f"Invalid {name} - {value}. Must be an integer between {low} and {high}")
    return number


def direction(value: str | None, name: str = "direction") -> Direction:
    if value is None or value == "":
        return "desc"
    found = _DIRECTIONS.get(value.strip().lower())
    if found is None:
        raise BadRequest(f"Invalid {name} - {value}. Must be asc or desc")
    return found


def _date(params: Params, name: str) -> float | None:
    """``start_at``: ISO-8601 (``2023-11-14 22:13:20``, ``...T...Z``) or RFC 1123 (what Node sends)."""
    value = params.text(name)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            raise BadRequest(f"Invalid {name} - {value}. Use 2023-11-14T22:13:20Z or an RFC 1123 date") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def _ids(params: Params, name: str = "public_ids") -> tuple[str, ...] | None:
    values = params.values(name)
    return None if values is None else tuple(v for v in values if v != "")


def public_ids(params: Params) -> tuple[str, ...]:
    """``public_ids[]`` of a command (at most 1000), required."""
    ids = _ids(params) or ()
    if not ids:
        raise BadRequest("Missing required parameter - public_ids")
    if len(ids) > 1000:
        raise BadRequest(f"Too many public_ids - {len(ids)}. At most 1000")
    return ids


def list_request(params: Params) -> ListRequest:
    return ListRequest(
        max_results=max_results(params, 10),
        next_cursor=params.text("next_cursor") or None,
        direction=direction(params.text("direction")),
        with_tags=boolean(params, "tags", False),
        with_context=boolean(params, "context", False),
        with_metadata=boolean(params, "metadata", False),
        prefix=params.text("prefix") or None,
        public_ids=_ids(params),
        start_at=_date(params, "start_at"),
        fields=_names(params, "fields"),
        with_moderations=boolean(params, "moderations", False),
    )


def tags_request(params: Params) -> TagsRequest:
    return TagsRequest(prefix=params.text("prefix") or None, max_results=max_results(params, 10),
                       next_cursor=params.text("next_cursor") or None)


def tags_command(params: Params) -> TagsCommand:
    """``tag`` (both SDKs, comma-separated) or ``tags``; ``remove_all`` needs none."""
    command = _command(params, TAGS_COMMANDS[:4], TAGS_COMMANDS)
    names = tags(params, "tag") or tags(params) or ()
    if not names and command != "remove_all":
        raise BadRequest("Missing required parameter - tag")
    return TagsCommand(command, names, _ids(params) or (), params.text("type") or "upload")


def context_command(params: Params) -> ContextCommand:
    command = _command(params, CONTEXT_COMMANDS, CONTEXT_COMMANDS)
    pairs = context(params)
    if pairs is None and command != "remove_all":
        raise BadRequest("Missing required parameter - context")
    return ContextCommand(command, pairs or {}, _ids(params) or (), params.text("type") or "upload")


def _command(params: Params, listed: tuple[str, ...], accepted: tuple[str, ...]) -> str:
    command = params.text("command")
    if not command:
        raise BadRequest("Missing required parameter - command")
    if command not in accepted:
        raise BadRequest(f"Invalid command - {command}. Must be one of: {', '.join(listed)}")
    return command


def required(params: Params, name: str) -> str:
    value = params.text(name)
    if not value:
        raise BadRequest(f"Missing required parameter - {name}")
    return value


def rename_request(params: Params) -> RenameRequest:
    return RenameRequest(
        from_public_id=required(params, "from_public_id"),
        to_public_id=required(params, "to_public_id"),
        type=params.text("type") or "upload",
        to_type=params.text("to_type") or None,
        overwrite=boolean(params, "overwrite", False),
        context=context(params),
    )


def explicit_request(params: Params) -> ExplicitRequest:
    """Explicit re-runs what update does, with the Upload API's categorization messages."""
    update = UpdateRequest(tags=tags(params), context=context(params),
                           categorize=categorize(params, illegal_prefix=False), metadata=metadata(params),
                           clear_invalid=boolean(params, "clear_invalid", False),
                           extras=_extras(params, admin=False))
    return ExplicitRequest(required(params, "public_id"), params.text("type") or "upload", update)


def delete_request(params: Params) -> DeleteRequest:
    return DeleteRequest(
        public_ids=_ids(params),
        prefix=params.text("prefix") or None,  # an empty prefix must not read as "everything"
        all=boolean(params, "all", False),
        next_cursor=params.text("next_cursor") or None,
        keep_original=boolean(params, "keep_original", False),
        transformations=eager.parse(params.text("transformations")),
    )


def search_request(params: Params) -> SearchRequest:
    """JSON body (both SDKs) or query string (the GET form): ``sort_by`` items are ``{"field": "dir"}``."""
    return SearchRequest(
        expression=params.text("expression") or "",
        max_results=max_results(params, 50),
        next_cursor=params.text("next_cursor") or None,
        sort_by=_sort_by(params.values("sort_by") or []) or (("created_at", "desc"),),
        with_field=_names(params, "with_field"),
        aggregate=tuple(_aggregate(v) for v in _names(params, "aggregate")),
        fields=_names(params, "fields"),
    )


def _names(params: Params, name: str) -> tuple[str, ...]:
    """Names as a list or comma-separated; a JSON object (``aggregate``'s newer form) stays whole."""
    values = params.values(name) or []
    split = [[v] if v.startswith("{") else v.split(",") for v in values]
    return tuple(dict.fromkeys(n.strip() for names in split for n in names if n.strip()))


def _sort_by(values: list[str]) -> tuple[tuple[str, Direction], ...]:
    """Each item a JSON object ``{"public_id": "desc"}`` (a JSON array of them too), or ``public_id[:dir]``."""
    out: list[tuple[str, Direction]] = []
    for value in values:
        parsed = _json(value)
        items = parsed if isinstance(parsed, list) else [parsed if parsed is not None else value]
        for item in items:
            if isinstance(item, dict):
                out += [(str(k), direction(str(v), "sort_by direction")) for k, v in item.items()]
            else:
                field, _, order = str(item).partition(":")
                out.append((field.strip(), direction(order or "desc", "sort_by direction")))
    return tuple(dict((f, d) for f, d in out).items())


def _aggregate(value: str) -> str:
    """``format``, or the newer object form ``{"type": "format", ...}``."""
    parsed = _json(value)
    return str(parsed["type"]) if isinstance(parsed, dict) and "type" in parsed else value


def _json(value: str) -> Any:
    if not value.startswith(("{", "[")):
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise BadRequest(f"Invalid JSON - {value[:64]}") from None


def from_json(body: Mapping[str, Any]) -> Params:
    """Parameters of a JSON object that arrived another way (a cacheable search URL), folded like ``collect``."""
    return Params(raw=bodies.fold(bodies.json_pairs(dict(body))))
