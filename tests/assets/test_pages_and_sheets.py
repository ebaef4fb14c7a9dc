"""``explode`` (a derived image per page), ``pg_<n>`` delivery, a PDF ``multi`` delivered, a sprite's CSS and JSON
served: end to end through the official SDKs."""

from __future__ import annotations

import io
from typing import Any

import pytest
import requests
from PIL import Image

from tests.conftest import CLOUD, KEY, SAMPLE, SECRET, TURTLES

pytestmark = pytest.mark.e2e
COLOURS = ((255, 0, 0), (0, 128, 0), (0, 0, 255))


def _animated(fmt: str = "GIF") -> bytes:
    frames = [Image.new("RGB", (60, 40), c) for c in COLOURS]
    out = io.BytesIO()
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def _pixel(url: str) -> tuple[int, ...]:
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 200, answer.text[:200]
    with Image.open(io.BytesIO(answer.content)) as im:
        return tuple(im.convert("RGB").getpixel((5, 5)))


def _close(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(abs(x - y) <= 8 for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("fmt", ["GIF", "TIFF"])
def test_explode_keeps_a_derived_image_per_page(sdk: Any, fmt: str) -> None:
    import cloudinary.api
    import cloudinary.uploader

    cloudinary.uploader.upload(_animated(fmt), public_id=f"pages/{fmt}")
    answer = cloudinary.uploader.explode(f"pages/{fmt}", page="all", format="png")
    assert answer["status"] == "processing" and answer["batch_id"]
    derived = cloudinary.api.resource(f"pages/{fmt}")["derived"]
    assert [(d["transformation"], d["format"]) for d in derived] == [("pg_1", "png"), ("pg_2", "png"),
                                                                     ("pg_3", "png")]
    assert all(_close(_pixel(d["url"]), colour) for d, colour in zip(derived, COLOURS, strict=True))


def test_explode_with_a_transformation(sdk: Any) -> None:
    import cloudinary.api
    import cloudinary.uploader

    cloudinary.uploader.upload(_animated(), public_id="pages/small")
    cloudinary.uploader.explode("pages/small", page="all", width=30, crop="scale")
    derived = cloudinary.api.resource("pages/small")["derived"]
    assert [d["transformation"] for d in derived] == ["c_scale,pg_1,w_30", "c_scale,pg_2,w_30", "c_scale,pg_3,w_30"]
    assert {d["format"] for d in derived} == {"gif"}
    with Image.open(io.BytesIO(requests.get(derived[1]["url"], timeout=10).content)) as im:
        assert im.width == 30


def test_a_page_is_delivered_by_url(sdk: Any, server: Any) -> None:
    import cloudinary
    import cloudinary.uploader

    cloudinary.uploader.upload(_animated(), public_id="pages/url")
    built = cloudinary.CloudinaryImage("pages/url").build_url(page=2, format="png")
    url = server.url + built.split("res.cloudinary.com", 1)[1]  # the SDK's URL, on the emulator's host
    assert "/pg_2/" in url and _close(_pixel(url), COLOURS[1])
    beyond = requests.get(f"{server.url}/{CLOUD}/image/upload/pg_4/pages/url.png", timeout=10)
    assert (beyond.status_code, beyond.json()) == (400, {"error": {"message": "Invalid page - 4. The image has 3 "
                                                                              "pages"}})
    every = requests.get(f"{server.url}/{CLOUD}/image/upload/pg_all/pages/url.png", timeout=10)
    assert every.status_code == 400 and "pg_all is explode's" in every.json()["error"]["message"]


@pytest.mark.parametrize(("kwargs", "status", "message"), [
    ({"public_id": "pages/bad", "format": "png"}, 400,
     "Invalid transformation - explode needs pg_all in the transformation"),
    ({"public_id": "pages/none", "page": "all"}, 404, "Resource not found - pages/none"),
    ({"public_id": "pages/bad", "page": "all", "format": "tiff"}, 400,
     "Invalid format - tiff. The emulator converts to: jpg, png, webp, gif"),
])
def test_explode_refuses_bad_requests(sdk: Any, kwargs: dict[str, str], status: int, message: str) -> None:
    import cloudinary.api
    import cloudinary.uploader
    from cloudinary import exceptions

    cloudinary.uploader.upload(_animated(), public_id="pages/bad")
    public_id = kwargs.pop("public_id")
    with pytest.raises(exceptions.Error) as raised:
        cloudinary.uploader.explode(public_id, **kwargs)
    assert str(raised.value) == message
    assert type(raised.value).__name__ == {400: "BadRequest", 404: "NotFound"}[status]
    assert cloudinary.api.resource("pages/bad")["derived"] == []


def test_a_pdf_multi_is_delivered(sdk: Any, server: Any) -> None:
    import cloudinary.uploader

    cloudinary.uploader.upload(str(SAMPLE), public_id="pdf/one", tags=["pdfs"])
    cloudinary.uploader.upload(str(TURTLES), public_id="pdf/two", tags=["pdfs"])
    made = cloudinary.uploader.multi("pdfs", format="pdf")
    answer = requests.get(made["url"], timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF") and answer.content.count(b"/Type /Page\n") == 2
    other = requests.get(f"{server.url}/{CLOUD}/image/upload/pdf/one.pdf", timeout=10)
    assert other.status_code == 400 and other.json()["error"]["message"].startswith("Unsupported delivery format")


def test_the_sprite_css_and_json_are_served(sdk: Any) -> None:
    import cloudinary.uploader

    cloudinary.uploader.upload(str(SAMPLE), public_id="sheet/a", tags=["sheet"])
    cloudinary.uploader.upload(str(TURTLES), public_id="sheet/b", tags=["sheet"])
    made = cloudinary.uploader.generate_sprite("sheet", transformation={"raw_transformation": "w_100"})
    css = requests.get(made["css_url"], timeout=10)
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    first, second = made["image_infos"]["sheet/a"], made["image_infos"]["sheet/b"]
    assert (f".sheet-sheet_b {{ background: url('/{CLOUD}/image/sprite/w_100/v{made['version']}/sheet.png') "
            f"no-repeat; background-position: 0px -{second['y']}px; width: 100px; "
            f"height: {second['height']}px; }}") in css.text
    sheet = requests.get(made["json_url"], timeout=10)
    assert sheet.headers["Content-Type"].startswith("application/json")
    assert sheet.json()["image_infos"] == {"sheet/a": first, "sheet/b": second}
    image = requests.get(made["image_url"], timeout=10)
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/png"


def test_exploded_pages_survive_a_restart(tmp_path: Any) -> None:
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
        cloudinary.uploader.upload(_animated(), public_id="kept/pages")
        cloudinary.uploader.explode("kept/pages", page="all", format="png")
        running.app.extensions["cloudinary_emulator"].close()
    with serve() as running:
        cloudinary.config(upload_prefix=running.url)
        derived = cloudinary.api.resource("kept/pages")["derived"]
        assert len(derived) == 3 and _close(_pixel(derived[2]["url"]), COLOURS[2])
        running.app.extensions["cloudinary_emulator"].close()
    cloudinary.reset_config()


def test_node_sdk_explode(node: Any) -> None:
    import base64

    data = "data:image/gif;base64," + base64.b64encode(_animated()).decode()
    result = node(f"""
        await cloudinary.uploader.upload({data!r}, {{public_id: 'node/pages'}});
        const answer = await cloudinary.uploader.explode('node/pages', {{page: 'all', format: 'png'}});
        const details = await cloudinary.api.resource('node/pages');
        return {{status: answer.status, derived: details.derived.map(d => d.transformation)}};
    """)
    assert result == {"status": "processing", "derived": ["pg_1", "pg_2", "pg_3"]}
