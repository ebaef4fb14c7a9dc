"""The port the account services persist through: small JSON documents, keyed by cloud, kind and name.

Every account object (a metadata field, an upload preset, a trigger ...) is a document of its kind; the
services turn their records into documents and back. ``modify`` is the one read-modify-write, atomic across
threads and the processes of ``serve --workers``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from emulator.errors import BadRequest

Document = Mapping[str, Any]


class AccountStore(Protocol):
    def get(self, cloud: str, kind: str, name: str) -> Document | None: ...

    def list(self, cloud: str, kind: str) -> list[Document]:
        """Every document of a kind, in the order they were first inserted."""
        ...

    def insert(self, cloud: str, kind: str, name: str, document: Document) -> bool:
        """Store a new document; False (and nothing stored) when the name is taken."""
        ...

    def put(self, cloud: str, kind: str, name: str, document: Document) -> None:
        """Insert or replace (a replaced document keeps its place in the order)."""
        ...

    def modify(self, cloud: str, kind: str, name: str,
               change: Callable[[Document], Document]) -> Document | None:
        """Replace a document by ``change(document)`` atomically; None when there is none."""
        ...

    def delete(self, cloud: str, kind: str, name: str) -> bool: ...

    def rename(self, cloud: str, kind: str, old: str, new: str, document: Document) -> bool:
        """Move a document to a new name (with new content); False when ``new`` is taken or ``old`` is gone."""
        ...

    def reset(self, cloud: str | None = None) -> None:
        """Forget every document of one cloud (or of all)."""
        ...


def page_start(next_cursor: str | None, size: int) -> int:
    """Where a page of a document list starts: its ``next_cursor`` is the offset of the first item."""
    if next_cursor is None:
        return 0
    if not next_cursor.isdigit() or int(next_cursor) > size:
        raise BadRequest(f"Invalid next_cursor - {next_cursor}")
    return int(next_cursor)
