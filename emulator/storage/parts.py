"""The parts of chunked uploads, on disk until the file is whole.

One folder per upload (``X-Unique-Upload-Id``): ``data`` receives each part at its offset as it arrives (a
sparse file: parts may come in any order), ``state.json`` records the byte ranges received and the total once
a part has told it. Parts of one upload may arrive concurrently, from several threads or ``--workers``
processes: an exclusive ``flock`` on the folder's ``lock`` file serialises them. The part that completes the
file moves ``data`` out of the folder and hands it to the caller; the folder is then removed. Uploads nobody
finishes are removed by :meth:`PartStore.sweep` once untouched for ``timeout`` seconds.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from emulator.backend.models import ByteRange, PartReceipt, PartRejected

CHUNK = 1024 * 1024
DEFAULT_TIMEOUT = 3600.0  # an upload untouched this long is abandoned


@dataclass
class _State:
    total: int | None = None
    ranges: list[list[int]] = field(default_factory=list)

    def received(self) -> int:
        return sum(last - first + 1 for first, last in self.ranges)

    def add(self, first: int, last: int) -> None:
        merged: list[list[int]] = []
        for lo, hi in sorted([*self.ranges, [first, last]]):
            if merged and lo <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        self.ranges = merged

    def complete(self) -> bool:
        return self.total is not None and self.ranges == [[0, self.total - 1]]


class PartStore:
    def __init__(self, root: Path, *, timeout: float = DEFAULT_TIMEOUT, now: Callable[[], float] = time.time) -> None:
        self.root = root
        self.timeout = timeout
        self._now = now
        root.mkdir(parents=True, exist_ok=True)

    def receive(self, upload_id: str, byte_range: ByteRange, part: IO[bytes]) -> PartReceipt:
        """Write one part (its length already checked against the range) and record it."""
        folder = self.root / hashlib.sha256(upload_id.encode()).hexdigest()[:40]
        with self._locked(folder):
            state = _read(folder)
            _check_total(state, byte_range)
            if byte_range.total is not None:
                state.total = byte_range.total
            _write_at(folder / "data", byte_range.first, part)
            state.add(byte_range.first, byte_range.last)
            if not state.complete():
                _write_state(folder, state)
                return PartReceipt(state.received(), state.total)
            assembled = self._claim(folder)
            shutil.rmtree(folder, ignore_errors=True)  # under the lock: a waiting duplicate part starts afresh
        return PartReceipt(state.received(), state.total, assembled)

    def _claim(self, folder: Path) -> Path:
        fd, name = tempfile.mkstemp(dir=self.root, prefix="assembled-")
        os.close(fd)
        data = folder / "data"
        if not data.exists():  # a zero-byte upload: no part wrote anything
            data.touch()
        os.replace(data, name)
        return Path(name)

    @contextlib.contextmanager
    def _locked(self, folder: Path) -> Iterator[None]:
        """The folder's exclusive lock; a folder swept away while we waited is made again."""
        while True:
            folder.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o600)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                if folder.is_dir():
                    os.utime(folder / "lock")
                    yield
                    return
            finally:
                os.close(fd)

    def release(self, assembled: Path) -> None:
        """Remove an assembled file the upload did not take over (it failed before moving it away)."""
        with contextlib.suppress(FileNotFoundError):
            assembled.unlink()

    def sweep(self) -> int:
        """Remove uploads untouched for ``timeout`` seconds (and assembled files a crash left); how many."""
        horizon = self._now() - self.timeout
        removed = 0
        for entry in self.root.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if entry.is_dir() and (entry / "lock").stat().st_mtime < horizon and _abandon(entry):
                    removed += 1
                elif entry.is_file() and entry.stat().st_mtime < horizon:
                    entry.unlink()
                    removed += 1
        return removed

    def pending(self) -> int:
        """Uploads started and not finished."""
        return sum(1 for entry in self.root.iterdir() if entry.is_dir())


def _abandon(folder: Path) -> bool:
    """Remove an upload's folder unless a part is being received right now."""
    fd = os.open(folder / "lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return False
    try:
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        os.close(fd)
    return True


def _check_total(state: _State, byte_range: ByteRange) -> None:
    total = byte_range.total if byte_range.total is not None else state.total
    if state.total is not None and byte_range.total is not None and byte_range.total != state.total:
        raise PartRejected(f"Content-Range total {byte_range.total} differs from the total {state.total} "
                           "an earlier part of this upload gave")
    if total is not None and byte_range.last >= total:
        raise PartRejected(f"Content-Range bytes {byte_range.first}-{byte_range.last} end past the total "
                           f"{total} of this upload")
    if total is not None and state.ranges and state.ranges[-1][1] >= total:
        raise PartRejected(f"Content-Range total {total} is smaller than the bytes already received")


def _write_at(path: Path, offset: int, part: IO[bytes]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while chunk := part.read(CHUNK):
            view = memoryview(chunk)
            while view:
                written = os.pwrite(fd, view, offset)
                offset += written
                view = view[written:]
    finally:
        os.close(fd)


def _read(folder: Path) -> _State:
    try:
        raw: dict[str, Any] = json.loads((folder / "state.json").read_text())
    except FileNotFoundError:
        return _State()
    return _State(total=raw.get("total"), ranges=[list(r) for r in raw.get("ranges", [])])


def _write_state(folder: Path, state: _State) -> None:
    tmp = folder / "state.json.tmp"
    tmp.write_text(json.dumps({"total": state.total, "ranges": state.ranges}))
    os.replace(tmp, folder / "state.json")
