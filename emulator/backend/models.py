"""The domain's records and typed requests. The HTTP layer builds these; the backend never sees raw strings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any


@dataclass(frozen=True)
class ResourceKey:
    cloud: str
    public_id: str
    resource_type: str = "image"
    type: str = "upload"


@dataclass(frozen=True)
class Resource:
    key: ResourceKey
    asset_id: str
    version: int
    version_id: str
    format: str
    width: int
    height: int
    bytes: int
    etag: str
    sha256: str
    created_at: float
    original_filename: str
    tags: tuple[str, ...] = ()
    context: Mapping[str, str] = field(default_factory=dict)
    info: Mapping[str, Any] = field(default_factory=dict)
    notification_url: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)  # structured metadata values by external id
    asset_folder: str | None = None  # dynamic folder mode; None: the public id's folder
    display_name: str | None = None  # None: the last part of the public id
    media: Mapping[str, Any] = field(default_factory=dict)  # a video's or audio file's facts (duration, codecs…)

    @property
    def public_id(self) -> str:
        return self.key.public_id

    @property
    def folder(self) -> str:
        head, _, _ = self.public_id.rpartition("/")
        return head

    @property
    def effective_asset_folder(self) -> str:
        return self.folder if self.asset_folder is None else self.asset_folder

    @property
    def effective_display_name(self) -> str:
        return self.display_name or self.public_id.rpartition("/")[2]


@dataclass(frozen=True)
class EngineRequest:
    """One item of ``categorization``: an engine and the languages asked for (empty: plain English)."""

    engine: str
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilePart:
    data: bytes
    filename: str | None


@dataclass(frozen=True)
class StreamedFile:
    """A file part read as a stream (werkzeug spools big parts to disk): never held whole in memory."""

    stream: IO[bytes]
    filename: str | None


@dataclass(frozen=True)
class StagedFile:
    """A file already on disk that the upload may take over (moved into the file store): an assembled
    chunked upload."""

    path: Path
    filename: str | None


@dataclass(frozen=True)
class StagedBlob:
    """Bytes written to a temporary file of the blob store and hashed, not yet kept: the upload keeps them
    once they proved valid, or discards them."""

    path: Path
    sha256: str
    md5: str
    size: int


@dataclass(frozen=True)
class RemoteFile:
    url: str


@dataclass(frozen=True)
class DataUri:
    data: bytes


FileSource = FilePart | StreamedFile | StagedFile | RemoteFile | DataUri


@dataclass(frozen=True)
class Categorize:
    """What to run and whether to turn results into tags: shared by upload, update and explicit."""

    engines: tuple[EngineRequest, ...] = ()
    auto_tagging: float | None = None
    asynchronous: bool = False  # answer "pending" now, complete later (``async=true`` or the cloud's setting)


@dataclass(frozen=True)
class UploadRequest:
    file: FileSource
    resource_type: str = "image"  # image, video, raw, or auto (decided from the bytes)
    public_id: str | None = None
    folder: str | None = None
    tags: tuple[str, ...] = ()
    context: Mapping[str, str] = field(default_factory=dict)
    categorize: Categorize = Categorize()
    overwrite: bool = True
    unique_filename: bool = True
    use_filename: bool = False
    notification_url: str | None = None
    metadata: Mapping[str, Any] | None = None  # values by external id, as sent; checked against the fields
    clear_invalid: bool = False
    asset_folder: str | None = None
    display_name: str | None = None
    public_id_prefix: str | None = None
    use_asset_folder_as_public_id_prefix: bool = False
    use_filename_as_display_name: bool = False


@dataclass(frozen=True)
class UpdateRequest:
    tags: tuple[str, ...] | None = None
    context: Mapping[str, str] | None = None
    categorize: Categorize = Categorize()
    metadata: Mapping[str, Any] | None = None
    clear_invalid: bool = False
    asset_folder: str | None = None
    display_name: str | None = None


@dataclass(frozen=True)
class UploadOutcome:
    resource: Resource
    existing: bool = False
    overwritten: bool = False


# -- chunked uploads ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ByteRange:
    """``Content-Range: bytes first-last/total``; ``total`` is None while unknown (``*`` or ``-1``)."""

    first: int
    last: int
    total: int | None = None

    @property
    def length(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class PartReceipt:
    """What the upload holds after a part: bytes received so far, the total if known, and, from the part
    that completed it, the whole file (now the caller's to move or delete)."""

    received: int
    total: int | None
    assembled: Path | None = None


class PartRejected(ValueError):
    """A part that contradicts the upload's earlier parts; nothing of it was stored."""


@dataclass(frozen=True)
class Part:
    """One part of a chunked upload as the Upload API received it."""

    upload_id: str
    range: ByteRange
    stream: IO[bytes]
    size: int  # the bytes the part really holds
    filename: str | None
