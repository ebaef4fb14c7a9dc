"""Schema 8: a tag row carries its resource's width, height, bytes and format, so a search that requires a tag and
tests or sorts by those reads the tag's rows alone. It must answer exactly what joining the resources answers, the
rows must follow every change of their resource, and an older data dir gets the columns on start."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from emulator.backend.models import Resource
from emulator.backend.queries import SearchSpec
from emulator.backend.search import parse
from emulator.storage import schema
from emulator.storage.rows import index_rows
from emulator.storage.sqlite import SQLiteStorage
from tests.helpers import Page, make, search_walk

T0 = 1_700_000_000.0
FORMATS = ("jpg", "png", "gif")


def _library() -> list[Resource]:
    """60 resources, "common" on 45 (ties in created_at), "rare" on 3, sizes and formats that vary."""
    out = []
    for i in range(60):
        tags = ("common",) if i % 4 else ("other",)
        if i in (5, 17, 40):
            tags += ("rare",)
        out.append(make(f"r/{i:02d}", created_at=T0 + i // 3, tags=tags, width=500 + 100 * (i % 5),
                        height=300 + 70 * (i % 7), size=1000 + 37 * (i % 11), fmt=FORMATS[i % 3]))
    return out


def _pages(store: SQLiteStorage, expression: str, sort_by: tuple[tuple[str, str], ...]) -> list[Page]:
    return search_walk(store, expression, sort_by, 4, now=T0)


EXPRESSIONS = ["tags=common AND width>700", "tags=common AND (width>=700 OR height<400) AND bytes>1100",
               "tags=common AND format=png", "tags=common AND pixels>300000", "tags=common AND aspect_ratio>1.5",
               "tags=common AND tags=rare", "tags=common AND NOT tags=rare", "tags=common AND resource_type=image",
               "tags=common AND public_id:r*", "tags=rare"]
SORTS = [(("created_at", "desc"),), (("created_at", "asc"),), (("width", "desc"), ("bytes", "asc")),
         (("public_id", "asc"),), (("format", "asc"),)]


@pytest.mark.parametrize("sort_by", SORTS)
@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_a_search_over_the_tag_rows_answers_what_the_join_answers(store: SQLiteStorage,
                                                                  monkeypatch: pytest.MonkeyPatch, expression: str,
                                                                  sort_by: tuple[tuple[str, str], ...]) -> None:
    store.put_many(_library())
    alone = _pages(store, expression, sort_by)
    monkeypatch.setattr(SQLiteStorage, "_on_tag_rows",
                        staticmethod(lambda condition, source, where, columns:
                                     (source, where, columns, condition)))
    assert _pages(store, expression, sort_by) == alone
    assert sum(len(ids) for ids, _, _ in alone) == alone[0][2] > 0


def _statements(store: SQLiteStorage, expression: str, sort_by: tuple[tuple[str, str], ...]) -> list[str]:
    seen: list[str] = []
    store._conn.set_trace_callback(seen.append)
    try:
        store.search(SearchSpec("demo", parse(expression, T0), sort_by, 4))  # type: ignore[arg-type]
    finally:
        store._conn.set_trace_callback(None)
    return [sql for sql in seen if "resource_tags t" in sql]


def test_only_what_a_tag_row_lacks_makes_a_search_read_the_resources_rows(store: SQLiteStorage) -> None:
    store.put_many(_library())
    by_creation = (("created_at", "desc"),)
    for expression, sort_by in [("tags=common AND width>700", by_creation), ("tags=common AND format=png",
                                                                            (("bytes", "asc"),))]:
        found = _statements(store, expression, sort_by)
        assert found and not any("JOIN resources" in sql for sql in found), found
    for expression, sort_by in [("tags=common AND public_id:r*", by_creation),
                                ("tags=common AND width>700", (("public_id", "asc"),))]:
        found = _statements(store, expression, sort_by)
        assert found and all("JOIN resources" in sql for sql in found), found


def _tag_rows_match_resources(store: SQLiteStorage) -> None:
    rows = store._read("SELECT t.tag, r.public_id, t.width = r.width AND t.height = r.height AND t.bytes = r.bytes "
                       "AND t.format = r.format AND t.created_at = r.created_at AND t.resource_type = r.resource_type "
                       "FROM resource_tags t JOIN resources r ON r.id = t.id")
    assert rows and all(row[2] == 1 for row in rows), rows


def test_the_tag_rows_follow_every_change_of_their_resource(store: SQLiteStorage) -> None:
    store.put_many(_library())
    store.put(make("r/01", created_at=T0 + 99, tags=("common", "new"), width=2000, height=10, size=5, fmt="webp"),
              b"bytes")
    store.modify([make("r/02").key], lambda r: replace(r, tags=(*r.tags, "extra")))
    store.rename(make("r/03").key, make("moved/03").key, overwrite=False)
    with store.bulk_load():
        store.put_many([make("r/05", created_at=T0 + 5, tags=("rare",), width=3000, fmt="bmp")])
    _tag_rows_match_resources(store)
    newest = (("created_at", "desc"),)
    found = store.search(SearchSpec("demo", parse("tags=common AND width>1500", T0), newest, 10))
    assert [r.public_id for r in found.items] == ["r/01"] and found.total_count == 1
    found = store.search(SearchSpec("demo", parse("tags=rare AND format=bmp", T0), newest, 10))
    assert [r.public_id for r in found.items] == ["r/05"]


def test_a_schema_7_data_dir_gets_the_tag_row_columns_on_start(tmp_path: Path) -> None:
    store = SQLiteStorage(tmp_path)
    store.put_many(_library())
    expected = {e: _pages(store, e, SORTS[0]) for e in EXPRESSIONS}
    with store._tx() as db:  # what schema 7 had: tag rows of the key columns alone
        for name, _ in schema.TAG_ROW_COLUMNS:
            db.execute(f"ALTER TABLE resource_tags DROP COLUMN {name}")
        db.execute("PRAGMA user_version=7")
    store.close()
    upgraded = SQLiteStorage(tmp_path)
    try:
        assert upgraded._read("PRAGMA user_version")[0][0] == schema.SCHEMA_VERSION
        _tag_rows_match_resources(upgraded)
        assert {e: _pages(upgraded, e, SORTS[0]) for e in EXPRESSIONS} == expected
    finally:
        upgraded.close()


def test_a_tag_a_resource_repeats_is_one_row_and_counted_once_however_it_is_loaded() -> None:
    records = [make("dup/a", tags=("x", "y", "x")), make("dup/b", created_at=T0 + 1, tags=("y", "y"))]
    one, many, loaded = SQLiteStorage(None), SQLiteStorage(None), SQLiteStorage(None)
    try:
        for record in records:
            one.put(record, b"bytes")
        many.put_many(records, {records[0].sha256: b"bytes"})
        with loaded.bulk_load():
            loaded.put_many(records, {records[0].sha256: b"bytes"})
        for store in (one, many, loaded):
            assert dict(store._read("SELECT tag, count FROM tag_counts")) == {"x": 1, "y": 2}
            assert store._read("SELECT COUNT(*) FROM resource_tags")[0][0] == 3
    finally:
        for store in (one, many, loaded):
            store.close()


def test_a_tag_row_made_in_python_carries_the_columns_the_schema_declares() -> None:
    resource = make("a", tags=("cat",), width=640, height=480)
    (row,) = index_rows(7, resource).tags
    assert row[:5] == ("demo", "cat", "image", resource.created_at, 7)
    assert row[5:] == tuple(getattr(resource, name) for name in schema.TAG_ROW_NAMES)
