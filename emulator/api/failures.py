"""Every failure, expected or not, rendered in one place: an error → a status and a message → an envelope.

The envelope depends on who asked: Cloudinary's ``{"error": {"message": ...}}`` for the Upload, Admin,
delivery and control-plane routes, Imagga's ``{"status": {"type": "error", "text": ...}}`` under ``/v2``, an
HTML page for the console. Never Werkzeug's HTML error page, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import Flask, Response, g, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import ClientDisconnected, HTTPException, MethodNotAllowed, RequestEntityTooLarge

from emulator.api.formdata import TooManyParts
from emulator.errors import ApiError, DroppedConnection

log = logging.getLogger("emulator")
NESTED_TOO_DEEPLY = "Invalid JSON - nested too deeply"

# An envelope turns a failure into the body the caller's API speaks.
Envelope = Callable[["Failure"], ResponseReturnValue]


@dataclass(frozen=True)
class Failure:
    status: int
    message: str
    allow: str = ""  # a 405's Allow header


def failure(exc: Exception, max_file_size: int) -> Failure:
    """What a client is told about ``exc``."""
    if isinstance(exc, ApiError):
        return Failure(exc.status, exc.message)
    if isinstance(exc, ClientDisconnected):  # the client went away mid-body: nothing to answer, one line
        g.aborted = True
        log.warning("client disconnected before sending the whole body of %s %s", request.method, request.path)
        return Failure(400, "Client disconnected before sending the whole request body")
    if isinstance(exc, TooManyParts):
        return Failure(400, str(exc.description))
    if isinstance(exc, RequestEntityTooLarge):
        got = request.content_length or "more"
        return Failure(400, f"File size too large. Got {got}. Maximum is {max_file_size}.")
    if isinstance(exc, RecursionError):  # JSON inside a parameter (context, metadata, …) nested too deeply
        return Failure(400, NESTED_TOO_DEEPLY)
    if isinstance(exc, MethodNotAllowed):  # a known path, another method: 405 with the methods it takes
        allowed = ", ".join(sorted(exc.valid_methods or []))
        return Failure(405, f"Method not allowed - {request.method} {request.path}. Allowed: {allowed}", allowed)
    if isinstance(exc, HTTPException):
        if exc.code == 404:
            return Failure(404, f"Not found - {request.method} {request.path}")
        return Failure(exc.code or 400, exc.description or exc.name)
    log.exception("unexpected error on %s %s", request.method, request.path)
    return Failure(500, f"Internal error - {type(exc).__name__}")


def cloudinary_envelope(failed: Failure) -> ResponseReturnValue:
    return jsonify(error={"message": failed.message}), failed.status


def install(app: Flask, max_file_size: int, envelopes: Mapping[str, Envelope]) -> None:
    """One handler for the whole app; ``envelopes`` maps a blueprint's name to its own envelope."""

    @app.errorhandler(Exception)
    def render(exc: Exception) -> ResponseReturnValue:
        if isinstance(exc, DroppedConnection):
            return Response(status=500)  # the socket is already shut; nothing reaches the client
        envelope = envelopes.get(request.blueprint or "", cloudinary_envelope)
        failed = failure(exc, max_file_size)
        answer = app.make_response(envelope(failed))
        if failed.allow:
            answer.headers["Allow"] = failed.allow
        return answer
