"""The paths a large library takes: the batched bulk loader, and searches that walk the created_at index for a
common tag. Each must give exactly what the one-at-a-time and sort-the-tag paths give."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from emulator.backend.models import Resource
from emulator.backend.queries import SearchSpec
from emulator.backend.search import parse
from emulator.storage import search_sql
from emulator.storage import sqlite as sqlite_module
from emulator.storage.schema import SCHEMA_VERSION
from emulator.storage.sqlite import SQLiteStorage
from tests.helpers import Page, make, search_pages, search_walk

T0 = 1_700_000_000.0
BLOB = b"bytes of every resource"


def _snapshot(store: SQLiteStorage) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the resource tables and their indexes, ids included."""
    tables = ("resources", "resource_tags", "tag_counts", "resource_context", "resource_terms", "resource_metadata")
    return {t: sorted(tuple(row) for row in store._read(f"SELECT * FROM {t}")) for t in tables}


def _batches() -> list[list[Resource]]:
    first = [make(f"a/{i}", created_at=T0 + i, tags=("x", f"t{i % 3}"), context={"k": str(i)}) for i in range(6)]
    again = [
        make("b/new", created_at=T0 + 10, tags=("x",)),
        replace(make("a/2", created_at=T0 + 2, tags=("y",)), width=999),  # an existing key, retagged
        make("b/twice", created_at=T0 + 11, tags=("x", "z")),
        make("b/twice", created_at=T0 + 12, tags=("z",)),  # the same new key twice in one batch: the last wins
        make("b/later", created_at=T0 + 13, tags=("x",)),
    ]
    return [first, again, [make("a/0", created_at=T0, tags=())]]


def test_put_many_stores_what_putting_one_at_a_time_stores() -> None:
    bulk, single = SQLiteStorage(None), SQLiteStorage(None)
    try:
        for batch in _batches():
            bulk.put_many(batch, {batch[0].sha256: BLOB})
            for resource in batch:
                single.put(resource, BLOB)
        assert _snapshot(bulk) == _snapshot(single)
        twice = bulk.get(make("b/twice").key)
        assert twice is not None and twice.tags == ("z",) and twice.created_at == T0 + 12
        counts = dict(bulk._read("SELECT tag, count FROM tag_counts"))
        assert counts == {"x": 6, "t0": 1, "t1": 2, "t2": 1, "y": 1, "z": 1}
    finally:
        bulk.close()
        single.close()


def _library() -> list[Resource]:
    """40 resources, "common" on 30 of them (with ties in created_at), "rare" on 2."""
    out = []
    for i in range(40):
        tags = ("common",) if i % 4 else ("other",)
        if i in (5, 17):
            tags += ("rare",)
        out.append(make(f"r/{i:02d}", created_at=T0 + i // 3, tags=tags, width=500 + 100 * (i % 5)))
    return out


@pytest.mark.parametrize("direction", ["desc", "asc"])
@pytest.mark.parametrize("expression", ["tags=common", "tags=common AND width>700", "tags=rare AND tags=common",
                                        "tags:common", "tags:common AND NOT tags=rare"])
def test_a_search_gives_the_same_pages_walking_or_sorting(store: SQLiteStorage, expression: str,
                                                          direction: str) -> None:
    library = _library()
    store.put_many(library)
    store._walks = lambda spec, matches: True  # type: ignore[method-assign]
    walked = search_pages(store, expression, 3, direction, now=T0)
    store._walks = lambda spec, matches: False  # type: ignore[method-assign]
    sorted_ = search_pages(store, expression, 3, direction, now=T0)
    assert walked == sorted_
    matches = [r for r in library if _matches(r, expression)]
    matches.sort(key=lambda r: (r.created_at, int(r.public_id[2:])), reverse=direction == "desc")
    assert walked[0] == [r.public_id for r in matches]
    assert set(walked[1]) == {len(matches)}


def _matches(r: Resource, expression: str) -> bool:
    if expression in ("tags=common", "tags:common"):
        return "common" in r.tags
    if expression == "tags:common AND NOT tags=rare":
        return "common" in r.tags and "rare" not in r.tags
    if expression == "tags=common AND width>700":
        return "common" in r.tags and r.width > 700
    return "common" in r.tags and "rare" in r.tags


def test_only_a_search_sorted_by_creation_over_many_matches_walks(store: SQLiteStorage) -> None:
    store.put_many(_library())  # 40 resources: a page of 3 walks for more than sqrt(4 × 40) = 12.6 matches

    def walks(matches: int, sort: str = "created_at") -> bool:
        return store._walks(SearchSpec("demo", parse("", T0), ((sort, "desc"),), 3), matches)  # type: ignore[arg-type]

    assert walks(13) and walks(13, "uploaded_at") and not walks(12)
    assert not walks(40, "public_id")  # another order: the matches are sorted


def test_the_driving_tag_is_the_least_common_required_one(store: SQLiteStorage) -> None:
    store.put_many(_library())

    def driving(expression: str) -> str | None:
        tag, _ = store._driving_tag(SearchSpec("demo", parse(expression, T0), (("created_at", "desc"),), 3))  # type: ignore[arg-type]
        return tag

    assert driving("tags=common AND (tags=rare AND width>1)") == "rare"
    assert driving("tags=common") == "common"
    assert store._driving_tag(SearchSpec("demo", parse("tags=rare AND tags=common", T0), (("created_at", "desc"),),
                                         3))[1] == 2  # on two resources
    assert driving("tags=common OR tags=rare") is None and driving("tags:common") is None and driving("") is None


def test_a_walk_tests_each_resource_with_a_point_lookup_and_never_sorts(store: SQLiteStorage) -> None:
    compiler = search_sql.Compiler("demo", probe=True)
    condition = compiler.compile(parse("tags=pet AND width>100", T0))
    with store._lock:
        plan = [row[3] for row in store._conn.execute(
            f"EXPLAIN QUERY PLAN SELECT r.id FROM resources r INDEXED BY resources_by_created WHERE r.cloud = ? "
            f"AND {condition} ORDER BY r.created_at DESC, r.id DESC LIMIT 51", ["demo", *compiler.params])]
    assert any("resources_by_created" in step for step in plan), plan
    assert any("SEARCH o USING PRIMARY KEY" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step or "LIST SUBQUERY" in step for step in plan), plan


# -- schema 6: a tags word that is a whole tag of its resource is found in resource_tags ----------------------

WORDS_LIBRARY = [
    make("a", created_at=T0, tags=("cat", "dog")),  # one-word tags: no tags word rows
    make("b", created_at=T0 + 1, tags=("cat food", "Dog")),  # words of a phrase, of a capitalised tag
    make("c", created_at=T0 + 2, tags=("cat", "cat food")),  # "cat" both a whole tag and a word of another
    make("d", created_at=T0 + 3, tags=("catalog",)),
]


@pytest.mark.parametrize(("expression", "expected"), [
    ("tags:cat", ["a", "b", "c"]),
    ('tags:"cat dog"', ["a", "b"]),
    ('tags:"dog cat"', ["a", "b"]),
    ('tags:"food cat"', ["b", "c"]),
    ("tags:ca*", ["a", "b", "c", "d"]),
    ('tags:"dog ca*"', ["a", "b"]),
    ("tags:catalog", ["d"]),
    ("tags:dog", ["a", "b"]),
    ("dog", ["a", "b"]),
    ('"cat food"', ["b", "c"]),
    ("tags:cat AND NOT tags=cat", ["b"]),
])
def test_words_of_tags_are_found_with_or_without_word_rows(store: SQLiteStorage, expression: str,
                                                           expected: list[str]) -> None:
    store.put_many(WORDS_LIBRARY)
    _found_every_way(store, expression, expected)


def test_only_words_that_are_not_whole_tags_have_rows(store: SQLiteStorage) -> None:
    store.put_many(WORDS_LIBRARY)
    rows = store._read("SELECT r.public_id, t.term FROM resource_terms t JOIN resources r ON r.id = t.id "
                       "WHERE t.field = 'tags' ORDER BY 1, 2")
    assert [tuple(row) for row in rows] == [("b", "cat"), ("b", "dog"), ("b", "food"), ("c", "food")]


def test_a_schema_5_data_dir_loses_the_word_rows_of_whole_tags_on_start(tmp_path: Path) -> None:
    store = SQLiteStorage(tmp_path)
    store.put_many(WORDS_LIBRARY)
    with store._tx() as db:  # what schema 5 wrote besides: a word row for every word of every tag
        db.execute("INSERT OR IGNORE INTO resource_terms SELECT t.cloud, 'tags', t.tag, t.id FROM resource_tags t "
                   "WHERE t.tag = lower(t.tag) AND t.tag NOT LIKE '% %'")
        db.execute("PRAGMA user_version=5")
    schema5 = store._read("SELECT COUNT(*) FROM resource_terms WHERE field = 'tags'")[0][0]
    store.close()
    upgraded = SQLiteStorage(tmp_path)
    try:
        assert schema5 == 8 and upgraded._read("PRAGMA user_version")[0][0] == SCHEMA_VERSION
        rows = upgraded._read("SELECT term FROM resource_terms WHERE field = 'tags' ORDER BY 1")
        assert [row[0] for row in rows] == ["cat", "dog", "food", "food"]
        assert sorted(r.public_id for r in upgraded.search(SearchSpec(
            "demo", parse('tags:"cat dog"', T0), (("created_at", "desc"),), 10)).items) == ["a", "b"]
        upgraded.modify([make("c").key], lambda r: replace(r, tags=("dog",)))  # the rows stay consistent
        again = _snapshot(upgraded)["resource_terms"]
        assert [row[2] for row in again if row[1] == "tags"] == ["cat", "dog", "food"]
    finally:
        upgraded.close()


@pytest.mark.parametrize("sort_by", [(("created_at", "desc"),), (("public_id", "asc"),),
                                     (("width", "desc"), ("public_id", "asc"))])
@pytest.mark.parametrize("expression", ["tags=common AND width>700", "tags=rare AND tags=common",
                                        "tags=common AND NOT tags=rare", "tags=other OR tags=rare"])
def test_a_first_page_counted_in_one_pass_is_the_page_and_total_of_a_count_then_a_page(
        store: SQLiteStorage, monkeypatch: pytest.MonkeyPatch, expression: str,
        sort_by: tuple[tuple[str, str], ...]) -> None:
    store.put_many(_library())

    def pages() -> list[Page]:
        return search_walk(store, expression, sort_by, 4, now=T0)

    one_pass = pages()
    monkeypatch.setattr(sqlite_module, "_ONE_PASS_AT_MOST", 0)
    assert pages() == one_pass
    assert sum(len(ids) for ids, _, _ in one_pass) == one_pass[0][2]


# -- schema 9: a public_id or filename word that is the whole file name is found by the filename column ---------

NAMES_LIBRARY = [
    make("cats/cat", created_at=T0, tags=("x",)),  # one lower-case word: no word rows of its own
    make("dogs/Cat", created_at=T0 + 1, tags=("x",)),  # not lower-case: its word "cat" has rows
    make("cat_food", created_at=T0 + 2, tags=("x",)),  # one word, at the root
    make("cat/cat food", created_at=T0 + 3, tags=("x",)),  # two words
    make("catalog/img", created_at=T0 + 4, tags=("y",)),
]


@pytest.mark.parametrize(("expression", "expected"), [
    ("public_id:cat", ["cat/cat food", "cats/cat", "dogs/Cat"]),
    ("filename:cat", ["cat/cat food", "cats/cat", "dogs/Cat"]),
    ("public_id:cat*", ["cat/cat food", "cat_food", "catalog/img", "cats/cat", "dogs/Cat"]),
    ("filename:cat*", ["cat/cat food", "cat_food", "cats/cat", "dogs/Cat"]),
    ("filename:cat_food", ["cat_food"]),
    ("public_id:cat_fo*", ["cat_food"]),
    ("cat_food", ["cat_food"]),
    ("img", ["catalog/img"]),
    ('public_id:"cats cat"', ["cats/cat"]),
    ('filename:"food cat"', ["cat/cat food"]),
    ("public_id:cats AND NOT filename:cat", []),
    ("tags=x AND public_id:cat", ["cat/cat food", "cats/cat", "dogs/Cat"]),
    ("tags=y AND filename:img", ["catalog/img"]),
])
def test_file_names_are_found_with_or_without_word_rows(store: SQLiteStorage, expression: str,
                                                        expected: list[str]) -> None:
    store.put_many(NAMES_LIBRARY)
    _found_every_way(store, expression, expected)


def test_only_words_that_are_not_the_whole_file_name_have_rows(store: SQLiteStorage) -> None:
    store.put_many(NAMES_LIBRARY)
    rows = store._read("SELECT r.public_id, t.field, t.term FROM resource_terms t JOIN resources r ON r.id = t.id "
                       "WHERE t.field IN ('public_id', 'filename') ORDER BY 1, 2, 3")
    assert [tuple(row) for row in rows] == [
        ("cat/cat food", "filename", "cat"), ("cat/cat food", "filename", "food"),
        ("cat/cat food", "public_id", "cat"), ("cat/cat food", "public_id", "food"),
        ("catalog/img", "public_id", "catalog"), ("cats/cat", "public_id", "cats"),
        ("dogs/Cat", "filename", "cat"), ("dogs/Cat", "public_id", "cat"), ("dogs/Cat", "public_id", "dogs")]


def test_a_schema_8_data_dir_loses_the_word_rows_of_whole_file_names_on_start(tmp_path: Path) -> None:
    store = SQLiteStorage(tmp_path)
    store.put_many(NAMES_LIBRARY)
    expected = _snapshot(store)["resource_terms"]
    with store._tx() as db:  # what schema 8 wrote besides: the file name's own word rows
        db.execute("INSERT INTO resource_terms SELECT cloud, 'public_id', filename, id FROM resources "
                   "WHERE filename IN ('cat', 'cat_food', 'img')")
        db.execute("INSERT INTO resource_terms SELECT cloud, 'filename', filename, id FROM resources "
                   "WHERE filename IN ('cat', 'cat_food', 'img')")
        db.execute("PRAGMA user_version=8")
    store.close()
    upgraded = SQLiteStorage(tmp_path)
    try:
        assert upgraded._read("PRAGMA user_version")[0][0] == SCHEMA_VERSION
        assert _snapshot(upgraded)["resource_terms"] == expected
        assert sorted(r.public_id for r in upgraded.search(SearchSpec(
            "demo", parse("filename:cat_food", T0), (("created_at", "desc"),), 10)).items) == ["cat_food"]
    finally:
        upgraded.close()


def _found_every_way(store: SQLiteStorage, expression: str, expected: list[str]) -> None:
    """The search finds exactly ``expected`` in both directions, walking the created-at index and not."""
    for direction in ("asc", "desc"):
        for walk in (True, False):
            store._walks = lambda spec, matches, walk=walk: walk  # type: ignore[method-assign,misc]
            seen, totals = search_pages(store, expression, 2, direction, now=T0)
            assert sorted(seen) == expected and set(totals) == {len(expected)}, (direction, walk)
