"""Shared fixtures: an app on a temporary database, its test client, a served instance, the configured SDK."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator import signing
from emulator.app import create_app
from emulator.clock import FrozenClock, IdSource
from emulator.config import DEFAULT_API_KEY, DEFAULT_API_SECRET, Config, load_config
from emulator.server import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
TURTLES = ROOT / "fixtures" / "images" / "turtles.jpg"
SAMPLE = ROOT / "fixtures" / "images" / "sample.jpg"
CLOUD = "demo"
KEY, SECRET = DEFAULT_API_KEY, DEFAULT_API_SECRET
CONTROL = {"X-Emulator-Request": "1"}  # what a state-changing control-plane request without a JSON body sends


@pytest.fixture
def config() -> Config:
    return load_config({}, env={})


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(time.time())


@pytest.fixture
def app(config: Config, clock: FrozenClock) -> Iterator[Flask]:
    application = create_app(config, clock=clock, ids=IdSource(seed=1234))
    yield application
    application.extensions["cloudinary_emulator"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def server(app: Flask) -> Iterator[EmulatorServer]:
    with EmulatorServer(app) as running:
        yield running


@pytest.fixture
def sdk(server: EmulatorServer) -> Iterator[Any]:
    """The official ``cloudinary`` package pointed at the served emulator."""
    import cloudinary

    cloudinary.reset_config()
    cloudinary.config(cloud_name=CLOUD, api_key=KEY, api_secret=SECRET, upload_prefix=server.url)
    yield cloudinary
    cloudinary.reset_config()


def signed(fields: dict[str, str], *, secret: str = SECRET, timestamp: float | None = None,
           algorithm: str = "sha1") -> dict[str, str]:
    """Upload-API form fields with ``timestamp``, ``api_key`` and ``signature`` added, as an SDK would."""
    out = {**fields, "timestamp": str(int(timestamp if timestamp is not None else time.time()))}
    out["signature"] = signing.sign(out, secret, algorithm=algorithm)
    out["api_key"] = KEY
    return out


def basic(key: str = KEY, secret: str = SECRET) -> dict[str, str]:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}
