"""The parsed, field-checked form of a search expression: what storage translates to SQL.

Values are already typed here (numbers, Unix seconds, lower-cased tokens), so a storage back end only maps
nodes to its own query language and never re-reads the expression text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

Comparison = Literal["<", "<=", ">", ">=", "="]


class TextMode(Enum):
    EXACT = "exact"  # ``field=value``: the whole value
    PREFIX = "prefix"  # ``field=value*`` / ``public_id:folder/x*``: the whole value starts with it
    TOKENS = "tokens"  # ``field:value``: the whole value, or every word of it among the field's words


@dataclass(frozen=True)
class Everything:
    """An empty expression: every resource of the cloud."""


@dataclass(frozen=True)
class Text:
    """A match on a text field: ``public_id``, ``filename``, ``folder``, ``tags``, ``format``, ``type``,
    ``resource_type``, ``asset_id``, ``context.<key>``, or ``""`` for a bare term (any text field).

    In ``TOKENS`` mode ``tokens`` are the value's lower-cased words and ``last_is_prefix`` says the final
    word ended with ``*``.
    """

    field: str
    value: str
    mode: TextMode
    tokens: tuple[str, ...] = ()
    last_is_prefix: bool = False


@dataclass(frozen=True)
class Compare:
    """``field <op> number`` on ``bytes``, ``width``, ``height``, ``pixels``, ``aspect_ratio`` or a date field
    (``created_at``/``uploaded_at``, as Unix seconds)."""

    field: str
    op: Comparison
    value: float


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


Node = Everything | Text | Compare | Not | And | Or
