"""``serve --tls``: HTTPS on the same port as HTTP, so an answer's ``secure_url`` resolves as its ``url`` does."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask

from emulator.server import EmulatorServer
from emulator.tls import local_tls
from tests.conftest import TURTLES, signed
from tests.helpers import BIN, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture
def tls_server(app: Flask, tmp_path: Path) -> Iterator[EmulatorServer]:
    with EmulatorServer(app, tls=local_tls(tmp_path / "ca.pem")) as running:
        yield running


def _upload(server: EmulatorServer) -> dict[str, str]:
    form = signed({"public_id": "turtles"})
    response = requests.post(f"{server.url}/v1_1/demo/image/upload", data=form,
                             files={"file": ("turtles.jpg", TURTLES.read_bytes(), "image/jpeg")}, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


def test_secure_url_and_url_of_one_answer_both_resolve_on_one_port(tls_server: EmulatorServer) -> None:
    assert tls_server.tls is not None
    answer = _upload(tls_server)
    assert answer["secure_url"] == f"https://127.0.0.1:{tls_server.port}/demo/image/upload/v{answer['version']}/turtles.jpg"
    secure = requests.get(answer["secure_url"], verify=str(tls_server.tls.ca_file), timeout=10)
    plain = requests.get(answer["url"], timeout=10)
    assert secure.status_code == plain.status_code == 200
    assert secure.headers["Content-Type"] == "image/jpeg" and secure.content == plain.content


def test_a_client_that_does_not_trust_the_ca_is_refused_and_the_server_goes_on(tls_server: EmulatorServer) -> None:
    with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        requests.get(f"https://127.0.0.1:{tls_server.port}/_emulator/health", timeout=10)
    assert requests.get(f"{tls_server.url}/_emulator/health", timeout=10).json()["status"] == "ok"


def test_the_certificate_names_the_local_host(tls_server: EmulatorServer) -> None:
    assert tls_server.tls is not None
    for host in ("localhost", "127.0.0.1"):
        ok = requests.get(f"https://{host}:{tls_server.port}/_emulator/health", verify=str(tls_server.tls.ca_file),
                          timeout=10)
        assert ok.status_code == 200


def test_serve_tls_prints_where_the_ca_is_and_answers_https(tmp_path: Path) -> None:
    port, ca = free_port(), tmp_path / "ca.pem"
    proc = subprocess.Popen([str(BIN / "cloudinary-emulator"), "serve", "--port", str(port), "--tls", "--tls-ca",
                             str(ca)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        banner = [proc.stdout.readline() for _ in range(2)]
        assert banner == [f"cloudinary-emulator serving on http://127.0.0.1:{port}\n",
                          f"  and on https://127.0.0.1:{port}, certified by the CA in {ca}\n"]
        ping = requests.get(f"https://127.0.0.1:{port}/v1_1/demo/ping", auth=("123456789012345", "emulator_secret"),
                            verify=str(ca), timeout=10)
        assert ping.json() == {"status": "ok"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_tls_with_workers_is_refused_at_start() -> None:
    out = subprocess.run([str(BIN / "cloudinary-emulator"), "serve", "--tls", "--workers", "2"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2
    assert out.stderr == "cloudinary-emulator: --tls serves from one process; it cannot be combined with --workers\n"


def test_emulate_cloudinary_with_tls_serves_secure_urls() -> None:
    import cloudinary.uploader

    from emulator.testing import emulate_cloudinary

    with emulate_cloudinary(tls=True) as cld:
        assert cld.ca_file is not None and cld.ca_file.exists()
        answer = cloudinary.uploader.upload(str(TURTLES), public_id="t")
        assert requests.get(answer["secure_url"], verify=str(cld.ca_file), timeout=10).status_code == 200
    assert not cld.ca_file.exists()  # removed with the server
