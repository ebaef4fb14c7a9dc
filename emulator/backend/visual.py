"""Admin API ``visual_search``: images like a given one, or matching a text.

Cloudinary's visual search is a learned embedding; ours is an approximation that is deterministic and says why
it matched. An image query (``image_url``, ``image_file`` or ``image_asset_id``) finds the stored images whose
64-bit perceptual hash (the ``phash`` analysis) differs from the query's in at most :data:`MAX_DISTANCE` bits,
nearest first. A text query finds the images whose tags, or whose fixture categories (the labels the tagging
fixtures declare for them), contain one of its words, most words matched first. Ties go newest first. Only the
:data:`MAX_SCAN` newest images of the cloud are compared; hashes are remembered by content (bounded).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from emulator.backend import analysis, intake
from emulator.backend.models import FileSource, Resource
from emulator.backend.ports import BlobStore, ResourceRepository
from emulator.backend.queries import Listing
from emulator.config import CloudConfig, Config
from emulator.errors import BadRequest, NotFound
from emulator.tagging.engine import ImageRef, TaggingEngine

MAX_SCAN = 2000  # the newest images compared per search
MAX_DISTANCE = 12  # bits of 64 two similar images' hashes may differ in
MAX_RESULTS = 100
HASH_CACHE = 8192  # hashes remembered, by sha256


@dataclass(frozen=True)
class VisualQuery:
    """Exactly one of: an image (a URL or an uploaded file), a stored image's asset id, a text."""

    image: FileSource | None = None
    asset_id: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Match:
    resource: Resource
    score: float  # an image query: 1 - distance / 64; a text query: the share of its words matched


class VisualSearch:
    def __init__(self, config: Config, repo: ResourceRepository, blobs: BlobStore, engine: TaggingEngine) -> None:
        self.config = config
        self.repo = repo
        self.blobs = blobs
        self.engine = engine
        self._hashes: OrderedDict[str, str | None] = OrderedDict()
        self._lock = threading.Lock()

    def search(self, cloud: CloudConfig, query: VisualQuery) -> list[Match]:
        given = [q for q in (query.image, query.asset_id, query.text) if q]
        if len(given) != 1:
            raise BadRequest("Exactly one of image_url, image_asset_id, image_file or text must be given"
                             if given else "Missing required parameter - image_url, image_asset_id, image_file "
                                           "or text")
        images = self.repo.list_resources(Listing(cloud.name, "image", limit=MAX_SCAN)).items
        if query.text:
            return _top(self._by_text(query.text, images))
        return _top(self._by_image(self._query_hash(cloud, query), images))

    def _query_hash(self, cloud: CloudConfig, query: VisualQuery) -> str:
        if query.asset_id:
            found = self.repo.find_by_asset_id(cloud.name, query.asset_id)
            if found is None or found.key.resource_type != "image":
                raise NotFound(f"Resource not found - {query.asset_id}")
            wanted = self._hash(found)
            if wanted is None:
                raise BadRequest(f"Resource {query.asset_id} is not an image that can be compared")
            return wanted
        assert query.image is not None
        incoming = intake.take_in(self.blobs, query.image, "image", self.config, allow_local=cloud.fetch_local_urls)
        try:
            return analysis.phash(incoming.data or b"")
        finally:
            self.blobs.discard(incoming.staged)

    def _by_image(self, wanted: str, images: list[Resource]) -> list[Match]:
        matches = []
        for image in images:
            found = self._hash(image)
            if found is not None and (distance := analysis.hamming(wanted, found)) <= MAX_DISTANCE:
                matches.append(Match(image, round(1 - distance / 64, 4)))
        return matches

    def _by_text(self, text: str, images: list[Resource]) -> list[Match]:
        words = set(re.findall(r"\w+", text.lower()))
        if not words:
            raise BadRequest(f"Invalid text - {text!r} has no words to search for")
        matches = []
        for image in images:
            labels = " ".join([*image.tags, *self._labels(image)]).lower()
            vocabulary = set(re.findall(r"\w+", labels))
            hits = len(words & vocabulary)
            if hits:
                matches.append(Match(image, round(hits / len(words), 4)))
        return matches

    def _labels(self, image: Resource) -> list[str]:
        return list(self.engine.labels(ImageRef(b"", image.sha256, image.public_id, image.original_filename)))

    def _hash(self, image: Resource) -> str | None:
        """The image's perceptual hash (None: bytes Pillow cannot read), remembered by content."""
        with self._lock:
            if image.sha256 in self._hashes:
                self._hashes.move_to_end(image.sha256)
                return self._hashes[image.sha256]
        data = self.blobs.get(image.sha256)
        try:
            found = analysis.phash(data) if data else None
        except (OSError, ValueError):  # a file Pillow cannot decode is simply not comparable
            found = None
        with self._lock:
            self._hashes[image.sha256] = found
            while len(self._hashes) > HASH_CACHE:
                self._hashes.popitem(last=False)
        return found


def _top(matches: list[Match]) -> list[Match]:
    ordered = sorted(matches, key=lambda m: (-m.score, -m.resource.created_at, m.resource.public_id))
    return ordered[:MAX_RESULTS]
