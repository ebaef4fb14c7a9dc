"""Around every API request: injected faults before, the journal after. The control plane itself is exempt."""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

from flask import Flask, Request, Response, g, request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from emulator.api import collected, lint, operations
from emulator.control.faults import FAULT_HEADER, Effect, parse_header
from emulator.control.journal import Entry
from emulator.control.plane import ControlPlane
from emulator.errors import DroppedConnection, error_for
from emulator.runtime import current, current_request

EXEMPT = ("/_emulator/", "/static/", "/console/static/")
log = logging.getLogger("emulator")


def install(app: Flask, plane: ControlPlane) -> None:
    @app.before_request
    def before() -> None:
        g.started = time.perf_counter()
        req = current_request()
        if _exempt(req):
            return
        plane.store.hold()  # the control plane's settings checked once for the whole request
        plane.clock.hold()  # and its clock setting read once
        header = req.headers.get(FAULT_HEADER)
        name = _cloud(req)
        if header:
            _apply(parse_header(header))
        elif plane.faults.any():
            effect = plane.faults.match(operation(req), name, _public_id(req))
            if effect is not None:
                _apply(effect)
        params = _params(req)
        if params.raw:
            problems = lint.problems(operation(req), params)
            if problems:
                em = current()
                lint.warn(problems, strict=em.strict(em.config.cloud(name) if name else None))

    @app.teardown_request
    def release(_: BaseException | None) -> None:
        try:
            plane.store.flush()  # a call count not yet written with a journal entry
        except Exception:
            log.exception("could not count %s %s", request.method, request.path)
        finally:
            plane.clock.release()
            plane.store.release()

    @app.after_request
    def record(response: Response) -> Response:
        req = current_request()
        if not _exempt(req):
            status = "dropped" if g.get("dropped") else "aborted" if g.get("aborted") else response.status_code
            try:
                plane.journal.record(_entry(req, status, plane.clock.now()))
            except Exception:  # the journal is an observer: it must never turn an answer into a failure
                log.exception("could not journal %s %s", req.method, req.path)
        return response


def operation(req: Request) -> str:
    """The API operation as the route table names it (``upload``, ``resource``, …); ``unknown`` off-route."""
    return operations.name_of(req.endpoint)


def _exempt(req: Request) -> bool:
    """The control plane, static files and CORS preflights (answered before any operation runs)."""
    path = req.path
    return path.startswith(EXEMPT) or path == "/favicon.ico" or req.method == "OPTIONS"


def _params(req: Request) -> collected.Params:
    """The request's parameters (``collect`` parses them once per request, for the hooks and the view alike)."""
    if g.get("aborted"):
        return collected.Params()
    try:
        return collected.collect(req)
    except (ClientDisconnected, RequestEntityTooLarge):  # the body cannot be read (the error handler says why,
        return collected.Params()                          # ``collect`` raises it again to the view): journalled
                                                           # without parameters


def _cloud(req: Request) -> str | None:
    value = (req.view_args or {}).get("cloud_name")
    return str(value) if value is not None else None


def _public_id(req: Request) -> str | None:
    value = (req.view_args or {}).get("public_id") or _params(req).text("public_id")
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


def _entry(req: Request, status: int | str, at: float) -> Entry:
    collected = _params(req)
    shown: dict[str, Any] = dict(collected.raw)
    for name, part in collected.files.items():
        part.stream.seek(0, 2)
        shown[name] = f"<file {part.filename or '-'}, {part.stream.tell()} bytes>"
    started = g.get("started")
    return Entry(at=at, operation=operation(req), method=req.method, path=req.path, status=status,
                 duration_ms=(time.perf_counter() - started) * 1000 if started is not None else 0.0,
                 cloud=_cloud(req), params=shown, warnings=tuple(g.get("warnings", ())))
