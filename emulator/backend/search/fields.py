"""What each search field accepts: the field catalogue, value units and dates, checked with positions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from emulator.backend.search.lexer import QueryError, Token
from emulator.backend.search.nodes import And, Compare, Comparison, Everything, Node, Or, Text, TextMode

# Text fields matched word by word with ``:`` (and whole with ``=``).
TOKENIZED = frozenset({"public_id", "filename", "tags"})
# Text fields that are single keywords: ``:`` and ``=`` both compare the whole value.
KEYWORDS = frozenset({"format", "resource_type", "type", "asset_id", "folder"})
NUMERIC = frozenset({"bytes", "width", "height", "pixels", "aspect_ratio"})
DATES = frozenset({"created_at", "uploaded_at"})
ALIASES = {"tag": "tags"}
KNOWN = sorted(TOKENIZED | KEYWORDS | NUMERIC | DATES | {"context.<key>", "metadata.<external_id>"})

_WORD = re.compile(r"\w+")
_BYTES = re.compile(r"^(\d+(?:\.\d+)?)(b|kb|mb|gb|k|m|g)?$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3}
_RELATIVE = re.compile(r"^(\d+)([hdwmy])$")
_SECONDS = {"h": 3600, "d": 86400, "w": 7 * 86400, "m": 30 * 86400, "y": 365 * 86400}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def words(text: str) -> tuple[str, ...]:
    """The lower-cased words of a value: how public ids, tags and context values are indexed for ``:``."""
    return tuple(_WORD.findall(text.lower()))


@dataclass(frozen=True)
class Bound:
    token: Token
    inclusive: bool


def field_name(token: Token) -> str:
    name = ALIASES.get(token.text, token.text)
    if token.quoted or token.wildcard:
        raise QueryError(token.pos, f"a field name cannot be quoted or contain '*': {token.describe()}")
    for family, part in (("context.", "key"), ("metadata.", "external_id")):
        if name.startswith(family):
            if len(name) == len(family):
                raise QueryError(token.pos, f"a {family[:-1]} field needs a {part}: {family}<{part}>")
            return name
    if name not in TOKENIZED | KEYWORDS | NUMERIC | DATES:
        raise QueryError(token.pos, f"unknown field '{token.text}'. Known fields: {', '.join(KNOWN)}")
    return name


def text_clause(field: str, op: Token, value: Token) -> Node:
    """``field:value`` / ``field=value`` on a text field ("" is a bare term, matched on every text field)."""
    if op.text not in (":", "="):
        raise QueryError(op.pos, f"operator '{op.text}' cannot be used with the text field {field}")
    text = value.text.lower() if field == "format" else value.text
    if field == "folder":
        return _folder(text, value.wildcard)
    if op.text == "=" or field in KEYWORDS:
        return Text(field, text, TextMode.PREFIX if value.wildcard else TextMode.EXACT)
    tokens = words(text)
    if not tokens:
        return Text(field, text, TextMode.PREFIX if value.wildcard else TextMode.EXACT)
    ends_in_word = bool(text) and (text[-1].isalnum() or text[-1] == "_")
    return Text(field, text, TextMode.TOKENS, tokens, value.wildcard and ends_in_word)


def _folder(text: str, wildcard: bool) -> Node:
    """``folder:a/b`` is that folder; ``folder:a/*`` is it and everything below; ``folder:a*`` a name prefix."""
    if wildcard and text.endswith("/"):
        base = text.rstrip("/")
        return Or((Text("folder", base, TextMode.EXACT), Text("folder", base + "/", TextMode.PREFIX)))
    if wildcard:
        return Text("folder", text, TextMode.PREFIX)
    return Text("folder", text.strip("/"), TextMode.EXACT)


def compare_clause(field: str, op: Token, value: Token, now: float) -> Node:
    """``bytes>1mb``, ``width:100``, ``created_at>1d``, ``uploaded_at:2023-11-14``."""
    if value.wildcard:
        raise QueryError(value.pos, f"a wildcard cannot be used with the field {field}")
    comparison: Comparison = "=" if op.text in (":", "=") else op.text  # type: ignore[assignment]
    if field in DATES:
        return _date_clause(value, comparison, now)
    return Compare(field, comparison, number(field, value))


def is_metadata(field: str) -> bool:
    return field.startswith("metadata.")


def metadata_compare(field: str, op: Token, value: Token) -> Node:
    """``metadata.rating>=3``, ``metadata.shot<2024-01-01``: integer values, or dates (compared as Unix seconds)."""
    if value.wildcard:
        raise QueryError(value.pos, f"a wildcard cannot be used with a comparison on {field}")
    comparison: Comparison = op.text  # type: ignore[assignment]
    return Compare(field, comparison, metadata_number(field, value))


def metadata_number(field: str, token: Token) -> float:
    text = token.text.strip()
    if _DAY.match(text):
        try:
            return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()
        except ValueError:
            pass
    return _float(field, token, text)


def range_clause(field: str, op: Token, low: Bound, high: Bound, now: float) -> Node:
    """``field:[a TO b]`` (inclusive), ``{a TO b}`` (exclusive), mixed, with ``*`` for an open end."""
    if op.text not in (":", "="):
        raise QueryError(op.pos, f"a range follows ':' or '=', not '{op.text}'")
    if is_metadata(field):
        return _metadata_range(field, low, high)
    if field not in NUMERIC | DATES:
        raise QueryError(op.pos, f"ranges work on numeric and date fields only, not on {field}")
    items: list[Node] = []
    for bound, strict, loose in ((low, ">", ">="), (high, "<", "<=")):
        if bound.token.wildcard and bound.token.text == "":
            continue  # ``*``: no limit on this side
        comparison: Comparison = loose if bound.inclusive else strict  # type: ignore[assignment]
        value = moment(bound.token, now) if field in DATES else number(field, bound.token)
        items.append(Compare(_canonical(field), comparison, value))
    return And(tuple(items)) if items else Everything()


def _metadata_range(field: str, low: Bound, high: Bound) -> Node:
    items: list[Node] = []
    for bound, strict, loose in ((low, ">", ">="), (high, "<", "<=")):
        if bound.token.wildcard and bound.token.text == "":
            continue
        comparison: Comparison = loose if bound.inclusive else strict  # type: ignore[assignment]
        items.append(Compare(field, comparison, metadata_number(field, bound.token)))
    return And(tuple(items)) if items else Everything()


def number(field: str, token: Token) -> float:
    text = token.text.strip()
    if field == "bytes":
        match = _BYTES.match(text)
        if match:
            return float(match[1]) * _UNITS[(match[2] or "").lower()]
        raise QueryError(token.pos, f"bytes needs a number with an optional unit (b, kb, mb, gb), not '{text}'")
    if field == "aspect_ratio" and ":" in text:
        width, _, height = text.partition(":")
        return _float(field, token, width) / (_float(field, token, height) or 1.0)
    return _float(field, token, text)


def _float(field: str, token: Token, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise QueryError(token.pos, f"{field} needs a number, not '{token.text}'") from None


def _date_clause(value: Token, comparison: Comparison, now: float) -> Node:
    if comparison == "=" and _DAY.match(value.text):
        start = moment(value, now)
        return And((Compare("created_at", ">=", start), Compare("created_at", "<", start + 86400)))
    if comparison == "=" and _RELATIVE.match(value.text):
        comparison = ">="  # ``created_at:1w``: within the last week
    return Compare("created_at", comparison, moment(value, now))


def moment(token: Token, now: float) -> float:
    """A date value: relative (``12h``, ``1d``, ``2w``, ``3m`` months, ``1y`` ago), ISO-8601, or Unix seconds."""
    text = token.text.strip()
    relative = _RELATIVE.match(text)
    if relative:
        return now - int(relative[1]) * _SECONDS[relative[2]]
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise QueryError(token.pos, f"'{text}' is not a date: use 2023-11-14, \"2023-11-14T22:13:20Z\", "
                                    "Unix seconds, or a relative 12h, 1d, 2w, 3m, 1y") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _canonical(field: str) -> str:
    return "created_at" if field in DATES else field
