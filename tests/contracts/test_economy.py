"""A run is safe to point at a real account: it spends at most --max-admin-calls rate-limited Admin calls
(60 by default), paces itself by the target's X-FeatureRateLimit-Remaining, reports the calls each property
spent, treats a 420 as the target's rate limit (never as "cannot reach"), and --read-only writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from contracts.budget import DEFAULT_MAX_ADMIN_CALLS
from contracts.cli import main
from contracts.client import Client, ReadOnlyViolation, Run
from contracts.transport import Request, WsgiTransport
from emulator.app import create_app
from emulator.config import load_config
from emulator.server import EmulatorServer
from tests.contracts.broken import Recorder
from tests.contracts.conftest import CLOUD, KEY, SECRET, target


def _app(admin_rate_limit: int) -> Flask:
    return create_app(load_config({"clouds": {CLOUD: {"api_key": KEY, "api_secret": SECRET,
                                                      "admin_rate_limit": admin_rate_limit}}}, env={}))


@pytest.fixture
def small_account() -> Iterator[Flask]:
    """An account with 30 Admin calls an hour: fewer than a default run would like to spend."""
    app = _app(30)
    yield app
    app.extensions["cloudinary_emulator"].close()


def _verify(recorder: Recorder, tmp_path: Path, *extra: str) -> tuple[int, dict[str, object]]:
    with EmulatorServer(recorder) as server:  # type: ignore[arg-type]
        code = main(["verify", "--base-url", server.url, "--cloud", CLOUD, "--api-key", KEY, "--api-secret", SECRET,
                     "--seed", "5", "--json", str(tmp_path / "r.json"), *extra])
    return code, json.loads((tmp_path / "r.json").read_text())


def test_a_default_run_spends_at_most_60_admin_calls_and_says_where(emulator_app: Flask, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    recorder = Recorder(emulator_app)
    code, report = _verify(recorder, tmp_path)
    assert code == 0, capsys.readouterr().out
    assert 0 < recorder.admin_calls <= DEFAULT_MAX_ADMIN_CALLS
    per_property = {p["name"]: p["admin_calls"] for p in report["properties"]}  # type: ignore[attr-defined]
    assert report["admin"]["spent"] == recorder.admin_calls  # type: ignore[index]
    assert sum(per_property.values()) < recorder.admin_calls  # the ping and the clean-up are the rest
    assert per_property["ordering"] == 0 and per_property["library_model"] > 0
    out = capsys.readouterr().out
    assert f"Admin API calls: {recorder.admin_calls} of --max-admin-calls 60" in out
    assert "cleaned up" in out and "of 0" not in out


def test_max_admin_calls_caps_the_run(emulator_app: Flask, tmp_path: Path) -> None:
    recorder = Recorder(emulator_app)
    code, report = _verify(recorder, tmp_path, "--max-admin-calls", "12")
    assert code == 0 and recorder.admin_calls <= 12
    assert report["passed"] + report["stopped"] == len(report["properties"])  # type: ignore[arg-type]


def test_the_kit_paces_itself_by_the_targets_remaining_calls(small_account: Flask, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    recorder = Recorder(small_account)
    code, _ = _verify(recorder, tmp_path)
    assert code == 0, capsys.readouterr()
    assert recorder.charged == 30 and all(status != 420 for *_, status in recorder.seen)
    assert "the target has 0 of 30 left this hour" in capsys.readouterr().out


def test_a_420_is_the_targets_rate_limit_with_its_reset_time(emulator_app: Flask, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Another client spends the budget behind the kit's back: the 420 stops the Admin calls (no retry, no
    shrinking), the rest of the run goes on with the Upload API, and the run says it is incomplete."""
    recorder = Recorder(emulator_app, refuse_after=20)
    code, report = _verify(recorder, tmp_path)
    captured = capsys.readouterr()
    assert code == 2, captured.out
    assert [s for *_, s in recorder.seen].count(420) == 1
    assert "the target's Admin API rate limit: HTTP 420 'Rate Limit Exceeded'; it resets at Tue, 14 Nov 2023 " \
           "23:00:00 GMT" in captured.out
    assert "cannot reach" not in captured.out + captured.err and "incomplete" in captured.err
    assert report["failed"] == 0 and report["admin"]["rate_limited"] == "HTTP 420"  # type: ignore[index]
    statuses = {p["name"]: p["status"] for p in report["properties"]}  # type: ignore[attr-defined]
    assert statuses["languages"] == "pass"  # after the 420: the Upload API work went on


def test_a_420_at_the_first_call_is_not_cannot_reach(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = _app(1)
    app.test_client().get(f"/v1_1/{CLOUD}/ping", auth=(KEY, SECRET))  # the hour's only call
    with EmulatorServer(app) as server:
        code = main(["verify", "--base-url", server.url, "--cloud", CLOUD, "--api-key", KEY, "--api-secret", SECRET])
    app.extensions["cloudinary_emulator"].close()
    err = capsys.readouterr().err
    assert code == 2 and "cannot reach" not in err
    assert "the target's Admin API rate limit: HTTP 420" in err and "it resets at " in err


def test_read_only_sends_no_request_that_could_write(emulator_app: Flask, tmp_path: Path) -> None:
    recorder = Recorder(emulator_app)
    code, report = _verify(recorder, tmp_path, "--read-only", "--max-examples", "20")
    assert code == 0 and report["cleanup"] == "nothing to clean up"
    writes = [(m, p) for m, p, _, _ in recorder.seen
              if m not in ("GET", "OPTIONS") and not p.endswith("/resources/search")]
    assert writes == []
    assert recorder.admin_calls <= DEFAULT_MAX_ADMIN_CALLS


def test_a_read_only_client_refuses_writes_before_sending(emulator_app: Flask) -> None:
    recorder = Recorder(emulator_app)
    client = Client(WsgiTransport(recorder), target(WsgiTransport.base_url), Run(tag="cck_ro"))
    client.read_only = True
    with pytest.raises(ReadOnlyViolation, match="refused to send POST"):
        client.send(client.upload_api_request("destroy", {"public_id": "anything"}))
    client.send(Request("GET", client.path("ping"), headers=client.basic()))
    assert [m for m, *_ in recorder.seen] == ["GET"]
