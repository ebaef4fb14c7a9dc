"""The derived-image and enrichment services over in-memory fakes of their ports (no HTTP, no database)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace

import pytest
from PIL import Image

from emulator import media
from emulator.backend import enrich
from emulator.backend.derivatives import Derivatives
from emulator.backend.models import (
    BreakpointSettings,
    EagerItem,
    Moderation,
    Resource,
    ResourceKey,
    UploadExtras,
)
from emulator.errors import BadRequest
from tests.conftest import SAMPLE


class FakeEagerStore:
    def __init__(self) -> None:
        self.rows: dict[tuple[ResourceKey, str, str], tuple[str, bytes]] = {}

    def put(self, key: ResourceKey, sha256: str, variant: str, derived_id: str, data: bytes) -> None:
        self.rows[(key, sha256, variant)] = (derived_id, data)

    def get(self, key: ResourceKey, sha256: str, variant: str) -> bytes | None:
        found = self.rows.get((key, sha256, variant))
        return found[1] if found else None

    def owner(self, cloud: str, derived_id: str) -> ResourceKey | None:
        return next((k[0] for k, v in self.rows.items() if v[0] == derived_id and k[0].cloud == cloud), None)

    def drop(self, key: ResourceKey, derived_ids: Sequence[str] | None) -> None:
        for k in [k for k, v in self.rows.items() if k[0] == key and (derived_ids is None or v[0] in derived_ids)]:
            del self.rows[k]


def _resource(data: bytes) -> Resource:
    facts = media.inspect(data)
    return Resource(ResourceKey("demo", "x"), "a" * 32, 1, "v" * 32, facts.format, facts.width, facts.height,
                    len(data), "e", "s" * 64, 0.0, "x")


def _png(size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "PNG")
    return out.getvalue()


def test_eager_renders_keeps_and_serves() -> None:
    store, data = FakeEagerStore(), SAMPLE.read_bytes()
    service, resource = Derivatives(store), _resource(data)
    extras = UploadExtras(eager=(EagerItem("c_scale,w_100"), EagerItem("w_50", "png"),
                                 EagerItem("c_scale,l_text:arial_20:hi,w_100")))
    made = service.make(resource, data, extras)
    stored = service.with_derived(resource, made)
    assert [(d.transformation, d.format, d.width) for d in stored.derived] == [
        ("c_scale,w_100", "jpg", 100), ("w_50", "png", 50), ("c_scale,l_text:arial_20:hi,w_100", "jpg", 0)]
    service.keep(stored, made)
    assert service.delivered(stored, "c_scale,w_100", "jpg") is not None
    assert service.delivered(stored, "w_50", "png") == made.renderings[1].data
    gone = service.without(stored, [stored.derived[0].id])
    service.forget(stored.key, [stored.derived[0].id])
    assert len(gone.derived) == 2 and service.delivered(stored, "c_scale,w_100", "jpg") is None


def test_eager_replaces_a_derived_image_of_the_same_name() -> None:
    store, data = FakeEagerStore(), SAMPLE.read_bytes()
    service = Derivatives(store)
    resource = _resource(data)
    first = service.with_derived(resource, service.make(resource, data, UploadExtras(eager=(EagerItem("w_10"),))))
    again = service.with_derived(first, service.make(first, data, UploadExtras(eager=(EagerItem("w_10"),
                                                                                      EagerItem("w_20")))))
    assert [d.transformation for d in again.derived] == ["w_10", "w_20"]


def test_breakpoints_with_create_derived_are_kept() -> None:
    service, data = Derivatives(FakeEagerStore()), SAMPLE.read_bytes()
    resource = _resource(data)
    made = service.make(resource, data, UploadExtras(responsive_breakpoints=(
        BreakpointSettings(bytes_step=30000), BreakpointSettings(create_derived=False, transformation="a_90"))))
    kept, rotated = made.breakpoints
    assert kept.breakpoints[0].width == 864 and rotated.breakpoints[0].width == 576
    assert len(made.renderings) == len(kept.breakpoints)


def test_prepare_converts_and_checks_allowed_formats() -> None:
    data = _png()
    facts = media.inspect(data)
    converted = enrich.prepare(data, facts, UploadExtras(format="jpg", allowed_formats=("jpg",)))
    assert converted.facts.format == "jpg" and converted.data[:2] == b"\xff\xd8"
    with pytest.raises(BadRequest, match="Image file format png not allowed"):
        enrich.prepare(data, facts, UploadExtras(allowed_formats=("jpg", "gif")))
    scaled = enrich.prepare(data, facts, UploadExtras(transformation="w_10"))
    assert (scaled.facts.width, scaled.facts.height, scaled.facts.format) == (10, 5, "png")
    assert enrich.prepare(data, facts, UploadExtras()).data is data


def test_lifecycle_fields() -> None:
    resource = _resource(_png((241, 51)))
    pending = enrich.lifecycle(resource, UploadExtras(moderation="manual", backup=True, access_mode="authenticated",
                                                      face_coordinates=((120, 30, 109, 150),)), 5.0)
    assert pending.moderation == (Moderation("manual", "pending", 5.0),) and pending.backup
    assert pending.access_mode == "authenticated" and pending.faces == ((120, 30, 109, 150),)
    approved = enrich.lifecycle(pending, UploadExtras(moderation_status="approved"), 6.0)
    assert approved.moderation == (Moderation("manual", "approved", 6.0),)
    overwritten = enrich.lifecycle(replace(resource, backup=False), UploadExtras(), 7.0, previous=pending)
    assert overwritten.backup
