"""Unit tests of the upload-analysis, breakpoint, eager, add-on and archive modules (no HTTP)."""

from __future__ import annotations

import io
import itertools
import json
import tarfile
import zipfile

import pytest
from PIL import Image, ImageDraw, ImageFilter

from emulator.backend import addons, analysis, archive, breakpoints, eager, transform
from emulator.backend.models import AddonRequest, EagerItem
from emulator.errors import BadRequest, RateLimited
from tests.conftest import SAMPLE, TURTLES

PALETTE = {"red": (200, 30, 30), "white": (255, 255, 255), "blue": (30, 80, 200), "black": (0, 0, 0)}


def _png(size: tuple[int, int], fill: str = "white", draw: bool = False) -> bytes:
    im = Image.new("RGB", size, fill)
    if draw:
        pen = ImageDraw.Draw(im)
        for x in range(0, size[0], 8):
            pen.line((x, 0, x, size[1]), fill="black", width=2)
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


# -- analysis ---------------------------------------------------------------------------------------------------

def test_colors_of_a_half_red_half_blue_image() -> None:
    im = Image.new("RGB", (100, 100), (200, 30, 30))
    im.paste((30, 80, 200), (50, 0, 100, 100))
    out = io.BytesIO()
    im.save(out, "PNG")
    found = analysis.colors(out.getvalue(), PALETTE)
    assert dict(found.predominant) == {"red": 50.0, "blue": 50.0}
    (first, a), (second, b) = found.colors[:2]
    assert a + b > 90 and {first[:2], second[:2]} == {"#C", "#1"}


def test_colors_percentages_sum_to_about_100_for_a_photo() -> None:
    found = analysis.colors(TURTLES.read_bytes(), PALETTE)
    assert 95 <= sum(p for _, p in found.colors) <= 100.5
    assert all(h.startswith("#") and len(h) == 7 for h, _ in found.colors)
    assert [p for _, p in found.colors] == sorted((p for _, p in found.colors), reverse=True)


def test_phash_is_stable_and_near_for_a_resized_copy() -> None:
    data = SAMPLE.read_bytes()
    with Image.open(io.BytesIO(data)) as im:
        smaller = im.resize((432, 288))
        out = io.BytesIO()
        smaller.save(out, "JPEG", quality=70)
    first, again, resized = analysis.phash(data), analysis.phash(data), analysis.phash(out.getvalue())
    assert first == again and len(first) == 16 and int(first, 16) >= 0
    assert analysis.hamming(first, resized) <= 6
    assert analysis.hamming(first, analysis.phash(TURTLES.read_bytes())) > 12


def test_focus_is_higher_for_a_sharp_image_than_for_its_blurred_copy() -> None:
    sharp = _png((200, 200), draw=True)
    with Image.open(io.BytesIO(sharp)) as im:
        blurred = im.filter(ImageFilter.GaussianBlur(6))
        out = io.BytesIO()
        blurred.save(out, "PNG")
    assert analysis.focus(sharp) > analysis.focus(out.getvalue())
    assert analysis.focus(_png((50, 50))) == 0.0
    assert isinstance(analysis.quality_analysis(sharp)["focus"], float)


def test_image_metadata_reads_exif() -> None:
    im = Image.new("RGB", (30, 20), "white")
    exif = Image.Exif()
    exif[0x010F] = "EmulatorCam"  # Make
    exif[0x0110] = "Model 1"  # Model
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif, dpi=(300, 300))
    found = analysis.image_metadata(out.getvalue())
    assert found["Make"] == "EmulatorCam" and found["Model"] == "Model 1"
    assert found["ImageWidth"] == "30" and found["DPI"] == "300" and found["Colorspace"] == "sRGB"


def test_clip_boxes_keeps_faces_inside_the_image() -> None:
    assert analysis.clip_boxes([[120, 30, 109, 150], [121, 31, 110, 151]], 241, 51) == [
        [120, 30, 109, 51], [121, 31, 110, 51]]


# -- breakpoints ------------------------------------------------------------------------------------------------

def _renderer(data: bytes, fmt: str = "png") -> breakpoints.Render:
    def render(transformation: str) -> tuple[bytes, int, int]:
        out = transform.render(data, transform.parse(transformation.split("/")), fmt)
        with Image.open(io.BytesIO(out)) as im:
            return out, im.width, im.height
    return render


def test_breakpoints_keep_widest_and_narrowest_for_a_small_image() -> None:
    found = breakpoints.compute(breakpoints.Settings(transformation="a_90"), _renderer(_png((241, 51))))
    assert [b.width for b in found] == [51, 50]
    assert found[0].transformation == "a_90/c_scale,w_51"


def test_breakpoints_step_by_bytes_for_a_photo() -> None:
    settings = breakpoints.Settings(bytes_step=5000, max_width=800)
    found = breakpoints.compute(settings, _renderer(SAMPLE.read_bytes(), "jpg"))
    widths = [b.width for b in found]
    assert widths[0] == 800 and widths[-1] == 50 and widths == sorted(widths, reverse=True)
    assert all(a.size - b.size >= 5000 for a, b in itertools.pairwise(found[:-1]))
    assert len(found) <= 20


def test_breakpoints_max_images_caps_the_list() -> None:
    settings = breakpoints.Settings(bytes_step=1000, max_images=3)
    assert len(breakpoints.compute(settings, _renderer(SAMPLE.read_bytes(), "jpg"))) == 3


def test_breakpoints_parse_one_object_or_a_list() -> None:
    one = breakpoints.parse(json.dumps({"create_derived": False, "transformation": "a_90", "format": "gif"}))
    assert one == (breakpoints.Settings(transformation="a_90", format="gif", create_derived=False),)
    assert len(breakpoints.parse('[{"create_derived": true}, {}]')) == 2
    with pytest.raises(BadRequest, match="Must be JSON"):
        breakpoints.parse("nope")
    with pytest.raises(BadRequest, match="min_width must not exceed max_width"):
        breakpoints.parse('{"min_width": 500, "max_width": 100}')
    with pytest.raises(BadRequest, match="bytes_step"):
        breakpoints.parse('{"bytes_step": -1}')


# -- eager ------------------------------------------------------------------------------------------------------

def test_eager_items_with_and_without_format() -> None:
    items = eager.parse("c_scale,w_2.0/png|c_fill,h_20,w_20|w_10/|e_grayscale/c_crop,w_5/jpeg")
    assert items == (EagerItem("c_scale,w_2.0", "png"), EagerItem("c_fill,h_20,w_20"),
                     EagerItem("w_10"), EagerItem("e_grayscale/c_crop,w_5", "jpg"))
    assert eager.parse("") == ()


def test_eager_item_the_emulator_cannot_render_is_named_not_rendered() -> None:
    (item,) = eager.parse("c_scale,l_text:arial_20:hi,w_100")
    assert eager.renderable(item) is None and eager.renderable(eager.parse("w_100")[0]) is not None


@pytest.mark.parametrize("text,message", [("w_10/bogus", "Invalid eager format - bogus"),
                                          ("nonsense/png", "Invalid transformation component - nonsense")])
def test_eager_bad_items(text: str, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        eager.parse(text)


# -- add-ons ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("parameter,upload_message", [
    ("detection", "Detection invalid model 'illegal'"), ("background_removal", "Background removal is invalid"),
    ("raw_convert", "Raw convert is invalid"), ("ocr", "OCR is invalid")])
def test_unknown_addon_values_are_400_worded_per_api(parameter: str, upload_message: str) -> None:
    request = (AddonRequest(parameter, "illegal"),)
    with pytest.raises(BadRequest, match=upload_message):
        addons.check(request, admin=False)
    with pytest.raises(BadRequest, match=f"Illegal value illegal for parameter {parameter}"):
        addons.check(request, admin=True)


@pytest.mark.parametrize("parameter,value", [("detection", "coco_v2"), ("detection", "adv_face,lvis"),
                                             ("background_removal", "cloudinary_ai"), ("ocr", "adv_ocr:document"),
                                             ("raw_convert", "google_speech:srt:vtt")])
def test_known_addon_values_are_420(parameter: str, value: str) -> None:
    with pytest.raises(RateLimited, match="active subscription"):
        addons.check((AddonRequest(parameter, value),), admin=False)


# -- archives ---------------------------------------------------------------------------------------------------

ENTRIES = [archive.Entry("a/one", "jpg", "first", b"1"), archive.Entry("b/one", "jpg", "second", b"22"),
           archive.Entry("a/one", "png", "first", b"333", "c_scale,w_0.5")]


def test_archive_names_by_options() -> None:
    assert archive.names(archive.ArchiveRequest(), ENTRIES) == ["a/one.jpg", "b/one.jpg", "c_scale,w_0.5/a/one.png"]
    flat = archive.ArchiveRequest(flatten_folders=True, flatten_transformations=True)
    assert archive.names(flat, ENTRIES) == ["one.jpg", "one_1.jpg", "one.png"]
    named = archive.ArchiveRequest(use_original_filename=True, skip_transformation_name=True)
    assert archive.names(named, ENTRIES) == ["a/first.jpg", "b/second.jpg", "a/first.png"]


def test_zip_and_tgz_hold_the_bytes_and_are_deterministic() -> None:
    made = archive.build(archive.ArchiveRequest(tags=("t",)), ENTRIES, 1_700_000_000)
    with zipfile.ZipFile(io.BytesIO(made.data)) as zf:
        assert zf.namelist() == list(made.names) and zf.read("b/one.jpg") == b"22"
    assert made.file_count == 3 and made.resource_count == 2
    assert archive.build(archive.ArchiveRequest(tags=("t",)), ENTRIES, 1_700_000_000).data == made.data
    tgz = archive.build(archive.ArchiveRequest(tags=("t",), target_format="tgz"), ENTRIES, 1_700_000_000)
    with tarfile.open(fileobj=io.BytesIO(tgz.data)) as tf:
        assert tf.getnames() == list(made.names)
    assert archive.build(archive.ArchiveRequest(tags=("t",), target_format="tgz"), ENTRIES, 1_700_000_000) == tgz


def test_archive_request_checks() -> None:
    with pytest.raises(BadRequest, match="Must supply at least one of"):
        archive.check(archive.ArchiveRequest())
    with pytest.raises(BadRequest, match="Invalid target_format - rar"):
        archive.check(archive.ArchiveRequest(tags=("t",), target_format="rar"))


# -- compose ----------------------------------------------------------------------------------------------------

def test_sprite_stacks_images_and_writes_css() -> None:
    from emulator.backend import compose

    made = compose.sprite([("a", _png((20, 10))), ("b/c", _png((30, 5)))], transform.parse([]), "png")
    assert made.boxes == {"a": compose.Box(0, 0, 20, 10), "b/c": compose.Box(0, 10, 30, 5)}
    with Image.open(io.BytesIO(made.image)) as im:
        assert im.size == (30, 15)
    assert ".b_c { background: url('u.png') -0px -10px; width: 30px; height: 5px; }" in made.css("u.png")


def test_multi_makes_an_animated_gif_and_a_pdf() -> None:
    from emulator.backend import compose

    frames = [_png((20, 10), "red"), _png((20, 10), "blue")]
    gif = compose.multi(frames, transform.parse(["w_10"]), "gif")
    with Image.open(io.BytesIO(gif)) as im:
        assert im.n_frames == 2 and im.size == (10, 5)
    assert compose.multi(frames, transform.parse([]), "pdf").startswith(b"%PDF")
    with pytest.raises(BadRequest, match="Invalid format - bmp"):
        compose.multi(frames, transform.parse([]), "bmp")


def test_text_image_grows_with_the_font() -> None:
    from emulator.backend import compose

    small = compose.text("hello world", compose.TextStyle(font_size=12))
    large = compose.text("hello world", compose.TextStyle(font_size=40, background="white"))
    with Image.open(io.BytesIO(small)) as a, Image.open(io.BytesIO(large)) as b:
        assert a.width > 1 and a.height > 1 and b.width > a.width and b.height > a.height
    with pytest.raises(BadRequest, match="Missing required parameter - text"):
        compose.text("", compose.TextStyle())
