"""Structured metadata fields: the record, its JSON shape, and the checks on a definition.

A field is created from the JSON object the SDKs send (``type``, ``external_id``, ``label``, ``mandatory``,
``default_value``, ``validation``, ``datasource``, ``restrictions``, ``default_disabled``,
``allow_dynamic_list_values``) and answered in the shape of Cloudinary's Admin API reference ("Generic structure
of a metadata field"). Values given to assets are checked in :mod:`emulator.backend.account.values`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from emulator.errors import BadRequest

FIELD_TYPES = ("string", "integer", "date", "enum", "set")
LIST_TYPES = ("enum", "set")
_COMPARISONS = ("greater_than", "less_than")
_EXTERNAL_ID = re.compile(r"^[\w\-.:]{1,255}$")
# What update may change; ``external_id`` and ``type`` are fixed at creation (the real service ignores them).
UPDATABLE = ("label", "mandatory", "default_value", "validation", "restrictions", "default_disabled",
             "allow_dynamic_list_values", "datasource")


@dataclass(frozen=True)
class Entry:
    """One value of an enum or set field's datasource; deleted entries become ``inactive`` (restorable)."""

    external_id: str
    value: str
    state: str = "active"

    def render(self) -> dict[str, Any]:
        return {"value": self.value, "external_id": self.external_id}


@dataclass(frozen=True)
class MetadataField:
    external_id: str
    type: str
    label: str
    mandatory: bool = False
    default_value: Any = None
    validation: Any = None
    restrictions: Mapping[str, Any] = field(default_factory=lambda: {"readonly_ui": False})
    default_disabled: bool = False
    allow_dynamic_list_values: bool = False
    datasource: tuple[Entry, ...] = ()
    created_at: float = 0.0
    position: int = 0
    deleted: bool = False  # a deleted field's external id is never given out again

    @property
    def active_entries(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.datasource if e.state == "active")

    def render(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type, "external_id": self.external_id, "label": self.label,
            "mandatory": self.mandatory, "default_value": self.default_value, "validation": self.validation,
            "default_disabled": self.default_disabled, "restrictions": dict(self.restrictions),
        }
        if self.type in LIST_TYPES:
            body["datasource"] = self.render_datasource()
        if self.type == "set":
            body["allow_dynamic_list_values"] = self.allow_dynamic_list_values
        return body

    def render_datasource(self) -> dict[str, Any]:
        return {"values": [e.render() for e in self.active_entries]}

    def document(self) -> dict[str, Any]:
        return {**self.render(), "datasource": [vars(e) for e in self.datasource], "created_at": self.created_at,
                "position": self.position, "deleted": self.deleted,
                "allow_dynamic_list_values": self.allow_dynamic_list_values}

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> MetadataField:
        return cls(
            external_id=doc["external_id"], type=doc["type"], label=doc["label"], mandatory=doc["mandatory"],
            default_value=doc["default_value"], validation=doc["validation"], restrictions=doc["restrictions"],
            default_disabled=doc["default_disabled"], allow_dynamic_list_values=doc["allow_dynamic_list_values"],
            datasource=tuple(Entry(**e) for e in doc["datasource"]), created_at=doc["created_at"],
            position=doc["position"], deleted=doc["deleted"],
        )


# -- building a field from a request ---------------------------------------------------------------------------

def new_field(body: Mapping[str, Any], *, external_id: str, entry_id: Any, now: float,
              position: int) -> MetadataField:
    """A field from a create request; ``entry_id()`` makes the external ids of datasource values not given one."""
    kind = body.get("type")
    if kind is None:
        raise BadRequest("Missing required parameter - type")
    if kind not in FIELD_TYPES:
        raise BadRequest(f"type is invalid - {kind}. Must be one of: {', '.join(FIELD_TYPES)}")
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise BadRequest("Missing required parameter - label" if label is None else "label is invalid")
    draft = MetadataField(external_id=external_id, type=kind, label=label, created_at=now, position=position)
    if kind in LIST_TYPES:
        values = _datasource_values(body.get("datasource"), required=True)
        draft = replace(draft, datasource=_entries(values, entry_id))
    return changed(draft, {k: v for k, v in body.items() if k not in ("datasource", "label")})


def changed(current: MetadataField, body: Mapping[str, Any], entry_id: Any = None) -> MetadataField:
    """``current`` with the updatable members of ``body`` applied, checked as a whole."""
    out = current
    if "label" in body:
        label = body["label"]
        if not isinstance(label, str) or not label.strip():
            raise BadRequest("label is invalid")
        out = replace(out, label=label)
    for name in ("mandatory", "default_disabled", "allow_dynamic_list_values"):
        if name in body and body[name] is not None:
            flags: dict[str, Any] = {name: _boolean(name, body[name])}
            out = replace(out, **flags)
    if "restrictions" in body and body["restrictions"] is not None:
        if not isinstance(body["restrictions"], Mapping):
            raise BadRequest("restrictions is invalid - must be an object")
        out = replace(out, restrictions={**out.restrictions, **body["restrictions"]})
    if "validation" in body:
        out = replace(out, validation=check_validation(out.type, body["validation"]))
    if "datasource" in body and body["datasource"] is not None and out.type in LIST_TYPES:
        out = replace(out, datasource=merge_entries(out.datasource, _datasource_values(body["datasource"]),
                                                    entry_id))
    if "default_value" in body:
        out = replace(out, default_value=body["default_value"])
    if out.default_value is not None:
        out = replace(out, default_value=_checked_default(out))
    return out


def check_external_id(value: Any) -> str:
    if not isinstance(value, str) or not _EXTERNAL_ID.match(value):
        raise BadRequest(f"external_id is invalid - {value}. Use letters, digits, '_', '-', '.' or ':'")
    return value


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise BadRequest(f"{name} is invalid - {value}. Must be true or false")


def _checked_default(current: MetadataField) -> Any:
    from emulator.backend.account.values import InvalidValue, coerce  # values imports this module

    try:
        return coerce(current, current.default_value)
    except InvalidValue as exc:
        raise BadRequest(f"default_value is invalid - {exc}") from None


# -- datasource ----------------------------------------------------------------------------------------------

def _datasource_values(datasource: Any, *, required: bool = False) -> list[Mapping[str, Any]]:
    values = datasource.get("values") if isinstance(datasource, Mapping) else datasource
    if values is None and not required:
        return []
    if not isinstance(values, list) or (required and not values):
        raise BadRequest("datasource is invalid - expected {\"values\": [{\"value\": ..., \"external_id\": ...}]}")
    return [_entry_body(v) for v in values]


def _entry_body(item: Any) -> Mapping[str, Any]:
    if not isinstance(item, Mapping) or not isinstance(item.get("value"), str) or not item["value"].strip():
        raise BadRequest(f"datasource value is invalid - {item}. Each value needs a non-empty \"value\"")
    if item.get("external_id") is not None:
        check_external_id(item["external_id"])
    return item


def _entries(values: list[Mapping[str, Any]], entry_id: Any) -> tuple[Entry, ...]:
    return merge_entries((), values, entry_id)


def merge_entries(current: tuple[Entry, ...], values: list[Mapping[str, Any]], entry_id: Any) -> tuple[Entry, ...]:
    """Values with a known external id replace that entry (and make it active); others are appended."""
    out = list(current)
    for item in values:
        ext = item.get("external_id")
        index = next((i for i, e in enumerate(out) if e.external_id == ext), None) if ext else None
        if index is not None:
            out[index] = Entry(out[index].external_id, item["value"])
        else:
            out.append(Entry(ext or entry_id(), item["value"]))
    ids = [e.external_id for e in out]
    if len(set(ids)) != len(ids):
        raise BadRequest("datasource is invalid - external ids of values must be unique")
    active = [e.value for e in out if e.state == "active"]
    if len(set(active)) != len(active):
        raise BadRequest("datasource is invalid - values must be unique")
    return tuple(out)


def set_state(current: tuple[Entry, ...], external_ids: list[str], state: str) -> tuple[Entry, ...]:
    wanted = set(external_ids)
    return tuple(Entry(e.external_id, e.value, state) if e.external_id in wanted else e for e in current)


# -- validation rules ------------------------------------------------------------------------------------------

def check_validation(kind: str, validation: Any) -> Any:
    """A validation object as given, once it is known to make sense for the field type (None clears it)."""
    if validation is None:
        return None
    if kind in LIST_TYPES:
        raise BadRequest(f"validation is invalid - {kind} fields take no validation")
    _check_rule(kind, validation, top=True)
    return validation


def _check_rule(kind: str, rule: Any, *, top: bool) -> None:
    if not isinstance(rule, Mapping) or not isinstance(rule.get("type"), str):
        raise BadRequest(f"validation is invalid - {rule}. Expected an object with a type")
    name = rule["type"]
    if name == "and" and top:
        rules = rule.get("rules")
        if not isinstance(rules, list) or not rules:
            raise BadRequest("validation is invalid - an and validation needs a non-empty rules list")
        for inner in rules:
            _check_rule(kind, inner, top=False)
    elif name in _COMPARISONS and kind in ("integer", "date"):
        parse_bound(kind, rule.get("value"))
        if "equals" in rule and not isinstance(rule["equals"], bool):
            raise BadRequest(f"validation is invalid - equals must be true or false, got {rule['equals']}")
    elif name == "strlen" and kind == "string":
        _check_lengths(rule)
    elif name == "strregex" and kind == "string":
        _regex(rule.get("value"))
    else:
        raise BadRequest(f"validation is invalid - a {name} rule cannot validate a {kind} field")


def _check_lengths(rule: Mapping[str, Any]) -> None:
    low, high = rule.get("min"), rule.get("max")
    for bound in (low, high):
        if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool) or bound < 0):
            raise BadRequest(f"validation is invalid - strlen min and max must be non-negative integers, "
                             f"got {bound}")
    if low is None and high is None:
        raise BadRequest("validation is invalid - strlen needs min or max")
    if low is not None and high is not None and low > high:
        raise BadRequest(f"validation is invalid - strlen min {low} is greater than max {high}")


def _regex(value: Any) -> re.Pattern[str]:
    if not isinstance(value, str):
        raise BadRequest(f"validation is invalid - strregex needs a regular expression value, got {value}")
    try:
        return re.compile(value)
    except re.error as exc:
        raise BadRequest(f"validation is invalid - {value} is not a regular expression: {exc}") from None


def parse_bound(kind: str, value: Any) -> int | date:
    """The comparison value of a greater_than / less_than rule: an integer, or a date YYYY-MM-DD."""
    if kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise BadRequest(f"validation is invalid - value must be an integer, got {value}")
    parsed = parse_date(value)
    if parsed is None:
        raise BadRequest(f"validation is invalid - value must be a date YYYY-MM-DD, got {value}")
    return parsed


def parse_date(value: Any) -> date | None:
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def regex(rule: Mapping[str, Any]) -> re.Pattern[str]:
    return _regex(rule.get("value"))
