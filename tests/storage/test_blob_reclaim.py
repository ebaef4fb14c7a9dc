"""Bytes are reclaimed when no resource refers to them, after the commit, and never from under an upload
that is about to refer to them."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask

from emulator.backend.models import ResourceKey, StagedBlob
from tests.conftest import CLOUD, TURTLES, signed

IMAGE = TURTLES.read_bytes()


def _upload(app: Flask, public_id: str) -> dict[str, Any]:
    form = {**signed({"public_id": public_id}), "file": (io.BytesIO(IMAGE), "t.jpg")}
    r = app.test_client().post(f"/v1_1/{CLOUD}/image/upload", data=form, content_type="multipart/form-data")
    assert r.status_code == 200, r.json
    result: dict[str, Any] = r.json
    return result


def test_a_deletion_between_keeping_bytes_and_committing_cannot_lose_them(app: Flask) -> None:
    """A deletes its resource (the only one using the bytes) while B, uploading the same bytes, has kept them
    but not committed: the reclaim takes them, B's commit finds them gone, keeps them again and commits."""
    em = app.extensions["cloudinary_emulator"]
    storage, blobs = em.storage, em.assets.blobs
    _upload(app, "a")
    keep = blobs.keep
    calls: list[str] = []

    def keep_then_race(staged: StagedBlob) -> None:
        keep(staged)
        calls.append(staged.sha256)
        if len(calls) == 1:
            assert em.library.destroy(ResourceKey(CLOUD, "a"))  # reclaims the bytes: no committed row uses them
            assert storage.blob(staged.sha256) is None

    blobs.keep = keep_then_race
    try:
        b = _upload(app, "b")
    finally:
        blobs.keep = keep
    assert len(calls) == 2  # kept, lost to the reclaim, kept again
    sha = storage.get(ResourceKey(CLOUD, "b")).sha256
    assert storage.blob(sha) == IMAGE
    assert app.test_client().get(f"/{CLOUD}/image/upload/v{b['version']}/b.jpg").data == IMAGE


def test_overwriting_with_other_bytes_reclaims_the_old_ones(app: Flask) -> None:
    storage = app.extensions["cloudinary_emulator"].storage
    form = {**signed({"public_id": "x"}), "file": (io.BytesIO(IMAGE), "t.jpg")}
    app.test_client().post(f"/v1_1/{CLOUD}/image/upload", data=form, content_type="multipart/form-data")
    old = storage.get(ResourceKey(CLOUD, "x")).sha256
    sample = storage.get(ResourceKey(CLOUD, "sample"))
    other = storage.blob(sample.sha256)
    form = {**signed({"public_id": "x"}), "file": (io.BytesIO(other), "s.jpg")}
    app.test_client().post(f"/v1_1/{CLOUD}/image/upload", data=form, content_type="multipart/form-data")
    assert storage.blob(old) is None
    assert storage.blob(sample.sha256) == other  # still used by sample and x


def test_a_failed_upload_leaves_no_bytes_behind(app: Flask) -> None:
    storage = app.extensions["cloudinary_emulator"].storage
    before = set(storage.files.digests())
    form = {**signed({}), "file": (io.BytesIO(b"not an image"), "x.jpg")}
    r = app.test_client().post(f"/v1_1/{CLOUD}/image/upload", data=form, content_type="multipart/form-data")
    assert r.status_code == 400
    assert set(storage.files.digests()) == before
    assert list((storage.files.root / "tmp").iterdir()) == []
