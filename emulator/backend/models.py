"""The domain's records and typed requests. The HTTP layer builds these; the backend never sees raw strings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


MODERATION_KINDS = ("manual",)  # the kinds the emulator moderates (the add-ons answer 420)
MODERATION_STATUSES = ("pending", "approved", "rejected")


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
    placeholder: bool = False  # deleted, kept as a backup: details answer with bytes 0 (never stored)
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
    """A file part read as a stream (big parts are spooled to disk): never held whole in memory."""

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
    """Bytes hashed and held aside, not yet kept: the upload keeps them once they proved valid, or discards them.

    Small bytes are held in memory (``data``, no ``path``); bigger ones in a temporary file of the blob store
    (``path``, no ``data``). :meth:`BlobStore.on_disk` gives a file to readers that need one (PyAV)."""

    path: Path | None
    sha256: str
    md5: str
    size: int
    data: bytes | None = None

    def read(self) -> bytes:
        """The bytes, from memory or from the staged file."""
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()


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
    extras: UploadExtras = field(default_factory=lambda: UploadExtras())
    metadata: Mapping[str, Any] | None = None  # values by external id, as sent; checked against the fields
    clear_invalid: bool = False
    asset_folder: str | None = None
    display_name: str | None = None
    public_id_prefix: str | None = None
    use_asset_folder_as_public_id_prefix: bool = False
    use_filename_as_display_name: bool = False
    type: str = "upload"  # the delivery type: upload, private or authenticated
    scripts: UploadScripts | None = None  # eval / on_success


@dataclass(frozen=True)
class UploadScripts:
    """An upload's JavaScript parameters (emulator/backend/scripts.py runs them).

    ``options`` are the upload's parameters as ``eval`` sees them in ``upload_options``; ``reparse`` turns the
    options the script left into the upload request they mean (parsed like any request's, by the API layer)."""

    eval: str | None = None
    on_success: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    reparse: Callable[[Mapping[str, Any]], UploadRequest] | None = None


@dataclass(frozen=True)
class UpdateRequest:
    tags: tuple[str, ...] | None = None
    context: Mapping[str, str] | None = None
    categorize: Categorize = Categorize()
    extras: UploadExtras = field(default_factory=lambda: UploadExtras())
    metadata: Mapping[str, Any] | None = None
    clear_invalid: bool = False
    asset_folder: str | None = None
    display_name: str | None = None


@dataclass(frozen=True)
class UploadOutcome:
    resource: Resource
    existing: bool = False
    overwritten: bool = False
    eager: tuple[DerivedImage, ...] = ()  # made by this request
    breakpoints: tuple[BreakpointSet, ...] = ()
    analysis: Mapping[str, Any] = field(default_factory=dict)  # colors, phash, faces ... as answered


# -- upload parameters beyond the basics (eager, analyses, lifecycle), shared by upload, explicit and update ----

@dataclass(frozen=True)
class EagerItem:
    """One ``eager`` item: a transformation (components joined by ``/``) and an output format."""

    transformation: str
    format: str | None = None  # None: the original's


@dataclass(frozen=True)
class BreakpointSettings:
    transformation: str = ""  # as sent (``a_90``): it names the derived images and comes back as sent
    format: str | None = None
    create_derived: bool = True
    min_width: int = 50
    max_width: int = 1000
    bytes_step: int = 20000
    max_images: int = 20


@dataclass(frozen=True)
class Breakpoint:
    width: int
    height: int
    size: int  # bytes of the encoded file
    transformation: str  # the full derived transformation: the setting's, then ``c_scale,w_<width>``
    format: str


@dataclass(frozen=True)
class BreakpointSet:
    settings: BreakpointSettings
    breakpoints: tuple[Breakpoint, ...]


@dataclass(frozen=True)
class Analyses:
    """The analysis flags of upload, explicit and Admin ``resource``: each answered from the image itself."""

    colors: bool = False
    faces: bool = False
    image_metadata: bool = False  # also ``media_metadata`` and ``exif``
    phash: bool = False
    quality_analysis: bool = False
    coordinates: bool = False  # details only: ``{"faces": [...], "custom": [...]}``

    @property
    def any(self) -> bool:
        return any((self.colors, self.faces, self.image_metadata, self.phash, self.quality_analysis,
                    self.coordinates))


@dataclass(frozen=True)
class AddonRequest:
    parameter: str  # detection, background_removal, ocr, raw_convert
    value: str


@dataclass(frozen=True)
class UploadExtras:
    eager: tuple[EagerItem, ...] = ()
    responsive_breakpoints: tuple[BreakpointSettings, ...] = ()
    analyses: Analyses = Analyses()
    addons: tuple[AddonRequest, ...] = ()
    format: str | None = None  # convert on upload
    allowed_formats: tuple[str, ...] | None = None
    filename_override: str | None = None
    transformation: str | None = None  # incoming: applied before storing
    backup: bool | None = None
    moderation: str | None = None  # upload: "manual"
    moderation_status: str | None = None  # update: approved / rejected / pending
    access_mode: str | None = None
    access_control: tuple[Mapping[str, str], ...] | None = None
    face_coordinates: tuple[Box, ...] | None = None
    custom_coordinates: tuple[Box, ...] | None = None


@dataclass(frozen=True)
class DetailsRequest:
    """Admin ``resource``'s optional parts."""

    analyses: Analyses = Analyses()
    versions: bool = False


@dataclass(frozen=True)
class BulkSelection:
    """``update_access_mode`` and ``publish_resources``: exactly one of public ids, a prefix or a tag."""

    public_ids: tuple[str, ...] = ()
    prefix: str | None = None
    tag: str | None = None
    type: str | None = None
    access_mode: str | None = None


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
