"""File bytes on disk, content-addressed: ``<root>/<sha[:2]>/<sha[2:4]>/<sha256>`` in a data directory;
``<root>/<sha256>`` in a temporary one (:attr:`FileStore.nested`).

SQLite keeps the metadata; the bytes live here so a 1 GB video is streamed in and out, never held in memory.
Bytes come in hashed (:meth:`FileStore.stage`): held in memory up to a megabyte, beyond that through a
temporary file in ``<root>/tmp`` written while hashing. They are checked by the caller, then *linked* into
place (:meth:`FileStore.keep`, via a temporary file for bytes held in memory): the link is atomic, so a reader
sees a whole file or none, and keeping bytes that are already there writes nothing. The staged bytes stay
until the caller's row is committed, so they can be linked again if a reclaim took them meanwhile.

The two folder levels keep each folder small in a library that lives for years, but nearly every new file of a
young library makes one or two folders, and creating a folder costs the kernel as much as creating the file
(about 0.1 ms each on the development machine). A temporary store lives as long as its process and is never
opened by another version of the emulator: its files sit in one folder, which the file system indexes by name.

Reclaiming (:meth:`FileStore.reclaim`) deletes files no resource refers to. The caller runs it inside a write
transaction of the database, so it cannot interleave with another writer's "are my bytes there? then commit";
a writer that finds its bytes gone links them again from its staged file and retries.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, BinaryIO, TypeVar

from emulator.backend.models import StagedBlob
from emulator.backend.ports import BlobTooLarge

_HEX = frozenset("0123456789abcdef")
T = TypeVar("T")
CHUNK = 1024 * 1024  # bytes per read/write while streaming
MEMORY = CHUNK  # staged bytes up to this size are held in memory, not written to a temporary file
STALE_TEMPORARY = 3600.0  # seconds after which a staged file nobody kept is a crash's leftover


@dataclass(frozen=True)
class StoredFile:
    """What storing bytes tells: their digests and size."""

    sha256: str
    md5: str
    size: int


class FileTooLarge(Exception):
    """More than ``limit`` bytes were offered; nothing was stored."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes, more than {limit}")
        self.size = size
        self.limit = limit


class FileStore:
    def __init__(self, root: Path, *, now: Callable[[], float] = time.time, durable: bool = False,
                 memory: int = MEMORY, nested: bool = True) -> None:
        self.root = root
        self.nested = nested  # files two folder levels down (a data directory's layout), or in the root itself
        self._root = str(root)
        self.memory = memory
        self._now = now
        # ``durable``: the bytes and their folder entry reach the disk before :meth:`keep` returns, so a database
        # commit that follows (the answer to an upload) never names a file a power cut could lose.
        self.durable = durable
        self._tmp = root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    # -- storing ---------------------------------------------------------------------------------------------

    def stage(self, source: BinaryIO, *, limit: int | None = None) -> StagedBlob:
        """Hash a stream: held in memory when it is at most :attr:`memory` bytes, else copied into a temporary
        file as it is read (memory stays bounded for any size). More than ``limit`` bytes raises
        :class:`FileTooLarge` (nothing is left behind). :meth:`keep` or :meth:`discard` it afterwards."""
        held = _read_up_to(source, self.memory + 1)
        if len(held) <= self.memory:
            if limit is not None and len(held) > limit:
                raise FileTooLarge(len(held), limit)
            return StagedBlob(None, hashlib.sha256(held).hexdigest(), hashlib.md5(held).hexdigest(), len(held),
                              data=held)
        path, stored = self._write_temporary(
            lambda fd: _copy_hashing(itertools.chain([held], _chunks(source)), fd, limit))
        return StagedBlob(path, stored.sha256, stored.md5, stored.size)

    def on_disk(self, staged: StagedBlob) -> StagedBlob:
        """Staged bytes in a temporary file: those held in memory are written out (discard the result too)."""
        if staged.path is not None:
            return staged
        assert staged.data is not None
        return replace(staged, path=self._write_bytes(staged.data), data=None)

    def _write_bytes(self, data: bytes) -> Path:
        """A new file in the staging folder holding ``data`` (see :meth:`_write_temporary`)."""
        return self._write_temporary(lambda fd: _write_all(fd, data))[0]

    def _write_temporary(self, write: Callable[[int], T]) -> tuple[Path, T]:
        """A new file in the staging folder, filled by ``write`` on its descriptor (a file object would ask the
        kernel three more questions of the new file), synced when durable; removed if that fails."""
        fd, name = tempfile.mkstemp(dir=self._tmp)
        try:
            written = write(fd)
            if self.durable:
                os.fsync(fd)
        except BaseException:
            os.close(fd)
            _unlink(Path(name))
            raise
        os.close(fd)
        return Path(name), written

    def adopt(self, path: Path) -> StagedBlob:
        """Take over a file already on disk (an assembled chunked upload): moved in, never copied when the
        file system allows, then hashed."""
        fd, name = tempfile.mkstemp(dir=self._tmp)
        os.close(fd)
        staged = Path(name)
        try:
            os.replace(path, staged)
        except OSError:  # another file system: copy instead
            shutil.copyfile(path, staged)
            _unlink(path)
        stored = hash_file(staged)
        if self.durable:
            _fsync(staged)
        return StagedBlob(staged, stored.sha256, stored.md5, stored.size)

    def keep(self, staged: StagedBlob) -> None:
        """Make staged bytes stored under their sha256 (a no-op when the same bytes are already there).

        A staged file is linked into place (atomic). Bytes held in memory are written to a temporary file and
        linked the same way, unless the file is already there: then nothing is written at all.
        """
        where = self._where(staged.sha256)
        if staged.path is not None:
            self._link(staged.path, Path(where))
        elif not os.path.exists(where):
            spilled = self.on_disk(staged)
            try:
                self._link(spilled.path or Path(where), Path(where))
            finally:
                self.discard(spilled)
        elif self.durable:  # another upload may have linked it a moment ago and not yet synced its folder
            _fsync(Path(where).parent)

    def _link(self, staged: Path, final: Path) -> None:
        with contextlib.suppress(FileExistsError):
            try:
                os.link(staged, final)
            except FileNotFoundError:  # the first bytes under this prefix: make its folder (or the staged file
                final.parent.mkdir(parents=True, exist_ok=True)  # is gone, and this link raises it again)
                os.link(staged, final)
                if self.durable:  # the new folders' own entries
                    _fsync(final.parent.parent)
                    _fsync(self.root)
            if self.durable:
                _fsync(final.parent)

    def discard(self, staged: StagedBlob) -> None:
        """Forget the staged bytes (kept bytes stay where :meth:`keep` put them)."""
        if staged.path is not None:
            _unlink(staged.path)

    def put_stream(self, source: BinaryIO, *, limit: int | None = None) -> StoredFile:
        staged = self.stage(source, limit=limit)
        try:
            self.keep(staged)
        finally:
            self.discard(staged)
        return StoredFile(staged.sha256, staged.md5, staged.size)

    def put_bytes(self, data: bytes) -> StoredFile:
        return self.put_stream(io.BytesIO(data))

    def put_named(self, sha256: str, data: bytes) -> None:
        """Store bytes under a digest the caller vouches for (loaders and tests that make up resources)."""
        staged = self.stage(io.BytesIO(data))
        try:
            self.keep(replace(staged, sha256=sha256))
        finally:
            self.discard(staged)

    def put_file(self, path: Path, *, move: bool = False) -> StoredFile:
        """Store a file already on disk; ``move`` renames it in (same file system) instead of copying."""
        if not move:
            with path.open("rb") as fh:
                return self.put_stream(fh)
        staged = self.adopt(path)
        try:
            self.keep(staged)
        finally:
            self.discard(staged)
        return StoredFile(staged.sha256, staged.md5, staged.size)

    # -- reading ---------------------------------------------------------------------------------------------

    def path(self, sha256: str) -> Path:
        return Path(self._where(sha256))

    def _where(self, sha256: str) -> str:
        """:meth:`path` as a string (every upload asks twice whether its bytes are there: no ``Path`` made)."""
        if len(sha256) < 8 or not _HEX.issuperset(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        if not self.nested:
            return f"{self._root}/{sha256}"
        return f"{self._root}/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def exists(self, sha256: str) -> bool:
        return os.path.isfile(self._where(sha256))

    def open(self, sha256: str) -> BinaryIO:
        """The stored bytes as a file; :class:`FileNotFoundError` when absent."""
        return self.path(sha256).open("rb")

    def read(self, sha256: str) -> bytes | None:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None

    def size(self, sha256: str) -> int | None:
        try:
            return self.path(sha256).stat().st_size
        except FileNotFoundError:
            return None

    def digests(self) -> Iterator[str]:
        """Every stored sha256 (in no particular order)."""
        if not self.nested:
            yield from (entry.name for entry in self.root.iterdir() if entry.is_file())
            return
        for first in _subdirs(self.root):
            for second in _subdirs(first):
                for entry in second.iterdir():
                    if entry.is_file():
                        yield entry.name

    # -- reclaiming ------------------------------------------------------------------------------------------

    def reclaim(self, candidates: Iterable[str], in_use: Callable[[str], bool]) -> list[str]:
        """Delete each candidate no resource uses (run it inside a write transaction); those deleted."""
        deleted = []
        for sha256 in dict.fromkeys(candidates):
            path = self.path(sha256)
            if path.is_file() and not in_use(sha256):
                _unlink(path)
                deleted.append(sha256)
        return deleted

    def sweep(self, in_use: Callable[[str], bool]) -> list[str]:
        """Reclaim every unused file (orphans of a crash) and staged files older than an hour."""
        horizon = self._now() - STALE_TEMPORARY
        for entry in self._tmp.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if entry.stat().st_mtime < horizon:
                    _unlink(entry)
        return self.reclaim(list(self.digests()), in_use)

    def clear(self) -> None:
        """Forget every file (a reset of all clouds)."""
        if not self.nested:
            for sha256 in list(self.digests()):
                _unlink(self.root / sha256)
            return
        for first in _subdirs(self.root):
            if first != self._tmp:
                shutil.rmtree(first, ignore_errors=True)


def _chunks(source: BinaryIO) -> Iterator[bytes]:
    while chunk := source.read(CHUNK):
        yield chunk


def _read_up_to(source: BinaryIO, size: int) -> bytes:
    """The first ``size`` bytes of a stream (fewer when it ends sooner)."""
    parts: list[bytes] = []
    got = 0
    while got < size and (chunk := source.read(min(CHUNK, size - got))):
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _copy_hashing(chunks: Iterable[bytes], out: int | None, limit: int | None) -> StoredFile:
    """Digests and size of the chunks, each written to the descriptor ``out`` too (None: only hashed)."""
    sha, md5, size = hashlib.sha256(), hashlib.md5(), 0
    for chunk in chunks:
        size += len(chunk)
        if limit is not None and size > limit:
            raise FileTooLarge(size, limit)
        sha.update(chunk)
        md5.update(chunk)
        if out is not None:
            _write_all(out, chunk)
    return StoredFile(sha.hexdigest(), md5.hexdigest(), size)


def _write_all(fd: int, data: bytes) -> None:
    """All of ``data`` to the descriptor (a write may take less than it is given)."""
    left = memoryview(data)
    while left:
        left = left[os.write(fd, left):]


def _hash(source: BinaryIO) -> StoredFile:
    return _copy_hashing(_chunks(source), None, None)


def hash_file(path: Path) -> StoredFile:
    """Digests and size of a file, read in chunks."""
    with path.open("rb") as fh:
        return _hash(fh)


def _subdirs(folder: Path) -> Iterator[Path]:
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.is_dir() and entry.name != "tmp":
            yield entry


def _fsync(path: Path) -> None:
    """Flush a file's bytes, or a folder's entries, to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


class FileBlobs:
    """The :class:`~emulator.backend.ports.BlobStore` port over a :class:`FileStore`."""

    def __init__(self, files: FileStore) -> None:
        self.files = files

    def put(self, sha256: str, data: bytes) -> None:
        self.files.put_named(sha256, data)

    def get(self, sha256: str) -> bytes | None:
        return self.files.read(sha256)

    def path(self, sha256: str) -> Path | None:
        found = self.files.path(sha256)
        return found if found.is_file() else None

    def stage(self, source: IO[bytes], limit: int) -> StagedBlob:
        try:
            return self.files.stage(source, limit=limit)  # type: ignore[arg-type]
        except FileTooLarge as exc:
            raise BlobTooLarge(exc.size) from exc

    def adopt(self, path: Path) -> StagedBlob:
        return self.files.adopt(path)

    def on_disk(self, staged: StagedBlob) -> StagedBlob:
        return self.files.on_disk(staged)

    def keep(self, staged: StagedBlob) -> None:
        self.files.keep(staged)

    def discard(self, staged: StagedBlob) -> None:
        self.files.discard(staged)
