"""`make bench` for the core emulator: cold start; signed uploads per second next to a bare Flask baseline;
resource-details GETs per second from 8 clients, `serve --workers 2` next to `--workers 1`.

Cold starts (bench/coldstart.py) spawn each server as a new process and wait for its first 200 on ping, the
emulator and the bare Flask app in turn, both from bytecode compiled by an untimed first start of each (as an
installed package runs; the checkout's own ``__pycache__`` stays untouched); beside the wall time, the CPU time
each server had used by its first answer, which the machine's load hardly moves.

Uploads: the emulator and two echoes are uploaded to in turn, request by request (A B C, then C B A), each on a
client session of its own and each upload timed, so a machine whose speed drifts, even within a second, moves
every app's uploads alike (rounds of 100 uploads per app, in turn, gave ratios of 0.67-0.99 between runs of the
same code); beside each ratio, the range of its blocks of 100. First each app served by werkzeug's threaded server
in this process (which closes each connection, for all), then with the connection kept alive: each app served by
gunicorn in a process of its own (``bench/served.py``: one gthread worker, as ``serve --workers`` serves the
emulator). The goal's baseline is the bare Flask echo, parsing with werkzeug (Flask's default); the second echo
parses with the ``multipart`` library through the emulator's request class, as the emulator does. Beside each
rate, the CPU time the serving threads spent inside each app per upload (user and kernel): instruction counts
leave the kernel out.

Workers: `serve --workers 1` and `--workers 2` are started in turn (1 2 1 2 ...), each loaded by 8 threads that
send prepared GETs over plain sockets (a client cheap enough not to eat the second core the workers need).
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import upload_cost
from coldstart import compiled, timed_start
from common import free_port, print_table
from flask import Flask
from upload_cost import echo_app, image, upload_fields

from emulator.app import create_app
from emulator.config import DEFAULT_API_KEY, DEFAULT_API_SECRET, load_config
from emulator.server import EmulatorServer

UPLOADS = 1000  # to each app, in turn request by request (rounds of 100 per app spread 0.67-0.99 between runs)
BLOCK = 100  # uploads per app whose ratio is one block of the spread shown
WARM_UPLOADS = 20  # to each app before the timed ones
SERVED = Path(__file__).resolve().parent / "served.py"
CLIENTS = 8
GETS = 2000  # per workers run
WORKER_PAIRS = 5
_IDS = itertools.count()
COLD_STARTS = 15  # pairs: the emulator, then the bare Flask app, in turn (fewer left the median
# ratio moving by ±0.08 between runs on the development machine)
COLD_START_GOAL = 1.3  # × the bare Flask app (issue 16)


def upload(session: requests.Session, url: str, new_bytes: bool = False) -> None:
    """One signed upload under a new public id (an upload under the last one's would measure an overwrite); with
    ``new_bytes``, other bytes each time too (nothing the emulator stored or inspected before)."""
    number = next(_IDS)
    r = session.post(f"{url}/v1_1/demo/image/upload", data=upload_fields(f"b{number}"),
                     files={"file": ("turtles.jpg", image(number, new_bytes))})
    r.raise_for_status()


@dataclass(frozen=True)
class Interleaved:
    rates: tuple[float, float, float]  # uploads/s: the emulator, the bare Flask echo, the same-parser echo
    ratio: float  # the emulator's rate / the bare echo's: the echo's total time over the emulator's
    same_parser_ratio: float
    spread: tuple[float, float]  # the lowest and highest ratio of the blocks of BLOCK uploads


def interleaved(urls: Sequence[str], new_bytes: bool = False) -> Interleaved:
    """:data:`UPLOADS` uploads to each of the three apps at ``urls`` (emulator, bare echo, same-parser echo), request
    by request in turn (A B C, then C B A), each on its app's own client session, each timed: a machine whose
    speed drifts, even within a second, moves every app's uploads alike."""
    blocks = -(-UPLOADS // BLOCK)
    spent = [[0.0] * blocks for _ in urls]
    sessions = [requests.Session() for _ in urls]
    try:
        for session, url in zip(sessions, urls, strict=True):
            for _ in range(WARM_UPLOADS):  # first requests pay for imports and caches
                upload(session, url, new_bytes)
        for number in range(UPLOADS):
            for app in range(len(urls)) if number % 2 == 0 else reversed(range(len(urls))):
                started = time.perf_counter()
                upload(sessions[app], urls[app], new_bytes)
                spent[app][number // BLOCK] += time.perf_counter() - started
    finally:
        for session in sessions:
            session.close()
    emulator, echo, same = (sum(times) for times in spent)
    ratios = [b / a for a, b in zip(spent[0], spent[1], strict=True)]
    return Interleaved((UPLOADS / emulator, UPLOADS / echo, UPLOADS / same), echo / emulator, same / emulator,
                       (min(ratios), max(ratios)))


class ServerCPU:
    """The CPU time (user and kernel) the serving threads spend inside an app, summed over its requests.

    Instructions counted by callgrind leave out the kernel's work (SQLite's writes, the file store's calls) and
    weigh every instruction alike, and requests per second include the client and the HTTP server, which cost
    every side the same: this is what each app itself costs, the kernel's share included.
    """

    def __init__(self, app: Flask) -> None:
        self.seconds, self.calls = 0.0, 0
        self._inner = app.wsgi_app
        app.wsgi_app = self  # type: ignore[method-assign]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        started = time.thread_time()
        try:
            return list(self._inner(environ, start_response))  # the answer made whole, inside the timing
        finally:
            self.seconds += time.thread_time() - started
            self.calls += 1

    def reset(self) -> None:
        self.seconds, self.calls = 0.0, 0

    def per_call_ms(self) -> float:
        return self.seconds / max(1, self.calls) * 1000


@dataclass(frozen=True)
class UploadRates:
    uploads: Interleaved
    cpu_ms: tuple[float, float, float]  # the serving threads' CPU per upload: emulator, echo, same-parser echo


def served_uploads(new_bytes: bool = False) -> UploadRates:
    """The emulator and both echoes, each served by werkzeug's threaded server in this process, uploaded to in
    turn (:func:`interleaved`); and each app's CPU time per upload."""
    apps = (create_app(load_config({}, env={})), echo_app(), echo_app("multipart"))
    cpu = [ServerCPU(app) for app in apps]
    with contextlib.ExitStack() as servers:
        urls = [servers.enter_context(EmulatorServer(app)).url for app in apps]
        for url in urls:  # warm each, then count from zero
            with requests.Session() as session:
                upload(session, url, new_bytes)
        for counter in cpu:
            counter.reset()
        found = interleaved(urls, new_bytes)
    return UploadRates(found, (cpu[0].per_call_ms(), cpu[1].per_call_ms(), cpu[2].per_call_ms()))


def kept_alive_uploads() -> Interleaved:
    """The same uploads with each client's connection kept alive: each app served by gunicorn in a process of its
    own (``bench/served.py``), all three started first."""
    ports = {kind: free_port() for kind in upload_cost.KINDS}
    procs = [subprocess.Popen([sys.executable, str(SERVED), kind, str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for kind, port in ports.items()]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports.values()]
        for url in urls:
            _wait_until(lambda url=url: _answers_uploads(url), url)
        return interleaved(urls)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait()


def _answers_uploads(url: str) -> bool:
    """Whether the server at ``url`` answers an upload yet."""
    try:
        with requests.Session() as session:
            upload(session, url)
        return True
    except requests.ConnectionError:
        return False


def _wait_until(ready: Callable[[], bool], what: str) -> None:
    """Until ``ready()`` (a server that started), 30 s at most."""
    deadline = time.monotonic() + 30
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.05)


# -- serve --workers: details GETs from 8 clients ---------------------------------------------------------------

def details_per_second(workers: int) -> float:
    """Resource-details GETs per second from :data:`CLIENTS` threads against `serve --workers N`."""
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "cloudinary-emulator"), "serve", "--port", str(port),
                             "--workers", str(workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    request = _details_request(port)
    try:
        _wait_until(lambda: _answers(port, request), "the emulator")
        _load(port, request, 20)  # warm every worker's caches
        started = time.perf_counter()
        ok = _load(port, request, GETS // CLIENTS)
        elapsed = time.perf_counter() - started
        if ok != GETS // CLIENTS * CLIENTS:
            raise RuntimeError(f"only {ok} of {GETS // CLIENTS * CLIENTS} GETs answered 200")
        return ok / elapsed
    finally:
        proc.terminate()
        proc.wait()


def _details_request(port: int) -> bytes:
    auth = base64.b64encode(f"{DEFAULT_API_KEY}:{DEFAULT_API_SECRET}".encode()).decode()
    return (f"GET /v1_1/demo/resources/image/upload/sample HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Basic {auth}\r\n\r\n").encode()


def _answers(port: int, request: bytes) -> bool:
    try:
        return _get_many(port, request, 1) == 1
    except OSError:
        return False


def _load(port: int, request: bytes, each: int) -> int:
    """``each`` GETs from each of :data:`CLIENTS` threads at once; how many answered 200."""
    counts: list[int] = []
    threads = [threading.Thread(target=lambda: counts.append(_get_many(port, request, each)))
               for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts)


def _get_many(port: int, request: bytes, count: int) -> int:
    """Send ``request`` ``count`` times on one keep-alive connection (a new one when the server closes it)."""
    ok, conn = 0, None
    try:
        for _ in range(count):
            if conn is None:
                conn = socket.create_connection(("127.0.0.1", port), timeout=30).makefile("rwb")
            conn.write(request)
            conn.flush()
            status, length, close = _read_head(conn)
            conn.read(length)
            ok += status == 200
            if close:
                conn.close()
                conn = None
    finally:
        if conn is not None:
            conn.close()
    return ok


def _read_head(conn: Any) -> tuple[int, int, bool]:
    """Status, Content-Length and whether the server closes the connection after this response."""
    status = int(conn.readline().split()[1])
    length, close = 0, False
    while (line := conn.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
        elif name.lower() == b"connection":
            close = value.strip().lower() == b"close"
    return status, length, close


def workers_rounds() -> tuple[float, float, float]:
    """Median GETs/s of --workers 1 and 2 (run in turn), and the median of the paired ratios."""
    pairs = [(details_per_second(1), details_per_second(2)) for _ in range(WORKER_PAIRS)]
    return (statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs),
            statistics.median(b / a for a, b in pairs))


@dataclass(frozen=True)
class ColdStarts:
    emulator: float  # median wall seconds to the first 200 on ping
    flask: float
    ratio: float  # median of the pairs' ratios
    emulator_cpu: float | None  # median CPU seconds the server had used by then (None without /proc)
    flask_cpu: float | None
    cpu_ratio: float | None


def cold_starts() -> ColdStarts:
    """Median cold start of `serve` and of the bare Flask app, run in turn (A B A B ...), and the median of the
    pairs' ratios, so a machine whose speed drifts during the run moves both figures of a pair alike; the same
    for the CPU time each server had used by its first answer, which the machine's load hardly moves."""
    with compiled("emulator", "flask") as bytecode:
        pairs = [(timed_start("emulator", bytecode), timed_start("flask", bytecode)) for _ in range(COLD_STARTS)]
    cpu = [(a[1], b[1]) for a, b in pairs if a[1] is not None and b[1] is not None]
    return ColdStarts(statistics.median(a[0] for a, _ in pairs), statistics.median(b[0] for _, b in pairs),
                      statistics.median(a[0] / b[0] for a, b in pairs),
                      statistics.median(a for a, _ in cpu) if cpu else None,
                      statistics.median(b for _, b in cpu) if cpu else None,
                      statistics.median(a / b for a, b in cpu) if cpu else None)


def _ratio(found: Interleaved) -> str:
    """The ratio, and the range of its blocks' ratios."""
    low, high = found.spread
    return f"{found.ratio:.2f} (blocks of {BLOCK}: {low:.2f}-{high:.2f})"


def main() -> None:
    starts = cold_starts()
    served, new = served_uploads(), served_uploads(new_bytes=True)
    rates, kept = served.uploads, kept_alive_uploads()
    counted = shutil.which("valgrind") is not None
    emulator_cost, echo_cost, same_cost = (upload_cost.instructions_per_upload(kind) if counted else 0.0
                                           for kind in upload_cost.KINDS)
    one, two, workers_ratio = workers_rounds()
    rows = [
        (f"cold start of `serve` to first 200 on ping (median of {COLD_STARTS} pairs)",
         f"{starts.emulator * 1000:.0f} ms", f"{starts.flask * 1000:.0f} ms (bare Flask app)", f"{starts.ratio:.2f}",
         f"≤ {COLD_START_GOAL}×"),
        ("the same, CPU time the server had used by its first 200 (independent of the machine's load)",
         f"{starts.emulator_cpu * 1000:.0f} ms" if starts.emulator_cpu is not None else "no /proc",
         f"{starts.flask_cpu * 1000:.0f} ms (bare Flask app)" if starts.flask_cpu is not None else "-",
         f"{starts.cpu_ratio:.2f}" if starts.cpu_ratio is not None else "-", f"≤ {COLD_START_GOAL}×"),
        (f"signed upload + imagga_tagging, one client session per app ({UPLOADS} to each, in turn)",
         f"{rates.rates[0]:.0f} req/s", f"{rates.rates[1]:.0f} req/s (bare Flask echo)", _ratio(rates), "≥ 0.85×"),
        ("the same, against an echo parsing with `multipart` as the emulator does", f"{rates.rates[0]:.0f} req/s",
         f"{rates.rates[2]:.0f} req/s (same-parser echo)", f"{rates.same_parser_ratio:.2f}", "-"),
        ("the same, other bytes each upload (none stored or inspected before)", f"{new.uploads.rates[0]:.0f} req/s",
         f"{new.uploads.rates[1]:.0f} req/s (bare Flask echo)", _ratio(new.uploads), "≥ 0.85×"),
        ("the same, against the same-parser echo", f"{new.uploads.rates[0]:.0f} req/s",
         f"{new.uploads.rates[2]:.0f} req/s (same-parser echo)", f"{new.uploads.same_parser_ratio:.2f}", "-"),
        ("signed upload (same bytes), connection kept alive, each app under gunicorn in a process of its own",
         f"{kept.rates[0]:.0f} req/s", f"{kept.rates[1]:.0f} req/s (bare Flask echo)", _ratio(kept), "≥ 0.85×"),
        ("the same, against the same-parser echo", f"{kept.rates[0]:.0f} req/s",
         f"{kept.rates[2]:.0f} req/s (same-parser echo)", f"{kept.same_parser_ratio:.2f}", "-"),
        ("serving threads' CPU per signed upload, in the app (user + kernel; same bytes)",
         f"{served.cpu_ms[0]:.2f} ms", f"{served.cpu_ms[1]:.2f} ms (bare Flask echo)",
         f"{served.cpu_ms[1] / served.cpu_ms[0]:.2f}", "-"),
        ("the same, against the same-parser echo", f"{served.cpu_ms[0]:.2f} ms",
         f"{served.cpu_ms[2]:.2f} ms (same-parser echo)", f"{served.cpu_ms[2] / served.cpu_ms[0]:.2f}", "-"),
        ("CPU instructions per signed upload, in-process WSGI (callgrind: independent of the machine's load)",
         f"{emulator_cost / 1e6:.2f} M" if counted else "valgrind not installed",
         f"{echo_cost / 1e6:.2f} M (bare Flask echo)" if counted else "-",
         f"{echo_cost / emulator_cost:.2f}" if counted else "-", "-"),
        ("the same, against the same-parser echo", f"{emulator_cost / 1e6:.2f} M" if counted else "-",
         f"{same_cost / 1e6:.2f} M (same-parser echo)" if counted else "-",
         f"{same_cost / emulator_cost:.2f}" if counted else "-", "-"),
        (f"details GET/s, {CLIENTS} clients, `--workers 2` ({WORKER_PAIRS} pairs, in turn)", f"{two:.0f} req/s",
         f"{one:.0f} req/s (`--workers 1`)", f"{workers_ratio:.2f}", "≥ 1.7×"),
    ]
    header = ("measure", "emulator", "baseline, same run", "ratio", "goal")
    print_table(header, rows)


if __name__ == "__main__":
    main()
