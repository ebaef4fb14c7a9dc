"""Archives of stored files (``generate_archive``): which assets, the names inside, and the zip or tgz bytes.

File names follow Cloudinary's documented options: an original is ``<public_id>.<format>``; a derived file
sits in a folder named after its transformation (``c_scale,w_0.5/<public_id>.<format>``) unless
``skip_transformation_name``; ``flatten_folders`` drops the public id's folders and ``flatten_transformations``
the transformation folders; ``use_original_filename`` uses the uploaded file's name. A name met twice gets
``_1``, ``_2``... before its extension. Entries carry the clock's time, so the same request gives the same bytes.
"""

from __future__ import annotations

import gzip
import io
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from emulator.errors import BadRequest

FORMATS = ("zip", "tgz")
MAX_FILES = 1000  # per archive (Cloudinary's documented limit for generate_archive)
MIME = {"zip": "application/zip", "tgz": "application/gzip"}


@dataclass(frozen=True)
class ArchiveRequest:
    """What the Upload API's ``generate_archive`` was asked for, parsed."""

    mode: str = "create"  # or "download": answer with the archive itself
    target_format: str = "zip"
    resource_type: str = "image"  # ``all`` from download_folder
    type: str | None = None
    public_ids: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    fully_qualified_public_ids: tuple[str, ...] = ()
    transformations: tuple[str, ...] = ()  # ``t`` or ``t/fmt`` items, as in ``eager``
    flatten_folders: bool = False
    flatten_transformations: bool = False
    skip_transformation_name: bool = False
    use_original_filename: bool = False
    allow_missing: bool = False
    keep_derived: bool = False
    expires_at: int | None = None
    target_public_id: str | None = None
    target_tags: tuple[str, ...] = ()
    target_asset_folder: str | None = None
    notification_url: str | None = None

    @property
    def selects(self) -> bool:
        return bool(self.public_ids or self.prefixes or self.tags or self.fully_qualified_public_ids)


@dataclass(frozen=True)
class Entry:
    """One file to put in the archive."""

    public_id: str
    format: str
    original_filename: str
    data: bytes
    transformation: str = ""  # empty: the original


@dataclass(frozen=True)
class Archive:
    data: bytes
    names: tuple[str, ...] = field(default_factory=tuple)
    resource_count: int = 0

    @property
    def file_count(self) -> int:
        return len(self.names)


def check(request: ArchiveRequest) -> None:
    if request.target_format not in FORMATS:
        raise BadRequest(f"Invalid target_format - {request.target_format}. Must be one of: {', '.join(FORMATS)}")
    if not request.selects:
        raise BadRequest("Must supply at least one of public_ids, prefixes, tags or fully_qualified_public_ids")
    if request.mode not in ("create", "download"):
        raise BadRequest(f"Invalid mode - {request.mode}. Must be create or download")


def names(request: ArchiveRequest, entries: Iterable[Entry]) -> list[str]:
    """The path of each entry inside the archive, unique."""
    seen: dict[str, int] = {}
    out = []
    for entry in entries:
        name = _name(request, entry)
        count = seen.get(name, 0)
        seen[name] = count + 1
        if count:
            stem, dot, ext = name.rpartition(".")
            name = f"{stem}_{count}.{ext}" if dot else f"{name}_{count}"
        out.append(name)
    return out


def _name(request: ArchiveRequest, entry: Entry) -> str:
    base = entry.public_id
    if request.use_original_filename:
        folder, slash, _ = base.rpartition("/")
        base = f"{folder}{slash}{entry.original_filename}"
    if request.flatten_folders:
        base = base.rpartition("/")[2]
    file_name = f"{base}.{entry.format}" if entry.format else base
    if not entry.transformation or request.skip_transformation_name or request.flatten_transformations:
        return file_name
    return f"{entry.transformation}/{file_name}"


def build(request: ArchiveRequest, entries: list[Entry], now: float) -> Archive:
    """The archive's bytes; ``now`` stamps every member."""
    if len(entries) > MAX_FILES:
        raise BadRequest(f"Too many files for one archive - {len(entries)}. Maximum is {MAX_FILES}")
    paths = names(request, entries)
    data = _zip(paths, entries, now) if request.target_format == "zip" else _tgz(paths, entries, now)
    return Archive(data, tuple(paths), len({e.public_id for e in entries}))


def _zip(paths: list[str], entries: list[Entry], now: float) -> bytes:
    import zipfile  # the archive builders load with the first archive, not at every start

    stamp = time.gmtime(max(now, 315532800))[:6]  # zip dates start in 1980
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, entry in zip(paths, entries, strict=True):
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entry.data)
    return out.getvalue()


def _tgz(paths: list[str], entries: list[Entry], now: float) -> bytes:
    import tarfile

    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path, entry in zip(paths, entries, strict=True):
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(entry.data), int(now), 0o644
            archive.addfile(info, io.BytesIO(entry.data))
    return gzip.compress(out.getvalue(), mtime=int(now))  # the gzip header's time too: same bytes every run
