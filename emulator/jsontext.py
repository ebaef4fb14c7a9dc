"""Compact JSON text for answers, stored rows and documents, the journal and queued messages, encoded by ``orjson``.

An upload's answer and its stored row each hold the categorization block (a dozen tags with their confidences):
the standard library's encoder, with Flask's path to it, cost 7% of an upload's instructions (3.62 M → 3.30 M per
upload with ``orjson``; it encodes that block 14 times as fast). What ``orjson`` refuses (integers past 64 bits,
keys that are not strings, text with lone surrogates) is encoded by the standard library, non-ASCII text escaped
(``\\uXXXX``: a lone surrogate has no UTF-8), so every value that could be encoded still can, and reads back the
same.

Two differences from ``json.dumps`` that no answer relies on: a float's negative exponent has no leading zero
(``1.5e-7``, where ``json`` writes ``1.5e-07``; both read back as the same float), and NaN or an infinity is
written ``null`` (``json`` writes ``NaN``, which is not JSON).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

# Dates and dataclasses go to the caller's ``default`` (Flask's writes dates as HTTP dates), as with ``json``.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def data(value: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    """``value`` as compact UTF-8 JSON (no ``\\u`` escapes); ``default`` turns other objects into encodable ones."""
    try:
        return orjson.dumps(value, default=default, option=_OPTIONS)
    except orjson.JSONEncodeError:
        return json.dumps(value, default=default, separators=(",", ":")).encode("ascii")


def text(value: Any) -> str:
    """``value`` as compact JSON text."""
    try:
        return orjson.dumps(value, option=_OPTIONS).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(value, separators=(",", ":"))
