"""File bytes on disk, content-addressed: ``<root>/<sha[:2]>/<sha[2:4]>/<sha256>``.

SQLite keeps the metadata; the bytes live here so a 1 GB video is streamed in and out, never held in memory.
Every way in (a stream, a staged file, bytes) writes a temporary file in ``<root>/tmp`` while hashing it and
then renames it into place: the rename is atomic, so a reader sees a whole file or none, and re-storing bytes
that are already present is harmless (same name, same content).

Reclaiming is the delicate part. A resource's row is committed *after* its bytes were stored, so "no row
refers to this sha256" may be a moment before an upload's commit refers to it again. :meth:`reclaim` therefore
deletes only files whose last store is older than ``grace`` seconds: every store refreshes the file's mtime,
and an upload commits well within the grace period. What is skipped stays until the next :meth:`sweep`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024  # bytes per read/write while streaming
DEFAULT_GRACE = 300.0  # seconds a freshly stored file is safe from reclaiming


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
    def __init__(self, root: Path, *, grace: float = DEFAULT_GRACE, now: Callable[[], float] = time.time) -> None:
        self.root = root
        self.grace = grace
        self._now = now
        self._tmp = root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    # -- storing ---------------------------------------------------------------------------------------------

    def put_stream(self, source: BinaryIO, *, limit: int | None = None) -> StoredFile:
        """Copy a stream in, hashing as it goes; more than ``limit`` bytes raises :class:`FileTooLarge`."""
        fd, name = tempfile.mkstemp(dir=self._tmp)
        try:
            with os.fdopen(fd, "wb") as out:
                stored = _copy_hashing(source, out, limit)
            self._place(Path(name), stored.sha256)
        except BaseException:
            _unlink(Path(name))
            raise
        return stored

    def put_bytes(self, data: bytes) -> StoredFile:
        return self.put_stream(io.BytesIO(data))

    def put_file(self, path: Path, *, move: bool = False) -> StoredFile:
        """Store a file already on disk; ``move`` renames it in (same file system) instead of copying."""
        with path.open("rb") as fh:
            stored = _hash(fh)
        if not move:
            with path.open("rb") as fh:
                return self.put_stream(fh)
        fd, name = tempfile.mkstemp(dir=self._tmp)
        os.close(fd)
        staged = Path(name)
        try:
            os.replace(path, staged)
        except OSError:  # another file system: copy instead
            shutil.copyfile(path, staged)
            _unlink(path)
        self._place(staged, stored.sha256)
        return stored

    def _place(self, staged: Path, sha256: str) -> None:
        final = self.path(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)
        now = self._now()
        os.utime(final, (now, now))  # the grace period counts from this store

    # -- reading ---------------------------------------------------------------------------------------------

    def path(self, sha256: str) -> Path:
        if len(sha256) < 8 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

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
        for first in _subdirs(self.root):
            for second in _subdirs(first):
                for entry in second.iterdir():
                    if entry.is_file():
                        yield entry.name

    # -- reclaiming ------------------------------------------------------------------------------------------

    def reclaim(self, candidates: Iterable[str], in_use: Callable[[str], bool]) -> list[str]:
        """Delete each candidate no resource uses and not stored within ``grace`` seconds; those deleted."""
        deleted = []
        horizon = self._now() - self.grace
        for sha256 in dict.fromkeys(candidates):
            path = self.path(sha256)
            try:
                fresh = path.stat().st_mtime > horizon
            except FileNotFoundError:
                continue
            if fresh or in_use(sha256):
                continue
            _unlink(path)
            deleted.append(sha256)
        return deleted

    def sweep(self, in_use: Callable[[str], bool]) -> list[str]:
        """Reclaim every unused file (orphans a crash or the grace period left behind) and stale temporaries."""
        horizon = self._now() - self.grace
        for entry in self._tmp.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if entry.stat().st_mtime < horizon:
                    _unlink(entry)
        return self.reclaim(list(self.digests()), in_use)

    def clear(self) -> None:
        """Forget every file (a reset of all clouds)."""
        for first in _subdirs(self.root):
            if first != self._tmp:
                shutil.rmtree(first, ignore_errors=True)


def _copy_hashing(source: BinaryIO, out: BinaryIO | None, limit: int | None) -> StoredFile:
    sha, md5, size = hashlib.sha256(), hashlib.md5(), 0
    while chunk := source.read(CHUNK):
        size += len(chunk)
        if limit is not None and size > limit:
            raise FileTooLarge(size, limit)
        sha.update(chunk)
        md5.update(chunk)
        if out is not None:
            out.write(chunk)
    return StoredFile(sha.hexdigest(), md5.hexdigest(), size)


def _hash(source: BinaryIO) -> StoredFile:
    return _copy_hashing(source, None, None)


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


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
