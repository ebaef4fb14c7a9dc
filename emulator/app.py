"""``create_app(config)``: config → storage → tagging engine → backend → blueprints → one error handler."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import ClientDisconnected, HTTPException, MethodNotAllowed, RequestEntityTooLarge

from emulator import media
from emulator.api import admin, control, delivery, guard, hooks, imagga, search, upload
from emulator.backend.gate import RenderGate
from emulator.backend.service import Backend
from emulator.backend.transform import Limits
from emulator.clock import Clock, IdSource, SystemClock
from emulator.config import Config, load_config
from emulator.control.clock import ControlledClock
from emulator.control.plane import ControlPlane
from emulator.control.store import ControlStore
from emulator.errors import ApiError, BadRequest, DroppedConnection
from emulator.runtime import EXTENSION, Emulator, current
from emulator.storage import Storage
from emulator.storage.sqlite import SQLiteStorage
from emulator.tagging.engine import TaggingEngine
from emulator.tagging.fixtures import load_fixtures
from emulator.web import views as console

log = logging.getLogger("emulator")

NESTED_TOO_DEEPLY = "Invalid JSON - nested too deeply"
# Multipart overhead allowed above the file-size limit before the body is refused unread.
_BODY_SLACK = 1024 * 1024
_FIELD_SLACK = 64 * 1024  # a data URI's header, and the other fields


def create_app(
    config: Config | None = None,
    *,
    clock: Clock | None = None,
    ids: IdSource | None = None,
    storage: Storage | None = None,
) -> Flask:
    config = config or load_config()
    media.limit_decoding(config.max_image_pixels)
    fixtures = load_fixtures(config.fixtures_dirs)
    missing = fixtures.missing_translations()
    if missing:
        count = sum(len(tags) for tags in missing.values())
        log.warning("%d translation(s) missing in %d language(s) (%s); English text is used for them",
                    count, len(missing), ", ".join(sorted(missing)))
    control_store = ControlStore(config.data_dir)
    controlled = ControlledClock(clock or SystemClock(), control_store)
    plane = ControlPlane(config, control_store, controlled)
    engine = TaggingEngine(fixtures, overrides=plane.registrations)
    backend = Backend(config, storage or SQLiteStorage(config.data_dir), engine, controlled, ids or IdSource(),
                      events=plane, calls=plane.calls)
    plane.backend = backend
    for cloud in config.clouds.values():
        backend.ensure_cloud(cloud)

    app = Flask(__name__)
    app.json = _JSONProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = config.max_file_size * 2 + _BODY_SLACK
    # The SDKs send a data URI as a plain form field: room for a whole file of the maximum size in base64.
    app.config["MAX_FORM_MEMORY_SIZE"] = config.max_file_size * 4 // 3 + _FIELD_SLACK
    limits = Limits(config.max_image_pixels,
                    RenderGate(config.max_concurrent_transformations, config.max_image_pixels))
    app.extensions[EXTENSION] = Emulator(config, backend, controlled, backend.ids, plane, limits)
    for bp in (upload.bp, admin.bp, control.bp, delivery.bp, imagga.bp, console.bp, search.bp):
        app.register_blueprint(bp)
    guard.install(app, config)
    hooks.install(app, plane)
    _install_error_handler(app, config)
    app.after_request(_headers)
    plane.resume_leftovers()
    return app


class _JSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing bodies nested deeper than the parser can recurse with a 400 rather than a 500."""

    sort_keys = False  # keep the documented field order
    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise BadRequest(NESTED_TOO_DEEPLY) from exc


def _install_error_handler(app: Flask, config: Config) -> None:
    """Every failure, expected or not, leaves as ``{"error": {"message": ...}}``; never an HTML page."""

    @app.errorhandler(Exception)
    def render(exc: Exception) -> tuple[Response, int]:
        if isinstance(exc, ApiError):
            return _envelope(exc.message), exc.status
        if isinstance(exc, ClientDisconnected):  # the client went away mid-body: nothing to answer, one line
            g.aborted = True
            log.warning("client disconnected before sending the whole body of %s %s", request.method, request.path)
            return _envelope("Client disconnected before sending the whole request body"), 400
        if isinstance(exc, DroppedConnection):
            return Response(status=500), 500  # the socket is already shut; nothing reaches the client
        if isinstance(exc, RequestEntityTooLarge):
            got = request.content_length or "more"
            return _envelope(f"File size too large. Got {got}. Maximum is {config.max_file_size}."), 400
        if isinstance(exc, RecursionError):  # JSON inside a parameter (context, metadata, …) nested too deeply
            return _envelope(NESTED_TOO_DEEPLY), 400
        if isinstance(exc, HTTPException):
            if isinstance(exc, MethodNotAllowed):  # a known path, another method: 405 with the methods it takes
                allowed = ", ".join(sorted(exc.valid_methods or []))
                answer = _envelope(f"Method not allowed - {request.method} {request.path}. Allowed: {allowed}")
                answer.headers["Allow"] = allowed
                return answer, 405
            if exc.code == 404:
                return _envelope(f"Not found - {request.method} {request.path}"), 404
            return _envelope(exc.description or exc.name), exc.code or 400
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _envelope(f"Internal error - {type(exc).__name__}"), 500


def _envelope(message: str) -> Response:
    return jsonify(error={"message": message})


def _headers(response: Response) -> Response:
    if response.mimetype == "application/json":
        response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers.setdefault("X-Request-Id", current().ids.hex(16))
    return response
