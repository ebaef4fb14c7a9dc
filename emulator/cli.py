"""``cloudinary-emulator serve``: thin — parse options, build the config, start the server."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import secrets
import signal
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask

from emulator.app import create_app
from emulator.config import Config, account_url, cloudinary_url, load_config
from emulator.errors import ConfigError
from emulator.memory import tune_allocator
from emulator.runtime import EXTENSION
from emulator.server import EmulatorServer

if TYPE_CHECKING:
    from emulator.tls import LocalTLS


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


def _config(args: argparse.Namespace) -> Config:
    values: dict[str, object] = {"host": args.host}
    for name in ("control_token", "seed_root"):
        if getattr(args, name):
            values[name] = str(getattr(args, name))
    if args.allowed_hosts:
        values["allowed_hosts"] = list(args.allowed_hosts)
    if args.data_dir:
        values["data_dir"] = str(args.data_dir)
    if args.fixtures:
        values["fixtures"] = [str(p) for p in args.fixtures]
    if args.debug_signatures:
        values["debug_signatures"] = True
    if args.strict_clients:
        values["strict_clients"] = True
    config = load_config(values, config_file=args.config)
    if not config.on_loopback and not config.control_token:  # the control plane must not be open to the network
        config = replace(config, control_token=secrets.token_urlsafe(24))
    return config


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
                        format="%(message)s")
    if args.command == "seed":
        from emulator.seeding import seed_folder

        return seed_folder(args.folder, url=args.url, cloud=args.cloud, tags=args.tags, batch=args.batch,
                           token=args.token)
    tune_allocator()  # before any thread or worker starts
    try:
        config = _config(args)
        if args.workers > 1:
            if args.tls:
                raise ConfigError("--tls serves from one process; it cannot be combined with --workers")
            return _serve_workers(config, args)
        app = create_app(config)
    except ConfigError as exc:
        print(f"cloudinary-emulator: {exc}", file=sys.stderr)
        return 2
    # SIGTERM (systemd, CI, a test's terminate()) ends like Ctrl-C: through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with contextlib.ExitStack() as stack:
        stack.callback(app.extensions[EXTENSION].close)  # the worker stops; a temporary database is removed
        try:
            server = EmulatorServer(app, args.host, args.port, quiet=not args.verbose,
                                    tls=_tls(args, stack) if args.tls else None)
        except OSError as exc:
            print(f"cloudinary-emulator: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
            return 2
        # Once serving, SIGTERM asks the loop to end instead of raising: Python may run a handler while a finalizer
        # runs, and an exception raised there is ignored, which left the server serving on after a terminate().
        signal.signal(signal.SIGTERM, lambda *_: server.request_stop())
        _banner(config, server.url, server.tls)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0


def _tls(args: argparse.Namespace, stack: contextlib.ExitStack) -> LocalTLS:
    from emulator.tls import local_tls  # only `serve --tls` makes certificates

    if args.tls_ca is not None:
        return local_tls(args.tls_ca, args.host)
    tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="cloudinary-emulator-tls-"))
    return local_tls(Path(tmp) / "ca.pem", args.host)


def _banner(config: Config, url: str, tls: LocalTLS | None = None) -> None:
    print(f"cloudinary-emulator serving on {url}", flush=True)
    if config.control_token:
        print(f"control-plane token (send as Authorization: Bearer …): {config.control_token}", flush=True)
    if tls is not None:
        print(f"  and on {url.replace('http://', 'https://', 1)}, certified by the CA in {tls.ca_file}", flush=True)
    for cloud in config.clouds.values():
        print(f"export CLOUDINARY_URL={cloudinary_url(cloud, url)}", flush=True)
    print(f"export CLOUDINARY_ACCOUNT_URL={account_url(config.account)}", flush=True)


def _started(app: Flask) -> Flask:
    """Workers start their library before serving, as one another's requests may already be changing it."""
    app.extensions[EXTENSION].start_library()
    return app


def _serve_workers(config: Config, args: argparse.Namespace) -> int:
    """Several processes need one database: a temporary directory when no --data-dir was given."""
    from emulator.workers import GunicornServer

    with tempfile.TemporaryDirectory(prefix="cloudinary-emulator-") as tmp:
        shared = config if config.data_dir else replace(config, data_dir=Path(tmp))
        _started(create_app(shared)).extensions[EXTENSION].close()  # validate and create the schema once
        _banner(shared, f"http://{args.host}:{args.port}")
        GunicornServer(lambda: _started(create_app(shared)), args.host, args.port, args.workers).run()
    return 0
