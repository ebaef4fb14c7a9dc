"""What one signed upload with imagga_tagging costs in CPU instructions, the emulator next to a bare Flask echo.

Instruction counts (valgrind's callgrind) do not move with the machine's load, unlike requests per second on a
shared machine. The uploads go straight to each WSGI app in this process (no HTTP server: what both would pay
for it is left out). Each side is counted twice, after :data:`WARM` uploads and after ``WARM + n``; the
difference over ``n`` is one upload's cost, free of the interpreter's start and the app's first requests. The
heap of the warm-up is collected and frozen in both runs, so a full collection of it (millions of instructions)
cannot land in one run and not the other.

Two baselines: the bare Flask echo (werkzeug's multipart parser, Flask's default: the goal's baseline) and the
same echo parsing with the ``multipart`` library through the emulator's own request class
(:mod:`emulator.api.formdata`), as the emulator parses; the second shows the emulator's own work alone.

``python bench/upload_cost.py [--new-bytes] [-n N]`` prints the three figures and the ratios (needs valgrind);
``python bench/upload_cost.py --child emulator|echo|echo-multipart COUNT [--new-bytes]`` is one counted process.
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path
from typing import Any

from common import callgrind_instructions, send_counted
from flask import Flask, jsonify, request

ROOT = Path(__file__).resolve().parent.parent
TURTLES = (ROOT / "fixtures" / "images" / "turtles.jpg").read_bytes()
WARM = 5  # uploads before counting starts (imports and caches of the first requests)
COUNTED = 20


KINDS = ("emulator", "echo", "echo-multipart")


def echo_app(parser: str = "werkzeug") -> Flask:
    """The baseline: parse the same multipart body and answer with a small JSON document; with
    ``parser="multipart"``, the body is parsed by the request class the emulator uses."""
    app = Flask("echo")
    if parser == "multipart":
        from emulator.api.formdata import FormRequest

        app.request_class = FormRequest

    @app.post("/v1_1/demo/image/upload")
    def echo() -> object:
        data = request.files["file"].read()
        return jsonify(fields=dict(request.form), bytes=len(data))

    return app


def image(number: int, new_bytes: bool) -> bytes:
    """The turtles, or (``new_bytes``) the turtles with a trailer after the image's end: other bytes, same image."""
    return TURTLES + f"upload {number}".encode() if new_bytes else TURTLES


def upload_fields(public_id: str) -> dict[str, str]:
    """A signed upload's form fields, as the Python SDK sends them."""
    from emulator import signing
    from emulator.config import DEFAULT_API_KEY, DEFAULT_API_SECRET

    fields = {"categorization": "imagga_tagging", "auto_tagging": "0.4", "public_id": public_id,
              "timestamp": str(int(time.time()))}
    fields["signature"] = signing.sign(fields, DEFAULT_API_SECRET)
    fields["api_key"] = DEFAULT_API_KEY
    return fields


def _environ(number: int, new_bytes: bool) -> dict[str, Any]:
    from werkzeug.test import EnvironBuilder

    part = (io.BytesIO(image(number, new_bytes)), "turtles.jpg")
    data: dict[str, Any] = {**upload_fields(f"c{number}"), "file": part}
    builder = EnvironBuilder(path="/v1_1/demo/image/upload", method="POST", data=data)
    try:
        return builder.get_environ()
    finally:
        builder.close()


def child(kind: str, count: int, new_bytes: bool) -> None:
    """Build ``WARM + COUNTED`` requests whatever ``count`` is (both runs do the same work but the uploads),
    then send ``count`` of them."""
    if kind == "emulator":
        from emulator.app import create_app
        from emulator.config import load_config

        app = create_app(load_config({}, env={}))
    else:
        app = echo_app("multipart" if kind == "echo-multipart" else "werkzeug")
    environs = [_environ(number, new_bytes) for number in range(WARM + COUNTED)]
    send_counted(app, environs, count, WARM, f"{kind}: upload")


def _instructions(kind: str, count: int, new_bytes: bool) -> int:
    return callgrind_instructions(__file__, "--child", kind, str(count), *(["--new-bytes"] if new_bytes else []))


def instructions_per_upload(kind: str, new_bytes: bool = False, counted: int = COUNTED) -> float:
    """Instructions one upload costs ``kind`` (one of :data:`KINDS`), counted by callgrind."""
    return (_instructions(kind, WARM + counted, new_bytes) - _instructions(kind, WARM, new_bytes)) / counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("KIND", "COUNT"))
    parser.add_argument("--new-bytes", action="store_true", help="other bytes for each upload")
    parser.add_argument("-n", type=int, default=COUNTED, help="uploads counted (at most %(default)s)")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.new_bytes)
        return
    emulator, echo, same = (instructions_per_upload(kind, args.new_bytes, min(args.n, COUNTED)) for kind in KINDS)
    print(f"emulator {emulator / 1e6:.2f} M instructions per upload; bare Flask echo (werkzeug's parser) "
          f"{echo / 1e6:.2f} M, ratio {echo / emulator:.2f}; echo parsing with multipart {same / 1e6:.2f} M, "
          f"ratio {same / emulator:.2f}")


if __name__ == "__main__":
    main()
