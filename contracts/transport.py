"""How requests travel: over HTTP to any base URL, or in-process to a WSGI app. Both send the same bytes.

A :class:`Request` is encoded once (:meth:`Request.encode`) so that what is sent, what a failure report
shows as a ``curl`` line, and what either transport delivers are the same thing.
"""

from __future__ import annotations

import base64
import binascii
import json
import shlex
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, urlencode

_PATH_SAFE = "/:"  # what the Python SDK leaves unescaped besides [A-Za-z0-9_.-~]


class TransportError(Exception):
    """The target could not be reached or answered at the transport level (not a contract failure)."""


class NotJson(ValueError):
    """A body that is not one JSON document (NaN and Infinity are not JSON)."""


@dataclass(frozen=True)
class FilePart:
    name: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Encoded:
    raw_path: str
    query_string: str
    body: bytes
    content_type: str | None


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # decoded; percent-encoded on the way out
    query: tuple[tuple[str, str], ...] = ()
    form: tuple[tuple[str, str], ...] = ()
    files: tuple[FilePart, ...] = ()
    json_body: Any = None
    headers: tuple[tuple[str, str], ...] = ()
    multipart: bool = False

    def encode(self) -> Encoded:
        raw_path = quote(self.path, safe=_PATH_SAFE)
        query = urlencode(self.query)
        if self.json_body is not None:
            body = json.dumps(self.json_body, ensure_ascii=False).encode("utf-8")
            return Encoded(raw_path, query, body, "application/json")
        if self.files or self.multipart:
            boundary = uuid.uuid4().hex
            return Encoded(raw_path, query, _multipart(self.form, self.files, boundary),
                           f"multipart/form-data; boundary={boundary}")
        if self.form:
            return Encoded(raw_path, query, urlencode(self.form).encode("ascii"),
                           "application/x-www-form-urlencoded")
        return Encoded(raw_path, query, b"", None)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def _multipart(form: Iterable[tuple[str, str]], files: Iterable[FilePart], boundary: str) -> bytes:
    out = bytearray()
    for name, value in form:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode("utf-8") + b"\r\n"
    for part in files:
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{part.name}"; '
                f'filename="{part.filename}"\r\nContent-Type: {part.content_type}\r\n\r\n').encode()
        out += part.data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, json.JSONDecodeError, NotJson) as exc:
            raise NotJson(str(exc)) from exc


def _reject_constant(name: str) -> Any:
    raise NotJson(f"{name} is not JSON")


@dataclass
class Exchange:
    """One request and its answer, with what a failure report needs to reproduce it."""

    request: Request
    response: Response
    base_url: str
    elapsed: float
    secret: str = field(default="", repr=False)
    api_key: str = ""

    def json(self) -> Any:
        return self.response.json()

    def curl(self) -> str:
        return curl_line(self.request, self.base_url, secret=self.secret, api_key=self.api_key)


class Transport(Protocol):
    base_url: str

    def send(self, request: Request) -> Response: ...


class HttpTransport:
    """Requests to ``base_url`` (for example ``https://api.cloudinary.com``) over one keep-alive session."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        import requests

        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()
        self._errors: tuple[type[BaseException], ...] = (requests.RequestException,)

    def send(self, request: Request) -> Response:
        enc = request.encode()
        url = self.base_url + enc.raw_path + (f"?{enc.query_string}" if enc.query_string else "")
        headers = dict(request.headers)
        if enc.content_type:
            headers["Content-Type"] = enc.content_type
        try:
            answer = self._session.request(request.method, url, data=enc.body or None, headers=headers,
                                           timeout=self.timeout, allow_redirects=False)
        except self._errors as exc:
            raise TransportError(f"{request.method} {url}: {exc}") from exc
        return Response(answer.status_code, tuple(answer.headers.items()), answer.content)

    def close(self) -> None:
        self._session.close()


WsgiApp = Callable[..., Any]


class WsgiTransport:
    """Requests delivered in-process to a WSGI application, through the same encoding as over HTTP."""

    base_url = "http://localhost"

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def send(self, request: Request) -> Response:
        from werkzeug.test import EnvironBuilder, run_wsgi_app

        enc = request.encode()
        headers = list(request.headers)
        builder = EnvironBuilder(path=enc.raw_path, method=request.method, query_string=enc.query_string,
                                 headers=headers, data=enc.body, content_type=enc.content_type,
                                 base_url=self.base_url)
        try:
            body_iter, status, response_headers = run_wsgi_app(self.app, builder.get_environ(), buffered=True)
            body = b"".join(body_iter)
        finally:
            builder.close()
        return Response(int(status.split(" ", 1)[0]), tuple(response_headers.items()), body)

    def close(self) -> None:
        pass


def timed_send(transport: Transport, request: Request) -> tuple[Response, float]:
    start = time.perf_counter()
    response = transport.send(request)
    return response, time.perf_counter() - start


# -- curl ----------------------------------------------------------------------------------------------------

def curl_line(request: Request, base_url: str, *, secret: str = "", api_key: str = "") -> str:
    """A shell command reproducing ``request``; the configured secret is never printed, only ``$API_SECRET``."""
    enc = request.encode()
    url = base_url + enc.raw_path + (f"?{enc.query_string}" if enc.query_string else "")
    words = ["curl", "-sS", "-X", request.method, shlex.quote(url)]
    words += _auth_words(request, secret, api_key)
    words += [w for name, value in request.headers if name.lower() != "authorization"
              for w in ("-H", shlex.quote(f"{name}: {value}"))]
    if request.json_body is not None:
        words += ["-H", shlex.quote("Content-Type: application/json"),
                  "--data-raw", shlex.quote(json.dumps(request.json_body, ensure_ascii=False))]
    elif request.files or request.multipart:
        # curl -F reads a file for a value starting with @ or <; --form-string sends such a value as is.
        words += [w for name, value in request.form
                  for w in ("--form-string" if value[:1] in ("@", "<") else "-F", shlex.quote(f"{name}={value}"))]
        words += [w for p in request.files
                  for w in ("-F", shlex.quote(f"{p.name}=@{p.filename};type={p.content_type}"))]
    elif request.form:
        words += [w for name, value in request.form for w in ("--data-urlencode", shlex.quote(f"{name}={value}"))]
    return " ".join(words)


def _auth_words(request: Request, secret: str, api_key: str) -> list[str]:
    value = request.header("Authorization")
    if value is None:
        return []
    if value.lower().startswith("basic "):
        try:
            key, _, sent_secret = base64.b64decode(value[6:]).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return ["-H", shlex.quote(f"Authorization: {value}")]
        if secret and sent_secret == secret:
            return ["-u", f'"{key}:$API_SECRET"']
        return ["-u", shlex.quote(f"{key}:{sent_secret}")]
    return ["-H", shlex.quote(f"Authorization: {value}")]
