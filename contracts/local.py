"""A local emulator to verify when no base URL is given — the one place the kit touches :mod:`emulator`,
imported lazily so that the kit itself stays independent of it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from contracts.client import Target
from contracts.transport import HttpTransport, Transport, WsgiTransport


@contextmanager
def local_target(*, in_process: bool = False) -> Iterator[tuple[Transport, Target]]:
    """A fresh emulator on a temporary database: served on a free port, or called in-process."""
    from emulator.app import create_app
    from emulator.config import load_config
    from emulator.server import EmulatorServer

    # An hourly Admin budget out of reach, whatever --max-admin-calls a thorough local run is given.
    config = load_config({"clouds": {"demo": {"admin_rate_limit": 1_000_000}}}, env={})
    cloud = next(iter(config.clouds.values()))
    app: Any = create_app(config)
    try:
        if in_process:
            yield WsgiTransport(app), Target(WsgiTransport.base_url, cloud.name, cloud.api_key, cloud.api_secret)
            return
        with EmulatorServer(app) as server:
            transport = HttpTransport(server.url)
            try:
                yield transport, Target(server.url, cloud.name, cloud.api_key, cloud.api_secret)
            finally:
                transport.close()
    finally:
        app.extensions["cloudinary_emulator"].close()  # its worker and temporary databases
