"""``multipart/form-data`` bodies read by the ``multipart`` library; every other body by werkzeug, as before.

Flask's documented hook (``Request.form_data_parser_class``) swaps the parser, so ``request.form`` and
``request.files`` keep their types (a ``MultiDict`` of text, a ``MultiDict`` of ``FileStorage``) and every view,
hook and test reads them as before. Why: werkzeug's decoder compiles two regular expressions for each request's
boundary, and every SDK sends a fresh random boundary, so each upload paid for both compilations (more than half
of what a bare Flask echo of an upload costs). ``multipart``'s ``PushMultipartParser`` finds the boundary with
plain byte searches. The reading itself (:mod:`emulator.api.formparts`, with the library) loads with the first
multipart body, not at start.
"""

from __future__ import annotations

from typing import IO, Any

from flask import Request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

ParseResult = tuple[IO[bytes], MultiDict[str, Any], MultiDict[str, Any]]


class TooManyParts(RequestEntityTooLarge):
    """A body of more parts than ``MAX_FORM_PARTS`` (werkzeug says only "too large" for any of its limits)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"Too many parameters: a request may have at most {limit} form parts")


class MultipartFormParser(FormDataParser):
    """werkzeug's ``FormDataParser``, with ``multipart/form-data`` read by :func:`emulator.api.formparts.read`."""

    def parse(self, stream: IO[bytes], mimetype: str, content_length: int | None,
              options: dict[str, str] | None = None) -> ParseResult:
        if mimetype != "multipart/form-data":
            return super().parse(stream, mimetype, content_length, options)
        from emulator.api import formparts

        try:
            form, files = formparts.read(stream, (options or {}).get("boundary", ""), content_length, self)
        except ValueError:  # werkzeug's rule: a body that cannot be parsed is an empty form (``silent``)
            if not self.silent:
                raise
            return stream, self.cls(), self.cls()
        return stream, self.cls(form), self.cls(files)


class FormRequest(Request):
    """Flask's request, with :class:`MultipartFormParser` for its form."""

    form_data_parser_class = MultipartFormParser
