"""``cloudinary-emulator serve``: thin — build the config from the options, the app and the server, and serve."""

from __future__ import annotations

import argparse
import contextlib
import secrets
import signal
import sys
import tempfile
from collections.abc import Callable
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


def serve(args: argparse.Namespace, *, ready: Callable[[], None] = lambda: None) -> int:
    """Serve until stopped; ``ready`` is called once the server listens, before the first request."""
    tune_allocator()  # before any thread or worker starts
    try:
        config = _config(args)
        if args.workers > 1:
            if args.tls:
                raise ConfigError("--tls serves from one process; it cannot be combined with --workers")
            return _serve_workers(config, args, ready)
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
        ready()
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0


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


def _serve_workers(config: Config, args: argparse.Namespace, ready: Callable[[], None]) -> int:
    """Several processes need one database: a temporary directory when no --data-dir was given."""
    from emulator.workers import GunicornServer

    with tempfile.TemporaryDirectory(prefix="cloudinary-emulator-") as tmp:
        shared = config if config.data_dir else replace(config, data_dir=Path(tmp))
        _started(create_app(shared)).extensions[EXTENSION].close()  # validate and create the schema once
        _banner(shared, f"http://{args.host}:{args.port}")
        ready()  # before gunicorn forks: the workers share what the start built
        GunicornServer(lambda: _started(create_app(shared)), args.host, args.port, args.workers).run()
    return 0
