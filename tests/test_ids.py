"""The id source: unseeded ids come from the operating system; seeded ones repeat."""

from __future__ import annotations

import re

import pytest

from emulator.clock import IdSource


@pytest.mark.parametrize("length", [1, 6, 16, 31, 32])
def test_unseeded_ids_have_the_length_and_alphabet_asked_for(length: int) -> None:
    ids = IdSource()
    assert re.fullmatch(f"[0-9a-f]{{{length}}}", ids.hex(length))
    assert re.fullmatch(f"[0-9a-z]{{{length}}}", ids.alnum(length))


def test_unseeded_ids_differ_and_use_the_whole_alphabet() -> None:
    ids = IdSource()
    drawn = [ids.alnum(20) for _ in range(200)]
    assert len(set(drawn)) == len(drawn)
    assert set("".join(drawn)) == set("abcdefghijklmnopqrstuvwxyz0123456789")
    assert len({ids.hex(32) for _ in range(200)}) == 200


def test_seeded_ids_repeat() -> None:
    first, second = IdSource(seed=3), IdSource(seed=3)
    assert [first.hex(32), first.alnum(6)] == [second.hex(32), second.alnum(6)]
