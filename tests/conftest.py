"""Shared fixtures: an app on a temporary database, its test client, a served instance, the configured SDK."""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
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
from emulator.storage.sqlite import SQLiteStorage

ROOT = Path(__file__).resolve().parent.parent
TURTLES = ROOT / "fixtures" / "images" / "turtles.jpg"
SAMPLE = ROOT / "fixtures" / "images" / "sample.jpg"
CLOUD = "demo"
BROWSER_MISSING = "no Chromium for the browser tests"  # the skip reason the summary below looks for
KEY, SECRET = DEFAULT_API_KEY, DEFAULT_API_SECRET
CONTROL = {"X-Emulator-Request": "1"}  # what a state-changing control-plane request without a JSON body sends


# Modules that serve processes, build packages, drive a browser or run whole suites: `make test-fast` skips them.
SLOW = ("test_fuzz.py", "install/", "browser/", "e2e/", "contracts/test_plugin.py", "contracts/test_cli.py",
        "contracts/test_broken_targets.py", "contracts/test_kit_against_emulator.py", "contracts/test_economy.py",
        "control/test_plugin.py", "control/test_seed_and_workers.py", "library/test_sdk_node.py",
        "library/test_bench_smoke.py", "upload/test_chunked_bench_smoke.py",
        "library/test_memory_bench_smoke.py", "admin/test_concurrent_writers.py",
        "config/test_coldstart_bench_smoke.py")


_CACHE_HOME: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """The suite's emulators (in-process and served) cache the bundled fixtures in a directory of the run's own,
    not in the user's ``~/.cache``: a test run leaves nothing behind and never reads a cache another run wrote."""
    if "XDG_CACHE_HOME" not in os.environ:
        _CACHE_HOME.append(tempfile.mkdtemp(prefix="emulator-tests-cache-"))
        os.environ["XDG_CACHE_HOME"] = _CACHE_HOME[0]


def pytest_unconfigure(config: pytest.Config) -> None:
    for path in _CACHE_HOME:
        os.environ.pop("XDG_CACHE_HOME", None)
        shutil.rmtree(path, ignore_errors=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        where = item.path.resolve().relative_to(here).as_posix() if item.path.is_relative_to(here) else ""
        if where.startswith(SLOW) or item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.slow)


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
def store() -> Iterator[SQLiteStorage]:
    """A storage on a temporary database of its own (no app)."""
    storage = SQLiteStorage(None)
    yield storage
    storage.close()


@pytest.fixture
def node(server: EmulatorServer) -> Any:
    """Run a snippet of JavaScript against the served emulator with the official Node SDK (``cloudinary`` loaded,
    configured); its return value, as JSON. ``secret=`` signs with another secret."""
    from tests.e2e.node import node_available, run_node

    reason = node_available()
    if reason is not None:
        pytest.fail(f"the Node SDK tests cannot run: {reason}")
    return lambda body, **kw: run_node(body, server.url, cloud=CLOUD, key=KEY, secret=kw.get("secret", SECRET))


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


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say loudly, last, that the browser tests did not run, and how to run them."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if BROWSER_MISSING in str(r.longrepr)]
    if not skipped:
        return
    terminalreporter.write_sep("!", f"{len(skipped)} BROWSER TESTS SKIPPED: no Chromium", red=True, bold=True)
    terminalreporter.write_line(
        "tests/browser/ needs Debian's chromium at /usr/bin/chromium (or EMULATOR_CHROMIUM=/path/to/chromium).\n"
        "Install it with `sudo make chromium` (apt-get install chromium) and run `make test` again.", red=True)
