"""The transformation renderer on synthetic images: where pixels end up, not only sizes."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from emulator.backend import transform
from emulator.backend.delivery import split_path
from emulator.errors import BadRequest

RED, BLUE, GREEN = (255, 0, 0), (0, 0, 255), (0, 200, 0)


def _halves(size: tuple[int, int] = (200, 100)) -> bytes:
    """Left half red, right half blue (PNG, lossless)."""
    im = Image.new("RGB", size, RED)
    im.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def _render(chain: str, fmt: str = "png", data: bytes | None = None) -> Image.Image:
    out = transform.render(data or _halves(), transform.parse(chain.split("/")), fmt)
    im = Image.open(io.BytesIO(out))
    im.load()
    return im


def test_fill_with_west_gravity_keeps_the_left_side() -> None:
    im = _render("c_fill,g_west,h_100,w_100").convert("RGB")
    assert im.size == (100, 100) and im.getpixel((99, 50)) == RED


def test_fill_with_east_gravity_keeps_the_right_side() -> None:
    im = _render("c_fill,g_east,h_100,w_100").convert("RGB")
    assert im.getpixel((0, 50)) == BLUE


def test_pad_fills_with_the_background_at_the_gravity() -> None:
    im = _render("b_rgb:00c800,c_pad,g_north,h_200,w_200").convert("RGB")
    assert im.size == (200, 200)
    assert im.getpixel((100, 5)) in (RED, BLUE) and im.getpixel((100, 195)) == GREEN


def test_pad_defaults_to_white() -> None:
    assert _render("c_pad,h_200,w_200").convert("RGB").getpixel((100, 2)) == (255, 255, 255)


def test_crop_takes_a_region_without_scaling() -> None:
    im = _render("c_crop,g_south_east,h_10,w_10").convert("RGB")
    assert im.size == (10, 10) and {im.getpixel((x, y)) for x in range(10) for y in range(10)} == {BLUE}


def test_rotation_is_clockwise() -> None:
    im = _render("a_90").convert("RGB")  # red (left) goes to the top
    assert im.size == (100, 200) and im.getpixel((50, 10)) == RED and im.getpixel((50, 190)) == BLUE


def test_hflip_mirrors() -> None:
    assert _render("a_hflip").convert("RGB").getpixel((0, 0)) == BLUE


def test_radius_makes_transparent_corners_in_png_and_white_in_jpg() -> None:
    png = _render("r_30")
    assert png.mode == "RGBA" and png.getpixel((0, 0))[3] == 0 and png.getpixel((100, 50))[3] == 255
    jpg = _render("r_max", "jpg").convert("RGB")
    assert all(c > 240 for c in jpg.getpixel((1, 1)))


def test_grayscale_has_equal_channels() -> None:
    r, g, b = _render("e_grayscale").convert("RGB").getpixel((10, 10))
    assert r == g == b


def test_limit_never_enlarges_but_fit_does() -> None:
    assert _render("c_limit,h_1000,w_1000").size == (200, 100)
    assert _render("c_fit,h_1000,w_1000").size == (1000, 500)


def test_chained_components_apply_in_order() -> None:
    assert _render("c_scale,w_100/a_90/c_crop,h_20,w_20").size == (20, 20)
    assert _render("a_90/c_scale,w_10").size == (10, 20)


def test_quality_and_format_take_the_last_value() -> None:
    chain = transform.parse(["q_20,f_png", "q_70,f_webp"])
    assert (chain.quality, chain.format) == (70, "webp")
    assert transform.parse(["q_auto:eco"]).quality == 70


def test_canonical_form_sorts_tokens_per_component() -> None:
    assert transform.parse(["w_10,c_fill,h_5", "a_90"]).canonical == "c_fill,h_5,w_10/a_90"


@pytest.mark.parametrize(("segment", "expected"), [
    ("c_scale,w_100", True), ("w_0.5", True), ("sample", False), ("my turtle", False), ("v1", False),
])
def test_looks_like_component(segment: str, expected: bool) -> None:
    assert transform.looks_like_component(segment) is expected


@pytest.mark.parametrize(("path", "transformation", "version", "public_id", "ext"), [
    ("turtles.jpg", (), None, "turtles", "jpg"),
    ("c_scale,w_100/turtles.jpg", ("c_scale,w_100",), None, "turtles", "jpg"),
    ("s--UNWpqtkc--/c_scale,w_100/turtles.jpg", ("c_scale,w_100",), None, "turtles", "jpg"),
    ("c_fill,h_5,w_5/a_90/v1700000000/animals/my turtle.png", ("c_fill,h_5,w_5", "a_90"), 1700000000,
     "animals/my turtle", "png"),
    ("v1/animals/v2/x.JPEG", (), 1, "animals/v2/x", "jpg"),
    ("my.file", (), None, "my.file", None),
    ("c_scale", (), None, "c_scale", None),
])
def test_split_path(path: str, transformation: tuple[str, ...], version: int | None, public_id: str,
                    ext: str | None) -> None:
    got = split_path(path)
    assert (got.transformation, got.version, got.public_id, got.extension) == (transformation, version,
                                                                               public_id, ext)


def test_parse_rejects_with_bad_request() -> None:
    with pytest.raises(BadRequest, match="Invalid crop mode - zoom"):
        transform.parse(["c_zoom"])
