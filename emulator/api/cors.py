"""CORS, as Cloudinary's API does it for browser uploads (see ``docs/sdk-wire.md``, "Browsers").

The Upload API (``/v1_1/<cloud>/<image|video|raw|auto>/<action>``, ``/v1_1/<cloud>/delete_by_token``) and
delivery URLs answer pages of any allowed origin: a preflight ``OPTIONS`` gets
``Access-Control-Allow-Methods``/``-Headers`` (the headers the browser asks for, which include ``Content-Range``
and ``X-Unique-Upload-Id`` for chunked uploads and ``X-Requested-With`` for the jQuery plugin), and every answer
carries ``Access-Control-Allow-Origin`` and ``Access-Control-Expose-Headers``. The Admin API gets none of it: it
must never be called from a browser, which would need the API secret.

The allowed origin is echoed (as Cloudinary's API answers, with ``Access-Control-Max-Age: 1728000``), with
``Vary: Origin``. Allowed origins are per cloud (``cors_origins``, default ``["*"]``). A request whose
``Origin`` is not allowed is refused with 403 before anything happens, so a page never sees a failure for an
upload that was stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, Response, g, jsonify, request

UPLOAD_PATH = re.compile(r"^/v1_1/(?P<cloud>[^/]+)/(?:(?:image|video|raw|auto)/[^/]+|delete_by_token)/?$")
DELIVERY_PATH = re.compile(r"^/(?P<cloud>[^/]+)/(?:image|video|raw)/(?:upload|private|authenticated)/.+$")
PRIVATE_CDN_PATH = re.compile(r"^/(?:image|video|raw)/(?:upload|private|authenticated)/.+$")
DEFAULT_HEADERS = ("Content-Type", "Content-Range", "Content-Disposition", "X-Unique-Upload-Id",
                   "X-Requested-With", "X-Prototype-Version", "Authorization")
EXPOSED = {"upload": "X-Request-Id, X-Cld-Error", "delivery": "X-Cld-Error, ETag, Content-Length, Last-Modified"}
METHODS = {"upload": "POST, GET, OPTIONS", "delivery": "GET, HEAD, OPTIONS"}
MAX_AGE = "1728000"  # 20 days, what Cloudinary answers; browsers cap it lower anyway


@dataclass(frozen=True)
class Scope:
    """A request CORS applies to: which family, and the cloud whose origins decide (None: the first cloud)."""

    family: str
    cloud: str | None


def scope_of(path: str) -> Scope | None:
    if match := UPLOAD_PATH.match(path):
        return Scope("upload", match["cloud"])
    if match := DELIVERY_PATH.match(path):
        return Scope("delivery", match["cloud"])
    if PRIVATE_CDN_PATH.match(path):
        return Scope("delivery", None)
    return None


def allowed(origin: str, origins: Iterable[str]) -> bool:
    return any(o == "*" or o.rstrip("/").lower() == origin.rstrip("/").lower() for o in origins)


def install(app: Flask, origins_of: Callable[[str | None], tuple[str, ...]]) -> None:
    """``origins_of(cloud)``: the cloud's allowed origins (an unknown cloud: the default, ``*``)."""

    @app.before_request
    def preflight_or_refuse() -> Response | tuple[Response, int] | None:
        origin = request.headers.get("Origin")  # absent from every SDK's calls but the browser's
        if origin is None:
            return None
        scope = scope_of(request.path)
        if scope is None:
            return None
        g.cors = scope
        if not allowed(origin, origins_of(scope.cloud)):
            g.cors = None
            return jsonify(error={"message": f"Origin {origin} is not allowed (cors_origins of the cloud)"}), 403
        if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
            return _preflight(scope)
        return None

    @app.after_request
    def add_headers(response: Response) -> Response:
        scope: Scope | None = g.get("cors")
        if scope is None:
            return response
        origin = request.headers.get("Origin")
        if origin is None:
            return response
        response.headers["Access-Control-Allow-Origin"] = origin  # echoed, as Cloudinary's API answers
        response.vary.add("Origin")
        if request.method != "OPTIONS":
            response.headers["Access-Control-Expose-Headers"] = EXPOSED[scope.family]
        return response


def _preflight(scope: Scope) -> Response:
    response = Response(status=204)
    asked = request.headers.get("Access-Control-Request-Headers", "")
    headers = [h.strip() for h in asked.split(",") if h.strip()] or list(DEFAULT_HEADERS)
    response.headers["Access-Control-Allow-Methods"] = METHODS[scope.family]
    response.headers["Access-Control-Allow-Headers"] = ", ".join(headers)
    response.headers["Access-Control-Max-Age"] = MAX_AGE
    return response
