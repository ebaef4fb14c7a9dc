"""One app of the upload bench served by gunicorn, as ``serve --workers 1`` would serve the emulator: one gthread
worker, connections kept alive (closed after every 25th request, :mod:`emulator.workers`).

    python bench/served.py emulator|echo|echo-multipart PORT

``bench/run.py`` starts one process per app, so each is served the same way, apart from the client.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from flask import Flask
from upload_cost import KINDS, echo_app

from emulator.app import create_app
from emulator.config import load_config
from emulator.workers import GunicornServer


def factory(kind: str) -> Callable[[], Flask]:
    """What the worker builds: the emulator as the upload rounds build it in-process, or an echo."""
    if kind == "emulator":
        return lambda: create_app(load_config({}, env={}))
    return lambda: echo_app("multipart" if kind == "echo-multipart" else "werkzeug")


def main(argv: list[str]) -> None:
    kind, port = argv[0], int(argv[1])
    if kind not in KINDS:
        raise SystemExit(f"unknown app {kind!r}: one of {', '.join(KINDS)}")
    sys.argv = sys.argv[:1]  # gunicorn reads its own command line otherwise
    GunicornServer(factory(kind), "127.0.0.1", port, 1).run()


if __name__ == "__main__":
    main(sys.argv[1:])
