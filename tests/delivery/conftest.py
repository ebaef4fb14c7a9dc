"""Delivery fixtures: the SDK configured to build URLs pointing at the served emulator, and fetched images."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from PIL import Image

from emulator.server import EmulatorServer
from tests.conftest import SAMPLE, TURTLES


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: requests.structures.CaseInsensitiveDict[str]
    body: bytes

    @property
    def image(self) -> Image.Image:
        im = Image.open(io.BytesIO(self.body))
        im.load()
        return im

    @property
    def error(self) -> str | None:
        return self.headers.get("X-Cld-Error")


def fetch(url: str, **headers: str) -> Fetched:
    response = requests.get(url, headers=headers, timeout=30)
    return Fetched(response.status_code, response.headers, response.content)


@pytest.fixture
def cdn(sdk: Any, server: EmulatorServer) -> Any:
    """The Python SDK building delivery URLs for the emulator: ``cname`` host:port over plain http."""
    sdk.config(cname=f"{server.host}:{server.port}", secure=False)
    return sdk


@pytest.fixture
def turtles(cdn: Any) -> dict[str, Any]:
    """turtles.jpg (320×240) uploaded as ``turtles`` through the SDK."""
    import cloudinary.uploader

    result: dict[str, Any] = cloudinary.uploader.upload(str(TURTLES), public_id="turtles")
    return result


@pytest.fixture
def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()
