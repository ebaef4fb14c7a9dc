"""``serve --workers N``: the same app under gunicorn, N processes sharing state through the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

# A kept-alive connection stays with the worker that accepted it. A client that pools a few connections (an SDK,
# a test run's threads) would load one worker while the others idle, so every connection is answered with
# ``Connection: close`` after this many requests and the client's next connection goes to whichever worker
# accepts it first (nginx's ``keepalive_requests`` does the same). Reconnecting costs a loopback handshake, a
# fraction of a millisecond against this many requests.
REQUESTS_PER_CONNECTION = 25


def _rotate(worker: Any, req: Any) -> None:
    """gunicorn's ``pre_request`` hook: the last request a connection may carry asks for it to be closed."""
    if req.req_number % REQUESTS_PER_CONNECTION == 0:
        req.force_close()  # the response says ``Connection: close``, then gunicorn closes it


class GunicornServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    """Each worker builds its own app from ``factory`` (own connections, own background thread)."""

    def __init__(self, factory: Callable[[], Flask], host: str, port: int, workers: int) -> None:
        self._factory = factory
        self._options = {"bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread", "threads": 8,
                         "accesslog": None, "loglevel": "warning", "graceful_timeout": 5, "pre_request": _rotate}
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._factory()
