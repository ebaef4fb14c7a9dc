"""Cold start to the first 200 on ping, of ``cloudinary-emulator serve`` or of a bare Flask app.

``python bench/coldstart.py emulator|flask`` spawns the server, polls its ping with the standard library's HTTP
client until it answers 200, prints the milliseconds and stops the server. Both servers are werkzeug's threaded
server started the same way, so the pair measures what the emulator adds to a Flask app's start.

Both start from bytecode, as an installed package does (pip compiles every module it installs): within
:func:`compiled`, a first, untimed start of each server writes the bytecode of every module it imports into a
temporary ``PYTHONPYCACHEPREFIX`` directory, and the timed starts read it from there. The checkout stays clean,
and an editable install (whose own modules have no bytecode when ``PYTHONDONTWRITEBYTECODE`` is set) is timed
as a user's install runs rather than compiling the emulator's sources on every start.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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


@contextmanager
def compiled(*kinds: str) -> Iterator[dict[str, str]]:
    """An environment in which each of ``kinds`` starts from bytecode written by an untimed first start."""
    with tempfile.TemporaryDirectory(prefix="coldstart-pyc-") as prefix:
        env = {**os.environ, "PYTHONPYCACHEPREFIX": prefix}
        for kind in kinds:
            cold_start(kind, {**env, "PYTHONDONTWRITEBYTECODE": ""})  # empty: bytecode is written
        yield {**env, "PYTHONDONTWRITEBYTECODE": "1"}


def cold_start(kind: str, env: Mapping[str, str] | None = None) -> float:
    """Seconds from spawning the server (in ``env``, by default this process's) to its first 200 on ping."""
    return timed_start(kind, env)[0]


def timed_start(kind: str, env: Mapping[str, str] | None = None) -> tuple[float, float | None]:
    """Wall seconds to the first 200 on ping, and the CPU seconds the server had used by then (its threads' time
    on a processor, from /proc; None where there is no /proc). Load moves the first far more than the second."""
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(command(kind, port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        while True:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                connection.request("GET", "/v1_1/demo/ping", headers={"Authorization": AUTH})
                if connection.getresponse().status == 200:
                    return time.perf_counter() - started, _cpu_seconds(proc.pid)
            except ConnectionError:
                time.sleep(0.002)
            finally:
                connection.close()
    finally:
        proc.terminate()
        proc.wait()


def _cpu_seconds(pid: int) -> float | None:
    """Nanoseconds on a processor of each of the process's threads (``/proc/<pid>/task/*/schedstat``), summed."""
    tasks = Path(f"/proc/{pid}/task")
    if not tasks.is_dir():
        return None
    total = 0
    for task in tasks.iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int((task / "schedstat").read_text().split()[0])
    return total / 1e9


if __name__ == "__main__":
    with compiled(sys.argv[1]) as bytecode:
        print(f"{cold_start(sys.argv[1], bytecode) * 1000:.0f} ms")
