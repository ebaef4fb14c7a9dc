"""``serve --workers N``: the same app under gunicorn, N processes sharing state through the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class GunicornServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    """Each worker builds its own app from ``factory`` (own connections, own background thread)."""

    def __init__(self, factory: Callable[[], Flask], host: str, port: int, workers: int) -> None:
        self._factory = factory
        self._options = {"bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread", "threads": 8,
                         "accesslog": None, "loglevel": "warning", "graceful_timeout": 5}
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._factory()
