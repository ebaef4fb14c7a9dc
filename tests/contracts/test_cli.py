"""`cloudinary-contracts verify`: exit 0 on a pass, 1 on contract failures, 2 on usage or connection errors."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from flask import Flask

from contracts.cli import main, parser, run_verify
from emulator.server import EmulatorServer
from tests.contracts import broken
from tests.contracts.conftest import CLOUD, KEY, SECRET


@pytest.fixture
def served(emulator_app: Flask) -> Iterator[str]:
    with EmulatorServer(emulator_app) as server:
        yield server.url


def _creds(url: str, secret: str = SECRET) -> list[str]:
    return ["--base-url", url, "--cloud", CLOUD, "--api-key", KEY, "--api-secret", secret]


def test_a_passing_run_exits_0_and_prints_time_per_property(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--in-process", "--max-examples", "2", "--only", "errors", "ordering"]) == 0
    out = capsys.readouterr().out
    assert "PASS  errors" in out and "PASS  ordering" in out and " s " in out
    assert out.rstrip().endswith("cloudinary-contracts: 2 passed, 0 failed")


def test_reports_against_a_base_url(served: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["verify", *_creds(served), "--max-examples", "2", "--only", "upload_signature", "round_trip",
            "--json", str(tmp_path / "r.json"), "--junit-xml", str(tmp_path / "r.xml"), "--seed", "7"]
    assert main(args) == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert (data["passed"], data["failed"], data["seed"]) == (2, 0, 7)
    assert data["cleanup"].startswith("cleaned up") and "of 0" not in data["cleanup"]
    suite = ET.parse(tmp_path / "r.xml").getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("2", "0")
    assert SECRET not in capsys.readouterr().out


def test_contract_failures_exit_1_with_the_report(emulator_app: Flask, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    with EmulatorServer(broken.Broken(emulator_app, broken.errors_as_200)) as server:  # type: ignore[arg-type]
        code = main(["verify", *_creds(server.url), "--max-examples", "2", "--only", "errors", "--seed", "3",
                     "--json", str(tmp_path / "r.json"), "--junit-xml", str(tmp_path / "r.xml")])
    assert code == 1
    out = capsys.readouterr().out
    assert "FAIL  errors" in out and "HTTP 200 with an error body" in out and "curl -sS" in out
    assert "replay: cloudinary-contracts verify --base-url" in out and "--seed 3 --only errors" in out
    failure = json.loads((tmp_path / "r.json").read_text())["properties"][0]["failure"]
    assert failure["property"] == "errors" and failure["response"]["status"] == 200 and failure["curl"]
    assert ET.parse(tmp_path / "r.xml").getroot().find("testcase/failure") is not None


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(("args", "message"), [
    (["--base-url", "http://127.0.0.1:{port}", "--cloud", "c", "--api-key", "k", "--api-secret", "s"], "cannot reach"),
    (["--base-url", "http://127.0.0.1:{port}"], "--base-url needs --cloud, --api-key, --api-secret"),
    (["--in-process", "--only", "nope"], "unknown property nope"),
    (["--in-process", "--max-examples", "0"], "--max-examples must be at least 1"),
])
def test_usage_and_connection_errors_exit_2(args: list[str], message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    port = _closed_port()
    assert main(["verify", *(a.format(port=port) for a in args)]) == 2
    assert message in capsys.readouterr().err


def test_refused_credentials_exit_2(served: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", *_creds(served, "wrong"), "--only", "errors"]) == 2
    assert "answered 401" in capsys.readouterr().err


def test_bad_arguments_exit_2() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["verify", "--max-examples", "many"])
    assert exit_info.value.code == 2


def test_credentials_from_cloudinary_url(served: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = parser().parse_args(["verify", "--max-examples", "1", "--only", "admin_headers"])
    env = {"CLOUDINARY_URL": f"cloudinary://{KEY}:{SECRET}@{CLOUD}?upload_prefix={served}"}
    assert run_verify(args, env) == 0
    assert f"verifying {served}" in capsys.readouterr().out


def test_read_only_lists_only_non_mutating_properties(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--list"]) == 0
    listed = capsys.readouterr().out
    assert "[read-only] " in listed and "library_model" in listed
    assert main(["verify", "--in-process", "--read-only", "--max-examples", "1"]) == 0
    out = capsys.readouterr().out
    assert "library_model" not in out and "PASS  auth" in out


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "cloudinary-contracts"
    done = subprocess.run([str(script), "verify", "--in-process", "--only", "errors", "--max-examples", "1"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed, 0 failed" in done.stdout
