"""Malformed or unsupported transformations: 400, the reason in X-Cld-Error, the JSON envelope in the body."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

CASES = [
    ("foo_bar", "Invalid transformation component - foo_bar"),
    ("w_abc", "Invalid width - abc. Use pixels (w_300) or a ratio of the current size (w_0.5)"),
    ("w_0", "Invalid width - 0. Use pixels (w_300) or a ratio of the current size (w_0.5)"),
    ("h_-5", "Invalid height - -5. Use pixels (w_300) or a ratio of the current size (w_0.5)"),
    ("c_bogus,w_10", "Invalid crop mode - bogus. Supported: scale, fit, limit, fill, pad, crop, thumb"),
    ("g_face,c_fill,w_10,h_10", "Invalid gravity - face. Supported: north_west, north, north_east, west, "
                                "center, east, south_west, south, south_east, auto"),
    ("q_0", "Invalid quality - 0. Use 1 to 100 or auto[:best|good|eco|low]"),
    ("q_101", "Invalid quality - 101. Use 1 to 100 or auto[:best|good|eco|low]"),
    ("f_tiff", "Invalid format - tiff. Supported: auto, jpg, png, webp, gif"),
    ("e_sepia", "Invalid effect - sepia. Supported: grayscale"),
    ("r_big", "Invalid radius - big. Use pixels (r_20) or r_max"),
    ("a_sideways", "Invalid angle - sideways. Use degrees (a_90, a_-45), a_hflip or a_vflip"),
    ("b_rgb:zzzzzz,c_pad,w_10,h_10", "Invalid background - rgb:zzzzzz. Use rgb:RRGGBB, rgb:RRGGBBAA or a colour name"),
    ("b_notacolour,c_pad,w_10,h_10", "Invalid background - notacolour. Use rgb:RRGGBB, rgb:RRGGBBAA or a colour name"),
    ("w_10,w_20", "Duplicate transformation parameter w_ in w_10,w_20"),
    ("w_", "Invalid transformation component - w_"),
    ("l_text:Arial_20:hi", "Transformation parameter l_ is not supported by the emulator - l_text:Arial_20:hi"),
    ("t_my_named", "Invalid transformation component - named transformation my_named does not exist"),
    ("w_100000,h_100000,c_scale", "Maximum image size is 25 Megapixels. Requested 10000 Megapixels "
                                  "(100000x100000 after c_scale,h_100000,w_100000)"),
]


@pytest.mark.parametrize(("component", "message"), CASES, ids=[c for c, _ in CASES])
def test_bad_transformation_is_400_with_the_reason(client: FlaskClient, component: str, message: str) -> None:
    r = client.get(f"/demo/image/upload/{component}/sample.jpg")
    assert r.status_code == 400
    assert r.headers["X-Cld-Error"] == message
    assert r.json == {"error": {"message": message}}
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"


def test_a_bad_component_anywhere_in_the_chain_fails(client: FlaskClient) -> None:
    r = client.get("/demo/image/upload/c_scale,w_10/e_blur/v1/sample.jpg")
    assert (r.status_code, r.headers["X-Cld-Error"]) == (400, "Invalid effect - blur. Supported: grayscale")


def test_unsupported_extension_of_an_existing_id_is_400(client: FlaskClient) -> None:
    r = client.get("/demo/image/upload/sample.bmp")
    assert r.status_code == 400
    assert r.headers["X-Cld-Error"] == "Unsupported delivery format - bmp. Supported: jpg, png, webp, gif"


def test_folder_like_segments_before_a_version_are_transformations(client: FlaskClient) -> None:
    r = client.get("/demo/image/upload/animals/v1/sample.jpg")
    assert (r.status_code, r.headers["X-Cld-Error"]) == (400, "Invalid transformation component - animals")


def test_api_routes_are_not_taken_by_delivery(client: FlaskClient) -> None:
    r = client.get("/v1_1/demo/image/upload")  # the upload endpoint is POST-only
    assert r.status_code == 405 and "X-Cld-Error" not in r.headers and r.headers["Allow"] == "OPTIONS, POST"
    assert r.json == {"error": {"message": "Method not allowed - GET /v1_1/demo/image/upload. Allowed: OPTIONS, POST"}}
    assert client.get("/_emulator/health").status_code == 200


def test_other_resource_types_and_delivery_types_are_404(client: FlaskClient) -> None:
    assert client.get("/demo/video/upload/sample.mp4").status_code == 404
    r = client.get("/demo/image/fetch/https://example.com/x.jpg")
    assert r.status_code == 404 and r.json["error"]["message"].startswith("Not found - GET")
