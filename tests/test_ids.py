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


def test_ids_drawn_past_one_pool_of_system_bytes_stay_distinct() -> None:
    ids = IdSource()
    drawn = [ids.hex(32) for _ in range(1000)]  # 16 kB: four pools
    assert len(set(drawn)) == len(drawn)


def test_ids_need_one_system_call_per_pool_not_per_id(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    calls: list[int] = []
    real = os.urandom
    monkeypatch.setattr(os, "urandom", lambda size: calls.append(size) or real(size))
    ids = IdSource()
    for _ in range(100):
        ids.hex(32), ids.hex(16), ids.alnum(20)
    assert len(calls) <= 4


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="POSIX fork")
def test_a_forked_process_never_hands_out_its_parent_s_ids() -> None:
    import os

    ids = IdSource()
    ids.hex(32)  # the parent holds a pool
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, to the parent
        os.close(read)
        os.write(write, " ".join(ids.hex(32) for _ in range(5)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = set(pipe.read().split())
    os.waitpid(pid, 0)
    parent = {ids.hex(32) for _ in range(5)}
    assert len(child) == 5 and not child & parent
