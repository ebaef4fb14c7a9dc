"""Delivery: the image behind a URL the SDKs build, transformed and cached.

See Cloudinary's "Image transformations" and "Delivery URL" documentation for the URL grammar.

``<rest>`` is what follows ``<resource_type>/<type>/``: ``[s--sig--/][<transformation>/…][v<version>/]<id>[.<ext>]``.
Derived images are cached (the derived-cache port) under the original's sha256, so a new original never serves an old
rendering; the cache drops them when the original changes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

from emulator.backend import transform
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
class Delivered:
    etag: str
    last_modified: float
    mimetype: str
    versioned: bool  # the URL names the current version: the answer never changes
    varies_on_accept: bool
    data: bytes | None  # None: the client's copy is current (answer 304)


def split_path(path: str) -> DeliveryPath:
    """Signature, transformation components, version and public id (with a known extension split off)."""
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
    public_id, extension = _split_extension("/".join(rest))
    return DeliveryPath(tuple(segments[:marker]), version, public_id, extension)


def _split_extension(name: str) -> tuple[str, str | None]:
    stem, dot, ext = name.rpartition(".")
    ext = transform.FORMAT_ALIASES.get(ext.lower(), ext.lower())
    if dot and stem and "/" not in ext and ext in transform.FORMATS:
        return stem, ext
    return name, None


class Delivery:
    def __init__(self, repo: ResourceRepository, blobs: BlobStore, derived: DerivedCache,
                 limits: transform.Limits | None = None) -> None:
        self.repo = repo
        self.blobs = blobs
        self.derived = derived
        self.limits = limits or transform.Limits()

    def deliver(self, request: DeliveryRequest) -> Delivered:
        url = split_path(request.path)
        chain = transform.parse(list(url.transformation))
        resource = self._locate(request, url)
        fmt = _output_format(chain, url.extension, resource.format, request.accepts_webp)
        etag = hashlib.sha256(f"{resource.sha256}|{chain.canonical}|{fmt}".encode()).hexdigest()[:32]
        meta = Delivered(etag=etag, last_modified=resource.created_at,
                         mimetype=transform.FORMATS.get(fmt, ("", f"image/{fmt}"))[1],
                         versioned=url.version == resource.version, varies_on_accept=chain.format == "auto",
                         data=None)
        if etag in request.if_none_match or "*" in request.if_none_match:
            return meta
        return replace(meta, data=self._bytes(resource, chain, fmt))

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
        cached = self.derived.get(resource.key, resource.sha256, variant)
        if cached is not None:
            return cached
        try:
            data = transform.render(original, chain, fmt, self.limits)
        except (OSError, ValueError) as exc:
            raise BadRequest(f"Cannot transform {resource.public_id} - {exc}") from exc
        self.derived.put(resource.key, resource.sha256, variant, data)
        return data


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
