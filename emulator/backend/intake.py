"""What an upload brings in: its bytes staged in the blob store, the kind of file they are, and their facts.

Every source is streamed into a temporary file of the blob store while it is hashed (a file part, a data
URI, a remote file, an assembled chunked upload moved in whole), so a 1 GB video is never held in memory.
Then the bytes decide: an image is read by Pillow, a video or audio file by PyAV (:mod:`emulator.mediafile`),
a raw file is only its bytes and its name's extension. ``auto`` picks the first of image, video, raw that
fits. Nothing is kept until the caller keeps the staged bytes; on any failure they are discarded.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePath
from typing import Any

from emulator import media, mediafile
from emulator.backend.models import (
    DataUri,
    FilePart,
    FileSource,
    RemoteFile,
    StagedBlob,
    StagedFile,
    StreamedFile,
)
from emulator.backend.ports import BlobStore, BlobTooLarge
from emulator.config import Config
from emulator.errors import BadRequest

RESOURCE_TYPES = ("image", "video", "raw")


@dataclass(frozen=True)
class Incoming:
    staged: StagedBlob
    kind: str  # image, video or raw
    name: str  # the file's name as sent, without directories ("" when it had none)
    format: str
    width: int = 0
    height: int = 0
    data: bytes | None = None  # an image's bytes (Pillow and the tagging engine read them)
    media: Mapping[str, Any] = field(default_factory=dict)

    @cached_property
    def original_filename(self) -> str:
        """The name without directory or extension, as Cloudinary reports it."""
        return PurePath(self.name).stem or "file"

    @property
    def extension(self) -> str:
        return PurePath(self.name).suffix.lstrip(".").lower()


def limit_for(kind: str, config: Config) -> int:
    return config.max_video_file_size if kind == "video" else config.max_file_size


def take_in(blobs: BlobStore, source: FileSource, resource_type: str, config: Config, *,
            allow_local: bool = True) -> Incoming:
    """Stage the source and inspect it as ``resource_type`` (``auto``: whatever the bytes are); a remote URL on
    a local address is fetched only when ``allow_local`` (the cloud's ``fetch_local_urls``)."""
    largest = max(limit_for(kind, config) for kind in RESOURCE_TYPES) if resource_type == "auto" \
        else limit_for(resource_type, config)
    staged, name = _stage(blobs, source, largest, config, allow_local)
    try:
        kind = resource_type
        if kind == "auto" and staged.data is not None and mediafile.is_image(io.BytesIO(staged.data)):
            kind = "image"
        if kind in ("auto", "video"):
            staged = blobs.on_disk(staged)  # PyAV reads a file (eager thumbnails read the video's frames too)
            assert staged.path is not None
            kind = mediafile.kind_of(staged.path) if kind == "auto" else kind
        media.check_size(staged.size, limit_for(kind, config))
        return _inspect(staged, kind, name, config.max_image_pixels)
    except BaseException:
        blobs.discard(staged)
        raise


def _stage(blobs: BlobStore, source: FileSource, limit: int, config: Config,
           allow_local: bool) -> tuple[StagedBlob, str]:
    try:
        if isinstance(source, StagedFile):
            media.check_size(source.path.stat().st_size, limit)
            return blobs.adopt(source.path), _base(source.filename)
        if isinstance(source, StreamedFile):
            return blobs.stage(source.stream, limit), _base(source.filename)
        if isinstance(source, RemoteFile):
            data = media.fetch(source.url, timeout=config.fetch_timeout, limit=limit, allow_local=allow_local)
            return blobs.stage(io.BytesIO(data), limit), media.url_filename(source.url)
        if isinstance(source, DataUri):
            return blobs.stage(io.BytesIO(source.data), limit), ""
        assert isinstance(source, FilePart)
        return blobs.stage(io.BytesIO(source.data), limit), _base(source.filename)
    except BlobTooLarge as exc:
        raise BadRequest(f"File size too large. Got {exc.args[0]}. Maximum is {limit}.") from exc


def _inspect(staged: StagedBlob, kind: str, name: str, max_pixels: int) -> Incoming:
    if kind == "image":
        data = staged.read()
        facts = media.inspect_known(staged.sha256, data, max_pixels)
        return Incoming(staged, kind, name, facts.format, facts.width, facts.height, data=data)
    if kind == "video":
        assert staged.path is not None
        video = mediafile.probe(staged.path, name)
        fields = video.fields()
        return Incoming(staged, kind, name, video.format, video.width, video.height, media=fields)
    return Incoming(staged, "raw", name, mediafile.raw_format(name))


def _base(filename: str | None) -> str:
    """The name as sent, without any directory (Python sends a full path when given one)."""
    return PurePath((filename or "").replace("\\", "/")).name
