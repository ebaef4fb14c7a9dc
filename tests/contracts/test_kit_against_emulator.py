"""The kit against the emulator, in-process and over a socket: zero failures."""

from __future__ import annotations

from flask import Flask

from contracts.properties import registry
from tests.contracts.conftest import KitRunner, failures


def test_every_property_passes_in_process(emulator_app: Flask, kit_in_process: KitRunner) -> None:
    report = kit_in_process(emulator_app)
    assert failures(report) == {}
    assert [o.name for o in report.outcomes] == list(registry())
    assert all(o.examples >= 1 and o.requests >= 1 for o in report.outcomes)


def test_every_property_passes_over_a_socket(emulator_app: Flask, kit_over_socket: KitRunner) -> None:
    report = kit_over_socket(emulator_app)
    assert failures(report) == {}
    assert len(report.outcomes) == len(registry())
    assert report.cleanup.startswith("cleaned up") and "0 of 0" not in report.cleanup


def test_read_only_runs_only_what_changes_nothing(emulator_app: Flask, kit_in_process: KitRunner) -> None:
    before = emulator_app.test_client().get("/_emulator/health").status_code
    report = kit_in_process(emulator_app, read_only=True)
    names = {o.name for o in report.outcomes}
    assert names == {n for n, p in registry().items() if not p.mutating}
    assert names >= {"errors", "auth", "admin_headers", "read_only_listing"}
    assert failures(report) == {}
    assert report.cleanup == "nothing to clean up" and before == 200
