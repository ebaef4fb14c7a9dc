"""Opaque ``next_cursor`` strings: the keyset values a page continues after, tagged with what they page.

A cursor is URL-safe base64 of ``[kind, *values]``. The kind keeps a tags-list cursor from being replayed on a
resource list (or a search cursor on a search sorted differently); anything that does not decode to the
expected kind and arity is ``400 Invalid next_cursor``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence

from emulator.errors import BadRequest

Value = str | int | float


def encode(kind: str, values: Sequence[Value]) -> str:
    payload = json.dumps([kind, *values], separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")


def decode(kind: str, cursor: str, types: Sequence[type]) -> tuple[Value, ...]:
    """The values of ``cursor``, checked against ``kind`` and one expected type per value."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
    except (ValueError, UnicodeError, binascii.Error):
        data = None
    if (not isinstance(data, list) or len(data) != len(types) + 1 or data[0] != kind
            or not all(_fits(v, t) for v, t in zip(data[1:], types, strict=True))):
        raise BadRequest(f"Invalid next_cursor - {cursor}")
    return tuple(data[1:])


def _fits(value: object, expected: type) -> bool:
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, expected) and not isinstance(value, bool)
