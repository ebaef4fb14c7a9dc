"""Seeding (control plane and CLI) and `serve --workers N` sharing state through the database."""

from __future__ import annotations

import base64
import http.client
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient

from emulator.config import Config, load_config
from emulator.workers import REQUESTS_PER_CONNECTION
from tests.conftest import CLOUD, KEY, SAMPLE, SECRET, TURTLES, basic
from tests.helpers import BIN, Served

DETAILS = "/v1_1/demo/resources/image/upload/"


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """The test's temporary directory is the seed root: the manifest may read files there."""
    return load_config({"seed_root": str(tmp_path)}, env={})


def test_seed_a_manifest_with_paths_and_data_uris(client: FlaskClient) -> None:
    uri = "data:image/jpeg;base64," + base64.b64encode(TURTLES.read_bytes()).decode()
    r = client.post("/_emulator/seed", json={"resources": [
        {"public_id": "shop/a", "file": str(SAMPLE), "tags": ["x", "y"], "context": {"alt": "flower"}},
        {"public_id": "shop/b", "file": uri, "filename": "turtles.jpg", "categorization": "imagga_tagging",
         "auto_tagging": 0.4},
    ]})
    assert (r.status_code, r.json) == (200, {"cloud": "demo", "seeded": ["shop/a", "shop/b"]})
    a = client.get(DETAILS + "shop/a", headers=basic()).json
    assert (a["tags"], a["context"], a["width"]) == (["x", "y"], {"custom": {"alt": "flower"}}, 864)
    assert client.get(DETAILS + "shop/b", headers=basic()).json["tags"] == ["loggerhead", "sea turtle", "turtle"]


def test_seed_a_folder(client: FlaskClient, tmp_path: Path) -> None:
    (tmp_path / "animals").mkdir()
    shutil.copy(TURTLES, tmp_path / "animals" / "turtles.jpg")
    shutil.copy(SAMPLE, tmp_path / "flower.jpg")
    (tmp_path / "notes.txt").write_text("not an image")
    r = client.post("/_emulator/seed", json={"folder": str(tmp_path)})
    assert r.json["seeded"] == ["animals/turtles", "flower"]


def test_bad_manifests_store_nothing(client: FlaskClient, tmp_path: Path) -> None:
    cases = [
        ({"resources": []}, "Expected 'resources': a non-empty array"),
        ({"resources": [{"public_id": "a"}]}, "resources[0]: expected an object with 'file'"),
        ({"resources": [{"file": str(SAMPLE), "public_id": "ok"}, {"file": str(tmp_path / "nope.jpg")}]},
         f"resources[1]: No such file - {tmp_path.resolve() / 'nope.jpg'}"),
        ({"resources": [{"file": str(SAMPLE), "auto_tagging": 0.5}]},
         "resources[0]: Must use categorization or detection with auto_tagging"),
        ({"folder": str(tmp_path / "missing")}, "Not a directory"),
        ({"folder": str(tmp_path)}, "No images in"),
        ({"cloud": "nope", "resources": [{"file": str(SAMPLE)}]}, "Unknown cloud nope"),
    ]
    for body, message in cases:
        r = client.post("/_emulator/seed", json=body)
        assert r.status_code == 400 and message in r.json["error"]["message"], (body, r.json)
    assert client.get(DETAILS + "ok", headers=basic()).status_code == 404


def test_seed_command_with_progress(tmp_path: Path) -> None:
    images = tmp_path / "images"
    (images / "a").mkdir(parents=True)
    for i in range(3):
        shutil.copy(TURTLES, images / "a" / f"t{i}.jpg")
    served = Served("--data-dir", str(tmp_path / "data"))
    try:
        done = subprocess.run([str(BIN / "cloudinary-emulator"), "seed", str(images), "--url", served.url,
                               "--tags", "seeded", "--batch", "2"], capture_output=True, text=True, timeout=60,
                              check=False)
        assert done.returncode == 0, done.stderr
        assert "seeded 3 image(s)" in done.stdout and "3/3" in done.stderr  # tqdm draws on stderr
        r = requests.get(f"{served.url}{DETAILS}a/t2", auth=("123456789012345", "emulator_secret"), timeout=5)
        assert r.json()["tags"] == ["seeded"]
    finally:
        served.stop()


def test_seed_command_reports_an_unreachable_emulator(tmp_path: Path) -> None:
    shutil.copy(TURTLES, tmp_path / "t.jpg")
    done = subprocess.run([str(BIN / "cloudinary-emulator"), "seed", str(tmp_path), "--url", "http://127.0.0.1:9"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "cannot reach http://127.0.0.1:9" in done.stderr


def test_two_workers_share_one_library(tmp_path: Path) -> None:
    served = Served("--workers", "2")
    try:
        auth = ("123456789012345", "emulator_secret")
        body = {"resources": [{"public_id": f"w{i}", "file": str(TURTLES), "tags": f"n{i}"} for i in range(12)]}
        for i in range(12):  # a fresh connection each time, so the kernel spreads them over both workers
            one = {"resources": [body["resources"][i]]}
            assert requests.post(f"{served.url}/_emulator/seed", json=one, timeout=10).status_code == 200
        for i in range(12):
            r = requests.get(f"{served.url}{DETAILS}w{i}", auth=auth, timeout=10)
            assert r.status_code == 200 and r.json()["tags"] == [f"n{i}"]
        pids = subprocess.run(["pgrep", "-P", str(served.proc.pid)], capture_output=True, text=True, check=False)
        assert len(pids.stdout.split()) == 2  # gunicorn's master with two workers
    finally:
        served.stop()


def test_workers_close_a_connection_after_its_share_of_requests() -> None:
    """A kept-alive connection is closed, announced, after REQUESTS_PER_CONNECTION requests, so a client's next
    connection may go to another worker; the SDK's pooled connections carry on across the close."""
    import cloudinary
    import cloudinary.api

    served = Served("--workers", "2")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        for number in range(1, REQUESTS_PER_CONNECTION + 1):
            conn.request("GET", DETAILS + "sample", headers=basic())
            r = conn.getresponse()
            r.read()
            assert r.status == 200
            assert (r.getheader("Connection") == "close") is (number == REQUESTS_PER_CONNECTION), number
        assert conn.sock is None  # http.client closes its side on "Connection: close"
        conn.close()
        cloudinary.reset_config()
        cloudinary.config(cloud_name=CLOUD, api_key=KEY, api_secret=SECRET, upload_prefix=served.url)
        answers = [cloudinary.api.ping()["status"] for _ in range(3 * REQUESTS_PER_CONNECTION)]
        assert answers == ["ok"] * (3 * REQUESTS_PER_CONNECTION)
    finally:
        cloudinary.reset_config()
        served.stop()
