"""A threaded WSGI server that starts and stops in milliseconds: for the CLI, tests and the plugin."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from types import TracebackType
from typing import Any

from flask import Flask
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from emulator.tls import LocalTLS, accept


class _Handler(WSGIRequestHandler):
    def make_environ(self) -> Any:
        environ = super().make_environ()
        if isinstance(self.connection, ssl.SSLSocket):  # this connection came in over TLS (see _DualServer)
            environ["wsgi.url_scheme"] = "https"
        return environ


class _QuietHandler(_Handler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class _DualServer(ThreadedWSGIServer):
    """Plain HTTP and, when given a TLS context, HTTPS on the same port (:func:`emulator.tls.accept`)."""

    tls_context: ssl.SSLContext | None = None

    def finish_request(self, request: Any, client_address: Any) -> None:
        connection = request if self.tls_context is None else accept(request, self.tls_context)
        if connection is None:
            return
        try:
            super().finish_request(connection, client_address)
        finally:
            if connection is not request:  # the base class closes the accepted socket; the TLS one is ours
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_WR)
                connection.close()


class EmulatorServer:
    """``with EmulatorServer(app) as server: server.url``; port 0 picks a free port.

    With ``tls`` (:func:`emulator.tls.local_tls`) the same port also answers HTTPS, so ``secure_url`` resolves.
    """

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True,
                 tls: LocalTLS | None = None) -> None:
        self.app = app
        self.tls = tls
        self._server = _DualServer(host, port, app, _QuietHandler if quiet else _Handler)
        self._server.tls_context = tls.context if tls is not None else None
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> EmulatorServer:
        # A short poll interval keeps shutdown() fast (the default waits up to 0.5 s).
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        name="cloudinary-emulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
