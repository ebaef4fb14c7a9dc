"""URLs built by the official SDKs resolve to correctly transformed images (decoded with Pillow)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from emulator.server import EmulatorServer
from tests.conftest import CLOUD, KEY, SECRET, TURTLES
from tests.delivery.conftest import fetch
from tests.e2e.node import node_available, run_node

pytestmark = pytest.mark.e2e

# turtles.jpg is 320×240. Each case: SDK options → (width, height), Pillow format.
CASES: list[tuple[dict[str, Any], tuple[int, int], str]] = [
    ({}, (320, 240), "JPEG"),
    ({"width": 100, "crop": "scale"}, (100, 75), "JPEG"),
    ({"height": 60}, (80, 60), "JPEG"),
    ({"width": 100, "height": 100, "crop": "scale"}, (100, 100), "JPEG"),
    ({"width": 100, "height": 100, "crop": "fit"}, (100, 75), "JPEG"),
    ({"width": 1000, "height": 1000, "crop": "limit"}, (320, 240), "JPEG"),
    ({"width": 160, "crop": "limit"}, (160, 120), "JPEG"),
    ({"width": 1000, "height": 1000, "crop": "fit"}, (1000, 750), "JPEG"),
    ({"width": 100, "height": 100, "crop": "fill", "gravity": "north"}, (100, 100), "JPEG"),
    ({"width": 120, "height": 90, "crop": "thumb", "gravity": "auto"}, (120, 90), "JPEG"),
    ({"width": 200, "height": 100, "crop": "pad", "background": "rgb:ff0000"}, (200, 100), "JPEG"),
    ({"width": 50, "height": 40, "crop": "crop", "gravity": "south_east"}, (50, 40), "JPEG"),
    ({"width": 1000, "height": 40, "crop": "crop"}, (320, 40), "JPEG"),
    ({"width": 0.5, "crop": "scale"}, (160, 120), "JPEG"),
    ({"angle": 90}, (240, 320), "JPEG"),
    ({"angle": "hflip", "effect": "grayscale"}, (320, 240), "JPEG"),
    ({"format": "png", "radius": "max"}, (320, 240), "PNG"),
    ({"format": "webp", "width": 64, "crop": "scale", "quality": 50}, (64, 48), "WEBP"),
    ({"format": "gif", "width": 32, "height": 32, "crop": "fill"}, (32, 32), "GIF"),
    ({"transformation": [{"width": 200, "crop": "scale"}, {"width": 50, "height": 50, "crop": "fill"}]},
     (50, 50), "JPEG"),
]


@pytest.mark.parametrize(("options", "size", "fmt"), CASES, ids=lambda v: str(v) if isinstance(v, dict) else "")
def test_python_sdk_url_gives_the_transformed_image(turtles: dict[str, Any], options: dict[str, Any],
                                                     size: tuple[int, int], fmt: str) -> None:
    import cloudinary

    options = {"format": "jpg", **options}
    url = cloudinary.CloudinaryImage("turtles").build_url(**options)
    got = fetch(url)
    assert got.status == 200, (url, got.error)
    assert (got.image.size, got.image.format) == (size, fmt), url
    assert got.headers["Content-Type"] == f"image/{fmt.lower()}"


def test_image_tag_src_resolves_to_the_original_bytes(turtles: dict[str, Any]) -> None:
    import cloudinary

    tag = cloudinary.CloudinaryImage("turtles.jpg").image()
    src = re.search(r'src="([^"]+)"', tag)
    assert src is not None and "/demo/image/upload/turtles.jpg" in src.group(1)
    assert fetch(src.group(1)).body == TURTLES.read_bytes()


def test_upload_response_url_resolves(turtles: dict[str, Any]) -> None:
    got = fetch(turtles["url"])
    assert got.status == 200 and got.body == TURTLES.read_bytes()
    assert got.headers["Cache-Control"] == "public, max-age=2592000, immutable"


def test_cloudinary_url_with_version_folder_and_spaces(cdn: Any) -> None:
    import cloudinary.uploader
    import cloudinary.utils

    up = cloudinary.uploader.upload(str(TURTLES), public_id="animals/my turtle")
    for version in (up["version"], None):  # without a version the SDK writes the placeholder v1
        url, _ = cloudinary.utils.cloudinary_url("animals/my turtle", format="png", width=40, crop="scale",
                                                 version=version)
        assert ("/v1/" in url) is (version is None)
        got = fetch(url)
        assert got.status == 200, (url, got.error)
        assert (got.image.size, got.image.format) == ((40, 30), "PNG")


def test_private_cdn_and_signed_urls_resolve(turtles: dict[str, Any]) -> None:
    import cloudinary.utils

    private, _ = cloudinary.utils.cloudinary_url("turtles.jpg", private_cdn=True, width=10, crop="scale")
    signed, _ = cloudinary.utils.cloudinary_url("turtles.jpg", sign_url=True, width=20, crop="scale")
    assert f"/{CLOUD}/" not in private and "/s--" in signed
    assert fetch(private).image.size == (10, 8)
    assert fetch(signed).image.size == (20, 15)


def test_f_auto_picks_webp_for_browsers_that_accept_it(turtles: dict[str, Any]) -> None:
    import cloudinary

    url = cloudinary.CloudinaryImage("turtles.jpg").build_url(fetch_format="auto", width=50, crop="scale")
    browser = fetch(url, Accept="image/avif,image/webp,*/*")
    plain = fetch(url, Accept="*/*")
    assert (browser.image.format, plain.image.format) == ("WEBP", "JPEG")
    assert browser.headers["ETag"] != plain.headers["ETag"]
    assert "Accept" in browser.headers["Vary"]


def test_quality_changes_the_encoding(turtles: dict[str, Any]) -> None:
    import cloudinary

    low = fetch(cloudinary.CloudinaryImage("turtles.jpg").build_url(quality=5))
    high = fetch(cloudinary.CloudinaryImage("turtles.jpg").build_url(quality=95))
    assert len(low.body) < len(high.body) and low.image.size == high.image.size == (320, 240)


# -- Node SDK --------------------------------------------------------------------------------------------------

NODE_CASES: list[tuple[str, tuple[int, int], str]] = [
    ("{width: 100, crop: 'scale'}", (100, 75), "JPEG"),
    ("{transformation: [{width: 200, crop: 'scale'}, {angle: 90}], format: 'png'}", (150, 200), "PNG"),
    ("{width: 64, height: 64, crop: 'fill', gravity: 'west', format: 'webp'}", (64, 64), "WEBP"),
]


@pytest.mark.skipif(node_available() is not None, reason=str(node_available()))
def test_node_sdk_urls_resolve(turtles: dict[str, Any], server: EmulatorServer) -> None:
    host = f"{server.host}:{server.port}"
    base = f"{{secure: false, cname: '{host}', format: 'jpg'}}"  # Node: secure and cname per call
    calls = ", ".join(f"cloudinary.url('turtles', Object.assign({base}, {opts}))" for opts, _, _ in NODE_CASES)
    urls = run_node(f"return [{calls}];", server.url, cloud=CLOUD, key=KEY, secret=SECRET)
    assert isinstance(urls, list) and len(urls) == len(NODE_CASES), urls
    for url, (_, size, fmt) in zip(urls, NODE_CASES, strict=True):
        assert url.startswith(f"http://{host}/{CLOUD}/image/upload/") and "?_a=" in url, url
        got = fetch(url)
        assert got.status == 200, (url, got.error)
        assert (got.image.size, got.image.format) == (size, fmt), url
