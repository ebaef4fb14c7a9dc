"""Every selected property of the contract kit as one pytest test each (see :mod:`contracts.plugin`)."""

from __future__ import annotations

from collections.abc import Callable


def test_contract(cld_verify: Callable[[str], None], cld_property: str) -> None:
    cld_verify(cld_property)
