"""Account settings survive a restart on the same data directory, and a schema-2 database is upgraded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.config import load_config
from emulator.runtime import EXTENSION
from tests.conftest import TURTLES, basic

V = "/v1_1/demo"


def _client(data_dir: Path, presets: dict[str, object] | None = None) -> tuple[FlaskClient, object]:
    values: dict[str, object] = {"data_dir": str(data_dir)}
    if presets:
        values["clouds"] = {"demo": {"presets": presets}}
    app = create_app(load_config(values, env={}))
    return app.test_client(), app.extensions[EXTENSION]


def test_settings_and_values_survive_a_restart(tmp_path: Path) -> None:
    client, emulator = _client(tmp_path)
    h = basic()
    assert client.post(f"{V}/metadata_fields", json={"external_id": "n", "label": "N", "type": "integer"},
                       headers=h).status_code == 200
    assert client.post(f"{V}/upload_presets", json={"name": "p", "folder": "f"}, headers=h).status_code == 200
    assert client.post(f"{V}/folders/a/b", headers=h).status_code == 200
    assert client.post(f"{V}/triggers", json={"uri": "https://example.com/h", "event_type": "upload"},
                       headers=h).status_code == 200
    assert client.post(f"{V}/transformations", json={"name": "small", "transformation": "c_scale,w_10"},
                       headers=h).status_code == 200
    sample = f"{V}/resources/image/upload/sample"
    assert client.post(sample, json={"metadata": "n=7", "asset_folder": "x/y"}, headers=h).status_code == 200
    emulator.close()  # type: ignore[attr-defined]

    client, emulator = _client(tmp_path)
    assert client.get(f"{V}/metadata_fields/n", headers=h).json["type"] == "integer"
    assert client.get(f"{V}/upload_presets/p", headers=h).json["settings"] == {"folder": "f"}
    assert [f["path"] for f in client.get(f"{V}/folders/a", headers=h).json["folders"]] == ["a/b"]
    assert len(client.get(f"{V}/triggers", headers=h).json["triggers"]) == 1
    assert client.get(f"{V}/transformations/small", headers=h).json["info"] == [{"crop": "scale", "width": 10}]
    details = client.get(sample, headers=h).json
    assert (details["metadata"], details["asset_folder"]) == ({"n": 7}, "x/y")
    emulator.close()  # type: ignore[attr-defined]


def test_config_presets_win_at_start_and_api_presets_stay(tmp_path: Path) -> None:
    client, emulator = _client(tmp_path, {"web": {"unsigned": True, "folder": "from-config"}})
    h = basic()
    client.put(f"{V}/upload_presets/web", json={"folder": "changed"}, headers=h)
    client.post(f"{V}/upload_presets", json={"name": "mine", "tags": "a,b"}, headers=h)
    assert client.get(f"{V}/upload_presets/web", headers=h).json["settings"] == {"folder": "changed"}
    emulator.close()  # type: ignore[attr-defined]

    client, emulator = _client(tmp_path, {"web": {"unsigned": True, "folder": "from-config"}})
    assert client.get(f"{V}/upload_presets/web", headers=h).json == {
        "name": "web", "unsigned": True, "settings": {"folder": "from-config"}}
    assert client.get(f"{V}/upload_presets/mine", headers=h).json["settings"] == {"tags": ["a", "b"]}
    with TURTLES.open("rb") as image:
        r = client.post(f"{V}/image/upload", data={"file": (image, "turtles.jpg"), "upload_preset": "web"})
    assert (r.status_code, r.json["public_id"].split("/")[0]) == (200, "from-config")
    emulator.close()  # type: ignore[attr-defined]


def test_a_schema_2_database_is_upgraded_in_place(tmp_path: Path) -> None:
    client, emulator = _client(tmp_path)
    emulator.close()  # type: ignore[attr-defined]
    with sqlite3.connect(tmp_path / "emulator.sqlite3") as db:  # back to schema 2: no new columns or tables
        db.execute("DROP INDEX resources_by_asset_folder")
        for column in ("metadata", "asset_folder", "display_name"):
            db.execute(f"ALTER TABLE resources DROP COLUMN {column}")
        db.execute("DROP TABLE resource_metadata")
        db.execute("DROP TABLE account_documents")
        db.execute("PRAGMA user_version=2")
    client, emulator = _client(tmp_path)
    details = client.get(f"{V}/resources/image/upload/sample", headers=basic()).json
    assert (details["public_id"], details["asset_folder"], "metadata" in details) == ("sample", "", False)
    assert client.get(f"{V}/metadata_fields", headers=basic()).json == {"metadata_fields": []}
    emulator.close()  # type: ignore[attr-defined]
