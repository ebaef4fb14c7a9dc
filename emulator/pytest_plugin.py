"""pytest plugin (entry point ``pytest11``): the ``cloudinary_emulator`` fixture.

One in-process threaded server per session; state reset before each test; the ``cloudinary`` SDK
configured and ``CLOUDINARY_URL`` set for the test's duration. Options: ``--cloudinary-emulator-config FILE``
(TOML, as for ``serve --config``) and ``--cloudinary-emulator-fixtures DIR``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from emulator.testing import EmulatorHandle


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cloudinary-emulator")
    group.addoption("--cloudinary-emulator-config", default=None, help="TOML config for the emulator fixture")
    group.addoption("--cloudinary-emulator-fixtures", default=None, help="extra fixtures directory")


@pytest.fixture(scope="session")
def _cloudinary_emulator_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    from emulator.app import create_app
    from emulator.config import load_config
    from emulator.runtime import EXTENSION
    from emulator.server import EmulatorServer

    config_file = request.config.getoption("--cloudinary-emulator-config")
    fixtures = request.config.getoption("--cloudinary-emulator-fixtures")
    config = load_config({"fixtures": [fixtures]} if fixtures else {},
                         config_file=Path(config_file) if config_file else None, env={})
    server = EmulatorServer(create_app(config)).start()
    yield server
    server.stop()
    server.app.extensions[EXTENSION].close()


@pytest.fixture
def cloudinary_emulator(_cloudinary_emulator_server: Any) -> Iterator[EmulatorHandle]:
    """A fresh emulator state for this test; yields an :class:`~emulator.testing.EmulatorHandle`."""
    from emulator.testing import EmulatorHandle, point_sdk_at, restore_sdk

    handle = EmulatorHandle(_cloudinary_emulator_server, next(iter(_cloudinary_emulator_server.app.extensions[
        "cloudinary_emulator"].config.clouds)))
    handle.reset()
    saved = os.environ.get("CLOUDINARY_URL")
    os.environ["CLOUDINARY_URL"] = handle.cloudinary_url
    point_sdk_at(handle)
    yield handle
    if saved is None:
        os.environ.pop("CLOUDINARY_URL", None)
    else:
        os.environ["CLOUDINARY_URL"] = saved
    restore_sdk()
