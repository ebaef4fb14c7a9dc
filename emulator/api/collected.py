"""A request's parameters, collected once from whichever encoding the client used: the raw record.

Light on purpose: the hooks that run on every request (faults, lint, journal) need only this; the typed requests
are made from it in :mod:`emulator.api.params`, which loads with the views that use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import Request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from emulator.api import bodies

RawValue = str | list[str]


@dataclass
class Params:
    raw: dict[str, RawValue] = field(default_factory=dict)
    files: dict[str, FileStorage] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        """The value as sent; an array is joined with commas, as it is signed."""
        value = self.raw.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else ",".join(value)

    def values(self, name: str) -> list[str] | None:
        value = self.raw.get(name)
        if value is None:
            return None
        return [value] if isinstance(value, str) else value


_PARSED = "cloudinary_emulator.params"  # the WSGI environ key a request's parsed parameters are kept under
_UNREADABLE = "cloudinary_emulator.unreadable"  # … and why its body could not be read, if it could not


def collect(request: Request) -> Params:
    """Query string and body, whatever the encoding (see :mod:`emulator.api.bodies`), folded once per request:
    the hooks (faults, lint, journal) and the view share the same record.

    A body that cannot be read (too large, too many parts, the client gone) raises the same error to every
    caller: the body's bytes are consumed by the first attempt, so a second one would read an empty form and
    answer as if no parameter had been sent."""
    environ = request.environ
    parsed: Params | None = environ.get(_PARSED)
    if parsed is None and (failed := environ.get(_UNREADABLE)) is not None:
        raise failed
    if parsed is None and not environ.get("QUERY_STRING") and _bodiless(environ):
        parsed = environ[_PARSED] = Params()  # most GETs: nothing to parse
    if parsed is None:
        try:
            items, files = bodies.pairs(request)
        except (ClientDisconnected, RequestEntityTooLarge) as exc:
            environ[_UNREADABLE] = exc
            raise
        parsed = request.environ[_PARSED] = Params(raw=bodies.fold(items), files=files)
    return parsed


def _bodiless(environ: Mapping[str, object]) -> bool:
    """No body: no length (or 0) and not chunked."""
    return environ.get("CONTENT_LENGTH") in (None, "", "0") and "HTTP_TRANSFER_ENCODING" not in environ


def with_defaults(params: Params, defaults: Mapping[str, str]) -> Params:
    """A preset's parameters under the request's own."""
    return Params(raw={**defaults, **params.raw}, files=params.files)
