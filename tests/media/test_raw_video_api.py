"""``raw`` and ``video`` (audio included) on every route that takes a resource type, through the official
Python SDK against a served emulator; ``auto`` deciding from the bytes; delivery of the original bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import cloudinary.api  # the sdk fixture reaches cloudinary.api and cloudinary.uploader
import cloudinary.uploader  # noqa: F401
import pytest
import requests

from tests import helpers
from tests.conftest import CLOUD, KEY, SAMPLE, SECRET
from tests.e2e.node import node_available, run_node

pytestmark = pytest.mark.e2e


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {"clip.mp4": helpers.mp4(), "clip.webm": helpers.webm(), "song.mp3": helpers.mp3(),
            "notes.txt": b"plain text notes\n" * 20, "data.json": b'{"a": 1}', "noext": b"\x00\x01" * 50}
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
    return {name: tmp_path / name for name in made}


def test_raw_upload_keeps_the_extension_in_the_public_id(sdk: Any, files: dict[str, Path]) -> None:
    r = sdk.uploader.upload(str(files["notes.txt"]), resource_type="raw", use_filename=True,
                            unique_filename=False)
    assert (r["public_id"], r["resource_type"], r["bytes"]) == ("notes.txt", "raw", 340)
    assert "format" not in r and "width" not in r and "height" not in r
    assert r["url"].endswith(f"/raw/upload/v{r['version']}/notes.txt")
    random = sdk.uploader.upload(str(files["data.json"]), resource_type="raw")
    assert random["public_id"].endswith(".json") and len(random["public_id"]) == 25


def test_raw_delivery_serves_the_original_bytes_with_their_type(sdk: Any, files: dict[str, Path]) -> None:
    r = sdk.uploader.upload(str(files["data.json"]), resource_type="raw", public_id="conf.json")
    got = requests.get(r["secure_url"].replace("https://", "http://"), timeout=10)
    assert got.status_code == 200 and got.content == files["data.json"].read_bytes()
    assert got.headers["Content-Type"].startswith("application/json")
    unversioned = requests.get(r["url"].replace(f"/v{r['version']}/", "/"), timeout=10)
    assert unversioned.content == got.content


def test_video_upload_reports_what_the_file_holds(sdk: Any, files: dict[str, Path]) -> None:
    r = sdk.uploader.upload(str(files["clip.mp4"]), resource_type="video", public_id="clip")
    assert (r["resource_type"], r["format"], r["width"], r["height"]) == ("video", "mp4", 64, 48)
    assert r["duration"] == pytest.approx(1.0, abs=0.1) and r["frame_rate"] == 10.0 and r["bit_rate"] > 0
    assert r["is_audio"] is False and r["video"]["codec"] == "h264" and r["audio"]["codec"] == "aac"
    assert r["url"].endswith(f"/video/upload/v{r['version']}/clip.mp4")


def test_video_delivery_serves_the_bytes_and_ranges(sdk: Any, files: dict[str, Path]) -> None:
    r = sdk.uploader.upload(str(files["clip.webm"]), resource_type="video", public_id="web")
    data = files["clip.webm"].read_bytes()
    got = requests.get(r["url"], timeout=10)
    assert got.status_code == 200 and got.content == data and got.headers["Content-Type"] == "video/webm"
    part = requests.get(r["url"], headers={"Range": "bytes=0-99"}, timeout=10)
    assert part.status_code == 206 and part.content == data[:100]


def test_audio_is_filed_under_video_without_dimensions(sdk: Any, files: dict[str, Path]) -> None:
    r = sdk.uploader.upload(str(files["song.mp3"]), resource_type="video")
    assert (r["resource_type"], r["format"], r["is_audio"]) == ("video", "mp3", True)
    assert "width" not in r and r["audio"]["codec"] == "mp3"
    assert requests.get(r["url"], timeout=10).headers["Content-Type"] == "audio/mpeg"


def test_auto_decides_image_video_or_raw_from_the_bytes(sdk: Any, files: dict[str, Path]) -> None:
    kinds = {name: sdk.uploader.upload(str(path), resource_type="auto")["resource_type"]
             for name, path in [("clip.mp4", files["clip.mp4"]), ("song.mp3", files["song.mp3"]),
                                ("notes.txt", files["notes.txt"]), ("sample.jpg", SAMPLE)]}
    assert kinds == {"clip.mp4": "video", "song.mp3": "video", "notes.txt": "raw", "sample.jpg": "image"}


def test_a_file_that_is_not_a_video_is_refused_and_not_stored(sdk: Any, files: dict[str, Path]) -> None:
    with pytest.raises(sdk.exceptions.BadRequest, match=r"^Invalid video file$"):
        sdk.uploader.upload(str(files["notes.txt"]), resource_type="video", public_id="not_video")
    with pytest.raises(sdk.exceptions.NotFound):
        sdk.api.resource("not_video", resource_type="video")


def test_categorization_of_a_video_is_refused(sdk: Any, files: dict[str, Path]) -> None:
    with pytest.raises(sdk.exceptions.BadRequest, match="imagga_tagging is not supported for video"):
        sdk.uploader.upload(str(files["clip.mp4"]), resource_type="video", categorization="imagga_tagging")


def test_details_lists_tags_context_rename_destroy_for_raw_and_video(sdk: Any, files: dict[str, Path]) -> None:
    sdk.uploader.upload(str(files["clip.mp4"]), resource_type="video", public_id="v1", tags=["media"])
    sdk.uploader.upload(str(files["notes.txt"]), resource_type="raw", public_id="r1.txt", tags=["media"])
    details = sdk.api.resource("v1", resource_type="video")
    assert details["duration"] == pytest.approx(1.0, abs=0.1) and details["format"] == "mp4"
    assert [x["public_id"] for x in sdk.api.resources(resource_type="video")["resources"]] == ["v1"]
    assert [x["public_id"] for x in sdk.api.resources_by_tag("media", resource_type="raw")["resources"]] == ["r1.txt"]
    assert sdk.uploader.add_tag("more", ["r1.txt"], resource_type="raw")["public_ids"] == ["r1.txt"]
    assert sdk.uploader.add_context({"k": "v"}, ["v1"], resource_type="video")["public_ids"] == ["v1"]
    assert "more" in sdk.api.tags(resource_type="raw")["tags"]
    renamed = sdk.uploader.rename("r1.txt", "r2.txt", resource_type="raw")
    assert renamed["public_id"] == "r2.txt" and renamed["resource_type"] == "raw"
    assert sdk.uploader.explicit("v1", type="upload", resource_type="video", tags=["x"])["tags"] == ["x"]
    found = sdk.Search().expression("resource_type:video").execute()
    assert [x["public_id"] for x in found["resources"]] == ["v1"]
    assert sdk.uploader.destroy("r2.txt", resource_type="raw")["result"] == "ok"
    deleted = sdk.api.delete_resources(["v1"], resource_type="video")
    assert deleted["deleted"] == {"v1": "deleted"}


def test_video_transformations_are_refused_clearly(sdk: Any, files: dict[str, Path]) -> None:
    r = sdk.uploader.upload(str(files["clip.mp4"]), resource_type="video", public_id="tv")
    url = r["url"].replace(f"/v{r['version']}/", "/w_100,c_scale/")
    got = requests.get(url, timeout=10)
    assert got.status_code == 400
    assert got.json()["error"]["message"].startswith("Video transformations are not emulated")


def test_a_video_of_the_same_bytes_shares_one_stored_file(sdk: Any, files: dict[str, Path]) -> None:
    a = sdk.uploader.upload(str(files["clip.mp4"]), resource_type="video", public_id="a")
    b = sdk.uploader.upload(str(files["clip.mp4"]), resource_type="video", public_id="b")
    assert a["etag"] == b["etag"] == hashlib.md5(files["clip.mp4"].read_bytes()).hexdigest()


def test_node_sdk_uploads_video_and_raw_and_reads_them_back(server: Any, files: dict[str, Path]) -> None:
    reason = node_available()
    if reason is not None:
        pytest.fail(f"the Node tests cannot run: {reason}")
    result = run_node(
        f"const v = await cloudinary.uploader.upload({str(files['clip.mp4'])!r}, "
        "{resource_type: 'video', public_id: 'node_clip'});"
        f"const r = await cloudinary.uploader.upload({str(files['notes.txt'])!r}, {{resource_type: 'raw'}});"
        "const d = await cloudinary.api.resource('node_clip', {resource_type: 'video'});"
        "const gone = await cloudinary.uploader.destroy(r.public_id, {resource_type: 'raw'});"
        "return [v.format, v.width, d.duration > 0.5, r.public_id.endsWith('.txt'), gone.result];",
        server.url, cloud=CLOUD, key=KEY, secret=SECRET)
    assert result == ["mp4", 64, True, True, "ok"]
