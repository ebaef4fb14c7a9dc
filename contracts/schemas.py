"""The response schemas (package data, draft 2020-12) and a validator that really checks what they declare.

What a plain ``jsonschema`` validation would let through is enforced here: ``format: date-time`` (jsonschema
only checks formats when asked, and only with a date-time checker installed: rfc3339-validator); the
``x-maxDecimals`` keyword, checked exactly on the number's shortest decimal form, which ``multipleOf: 0.0001``
gets wrong in floating point (0.0755 / 0.0001 is not an integer); and ``x-lowerCase``.

Our keywords must hold in every document a ``$ref`` reaches, not only the root: jsonschema picks the validator
class of a referenced document from its ``$schema``, which would silently drop back to the plain draft 2020-12
class there (and lose both keywords). So the documents are validated with ``$schema`` removed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators
from referencing import Registry
from referencing.jsonschema import DRAFT202012

BASE_URI = "https://cloudinary-contracts.invalid/schemas/"

# Response shapes, by the name the kit uses for them (file name without ``.json``).
NAMES = ("upload", "explicit", "resource", "update", "resource-list", "tags-list", "tags-command", "destroy", "delete",
         "search", "ping", "error", "categorization", "common", "language-code", "restore", "metadata-field",
         "sub-account", "provisioning-user", "access-key")


@dataclass(frozen=True)
class Violation:
    """One schema failure: where in the schema, where in the instance, and what was wrong."""

    schema_path: str
    instance_path: str
    message: str


def max_decimals(validator: Any, limit: int, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """``x-maxDecimals: n``: a finite number whose shortest decimal form has at most ``n`` decimals."""
    if isinstance(instance, bool) or not isinstance(instance, int | float):
        return
    if isinstance(instance, float) and not math.isfinite(instance):
        yield ValidationError(f"{instance!r} is not a finite number")
        return
    exponent = Decimal(repr(instance)).as_tuple().exponent
    if isinstance(exponent, int) and exponent < -limit:
        yield ValidationError(f"{instance!r} has more than {limit} decimals")


def lower_case(validator: Any, why: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """``x-lowerCase: "<why>"``: a string that lower-casing leaves unchanged; ``why`` goes into the message."""
    if why and isinstance(instance, str) and instance != instance.lower():
        yield ValidationError(f"{instance!r} is not lower case: {why}")


_Validator = validators.extend(  # type: ignore[no-untyped-call]  # jsonschema leaves extend() untyped
    Draft202012Validator, {"x-maxDecimals": max_decimals, "x-lowerCase": lower_case})


def load(name: str) -> dict[str, Any]:
    """One schema document as shipped."""
    text = resources.files("contracts").joinpath("schemas", f"{name}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _for_validation(name: str) -> dict[str, Any]:
    """The document without ``$schema``, so that a ``$ref`` into it keeps the kit's validator class."""
    doc = load(name)
    doc.pop("$schema", None)
    return doc


@cache
def registry() -> Registry[Any]:
    pairs = [(BASE_URI + f"{name}.json", DRAFT202012.create_resource(_for_validation(name))) for name in NAMES]
    return Registry().with_resources(pairs)


@cache
def format_checker() -> FormatChecker:
    checker: FormatChecker = Draft202012Validator.FORMAT_CHECKER
    if "date-time" not in checker.checkers:  # fail closed rather than silently skip the format
        raise RuntimeError("no date-time format checker: install rfc3339-validator")
    return checker


@cache
def validator(name: str) -> Any:
    return _Validator(_for_validation(name), registry=registry(), format_checker=format_checker())


def violations(name: str, instance: Any) -> list[Violation]:
    """Every way ``instance`` fails schema ``name``, most specific first (empty when it conforms)."""
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: (-len(e.path), str(e.path)))
    return [_violation(name, e) for e in _leaves(errors)]


def _leaves(errors: list[ValidationError]) -> list[ValidationError]:
    """For oneOf/anyOf failures, the errors of the branch that came closest are the useful ones."""
    out: list[ValidationError] = []
    for error in errors:
        while error.context:
            # A branch that fails only on ``type`` does not apply; the deepest other error is the real one.
            error = max(error.context, key=lambda e: (e.validator != "type", len(e.absolute_path)))
        out.append(error)
    return out


def _violation(name: str, error: ValidationError) -> Violation:
    schema_path = "/".join(str(p) for p in error.absolute_schema_path)
    return Violation(f"{name}.json#/{schema_path}", error.json_path, error.message)
