"""The pixel budget: every image a chain allocates is planned and checked before any pixel is decoded."""

from __future__ import annotations

import io
import struct
import threading
import zlib
from typing import Any

import cloudinary.api
import cloudinary.uploader  # noqa: F401
import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from emulator.backend import geometry, transform
from emulator.backend.gate import RenderGate
from emulator.config import load_config
from emulator.errors import BadRequest
from emulator.server import EmulatorServer
from tests.delivery.conftest import fetch


def _png(size: tuple[int, int], mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 20, 30)).save(out, "PNG")
    return out.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A few kilobytes of PNG declaring ``width``×``height`` grey pixels (built row by row, never in memory)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    packer = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * width
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


component = st.builds(
    lambda w, h, crop, angle: ",".join(t for t in (f"w_{w}" if w else "", f"h_{h}" if h else "",
                                                   f"c_{crop}", f"a_{angle}" if angle is not None else "") if t),
    st.one_of(st.none(), st.integers(1, 120)), st.one_of(st.none(), st.integers(1, 120)),
    st.sampled_from(transform.CROPS), st.one_of(st.none(), st.integers(-400, 400)))


@settings(max_examples=60, deadline=None)
@given(size=st.tuples(st.integers(1, 90), st.integers(1, 90)), chain=st.lists(component, min_size=1, max_size=3))
def test_the_plan_predicts_the_size_the_renderer_produces(size: tuple[int, int], chain: list[str]) -> None:
    parsed = transform.parse(chain)
    planned = geometry.plan(size, parsed.components)
    if max(w * h for w, h in (p.size for p in planned)) > transform.MAX_PIXELS:
        with pytest.raises(BadRequest, match=r"^Maximum image size is 25 Megapixels"):
            transform.render(_png(size), parsed, "png")
        return
    rendered = Image.open(io.BytesIO(transform.render(_png(size), parsed, "png")))
    assert planned[-1].size == rendered.size


def test_rotation_after_a_large_resize_is_refused_before_rendering() -> None:
    chain = transform.parse(["w_5000,h_5000", "a_45", "a_45"])
    with pytest.raises(BadRequest) as refused:
        transform.render(_png((64, 48)), chain, "jpg")
    assert refused.value.message == ("Maximum image size is 25 Megapixels. Requested 50.01 Megapixels "
                                     "(7072x7072 after a_45)")


def test_padding_canvas_counts_against_the_budget() -> None:
    with pytest.raises(BadRequest, match=r"^Maximum image size is 25 Megapixels. Requested 27 Megapixels "
                                         r"\(6000x4500 after c_pad,h_6000,w_6000\)$"):
        transform.render(_png((64, 48)), transform.parse(["c_pad,w_6000,h_6000"]), "png")


def test_an_original_over_the_budget_is_refused_from_its_header() -> None:
    with pytest.raises(BadRequest, match=r"^Maximum image size is 0.01 Megapixels. Requested 0.04 Megapixels "
                                         r"\(200x200 \(the original\)\)$"):
        transform.render(_png((200, 200)), transform.parse(["w_10"]), "png", transform.Limits(max_pixels=10_000))


def test_too_many_chained_components_are_refused() -> None:
    with pytest.raises(BadRequest, match=r"^Too many chained transformations - 21. The emulator renders at most 20"):
        transform.parse(["a_1"] * 21)


def test_the_gate_holds_a_rendering_over_the_pixel_capacity_until_room_is_made() -> None:
    gate = RenderGate(slots=4, pixels=100)
    entered = threading.Event()
    with gate.reserve(80):
        waiting = threading.Thread(target=lambda: _enter(gate, 50, entered))
        waiting.start()
        assert not entered.wait(0.2) and gate.running == 1
    waiting.join(5)
    assert entered.is_set() and gate.running == 0


def test_the_gate_bounds_renderings_by_count() -> None:
    gate = RenderGate(slots=1, pixels=100)
    entered = threading.Event()
    with gate.reserve(1):
        waiting = threading.Thread(target=lambda: _enter(gate, 1, entered))
        waiting.start()
        assert not entered.wait(0.2)
    waiting.join(5)
    assert entered.is_set()


def test_a_rendering_larger_than_the_capacity_runs_alone_rather_than_never() -> None:
    gate = RenderGate(slots=2, pixels=100)
    entered = threading.Event()
    _enter(gate, 10_000, entered)
    assert entered.is_set()


def _enter(gate: RenderGate, pixels: int, entered: threading.Event) -> None:
    with gate.reserve(pixels):
        entered.set()


def test_the_hostile_url_of_the_issue_is_a_400_over_a_socket(server: EmulatorServer) -> None:
    got = fetch(f"{server.url}/demo/image/upload/w_5000,h_5000/a_45/a_45/a_45/a_45/sample.jpg")
    assert got.status == 400
    assert got.error == "Maximum image size is 25 Megapixels. Requested 50.01 Megapixels (7072x7072 after a_45)"


def test_an_upload_declaring_too_many_pixels_is_refused_with_cloudinarys_message(sdk: Any) -> None:
    data = bomb_png(9400, 9400)
    assert len(data) < 200_000
    with pytest.raises(sdk.exceptions.Error, match=r"^Maximum image size is 25 Megapixels. Requested 88.36 "):
        sdk.uploader.upload(data, public_id="bomb")
    with pytest.raises(sdk.exceptions.NotFound):
        sdk.api.resource("bomb")


def test_a_lower_configured_budget_applies_to_delivery(tmp_path: Any) -> None:
    from emulator.app import create_app

    app = create_app(load_config({"max_image_megapixels": 0.01}, env={}))
    try:
        client: FlaskClient = app.test_client()
        r = client.get("/demo/image/upload/w_200,h_200,c_scale/sample.jpg")
        assert r.status_code == 400
        assert r.json == {"error": {"message": "Maximum image size is 0.01 Megapixels. Requested 0.5 Megapixels "
                                               "(864x576 (the original))"}}
        assert client.get("/demo/image/upload/sample.jpg").status_code == 200  # the original is served as is
    finally:
        app.extensions["cloudinary_emulator"].close()
