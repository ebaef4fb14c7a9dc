"""`make bench` for the core emulator: cold start, and signed uploads per second next to a bare Flask baseline.

Both servers run the same way (werkzeug's threaded server, keep-alive client), in the same run, so the ratio says
what the emulator's own work costs on this machine. Cold starts (bench/coldstart.py) spawn each server as a new
process and wait for its first 200 on ping, the emulator and the bare Flask app in turn.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import requests
from coldstart import cold_start
from common import print_table
from flask import Flask, jsonify, request

from emulator import signing
from emulator.app import create_app
from emulator.config import DEFAULT_API_KEY, DEFAULT_API_SECRET, load_config
from emulator.server import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
TURTLES = (ROOT / "fixtures" / "images" / "turtles.jpg").read_bytes()
UPLOADS = 300
COLD_STARTS = 7  # pairs: the emulator, then the bare Flask app, in turn
COLD_START_GOAL = 1.3  # × the bare Flask app (issue 16)


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


def cold_starts() -> tuple[float, float, float]:
    """Median cold start of `serve` and of the bare Flask app, run in turn (A B A B ...), and the median of the
    pairs' ratios, so a machine whose speed drifts during the run moves both figures of a pair alike."""
    pairs = [(cold_start("emulator"), cold_start("flask")) for _ in range(COLD_STARTS)]
    return (statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs),
            statistics.median(a / b for a, b in pairs))


def main() -> None:
    emulator_start, flask_start, start_ratio = cold_starts()
    emulator_rate = served(create_app(load_config({}, env={})), uploads_per_second)
    echo_rate = served(echo_app(), uploads_per_second)
    rows = [
        (f"cold start of `serve` to first 200 on ping (median of {COLD_STARTS} pairs)",
         f"{emulator_start * 1000:.0f} ms", f"{flask_start * 1000:.0f} ms (bare Flask app)", f"{start_ratio:.2f}",
         f"≤ {COLD_START_GOAL}×"),
        (f"signed upload + imagga_tagging, keep-alive ({UPLOADS} req)", f"{emulator_rate:.0f} req/s",
         f"{echo_rate:.0f} req/s (bare Flask echo)", f"{emulator_rate / echo_rate:.2f}", "≥ 0.85×"),
    ]
    header = ("measure", "emulator", "baseline, same run", "ratio", "goal")
    print_table(header, rows)


if __name__ == "__main__":
    main()
