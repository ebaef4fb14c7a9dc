"""Every upload lists the account's metadata fields and upload triggers: each process keeps those lists until
they may have changed, and a change made anywhere (this process, another worker, a reset) applies to the next
upload.

Two apps on one data directory stand in for ``serve --workers 2`` (each has its own connection to the database,
as each worker process has); one served test runs the real thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.config import load_config
from emulator.storage.account_sql import SQLiteAccountStore
from emulator.storage.db import Database
from tests.conftest import TURTLES, basic
from tests.helpers import ADMIN, Served, emulator_of, signed_form, upload, upload_ok

OWNER = {"external_id": "owner", "label": "Owner", "type": "string", "mandatory": True}
MISSING_OWNER = "Mandatory metadata field(s) missing a value - owner"


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Flask, Flask]]:
    """Two emulators on one data directory: two connections to one database, as two workers have."""
    config = load_config({"data_dir": str(tmp_path)}, env={})
    apps = (create_app(config), create_app(config))
    yield apps
    for app in apps:
        emulator_of(app).close()


def _statements(app: Flask, client: FlaskClient, public_id: str) -> list[str]:
    """The SQL statements one upload runs on the resource database (account documents included)."""
    seen: list[str] = []
    conn = emulator_of(app).storage.db.conn
    conn.set_trace_callback(seen.append)
    try:
        upload_ok(client, public_id)
    finally:
        conn.set_trace_callback(None)
    return seen


def _about_documents(statements: list[str]) -> list[str]:
    return [s for s in statements if "account_" in s or s.startswith("PRAGMA")]


def _refused(client: FlaskClient, public_id: str) -> str:
    response = upload(client, {"public_id": public_id})
    assert response.status_code == 400
    message: str = response.get_json()["error"]["message"]
    return message


def test_a_temporary_database_is_not_asked_again_for_kept_lists(app: Flask, client: FlaskClient) -> None:
    upload_ok(client, "first")
    assert _about_documents(_statements(app, client, "second")) == []


def test_with_a_data_dir_an_upload_asks_only_whether_the_file_changed(tmp_path: Path) -> None:
    app = create_app(load_config({"data_dir": str(tmp_path)}, env={}))
    try:
        client = app.test_client()
        upload_ok(client, "first")
        assert _about_documents(_statements(app, client, "second")) == ["PRAGMA data_version"] * 2
    finally:
        emulator_of(app).close()


def test_a_field_added_and_deleted_here_applies_to_the_next_upload(client: FlaskClient) -> None:
    upload_ok(client, "before")
    assert client.post(f"{ADMIN}/metadata_fields", json=OWNER, headers=basic()).status_code == 200
    assert _refused(client, "during") == MISSING_OWNER
    assert upload_ok(client, "given", metadata="owner=me")["metadata"] == {"owner": "me"}
    assert client.delete(f"{ADMIN}/metadata_fields/owner", headers=basic()).status_code == 200
    upload_ok(client, "after")


def test_a_reset_forgets_the_kept_fields(client: FlaskClient) -> None:
    assert client.post(f"{ADMIN}/metadata_fields", json=OWNER, headers=basic()).status_code == 200
    assert _refused(client, "kept") == MISSING_OWNER
    assert client.post("/_emulator/reset", json={}).status_code == 200
    upload_ok(client, "after-reset")


def test_a_field_added_through_another_worker_applies_to_the_next_upload(pair: tuple[Flask, Flask]) -> None:
    here, there = (app.test_client() for app in pair)
    upload_ok(here, "kept")  # this worker keeps the (empty) list of fields
    assert there.post(f"{ADMIN}/metadata_fields", json=OWNER, headers=basic()).status_code == 200
    assert _refused(here, "refused") == MISSING_OWNER
    assert there.delete(f"{ADMIN}/metadata_fields/owner", headers=basic()).status_code == 200
    upload_ok(here, "accepted")


def test_a_trigger_added_through_another_worker_is_notified(pair: tuple[Flask, Flask]) -> None:
    here, there = (app.test_client() for app in pair)
    upload_ok(here, "unseen")  # this worker keeps the (empty) list of triggers
    trigger = {"uri": "poll://orders", "event_type": "upload", "uri_type": "poll"}
    assert there.post(f"{ADMIN}/triggers", json=trigger, headers=basic()).status_code == 200
    upload_ok(here, "seen")
    polled = there.get("/v2/notifications/demo/messages?channel=orders&wait_seconds=0", headers=basic())
    assert [m["payload"]["public_id"] for m in polled.get_json()["messages"]] == ["seen"]


def test_another_worker_s_uploads_cost_a_counter_read_not_the_documents(pair: tuple[Flask, Flask]) -> None:
    here, there = (app.test_client() for app in pair)
    upload_ok(here, "kept")
    upload_ok(there, "elsewhere")  # a commit to the file that changes no document
    statements = _about_documents(_statements(pair[0], here, "again"))
    assert "SELECT n FROM account_version WHERE id = 1" in statements
    assert not [s for s in statements if "account_documents" in s]


def _served_upload(url: str, public_id: str) -> requests.Response:
    # a new connection each time, so the kernel spreads the uploads over both workers
    with requests.Session() as session, TURTLES.open("rb") as image:
        return session.post(f"{url}/v1_1/demo/image/upload", data=signed_form({"public_id": public_id}),
                            files={"file": ("turtles.jpg", image)}, timeout=10)


@pytest.mark.slow
def test_serve_with_two_workers_applies_a_new_field_in_both(tmp_path: Path) -> None:
    with Served("--workers", "2", "--data-dir", str(tmp_path)) as served:
        assert all(_served_upload(served.url, f"before{n}").status_code == 200 for n in range(6))
        created = requests.post(f"{served.url}{ADMIN}/metadata_fields", json=OWNER, headers=basic(), timeout=10)
        assert created.status_code == 200
        answers: list[dict[str, Any]] = [_served_upload(served.url, f"after{n}").json() for n in range(8)]
        assert answers == [{"error": {"message": MISSING_OWNER}}] * 8


@pytest.mark.parametrize("data_dir", [False, True])
def test_a_list_read_inside_a_change_is_not_kept_past_it(tmp_path: Path, data_dir: bool) -> None:
    """A ``modify`` callback that lists the kind it changes reads the old documents: that list must not outlive
    the write."""
    db = Database(tmp_path / "a.sqlite3", synchronous="NORMAL", temporary=not data_dir)
    try:
        store = SQLiteAccountStore(db)
        store.insert("c", "k", "a", {"v": 1})

        def change(document: dict[str, Any]) -> dict[str, Any]:
            assert [d["v"] for d in store.list("c", "k")] == [1]
            return {**document, "v": 2}

        store.modify("c", "k", "a", change)
        assert [d["v"] for d in store.list("c", "k")] == [2]
    finally:
        db.close()
