"""Uploads of the ``private`` and ``authenticated`` delivery types, and the signed ``download`` their owners fetch
them with (``private_download_url``), through the official Python SDK against a served emulator."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.conftest import SAMPLE


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as failed:
        return failed.code, failed.read(), dict(failed.headers)


@pytest.fixture
def private(sdk: Any) -> dict[str, Any]:
    import cloudinary.uploader

    result: dict[str, Any] = cloudinary.uploader.upload(str(SAMPLE), public_id="docs/secret", type="private")
    return result


def test_an_upload_keeps_its_delivery_type(sdk: Any, private: dict[str, Any]) -> None:
    import cloudinary.api

    assert private["type"] == "private" and "/image/private/" in private["url"]
    assert [r["public_id"] for r in cloudinary.api.resources(type="private")["resources"]] == ["docs/secret"]
    assert cloudinary.api.resource("docs/secret", type="private")["type"] == "private"
    assert "docs/secret" not in [r["public_id"] for r in cloudinary.api.resources(type="upload")["resources"]]


def test_private_download_url_answers_the_original_bytes(sdk: Any, private: dict[str, Any]) -> None:
    status, body, headers = _get(sdk.utils.private_download_url("docs/secret", "jpg", type="private"))
    assert (status, body, headers["Content-Type"]) == (200, SAMPLE.read_bytes(), "image/jpeg")


def test_another_format_as_an_attachment(sdk: Any, private: dict[str, Any]) -> None:
    url = sdk.utils.private_download_url("docs/secret", "png", type="private", attachment=True,
                                         expires_at=int(time.time()) + 60)
    status, body, headers = _get(url)
    assert status == 200 and body.startswith(b"\x89PNG")
    assert headers["Content-Disposition"] == 'attachment; filename="secret.png"'


def test_a_raw_authenticated_file(sdk: Any, tmp_path: Any) -> None:
    import cloudinary.uploader

    path = tmp_path / "report.csv"
    path.write_text("a,b\n1,2\n")
    cloudinary.uploader.upload(str(path), resource_type="raw", type="authenticated", public_id="report.csv")
    url = sdk.utils.private_download_url("report.csv", "", resource_type="raw", type="authenticated")
    assert _get(url)[:2] == (200, b"a,b\n1,2\n")


def test_an_expired_link_is_a_400(sdk: Any, private: dict[str, Any]) -> None:
    url = sdk.utils.private_download_url("docs/secret", "jpg", type="private", expires_at=int(time.time()) - 60)
    status, body, _ = _get(url)
    assert status == 400 and b"Download link expired at" in body


def test_the_link_is_signed(sdk: Any, private: dict[str, Any]) -> None:
    url = sdk.utils.private_download_url("docs/secret", "jpg", type="private")
    status, body, _ = _get(url.replace("type=private", "type=upload"))
    assert status == 401 and b"Invalid Signature" in body


def test_the_wrong_delivery_type_finds_nothing(sdk: Any, private: dict[str, Any]) -> None:
    status, body, _ = _get(sdk.utils.private_download_url("docs/secret", "jpg"))
    assert status == 404 and b"Resource not found - docs/secret" in body


def test_an_upload_type_that_cannot_be_uploaded_is_a_400(sdk: Any) -> None:
    import cloudinary.exceptions
    import cloudinary.uploader

    with pytest.raises(cloudinary.exceptions.BadRequest, match="Invalid type - fetch"):
        cloudinary.uploader.upload(str(SAMPLE), type="fetch")


def test_download_backedup_asset_answers_a_kept_version_also_after_deletion(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    first = cloudinary.uploader.upload(str(SAMPLE), public_id="kept", backup=True)
    cloudinary.uploader.upload(str(SAMPLE), public_id="kept", backup=True, angle=90)
    versions = cloudinary.api.resource("kept", versions=True)["versions"]
    oldest = next(v for v in versions if v["version"] == first["version"])
    cloudinary.uploader.destroy("kept")
    status, body, headers = _get(sdk.utils.download_backedup_asset(first["asset_id"], oldest["version_id"]))
    assert (status, body) == (200, SAMPLE.read_bytes())
    assert headers["Content-Disposition"] == 'attachment; filename="kept.jpg"'


def test_download_backedup_asset_of_an_unknown_version_is_a_404(sdk: Any) -> None:
    import cloudinary.uploader

    uploaded = cloudinary.uploader.upload(str(SAMPLE), public_id="kept_once", backup=True)
    status, body, _ = _get(sdk.utils.download_backedup_asset(uploaded["asset_id"], "0" * 32))
    assert status == 404 and b"Version not found" in body


def test_a_name_beyond_latin_1_is_sent_as_rfc_6266_filename_star(sdk: Any) -> None:
    """Headers travel as Latin-1: ``日本.png`` used to drop the connection (a 500 the client never saw)."""
    import cloudinary.uploader

    cloudinary.uploader.upload(str(SAMPLE), public_id="日本", backup=True)
    status, body, headers = _get(sdk.utils.private_download_url("日本", "png", attachment=True))
    assert status == 200 and body.startswith(b"\x89PNG")
    assert headers["Content-Disposition"] == "attachment; filename=\"__.png\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.png"
    status, _, headers = _get(sdk.utils.download_zip_url(public_ids=["日本"], target_public_id="日本"))
    assert status == 200 and headers["Content-Disposition"].endswith("filename*=UTF-8''%E6%97%A5%E6%9C%AC.zip")
