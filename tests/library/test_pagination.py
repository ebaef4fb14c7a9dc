"""Pagination properties: walking ``next_cursor`` visits every matching resource exactly once, even while
other resources are added and deleted between pages (keyset cursors, not offsets)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.backend.library import Library as LibraryService
from emulator.backend.models import ResourceKey
from emulator.backend.queries import ListRequest, SearchRequest, TagsRequest
from emulator.clock import FrozenClock
from emulator.config import load_config
from emulator.storage.sqlite import SQLiteStorage
from emulator.tagging.engine import TaggingEngine
from emulator.tagging.fixtures import load_fixtures
from tests.helpers import make

T0 = 1_700_000_000.0
CONFIG = load_config({}, env={})
CLOUD = CONFIG.clouds["demo"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def engine() -> TaggingEngine:
    return TaggingEngine(load_fixtures(CONFIG.fixtures_dirs))


@dataclass(frozen=True)
class Item:
    created: int  # few distinct values: many ties on created_at
    tagged: bool
    stable: bool  # stable items are never deleted during the walk
    width: int


@dataclass
class Library:
    backend: LibraryService
    storage: SQLiteStorage
    stable: set[str] = field(default_factory=set)
    volatile: list[str] = field(default_factory=list)
    ever: set[str] = field(default_factory=set)  # every id that existed at some point
    added: int = 0

    def add(self, created: int, tagged: bool, width: int = 10, *, stable: bool = False) -> None:
        public_id = f"r{self.added:03d}"
        self.added += 1
        self.storage.put_many([make(public_id, created_at=T0 + created, tags=("a",) if tagged else ("b",),
                                       width=width)])
        (self.stable.add if stable else self.volatile.append)(public_id)
        self.ever.add(public_id)

    def mutate(self, action: str, created: int, tagged: bool) -> None:
        """Between pages: add a resource, or delete one that is not stable."""
        if action == "add":
            self.add(created, tagged)
        elif self.volatile:
            self.backend.destroy(ResourceKey("demo", self.volatile.pop(), "image", "upload"))


@contextmanager
def library(engine: TaggingEngine, contents: list[Item]) -> Iterator[Library]:
    storage = SQLiteStorage(None)
    try:
        lib = Library(LibraryService(storage, FrozenClock(T0)), storage)
        for item in contents:
            lib.add(item.created, item.tagged, item.width, stable=item.stable)
        yield lib
    finally:
        storage.close()


contents = st.lists(st.builds(Item, st.integers(0, 4), st.booleans(), st.booleans(), st.sampled_from([10, 20])),
                    max_size=25)
changes = st.lists(st.tuples(st.sampled_from(["add", "delete"]), st.integers(0, 4), st.booleans()), max_size=10)
page_size = st.integers(1, 6)


def walk(fetch: Callable[[str | None], tuple[list[str], str | None]], lib: Library,
         mutations: list[tuple[str, int, bool]]) -> list[str]:
    """Follow next_cursor to the end, applying one mutation after each page."""
    seen: list[str] = []
    cursor: str | None = None
    for step in range(200):
        found, cursor = fetch(cursor)
        seen += found
        if step < len(mutations):
            lib.mutate(*mutations[step])
        if cursor is None:
            return seen
    raise AssertionError("the walk did not end")


def check(seen: list[str], lib: Library, matches: Callable[[str], bool]) -> None:
    assert len(seen) == len(set(seen)), f"visited twice: {seen}"
    assert {s for s in lib.stable if matches(s)} <= set(seen)
    assert all(matches(s) and s in lib.ever for s in seen)


def tagged(lib: Library) -> Callable[[str], bool]:
    def matches(public_id: str) -> bool:
        found = lib.storage.get(ResourceKey("demo", public_id))
        return found is None or found.tags == ("a",)  # deleted ones matched when they were seen
    return matches


@SETTINGS
@given(contents=contents, mutations=changes, size=page_size, direction=st.sampled_from(["asc", "desc"]))
def test_resources_walk(engine: TaggingEngine, contents: list[Item], mutations: list[tuple[str, int, bool]],
                        size: int, direction: str) -> None:
    with library(engine, contents) as lib:
        def fetch(cursor: str | None) -> tuple[list[str], str | None]:
            request = ListRequest(max_results=size, next_cursor=cursor, direction=direction)  # type: ignore[arg-type]
            page = lib.backend.resources(CLOUD, "image", "upload", request)
            return [r.public_id for r in page.resources], page.next_cursor

        check(walk(fetch, lib, mutations), lib, lambda _: True)


@SETTINGS
@given(contents=contents, mutations=changes, size=page_size)
def test_resources_by_tag_walk(engine: TaggingEngine, contents: list[Item], mutations: list[tuple[str, int, bool]],
                               size: int) -> None:
    with library(engine, contents) as lib:
        def fetch(cursor: str | None) -> tuple[list[str], str | None]:
            page = lib.backend.resources_by_tag(CLOUD, "image", "a", ListRequest(max_results=size, next_cursor=cursor))
            return [r.public_id for r in page.resources], page.next_cursor

        check(walk(fetch, lib, mutations), lib, tagged(lib))


@SETTINGS
@given(contents=contents, mutations=changes, size=page_size,
       sort=st.lists(st.tuples(st.sampled_from(["created_at", "width", "public_id", "bytes"]),
                               st.sampled_from(["asc", "desc"])), min_size=1, max_size=2, unique_by=lambda s: s[0]))
def test_search_walk(engine: TaggingEngine, contents: list[Item], mutations: list[tuple[str, int, bool]],
                     size: int, sort: list[tuple[str, str]]) -> None:
    with library(engine, contents) as lib:
        def fetch(cursor: str | None) -> tuple[list[str], str | None]:
            request = SearchRequest(expression="tags=a", max_results=size, next_cursor=cursor,
                                    sort_by=tuple(sort))  # type: ignore[arg-type]
            result = lib.backend.search(CLOUD, request)
            return [r.public_id for r in result.resources], result.next_cursor

        check(walk(fetch, lib, mutations), lib, tagged(lib))


@SETTINGS
@given(names=st.lists(st.text("abc", min_size=1, max_size=3), unique=True, max_size=20), size=page_size)
def test_tags_walk(engine: TaggingEngine, names: list[str], size: int) -> None:
    with library(engine, []) as lib:
        lib.storage.put_many([make(f"t{i}", tags=(name,)) for i, name in enumerate(names)])
        cursor, seen = None, []
        while True:
            page = lib.backend.tags(CLOUD, "image", TagsRequest(max_results=size, next_cursor=cursor))
            seen += page.tags
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == sorted(names)
