"""The domain's records and typed requests. The HTTP layer builds these; the backend never sees raw strings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ResourceKey:
    cloud: str
    public_id: str
    resource_type: str = "image"
    type: str = "upload"


@dataclass(frozen=True)
class DerivedImage:
    """A derived image made on request (``eager``, responsive breakpoints): kept until deleted, listed in
    ``derived``. ``sha256`` names its stored rendering; empty when the emulator does not render the
    transformation (it is then listed, and delivering it is refused as for any URL)."""

    transformation: str
    format: str
    bytes: int = 0
    width: int = 0
    height: int = 0
    sha256: str = ""
    id: str = ""  # stable: the Admin API deletes derived images by this id


@dataclass(frozen=True)
class Moderation:
    kind: str  # "manual"
    status: str  # pending, approved, rejected
    updated_at: float | None = None


Box = tuple[int, int, int, int]


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
    derived: tuple[DerivedImage, ...] = ()
    moderation: tuple[Moderation, ...] = ()
    access_mode: str = "public"  # or "authenticated"
    access_control: tuple[Mapping[str, str], ...] = ()
    backup: bool = False
    faces: tuple[Box, ...] = ()
    custom_coordinates: tuple[Box, ...] = ()

    @property
    def public_id(self) -> str:
        return self.key.public_id

    @property
    def folder(self) -> str:
        head, _, _ = self.public_id.rpartition("/")
        return head


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
class RemoteFile:
    url: str


@dataclass(frozen=True)
class DataUri:
    data: bytes


FileSource = FilePart | RemoteFile | DataUri


@dataclass(frozen=True)
class Categorize:
    """What to run and whether to turn results into tags: shared by upload, update and explicit."""

    engines: tuple[EngineRequest, ...] = ()
    auto_tagging: float | None = None
    asynchronous: bool = False  # answer "pending" now, complete later (``async=true`` or the cloud's setting)


@dataclass(frozen=True)
class UploadRequest:
    file: FileSource
    public_id: str | None = None
    folder: str | None = None
    tags: tuple[str, ...] = ()
    context: Mapping[str, str] = field(default_factory=dict)
    categorize: Categorize = Categorize()
    overwrite: bool = True
    unique_filename: bool = True
    use_filename: bool = False
    notification_url: str | None = None


@dataclass(frozen=True)
class UpdateRequest:
    tags: tuple[str, ...] | None = None
    context: Mapping[str, str] | None = None
    categorize: Categorize = Categorize()


@dataclass(frozen=True)
class UploadOutcome:
    resource: Resource
    existing: bool = False
    overwritten: bool = False
