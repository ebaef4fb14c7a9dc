"""``create_slideshow``: an MP4 of stored images, encoded with PyAV and stored as a video, through the Python SDK
(the Node SDK 2.11 has no ``create_slideshow``)."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
import requests

from tests.conftest import CLOUD, KEY, SAMPLE, SECRET, TURTLES

pytestmark = pytest.mark.e2e


def _frames(data: bytes) -> list[tuple[int, int, int]]:
    """The centre pixel of every frame of a video."""
    import av

    with av.open(io.BytesIO(data)) as container:
        out = []
        for frame in container.decode(video=0):
            image = frame.to_image()
            out.append(image.getpixel((image.width // 2, image.height // 2)))
        return out


def test_a_manifest_json_slideshow_is_stored_as_a_video(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    cloudinary.uploader.upload(str(TURTLES), public_id="slides/a")
    manifest = {"w": 320, "h": 240, "du": 2, "fps": 10,
                "vars": {"sdur": 500, "slides": [{"media": "i:slides/a"}, {"media": "i:sample"}]}}
    answer = cloudinary.uploader.create_slideshow(manifest_json=manifest, public_id="slides/show", tags=["shows"],
                                                  batch_id="b1")
    assert answer["status"] == "processing" and answer["public_id"] == "slides/show" and answer["batch_id"] == "b1"
    video = cloudinary.api.resource("slides/show", resource_type="video")
    assert (video["format"], video["width"], video["height"], video["duration"]) == ("mp4", 320, 240, 2.0)
    assert video["tags"] == ["shows"]
    frames = _frames(requests.get(video["secure_url"].replace("https://", "http://"), timeout=10).content)
    assert len(frames) == 20 and frames[0] != frames[-1]  # two slides, ten frames each


def test_a_manifest_transformation_slideshow(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    up = cloudinary.uploader.upload(str(SAMPLE), public_id="slides/b")
    encoded = base64.urlsafe_b64encode(up["url"].encode()).decode().rstrip("=")
    source = f"w_200;h_100;du_1;fps_6;vars_(slides_((media_s64:{encoded});(media_i:slides/b)))"
    answer = cloudinary.uploader.create_slideshow(
        manifest_transformation={"custom_function": {"function_type": "render", "source": source}})
    video = cloudinary.api.resource(answer["public_id"], resource_type="video")
    assert (video["width"], video["height"], video["duration"]) == (200, 100, 1.0)


@pytest.mark.parametrize(("kwargs", "status", "message"), [
    ({}, 400, "Missing required parameter - manifest_json or manifest_transformation"),
    ({"manifest_json": {"vars": {"slides": []}}}, 400, "Invalid manifest - slides must list at least one slide"),
    ({"manifest_json": {"du": 100, "fps": 30, "vars": {"slides": [{"media": "i:sample"}]}}}, 400,
     "Invalid manifest - 3000 frames. The emulator encodes at most 900 (du × fps)"),
    ({"manifest_json": {"w": 5000, "vars": {"slides": [{"media": "i:sample"}]}}}, 400,
     "Invalid manifest - w and h must be 2 to 1920 pixels"),
    ({"manifest_json": {"vars": {"slides": [{"media": "i:nope"}]}}}, 404, "Resource not found - nope"),
    ({"manifest_json": {"vars": {"slides": [{"media": "v:clip"}]}}}, 400,
     "Invalid slide - v:clip. The emulator shows images: i:<public_id> or an image URL"),
    ({"manifest_json": {"vars": {}}}, 400, "Invalid manifest_json - vars.slides must list objects with a media string"),
])
def test_bad_slideshows_are_refused_and_store_nothing(sdk: Any, kwargs: dict[str, Any], status: int,
                                                      message: str) -> None:
    import cloudinary.api
    import cloudinary.uploader
    from cloudinary import exceptions

    with pytest.raises(exceptions.Error) as raised:
        cloudinary.uploader.create_slideshow(public_id="slides/bad", **kwargs)
    assert str(raised.value) == message
    assert type(raised.value).__name__ == {400: "BadRequest", 404: "NotFound"}[status]
    with pytest.raises(exceptions.NotFound):
        cloudinary.api.resource("slides/bad", resource_type="video")


def test_a_slideshow_survives_a_restart(tmp_path: Any) -> None:
    import cloudinary
    import cloudinary.api
    import cloudinary.uploader

    from emulator.app import create_app
    from emulator.config import load_config
    from emulator.server import EmulatorServer

    def serve() -> Any:
        return EmulatorServer(create_app(load_config({"data_dir": str(tmp_path)}, env={})))

    with serve() as running:
        cloudinary.config(cloud_name=CLOUD, api_key=KEY, api_secret=SECRET, upload_prefix=running.url)
        cloudinary.uploader.create_slideshow(manifest_json={"du": 1, "fps": 2, "vars": {"slides": [
            {"media": "i:sample"}]}}, public_id="kept/show")
        running.app.extensions["cloudinary_emulator"].close()
    with serve() as running:
        cloudinary.config(upload_prefix=running.url)
        assert cloudinary.api.resource("kept/show", resource_type="video")["duration"] == 1.0
        running.app.extensions["cloudinary_emulator"].close()
    cloudinary.reset_config()
