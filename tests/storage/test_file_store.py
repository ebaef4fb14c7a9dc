"""The content-addressed file store: streaming in, reading back, and reclaiming only what is safe."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

import pytest

from emulator.storage.files import FileStore, FileTooLarge, hash_file


class Clock:
    def __init__(self) -> None:
        self.at = 1_000_000.0

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=[True, False], ids=["nested", "flat"])
def store(tmp_path: Path, clock: Clock, request: pytest.FixtureRequest) -> FileStore:
    """Both layouts: a data directory's (two folder levels) and a temporary store's (one folder)."""
    return FileStore(tmp_path / "files", now=clock, nested=request.param)


def test_a_stream_is_stored_under_its_sha256_with_digests_and_size(store: FileStore) -> None:
    data = b"x" * 3_000_000  # more than one read chunk
    stored = store.put_stream(io.BytesIO(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.md5 == hashlib.md5(data).hexdigest()
    assert stored.size == len(data)
    path = store.path(stored.sha256)
    sha = stored.sha256
    assert path.relative_to(store.root).parts == ((sha[:2], sha[2:4], sha) if store.nested else (sha,))
    assert store.read(stored.sha256) == data


def test_storing_the_same_bytes_twice_keeps_one_file(store: FileStore) -> None:
    first = store.put_bytes(b"same")
    second = store.put_bytes(b"same")
    assert first == second
    assert list(store.digests()) == [first.sha256]
    assert list((store.root / "tmp").iterdir()) == []


def test_a_stream_over_the_limit_is_refused_and_leaves_nothing(store: FileStore) -> None:
    with pytest.raises(FileTooLarge) as raised:
        store.put_stream(io.BytesIO(b"y" * 2_000_001), limit=2_000_000)
    assert raised.value.limit == 2_000_000
    assert list(store.digests()) == []
    assert list((store.root / "tmp").iterdir()) == []


def test_a_staged_file_is_moved_in_without_a_copy(store: FileStore, tmp_path: Path) -> None:
    staged = tmp_path / "assembled"
    staged.write_bytes(b"chunked upload")
    stored = store.put_file(staged, move=True)
    assert not staged.exists()
    assert store.read(stored.sha256) == b"chunked upload"
    assert hash_file(store.path(stored.sha256)) == stored


def test_a_file_can_be_copied_in_and_left_where_it_was(store: FileStore, tmp_path: Path) -> None:
    source = tmp_path / "keep"
    source.write_bytes(b"kept")
    stored = store.put_file(source)
    assert source.read_bytes() == b"kept"
    assert store.exists(stored.sha256)


def test_reclaim_deletes_what_no_resource_uses(store: FileStore) -> None:
    stored = store.put_bytes(b"unused")
    assert store.reclaim([stored.sha256], in_use=lambda sha: False) == [stored.sha256]
    assert store.read(stored.sha256) is None


def test_reclaim_keeps_a_file_a_resource_still_uses(store: FileStore) -> None:
    stored = store.put_bytes(b"shared")
    assert store.reclaim([stored.sha256], in_use=lambda sha: True) == []
    assert store.exists(stored.sha256)


def test_staged_bytes_can_be_kept_again_after_a_reclaim_took_them(store: FileStore) -> None:
    """An upload keeps its staged file until its row is committed: bytes a concurrent reclaim deleted
    between "keep" and "commit" are linked into place again, never lost."""
    staged = store.stage(io.BytesIO(b"in flight"))
    store.keep(staged)
    store.reclaim([staged.sha256], in_use=lambda sha: False)  # a deletion's reclaim, before our commit
    assert not store.exists(staged.sha256)
    store.keep(staged)
    assert store.read(staged.sha256) == b"in flight"
    store.discard(staged)
    assert store.read(staged.sha256) == b"in flight"  # discarding the staged file leaves the kept bytes


def test_sweep_removes_orphans_and_stale_temporaries(store: FileStore, clock: Clock) -> None:
    kept, orphan = store.put_bytes(b"kept"), store.put_bytes(b"orphan")
    (store.root / "tmp" / "leftover").write_bytes(b"half")
    clock.at += 10_000_000_000  # far past the temporary file's mtime, which is real time
    removed = store.sweep(in_use=lambda sha: sha == kept.sha256)
    assert removed == [orphan.sha256]
    assert list((store.root / "tmp").iterdir()) == []


def test_a_recent_staged_file_survives_a_sweep(store: FileStore) -> None:
    staged = store.stage(io.BytesIO(b"u" * (store.memory + 1)))
    store.sweep(in_use=lambda sha: False)
    assert staged.path is not None and staged.path.exists()


def _temporaries(store: FileStore) -> list[Path]:
    return list((store.root / "tmp").iterdir())


def test_small_bytes_are_staged_in_memory_without_a_temporary_file(store: FileStore) -> None:
    staged = store.stage(io.BytesIO(b"small"))
    assert (staged.path, staged.data, staged.size) == (None, b"small", 5)
    assert (staged.sha256, staged.md5) == (hashlib.sha256(b"small").hexdigest(), hashlib.md5(b"small").hexdigest())
    assert _temporaries(store) == []


def test_bytes_over_the_memory_bound_spill_to_a_temporary_file(store: FileStore) -> None:
    data = b"b" * (store.memory + 1)
    staged = store.stage(io.BytesIO(data))
    assert staged.data is None and staged.path is not None
    assert staged.path.read_bytes() == data and staged.sha256 == hashlib.sha256(data).hexdigest()
    store.keep(staged)
    store.discard(staged)
    assert store.read(staged.sha256) == data
    assert _temporaries(store) == []


def test_a_stream_over_the_limit_within_the_memory_bound_is_refused(store: FileStore) -> None:
    with pytest.raises(FileTooLarge) as raised:
        store.stage(io.BytesIO(b"z" * 11), limit=10)
    assert (raised.value.size, raised.value.limit) == (11, 10)
    assert _temporaries(store) == []


def test_keeping_bytes_from_memory_links_them_in_and_leaves_no_temporary(store: FileStore) -> None:
    staged = store.stage(io.BytesIO(b"from memory"))
    store.keep(staged)
    assert store.read(staged.sha256) == b"from memory"
    assert _temporaries(store) == []


def test_keeping_bytes_already_stored_writes_nothing(store: FileStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.put_bytes(b"twice")
    made: list[object] = []
    monkeypatch.setattr(tempfile, "mkstemp", lambda *a, **k: made.append(a) or pytest.fail("a file was written"))
    store.keep(store.stage(io.BytesIO(b"twice")))
    assert made == []


def test_bytes_in_memory_can_be_kept_again_after_a_reclaim_took_them(store: FileStore) -> None:
    staged = store.stage(io.BytesIO(b"in memory, in flight"))
    store.keep(staged)
    store.reclaim([staged.sha256], in_use=lambda sha: False)
    store.keep(staged)
    assert store.read(staged.sha256) == b"in memory, in flight"


def test_on_disk_writes_bytes_held_in_memory_to_a_temporary_file(store: FileStore) -> None:
    staged = store.stage(io.BytesIO(b"for PyAV"))
    spilled = store.on_disk(staged)
    assert spilled.path is not None and spilled.path.read_bytes() == b"for PyAV"
    assert (spilled.sha256, spilled.size) == (staged.sha256, staged.size)
    assert store.on_disk(spilled) is spilled
    store.discard(spilled)
    assert _temporaries(store) == []


def test_a_digest_that_is_not_hex_is_refused(store: FileStore) -> None:
    with pytest.raises(ValueError, match="not a sha256"):
        store.path("../../etc/passwd")


def _fsynced(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes | None]]:
    """Record each fsync as (path, the file's bytes at that moment; None for a folder)."""
    seen: list[tuple[str, bytes | None]] = []
    real = os.fsync

    def spy(fd: int) -> None:
        path = os.readlink(f"/proc/self/fd/{fd}")
        seen.append((path, None if os.path.isdir(path) else Path(path).read_bytes()))
        real(fd)

    monkeypatch.setattr(os, "fsync", spy)
    return seen


def test_a_durable_store_has_bytes_and_folder_entries_on_disk_before_keep_returns(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FileStore(tmp_path / "files", durable=True)
    seen = _fsynced(monkeypatch)
    stored = store.put_bytes(b"answered means durable")
    final = store.path(stored.sha256)
    files = [data for _, data in seen if data is not None]
    folders = {path for path, data in seen if data is None}
    assert files == [b"answered means durable"]  # the staged file, before it was linked in
    assert {str(final.parent), str(final.parent.parent), str(store.root)} <= folders


def test_keeping_bytes_already_stored_durably_still_syncs_their_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another upload may have linked the same bytes a moment ago, its folder entry not yet on disk: an answer
    naming them must not come before that entry is."""
    store = FileStore(tmp_path / "files", durable=True)
    stored = store.put_bytes(b"shared bytes")
    seen = _fsynced(monkeypatch)
    store.keep(store.stage(io.BytesIO(b"shared bytes")))
    assert seen == [(str(store.path(stored.sha256).parent), None)]


def test_a_store_that_dies_with_the_process_never_waits_for_the_disk(
        store: FileStore, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _fsynced(monkeypatch)
    store.put_bytes(b"temporary")
    assert seen == []


def test_a_data_dir_stores_files_durably_and_a_temporary_one_does_not(tmp_path: Path) -> None:
    from emulator.storage.sqlite import SQLiteStorage

    kept, scratch = SQLiteStorage(tmp_path / "data"), SQLiteStorage(None)
    try:
        assert kept.files.durable and not scratch.files.durable
    finally:
        kept.close()
        scratch.close()


def test_new_bytes_make_no_folder_in_a_temporary_store_and_two_levels_in_a_data_dir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A temporary store lives as long as its process: its files sit in one folder, so new bytes cost the kernel
    one new file and no new folder. A data directory keeps the layout older emulators wrote."""
    from emulator.storage.sqlite import SQLiteStorage

    kept, scratch = SQLiteStorage(tmp_path / "data"), SQLiteStorage(None)
    made: list[str] = []
    real = os.mkdir
    monkeypatch.setattr(os, "mkdir", lambda path, *a, **k: made.append(str(path)) or real(path, *a, **k))
    try:
        shas = [scratch.files.put_bytes(f"new bytes {n}".encode()).sha256 for n in range(3)]
        assert made == []
        assert sorted(p.name for p in scratch.files.root.iterdir()) == sorted([*shas, "tmp"])
        assert sorted(scratch.files.digests()) == sorted(shas)
        sha = kept.files.put_bytes(b"kept bytes").sha256
        final = kept.files.path(sha)
        assert set(made) == {str(final.parent), str(final.parent.parent)}
        assert final.relative_to(kept.files.root).parts == (sha[:2], sha[2:4], sha)
    finally:
        kept.close()
        scratch.close()


def test_clearing_a_flat_store_keeps_its_staging_folder(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files", nested=False)
    sha = store.put_bytes(b"gone").sha256
    store.clear()
    assert not store.exists(sha) and list(store.digests()) == []
    assert store.put_bytes(b"again").sha256 in set(store.digests())
