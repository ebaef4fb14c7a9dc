"""Chunked uploads: parts with ``Content-Range`` and ``X-Unique-Upload-Id`` (see ``docs/sdk-wire.md``).

Each part is written to disk at its offset as it arrives (the part store); parts may come in any order and
concurrently. The part that completes the file hands the assembled file to :meth:`Backend.upload` as if the
whole file had come in one request: same checks, presets, categorization, everything. Until then each part
answers ``{"done": false, ...}``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from emulator.backend.intake import RESOURCE_TYPES, limit_for
from emulator.backend.models import (
    Part,
    PartRejected,
    StagedFile,
    UploadOutcome,
    UploadRequest,
)
from emulator.backend.ports import UploadParts
from emulator.clock import Clock
from emulator.config import CloudConfig, Config
from emulator.errors import BadRequest

SWEEP_EVERY = 60.0  # seconds between looks for abandoned uploads


class Uploader(Protocol):
    def upload(self, cloud: CloudConfig, request: UploadRequest, *, origin: str = "") -> UploadOutcome: ...


@dataclass(frozen=True)
class PartOutcome:
    """A part's answer: the whole upload's outcome once complete, else how far it got."""

    upload_id: str
    received: int
    outcome: UploadOutcome | None = None


class ChunkedUploads:
    def __init__(self, parts: UploadParts, uploader: Uploader, config: Config, clock: Clock) -> None:
        self.parts = parts
        self.uploader = uploader
        self.config = config
        self.clock = clock
        self._swept = clock.now()

    def receive(self, cloud: CloudConfig, part: Part, request: UploadRequest, *, origin: str = "") -> PartOutcome:
        """Store one part; the part that completes the file performs the upload."""
        self._check(part, request.resource_type)
        self._sweep_now_and_then()
        try:
            receipt = self.parts.receive(part.upload_id, part.range, part.stream)
        except PartRejected as exc:
            raise BadRequest(str(exc)) from exc
        if receipt.assembled is None:
            return PartOutcome(part.upload_id, receipt.received)
        try:
            whole = replace(request, file=StagedFile(receipt.assembled, part.filename))
            return PartOutcome(part.upload_id, receipt.received, self.uploader.upload(cloud, whole, origin=origin))
        finally:
            self.parts.release(receipt.assembled)

    def _check(self, part: Part, resource_type: str) -> None:
        r = part.range
        if part.size != r.length:
            raise BadRequest(f"Content-Range bytes {r.first}-{r.last} announces {r.length} bytes, "
                             f"the part has {part.size}")
        if r.total is not None and r.last >= r.total:
            raise BadRequest(f"Content-Range bytes {r.first}-{r.last} end past the total {r.total}")
        kinds = RESOURCE_TYPES if resource_type == "auto" else (resource_type,)
        limit = max(limit_for(kind, self.config) for kind in kinds)
        size = r.total if r.total is not None else r.last + 1
        if size > limit:
            raise BadRequest(f"File size too large. Got {size}. Maximum is {limit}.")

    def _sweep_now_and_then(self) -> None:
        now = self.clock.now()
        if now - self._swept >= SWEEP_EVERY:
            self._swept = now
            self.parts.sweep()

    def sweep(self) -> int:
        """Remove uploads nobody finished within the timeout; how many."""
        return self.parts.sweep()

    def pending(self) -> int:
        return self.parts.pending()
