"""What one upload costs the emulator, counted rather than timed: files written, SQL statements, clock reads.

Speed itself lives in bench/; these pin down the work an upload must not do again (a temporary file for bytes
held in memory, a resource read back inside the write transaction, the clock read at every instant).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.backend.models import ResourceKey
from tests.conftest import CLOUD
from tests.helpers import upload, upload_ok


@pytest.fixture
def temporary_files(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each temporary file the blob store creates (once the library has started: its ``sample`` is written then)."""
    app.extensions["cloudinary_emulator"].start_library()
    made: list[str] = []
    real = tempfile.mkstemp

    def spy(*args: Any, **kwargs: Any) -> tuple[int, str]:
        fd, name = real(*args, **kwargs)
        made.append(name)
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", spy)
    return made


def _statements(app: Flask) -> Iterator[list[tuple[str, str]]]:
    """SQL statements run on the resource database ("main") and on the control store ("control")."""
    em = app.extensions["cloudinary_emulator"]
    seen: list[tuple[str, str]] = []
    em.storage.db.conn.set_trace_callback(lambda sql: seen.append(("main", sql)))
    em.control.store._conn.set_trace_callback(lambda sql: seen.append(("control", sql)))
    try:
        yield seen
    finally:
        em.storage.db.conn.set_trace_callback(None)
        em.control.store._conn.set_trace_callback(None)


@pytest.fixture
def statements(app: Flask) -> Iterator[list[tuple[str, str]]]:
    yield from _statements(app)


def test_an_upload_of_bytes_already_stored_writes_no_file(client: FlaskClient, temporary_files: list[str]) -> None:
    upload_ok(client, "first")
    temporary_files.clear()
    upload_ok(client, "second")  # the same bytes
    assert temporary_files == []


def test_new_small_bytes_are_written_once_and_leave_no_temporary_file(
        app: Flask, client: FlaskClient, temporary_files: list[str]) -> None:
    storage = app.extensions["cloudinary_emulator"].storage
    upload_ok(client, "new")
    assert len(temporary_files) == 1  # the file linked into place, never one to read back from
    assert list((storage.files.root / "tmp").iterdir()) == []
    sha = storage.get(ResourceKey(CLOUD, "new")).sha256
    assert storage.files.exists(sha)


def test_an_upload_over_the_memory_bound_is_staged_on_disk(
        app: Flask, client: FlaskClient, temporary_files: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory stays bounded for any size: above the bound the bytes stream through a temporary file."""
    files = app.extensions["cloudinary_emulator"].storage.files
    monkeypatch.setattr(files, "memory", 1024)  # the turtles are 5.5 kB
    staged: list[Any] = []
    stage = files.stage
    monkeypatch.setattr(files, "stage", lambda *a, **k: staged.append(stage(*a, **k)) or staged[-1])
    upload_ok(client, "big")
    assert staged[0].data is None and staged[0].path is not None
    assert len(temporary_files) == 1
    assert list((files.root / "tmp").iterdir()) == []


def test_a_refused_upload_leaves_no_temporary_file(
        app: Flask, client: FlaskClient, temporary_files: list[str]) -> None:
    files = app.extensions["cloudinary_emulator"].storage.files
    response = upload(client, {"public_id": "broken"}, data=b"\xff\xd8 not really a jpeg", name="x.jpg")
    assert response.status_code == 400
    assert response.get_json() == {"error": {"message": "Invalid image file"}}
    assert temporary_files == []
    assert list((files.root / "tmp").iterdir()) == []


def test_a_new_resource_is_written_without_reading_it_back(
        client: FlaskClient, statements: list[tuple[str, str]]) -> None:
    upload_ok(client, "fresh", tags="a,b")
    main = [sql for where, sql in statements if where == "main"]
    begin, commit = main.index("BEGIN IMMEDIATE"), main.index("COMMIT")
    written = main[begin + 1:commit]
    assert not [sql for sql in written if sql.startswith("SELECT")]
    assert len([sql for sql in written if sql.startswith("INSERT INTO resources")]) >= 1
    assert len([sql for sql in written if "INTO resource_tags" in sql]) == 2  # one executemany, a row per tag


def test_an_overwrite_still_replaces_the_resource_and_its_tags(client: FlaskClient, app: Flask) -> None:
    upload_ok(client, "again", tags="old")
    upload_ok(client, "again", tags="new")
    storage = app.extensions["cloudinary_emulator"].storage
    assert storage.get(ResourceKey(CLOUD, "again")).tags[0] == "new"
    assert "old" not in storage.get(ResourceKey(CLOUD, "again")).tags


def test_the_clock_setting_is_read_once_per_request(client: FlaskClient, statements: list[tuple[str, str]]) -> None:
    """At most once: the control store keeps it until it changes; changed, it is read once again (here by the
    answer of the control call that changed it, then kept for the upload)."""
    def clock_reads() -> int:
        return len([sql for where, sql in statements if where == "control" and "FROM clock" in sql])

    upload_ok(client, "timed", categorization="imagga_tagging", auto_tagging="0.4")
    assert clock_reads() <= 1
    statements.clear()
    assert client.post("/_emulator/clock", json={"advance": 60}).status_code == 200
    upload_ok(client, "timed", categorization="imagga_tagging", auto_tagging="0.4")
    assert clock_reads() == 1


def test_registered_categories_are_looked_up_in_one_query(
        client: FlaskClient, statements: list[tuple[str, str]]) -> None:
    upload_ok(client, "tagged", categorization="imagga_tagging")
    lookups = [sql for where, sql in statements if where == "control" and "FROM registrations" in sql]
    assert len(lookups) == 1


def test_a_clock_moved_by_the_control_plane_is_seen_by_the_next_request(client: FlaskClient) -> None:
    first = upload_ok(client, "before")
    assert client.post("/_emulator/clock", json={"advance": 86400}).status_code == 200
    response = upload(client, {"public_id": "after"}, timestamp=time.time() + 86400)  # signed in its future
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["version"] >= first["version"] + 86400


def test_bytes_accepted_before_are_not_decoded_again(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator import media

    decoded: list[int] = []
    real = media.inspect
    monkeypatch.setattr(media, "inspect", lambda data, *a: decoded.append(len(data)) or real(data, *a))
    monkeypatch.setattr(media, "_ACCEPTED", type(media._ACCEPTED)())  # nothing remembered from other tests
    first = upload_ok(client, "one")
    second = upload_ok(client, "two")
    assert len(decoded) == 1
    assert (second["width"], second["height"], second["format"]) == (first["width"], first["height"], "jpg")


def test_remembered_bytes_are_still_held_to_the_pixel_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator import media
    from emulator.errors import BadRequest
    from tests.conftest import TURTLES

    monkeypatch.setattr(media, "_ACCEPTED", type(media._ACCEPTED)())

    data = TURTLES.read_bytes()
    facts = media.inspect_known("f" * 64, data)
    with pytest.raises(BadRequest, match=r"Maximum image size is 0\.08 Megapixels\. Requested 0\.08"):
        media.inspect_known("f" * 64, data, max_pixels=facts.width * facts.height - 1)


def test_bytes_refused_as_an_image_are_refused_again(client: FlaskClient) -> None:
    for _ in range(2):
        response = upload(client, {"public_id": "bad"}, data=b"GIF89a truncated", name="x.gif")
        assert response.status_code == 400
        assert response.get_json() == {"error": {"message": "Invalid image file"}}
