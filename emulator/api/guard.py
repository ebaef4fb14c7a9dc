"""Who may drive the emulator: the ``Host`` header, the control plane's token, cross-site requests.

* Every request must name a host the emulator serves (an IP address, ``localhost``, the bind address or a
  configured ``allowed_hosts`` name), so a web page whose DNS name is re-pointed at 127.0.0.1 (DNS rebinding)
  reaches nothing.
* The control plane (``/_emulator/``) needs a token when one is configured, and always when the emulator listens
  beyond loopback. Without a token, its state-changing requests must be ones a cross-site HTML form cannot send:
  a JSON body or the ``X-Emulator-Request`` header, and no foreign ``Origin``.
* The console's forms carry a CSRF token (checked here for every console ``POST``, against a cookie).

The Upload, Admin and Imagga APIs and delivery are only subject to the ``Host`` check: a cross-origin browser
upload to the Upload API is legitimate, as it is on Cloudinary.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, g, request

from emulator.config import Config
from emulator.errors import Forbidden, Unauthorized

CONTROL = "/_emulator/"
CONSOLE = "/console/"
OPEN = frozenset({"/_emulator/health", "/_emulator/openapi.json"})  # read-only, harmless, used by probes
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REQUEST_HEADER = "X-Emulator-Request"
TOKEN_HEADER = "X-Emulator-Token"
CSRF_COOKIE = "emulator_csrf"
CSRF_FIELD = "csrf_token"


def install(app: Flask, config: Config) -> None:
    served: set[str] = set()  # Host headers found allowed (a client sends the same one on every call)

    @app.before_request
    def guard() -> None:
        host = request.host
        if host not in served:
            check_host(config, host)
            if len(served) < 64:
                served.add(host)
        path = request.path
        if path.startswith(CONTROL) and path not in OPEN:
            check_control(config)
        elif path.startswith(CONSOLE) and request.method not in SAFE_METHODS:
            check_same_origin()
            check_csrf()

    @app.after_request
    def csrf_cookie(response: Response) -> Response:
        token = g.get("csrf_token")
        if token and request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="Strict", path=CONSOLE.rstrip("/"))
        return response


def hostname(host: str) -> str:
    """The name in a ``Host`` header, without the port (``[::1]:9400`` → ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def host_allowed(config: Config, host: str) -> bool:
    name = hostname(host)
    if "*" in config.allowed_hosts or name in config.allowed_hosts or name == hostname(config.host):
        return True
    if name == "localhost" or name.endswith(".localhost"):
        return True
    if name and "." not in name and ":" not in name:
        # A single-label name (a docker-compose service, a /etc/hosts alias) is resolved on this network, not in
        # public DNS, so an outside page cannot re-point it at the emulator.
        return True
    try:
        ipaddress.ip_address(name)  # an address cannot be re-pointed by DNS
    except ValueError:
        return False
    return True


def check_host(config: Config, host: str) -> None:
    if not host_allowed(config, host):
        raise Forbidden(f"Host {hostname(host)!r} is not served here (DNS rebinding protection). To accept it, add "
                        "it to allowed_hosts (EMULATOR_ALLOWED_HOSTS, serve --allowed-host)")


def check_control(config: Config) -> None:
    if config.control_token or not config.on_loopback:
        check_token(config)
        return  # a browser never adds the token on its own: a request carrying it is the owner's
    if request.method in SAFE_METHODS:
        return
    check_same_origin()
    # POST is the one changing method an HTML form can send; DELETE or PUT always need a CORS preflight
    if request.method == "POST" and request.mimetype != "application/json" and REQUEST_HEADER not in request.headers:
        raise Forbidden(f"The control plane accepts changes only with a JSON body or an {REQUEST_HEADER} header "
                        "(a cross-site form can send neither)")


def check_token(config: Config) -> None:
    if not config.control_token:
        raise Forbidden(f"The control plane is disabled: the emulator listens on {config.host} and no "
                        "control_token is configured (EMULATOR_CONTROL_TOKEN, serve --control-token)")
    sent = request.headers.get(TOKEN_HEADER, "")
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if not sent and scheme.lower() == "bearer":
        sent = credentials.strip()
    if not hmac.compare_digest(sent.encode(), config.control_token.encode()):
        raise Unauthorized(f"The control plane needs its token: send Authorization: Bearer <token> or "
                           f"{TOKEN_HEADER}: <token>")


def check_same_origin() -> None:
    """Refuse what a browser marks as coming from another site or origin."""
    origin = request.headers.get("Origin")
    if request.headers.get("Sec-Fetch-Site") == "cross-site" or (
            origin is not None and urlsplit(origin).netloc.lower() != request.host.lower()):
        raise Forbidden(f"Cross-origin request refused - {origin or 'another site'} may not change the emulator")


def csrf_token() -> str:
    """This browser's CSRF token (from its cookie, or a new one the response sets), for the console's forms."""
    if "csrf_token" not in g:
        cookie = request.cookies.get(CSRF_COOKIE, "")
        g.csrf_token = cookie if len(cookie) == 32 and cookie.isalnum() else secrets.token_hex(16)
    token: str = g.csrf_token
    return token


def check_csrf() -> None:
    cookie, sent = request.cookies.get(CSRF_COOKIE, ""), request.form.get(CSRF_FIELD, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise Forbidden("Missing or expired form token: reload the page and submit the form again")
