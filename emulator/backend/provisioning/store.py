"""The port the provisioning service persists through: JSON documents of one account, by kind and id.

A document may claim a ``unique`` name within its kind (a sub-account's cloud name, a user's email, a group's
name, all lower-cased); the store refuses a second claim atomically, across threads and the processes of
``serve --workers``, so two concurrent creations cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

Document = Mapping[str, Any]


@dataclass(frozen=True)
class Claimed:
    """A document and the unique name it claims within its kind (None: it claims none)."""

    unique: str | None
    body: Document


class UniqueTaken(Exception):
    """Raised by :meth:`ProvisioningStore.modify` when the changed document's unique name belongs to another."""


class ProvisioningStore(Protocol):
    def get(self, account: str, kind: str, id: str) -> Document | None: ...

    def find(self, account: str, kind: str, unique: str) -> Document | None:
        """The document of a kind claiming ``unique``."""
        ...

    def list(self, account: str, kind: str) -> list[Document]:
        """Every document of a kind, oldest first."""
        ...

    def insert(self, account: str, kind: str, id: str, document: Claimed) -> bool:
        """Store a new document; False (nothing stored) when its unique name is taken."""
        ...

    def modify(self, account: str, kind: str, id: str,
               change: Callable[[Document], Claimed]) -> Document | None:
        """Replace a document by ``change(document)`` atomically; None when there is none. Raises
        :class:`UniqueTaken` (nothing changed) when the new unique name is another document's."""
        ...

    def delete(self, account: str, kind: str, id: str) -> Document | None:
        """Remove a document; the removed one, or None when there was none."""
        ...

    def reset(self) -> None:
        """Forget every document of every account."""
        ...
