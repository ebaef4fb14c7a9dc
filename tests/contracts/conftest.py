"""Fixtures for the kit's own tests: a fresh emulator (in-process or served) and a way to run the kit on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from flask import Flask

from contracts.client import Client, Run, Target
from contracts.kit import Kit, Settings
from contracts.report import RunReport
from contracts.runner import cleanup, preflight, select, verify
from contracts.transport import HttpTransport, Transport, WsgiTransport
from emulator.app import create_app
from emulator.config import load_config
from emulator.server import EmulatorServer

CLOUD, KEY, SECRET = "demo", "123456789012345", "emulator_secret"
# An hourly Admin budget out of reach (also the emulator's default), whatever the kit's own cap.
CONFIG = {"clouds": {CLOUD: {"api_key": KEY, "api_secret": SECRET, "admin_rate_limit": 1_000_000}}}
EXAMPLES = 5  # small: the kit's own tests must stay quick; `cloudinary-contracts verify` runs 100


@pytest.fixture(autouse=True)
def _no_target_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's CLOUDINARY_URL or CLD_* must never point these tests at a real cloud."""
    for name in ("CLOUDINARY_URL", "CLD_BASE_URL", "CLD_CLOUD", "CLD_API_KEY", "CLD_API_SECRET", "CLD_ONLY",
                 "CLD_SEED", "CLD_MAX_EXAMPLES", "CLD_READ_ONLY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def emulator_app() -> Iterator[Flask]:
    app = create_app(load_config(CONFIG, env={}))
    yield app
    app.extensions["cloudinary_emulator"].close()


def target(base_url: str) -> Target:
    return Target(base_url, CLOUD, KEY, SECRET)


def run_kit(transport: Transport, base_url: str, *, only: Sequence[str] = (), read_only: bool = False,
            examples: int = EXAMPLES, seed: int = 20251129) -> RunReport:
    client = Client(transport, target(base_url), Run(tag="cck_test"))
    preflight(client)
    kit = Kit(client, Settings(max_examples=examples, seed=seed, stateful_steps=8))
    report = verify(kit, select(only, read_only=read_only), read_only=read_only)
    report.cleanup = cleanup(client)
    return report


KitRunner = Callable[..., RunReport]


@pytest.fixture
def kit_in_process() -> KitRunner:
    """Run the kit in-process against any WSGI app (the emulator, or the emulator behind a broken middleware)."""
    def run(app: Any, **kwargs: Any) -> RunReport:
        return run_kit(WsgiTransport(app), WsgiTransport.base_url, **kwargs)

    return run


@pytest.fixture
def kit_over_socket() -> KitRunner:
    def run(app: Any, **kwargs: Any) -> RunReport:
        with EmulatorServer(app) as server:
            transport = HttpTransport(server.url)
            try:
                return run_kit(transport, server.url, **kwargs)
            finally:
                transport.close()

    return run


def failures(report: RunReport) -> dict[str, str]:
    """Property name → its rendered failure report."""
    return {o.name: str(o.failure) for o in report.outcomes if o.failure is not None}
