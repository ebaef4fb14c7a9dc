"""``/_emulator/seed`` reads files only below the fixtures directories and the configured seed root."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from emulator import cli, serve
from emulator.app import create_app
from emulator.config import load_config
from emulator.server import EmulatorServer
from tests.conftest import TURTLES, basic

DETAILS = "/v1_1/demo/resources/image/upload/"


def _refusal(value: str) -> str:
    return (f"resources[0]: Files are read only below the fixtures directories and the seed root - {value}. "
            "Send the bytes as a data URI, or set seed_root (EMULATOR_SEED_ROOT)")


def test_by_default_no_path_outside_the_fixtures_is_read(client: FlaskClient, tmp_path: Path) -> None:
    outside = tmp_path / "secret.jpg"
    shutil.copy(TURTLES, outside)
    for value in (str(outside), str(tmp_path / "missing.jpg"), "/etc/passwd", "../../../etc/passwd"):
        r = client.post("/_emulator/seed", json={"resources": [{"file": value, "public_id": "x"}]})
        assert (r.status_code, r.json) == (400, {"error": {"message": _refusal(value)}})  # exists or not: alike
    assert client.get(DETAILS + "x", headers=basic()).status_code == 404


@pytest.mark.parametrize("value", ["a" * 5000, "images/" + "b" * 300 + ".jpg", "images/t\x00.jpg"])
def test_a_name_the_file_system_cannot_hold_is_the_same_refusal(client: FlaskClient, value: str) -> None:
    for body in ({"resources": [{"file": value, "public_id": "x"}]}, {"folder": value}):
        r = client.post("/_emulator/seed", json=body)
        assert r.status_code == 400
        assert "Files are read only below the fixtures directories" in r.json["error"]["message"]


def test_paths_relative_to_the_fixtures_are_read(client: FlaskClient) -> None:
    r = client.post("/_emulator/seed", json={"resources": [{"file": "images/turtles.jpg", "public_id": "t"}]})
    assert (r.status_code, r.json) == (200, {"cloud": "demo", "seeded": ["t"]})


@pytest.fixture
def rooted(tmp_path: Path) -> Iterator[Flask]:
    (tmp_path / "root").mkdir()
    app = create_app(load_config({"seed_root": str(tmp_path / "root"), "max_file_size": 200_000}, env={}))
    yield app
    app.extensions["cloudinary_emulator"].close()


def test_the_seed_root_is_read_and_a_symlink_out_of_it_is_not(rooted: Flask, tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copy(TURTLES, root / "t.jpg")
    shutil.copy(TURTLES, tmp_path / "outside.jpg")
    (root / "escape.jpg").symlink_to(tmp_path / "outside.jpg")
    client = rooted.test_client()
    assert client.post("/_emulator/seed", json={"resources": [{"file": str(root / "t.jpg")}]}).status_code == 200
    r = client.post("/_emulator/seed", json={"resources": [{"file": str(root / "escape.jpg")}]})
    assert (r.status_code, r.json) == (400, {"error": {"message": _refusal(str(root / "escape.jpg"))}})


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(rooted: Flask, tmp_path: Path) -> None:
    big = tmp_path / "root" / "big.jpg"
    with big.open("wb") as fh:
        fh.truncate(5 * 1024 * 1024 * 1024)  # 5 GB, sparse: reading it would take minutes and the memory
    r = rooted.test_client().post("/_emulator/seed", json={"resources": [{"file": str(big)}]})
    assert (r.status_code, r.json) == (400, {"error": {"message": "resources[0]: File size too large. "
                                                                  "Got 5368709120. Maximum is 200000."}})


def test_over_a_socket_an_outside_path_is_refused(server: EmulatorServer) -> None:
    r = requests.post(f"{server.url}/_emulator/seed", json={"resources": [{"file": "/etc/hostname"}]}, timeout=10)
    assert (r.status_code, r.json()) == (400, {"error": {"message": _refusal("/etc/hostname")}})


def test_serving_beyond_loopback_generates_a_control_token() -> None:
    args = cli._parser().parse_args(["serve", "--host", "0.0.0.0"])
    assert len(serve._config(args).control_token) >= 24
    local = cli._parser().parse_args(["serve"])
    assert serve._config(local).control_token == ""
    given = cli._parser().parse_args(["serve", "--host", "0.0.0.0", "--control-token", "mine"])
    assert serve._config(given).control_token == "mine"
