"""The properties, registered by name. Import :func:`registry` to get them all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from contracts.kit import Kit


@dataclass(frozen=True)
class Property:
    name: str
    summary: str
    mutating: bool
    run: Callable[[Kit], None]
    admin: int = 0  # its weight in the share-out of the Admin budget (0: it makes no Admin calls)


_REGISTRY: dict[str, Property] = {}


def prop(name: str, summary: str, *, mutating: bool = True,
         admin: int = 0) -> Callable[[Callable[[Kit], None]], Callable[[Kit], None]]:
    def register(fn: Callable[[Kit], None]) -> Callable[[Kit], None]:
        _REGISTRY[name] = Property(name, summary, mutating, fn, admin)
        return fn

    return register


# The order properties run and are listed in: the core contract first, then the library, the add-on's laws,
# and what came later (files in parts, CORS, structured metadata, archives, backups).
MODULES = ("core", "library", "tagging", "media", "metadata", "archives")


def registry() -> dict[str, Property]:
    from contracts.properties import archives, core, library, media, metadata, tagging  # noqa: F401

    order = {f"contracts.properties.{name}": n for n, name in enumerate(MODULES)}
    ranked = sorted(_REGISTRY.values(), key=lambda p: order.get(p.run.__module__, len(order)))
    return {p.name: p for p in ranked}
