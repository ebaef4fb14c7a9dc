"""Tokens of a search expression, each with the position it started at (for ``Query Error (at position N)``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from emulator.errors import BadRequest


class Kind(Enum):
    TERM = "term"
    OP = "op"  # : = < <= > >=
    LPAREN = "("
    RPAREN = ")"
    LRANGE = "range start"  # [ inclusive, { exclusive
    RRANGE = "range end"  # ] inclusive, } exclusive
    AND = "AND"
    OR = "OR"
    NOT = "NOT"  # NOT, ! or a leading -
    EOF = "end of expression"


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str
    pos: int  # 0-based offset into the expression
    quoted: bool = False
    wildcard: bool = False  # the term ended with an unescaped ``*``

    def describe(self) -> str:
        if self.kind is Kind.EOF:
            return "end of expression"
        return f"'{self.text}'" if self.kind is not Kind.TERM or not self.quoted else f'"{self.text}"'


class QueryError(BadRequest):
    """A malformed expression; the position is 1-based, counted in characters."""

    def __init__(self, pos: int, detail: str) -> None:
        super().__init__(f"Query Error (at position {pos + 1}): {detail}")
        self.pos = pos


_SPECIAL = set('()[]{}":=<>')
_KEYWORDS = {"AND": Kind.AND, "OR": Kind.OR, "NOT": Kind.NOT, "&&": Kind.AND, "||": Kind.OR}
_SINGLE = {"(": Kind.LPAREN, ")": Kind.RPAREN, "[": Kind.LRANGE, "{": Kind.LRANGE, "]": Kind.RRANGE,
           "}": Kind.RRANGE}


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; an unterminated quote or a misplaced wildcard is a :class:`QueryError`."""
    out: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in _SINGLE:
            out.append(Token(_SINGLE[ch], ch, i))
            i += 1
        elif ch in ":=<>":
            i = _operator(text, i, out)
        elif ch == '"':
            i = _quoted(text, i, out)
        elif (ch == "-" or ch == "!") and _starts_term(text, i + 1):
            out.append(Token(Kind.NOT, ch, i))
            i += 1
        else:
            i = _word(text, i, out)
    out.append(Token(Kind.EOF, "", len(text)))
    return out


def _starts_term(text: str, i: int) -> bool:
    return i < len(text) and not text[i].isspace() and text[i] not in ":=<>)]}"


def _operator(text: str, i: int, out: list[Token]) -> int:
    start = i
    if text[i] == ":" and i + 1 < len(text) and text[i + 1] in "<>=":
        i += 1  # ``bytes:>100`` reads as ``bytes>100``
    op = text[i]
    if op in "<>" and i + 1 < len(text) and text[i + 1] == "=":
        op += "="
    out.append(Token(Kind.OP, op, start))
    return i + len(op)


def _quoted(text: str, i: int, out: list[Token]) -> int:
    start = i
    value, stars, i = _scan(text, i + 1, lambda c: c == '"')
    if i >= len(text):
        raise QueryError(start, "unterminated quoted value (a '\"' is missing)")
    out.append(_term(value, start, stars, quoted=True))
    return i + 1


def _word(text: str, i: int, out: list[Token]) -> int:
    start = i
    word, stars, i = _scan(text, i, lambda c: c.isspace() or c in _SPECIAL)
    if word in _KEYWORDS and not stars and len(word) == i - start:
        out.append(Token(_KEYWORDS[word], word, start))
    else:
        out.append(_term(word, start, stars, quoted=False))
    return i


def _scan(text: str, i: int, stop: Callable[[str], bool]) -> tuple[str, list[tuple[int, int]], int]:
    """Characters up to ``stop``, with ``\\x`` read as a literal ``x``; unescaped stars as (offset, index)."""
    chars: list[str] = []
    stars: list[tuple[int, int]] = []
    while i < len(text) and not stop(text[i]):
        if text[i] == "\\" and i + 1 < len(text):
            chars.append(text[i + 1])
            i += 2
            continue
        if text[i] == "*":
            stars.append((i, len(chars)))
        chars.append(text[i])
        i += 1
    return "".join(chars), stars, i


def _term(value: str, start: int, stars: list[tuple[int, int]], *, quoted: bool) -> Token:
    """A term; one trailing unescaped ``*`` is a prefix wildcard, a lone ``*`` means "anything"."""
    if not stars:
        return Token(Kind.TERM, value, start, quoted=quoted)
    for offset, index in stars:
        if index == 0 and len(value) > 1:
            raise QueryError(offset, "a leading wildcard is not allowed")
        if index != len(value) - 1:
            raise QueryError(offset, "a wildcard '*' is allowed only at the end of a value")
    return Token(Kind.TERM, value[:-1], start, quoted=quoted, wildcard=True)
