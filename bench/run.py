"""`make bench` for the core emulator: cold start, and signed uploads per second next to a bare Flask baseline.

Both servers run the same way (werkzeug's threaded server in this process, keep-alive client), in the same
run, so the ratio says what the emulator's own work costs on this machine.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests
from common import free_port, print_table
from flask import Flask, jsonify, request

from emulator import signing
from emulator.app import create_app
from emulator.config import DEFAULT_API_KEY, DEFAULT_API_SECRET, load_config
from emulator.server import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
TURTLES = (ROOT / "fixtures" / "images" / "turtles.jpg").read_bytes()
UPLOADS = 300
COLD_STARTS = 5


def cold_start() -> float:
    """Seconds from spawning `cloudinary-emulator serve` to its first 200 on ping."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1_1/demo/ping"
    started = time.perf_counter()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "cloudinary-emulator"), "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if requests.get(url, auth=(DEFAULT_API_KEY, DEFAULT_API_SECRET), timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except requests.ConnectionError:
                time.sleep(0.005)
    finally:
        proc.terminate()
        proc.wait()


def echo_app() -> Flask:
    """The baseline: parse the same multipart body and answer with a small JSON document."""
    app = Flask("echo")

    @app.post("/v1_1/demo/image/upload")
    def echo() -> object:
        data = request.files["file"].read()
        return jsonify(fields=dict(request.form), bytes=len(data))

    return app


def uploads_per_second(url: str) -> float:
    with requests.Session() as session:
        started = time.perf_counter()
        for i in range(UPLOADS):
            fields = {"categorization": "imagga_tagging", "auto_tagging": "0.4", "public_id": f"b{i}",
                      "timestamp": str(int(time.time()))}
            fields["signature"] = signing.sign(fields, DEFAULT_API_SECRET)
            fields["api_key"] = DEFAULT_API_KEY
            r = session.post(f"{url}/v1_1/demo/image/upload", data=fields, files={"file": ("turtles.jpg", TURTLES)})
            r.raise_for_status()
        return UPLOADS / (time.perf_counter() - started)


def served(app: Flask, measure: Callable[[str], float]) -> float:
    with EmulatorServer(app) as server:
        return measure(server.url)


def main() -> None:
    starts = [cold_start() for _ in range(COLD_STARTS)]
    emulator_rate = served(create_app(load_config({}, env={})), uploads_per_second)
    echo_rate = served(echo_app(), uploads_per_second)
    rows = [
        ("cold start of `serve` to first 200 (median of 5)", f"{statistics.median(starts) * 1000:.0f} ms", "", ""),
        (f"signed upload + imagga_tagging, keep-alive ({UPLOADS} req)", f"{emulator_rate:.0f} req/s",
         f"{echo_rate:.0f} req/s", f"{emulator_rate / echo_rate:.2f}"),
    ]
    header = ("measure", "emulator", "bare Flask echo", "ratio")
    print_table(header, rows)


if __name__ == "__main__":
    main()
