"""Cold start to the first 200 on ping, of ``cloudinary-emulator serve`` or of a bare Flask app.

``python bench/coldstart.py emulator|flask`` spawns the server, polls its ping with the standard library's HTTP
client until it answers 200, prints the milliseconds and stops the server. Both servers are werkzeug's threaded
server started the same way, so the pair measures what the emulator adds to a Flask app's start.
"""

from __future__ import annotations

import base64
import http.client
import subprocess
import sys
import time
from pathlib import Path

from common import free_port

AUTH = "Basic " + base64.b64encode(b"123456789012345:emulator_secret").decode()
# The baseline: a Flask app with one JSON route, served by werkzeug's threaded server (as `serve` is).
BARE_FLASK = """
import sys
from flask import Flask, jsonify
from werkzeug.serving import make_server
app = Flask("bare")
@app.get("/v1_1/demo/ping")
def ping():
    return jsonify(status="ok")
make_server("127.0.0.1", int(sys.argv[1]), app, threaded=True).serve_forever()
"""


def command(kind: str, port: int) -> list[str]:
    if kind == "flask":
        return [sys.executable, "-c", BARE_FLASK, str(port)]
    return [str(Path(sys.executable).parent / "cloudinary-emulator"), "serve", "--port", str(port)]


def cold_start(kind: str) -> float:
    """Seconds from spawning the server to its first 200 on ping."""
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(command(kind, port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                connection.request("GET", "/v1_1/demo/ping", headers={"Authorization": AUTH})
                if connection.getresponse().status == 200:
                    return time.perf_counter() - started
            except ConnectionError:
                time.sleep(0.002)
            finally:
                connection.close()
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    print(f"{cold_start(sys.argv[1]) * 1000:.0f} ms")
