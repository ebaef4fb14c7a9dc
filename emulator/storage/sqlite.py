"""Embedded SQLite storage: resources as rows, image bytes content-addressed, indexes for every lookup.

A request is answered only after its transaction committed, so a 200 survives ``kill -9``
(WAL mode; ``synchronous=FULL`` also survives power loss for a persistent ``--data-dir``).

Lists are keyset pages over indexes that end in ``(created_at, id)``: ``id`` is a resource's row id, kept
across updates and renames, so a cursor stays valid while other resources come and go. The tables, their
planner statistics and the upgrade from schema 1 are in :mod:`emulator.storage.schema`.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import Any

from emulator.backend.models import Resource, ResourceKey
from emulator.backend.ports import MissingBlob
from emulator.backend.queries import (
    ALL_TYPES,
    Listing,
    Page,
    Removal,
    RenameOutcome,
    SearchPage,
    SearchSpec,
    Selection,
    Usage,
)
from emulator.storage import bulk, schema, search_sql
from emulator.storage.derived_sql import SQLiteDerivedCache, SQLiteImaggaUploads
from emulator.storage.files import FileBlobs, FileStore
from emulator.storage.lifecycle_sql import SQLiteBackups, SQLiteEagerStore, SQLiteRelations
from emulator.storage.opening import OpenedStorage
from emulator.storage.rows import (
    COLUMNS,
    SELECT,
    IndexRows,
    distinct_tags,
    index_rows,
    key_columns,
    successor,
    to_resource,
    to_row,
)

_BY_KEY = "cloud = ? AND resource_type = ? AND type = ? AND public_id = ?"
_ID_BY_KEY = f"SELECT id FROM resources WHERE {_BY_KEY}"
_SORT_AT_MOST = 1000  # a prefix list sorts at most this many ids; past it, it walks the created_at index
_FULL = f"SELECT r.id, {SELECT} FROM resources r"
_ASSIGN = ", ".join(COLUMNS)
_SLOTS = ", ".join("?" * len(COLUMNS))
_INSERT_NEW = (f"INSERT INTO resources ({_ASSIGN}) VALUES ({_SLOTS}) "
               "ON CONFLICT (cloud, resource_type, type, public_id) DO NOTHING")
_INSERT_IDS = (f"INSERT INTO resources (id, {_ASSIGN}) VALUES (?, {_SLOTS}) "
               "ON CONFLICT (cloud, resource_type, type, public_id) DO NOTHING")
# The tag rows of the resources from row id ``?`` on (``tags`` holds a JSON array; a tag a resource repeats makes the
# same row twice, which ``INSERT OR IGNORE`` keeps once), by tag then row id: the tag index's key order where
# creation follows the row ids, as in a load (sorting by the whole key cost SQLite's sorter a third more).
_TAG_ROWS_FROM = ("INSERT OR IGNORE INTO resource_tags SELECT r.cloud, j.value, r.resource_type, r.created_at, r.id, "
                  + ", ".join(f"r.{name}" for name in schema.TAG_ROW_NAMES)
                  + " FROM resources r, json_each(r.tags) j WHERE r.id >= ? ORDER BY j.value, r.id")
_TAG_ROW = f"INSERT OR IGNORE INTO resource_tags VALUES ({', '.join('?' * (5 + len(schema.TAG_ROW_NAMES)))})"
_COUNT = ("INSERT INTO tag_counts VALUES (?, ?, ?, ?) ON CONFLICT (cloud, resource_type, tag) "
          "DO UPDATE SET count = count + excluded.count")
_ONE_PASS_AT_MOST = 2000  # a search counts and pages a tag on at most this many resources in one pass


def _tag_rows_from(db: sqlite3.Connection, first: int, counts: Counter[tuple[str, str, str]]) -> None:
    """The tag rows of the resources of row id ``first`` on, made and sorted by SQLite from their rows (no Python
    tuple per tag), and ``counts`` added to the tag counts: for a batch, or for the many batches a bulk load
    deferred them for (a batch of 5,000 resources counts some 5,000 tags: a load's 200 batches updated a million
    count rows where its few flushes update tens of thousands)."""
    db.execute(_TAG_ROWS_FROM, (first,))
    if counts:
        db.executemany(_COUNT, sorted((*kind, n) for kind, n in counts.items()))


def _insert_rows(db: sqlite3.Connection, first: int, resources: list[Resource]) -> int:
    """Insert the resources with row ids from ``first`` on, but those of a key the database holds; how many were."""
    rows = [(first + n, *to_row(resource)) for n, resource in enumerate(resources)]
    return int(db.executemany(_INSERT_IDS, rows).rowcount)


def _tag_counts(resources: list[Resource]) -> Counter[tuple[str, str, str]]:
    """How many of the resources carry each tag, by (cloud, resource type, tag) (a tag a resource repeats once)."""
    by_kind: dict[tuple[str, str], list[Iterable[str]]] = {}  # a load's batch is of one cloud and type
    for resource in resources:
        key = resource.key
        by_kind.setdefault((key.cloud, key.resource_type), []).append(distinct_tags(resource.tags))
    return Counter({(*kind, tag): n for kind, lists in by_kind.items()
                    for tag, n in Counter(itertools.chain.from_iterable(lists)).items()})


def _firsts_of_keys(resources: list[Resource]) -> list[int]:
    """The positions of the resources whose key no earlier one in the list has."""
    seen: set[tuple[str, str, str, str]] = set()
    firsts = []
    for at, resource in enumerate(resources):
        columns = key_columns(resource.key)
        if columns not in seen:
            seen.add(columns)
            firsts.append(at)
    return firsts


class SQLiteStorage:
    """The :class:`~emulator.backend.ports.ResourceRepository` port, and beside it the adapters of the other
    ports: file bytes in a content-addressed folder beside the database (``blobs``, emulator/storage/files.py),
    ``derived`` and ``imagga_uploads`` in the same database file.

    One connection guarded by a lock: simple, and SQLite serialises writers anyway.
    """

    def __init__(self, data_dir: Path | None = None, *, derived_cache_size: int = 256 * 1024 * 1024,
                 opened: OpenedStorage | None = None) -> None:
        self.opened = opened or OpenedStorage(data_dir)  # the database, its tables current (the start's part)
        self.directory, self.path, self.db = self.opened.directory, self.opened.path, self.opened.db
        self._conn, self._lock = self.db.conn, self.db.lock
        temporary = self.opened.temporary  # a data directory's files are synced and kept in its nested layout
        self.files = FileStore(self.directory / "files", durable=not temporary, nested=not temporary)
        if self.opened.upgrade_pending:
            self._upgrade_records()
        self.blobs = FileBlobs(self.files)
        self.derived = SQLiteDerivedCache(self.db, derived_cache_size)
        self.imagga_uploads = SQLiteImaggaUploads(self.db)
        self.eager = SQLiteEagerStore(self.db)
        self.backups = SQLiteBackups(self.db)
        self.relations = SQLiteRelations(self.db)
        with self._tx():
            self.files.sweep(self._in_use)  # orphans a crash left behind

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        return self.db.tx()

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        return self.db.read(sql, params)

    # -- single resources -----------------------------------------------------------------------------------

    def get(self, key: ResourceKey) -> Resource | None:
        rows = self._read(f"{_FULL} WHERE {_BY_KEY}", key_columns(key))
        return to_resource(rows[0][1:]) if rows else None

    def find_by_sha256(self, cloud: str, sha256: str) -> Resource | None:
        row = self.db.one(f"SELECT {SELECT} FROM resources r WHERE r.sha256=? AND r.cloud=? "
                          "ORDER BY r.created_at DESC, r.id DESC LIMIT 1", (sha256, cloud))
        return to_resource(row) if row else None

    def find_by_asset_id(self, cloud: str, asset_id: str) -> Resource | None:
        row = self.db.one(f"SELECT {SELECT} FROM resources r WHERE r.cloud=? AND r.asset_id=? "
                          "ORDER BY r.created_at DESC LIMIT 1", (cloud, asset_id))
        return to_resource(row) if row else None

    def put(self, resource: Resource, blob: bytes | None = None) -> None:
        """The port's ``put``; ``blob`` (tests, loaders) stores the bytes first. Raises MissingBlob when the
        bytes are not in the file store (checked inside the transaction, where no reclaim can interleave)."""
        if blob is not None:
            self.files.put_named(resource.sha256, blob)
        with self._tx() as db:
            if not self.files.exists(resource.sha256):
                raise MissingBlob(resource.sha256)
            replaced = self._upsert(db, resource)
        self._reclaim(replaced)

    def put_many(self, resources: Iterable[Resource], blobs: Mapping[str, bytes] | None = None) -> None:
        """Store many resources in one transaction: the bulk loader (bytes are not checked, for speed).

        Keys new to the database are inserted together (one statement per table for the whole batch); a key
        that exists, or comes again later in the batch, is then upserted in order, as ``put`` would.
        """
        resources = list(resources)
        for sha256, data in (blobs or {}).items():
            self.files.put_named(sha256, data)
        with self.db.tx(deferring=True) as db:  # in a bulk load, the tag rows of earlier batches wait
            firsts = _firsts_of_keys(resources)
            inserted = self._insert_new(db, [resources[at] for at in firsts])
            new = {at for at, done in zip(firsts, inserted, strict=True) if done}
            again = [resource for at, resource in enumerate(resources) if at not in new]
            if again and (held := self.db.bulk()) is not None:
                held.flush()  # the upserts find the tag rows of the keys they replace
            replaced = [self._upsert(db, resource) for resource in again]
        self._reclaim(*replaced)

    def bulk_load(self) -> AbstractContextManager[None]:
        """Load many resources (``put_many`` inside) with the secondary indexes built once at the end
        (emulator/storage/bulk.py). This process's other threads wait for the load to finish."""
        return bulk.loading(self.db)

    def _insert_new(self, db: sqlite3.Connection, resources: list[Resource]) -> list[bool]:
        """Insert the resources (of distinct keys) whose key the database does not hold, with the row ids SQLite
        would give them one by one (max + 1, ...); whether each was.

        The insert's check of the unique key finds the keys held (looking them up first cost a load of a million
        new resources 3.6 s); when it finds some, the others are inserted again without the gaps they left.
        """
        if not resources:
            return []
        first = int(db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM resources").fetchone()[0])
        inserted = [True] * len(resources)
        if _insert_rows(db, first, resources) < len(resources):
            present = {row[0] for row in db.execute("SELECT id FROM resources WHERE id >= ?", (first,))}
            db.execute("DELETE FROM resources WHERE id >= ?", (first,))  # new keys: no renderings to drop
            inserted = [first + n in present for n in range(len(resources))]
            resources = [resource for resource, new in zip(resources, inserted, strict=True) if new]
            _insert_rows(db, first, resources)
        counts = _tag_counts(resources)
        held = self.db.bulk()
        if held is not None:
            held.defer(first, _tag_rows_from, counts)
        else:
            _tag_rows_from(db, first, counts)
        self._index_words(db, [index_rows(first + n, resource, tags=False) for n, resource in enumerate(resources)])
        return inserted

    # -- file bytes (emulator/storage/files.py): the blob store port --------------------------------------

    def blob(self, sha256: str) -> bytes | None:
        """The bytes (tests and tools; the services use :attr:`blobs`)."""
        return self.files.read(sha256)

    def _in_use(self, sha256: str) -> bool:
        return bool(self._read("SELECT 1 FROM resources WHERE sha256 = ? LIMIT 1", (sha256,)))

    def _reclaim(self, *shas: str | None) -> None:
        """Delete bytes no resource refers to any more. In a write transaction of its own: a writer cannot
        check "my bytes are there" and commit between our check and our delete (it would get MissingBlob)."""
        candidates = [s for s in shas if s]
        if candidates:
            with self._tx():
                self.files.reclaim(candidates, self._in_use)

    def _upgrade_records(self) -> None:
        """A data dir of schema 1 or 2: its rows read as records and written again, its blobs moved to files."""
        with self._tx() as db:
            legacy = schema.legacy_rows(db)
            schema.create(db)
            for resource in legacy:
                self._upsert(db, resource)
            schema.pin_statistics(db)
        self._move_blobs_to_files()
        schema.create_beside(self.db)
        self.opened.upgrade_pending = False

    def _move_blobs_to_files(self) -> None:
        """Upgrade a data dir of schema ≤ 2, whose bytes lived in a ``blobs`` table: each row is streamed into
        the file store (never whole in memory), then the table is dropped."""
        tables = {row[0] for row in self._read("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "blobs" not in tables:
            return
        for rowid, sha256 in self._read("SELECT rowid, sha256 FROM blobs"):
            with self._lock, self._conn.blobopen("blobs", "data", rowid, readonly=True) as data:
                stored = self.files.put_stream(data)  # type: ignore[arg-type]
            if stored.sha256 != sha256:
                raise RuntimeError(f"blob {sha256} holds bytes whose sha256 is {stored.sha256}")
        with self._tx() as db:
            db.execute("DROP TABLE blobs")

    def claim_cloud(self, name: str, at: float) -> bool:
        with self._tx() as db:
            cur = db.execute("INSERT OR IGNORE INTO clouds (name, created_at) VALUES (?, ?)", (name, at))
            return cur.rowcount == 1

    def modify(self, keys: Sequence[ResourceKey], change: Callable[[Resource], Resource]) -> list[Resource]:
        """Apply ``change`` to each existing resource in one transaction; the resources after the change."""
        out = []
        with self._tx() as db:
            for key in dict.fromkeys(keys):
                row = db.execute(f"{_FULL} WHERE {_BY_KEY}", key_columns(key)).fetchone()
                if row is None:
                    continue
                current = to_resource(row[1:])
                updated = change(current)
                if updated != current:
                    self._rewrite(db, row[0], current, updated)
                out.append(updated)
        return out

    def delete(self, keys: Sequence[ResourceKey]) -> list[bool]:
        """Delete each key; True where it existed. Bytes no resource uses any more are reclaimed."""
        found = []
        shas = []
        with self._tx() as db:
            for key in keys:
                row = db.execute(f"{_FULL} WHERE {_BY_KEY}", key_columns(key)).fetchone()
                if row is not None:
                    shas.append(self._remove(db, row[0], to_resource(row[1:])))
                found.append(row is not None)
        self._reclaim(*shas)
        return found

    def rename(self, old: ResourceKey, new: ResourceKey, overwrite: bool) -> RenameOutcome:
        with self._tx() as db:
            row = db.execute(f"{_FULL} WHERE {_BY_KEY}", key_columns(old)).fetchone()
            if row is None:
                return RenameOutcome(None)
            current = to_resource(row[1:])
            if new == old:
                return RenameOutcome(current)
            target = db.execute(f"{_FULL} WHERE {_BY_KEY}", key_columns(new)).fetchone()
            if target is not None and not overwrite:
                return RenameOutcome(current, conflict=True)
            shas = [self._remove(db, target[0], to_resource(target[1:]))] if target is not None else []
            renamed = replace(current, key=new)
            self._rewrite(db, row[0], current, renamed)
        self._reclaim(*shas)
        return RenameOutcome(renamed)

    # -- lists ----------------------------------------------------------------------------------------------

    def list_resources(self, q: Listing) -> Page:
        desc = q.direction == "desc"
        order, cmp = ("DESC", "<") if desc else ("ASC", ">")
        if q.public_ids is not None:
            where, params = self._scope(q, "r")
            where.append(f"r.public_id IN ({', '.join('?' * len(q.public_ids))})")
            sql = f"{_FULL} WHERE {' AND '.join(where)} ORDER BY r.created_at {order}, r.id {order}"
            rows = self._read(sql, [*params, *q.public_ids])
            return Page([to_resource(row[1:]) for row in rows], None)
        source, alias, where, params = self._source(q)
        if q.after is not None:
            where.append(f"({alias}.created_at, {alias}.id) {cmp} (?, ?)")
            params += list(q.after)
        sql = (f"SELECT r.id, {SELECT}, {alias}.created_at FROM {source} WHERE {' AND '.join(where)} "
               f"ORDER BY {alias}.created_at {order}, {alias}.id {order} LIMIT ?")
        rows = self._read(sql, [*params, q.limit + 1])
        more = len(rows) > q.limit
        rows = rows[: q.limit]
        next_key = (rows[-1][-1], rows[-1][0]) if more else None
        return Page([to_resource(row[1:]) for row in rows], next_key)

    def _source(self, q: Listing) -> tuple[str, str, list[str], list[object]]:
        """FROM clause, the alias whose (created_at, id) orders the page, conditions and their params."""
        params: list[object]
        if q.tag is not None:
            params = [q.cloud, q.tag, q.resource_type]
            return ("resource_tags t JOIN resources r ON r.id = t.id", "t",
                    ["t.cloud = ?", "t.tag = ?", "t.resource_type = ?"], params)
        if q.context_key is not None:
            where, params = ["c.cloud = ?", "c.key = ?", "c.resource_type = ?"], [q.cloud, q.context_key,
                                                                                q.resource_type]
            if q.context_value is not None:
                where.append("c.value = ?")
                params.append(q.context_value)
            return "resource_context c JOIN resources r ON r.id = c.id", "c", where, params
        where, params = self._scope(q, "r")
        source = "resources r"
        if q.moderation is not None:  # the first moderation of the ``extra`` column: queues are small
            where.append("json_extract(r.extra, '$.moderation[0][0]') = ? "
                         "AND json_extract(r.extra, '$.moderation[0][1]') = ?")
            params += list(q.moderation)
        if q.prefix:
            where.append(self._prefix("r.public_id", q.prefix, params))
            source = f"resources r INDEXED BY {self._prefix_plan(where, params)}"
        if q.start_at is not None:
            where.append("r.created_at >= ?")
            params.append(q.start_at)
        return source, "r", where, params

    def _prefix_plan(self, where: list[str], params: list[object]) -> str:
        """The index for a prefix list: a narrow id range is read and sorted; a broad one (thousands of ids,
        which no sort should face) is better found by walking the created_at order, where it is dense."""
        sample = (f"SELECT COUNT(*) FROM (SELECT 1 FROM resources r INDEXED BY sqlite_autoindex_resources_1 "
                  f"WHERE {' AND '.join(where)} LIMIT {_SORT_AT_MOST})")
        if self._read(sample, params)[0][0] < _SORT_AT_MOST:
            return "sqlite_autoindex_resources_1"
        return "resources_by_type_created" if "r.type = ?" in where else "resources_by_created"

    @staticmethod
    def _scope(q: Listing, alias: str) -> tuple[list[str], list[object]]:
        where = [f"{alias}.cloud = ?"]
        params: list[object] = [q.cloud]
        if q.resource_type != ALL_TYPES:
            where.append(f"{alias}.resource_type = ?")
            params.append(q.resource_type)
        if q.asset_folder is not None:
            where.append(f"{alias}.asset_folder = ?")
            params.append(q.asset_folder)
        if q.type is not None:
            where.append(f"{alias}.type = ?")
            params.append(q.type)
        return where, params

    @staticmethod
    def _prefix(column: str, prefix: str, params: list[object]) -> str:
        upper = successor(prefix)
        params.append(prefix)
        if upper is None:
            return f"{column} >= ?"
        params.append(upper)
        return f"{column} >= ? AND {column} < ?"

    def tags(self, cloud: str, resource_type: str, prefix: str | None, after: str | None,
             limit: int) -> tuple[list[str], bool]:
        """Tag names in order, ``limit`` of them after ``after``, and whether more follow."""
        where = ["cloud = ?", "resource_type = ?"]
        params: list[object] = [cloud, resource_type]
        if prefix:
            where.append(self._prefix("tag", prefix, params))
        if after is not None:
            where.append("tag > ?")
            params.append(after)
        rows = self._read(f"SELECT tag FROM tag_counts WHERE {' AND '.join(where)} ORDER BY tag LIMIT ?",
                          [*params, limit + 1])
        return [row[0] for row in rows[:limit]], len(rows) > limit

    def usage(self, cloud: str) -> Usage:
        count, size = self._read("SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM resources WHERE cloud = ?",
                                 (cloud,))[0]
        tags = self._read("SELECT COUNT(*) FROM tag_counts WHERE cloud = ?", (cloud,))[0][0]
        return Usage(resources=count, bytes=size, tags=tags, at=0.0)

    # -- search ---------------------------------------------------------------------------------------------

    def search(self, spec: SearchSpec) -> SearchPage:
        """The total and the aggregations, then one keyset page.

        Where the expression requires a tag, the count starts from the rows of its least common one in the tag
        index, joined to their resources (no set of ids is built first). The page then does the same, unless
        the matches are so many that walking the created_at index finds the newest of them sooner. A first
        page of a tag on at most ``_ONE_PASS_AT_MOST`` resources is counted and found in one pass: the sort keys
        of all its matches, in order.
        """
        tag, size = self._driving_tag(spec)
        counting = search_sql.Compiler(spec.cloud, probe=tag is not None, given=tag)
        condition = counting.compile(spec.where)
        source, where, params, columns = self._search_source(spec, tag, False)
        if tag is not None and not spec.aggregate:
            source, where, columns, condition = self._on_tag_rows(condition, source, where, columns)
        filtered = " AND ".join([*where, condition])
        params += counting.params
        keys = None
        if tag is not None and condition == "1":  # just the tag: its count is kept
            total = size
        elif tag is not None and spec.after is None and size <= _ONE_PASS_AT_MOST and not self._walks(spec, size):
            keys = self._sorted_keys(spec, source, columns, [*where, condition], params, None)
            total = len(keys)
        else:
            total = int(self._read(f"SELECT COUNT(*) FROM {source} WHERE {filtered}", params)[0][0])
        aggregations = {name: dict(self._read(
            f"SELECT {search_sql.AGGREGATABLE[name]}, COUNT(*) FROM {source} WHERE {filtered} "
            f"GROUP BY 1 ORDER BY 2 DESC, 1", params)) for name in spec.aggregate}
        if keys is None and self._walks(spec, total):
            walking = search_sql.Compiler(spec.cloud, probe=True)
            condition = walking.compile(spec.where)
            source, where, params, columns = self._search_source(spec, None, True)
            keys = self._sorted_keys(spec, source, columns, [*where, condition], [*params, *walking.params],
                                     spec.limit + 1)
        elif keys is None:
            keys = self._sorted_keys(spec, source, columns, [*where, condition], params, spec.limit + 1)
        more = len(keys) > spec.limit
        keys = keys[: spec.limit]
        return SearchPage(self._by_ids([key[-1] for key in keys]), tuple(keys[-1]) if more else None, total,
                          aggregations)

    @staticmethod
    def _search_source(spec: SearchSpec, tag: str | None,
                       walk: bool) -> tuple[str, list[str], list[object], list[str]]:
        """FROM clause, conditions, params and the sort key's columns (then the row id): every resource, the
        created_at walk, or one tag's rows joined to their resources."""
        columns = [search_sql.SORTABLE[field] for field, _ in spec.sort_by] + ["r.id"]
        if walk:
            return "resources r INDEXED BY resources_by_created", ["r.cloud = ?"], [spec.cloud], columns
        if tag is not None:
            return ("resource_tags t CROSS JOIN resources r ON r.id = t.id", ["t.cloud = ?", "t.tag = ?",
                    "r.cloud = ?"], [spec.cloud, tag, spec.cloud], columns)
        return "resources r", ["r.cloud = ?"], [spec.cloud], columns

    @staticmethod
    def _on_tag_rows(condition: str, source: str, where: list[str],
                     columns: list[str]) -> tuple[str, list[str], list[str], str]:
        """The tag's rows alone, without their resources' rows, when the condition and the sort need only the
        columns a tag row carries (``tags=cat AND width>1000``, by creation or size): a tag's hundred rows are a
        page or two of the tag index, where their resources' rows are a page each. Else the join, unchanged."""
        moved = search_sql.on_tag_rows(condition)
        carried = [search_sql.on_tag_rows(column) for column in columns]
        if moved is None or None in carried:
            return source, where, columns, condition
        # the same params in the same order: the join's r.cloud = ? is its tag row's t.cloud = ? again
        return ("resource_tags t", ["t.cloud = ?", "t.tag = ?", "t.cloud = ?"],
                [column for column in carried if column is not None], moved)

    def _sorted_keys(self, spec: SearchSpec, source: str, columns: list[str], base: list[str],
                     base_params: list[object], limit: int | None) -> list[Any]:
        """The matches' sort keys (``columns``, the row id last), in the search's order after its cursor: ``limit``
        of them (None: all). A page's rows are read by id afterwards: sorting whole rows cost more than the query
        at a million resources (a median tag's hundred matches, 50 of them kept)."""
        descending = [direction == "desc" for _, direction in spec.sort_by]
        descending.append(descending[-1])  # ties broken by id, in the last key's direction
        where, params = list(base), list(base_params)
        if spec.after is not None and len(set(descending)) == 1:  # a row value: a range an index can seek to
            where.append(f"({', '.join(columns)}) {'<' if descending[0] else '>'} ({', '.join('?' * len(columns))})")
            params += list(spec.after)
        elif spec.after is not None:
            where.append(search_sql.keyset(columns, descending, len(columns)))
            params += search_sql.keyset_params(tuple(spec.after))
        order = ", ".join(f"{c} {'DESC' if d else 'ASC'}" for c, d in zip(columns, descending, strict=True))
        sql = f"SELECT {', '.join(columns)} FROM {source} WHERE {' AND '.join(where)} ORDER BY {order}"
        if limit is None:
            return self._read(sql, params)
        return self._read(f"{sql} LIMIT ?", [*params, limit])

    def _by_ids(self, ids: list[int]) -> list[Resource]:
        """The resources of these row ids, in their order (one gone since is left out)."""
        if not ids:
            return []
        rows = self._read(f"{_FULL} WHERE r.id IN ({', '.join('?' * len(ids))})", ids)
        found = {row[0]: row for row in rows}
        return [to_resource(found[rid][1:]) for rid in ids if rid in found]

    def _driving_tag(self, spec: SearchSpec) -> tuple[str | None, int]:
        """Of the tags the expression requires, the one on the fewest resources, and on how many (None: it
        requires none)."""
        sizes = [(self._tag_size(spec.cloud, tag), tag) for tag in search_sql.required_tags(spec.where)]
        if not sizes:
            return None, 0
        size, tag = min(sizes, key=lambda pair: pair[0])
        return tag, size

    def _walks(self, spec: SearchSpec, matches: int) -> bool:
        """Whether a search sorted by creation finds its page sooner by walking the created_at index, testing
        each resource, than by reading and sorting all ``matches``.

        Walking tests about ``limit × library / matches`` resources: the walk wins when the matches are more
        than ``sqrt(limit × library)`` (7,000 of a million for a page of 50).
        """
        if [field for field, _ in spec.sort_by] not in (["created_at"], ["uploaded_at"]):
            return False
        library = int(self.db.one("SELECT COALESCE(MAX(id), 0) FROM resources")[0])
        return matches * matches > (spec.limit + 1) * library

    def _tag_size(self, cloud: str, tag: str) -> int:
        row = self.db.one("SELECT COALESCE(SUM(count), 0) FROM tag_counts WHERE cloud = ? AND resource_type IN "
                          "('image', 'video', 'raw') AND tag = ?", (cloud, tag))
        return int(row[0])

    # -- bulk deletion --------------------------------------------------------------------------------------

    def remove(self, sel: Selection) -> Removal:
        """Delete up to ``sel.limit`` resources of the selection, in public-id order, in one transaction."""
        if sel.tag is not None:
            where = ["t.cloud = ?", "t.tag = ?", "t.resource_type = ?"]
            params: list[object] = [sel.cloud, sel.tag, sel.resource_type]
            source = "resource_tags t JOIN resources r ON r.id = t.id"
        else:
            where, params = ["r.cloud = ?", "r.resource_type = ?"], [sel.cloud, sel.resource_type]
            source = "resources r"
            if sel.type is not None:
                where.append("r.type = ?")
                params.append(sel.type)
            if sel.prefix:
                where.append(self._prefix("r.public_id", sel.prefix, params))
        if sel.after is not None:
            where.append("r.public_id > ?")
            params.append(sel.after)
        sql = f"SELECT r.id, {SELECT} FROM {source} WHERE {' AND '.join(where)} ORDER BY r.public_id LIMIT ?"
        with self._tx() as db:
            rows = db.execute(sql, [*params, sel.limit + 1]).fetchall()
            doomed = [(row[0], to_resource(row[1:])) for row in rows[: sel.limit]]
            shas = [self._remove(db, rid, resource) for rid, resource in doomed]
        self._reclaim(*shas)
        return Removal([resource.public_id for _, resource in doomed], len(rows) > sel.limit)

    # -- asset folders (the AssetFolders port of emulator/backend/account/folders.py) ------------------------

    def asset_folders(self, cloud: str) -> list[str]:
        rows = self._read("SELECT DISTINCT asset_folder FROM resources WHERE cloud = ? AND asset_folder != ''",
                          (cloud,))
        return [row[0] for row in rows]

    def count_in_folder(self, cloud: str, path: str) -> int:
        below = successor(path + "/")
        rows = self._read("SELECT COUNT(*) FROM resources WHERE cloud = ? AND (asset_folder = ? OR "
                          "(asset_folder >= ? AND asset_folder < ?))", (cloud, path, path + "/", below))
        return int(rows[0][0])

    def move_asset_folder(self, cloud: str, old: str, new: str) -> int:
        """Every asset of ``old`` or below it to the same place under ``new`` (one transaction)."""
        below = successor(old + "/")
        with self._tx() as db:
            rows = db.execute(f"{_FULL} WHERE r.cloud = ? AND (r.asset_folder = ? OR (r.asset_folder >= ? "
                              "AND r.asset_folder < ?))", (cloud, old, old + "/", below)).fetchall()
            for row in rows:
                current = to_resource(row[1:])
                moved = new + current.effective_asset_folder[len(old):]
                self._rewrite(db, row[0], current, replace(current, asset_folder=moved))
        return len(rows)

    def remove_metadata_field(self, cloud: str, external_id: str) -> int:
        """Drop a deleted metadata field's values from every asset that has one (one transaction)."""
        with self._tx() as db:
            ids = [row[0] for row in db.execute("SELECT DISTINCT id FROM resource_metadata WHERE cloud = ? "
                                                "AND field = ?", (cloud, external_id))]
            for rid in ids:
                row = db.execute(f"{_FULL} WHERE r.id = ?", (rid,)).fetchone()
                if row is not None:
                    current = to_resource(row[1:])
                    kept = {k: v for k, v in current.metadata.items() if k != external_id}
                    self._rewrite(db, rid, current, replace(current, metadata=kept))
        return len(ids)

    def cloud_created_at(self, cloud: str) -> float:
        rows = self._read("SELECT created_at FROM clouds WHERE name = ?", (cloud,))
        return float(rows[0][0]) if rows else 0.0

    # -- index maintenance ----------------------------------------------------------------------------------

    def _upsert(self, db: sqlite3.Connection, resource: Resource) -> str | None:
        """Insert or replace; the sha256 of bytes the resource held before, when it held other bytes.

        A new key (most uploads) costs the one INSERT; only a key that is already there is read back.
        """
        cur = db.execute(_INSERT_NEW, to_row(resource))
        if cur.rowcount == 1:
            self._index(db, [index_rows(int(cur.lastrowid or 0), resource)])
            return None
        row = db.execute(f"{_FULL} WHERE {_BY_KEY}", key_columns(resource.key)).fetchone()
        previous = to_resource(row[1:])
        self._rewrite(db, row[0], previous, resource)
        return previous.sha256 if previous.sha256 != resource.sha256 else None

    def _rewrite(self, db: sqlite3.Connection, rid: int, previous: Resource, updated: Resource) -> None:
        self._unindex(db, rid, previous)
        db.execute(f"UPDATE resources SET ({_ASSIGN}) = ({_SLOTS}) WHERE id = ?", (*to_row(updated), rid))
        self._index(db, [index_rows(rid, updated)])

    @classmethod
    def _index(cls, db: sqlite3.Connection, batch: list[IndexRows]) -> None:
        """The index rows of one or many resources, one statement per table (none for a table without rows)."""
        tags = sorted(itertools.chain.from_iterable(item.tags for item in batch))
        if tags:
            db.executemany(_TAG_ROW, tags)
            counts = Counter(itertools.chain.from_iterable(item.tag_names for item in batch))
            db.executemany(_COUNT, sorted((*k, n) for k, n in counts.items()))
        cls._index_words(db, batch)

    @staticmethod
    def _index_words(db: sqlite3.Connection, batch: list[IndexRows]) -> None:
        """The context, word and metadata rows. Each table's rows go in in its key order (but metadata's, whose
        number is None in some rows and a float in others): a batch's inserts walk the tree once."""
        def run(sql: str, rows: Callable[[IndexRows], list[tuple[Any, ...]]], ordered: bool = True) -> None:
            found = [row for item in batch for row in rows(item)]
            if found:
                db.executemany(sql, sorted(found) if ordered else found)

        run("INSERT OR IGNORE INTO resource_context VALUES (?, ?, ?, ?, ?, ?)", lambda i: i.context)
        run("INSERT OR IGNORE INTO resource_terms VALUES (?, ?, ?, ?)", lambda i: i.terms)
        run("INSERT OR IGNORE INTO resource_metadata VALUES (?, ?, ?, ?, ?)", lambda i: i.metadata, ordered=False)

    @staticmethod
    def _unindex(db: sqlite3.Connection, rid: int, resource: Resource) -> None:
        rows = index_rows(rid, resource)
        statements: list[tuple[str, list[Any]]] = [
            ("DELETE FROM resource_tags WHERE cloud = ? AND tag = ? AND resource_type = ? AND created_at = ? "
             "AND id = ?", [row[:5] for row in rows.tags]),
            ("DELETE FROM resource_context WHERE cloud = ? AND key = ? AND value = ? AND resource_type = ? "
             "AND created_at = ? AND id = ?", rows.context),
            ("DELETE FROM resource_terms WHERE cloud = ? AND field = ? AND term = ? AND id = ?", rows.terms),
            ("DELETE FROM resource_metadata WHERE cloud = ? AND field = ? AND value = ? AND id = ?",
             [(c, f, v, i) for c, f, v, _, i in rows.metadata]),
            ("UPDATE tag_counts SET count = count - 1 WHERE cloud = ? AND resource_type = ? AND tag = ?",
             rows.tag_names),
            ("DELETE FROM tag_counts WHERE cloud = ? AND resource_type = ? AND tag = ? AND count <= 0",
             rows.tag_names),
        ]
        for sql, found in statements:
            if found:  # a table without rows for this resource costs no statement
                db.executemany(sql, found)

    def _remove(self, db: sqlite3.Connection, rid: int, resource: Resource) -> str:
        self._unindex(db, rid, resource)
        db.execute("DELETE FROM resources WHERE id = ?", (rid,))
        return resource.sha256

    def reset(self, cloud: str | None = None) -> None:
        """Forget one cloud (or all): every row of every table with a ``cloud`` column, then orphan blobs.

        Generic over the schema so tables added later are reset too; the cloud is unclaimed, so its
        defaults (``sample``) are created again.
        """
        with self._tx() as db:
            tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                if "cloud" in columns:
                    db.execute(f"DELETE FROM {table}" + (" WHERE cloud = ?" if cloud else ""),
                               (cloud,) if cloud else ())
            db.execute("DELETE FROM clouds" + (" WHERE name = ?" if cloud else ""), (cloud,) if cloud else ())
            self.db.generation += 1  # the account's documents went too: kept copies start again
            if cloud is None:
                self.files.clear()
            else:
                self.files.sweep(self._in_use)

    def close(self) -> None:
        self.opened.close()
