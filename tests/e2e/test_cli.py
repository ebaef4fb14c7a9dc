"""The `cloudinary-emulator serve` process and the `cld` CLI against it, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TURTLES
from tests.helpers import BIN, Served


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with Served("--data-dir", str(tmp_path / "data")) as s:
        yield s


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    # A HOME with no saved `cld config`: a saved default configuration would win over CLOUDINARY_URL.
    return {**os.environ, "HOME": str(tmp_path),
            "CLOUDINARY_URL": f"cloudinary://123456789012345:emulator_secret@demo?upload_prefix={url}"}


def test_serve_prints_the_cloudinary_url(served: Served) -> None:
    assert served.banner[0].strip() == f"cloudinary-emulator serving on {served.url}"
    assert served.banner[1].strip() == ("export CLOUDINARY_URL=cloudinary://123456789012345:emulator_secret@demo"
                                        f"?upload_prefix=http%3A%2F%2F127.0.0.1%3A{served.port}")
    assert served.proc.stdout is not None
    assert served.proc.stdout.readline().strip() == (
        "export CLOUDINARY_ACCOUNT_URL=account://987654321098765:emulator_provisioning_secret@emulator-account")


def test_cld_uploads_with_auto_tagging(served: Served, tmp_path: Path) -> None:
    done = subprocess.run([str(BIN / "cld"), "uploader", "upload", str(TURTLES), "categorization=imagga_tagging",
                           "auto_tagging=0.4"], env=_env(served.url, tmp_path), capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["tags"] == ["sea turtle", "loggerhead", "turtle"] and result["resource_type"] == "image"


def test_cld_admin_ping(served: Served, tmp_path: Path) -> None:
    done = subprocess.run([str(BIN / "cld"), "admin", "ping"], env=_env(served.url, tmp_path),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and json.loads(done.stdout)["status"] == "ok"


def test_an_answered_upload_survives_kill_9(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = Served("--data-dir", str(data))
    import cloudinary
    import cloudinary.uploader

    cloudinary.reset_config()
    cloudinary.config(cloud_name="demo", api_key="123456789012345", api_secret="emulator_secret",
                      upload_prefix=first.url)
    try:
        uploaded = cloudinary.uploader.upload(str(TURTLES), public_id="durable", categorization="imagga_tagging",
                                              auto_tagging=0.4)
        first.kill()
        second = Served("--data-dir", str(data))
        try:
            cloudinary.config(upload_prefix=second.url)
            import cloudinary.api

            again = cloudinary.api.resource("durable")
            assert (again["version"], again["tags"], again["info"]) == (
                uploaded["version"], sorted(uploaded["tags"]), uploaded["info"])
            assert "tags" not in cloudinary.api.resource("sample")  # no tags: the key is left out
        finally:
            second.stop()
    finally:
        cloudinary.reset_config()


def test_bad_config_file_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[clouds.demo]\naddons = ["imagga_tagging", "nope"]\n')
    done = subprocess.run([str(BIN / "cloudinary-emulator"), "serve", "--config", str(bad)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == ("cloudinary-emulator: clouds.demo.addons: unknown add-on(s) nope; "
                                   "known: imagga_tagging, google_tagging, aws_rek_tagging")
