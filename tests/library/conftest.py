"""Helpers for the media-library tests: signed Upload-API forms with arrays, uploads, resources for storage."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from emulator import signing
from emulator.backend.models import Resource, ResourceKey
from emulator.storage.sqlite import SQLiteStorage
from tests.conftest import KEY, SECRET, TURTLES

ADMIN = "/v1_1/demo"


def signed_form(fields: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
    """Upload-API fields as the SDKs send them: arrays as ``name[]``, signed once under the bare name."""
    out: dict[str, str | list[str]] = {**fields, "timestamp": str(int(time.time()))}
    out["signature"] = signing.sign(out, SECRET)
    out["api_key"] = KEY
    return {f"{k}[]" if isinstance(v, list) else k: v for k, v in out.items()}


def upload(client: FlaskClient, public_id: str, **fields: str) -> dict[str, Any]:
    """Upload the turtles test image under ``public_id``; the answer's JSON (asserted 200)."""
    with TURTLES.open("rb") as fh:
        response = client.post(f"{ADMIN}/image/upload",
                               data={**signed_form({"public_id": public_id, **fields}), "file": (fh, "t.jpg")})
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def make(public_id: str, *, created_at: float = 1_700_000_000.0, tags: tuple[str, ...] = (),
         context: dict[str, str] | None = None, width: int = 640, height: int = 480, size: int = 1000,
         fmt: str = "jpg", sha: str = "a" * 64, cloud: str = "demo", type: str = "upload") -> Resource:
    """A resource record for storage-level tests."""
    return Resource(key=ResourceKey(cloud, public_id, "image", type), asset_id=public_id.ljust(32, "0")[:32],
                    version=int(created_at), version_id="v" * 32, format=fmt, width=width, height=height,
                    bytes=size, etag="e" * 32, sha256=sha, created_at=created_at,
                    original_filename=public_id.rpartition("/")[2], tags=tags, context=context or {})


@pytest.fixture
def store() -> Iterator[SQLiteStorage]:
    storage = SQLiteStorage(None)
    yield storage
    storage.close()
