"""bench/served.py serves each app of the upload bench under gunicorn with the connection kept alive (the kept-alive
upload rounds of `make bench`; speed is measured there, not here)."""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests

from tests.conftest import signed
from tests.helpers import BENCH, TURTLES, free_port


def _signed_upload(public_id: str) -> tuple[bytes, str]:
    """A signed upload's body, as the Python SDK sends it, and its content type."""
    fields = signed({"categorization": "imagga_tagging", "auto_tagging": "0.4", "public_id": public_id})
    files = {"file": ("turtles.jpg", TURTLES.read_bytes(), "image/jpeg")}
    prepared = requests.Request("POST", "http://127.0.0.1/", data=fields, files=files).prepare()
    assert isinstance(prepared.body, bytes)
    return prepared.body, prepared.headers["Content-Type"]


@pytest.fixture(params=["emulator", "echo", "echo-multipart"])
def served(request: pytest.FixtureRequest) -> Iterator[int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(BENCH / "served.py"), request.param, str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "bench/served.py did not start"
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_two_uploads_on_one_kept_alive_connection(served: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served, timeout=30)
    try:
        for number in range(2):
            body, kind = _signed_upload(f"kept/{number}")
            conn.request("POST", "/v1_1/demo/image/upload", body=body, headers={"Content-Type": kind})
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            assert not response.will_close  # the connection stays open for the next upload
            assert conn.sock is not None
    finally:
        conn.close()


def test_an_unknown_app_is_refused() -> None:
    done = subprocess.run([sys.executable, str(BENCH / "served.py"), "nginx", "1"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 1
    assert "unknown app 'nginx': one of emulator, echo, echo-multipart" in done.stderr


_INTERLEAVED = """
import sys
sys.path.insert(0, sys.argv[1])
import run
run.UPLOADS, run.BLOCK, run.WARM_UPLOADS = 6, 3, 1
served, kept = run.served_uploads(), run.kept_alive_uploads()
for found in (served.uploads, kept):
    print(*found.rates, found.ratio, *found.spread)
print(*served.cpu_ms)
"""


@pytest.mark.slow
def test_the_upload_rows_upload_to_each_app_in_turn() -> None:
    """bench/run.py's upload rows, small: every app answers each upload (an error would raise), each gets a rate, a
    ratio and its blocks' range, and the in-process servers' CPU per upload is counted for all three."""
    done = subprocess.run([sys.executable, "-c", _INTERLEAVED, str(BENCH)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    *rows, cpu = [[float(x) for x in line.split()] for line in done.stdout.splitlines()[-3:]]
    for rates_ratio_spread in rows:
        rates, ratio, (low, high) = rates_ratio_spread[:3], rates_ratio_spread[3], rates_ratio_spread[4:]
        assert all(rate > 0 for rate in rates) and ratio > 0
        assert low <= high
    assert len(cpu) == 3 and all(ms > 0 for ms in cpu)
