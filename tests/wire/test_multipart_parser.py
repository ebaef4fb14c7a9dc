"""Multipart bodies read by the ``multipart`` library (emulator/api/formparts.py) say what werkzeug's reader says.

Each body is parsed by both, werkzeug's ``FormDataParser`` (Flask's default) and the emulator's
``MultipartFormParser``, and the fields, file parts and limits compared; the bodies are the framings the SDKs send
(docs/sdk-wire.md), the encodings of names and filenames clients use, and framings outside RFC 7578 that
werkzeug reads anyway. The last tests go through the app: status and message.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from urllib3.filepost import encode_multipart_formdata
from werkzeug.datastructures import FileStorage, ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.http import parse_options_header

from emulator.api import formparts
from emulator.api.formdata import MultipartFormParser
from tests.conftest import TURTLES, signed
from tests.helpers import UPLOAD

B = "xYzBoundary42"
VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def part(name: str, value: bytes, *, disposition: str | None = None, headers: str = "", nl: str = "\r\n") -> bytes:
    line = disposition if disposition is not None else f'form-data; name="{name}"'
    return f"--{B}{nl}Content-Disposition: {line}{nl}{headers}{nl}".encode() + value + nl.encode()


def body(*parts: bytes, nl: str = "\r\n") -> bytes:
    return b"".join(parts) + f"--{B}--{nl}".encode()


def file_part(name: str, filename_params: str, data: bytes, content_type: str = "image/jpeg") -> bytes:
    return part(name, data, disposition=f"form-data; name=\"{name}\"; {filename_params}",
                headers=f"Content-Type: {content_type}\r\n")


def parsed(parser: FormDataParser, data: bytes, content_type: str = f"multipart/form-data; boundary={B}",
           ) -> tuple[list[tuple[Any, str]], list[tuple[Any, Any, Any, bytes]]]:
    mimetype, options = parse_options_header(content_type)
    _, form, files = parser.parse(io.BytesIO(data), mimetype, len(data), options)
    return (list(form.items(multi=True)),
            [(name, f.filename, f.content_type, f.read()) for name, f in files.items(multi=True)])


def same_as_werkzeug(data: bytes, content_type: str = f"multipart/form-data; boundary={B}") -> Any:
    ours = parsed(MultipartFormParser(), data, content_type)
    assert ours == parsed(FormDataParser(), data, content_type)
    return ours


FIELDS = part("api_key", b"123") + part("timestamp", b"1700000000")
BODIES = {
    "python (urllib3)": body(FIELDS, file_part("file", 'filename="turtles.jpg"', b"\xff\xd8jpeg")),
    "duplicate fields (tags[])": body(part("tags[]", b"a"), part("tags[]", b"b"), part("tags[]", b"")),
    "RFC 2231 filename*": body(file_part("file", "filename=\"x.jpg\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.jpg",
                                         b"1")),
    "filename* alone": body(file_part("file", "filename*=utf-8''caf%C3%A9.png", b"1")),
    "UTF-8 filename in quotes": body(file_part("file", 'filename="日本 ü.jpg"', b"1")),
    "backslash-escaped quote": body(file_part("file", 'filename="a\\"b.jpg"', b"1")),
    "percent-encoded quote (HTML)": body(file_part("file", 'filename="a%22b.jpg"', b"1")),
    "unquoted parameters": body(part("x", b"1", disposition="form-data; name=file; filename=t.jpg")),
    "no space after ;": body(part("x", b"1", disposition='form-data;name="a";filename="b.jpg"')),
    "empty file part": body(FIELDS, file_part("file", 'filename="empty.jpg"', b"")),
    "empty filename (browser, no file chosen)": body(file_part("file", 'filename=""', b"")),
    "part without a name": body(FIELDS, part("", b"stray", disposition="form-data")),
    "another disposition type": body(part("x", b"1", disposition='attachment; name="a"')),
    "lowercase header names": body(b"--%s\r\ncontent-disposition: form-data; name=\"a\"\r\n"
                                   b"content-type: text/plain\r\n\r\nv\r\n" % B.encode()),
    "text part in ISO-8859-1 (Java)": body(part("caption", "café".encode("latin-1"),
                                                headers="Content-Type: text/plain; charset=ISO-8859-1\r\n")),
    "text part in an unsafe charset": body(part("caption", "café".encode(),
                                                headers="Content-Type: text/plain; charset=cp1252\r\n")),
    "invalid UTF-8 in a text part": body(part("caption", b"\xff\xfe")),
    "a value with CRLF and dashes": body(part("context", b"a\r\n--b\r\n--" + B.encode() + b"x")),
    "preamble and epilogue": b"a preamble\r\n" + body(FIELDS) + b"an epilogue",
    "header continuation": body(b"--%s\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\nv\r\n" % B.encode()),
    # framings outside RFC 7578 that werkzeug reads anyway: read again by werkzeug's reader
    "bare LF line breaks": body(part("a", b"1", nl="\n"), part("b", b"2", nl="\n"), nl="\n"),
    "spaces after a boundary": body(FIELDS).replace(f"--{B}\r\n".encode(), f"--{B}  \r\n".encode()),
    "a header line without a colon": body(part("a", b"1", headers="Bogus\r\n")),
    "a part's Content-Length that lies": body(part("a", b"1", headers="Content-Length: 9\r\n")),
    "werkzeug's test client: an empty part without its blank line":
        f'--{B}\r\nContent-Disposition: form-data; name="a"\r\n\r\n--{B}\r\n'
        f'Content-Disposition: form-data; name="b"\r\n\r\n2\r\n--{B}--\r\n'.encode(),
    "the same, last part": f'--{B}\r\nContent-Disposition: form-data; name="a"\r\n\r\n--{B}--\r\n'.encode(),
    # bodies both read as an empty form
    "cut short": body(FIELDS)[:-12],
    "no closing boundary": FIELDS,
    "another boundary": body(FIELDS).replace(B.encode(), b"other"),
    "not multipart at all": b"\x00garbage" * 50,
    "a part without Content-Disposition": body(b"--%s\r\nContent-Type: text/plain\r\n\r\nv\r\n" % B.encode()),
}


@pytest.mark.parametrize("data", BODIES.values(), ids=BODIES.keys())
def test_a_body_reads_as_werkzeug_reads_it(data: bytes) -> None:
    same_as_werkzeug(data)


def test_names_and_filenames_are_decoded() -> None:
    assert same_as_werkzeug(BODIES["RFC 2231 filename*"])[1][0][1] == "日本.jpg"
    assert same_as_werkzeug(BODIES["backslash-escaped quote"])[1][0][1] == 'a"b.jpg'
    assert same_as_werkzeug(BODIES["werkzeug's test client: an empty part without its blank line"])[0] == [
        ("a", ""), ("b", "2")]
    assert same_as_werkzeug(BODIES["cut short"]) == ([], [])


def _vector_bodies() -> list[tuple[str, str, str]]:
    out = []
    for sdk in ("php", "ruby", "java"):
        for call in json.loads((VECTORS / f"{sdk}.json").read_text(encoding="utf-8"))["calls"]:
            content_type = dict(call["headers"]).get("Content-Type", "")
            if content_type.startswith("multipart/form-data"):
                out.append((f"{sdk}: {call['label']}", content_type, call["body"]))
    return out


@pytest.mark.parametrize(("label", "content_type", "text"), _vector_bodies(), ids=lambda v: str(v)[:40])
def test_the_sdks_multipart_bodies_read_as_werkzeug_reads_them(label: str, content_type: str, text: str) -> None:
    form, _ = same_as_werkzeug(text.encode(), content_type)
    assert ("signature" in dict(form)) or ("token" in dict(form)), label


names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
values = st.binary(max_size=200)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=st.lists(st.tuples(names, st.text(max_size=40)), max_size=6),
       files=st.lists(st.tuples(names, names, values), max_size=3),
       boundary=st.text("abcdefghijklmnopqrstuvwxyzABC0123456789'+_-.", min_size=1, max_size=70))
def test_any_body_the_python_sdks_encoder_makes_reads_as_werkzeug_reads_it(
        fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]], boundary: str) -> None:
    """urllib3's encoder (the Python SDK's): any names, values, filenames and file bytes; any boundary it can
    send unquoted."""
    items: list[Any] = [*fields, *((name, (filename, data)) for name, filename, data in files)]
    data, content_type = encode_multipart_formdata(items, boundary=boundary)
    if any(b"--" + boundary.encode() in item for item in (*(v.encode() for _, v in fields), *(d for *_, d in files))):
        return  # a boundary inside the content is the encoder's mistake, not a body
    form, read = same_as_werkzeug(data, content_type)
    if any("\\" in text for text in (*(name for name, _ in fields), *(n + f for n, f, _ in files))):
        return  # urllib3 does not escape a backslash: ``name="\"`` is unterminated, both drop the parameter
    assert sorted(value for _, value in form) == sorted(value for _, value in fields)  # grouped by name
    assert sorted(content for *_, content in read) == sorted(content for *_, content in files)


# -- limits and resources ---------------------------------------------------------------------------------------

def test_a_text_part_over_the_memory_limit_is_too_large_for_both() -> None:
    data = body(part("context", b"x" * 5000))
    for parser in (FormDataParser(max_form_memory_size=4096), MultipartFormParser(max_form_memory_size=4096)):
        with pytest.raises(RequestEntityTooLarge):
            parsed(parser, data)
    assert parsed(MultipartFormParser(max_form_memory_size=5000), data)[0] == [("context", "x" * 5000)]


def test_more_parts_than_allowed_is_too_large_for_both() -> None:
    data = body(*(part(f"f{n}", b"1") for n in range(11)))
    for parser in (FormDataParser(max_form_parts=10), MultipartFormParser(max_form_parts=10)):
        with pytest.raises(RequestEntityTooLarge):
            parsed(parser, data)


def test_a_big_file_part_is_spooled_to_disk_not_held_in_memory() -> None:
    data = body(FIELDS, file_part("file", 'filename="big.bin"', b"\x01" * 600_000))
    _, _, files = MultipartFormParser().parse(io.BytesIO(data), "multipart/form-data", len(data), {"boundary": B})
    stream = files["file"].stream
    assert stream._rolled  # werkzeug's stream factory: a SpooledTemporaryFile, on disk past 500 KB
    assert files["file"].read() == b"\x01" * 600_000


def test_an_unusual_framing_past_the_replayed_bytes_is_an_empty_form() -> None:
    """Memory stays bounded: the bytes of a body are kept to be read again only up to ``REPLAY``."""
    early = body(part("a", b"1", nl="\n"), part("b", b"y" * (formparts.REPLAY + 1), nl="\n"), nl="\n")
    late = body(part("b", b"y" * (formparts.REPLAY + 1)), part("a", b"1", headers="Bogus\r\n"))
    assert [name for name, _ in parsed(MultipartFormParser(), early)[0]] == ["a", "b"]
    assert parsed(MultipartFormParser(), late) == ([], [])
    assert [name for name, _ in parsed(FormDataParser(), late)[0]] == ["b", "a"]


def test_files_read_before_a_replay_are_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[io.BytesIO] = []

    def factory(**_: Any) -> io.BytesIO:
        made.append(io.BytesIO())
        return made[-1]

    data = body(file_part("file", 'filename="a.jpg"', b"1"), part("late", b"", headers="Bogus\r\n"))
    _, form, files = MultipartFormParser(stream_factory=factory).parse(  # type: ignore[arg-type]
        io.BytesIO(data), "multipart/form-data", len(data), {"boundary": B})
    assert made[0].closed and files["file"].stream is made[1] and form["late"] == ""


def test_the_request_form_keeps_werkzeugs_types(client: FlaskClient) -> None:
    seen: dict[str, Any] = {}

    @client.application.before_request
    def look() -> None:
        from flask import request

        seen.update(form=request.form, files=request.files)

    client.post(UPLOAD, data={"a": "1", "file": (io.BytesIO(b"x"), "x.jpg")}, content_type="multipart/form-data")
    assert type(seen["form"]) is type(seen["files"]) is ImmutableMultiDict  # Flask's parameter_storage_class
    assert seen["form"]["a"] == "1" and isinstance(seen["files"]["file"], FileStorage)


# -- through the app: status and message ----------------------------------------------------------------------

UNSIGNED = "Upload preset must be specified when using unsigned upload"


def _upload_body(fields: dict[str, str], file: bytes | None = None) -> bytes:
    """The fields, then the file part: ``file`` if given, else the turtles image as ``t.jpg``."""
    return body(*(part(k, v.encode()) for k, v in fields.items()),
                file if file is not None else file_part("file", 'filename="t.jpg"', TURTLES.read_bytes()))


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary=other",
                                          'multipart/form-data; boundary=""'])
def test_a_body_without_its_boundary_is_an_empty_form_answered_400(client: FlaskClient, content_type: str) -> None:
    r = client.post(UPLOAD, data=_upload_body(signed({"public_id": "nb"})), content_type=content_type)
    assert (r.status_code, r.json) == (400, {"error": {"message": UNSIGNED}})


def test_a_body_cut_short_is_an_empty_form_answered_400(client: FlaskClient) -> None:
    r = client.post(UPLOAD, data=_upload_body(signed({"public_id": "cut"}))[:-30],
                    content_type=f"multipart/form-data; boundary={B}")
    assert (r.status_code, r.json) == (400, {"error": {"message": UNSIGNED}})


def test_an_rfc_2231_filename_becomes_the_original_filename(client: FlaskClient) -> None:
    data = _upload_body(signed({"public_id": "jp"}), file_part(
        "file", "filename=\"x.jpg\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.jpg", TURTLES.read_bytes()))
    r = client.post(UPLOAD, data=data, content_type=f"multipart/form-data; boundary={B}")
    assert (r.status_code, r.json["original_filename"]) == (200, "日本")


def test_more_parts_than_flask_allows_is_answered_400_saying_so(client: FlaskClient) -> None:
    # The hooks read the body first; the view must get their error, not an empty form (the body's bytes are
    # consumed by then), which would have answered as if no signature had been sent.
    fields = {**signed({"public_id": "many"}), **{f"x{n}": "1" for n in range(1001)}}
    r = client.post(UPLOAD, data=_upload_body(fields), content_type=f"multipart/form-data; boundary={B}")
    message = "Too many parameters: a request may have at most 1000 form parts"
    assert (r.status_code, r.json) == (400, {"error": {"message": message}})


def test_more_parts_than_flask_allows_in_bare_lf_framing_is_answered_the_same(client: FlaskClient) -> None:
    """werkzeug's reader (which takes such bodies) says only "too large": the answer still names the limit."""
    fields = {**signed({"public_id": "many"}), **{f"x{n}": "1" for n in range(1001)}}
    data = body(*(part(k, v.encode(), nl="\n") for k, v in fields.items()), nl="\n")
    r = client.post(UPLOAD, data=data, content_type=f"multipart/form-data; boundary={B}")
    message = "Too many parameters: a request may have at most 1000 form parts"
    assert (r.status_code, r.json) == (400, {"error": {"message": message}})


def test_a_text_part_above_the_form_memory_limit_is_a_file_too_large(client: FlaskClient) -> None:
    limit = client.application.config["MAX_FORM_MEMORY_SIZE"]
    data = _upload_body(signed({"public_id": "big"}), part("file", b"data:image/jpeg;base64," + b"A" * limit))
    r = client.post(UPLOAD, data=data, content_type=f"multipart/form-data; boundary={B}")
    assert r.status_code == 400
    assert r.json["error"]["message"].startswith(f"File size too large. Got {len(data)}. Maximum is ")


@pytest.mark.parametrize("size", [1, 7, 64 * 1024])
def test_the_replay_counts_every_boundary_marker_however_the_reads_cut_them(size: int) -> None:
    data = body(*(part(f"x{n}", b"1") for n in range(30)))
    marker = b"--" + B.encode()
    replay = formparts._Replay(data[:100], io.BytesIO(data[100:]), marker)
    assert b"".join(iter(lambda: replay.read(size), b"")) == data
    assert replay.markers == data.count(marker) == 31
