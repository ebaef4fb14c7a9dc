"""SQLite storage: round trips, content-addressed blobs, tag index, persistence, first-start claims."""

from __future__ import annotations

from pathlib import Path

from emulator.backend.models import Resource, ResourceKey
from emulator.storage.sqlite import SQLiteStorage


def _resource(public_id: str = "a/b", tags: tuple[str, ...] = ("x", "y"), sha: str = "f" * 64) -> Resource:
    return Resource(key=ResourceKey("demo", public_id), asset_id="1" * 32, version=1700000000, version_id="2" * 32,
                    format="jpg", width=3, height=2, bytes=4, etag="e", sha256=sha, created_at=1700000000.5,
                    original_filename="b", tags=tags, context={"k": "v=|"},
                    info={"categorization": {"imagga_tagging": {"status": "complete", "data": []}}},
                    notification_url="http://h/x")


def test_round_trip_and_blob(tmp_path: Path) -> None:
    store = SQLiteStorage(tmp_path)
    store.put(_resource(), b"data")
    assert store.get(ResourceKey("demo", "a/b")) == _resource()
    assert store.blobs.get("f" * 64) == b"data" and store.blobs.get("0" * 64) is None
    assert store.get(ResourceKey("demo", "a/b", type="private")) is None
    store.close()


def test_data_persists_across_instances(tmp_path: Path) -> None:
    SQLiteStorage(tmp_path).put(_resource(), b"data")
    assert SQLiteStorage(tmp_path).get(ResourceKey("demo", "a/b")) == _resource()


def test_claim_cloud_is_true_once(tmp_path: Path) -> None:
    assert SQLiteStorage(tmp_path).claim_cloud("demo", 1.0) is True
    assert SQLiteStorage(tmp_path).claim_cloud("demo", 2.0) is False


def test_temporary_database_is_removed_on_close() -> None:
    store = SQLiteStorage(None)
    path = store.path
    assert path.exists()
    store.close()
    assert not path.exists()


def test_replacing_a_resource_replaces_its_tag_rows(tmp_path: Path) -> None:
    store = SQLiteStorage(tmp_path)
    store.put(_resource(tags=("x", "y")), b"d")
    store.put(_resource(tags=("z",)))
    with store._lock:
        rows = store._conn.execute("SELECT tag FROM resource_tags ORDER BY tag").fetchall()
    assert [r[0] for r in rows] == ["z"]
