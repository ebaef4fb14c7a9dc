"""What one Admin API call costs in CPU instructions, the emulator next to a bare Flask JSON route.

The fixed cost every API call pays (hooks, the control plane's clock and faults, authentication, the rate-limit
count, the journal) is most of a details GET or a list by tag. Instruction counts (valgrind's callgrind) do not
move with the machine's load. As in ``bench/upload_cost.py``, the calls go straight to each WSGI app in this
process, each side is counted after :data:`WARM` calls and after ``WARM + n``, and the difference over ``n`` is one
call's cost. The emulator runs with its default configuration (the Admin API's hourly budget counted) on a small
library bulk-loaded as ``bench/library.py`` loads it.

``python bench/call_cost.py [get|tag] [-n N]`` prints both figures and their ratio (needs valgrind);
``python bench/call_cost.py --child emulator|bare get|tag COUNT`` is one counted process.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask, jsonify

sys.path.insert(0, str(Path(__file__).resolve().parent))

import library  # bench/library.py, beside this file
from common import callgrind_instructions, send_counted

WARM = 20  # calls before counting starts (imports and caches of the first requests)
COUNTED = 50  # by default; at most MOST (SQLite's checkpoints of the write-ahead log land in some runs and not
MOST = 400    # others: count more calls to spread them)
RESOURCES = 2000


def bare_app() -> Flask:
    """The baseline: the same URLs, answered with a small JSON document."""
    app = Flask("bare")

    @app.get("/v1_1/demo/resources/image/upload/<path:public_id>")
    def details(public_id: str) -> object:
        return jsonify(public_id=public_id, format="jpg", width=1, height=1, tags=[])

    @app.get("/v1_1/demo/resources/image/tags/<tag>")
    def by_tag(tag: str) -> object:
        return jsonify(resources=[{"public_id": tag, "format": "jpg"}])

    return app


def emulator_app(directory: str) -> Any:
    from emulator.app import create_app
    from emulator.config import load_config

    app = create_app(load_config({"data_dir": directory}, env={}))
    library.load(app.extensions["cloudinary_emulator"].storage, RESOURCES, 7, time.time())
    return app


def url(call: str, number: int) -> str:
    if call == "get":
        return f"/v1_1/demo/resources/image/upload/{library.public_id(number * 7 % RESOURCES)}"
    return f"/v1_1/demo/resources/image/tags/{library.TAG_NAMES[number % 300 + 100]}"


def _environ(call: str, number: int) -> dict[str, Any]:
    from werkzeug.test import EnvironBuilder

    from emulator.config import DEFAULT_API_KEY, DEFAULT_API_SECRET

    token = base64.b64encode(f"{DEFAULT_API_KEY}:{DEFAULT_API_SECRET}".encode()).decode()
    builder = EnvironBuilder(path=url(call, number), method="GET", headers={"Authorization": f"Basic {token}"})
    try:
        return builder.get_environ()
    finally:
        builder.close()


def child(kind: str, call: str, count: int) -> None:
    """Build ``WARM + MOST`` requests whatever ``count`` is, then send ``count`` of them."""
    with tempfile.TemporaryDirectory() as tmp:
        app = emulator_app(tmp) if kind == "emulator" else bare_app()
        environs = [_environ(call, number) for number in range(WARM + MOST)]
        send_counted(app, environs, count, WARM, f"{kind}: {call}")
        os._exit(0)  # the same exit for both counts: no teardown of the app or the library in one of them


def _instructions(kind: str, call: str, count: int) -> int:
    return callgrind_instructions(__file__, "--child", kind, call, str(count))


def instructions_per_call(kind: str, call: str, counted: int = COUNTED) -> float:
    """Instructions one call costs ``kind`` (emulator or bare), counted by callgrind."""
    return (_instructions(kind, call, WARM + counted) - _instructions(kind, call, WARM)) / counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("call", nargs="?", choices=("get", "tag"), default="get")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "CALL", "COUNT"))
    parser.add_argument("-n", type=int, default=COUNTED, help=f"calls counted (default %(default)s, at most {MOST})")
    parser.add_argument("--only", choices=("emulator", "bare"), help="count one side only")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    counted = min(args.n, MOST)
    emulator = instructions_per_call("emulator", args.call, counted) if args.only != "bare" else 0.0
    bare = instructions_per_call("bare", args.call, counted) if args.only != "emulator" else 0.0
    ratio = f", ratio {bare / emulator:.2f}" if emulator and bare else ""
    print(f"{args.call}: emulator {emulator / 1e6:.3f} M instructions per call, bare Flask {bare / 1e6:.3f} M{ratio}")


if __name__ == "__main__":
    main()
