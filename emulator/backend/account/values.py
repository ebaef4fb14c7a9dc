"""Metadata values on assets: each checked against its field's type, datasource and validation.

Values arrive as the SDKs send them (``metadata=field=value|set_field=["id1","id2"]`` parsed by the HTTP layer
into strings and lists). Integers are stored as numbers, dates as ``YYYY-MM-DD``, enum values as the external id
of an active datasource entry, set values as a list of such ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from emulator.backend.account.metadata import MetadataField, parse_bound, parse_date, regex
from emulator.errors import BadRequest

Value = str | int | list[str]
_INTEGER = re.compile(r"^[+-]?\d{1,18}$", re.ASCII)  # ASCII digits: not "١٢"


class MetadataFields(Protocol):
    """Where the asset operations find the cloud's fields (the metadata service)."""

    def by_id(self, cloud: str) -> dict[str, MetadataField]: ...


class NoMetadataFields:
    def by_id(self, cloud: str) -> dict[str, MetadataField]:
        return {}


class InvalidValue(Exception):
    """A value its field does not accept; the message says why."""


def coerce(field: MetadataField, value: Any) -> Value:
    """The stored form of ``value`` for ``field``, or :class:`InvalidValue`."""
    if field.type == "integer":
        number = _integer(value)
        _validate(field, number)
        return number
    if field.type == "date":
        day = parse_date(value)
        if day is None:
            raise InvalidValue(f"{value!r} is not a date YYYY-MM-DD")
        _validate(field, day)
        return value  # type: ignore[no-any-return]  # a str, checked by parse_date
    if field.type == "string":
        if not isinstance(value, str):
            raise InvalidValue(f"{value!r} is not a string")
        _validate(field, value)
        return value
    ids = [value] if isinstance(value, str) else value
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InvalidValue(f"{value!r} is not a datasource external id or a list of them")
    if field.type == "enum" and len(ids) != 1:
        raise InvalidValue(f"an enum field takes one value, got {len(ids)}")
    known = {e.external_id for e in field.active_entries}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise InvalidValue(f"{', '.join(unknown)} is not an active value of the datasource")
    return ids[0] if field.type == "enum" else list(dict.fromkeys(ids))


def _integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        return int(value)
    raise InvalidValue(f"{value!r} is not an integer")


def _validate(field: MetadataField, value: int | date | str) -> None:
    rule = field.validation
    if rule is None:
        return
    for item in rule["rules"] if rule["type"] == "and" else [rule]:
        if not _passes(field.type, item, value):
            raise InvalidValue(f"{value} does not pass the {item['type']} validation {_describe(item)}")


def _passes(kind: str, rule: Mapping[str, Any], value: int | date | str) -> bool:
    name = rule["type"]
    if name in ("greater_than", "less_than"):
        bound: Any = parse_bound(kind, rule["value"])
        equals = bool(rule.get("equals", False))
        if value == bound:
            return equals
        return bool(value > bound) if name == "greater_than" else bool(value < bound)
    if name == "strlen":
        length = len(str(value))
        return (rule.get("min") is None or length >= rule["min"]) and (rule.get("max") is None
                                                                        or length <= rule["max"])
    return regex(rule).search(str(value)) is not None  # strregex


def _describe(rule: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in rule.items() if k != "type")


# -- assigning values to an asset ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Assignment:
    """``metadata`` of one request: values by external id ('' or [] removes a value)."""

    values: Mapping[str, Any]
    clear_invalid: bool = False


def assign(fields: Mapping[str, MetadataField], current: Mapping[str, Any], assignment: Assignment) -> dict[str, Any]:
    """``current`` with the assignment applied; unknown fields and invalid values are 400s (or, with
    ``clear_invalid``, the invalid ones are cleared)."""
    out = {k: v for k, v in current.items() if k in fields}
    for external_id, raw in assignment.values.items():
        field = fields.get(external_id)
        if field is None:
            raise BadRequest(f"Metadata field {external_id} does not exist")
        if raw in ("", [], None):
            out.pop(external_id, None)
            continue
        try:
            out[external_id] = coerce(field, raw)
        except InvalidValue as exc:
            if not assignment.clear_invalid:
                raise BadRequest(f"Metadata field {external_id} - value is invalid: {exc}") from None
            out.pop(external_id, None)
    return out


def with_defaults(fields: Mapping[str, MetadataField], given: Mapping[str, Any]) -> dict[str, Any]:
    """A new asset's values: each field's default value unless the upload gives one."""
    defaults = {f.external_id: f.default_value for f in fields.values()
                if f.default_value is not None and not f.default_disabled}
    return {**defaults, **given}


def for_upload(fields: Mapping[str, MetadataField], given: Mapping[str, Any] | None,
               clear_invalid: bool) -> dict[str, Any]:
    """A new asset's stored values: defaults, then the upload's own (checked), then the mandatory check."""
    values = with_defaults(fields, {})
    if given:
        values = assign(fields, values, Assignment(given, clear_invalid))
    check_mandatory(fields, values)
    return values


def check_mandatory(fields: Mapping[str, MetadataField], values: Mapping[str, Any]) -> None:
    missing = [f.external_id for f in fields.values() if f.mandatory and values.get(f.external_id) in (None, "", [])]
    if missing:
        raise BadRequest(f"Mandatory metadata field(s) missing a value - {', '.join(missing)}")


def visible(fields: Mapping[str, MetadataField], values: Mapping[str, Any]) -> dict[str, Any]:
    """An asset's values as answered: only fields that still exist, set values still active."""
    out: dict[str, Any] = {}
    for external_id, value in values.items():
        field = fields.get(external_id)
        if field is None:
            continue
        if field.type in ("enum", "set"):
            active = {e.external_id for e in field.active_entries}
            kept = [v for v in ([value] if isinstance(value, str) else value) if v in active]
            if not kept:
                continue
            value = kept[0] if field.type == "enum" else kept
        out[external_id] = value
    return out
