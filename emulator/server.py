"""A threaded WSGI server that starts and stops in milliseconds: for the CLI, tests and the plugin."""

from __future__ import annotations

import contextlib
import selectors
import socket
import ssl
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

from flask import Flask
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

if TYPE_CHECKING:  # TLS is loaded by a server that serves it (--tls), not by every start
    from emulator.tls import LocalTLS


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wake, self._waker = socket.socketpair()
        self._stopping = False
        self._stopped = threading.Event()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """socketserver's loop, which :meth:`shutdown` also wakes at once (the base class only notices a
        shutdown at its next poll, so every stop waited for up to a poll interval)."""
        self._stopped.clear()
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self, selectors.EVENT_READ)
                selector.register(self._wake, selectors.EVENT_READ)
                while not self._stopping:
                    ready = selector.select(poll_interval)
                    if self._stopping:
                        break
                    woken = {key.fileobj for key, _ in ready}
                    if self._wake in woken:
                        self._wake.recv(64)
                    if self in woken:
                        self._handle_request_noblock()  # type: ignore[attr-defined]  # socketserver's own step
                    self.service_actions()
        except KeyboardInterrupt:  # as werkzeug's own loop: Ctrl-C ends serving
            pass
        finally:  # the sockets are closed by server_close(), after shutdown() has woken the loop
            self._stopping = False
            self._stopped.set()

    def request_stop(self) -> None:
        """Ask the loop to end, without waiting: safe in a signal handler, which then raises nothing."""
        self._stopping = True
        with contextlib.suppress(OSError):  # already closed: the loop has ended
            self._waker.send(b"\0")

    def shutdown(self) -> None:
        self.request_stop()
        self._stopped.wait()

    def server_close(self) -> None:
        super().server_close()
        self._wake.close()
        self._waker.close()

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls_context is None:
            connection = request
        else:
            from emulator.tls import accept

            connection = accept(request, self.tls_context)
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
        self._thread = threading.Thread(target=self._server.serve_forever, name="cloudinary-emulator",
                                        daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def request_stop(self) -> None:
        """End :meth:`serve_forever` soon, from a signal handler or another thread (it returns normally)."""
        self._server.request_stop()

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
