"""``eval`` and ``on_success``: upload parameters carrying JavaScript, run in a sandboxed QuickJS engine.

As Cloudinary documents them (https://cloudinary.com/documentation/upload_parameters): ``eval`` runs before the
asset is stored, reads ``resource_info`` (the file's facts, as an upload answer gives them) and changes
``upload_options`` (the upload's parameters; ``eager``, ``eager_async``, ``upload_preset``, ``resource_type``,
``type`` and ``public_id`` excepted); ``on_success`` runs once the upload succeeded, reads ``current_asset`` and
``event_info`` and calls ``current_asset.update({tags, context, metadata})``.

Each script gets a fresh engine with no I/O at all (QuickJS without its ``std``/``os`` modules), bounded in
time, memory and stack: a script that loops, allocates without end or recurses too deep is a 400, and the upload
it belonged to stores nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.errors import BadRequest

MAX_CODE = 4095  # characters, Cloudinary's documented limit
TIME_LIMIT_S = 1
MEMORY_LIMIT = 32 * 1024 * 1024
STACK_LIMIT = 256 * 1024
FIXED_OPTIONS = frozenset({"eager", "eager_async", "upload_preset", "resource_type", "type", "public_id"})
UPDATABLE = ("tags", "context", "metadata")


@dataclass(frozen=True)
class AssetUpdate:
    """One ``current_asset.update({...})`` call of an ``on_success`` script: the fields it names, as given."""

    tags: tuple[str, ...] | None = None
    context: Mapping[str, str] | None = None
    metadata: Mapping[str, Any] | None = None


def check(name: str, code: str) -> str:
    """A script parameter as sent, refused when longer than Cloudinary allows."""
    if len(code) > MAX_CODE:
        raise BadRequest(f"Invalid {name} - the script has {len(code)} characters. Maximum is {MAX_CODE}")
    return code


def run_eval(code: str, resource_info: Mapping[str, Any], upload_options: Mapping[str, Any]) -> dict[str, Any]:
    """The upload options as the ``eval`` script left them (the fixed ones may not change)."""
    engine = _engine()
    _define(engine, "resource_info", resource_info)
    _define(engine, "upload_options", upload_options)
    _run(engine, "eval", code)
    changed = _read(engine, "eval", "upload_options")
    if not isinstance(changed, dict):
        raise BadRequest("Invalid eval - upload_options must stay an object")
    for name in sorted(FIXED_OPTIONS):
        if changed.get(name) != upload_options.get(name):
            raise BadRequest(f"Invalid eval - upload_options.{name} cannot be changed by eval")
    return {k: v for k, v in changed.items() if v is not None}


def run_on_success(code: str, current_asset: Mapping[str, Any], event_info: Mapping[str, Any]) -> list[AssetUpdate]:
    """The ``current_asset.update`` calls the ``on_success`` script made, in order."""
    engine = _engine()
    _define(engine, "current_asset", current_asset)
    _define(engine, "event_info", event_info)
    engine.eval("(function () { var calls = []; Object.defineProperty(globalThis, '__cld_updates', {value: calls});"
                " current_asset.update = function (fields) { calls.push(JSON.stringify(fields === undefined ?"
                " null : fields)); }; })();")
    _run(engine, "on_success", code)
    calls = _read(engine, "on_success", "__cld_updates")
    return [_update(json.loads(call) if isinstance(call, str) else call) for call in calls]


def _engine() -> Any:
    import quickjs  # lazily: only uploads carrying a script pay for the engine

    engine = quickjs.Context()
    engine.set_memory_limit(MEMORY_LIMIT)
    engine.set_max_stack_size(STACK_LIMIT)
    engine.set_time_limit(TIME_LIMIT_S)
    return engine


def _define(engine: Any, name: str, value: Mapping[str, Any]) -> None:
    engine.eval(f"var {name} = {json.dumps(dict(value))};")


def _run(engine: Any, name: str, code: str) -> None:
    import quickjs

    try:
        engine.eval(code)
    except quickjs.StackOverflow:
        raise BadRequest(f"Invalid {name} - the script recursed too deep (stack overflow)") from None
    except quickjs.JSException as exc:
        raise BadRequest(f"Invalid {name} - {_explain(str(exc))}") from None


def _read(engine: Any, name: str, variable: str) -> Any:
    import quickjs

    try:
        text = engine.eval(f"JSON.stringify({variable})")
    except quickjs.JSException as exc:
        raise BadRequest(f"Invalid {name} - {variable}: {_explain(str(exc))}") from None
    return json.loads(text) if isinstance(text, str) else None


def _explain(message: str) -> str:
    """The engine's error, first line only; its limits named in words."""
    first = message.strip().splitlines()[0] if message.strip() else "the script failed"
    if first == "InternalError: interrupted":
        return f"the script ran longer than {TIME_LIMIT_S} s and was stopped"
    if first == "InternalError: out of memory":
        return f"the script used more than {MEMORY_LIMIT // (1024 * 1024)} MB of memory and was stopped"
    return first[:300]


def _update(fields: Any) -> AssetUpdate:
    """One ``current_asset.update`` argument: an object of tags (array or comma-separated), context (object or
    ``k=v|k2=v2``) and metadata (object)."""
    if not isinstance(fields, dict):
        raise BadRequest("Invalid on_success - current_asset.update takes an object")
    unknown = sorted(set(fields) - set(UPDATABLE))
    if unknown:
        raise BadRequest(f"Invalid on_success - current_asset.update cannot change {', '.join(unknown)}. "
                         f"It changes {', '.join(UPDATABLE)}")
    return AssetUpdate(_tags(fields.get("tags")), _context(fields.get("context")), _metadata(fields.get("metadata")))


def _tags(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(t, str | int | float) for t in items):
        raise BadRequest("Invalid on_success - tags must be an array of strings")
    return tuple(dict.fromkeys(str(t).strip() for t in items if str(t).strip()))


def _context(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        pairs = (item.partition("=") for item in value.split("|") if item)
        return {k: v for k, _, v in pairs}
    if not isinstance(value, dict):
        raise BadRequest("Invalid on_success - context must be an object")
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


def _metadata(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadRequest("Invalid on_success - metadata must be an object")
    return dict(value)
