"""Named transformations (``t_<name>``) and the implicit ones the account has used, as the Admin API lists them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from emulator.backend.account import codec
from emulator.backend.account.store import AccountStore, page_start
from emulator.clock import Clock
from emulator.errors import AlreadyExists, BadRequest, NotFound

KIND = "transformation"
_NAME = re.compile(r"^[\w\-.]{1,255}$")


@dataclass(frozen=True)
class Listing:
    items: list[dict[str, Any]]
    next_cursor: str | None


class TransformationService:
    def __init__(self, store: AccountStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def list(self, cloud: str, named: bool | None, max_results: int, next_cursor: str | None) -> Listing:
        docs = [d for d in self.store.list(cloud, KIND) if named is None or d["named"] == named]
        start = page_start(next_cursor, len(docs))
        page = docs[start:start + max_results]
        more = start + max_results < len(docs)
        return Listing([_summary(d) for d in page], str(start + max_results) if more else None)

    def get(self, cloud: str, transformation: str) -> dict[str, Any]:
        doc = self.store.get(cloud, KIND, self._key(cloud, transformation))
        if doc is None:
            raise NotFound(f"Transformation {transformation} not found")
        return {**_summary(doc), "info": codec.info(str(doc["transformation"])), "derived": []}

    def create(self, cloud: str, name: str, transformation: str) -> None:
        """A named transformation; a ``name`` equal to the definition itself records an unnamed one."""
        definition = codec.canonical(transformation)
        named = not _same(name, definition)
        if named and not _NAME.match(name):
            raise BadRequest(f"Invalid transformation name - {name}. Use letters, digits, '_', '-' and '.'")
        key = f"t_{_strip(name)}" if named else definition
        doc = {"name": _strip(name) if named else definition, "named": named, "transformation": definition,
               "allowed_for_strict": False, "used": False, "created_at": self.clock.now()}
        if not self.store.insert(cloud, KIND, key, doc):
            raise AlreadyExists(f"Transformation {name} already exists")

    def update(self, cloud: str, transformation: str, allowed_for_strict: bool | None,
               unsafe_update: str | None) -> None:
        key = self._key(cloud, transformation)

        def change(doc: Any) -> Any:
            out = dict(doc)
            if allowed_for_strict is not None:
                out["allowed_for_strict"] = allowed_for_strict
            if unsafe_update is not None:
                if not doc["named"]:
                    raise BadRequest("unsafe_update applies to named transformations only")
                out["transformation"] = codec.canonical(unsafe_update)
            return out

        if self.store.modify(cloud, KIND, key, change) is None:
            raise NotFound(f"Transformation {transformation} not found")

    def delete(self, cloud: str, transformation: str) -> None:
        if not self.store.delete(cloud, KIND, self._key(cloud, transformation)):
            raise NotFound(f"Transformation {transformation} not found")

    def record_use(self, cloud: str, transformation: str) -> None:
        """An unnamed transformation the account used (eager, delivery) joins the list, marked used."""
        try:
            definition = codec.canonical(transformation)
        except BadRequest:
            return
        if self.store.get(cloud, KIND, definition) is not None:
            return  # a read, not a write, on every delivery after the first
        doc = {"name": definition, "named": False, "transformation": definition, "allowed_for_strict": False,
               "used": True, "created_at": self.clock.now()}
        self.store.insert(cloud, KIND, definition, doc)

    def named_definition(self, cloud: str, name: str) -> str | None:
        """The definition behind ``t_<name>``, for delivery; None when there is no such named transformation."""
        doc = self.store.get(cloud, KIND, f"t_{_strip(name)}")
        return str(doc["transformation"]) if doc is not None and doc["named"] else None

    def _key(self, cloud: str, transformation: str) -> str:
        """Named transformations are stored as ``t_<name>``, used ones under their canonical string."""
        named = f"t_{_strip(transformation)}"
        if self.store.get(cloud, KIND, named) is not None:
            return named
        try:
            return codec.canonical(transformation)
        except BadRequest:
            return named


def _same(name: str, definition: str) -> bool:
    try:
        return codec.canonical(name) == definition
    except BadRequest:
        return False


def _strip(name: str) -> str:
    return name[2:] if name.startswith("t_") else name


def _summary(doc: Any) -> dict[str, Any]:
    name = f"t_{doc['name']}" if doc["named"] else doc["name"]
    return {"name": name, "allowed_for_strict": doc["allowed_for_strict"], "used": doc["used"],
            "named": doc["named"]}

