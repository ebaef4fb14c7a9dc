"""Delivery: the image behind a URL the SDKs build, transformed and cached.

See Cloudinary's "Image transformations" and "Delivery URL" documentation for the URL grammar.

``<rest>`` is what follows ``<resource_type>/<type>/``: ``[s--sig--/][<transformation>/…][v<version>/]<id>[.<ext>]``.
Derived images are cached (the derived-cache port) under the original's sha256, so a new original never serves an old
rendering; the cache drops them when the original changes.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from emulator.backend import thumbnails, transform
from emulator.backend.derivatives import Derivatives
from emulator.backend.models import Resource, ResourceKey
from emulator.backend.ports import BlobStore, DerivedCache, ResourceRepository
from emulator.errors import BadRequest, NotFound

_SIGNATURE = re.compile(r"^s--[A-Za-z0-9_-]{1,64}--$")
_VERSION = re.compile(r"^v(\d{1,12})$")
# Both SDKs write ``v1`` when a public id holds a ``/`` and no version was given: it means "no version".
PLACEHOLDER_VERSION = 1


@dataclass(frozen=True)
class DeliveryPath:
    transformation: tuple[str, ...]
    version: int | None
    public_id: str
    extension: str | None


@dataclass(frozen=True)
class DeliveryRequest:
    cloud: str
    resource_type: str
    type: str
    path: str
    accepts_webp: bool = False
    if_none_match: frozenset[str] = field(default_factory=frozenset)  # ``*`` matches any ETag


@dataclass(frozen=True)
class DownloadRequest:
    public_id: str
    format: str | None = None
    type: str = "upload"
    attachment: bool = False
    expires_at: int | None = None


@dataclass(frozen=True)
class Delivered:
    etag: str
    last_modified: float
    mimetype: str
    versioned: bool  # the URL names the current version: the answer never changes
    varies_on_accept: bool
    data: bytes | None  # None: the client's copy is current (answer 304), or the bytes are in ``path``
    path: Path | None = None  # a video's or raw file's original bytes, streamed from disk (with Range support)


def split_path(path: str, *, raw: bool = False) -> DeliveryPath:
    """Signature, transformation components, version and public id (with a known extension split off; a raw
    file's public id keeps its extension)."""
    segments = path.split("/")
    if len(segments) > 1 and _SIGNATURE.match(segments[0]):
        segments = segments[1:]  # signed URLs are served without checking the signature
    marker = next((i for i, s in enumerate(segments[:-1]) if _VERSION.match(s)), None)
    if marker is None:
        marker = 0
        while marker < len(segments) - 1 and transform.looks_like_component(segments[marker]):
            marker += 1
        version = None
        rest = segments[marker:]
    else:
        version = int(segments[marker][1:])
        rest = segments[marker + 1:]
    if raw:
        return DeliveryPath(tuple(segments[:marker]), version, "/".join(rest), None)
    public_id, extension = _split_extension("/".join(rest))
    return DeliveryPath(tuple(segments[:marker]), version, public_id, extension)


def _split_extension(name: str) -> tuple[str, str | None]:
    stem, dot, ext = name.rpartition(".")
    ext = transform.FORMAT_ALIASES.get(ext.lower(), ext.lower())
    if dot and stem and "/" not in ext and (ext in transform.FORMATS or ext in _MEDIA_TYPES or ext in _DOCUMENTS):
        return stem, ext
    return name, None


class NamedTransformations(Protocol):
    """The account's named transformations (``t_<name>`` in a URL), and where used ones are recorded."""

    def named_definition(self, cloud: str, name: str) -> str | None: ...

    def record_use(self, cloud: str, transformation: str) -> None: ...


class Delivery:
    def __init__(self, repo: ResourceRepository, blobs: BlobStore, derived: DerivedCache,
                 named: NamedTransformations | None = None, limits: transform.Limits | None = None,
                 kept: Derivatives | None = None) -> None:
        self.repo = repo
        self.blobs = blobs
        self.derived = derived
        self.named = named
        self.limits = limits or transform.Limits()
        self.kept = kept  # derived images made on request (eager, breakpoints): served before the cache

    def deliver(self, request: DeliveryRequest) -> Delivered:
        if request.resource_type != "image":
            return self._deliver_file(request)
        url = split_path(request.path)
        if url.extension in _DOCUMENTS:
            return self._deliver_document(request, url)
        components = self._expand(request.cloud, url.transformation)
        chain = transform.parse(components)
        resource = self._locate(request, url)
        fmt = _output_format(chain, url.extension, resource.format, request.accepts_webp)
        etag = hashlib.sha256(f"{resource.sha256}|{chain.canonical}|{fmt}".encode()).hexdigest()[:32]
        meta = Delivered(etag=etag, last_modified=resource.created_at,
                         mimetype=transform.FORMATS.get(fmt, ("", f"image/{fmt}"))[1],
                         versioned=url.version == resource.version, varies_on_accept=chain.format == "auto",
                         data=None)
        if etag in request.if_none_match or "*" in request.if_none_match:
            return meta
        data = self._bytes(resource, chain, fmt)
        if self.named is not None and url.transformation and components == list(url.transformation):
            self.named.record_use(request.cloud, "/".join(url.transformation))  # listed by api.transformations
        return replace(meta, data=data)

    def download(self, cloud: str, resource_type: str, request: DownloadRequest, now: float) -> Delivered:
        """The Upload API's signed ``download`` (``private_download_url``): the asset of any delivery type, an
        image in ``format`` when given (converted), a video or raw file as stored."""
        if request.expires_at is not None and request.expires_at < now:
            raise BadRequest(f"Download link expired at {request.expires_at}")
        name = request.public_id
        if request.format and resource_type == "image":
            name = f"{name}.{request.format}"
        return self.deliver(DeliveryRequest(cloud, resource_type, request.type, f"v{PLACEHOLDER_VERSION}/{name}"))

    def _expand(self, cloud: str, components: tuple[str, ...]) -> list[str]:
        """``t_<name>`` components replaced by the named transformation's own components."""
        out: list[str] = []
        for component in components:
            definition = None
            if component.startswith("t_") and "," not in component and self.named is not None:
                definition = self.named.named_definition(cloud, component)
                if definition is None:
                    raise BadRequest(f"Invalid transformation component - named transformation {component[2:]} "
                                     "does not exist")
            out += definition.split("/") if definition is not None else [component]
        return out

    def _locate(self, request: DeliveryRequest, url: DeliveryPath) -> Resource:
        key = ResourceKey(request.cloud, url.public_id, request.resource_type, request.type)
        found = self.repo.get(key) if url.public_id else None
        if found is None:
            stem, dot, ext = url.public_id.rpartition(".")
            if url.extension is None and dot and stem and self.repo.get(replace(key, public_id=stem)) is not None:
                raise BadRequest(f"Unsupported delivery format - {ext}. Supported: {', '.join(transform.FORMATS)}")
            raise NotFound(f"Resource not found - {url.public_id}")
        if url.version not in (None, PLACEHOLDER_VERSION, found.version):
            raise NotFound(f"Resource not found - {url.public_id} version {url.version} "
                           f"(the current version is {found.version})")
        return found

    def _bytes(self, resource: Resource, chain: transform.Transformation, fmt: str) -> bytes:
        original = self.blobs.get(resource.sha256)
        if original is None:
            raise NotFound(f"Resource not found - {resource.public_id} (its bytes are missing)")
        if not chain.components and fmt == resource.format:
            return original  # the original, byte for byte
        variant = f"{chain.canonical}.{fmt}"
        kept = self.kept.delivered(resource, chain.canonical, fmt) if self.kept is not None else None
        if kept is not None:
            return kept
        cached = self.derived.get(resource.key, resource.sha256, variant)
        if cached is not None:
            return cached
        try:
            data = transform.render(original, chain, fmt, self.limits)
        except (OSError, ValueError) as exc:
            raise BadRequest(f"Cannot transform {resource.public_id} - {exc}") from exc
        self.derived.put(resource.key, resource.sha256, variant, data)
        return data


    def _thumbnail(self, request: DeliveryRequest, url: DeliveryPath, resource: Resource) -> Delivered:
        """A video delivered as an image (``.jpg``, ``.png`` ...): the frame at ``so_`` (the middle frame by
        default), then the image transformation of the other components."""
        offset, rest = thumbnails.split_offset(self._expand(request.cloud, url.transformation))
        chain = transform.parse(rest)
        at = thumbnails.seconds(offset, float(resource.media.get("duration") or 0.0))
        fmt = _output_format(chain, url.extension, "jpg", request.accepts_webp)
        named = thumbnails.variant_name(at, chain.canonical)
        variant = f"{named}.{fmt}"
        etag = hashlib.sha256(f"{resource.sha256}|{variant}".encode()).hexdigest()[:32]
        meta = Delivered(etag=etag, last_modified=resource.created_at, mimetype=transform.FORMATS[fmt][1],
                         versioned=url.version == resource.version, varies_on_accept=chain.format == "auto",
                         data=None)
        if etag in request.if_none_match or "*" in request.if_none_match:
            return meta
        data = self.kept.delivered(resource, named, fmt) if self.kept is not None else None  # eager: kept
        data = data or self.derived.get(resource.key, resource.sha256, variant)
        if data is None:
            data = self._render_frame(resource, at, chain, fmt)
            self.derived.put(resource.key, resource.sha256, variant, data)
        return replace(meta, data=data)

    def _render_frame(self, resource: Resource, at: float, chain: transform.Transformation, fmt: str) -> bytes:
        path = self.blobs.path(resource.sha256)
        if path is None:
            raise NotFound(f"Resource not found - {resource.public_id} (its bytes are missing)")
        png = thumbnails.frame_png(path, at, self.limits.max_pixels)
        try:
            return transform.render(png, chain, fmt, self.limits)
        except (OSError, ValueError) as exc:
            raise BadRequest(f"Cannot transform {resource.public_id} - {exc}") from exc

    def _deliver_document(self, request: DeliveryRequest, url: DeliveryPath) -> Delivered:
        """A PDF ``multi`` as made; a sprite's style sheet or JSON (kept beside it under its transformation)."""
        resource = self._locate(request, url)
        ext = url.extension or ""
        if ext == "pdf":
            if resource.format != "pdf" or any(c != "f_pdf" for c in url.transformation):
                raise BadRequest("Unsupported delivery format - pdf. The emulator delivers a PDF only as it was "
                                 "made (a multi with f_pdf), without transformations")
            data = self.blobs.get(resource.sha256)
        else:
            chain = transform.parse(self._expand(request.cloud, url.transformation))
            data = self.kept.delivered(resource, chain.canonical, ext) if self.kept is not None else None
        if data is None:
            raise NotFound(f"Resource not found - {url.public_id}.{ext}")
        etag = hashlib.sha256(data).hexdigest()[:32]
        meta = Delivered(etag=etag, last_modified=resource.created_at, mimetype=_DOCUMENTS[ext],
                         versioned=url.version == resource.version, varies_on_accept=False, data=None)
        return meta if etag in request.if_none_match or "*" in request.if_none_match else replace(meta, data=data)

    def _deliver_file(self, request: DeliveryRequest) -> Delivered:
        """A video's or raw file's original bytes; transformations of them are not emulated."""
        url = split_path(request.path, raw=request.resource_type == "raw")
        resource = self._locate(request, url)
        asked = url.extension or resource.format
        if request.resource_type == "video" and asked in transform.FORMATS:
            if resource.media.get("is_audio"):
                raise BadRequest(f"An audio file has no frame to deliver as an image ({asked}); waveform images "
                                 "are not emulated")
            return self._thumbnail(request, url, resource)
        if url.transformation or (request.resource_type == "video" and asked != resource.format):
            shown = "/".join(url.transformation) or f"format {asked}"
            raise BadRequest(f"Video transformations are not emulated (the emulator delivers a video's original "
                             f"bytes): {shown}")
        etag = resource.etag
        meta = Delivered(etag=etag, last_modified=resource.created_at,
                         mimetype=_file_mimetype(request.resource_type, resource), versioned=url.version
                         == resource.version, varies_on_accept=False, data=None)
        if etag in request.if_none_match or "*" in request.if_none_match:
            return meta
        path = self.blobs.path(resource.sha256)
        if path is None:
            raise NotFound(f"Resource not found - {resource.public_id} (its bytes are missing)")
        return replace(meta, path=path)


# Image-type assets that are no picture: a PDF ``multi``, a sprite's CSS and JSON.
_DOCUMENTS = {"pdf": "application/pdf", "css": "text/css", "json": "application/json"}
_MEDIA_TYPES = {"mp4": "video/mp4", "m4v": "video/mp4", "webm": "video/webm", "mov": "video/quicktime",
                "ogv": "video/ogg", "ogg": "audio/ogg", "avi": "video/x-msvideo", "flv": "video/x-flv",
                "mkv": "video/x-matroska", "ts": "video/mp2t", "mpeg": "video/mpeg", "wmv": "video/x-ms-wmv",
                "mp3": "audio/mpeg", "m4a": "audio/mp4", "aac": "audio/aac", "wav": "audio/wav",
                "flac": "audio/flac", "aiff": "audio/aiff", "amr": "audio/amr"}


def _file_mimetype(resource_type: str, resource: Resource) -> str:
    if resource_type == "video":
        return _MEDIA_TYPES.get(resource.format, "application/octet-stream")
    guessed, _ = mimetypes.guess_type(resource.public_id)
    return guessed or "application/octet-stream"


def _output_format(chain: transform.Transformation, extension: str | None, original: str,
                   accepts_webp: bool) -> str:
    """``f_<fmt>`` wins, then ``f_auto`` (WebP for clients that accept it), the extension, the original's."""
    asked = chain.format
    if asked is not None and asked != "auto":
        return asked
    if asked == "auto" and accepts_webp:
        return "webp"
    if extension is not None:
        return extension
    if original in transform.FORMATS or not chain.components:
        return original
    return "png"  # a transformed original in a format the emulator does not write (bmp, tiff, …)
