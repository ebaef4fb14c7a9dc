"""Parameters of the account APIs: JSON bodies (metadata fields and rules), preset settings, paging.

Metadata-field calls send nested JSON (``datasource``, ``validation``, ``restrictions``) in every SDK; a form
body (hand-written clients) is read too, its nested members decoded from JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Request

from emulator.api import lint, params
from emulator.api.params import Params
from emulator.backend.account import codec
from emulator.backend.account.presets import PresetSpec
from emulator.control.polls import Claim
from emulator.errors import BadRequest

_NESTED = ("datasource", "validation", "restrictions", "condition", "result", "values", "sample_data")
# Not settings: the preset's own members, and what a signed call carries (the SDKs' upload params add timestamp).
_PRESET_OWN = ("name", "unsigned", "timestamp", "signature", "api_key", "signature_algorithm")
# Preset settings answered as booleans, numbers, lists or objects rather than the text an upload sends.
_BOOLEAN_SETTINGS = lint.BOOLEANS | {"disallow_public_id", "live", "use_asset_folder_as_public_id_prefix",
                                     "unique_display_name", "return_delete_token", "quality_analysis",
                                     "accessibility_analysis", "cinemagraph_analysis", "media_metadata",
                                     "overwrite", "unique_filename", "use_filename", "async"}


def json_body(request: Request) -> dict[str, Any]:
    """The request's parameters with JSON types kept: a JSON object body, else the form and query string."""
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        return {**request.args.to_dict(), **body}
    out: dict[str, Any] = {}
    for name, value in params.collect(request).raw.items():
        out[name] = _decoded(name, value)
    return out


def _decoded(name: str, value: str | list[str]) -> Any:
    if isinstance(value, list):
        return [_decoded(name, v) for v in value]
    if name in _NESTED or value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            if name in _NESTED:
                raise BadRequest(f"Invalid JSON in {name} - {value[:64]}") from None
    if value in ("true", "false"):
        return value == "true"
    return value


def id_list(body: Mapping[str, Any], name: str) -> list[str]:
    value = body.get(name)
    if isinstance(value, str):
        value = [v for v in value.split(",") if v]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise BadRequest(f"Missing required parameter - {name}")
    return value


def optional_text(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    return None if value is None else str(value)


def max_results(raw: Params, default: int, maximum: int = 500) -> int:
    return params.max_results(raw, default, maximum)


# -- upload presets --------------------------------------------------------------------------------------------

def preset_spec(raw: Params) -> PresetSpec:
    unsigned = params.boolean(raw, "unsigned", False) if raw.text("unsigned") is not None else None
    upload = {k: raw.text(k) or "" for k in raw.raw if k not in _PRESET_OWN}
    upload = {k: v for k, v in upload.items() if v != ""}
    settings = {k: _setting(k, v, raw) for k, v in upload.items()}
    return PresetSpec(name=raw.text("name") or None, unsigned=unsigned, params=upload, settings=settings)


def _setting(name: str, text: str, raw: Params) -> Any:
    if name in _BOOLEAN_SETTINGS:
        return params.boolean(raw, name, False)
    if name == "tags":
        return list(params.tags(raw) or ())
    if name == "context":
        return params.context(raw) or {}
    if name in ("transformation", "eager"):
        try:
            return [item for part in text.split("|") for item in codec.info(part)]
        except BadRequest:
            return text
    if name == "auto_tagging":
        return params.bounded_number(text, 0.0, 1.0, f"Invalid auto_tagging value {text}. Must be a number "
                                                     "between 0 and 1")
    return text


# -- notifications of poll triggers ------------------------------------------------------------------------------

def poll_claim(raw: Params) -> tuple[Claim, float]:
    """``channel`` or ``batch_id`` (exactly one), ``max_messages`` 1-100 (10), ``wait_seconds`` 0-60 (20),
    ``visibility_timeout`` 1-600 (30)."""
    channel, batch_id = raw.text("channel") or None, raw.text("batch_id") or None
    if bool(channel) == bool(batch_id):
        raise BadRequest("Supply exactly one of channel or batch_id")
    count = _bounded(raw, "max_messages", 1, 100, 10)
    wait = _bounded(raw, "wait_seconds", 0, 60, 20)
    hidden = _bounded(raw, "visibility_timeout", 1, 600, 30)
    return Claim(channel, batch_id, int(count), hidden), wait


def _bounded(raw: Params, name: str, low: int, high: int, default: int) -> float:
    value = params.bounded_number(raw.text(name), low, high,
                                  f"Invalid {name} - {raw.text(name)}. Must be a number between {low} and {high}")
    return float(default) if value is None else value


def representations(raw: Params) -> str | None:
    """A streaming profile's ``representations`` as JSON text: the SDKs send one JSON string; a JSON body may
    carry the array itself (its items arrive one by one)."""
    values = raw.values("representations")
    if values is None:
        return None
    if len(values) == 1 and not values[0].lstrip().startswith("{"):
        return values[0]
    return "[" + ",".join(values) + "]"
