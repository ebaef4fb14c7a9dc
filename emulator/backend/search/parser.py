"""A recursive-descent parser for Cloudinary's Lucene-like search expressions.

Grammar (juxtaposed terms are joined with AND; ``-x`` and ``!x`` mean ``NOT x``)::

    query   := [or] EOF
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*
    unary   := "NOT" unary | primary
    primary := "(" or ")" | clause
    clause  := TERM [OP (TERM | range)]          a TERM alone is a bare term, searched in every text field
    range   := ("[" | "{") TERM "TO" TERM ("]" | "}")
    OP      := ":" | "=" | "<" | "<=" | ">" | ">="
"""

from __future__ import annotations

from emulator.backend.search import fields
from emulator.backend.search.lexer import Kind, QueryError, Token, tokenize
from emulator.backend.search.nodes import And, Everything, Node, Not, Or

MAX_LENGTH = 4096
MAX_DEPTH = 32  # nested parentheses / NOTs
MAX_CLAUSES = 100


def parse(expression: str, now: float) -> Node:
    """The expression as a :mod:`~emulator.backend.search.nodes` tree; relative dates count back from ``now``."""
    if len(expression) > MAX_LENGTH:
        raise QueryError(MAX_LENGTH, f"the expression is longer than {MAX_LENGTH} characters")
    tokens = tokenize(expression)
    if tokens[0].kind is Kind.EOF:
        return Everything()
    return _Parser(tokens, now).query()


class _Parser:
    def __init__(self, tokens: list[Token], now: float) -> None:
        self.tokens = tokens
        self.at = 0
        self.now = now
        self.depth = 0
        self.clauses = 0

    # -- helpers --------------------------------------------------------------------------------------------

    def peek(self) -> Token:
        return self.tokens[self.at]

    def advance(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expect(self, kind: Kind, what: str) -> Token:
        token = self.peek()
        if token.kind is not kind:
            raise QueryError(token.pos, f"expected {what}, found {token.describe()}")
        return self.advance()

    # -- grammar --------------------------------------------------------------------------------------------

    def query(self) -> Node:
        node = self.or_()
        token = self.peek()
        if token.kind is not Kind.EOF:
            detail = "unbalanced ')'" if token.kind is Kind.RPAREN else f"unexpected {token.describe()}"
            raise QueryError(token.pos, detail)
        return node

    def or_(self) -> Node:
        items = [self.and_()]
        while self.peek().kind is Kind.OR:
            self.advance()
            items.append(self.and_())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_(self) -> Node:
        items = [self.unary()]
        while True:
            kind = self.peek().kind
            if kind is Kind.AND:
                self.advance()
            elif kind not in (Kind.TERM, Kind.LPAREN, Kind.NOT):
                break
            items.append(self.unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node:
        if self.peek().kind is Kind.NOT:
            self.advance()
            with_depth = self._deeper(self.peek())
            node = Not(self.unary())
            self.depth = with_depth
            return node
        return self.primary()

    def primary(self) -> Node:
        token = self.peek()
        if token.kind is Kind.LPAREN:
            self.advance()
            with_depth = self._deeper(token)
            node = self.or_()
            closing = self.peek()
            if closing.kind is not Kind.RPAREN:
                raise QueryError(closing.pos, f"expected ')' to close the '(' at position {token.pos + 1}, "
                                              f"found {closing.describe()}")
            self.advance()
            self.depth = with_depth
            return node
        if token.kind is Kind.TERM:
            return self.clause()
        raise QueryError(token.pos, f"expected a search term, found {token.describe()}")

    def clause(self) -> Node:
        self.clauses += 1
        term = self.advance()
        if self.clauses > MAX_CLAUSES:
            raise QueryError(term.pos, f"more than {MAX_CLAUSES} terms in one expression")
        if self.peek().kind is not Kind.OP:
            if not term.text and not term.wildcard:
                raise QueryError(term.pos, "an empty quoted value needs a field, e.g. folder=\"\"")
            return fields.text_clause("", Token(Kind.OP, ":", term.pos), term)
        name = fields.field_name(term)
        op = self.advance()
        if self.peek().kind is Kind.LRANGE:
            return self.range(name, op)
        value = self.expect(Kind.TERM, f"a value after '{term.text}{op.text}'")
        if name in fields.NUMERIC or name in fields.DATES:
            return fields.compare_clause(name, op, value, self.now)
        if fields.is_metadata(name) and op.text not in (":", "="):
            return fields.metadata_compare(name, op, value)
        return fields.text_clause(name, op, value)

    def range(self, name: str, op: Token) -> Node:
        opening = self.advance()
        low = self.expect(Kind.TERM, "the lower end of the range")
        to = self.peek()
        if to.kind is not Kind.TERM or to.text != "TO" or to.quoted:
            raise QueryError(to.pos, f"expected 'TO' in the range, found {to.describe()}")
        self.advance()
        high = self.expect(Kind.TERM, "the upper end of the range")
        closing = self.expect(Kind.RRANGE, "']' or '}' to close the range")
        return fields.range_clause(name, op, fields.Bound(low, opening.text == "["),
                                   fields.Bound(high, closing.text == "]"), self.now)

    def _deeper(self, token: Token) -> int:
        """Enter one nesting level; returns the level to restore afterwards."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(token.pos, f"the expression is nested more than {MAX_DEPTH} levels deep")
        return self.depth - 1
