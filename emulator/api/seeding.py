"""The ``/_emulator/seed`` manifest → typed upload requests, parsed like any upload's parameters."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from emulator import media
from emulator.api.params import Params, as_text, upload_request
from emulator.backend.models import DataUri, FilePart, FileSource, RemoteFile, UploadRequest
from emulator.errors import BadRequest

MAX_ITEMS = 1000


def requests_of(body: dict[str, Any]) -> list[UploadRequest]:
    """Every item's parameters and local file are checked before anything is stored (a remote URL is fetched
    when its turn comes): a bad manifest is a 400 that stored nothing."""
    if "folder" in body:
        return _folder(body["folder"])
    items = body.get("resources")
    if not isinstance(items, list) or not items:
        raise BadRequest("Expected 'resources': a non-empty array, or 'folder': a directory path")
    if len(items) > MAX_ITEMS:
        raise BadRequest(f"At most {MAX_ITEMS} resources per seed request, got {len(items)}")
    return [_item(i, item) for i, item in enumerate(items)]


def _item(index: int, item: Any) -> UploadRequest:
    if not isinstance(item, dict) or not isinstance(item.get("file"), str) or not item["file"]:
        raise BadRequest(f"resources[{index}]: expected an object with 'file' (a path, data URI or URL)")
    raw = {k: [as_text(x) for x in v] if isinstance(v, list) else as_text(v) for k, v in item.items()
           if v is not None and k not in ("file", "filename")}
    try:
        request = upload_request(Params(raw={**raw, "file": "data:,"}))  # every parameter but the file
        source = _source(item["file"], item.get("filename"))
        if isinstance(source, FilePart | DataUri):
            media.inspect(source.data)  # a bad image is refused before anything is stored
        return replace(request, file=source)
    except BadRequest as exc:
        raise BadRequest(f"resources[{index}]: {exc.message}") from exc


def _source(value: str, filename: Any) -> FileSource:
    if value.startswith("data:"):
        data = media.decode_data_uri(value)
        return FilePart(data, str(filename)) if filename else DataUri(data)
    if re.match(r"^https?://", value, re.IGNORECASE):
        return RemoteFile(value)
    path = Path(value)
    if not path.is_file():
        raise BadRequest(f"No such file - {path}")
    return FilePart(path.read_bytes(), path.name)


def _folder(folder: Any) -> list[UploadRequest]:
    path = Path(str(folder))
    if not path.is_dir():
        raise BadRequest(f"Not a directory - {path}")
    found = media.image_files(path)
    if not found:
        raise BadRequest(f"No images in {path}")
    return [UploadRequest(file=FilePart(p.read_bytes(), p.name),
                          public_id=p.relative_to(path).with_suffix("").as_posix()) for p in found]
