"""Search expressions: a lexer and recursive-descent parser producing typed nodes that storage turns into SQL."""

from __future__ import annotations

from emulator.backend.search.lexer import QueryError
from emulator.backend.search.parser import parse

__all__ = ["QueryError", "parse"]
