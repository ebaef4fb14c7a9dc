"""The Upload API's ``sprite``, ``multi`` and ``text``: images made from tagged images (or delivery URLs of
stored ones) and from text, stored as assets of the delivery types ``sprite``, ``multi`` and ``text``."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import unquote, urlsplit

from emulator import media
from emulator.backend import compose, slideshow, transform
from emulator.backend.models import FilePart, Resource, ResourceKey, UploadOutcome, UploadRequest
from emulator.backend.ports import BlobStore, EagerStore, ResourceRepository
from emulator.backend.queries import Listing
from emulator.clock import Clock, IdSource
from emulator.config import Config
from emulator.errors import BadRequest, NotFound

Store = Callable[[Resource, bytes], None]
_FORMAT_TOKEN = re.compile(r"(^|,)f_([a-z0-9]+)(?=,|$)")


@dataclass(frozen=True)
class MultiRequest:
    """``sprite`` and ``multi``: the images (a tag, or URLs), the transformation and the mode."""

    tag: str | None = None
    urls: tuple[str, ...] = ()
    transformation: str = ""
    mode: str = "create"  # or "download"
    public_id: str | None = None


@dataclass(frozen=True)
class TextRequest:
    text: str
    public_id: str | None = None
    style: compose.TextStyle = field(default_factory=compose.TextStyle)


@dataclass(frozen=True)
class SlideshowRequest:
    """``create_slideshow``: the manifest, and where the video goes (stored like an uploaded one)."""

    manifest: slideshow.Manifest
    public_id: str | None = None
    overwrite: bool = True
    tags: tuple[str, ...] = ()
    notification_url: str | None = None


@dataclass(frozen=True)
class Made:
    """A stored composition (``resource``), its transformation, what sprites add, or the bytes to download."""

    resource: Resource | None
    transformation: str = ""
    boxes: dict[str, compose.Box] = field(default_factory=dict)
    download: bytes | None = None
    mimetype: str = "image/png"


def split_format(transformation: str) -> tuple[str, str | None]:
    """``f_jpg,w_100`` → (``w_100``, ``jpg``): the SDKs put the requested format in the transformation."""
    found = _FORMAT_TOKEN.search(transformation)
    if found is None:
        return transformation, None
    rest = _FORMAT_TOKEN.sub(lambda m: "", transformation).strip(",").replace(",/", "/").replace("/,", "/")
    return rest, found.group(2)


class Compositions:
    def __init__(self, config: Config, repo: ResourceRepository, blobs: BlobStore, kept: EagerStore, clock: Clock,
                 ids: IdSource) -> None:
        self.config = config
        self.kept = kept  # the composition under its URL's transformation, so delivery serves it as made
        self.repo = repo
        self.blobs = blobs
        self.clock = clock
        self.ids = ids

    def sprite(self, cloud: str, request: MultiRequest, store: Store) -> Made:
        rest, fmt = split_format(request.transformation)
        fmt = transform.FORMAT_ALIASES.get(fmt or "png", fmt or "png")
        if fmt not in transform.FORMATS:
            raise BadRequest(f"Invalid sprite format - {fmt}. Supported: {', '.join(transform.FORMATS)}")
        made = compose.sprite(self._images(cloud, request), _chain(rest), fmt)
        if request.mode == "download":
            return Made(None, request.transformation, made.boxes, made.image, transform.FORMATS[fmt][1])
        resource = self._keep(cloud, request, "sprite", made.image, store, fmt)
        self._keep_sheets(resource, request.transformation, made.boxes)
        return Made(resource, request.transformation, made.boxes)

    def multi(self, cloud: str, request: MultiRequest, store: Store) -> Made:
        rest, fmt = split_format(request.transformation)
        fmt = fmt or "gif"
        data = compose.multi([d for _, d in self._images(cloud, request)], _chain(rest), fmt)
        mimetype = "application/pdf" if fmt == "pdf" else f"image/{fmt}"
        if request.mode == "download":
            return Made(None, request.transformation, download=data, mimetype=mimetype)
        return Made(self._keep(cloud, request, "multi", data, store, fmt), request.transformation, mimetype=mimetype)

    def slideshow(self, cloud: str, request: SlideshowRequest,
                  upload: Callable[[UploadRequest], UploadOutcome]) -> UploadOutcome:
        """An MP4 of the manifest's slides (stored images, by public id or delivery URL), uploaded as a video."""
        slideshow.check(request.manifest)
        images = [self._slide(cloud, slide) for slide in request.manifest.slides]
        data = slideshow.render(request.manifest, images)
        return upload(UploadRequest(file=FilePart(data, "slideshow.mp4"), resource_type="video",
                                    public_id=request.public_id or self.ids.alnum(20), tags=request.tags,
                                    overwrite=request.overwrite, notification_url=request.notification_url))

    def _slide(self, cloud: str, slide: str) -> bytes:
        if slide.startswith("i:"):
            found = self.repo.get(ResourceKey(cloud, slide[2:]))
            if found is None:
                raise NotFound(f"Resource not found - {slide[2:]}")
            return self.blobs.get(found.sha256) or b""
        if re.match(r"^https?://", slide, re.IGNORECASE):
            return self._by_url(cloud, slide)[1]
        raise BadRequest(f"Invalid slide - {slide}. The emulator shows images: i:<public_id> or an image URL")

    def text(self, cloud: str, request: TextRequest, store: Store) -> UploadOutcome:
        data = compose.text(request.text, request.style)
        key = ResourceKey(cloud, request.public_id or self.ids.alnum(20), "image", "text")
        previous = self.repo.get(key)
        resource = self._resource(key, data, "png", previous, request.text[:64])
        store(resource, data)
        return UploadOutcome(resource, overwritten=previous is not None)

    # -- helpers ---------------------------------------------------------------------------------------------

    def _images(self, cloud: str, request: MultiRequest) -> list[tuple[str, bytes]]:
        if bool(request.tag) == bool(request.urls):
            raise BadRequest("Either tag or urls must be given, not both")
        if request.tag:
            page = self.repo.list_resources(Listing(cloud, "image", tag=request.tag, direction="asc",
                                                    limit=compose.MAX_IMAGES + 1))
            found = [(r.public_id, self.blobs.get(r.sha256) or b"") for r in page.items if r.key.type == "upload"]
            if not found:
                raise NotFound(f"No images found with tag {request.tag}")
            return found
        return [self._by_url(cloud, url) for url in request.urls[: compose.MAX_IMAGES + 1]]

    def _by_url(self, cloud: str, url: str) -> tuple[str, bytes]:
        """A delivery URL of a stored image (any host: the emulator's own URLs) or, failing that, fetched."""
        from emulator.backend.delivery import split_path

        parts = unquote(urlsplit(url).path).strip("/").split("/")
        if len(parts) >= 4 and parts[0] == cloud:
            path = split_path("/".join(parts[3:]))
            found = self.repo.get(ResourceKey(cloud, path.public_id, parts[1], parts[2]))
            if found is not None:
                return found.public_id, self.blobs.get(found.sha256) or b""
        data = media.fetch(url, timeout=self.config.fetch_timeout, limit=self.config.max_file_size)
        return media.url_filename(url).rpartition(".")[0] or "image", data

    def _keep(self, cloud: str, request: MultiRequest, kind: str, data: bytes, store: Store,
              fmt: str | None = None) -> Resource:
        public_id = request.public_id or request.tag or self.ids.alnum(20)
        key = ResourceKey(cloud, public_id, "image", kind)
        resource = self._resource(key, data, fmt, self.repo.get(key), public_id)
        store(resource, data)
        if request.transformation and resource.format in transform.FORMATS:
            # The URL names the composition by the transformation it was made with (``f_gif,w_111``): that
            # rendering is the composition itself, not a transformation of it.
            canonical = _chain(request.transformation).canonical
            variant = f"{canonical}.{resource.format}"
            self.kept.put(key, resource.sha256, variant, hashlib.md5(variant.encode()).hexdigest(), data)
        return resource

    def _keep_sheets(self, sprite: Resource, transformation: str, boxes: dict[str, compose.Box]) -> None:
        """The sprite's CSS and JSON, kept beside it under its transformation (delivery serves ``.css``/``.json``
        at the URLs the answer gives)."""
        canonical = _chain(transformation).canonical
        k = sprite.key
        image = "/".join(p for p in (f"/{k.cloud}/image/sprite", canonical, f"v{sprite.version}",
                                     f"{k.public_id}.{sprite.format}") if p)
        sheets = {"css": compose.sprite_css(k.public_id, image, boxes).encode(),
                  "json": compose.sprite_json(image, boxes).encode()}
        for ext, data in sheets.items():
            variant = f"{canonical}.{ext}"
            self.kept.put(k, sprite.sha256, variant, hashlib.md5(f"{k.public_id}/{variant}".encode()).hexdigest(),
                          data)

    def _resource(self, key: ResourceKey, data: bytes, fmt: str | None, previous: Resource | None,
                  filename: str) -> Resource:
        facts = media.ImageFacts("pdf", 0, 0) if fmt == "pdf" else media.inspect(data)
        now = self.clock.now()
        version = int(now) if previous is None or int(now) > previous.version else previous.version + 1
        resource = Resource(
            key=key, asset_id=previous.asset_id if previous else self.ids.hex(32), version=version,
            version_id=self.ids.hex(32), format=facts.format, width=facts.width, height=facts.height,
            bytes=len(data), etag=hashlib.md5(data).hexdigest(), sha256=hashlib.sha256(data).hexdigest(),
            created_at=now, original_filename=filename,
        )
        return replace(resource, format=fmt or facts.format)


def _chain(transformation: str) -> transform.Transformation:
    return transform.parse([s for s in transformation.split("/") if s])
