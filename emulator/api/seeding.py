"""The ``/_emulator/seed`` manifest → typed upload requests, parsed like any upload's parameters."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from emulator import media
from emulator.api.params import Params, as_text, upload_request
from emulator.backend.models import DataUri, FilePart, FileSource, RemoteFile, UploadRequest
from emulator.errors import BadRequest

MAX_ITEMS = 1000


@dataclass(frozen=True)
class Files:
    """Where the seed manifest may read files from, and how large each may be."""

    roots: tuple[Path, ...]  # the fixtures directories and the configured seed root
    max_size: int

    def resolve(self, value: str) -> Path:
        """The path (absolute, or relative to a root), if it lies below an allowed root; the same refusal whether or
        not it exists outside."""
        try:
            resolved = self._inside(Path(value))
        except (OSError, ValueError):  # a name too long for the file system, a NUL byte: no such file here
            resolved = None
        if resolved is None:
            raise BadRequest(f"Files are read only below the fixtures directories and the seed root - {value[:200]}. "
                             "Send the bytes as a data URI, or set seed_root (EMULATOR_SEED_ROOT)")
        return resolved

    def _inside(self, path: Path) -> Path | None:
        candidates = [path.resolve()] if path.is_absolute() else [(root / path).resolve() for root in self.roots]
        inside = [c for c in candidates if any(c.is_relative_to(root) for root in self.roots)]
        return next((c for c in inside if c.exists()), inside[0] if inside else None)

    def read(self, path: Path) -> bytes:
        """The file's bytes, its size checked before it is read (at most the limit, never more)."""
        try:
            with path.open("rb") as fh:
                media.check_size(os.fstat(fh.fileno()).st_size, self.max_size)
                data = fh.read(self.max_size + 1)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise BadRequest(f"No such file - {path}") from exc
        except OSError as exc:
            raise BadRequest(f"Cannot read {path} - {exc.strerror}") from exc
        media.check_size(len(data), self.max_size)
        return data


def requests_of(body: dict[str, Any], files: Files) -> list[UploadRequest]:
    """Every item's parameters and local file are checked before anything is stored (a remote URL is fetched
    when its turn comes): a bad manifest is a 400 that stored nothing. Local paths (absolute, or relative to a
    root) must lie below an allowed root."""
    if "folder" in body:
        return _folder(body["folder"], files)
    items = body.get("resources")
    if not isinstance(items, list) or not items:
        raise BadRequest("Expected 'resources': a non-empty array, or 'folder': a directory path")
    if len(items) > MAX_ITEMS:
        raise BadRequest(f"At most {MAX_ITEMS} resources per seed request, got {len(items)}")
    return [_item(i, item, files) for i, item in enumerate(items)]


def _item(index: int, item: Any, files: Files) -> UploadRequest:
    if not isinstance(item, dict) or not isinstance(item.get("file"), str) or not item["file"]:
        raise BadRequest(f"resources[{index}]: expected an object with 'file' (a path, data URI or URL)")
    raw = {k: [as_text(x) for x in v] if isinstance(v, list) else as_text(v) for k, v in item.items()
           if v is not None and k not in ("file", "filename")}
    try:
        request = upload_request(Params(raw={**raw, "file": "data:,"}))  # every parameter but the file
        source = _source(item["file"], item.get("filename"), files)
        if isinstance(source, FilePart | DataUri):
            media.inspect(source.data)  # a bad image is refused before anything is stored
        return replace(request, file=source)
    except BadRequest as exc:
        raise BadRequest(f"resources[{index}]: {exc.message}") from exc


def _source(value: str, filename: Any, files: Files) -> FileSource:
    if value.startswith("data:"):
        data = media.decode_data_uri(value)
        return FilePart(data, str(filename)) if filename else DataUri(data)
    if re.match(r"^https?://", value, re.IGNORECASE):
        return RemoteFile(value)
    path = files.resolve(value)
    return FilePart(files.read(path), path.name)


def _folder(folder: Any, files: Files) -> list[UploadRequest]:
    path = files.resolve(str(folder))
    if not path.is_dir():
        raise BadRequest(f"Not a directory - {path}")
    found = [p for p in media.image_files(path) if p.resolve().is_relative_to(path)]  # no symlinks out
    if not found:
        raise BadRequest(f"No images in {path}")
    if len(found) > MAX_ITEMS:
        raise BadRequest(f"At most {MAX_ITEMS} resources per seed request, got {len(found)} images in {path}")
    return [UploadRequest(file=FilePart(files.read(p), p.name),
                          public_id=p.relative_to(path).with_suffix("").as_posix()) for p in found]
