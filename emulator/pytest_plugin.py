"""pytest plugin (entry point ``pytest11``): the ``cloudinary_emulator`` fixture.

One in-process threaded server per session; state reset before each test; the ``cloudinary`` SDK
configured and ``CLOUDINARY_URL`` set for the test's duration. Options: ``--cloudinary-emulator-config FILE``
(TOML, as for ``serve --config``), ``--cloudinary-emulator-fixtures DIR`` and ``--cloudinary-emulator-tls``.
"""

from __future__ import annotations

import contextlib
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
    group.addoption("--cloudinary-emulator-tls", action="store_true", default=False,
                    help="answer HTTPS on the emulator's port too, so secure_url resolves (trust handle.ca_file)")


@pytest.fixture(scope="session")
def _cloudinary_emulator_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    from emulator.app import create_app
    from emulator.config import load_config
    from emulator.runtime import EXTENSION
    from emulator.server import EmulatorServer
    from emulator.testing import temporary_tls

    config_file = request.config.getoption("--cloudinary-emulator-config")
    fixtures = request.config.getoption("--cloudinary-emulator-fixtures")
    config = load_config({"fixtures": [fixtures]} if fixtures else {},
                         config_file=Path(config_file) if config_file else None, env={})
    with contextlib.ExitStack() as stack:
        tls = temporary_tls(stack) if request.config.getoption("--cloudinary-emulator-tls") else None
        server = EmulatorServer(create_app(config), tls=tls).start()
        yield server
        server.stop()
        server.app.extensions[EXTENSION].close()


@pytest.fixture
def cloudinary_emulator(_cloudinary_emulator_server: Any) -> Iterator[EmulatorHandle]:
    """A fresh emulator state for this test; yields an :class:`~emulator.testing.EmulatorHandle`."""
    from emulator.runtime import EXTENSION
    from emulator.testing import EmulatorHandle, clients_pointed_at

    clouds = _cloudinary_emulator_server.app.extensions[EXTENSION].config.clouds
    handle = EmulatorHandle(_cloudinary_emulator_server, next(iter(clouds)))
    handle.reset()
    with clients_pointed_at(handle):
        yield handle
