"""``cloudinary-emulator serve`` in-process: the collector is paused while the server starts and runs again, with
the start's objects frozen, once it serves; a failed start leaves it running."""

from __future__ import annotations

import gc
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from emulator import cli
from emulator import serve as serve_module
from emulator.config import Config
from emulator.server import EmulatorServer


@pytest.fixture(autouse=True)
def _restored() -> Iterator[None]:
    """``serve`` installs a SIGTERM handler and freezes the process's objects: both undone after each test."""
    handler = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, handler)
    gc.unfreeze()
    gc.enable()


def test_the_collector_is_paused_during_the_start_and_runs_once_serving(monkeypatch: pytest.MonkeyPatch,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    during_start: list[bool] = []
    serving: list[tuple[bool, int]] = []
    real = serve_module.create_app

    def create_app(config: Config) -> Flask:
        during_start.append(gc.isenabled())
        return real(config)

    def serve_forever(self: Any) -> None:
        serving.append((gc.isenabled(), gc.get_freeze_count()))

    monkeypatch.setattr(serve_module, "create_app", create_app)
    monkeypatch.setattr(EmulatorServer, "serve_forever", serve_forever)
    assert cli.main(["serve", "--port", "0"]) == 0
    assert during_start == [False]
    assert len(serving) == 1 and serving[0][0] is True and serving[0][1] > 0  # the start's objects frozen
    assert gc.isenabled()
    assert "export CLOUDINARY_URL=" in capsys.readouterr().out


def test_a_failed_start_leaves_the_collector_running(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read config file" in capsys.readouterr().err
    assert gc.isenabled() and gc.get_freeze_count() == 0
