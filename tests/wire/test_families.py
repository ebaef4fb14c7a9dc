"""The route table and the families that load the views agree: every operation is served by exactly one family,
and its family's module registers a view for it on that family's blueprint (checked here, not at a first request)."""

from __future__ import annotations

from collections import Counter

from emulator.api.families import FAMILIES, LazyView
from emulator.api.operations import OPERATIONS


def test_every_operation_is_in_exactly_one_family() -> None:
    listed = Counter(name for family in FAMILIES for name in family.operations)
    assert sorted(listed) == sorted(OPERATIONS)
    assert [name for name, times in listed.items() if times > 1] == []


def test_every_family_module_registers_the_view_of_each_of_its_operations() -> None:
    for family in FAMILIES:
        for name in family.operations:
            assert callable(LazyView(family.module, family.blueprint.name, name).resolve()), name
