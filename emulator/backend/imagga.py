"""Imagga's own REST API v2 (https://docs.imagga.com/): tags for an image, and uploads to tag later.

The answers come from the same engine as the Cloudinary add-on, with Imagga's 0–100 confidences: an image
stored in the cloud is recognised by its bytes and tagged under the identity it was uploaded with, so
``/v2/tags`` and ``categorization=imagga_tagging`` agree (confidence here = add-on confidence × 100).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath

from emulator import media
from emulator.backend.models import FilePart, RemoteFile
from emulator.backend.ports import ImaggaUploads, ResourceRepository
from emulator.clock import Clock, IdSource
from emulator.config import CloudConfig, Config
from emulator.errors import BadRequest, NotFound
from emulator.tagging.engine import ImageRef, TaggingEngine

ENGINE = "imagga_tagging"
UPLOAD_TTL = 24 * 3600  # Imagga keeps uploaded images for 24 hours


@dataclass(frozen=True)
class UploadedImage:
    """An image sent earlier to ``POST /v2/uploads``."""

    upload_id: str


ImaggaSource = FilePart | RemoteFile | UploadedImage


@dataclass(frozen=True)
class TagsRequest:
    source: ImaggaSource
    languages: tuple[str, ...] = ("en",)
    limit: int | None = None  # None: every tag
    threshold: float = 0.0  # 0–100; tags below it are left out


@dataclass(frozen=True)
class ImaggaTag:
    confidence: float  # 0–100
    tag: Mapping[str, str]  # language code → text


class Imagga:
    def __init__(self, config: Config, engine: TaggingEngine, repo: ResourceRepository,
                 uploads: ImaggaUploads, clock: Clock, ids: IdSource) -> None:
        self.config = config
        self.engine = engine
        self.repo = repo
        self.uploads = uploads
        self.clock = clock
        self.ids = ids

    def tags(self, cloud: CloudConfig, request: TagsRequest) -> list[ImaggaTag]:
        image = self._image(cloud, request.source)
        found = []
        for category in self.engine.categorize(image, ENGINE):
            confidence = round(category.confidence * 100, 4)  # the fixtures hold the add-on's 0–1 values
            if confidence >= request.threshold:
                labels = {code: self.engine.translate(category.tag, code) for code in request.languages}
                found.append(ImaggaTag(confidence, labels))
        return found if request.limit is None else found[:request.limit]

    def upload(self, cloud: CloudConfig, part: FilePart) -> str:
        media.check_size(len(part.data), self.config.max_file_size)
        media.inspect(part.data, self.config.max_image_pixels)
        upload_id = "i" + self.ids.hex(31)
        now = self.clock.now()
        self.uploads.put(cloud.name, upload_id, part, now=now, expires_at=now + UPLOAD_TTL)
        return upload_id

    def delete_upload(self, cloud: CloudConfig, upload_id: str) -> None:
        if not self.uploads.delete(cloud.name, upload_id):
            raise NotFound(f"Upload not found - {upload_id}")

    def _image(self, cloud: CloudConfig, source: ImaggaSource) -> ImageRef:
        part = self._read(cloud, source)
        media.inspect(part.data, self.config.max_image_pixels)
        sha = hashlib.sha256(part.data).hexdigest()
        stored = self.repo.find_by_sha256(cloud.name, sha)
        if stored is not None:  # the add-on's answer for this image: same bytes, same names
            return ImageRef(part.data, sha, stored.public_id, stored.original_filename)
        return ImageRef(part.data, sha, "", PurePath((part.filename or "").replace("\\", "/")).stem)

    def _read(self, cloud: CloudConfig, source: ImaggaSource) -> FilePart:
        config = self.config
        if isinstance(source, RemoteFile):
            data = media.fetch(source.url, timeout=config.fetch_timeout, limit=config.max_file_size,
                               allow_local=cloud.fetch_local_urls)
            return FilePart(data, media.url_filename(source.url))
        if isinstance(source, UploadedImage):
            found = self.uploads.get(cloud.name, source.upload_id, self.clock.now())
            if found is None:
                raise BadRequest(f"Unknown or expired image_upload_id - {source.upload_id}")
            return found
        media.check_size(len(source.data), config.max_file_size)
        return source
