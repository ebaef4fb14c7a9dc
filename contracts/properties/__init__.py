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


_REGISTRY: dict[str, Property] = {}


def prop(name: str, summary: str, *, mutating: bool = True) -> Callable[[Callable[[Kit], None]], Callable[[Kit], None]]:
    def register(fn: Callable[[Kit], None]) -> Callable[[Kit], None]:
        _REGISTRY[name] = Property(name, summary, mutating, fn)
        return fn

    return register


def registry() -> dict[str, Property]:
    from contracts.properties import core, library, tagging  # noqa: F401  (registration on import)

    return dict(_REGISTRY)
