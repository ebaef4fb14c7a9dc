"""SQLite storage queries of the media library: keyset lists, tags, search SQL, deletes, renames, blobs."""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from emulator.backend.models import ResourceKey
from emulator.backend.queries import Listing, SearchSpec, Selection
from emulator.backend.search import parse
from emulator.errors import BadRequest
from emulator.storage import search_sql
from emulator.storage.sqlite import SQLiteStorage
from tests.helpers import make

T0 = 1_700_000_000.0


def key(public_id: str, type: str = "upload") -> ResourceKey:
    return ResourceKey("demo", public_id, "image", type)


def ids(items: list) -> list[str]:  # type: ignore[type-arg]
    return [r.public_id for r in items]


def test_list_is_newest_first_in_keyset_pages(store: SQLiteStorage) -> None:
    store.put_many([make(f"p{i}", created_at=T0 + i // 2) for i in range(5)])  # pairs share a second
    first = store.list_resources(Listing("demo", "image", type="upload", limit=2))
    assert ids(first.items) == ["p4", "p3"] and first.next_key is not None
    second = store.list_resources(Listing("demo", "image", type="upload", limit=2, after=first.next_key))
    third = store.list_resources(Listing("demo", "image", type="upload", limit=2, after=second.next_key))
    assert ids(second.items) == ["p2", "p1"] and ids(third.items) == ["p0"] and third.next_key is None
    ascending = store.list_resources(Listing("demo", "image", type="upload", limit=10, direction="asc"))
    assert ids(ascending.items) == ["p0", "p1", "p2", "p3", "p4"]


def test_list_by_type_prefix_and_public_ids(store: SQLiteStorage) -> None:
    store.put_many([make("a/1", created_at=T0), make("a/2", created_at=T0 + 1), make("ab", created_at=T0 + 2),
                    make("b/1", created_at=T0 + 3), make("a/3", created_at=T0 + 4, type="private")])
    listed = store.list_resources(Listing("demo", "image", type="upload", prefix="a/"))
    assert ids(listed.items) == ["a/2", "a/1"]
    assert ids(store.list_resources(Listing("demo", "image", prefix="a/")).items) == ["a/3", "a/2", "a/1"]
    chosen = store.list_resources(Listing("demo", "image", type="upload", public_ids=("b/1", "a/1", "nope")))
    assert ids(chosen.items) == ["b/1", "a/1"]


def test_list_by_tag_spans_delivery_types_and_by_context(store: SQLiteStorage) -> None:
    store.put_many([make("x", tags=("pet",), context={"shop": "north"}),
                    make("y", created_at=T0 + 1, tags=("pet", "cat"), type="private", context={"shop": "south"}),
                    make("z", created_at=T0 + 2, tags=("dog",))])
    assert ids(store.list_resources(Listing("demo", "image", tag="pet")).items) == ["y", "x"]
    assert ids(store.list_resources(Listing("demo", "image", tag="none")).items) == []
    by_key = store.list_resources(Listing("demo", "image", context_key="shop"))
    by_value = store.list_resources(Listing("demo", "image", context_key="shop", context_value="south"))
    assert ids(by_key.items) == ["y", "x"] and ids(by_value.items) == ["y"]


def test_tag_names_follow_every_change(store: SQLiteStorage) -> None:
    store.put_many([make("x", tags=("b", "a")), make("y", tags=("b", "c"))])
    assert store.tags("demo", "image", None, None, 10) == (["a", "b", "c"], False)
    store.modify([key("y")], lambda r: replace(r, tags=("d",)))
    assert store.tags("demo", "image", None, None, 10) == (["a", "b", "d"], False)
    store.delete([key("x")])
    assert store.tags("demo", "image", None, None, 10) == (["d"], False)
    store.put_many([make("z", tags=("pet", "people", "plant", "zoo"))])
    assert store.tags("demo", "image", "p", None, 2) == (["people", "pet"], True)
    assert store.tags("demo", "image", "p", "pet", 2) == (["plant"], False)


def test_modify_is_atomic(store: SQLiteStorage) -> None:
    store.put_many([make("x", tags=("a",)), make("y", tags=("a",))])

    def change(resource):  # type: ignore[no-untyped-def]
        if resource.public_id == "y":
            raise BadRequest("no")
        return replace(resource, tags=("changed",))

    with pytest.raises(BadRequest):
        store.modify([key("x"), key("y")], change)
    assert store.get(key("x")).tags == ("a",)  # type: ignore[union-attr]
    assert ids(store.modify([key("nope"), key("x")], lambda r: r)) == ["x"]


def test_blobs_are_reclaimed_once_no_resource_uses_them(store: SQLiteStorage) -> None:
    store.put(make("x", sha="1" * 64), b"one")
    store.put(make("y", sha="1" * 64))
    store.put(make("z", sha="2" * 64), b"two")
    assert store.delete([key("x"), key("nope")]) == [True, False]
    assert store.blobs.get("1" * 64) == b"one"  # y still uses it
    store.put(make("y", sha="2" * 64))  # overwritten with other bytes
    assert store.blobs.get("1" * 64) is None
    store.remove(Selection("demo", "image", type="upload", prefix=""))
    assert store.blobs.get("2" * 64) is None


def test_rename_keeps_the_row_and_moves_the_indexes(store: SQLiteStorage) -> None:
    store.put(make("old", tags=("pet",), sha="1" * 64), b"one")
    store.put(make("taken", sha="2" * 64), b"two")
    assert store.rename(key("nope"), key("x"), False).resource is None
    assert store.rename(key("old"), key("taken"), False).conflict
    moved = store.rename(key("old"), key("new/name"), False).resource
    assert moved is not None and moved.public_id == "new/name" and store.get(key("old")) is None
    assert ids(store.list_resources(Listing("demo", "image", tag="pet")).items) == ["new/name"]
    assert ids(_search(store, "public_id:name").items) == ["new/name"]
    assert ids(_search(store, "public_id:old").items) == []
    replaced = store.rename(key("new/name"), key("taken"), True).resource
    assert replaced is not None and store.get(key("taken")).sha256 == "1" * 64  # type: ignore[union-attr]
    assert store.blobs.get("2" * 64) is None


def test_remove_deletes_in_public_id_batches(store: SQLiteStorage) -> None:
    store.put_many([make(f"f/{i:02d}") for i in range(5)] + [make("g/1", tags=("t",)), make("f/x", tags=("t",))])
    first = store.remove(Selection("demo", "image", type="upload", prefix="f/", limit=2))
    assert first.public_ids == ["f/00", "f/01"] and first.more
    rest = store.remove(Selection("demo", "image", type="upload", prefix="f/", limit=10, after="f/01"))
    assert rest.public_ids == ["f/02", "f/03", "f/04", "f/x"] and not rest.more
    assert store.remove(Selection("demo", "image", tag="t")).public_ids == ["g/1"]


def _search(store: SQLiteStorage, expression: str, **kwargs: object):  # type: ignore[no-untyped-def]
    spec = SearchSpec("demo", parse(expression, T0 + 100), (("public_id", "asc"),), 50)
    return store.search(replace(spec, **kwargs))  # type: ignore[arg-type]


LIBRARY = [
    make("animals/sea_turtle", created_at=T0, tags=("sea turtle", "reptile"), width=1200, size=2_000_000,
         context={"caption": "A Sea Turtle", "alt": "turtle"}),
    make("animals/cat", created_at=T0 + 10, tags=("cat", "pet"), fmt="png", size=500),
    make("animals/birds/owl", created_at=T0 + 20, tags=("bird",), width=300, height=300),
    make("dog", created_at=T0 + 30, tags=("pet", "Dog"), fmt="webp", type="private"),
    make("turtle-notes", created_at=T0 - 10 * 86400, tags=("notes",), size=2048),
]


@pytest.mark.parametrize(("expression", "expected"), [
    ("", ["animals/birds/owl", "animals/cat", "animals/sea_turtle", "dog", "turtle-notes"]),
    ("tags=pet", ["animals/cat", "dog"]),
    ("tags=turtle", []),
    ("tags:turtle", ["animals/sea_turtle"]),
    ('tags="sea turtle"', ["animals/sea_turtle"]),
    ("tags=Dog", ["dog"]),
    ("tags:dog", ["dog"]),
    ("tags=re*", ["animals/sea_turtle"]),
    ("tags:*", ["animals/birds/owl", "animals/cat", "animals/sea_turtle", "dog", "turtle-notes"]),
    ("public_id=animals/cat", ["animals/cat"]),
    ("public_id:animals/*", ["animals/birds/owl", "animals/cat", "animals/sea_turtle"]),
    ("public_id=animals/c*", ["animals/cat"]),
    ("public_id:turtle", ["turtle-notes"]),
    ("public_id:sea_turtle", ["animals/sea_turtle"]),
    ("filename=owl", ["animals/birds/owl"]),
    ("folder=animals", ["animals/cat", "animals/sea_turtle"]),
    ("folder:animals/*", ["animals/birds/owl", "animals/cat", "animals/sea_turtle"]),
    ('folder=""', ["dog", "turtle-notes"]),
    ("format:png", ["animals/cat"]),
    ("type:private", ["dog"]),
    ("resource_type:image AND -type:private", ["animals/birds/owl", "animals/cat", "animals/sea_turtle",
                                              "turtle-notes"]),
    ("bytes>1mb", ["animals/sea_turtle"]),
    ("bytes:[1kb TO 2kb]", ["turtle-notes"]),
    ("width>=1200 OR height:300", ["animals/birds/owl", "animals/sea_turtle"]),
    ("pixels<100000", ["animals/birds/owl"]),
    ("aspect_ratio=1", ["animals/birds/owl"]),
    ("created_at>1d", ["animals/birds/owl", "animals/cat", "animals/sea_turtle", "dog"]),
    ("uploaded_at<1w", ["turtle-notes"]),
    ("context.caption:turtle", ["animals/sea_turtle"]),
    ('context.caption="A Sea Turtle"', ["animals/sea_turtle"]),
    ("context.caption=turtle", []),
    ("turtle", ["animals/sea_turtle", "turtle-notes"]),
    ("pet -tags=Dog", ["animals/cat"]),
    ("(tags=pet OR tags=bird) AND NOT format:png", ["animals/birds/owl", "dog"]),
])
def test_search_semantics(store: SQLiteStorage, expression: str, expected: list[str]) -> None:
    store.put_many(LIBRARY)
    page = _search(store, expression)
    assert ids(page.items) == expected
    assert page.total_count == len(expected)


def test_search_sorts_counts_and_aggregates(store: SQLiteStorage) -> None:
    store.put_many(LIBRARY)
    page = _search(store, "tags:*", sort_by=(("bytes", "desc"), ("public_id", "asc")), limit=2,
                   aggregate=("format", "type"))
    assert ids(page.items) == ["animals/sea_turtle", "turtle-notes"] and page.total_count == 5
    assert page.aggregations == {"format": {"jpg": 3, "png": 1, "webp": 1}, "type": {"upload": 4, "private": 1}}
    rest = _search(store, "tags:*", sort_by=(("bytes", "desc"), ("public_id", "asc")), limit=5,
                   after=page.next_key)
    assert ids(rest.items) == ["animals/birds/owl", "dog", "animals/cat"] and rest.next_key is None


def test_values_never_reach_the_sql_text() -> None:
    compiler = search_sql.Compiler("demo")
    sql = compiler.compile(parse("tags=\"x'); DROP TABLE resources; --\" OR bytes>1", T0))
    assert "DROP" not in sql and "x')" in str(compiler.params)


def test_pinned_statistics_make_a_tag_search_start_from_the_tag_index(store: SQLiteStorage) -> None:
    compiler = search_sql.Compiler("demo")
    condition = compiler.compile(parse("tags=pet AND width>100", T0))
    with store._lock:
        plan = [row[3] for row in store._conn.execute(
            f"EXPLAIN QUERY PLAN SELECT r.id FROM resources r WHERE r.cloud = ? AND {condition} "
            "ORDER BY r.created_at DESC, r.id DESC LIMIT 51", ["demo", *compiler.params])]
    assert "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
    assert not any("resources_by_created" in step for step in plan), plan


def test_a_schema_1_database_is_migrated(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "emulator.sqlite3")
    db.executescript("""
        CREATE TABLE clouds (name TEXT PRIMARY KEY, created_at REAL NOT NULL);
        CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);
        CREATE TABLE resources (cloud TEXT, resource_type TEXT, type TEXT, public_id TEXT, asset_id TEXT,
            version INTEGER, version_id TEXT, format TEXT, width INTEGER, height INTEGER, bytes INTEGER, etag TEXT,
            sha256 TEXT, created_at REAL, original_filename TEXT, tags TEXT, context TEXT, info TEXT,
            notification_url TEXT, PRIMARY KEY (cloud, resource_type, type, public_id));
        CREATE TABLE resource_tags (cloud TEXT, tag TEXT, resource_type TEXT, type TEXT, public_id TEXT);
        INSERT INTO resources VALUES ('demo', 'image', 'upload', 'old/one', 'a', 1, 'v', 'jpg', 1, 1, 3, 'e',
            'sha', 1700000000.0, 'one', '["kept"]', '{}', '{}', NULL);
    """)
    db.commit()
    db.close()
    store = SQLiteStorage(tmp_path)
    assert store.get(key("old/one")).tags == ("kept",)  # type: ignore[union-attr]
    assert ids(store.list_resources(Listing("demo", "image", tag="kept")).items) == ["old/one"]
    store.close()


@pytest.mark.parametrize("type", ["upload", None])
def test_prefix_lists_walk_the_same_by_either_plan(store: SQLiteStorage, type: str | None) -> None:
    """Over 1000 ids the list walks the created_at index; under, it sorts the id range. Same pages either way."""
    store.put_many([make(f"p/{i:04d}", created_at=T0 + i % 7) for i in range(1200)] + [make("q/1")])
    for prefix, expected in (("p/", 1200), ("p/00", 100)):
        seen, after = [], None
        while True:
            page = store.list_resources(Listing("demo", "image", type=type, prefix=prefix, limit=250, after=after))
            seen += page.items
            after = page.next_key
            if after is None:
                break
        assert len({r.public_id for r in seen}) == len(seen) == expected
        assert all(a.created_at >= b.created_at for a, b in itertools.pairwise(seen))
