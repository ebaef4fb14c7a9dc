"""The emulator inside test code: ``with emulate_cloudinary() as cld:``, ``@emulate_cloudinary()`` or
``@emulate_cloudinary``.

The handle exposes the URL, the credentials, the journal, faults, the clock and registered categories in
Python; the ``cloudinary`` SDK (when installed) and ``CLOUDINARY_URL`` (for subprocesses) point at it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, ParamSpec, TypeVar, overload

from emulator.app import create_app
from emulator.config import BUNDLED_FIXTURES, Config, account_url, cloudinary_url, load_config
from emulator.control.clock import ControlledClock
from emulator.control.faults import parse_rule
from emulator.errors import ConfigError
from emulator.runtime import EXTENSION, Emulator
from emulator.server import EmulatorServer
from emulator.tls import LocalTLS, local_tls


class EmulatorHandle:
    """A running emulator and its control plane, in Python."""

    def __init__(self, server: EmulatorServer, cloud: str) -> None:
        self.server = server
        self._emulator: Emulator = server.app.extensions[EXTENSION]
        self.cloud_name = cloud
        settings = self._emulator.config.clouds[cloud]
        self.api_key, self.api_secret = settings.api_key, settings.api_secret

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def ca_file(self) -> Path | None:
        """With TLS on: the CA certificate to trust for the ``https://`` URLs (``secure_url``) of this server."""
        return self.server.tls.ca_file if self.server.tls is not None else None

    @property
    def config(self) -> Config:
        return self._emulator.config

    @property
    def cloudinary_url(self) -> str:
        """``CLOUDINARY_URL`` with the prefix percent-encoded, so the Node SDK reads it too."""
        return cloudinary_url(self.config.clouds[self.cloud_name], self.url)

    @property
    def account_url(self) -> str:
        """``CLOUDINARY_ACCOUNT_URL`` for the Account Provisioning API (its calls go to the SDK's upload prefix)."""
        return account_url(self.config.account)

    @property
    def clock(self) -> ControlledClock:
        """``freeze()``, ``advance(seconds)``, ``set(at)``, ``unfreeze()``, ``now()``."""
        return self._emulator.control.clock

    def reset(self) -> None:
        """Every cloud back to a fresh account; journal, faults, clock and registrations cleared."""
        self._emulator.reset()

    def requests(self, *, operation: str | None = None, cloud: str | None = None, status: str | None = None,
                 limit: int = 1000) -> list[dict[str, Any]]:
        """The journal, oldest first."""
        return self._emulator.control.journal.entries(operation=operation, cloud=cloud, status=status, limit=limit)

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        """E.g. ``add_fault(operation="resource", status=420, message="slow down", count=1)``."""
        return self._emulator.control.faults.add(parse_rule(rule))

    def faults(self) -> list[dict[str, Any]]:
        return self._emulator.control.faults.rules()

    def clear_faults(self) -> None:
        self._emulator.control.faults.clear()

    def register_categories(self, match: Mapping[str, str], **engines: Any) -> None:
        """``register_categories({"public_id": "cat"}, imagga_tagging=[{"tag": "cat", "confidence": 0.9}])``."""
        self._emulator.control.registrations.register({"match": dict(match), **engines})

    def queue_results(self, engine: str, *results: list[dict[str, Any]]) -> int:
        return self._emulator.control.registrations.queue(engine, list(results))

    def set_rate_limit(self, admin_rate_limit: int | None, *, cloud: str | None = None) -> dict[str, int]:
        """Admin API calls per hour for ``cloud`` (default: this handle's) until the next reset: ``500`` as on a
        free plan, ``3`` to reach the 420 quickly, ``0`` unlimited, ``None`` as configured."""
        settings = self._emulator.config.clouds[cloud or self.cloud_name]
        return self._emulator.admin_budget.set_limit(settings, admin_rate_limit).as_json()

    def advance(self) -> dict[str, int]:
        """Complete pending (asynchronous) categorization now and try due webhooks."""
        return self._emulator.control.advance()

    def notifications(self) -> list[dict[str, Any]]:
        return self._emulator.control.notifier.listing()


P = ParamSpec("P")
R = TypeVar("R")


def bundled_image(name: str) -> Path:
    """A bundled fixture image (``turtles.jpg``, ``sample.jpg``), wherever the package is installed."""
    path = BUNDLED_FIXTURES / "images" / name
    if not path.is_file():
        known = ", ".join(sorted(p.name for p in (BUNDLED_FIXTURES / "images").iterdir() if p.suffix != ".json"))
        raise ConfigError(f"no bundled image {name!r}; bundled: {known}")
    return path


@overload
def emulate_cloudinary(config: Callable[P, R], /) -> Callable[P, R]: ...


@overload
def emulate_cloudinary(config: Config | Mapping[str, Any] | None = None, /, *, cloud: str | None = None,
                       configure_sdk: bool = True, tls: bool = False) -> EmulatedCloudinary: ...


def emulate_cloudinary(config: Any = None, /, *, cloud: str | None = None, configure_sdk: bool = True,
                       tls: bool = False) -> Any:
    """Serve an emulator on a free port for a ``with`` block or a decorated function.

    ``with emulate_cloudinary() as cld:``, ``@emulate_cloudinary()``, ``@emulate_cloudinary({...config})`` and bare
    ``@emulate_cloudinary`` all work; ``config`` is a :class:`Config` or the mapping of the TOML file. With ``tls``
    the port answers HTTPS too (``secure_url`` resolves; trust ``handle.ca_file``).
    """
    if callable(config) and not isinstance(config, Config | Mapping):
        return EmulatedCloudinary()(config)
    return EmulatedCloudinary(config, cloud=cloud, configure_sdk=configure_sdk, tls=tls)


class EmulatedCloudinary(contextlib.ContextDecorator):
    """What :func:`emulate_cloudinary` returns: a context manager and decorator serving one emulator."""

    def __init__(self, config: Config | Mapping[str, Any] | None = None, *, cloud: str | None = None,
                 configure_sdk: bool = True, tls: bool = False) -> None:
        self._config = config if isinstance(config, Config) else load_config(config or {}, env={})
        self._cloud = cloud or next(iter(self._config.clouds))
        self._configure_sdk = configure_sdk
        self._tls = tls
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> EmulatorHandle:
        server = EmulatorServer(create_app(self._config), tls=temporary_tls(self._stack) if self._tls else None)
        server.start()
        self._stack.callback(server.app.extensions[EXTENSION].close)
        self._stack.callback(server.stop)
        handle = EmulatorHandle(server, self._cloud)
        self._stack.enter_context(clients_pointed_at(handle, configure_sdk=self._configure_sdk))
        return handle

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stack.close()


def temporary_tls(stack: contextlib.ExitStack) -> LocalTLS:
    """A local CA and certificate whose CA file lives as long as ``stack``."""
    directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="cloudinary-emulator-tls-"))
    return local_tls(Path(directory) / "ca.pem")


@contextlib.contextmanager
def clients_pointed_at(handle: EmulatorHandle, *, configure_sdk: bool = True) -> Iterator[EmulatorHandle]:
    """``CLOUDINARY_URL`` (for subprocesses) and the ``cloudinary`` SDK, when installed, point at ``handle``;
    both are restored afterwards."""
    names = {"CLOUDINARY_URL": handle.cloudinary_url, "CLOUDINARY_ACCOUNT_URL": handle.account_url}
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    sdk = _sdk() if configure_sdk else None
    if sdk is not None:
        sdk.config(cloud_name=handle.cloud_name, api_key=handle.api_key, api_secret=handle.api_secret,
                   upload_prefix=handle.url)
        _reset_account()
    try:
        yield handle
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if sdk is not None:
            sdk.reset_config()  # reads the restored environment again
            _reset_account()


def _reset_account() -> None:
    """pycloudinary's provisioning account reads ``CLOUDINARY_ACCOUNT_URL`` again (releases without it: nothing)."""
    try:
        from cloudinary import provisioning
    except ImportError:
        return
    provisioning.reset_config()


def _sdk() -> Any:
    try:
        import cloudinary
    except ImportError:
        return None
    return cloudinary
