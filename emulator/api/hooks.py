"""Around every API request: injected faults before, the journal after. The control plane itself is exempt."""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from emulator.api import collected, lint, operations
from emulator.control.faults import FAULT_HEADER, Effect, parse_header
from emulator.control.journal import Entry
from emulator.control.plane import ControlPlane
from emulator.errors import DroppedConnection, error_for
from emulator.runtime import current

EXEMPT = ("/_emulator/", "/static/", "/console/static/")
log = logging.getLogger("emulator")


def install(app: Flask, plane: ControlPlane) -> None:
    @app.before_request
    def before() -> None:
        g.started = time.perf_counter()
        if _exempt():
            return
        plane.clock.hold()  # the control plane's clock setting, read once for the whole request
        header = request.headers.get(FAULT_HEADER)
        effect = parse_header(header) if header else plane.faults.match(operation(), _cloud(), _public_id())
        if effect is not None:
            _apply(effect)
        em, name = current(), _cloud()
        lint.warn(lint.problems(operation(), _params()), strict=em.strict(em.config.cloud(name) if name else None))

    @app.teardown_request
    def release(_: BaseException | None) -> None:
        plane.clock.release()

    @app.after_request
    def record(response: Response) -> Response:
        if not _exempt():
            status = "dropped" if g.get("dropped") else "aborted" if g.get("aborted") else response.status_code
            try:
                plane.journal.record(_entry(status, plane.clock.now()))
            except Exception:  # the journal is an observer: it must never turn an answer into a failure
                log.exception("could not journal %s %s", request.method, request.path)
        return response


def operation() -> str:
    """The API operation as the route table names it (``upload``, ``resource``, …); ``unknown`` off-route."""
    return operations.name_of(request.endpoint)


def _exempt() -> bool:
    """The control plane, static files and CORS preflights (answered before any operation runs)."""
    return request.path.startswith(EXEMPT) or request.path == "/favicon.ico" or request.method == "OPTIONS"


def _params() -> collected.Params:
    """The request's parameters, parsed once for all the hooks."""
    if "hook_params" not in g:
        try:
            g.hook_params = collected.Params() if g.get("aborted") else collected.collect(request)
        except (ClientDisconnected, RequestEntityTooLarge):  # the body cannot be read (the error handler says
            g.hook_params = collected.Params()                   # why): journalled without parameters
    parsed: collected.Params = g.hook_params
    return parsed


def _cloud() -> str | None:
    value = (request.view_args or {}).get("cloud_name")
    return str(value) if value is not None else None


def _public_id() -> str | None:
    value = (request.view_args or {}).get("public_id") or _params().text("public_id")
    return str(value) if value else None


def _apply(effect: Effect) -> None:
    if effect.latency_ms:
        time.sleep(effect.latency_ms / 1000)  # real latency: that is what a client's timeout sees
    if effect.drop:
        sock = request.environ.get("werkzeug.socket") or request.environ.get("gunicorn.socket")
        if isinstance(sock, socket.socket):
            sock.shutdown(socket.SHUT_RDWR)
        g.dropped = True
        raise DroppedConnection()
    if effect.status is not None:
        raise error_for(effect.status, effect.message or f"Injected fault {effect.status}")


def _entry(status: int | str, at: float) -> Entry:
    collected = _params()
    shown: dict[str, Any] = dict(collected.raw)
    for name, part in collected.files.items():
        part.stream.seek(0, 2)
        shown[name] = f"<file {part.filename or '-'}, {part.stream.tell()} bytes>"
    return Entry(at=at, operation=operation(), method=request.method, path=request.path, status=status,
                 duration_ms=(time.perf_counter() - g.get("started", time.perf_counter())) * 1000,
                 cloud=_cloud(), params=shown, warnings=tuple(g.get("warnings", ())))
