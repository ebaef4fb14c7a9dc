"""``cloudinary-emulator``: parse the command line, then load what the command needs.

Only the standard library is imported here. ``serve`` pauses Python's cyclic garbage collector while it imports
Flask and the emulator and builds the app: a start allocates about a hundred thousand objects and frees almost
none, so every collection in between would only walk them (about 10 ms of a start of about 170 ms). When the
server is ready, what the start built is frozen out of the collector's sight (``gc.freeze``, see Python's
``gc`` documentation) and collection resumes for what requests allocate.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cloudinary-emulator",
                                     description="A local Cloudinary Upload/Admin API with the Imagga add-on.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the emulator")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=9400)
    serve.add_argument("--data-dir", type=Path, help="persist here (default: a temporary database)")
    serve.add_argument("--config", type=Path, help="a TOML file declaring clouds, presets and add-ons")
    serve.add_argument("--fixtures", type=Path, action="append", default=[],
                       help="extra fixtures directory (images, tags, translations); repeatable")
    serve.add_argument("--debug-signatures", action="store_true",
                       help="show the expected string to sign in 401 answers")
    serve.add_argument("--strict-clients", action="store_true",
                       help="answer 400 where the real service would silently ignore or misread a request")
    serve.add_argument("--workers", type=int, default=1,
                       help="serve with gunicorn and N worker processes sharing state through the database")
    serve.add_argument("--verbose", action="store_true", help="log every request")
    serve.add_argument("--allowed-host", action="append", default=[], dest="allowed_hosts",
                       help="a Host name to accept besides addresses and localhost (repeatable; '*' for any)")
    serve.add_argument("--control-token", default=None,
                       help="require this token on the control plane (generated and printed when serving beyond "
                            "loopback without one)")
    serve.add_argument("--seed-root", type=Path, default=None,
                       help="a directory /_emulator/seed may read files from (besides the fixtures)")
    serve.add_argument("--tls", action="store_true",
                       help="answer HTTPS on the same port too (so secure_url resolves), with a certificate from a "
                            "local CA made at start")
    serve.add_argument("--tls-ca", type=Path, metavar="FILE",
                       help="with --tls: write the CA certificate here (default: a temporary file, printed)")
    seed = sub.add_parser("seed", help="upload every image of a folder into a running emulator")
    seed.add_argument("folder", type=Path)
    seed.add_argument("--url", default="http://127.0.0.1:9400", help="the running emulator")
    seed.add_argument("--cloud", default=None, help="cloud name (default: the emulator's first cloud)")
    seed.add_argument("--tags", default="", help="comma-separated tags for every image")
    seed.add_argument("--batch", type=int, default=25, help="images per request")
    seed.add_argument("--token", default=os.environ.get("EMULATOR_CONTROL_TOKEN"),
                      help="the control-plane token of an emulator serving beyond loopback "
                           "(default: $EMULATOR_CONTROL_TOKEN)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
                        format="%(message)s")
    if args.command == "seed":
        from emulator.seeding import seed_folder

        return seed_folder(args.folder, url=args.url, cloud=args.cloud, tags=args.tags, batch=args.batch,
                           token=args.token)
    gc.disable()
    try:
        from emulator.serve import serve

        return serve(args, ready=_collect_from_now_on)
    finally:
        gc.enable()  # a start that failed, or a server that stopped


def _collect_from_now_on() -> None:
    """The start is over and what it built lives as long as the server: the collector leaves it alone from now
    on and runs again for what requests allocate."""
    gc.freeze()
    gc.enable()
