"""Video thumbnails: a video delivered as an image is a frame of it (PyAV), at ``so_`` or the middle, transformed."""

from __future__ import annotations

import io
from typing import Any

import pytest
import requests
from PIL import Image

from tests.conftest import CLOUD, KEY, SECRET
from tests.helpers import mp3, mp4

pytestmark = pytest.mark.e2e


def _get(url: str) -> requests.Response:
    return requests.get(url, timeout=10)


def _luma(answer: requests.Response) -> int:
    assert answer.status_code == 200, answer.text[:200]
    with Image.open(io.BytesIO(answer.content)) as im:
        return int(im.convert("L").getpixel((2, 2)))


@pytest.fixture
def movie(sdk: Any, server: Any) -> str:
    """The delivery URL prefix of a 1 s, 10-frame video whose frames grow brighter (tests/helpers.py)."""
    import cloudinary.uploader

    cloudinary.uploader.upload(mp4(), public_id="movie", resource_type="video")
    return f"{server.url}/{CLOUD}/video/upload"


def test_the_sdk_video_thumbnail_url_is_a_jpeg_frame(sdk: Any, movie: str, server: Any) -> None:
    import cloudinary

    built = cloudinary.CloudinaryVideo("movie").video_thumbnail(width=32, crop="scale")
    answer = _get(server.url + built.split("res.cloudinary.com", 1)[1])
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(answer.content)) as im:
        assert (im.format, im.size) == ("JPEG", (32, 24))


def test_the_frame_follows_the_start_offset(movie: str) -> None:
    first, middle, late = (_luma(_get(f"{movie}/{t}movie.png")) for t in ("so_0/", "", "so_90p/"))
    assert first < middle < late
    assert _luma(_get(f"{movie}/so_auto/movie.png")) == middle
    assert _luma(_get(f"{movie}/so_50p/movie.png")) == middle
    assert _luma(_get(f"{movie}/so_0.3/movie.png")) < middle


def test_formats_and_transformations_apply_to_the_frame(movie: str) -> None:
    webp = _get(f"{movie}/so_0.2,w_20,c_scale/movie.webp")
    assert webp.headers["Content-Type"] == "image/webp"
    with Image.open(io.BytesIO(webp.content)) as im:
        assert im.size == (20, 15)
    again = _get(f"{movie}/so_0.2,w_20,c_scale/movie.webp")
    assert again.content == webp.content and again.headers["ETag"] == webp.headers["ETag"]


@pytest.mark.parametrize(("path", "message"), [
    ("so_5/movie.jpg", "Invalid start offset - 5. The video is 1.024 s long"),
    ("so_soon/movie.jpg", "Invalid start offset - soon. Use seconds (so_2.5), a percentage (so_10p) or auto"),
    ("w_10/movie.mp4", "Video transformations are not emulated (the emulator delivers a video's original bytes): "
                       "w_10"),
])
def test_bad_thumbnails_are_400(movie: str, path: str, message: str) -> None:
    answer = _get(f"{movie}/{path}")
    assert (answer.status_code, answer.json()) == (400, {"error": {"message": message}})


def test_an_audio_file_has_no_thumbnail(sdk: Any, server: Any) -> None:
    import cloudinary.uploader

    cloudinary.uploader.upload(mp3(), public_id="song", resource_type="video")
    answer = _get(f"{server.url}/{CLOUD}/video/upload/song.jpg")
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith("An audio file has no frame to deliver as an image (jpg)")


def test_node_sdk_video_thumbnail_url(node: Any, movie: str, server: Any) -> None:
    built = node("return cloudinary.url('movie', {resource_type: 'video', format: 'jpg', start_offset: 0, "
                 "width: 16, crop: 'scale'});")
    assert "so_0" in built
    answer = _get(server.url + built.split("res.cloudinary.com", 1)[1])
    with Image.open(io.BytesIO(answer.content)) as im:
        assert im.size == (16, 12)


def test_thumbnails_after_a_restart(tmp_path: Any) -> None:
    import cloudinary
    import cloudinary.uploader

    from emulator.app import create_app
    from emulator.config import load_config
    from emulator.server import EmulatorServer

    def serve() -> Any:
        return EmulatorServer(create_app(load_config({"data_dir": str(tmp_path)}, env={})))

    with serve() as running:
        cloudinary.config(cloud_name=CLOUD, api_key=KEY, api_secret=SECRET, upload_prefix=running.url)
        cloudinary.uploader.upload(mp4(), public_id="kept/movie", resource_type="video")
        before = _get(f"{running.url}/{CLOUD}/video/upload/kept/movie.jpg").content
        running.app.extensions["cloudinary_emulator"].close()
    with serve() as running:
        assert _get(f"{running.url}/{CLOUD}/video/upload/kept/movie.jpg").content == before
        running.app.extensions["cloudinary_emulator"].close()
    cloudinary.reset_config()


def test_eager_thumbnails_of_a_video_upload_are_kept_and_served(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    result = cloudinary.uploader.upload(mp4(), public_id="eager_movie", resource_type="video",
                                        eager=[{"width": 30, "crop": "scale", "format": "jpg"},
                                               {"start_offset": 0.2, "format": "png"}, {"width": 40, "crop": "scale"}])
    poster, early, transcode = result["eager"]
    assert (poster["transformation"], poster["format"], poster["width"], poster["height"]) == ("c_scale,w_30", "jpg",
                                                                                              30, 22)
    assert (early["transformation"], early["format"], early["width"]) == ("so_0.2", "png", 64)
    assert (transcode["transformation"], transcode["format"]) == ("c_scale,w_40", "mp4") and "width" not in transcode
    served = _get(poster["url"])
    assert served.headers["Content-Type"] == "image/jpeg" and len(served.content) == poster["bytes"]
    assert len(_get(early["url"]).content) == early["bytes"]
    refused = _get(transcode["url"])
    assert refused.status_code == 400 and refused.json()["error"]["message"].startswith("Video transformations")
    listed = cloudinary.api.resource("eager_movie", resource_type="video")["derived"]
    assert [(d["transformation"], d["format"]) for d in listed] == [("c_scale,w_30", "jpg"), ("so_0.2", "png"),
                                                                    ("c_scale,w_40", "mp4")]


def test_explicit_makes_eager_thumbnails_of_a_stored_video(sdk: Any) -> None:
    import cloudinary.uploader

    cloudinary.uploader.upload(mp4(), public_id="later_movie", resource_type="video")
    made = cloudinary.uploader.explicit("later_movie", type="upload", resource_type="video",
                                        eager=[{"width": 20, "format": "jpg", "start_offset": "90p"}])
    assert (made["eager"][0]["width"], made["eager"][0]["height"]) == (20, 15)
    assert _luma(_get(made["eager"][0]["url"])) > 100  # a late, bright frame
