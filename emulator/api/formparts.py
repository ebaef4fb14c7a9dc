"""A ``multipart/form-data`` body read into werkzeug's records with ``multipart``'s ``PushMultipartParser``.

Kept from werkzeug's own reader, exactly: the limits (``MAX_FORM_MEMORY_SIZE`` per text part and
``MAX_FORM_PARTS`` raise ``RequestEntityTooLarge``; the body comes through the request's length-limited stream, so
``MAX_CONTENT_LENGTH`` and a client that disconnects mid-body fail as before), file parts written to the request's
stream factory (spooled to disk above its threshold), names and filenames decoded by werkzeug's header parser
(RFC 2231 ``filename*=``, backslash escapes, ``%22``) unless the header is the plain ``form-data; name="…";
filename="…"`` every SDK and browser sends, a text part decoded with its part's charset, and a body that cannot
be parsed raising ``ValueError`` (an empty form).

A body that RFC 7578's framing does not describe but werkzeug reads anyway (bare LF line breaks, spaces after a
boundary, a header line without a colon, werkzeug's own test client leaving out the blank line of an empty part)
is read again by werkzeug's reader, from the bytes read so far and the rest of the stream, as long as those bytes
are few (:data:`REPLAY`); past that it is an empty form, so memory stays bounded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import IO, cast

import multipart
from werkzeug.datastructures import FileStorage, Headers
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser, MultiPartParser
from werkzeug.http import parse_options_header

from emulator.api.formdata import TooManyParts

REPLAY = 1024 * 1024  # the bytes kept while reading, to hand an unusual body to werkzeug's reader
_CHUNK = 64 * 1024  # bytes read from the body at a time, as werkzeug reads them
_HEADER_LINE = 64 * 1024  # one part header line at most (werkzeug bounds only the whole form's memory)
_HEADER_COUNT = 64  # headers of one part at most (the SDKs send two or three)
_CHARSETS = frozenset({"ascii", "us-ascii", "utf-8", "iso-8859-1"})  # werkzeug's safe list for text parts

Field = tuple[str, str]  # a part without a name has None for it, as in werkzeug
File = tuple[str, FileStorage]


class _Unusual(Exception):
    """The body strays from RFC 7578's framing: werkzeug's reader decides what it says."""


def read(stream: IO[bytes], boundary: str, content_length: int | None,
         limits: FormDataParser) -> tuple[list[Field], list[File]]:
    """The body's text fields and file parts, each in the order sent."""
    if not boundary:
        raise ValueError("Missing boundary")
    seen = _Seen()
    reader = _Reader(limits, content_length, b"--" + boundary.encode("ascii"))
    try:
        _feed(stream, reader, seen)
    except _Unusual:
        reader.discard()
        if seen.dropped:
            raise ValueError("Unusual multipart framing past the bytes kept to replay it") from None
        werkzeug = MultiPartParser(stream_factory=limits.stream_factory, cls=limits.cls,
                                   max_form_memory_size=limits.max_form_memory_size,
                                   max_form_parts=limits.max_form_parts)
        replay = _Replay(b"".join(seen.chunks), stream, reader.marker)
        try:
            form, files = werkzeug.parse(cast(IO[bytes], replay), reader.marker[2:], content_length)
        except RequestEntityTooLarge:
            if limits.max_form_parts is not None and replay.markers > limits.max_form_parts:
                raise TooManyParts(limits.max_form_parts) from None  # the limit werkzeug hit, said as ours says it
            raise
        return list(form.items(multi=True)), list(files.items(multi=True))
    return reader.fields, reader.files


def _feed(stream: IO[bytes], reader: _Reader, seen: _Seen) -> None:
    parser = _Parser(reader.marker[2:], max_header_size=_HEADER_LINE, max_header_count=_HEADER_COUNT)
    try:
        while chunk := stream.read(_CHUNK):  # to the end, epilogue included, as werkzeug reads it
            seen.add(chunk)
            reader.take(parser.parse(chunk))
        parser.close()  # a body cut short of its closing boundary
    except multipart.MultipartError as exc:
        raise _Unusual() from exc


class _Parser(multipart.PushMultipartParser):  # type: ignore[misc]
    """Any disposition type makes a part, as in werkzeug (``multipart`` insists on ``form-data``)."""

    def _create_segment(self, headerlist: list[tuple[str, str]]) -> multipart.MultipartSegment:
        for name, _ in headerlist:  # a loop, not any(): a generator closed early costs a GeneratorExit per part
            if name == "Content-Disposition":
                return multipart.MultipartSegment(headerlist)
        raise multipart.ParserError("Missing Content-Disposition segment header")


class _Seen:
    """The chunks read so far, while they add up to at most :data:`REPLAY` bytes."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.dropped = False

    def add(self, chunk: bytes) -> None:
        if self.dropped:
            return
        self.size += len(chunk)
        if self.size > REPLAY:
            self.dropped, self.chunks = True, []
        else:
            self.chunks.append(chunk)


class _Replay:
    """The bytes already read, then the rest of the stream; counting the boundary markers read through it."""

    def __init__(self, head: bytes, rest: IO[bytes], marker: bytes) -> None:
        self.head, self.offset, self.rest, self.marker = head, 0, rest, marker
        self.markers = 0
        self._tail = b""  # the last bytes read, shorter than a marker: one may span two reads

    def read(self, size: int = -1) -> bytes:
        if self.offset < len(self.head):
            out = self.head[self.offset:self.offset + size] if size >= 0 else self.head[self.offset:]
            self.offset += len(out)
        else:
            out = self.rest.read(size)
        seen = self._tail + out
        self.markers += seen.count(self.marker)
        self._tail = seen[1 - len(self.marker):]  # a marker is at least three bytes: ``--`` and the boundary
        return out


class _Reader:
    """The parser's events (a part's headers, its bytes, its end) collected into fields and files."""

    def __init__(self, limits: FormDataParser, content_length: int | None, marker: bytes) -> None:
        self.limits, self.content_length, self.marker = limits, content_length, marker
        self.field_limit = math.inf if limits.max_form_memory_size is None else limits.max_form_memory_size
        self.fields: list[Field] = []
        self.files: list[File] = []
        self.count = 0
        self.part: _Part | None = None

    def take(self, events: Iterable[multipart.MultipartSegment | bytes | None]) -> None:
        part = self.part
        for event in events:
            if isinstance(event, bytes):
                assert part is not None
                if part.head is not None and part.opens_with(self.marker, event):
                    raise _Unusual()  # a boundary where the part's bytes begin: no blank line after its headers
                part.write(event, self.field_limit)
            elif event is None:
                assert part is not None
                self.finish(part)
            else:
                part = self.part = self.start(event)

    def start(self, segment: multipart.MultipartSegment) -> _Part:
        self.count += 1
        if self.limits.max_form_parts is not None and self.count > self.limits.max_form_parts:
            raise TooManyParts(self.limits.max_form_parts)
        disposition, content_type, length = _headers(segment.headerlist)
        name, filename = _names(disposition)
        if filename is None:
            return _Part(segment, name, None, None)
        stream = self.limits.stream_factory(total_content_length=self.content_length, filename=filename,
                                            content_type=content_type, content_length=length)
        return _Part(segment, name, filename, stream)

    def finish(self, part: _Part) -> None:
        if part.stream is None:
            data = part.chunks[0] if len(part.chunks) == 1 else b"".join(part.chunks)
            self.fields.append((part.name, data.decode(_charset(part.segment), "replace")))
            return
        part.stream.seek(0)
        headers = Headers(part.segment.headerlist)
        self.files.append((part.name, FileStorage(part.stream, part.filename, part.name, headers=headers)))

    def discard(self) -> None:
        """Close the files read so far (their bytes are read again)."""
        streams = [storage.stream for _, storage in self.files]
        if self.part is not None and self.part.stream is not None:
            streams.append(self.part.stream)
        for stream in streams:
            stream.close()


class _Part:
    """A part being read: a text field's chunks in memory (bounded), or a file's stream."""

    __slots__ = ("chunks", "filename", "head", "name", "segment", "stream")

    def __init__(self, segment: multipart.MultipartSegment, name: str, filename: str | None,
                 stream: IO[bytes] | None) -> None:
        self.segment, self.name, self.filename, self.stream = segment, name, filename, stream
        self.chunks: list[bytes] = []
        self.head: bytes | None = b""  # the part's first bytes, up to a boundary marker's length; None once known

    def opens_with(self, marker: bytes, data: bytes) -> bool:
        """Whether the part's bytes (so far and ``data``) begin with ``marker``."""
        head = (self.head or b"") + data[:len(marker)]
        self.head = head if len(head) < len(marker) and marker.startswith(head) else None
        return head[:len(marker)] == marker

    def write(self, data: bytes, field_limit: float) -> None:
        if self.stream is not None:
            self.stream.write(data)
        elif self.segment.bytes_received > field_limit:  # the parser counts the part's bytes so far
            raise RequestEntityTooLarge()
        else:
            self.chunks.append(data)


def _headers(headerlist: list[tuple[str, str]]) -> tuple[str, str | None, int]:
    """A part's Content-Disposition, Content-Type and declared Content-Length (0 when absent or not a number),
    in one pass (``multipart`` gives their names in title case)."""
    disposition, content_type, length = "", None, 0
    for name, value in headerlist:
        if name == "Content-Disposition":
            disposition = value
        elif name == "Content-Type":
            content_type = value
        elif name == "Content-Length":
            length = int(value) if value.isdigit() else 0
    return disposition, content_type, length


def _names(disposition: str) -> tuple[str, str | None]:
    """The part's ``name`` and ``filename``: the plain form split directly (nothing in it to decode); any other
    (escapes, ``%``, RFC 2231 ``filename*=``, more parameters, other spacing) by werkzeug's header parser."""
    if "\\" not in disposition and "%" not in disposition:
        split = disposition.split('"', 4)
        if split[0] == "form-data; name=" and split[-1] == "":
            if len(split) == 3:
                return split[1], None
            if len(split) == 5 and split[2] == "; filename=":
                return split[1], split[3]
    _, options = parse_options_header(disposition)
    return cast(str, options.get("name")), options.get("filename")


def _charset(segment: multipart.MultipartSegment) -> str:
    """werkzeug's rule for a text part: its Content-Type's charset if it is a safe one, else UTF-8."""
    charset = (segment.charset or "").lower()
    return str(charset) if charset in _CHARSETS else "utf-8"
